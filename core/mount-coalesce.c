/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "macro.h"
#include "mount-plan-internal.h"
#include "path-util.h"
#include "strv.h"
#include "unit-closure.h" /* unit_dir_is_wide, unit_path_is_hazard */

#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x00002000
#endif

/* A subtree larger than this is not walked, so not bound whole: the walk is start-up time of the tool, and
 * a directory that large is no longer what the service needs. */
#define SUBTREE_MAX_ENTRIES 2048
#define SUBTREE_MAX_DEPTH 16

static const char *const why_table[_DIR_MERGE_WHY_MAX] = {
        [DIR_MERGE_CLOSURE] = "all in closure",
        [DIR_MERGE_PACKAGE] = "package",
        [DIR_MERGE_DIRECT] = "most direct entries",
        [DIR_MERGE_BUDGET] = "budget",
};

const char *dir_merge_why_to_string(DirMergeWhy w) {
        return w >= 0 && w < _DIR_MERGE_WHY_MAX ? why_table[w] : NULL;
}

void dir_merge_done(DirMerge *m) {
        free(m->dir);
        for (size_t k = 0; k < DIR_MERGE_EXAMPLES; k++)
                free(m->examples[k]);
        *m = (DirMerge){};
}

static int add_example(char *examples[DIR_MERGE_EXAMPLES], const char *path) {
        for (size_t k = 0; k < DIR_MERGE_EXAMPLES; k++)
                if (!examples[k]) {
                        examples[k] = strdup(path);
                        return examples[k] ? 0 : -ENOMEM;
                }
        return 0;
}

int mount_plan_record_merge(MountPlan *p, DirMerge *m) {
        if (!GROW(p->merges, p->allocated_merges, p->n_merges + 1)) {
                dir_merge_done(m);
                return -ENOMEM;
        }
        /* an earlier merge below this one: one of the entries this one replaced */
        size_t k = 0;
        for (size_t i = 0; i < p->n_merges; i++) {
                DirMerge *o = p->merges + i;
                if (!path_is_under(o->dir, m->dir)) {
                        p->merges[k++] = *o;
                        continue;
                }
                m->replaced += o->replaced - 1;
                m->exposed += o->exposed;
                m->exposed_known = m->exposed_known && o->exposed_known;
                for (size_t e = 0; e < DIR_MERGE_EXAMPLES && o->examples[e]; e++)
                        (void)add_example(m->examples, o->examples[e]); /* examples only */
                dir_merge_done(o);
        }
        p->merges[k++] = *m;
        *m = (DirMerge){};
        p->n_merges = k;
        p->coalesced_dirs = k;
        p->exposed_files = 0;
        for (size_t i = 0; i < k; i++)
                p->exposed_files += p->merges[i].exposed;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct Scan {
        FsRoot *root;
        Hashmap *dests;
        dev_t dev;
        bool strict; /* stop at what a directory bound whole must not show */
        size_t entries;
        bool blocked, too_big;
        char **unshown; /* the files the plan does not show */
} Scan;

/* Whether the plan shows path already: bound itself, or in a directory bound whole; a link, when the plan
 * shows the file it leads to. */
static bool scan_shown(Scan *s, const char *path, bool link) {
        const Bind *b = hashmap_get(s->dests, path);
        const char *real;
        if ((b && !b->writable) || mount_plan_shown_as_on_host(s->dests, path, false))
                return true;
        return link && fs_root_chase(s->root, path, &real, NULL) >= 0 &&
               mount_plan_shown_as_on_host(s->dests, real, false);
}

/* What a directory bound whole must not show: a file never bound, a directory the project never binds
 * whole, a mount point (its own contents), a device, socket or FIFO. */
static bool scan_refuses(const Scan *s, const char *path, const struct statx *sx, unsigned depth) {
        mode_t t = sx->stx_mode & S_IFMT;
        if (unit_path_is_hazard(path, NULL))
                return true;
        if (t == S_IFDIR)
                return unit_dir_is_wide(path) || depth >= SUBTREE_MAX_DEPTH ||
                       (sx->stx_attributes_mask & sx->stx_attributes & STATX_ATTR_MOUNT_ROOT) ||
                       makedev(sx->stx_dev_major, sx->stx_dev_minor) != s->dev;
        return t != S_IFREG && t != S_IFLNK;
}

static int scan_dir(Scan *s, const char *dir, unsigned depth) {
        _cleanup_(closedirp) DIR *d = fs_root_opendir(s->root, dir);
        if (!d) {
                s->blocked = true; /* what it holds is not known */
                return 0;
        }
        struct dirent *de;
        while ((de = readdir(d)) && !s->too_big && !(s->strict && s->blocked)) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (++s->entries > SUBTREE_MAX_ENTRIES) {
                        s->too_big = true;
                        break;
                }
                _cleanup_free_ char *path = NULL;
                struct statx sx;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (statx(dirfd(d), de->d_name, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) < 0 ||
                    scan_refuses(s, path, &sx, depth)) {
                        s->blocked = true;
                        continue;
                }
                int r = 0;
                if (S_ISDIR(sx.stx_mode))
                        r = scan_dir(s, path, depth + 1);
                else if (!scan_shown(s, path, S_ISLNK(sx.stx_mode)))
                        r = strv_push(&s->unshown, TAKE_PTR(path));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Walk dir (a real directory, not a link, below the root). */
static int scan(Scan *s, const char *dir) {
        const char *real;
        struct stat st;
        int r = fs_root_chase(s->root, dir, &real, &st);
        if (r < 0)
                return r;
        if (!S_ISDIR(st.st_mode) || !streq(real, dir))
                return -ENOTDIR;
        s->dev = st.st_dev;
        r = scan_dir(s, dir, 0);
        if (s->unshown) /* examples in a stable order */
                qsort(s->unshown, strv_length(s->unshown), sizeof(char *), cmp_str);
        return r < 0 ? r : s->too_big ? -E2BIG : 0;
}

int mount_plan_scan_exposed(const MountPlan *p, const SubtreeOps *ops, const char *dir, size_t *ret_exposed,
                            char *examples[DIR_MERGE_EXAMPLES]) {
        _cleanup_(hashmap_freep) Hashmap *dests = mount_plan_dest_index(p);
        if (!dests)
                return -ENOMEM;
        Scan s = {.root = ops->root, .dests = dests};
        int r = scan(&s, dir);
        if (r >= 0)
                *ret_exposed = strv_length(s.unshown);
        for (size_t k = 0; r >= 0 && k < DIR_MERGE_EXAMPLES && s.unshown && s.unshown[k]; k++)
                r = add_example(examples, s.unshown[k]);
        strv_free(s.unshown);
        return r;
}

/* Where files come and go while the service runs: a walk now says nothing of what a directory bound whole
 * shows later. */
static bool volatile_place(const char *dir) {
        static const char *const places[] = {"/run",     "/var/run", "/tmp",       "/var/tmp",
                                             "/var/lib", "/var/log", "/var/spool", "/var/cache",
                                             "/proc",    "/sys",     "/dev"};
        for (size_t i = 0; i < ELEMENTSOF(places); i++)
                if (path_is_under(dir, places[i]))
                        return true;
        return false;
}

/* The packages that own a file the plan binds read-only: those the closure includes. */
static int closure_packages(const MountPlan *p, const SubtreeOps *ops, char ***ret) {
        _cleanup_free_ const char **paths = calloc(p->n_binds + 1, sizeof(char *)),
                                  **owners = calloc(p->n_binds + 1, sizeof(char *));
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;
        if (!paths || !owners)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_binds; i++)
                if (!p->binds[i].writable && !p->binds[i].directory)
                        paths[n++] = p->binds[i].source;
        int r = ops->owners && n > 0 ? ops->owners(paths, n, owners, ops->userdata) : 0;
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (owners[i] && !strv_contains(l, owners[i]) && strv_extend(&l, owners[i]) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* The directories above the binds that could be bound whole, sorted: a parent before its children. */
static int candidate_dirs(const MountPlan *p, const bool *absorbable, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        for (size_t i = 0; i < p->n_binds; i++) {
                _cleanup_free_ char *dir = absorbable[i] ? path_dirname(p->binds[i].dest) : NULL;
                while (dir && !streq(dir, "/")) {
                        if (!unit_dir_is_wide(dir) && !volatile_place(dir) && !strv_contains(l, dir) &&
                            strv_extend(&l, dir) < 0)
                                return -ENOMEM;
                        dir[path_dirname_len(dir) > 1 ? path_dirname_len(dir) : 1] = 0;
                }
        }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        *ret = TAKE_PTR(l);
        return 0;
}

/* How many binds dir would replace; 0 when a bind at, above or below it must keep its own mount (a
 * writable place, a link's real file at the link's path). */
static size_t binds_below(const MountPlan *p, const bool *absorbable, const char *dir) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                const char *d = p->binds[i].dest;
                bool below = path_is_under(d, dir);
                if (!absorbable[i] && (below || path_is_under(dir, d)))
                        return 0;
                n += below;
        }
        return n;
}

/* The owner of every file in files, when it is one package the closure includes (interned), else NULL. */
static int one_package(MountPlan *p, const SubtreeOps *ops, char **pkgs, char **files, const char **ret) {
        size_t n = strv_length(files);
        _cleanup_free_ const char **owners = calloc(n + 1, sizeof(char *));
        *ret = NULL;
        if (!owners)
                return -ENOMEM;
        int r = ops->owners ? ops->owners((const char *const *)files, n, owners, ops->userdata) : -ENOPKG;
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        for (size_t i = 0; i < n; i++)
                if (!owners[i] || !streq(owners[i], owners[0]))
                        return 0;
        if (!strv_contains(pkgs, owners[0]))
                return 0;
        *ret = mount_plan_intern(p, owners[0]);
        return *ret ? 0 : -ENOMEM;
}

/* Whether dir may be bound whole (1, m filled) or not (0): nothing below it the root must not show, and
 * what it adds to the plan, if anything, is one included package's. */
static int subtree_check(MountPlan *p, const SubtreeOps *ops, Hashmap *dests, char **pkgs, const char *dir,
                         DirMerge *m) {
        Scan s = {.root = ops->root, .dests = dests, .strict = true};
        const char *pkg = NULL;
        int r = scan(&s, dir);
        if (r >= 0 && !s.blocked && s.unshown)
                r = one_package(p, ops, pkgs, s.unshown, &pkg);
        if (r >= 0 && !s.blocked && (!s.unshown || pkg)) {
                *m = (DirMerge){.dir = strdup(dir),
                                .why = pkg ? DIR_MERGE_PACKAGE : DIR_MERGE_CLOSURE,
                                .package = pkg,
                                .exposed = strv_length(s.unshown),
                                .exposed_known = true};
                r = m->dir ? 1 : -ENOMEM;
                for (size_t k = 0; r > 0 && k < DIR_MERGE_EXAMPLES && s.unshown && s.unshown[k]; k++)
                        if (add_example(m->examples, s.unshown[k]) < 0)
                                r = -ENOMEM;
        } else if (r != -ENOMEM)
                r = 0;
        strv_free(s.unshown);
        return r;
}

/* The chosen directories' binds give way to one bind each. */
static int apply_merges(MountPlan *p, DirMerge *chosen, size_t n_chosen) {
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                bool below = false;
                for (size_t c = 0; c < n_chosen && !below; c++)
                        below = path_is_under(p->binds[i].dest, chosen[c].dir);
                if (below) {
                        free(p->binds[i].source);
                        free(p->binds[i].dest);
                } else
                        p->binds[k++] = p->binds[i];
        }
        p->n_binds = k;
        int r = 0;
        for (size_t c = 0; c < n_chosen; c++) {
                if (r >= 0)
                        r = mount_plan_add(p, chosen[c].dir, chosen[c].dir, false, true, false, "directory");
                if (r >= 0)
                        r = mount_plan_record_merge(p, chosen + c);
                else
                        dir_merge_done(chosen + c);
        }
        return r;
}

int mount_plan_coalesce_subtrees(MountPlan *p, const SubtreeOps *ops, ReadLinkFn read_link, void *userdata) {
        _cleanup_(hashmap_freep) Hashmap *dests = mount_plan_dest_index(p);
        _cleanup_free_ bool *absorbable = calloc(p->n_binds + 1, sizeof(bool));
        _cleanup_(strv_freep) char **pkgs = NULL, **cands = NULL;
        _cleanup_free_ DirMerge *chosen = NULL;
        size_t n_chosen = 0, allocated = 0;
        if (!dests || !absorbable)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_binds; i++)
                absorbable[i] = mount_plan_absorbable(p->binds + i, dests, read_link, userdata);
        int r = closure_packages(p, ops, &pkgs);
        if (r >= 0)
                r = candidate_dirs(p, absorbable, &cands);
        /* the highest directory that may go whole: fewest mounts */
        for (char **c = cands; r >= 0 && c && *c; c++) {
                bool taken = false;
                for (size_t k = 0; k < n_chosen && !taken; k++)
                        taken = path_is_under(*c, chosen[k].dir);
                size_t n = taken ? 0 : binds_below(p, absorbable, *c);
                DirMerge m = {};
                if (n < 2 || (r = subtree_check(p, ops, dests, pkgs, *c, &m)) <= 0)
                        continue;
                m.replaced = n;
                if (!GROW(chosen, allocated, n_chosen + 1)) {
                        dir_merge_done(&m);
                        r = -ENOMEM;
                        break;
                }
                chosen[n_chosen++] = m;
        }
        if (r >= 0)
                return apply_merges(p, chosen, n_chosen);
        for (size_t k = 0; k < n_chosen; k++)
                dir_merge_done(chosen + k);
        return r;
}

/* "/usr/share/zoneinfo (package tzdata:all): 3 binds -> 1, exposes 597 more files, e.g. /a, /b" */
int dir_merge_describe(const DirMerge *m, char **ret) {
        _cleanup_free_ char *eg = NULL;
        for (size_t k = 0; k < DIR_MERGE_EXAMPLES && m->examples[k]; k++) {
                char *n;
                if (asprintf(&n, "%s%s%s", eg ? eg : "", eg ? ", " : ", e.g. ", m->examples[k]) < 0)
                        return -ENOMEM;
                free(eg);
                eg = n;
        }
        int r = asprintf(ret, "%s (%s%s%s): %zu bind%s -> 1, exposes %s%zu more file%s%s", m->dir,
                         dir_merge_why_to_string(m->why), m->package ? " " : "", m->package ? m->package : "",
                         m->replaced, m->replaced == 1 ? "" : "s", m->exposed_known ? "" : "at least ",
                         m->exposed, m->exposed == 1 ? "" : "s", eg ? eg : "");
        return r < 0 ? -ENOMEM : 0;
}
