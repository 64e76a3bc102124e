/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "fileio.h"
#include "service.h"

Service *service_new(const char *id) {
        Service *s = calloc(1, sizeof(Service));
        if (!s)
                return NULL;
        s->id = strdup(id);
        s->capability_bounding_set = UINT64_MAX;
        if (!s->id) {
                free(s);
                return NULL;
        }
        return s;
}

static void exec_list_clear(ExecList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].path);
                strv_free(l->items[i].argv);
        }
        free(l->items);
        *l = (ExecList){};
}

Service *service_free(Service *s) {
        if (!s)
                return NULL;
        free(s->id);
        strv_free(s->names);
        free(s->load_state);
        free(s->active_state);
        free(s->sub_state);
        free(s->description);
        free(s->fragment_path);
        strv_free(s->dropin_paths);
        for (size_t i = 0; i < _EXEC_TYPE_MAX; i++)
                exec_list_clear(s->exec + i);
        strv_free(s->environment);
        strv_free(s->file_environment);
        free(s->environment_problem);
        for (size_t i = 0; i < s->n_environment_files; i++)
                free(s->environment_files[i].path);
        free(s->environment_files);
        free(s->user);
        free(s->group);
        free(s->type);
        free(s->pid_file);
        free(s->root_directory);
        free(s->root_image);
        free(s->protect_system);
        free(s->runtime_directory_preserve);
        strv_free(s->read_write_paths);
        strv_free(s->state_directory);
        strv_free(s->cache_directory);
        strv_free(s->logs_directory);
        strv_free(s->runtime_directory);
        strv_free(s->configuration_directory);
        free(s->working_directory);
        for (size_t i = 0; i < s->n_sources; i++) {
                free(s->sources[i].key);
                free(s->sources[i].file);
        }
        free(s->sources);
        for (size_t i = 0; i < s->n_item_sources; i++) {
                free(s->item_sources[i].key);
                free(s->item_sources[i].file);
        }
        free(s->item_sources);
        free(s);
        return NULL;
}

const char *exec_type_to_string(ExecType t) {
        static const char *const names[_EXEC_TYPE_MAX] = {
                "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost",
        };
        return t >= 0 && t < _EXEC_TYPE_MAX ? names[t] : NULL;
}

const char *exec_flag_to_string(ExecFlags f) {
        switch (f) {
        case EXEC_IGNORE_FAILURE:
                return "ignore-failure";
        case EXEC_FULL_PRIVILEGES:
                return "privileged";
        case EXEC_NO_SETUID:
                return "no-setuid";
        case EXEC_AMBIENT_MAGIC:
                return "ambient";
        case EXEC_NO_ENV_EXPAND:
                return "no-env-expand";
        }
        return NULL;
}

const char *service_getenv(const Service *s, const char *key) {
        const char *v = strv_env_get(s->file_environment, key);
        return v ? v : strv_env_get(s->environment, key);
}

/* Set (key, index) in the array, replacing its file and line when it is there. */
static int sources_set(SettingSource **a, size_t *n, size_t *allocated, const char *key, size_t index,
                       const char *file, unsigned line) {
        char *f = strdup(file);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if ((*a)[i].index == index && streq((*a)[i].key, key)) {
                        free((*a)[i].file);
                        (*a)[i].file = f;
                        (*a)[i].line = line;
                        return 0;
                }
        char *k = strdup(key);
        if (!k || !GROW(*a, *allocated, *n + 1)) {
                free(k);
                free(f);
                return -ENOMEM;
        }
        (*a)[(*n)++] = (SettingSource){.key = k, .file = f, .line = line, .index = index};
        return 0;
}

int service_set_source(Service *s, const char *key, const char *file, unsigned line) {
        return sources_set(&s->sources, &s->n_sources, &s->allocated_sources, key, SIZE_MAX, file, line);
}

const SettingSource *service_source(const Service *s, const char *key) {
        for (size_t i = 0; i < s->n_sources; i++)
                if (streq(s->sources[i].key, key))
                        return s->sources + i;
        return NULL;
}

int service_set_item_source(Service *s, const char *key, size_t index, const char *file, unsigned line) {
        return sources_set(&s->item_sources, &s->n_item_sources, &s->allocated_item_sources, key, index, file,
                           line);
}

void service_reset_item_sources(Service *s, const char *key) {
        size_t k = 0;
        for (size_t i = 0; i < s->n_item_sources; i++) {
                if (streq(s->item_sources[i].key, key)) {
                        free(s->item_sources[i].key);
                        free(s->item_sources[i].file);
                } else
                        s->item_sources[k++] = s->item_sources[i];
        }
        s->n_item_sources = k;
}

const SettingSource *service_item_source(const Service *s, const char *key, size_t index) {
        for (size_t i = 0; i < s->n_item_sources; i++)
                if (s->item_sources[i].index == index && streq(s->item_sources[i].key, key))
                        return s->item_sources + i;
        return service_source(s, key);
}

static bool word_needs_quotes(const char *w) {
        if (!*w || streq(w, ";"))
                return true;
        for (const char *c = w; *c; c++)
                if ((unsigned char)*c < ' ' || *c == 0x7f || strchr(" \"'\\", *c))
                        return true;
        return false;
}

/* "...", with the escapes unit_extract_word() reads back */
static int append_quoted(char **buf, size_t *len, size_t *cap, const char *w) {
        int r = buf_append(buf, len, cap, "\"", 1);
        for (const char *c = w; *c && r >= 0; c++) {
                char esc[8];
                if (*c == '"' || *c == '\\')
                        snprintf(esc, sizeof esc, "\\%c", *c);
                else if (*c == '\n' || *c == '\t')
                        snprintf(esc, sizeof esc, "\\%c", *c == '\n' ? 'n' : 't');
                else if ((unsigned char)*c < ' ' || *c == 0x7f)
                        snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)*c);
                else
                        snprintf(esc, sizeof esc, "%c", *c);
                r = buf_append(buf, len, cap, esc, strlen(esc));
        }
        return r < 0 ? r : buf_append(buf, len, cap, "\"", 1);
}

int exec_argv_to_string(char *const *argv, char **ret) {
        char *out = NULL;
        size_t len = 0, cap = 0;
        int r = buf_append(&out, &len, &cap, "", 0);
        for (size_t i = 0; argv && argv[i] && r >= 0; i++) {
                if (i > 0)
                        r = buf_append(&out, &len, &cap, " ", 1);
                if (r >= 0)
                        r = word_needs_quotes(argv[i])
                                    ? append_quoted(&out, &len, &cap, argv[i])
                                    : buf_append(&out, &len, &cap, argv[i], strlen(argv[i]));
        }
        if (r < 0) {
                free(out);
                return r;
        }
        *ret = out;
        return 0;
}

int service_closure_roots(const Service *s, char ***ret) {
        char **l = NULL;
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                for (size_t i = 0; i < s->exec[t].n; i++)
                        if (!strv_contains(l, s->exec[t].items[i].path) &&
                            strv_extend(&l, s->exec[t].items[i].path) < 0) {
                                strv_free(l);
                                return -ENOMEM;
                        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = l;
        return 0;
}

void confinement_dropins_free(ConfinementDropIn *d, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(d[i].path);
                free(d[i].unit);
        }
        free(d);
}

/* "/etc/systemd/system/NAME.d/50-confinement.conf" -> NAME, where sdconfine writes (dropin-write.c) */
static int confinement_unit(const char *path, char **ret_unit, bool *ret_runtime) {
        const char *rest = startswith(path, "/etc/systemd/system/");
        bool runtime = !rest && (rest = startswith(path, "/run/systemd/system/"));
        const char *d = rest ? strstr(rest, ".d/50-confinement.conf") : NULL;
        if (!d || !streq(d, ".d/50-confinement.conf") || memchr(rest, '/', d - rest))
                return 0;
        if (!(*ret_unit = strndup(rest, d - rest)))
                return -ENOMEM;
        *ret_runtime = runtime;
        return 1;
}

int service_confinement_dropins(const Service *s, ConfinementDropIn **ret, size_t *ret_n) {
        ConfinementDropIn *d = NULL;
        size_t n = 0, allocated = 0;
        for (char **p = s->dropin_paths; p && *p; p++) {
                char *unit = NULL;
                bool runtime = false;
                int r = confinement_unit(*p, &unit, &runtime);
                if (r == 0)
                        continue;
                char *path = r > 0 ? strdup(*p) : NULL;
                if (!path || !GROW(d, allocated, n + 1)) {
                        free(unit);
                        free(path);
                        confinement_dropins_free(d, n);
                        return -ENOMEM;
                }
                d[n++] = (ConfinementDropIn){.path = path, .unit = unit, .runtime = runtime};
        }
        *ret = d;
        *ret_n = n;
        return 0;
}
