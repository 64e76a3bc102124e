/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "caps.h"
#include "cmd-service.h"
#include "fileio.h"
#include "macro.h"
#include "options.h"
#include "output.h"
#include "service-json.h"
#include "service-source.h"
#include "unit-file-state.h"
#include "unit-name.h"

static const char *confinement_name(Confinement c) {
        return c == CONFINE_OURS ? "sdconfine" : c == CONFINE_FOREIGN ? "foreign-root" : "-";
}

/* One row of the list, the same from either source. */
typedef struct ListRow {
        const char *name, *load, *active, *sub, *file_state, *confinement, *description, *fragment_path;
        Service *service;
} ListRow;

static void list_row_fill(ServiceSource *src, const UnitInfo *info, const char *name, UnitFileStates *states,
                          ListRow *row) {
        Service *s = NULL;
        /* the details come from the unit itself; a template has none to load live */
        bool template = unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
        if (!(template && src->manager))
                (void)(src->manager ? manager_load_service(src->manager, name, &s)
                                    : unit_index_load(src->index, name, &s));
        *row = (ListRow){.name = name,
                         .load = info ? info->load_state
                                 : s  ? s->load_state
                                      : "error",
                         .active = info ? info->active_state : "inactive",
                         .sub = info ? info->sub_state : "dead",
                         .description = s && s->description ? s->description
                                        : info              ? info->description
                                                            : "",
                         .confinement = confinement_name(s ? service_confinement(s) : CONFINE_NONE),
                         .fragment_path = s ? s->fragment_path : NULL,
                         .service = s};
        if (info && s && streq(row->load, "not-loaded") && s->load_state)
                row->load = s->load_state;
        /* a template is not a unit that loads: say what it is, from either source */
        if (template)
                row->load = "template";
        row->file_state = info     ? info->file_state
                          : states ? unit_file_states_get(states, name, row->fragment_path)
                                   : NULL;
        if (!row->file_state)
                row->file_state = "-";
        if (!row->description)
                row->description = "";
}

static json_t *list_row_json(const ListRow *r) {
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "unit", r->name, "load_state", r->load,
                         "active_state", r->active, "sub_state", r->sub, "description", r->description,
                         "confinement", r->confinement, "fragment_path",
                         r->fragment_path ? json_string(r->fragment_path) : json_null(), "unit_file_state",
                         r->file_state);
}

/* The table as systemctl lays it out: each column as wide as its widest cell; on a terminal (unless --full)
 * the description, then the unit name, are shortened with an ellipsis to fit its width. */
static void list_print(const CliOptions *a, const char *source, const ListRow *rows, size_t n) {
        static const char *const heads[] = {"UNIT", "LOAD", "ACTIVE", "SUB", "FILE", "CONFINED"};
        size_t w[6];
        for (size_t c = 0; c < 6; c++)
                w[c] = strlen(heads[c]);
        for (size_t i = 0; i < n; i++) {
                const char *cells[] = {rows[i].name, rows[i].load,       rows[i].active,
                                       rows[i].sub,  rows[i].file_state, rows[i].confinement};
                for (size_t c = 0; c < 6; c++)
                        w[c] = MAX(w[c], format_width(cells[c]));
        }
        size_t cols = a->full ? 0 : terminal_columns(), fixed = w[1] + w[2] + w[3] + w[4] + w[5] + 6,
               desc = 0;
        if (cols) {
                /* a description of at least 16 columns, taken from the unit name down to 20 */
                if (w[0] + fixed + 16 > cols)
                        w[0] = MAX(20, cols > fixed + 16 ? cols - fixed - 16 : 0);
                desc = cols > w[0] + fixed ? cols - w[0] - fixed : 1;
        }
        bool legend = !a->no_legend && !a->quiet;
        if (legend)
                print_cells(heads, w, 6, "DESCRIPTION", desc);
        for (size_t i = 0; i < n; i++) {
                const char *cells[] = {rows[i].name, rows[i].load,       rows[i].active,
                                       rows[i].sub,  rows[i].file_state, rows[i].confinement};
                print_cells(cells, w, 6, rows[i].description, desc);
        }
        if (legend)
                printf("\n%zu services (from the %s)\n", n, source);
}

int cmd_list(CliOptions *a) {
        ServiceSource src;
        char **names = NULL;
        UnitInfo *infos = NULL;
        size_t n = 0;
        _cleanup_(unit_file_states_freep) UnitFileStates *states = NULL;
        int r;
        if (cli_source_open(&a->source, &src, a->quiet) < 0)
                return 1;
        if (src.manager) {
                r = manager_list_services(src.manager, &infos, &n);
                if (r < 0)
                        log_error("cannot list the services: %s.", manager_last_error(src.manager));
        } else {
                r = unit_index_list(src.index, "service", &names);
                if (r < 0)
                        log_error("cannot list the unit files: %s.", error_words(-r));
                else
                        r = unit_file_states_new(src.root, unit_index_search_path(src.index), &states);
                n = strv_length(names);
        }
        ListRow *rows = r >= 0 ? calloc(n ? n : 1, sizeof(ListRow)) : NULL;
        if (r >= 0 && !rows)
                log_error("out of memory.");
        for (size_t i = 0; rows && i < n; i++)
                list_row_fill(&src, src.manager ? infos + i : NULL, src.manager ? infos[i].name : names[i],
                              states, rows + i);
        if (rows && a->json) {
                json_t *arr = json_array();
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(arr, list_row_json(rows + i));
                json_t *root = json_pack("{s:s, s:o}", "source", service_source_name(&src), "services", arr);
                json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                fputc('\n', stdout);
                json_decref(root);
        } else if (rows)
                list_print(a, service_source_name(&src), rows, n);
        for (size_t i = 0; rows && i < n; i++)
                service_free(rows[i].service);
        free(rows);
        strv_free(names);
        unit_info_free_many(infos, src.manager ? n : 0);
        service_source_close(&src);
        return rows && fflush(stdout) == 0 ? 0 : 1;
}

static void print_source(const Service *s, const char *key) {
        const SettingSource *src = service_source(s, key);
        if (src)
                printf("    (%s:%u)", src->file, src->line);
}

static void print_list(const Service *s, const char *key, char *const *l) {
        if (!l)
                return;
        printf("%s=", key);
        for (size_t i = 0; l[i]; i++)
                printf("%s%s", i ? " " : "", l[i]);
        print_source(s, key);
        printf("\n");
}

static void print_str(const Service *s, const char *key, const char *v) {
        if (!v)
                return;
        printf("%s=%s", key, v);
        print_source(s, key);
        printf("\n");
}

int cmd_show(CliOptions *a) {
        ServiceSource src;
        Service *s = NULL;
        int r;
        if (cli_source_open(&a->source, &src, false) < 0)
                return 1;
        r = cli_source_load(&src, a->args[0], &s);
        if (r < 0) {
                service_source_close(&src);
                return 1;
        }
        if (a->json) {
                json_t *j = NULL;
                if (service_to_json(s, &j) < 0) {
                        log_error("out of memory.");
                        r = -ENOMEM;
                } else {
                        json_t *roots = json_array();
                        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                                for (size_t i = 0; i < s->exec[t].n; i++)
                                        json_array_append_new(roots, json_string(s->exec[t].items[i].path));
                        json_object_set_new(j, "closure_roots", roots);
                        json_object_set_new(j, "source", json_string(service_source_name(&src)));
                        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                        fputc('\n', stdout);
                        json_decref(j);
                }
        } else {
                printf("%s (%s; from the %s)\n", s->id, s->load_state ? s->load_state : "?",
                       service_source_name(&src));
                print_str(s, "Description", s->description);
                print_str(s, "FragmentPath", s->fragment_path);
                print_list(s, "DropInPaths", s->dropin_paths);
                print_list(s, "Names", s->names);
                print_str(s, "Type", s->type);
                for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                        for (size_t i = 0; i < s->exec[t].n; i++) {
                                const ExecCommand *c = s->exec[t].items + i;
                                printf("%s=", exec_type_to_string(t));
                                for (unsigned bit = 1; bit <= EXEC_NO_ENV_EXPAND; bit <<= 1)
                                        if (c->flags & bit)
                                                printf("[%s] ", exec_flag_to_string(bit));
                                printf("%s", c->path);
                                if (!c->argv || !c->argv[0] || !streq(c->argv[0], c->path))
                                        printf(" (argv[0]=%s)", c->argv && c->argv[0] ? c->argv[0] : "");
                                for (size_t k = 1; c->argv && c->argv[k]; k++)
                                        printf(" %s", c->argv[k]);
                                print_source(s, exec_type_to_string(t));
                                printf("\n");
                        }
                print_list(s, "Environment", s->environment);
                for (size_t i = 0; i < s->n_environment_files; i++)
                        printf("EnvironmentFile=%s%s\n", s->environment_files[i].ignore_missing ? "-" : "",
                               s->environment_files[i].path);
                /* what the files set, as the manager will read them (they override Environment=): the names
                 * only, since such files hold secrets, and the two values the closure depends on */
                if (s->file_environment) {
                        printf("  the files set:");
                        for (char **e = s->file_environment; *e; e++)
                                printf(" %.*s", (int)strcspn(*e, "="), *e);
                        printf("\n");
                        for (char **e = s->file_environment; *e; e++)
                                if (startswith(*e, "PATH=") || startswith(*e, "LD_LIBRARY_PATH="))
                                        printf("  %s\n", *e);
                }
                if (s->environment_problem)
                        printf("  problem: %s\n", s->environment_problem);
                print_str(s, "User", s->user);
                print_str(s, "Group", s->group);
                if (s->dynamic_user)
                        print_str(s, "DynamicUser", "yes");
                if (s->runtime_directory_preserve && !streq(s->runtime_directory_preserve, "no"))
                        print_str(s, "RuntimeDirectoryPreserve", s->runtime_directory_preserve);
                print_str(s, "PIDFile", s->pid_file);
                print_str(s, "RootDirectory", s->root_directory);
                print_str(s, "RootImage", s->root_image);
                if (s->root_directory_start_only)
                        print_str(s, "RootDirectoryStartOnly", "yes");
                print_str(s, "ProtectSystem", s->protect_system);
                print_str(s, "PrivateTmp", s->private_tmp ? "yes" : NULL);
                print_str(s, "PrivateUsers", s->private_users ? "yes" : NULL);
                print_list(s, "ReadWritePaths", s->read_write_paths);
                print_list(s, "StateDirectory", s->state_directory);
                print_list(s, "CacheDirectory", s->cache_directory);
                print_list(s, "LogsDirectory", s->logs_directory);
                print_list(s, "RuntimeDirectory", s->runtime_directory);
                print_list(s, "ConfigurationDirectory", s->configuration_directory);
                print_str(s, "WorkingDirectory", s->working_directory);
                /* by name, as systemd spells them */
                uint64_t all =
                        caps_last_cap() >= 63 ? UINT64_MAX : (UINT64_C(1) << (caps_last_cap() + 1)) - 1;
                if ((s->capability_bounding_set & all) != all) {
                        _cleanup_free_ char *names = NULL;
                        if (caps_mask_to_names(s->capability_bounding_set & all, &names) >= 0)
                                print_str(s, "CapabilityBoundingSet", names);
                }
                if (s->ambient_capabilities) {
                        _cleanup_free_ char *names = NULL;
                        if (caps_mask_to_names(s->ambient_capabilities, &names) >= 0)
                                print_str(s, "AmbientCapabilities", names);
                }
                printf("Confinement: %s\n", confinement_name(service_confinement(s)));
                printf("Closure roots:");
                for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                        for (size_t i = 0; i < s->exec[t].n; i++)
                                printf(" %s", s->exec[t].items[i].path);
                printf("\n");
        }
        service_free(s);
        service_source_close(&src);
        return r < 0 || fflush(stdout) != 0 ? 1 : 0;
}
