/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>

#include "hashmap.h"
#include "macro.h"
#include "path-util.h"
#include "unit-closure.h"
#include "unit-rules.h"

void unit_extras_done(UnitExtras *x) {
        for (size_t i = 0; i < x->n_writable; i++) {
                free(x->writable[i].path);
                free(x->writable[i].reason);
        }
        free(x->writable);
        for (size_t i = 0; i < x->n_dirs; i++) {
                free(x->dirs[i].path);
                free(x->dirs[i].reason);
        }
        free(x->dirs);
        free(x->chroot_by);
        free(x->run_as);
        free(x->run_as_where);
        strv_free(x->hazards);
        *x = (UnitExtras){};
}

bool unit_path_is_hazard(const char *path, char *const *own) {
        static const char *const never[] = {"/etc/shadow",      "/etc/gshadow", "/etc/shadow-",
                                            "/etc/gshadow-",    "/root",        "/home",
                                            "/etc/ssl/private", "/etc/sudoers", "/etc/sudoers.d"};
        for (size_t i = 0; i < ELEMENTSOF(never); i++)
                if (path_is_under(path, never[i]))
                        return true;
        /* a private key below /etc belongs to the service whose directory holds it */
        const char *rest = startswith(path, "/etc/"), *b = path_basename(path);
        size_t bl = strlen(b);
        bool key = (bl > 4 && streq(b + bl - 4, ".key")) || (bl > 4 && streq(b + bl - 4, "_key")) ||
                   strstr(path, "/private/");
        if (!rest || !key)
                return false;
        size_t dl = strcspn(rest, "/");
        for (char *const *o = own; o && *o; o++)
                if (strlen(*o) == dl && strncmp(*o, rest, dl) == 0)
                        return false;
        return true;
}

static int hazard(RuleCtx *x, const char *path, const char *reason) {
        char *w;
        for (char **h = x->x->hazards; h && *h; h++)
                if (startswith(*h, path) && (*h)[strlen(path)] == ' ')
                        return 0;
        if (asprintf(&w, "%s (%s) is never bound: it holds secrets of the host or of other services", path,
                     reason) < 0)
                return -ENOMEM;
        return strv_push(&x->x->hazards, w);
}

/* Add a file a rule found. Missing or unreadable files are skipped: rules over-approximate. */
int rule_add(RuleCtx *x, const char *path, size_t parent, NodeKind kind, const char *reason,
             size_t *ret_node) {
        if (unit_path_is_hazard(path, x->own))
                return hazard(x, path, reason);
        size_t node;
        int r = closure_add_found(x->c, path, parent, kind, reason, x->env, &node);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        if (ret_node)
                *ret_node = node;
        return 1;
}

int rule_mark(Hashmap *h, Arena *a, const char *path) {
        if (hashmap_get(h, path))
                return 0;
        const char *k = arena_strdup(a, path);
        return k ? hashmap_put(h, k, (void *)1, NULL) : -ENOMEM;
}

int rule_name_dir(RuleCtx *x, const char *path, const char *reason) {
        char *pair;
        int r = asprintf(&pair, "%s%c%s", path, 0, reason);
        if (r < 0)
                return -ENOMEM;
        return strv_push(&x->named, pair);
}

/* The file a name stands for in dirs (colon-separated lists, in order): an executable for a command. */
int rule_resolve_in(FsRoot *root, const char *name, char *const *dirs, bool exec, char **ret) {
        for (char *const *l = dirs; l && *l; l++) {
                _cleanup_free_ char *copy = strdup(*l);
                if (!copy)
                        return -ENOMEM;
                for (char *rest = copy, *d; (d = strsep(&rest, ":"));) {
                        struct stat st;
                        char *p;
                        if (d[0] != '/')
                                continue;
                        if (asprintf(&p, "%s/%s", streq(d, "/") ? "" : d, name) < 0)
                                return -ENOMEM;
                        if (fs_root_chase(root, p, NULL, &st) >= 0 && S_ISREG(st.st_mode) &&
                            (!exec || (st.st_mode & 0111))) {
                                *ret = p;
                                return 0;
                        }
                        free(p);
                }
        }
        return -ENOENT;
}

int rule_resolve_command(FsRoot *root, const char *name, char *const *dirs, char **ret) {
        return rule_resolve_in(root, name, dirs, true, ret);
}

bool rule_is_state_dir(const char *path) {
        static const char *const prefix[] = {"/var/lib/", "/var/log/", "/var/spool/", "/var/cache/", "/run/"};
        for (size_t i = 0; i < ELEMENTSOF(prefix); i++) {
                const char *rest = startswith(path, prefix[i]);
                if (rest && rest[0] && rest[0] != '/')
                        return true;
        }
        return false;
}

bool unit_dir_is_wide(const char *path) {
        static const char *const wide[] = {"/",
                                           "/etc",
                                           "/usr",
                                           "/bin",
                                           "/sbin",
                                           "/lib",
                                           "/lib64",
                                           "/usr/bin",
                                           "/usr/sbin",
                                           "/usr/lib",
                                           "/usr/share",
                                           "/usr/local",
                                           "/usr/local/bin",
                                           "/usr/local/sbin",
                                           "/usr/local/lib",
                                           "/var",
                                           "/var/lib",
                                           "/var/log",
                                           "/var/cache",
                                           "/var/spool",
                                           "/etc/default",
                                           "/etc/init.d",
                                           "/opt",
                                           "/srv",
                                           "/mnt",
                                           "/media",
                                           "/boot",
                                           "/etc/ssl",
                                           "/usr/include",
                                           "/lib/x86_64-linux-gnu",
                                           "/usr/lib/x86_64-linux-gnu",
                                           "/usr/libexec"};
        for (size_t i = 0; i < ELEMENTSOF(wide); i++)
                if (streq(path, wide[i]))
                        return true;
        return path_is_under(path, "/proc") || path_is_under(path, "/sys") || path_is_under(path, "/dev") ||
               path_is_under(path, "/tmp") || path_is_under(path, "/var/tmp");
}

/* A small directory a script names (run-parts DIR, for f in DIR/ *): its files; those of a DIR.d are
 * shell fragments when a shell script names them. */
int rule_add_dir_files(RuleCtx *x, const char *dir, size_t parent, const char *reason, bool shell) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *why = NULL;
        size_t n = 0;
        {
                _cleanup_(closedirp) DIR *d = fs_root_opendir(x->root, dir);
                if (!d)
                        return 0;
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        if (++n > DIR_FILES_MAX)
                                return 0; /* too many: not read */
                        if (strv_extend(&names, de->d_name) < 0)
                                return -ENOMEM;
                }
        }
        if (asprintf(&why, "in %s, %s", dir, reason) < 0)
                return -ENOMEM;
        bool fragments = shell && strlen(dir) > 2 && streq(dir + strlen(dir) - 2, ".d");
        for (char **nm = names; nm && *nm; nm++) {
                _cleanup_free_ char *p = NULL;
                struct stat st;
                size_t node;
                if (asprintf(&p, "%s/%s", dir, *nm) < 0)
                        return -ENOMEM;
                if (fs_root_chase(x->root, p, NULL, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                int r = rule_add(x, p, parent, NODE_FILE, why, &node);
                if (r > 0 && fragments)
                        r = rule_mark_shell(x, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int rule_add_entry(UnitWritable **l, size_t *n, const char *path, const char *reason, bool directory) {
        for (size_t i = 0; i < *n; i++)
                if (path_is_under(path, (*l)[i].path))
                        return 0;
        UnitWritable *w = realloc(*l, (*n + 1) * sizeof(UnitWritable));
        if (!w)
                return -ENOMEM;
        *l = w;
        w[*n] = (UnitWritable){.path = strdup(path), .reason = strdup(reason), .directory = directory};
        if (!w[*n].path || !w[*n].reason) {
                free(w[*n].path);
                free(w[*n].reason);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static bool is_elf_file(RuleCtx *x, const char *path) {
        const char *real;
        struct stat st;
        char m[4];
        if (fs_root_chase(x->root, path, &real, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 64)
                return false;
        _cleanup_close_ int fd = fs_root_open(x->root, real, O_RDONLY);
        return fd >= 0 && pread(fd, m, 4, 0) == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static int elf_tree(RuleCtx *x, const char *dir, const char *why, unsigned depth, size_t *budget) {
        if (depth > 8)
                return 0;
        _cleanup_(closedirp) DIR *d = fs_root_opendir(x->root, dir);
        if (!d)
                return 0;
        size_t anchor = 0;
        for (struct dirent *de; (de = readdir(d)) && *budget > 0;) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                (*budget)--;
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                int r = 0;
                if (de->d_type == DT_DIR)
                        r = elf_tree(x, p, why, depth + 1, budget);
                else if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN) && is_elf_file(x, p))
                        r = rule_add(x, p, anchor, NODE_EXEC, why, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A directory of the service's own (/etc/munin for munin-node): bound whole, unless it holds what is
 * never bound. */
static int own_dir(RuleCtx *x, const char *dir, const char *reason) {
        _cleanup_(closedirp) DIR *d = fs_root_opendir(x->root, dir);
        if (!d)
                return 0;
        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (de->d_name[0] != '.' && unit_path_is_hazard(p, NULL))
                        return 0;
        }
        _cleanup_free_ char *why = NULL;
        if (asprintf(&why, "a directory of its own, %s", reason) < 0)
                return -ENOMEM;
        int r = rule_add_entry(&x->x->dirs, &x->x->n_dirs, dir, why, true);
        if (r < 0)
                return r;
        /* the programs and plugins in it bring their libraries (/usr/lib/postgresql/15/bin/postgres) */
        size_t budget = 4096;
        return elf_tree(x, dir, why, 0, &budget);
}

/* An absolute path a script or an Exec line names. */
int rule_named_path(RuleCtx *x, const char *path, size_t parent, const char *reason, bool shell) {
        struct stat st;
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        path_normalize(p);
        if (unit_path_is_hazard(p, x->own))
                return hazard(x, p, reason);
        if (fs_root_chase(x->root, p, NULL, &st) < 0) {
                /* a file to be created: its directory may be state */
                char *slash = strrchr(p, '/');
                if (slash && slash != p) {
                        *slash = 0;
                        if (rule_is_state_dir(p) && fs_root_chase(x->root, p, NULL, &st) >= 0 &&
                            S_ISDIR(st.st_mode))
                                return rule_name_dir(x, p, reason);
                }
                return 0;
        }
        if (rule_is_state_dir(p) || path_is_under(p, "/run") || path_is_under(p, "/var/run")) {
                if (S_ISDIR(st.st_mode))
                        return rule_name_dir(x, p, reason);
                char *slash = strrchr(p, '/');
                *slash = 0;
                if (rule_is_state_dir(p))
                        return rule_name_dir(x, p, reason);
                /* a file directly in /var/log (vsftpd.log): the file itself; in /run only one of its own
                 * that clients read there (atd.pid, which at signals) */
                *slash = '/';
                bool run = path_is_under(p, "/run") || path_is_under(p, "/var/run");
                return S_ISREG(st.st_mode) && (!run || rule_own_place(x, p, "")) ? rule_name_dir(x, p, reason)
                                                                                 : 0;
        }
        if (unit_dir_is_wide(p) || (path_is_under(p, "/var") && !path_is_under(p, "/var/www")))
                return 0;
        if (S_ISDIR(st.st_mode) && (x->rules & UNIT_RULE_PACKAGE) && rule_own_place(x, p, "") &&
            (startswith(p, "/etc/") || startswith(p, "/usr/share/") || startswith(p, "/usr/lib/")))
                return own_dir(x, p, reason);
        if (S_ISDIR(st.st_mode))
                return rule_add_dir_files(x, p, parent, reason, shell);
        if (!S_ISREG(st.st_mode))
                return 0;
        /* an executable a configuration names is run (lighttpd's include_shell of a Perl script) */
        int r = rule_add(x, p, parent, (st.st_mode & 0111) ? NODE_EXEC : NODE_FILE, reason, NULL);
        return r < 0 ? r : 0;
}

int unit_closure_extend(Closure *c, UnitRun *run, DpkgDb *db, const Service *svc, const ClosureEnv *env,
                        unsigned rules, UnitExtras *ret) {
        UnitExtras extras = {};
        RuleCtx x = {.c = c,
                     .root = closure_root(c),
                     .db = db,
                     .svc = svc,
                     .env = env,
                     .rules = rules,
                     .x = &extras};
        UnitWalk *own_walk = NULL;
        int r = run ? unit_run_walk(run, svc, env, rules, &x.walk) : unit_walk_new(&own_walk);
        if (r < 0)
                return r;
        if (!run)
                x.walk = own_walk;
        x.shell = x.walk->shell;
        x.scanned = x.walk->scanned;
        x.compiled = x.walk->compiled;
        x.arena = x.walk->arena;
        r = -ENOMEM;
        _cleanup_free_ char *unit = strndup(svc->id, strcspn(svc->id, "@."));
        if (!unit || strv_extend(&x.own, unit) < 0)
                goto out;
        if (db && (rules & (UNIT_RULE_PACKAGE | UNIT_RULE_STATE | UNIT_RULE_PLUGINS)) &&
            (r = rule_find_packages(&x)) < 0)
                goto out;
        if ((rules & (UNIT_RULE_PACKAGE | UNIT_RULE_STATE)) && (r = rule_package_files(&x)) < 0)
                goto out;
        if ((r = rule_exec_lines(&x)) < 0 || (r = rule_walk_nodes(&x)) < 0)
                goto out;
        if ((rules & UNIT_RULE_PLUGINS) && ((r = rule_plugins(&x)) < 0 || (r = rule_walk_nodes(&x)) < 0))
                goto out;
        if ((rules & UNIT_RULE_STATE) && (r = rule_state_dirs(&x)) < 0)
                goto out;
        r = rule_chroot_by(&x);
out:
        strv_free(x.own);
        strv_free(x.pkgs);
        strv_free(x.pkg_of);
        strv_free(x.pkg_dirs);
        strv_free(x.named);
        unit_walk_free(own_walk);
        if (r < 0) {
                unit_extras_done(&extras);
                return r;
        }
        *ret = extras;
        return 0;
}
