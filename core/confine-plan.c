/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>

#include "caps.h"
#include "confine-plan.h"
#include "fileio.h"
#include "learned-set.h"
#include "macro.h"
#include "path-util.h"
#include "unit-closure.h"

int confine_resolve_bare(FsRoot *root, const char *name, char **ret) {
        static const char *const dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                           "/usr/bin",        "/sbin",          "/bin"};
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char *p;
                struct stat st;
                if (asprintf(&p, "%s/%s", dirs[i], name) < 0)
                        return -ENOMEM;
                if (fs_root_chase(root, p, NULL, &st) >= 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
                        *ret = p;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

static bool is_elf(FsRoot *root, const char *real) {
        char m[4];
        _cleanup_close_ int fd = fs_root_open(root, real, O_RDONLY);
        return fd >= 0 && pread(fd, m, 4, 0) == 4 && memcmp(m, "\177ELF", 4) == 0;
}

/* A file named by the operator or the unit: bound where named; an ELF object brings its closure. */
static int add_file(FsRoot *root, Closure *c, MountPlan *p, const ClosureEnv *env, const char *path,
                    bool writable, bool explicit_choice, const char *why) {
        const char *real;
        struct stat st;
        int r = fs_root_chase(root, path, &real, &st);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode))
                return mount_plan_add(p, real, path, writable, true, explicit_choice, why);
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (is_elf(root, real) && !writable) {
                r = closure_add_program(c, path, env);
                if (r < 0)
                        return r;
        }
        return mount_plan_add(p, real, path, writable, false, explicit_choice, why);
}

/* A directory the operator adds: bound whole; links inside that point out of it bring their targets, and the
 * ELF objects inside (plugins, modules) bring their libraries. */
static int add_dir_tree(FsRoot *root, Closure *c, MountPlan *p, const ClosureEnv *env, const char *dir,
                        const char *top, unsigned depth) {
        if (depth > 32)
                return 0;
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", streq(dir, "/") ? "" : dir, de->d_name) < 0)
                        return -ENOMEM;
                const char *real;
                struct stat st;
                if (fs_root_chase(root, path, &real, &st) < 0)
                        continue; /* a dangling link shows as one inside too */
                bool inside = startswith(real, top) && (real[strlen(top)] == '/' || real[strlen(top)] == 0);
                if (!inside) {
                        int r = S_ISDIR(st.st_mode)
                                        ? mount_plan_add(p, real, real, false, true, false, "link target")
                                        : add_file(root, c, p, env, real, false, false, "link target");
                        if (r < 0 && r != -EBADFD)
                                return r;
                } else if (de->d_type == DT_DIR) {
                        int r = add_dir_tree(root, c, p, env, path, top, depth + 1);
                        if (r < 0)
                                return r;
                } else if (S_ISREG(st.st_mode) && is_elf(root, real)) {
                        int r = closure_add_program(c, path, env);
                        if (r < 0 && r == -ENOMEM)
                                return r;
                }
        }
        return 0;
}

static int read_link(const char *path, char **ret, void *userdata) {
        return fs_root_readlink(userdata, path, ret);
}

/* How many entries a directory has; -EPERM for one that holds what is never bound (/etc holds /etc/shadow,
 * /etc/ssh its host keys) or much of the system (/usr/bin): such a directory is never bound whole, whatever
 * the budget. */
static int count_dir(const char *dir, size_t *ret, void *userdata) {
        FsRoot *root = userdata;
        if (unit_dir_is_wide(dir))
                return -EPERM;
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
        if (!d)
                return -errno;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", streq(dir, "/") ? "" : dir, de->d_name) < 0)
                        return -ENOMEM;
                if (unit_path_is_hazard(path, NULL))
                        return -EPERM;
                n++;
        }
        *ret = n;
        return 0;
}

static int fail(char **reterr, int r, const char *what, const char *path) {
        if (reterr && !*reterr)
                (void)asprintf(reterr, "%s %s: %s", what, path, error_words(-r));
        return r;
}

/* systemd binds the unit's State/Cache/Logs/Runtime/ConfigurationDirectory= into the root, writable. A
 * derived bind inside one would shadow what the service writes there (seen: a file named in an ExecStart=
 * argument, left by an earlier run, bound read-only over the file the service rewrites). */
static bool inside_exec_dir(const Service *svc, const char *dest) {
        static const char *const prefix[] = {"/var/lib", "/var/cache", "/var/log", "/run", "/etc"};
        char *const *lists[] = {svc->state_directory, svc->cache_directory, svc->logs_directory,
                                svc->runtime_directory, svc->configuration_directory};
        for (size_t t = 0; t < ELEMENTSOF(prefix); t++) {
                const char *rest = startswith(dest, prefix[t]);
                if (!rest || rest[0] != '/')
                        continue;
                rest++;
                for (char *const *d = lists[t]; d && *d; d++) {
                        size_t n = strcspn(*d, ":"); /* "dir:symlink" */
                        if (strncmp(rest, *d, n) == 0 && (rest[n] == '/' || rest[n] == '\0'))
                                return true;
                }
        }
        return false;
}

/* A derived read-only bind inside a directory bound writable where it is (the unit's ReadWritePaths=, a
 * state directory) would make that file read-only where the service writes. */
static bool inside_writable_dir(const MountPlan *p, const Bind *b) {
        for (size_t i = 0; i < p->n_binds; i++) {
                const Bind *d = p->binds + i;
                const char *rest = startswith(b->dest, d->dest);
                if (d != b && d->writable && d->directory && streq(d->source, d->dest) && rest &&
                    rest[0] == '/')
                        return true;
        }
        return false;
}

static void drop_inside_exec_dirs(MountPlan *p, const Service *svc) {
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                Bind *b = p->binds + i;
                bool derived = streq(b->why, "argument") || streq(b->why, "environment") ||
                               streq(b->why, "closure") || startswith(b->why, "writable: ") ||
                               startswith(b->why, "learned: ");
                if ((derived && inside_exec_dir(svc, b->dest)) ||
                    (derived && !b->writable && streq(b->source, b->dest) && inside_writable_dir(p, b))) {
                        free(b->source);
                        free(b->dest);
                        continue;
                }
                p->binds[k++] = *b;
        }
        p->n_binds = k;
}

/* The bind that shows path in the root: its own, or a directory's above it (by destination or source). */
static const Bind *plan_find(const MountPlan *p, const char *path, bool want_writable) {
        for (size_t i = 0; i < p->n_binds; i++) {
                const Bind *b = p->binds + i;
                bool shows =
                        streq(b->dest, path) || streq(b->source, path) ||
                        (b->directory && (path_is_under(path, b->dest) || path_is_under(path, b->source)));
                if (shows && (!want_writable || b->writable))
                        return b;
        }
        return NULL;
}

bool confine_plan_covers(const MountPlan *p, const Service *svc, const char *path) {
        return (svc && inside_exec_dir(svc, path)) || plan_find(p, path, false);
}

bool confine_plan_covers_writable(const MountPlan *p, const Service *svc, const char *path) {
        return (svc && inside_exec_dir(svc, path)) || plan_find(p, path, true);
}

typedef struct LearnedCtx {
        FsRoot *root;
        const MountPlan *plan;
        const Service *svc;
} LearnedCtx;

static int learned_chase(const char *path, const char **ret_real, struct stat *ret_st, void *userdata) {
        return fs_root_chase(((LearnedCtx *)userdata)->root, path, ret_real, ret_st);
}

static bool learned_covered(const char *path, void *userdata) {
        LearnedCtx *x = userdata;
        return confine_plan_covers(x->plan, x->svc, path);
}

static bool learned_writable(const char *path, void *userdata) {
        LearnedCtx *x = userdata;
        return confine_plan_covers_writable(x->plan, x->svc, path);
}

/* settings->learned: what 'sdconfine learn' saw the unit open, below the root's /var/lib/sdconfine/learned */
static int add_learned(FsRoot *root, const Service *svc, MountPlan *p, char **reterr) {
        _cleanup_(learned_set_freep) LearnedSet *set = NULL;
        _cleanup_free_ char *err = NULL, *path = NULL;
        int r = learned_set_load(fs_root_fd(root), svc->id, &set, &err);
        if (r == -ENOENT) {
                char *w;
                if (asprintf(
                            &w,
                            "%s has no learned set yet: run 'sdconfine learn %s' while it serves, then apply "
                            "again",
                            svc->id, svc->id) < 0)
                        return -ENOMEM;
                return strv_push(&p->warnings, w);
        }
        if (r < 0) {
                if (reterr && !*reterr && learned_set_path(svc->id, &path) >= 0)
                        (void)asprintf(
                                reterr,
                                "cannot read the learned set of %s (%s/%s): %s. Move it away and learn "
                                "again",
                                svc->id, streq(fs_root_path(root), "/") ? "" : fs_root_path(root), path,
                                err ? err : error_words(-r));
                return r;
        }
        LearnedCtx x = {.root = root, .plan = p, .svc = svc};
        LearnedPlanOps ops = {.chase = learned_chase,
                              .covered = learned_covered,
                              .writable = learned_writable,
                              .userdata = &x};
        return learned_set_add_to_plan(set, p, &ops);
}

int confine_plan_build(ClosureContext *ctx, DpkgDb *db, const Service *svc, const ConfineSettings *s,
                       bool force, MountPlan *ret, Closure **ret_closure, char **reterr) {
        FsRoot *root = closure_context_root(ctx);
        _cleanup_(strv_freep) char **preset_paths = NULL; /* before any goto fail */
        MountPlan p = {};
        Closure *c = NULL;
        ClosureEnv env = {.path = service_getenv(svc, "PATH"),
                          .ld_library_path = service_getenv(svc, "LD_LIBRARY_PATH")};
        int r;

        r = confine_check_conflicts(svc, s, force, &p, reterr);
        if (r < 0)
                goto fail;
        r = closure_new(ctx, &c);
        if (r < 0)
                goto fail;

        /* the programs of every Exec* line, and what their arguments name */
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                for (size_t i = 0; i < svc->exec[t].n; i++) {
                        const ExecCommand *e = svc->exec[t].items + i;
                        _cleanup_free_ char *resolved = NULL;
                        const char *prog = e->path;
                        if (prog[0] != '/') {
                                r = confine_resolve_bare(root, prog, &resolved);
                                if (r >= 0)
                                        prog = resolved;
                        }
                        if (r >= 0)
                                r = closure_add_program(c, prog, &env);
                        if (r == -ENOENT && (e->flags & EXEC_IGNORE_FAILURE)) {
                                /* "-": systemd ignores its failure, a missing program included */
                                char *w;
                                if (asprintf(&w,
                                             "%s=-%s is not there; systemd ignores its failure (the \"-\" "
                                             "prefix), "
                                             "so it is left out of the root",
                                             exec_type_to_string(t), e->path) < 0 ||
                                    strv_push(&p.warnings, w) < 0) {
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                r = 0;
                                continue;
                        }
                        if (r < 0) {
                                r = fail(reterr, r,
                                         prog == e->path && prog[0] != '/' ? "cannot find the program"
                                                                           : "cannot read the program",
                                         prog);
                                goto fail;
                        }
                        for (size_t k = 1; e->argv && e->argv[k]; k++) {
                                /* every word of an argument: "sh -c '/usr/bin/ls /x'" names programs too */
                                _cleanup_free_ char *copy = strdup(e->argv[k]);
                                if (!copy) {
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                for (char *rest = copy, *w; (w = strsep(&rest, " \t\n;|&<>()\"'"));) {
                                        const char *eq =
                                                w[0] == '-' ? strchr(w, '=') : NULL; /* --config=/etc/x */
                                        const char *path = eq ? eq + 1 : w;
                                        struct stat st;
                                        if (path[0] != '/' || strchr(path, '$') ||
                                            fs_root_chase(root, path, NULL, &st) < 0)
                                                continue;
                                        /* the API file systems come with the mode, not as paths: nothing of
                                         * /proc, /sys, /dev (a bind of /proc/kmsg would be the host's);
                                         * nothing of /run and /tmp, which the root has of its own (a PID file
                                         * from an earlier run bound over the one the daemon writes breaks
                                         * it); not / */
                                        static const char *const apivfs[] = {"/proc",   "/sys", "/dev",
                                                                             "/run",    "/tmp", "/var/run",
                                                                             "/var/tmp"};
                                        bool api = streq(path, "/");
                                        for (size_t q = 0; q < ELEMENTSOF(apivfs); q++)
                                                api = api || streq(path, apivfs[q]) ||
                                                      (startswith(path, apivfs[q]) &&
                                                       path[strlen(apivfs[q])] == '/');
                                        if (api)
                                                continue;
                                        if (S_ISDIR(st.st_mode))
                                                r = strv_contains(p.suggestions, path)
                                                            ? 0
                                                            : strv_extend(&p.suggestions, path);
                                        else if (S_ISREG(st.st_mode))
                                                r = add_file(root, c, &p, &env, path, false, false,
                                                             "argument");
                                        if (r < 0 && r != -EBADFD)
                                                goto fail;
                                        r = 0;
                                }
                        }
                }

        /* full_unit: every absolute path in the environment too, the environment files' included */
        for (int k = 0; s->full_unit && k < 2; k++)
                for (char **e = k == 0 ? svc->environment : svc->file_environment; e && *e; e++) {
                        const char *v = strchr(*e, '=');
                        _cleanup_free_ char *copy = strdup(v ? v + 1 : "");
                        if (!copy) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        for (char *rest = copy, *w; (w = strsep(&rest, ": \t"));) {
                                struct stat st;
                                if (w[0] != '/' || fs_root_chase(root, w, NULL, &st) < 0)
                                        continue;
                                r = add_file(root, c, &p, &env, w, false, false, "environment");
                                if (r < 0 && r != -EBADFD)
                                        goto fail;
                        }
                }

        /* /bin/sh: the operator's choice wins over anything derived for that destination */
        if (s->bin_sh != BIN_SH_NONE) {
                const char *sh = s->bin_sh == BIN_SH_CUSTOM ? s->bin_sh_path : "/bin/sh";
                const char *real;
                struct stat st;
                r = fs_root_chase(root, sh, &real, &st);
                if (r < 0) {
                        r = fail(reterr, r, "cannot use as /bin/sh", sh);
                        goto fail;
                }
                _cleanup_free_ char *real_copy = strdup(real);
                if (!real_copy || (r = closure_add_program(c, real_copy, &env)) < 0 ||
                    (r = mount_plan_add(&p, real_copy, "/bin/sh", false, false, true, "/bin/sh")) < 0) {
                        r = fail(reterr, r ? r : -ENOMEM, "cannot use as /bin/sh", sh);
                        goto fail;
                }
        }

        /* packages: every file, and the closure of every ELF object among them */
        for (char **pkg = s->packages; pkg && *pkg; pkg++) {
                char **files = NULL;
                r = db ? dpkg_db_package_files(db, *pkg, &files) : -ENOPKG;
                if (r < 0) {
                        if (reterr)
                                (void)asprintf(reterr,
                                               r == -ENOENT   ? "package %s is not installed"
                                               : r == -EINVAL ? "'%s' is not a valid package name"
                                                              : "cannot read the files of package %s",
                                               *pkg);
                        goto fail;
                }
                for (char **f = files; *f && r >= 0; f++) {
                        struct stat st;
                        if (fs_root_chase(root, *f, NULL, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        r = add_file(root, c, &p, &env, *f, false, false, "package");
                }
                strv_free(files);
                if (r < 0)
                        goto fail;
        }

        /* presets: what exists of their paths, each as an operator's path */
        for (char **pr = s->presets; pr && *pr; pr++) {
                const ConfinePreset *ps = confine_preset_find(*pr);
                if (!ps) {
                        if (reterr)
                                (void)asprintf(reterr, "unknown preset '%s'", *pr);
                        r = -EINVAL;
                        goto fail;
                }
                for (size_t k = 0; k < ELEMENTSOF(ps->paths) && ps->paths[k]; k++) {
                        struct stat st;
                        if (fs_root_chase(root, ps->paths[k], NULL, &st) >= 0 &&
                            !strv_contains(preset_paths, ps->paths[k]) &&
                            strv_extend(&preset_paths, ps->paths[k]) < 0) {
                                r = -ENOMEM;
                                goto fail;
                        }
                }
        }
        /* the operator's paths */
        char **all_paths[2];
        all_paths[0] = s->paths;
        all_paths[1] = preset_paths;
        for (size_t q = 0; q < ELEMENTSOF(all_paths); q++)
                for (char **path = all_paths[q]; path && *path; path++) {
                        const char *real;
                        struct stat st;
                        r = fs_root_chase(root, *path, &real, &st);
                        if (r >= 0) {
                                _cleanup_free_ char *top = strdup(real);
                                r = top ? add_file(root, c, &p, &env, *path, false, true, "path") : -ENOMEM;
                                if (r >= 0 && S_ISDIR(st.st_mode))
                                        r = add_dir_tree(root, c, &p, &env, *path, top, 0);
                        }
                        if (r < 0) {
                                r = fail(reterr, r, "cannot add the path", *path);
                                goto fail;
                        }
                }
        for (char **path = s->writable; path && *path; path++) {
                r = add_file(root, c, &p, &env, *path, true, true, "writable");
                if (r < 0) {
                        r = fail(reterr, r, "cannot add the writable path", *path);
                        goto fail;
                }
        }

        /* the unit's own writable places stay usable: systemd binds State/Cache/Logs/RuntimeDirectory= itself
         */
        for (char **w = svc->read_write_paths; w && *w; w++) {
                const char *path = *w + strspn(*w, "-+");
                struct stat st;
                if (fs_root_chase(root, path, NULL, &st) < 0)
                        continue;
                r = mount_plan_add(&p, path, path, true, S_ISDIR(st.st_mode), false, "ReadWritePaths=");
                if (r < 0)
                        goto fail;
        }
        if (svc->working_directory && svc->working_directory[0] != '~') {
                const char *wd = svc->working_directory + (svc->working_directory[0] == '!');
                struct stat st;
                if (wd[0] == '/' && fs_root_chase(root, wd, NULL, &st) >= 0 && S_ISDIR(st.st_mode) &&
                    (r = mount_plan_add(&p, wd, wd, false, true, false, "WorkingDirectory=")) < 0)
                        goto fail;
        }
        /* What the unit's programs need beyond their ELF files: always the commands and files of its scripts
         * and its interpreters' modules; the computed presets add the rest */
        {
                unsigned rules = UNIT_RULE_SCRIPTS | UNIT_RULE_MODULES;
                for (char **pr = s->presets; pr && *pr; pr++)
                        rules |= confine_preset_find(*pr)->rules;
                UnitExtras extras = {};
                r = unit_closure_extend(c, db, svc, &env, rules, &extras);
                if (r < 0) {
                        r = fail(reterr, r, "cannot compute the closure of", svc->id);
                        goto fail;
                }
                for (size_t i = 0; i < extras.n_writable && r >= 0; i++) {
                        _cleanup_free_ char *why = NULL;
                        const char *w = asprintf(&why, "writable: %s", extras.writable[i].reason) < 0
                                                ? NULL
                                                : mount_plan_intern(&p, why);
                        r = w ? mount_plan_add(&p, extras.writable[i].path, extras.writable[i].path, true,
                                               extras.writable[i].directory, false, w)
                              : -ENOMEM;
                        /* a file of /run (a PID file clients read) may be gone by the next start */
                        if (r >= 0 && !extras.writable[i].directory &&
                            startswith(extras.writable[i].path, "/run/"))
                                for (size_t k = 0; k < p.n_binds; k++)
                                        if (streq(p.binds[k].dest, extras.writable[i].path))
                                                p.binds[k].ignore_missing = true;
                }
                for (size_t i = 0; i < extras.n_dirs && r >= 0; i++) {
                        const char *w = mount_plan_intern(&p, extras.dirs[i].reason);
                        r = w ? mount_plan_add(&p, extras.dirs[i].path, extras.dirs[i].path, false, true,
                                               false, w)
                              : -ENOMEM;
                }
                for (char **h = extras.hazards; h && *h && r >= 0; h++)
                        r = strv_extend(&p.warnings, *h);
                /* who it runs as, and what holds it in: the capabilities its files carry stay */
                uint64_t file_caps = 0;
                for (size_t i = 0; i < closure_n_nodes(c) && r >= 0; i++) {
                        const ClosureNode *n = closure_node(c, i);
                        uint64_t m = 0;
                        _cleanup_free_ char *names = n->caps ? strndup(n->caps, strcspn(n->caps, "=+-"))
                                                             : NULL,
                                            *bad = NULL;
                        if (names && caps_parse_list(names, &m, &bad) >= 0)
                                file_caps |= m;
                }
                if (r >= 0)
                        r = confine_harden(svc, s, file_caps, extras.chroot_by, &p);
                if (r >= 0)
                        r = confine_suggest_user(svc, extras.run_as, extras.run_as_where, p.bounding, &p);
                /* a PID file in a directory of /run bound from the host is where systemd reads it already */
                for (size_t i = 0; i < p.n_binds && r >= 0 && p.pid_file; i++) {
                        const Bind *b = p.binds + i;
                        const char *rest = startswith(b->dest, "/run/");
                        size_t n = rest ? strlen(rest) : 0;
                        if (b->writable && b->directory && streq(b->source, b->dest) && rest &&
                            strncmp(p.pid_file, rest, n) == 0 && p.pid_file[n] == '/') {
                                p.pid_file = mfree_str(p.pid_file);
                                for (size_t k = 0; p.warnings && p.warnings[k]; k++)
                                        if (startswith(p.warnings[k], "PIDFile=")) {
                                                free(p.warnings[k]);
                                                memmove(p.warnings + k, p.warnings + k + 1,
                                                        (strv_length(p.warnings + k + 1) + 1) *
                                                                sizeof(char *));
                                                break;
                                        }
                        }
                }
                unit_extras_done(&extras);
        }
        if (r < 0)
                goto fail;

        /* The loader's cache, only when a library was found through it outside the default directories:
         * without it the loader still finds the rest there, and the root shows nothing of the host's /etc. */
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                _cleanup_free_ char *dir = path_dirname(n->path);
                if (!dir) {
                        r = -ENOMEM;
                        goto fail;
                }
                const char *rest = startswith(dir, "/usr/lib") ? dir + 8
                                   : startswith(dir, "/lib")   ? dir + 4
                                                               : NULL;
                bool default_dir =
                        rest &&
                        (!*rest || (rest[0] == '/' && !strchr(rest + 1, '/') && strstr(rest, "-linux-")));
                struct stat st;
                if (n->found_via == VIA_LD_CACHE && !default_dir &&
                    fs_root_chase(root, "/etc/ld.so.cache", NULL, &st) >= 0) {
                        r = mount_plan_add(&p, "/etc/ld.so.cache", "/etc/ld.so.cache", false, false, false,
                                           "ld.so.cache");
                        if (r < 0)
                                goto fail;
                        break;
                }
        }

        r = mount_plan_add_closure(&p, c);
        if (r < 0)
                goto fail;
        /* --no-bin-sh is the operator's word: no /bin/sh, whatever a script names */
        for (size_t i = 0; s->bin_sh == BIN_SH_NONE && i < p.n_binds; i++)
                if (streq(p.binds[i].dest, "/bin/sh")) {
                        free(p.binds[i].source);
                        free(p.binds[i].dest);
                        p.binds[i--] = p.binds[--p.n_binds];
                }
        /* what learning saw that the root does not show yet, once everything else is in the plan */
        if (s->learned) {
                r = add_learned(root, svc, &p, reterr);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < closure_n_missing(c); i++) {
                const ClosureMissing *m = closure_missing(c, i);
                char *w;
                if (asprintf(
                            &w,
                            "%s, needed by %s, is missing (%s): the service will not start until it is found",
                            m->name, closure_node(c, m->needed_by)->path, m->reason) < 0 ||
                    strv_push(&p.warnings, w) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        r = confine_note_privileged(c, s, &p);
        if (r < 0)
                goto fail;
        drop_inside_exec_dirs(&p, svc);
        r = mount_plan_finish(&p, s->mount_budget, count_dir, read_link, root);
        if (r < 0)
                goto fail;
        if (p.n_binds > s->mount_budget) {
                /* nothing more could be bound whole without changing what the service sees */
                char *w;
                if (asprintf(&w,
                             "%zu bind mounts, over the budget of %u: no more directories can be bound whole "
                             "without changing what the service sees, so its start-up will be slow (each "
                             "mount costs; see make bench-mounts). Fewer --package/--path entries help",
                             p.n_binds, s->mount_budget) < 0 ||
                    strv_push(&p.warnings, w) < 0) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret = p;
        if (ret_closure)
                *ret_closure = c;
        else
                closure_free(c);
        return 0;
fail:
        mount_plan_done(&p);
        closure_free(c);
        return r;
}

void suggestions_free(Suggestion *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].preset);
                free(l[i].override);
                free(l[i].reason);
        }
        free(l);
}

static int suggest(Suggestion **l, size_t *n, const char *preset, const char *override, const char *reason) {
        for (size_t i = 0; i < *n; i++)
                if (streq_ptr((*l)[i].preset, preset) && streq_ptr((*l)[i].override, override))
                        return 0;
        Suggestion *m = realloc(*l, (*n + 1) * sizeof(Suggestion));
        if (!m)
                return -ENOMEM;
        *l = m;
        m[*n] = (Suggestion){.preset = preset ? strdup(preset) : NULL,
                             .override = override ? strdup(override) : NULL,
                             .reason = strdup(reason)};
        if ((preset && !m[*n].preset) || (override && !m[*n].override) || !m[*n].reason)
                return -ENOMEM;
        (*n)++;
        return 0;
}

static bool closure_has_lib(const Closure *c, const char *const *prefixes) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const char *base = strrchr(closure_node(c, i)->path, '/');
                for (size_t k = 0; base && prefixes[k]; k++)
                        if (startswith(base + 1, prefixes[k]))
                                return true;
        }
        return false;
}

/* The first program of the unit that a package other than an essential one owns, and that package. */
static int unit_package(const Closure *c, DpkgDb *db, const char **ret_prog, const char **ret_pkg) {
        for (size_t i = 0; db && i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                const char *owner;
                const DpkgPackage *p;
                if (!n->root || (n->kind != NODE_EXEC && n->kind != NODE_SCRIPT))
                        continue;
                int r = dpkg_db_find_owners(db, &n->realpath, 1, &owner);
                if (r < 0)
                        return r;
                _cleanup_free_ char *name = owner ? strndup(owner, strcspn(owner, ", ")) : NULL;
                if (!owner || !name || dpkg_db_package_info(db, name, &p) < 0 || p->essential ||
                    streq(p->priority, "required"))
                        continue;
                *ret_prog = n->path;
                *ret_pkg = p->name;
                return 1;
        }
        return 0;
}

int confine_suggest(const Service *svc, const Closure *c, DpkgDb *db, const ConfineSettings *s,
                    Suggestion **ret, size_t *ret_n) {
        static const char *const tls_libs[] = {"libssl.so", "libgnutls.so", "libnss3.so", "libmbedtls.so",
                                               NULL};
        static const char *const net_libs[] = {"libresolv.so", "libcurl",       "libssl.so", "libgnutls.so",
                                               "libldap",      "libsystemd.so", NULL};
        Suggestion *l = NULL;
        size_t n = 0;
        int r = 0;
        bool root = !svc->dynamic_user && (!svc->user || streq(svc->user, "root") || streq(svc->user, "0"));

        if (!svc->dynamic_user && (svc->user || svc->group))
                r = suggest(&l, &n, "users", NULL,
                            "User=/Group= are set: the service (and its libraries) may look "
                            "its user up in /etc/passwd and /etc/group");
        else if (root)
                r = suggest(&l, &n, "users", NULL,
                            "it starts as root: daemons that drop privileges look their user "
                            "up in /etc/passwd and /etc/group");
        if (r >= 0 && closure_has_lib(c, tls_libs))
                r = suggest(&l, &n, "tls", NULL,
                            "it links a TLS library, which verifies peers against /etc/ssl/certs");
        if (r >= 0 && closure_has_lib(c, net_libs))
                r = suggest(&l, &n, "resolve", NULL,
                            "it links network libraries that resolve host names "
                            "(resolv.conf, hosts, nsswitch.conf)");
        const char *prog = NULL, *pkg = NULL;
        if (r >= 0)
                r = unit_package(c, db, &prog, &pkg);
        _cleanup_free_ char *why = NULL;
        if (r > 0 && asprintf(&why,
                              "%s comes from the package %s, whose configuration, data and helpers its "
                              "programs open at compiled-in paths (conffiles, /usr/share, /usr/lib)",
                              prog, pkg) < 0)
                r = -ENOMEM;
        if (r > 0)
                r = suggest(&l, &n, "package", NULL, why);
        if (r >= 0 && pkg)
                r = suggest(&l, &n, "state", NULL,
                            "the directories its unit, scripts and package name below /var/lib, "
                            "/var/log, /var/spool, /var/cache and /run, where it writes");
        static const char *const libc[] = {"libc.so.6", NULL};
        if (r >= 0 && closure_has_lib(c, libc))
                r = suggest(&l, &n, "timezone", NULL,
                            "libc reads /etc/localtime for local time (timestamps in logs), "
                            "and some daemons the time zone database (PostgreSQL)");
        static const char *const pam[] = {"libpam.so", NULL};
        if (r >= 0 && closure_has_lib(c, pam))
                r = suggest(&l, &n, "plugins", NULL,
                            "it links libpam: the PAM stack in /etc/pam.d and its modules, "
                            "and the NSS modules /etc/nsswitch.conf names");
        else if (r >= 0 && (root || svc->user || svc->group || service_getenv(svc, "LANG")))
                r = suggest(&l, &n, "plugins", NULL,
                            "it looks users or hosts up through NSS modules that "
                            "/etc/nsswitch.conf names, and uses the locale LANG names");
        bool private_users = s->mode == CONFINE_FULL_APIVFS;
        for (char **o = s->overrides; o && *o; o++)
                if (startswith(*o, "PrivateUsers="))
                        private_users = false;
        if (r >= 0 && root && private_users)
                r = suggest(&l, &n, NULL, "PrivateUsers=no",
                            "it runs as root: under PrivateUsers=yes a daemon that "
                            "changes file owners to its worker user fails with EINVAL");
        if (r < 0) {
                suggestions_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}
