/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <fcntl.h>

#include "closure-internal.h"
#include "fileio.h"
#include "macro.h"

/* One simulated process: the objects glibc's loader has mapped, in load order. */
typedef struct Loaded {
        size_t node;
        const ElfInfo *info;
        const char *path;   /* l_name: the path it was opened under */
        const char *origin; /* $ORIGIN */
        ssize_t loader;     /* l_loader: who asked for it first, -1 for the main program */
        /* the names it answered to (DT_NEEDED strings) with their hashes: nearly always one, kept in
         * place; a third and further ones in more[] */
        struct {
                const char *name;
                uint32_t hash;
        } first[2], *more;
        size_t n_names, allocated_more;
        dev_t dev;
        ino_t ino;
} Loaded;

typedef struct Process {
        Closure *c;
        const LdPlatform *platform;
        const ClosureEnv *env;
        bool secure;
        Loaded *loaded;
        size_t n_loaded, allocated_loaded;
        /* the paths a search tried: the arrays serve every search of the process */
        char **tried;
        bool *subdir;
        size_t allocated_tried, allocated_subdir;
        /* the directory lists of the search at hand, and its key in the closure's memo */
        struct SearchStep *steps;
        size_t n_steps, allocated_steps;
        char *key;
        size_t allocated_key;
} Process;

/* A directory list one search goes through before ld.so.cache, in the loader's order: DT_RPATH of the
 * object and its loaders (unless the object has DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH. */
typedef struct SearchStep {
        const char *list, *origin;
        FoundVia via;
} SearchStep;

/* A search that found its object: the same name, lists, platform and DF_1_NODEFLIB find the same file
 * again, in every process of the closure. */
typedef struct SearchMemo {
        const char *path, *real;
        struct stat st;
        const Object *object;
        FoundVia via;
} SearchMemo;

/* The library search */

typedef struct Search {
        Process *p;
        const char *name;
        size_t n_tried;    /* in p->tried and p->subdir */
        const char *fatal; /* set when the loader would give up with an error */
        /* the result */
        const char *path, *real;
        struct stat st;
        const Object *object;
} Search;

static void search_done(Search *s) {
        for (size_t i = 0; i < s->n_tried; i++)
                free(s->p->tried[i]);
}

/* 1 found, 0 go on searching, -1 fatal (s->fatal), -ENOMEM. What glibc's open_verify() does. */
static int search_try(Search *s, char *candidate, bool subdir) {
        ClosureContext *ctx = s->p->c->ctx;
        const char *real;
        struct stat st;
        const Object *o;
        int r;

        Process *p = s->p;
        if (!GROW(p->tried, p->allocated_tried, s->n_tried + 1) ||
            !GROW(p->subdir, p->allocated_subdir, s->n_tried + 1)) {
                free(candidate);
                return -ENOMEM;
        }
        p->subdir[s->n_tried] = subdir;
        p->tried[s->n_tried++] = candidate;

        if (fs_root_chase(ctx->root, candidate, &real, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        r = closure_context_object(ctx, real, &st, NULL, &o);
        if (r < 0)
                return r;
        if (o->error == -EACCES || o->error == -ENOENT)
                return 0;
        const LdPlatform *pl = s->p->platform;
        if (o->info && (o->info->elf_class != pl->elf_class || o->info->machine != pl->machine))
                return 0; /* another architecture or class: not an error, the loader looks further */
        if (!o->info && o->has_ident && (o->ident_class != pl->elf_class || o->ident_machine != pl->machine))
                return 0;
        if (!o->info || o->error < 0 || o->info->data != pl->data ||
            (o->info->type != ET_DYN && o->info->type != ET_EXEC)) {
                s->fatal = o->info ? (o->info->data != pl->data ? "wrong byte order" : "not a shared object")
                                   : closure_object_error(s->p->c, candidate, o);
                if (o->info) {
                        char *m;
                        if (asprintf(&m, "%s: %s", candidate, s->fatal) < 0)
                                return -ENOMEM;
                        s->fatal = arena_strdup(s->p->c->arena, m);
                        free(m);
                }
                return -1;
        }
        s->path = candidate;
        s->real = real;
        s->st = st;
        s->object = o;
        return 1;
}

/* Six strings joined, malloc'd: a candidate path (printf's machinery is measurable here). */
static char *concat(const char *a, const char *b, const char *c, const char *d, const char *e,
                    const char *f) {
        const char *parts[] = {a, b, c, d, e, f};
        size_t len[ELEMENTSOF(parts)], total = 1;
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                total += len[i] = strlen(parts[i]);
        char *s = malloc(total), *w = s;
        if (!s)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(parts); i++)
                w = mempcpy(w, parts[i], len[i]);
        *w = 0;
        return s;
}

/* Try name in every directory of a colon-separated list, each behind its hwcaps subdirectories. */
static int search_dirs(Search *s, const char *list, const char *origin) {
        const LdPlatform *pl = s->p->platform;
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return -ENOMEM;
        /* strsep keeps empty elements, which the loader takes as the current directory */
        for (char *rest = copy, *elem; (elem = strsep(&rest, ":"));) {
                _cleanup_free_ char *dir = NULL;
                int r = ld_expand_tokens(elem, origin, pl, &dir);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;
                size_t dl = strlen(dir);
                while (dl > 0 && dir[dl - 1] == '/')
                        dir[--dl] = 0;
                /* a relative element is relative to the working directory: "/" for a service */
                const char *lead = dir[0] == '/' ? "" : "/";
                for (size_t i = 0; pl->hwcaps[i]; i++) {
                        char *cand = concat(lead, dir, "/glibc-hwcaps/", pl->hwcaps[i], "/", s->name);
                        r = cand ? search_try(s, cand, true) : -ENOMEM;
                        if (r != 0)
                                return r;
                }
                for (size_t i = 0; pl->legacy[i]; i++) {
                        char *cand =
                                concat(lead, dir, pl->legacy[i][0] ? "/" : "", pl->legacy[i], "/", s->name);
                        r = cand ? search_try(s, cand, pl->legacy[i][0] != 0) : -ENOMEM;
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

/* Compared by hash first: every DT_NEEDED of a process is checked against all it has loaded. A name
 * without a leading slash is never an object's path, which always has one. */
static bool loaded_answers(const Loaded *l, const char *name, uint32_t hash) {
        if ((name[0] == '/' && streq(l->path, name)) ||
            (l->info && l->info->soname && l->info->soname_hash == hash && streq(l->info->soname, name)))
                return true;
        for (size_t i = 0; i < l->n_names; i++) {
                const __typeof__(l->first[0]) *n = i < ELEMENTSOF(l->first) ? l->first + i : l->more + i - 2;
                if (n->hash == hash && streq(n->name, name))
                        return true;
        }
        return false;
}

static int process_load(Process *p, size_t node, const ElfInfo *info, const char *path, const char *origin,
                        ssize_t loader, const struct stat *st, size_t *ret) {
        if (!GROW(p->loaded, p->allocated_loaded, p->n_loaded + 1))
                return -ENOMEM;
        p->loaded[p->n_loaded] = (Loaded){
                .node = node,
                .info = info,
                .path = path,
                .origin = origin,
                .loader = loader,
                .dev = st->st_dev,
                .ino = st->st_ino,
        };
        *ret = p->n_loaded++;
        return 0;
}

/* name: a DT_NEEDED string, in the context's arena, which outlives the process */
static int loaded_add_name(Process *p, Loaded *l, const char *name, uint32_t hash) {
        size_t i = l->n_names;
        if (i < ELEMENTSOF(l->first)) {
                l->first[i].name = name;
                l->first[i].hash = hash;
        } else {
                if (!GROW(l->more, l->allocated_more, i - 1))
                        return -ENOMEM;
                l->more[i - 2].name = name;
                l->more[i - 2].hash = hash;
        }
        l->n_names++;
        return 0;
}

static int search_step(Process *p, const char *list, const char *origin, FoundVia via) {
        if (!GROW(p->steps, p->allocated_steps, p->n_steps + 1))
                return -ENOMEM;
        p->steps[p->n_steps++] = (SearchStep){list, origin, via};
        return 0;
}

/* The lists a search for a DT_NEEDED entry of loaded object idx goes through, into p->steps. */
static int search_steps(Process *p, size_t idx) {
        const Loaded *obj = p->loaded + idx, *main_obj = p->loaded;
        bool did_main = false;
        int r = 0;
        p->n_steps = 0;
        if (!obj->info->runpath) {
                for (ssize_t l = idx; l >= 0 && r >= 0; l = p->loaded[l].loader)
                        if (p->loaded[l].info->rpath) {
                                r = search_step(p, p->loaded[l].info->rpath, p->loaded[l].origin, VIA_RPATH);
                                did_main = did_main || l == 0;
                        }
                if (r >= 0 && !did_main && main_obj->info->rpath)
                        r = search_step(p, main_obj->info->rpath, main_obj->origin, VIA_RPATH);
        }
        if (r >= 0 && !p->secure && p->env && p->env->ld_library_path && *p->env->ld_library_path)
                r = search_step(p, p->env->ld_library_path, main_obj->origin, VIA_LD_LIBRARY_PATH);
        if (r >= 0 && obj->info->runpath)
                r = search_step(p, obj->info->runpath, obj->origin, VIA_RUNPATH);
        return r;
}

static int key_append(Process *p, size_t *len, const void *b, size_t n) {
        if (!GROW(p->key, p->allocated_key, *len + n))
                return -ENOMEM;
        memcpy(p->key + *len, b, n);
        *len += n;
        return 0;
}

/* All a search's result depends on, as bytes: the platform, DF_1_NODEFLIB, the lists (with the origin
 * when a list names it) and the name. */
static int search_key(Process *p, const char *name, bool nodeflib, size_t *ret_len) {
        size_t len = 0;
        char flag = nodeflib;
        int r = key_append(p, &len, &p->platform, sizeof p->platform);
        if (r >= 0)
                r = key_append(p, &len, &flag, 1);
        for (size_t i = 0; i < p->n_steps && r >= 0; i++) {
                const SearchStep *st = p->steps + i;
                char via = (char)st->via;
                const char *origin = strchr(st->list, '$') && st->origin ? st->origin : "";
                r = key_append(p, &len, &via, 1);
                if (r >= 0)
                        r = key_append(p, &len, st->list, strlen(st->list) + 1);
                if (r >= 0)
                        r = key_append(p, &len, origin, strlen(origin) + 1);
        }
        if (r >= 0)
                r = key_append(p, &len, name, strlen(name));
        if (r < 0)
                return r;
        *ret_len = len;
        return 0;
}

/* The search for a name without a slash, in the loader's order: the lists of search_steps(),
 * ld.so.cache, the default directories. */
static int search_name(Search *s, const char *n, bool nodeflib, FoundVia *via) {
        Process *p = s->p;
        int r = 0;
        for (size_t i = 0; i < p->n_steps && r == 0; i++) {
                *via = p->steps[i].via;
                r = search_dirs(s, p->steps[i].list, p->steps[i].origin);
        }
        if (r == 0 && !nodeflib) {
                const char *hit =
                        ld_cache_lookup(closure_context_cache(p->c->ctx), n, p->platform->cache_flags,
                                        p->platform->hwcaps, p->platform->legacy_allowed);
                if (hit) {
                        *via = VIA_LD_CACHE;
                        char *cand = strdup(hit);
                        if (!cand)
                                return -ENOMEM;
                        r = search_try(s, cand, false);
                }
        }
        if (r == 0 && !nodeflib) {
                *via = VIA_DEFAULT;
                for (size_t i = 0; p->platform->default_dirs[i] && r == 0; i++)
                        r = search_dirs(s, p->platform->default_dirs[i], NULL);
        }
        return r;
}

/* search_name() through the closure's memo of what was found: 1 found (s->path and the rest set, pointing
 * into the memo), 0 not found, -1 fatal, -ENOMEM. Failures are searched again: they record what was
 * tried, and are few. */
static int search_memo(Search *s, size_t idx, const char *n, FoundVia *via) {
        Process *p = s->p;
        Closure *c = p->c;
        bool nodeflib = p->loaded[idx].info->flags_1 & DF_1_NODEFLIB;
        size_t len;
        int r = search_steps(p, idx);
        if (r >= 0)
                r = search_key(p, n, nodeflib, &len);
        if (r < 0)
                return r;
        SearchMemo *m = hashmap_get_bytes(c->searches, p->key, len);
        if (!m) {
                r = search_name(s, n, nodeflib, via);
                if (r <= 0)
                        return r;
                m = arena_alloc(c->arena, sizeof(SearchMemo));
                char *k = arena_strndup(c->arena, p->key, len);
                if (!m || !k)
                        return -ENOMEM;
                *m = (SearchMemo){.path = arena_strdup(c->arena, s->path),
                                  .real = s->real,
                                  .st = s->st,
                                  .object = s->object,
                                  .via = *via};
                if (!m->path || hashmap_put_bytes(c->searches, k, len, m, NULL) < 0)
                        return -ENOMEM;
        }
        s->path = m->path;
        s->real = m->real;
        s->st = m->st;
        s->object = m->object;
        *via = m->via;
        return 1;
}

/* The object found for name becomes loaded object and node of the closure, needed by object idx. */
static int process_found(Process *p, size_t idx, const Search *s, FoundVia via, const char *name,
                         uint32_t hash) {
        Closure *c = p->c;
        /* The same file under another name is the same object: the loader compares device and inode. */
        for (size_t i = 0; i < p->n_loaded; i++)
                if (p->loaded[i].dev == s->st.st_dev && p->loaded[i].ino == s->st.st_ino) {
                        int r = loaded_add_name(p, p->loaded + i, name, hash);
                        return r < 0 ? r : closure_edge(c, p->loaded[idx].node, p->loaded[i].node);
                }
        size_t node, li;
        int r = closure_node_get(c, s->path, s->real, &s->st, NODE_LIBRARY, via, &node);
        if (r >= 0)
                c->nodes[node].caps = s->object->caps;
        if (r >= 0)
                r = closure_edge(c, p->loaded[idx].node, node);
        const char *path = r >= 0 ? c->nodes[node].path : NULL;
        const char *origin = path ? closure_node_origin(c, node) : NULL;
        if (r >= 0 && (!path || !origin))
                r = -ENOMEM;
        if (r >= 0)
                r = process_load(p, node, s->object->info, path, origin, idx, &s->st, &li);
        if (r >= 0)
                r = loaded_add_name(p, p->loaded + li, name, hash);
        return r;
}

/* Find the object for one DT_NEEDED entry of loaded object idx, as _dl_map_object() does. */
static int process_map(Process *p, size_t idx, const char *name, uint32_t hash) {
        Closure *c = p->c;
        Loaded *obj = p->loaded + idx;
        Search s = {.p = p, .name = name};
        FoundVia via = VIA_DIRECT;
        int r = 0;

        for (size_t i = 0; i < p->n_loaded; i++)
                if (loaded_answers(p->loaded + i, name, hash))
                        return closure_edge(c, obj->node, p->loaded[i].node);

        _cleanup_free_ char *expanded = NULL;
        if (strchr(name, '$')) {
                r = ld_expand_tokens(name, obj->origin, p->platform, &expanded);
                if (r == -ENOMEM)
                        return r;
        }
        const char *n = expanded ? expanded : name;
        if (strchr(n, '/')) {
                char *cand = n[0] == '/' ? strdup(n) : NULL;
                if (!cand && asprintf(&cand, "/%s", n) < 0)
                        cand = NULL;
                if (!cand)
                        return -ENOMEM;
                r = search_try(&s, cand, false);
        } else
                r = search_memo(&s, idx, n, &via);

        if (r > 0)
                r = process_found(p, idx, &s, via, name, hash);
        else if (r != -ENOMEM) /* 0: not found; -1: the loader would give up (s.fatal) */
                r = closure_add_missing(c, name, obj->node, r < 0 ? s.fatal : "not found",
                                        (const char **)p->tried, p->subdir, s.n_tried);
        search_done(&s);
        return r;
}

static void process_done(Process *p) {
        for (size_t i = 0; i < p->n_loaded; i++)
                free(p->loaded[i].more);
        free(p->loaded);
        free(p->tried);
        free(p->subdir);
        free(p->steps);
        free(p->key);
}

/* Run the loader in our head for one ELF program: its interpreter, then its DT_NEEDED, breadth first. */
int closure_simulate(Closure *c, size_t node, const Object *o, const ClosureEnv *env) {
        const ClosureNode *n = c->nodes + node;
        const ElfInfo *info = o->info;
        _cleanup_(process_done) Process p = {.c = c, .env = env};
        size_t li;
        int r;

        /* set-id programs run in secure mode: the loader ignores LD_LIBRARY_PATH */
        p.secure = n->mode & (S_ISUID | S_ISGID);
        p.platform = closure_context_platform(c->ctx, info);
        if (!p.platform) {
                for (size_t i = 0; i < info->n_needed; i++) {
                        r = closure_add_missing(c, info->needed[i], node,
                                                "no loader known for this architecture", NULL, NULL, 0);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        /* $ORIGIN of the main program is where the kernel found it: /proc/self/exe, symlinks resolved */
        struct stat st = {.st_dev = n->dev, .st_ino = n->ino};
        const char *origin = closure_dirname(c->arena, n->realpath);
        if (!origin)
                return -ENOMEM;
        r = process_load(&p, node, info, n->path, origin, -1, &st, &li);
        if (r < 0)
                return r;

        if (info->interp) {
                const char *real;
                struct stat ist;
                const Object *io = NULL;
                r = fs_root_chase(c->ctx->root, info->interp, &real, &ist);
                if (r >= 0 && S_ISREG(ist.st_mode)) {
                        r = closure_context_object(c->ctx, real, &ist, NULL, &io);
                        if (r < 0)
                                return r;
                }
                if (!io || !io->info) {
                        const char *why = io      ? closure_object_error(c, info->interp, io)
                                          : r < 0 ? error_words(-r)
                                                  : "not a regular file";
                        const char *tried[] = {info->interp};
                        return closure_add_missing(c, info->interp, node, why, tried, NULL, 1);
                }
                size_t inode;
                r = closure_node_get(c, info->interp, real, &ist, NODE_INTERPRETER, VIA_INTERP, &inode);
                if (r >= 0)
                        r = closure_edge(c, node, inode);
                if (r >= 0)
                        r = process_load(&p, inode, io->info, c->nodes[inode].path,
                                         closure_node_origin(c, inode), 0, &ist, &li);
                if (r < 0)
                        return r;
        }

        /* breadth first, in DT_NEEDED order, as _dl_map_object_deps() */
        for (size_t i = 0; i < p.n_loaded; i++) {
                const ElfInfo *li_info = p.loaded[i].info;
                for (size_t j = 0; j < li_info->n_needed; j++) {
                        r = process_map(&p, i, li_info->needed[j],
                                        li_info->needed_hash ? li_info->needed_hash[j]
                                                             : elf_name_hash(li_info->needed[j]));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
