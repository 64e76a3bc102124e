/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>

#include "fileio.h"
#include "macro.h"
#include "path-util.h"
#include "plan-builder.h"

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
                bool inside = path_is_under(real, top);
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

int plan_fail(PlanBuilder *b, int r, const char *what, const char *path) {
        if (b->reterr && !*b->reterr)
                (void)asprintf(b->reterr, "%s %s: %s", what, path, error_words(-r));
        return r;
}

static int warn(PlanBuilder *b, const char *fmt, ...) _printf_(2, 3);
static int warn(PlanBuilder *b, const char *fmt, ...) {
        va_list ap;
        char *w;
        va_start(ap, fmt);
        int r = vasprintf(&w, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : strv_push(&b->p.warnings, w);
}

/* The API file systems come with the mode, not as paths: nothing of /proc, /sys, /dev (a bind of /proc/kmsg
 * would be the host's); nothing of /run and /tmp, which the root has of its own (a PID file from an earlier
 * run bound over the one the daemon writes breaks it); not / */
static bool is_api_path(const char *path) {
        static const char *const apivfs[] = {"/proc", "/sys", "/dev", "/run", "/tmp", "/var/run", "/var/tmp"};
        if (streq(path, "/"))
                return true;
        for (size_t q = 0; q < ELEMENTSOF(apivfs); q++)
                if (path_is_under(path, apivfs[q]))
                        return true;
        return false;
}

/* Every word of an argument: "sh -c '/usr/bin/ls /x'" names programs too. A directory is offered, not
 * added. */
static int add_argument(PlanBuilder *b, const char *arg) {
        _cleanup_free_ char *copy = strdup(arg);
        if (!copy)
                return -ENOMEM;
        for (char *rest = copy, *w; (w = strsep(&rest, " \t\n;|&<>()\"'"));) {
                const char *eq = w[0] == '-' ? strchr(w, '=') : NULL; /* --config=/etc/x */
                const char *path = eq ? eq + 1 : w;
                struct stat st;
                int r = 0;
                if (path[0] != '/' || strchr(path, '$') || fs_root_chase(b->root, path, NULL, &st) < 0 ||
                    is_api_path(path))
                        continue;
                if (S_ISDIR(st.st_mode))
                        r = strv_contains(b->p.suggestions, path) ? 0 : strv_extend(&b->p.suggestions, path);
                else if (S_ISREG(st.st_mode))
                        r = add_file(b->root, b->c, &b->p, &b->env, path, false, false, "argument");
                if (r < 0 && r != -EBADFD)
                        return r;
        }
        return 0;
}

static int add_exec(PlanBuilder *b, ExecType t, const ExecCommand *e) {
        _cleanup_free_ char *resolved = NULL;
        const char *prog = e->path;
        int r = 0;
        if (prog[0] != '/') {
                r = confine_resolve_bare(b->root, prog, &resolved);
                if (r >= 0)
                        prog = resolved;
        }
        if (r >= 0)
                r = closure_add_program(b->c, prog, &b->env);
        if (r == -ENOENT && (e->flags & EXEC_IGNORE_FAILURE))
                /* "-": systemd ignores its failure, a missing program included */
                return warn(b,
                            "%s=-%s is not there; systemd ignores its failure (the \"-\" prefix), so it is "
                            "left out of the root",
                            exec_type_to_string(t), e->path);
        if (r < 0)
                return plan_fail(b, r,
                                 prog == e->path && prog[0] != '/' ? "cannot find the program"
                                                                   : "cannot read the program",
                                 prog);
        for (size_t k = 1; e->argv && e->argv[k]; k++) {
                r = add_argument(b, e->argv[k]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int plan_add_programs(PlanBuilder *b) {
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                for (size_t i = 0; i < b->svc->exec[t].n; i++) {
                        int r = add_exec(b, t, b->svc->exec[t].items + i);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int plan_add_environment(PlanBuilder *b) {
        for (int k = 0; b->s->full_unit && k < 2; k++)
                for (char **e = k == 0 ? b->svc->environment : b->svc->file_environment; e && *e; e++) {
                        const char *v = strchr(*e, '=');
                        _cleanup_free_ char *copy = strdup(v ? v + 1 : "");
                        if (!copy)
                                return -ENOMEM;
                        for (char *rest = copy, *w; (w = strsep(&rest, ": \t"));) {
                                struct stat st;
                                if (w[0] != '/' || fs_root_chase(b->root, w, NULL, &st) < 0)
                                        continue;
                                int r = add_file(b->root, b->c, &b->p, &b->env, w, false, false,
                                                 "environment");
                                if (r < 0 && r != -EBADFD)
                                        return r;
                        }
                }
        return 0;
}

/* The operator's choice wins over anything derived for that destination. */
int plan_add_bin_sh(PlanBuilder *b) {
        if (b->s->bin_sh == BIN_SH_NONE)
                return 0;
        const char *sh = b->s->bin_sh == BIN_SH_CUSTOM ? b->s->bin_sh_path : "/bin/sh";
        const char *real;
        struct stat st;
        int r = fs_root_chase(b->root, sh, &real, &st);
        if (r < 0)
                return plan_fail(b, r, "cannot use as /bin/sh", sh);
        _cleanup_free_ char *real_copy = strdup(real);
        if (!real_copy || (r = closure_add_program(b->c, real_copy, &b->env)) < 0 ||
            (r = mount_plan_add(&b->p, real_copy, "/bin/sh", false, false, true, "/bin/sh")) < 0)
                return plan_fail(b, r ? r : -ENOMEM, "cannot use as /bin/sh", sh);
        return 0;
}

int plan_add_packages(PlanBuilder *b) {
        for (char **pkg = b->s->packages; pkg && *pkg; pkg++) {
                char **files = NULL;
                int r = b->db ? dpkg_db_package_files(b->db, *pkg, &files) : -ENOPKG;
                if (r < 0) {
                        if (b->reterr)
                                (void)asprintf(b->reterr,
                                               r == -ENOENT   ? "package %s is not installed"
                                               : r == -EINVAL ? "'%s' is not a valid package name"
                                                              : "cannot read the files of package %s",
                                               *pkg);
                        return r;
                }
                for (char **f = files; *f && r >= 0; f++) {
                        struct stat st;
                        if (fs_root_chase(b->root, *f, NULL, &st) < 0 || !S_ISREG(st.st_mode))
                                continue;
                        r = add_file(b->root, b->c, &b->p, &b->env, *f, false, false, "package");
                }
                strv_free(files);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What exists of the presets' paths, each once. */
static int preset_paths(PlanBuilder *b, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        for (char **pr = b->s->presets; pr && *pr; pr++) {
                const ConfinePreset *ps = confine_preset_find(*pr);
                if (!ps) {
                        if (b->reterr)
                                (void)asprintf(b->reterr, "unknown preset '%s'", *pr);
                        return -EINVAL;
                }
                for (size_t k = 0; k < ELEMENTSOF(ps->paths) && ps->paths[k]; k++) {
                        struct stat st;
                        if (fs_root_chase(b->root, ps->paths[k], NULL, &st) >= 0 &&
                            !strv_contains(l, ps->paths[k]) && strv_extend(&l, ps->paths[k]) < 0)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

/* An operator's read-only path; a directory with what links inside it point to and its ELF objects' needs. */
static int add_operator_path(PlanBuilder *b, const char *path) {
        const char *real;
        struct stat st;
        int r = fs_root_chase(b->root, path, &real, &st);
        if (r >= 0) {
                _cleanup_free_ char *top = strdup(real);
                r = top ? add_file(b->root, b->c, &b->p, &b->env, path, false, true, "path") : -ENOMEM;
                if (r >= 0 && S_ISDIR(st.st_mode))
                        r = add_dir_tree(b->root, b->c, &b->p, &b->env, path, top, 0);
        }
        return r < 0 ? plan_fail(b, r, "cannot add the path", path) : 0;
}

int plan_add_extra_paths(PlanBuilder *b) {
        _cleanup_(strv_freep) char **presets = NULL;
        int r = preset_paths(b, &presets);
        if (r < 0)
                return r;
        char **all_paths[] = {b->s->paths, presets};
        for (size_t q = 0; q < ELEMENTSOF(all_paths); q++)
                for (char **path = all_paths[q]; path && *path; path++) {
                        r = add_operator_path(b, *path);
                        if (r < 0)
                                return r;
                }
        for (char **path = b->s->writable; path && *path; path++) {
                r = add_file(b->root, b->c, &b->p, &b->env, *path, true, true, "writable");
                if (r < 0)
                        return plan_fail(b, r, "cannot add the writable path", *path);
        }
        return 0;
}

/* The unit's own writable places stay usable (systemd binds State/Cache/Logs/RuntimeDirectory= itself). */
int plan_add_unit_places(PlanBuilder *b) {
        const Service *svc = b->svc;
        int r;
        for (char **w = svc->read_write_paths; w && *w; w++) {
                const char *path = *w + strspn(*w, "-+");
                struct stat st;
                if (fs_root_chase(b->root, path, NULL, &st) < 0)
                        continue;
                r = mount_plan_add(&b->p, path, path, true, S_ISDIR(st.st_mode), false, "ReadWritePaths=");
                if (r < 0)
                        return r;
        }
        if (svc->working_directory && svc->working_directory[0] != '~') {
                const char *wd = svc->working_directory + (svc->working_directory[0] == '!');
                struct stat st;
                if (wd[0] == '/' && fs_root_chase(b->root, wd, NULL, &st) >= 0 && S_ISDIR(st.st_mode) &&
                    (r = mount_plan_add(&b->p, wd, wd, false, true, false, "WorkingDirectory=")) < 0)
                        return r;
        }
        return 0;
}
