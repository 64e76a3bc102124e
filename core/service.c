/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
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
