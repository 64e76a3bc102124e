/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stddef.h>

#include "caps.h"
#include "macro.h"
#include "unit-loader.h"
#include "unit-syntax.h"

/* The keys sdconfine reads from unit files, one table: section, key, parser, where the value goes. */

typedef int (*FieldParser)(Loader *l, const char *value, void *field);

typedef enum FieldFlags {
        FIELD_IN_LOADER = 1 << 0, /* the offset is into the Loader, not the Service */
        FIELD_NO_SOURCE = 1 << 1, /* not a setting show cites: no file:line kept */
} FieldFlags;

typedef struct UnitField {
        const char *section, *key;
        FieldParser parse;
        size_t offset;
        FieldFlags flags;
} UnitField;

static int set_string(char **field, const char *value) {
        char *v = NULL;
        if (value && *value && !(v = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

int unit_loader_expand(const Loader *l, const char *in, char **ret) {
        return unit_specifier_expand(unit_index_host(l->idx), l->name, in, ret);
}

/* "-", "@", ":", "+", "!", "!!" before the program, systemd's config_parse_exec() */
static unsigned exec_prefix(const char **f, bool *separate_argv0) {
        unsigned flags = 0;
        for (;; (*f)++) {
                char c = **f;
                if (c == '-' && !(flags & EXEC_IGNORE_FAILURE))
                        flags |= EXEC_IGNORE_FAILURE;
                else if (c == '@' && !*separate_argv0)
                        *separate_argv0 = true;
                else if (c == ':' && !(flags & EXEC_NO_ENV_EXPAND))
                        flags |= EXEC_NO_ENV_EXPAND;
                else if (c == '+' && !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                        flags |= EXEC_FULL_PRIVILEGES;
                else if (c == '!' && !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                        flags |= EXEC_NO_SETUID;
                else if (c == '!' && (flags & EXEC_NO_SETUID) && !(flags & EXEC_AMBIENT_MAGIC)) {
                        flags &= ~EXEC_NO_SETUID;
                        flags |= EXEC_AMBIENT_MAGIC;
                } else
                        return flags;
        }
}

/* The arguments of one command line, up to an unquoted ";" word (*ret_more) or the end. */
static int exec_args(Loader *l, const char **p, char ***argv, bool *ret_more) {
        int r;
        *ret_more = false;
        for (;;) {
                while (**p == ' ' || **p == '\t')
                        (*p)++;
                const char *q = *p;
                /* an unquoted ";" word separates command lines; "\;" is a literal ";" */
                if (q[0] == ';' && (!q[1] || strchr(" \t\n", q[1]))) {
                        (*p)++;
                        *ret_more = true;
                        return 0;
                }
                if (q[0] == '\\' && q[1] == ';' && (!q[2] || strchr(" \t\n", q[2]))) {
                        *p += 2;
                        if ((r = strv_extend(argv, ";")) < 0)
                                return r;
                        continue;
                }
                _cleanup_free_ char *w = NULL;
                char *rw;
                r = unit_extract_word(p, &w);
                if (r <= 0)
                        return r;
                r = unit_loader_expand(l, w, &rw);
                if (r < 0 || (r = strv_push(argv, rw)) < 0)
                        return r;
        }
}

static void exec_list_reset(ExecList *list) {
        for (size_t i = 0; i < list->n; i++) {
                free(list->items[i].path);
                strv_free(list->items[i].argv);
        }
        list->n = 0;
}

/* Exec*=: one or more command lines separated by ";" words. */
static int parse_exec(Loader *l, const char *value, void *field) {
        ExecList *list = field;
        const char *p = value;
        int r;

        if (!*value) { /* reset */
                exec_list_reset(list);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *first = NULL, *path = NULL;
                _cleanup_(strv_freep) char **argv = NULL;
                bool separate_argv0 = false, more;

                r = unit_extract_word(&p, &first);
                if (r <= 0)
                        return r;
                const char *f = first;
                unsigned flags = exec_prefix(&f, &separate_argv0);
                if (!*f)
                        return -EINVAL; /* "Empty path in command line" */
                r = unit_loader_expand(l, f, &path);
                if (r < 0)
                        return r;
                unit_path_simplify(path);
                if (path[0] != '/' && strchr(path, '/'))
                        return -EINVAL; /* neither absolute nor a plain file name */

                if (separate_argv0) {
                        _cleanup_free_ char *a0 = NULL;
                        char *ra0;
                        r = unit_extract_word(&p, &a0);
                        if (r <= 0)
                                return r < 0 ? r : -EINVAL;
                        r = unit_loader_expand(l, a0, &ra0);
                        if (r < 0 || (r = strv_push(&argv, ra0)) < 0)
                                return r;
                } else if ((r = strv_extend(&argv, path)) < 0)
                        return r;
                r = exec_args(l, &p, &argv, &more);
                if (r < 0)
                        return r;

                /* a bare name stays bare: systemd 252 looks it up when it runs the command */
                if (!GROW(list->items, list->allocated, list->n + 1))
                        return -ENOMEM;
                list->items[list->n++] =
                        (ExecCommand){.path = TAKE_PTR(path), .argv = TAKE_PTR(argv), .flags = flags};
                if (!more)
                        return 0;
        }
}

/* A list of words, each through specifiers: ReadWritePaths=, StateDirectory=... Empty resets. */
static int parse_word_list(Loader *l, char ***list, const char *value, bool paths, bool directories) {
        const char *p = value;
        int r;
        if (!*value) {
                *list = strv_free(*list);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *w = NULL, *x = NULL;
                r = unit_extract_word(&p, &w);
                if (r <= 0)
                        return r;
                const char *v = w;
                char prefix[3] = "";
                if (paths) /* "-" (missing ok) and "+" (relative to the root) stay in the stored value */
                        for (size_t k = 0; k < 2 && (*v == '-' || *v == '+') && !strchr(prefix, *v); k++)
                                prefix[strlen(prefix)] = *v++;
                if (directories) { /* "name:symlink" */
                        char *colon = strchr(w, ':');
                        if (colon)
                                *colon = 0;
                }
                r = unit_loader_expand(l, v, &x);
                if (r < 0)
                        continue; /* systemd skips a word it cannot resolve */
                unit_path_simplify(x);
                char *full;
                if (asprintf(&full, "%s%s", prefix, x) < 0)
                        return -ENOMEM;
                if ((r = strv_push(list, full)) < 0)
                        return r;
        }
}

static int parse_paths(Loader *l, const char *value, void *field) {
        return parse_word_list(l, field, value, true, false);
}

static int parse_directories(Loader *l, const char *value, void *field) {
        return parse_word_list(l, field, value, false, true);
}

static int parse_environment(Loader *l, const char *value, void *field) {
        char ***env = field;
        const char *p = value;
        int r;
        if (!*value) {
                *env = strv_free(*env);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *w = NULL;
                char *x;
                r = unit_extract_word(&p, &w);
                if (r <= 0)
                        return r;
                if (unit_loader_expand(l, w, &x) < 0)
                        continue;
                char *eq = strchr(x, '=');
                if (!eq || eq == x) { /* not an assignment: ignored */
                        free(x);
                        continue;
                }
                /* a variable set again replaces the earlier value in place */
                r = strv_env_replace(env, x);
                if (r < 0)
                        return r;
        }
}

static int parse_environment_file(Loader *l, const char *value, void *field) {
        Service *s = l->s;
        (void)field;
        if (!*value) {
                for (size_t i = 0; i < s->n_environment_files; i++)
                        free(s->environment_files[i].path);
                s->n_environment_files = 0;
                return 0;
        }
        bool ignore = *value == '-';
        _cleanup_free_ char *x = NULL;
        int r = unit_loader_expand(l, value + ignore, &x);
        if (r < 0)
                return r;
        unit_path_simplify(x);
        if (x[0] != '/')
                return -EINVAL;
        EnvFile *nf = realloc(s->environment_files, (s->n_environment_files + 1) * sizeof(EnvFile));
        if (!nf)
                return -ENOMEM;
        s->environment_files = nf;
        nf[s->n_environment_files++] = (EnvFile){.path = TAKE_PTR(x), .ignore_missing = ignore};
        return 0;
}

static int parse_caps(const char *value, uint64_t *set, uint64_t initial) {
        bool invert = false;
        uint64_t sum = 0;
        const char *p = value;
        if (*p == '~') {
                invert = true;
                p++;
        }
        for (;;) {
                _cleanup_free_ char *w = NULL;
                unsigned cap;
                int r = unit_extract_word(&p, &w);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (caps_from_name(w, &cap) >= 0)
                        sum |= UINT64_C(1) << cap;
        }
        sum = invert ? ~sum : sum;
        if (sum == 0 || *set == initial)
                *set = sum;
        else if (invert)
                *set &= sum;
        else
                *set |= sum;
        return 0;
}

static int parse_bounding_set(Loader *l, const char *value, void *field) {
        (void)l;
        return parse_caps(value, field, UINT64_MAX);
}

static int parse_ambient(Loader *l, const char *value, void *field) {
        (void)l;
        return parse_caps(value, field, 0);
}

/* a string through specifiers: Description=, User=, Group= */
static int parse_string(Loader *l, const char *value, void *field) {
        _cleanup_free_ char *x = NULL;
        int r = unit_loader_expand(l, value, &x);
        return r < 0 ? r : set_string(field, x);
}

static int parse_bool_field(Loader *l, const char *value, void *field) {
        (void)l;
        int b = unit_parse_bool(value);
        if (b < 0)
                return b;
        *(bool *)field = b;
        return 0;
}

/* RemainAfterExit=: anything but a true value is false */
static int parse_bool_lenient(Loader *l, const char *value, void *field) {
        (void)l;
        *(bool *)field = unit_parse_bool(value) > 0;
        return 0;
}

/* SuccessAction=: only whether one is set matters */
static int parse_set(Loader *l, const char *value, void *field) {
        (void)l;
        *(bool *)field = *value && !streq(value, "none");
        return 0;
}

static int parse_nonempty(Loader *l, const char *value, void *field) {
        (void)l;
        *(bool *)field = *value;
        return 0;
}

/* a boolean or one of the words: "yes"/"no" as systemd shows the boolean */
static int parse_bool_or(char **field, const char *value, const char *w1, const char *w2) {
        int b = unit_parse_bool(value);
        if (b < 0 && !streq(value, w1) && !streq_ptr(value, w2))
                return -EINVAL;
        return set_string(field, b == 1 ? "yes" : b == 0 ? "no" : value);
}

static int parse_preserve(Loader *l, const char *value, void *field) {
        (void)l;
        return parse_bool_or(field, value, "restart", NULL);
}

static int parse_protect_system(Loader *l, const char *value, void *field) {
        (void)l;
        return parse_bool_or(field, value, "full", "strict");
}

static int parse_type(Loader *l, const char *value, void *field) {
        static const char *const types[] = {"simple", "exec", "forking", "oneshot", "dbus", "notify", "idle"};
        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (streq(value, types[i])) {
                        l->type_set = true;
                        return set_string(field, value);
                }
        return -EINVAL;
}

static int parse_pid_file(Loader *l, const char *value, void *field) {
        _cleanup_free_ char *x = NULL, *y = NULL;
        if (!*value)
                return set_string(field, NULL);
        int r = unit_loader_expand(l, value, &x);
        if (r < 0)
                return r;
        /* relative: below /run; the legacy /var/run is /run (systemd 252 rewrites it) */
        const char *rest = startswith(x, "/var/run/");
        if (asprintf(&y, "%s%s", x[0] == '/' && !rest ? "" : "/run/", rest ? rest : x) < 0)
                return -ENOMEM;
        unit_path_simplify(y);
        return set_string(field, y);
}

static int parse_path_value(Loader *l, const char *value, void *field) {
        _cleanup_free_ char *x = NULL;
        if (!*value)
                return set_string(field, NULL);
        int r = unit_loader_expand(l, value, &x);
        if (r < 0)
                return r;
        unit_path_simplify(x);
        if (x[0] != '/')
                return -EINVAL;
        return set_string(field, x);
}

/* "-" (missing ok) is kept as "!", as the manager's WorkingDirectory property spells it; "~" is home */
static int parse_working_directory(Loader *l, const char *value, void *field) {
        if (!*value)
                return set_string(field, NULL);
        bool missing_ok = *value == '-';
        const char *v = value + missing_ok;
        _cleanup_free_ char *x = NULL, *y = NULL;
        int r;
        if (streq(v, "~"))
                x = strdup("~");
        else if ((r = unit_loader_expand(l, v, &x)) < 0)
                return r;
        if (!x)
                return -ENOMEM;
        if (x[0] != '~') {
                unit_path_simplify(x);
                if (x[0] != '/')
                        return -EINVAL;
        }
        if (asprintf(&y, "%s%s", missing_ok ? "!" : "", x) < 0)
                return -ENOMEM;
        return set_string(field, y);
}

#define S(f) offsetof(Service, f)
#define L(f) offsetof(Loader, f)
static const UnitField fields[] = {
        {"Unit", "Description", parse_string, S(description), 0},
        {"Unit", "SuccessAction", parse_set, L(success_action), FIELD_IN_LOADER | FIELD_NO_SOURCE},
        {"Service", "ExecStartPre", parse_exec, S(exec[EXEC_START_PRE]), 0},
        {"Service", "ExecStart", parse_exec, S(exec[EXEC_START]), 0},
        {"Service", "ExecStartPost", parse_exec, S(exec[EXEC_START_POST]), 0},
        {"Service", "ExecReload", parse_exec, S(exec[EXEC_RELOAD]), 0},
        {"Service", "ExecStop", parse_exec, S(exec[EXEC_STOP]), 0},
        {"Service", "ExecStopPost", parse_exec, S(exec[EXEC_STOP_POST]), 0},
        {"Service", "Environment", parse_environment, S(environment), 0},
        {"Service", "EnvironmentFile", parse_environment_file, S(environment_files), 0},
        {"Service", "User", parse_string, S(user), 0},
        {"Service", "Group", parse_string, S(group), 0},
        {"Service", "DynamicUser", parse_bool_field, S(dynamic_user), 0},
        {"Service", "RuntimeDirectoryPreserve", parse_preserve, S(runtime_directory_preserve), 0},
        {"Service", "Type", parse_type, S(type), 0},
        {"Service", "PIDFile", parse_pid_file, S(pid_file), 0},
        {"Service", "RootDirectory", parse_path_value, S(root_directory), 0},
        {"Service", "RootImage", parse_path_value, S(root_image), 0},
        {"Service", "RootDirectoryStartOnly", parse_bool_field, S(root_directory_start_only), 0},
        {"Service", "ProtectSystem", parse_protect_system, S(protect_system), 0},
        {"Service", "PrivateTmp", parse_bool_field, S(private_tmp), 0},
        {"Service", "PrivateUsers", parse_bool_field, S(private_users), 0},
        {"Service", "ReadWritePaths", parse_paths, S(read_write_paths), 0},
        {"Service", "ReadWriteDirectories", parse_paths, S(read_write_paths), 0}, /* the old name */
        {"Service", "StateDirectory", parse_directories, S(state_directory), 0},
        {"Service", "CacheDirectory", parse_directories, S(cache_directory), 0},
        {"Service", "LogsDirectory", parse_directories, S(logs_directory), 0},
        {"Service", "RuntimeDirectory", parse_directories, S(runtime_directory), 0},
        {"Service", "ConfigurationDirectory", parse_directories, S(configuration_directory), 0},
        {"Service", "WorkingDirectory", parse_working_directory, S(working_directory), 0},
        {"Service", "CapabilityBoundingSet", parse_bounding_set, S(capability_bounding_set), 0},
        {"Service", "AmbientCapabilities", parse_ambient, S(ambient_capabilities), 0},
        {"Service", "PrivateDevices", parse_bool_field, L(private_devices),
         FIELD_IN_LOADER | FIELD_NO_SOURCE},
        {"Service", "ProtectKernelModules", parse_bool_field, L(protect_kernel_modules),
         FIELD_IN_LOADER | FIELD_NO_SOURCE},
        {"Service", "ProtectKernelLogs", parse_bool_field, L(protect_kernel_logs),
         FIELD_IN_LOADER | FIELD_NO_SOURCE},
        {"Service", "ProtectClock", parse_bool_field, L(protect_clock), FIELD_IN_LOADER | FIELD_NO_SOURCE},
        {"Service", "RemainAfterExit", parse_bool_lenient, L(remain_after_exit), FIELD_IN_LOADER},
        {"Service", "BusName", parse_nonempty, L(bus_name), FIELD_IN_LOADER},
};
#undef S
#undef L

int unit_fields_assign(Loader *l, const char *section, const char *key, const char *value) {
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const UnitField *f = fields + i;
                if (!streq(f->key, key) || !streq(f->section, section))
                        continue;
                char *base = f->flags & FIELD_IN_LOADER ? (char *)l : (char *)l->s;
                int r = f->parse(l, value, base + f->offset);
                if (r < 0)
                        return r;
                if (f->flags & FIELD_NO_SOURCE)
                        return 0;
                r = service_set_source(l->s, key, l->file, l->line);
                return r < 0 ? r : 1;
        }
        return 0;
}
