/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "service-json.h"

static json_t *strv_json(char *const *l) {
        json_t *a = json_array();
        for (size_t i = 0; a && l && l[i]; i++)
                if (json_array_append_new(a, json_string(l[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *str_or_null(const char *s) {
        return s ? json_string(s) : json_null();
}

static json_t *exec_json(const ExecList *l) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < l->n; i++) {
                json_t *flags = json_array();
                for (unsigned bit = 1; flags && bit <= EXEC_NO_ENV_EXPAND; bit <<= 1)
                        if (l->items[i].flags & bit)
                                json_array_append_new(flags, json_string(exec_flag_to_string(bit)));
                json_t *o = json_pack("{s:s, s:o, s:o}", "path", l->items[i].path, "argv",
                                      strv_json(l->items[i].argv), "flags", flags);
                if (!o || json_array_append_new(a, o) < 0) {
                        json_decref(a);
                        return NULL;
                }
        }
        return a;
}

/* The names an environment sets, not the values: environment files hold secrets. */
static json_t *env_names_json(char *const *env) {
        json_t *a = json_array();
        for (char *const *e = env; a && e && *e; e++)
                if (json_array_append_new(a, json_stringn(*e, strcspn(*e, "="))) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* {"ExecReload": [{"index": 0, "file": ..., "line": 11}, ...]}: where each item of a list was set */
static json_t *item_sources_json(const Service *s) {
        json_t *o = json_object();
        for (size_t i = 0; o && i < s->n_item_sources; i++) {
                const SettingSource *src = s->item_sources + i;
                json_t *a = json_object_get(o, src->key);
                if (!a && json_object_set_new(o, src->key, a = json_array()) < 0)
                        return json_decref(o), NULL;
                json_array_append_new(a, json_pack("{s:I, s:s, s:i}", "index", (json_int_t)src->index, "file",
                                                   src->file, "line", (int)src->line));
        }
        return o;
}

int service_to_json(const Service *s, json_t **ret) {
        json_t *o = json_object(), *exec = json_object(), *sources = json_object(), *envf = json_array(),
               *fields;
        char caps[32], ambient[32];
        if (!o || !exec || !sources || !envf)
                goto oom;
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                if (json_object_set_new(exec, exec_type_to_string(t), exec_json(s->exec + t)) < 0)
                        goto oom;
        for (size_t i = 0; i < s->n_environment_files; i++)
                json_array_append_new(envf,
                                      json_pack("{s:s, s:b}", "path", s->environment_files[i].path,
                                                "ignore_missing", s->environment_files[i].ignore_missing));
        for (size_t i = 0; i < s->n_sources; i++) {
                json_t *src =
                        json_pack("{s:s, s:i}", "file", s->sources[i].file, "line", (int)s->sources[i].line);
                if (!src || json_object_set_new(sources, s->sources[i].key, src) < 0)
                        goto oom;
        }
        snprintf(caps, sizeof caps, "0x%" PRIx64, s->capability_bounding_set);
        snprintf(ambient, sizeof ambient, "0x%" PRIx64, s->ambient_capabilities);
        fields = json_pack(
                "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, "
                "s:b,"
                " s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o, s:o}",
                "id", s->id, "names", strv_json(s->names), "load_state", str_or_null(s->load_state),
                "active_state", str_or_null(s->active_state), "sub_state", str_or_null(s->sub_state),
                "description", str_or_null(s->description), "fragment_path", str_or_null(s->fragment_path),
                "dropin_paths", strv_json(s->dropin_paths), "exec", exec, "environment",
                strv_json(s->environment), "environment_files", envf, "user", str_or_null(s->user), "group",
                str_or_null(s->group), "dynamic_user", s->dynamic_user, "type", str_or_null(s->type),
                "pid_file", str_or_null(s->pid_file), "root_directory", str_or_null(s->root_directory),
                "root_image", str_or_null(s->root_image), "root_directory_start_only",
                s->root_directory_start_only, "protect_system", str_or_null(s->protect_system), "private_tmp",
                s->private_tmp, "private_users", s->private_users, "read_write_paths",
                strv_json(s->read_write_paths), "state_directory", strv_json(s->state_directory),
                "cache_directory", strv_json(s->cache_directory), "logs_directory",
                strv_json(s->logs_directory), "runtime_directory", strv_json(s->runtime_directory),
                "configuration_directory", strv_json(s->configuration_directory), "working_directory",
                str_or_null(s->working_directory), "capability_bounding_set", caps, "ambient_capabilities",
                ambient, "sources", sources, "file_environment_names", env_names_json(s->file_environment),
                "runtime_directory_preserve", str_or_null(s->runtime_directory_preserve));
        if (!fields)
                goto oom_fields;
        json_object_update(o, fields);
        json_decref(fields);
        json_object_set_new(o, "item_sources", item_sources_json(s));
        *ret = o;
        return 0;
oom:
        json_decref(exec);
        json_decref(sources);
        json_decref(envf);
oom_fields:
        json_decref(o);
        return -ENOMEM;
}

static int add_line(char ***l, const char *key, const char *value) {
        char *s;
        if (asprintf(&s, "%s=%s", key, value ? value : "") < 0)
                return -ENOMEM;
        return strv_push(l, s);
}

static int add_strv(char ***l, const char *key, char *const *v) {
        size_t n = 0;
        for (size_t i = 0; v && v[i]; i++)
                n += strlen(v[i]) + 1;
        _cleanup_free_ char *j = calloc(n + 1, 1);
        if (!j)
                return -ENOMEM;
        for (size_t i = 0; v && v[i]; i++) {
                if (i)
                        strcat(j, " ");
                strcat(j, v[i]);
        }
        return add_line(l, key, j);
}

int service_to_lines(const Service *s, char ***ret) {
        char **l = NULL, buf[64];
        int r = 0;
#define S(k, v)                                                                                              \
        if (r >= 0)                                                                                          \
        r = add_line(&l, k, v)
#define V(k, v)                                                                                              \
        if (r >= 0)                                                                                          \
        r = add_strv(&l, k, v)
#define B(k, v) S(k, (v) ? "yes" : "no")
        S("Id", s->id);
        S("LoadState", s->load_state);
        S("Description", s->description);
        S("FragmentPath", s->fragment_path);
        V("DropInPaths", s->dropin_paths);
        for (ExecType t = 0; t < _EXEC_TYPE_MAX && r >= 0; t++)
                for (size_t i = 0; i < s->exec[t].n && r >= 0; i++) {
                        const ExecCommand *c = s->exec[t].items + i;
                        /* path=P argv=["a" "b"] flags=N */
                        size_t n = strlen(c->path) + 64;
                        for (char **a = c->argv; a && *a; a++)
                                n += strlen(*a) + 3;
                        char *argv = malloc(n);
                        if (!argv) {
                                r = -ENOMEM;
                                break;
                        }
                        size_t k = (size_t)snprintf(argv, n, "path=%s argv=[", c->path);
                        for (char **a = c->argv; a && *a; a++)
                                k += (size_t)snprintf(argv + k, n - k, "%s\"%s\"", a == c->argv ? "" : " ",
                                                      *a);
                        snprintf(argv + k, n - k, "] flags=%u", c->flags);
                        r = add_line(&l, exec_type_to_string(t), argv);
                        free(argv);
                }
        V("Environment", s->environment);
        for (size_t i = 0; i < s->n_environment_files && r >= 0; i++) {
                char *e;
                if (asprintf(&e, "%s%s", s->environment_files[i].ignore_missing ? "-" : "",
                             s->environment_files[i].path) < 0)
                        r = -ENOMEM;
                else {
                        S("EnvironmentFile", e);
                        free(e);
                }
        }
        S("User", s->user);
        S("Group", s->group);
        B("DynamicUser", s->dynamic_user);
        S("RuntimeDirectoryPreserve", s->runtime_directory_preserve);
        S("Type", s->type);
        S("PIDFile", s->pid_file);
        S("RootDirectory", s->root_directory);
        S("RootImage", s->root_image);
        B("RootDirectoryStartOnly", s->root_directory_start_only);
        S("ProtectSystem", s->protect_system);
        B("PrivateTmp", s->private_tmp);
        B("PrivateUsers", s->private_users);
        V("ReadWritePaths", s->read_write_paths);
        V("StateDirectory", s->state_directory);
        V("CacheDirectory", s->cache_directory);
        V("LogsDirectory", s->logs_directory);
        V("RuntimeDirectory", s->runtime_directory);
        V("ConfigurationDirectory", s->configuration_directory);
        S("WorkingDirectory", s->working_directory);
        snprintf(buf, sizeof buf, "0x%" PRIx64, s->capability_bounding_set);
        S("CapabilityBoundingSet", buf);
        snprintf(buf, sizeof buf, "0x%" PRIx64, s->ambient_capabilities);
        S("AmbientCapabilities", buf);
#undef S
#undef V
#undef B
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}
