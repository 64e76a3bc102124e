/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/mman.h>

#include "macro.h"
#include "path-util.h"
#include "unit-rules.h"

static bool package_file_wanted(const char *f) {
        static const char *const skip[] = {
                "/usr/share/doc",      "/usr/share/man",
                "/usr/share/info",     "/usr/share/lintian",
                "/usr/share/bug",      "/usr/share/bash-completion",
                "/usr/share/zsh",      "/usr/share/fish",
                "/usr/share/menu",     "/usr/share/applications",
                "/usr/share/icons",    "/usr/share/pixmaps",
                "/usr/share/apport",   "/usr/share/locale",
                "/usr/share/doc-base", "/usr/share/vim",
                "/usr/share/debconf",  "/lib/systemd",
                "/usr/lib/systemd",    "/etc/systemd",
                "/usr/lib/tmpfiles.d", "/usr/lib/sysusers.d",
                "/etc/init.d",         "/etc/init",
                "/etc/logrotate.d",    "/etc/ufw",
                "/etc/apparmor.d",     "/etc/insserv.conf.d",
                "/etc/rc0.d",          "/etc/rc1.d",
                "/etc/rc2.d",          "/etc/rc3.d",
                "/etc/rc4.d",          "/etc/rc5.d",
                "/etc/rc6.d",          "/etc/rcS.d",
                "/usr/share/upstart",  "/etc/bash_completion.d",
                "/usr/lib/debug",
        };
        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (path_is_under(f, skip[i]))
                        return false;
        /* the package's user commands (client tools, wrappers): what the unit runs is found by its Exec lines
         * and scripts; its daemons in /usr/sbin stay */
        static const char *const bins[] = {"/usr/bin", "/bin", "/usr/games"};
        for (size_t i = 0; i < ELEMENTSOF(bins); i++)
                if (path_is_under(f, bins[i]))
                        return false;
        const char *b = path_basename(f);
        return !startswith(b, "changelog") && !startswith(b, "README") && !startswith(b, "NEWS");
}

/* The packages of the unit's programs, and the packages of the same source they depend on. */
int rule_find_packages(RuleCtx *x) {
        size_t n = closure_n_nodes(x->c);
        _cleanup_free_ const char **paths = calloc(2 * n + 2, sizeof(char *)),
                                  **owners = calloc(2 * n + 2, sizeof(char *));
        _cleanup_free_ size_t *idx = calloc(2 * n + 2, sizeof(size_t));
        if (!paths || !owners || !idx)
                return -ENOMEM;
        size_t k = 0;
        /* the program as the unit names it (/usr/bin/redis-server, of redis-server) and its real file
         * (/usr/bin/redis-check-rdb, of redis-tools) */
        for (size_t i = 0; i < n; i++) {
                const ClosureNode *c = closure_node(x->c, i);
                if (!c->root || (c->kind != NODE_EXEC && c->kind != NODE_SCRIPT))
                        continue;
                idx[k] = i;
                paths[k++] = c->path;
                if (!streq(c->path, c->realpath)) {
                        idx[k] = i;
                        paths[k++] = c->realpath;
                }
        }
        /* the unit file's own package (tinyproxy.service is tinyproxy's; its program is tinyproxy-bin's) */
        size_t first_root = SIZE_MAX;
        for (size_t i = 0; i < n && first_root == SIZE_MAX; i++)
                if (closure_node(x->c, i)->root)
                        first_root = i;
        if (x->svc->fragment_path && first_root != SIZE_MAX) {
                idx[k] = first_root;
                paths[k++] = x->svc->fragment_path;
        }
        int r = dpkg_db_find_owners(x->db, paths, k, owners);
        if (r < 0)
                return r;
        for (size_t i = 0; i < k; i++) {
                if (!owners[i])
                        continue;
                _cleanup_free_ char *pkgname = strndup(owners[i], strcspn(owners[i], ", "));
                const DpkgPackage *p;
                if (!pkgname)
                        return -ENOMEM;
                if (dpkg_db_package_info(x->db, pkgname, &p) < 0)
                        continue;
                /* the shell's, coreutils'...: tools, not the daemon's own */
                if (p->essential || streq(p->priority, "required"))
                        continue;
                _cleanup_(strv_freep) char **deps = NULL;
                if (dpkg_depends_names(p->depends, &deps) < 0 || strv_extend(&deps, p->name) < 0)
                        return -ENOMEM;
                for (char **d = deps; *d; d++) {
                        const DpkgPackage *q;
                        if (dpkg_db_package_info(x->db, *d, &q) < 0 || !streq(q->source, p->source) ||
                            strv_contains(x->pkgs, q->name))
                                continue;
                        if (strv_extend(&x->pkgs, q->name) < 0 ||
                            strv_extend(&x->pkg_of, closure_node(x->c, idx[i])->path) < 0 ||
                            (!strv_contains(x->own, q->name) && strv_extend(&x->own, q->name) < 0) ||
                            (!strv_contains(x->own, q->source) && strv_extend(&x->own, q->source) < 0))
                                return -ENOMEM;
                }
        }
        return 0;
}

/* Absolute paths in a text: a configuration file's (state directories always; with the package rule the
 * files and small directories it names too: a helper the configuration runs, a site's document root), or
 * the string literals of a Perl or Python script (quoted only). Comment lines are skipped. */
int rule_text_paths(RuleCtx *x, size_t parent, const char *origin, const char *text, size_t size, bool quoted,
                    TextPaths which) {
        unsigned line = 1;
        bool comment = false, start = true;
        for (size_t i = 0; i < size; i++) {
                if (text[i] == '\n') {
                        line++;
                        comment = false;
                        start = true;
                        continue;
                }
                if (start && !strchr(" \t", text[i])) {
                        comment = strchr("#;", text[i]) != NULL;
                        start = false;
                }
                if (comment || text[i] != '/' ||
                    (i > 0 && !strchr(quoted ? "\"'`" : " \t=\"':", text[i - 1])) || (i == 0 && quoted))
                        continue;
                size_t len = strcspn(text + i, quoted ? "\"'`\n " : " \t\n\"';,)");
                bool state = startswith(text + i, "/var/") || startswith(text + i, "/run/");
                if (!state &&
                    (which == TEXT_PATHS_STATE || !(x->rules & (UNIT_RULE_PACKAGE | UNIT_RULE_SCRIPTS))))
                        continue;
                _cleanup_free_ char *p = strndup(text + i, len), *reason = NULL;
                if (!p || asprintf(&reason, "named in %s line %u", origin, line) < 0)
                        return -ENOMEM;
                /* include /etc/nginx/modules-enabled/ *.conf: the directory */
                char *glob = strpbrk(p, "*?[");
                if (glob && !quoted) {
                        *glob = 0;
                        char *slash = strrchr(p, '/');
                        if (slash && slash != p)
                                *slash = 0;
                }
                int r = 0;
                if (len > 1 && !strpbrk(p, "$*?[%{<>| \t@\\") &&
                    (which != TEXT_PATHS_OWN || rule_own_place(x, p, "")) &&
                    (r = rule_named_path(x, p, parent, reason, false)) < 0)
                        return r;
                i += len ? len - 1 : 0;
        }
        return 0;
}

static bool user_exists(RuleCtx *x, const char *name) {
        uid_t uid;
        gid_t gid;
        return rule_lookup_user(x->root, name, &uid, &gid) >= 0 && uid != 0;
}

/* "user www-data;" (nginx), "User=mysql", "user = munin", "RunAsUser munin": the user a root daemon
 * switches to, when it exists. */
static int run_as_user(RuleCtx *x, const char *conffile, const char *text) {
        unsigned line = 0;
        for (const char *l = text; l && *l && !x->x->run_as;
             l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                line++;
                l += strspn(l, " \t");
                if (*l == '[')
                        break; /* a section of an INI file ([plugin]): not the daemon's own */
                const char *k = strncasecmp(l, "user", 4) == 0        ? l + 4
                                : strncasecmp(l, "runasuser", 9) == 0 ? l + 9
                                                                      : NULL;
                if (!k || !strchr(" \t=:", *k))
                        continue;
                k += strspn(k, " \t=:");
                size_t n = strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                if (n == 0 || n > 32 || !strchr(" \t;\n", k[n] ? k[n] : '\n'))
                        continue;
                _cleanup_free_ char *name = strndup(k, n);
                if (!name)
                        return -ENOMEM;
                if (!user_exists(x, name))
                        continue;
                if (asprintf(&x->x->run_as_where, "%s line %u", conffile, line) < 0)
                        return -ENOMEM;
                x->x->run_as = TAKE_PTR(name);
        }
        return 0;
}

/* bound: the conffile is in the root; one that is not (an init script, a logrotate rule) still says where
 * the service keeps its state, but what else it names is for programs that never run in the root */
static int conffile_paths(RuleCtx *x, const char *conffile, size_t parent, bool bound) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = rule_read_text(x, conffile, CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if (!x->x->run_as && (r = run_as_user(x, conffile, text)) < 0)
                return r;
        return rule_text_paths(x, parent, conffile, text, size, false,
                               bound ? TEXT_PATHS_ALL : TEXT_PATHS_STATE);
}

/* Paths compiled into a program (its strings), where they name its own places: /etc/NAME..., /usr/share/NAME,
 * /var/lib/NAME..., NAME one of the unit's, its program's or its packages' names. The configuration file a
 * daemon opens by default is found this way (/etc/ssh/sshd_config, /etc/tinyproxy/tinyproxy.conf). */
bool rule_own_place(RuleCtx *x, const char *path, const char *prog) {
        static const char *const bases[] = {"/etc/",       "/usr/share/", "/usr/lib/",
                                            "/var/lib/",   "/var/log/",   "/var/spool/",
                                            "/var/cache/", "/run/",       "/var/run/"};
        for (size_t b = 0; b < ELEMENTSOF(bases); b++) {
                const char *rest = startswith(path, bases[b]);
                if (!rest)
                        continue;
                for (char *const *o = x->own;; o++) {
                        const char *name = *o ? *o : prog;
                        size_t n = name ? strlen(name) : 0;
                        /* "cron" owns /etc/cron.d and /etc/crontab; "at" owns /etc/at.deny, not /etc/atop */
                        if (n >= 2 && strncmp(rest, name, n) == 0 &&
                            (n >= 4 || !rest[n] || strchr("/.-_", rest[n])))
                                return true;
                        if (!*o)
                                break;
                }
        }
        return false;
}

#define PROGRAM_MAX (64u * 1024 * 1024) /* a program beyond this is not read */

/* Whether the file on fd is an ELF file that contains "\0chroot\0" (its dynamic string table names
 * chroot(2)), read in bounded chunks: a daemon of tens of megabytes (a Go program) costs no more memory than
 * a small one. */
static bool fd_names_chroot(int fd) {
        static const char needle[] = "\0chroot\0";
        const size_t n = sizeof needle - 1, chunk = 256 * 1024;
        _cleanup_free_ char *buf = malloc(chunk + n);
        size_t kept = 0;
        if (!buf || pread(fd, buf, 4, 0) != 4 || memcmp(buf, "\177ELF", 4) != 0)
                return false;
        for (off_t off = 0;;) {
                ssize_t k = pread(fd, buf + kept, chunk, off);
                if (k <= 0)
                        return false;
                off += k;
                if (memmem(buf, kept + k, needle, n))
                        return true;
                /* the last bytes again at the front: a match across two chunks is found too */
                size_t tail = MIN(kept + (size_t)k, n - 1);
                memmove(buf, buf + kept + k - tail, tail);
                kept = tail;
        }
}

/* Whether the ELF file at real names chroot(2): answered once per file per run. */
static int elf_names_chroot(RuleCtx *x, const char *real, bool *ret) {
        static const char yes[] = "y", no[] = "n";
        struct stat st;
        if (fs_root_chase(x->root, real, NULL, &st) < 0 || !S_ISREG(st.st_mode)) {
                *ret = false;
                return 0;
        }
        const char *m = fs_root_memo_get(x->root, "chroot", &st, NULL);
        if (!m) {
                _cleanup_close_ int fd = st.st_size >= 4 && (uint64_t)st.st_size <= PROGRAM_MAX
                                                 ? fs_root_open(x->root, real, O_RDONLY)
                                                 : -EBADF;
                m = fd >= 0 && fd_names_chroot(fd) ? yes : no;
                if (fs_root_memo_put(x->root, "chroot", &st, NULL, (void *)m) < 0)
                        return -ENOMEM;
        }
        *ret = m == yes;
        return 0;
}

/* The daemon itself (an ExecStart= program) imports chroot(2): its dynamic string table names it. Tools that
 * merely could (start-stop-daemon --chroot) do not count. The first such program in the closure's order. */
int rule_chroot_by(RuleCtx *x) {
        size_t first = SIZE_MAX, node;
        for (size_t k = 0; k < x->svc->exec[EXEC_START].n; k++) {
                bool chroot;
                if (closure_find(x->c, x->svc->exec[EXEC_START].items[k].path, &node) < 0 || node >= first ||
                    closure_node(x->c, node)->kind != NODE_EXEC)
                        continue;
                int r = elf_names_chroot(x, closure_node(x->c, node)->realpath, &chroot);
                if (r < 0)
                        return r;
                if (chroot)
                        first = node;
        }
        if (first != SIZE_MAX && !(x->x->chroot_by = strdup(closure_node(x->c, first)->path)))
                return -ENOMEM;
        return 0;
}

/* The absolute paths in a program's text: strings of their own, or inside a message ("Cannot open
 * /run/atd.pid"), up to a space or ": ". NULL-terminated, in the root's memo arena. */
static int program_strings(FsRoot *root, const char *text, size_t size, char ***ret) {
        Arena *a = fs_root_memo_arena(root);
        _cleanup_free_ char **v = NULL;
        size_t n = 0, allocated = 0;
        for (size_t i = 0; i < size; i++) {
                if (text[i] != '/' || (i > 0 && text[i - 1] != 0 && text[i - 1] != ' '))
                        continue;
                size_t len = strnlen(text + i, size - i);
                if (i + len >= size)
                        continue;
                for (size_t k = 0; k < len; k++)
                        if (text[i + k] == ' ' ||
                            (text[i + k] == ':' && k + 1 < len && text[i + k + 1] == ' ')) {
                                len = k;
                                break;
                        }
                if (len < 5 || len > 255)
                        continue;
                bool printable = true;
                for (size_t k = 0; k < len && printable; k++)
                        printable =
                                text[i + k] > ' ' && text[i + k] < 0x7f && !strchr("%$*?[{\\", text[i + k]);
                if (printable && (!GROW(v, allocated, n + 2) || !(v[n++] = arena_strndup(a, text + i, len))))
                        return -ENOMEM;
                i += len;
        }
        char **m = arena_alloc(a, (n + 1) * sizeof(char *));
        if (!m)
                return -ENOMEM;
        if (n > 0)
                memcpy(m, v, n * sizeof(char *));
        m[n] = NULL;
        *ret = m;
        return 0;
}

/* program_strings() of the ELF file at real: the file mapped, not read, and its strings found once per run;
 * NULL (*ret) for a file that is no ELF file or cannot be read. */
static int compiled_strings(RuleCtx *x, const char *real, char *const **ret) {
        static char *none[] = {NULL};
        struct stat st;
        char **m;
        if (fs_root_chase(x->root, real, NULL, &st) < 0 || !S_ISREG(st.st_mode)) {
                *ret = NULL;
                return 0;
        }
        if ((m = fs_root_memo_get(x->root, "strings", &st, NULL))) {
                *ret = m == none ? NULL : m;
                return 0;
        }
        _cleanup_close_ int fd = st.st_size >= 4 && (uint64_t)st.st_size <= PROGRAM_MAX
                                         ? fs_root_open(x->root, real, O_RDONLY)
                                         : -EBADF;
        void *map = fd >= 0 ? mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
        int r = 0;
        m = none;
        if (map != MAP_FAILED) {
                if (memcmp(map, "\177ELF", 4) == 0)
                        r = program_strings(x->root, map, st.st_size, &m);
                munmap(map, st.st_size);
        }
        if (r < 0 || fs_root_memo_put(x->root, "strings", &st, NULL, m) < 0)
                return -ENOMEM;
        *ret = m == none ? NULL : m;
        return 0;
}

int rule_compiled_paths(RuleCtx *x, size_t node) {
        _cleanup_free_ char *reason = NULL;
        char *const *strings;
        if (!(x->rules & UNIT_RULE_PACKAGE))
                return 0;
        int r = compiled_strings(x, closure_node(x->c, node)->realpath, &strings);
        if (r < 0 || !strings)
                return r;
        /* the node's path lives in the closure's arena: it stays where it is as nodes are added */
        const char *path = closure_node(x->c, node)->path, *prog = path_basename(path);
        if (asprintf(&reason, "compiled into %s", path) < 0)
                return -ENOMEM;
        for (char *const *s = strings; *s; s++)
                if (rule_own_place(x, *s, prog) && (r = rule_named_path(x, *s, node, reason, false)) < 0)
                        return r;
        return 0;
}

int rule_package_files(RuleCtx *x) {
        int r = 0;
        for (size_t i = 0; x->pkgs && x->pkgs[i] && r >= 0; i++) {
                size_t parent;
                if (closure_find(x->c, x->pkg_of[i], &parent) < 0)
                        continue;
                _cleanup_(strv_freep) char **conf = NULL, **files = NULL;
                if ((r = dpkg_db_package_conffiles(x->db, x->pkgs[i], &conf)) < 0 && r != -ENOENT)
                        return r;
                if ((r = dpkg_db_package_files(x->db, x->pkgs[i], &files)) < 0 && r != -ENOENT)
                        return r;
                r = 0;
                _cleanup_free_ char *cwhy = NULL, *fwhy = NULL;
                if (asprintf(&cwhy, "conffile of %s", x->pkgs[i]) < 0 ||
                    asprintf(&fwhy, "file of %s", x->pkgs[i]) < 0)
                        return -ENOMEM;
                for (char **f = conf; f && *f && r >= 0; f++) {
                        bool wanted = package_file_wanted(*f);
                        if ((x->rules & UNIT_RULE_PACKAGE) && wanted)
                                r = rule_add(x, *f, parent, NODE_FILE, cwhy, NULL);
                        if (r >= 0)
                                r = conffile_paths(x, *f, parent, wanted);
                }
                for (char **f = files; f && *f && r >= 0; f++) {
                        struct stat st;
                        if (fs_root_chase(x->root, *f, NULL, &st) < 0)
                                continue;
                        if (S_ISDIR(st.st_mode)) {
                                if (rule_is_state_dir(*f) && (r = strv_extend(&x->pkg_dirs, *f)) >= 0)
                                        r = rule_name_dir(x, *f, fwhy);
                                /* a link to a directory (/usr/share/nginx/modules -> /usr/lib/nginx/modules):
                                 * the files behind it, at the link's path */
                                else if ((x->rules & UNIT_RULE_PACKAGE) && package_file_wanted(*f) &&
                                         fs_root_is_symlink(x->root, *f) > 0)
                                        r = rule_add_dir_files(x, *f, parent, fwhy, false);
                                continue;
                        }
                        if (S_ISREG(st.st_mode) && (x->rules & UNIT_RULE_PACKAGE) &&
                            package_file_wanted(*f) && !strv_contains(conf, *f) && !path_is_under(*f, "/var"))
                                r = rule_add(x, *f, parent, NODE_FILE, fwhy, NULL);
                }
        }
        return r < 0 ? r : 0;
}
