/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "service.h"

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_free(char **l) {
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return NULL;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **m = realloc(*l, (n + 2) * sizeof(char *));
        if (!m) {
                free(value);
                return -ENOMEM;
        }
        m[n] = value;
        m[n + 1] = NULL;
        *l = m;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

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

static const char *strv_env_get(char *const *l, const char *key) {
        size_t n = strlen(key);
        const char *v = NULL;
        for (char *const *e = l; e && *e; e++)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        v = *e + n + 1;
        return v;
}

const char *service_getenv(const Service *s, const char *key) {
        const char *v = strv_env_get(s->file_environment, key);
        return v ? v : strv_env_get(s->environment, key);
}

int strv_env_replace(char ***l, char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t kl = eq ? (size_t)(eq - assignment) + 1 : strlen(assignment);
        for (char **e = *l; e && *e; e++)
                if (strncmp(*e, assignment, kl) == 0 && (*e)[kl - 1] == assignment[kl - 1]) {
                        free(*e);
                        *e = assignment;
                        return 0;
                }
        return strv_push(l, assignment);
}

int service_set_source(Service *s, const char *key, const char *file, unsigned line) {
        for (size_t i = 0; i < s->n_sources; i++)
                if (streq(s->sources[i].key, key)) {
                        char *f = strdup(file);
                        if (!f)
                                return -ENOMEM;
                        free(s->sources[i].file);
                        s->sources[i].file = f;
                        s->sources[i].line = line;
                        return 0;
                }
        if (!GROW(s->sources, s->allocated_sources, s->n_sources + 1))
                return -ENOMEM;
        SettingSource *src = s->sources + s->n_sources;
        src->key = strdup(key);
        src->file = strdup(file);
        src->line = line;
        if (!src->key || !src->file) {
                free(src->key);
                free(src->file);
                return -ENOMEM;
        }
        s->n_sources++;
        return 0;
}

const SettingSource *service_source(const Service *s, const char *key) {
        for (size_t i = 0; i < s->n_sources; i++)
                if (streq(s->sources[i].key, key))
                        return s->sources + i;
        return NULL;
}
