/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fs-root.h"
#include "hashmap.h"
#include "macro.h"
#include "mount-plan-internal.h"
#include "path-util.h"
#include "service.h" /* strv */

void mount_plan_done(MountPlan *p) {
        for (size_t i = 0; i < p->n_binds; i++) {
                free(p->binds[i].source);
                free(p->binds[i].dest);
        }
        free(p->binds);
        strv_free(p->suggestions);
        strv_free(p->warnings);
        free(p->pid_file);
        strv_free(p->runtime_dirs);
        strv_free(p->strings);
        strv_free(p->views);
        free(p->skeleton);
        strv_free(p->skeleton_links);
        strv_free(p->skeleton_dirs);
        for (size_t i = 0; i < p->n_merges; i++)
                dir_merge_done(p->merges + i);
        free(p->merges);
        *p = (MountPlan){};
}

const char *mount_plan_intern(MountPlan *p, const char *s) {
        for (char **o = p->strings; o && *o; o++)
                if (streq(*o, s))
                        return *o;
        if (strv_extend(&p->strings, s) < 0)
                return NULL;
        return p->strings[strv_length(p->strings) - 1];
}

int mount_plan_add(MountPlan *p, const char *source, const char *dest_in, bool writable, bool directory,
                   bool explicit_choice, const char *why) {
        /* a loader path such as $ORIGIN/../lib/x is what the program opens; systemd wants it normalised */
        _cleanup_free_ char *dest = strdup(dest_in);
        if (!dest)
                return -ENOMEM;
        path_normalize(dest);
        for (size_t i = 0; i < p->n_binds; i++) {
                Bind *b = p->binds + i;
                if (!streq(b->dest, dest))
                        continue;
                /* one destination, one bind: the operator's explicit choice wins over anything derived */
                if (!explicit_choice) {
                        b->writable = b->writable || writable;
                        return 0;
                }
                char *src = strdup(source);
                if (!src)
                        return -ENOMEM;
                free(b->source);
                b->source = src;
                b->writable = writable;
                b->directory = directory;
                b->why = why;
                return 0;
        }
        if (!GROW(p->binds, p->allocated, p->n_binds + 1))
                return -ENOMEM;
        Bind *b = p->binds + p->n_binds;
        *b = (Bind){.source = strdup(source),
                    .dest = TAKE_PTR(dest),
                    .writable = writable,
                    .directory = directory,
                    .why = why};
        if (!b->source) {
                free(b->dest);
                return -ENOMEM;
        }
        p->n_binds++;
        return 0;
}

int mount_plan_add_closure(MountPlan *p, const Closure *c) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                int r = mount_plan_add(p, n->realpath, n->path, false, false, false, "closure");
                if (r >= 0 && !streq(n->path, n->realpath) && n->kind != NODE_LIBRARY)
                        r = mount_plan_add(p, n->realpath, n->realpath, false, false, false, "closure");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_bind(const void *a, const void *b) {
        return strcmp(((const Bind *)a)->dest, ((const Bind *)b)->dest);
}

/* Binds grouped by the directory of their destination, then by name: a directory's entries together, those
 * of its subdirectories after them. */
static int cmp_bind_by_parent(const void *x, const void *y) {
        const char *a = ((const Bind *)x)->dest, *b = ((const Bind *)y)->dest;
        size_t la = path_dirname_len(a), lb = path_dirname_len(b);
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c != 0 || la != lb)
                return c != 0 ? c : la < lb ? -1 : 1;
        return strcmp(a + la, b + lb);
}

Hashmap *mount_plan_dest_index(const MountPlan *p) {
        Hashmap *h = hashmap_new();
        for (size_t i = 0; h && i < p->n_binds; i++)
                if (hashmap_put(h, p->binds[i].dest, p->binds + i, NULL) < 0)
                        h = hashmap_free(h);
        return h;
}

bool mount_plan_shown_as_on_host(Hashmap *dests, const char *path, bool exclude_self) {
        size_t full = strlen(path);
        for (size_t len = full; len > 1;) {
                const Bind *d = exclude_self && len == full ? NULL : hashmap_get_bytes(dests, path, len);
                if (d && !d->writable && (d->directory || len == full) && strlen(d->source) == len &&
                    strncmp(d->source, path, len) == 0)
                        return true;
                while (len > 0 && path[len - 1] != '/')
                        len--;
                if (len <= 1)
                        return false;
                len--;
        }
        return false;
}

/* b binds a symlink's real file at the link's path. In a directory bound whole, the link itself shows
 * instead; it leads to the same file when its text names the real file in one hop and the plan shows
 * that file as the host has it. */
static bool link_survives(const Bind *b, Hashmap *dests, ReadLinkFn read_link, void *userdata) {
        _cleanup_free_ char *text = NULL, *target = NULL, *dir = path_dirname(b->dest);
        if (!dir || !read_link || read_link(b->dest, &text, userdata) < 0)
                return false;
        if (asprintf(&target, "%s/%s", text[0] == '/' ? "" : dir, text) < 0)
                return false;
        path_normalize(target);
        return streq(target, b->source) && mount_plan_shown_as_on_host(dests, target, false);
}

bool mount_plan_absorbable(const Bind *b, Hashmap *dests, ReadLinkFn read_link, void *userdata) {
        if (b->writable)
                return false;
        if (streq(b->source, b->dest))
                return true; /* a file or directory bound where it is */
        return !b->directory && link_survives(b, dests, read_link, userdata);
}

/* Drop binds a directory bound whole above them already shows. */
static int drop_covered(MountPlan *p, ReadLinkFn read_link, void *userdata) {
        _cleanup_(hashmap_freep) Hashmap *dests = mount_plan_dest_index(p);
        if (!dests)
                return -ENOMEM;
        bool *drop = calloc(p->n_binds + 1, sizeof(bool));
        if (!drop)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_binds; i++)
                drop[i] = mount_plan_shown_as_on_host(dests, p->binds[i].dest, true) &&
                          mount_plan_absorbable(p->binds + i, dests, read_link, userdata);
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                if (drop[i]) {
                        free(p->binds[i].source);
                        free(p->binds[i].dest);
                } else
                        p->binds[k++] = p->binds[i];
        }
        p->n_binds = k;
        free(drop);
        return 0;
}

/* The directory whose direct entries most deserve one bind: 3 or more of them and at least half of it
 * (on the budget pass, any 2 or more); its bind count and entry count. NULL when none. */
static int best_direct(MountPlan *p, bool budget_pass, DirCountFn count, ReadLinkFn read_link, void *userdata,
                       char **ret, size_t *ret_n, size_t *ret_total) {
        if (p->n_binds > 1) /* qsort() wants a real array even for none */
                qsort(p->binds, p->n_binds, sizeof(Bind), cmp_bind_by_parent);
        _cleanup_(hashmap_freep) Hashmap *dests = mount_plan_dest_index(p);
        if (!dests)
                return -ENOMEM;
        _cleanup_free_ char *best = NULL;
        size_t best_n = 0, best_total = 0;
        for (size_t i = 0; i < p->n_binds;) {
                _cleanup_free_ char *dir = path_dirname(p->binds[i].dest);
                size_t j = i;
                bool mergeable = dir && !streq(dir, "/");
                for (; j < p->n_binds; j++) {
                        const char *d = p->binds[j].dest;
                        if (!dir || path_dirname_len(d) != strlen(dir) ||
                            strncmp(d, dir, path_dirname_len(d)) != 0)
                                break;
                        mergeable =
                                mergeable && mount_plan_absorbable(p->binds + j, dests, read_link, userdata);
                }
                size_t n = j - i, total = 0;
                if (mergeable && n >= 2 && n > best_n && count && count(dir, &total, userdata) >= 0 &&
                    total >= n && (budget_pass || (n >= 3 && total <= 2 * n))) {
                        free(best);
                        best = TAKE_PTR(dir);
                        best_n = n;
                        best_total = total;
                }
                i = j;
        }
        *ret = TAKE_PTR(best);
        *ret_n = best_n;
        *ret_total = best_total;
        return 0;
}

/* The directory's direct entries give way to one bind of the directory; what it shows beyond them is
 * walked when the subtree is small enough, else its other entries are counted. */
static int merge_direct(MountPlan *p, char *dir, size_t n, size_t total, bool budget_pass,
                        const SubtreeOps *subtree) {
        DirMerge m = {.dir = dir, .why = budget_pass ? DIR_MERGE_BUDGET : DIR_MERGE_DIRECT, .replaced = n};
        int r = subtree ? mount_plan_scan_exposed(p, subtree, dir, &m.exposed, m.examples) : -E2BIG;
        if (r == -ENOMEM)
                return r;
        m.exposed_known = r >= 0;
        if (r < 0)
                m.exposed = total - n;
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                _cleanup_free_ char *d = path_dirname(p->binds[i].dest);
                if (d && streq(d, dir)) {
                        free(p->binds[i].source);
                        free(p->binds[i].dest);
                        continue;
                }
                p->binds[k++] = p->binds[i];
        }
        p->n_binds = k;
        r = mount_plan_add(p, dir, dir, false, true, false, "directory");
        if (r >= 0)
                return mount_plan_record_merge(p, &m);
        dir_merge_done(&m);
        return r;
}

int mount_plan_finish(MountPlan *p, unsigned budget, DirCountFn count, ReadLinkFn read_link, void *userdata,
                      const SubtreeOps *subtree) {
        /* Mount count is start-up time (make bench-mounts). First a directory whose whole subtree is in the
         * plan, or in a package the plan binds files of (mount-coalesce.c); then a directory where most of
         * its entries are bound anyway (3 or more and at least half of the directory); then, over budget,
         * the directories holding the most binds, until the plan fits. Only read-only binds that the
         * directory shows as they were are merged (absorbable): files and directories bound where they are,
         * and symlinks whose real file stays in the root. */
        int r = drop_covered(p, read_link, userdata);
        if (r >= 0 && subtree)
                r = mount_plan_coalesce_subtrees(p, subtree, read_link, userdata);
        if (r < 0)
                return r;
        for (unsigned pass = 0; pass < 2; pass++) {
                for (;;) {
                        r = drop_covered(p, read_link, userdata);
                        if (r < 0)
                                return r;
                        if (pass == 1 && p->n_binds <= budget)
                                break;
                        char *best;
                        size_t n, total;
                        r = best_direct(p, pass == 1, count, read_link, userdata, &best, &n, &total);
                        if (r < 0)
                                return r;
                        if (!best)
                                break;
                        r = merge_direct(p, best, n, total, pass == 1, subtree);
                        if (r < 0)
                                return r;
                }
        }
        if (p->n_binds > 1) /* qsort() wants a real array even for none */
                qsort(p->binds, p->n_binds, sizeof(Bind), cmp_bind);
        return 0;
}
