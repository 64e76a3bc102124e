/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>

#include "hashmap.h"
#include "interp.h"
#include "macro.h"
#include "path-util.h"
#include "shell-scan.h"
#include "unit-closure.h"

#define SCRIPT_MAX (8u * 1024 * 1024)
#define CONFFILE_MAX (4u * 1024 * 1024)
#define DIR_FILES_MAX 64 /* a directory a script names is read whole only when it is this small */

typedef struct Ctx {
        Closure *c;
        FsRoot *root;
        DpkgDb *db;
        const Service *svc;
        const ClosureEnv *env;
        unsigned rules;
        UnitExtras *x;
        char **own;        /* the unit's name and its packages' names and sources: whose keys are its own */
        char **pkgs;       /* the packages of the unit's programs, with their siblings */
        char **pkg_of;     /* pkgs[i] was found for the program pkg_of[i] */
        char **pkg_dirs;   /* directories those packages create */
        char **named;      /* directories named in Exec lines, scripts and conffiles: "PATH\0REASON" pairs */
        Hashmap *shell;    /* node path -> 1: scan as shell text */
        Hashmap *scanned;  /* node path -> 1: done */
        Hashmap *compiled; /* node path -> 1: its strings read */
        Arena *arena;
} Ctx;

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

static int hazard(Ctx *x, const char *path, const char *reason) {
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
static int add(Ctx *x, const char *path, size_t parent, NodeKind kind, const char *reason, size_t *ret_node) {
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

static int mark(Hashmap *h, Arena *a, const char *path) {
        if (hashmap_get(h, path))
                return 0;
        const char *k = arena_strdup(a, path);
        return k ? hashmap_put(h, k, (void *)1, NULL) : -ENOMEM;
}

static int name_dir(Ctx *x, const char *path, const char *reason) {
        char *pair;
        int r = asprintf(&pair, "%s%c%s", path, 0, reason);
        if (r < 0)
                return -ENOMEM;
        return strv_push(&x->named, pair);
}

/* The file a name stands for in dirs (colon-separated lists, in order): an executable for a command. */
static int resolve_in(FsRoot *root, const char *name, char *const *dirs, bool exec, char **ret) {
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

static int resolve_command(FsRoot *root, const char *name, char *const *dirs, char **ret) {
        return resolve_in(root, name, dirs, true, ret);
}

static bool is_state_dir(const char *path) {
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
static int add_dir_files(Ctx *x, const char *dir, size_t parent, const char *reason, bool shell) {
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
                int r = add(x, p, parent, NODE_FILE, why, &node);
                if (r > 0 && fragments)
                        r = mark(x->shell, x->arena, p);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool own_place(Ctx *x, const char *path, const char *prog);

static int add_entry(UnitWritable **l, size_t *n, const char *path, const char *reason, bool directory) {
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

static bool is_elf_file(Ctx *x, const char *path) {
        const char *real;
        struct stat st;
        char m[4];
        if (fs_root_chase(x->root, path, &real, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 64)
                return false;
        _cleanup_close_ int fd = fs_root_open(x->root, real, O_RDONLY);
        return fd >= 0 && pread(fd, m, 4, 0) == 4 && memcmp(m, "\177ELF", 4) == 0;
}

static int elf_tree(Ctx *x, const char *dir, const char *why, unsigned depth, size_t *budget) {
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
                        r = add(x, p, anchor, NODE_EXEC, why, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A directory of the service's own (/etc/munin for munin-node): bound whole, unless it holds what is
 * never bound. */
static int own_dir(Ctx *x, const char *dir, const char *reason) {
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
        int r = add_entry(&x->x->dirs, &x->x->n_dirs, dir, why, true);
        if (r < 0)
                return r;
        /* the programs and plugins in it bring their libraries (/usr/lib/postgresql/15/bin/postgres) */
        size_t budget = 4096;
        return elf_tree(x, dir, why, 0, &budget);
}

/* An absolute path a script or an Exec line names. */
static int named_path(Ctx *x, const char *path, size_t parent, const char *reason, bool shell) {
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
                        if (is_state_dir(p) && fs_root_chase(x->root, p, NULL, &st) >= 0 &&
                            S_ISDIR(st.st_mode))
                                return name_dir(x, p, reason);
                }
                return 0;
        }
        if (is_state_dir(p) || path_is_under(p, "/run") || path_is_under(p, "/var/run")) {
                if (S_ISDIR(st.st_mode))
                        return name_dir(x, p, reason);
                char *slash = strrchr(p, '/');
                *slash = 0;
                if (is_state_dir(p))
                        return name_dir(x, p, reason);
                /* a file directly in /var/log (vsftpd.log): the file itself; in /run only one of its own
                 * that clients read there (atd.pid, which at signals) */
                *slash = '/';
                bool run = path_is_under(p, "/run") || path_is_under(p, "/var/run");
                return S_ISREG(st.st_mode) && (!run || own_place(x, p, "")) ? name_dir(x, p, reason) : 0;
        }
        if (unit_dir_is_wide(p) || (path_is_under(p, "/var") && !path_is_under(p, "/var/www")))
                return 0;
        if (S_ISDIR(st.st_mode) && (x->rules & UNIT_RULE_PACKAGE) && own_place(x, p, "") &&
            (startswith(p, "/etc/") || startswith(p, "/usr/share/") || startswith(p, "/usr/lib/")))
                return own_dir(x, p, reason);
        if (S_ISDIR(st.st_mode))
                return add_dir_files(x, p, parent, reason, shell);
        if (!S_ISREG(st.st_mode))
                return 0;
        /* an executable a configuration names is run (lighttpd's include_shell of a Perl script) */
        int r = add(x, p, parent, (st.st_mode & 0111) ? NODE_EXEC : NODE_FILE, reason, NULL);
        return r < 0 ? r : 0;
}

static bool shell_interp(const char *real) {
        const char *b = path_basename(real);
        return streq(b, "sh") || streq(b, "dash") || streq(b, "bash");
}

/* Shell text of node: the commands it runs, the files it sources and names. */
static int scan_shell(Ctx *x, size_t node, const char *origin, const char *text, size_t size) {
        ShellRef *refs = NULL;
        size_t n = 0;
        int r = shell_scan(text, size, &refs, &n);
        if (r < 0)
                return r;
        /* the PATH the script sets, then the unit's */
        char **dirs = NULL;
        for (size_t i = 0; i < n && r >= 0; i++)
                if (refs[i].kind == SHELL_REF_PATH_VAR)
                        r = strv_extend(&dirs, refs[i].word);
        if (r >= 0)
                r = strv_extend(&dirs, x->env && x->env->path ? x->env->path : CLOSURE_DEFAULT_PATH);
        for (size_t i = 0; i < n && r >= 0; i++) {
                const ShellRef *ref = refs + i;
                _cleanup_free_ char *reason = NULL, *prog = NULL;
                const char *what = ref->kind == SHELL_REF_COMMAND  ? "command in"
                                   : ref->kind == SHELL_REF_SOURCE ? "sourced by"
                                   : ref->kind == SHELL_REF_VALUE  ? "command named in"
                                                                   : "named in";
                if (asprintf(&reason, "%s %s line %u", what, origin, ref->line) < 0) {
                        r = -ENOMEM;
                        break;
                }
                size_t child;
                switch (ref->kind) {
                case SHELL_REF_COMMAND:
                        if (ref->word[0] == '/')
                                r = add(x, ref->word, node, NODE_EXEC, reason, NULL);
                        else if (!strchr(ref->word, '/') &&
                                 resolve_command(x->root, ref->word, dirs, &prog) >= 0)
                                r = add(x, prog, node, NODE_EXEC, reason, NULL);
                        break;
                case SHELL_REF_VALUE:
                        /* only a name that is a program of the root's own PATH, and not a shell word */
                        if (strlen(ref->word) >= 3 && resolve_command(x->root, ref->word, dirs, &prog) >= 0)
                                r = add(x, prog, node, NODE_EXEC, reason, NULL);
                        break;
                case SHELL_REF_SOURCE:
                        if (ref->word[0] == '/' &&
                            (r = add(x, ref->word, node, NODE_FILE, reason, &child)) > 0)
                                r = mark(x->shell, x->arena, closure_node(x->c, child)->path);
                        break;
                case SHELL_REF_PATH:
                        r = named_path(x, ref->word, node, reason, true);
                        break;
                default:
                        break;
                }
        }
        strv_free(dirs);
        shell_refs_free(refs, n);
        return r < 0 ? r : 0;
}

static int read_text(Ctx *x, const char *path, size_t max, char **ret, size_t *ret_size) {
        int r = fs_root_read_file(x->root, path, max, ret, ret_size);
        return r == -ENOMEM ? r : r < 0 ? 0 : 1;
}

/* The interpreter node a script node runs under: the first of its dependencies an interpreter matches. */
/* The real file of the interpreter a script's #! line names (through /usr/bin/env NAME too), read from the
 * script itself: the kind of its interpreter's node tells nothing when that program is also run directly
 * (/bin/sh is the root's /bin/sh and an interpreter). */
static int script_interpreter(Ctx *x, size_t node, const char **ret_real) {
        const ClosureNode *n = closure_node(x->c, node);
        char buf[257];
        _cleanup_close_ int fd = fs_root_open(x->root, n->realpath, O_RDONLY);
        ssize_t k = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
        if (k < 3 || buf[0] != '#' || buf[1] != '!')
                return -ENOEXEC;
        buf[k] = 0;
        buf[strcspn(buf, "\n")] = 0;
        char *save = NULL, *interp = strtok_r(buf + 2, " \t", &save);
        if (!interp)
                return -ENOEXEC;
        _cleanup_free_ char *found = NULL;
        if (streq(path_basename(interp), "env")) {
                char *w;
                while ((w = strtok_r(NULL, " \t", &save)) && (w[0] == '-' || strchr(w, '=')))
                        ;
                char *dirs[] = {(char *)(x->env && x->env->path ? x->env->path : CLOSURE_DEFAULT_PATH), NULL};
                if (!w || (w[0] != '/' && resolve_command(x->root, w, dirs, &found) < 0))
                        return -ENOENT;
                interp = found ? found : w;
        }
        return fs_root_chase(x->root, interp, ret_real, NULL);
}

static const Interpreter *script_interp(Ctx *x, size_t node, size_t *ret_interp) {
        const char *real;
        if (script_interpreter(x, node, &real) < 0)
                return NULL;
        const Interpreter *ip = interp_find(real);
        const ClosureNode *n = closure_node(x->c, node);
        for (size_t k = 0; ip && k < n->n_deps; k++)
                if (streq(closure_node(x->c, n->deps[k])->realpath, real)) {
                        *ret_interp = n->deps[k];
                        return ip;
                }
        return NULL;
}

static bool node_is_shell_script(Ctx *x, size_t node) {
        const char *real;
        return closure_node(x->c, node)->kind == NODE_SCRIPT && script_interpreter(x, node, &real) >= 0 &&
               shell_interp(real);
}

static int text_paths(Ctx *x, size_t parent, const char *origin, const char *text, size_t size, bool quoted,
                      bool own_only);

static bool endswith_module_source(const char *p) {
        size_t n = strlen(p);
        return (n > 3 && (streq(p + n - 3, ".pm") || streq(p + n - 3, ".py"))) ||
               (n > 3 && streq(p + n - 3, ".pl"));
}

/* Scripts and modules, until nothing new turns up: files added may be scripts themselves. */
static int compiled_paths(Ctx *x, size_t node);

static int walk_nodes(Ctx *x) {
        int r;
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                const ClosureNode *n = closure_node(x->c, i);
                if (hashmap_get(x->scanned, n->path))
                        continue;
                bool shell = node_is_shell_script(x, i) || hashmap_get(x->shell, n->path);
                size_t interp_node;
                const Interpreter *ip = NULL;
                /* what the programs have compiled in, the unit's own and those its scripts run */
                if (n->kind == NODE_EXEC && !hashmap_get(x->compiled, n->path)) {
                        _cleanup_free_ char *cpath = strdup(n->path);
                        if (!cpath || mark(x->compiled, x->arena, cpath) < 0)
                                return -ENOMEM;
                        if ((r = compiled_paths(x, i)) < 0)
                                return r;
                        n = closure_node(x->c, i);
                }
                /* a module with a #! line of its own (pdb.py) is a module here, not a script */
                bool module = (n->reason &&
                               (strstr(n->reason, " module of ") || strstr(n->reason, " extension of "))) ||
                              (n->kind == NODE_FILE && endswith_module_source(n->path));
                if (module) {
                        /* only the places of its own a module names (Munin's '/etc/munin') */
                        _cleanup_free_ char *mpath = strdup(n->path), *text = NULL;
                        size_t size;
                        if (!mpath || mark(x->scanned, x->arena, mpath) < 0)
                                return -ENOMEM;
                        if (!(x->rules & UNIT_RULE_PACKAGE) || !endswith_module_source(mpath))
                                continue;
                        /* a module of the unit's own packages names any path it opens or runs (PgCommon's
                         * "/usr/bin/id"); others only the places of its own */
                        bool own = n->reason && (startswith(n->reason, "file of ") ||
                                                 startswith(n->reason, "conffile of "));
                        r = read_text(x, mpath, SCRIPT_MAX, &text, &size);
                        if (r > 0)
                                r = text_paths(x, i, mpath, text, size, true, !own);
                        if (r < 0)
                                return r;
                        continue;
                }
                if ((x->rules & UNIT_RULE_MODULES) && n->kind == NODE_SCRIPT)
                        ip = script_interp(x, i, &interp_node);
                if (!(shell && (x->rules & UNIT_RULE_SCRIPTS)) && !ip)
                        continue;
                _cleanup_free_ char *path = strdup(n->path);
                if (!path || mark(x->scanned, x->arena, path) < 0)
                        return -ENOMEM;
                if (ip && (r = interp_add_modules(x->c, i, interp_node, x->env)) < 0)
                        return r;
                bool scripts = x->rules & UNIT_RULE_SCRIPTS;
                if (!scripts)
                        continue;
                _cleanup_free_ char *text = NULL;
                size_t size;
                r = read_text(x, path, SCRIPT_MAX, &text, &size);
                if (r > 0)
                        r = shell ? scan_shell(x, i, path, text, size)
                                  : text_paths(x, i, path, text, size, true, false);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What the Exec lines themselves say: "sh -c TEXT", "perl SCRIPT", "python3 SCRIPT", and the directories
 * they name. */
static int exec_lines(Ctx *x) {
        int r = 0;
        for (ExecType t = 0; t < _EXEC_TYPE_MAX && r >= 0; t++)
                for (size_t i = 0; i < x->svc->exec[t].n && r >= 0; i++) {
                        const ExecCommand *e = x->svc->exec[t].items + i;
                        size_t node;
                        if (closure_find(x->c, e->path, &node) < 0) {
                                _cleanup_free_ char *prog = NULL;
                                char *dirs[] = {(char *)CLOSURE_DEFAULT_PATH, NULL};
                                if (e->path[0] == '/' || resolve_command(x->root, e->path, dirs, &prog) < 0 ||
                                    closure_find(x->c, prog, &node) < 0)
                                        continue;
                        }
                        const ClosureNode *n = closure_node(x->c, node);
                        const Interpreter *ip = interp_find(n->realpath);
                        bool sh = shell_interp(n->realpath);
                        _cleanup_free_ char *reason = NULL;
                        if (asprintf(&reason, "%s= of %s", exec_type_to_string(t), x->svc->id) < 0)
                                return -ENOMEM;
                        bool script_seen = false;
                        for (size_t k = 1; e->argv && e->argv[k] && r >= 0; k++) {
                                const char *a = e->argv[k];
                                if (sh && streq(a, "-c") && e->argv[k + 1] &&
                                    (x->rules & UNIT_RULE_SCRIPTS)) {
                                        r = scan_shell(x, node, reason, e->argv[k + 1],
                                                       strlen(e->argv[k + 1]));
                                        k++;
                                        continue;
                                }
                                if (a[0] != '/')
                                        continue;
                                size_t child;
                                if ((ip || sh) && !script_seen) {
                                        /* the script an interpreter runs: its first file argument */
                                        script_seen = true;
                                        r = add(x, a, node, NODE_SCRIPT, reason, &child);
                                        if (r > 0 && sh)
                                                r = mark(x->shell, x->arena, closure_node(x->c, child)->path);
                                        if (r > 0 && ip && (x->rules & UNIT_RULE_MODULES))
                                                r = interp_add_modules(x->c, child, node, x->env);
                                        continue;
                                }
                                struct stat st;
                                if (fs_root_chase(x->root, a, NULL, &st) >= 0 && S_ISDIR(st.st_mode) &&
                                    (is_state_dir(a) || path_is_under(a, "/var/run")))
                                        r = name_dir(x, a, reason);
                        }
                }
        return r < 0 ? r : 0;
}

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
static int find_packages(Ctx *x) {
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
static int text_paths(Ctx *x, size_t parent, const char *origin, const char *text, size_t size, bool quoted,
                      bool own_only) {
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
                if (!state && !(x->rules & (UNIT_RULE_PACKAGE | UNIT_RULE_SCRIPTS)))
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
                if (len > 1 && !strpbrk(p, "$*?[%{<>| \t@\\") && (!own_only || own_place(x, p, "")) &&
                    (r = named_path(x, p, parent, reason, false)) < 0)
                        return r;
                i += len ? len - 1 : 0;
        }
        return 0;
}

static int lookup_user(FsRoot *root, const char *user, uid_t *ret_uid, gid_t *ret_gid);

static bool user_exists(Ctx *x, const char *name) {
        uid_t uid;
        gid_t gid;
        return lookup_user(x->root, name, &uid, &gid) >= 0 && uid != 0;
}

/* "user www-data;" (nginx), "User=mysql", "user = munin", "RunAsUser munin": the user a root daemon
 * switches to, when it exists. */
static int run_as_user(Ctx *x, const char *conffile, const char *text) {
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

static int conffile_paths(Ctx *x, const char *conffile, size_t parent) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = read_text(x, conffile, CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if (!x->x->run_as && (r = run_as_user(x, conffile, text)) < 0)
                return r;
        return text_paths(x, parent, conffile, text, size, false, false);
}

/* Paths compiled into a program (its strings), where they name its own places: /etc/NAME..., /usr/share/NAME,
 * /var/lib/NAME..., NAME one of the unit's, its program's or its packages' names. The configuration file a
 * daemon opens by default is found this way (/etc/ssh/sshd_config, /etc/tinyproxy/tinyproxy.conf). */
static bool own_place(Ctx *x, const char *path, const char *prog) {
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

static int compiled_paths(Ctx *x, size_t node) {
        const ClosureNode *n = closure_node(x->c, node);
        _cleanup_free_ char *text = NULL, *reason = NULL;
        size_t size;
        int r = read_text(x, n->realpath, 64u * 1024 * 1024, &text, &size);
        if (r <= 0 || size < 4 || memcmp(text, "\177ELF", 4) != 0)
                return r < 0 ? r : 0;
        /* the daemon itself (an ExecStart= program) imports chroot(2): its dynamic string table names it.
         * Tools that merely could (start-stop-daemon --chroot) do not count. */
        bool daemon = false;
        for (size_t k = 0; k < x->svc->exec[EXEC_START].n; k++)
                daemon = daemon || streq(x->svc->exec[EXEC_START].items[k].path, n->path);
        if (daemon && !x->x->chroot_by && memmem(text, size, "\0chroot\0", 8) &&
            !(x->x->chroot_by = strdup(n->path)))
                return -ENOMEM;
        if (!(x->rules & UNIT_RULE_PACKAGE))
                return 0;
        if (asprintf(&reason, "compiled into %s", n->path) < 0)
                return -ENOMEM;
        const char *prog = path_basename(n->path);
        for (size_t i = 0; i < size; i++) {
                /* a string of its own, or a path inside a message ("Cannot open /run/atd.pid") */
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
                _cleanup_free_ char *path = printable ? strndup(text + i, len) : NULL;
                if (printable && !path)
                        return -ENOMEM;
                if (printable && own_place(x, path, prog) &&
                    (r = named_path(x, path, node, reason, false)) < 0)
                        return r;
                i += len;
        }
        return 0;
}

static int package_files(Ctx *x) {
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
                        if ((x->rules & UNIT_RULE_PACKAGE) && package_file_wanted(*f))
                                r = add(x, *f, parent, NODE_FILE, cwhy, NULL);
                        if (r >= 0)
                                r = conffile_paths(x, *f, parent);
                }
                for (char **f = files; f && *f && r >= 0; f++) {
                        struct stat st;
                        if (fs_root_chase(x->root, *f, NULL, &st) < 0)
                                continue;
                        if (S_ISDIR(st.st_mode)) {
                                if (is_state_dir(*f) && (r = strv_extend(&x->pkg_dirs, *f)) >= 0)
                                        r = name_dir(x, *f, fwhy);
                                /* a link to a directory (/usr/share/nginx/modules -> /usr/lib/nginx/modules):
                                 * the files behind it, at the link's path */
                                else if ((x->rules & UNIT_RULE_PACKAGE) && package_file_wanted(*f) &&
                                         fs_root_is_symlink(x->root, *f) > 0)
                                        r = add_dir_files(x, *f, parent, fwhy, false);
                                continue;
                        }
                        if (S_ISREG(st.st_mode) && (x->rules & UNIT_RULE_PACKAGE) &&
                            package_file_wanted(*f) && !strv_contains(conf, *f) && !path_is_under(*f, "/var"))
                                r = add(x, *f, parent, NODE_FILE, fwhy, NULL);
                }
        }
        return r < 0 ? r : 0;
}

/* User= in the root's own user database. */
static int lookup_user(FsRoot *root, const char *user, uid_t *ret_uid, gid_t *ret_gid) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = fs_root_read_file(root, "/etc/passwd", 16u * 1024 * 1024, &text, &size);
        if (r < 0)
                return r;
        size_t ul = strlen(user);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, user, ul) != 0 || l[ul] != ':')
                        continue;
                unsigned uid, gid;
                const char *f = strchr(l + ul + 1, ':');
                if (!f || sscanf(f + 1, "%u:%u", &uid, &gid) != 2)
                        return -EBADMSG;
                *ret_uid = uid;
                *ret_gid = gid;
                return 0;
        }
        return -ESRCH;
}

static int add_writable(UnitExtras *x, const char *path, const char *reason, bool directory) {
        return add_entry(&x->writable, &x->n_writable, path, reason, directory);
}

/* Whether uid is a user of the service's own: the one a root daemon switches to (munin for munin-node,
 * postgres for postgresql, Debian-exim for exim4), by its name. */
static bool own_user(Ctx *x, uid_t uid) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        if (uid == 0 || fs_root_read_file(x->root, "/etc/passwd", 16u * 1024 * 1024, &text, &size) < 0)
                return false;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || strtoul(c2 + 1, NULL, 10) != uid)
                        continue;
                *c1 = 0;
                const char *name = startswith(l, "Debian-") ? l + 7 : l;
                size_t n = strlen(name);
                for (char **o = x->own; o && *o; o++) {
                        size_t m = strlen(*o), k = n < m ? n : m;
                        if (k >= 3 && strncasecmp(name, *o, k) == 0)
                                return true;
                }
                return false;
        }
        return false;
}

/* Writable places: named state directories that belong to the service's user, or that its packages
 * create (root services), and named runtime directories on the host (clients meet its sockets there). */
static int state_dirs(Ctx *x) {
        const char *user = x->svc->user;
        bool root_user = !x->svc->dynamic_user && (!user || streq(user, "root") || streq(user, "0"));
        uid_t uid = 0;
        gid_t gid = 0;
        if (!root_user && !x->svc->dynamic_user && lookup_user(x->root, user, &uid, &gid) < 0)
                return 0; /* an unknown user owns nothing here */
        for (char **p = x->named; p && *p; p++) {
                const char *path = *p, *named = *p + strlen(*p) + 1;
                struct stat st;
                _cleanup_free_ char *canon = strdup(path), *reason = NULL;
                if (!canon)
                        return -ENOMEM;
                if (startswith(canon, "/var/run/"))
                        memmove(canon, canon + 4, strlen(canon + 4) + 1);
                if (path_is_under(canon, "/etc") || path_is_under(canon, "/usr") ||
                    path_is_under(canon, "/home") || unit_path_is_hazard(canon, x->own) ||
                    !is_state_dir(canon) || fs_root_chase(x->root, canon, NULL, &st) < 0 ||
                    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)))
                        continue;
                int r;
                if (S_ISREG(st.st_mode)) {
                        /* a file of its own directly in /var/log and the like (vsftpd.log, fail2ban.log) */
                        if (!root_user && !x->svc->dynamic_user && st.st_uid != uid)
                                continue;
                        r = asprintf(&reason, "a file of its own, %s", named);
                        if (r < 0 || add_writable(x->x, canon, reason, false) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (!root_user && !x->svc->dynamic_user &&
                    (st.st_uid == uid || (st.st_gid == gid && (st.st_mode & 020))))
                        r = asprintf(&reason, "owned by %s, %s", user, named);
                else if (root_user && strv_contains(x->pkg_dirs, path))
                        r = asprintf(&reason, "the service starts as root and its package creates it (%s)",
                                     named);
                else if (root_user && own_user(x, st.st_uid))
                        r = asprintf(&reason,
                                     "owned by uid %u, the service's own user a root daemon switches to, %s",
                                     (unsigned)st.st_uid, named);
                else if (root_user && path_is_under(canon, "/run") && own_place(x, canon, ""))
                        r = asprintf(&reason, "a runtime directory of its own on the host, %s", named);
                else
                        continue;
                if (r < 0 || add_writable(x->x, canon, reason, true) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* NSS modules: what /etc/nsswitch.conf names, loaded by libc at run time. */
static int nss_modules(Ctx *x, size_t anchor, char *const *libdirs) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = read_text(x, "/etc/nsswitch.conf", CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if ((r = add(x, "/etc/nsswitch.conf", anchor, NODE_FILE, "NSS configuration read by libc", NULL)) < 0)
                return r;
        unsigned line = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                line++;
                l[strcspn(l, "#")] = 0;
                char *colon = strchr(l, ':');
                if (!colon)
                        continue;
                for (char *s2 = NULL, *w = strtok_r(colon + 1, " \t", &s2); w;
                     w = strtok_r(NULL, " \t", &s2)) {
                        if (w[0] == '[' || strchr(w, ']') || strchr(w, '=') || strchr(w, '/'))
                                continue;
                        _cleanup_free_ char *lib = NULL, *reason = NULL, *name = NULL;
                        if (asprintf(&name, "libnss_%s.so.2", w) < 0 ||
                            asprintf(&reason, "NSS module in /etc/nsswitch.conf line %u", line) < 0)
                                return -ENOMEM;
                        if (resolve_in(x->root, name, libdirs, false, &lib) >= 0 &&
                            (r = add(x, lib, anchor, NODE_LIBRARY, reason, NULL)) < 0)
                                return r;
                }
        }
        return 0;
}

/* The PAM stack of a service: /etc/pam.d/NAME (NAME: the unit's, its programs', its packages'), the files it
 * includes, and the modules it loads, with their libraries. */
static int pam_file(Ctx *x, const char *file, size_t anchor, char *const *libdirs, unsigned depth) {
        _cleanup_free_ char *text = NULL;
        size_t size, node;
        if (depth > 8)
                return 0;
        int r = read_text(x, file, CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if (depth == 0 &&
            (r = add(x, file, anchor, NODE_FILE, "PAM configuration of the service", &node)) <= 0)
                return r;
        if (depth > 0)
                node = anchor; /* the include's own node, given by the caller */
        unsigned line = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                line++;
                l[strcspn(l, "#")] = 0;
                char *w[4] = {};
                size_t n = 0;
                for (char *s2 = NULL, *t = strtok_r(l, " \t", &s2); t && n < 4;
                     t = strtok_r(NULL, " \t", &s2)) {
                        if (n == 1 && t[0] == '[') /* [success=1 default=ignore]: one word */
                                while (t && !strchr(t, ']'))
                                        t = strtok_r(NULL, " \t", &s2);
                        if (t)
                                w[n++] = t;
                }
                _cleanup_free_ char *inc = NULL, *why = NULL, *mod = NULL;
                const char *include = w[0] && streq(w[0], "@include") ? w[1]
                                      : w[1] && w[2] && (streq(w[1], "include") || streq(w[1], "substack"))
                                              ? w[2]
                                              : NULL;
                if (include) {
                        size_t child;
                        if (asprintf(&inc, "%s%s", include[0] == '/' ? "" : "/etc/pam.d/", include) < 0 ||
                            asprintf(&why, "included by %s line %u", file, line) < 0)
                                return -ENOMEM;
                        if ((r = add(x, inc, node, NODE_FILE, why, &child)) > 0)
                                r = pam_file(x, inc, child, libdirs, depth + 1);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!w[2] || !strstr(w[2], ".so"))
                        continue;
                if (asprintf(&why, "PAM module in %s line %u", file, line) < 0)
                        return -ENOMEM;
                if (w[2][0] == '/')
                        r = add(x, w[2], node, NODE_LIBRARY, why, NULL);
                else {
                        _cleanup_free_ char *name = NULL;
                        if (asprintf(&name, "security/%s", w[2]) < 0)
                                return -ENOMEM;
                        r = resolve_in(x->root, name, libdirs, false, &mod) >= 0
                                    ? add(x, mod, node, NODE_LIBRARY, why, NULL)
                                    : 0;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int pam_stack(Ctx *x, size_t anchor, char *const *libdirs) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *unit = strndup(x->svc->id, strcspn(x->svc->id, "@."));
        if (!unit || strv_extend(&names, unit) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                const ClosureNode *n = closure_node(x->c, i);
                if (n->root && !strv_contains(names, path_basename(n->path)) &&
                    strv_extend(&names, path_basename(n->path)) < 0)
                        return -ENOMEM;
        }
        for (char **p = x->pkgs; p && *p; p++)
                if (!strv_contains(names, *p) && strv_extend(&names, *p) < 0)
                        return -ENOMEM;
        int r = 0;
        bool any = false;
        for (char **nm = names; *nm && r >= 0; nm++) {
                _cleanup_free_ char *file = NULL;
                struct stat st;
                if (asprintf(&file, "/etc/pam.d/%s", *nm) < 0)
                        return -ENOMEM;
                if (fs_root_chase(x->root, file, NULL, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                any = true;
                r = pam_file(x, file, anchor, libdirs, 0);
        }
        /* a service without a file of its own gets "other"; and what the common modules read */
        if (r >= 0 && !any)
                r = pam_file(x, "/etc/pam.d/other", anchor, libdirs, 0);
        static const char *const conf[] = {"/etc/security/limits.conf", "/etc/security/pam_env.conf",
                                           "/etc/security/access.conf", "/etc/security/namespace.conf",
                                           "/etc/security/group.conf",  "/etc/security/time.conf",
                                           "/etc/environment",          "/etc/login.defs",
                                           "/etc/security/limits.d"};
        for (size_t i = 0; i < ELEMENTSOF(conf) && r >= 0; i++) {
                struct stat st;
                if (fs_root_chase(x->root, conf[i], NULL, &st) < 0)
                        continue;
                r = S_ISDIR(st.st_mode) ? add_dir_files(x, conf[i], anchor, "read by PAM modules", false)
                                        : add(x, conf[i], anchor, NODE_FILE, "read by PAM modules", NULL);
        }
        return r < 0 ? r : 0;
}

/* gconv: iconv's module table, and the Unicode modules programs ask for by name. */
static int gconv(Ctx *x, size_t anchor, char *const *libdirs) {
        static const char *const files[] = {"gconv/gconv-modules", "gconv/gconv-modules.cache",
                                            "gconv/UTF-16.so",     "gconv/UTF-32.so",
                                            "gconv/UNICODE.so",    "gconv/UTF-7.so"};
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files) && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;
                if (resolve_in(x->root, files[i], libdirs, false, &p) >= 0)
                        r = add(x, p, anchor, NODE_FILE, "gconv module table and Unicode modules (iconv)",
                                NULL);
        }
        _cleanup_free_ char *d = NULL;
        if (r >= 0 &&
            resolve_in(x->root, "gconv/gconv-modules.d/gconv-modules-extra.conf", libdirs, false, &d) >= 0) {
                *strrchr(d, '/') = 0;
                r = add_dir_files(x, d, anchor, "gconv module table (iconv)", false);
        }
        return r < 0 ? r : 0;
}

/* The locale LANG (or LC_ALL) names: the archive, or the compiled locale's directory, and C.utf8. */
static int locale_files(Ctx *x, size_t anchor) {
        const char *lang = service_getenv(x->svc, "LC_ALL");
        if (!lang || !*lang)
                lang = service_getenv(x->svc, "LANG");
        _cleanup_free_ char *from_file = NULL;
        if (!lang || !*lang) {
                /* the manager's default, from the locale configuration */
                static const char *const conf[] = {"/etc/locale.conf", "/etc/default/locale"};
                for (size_t i = 0; i < ELEMENTSOF(conf) && !from_file; i++) {
                        _cleanup_free_ char *text = NULL;
                        size_t size;
                        if (fs_root_read_file(x->root, conf[i], CONFFILE_MAX, &text, &size) < 0)
                                continue;
                        const char *l = strstr(text, "LANG=");
                        if (l && (l == text || l[-1] == '\n'))
                                from_file = strndup(l + 5 + (l[5] == '"'),
                                                    strcspn(l + 5 + (l[5] == '"'), "\"\n"));
                }
                lang = from_file;
        }
        if (lang && (streq(lang, "C") || streq(lang, "POSIX")))
                return 0;
        if (!lang || !*lang)
                lang = "C.UTF-8"; /* the manager's own default here, and Debian's */
        _cleanup_free_ char *reason = NULL, *norm = strdup(lang);
        if (!norm || asprintf(&reason, "the locale LANG=%s", lang) < 0)
                return -ENOMEM;
        /* glibc's normalised codeset: "en_US.UTF-8" -> "en_US.utf8" */
        char *dot = strchr(norm, '.');
        if (dot) {
                char *o = dot + 1;
                for (char *i = dot + 1; *i && *i != '@'; i++)
                        if (*i != '-')
                                *o++ = (*i >= 'A' && *i <= 'Z') ? *i - 'A' + 'a' : *i;
                memmove(o, dot + 1 + strcspn(dot + 1, "@"), strlen(dot + 1 + strcspn(dot + 1, "@")) + 1);
        }
        int r = add(x, "/usr/lib/locale/locale-archive", anchor, NODE_FILE, reason, NULL);
        _cleanup_free_ char *dir = NULL;
        if (r >= 0 && asprintf(&dir, "/usr/lib/locale/%s", norm) < 0)
                return -ENOMEM;
        if (r >= 0)
                r = add_dir_files(x, dir, anchor, reason, false);
        if (r >= 0)
                r = add_dir_files(x, "/usr/lib/locale/C.utf8", anchor, reason, false);
        if (r >= 0)
                r = add_dir_files(x, "/usr/lib/locale/C.utf8/LC_MESSAGES", anchor, reason, false);
        return r < 0 ? r : 0;
}

static int plugins(Ctx *x) {
        /* the node that loads them: libc, else the first program */
        size_t anchor = SIZE_MAX;
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                const ClosureNode *n = closure_node(x->c, i);
                if (anchor == SIZE_MAX && n->root)
                        anchor = i;
                if (streq(path_basename(n->path), "libc.so.6")) {
                        anchor = i;
                        break;
                }
        }
        if (anchor == SIZE_MAX)
                return 0;
        /* the directory libc is loaded from, as the loader names it (/lib/x86_64-linux-gnu): NSS modules are
         * found there, and libpam's modules below it (security/) */
        _cleanup_free_ char *own = strdup(closure_node(x->c, anchor)->path);
        if (!own)
                return -ENOMEM;
        *strrchr(own, '/') = 0;
        char *libdirs[] = {own, (char *)"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib",
                           NULL};
        int r = nss_modules(x, anchor, libdirs);
        bool pam = false;
        for (size_t i = 0; i < closure_n_nodes(x->c) && !pam; i++)
                pam = startswith(path_basename(closure_node(x->c, i)->path), "libpam.so");
        if (r >= 0 && pam)
                r = pam_stack(x, anchor, libdirs);
        /* iconv's modules are where glibc was built to look: $libdir/gconv */
        char *gconvdirs[] = {(char *)"/usr/lib/x86_64-linux-gnu:/usr/lib:/lib/x86_64-linux-gnu", NULL};
        if (r >= 0)
                r = gconv(x, anchor, gconvdirs);
        if (r >= 0)
                r = locale_files(x, anchor);
        return r;
}

int unit_closure_extend(Closure *c, DpkgDb *db, const Service *svc, const ClosureEnv *env, unsigned rules,
                        UnitExtras *ret) {
        UnitExtras extras = {};
        Ctx x = {.c = c,
                 .root = closure_root(c),
                 .db = db,
                 .svc = svc,
                 .env = env,
                 .rules = rules,
                 .x = &extras};
        int r = -ENOMEM;
        _cleanup_free_ char *unit = strndup(svc->id, strcspn(svc->id, "@."));
        x.shell = hashmap_new();
        x.scanned = hashmap_new();
        x.compiled = hashmap_new();
        x.arena = arena_new();
        if (!unit || !x.shell || !x.scanned || !x.compiled || !x.arena || strv_extend(&x.own, unit) < 0)
                goto out;
        if (db && (rules & (UNIT_RULE_PACKAGE | UNIT_RULE_STATE | UNIT_RULE_PLUGINS)) &&
            (r = find_packages(&x)) < 0)
                goto out;
        if ((rules & (UNIT_RULE_PACKAGE | UNIT_RULE_STATE)) && (r = package_files(&x)) < 0)
                goto out;
        if ((r = exec_lines(&x)) < 0 || (r = walk_nodes(&x)) < 0)
                goto out;
        if ((rules & UNIT_RULE_PLUGINS) && ((r = plugins(&x)) < 0 || (r = walk_nodes(&x)) < 0))
                goto out;
        if ((rules & UNIT_RULE_STATE) && (r = state_dirs(&x)) < 0)
                goto out;
        r = 0;
out:
        strv_free(x.own);
        strv_free(x.pkgs);
        strv_free(x.pkg_of);
        strv_free(x.pkg_dirs);
        strv_free(x.named);
        hashmap_free(x.shell);
        hashmap_free(x.scanned);
        hashmap_free(x.compiled);
        arena_free(x.arena);
        if (r < 0) {
                unit_extras_done(&extras);
                return r;
        }
        *ret = extras;
        return 0;
}
