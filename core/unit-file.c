/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <sys/utsname.h>

#include "caps.h"
#include "fileio.h"
#include "hashmap.h"
#include "macro.h"
#include "unit-file.h"
#include "unit-name.h"

#define UNIT_FILE_MAX (16u * 1024 * 1024) /* an "enormous" unit file is refused, not read */
#define FIXED_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct Entry {
        const char *name;
        const char *path;     /* dir/name, the first in search-path order */
        bool masked;          /* a link to /dev/null, or an empty file */
        const char *target;   /* the unit it is an alias of, or NULL */
        const char *fragment; /* the file behind it (links followed) */
        bool linked;          /* a link to a file of the same name elsewhere */
} Entry;

struct UnitIndex {
        FsRoot *root;
        char **dirs;
        Arena *arena;
        Hashmap *entries; /* name -> Entry */
        UnitHost host;
        char hostname[256], machine_id[64], boot_id[64], kernel[256], arch[32], os_id[64];
};

/* systemd 252's lookup_paths_init() for each scope */
static int search_path(UnitScope scope, const char *home, const char *rt, char ***ret) {
        char **l = NULL;
        int r = 0;
        if (scope == UNIT_SCOPE_SYSTEM) {
                static const char *const dirs[] = {
                        "/etc/systemd/system.control", "/run/systemd/system.control",
                        "/run/systemd/transient",      "/run/systemd/generator.early",
                        "/etc/systemd/system",         "/etc/systemd/system.attached",
                        "/run/systemd/system",         "/run/systemd/system.attached",
                        "/run/systemd/generator",      "/usr/local/lib/systemd/system",
                        "/lib/systemd/system",         "/usr/lib/systemd/system",
                        "/run/systemd/generator.late",
                };
                for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++)
                        r = strv_extend(&l, dirs[i]);
        } else {
                char buf[4096];
#define ADD(fmt, base)                                                                                       \
        if (r >= 0 && (base)) {                                                                              \
                snprintf(buf, sizeof buf, fmt, base);                                                        \
                r = strv_extend(&l, buf);                                                                    \
        }
                ADD("%s/.config/systemd/user.control", home);
                ADD("%s/systemd/user.control", rt);
                ADD("%s/systemd/transient", rt);
                ADD("%s/systemd/generator.early", rt);
                ADD("%s/.config/systemd/user", home);
                ADD("%s", "/etc/systemd/user");
                ADD("%s/systemd/user", rt);
                ADD("%s", "/run/systemd/user");
                ADD("%s/systemd/generator", rt);
                ADD("%s/.local/share/systemd/user", home);
                ADD("%s", "/usr/local/share/systemd/user");
                ADD("%s", "/usr/share/systemd/user");
                ADD("%s", "/usr/local/lib/systemd/user");
                ADD("%s", "/usr/lib/systemd/user");
                ADD("%s/systemd/generator.late", rt);
#undef ADD
        }
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

UnitIndex *unit_index_free(UnitIndex *idx) {
        if (!idx)
                return NULL;
        strv_free(idx->dirs);
        hashmap_free(idx->entries);
        arena_free(idx->arena);
        free(idx);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(UnitIndex *, unit_index_free);

char *const *unit_index_search_path(const UnitIndex *idx) {
        return idx->dirs;
}

static void read_line_file(FsRoot *root, const char *path, char *buf, size_t size) {
        char *s = NULL;
        if (fs_root_read_file(root, path, 4096, &s, NULL) >= 0) {
                s[strcspn(s, "\n")] = 0;
                snprintf(buf, size, "%s", s);
        }
        free(s);
}

int unit_index_new(FsRoot *root, UnitScope scope, const char *home, const char *runtime_dir,
                   UnitIndex **ret) {
        _cleanup_(unit_index_freep) UnitIndex *idx = calloc(1, sizeof(UnitIndex));
        int r;
        if (!idx || !(idx->arena = arena_new()) || !(idx->entries = hashmap_new()))
                return -ENOMEM;
        idx->root = root;
        r = search_path(scope, home, runtime_dir, &idx->dirs);
        if (r < 0)
                return r;

        /* what %H, %m, %b, %v, %a, %o resolve to on this host (the image's files with --root) */
        struct utsname u;
        if (uname(&u) >= 0) {
                snprintf(idx->hostname, sizeof idx->hostname, "%s", u.nodename);
                snprintf(idx->kernel, sizeof idx->kernel, "%s", u.release);
        }
        read_line_file(root, "/etc/hostname", idx->hostname, sizeof idx->hostname);
        read_line_file(root, "/etc/machine-id", idx->machine_id, sizeof idx->machine_id);
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
        if (f) {
                char b[64] = "";
                if (fgets(b, sizeof b, f)) {
                        size_t k = 0;
                        for (char *c = b; *c && k + 1 < sizeof idx->boot_id; c++)
                                if (*c != '-' && *c != '\n')
                                        idx->boot_id[k++] = *c;
                        idx->boot_id[k] = 0;
                }
                fclose(f);
        }
#if defined(__x86_64__)
        snprintf(idx->arch, sizeof idx->arch, "x86-64");
#elif defined(__aarch64__)
        snprintf(idx->arch, sizeof idx->arch, "arm64");
#else
        snprintf(idx->arch, sizeof idx->arch, "%s", u.machine);
#endif
        char *os = NULL;
        if (fs_root_read_file(root, "/etc/os-release", 65536, &os, NULL) >= 0 ||
            fs_root_read_file(root, "/usr/lib/os-release", 65536, &os, NULL) >= 0) {
                for (char *line = os, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                        nl = strchr(line, '\n');
                        if (nl)
                                *nl = 0;
                        const char *v = startswith(line, "ID=");
                        if (v) {
                                if (*v == '"')
                                        v++;
                                snprintf(idx->os_id, sizeof idx->os_id, "%.*s", (int)strcspn(v, "\""), v);
                        }
                }
                free(os);
        }
        idx->host = (UnitHost){
                .hostname = idx->hostname,
                .machine_id = idx->machine_id,
                .boot_id = idx->boot_id,
                .kernel_release = idx->kernel,
                .architecture = idx->arch,
                .os_id = idx->os_id,
                .user_name = "root",
                .user_home = "/root",
                .user_shell = "/bin/sh",
        };

        /* every name in every directory: the first directory that has it wins */
        for (char **d = idx->dirs; *d; d++) {
                _cleanup_(closedirp) DIR *dir = fs_root_opendir(root, *d);
                if (!dir)
                        continue;
                struct dirent *de;
                while ((de = readdir(dir))) {
                        if (!unit_name_is_valid(de->d_name, UNIT_NAME_ANY) ||
                            hashmap_get(idx->entries, de->d_name))
                                continue;
                        Entry *e = arena_alloc(idx->arena, sizeof(Entry));
                        char *path;
                        if (!e || asprintf(&path, "%s/%s", *d, de->d_name) < 0)
                                return -ENOMEM;
                        *e = (Entry){.name = arena_strdup(idx->arena, de->d_name),
                                     .path = arena_strdup(idx->arena, path)};
                        free(path);
                        if (!e->name || !e->path)
                                return -ENOMEM;
                        const char *real;
                        struct stat st;
                        _cleanup_free_ char *target = NULL;
                        if (fs_root_readlink(root, e->path, &target) >= 0 && streq(target, "/dev/null"))
                                e->masked = true;
                        else if (fs_root_chase(root, e->path, &real, &st) < 0 || S_ISDIR(st.st_mode))
                                continue; /* a dangling link or a directory is no unit */
                        else {
                                e->masked = S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0);
                                e->fragment = arena_strdup(idx->arena, real);
                                if (!e->fragment)
                                        return -ENOMEM;
                                /* a link to a unit of another name is an alias of it */
                                const char *base = strrchr(real, '/') + 1;
                                if (target && !streq(base, de->d_name) &&
                                    unit_name_is_valid(base, UNIT_NAME_ANY) &&
                                    streq_ptr(unit_name_suffix(base), unit_name_suffix(de->d_name)) &&
                                    !(e->target = arena_strdup(idx->arena, base)))
                                        return -ENOMEM;
                                e->linked = target && !e->target;
                        }
                        if (hashmap_put(idx->entries, e->name, e, NULL) < 0)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(idx);
        return 0;
}

void unit_index_set_host(UnitIndex *idx, const UnitHost *host) {
        idx->host = *host;
}

/* systemd's path_compare(): component by component */
static int cmp_path(const void *pa, const void *pb) {
        const char *a = *(char *const *)pa, *b = *(char *const *)pb;
        for (;;) {
                a += strspn(a, "/");
                b += strspn(b, "/");
                if (!*a || !*b)
                        return (*a != 0) - (*b != 0);
                size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
                int c = strncmp(a, b, na < nb ? na : nb);
                if (c != 0)
                        return c;
                if (na != nb)
                        return na < nb ? -1 : 1;
                a += na;
                b += nb;
        }
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int unit_index_list(const UnitIndex *idx, const char *suffix, char ***ret) {
        char **l = NULL;
        size_t it = 0;
        void *v;
        while (hashmap_iterate(idx->entries, &it, NULL, &v)) {
                const Entry *e = v;
                if (suffix && !streq_ptr(unit_name_suffix(e->name), suffix))
                        continue;
                if (strv_extend(&l, e->name) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        else if (!(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = l;
        return 0;
}

/* Syntax */

static int unhex(char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

/* One C escape after a backslash, as systemd's cunescape_one(): appends to o, returns chars consumed. */
static int cunescape_one(const char *p, char **o) {
        switch (p[0]) {
        case 'a':
                *(*o)++ = '\a';
                return 1;
        case 'b':
                *(*o)++ = '\b';
                return 1;
        case 'f':
                *(*o)++ = '\f';
                return 1;
        case 'n':
                *(*o)++ = '\n';
                return 1;
        case 'r':
                *(*o)++ = '\r';
                return 1;
        case 't':
                *(*o)++ = '\t';
                return 1;
        case 'v':
                *(*o)++ = '\v';
                return 1;
        case '\\':
        case '"':
        case '\'':
        case ' ':
        case ';':
                *(*o)++ = p[0];
                return 1;
        case 's':
                *(*o)++ = ' ';
                return 1;
        case 'x': {
                int a = unhex(p[1]), b = a >= 0 ? unhex(p[2]) : -1;
                if (a < 0 || b < 0 || (a == 0 && b == 0))
                        return -EINVAL;
                *(*o)++ = (char)(a << 4 | b);
                return 3;
        }
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
                if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
                        return -EINVAL;
                int v = (p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0');
                if (v == 0 || v > 255)
                        return -EINVAL;
                *(*o)++ = (char)v;
                return 3;
        }
        case 'u':
        case 'U': {
                size_t n = p[0] == 'u' ? 4 : 8;
                uint32_t c = 0;
                for (size_t i = 1; i <= n; i++) {
                        int h = unhex(p[i]);
                        if (h < 0)
                                return -EINVAL;
                        c = c << 4 | h;
                }
                if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                        return -EINVAL;
                /* UTF-8 */
                if (c < 0x80)
                        *(*o)++ = (char)c;
                else if (c < 0x800) {
                        *(*o)++ = (char)(0xc0 | c >> 6);
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                } else if (c < 0x10000) {
                        *(*o)++ = (char)(0xe0 | c >> 12);
                        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                } else {
                        *(*o)++ = (char)(0xf0 | c >> 18);
                        *(*o)++ = (char)(0x80 | ((c >> 12) & 0x3f));
                        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                }
                return (int)n + 1;
        }
        }
        return -EINVAL;
}

int unit_extract_word(const char **p, char **ret) {
        const char *s = *p;
        while (*s && strchr(" \t\n\r", *s))
                s++;
        if (!*s) {
                *p = s;
                return 0;
        }
        char *out = malloc(strlen(s) * 4 + 1), *o = out;
        char quote = 0;
        if (!out)
                return -ENOMEM;
        for (;; s++) {
                if (!*s) {
                        if (quote) { /* an unfinished quote */
                                free(out);
                                return -EINVAL;
                        }
                        break;
                }
                if (!quote && strchr(" \t\n\r", *s))
                        break;
                if (*s == '\\') {
                        if (!s[1]) { /* a trailing backslash */
                                free(out);
                                return -EINVAL;
                        }
                        /* with EXTRACT_CUNESCAPE, escapes count inside quotes of both kinds too */
                        int n = cunescape_one(s + 1, &o);
                        if (n < 0) {
                                free(out);
                                return -EINVAL;
                        }
                        s += n;
                        continue;
                }
                if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                *o++ = *s;
                } else if (*s == '\'' || *s == '"')
                        quote = *s;
                else
                        *o++ = *s;
        }
        *o = 0;
        *p = s;
        *ret = out;
        return 1;
}

/* Loading */

typedef struct Loader {
        UnitIndex *idx;
        Service *s;
        const char *name; /* the unit's id: what %n means */
        const char *file;
        unsigned line;
        bool remain_after_exit, success_action, bus_name, type_set;
        bool private_devices, protect_kernel_modules, protect_kernel_logs, protect_clock;
} Loader;

/* Specifier expansion, systemd.unit(5), as the system manager does it. */
static int printf_specifiers(Loader *l, const char *in, char **ret) {
        const UnitHost *h = &l->idx->host;
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *without = NULL, *prefix_u = NULL,
                            *instance_u = NULL;
        char uidbuf[16], gidbuf[16];
        size_t cap = 0, len = 0;
        char *out = NULL;
        bool instanced = unit_name_is_valid(l->name, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE);
        if ((instanced ? unit_name_prefix(l->name, &prefix) : unit_name_without_suffix(l->name, &prefix)) <
                    0 ||
            unit_name_instance(l->name, &instance) < 0 || unit_name_without_suffix(l->name, &without) < 0 ||
            unit_name_unescape(prefix, &prefix_u) < 0 || unit_name_unescape(instance, &instance_u) < 0) {
                free(out);
                return -ENOMEM;
        }
        snprintf(uidbuf, sizeof uidbuf, "%u", h->uid);
        snprintf(gidbuf, sizeof gidbuf, "%u", h->gid);

        for (const char *p = in; *p; p++) {
                const char *v = NULL;
                char tmp[512];
                if (*p != '%') {
                        tmp[0] = *p;
                        tmp[1] = 0;
                        v = tmp;
                } else {
                        p++;
                        switch (*p) {
                        case '%':
                                v = "%";
                                break;
                        case 'n':
                                v = l->name;
                                break;
                        case 'N':
                                v = without;
                                break;
                        case 'p':
                                v = prefix;
                                break;
                        case 'P':
                                v = prefix_u;
                                break;
                        case 'i':
                                v = instance;
                                break;
                        case 'I':
                                v = instance_u;
                                break;
                        case 'j':
                        case 'J': {
                                const char *src = *p == 'j' ? prefix : prefix_u;
                                /* the last component of the prefix after a dash */
                                const char *dash = *p == 'j' ? strrchr(src, '-') : strrchr(src, '/');
                                v = dash ? dash + 1 : src;
                                break;
                        }
                        case 'f':
                                snprintf(tmp, sizeof tmp, "%s%s", instance_u[0] == '/' ? "" : "/",
                                         instance[0] ? instance_u : prefix_u);
                                v = tmp;
                                break;
                        case 't':
                                v = "/run";
                                break;
                        case 'S':
                                v = "/var/lib";
                                break;
                        case 'C':
                                v = "/var/cache";
                                break;
                        case 'L':
                                v = "/var/log";
                                break;
                        case 'E':
                                v = "/etc";
                                break;
                        case 'T':
                                v = "/tmp";
                                break;
                        case 'V':
                                v = "/var/tmp";
                                break;
                        case 'h':
                                v = h->user_home;
                                break;
                        case 's':
                                v = h->user_shell;
                                break;
                        case 'u':
                                v = h->user_name;
                                break;
                        case 'U':
                                v = uidbuf;
                                break;
                        case 'g':
                                v = h->user_name;
                                break;
                        case 'G':
                                v = gidbuf;
                                break;
                        case 'H':
                                v = h->hostname;
                                break;
                        case 'l':
                                snprintf(tmp, sizeof tmp, "%.*s", (int)strcspn(h->hostname, "."),
                                         h->hostname);
                                v = tmp;
                                break;
                        case 'm':
                                v = h->machine_id;
                                break;
                        case 'b':
                                v = h->boot_id;
                                break;
                        case 'v':
                                v = h->kernel_release;
                                break;
                        case 'a':
                                v = h->architecture;
                                break;
                        case 'o':
                                v = h->os_id;
                                break;
                        case 'd':
                                snprintf(tmp, sizeof tmp, "/run/credentials/%s", l->name);
                                v = tmp;
                                break;
                        default:
                                free(out);
                                return -EBADSLT; /* an unknown specifier: systemd ignores the line */
                        }
                }
                if (buf_append(&out, &len, &cap, v, strlen(v)) < 0) {
                        free(out);
                        return -ENOMEM;
                }
        }
        if (!out && buf_append(&out, &len, &cap, "", 0) < 0)
                return -ENOMEM;
        out[len] = 0;
        *ret = out;
        return 0;
}

static int parse_bool(const char *v) {
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

/* "/a//b/./c/" -> "/a/b/c", as path_simplify() */
static void path_simplify(char *p) {
        char *o = p;
        const char *s = p;
        bool abs = *s == '/';
        if (abs)
                *o++ = '/';
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                if (n == 1 && s[0] == '.') {
                        s += n;
                        continue;
                }
                if (o > p && o[-1] != '/')
                        *o++ = '/';
                memmove(o, s, n);
                o += n;
                s += n;
        }
        if (o == p)
                *o++ = abs ? '/' : '.';
        *o = 0;
}

static int set_string(char **field, const char *value) {
        char *v = NULL;
        if (value && *value && !(v = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

/* Exec*=: one or more command lines separated by ";" words, systemd's config_parse_exec(). */
static int parse_exec(Loader *l, ExecList *list, const char *value) {
        const char *p = value;
        int r;

        if (!*value) { /* reset */
                for (size_t i = 0; i < list->n; i++) {
                        free(list->items[i].path);
                        strv_free(list->items[i].argv);
                }
                list->n = 0;
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *first = NULL, *path = NULL;
                char **argv = NULL;
                unsigned flags = 0;
                bool separate_argv0 = false;

                r = unit_extract_word(&p, &first);
                if (r <= 0)
                        return r;
                const char *f = first;
                for (;; f++) {
                        if (*f == '-' && !(flags & EXEC_IGNORE_FAILURE))
                                flags |= EXEC_IGNORE_FAILURE;
                        else if (*f == '@' && !separate_argv0)
                                separate_argv0 = true;
                        else if (*f == ':' && !(flags & EXEC_NO_ENV_EXPAND))
                                flags |= EXEC_NO_ENV_EXPAND;
                        else if (*f == '+' &&
                                 !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                                flags |= EXEC_FULL_PRIVILEGES;
                        else if (*f == '!' &&
                                 !(flags & (EXEC_FULL_PRIVILEGES | EXEC_NO_SETUID | EXEC_AMBIENT_MAGIC)))
                                flags |= EXEC_NO_SETUID;
                        else if (*f == '!' && (flags & EXEC_NO_SETUID) && !(flags & EXEC_AMBIENT_MAGIC)) {
                                flags &= ~EXEC_NO_SETUID;
                                flags |= EXEC_AMBIENT_MAGIC;
                        } else
                                break;
                }
                if (!*f)
                        return -EINVAL; /* "Empty path in command line" */
                r = printf_specifiers(l, f, &path);
                if (r < 0)
                        return r;
                path_simplify(path);
                if (path[0] != '/' && strchr(path, '/'))
                        return -EINVAL; /* neither absolute nor a plain file name */

                if (separate_argv0) {
                        _cleanup_free_ char *a0 = NULL;
                        r = unit_extract_word(&p, &a0);
                        if (r <= 0)
                                return r < 0 ? r : -EINVAL;
                        char *ra0;
                        r = printf_specifiers(l, a0, &ra0);
                        if (r < 0 || (r = strv_push(&argv, ra0)) < 0)
                                return r;
                } else if ((r = strv_extend(&argv, path)) < 0)
                        return r;

                bool semicolon = false;
                for (;;) {
                        while (*p == ' ' || *p == '\t')
                                p++;
                        /* an unquoted ";" word separates command lines; "\;" is a literal ";" */
                        if (p[0] == ';' && (!p[1] || strchr(" \t\n", p[1]))) {
                                p++;
                                semicolon = true;
                                break;
                        }
                        if (p[0] == '\\' && p[1] == ';' && (!p[2] || strchr(" \t\n", p[2]))) {
                                p += 2;
                                if ((r = strv_extend(&argv, ";")) < 0)
                                        return r;
                                continue;
                        }
                        _cleanup_free_ char *w = NULL;
                        r = unit_extract_word(&p, &w);
                        if (r < 0) {
                                strv_free(argv);
                                return r;
                        }
                        if (r == 0)
                                break;
                        char *rw;
                        r = printf_specifiers(l, w, &rw);
                        if (r < 0 || (r = strv_push(&argv, rw)) < 0) {
                                strv_free(argv);
                                return r;
                        }
                }

                /* a bare name stays bare: systemd 252 looks it up when it runs the command */
                if (!GROW(list->items, list->allocated, list->n + 1)) {
                        strv_free(argv);
                        return -ENOMEM;
                }
                list->items[list->n++] = (ExecCommand){.path = TAKE_PTR(path), .argv = argv, .flags = flags};
                if (!semicolon)
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
                r = printf_specifiers(l, v, &x);
                if (r < 0)
                        continue; /* systemd skips a word it cannot resolve */
                path_simplify(x);
                char *full;
                if (asprintf(&full, "%s%s", prefix, x) < 0)
                        return -ENOMEM;
                if ((r = strv_push(list, full)) < 0)
                        return r;
        }
}

static int parse_environment(Loader *l, const char *value) {
        const char *p = value;
        int r;
        if (!*value) {
                l->s->environment = strv_free(l->s->environment);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *w = NULL;
                char *x;
                r = unit_extract_word(&p, &w);
                if (r <= 0)
                        return r;
                if (printf_specifiers(l, w, &x) < 0)
                        continue;
                char *eq = strchr(x, '=');
                if (!eq || eq == x) { /* not an assignment: ignored */
                        free(x);
                        continue;
                }
                /* a variable set again replaces the earlier value in place */
                r = strv_env_replace(&l->s->environment, x);
                if (r < 0)
                        return r;
        }
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

static int parse_path_value(Loader *l, char **field, const char *value) {
        _cleanup_free_ char *x = NULL;
        if (!*value)
                return set_string(field, NULL);
        int r = printf_specifiers(l, value, &x);
        if (r < 0)
                return r;
        path_simplify(x);
        if (x[0] != '/')
                return -EINVAL;
        return set_string(field, x);
}

/* Returns 1 when the key is one we keep (and sets its source), 0 when not ours, <0 when the value is bad. */
static int assign(Loader *l, const char *section, const char *key, const char *value) {
        Service *s = l->s;
        int r = 0, b;

        if (streq(section, "Unit")) {
                if (streq(key, "SuccessAction")) {
                        l->success_action = *value && !streq(value, "none");
                        return 0;
                }
                if (!streq(key, "Description"))
                        return 0;
                _cleanup_free_ char *x = NULL;
                if ((r = printf_specifiers(l, value, &x)) >= 0)
                        r = set_string(&s->description, x);
        } else if (streq(section, "Service")) {
                ExecType t;
                for (t = 0; t < _EXEC_TYPE_MAX; t++)
                        if (streq(key, exec_type_to_string(t)))
                                break;
                if (t < _EXEC_TYPE_MAX)
                        r = parse_exec(l, s->exec + t, value);
                else if (streq(key, "Environment"))
                        r = parse_environment(l, value);
                else if (streq(key, "EnvironmentFile")) {
                        if (!*value) {
                                for (size_t i = 0; i < s->n_environment_files; i++)
                                        free(s->environment_files[i].path);
                                s->n_environment_files = 0;
                        } else {
                                bool ignore = *value == '-';
                                _cleanup_free_ char *x = NULL;
                                if ((r = printf_specifiers(l, value + ignore, &x)) < 0)
                                        return r;
                                path_simplify(x);
                                if (x[0] != '/')
                                        return -EINVAL;
                                EnvFile *nf = realloc(s->environment_files,
                                                      (s->n_environment_files + 1) * sizeof(EnvFile));
                                if (!nf)
                                        return -ENOMEM;
                                s->environment_files = nf;
                                nf[s->n_environment_files++] =
                                        (EnvFile){.path = TAKE_PTR(x), .ignore_missing = ignore};
                        }
                } else if (streq(key, "User") || streq(key, "Group")) {
                        _cleanup_free_ char *x = NULL;
                        if ((r = printf_specifiers(l, value, &x)) >= 0)
                                r = set_string(streq(key, "User") ? &s->user : &s->group, x);
                } else if (streq(key, "DynamicUser")) {
                        if ((b = parse_bool(value)) < 0)
                                return b;
                        s->dynamic_user = b;
                } else if (streq(key, "RuntimeDirectoryPreserve")) {
                        b = parse_bool(value);
                        if (b < 0 && !streq(value, "restart"))
                                return -EINVAL;
                        r = set_string(&s->runtime_directory_preserve, b == 1   ? "yes"
                                                                       : b == 0 ? "no"
                                                                                : value);
                } else if (streq(key, "Type")) {
                        static const char *const types[] = {"simple", "exec",   "forking", "oneshot",
                                                            "dbus",   "notify", "idle"};
                        bool ok = false;
                        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                                ok = ok || streq(value, types[i]);
                        if (!ok)
                                return -EINVAL;
                        l->type_set = true;
                        r = set_string(&s->type, value);
                } else if (streq(key, "PIDFile")) {
                        _cleanup_free_ char *x = NULL, *y = NULL;
                        if (!*value)
                                return set_string(&s->pid_file, NULL);
                        if ((r = printf_specifiers(l, value, &x)) < 0)
                                return r;
                        /* relative: below /run; the legacy /var/run is /run (systemd 252 rewrites it) */
                        const char *rest = startswith(x, "/var/run/");
                        if (asprintf(&y, "%s%s", x[0] == '/' && !rest ? "" : "/run/", rest ? rest : x) < 0)
                                return -ENOMEM;
                        path_simplify(y);
                        r = set_string(&s->pid_file, y);
                } else if (streq(key, "RootDirectory"))
                        r = parse_path_value(l, &s->root_directory, value);
                else if (streq(key, "RootImage"))
                        r = parse_path_value(l, &s->root_image, value);
                else if (streq(key, "RootDirectoryStartOnly")) {
                        if ((b = parse_bool(value)) < 0)
                                return b;
                        s->root_directory_start_only = b;
                } else if (streq(key, "ProtectSystem")) {
                        b = parse_bool(value);
                        if (b < 0 && !streq(value, "full") && !streq(value, "strict"))
                                return -EINVAL;
                        r = set_string(&s->protect_system, b == 1 ? "yes" : b == 0 ? "no" : value);
                } else if (streq(key, "PrivateTmp") || streq(key, "PrivateUsers")) {
                        if ((b = parse_bool(value)) < 0)
                                return b;
                        *(streq(key, "PrivateTmp") ? &s->private_tmp : &s->private_users) = b;
                } else if (streq(key, "ReadWritePaths") ||
                           streq(key, "ReadWriteDirectories")) /* the old name */
                        r = parse_word_list(l, &s->read_write_paths, value, true, false);
                else if (streq(key, "StateDirectory"))
                        r = parse_word_list(l, &s->state_directory, value, false, true);
                else if (streq(key, "CacheDirectory"))
                        r = parse_word_list(l, &s->cache_directory, value, false, true);
                else if (streq(key, "LogsDirectory"))
                        r = parse_word_list(l, &s->logs_directory, value, false, true);
                else if (streq(key, "RuntimeDirectory"))
                        r = parse_word_list(l, &s->runtime_directory, value, false, true);
                else if (streq(key, "ConfigurationDirectory"))
                        r = parse_word_list(l, &s->configuration_directory, value, false, true);
                else if (streq(key, "WorkingDirectory")) {
                        if (!*value)
                                return set_string(&s->working_directory, NULL);
                        bool missing_ok = *value == '-';
                        const char *v = value + missing_ok;
                        _cleanup_free_ char *x = NULL, *y = NULL;
                        if (streq(v, "~"))
                                x = strdup("~");
                        else if ((r = printf_specifiers(l, v, &x)) < 0)
                                return r;
                        if (!x)
                                return -ENOMEM;
                        if (x[0] != '~') {
                                path_simplify(x);
                                if (x[0] != '/')
                                        return -EINVAL;
                        }
                        if (asprintf(&y, "%s%s", missing_ok ? "!" : "", x) < 0)
                                return -ENOMEM;
                        r = set_string(&s->working_directory, y);
                } else if (streq(key, "CapabilityBoundingSet"))
                        r = parse_caps(value, &s->capability_bounding_set, UINT64_MAX);
                else if (streq(key, "AmbientCapabilities"))
                        r = parse_caps(value, &s->ambient_capabilities, 0);
                else if (streq(key, "PrivateDevices") || streq(key, "ProtectKernelModules") ||
                         streq(key, "ProtectKernelLogs") || streq(key, "ProtectClock")) {
                        if ((b = parse_bool(value)) < 0)
                                return b;
                        *(streq(key, "PrivateDevices")         ? &l->private_devices
                          : streq(key, "ProtectKernelModules") ? &l->protect_kernel_modules
                          : streq(key, "ProtectKernelLogs")    ? &l->protect_kernel_logs
                                                               : &l->protect_clock) = b;
                        return 0;
                } else if (streq(key, "RemainAfterExit"))
                        l->remain_after_exit = parse_bool(value) > 0;
                else if (streq(key, "BusName"))
                        l->bus_name = *value;
                else
                        return 0;
        } else
                return 0;
        if (r < 0)
                return r;
        r = service_set_source(s, key, l->file, l->line);
        return r < 0 ? r : 1;
}

static char *strip(char *s) {
        while (*s && isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = 0;
        return s;
}

/* One file, systemd's config_parse(): sections, comments, continuation lines. Bad lines are skipped, as
 * systemd logs and ignores them. */
static int parse_file(Loader *l, const char *path) {
        _cleanup_free_ char *text = NULL, *cont = NULL;
        char section[256] = "";
        int r;

        r = fs_root_read_file(l->idx->root, path, UNIT_FILE_MAX, &text, NULL);
        if (r == -EBADFD) /* a link to /dev/null: masked, nothing to read */
                return 0;
        if (r < 0)
                return r;
        l->file = path;
        unsigned line_no = 0;
        for (char *line = text, *nl; line; line = nl) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = 0;
                line_no++;
                char *t = line + strspn(line, " \t\r");
                /* comment lines are dropped, also in the middle of a continuation */
                if (*t == '#' || *t == ';')
                        continue;
                char *full = line;
                _cleanup_free_ char *joined = NULL;
                if (cont) {
                        if (asprintf(&joined, "%s%s", cont, line) < 0)
                                return -ENOMEM;
                        full = joined;
                        cont = mfree_str(cont);
                }
                /* an unescaped backslash at the end continues on the next line, as a space */
                bool escaped = false;
                size_t n = strlen(full);
                for (size_t i = 0; i < n; i++)
                        escaped = !escaped && full[i] == '\\';
                if (escaped && nl) {
                        full[n - 1] = ' ';
                        cont = strdup(full);
                        if (!cont)
                                return -ENOMEM;
                        continue;
                }
                if (!l->line || !cont)
                        l->line = line_no;
                char *s = strip(full);
                if (!*s)
                        continue;
                if (*s == '[') {
                        size_t k = strlen(s);
                        if (s[k - 1] == ']' && k - 2 < sizeof section) {
                                memcpy(section, s + 1, k - 2);
                                section[k - 2] = 0;
                        }
                        continue;
                }
                char *eq = strchr(s, '=');
                if (!eq || !section[0])
                        continue;
                *eq = 0;
                r = assign(l, section, strip(s), strip(eq + 1));
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

/* systemd's unit_file_find_dirs(): NAME.d in every directory, the template's, then the names cut at their
 * last dash ("a-b-c.service" -> "a-b-.service", "a-.service"), recursively. */
static int dropin_dirs(UnitIndex *idx, const char *name, char ***dirs) {
        int r;
        for (char **d = idx->dirs; *d; d++) {
                char *p;
                struct stat st;
                if (asprintf(&p, "%s/%s.d", *d, name) < 0)
                        return -ENOMEM;
                const char *real;
                /* systemd reports drop-ins below the directory's canonical path, and lists a directory once
                 */
                if (fs_root_chase(idx->root, p, &real, &st) >= 0 && S_ISDIR(st.st_mode) &&
                    !strv_contains(*dirs, real)) {
                        free(p);
                        if ((r = strv_extend(dirs, real)) < 0)
                                return r;
                } else
                        free(p);
        }
        if (unit_name_is_valid(name, UNIT_NAME_INSTANCE)) {
                _cleanup_free_ char *t = NULL;
                if (unit_name_template(name, &t) < 0 || (r = dropin_dirs(idx, t, dirs)) < 0)
                        return -ENOMEM;
        }
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *built = NULL;
        if (unit_name_prefix(name, &prefix) < 0)
                return 0;
        bool chopped = false;
        for (;;) {
                char *dash = strrchr(prefix, '-');
                if (!dash || dash == prefix)
                        return 0;
                size_t n = dash - prefix;
                if (prefix[n + 1] != 0 || chopped) {
                        prefix[n + 1] = 0;
                        break;
                }
                prefix[n] = 0; /* a trailing dash: cut it once and look again */
                chopped = true;
        }
        if (unit_name_instance(name, &instance) < 0)
                return -ENOMEM;
        bool inst = unit_name_is_valid(name, UNIT_NAME_INSTANCE);
        if (asprintf(&built, "%s%s%s.%s", prefix,
                     inst || unit_name_is_valid(name, UNIT_NAME_TEMPLATE) ? "@" : "", instance,
                     unit_name_suffix(name)) < 0)
                return -ENOMEM;
        return dropin_dirs(idx, built, dirs);
}

/* All .conf files of the drop-in directories: the first directory naming a file wins (an empty file or a
 * link to /dev/null there masks the others), the result sorted by file name. */
static int dropin_files(UnitIndex *idx, char **dirs, char ***ret) {
        _cleanup_(hashmap_freep) Hashmap *seen = hashmap_new();
        _cleanup_(arena_freep) Arena *a = arena_new();
        char **files = NULL;
        if (!seen || !a)
                return -ENOMEM;
        for (char **d = dirs; d && *d; d++) {
                _cleanup_(closedirp) DIR *dir = fs_root_opendir(idx->root, *d);
                if (!dir)
                        continue;
                struct dirent *de;
                while ((de = readdir(dir))) {
                        size_t n = strlen(de->d_name);
                        if (n <= 5 || !streq(de->d_name + n - 5, ".conf") || hashmap_get(seen, de->d_name))
                                continue;
                        char *key = arena_strdup(a, de->d_name), *p;
                        if (!key || hashmap_put(seen, key, (void *)1, NULL) < 0 ||
                            asprintf(&p, "%s/%s", *d, de->d_name) < 0) {
                                strv_free(files);
                                return -ENOMEM;
                        }
                        /* an empty file or a link to /dev/null masks the name; systemd lists it all the same
                         */
                        if (strv_push(&files, p) < 0) {
                                strv_free(files);
                                return -ENOMEM;
                        }
                }
        }
        /* by file name, whatever the directory */
        size_t n = strv_length(files);
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(strrchr(files[j - 1], '/'), strrchr(files[j], '/')) > 0;
                     j--) {
                        char *t = files[j];
                        files[j] = files[j - 1];
                        files[j - 1] = t;
                }
        *ret = files;
        return 0;
}

static int find_dropins(UnitIndex *idx, Service *s, const char *id) {
        char **dirs = NULL;
        int r = 0;
        for (char **n = s->names; n && *n && r >= 0; n++)
                r = dropin_dirs(idx, *n, &dirs);
        /* the type-wide "service.d" last: the most generic */
        for (char **d = idx->dirs; *d && r >= 0; d++) {
                char *p;
                struct stat st;
                const char *real;
                if (asprintf(&p, "%s/%s.d", *d, unit_name_suffix(id)) < 0)
                        r = -ENOMEM;
                else if (fs_root_chase(idx->root, p, &real, &st) >= 0 && S_ISDIR(st.st_mode) &&
                         !strv_contains(dirs, real)) {
                        free(p);
                        r = strv_extend(&dirs, real);
                } else
                        free(p);
        }
        if (r >= 0)
                r = dropin_files(idx, dirs, &s->dropin_paths);
        strv_free(dirs);
        return r;
}

/* systemd's user_from_unit_name(): the unit's prefix, when it is a valid user name */
static int dynamic_user_name(const char *id, char **ret) {
        _cleanup_free_ char *prefix = NULL;
        if (unit_name_prefix(id, &prefix) < 0)
                return -ENOMEM;
        bool ok = prefix[0] && strlen(prefix) <= 31 && !(prefix[0] >= '0' && prefix[0] <= '9') &&
                  prefix[0] != '-';
        for (const char *c = prefix; ok && *c; c++)
                ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                     *c == '_' || *c == '-';
        if (!ok)
                return -EINVAL;
        *ret = TAKE_PTR(prefix);
        return 0;
}

int unit_index_load(UnitIndex *idx, const char *name, Service **ret) {
        int r;
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;

        /* follow aliases to the unit's own name */
        const char *id = name;
        Entry *e = hashmap_get(idx->entries, name);
        for (unsigned hops = 0; e && e->target && hops < 32; hops++) {
                id = e->target;
                Entry *next = hashmap_get(idx->entries, id);
                if (!next)
                        break;
                e = next;
        }
        /* an instance without a file of its own comes from its template; an aliased template
         * ("autovt@.service" -> "getty@.service") makes the instance one of the target template */
        Entry *frag = e;
        _cleanup_free_ char *template = NULL, *instance_id = NULL;
        for (unsigned hops = 0; !frag && unit_name_is_valid(id, UNIT_NAME_INSTANCE) && hops < 32; hops++) {
                _cleanup_free_ char *inst = NULL;
                free(template);
                template = NULL;
                if (unit_name_template(id, &template) < 0 || unit_name_instance(id, &inst) < 0)
                        return -ENOMEM;
                Entry *t = hashmap_get(idx->entries, template);
                if (!t || !t->target || !unit_name_is_valid(t->target, UNIT_NAME_TEMPLATE)) {
                        frag = t;
                        break;
                }
                const char *at = strchr(t->target, '@');
                free(instance_id);
                if (asprintf(&instance_id, "%.*s@%s%s", (int)(at - t->target), t->target, inst, at + 1) < 0)
                        return -ENOMEM;
                id = instance_id;
                frag = hashmap_get(idx->entries, id);
        }

        Service *s = service_new(id);
        if (!s)
                return -ENOMEM;
        Loader l = {.idx = idx, .s = s, .name = id};
        r = strv_extend(&s->names, id);
        /* the names that link to this unit */
        size_t it = 0;
        void *v;
        while (r >= 0 && hashmap_iterate(idx->entries, &it, NULL, &v)) {
                Entry *a = v;
                if (a->target && streq(a->target, id) && !streq(a->name, id))
                        r = strv_extend(&s->names, a->name);
        }
        if (r < 0)
                goto fail;

        if (!frag) {
                r = set_string(&s->load_state, "not-found");
        } else if (frag->masked) {
                r = set_string(&s->fragment_path, frag->path);
                if (r >= 0)
                        r = set_string(&s->load_state, "masked");
                if (r >= 0) /* systemd finds the drop-ins of a masked unit too, and reads none */
                        r = find_dropins(idx, s, id);
        } else {
                /* the path in the unit directory, as found; a link to a file elsewhere: that file */
                r = set_string(&s->fragment_path, frag->linked ? frag->fragment : frag->path);
                if (r >= 0)
                        r = set_string(&s->load_state, "loaded");
                if (r >= 0)
                        r = parse_file(&l, frag->fragment);
                if (r >= 0)
                        r = find_dropins(idx, s, id);
                if (r >= 0) {
                        for (char **f = s->dropin_paths; f && *f && r >= 0; f++)
                                r = parse_file(&l, *f);
                }
                /* what systemd's unit_patch_contexts() derives from other settings */
                if (l.private_devices)
                        s->capability_bounding_set &=
                                ~(UINT64_C(1) << 27 | UINT64_C(1) << 17); /* MKNOD, SYS_RAWIO */
                if (l.protect_kernel_modules)
                        s->capability_bounding_set &= ~(UINT64_C(1) << 16); /* SYS_MODULE */
                if (l.protect_kernel_logs)
                        s->capability_bounding_set &= ~(UINT64_C(1) << 34); /* SYSLOG */
                if (l.protect_clock)
                        s->capability_bounding_set &=
                                ~(UINT64_C(1) << 25 | UINT64_C(1) << 35); /* SYS_TIME, WAKE_ALARM */
                if (s->dynamic_user) {
                        _cleanup_free_ char *du = NULL;
                        if (!s->user && dynamic_user_name(id, &du) >= 0 && r >= 0)
                                r = set_string(&s->user, du);
                        if (!s->group && s->user && r >= 0)
                                r = set_string(&s->group, s->user);
                        s->private_tmp = true;
                        if (r >= 0)
                                r = set_string(&s->protect_system, "strict");
                }
                /* exec directories sorted, parents first (exec_directory_sort()) */
                char **dirs_lists[] = {s->state_directory, s->cache_directory, s->logs_directory,
                                       s->runtime_directory, s->configuration_directory};
                for (size_t k = 0; k < ELEMENTSOF(dirs_lists); k++)
                        if (dirs_lists[k])
                                qsort(dirs_lists[k], strv_length(dirs_lists[k]), sizeof(char *), cmp_path);
                /* service_verify() and the implied type */
                if (r >= 0 && !l.type_set)
                        r = set_string(&s->type, l.bus_name              ? "dbus"
                                                 : s->exec[EXEC_START].n ? "simple"
                                                                         : "oneshot");
                if (r >= 0 &&
                    ((!s->exec[EXEC_START].n && !s->exec[EXEC_STOP].n && !l.success_action) ||
                     (!streq(s->type, "oneshot") && !s->exec[EXEC_START].n) ||
                     (!l.remain_after_exit && s->exec[EXEC_START].n > 1 && !streq(s->type, "oneshot"))))
                        r = set_string(&s->load_state, "bad-setting");
        }
        if (r >= 0 && !s->description)
                r = set_string(&s->description, id);
        /* a unit that did not load has no service settings at all, not defaults */
        if (r >= 0 && !s->protect_system &&
            (streq(s->load_state, "loaded") || streq(s->load_state, "bad-setting")))
                r = set_string(&s->protect_system, "no");
        if (r >= 0 && !s->runtime_directory_preserve &&
            (streq(s->load_state, "loaded") || streq(s->load_state, "bad-setting")))
                r = set_string(&s->runtime_directory_preserve, "no");
        if (r >= 0 && !s->active_state)
                r = set_string(&s->active_state, "inactive");
        if (r >= 0 && !s->sub_state)
                r = set_string(&s->sub_state, "dead");
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        service_free(s);
        return r;
}
