/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "caps.h"
#include "confine-plan.h"
#include "host-view.h"
#include "root-skeleton.h"
#include "fileio.h"
#include "learned-set.h"
#include "macro.h"
#include "path-util.h"
#include "plan-builder.h"
#include "unit-closure.h"

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

static int find_owners(const char *const *paths, size_t n, const char **ret_owners, void *userdata) {
        return dpkg_db_find_owners(userdata, paths, n, ret_owners);
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

/* The unit-closure rules' writable places: a file of /run (a PID file clients read) may be gone by the next
 * start. */
static int add_extras_writable(MountPlan *p, const UnitExtras *extras) {
        for (size_t i = 0; i < extras->n_writable; i++) {
                const UnitWritable *u = extras->writable + i;
                _cleanup_free_ char *why = NULL;
                const char *w =
                        asprintf(&why, "writable: %s", u->reason) < 0 ? NULL : mount_plan_intern(p, why);
                int r = w ? mount_plan_add(p, u->path, u->path, true, u->directory, false, w) : -ENOMEM;
                if (r < 0)
                        return r;
                if (!u->directory && startswith(u->path, "/run/"))
                        for (size_t k = 0; k < p->n_binds; k++)
                                if (streq(p->binds[k].dest, u->path))
                                        p->binds[k].ignore_missing = true;
        }
        for (size_t i = 0; i < extras->n_dirs; i++) {
                const char *w = mount_plan_intern(p, extras->dirs[i].reason);
                int r = w ? mount_plan_add(p, extras->dirs[i].path, extras->dirs[i].path, false, true, false,
                                           w)
                          : -ENOMEM;
                if (r < 0)
                        return r;
        }
        for (char **h = extras->hazards; h && *h; h++)
                if (strv_extend(&p->warnings, *h) < 0)
                        return -ENOMEM;
        return 0;
}

/* The capabilities the closure's files carry: they stay in the bounding set. */
static uint64_t closure_file_caps(const Closure *c) {
        uint64_t file_caps = 0;
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                uint64_t m = 0;
                _cleanup_free_ char *names = n->caps ? strndup(n->caps, strcspn(n->caps, "=+-")) : NULL,
                                    *bad = NULL;
                if (names && caps_parse_list(names, &m, &bad) >= 0)
                        file_caps |= m;
        }
        return file_caps;
}

/* A PID file in a directory of /run bound from the host is where systemd reads it already. */
static void drop_bound_pid_file(MountPlan *p) {
        for (size_t i = 0; i < p->n_binds && p->pid_file; i++) {
                const Bind *b = p->binds + i;
                const char *rest = startswith(b->dest, "/run/");
                size_t n = rest ? strlen(rest) : 0;
                if (!b->writable || !b->directory || !streq(b->source, b->dest) || !rest ||
                    strncmp(p->pid_file, rest, n) != 0 || p->pid_file[n] != '/')
                        continue;
                p->pid_file = mfree_str(p->pid_file);
                for (size_t k = 0; p->warnings && p->warnings[k]; k++)
                        if (startswith(p->warnings[k], "PIDFile=")) {
                                free(p->warnings[k]);
                                memmove(p->warnings + k, p->warnings + k + 1,
                                        (strv_length(p->warnings + k + 1) + 1) * sizeof(char *));
                                break;
                        }
        }
}

/* What the unit's programs need beyond their ELF files: always the commands and files of its scripts and its
 * interpreters' modules; the computed presets add package files, plugins and state. Then who it runs as,
 * and what holds it in. */
static int plan_add_unit_extras(PlanBuilder *b) {
        unsigned rules = UNIT_RULE_SCRIPTS | UNIT_RULE_MODULES;
        for (char **pr = b->s->presets; pr && *pr; pr++)
                rules |= confine_preset_find(*pr)->rules;
        _cleanup_(unit_extras_done) UnitExtras extras = {};
        int r = unit_closure_extend(b->c, NULL, b->db, b->svc, &b->env, rules, &extras);
        if (r < 0)
                return plan_fail(b, r, "cannot compute the closure of", b->svc->id);
        r = add_extras_writable(&b->p, &extras);
        if (r >= 0)
                r = confine_harden(b->svc, b->s, closure_file_caps(b->c), extras.chroot_by, &b->p);
        if (r >= 0)
                r = confine_suggest_user(b->svc, extras.run_as, extras.run_as_where, b->p.bounding, &b->p);
        if (r >= 0)
                drop_bound_pid_file(&b->p);
        return r;
}

/* The loader's cache, only when a library was found through it outside the default directories: without it
 * the loader still finds the rest there, and the root shows nothing of the host's /etc. */
static int plan_add_ld_cache(PlanBuilder *b) {
        for (size_t i = 0; i < closure_n_nodes(b->c); i++) {
                const ClosureNode *n = closure_node(b->c, i);
                _cleanup_free_ char *dir = path_dirname(n->path);
                if (!dir)
                        return -ENOMEM;
                const char *rest = startswith(dir, "/usr/lib") ? dir + 8
                                   : startswith(dir, "/lib")   ? dir + 4
                                                               : NULL;
                bool default_dir =
                        rest &&
                        (!*rest || (rest[0] == '/' && !strchr(rest + 1, '/') && strstr(rest, "-linux-")));
                struct stat st;
                if (n->found_via == VIA_LD_CACHE && !default_dir &&
                    fs_root_chase(b->root, "/etc/ld.so.cache", NULL, &st) >= 0)
                        return mount_plan_add(&b->p, "/etc/ld.so.cache", "/etc/ld.so.cache", false, false,
                                              false, "ld.so.cache");
        }
        return 0;
}

/* --no-bin-sh is the operator's word: no /bin/sh, whatever a script names. */
static void drop_bin_sh(PlanBuilder *b) {
        for (size_t i = 0; b->s->bin_sh == BIN_SH_NONE && i < b->p.n_binds; i++)
                if (streq(b->p.binds[i].dest, "/bin/sh")) {
                        free(b->p.binds[i].source);
                        free(b->p.binds[i].dest);
                        b->p.binds[i--] = b->p.binds[--b->p.n_binds];
                }
}

static int warn_missing(PlanBuilder *b) {
        for (size_t i = 0; i < closure_n_missing(b->c); i++) {
                const ClosureMissing *m = closure_missing(b->c, i);
                char *w;
                if (asprintf(
                            &w,
                            "%s, needed by %s, is missing (%s): the service will not start until it is found",
                            m->name, closure_node(b->c, m->needed_by)->path, m->reason) < 0 ||
                    strv_push(&b->p.warnings, w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* On this host (not an image below --root, not an export for another host), the host's mount points: the
 * root is a skeleton of its own and read-only binds come from the host's read-only views, which costs
 * systemd one mount each instead of a mount and a remount. NULL elsewhere, or without mountinfo (the binds
 * then stay as systemd makes them read-only itself). */
static char **plan_host_mounts(PlanBuilder *b) {
        const char *root = fs_root_path(b->root);
        char **mounts = NULL;
        if (b->s->portable || (root && *root && !streq(root, "/")) || host_view_mounts(&mounts) < 0)
                return NULL;
        return mounts;
}

/* Conflicts dropped, then the mount budget; over it, nothing more could be bound whole without changing
 * what the service sees. */
static int plan_finish(PlanBuilder *b) {
        int r = confine_note_privileged(b->c, b->s, &b->p);
        if (r < 0)
                return r;
        drop_inside_exec_dirs(&b->p, b->svc);
        _cleanup_(strv_freep) char **mounts = plan_host_mounts(b);
        if (mounts)
                r = root_skeleton_plan(&b->p, b->svc, mounts, read_link, b->root);
        if (r >= 0 && b->p.skeleton)
                r = root_skeleton_canonical(&b->p, read_link, b->root);
        SubtreeOps subtree = {.root = b->root, .owners = b->db ? find_owners : NULL, .userdata = b->db};
        if (r >= 0)
                r = mount_plan_finish(&b->p, b->s->mount_budget, count_dir, read_link, b->root, &subtree);
        if (r >= 0 && mounts)
                r = host_view_plan(&b->p, mounts);
        if (r < 0 || b->p.n_binds <= b->s->mount_budget)
                return r;
        char *w;
        if (asprintf(&w,
                     "%zu bind mounts, over the budget of %u: no more directories can be bound whole "
                     "without changing what the service sees, so its start-up will be slow (each "
                     "mount costs; see make bench-mounts). Fewer --package/--path entries help",
                     b->p.n_binds, b->s->mount_budget) < 0)
                return -ENOMEM;
        return strv_push(&b->p.warnings, w);
}

/* Each kind of content in turn; the order matters where two name the same destination (the first stays
 * unless the later one is the operator's), and learning comes last: it adds what the rest does not show. */
static int plan_build(PlanBuilder *b) {
        int r = plan_add_programs(b);
        if (r >= 0)
                r = plan_add_environment(b);
        if (r >= 0)
                r = plan_add_bin_sh(b);
        if (r >= 0)
                r = plan_add_packages(b);
        if (r >= 0)
                r = plan_add_extra_paths(b);
        if (r >= 0)
                r = plan_add_unit_places(b);
        if (r >= 0)
                r = plan_add_unit_extras(b);
        if (r >= 0)
                r = plan_add_ld_cache(b);
        if (r >= 0)
                r = mount_plan_add_closure(&b->p, b->c);
        if (r < 0)
                return r;
        drop_bin_sh(b);
        if (b->s->learned) {
                r = add_learned(b->root, b->svc, &b->p, b->reterr);
                if (r < 0)
                        return r;
        }
        r = warn_missing(b);
        return r < 0 ? r : plan_finish(b);
}

int confine_plan_build(ClosureContext *ctx, DpkgDb *db, const Service *svc, const ConfineSettings *s,
                       bool force, MountPlan *ret, Closure **ret_closure, char **reterr) {
        PlanBuilder b = {.root = closure_context_root(ctx),
                         .db = db,
                         .svc = svc,
                         .s = s,
                         .env = {.path = service_getenv(svc, "PATH"),
                                 .ld_library_path = service_getenv(svc, "LD_LIBRARY_PATH")},
                         .reterr = reterr};
        int r = confine_check_conflicts(svc, s, force, &b.p, reterr);
        if (r >= 0)
                r = closure_new(ctx, &b.c);
        if (r >= 0)
                r = plan_build(&b);
        if (r < 0) {
                mount_plan_done(&b.p);
                closure_free(b.c);
                return r;
        }
        *ret = b.p;
        if (ret_closure)
                *ret_closure = b.c;
        else
                closure_free(b.c);
        return 0;
}
