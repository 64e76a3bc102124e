/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <getopt.h>

#include "caps.h"
#include "cmd-service.h"
#include "fileio.h"
#include "macro.h"
#include "output.h"
#include "service-json.h"
#include "service-source.h"
#include "unit-name.h"

typedef struct Args {
        ServiceSourceOptions source;
        bool json;
} Args;

static int parse_args(int argc, char **argv, const char *usage, Args *ret) {
        enum { ARG_ROOT = 0x100, ARG_USER, ARG_JSON, ARG_OFFLINE };
        static const struct option options[] = {
                {"root", required_argument, NULL, ARG_ROOT},
                {"user", no_argument, NULL, ARG_USER},
                {"json", no_argument, NULL, ARG_JSON},
                {"offline", no_argument, NULL, ARG_OFFLINE},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        Args a = {};
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT:
                        a.source.root = optarg;
                        break;
                case ARG_USER:
                        a.source.user = true;
                        break;
                case ARG_JSON:
                        a.json = true;
                        break;
                case ARG_OFFLINE:
                        a.source.offline = true;
                        break;
                case 'h':
                        fputs(usage, stdout);
                        return 0;
                default:
                        fputs(usage, stderr);
                        return -EINVAL;
                }
        *ret = a;
        return 1;
}

static const char *confinement_name(Confinement c) {
        return c == CONFINE_OURS ? "sdconfine" : c == CONFINE_FOREIGN ? "foreign-root" : "-";
}

/* The unit's other names (its aliases): a note on its row, not rows of their own. */
static json_t *aliases_json(const Service *s) {
        json_t *a = json_array();
        for (char **n = s->names; a && n && *n; n++)
                if (!streq(*n, s->id))
                        json_array_append_new(a, json_string(*n));
        return a;
}

static void print_row(const char *name, const char *load, const char *active, const char *sub,
                      const char *confined, const char *desc, const Service *s) {
        printf("%-44s %-11s %-10s %-9s %-12s %s", name, load, active, sub, confined, desc ? desc : "");
        const char *sep = " (also ";
        for (char **n = s ? s->names : NULL; n && *n; n++)
                if (!streq(*n, s->id)) {
                        printf("%s%s", sep, *n);
                        sep = ", ";
                }
        printf("%s\n", streq(sep, ", ") ? ")" : "");
}

int cmd_list(int argc, char **argv) {
        static const char usage[] =
                "Usage: sdconfine list [--root DIR] [--user] [--offline] [--json]\n"
                "\n"
                "List services with their load and active state, and whether they are confined\n"
                "(by sdconfine, or by another drop-in that sets RootDirectory=/RootImage=).\n";
        Args a;
        ServiceSource src;
        int r = parse_args(argc, argv, usage, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (cli_source_open(&a.source, &src, false) < 0)
                return 1;

        char **names = NULL;
        UnitInfo *infos = NULL;
        size_t n = 0;
        if (src.manager) {
                r = manager_list_services(src.manager, &infos, &n);
                if (r < 0) {
                        log_error("cannot list the services: %s.", manager_last_error(src.manager));
                        service_source_close(&src);
                        return 1;
                }
        } else {
                r = unit_index_list_units(src.index, "service", &names);
                if (r < 0) {
                        log_error("cannot list the unit files: %s.", error_words(-r));
                        service_source_close(&src);
                        return 1;
                }
                n = strv_length(names);
        }

        json_t *arr = a.json ? json_array() : NULL;
        if (!a.json)
                printf("%-44s %-11s %-10s %-9s %-12s %s\n", "UNIT", "LOAD", "ACTIVE", "SUB", "CONFINED",
                       "DESCRIPTION");
        for (size_t i = 0; i < n; i++) {
                const char *name = src.manager ? infos[i].name : names[i];
                Service *s = NULL;
                /* the details come from the unit itself; a template has none to load live */
                bool template = unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
                if (!(template && src.manager))
                        (void)(src.manager ? manager_load_service(src.manager, name, &s)
                                           : unit_index_load(src.index, name, &s));
                const char *load = src.manager ? infos[i].load_state : s ? s->load_state : "error";
                const char *active = src.manager ? infos[i].active_state : "inactive";
                const char *sub = src.manager ? infos[i].sub_state : "dead";
                const char *desc = s && s->description ? s->description
                                   : src.manager       ? infos[i].description
                                                       : "";
                Confinement conf = s ? service_confinement(s) : CONFINE_NONE;
                if (src.manager && s && streq(load, "not-loaded") && s->load_state)
                        load = s->load_state;
                /* a template is not a unit that loads: say what it is, from either source */
                if (template)
                        load = "template";
                if (a.json) {
                        json_t *o = json_pack(
                                "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "unit", name, "load_state", load,
                                "active_state", active, "sub_state", sub, "description", desc ? desc : "",
                                "confinement", confinement_name(conf), "fragment_path",
                                s && s->fragment_path ? json_string(s->fragment_path) : json_null(),
                                "unit_file_state",
                                src.manager && infos[i].file_state ? json_string(infos[i].file_state)
                                                                   : json_null());
                        if (o && s)
                                json_object_set_new(o, "aliases", aliases_json(s));
                        if (o)
                                json_array_append_new(arr, o);
                } else
                        print_row(name, load, active, sub, confinement_name(conf), desc, s);
                service_free(s);
        }
        if (a.json) {
                json_t *root = json_pack("{s:s, s:o}", "source", service_source_name(&src), "services", arr);
                json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                fputc('\n', stdout);
                json_decref(root);
        } else
                printf("\n%zu services (from the %s)\n", n, service_source_name(&src));
        strv_free(names);
        unit_info_free_many(infos, src.manager ? n : 0);
        service_source_close(&src);
        return fflush(stdout) == 0 ? 0 : 1;
}

static void print_source(const SettingSource *src) {
        if (src)
                printf("    (%s:%u)", src->file, src->line);
}

static bool same_source(const SettingSource *a, const SettingSource *b) {
        return a == b || (a && b && a->line == b->line && streq(a->file, b->file));
}

/* one line per assignment that set the items, as the unit files spell them (live: one line) */
static void print_list(const Service *s, const char *key, char *const *l) {
        for (size_t i = 0, j; l && l[i]; i = j) {
                const SettingSource *src = service_item_source(s, key, i);
                printf("%s=", key);
                for (j = i; l[j] && same_source(service_item_source(s, key, j), src); j++)
                        printf("%s%s", j > i ? " " : "", l[j]);
                print_source(src);
                printf("\n");
        }
}

static void print_str(const Service *s, const char *key, const char *v) {
        if (!v)
                return;
        printf("%s=%s", key, v);
        print_source(service_source(s, key));
        printf("\n");
}

static void print_exec(const Service *s) {
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                for (size_t i = 0; i < s->exec[t].n; i++) {
                        const ExecCommand *c = s->exec[t].items + i;
                        _cleanup_free_ char *args = NULL;
                        printf("%s=", exec_type_to_string(t));
                        for (unsigned bit = 1; bit <= EXEC_NO_ENV_EXPAND; bit <<= 1)
                                if (c->flags & bit)
                                        printf("[%s] ", exec_flag_to_string(bit));
                        printf("%s", c->path);
                        if (!c->argv || !c->argv[0] || !streq(c->argv[0], c->path))
                                printf(" (argv[0]=%s)", c->argv && c->argv[0] ? c->argv[0] : "");
                        /* quoted as in a unit file: one word stays one word */
                        if (c->argv && c->argv[0] && c->argv[1] &&
                            exec_argv_to_string(c->argv + 1, &args) >= 0)
                                printf(" %s", args);
                        print_source(service_item_source(s, exec_type_to_string(t), i));
                        printf("\n");
                }
}

static void print_environment(const Service *s) {
        print_list(s, "Environment", s->environment);
        for (size_t i = 0; i < s->n_environment_files; i++) {
                printf("EnvironmentFile=%s%s", s->environment_files[i].ignore_missing ? "-" : "",
                       s->environment_files[i].path);
                print_source(service_item_source(s, "EnvironmentFile", i));
                printf("\n");
        }
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
}

static void print_caps(const Service *s) {
        /* by name, as systemd spells them */
        uint64_t all = caps_last_cap() >= 63 ? UINT64_MAX : (UINT64_C(1) << (caps_last_cap() + 1)) - 1;
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
}

/* where our drop-in is, and under which name when it is an alias's */
static void print_ours(const Service *s) {
        ConfinementDropIn *d = NULL;
        size_t n = 0;
        if (service_confinement_dropins(s, &d, &n) < 0)
                return;
        for (size_t i = 0; i < n; i++) {
                printf("  %s", d[i].path);
                if (!streq(d[i].unit, s->id))
                        printf("  (under the alias %s)", d[i].unit);
                printf("\n");
        }
        confinement_dropins_free(d, n);
}

static void print_service(const Service *s, const char *source_name) {
        _cleanup_(strv_freep) char **roots = NULL;
        printf("%s (%s; from the %s)\n", s->id, s->load_state ? s->load_state : "?", source_name);
        print_str(s, "Description", s->description);
        print_str(s, "FragmentPath", s->fragment_path);
        print_list(s, "DropInPaths", s->dropin_paths);
        print_list(s, "Names", s->names);
        print_str(s, "Type", s->type);
        print_exec(s);
        print_environment(s);
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
        print_caps(s);
        printf("Confinement: %s\n", confinement_name(service_confinement(s)));
        print_ours(s);
        printf("Closure roots:");
        if (service_closure_roots(s, &roots) >= 0)
                for (char **p = roots; *p; p++)
                        printf(" %s", *p);
        printf("\n");
}

int cmd_show(int argc, char **argv) {
        static const char usage[] =
                "Usage: sdconfine show [--root DIR] [--user] [--offline] [--json] UNIT\n"
                "\n"
                "Show the effective settings of a service that matter for confinement, the files\n"
                "they come from, and the closure roots (the programs of every Exec* line).\n";
        Args a;
        ServiceSource src;
        Service *s = NULL;
        int r = parse_args(argc, argv, usage, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (optind + 1 != argc) {
                log_error("show: give exactly one UNIT, e.g. 'sdconfine show cron.service'.");
                return 2;
        }
        if (cli_source_open(&a.source, &src, false) < 0)
                return 1;
        r = cli_source_load(&src, argv[optind], &s);
        if (r < 0) {
                service_source_close(&src);
                return 1;
        }
        if (a.json) {
                json_t *j = NULL;
                if (service_to_json(s, &j) < 0) {
                        log_error("out of memory.");
                        r = -ENOMEM;
                } else {
                        json_t *roots = json_array();
                        _cleanup_(strv_freep) char **paths = NULL;
                        if (service_closure_roots(s, &paths) >= 0)
                                for (char **p = paths; *p; p++)
                                        json_array_append_new(roots, json_string(*p));
                        json_object_set_new(j, "closure_roots", roots);
                        json_object_set_new(j, "source", json_string(service_source_name(&src)));
                        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                        fputc('\n', stdout);
                        json_decref(j);
                }
        } else
                print_service(s, service_source_name(&src));
        service_free(s);
        service_source_close(&src);
        return r < 0 || fflush(stdout) != 0 ? 1 : 0;
}
