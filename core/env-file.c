/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env-file.h"
#include "fileio.h"
#include "hashmap.h"
#include "macro.h"

#define ENV_FILE_MAX (4U << 20) /* systemd reads env files whole; a larger one is no configuration */

/* Full UTF-8 as systemd checks it: shortest form, no surrogates, no non-characters. */
static bool utf8_valid(const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                unsigned n = *p < 0x80             ? 1
                             : (*p & 0xe0) == 0xc0 ? 2
                             : (*p & 0xf0) == 0xe0 ? 3
                             : (*p & 0xf8) == 0xf0 ? 4
                                                   : 0;
                if (n == 0)
                        return false;
                uint32_t c = n == 1 ? *p : *p & (0x7f >> n);
                for (unsigned i = 1; i < n; i++) {
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                        c = c << 6 | (p[i] & 0x3f);
                }
                static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
                if (c < min[n] || c >= 0x110000 || (c & 0xfffff800) == 0xd800 ||
                    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
                        return false;
                p += n;
        }
        return true;
}

static bool env_name_valid(const char *k) {
        if (!*k || (*k >= '0' && *k <= '9'))
                return false;
        for (; *k; k++)
                if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
                      *k == '_'))
                        return false;
        return true;
}

/* Assignments in order, a later KEY replacing the earlier in place; indexed, since a hostile file may hold
 * a million of them. */
typedef struct EnvBuild {
        char **env;
        size_t n, cap;
        Hashmap *index; /* KEY (bytes inside env[i]) -> i + 1 */
} EnvBuild;

static void env_build_done(EnvBuild *b) {
        for (size_t i = 0; i < b->n; i++)
                free(b->env[i]);
        free(b->env);
        hashmap_free(b->index);
        *b = (EnvBuild){};
}

/* Takes a ("KEY=VALUE"), freed on failure. */
static int env_build_put(EnvBuild *b, char *a) {
        size_t kl = strcspn(a, "=");
        if (!b->index && !(b->index = hashmap_new())) {
                free(a);
                return -ENOMEM;
        }
        size_t i = (size_t)hashmap_get_bytes(b->index, a, kl);
        if (i > 0) {
                char *old = b->env[i - 1];
                b->env[i - 1] = a;
                int r = hashmap_set(b->index, a, kl, (void *)i); /* the key now points into a */
                free(old);
                return r;
        }
        if (!GROW(b->env, b->cap, b->n + 2)) {
                free(a);
                return -ENOMEM;
        }
        b->env[b->n++] = a;
        b->env[b->n] = NULL;
        return hashmap_put_bytes(b->index, a, kl, (void *)b->n, NULL) < 0 ? -ENOMEM : 0;
}

typedef enum ParseState {
        PRE_KEY,
        KEY,
        PRE_VALUE,
        VALUE,
        VALUE_ESCAPE,
        SQUOTE,
        DQUOTE,
        DQUOTE_ESCAPE,
        COMMENT,
        COMMENT_ESCAPE
} ParseState;

typedef struct Parsed {
        EnvBuild out;
        char *key, *value;
        size_t n_key, n_value, cap_key, cap_value;
        ParseState state;
        size_t key_ws, value_ws; /* where trailing whitespace of key and value begins */
} Parsed;

static int put(char **buf, size_t *n, size_t *cap, char c) {
        return buf_append(buf, n, cap, &c, 1);
}

/* One finished assignment: systemd refuses the file on bad UTF-8 and drops an invalid name. */
static int push(Parsed *ps, size_t key_ws, size_t value_ws) {
        ps->key[key_ws != SIZE_MAX ? key_ws : ps->n_key] = '\0';
        if (ps->value && value_ws != SIZE_MAX)
                ps->value[value_ws] = '\0';
        const char *v = ps->value ? ps->value : "";
        if (!utf8_valid(ps->key) || !utf8_valid(v))
                return -EINVAL;
        int r = 0;
        if (env_name_valid(ps->key)) {
                char *a;
                if (asprintf(&a, "%s=%s", ps->key, v) < 0)
                        return -ENOMEM;
                r = env_build_put(&ps->out, a);
        }
        ps->n_key = ps->n_value = 0;
        if (ps->value)
                ps->value[0] = '\0';
        return r;
}

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where the trailing whitespace of a key or value begins (SIZE_MAX: none so far), given the next character
 * and the length before it. */
static void track_ws(char c, size_t *ws, size_t n) {
        if (!is_ws(c))
                *ws = SIZE_MAX;
        else if (*ws == SIZE_MAX)
                *ws = n;
}

#define NL(c) ((c) == '\n' || (c) == '\r')

static int val(Parsed *ps, char c) {
        return put(&ps->value, &ps->n_value, &ps->cap_value, c);
}

/* Outside a value: before a key, in a key, in a comment. */
static int step_key(Parsed *ps, char c) {
        switch (ps->state) {
        case PRE_KEY:
                if (c == '#' || c == ';')
                        ps->state = COMMENT;
                else if (!is_ws(c)) {
                        ps->state = KEY;
                        ps->key_ws = SIZE_MAX;
                        return put(&ps->key, &ps->n_key, &ps->cap_key, c);
                }
                return 0;
        case KEY:
                if (NL(c)) {
                        ps->state = PRE_KEY; /* a word without '=': nothing */
                        ps->n_key = 0;
                } else if (c == '=') {
                        ps->state = PRE_VALUE;
                        ps->value_ws = SIZE_MAX;
                } else {
                        track_ws(c, &ps->key_ws, ps->n_key);
                        return put(&ps->key, &ps->n_key, &ps->cap_key, c);
                }
                return 0;
        case COMMENT:
                if (c == '\\')
                        ps->state = COMMENT_ESCAPE;
                else if (NL(c))
                        ps->state = PRE_KEY;
                return 0;
        default: /* COMMENT_ESCAPE */
                /* systemd 252: a backslash-newline continues the comment (254 changed this) */
                ps->state = COMMENT;
                return 0;
        }
}

/* Before a value and in it, unquoted. */
static int step_value(Parsed *ps, char c) {
        switch (ps->state) {
        case PRE_VALUE:
                if (NL(c)) {
                        ps->state = PRE_KEY;
                        return push(ps, ps->key_ws, SIZE_MAX);
                } else if (c == '\'')
                        ps->state = SQUOTE;
                else if (c == '"')
                        ps->state = DQUOTE;
                else if (c == '\\')
                        ps->state = VALUE_ESCAPE;
                else if (!is_ws(c)) {
                        ps->state = VALUE;
                        return val(ps, c);
                }
                return 0;
        case VALUE:
                if (NL(c)) {
                        ps->state = PRE_KEY;
                        return push(ps, ps->key_ws, ps->value_ws);
                } else if (c == '\\') {
                        ps->state = VALUE_ESCAPE;
                        ps->value_ws = SIZE_MAX;
                        return 0;
                }
                track_ws(c, &ps->value_ws, ps->n_value);
                return val(ps, c);
        default: /* VALUE_ESCAPE */
                ps->state = VALUE;
                return NL(c) ? 0 : val(ps, c); /* a backslash-newline joins the lines */
        }
}

/* In quotes. */
static int step_quoted(Parsed *ps, char c) {
        int r = 0;
        switch (ps->state) {
        case SQUOTE:
                if (c == '\'')
                        ps->state = PRE_VALUE;
                else
                        r = val(ps, c);
                break;
        case DQUOTE:
                if (c == '"')
                        ps->state = PRE_VALUE;
                else if (c == '\\')
                        ps->state = DQUOTE_ESCAPE;
                else
                        r = val(ps, c);
                break;
        default: /* DQUOTE_ESCAPE */
                ps->state = DQUOTE;
                if (strchr("\"\\`$", c))
                        r = val(ps, c);
                else if (c != '\n' && (r = val(ps, '\\')) >= 0)
                        r = val(ps, c); /* other characters keep their backslash, as in the shell */
                break;
        }
        return r;
}

int env_file_parse(const char *text, char ***ret) {
        Parsed ps = {.state = PRE_KEY, .key_ws = SIZE_MAX, .value_ws = SIZE_MAX};
        int r = 0;

        for (const char *p = text; *p && r >= 0; p++) {
                ParseState st = ps.state;
                r = st == PRE_KEY || st == KEY || st == COMMENT || st == COMMENT_ESCAPE ? step_key(&ps, *p)
                    : st == PRE_VALUE || st == VALUE || st == VALUE_ESCAPE              ? step_value(&ps, *p)
                                                                           : step_quoted(&ps, *p);
        }
        if (r >= 0 && ps.state != PRE_KEY && ps.state != KEY && ps.state != COMMENT &&
            ps.state != COMMENT_ESCAPE)
                r = push(&ps, ps.key_ws, ps.state == VALUE ? ps.value_ws : SIZE_MAX);
        free(ps.key);
        free(ps.value);
        if (r < 0) {
                env_build_done(&ps.out);
                return r;
        }
        hashmap_free(ps.out.index);
        *ret = ps.out.env;
        return 0;
}
#undef NL

static int load_one(FsRoot *root, const char *path, EnvBuild *env) {
        _cleanup_free_ char *text = NULL;
        int r;
        if (root)
                r = fs_root_read_file(root, path, ENV_FILE_MAX, &text, NULL);
        else
                r = read_full_file_at(AT_FDCWD, path, 0, ENV_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        _cleanup_(strv_freep) char **parsed = NULL;
        r = env_file_parse(text, &parsed);
        if (r < 0)
                return r;
        for (char **e = parsed; e && *e; e++) {
                r = env_build_put(env, *e);
                *e = NULL; /* taken, or freed on failure */
                if (r < 0)
                        return r;
        }
        return 0;
}

int service_load_environment_files(Service *s, FsRoot *root) {
        _cleanup_(env_build_done) EnvBuild env = {};
        _cleanup_free_ char *problem = NULL;
        for (size_t i = 0; i < s->n_environment_files; i++) {
                const EnvFile *f = s->environment_files + i;
                int r = 0;
                if (f->path[0] != '/')
                        r = -EINVAL;
                else if (!strpbrk(f->path, "*?["))
                        r = load_one(root, f->path, &env);
                else {
                        /* a pattern: matched below the root, in order, each file read like a plain one */
                        const char *base = root ? fs_root_path(root) : "/";
                        _cleanup_free_ char *pattern = NULL;
                        if (asprintf(&pattern, "%s%s", streq(base, "/") ? "" : base, f->path) < 0)
                                return -ENOMEM;
                        glob_t g = {};
                        int k = glob(pattern, 0, NULL, &g);
                        if (k == GLOB_NOSPACE) {
                                globfree(&g);
                                return -ENOMEM;
                        }
                        r = k == 0 ? 0 : -ENOENT;
                        size_t skip = streq(base, "/") ? 0 : strlen(base);
                        for (size_t n = 0; n < g.gl_pathc && r != -ENOMEM; n++) {
                                int q = load_one(root, g.gl_pathv[n] + skip, &env);
                                if (q < 0 && r >= 0)
                                        r = q; /* the first failure is the one to report; the rest still count
                                                */
                        }
                        globfree(&g);
                }
                if (r == -ENOMEM)
                        return r;
                if (r >= 0 || problem)
                        continue;
                /* the manager reads these files as root: a file we may not read is no failure of the service
                 */
                int k = 0;
                if (r == -EACCES || r == -EPERM)
                        k = asprintf(
                                &problem,
                                "EnvironmentFile=%s cannot be read by this user (%s): what it sets, PATH and "
                                "LD_LIBRARY_PATH included, is unknown here; run as root to include it",
                                f->path, error_words(-r));
                else if (!f->ignore_missing && r == -ENOENT)
                        k = asprintf(&problem,
                                     "EnvironmentFile=%s does not exist: systemd will refuse to start the "
                                     "service; "
                                     "create it or write EnvironmentFile=-%s",
                                     f->path, f->path);
                else if (!f->ignore_missing)
                        k = asprintf(
                                &problem,
                                "EnvironmentFile=%s cannot be read (%s): systemd will refuse to start the "
                                "service; fix it or write EnvironmentFile=-%s",
                                f->path,
                                r == -EINVAL ? "not UTF-8, or not an absolute path" : error_words(-r),
                                f->path);
                if (k < 0)
                        return -ENOMEM;
        }
        strv_free(s->file_environment);
        s->file_environment = env.env;
        hashmap_free(env.index);
        env = (EnvBuild){};
        free(s->environment_problem);
        s->environment_problem = TAKE_PTR(problem);
        return 0;
}
