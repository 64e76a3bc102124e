/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>

#include "caps.h"
#include "closure.h"
#include "fileio.h"
#include "hashmap.h"
#include "ld-cache.h"
#include "ld-paths.h"
#include "macro.h"

#define SCRIPT_DEPTH_MAX 4 /* the kernel's BINPRM_MAX_RECURSION */
#define SHEBANG_MAX 256    /* the kernel's BINPRM_BUF_SIZE */

/* What we know about one file (by device and inode), whoever asks and under whatever name. */
typedef struct Object {
        int error;          /* reading failed: -errno */
        ElfError elf_error; /* ELF_ERROR_NOT_ELF for scripts and data */
        uint64_t elf_error_offset;
        const ElfInfo *info;
        const char *shebang; /* the #! line of a script, without "#!" */
        const char *caps;    /* file capabilities, NULL when none */
        /* e_ident class and e_machine, read even when the rest is corrupt: the loader skips an object of
         * another class or machine before it looks any further */
        bool has_ident;
        uint8_t ident_class;
        uint16_t ident_machine;
} Object;

typedef struct ObjectKey {
        dev_t dev;
        ino_t ino;
} ObjectKey;

struct ClosureContext {
        FsRoot *root;
        Arena *arena;
        Hashmap *objects; /* ObjectKey -> Object */
        LdCache *cache;
        bool cache_loaded;
        LdPlatform *platforms[8];
        size_t n_platforms;
        size_t n_parsed;
};

struct Closure {
        ClosureContext *ctx;
        Arena *arena;
        ClosureNode *nodes;
        size_t n_nodes, allocated_nodes;
        Hashmap *by_path; /* path -> 1 + node index */
        ClosureMissing *missing;
        size_t n_missing, allocated_missing;
        Hashmap *missing_seen; /* "name\0index" */
};

/* One simulated process: the objects glibc's loader has mapped, in load order. */
typedef struct Loaded {
        size_t node;
        const ElfInfo *info;
        const char *path;   /* l_name: the path it was opened under */
        const char *origin; /* $ORIGIN */
        ssize_t loader;     /* l_loader: who asked for it first, -1 for the main program */
        const char **names; /* names it answered to */
        size_t n_names, allocated_names;
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
} Process;

static const char *const kind_names[_NODE_KIND_MAX] = {
        [NODE_EXEC] = "exec",       [NODE_INTERPRETER] = "interpreter",
        [NODE_LIBRARY] = "library", [NODE_SCRIPT] = "script",
        [NODE_FILE] = "file",
};
static const char *const via_names[_VIA_MAX] = {
        [VIA_DIRECT] = "direct",        [VIA_INTERP] = "PT_INTERP",
        [VIA_SHEBANG] = "shebang",      [VIA_PATH] = "PATH",
        [VIA_RPATH] = "rpath",          [VIA_LD_LIBRARY_PATH] = "LD_LIBRARY_PATH",
        [VIA_RUNPATH] = "runpath",      [VIA_LD_CACHE] = "ld.so.cache",
        [VIA_DEFAULT] = "default path", [VIA_LOADED] = "already loaded",
};

const char *node_kind_to_string(NodeKind k) {
        return k >= 0 && k < _NODE_KIND_MAX ? kind_names[k] : NULL;
}

const char *found_via_to_string(FoundVia v) {
        return v >= 0 && v < _VIA_MAX ? via_names[v] : NULL;
}

/* Context */

int closure_context_new(const char *root, ClosureContext **ret) {
        ClosureContext *ctx = calloc(1, sizeof(ClosureContext));
        int r;
        if (!ctx)
                return -ENOMEM;
        ctx->arena = arena_new();
        ctx->objects = hashmap_new();
        if (!ctx->arena || !ctx->objects) {
                closure_context_free(ctx);
                return -ENOMEM;
        }
        r = fs_root_new(root, &ctx->root);
        if (r < 0) {
                closure_context_free(ctx);
                return r;
        }
        *ret = ctx;
        return 0;
}

ClosureContext *closure_context_free(ClosureContext *ctx) {
        if (!ctx)
                return NULL;
        fs_root_free(ctx->root);
        ld_cache_free(ctx->cache);
        hashmap_free(ctx->objects);
        arena_free(ctx->arena);
        for (size_t i = 0; i < ctx->n_platforms; i++)
                free(ctx->platforms[i]);
        free(ctx);
        return NULL;
}

FsRoot *closure_context_root(ClosureContext *ctx) {
        return ctx->root;
}

size_t closure_context_n_parsed(const ClosureContext *ctx) {
        return ctx->n_parsed;
}

static const LdCache *context_cache(ClosureContext *ctx) {
        if (!ctx->cache_loaded) {
                ctx->cache_loaded = true;
                /* a missing or corrupt cache is what the loader tolerates too: it goes on to the defaults */
                (void)ld_cache_load(fs_root_fd(ctx->root), "etc/ld.so.cache", &ctx->cache);
        }
        return ctx->cache;
}

static const LdPlatform *context_platform(ClosureContext *ctx, const ElfInfo *info) {
        for (size_t i = 0; i < ctx->n_platforms; i++) {
                LdPlatform *p = ctx->platforms[i];
                if (p->machine == info->machine && p->elf_class == info->elf_class && p->data == info->data)
                        return p;
        }
        if (ctx->n_platforms >= ELEMENTSOF(ctx->platforms))
                return NULL;
        LdPlatform *p = malloc(sizeof(LdPlatform));
        if (!p || ld_platform_get(info->machine, info->elf_class, info->data, p) < 0) {
                free(p);
                return NULL;
        }
        ctx->platforms[ctx->n_platforms++] = p;
        return p;
}

/* The parsed object behind a resolved file; parsed once per (device, inode). */
static int context_object(ClosureContext *ctx, const char *real, const struct stat *st, const Object **ret) {
        ObjectKey key = {st->st_dev, st->st_ino};
        Object *o = hashmap_get_bytes(ctx->objects, &key, sizeof key);
        if (o) {
                *ret = o;
                return 0;
        }
        o = arena_alloc(ctx->arena, sizeof(Object));
        ObjectKey *k = arena_alloc(ctx->arena, sizeof(ObjectKey));
        if (!o || !k)
                return -ENOMEM;
        *o = (Object){};
        *k = key;

        _cleanup_close_ int fd = fs_root_open(ctx->root, real, O_RDONLY);
        if (fd < 0)
                o->error = fd;
        else {
                char *caps = NULL;
                if (caps_of_fd(fd, &caps) >= 0 && caps) {
                        o->caps = arena_strdup(ctx->arena, caps);
                        free(caps);
                }
                ElfInfo *info = NULL;
                int r = elf_parse_fd(fd, st->st_size, ctx->arena, &info, &o->elf_error, &o->elf_error_offset);
                ctx->n_parsed++;
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        o->info = info;
                else if (o->elf_error == ELF_ERROR_NOT_ELF) {
                        char buf[SHEBANG_MAX + 1];
                        ssize_t n = pread(fd, buf, SHEBANG_MAX, 0);
                        if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
                                buf[n] = 0;
                                char *nl = strchr(buf, '\n');
                                if (nl)
                                        *nl = 0;
                                o->shebang = arena_strdup(ctx->arena, buf + 2);
                                if (!o->shebang)
                                        return -ENOMEM;
                        }
                } else if (r != -EINVAL && r != -ENOEXEC)
                        o->error = r;
                if (r < 0 && o->elf_error != ELF_ERROR_NOT_ELF) {
                        uint8_t h[20];
                        if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h) {
                                o->has_ident = true;
                                o->ident_class = h[EI_CLASS];
                                o->ident_machine = h[EI_DATA] == ELFDATA2MSB ? (uint16_t)(h[18] << 8 | h[19])
                                                                             : (uint16_t)(h[19] << 8 | h[18]);
                        }
                }
        }
        if (hashmap_put_bytes(ctx->objects, k, sizeof *k, o, NULL) < 0)
                return -ENOMEM;
        *ret = o;
        return 0;
}

/* Closure */

int closure_new(ClosureContext *ctx, Closure **ret) {
        Closure *c = calloc(1, sizeof(Closure));
        if (!c)
                return -ENOMEM;
        c->ctx = ctx;
        c->arena = arena_new();
        c->by_path = hashmap_new();
        c->missing_seen = hashmap_new();
        if (!c->arena || !c->by_path || !c->missing_seen) {
                closure_free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

Closure *closure_free(Closure *c) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_nodes; i++) {
                free(c->nodes[i].deps);
                free(c->nodes[i].needed_by);
        }
        free(c->nodes);
        free(c->missing);
        hashmap_free(c->by_path);
        hashmap_free(c->missing_seen);
        arena_free(c->arena);
        free(c);
        return NULL;
}

FsRoot *closure_root(const Closure *c) {
        return c->ctx->root;
}

size_t closure_n_nodes(const Closure *c) {
        return c->n_nodes;
}
const ClosureNode *closure_node(const Closure *c, size_t i) {
        return i < c->n_nodes ? c->nodes + i : NULL;
}
size_t closure_n_missing(const Closure *c) {
        return c->n_missing;
}
const ClosureMissing *closure_missing(const Closure *c, size_t i) {
        return i < c->n_missing ? c->missing + i : NULL;
}

int closure_find(const Closure *c, const char *path, size_t *ret) {
        uintptr_t v = (uintptr_t)hashmap_get(c->by_path, path);
        if (!v)
                return -ENOENT;
        *ret = v - 1;
        return 0;
}

/* The node for path (created on first sight). */
static int closure_node_get(Closure *c, const char *path, const char *real, const struct stat *st,
                            NodeKind kind, FoundVia via, size_t *ret) {
        uintptr_t v = (uintptr_t)hashmap_get(c->by_path, path);
        if (v) {
                *ret = v - 1;
                return 0;
        }
        if (!GROW(c->nodes, c->allocated_nodes, c->n_nodes + 1))
                return -ENOMEM;
        ClosureNode *n = c->nodes + c->n_nodes;
        *n = (ClosureNode){
                .path = arena_strdup(c->arena, path),
                .realpath = arena_strdup(c->arena, real),
                .size = st->st_size,
                .mode = st->st_mode,
                .dev = st->st_dev,
                .ino = st->st_ino,
                .kind = kind,
                .found_via = via,
        };
        if (!n->path || !n->realpath)
                return -ENOMEM;
        if (hashmap_put(c->by_path, n->path, (void *)(uintptr_t)(c->n_nodes + 1), NULL) < 0)
                return -ENOMEM;
        *ret = c->n_nodes++;
        return 0;
}

static int closure_edge(Closure *c, size_t from, size_t to) {
        ClosureNode *f = c->nodes + from, *t = c->nodes + to;
        if (from == to)
                return 0;
        for (size_t i = 0; i < f->n_deps; i++)
                if (f->deps[i] == to)
                        return 0;
        if (!GROW(f->deps, f->allocated_deps, f->n_deps + 1) ||
            !GROW(t->needed_by, t->allocated_needed_by, t->n_needed_by + 1))
                return -ENOMEM;
        f->deps[f->n_deps++] = to;
        t->needed_by[t->n_needed_by++] = from;
        return 0;
}

static int closure_add_missing(Closure *c, const char *name, size_t needed_by, const char *reason,
                               const char **tried, const bool *subdir, size_t n_tried) {
        char *key;
        if (asprintf(&key, "%s%c%zu", name, 0, needed_by) < 0)
                return -ENOMEM;
        size_t kl = strlen(name) + 1 + strlen(key + strlen(name) + 1);
        char *k = arena_strndup(c->arena, key, kl);
        free(key);
        if (!k)
                return -ENOMEM;
        if (hashmap_get_bytes(c->missing_seen, k, kl))
                return 0;
        if (hashmap_put_bytes(c->missing_seen, k, kl, (void *)1, NULL) < 0)
                return -ENOMEM;
        if (!GROW(c->missing, c->allocated_missing, c->n_missing + 1))
                return -ENOMEM;
        ClosureMissing *m = c->missing + c->n_missing;
        *m = (ClosureMissing){
                .name = arena_strdup(c->arena, name),
                .needed_by = needed_by,
                .reason = arena_strdup(c->arena, reason),
                .n_tried = n_tried,
        };
        m->tried = arena_alloc(c->arena, (n_tried ? n_tried : 1) * sizeof(char *));
        bool *sub = arena_alloc(c->arena, (n_tried ? n_tried : 1) * sizeof(bool));
        if (!m->name || !m->reason || !m->tried || !sub)
                return -ENOMEM;
        for (size_t i = 0; i < n_tried; i++) {
                if (!(m->tried[i] = arena_strdup(c->arena, tried[i])))
                        return -ENOMEM;
                sub[i] = subdir && subdir[i];
        }
        m->tried_subdir = sub;
        c->n_missing++;
        return 0;
}

static const char *object_error(Closure *c, const char *path, const Object *o) {
        char *s = NULL;
        if (o->error < 0)
                (void)asprintf(&s, "%s: %s", path, error_words(-o->error));
        else if (!o->info)
                (void)asprintf(&s, "%s: %s (at byte %" PRIu64 ")", path, elf_error_to_string(o->elf_error),
                               o->elf_error_offset);
        if (!s)
                return "out of memory";
        const char *r = arena_strdup(c->arena, s);
        free(s);
        return r ? r : "out of memory";
}

/* The library search */

typedef struct Search {
        Process *p;
        const char *name;
        char **tried;
        bool *subdir;
        size_t n_tried, allocated_tried, allocated_subdir;
        const char *fatal; /* set when the loader would give up with an error */
        /* the result */
        const char *path, *real;
        struct stat st;
        const Object *object;
} Search;

static void search_done(Search *s) {
        for (size_t i = 0; i < s->n_tried; i++)
                free(s->tried[i]);
        free(s->tried);
        free(s->subdir);
}

/* 1 found, 0 go on searching, -1 fatal (s->fatal), -ENOMEM. What glibc's open_verify() does. */
static int search_try(Search *s, char *candidate, bool subdir) {
        ClosureContext *ctx = s->p->c->ctx;
        const char *real;
        struct stat st;
        const Object *o;
        int r;

        if (!GROW(s->tried, s->allocated_tried, s->n_tried + 1) ||
            !GROW(s->subdir, s->allocated_subdir, s->n_tried + 1)) {
                free(candidate);
                return -ENOMEM;
        }
        s->subdir[s->n_tried] = subdir;
        s->tried[s->n_tried++] = candidate;

        if (fs_root_chase(ctx->root, candidate, &real, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        r = context_object(ctx, real, &st, &o);
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
                                   : object_error(s->p->c, candidate, o);
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
                        char *cand;
                        if (asprintf(&cand, "%s%s/glibc-hwcaps/%s/%s", lead, dir, pl->hwcaps[i], s->name) < 0)
                                return -ENOMEM;
                        r = search_try(s, cand, true);
                        if (r != 0)
                                return r;
                }
                for (size_t i = 0; pl->legacy[i]; i++) {
                        char *cand;
                        if (asprintf(&cand, "%s%s%s%s/%s", lead, dir, pl->legacy[i][0] ? "/" : "",
                                     pl->legacy[i], s->name) < 0)
                                return -ENOMEM;
                        r = search_try(s, cand, pl->legacy[i][0] != 0);
                        if (r != 0)
                                return r;
                }
        }
        return 0;
}

static bool loaded_answers(const Loaded *l, const char *name) {
        if (streq(l->path, name) || (l->info && streq_ptr(l->info->soname, name)))
                return true;
        for (size_t i = 0; i < l->n_names; i++)
                if (streq(l->names[i], name))
                        return true;
        return false;
}

static char *dirname_of(Arena *a, const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return arena_strdup(a, "/");
        return arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path));
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

static int loaded_add_name(Process *p, Loaded *l, const char *name) {
        if (!GROW(l->names, l->allocated_names, l->n_names + 1))
                return -ENOMEM;
        l->names[l->n_names] = arena_strdup(p->c->arena, name);
        if (!l->names[l->n_names])
                return -ENOMEM;
        l->n_names++;
        return 0;
}

/* Find the object for one DT_NEEDED entry of loaded object idx, as _dl_map_object() does. */
static int process_map(Process *p, size_t idx, const char *name) {
        Closure *c = p->c;
        Loaded *obj = p->loaded + idx;
        Search s = {.p = p, .name = name};
        FoundVia via = VIA_DIRECT;
        int r = 0;

        for (size_t i = 0; i < p->n_loaded; i++)
                if (loaded_answers(p->loaded + i, name))
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
        } else {
                const Loaded *main_obj = p->loaded;
                bool did_main = false;
                /* DT_RPATH of the object and of its loaders, unless the object has DT_RUNPATH */
                if (!obj->info->runpath) {
                        for (ssize_t l = idx; l >= 0 && r == 0; l = p->loaded[l].loader)
                                if (p->loaded[l].info->rpath) {
                                        via = VIA_RPATH;
                                        r = search_dirs(&s, p->loaded[l].info->rpath, p->loaded[l].origin);
                                        did_main = did_main || l == 0;
                                }
                        if (r == 0 && !did_main && main_obj->info->rpath) {
                                via = VIA_RPATH;
                                r = search_dirs(&s, main_obj->info->rpath, main_obj->origin);
                        }
                }
                if (r == 0 && !p->secure && p->env && p->env->ld_library_path && *p->env->ld_library_path) {
                        via = VIA_LD_LIBRARY_PATH;
                        r = search_dirs(&s, p->env->ld_library_path, main_obj->origin);
                }
                if (r == 0 && obj->info->runpath) {
                        via = VIA_RUNPATH;
                        r = search_dirs(&s, obj->info->runpath, obj->origin);
                }
                bool nodeflib = obj->info->flags_1 & DF_1_NODEFLIB;
                if (r == 0 && !nodeflib) {
                        const char *hit = ld_cache_lookup(context_cache(c->ctx), n, p->platform->cache_flags,
                                                          p->platform->hwcaps, p->platform->legacy_allowed);
                        if (hit) {
                                via = VIA_LD_CACHE;
                                char *cand = strdup(hit);
                                if (!cand)
                                        return -ENOMEM;
                                r = search_try(&s, cand, false);
                        }
                }
                if (r == 0 && !nodeflib) {
                        via = VIA_DEFAULT;
                        for (size_t i = 0; p->platform->default_dirs[i] && r == 0; i++)
                                r = search_dirs(&s, p->platform->default_dirs[i], NULL);
                }
        }

        if (r == -ENOMEM) {
                search_done(&s);
                return r;
        }
        if (r <= 0) {
                r = closure_add_missing(c, name, obj->node, r < 0 ? s.fatal : "not found",
                                        (const char **)s.tried, s.subdir, s.n_tried);
                search_done(&s);
                return r;
        }

        /* The same file under another name is the same object: the loader compares device and inode. */
        for (size_t i = 0; i < p->n_loaded; i++)
                if (p->loaded[i].dev == s.st.st_dev && p->loaded[i].ino == s.st.st_ino) {
                        r = loaded_add_name(p, p->loaded + i, name);
                        if (r >= 0)
                                r = closure_edge(c, obj->node, p->loaded[i].node);
                        search_done(&s);
                        return r;
                }

        size_t node, li;
        r = closure_node_get(c, s.path, s.real, &s.st, NODE_LIBRARY, via, &node);
        if (r >= 0)
                c->nodes[node].caps = s.object->caps;
        if (r >= 0)
                r = closure_edge(c, p->loaded[idx].node, node);
        const char *path = arena_strdup(c->arena, s.path);
        const char *origin = path ? dirname_of(c->arena, path) : NULL;
        if (r >= 0 && (!path || !origin))
                r = -ENOMEM;
        if (r >= 0)
                r = process_load(p, node, s.object->info, path, origin, idx, &s.st, &li);
        if (r >= 0)
                r = loaded_add_name(p, p->loaded + li, name);
        search_done(&s);
        return r;
}

static void process_done(Process *p) {
        for (size_t i = 0; i < p->n_loaded; i++)
                free(p->loaded[i].names);
        free(p->loaded);
}

/* Run the loader in our head for one ELF program: its interpreter, then its DT_NEEDED, breadth first. */
static int closure_simulate(Closure *c, size_t node, const Object *o, const ClosureEnv *env) {
        const ClosureNode *n = c->nodes + node;
        const ElfInfo *info = o->info;
        _cleanup_(process_done) Process p = {.c = c, .env = env};
        size_t li;
        int r;

        /* set-id programs run in secure mode: the loader ignores LD_LIBRARY_PATH */
        p.secure = n->mode & (S_ISUID | S_ISGID);
        p.platform = context_platform(c->ctx, info);
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
        const char *origin = dirname_of(c->arena, n->realpath);
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
                        r = context_object(c->ctx, real, &ist, &io);
                        if (r < 0)
                                return r;
                }
                if (!io || !io->info) {
                        const char *why = io      ? object_error(c, info->interp, io)
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
                                         dirname_of(c->arena, c->nodes[inode].path), 0, &ist, &li);
                if (r < 0)
                        return r;
        }

        /* breadth first, in DT_NEEDED order, as _dl_map_object_deps() */
        for (size_t i = 0; i < p.n_loaded; i++) {
                const ElfInfo *li_info = p.loaded[i].info;
                for (size_t j = 0; j < li_info->n_needed; j++) {
                        r = process_map(&p, i, li_info->needed[j]);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Split a #! line as the kernel does: the interpreter, and at most one argument (the rest, trimmed). */
static int parse_shebang(const char *line, char **ret_interp, char **ret_arg) {
        while (*line == ' ' || *line == '\t')
                line++;
        size_t n = strcspn(line, " \t");
        if (n == 0)
                return -ENOEXEC;
        char *interp = strndup(line, n);
        if (!interp)
                return -ENOMEM;
        const char *a = line + n;
        while (*a == ' ' || *a == '\t')
                a++;
        size_t al = strlen(a);
        while (al > 0 && (a[al - 1] == ' ' || a[al - 1] == '\t' || a[al - 1] == '\r'))
                al--;
        char *arg = al ? strndup(a, al) : NULL;
        if (al && !arg) {
                free(interp);
                return -ENOMEM;
        }
        *ret_interp = interp;
        *ret_arg = arg;
        return 0;
}

/* The program env(1) will run: the first word that is neither an option nor an assignment. */
static char *env_target(const char *arg) {
        _cleanup_free_ char *copy = strdup(arg);
        if (!copy)
                return NULL;
        for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (w[0] == '-' || strchr(w, '='))
                        continue;
                return strdup(w);
        }
        return strdup("");
}

static int closure_add_exec(Closure *c, const char *path, const ClosureEnv *env, NodeKind kind, FoundVia via,
                            ssize_t parent, unsigned depth, size_t *ret_node);

static int closure_script(Closure *c, size_t node, const char *shebang, const ClosureEnv *env,
                          unsigned depth) {
        _cleanup_free_ char *interp = NULL, *arg = NULL;
        size_t inode;
        int r;

        c->nodes[node].kind = c->nodes[node].kind == NODE_EXEC ? NODE_SCRIPT : c->nodes[node].kind;
        if (depth >= SCRIPT_DEPTH_MAX)
                return closure_add_missing(c, shebang, node, "too many levels of #! interpreters", NULL, NULL,
                                           0);
        r = parse_shebang(shebang, &interp, &arg);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || interp[0] != '/') {
                const char *tried[] = {interp ? interp : shebang};
                return closure_add_missing(c, interp ? interp : shebang, node,
                                           "the #! interpreter is not an absolute path", tried, NULL, 1);
        }
        r = closure_add_exec(c, interp, env, NODE_INTERPRETER, VIA_SHEBANG, node, depth + 1, &inode);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                const char *tried[] = {interp};
                return closure_add_missing(c, interp, node, error_words(-r), tried, NULL, 1);
        }

        /* #!/usr/bin/env NAME: NAME is looked up in PATH when the script runs */
        const char *base = strrchr(interp, '/') + 1;
        if (!streq(base, "env") || !arg)
                return 0;
        _cleanup_free_ char *target = env_target(arg);
        if (!target)
                return -ENOMEM;
        if (!*target)
                return 0;
        if (strchr(target, '/'))
                return closure_add_exec(c, target, env, NODE_INTERPRETER, VIA_SHEBANG, node, depth + 1,
                                        &inode);

        const char *path = env && env->path ? env->path : CLOSURE_DEFAULT_PATH;
        _cleanup_free_ char *copy = strdup(path);
        size_t n_tried = 0;
        _cleanup_free_ char **tried = calloc(strlen(path) + 2, sizeof(char *));
        if (!copy || !tried)
                return -ENOMEM;
        for (char *rest = copy, *dir; (dir = strsep(&rest, ":"));) {
                if (dir[0] != '/')
                        continue;
                char *cand;
                if (asprintf(&cand, "%s/%s", dir, target) < 0)
                        return -ENOMEM;
                tried[n_tried++] = cand;
                const char *real;
                struct stat st;
                if (fs_root_chase(c->ctx->root, cand, &real, &st) < 0 || !S_ISREG(st.st_mode) ||
                    !(st.st_mode & 0111))
                        continue;
                r = closure_add_exec(c, cand, env, NODE_INTERPRETER, VIA_PATH, node, depth + 1, &inode);
                for (size_t i = 0; i < n_tried; i++)
                        free(tried[i]);
                return r;
        }
        r = closure_add_missing(c, target, node, "not found in PATH", (const char **)tried, NULL, n_tried);
        for (size_t i = 0; i < n_tried; i++)
                free(tried[i]);
        return r;
}

static int closure_add_exec(Closure *c, const char *path, const ClosureEnv *env, NodeKind kind, FoundVia via,
                            ssize_t parent, unsigned depth, size_t *ret_node) {
        const char *real;
        struct stat st;
        const Object *o;
        size_t node;
        int r;

        if (path[0] != '/')
                return -EINVAL;
        r = fs_root_chase(c->ctx->root, path, &real, &st);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        r = context_object(c->ctx, real, &st, &o);
        if (r < 0)
                return r;
        if (o->error < 0 && parent < 0)
                return o->error;

        bool known = hashmap_get(c->by_path, path);
        r = closure_node_get(c, path, real, &st, kind, via, &node);
        if (r < 0)
                return r;
        c->nodes[node].caps = o->caps;
        if (parent >= 0) {
                r = closure_edge(c, parent, node);
                if (r < 0)
                        return r;
        } else
                c->nodes[node].root = true;
        if (ret_node)
                *ret_node = node;
        /* A program is analysed once per closure; a library reached first as a dependency is analysed again
         * as a program in its own right, since then it is the main object. */
        /* a file added as plain data and now asked for as a program (a package's helper a script runs) is
         * analysed now */
        if (known && c->nodes[node].kind != NODE_LIBRARY &&
            !(c->nodes[node].kind == NODE_FILE && kind != NODE_FILE))
                return 0;
        if (known)
                c->nodes[node].kind = kind;

        if (o->error < 0 || (!o->info && !o->shebang)) {
                c->nodes[node].error = object_error(c, path, o);
                return 0;
        }
        if (o->shebang)
                return closure_script(c, node, o->shebang, env, depth);
        return closure_simulate(c, node, o, env);
}

int closure_add_program(Closure *c, const char *path, const ClosureEnv *env) {
        return closure_add_exec(c, path, env, NODE_EXEC, VIA_DIRECT, -1, 0, NULL);
}

int closure_add_found(Closure *c, const char *path, size_t parent, NodeKind kind, const char *reason,
                      const ClosureEnv *env, size_t *ret_node) {
        const char *real;
        struct stat st;
        size_t node;
        int r;

        if (path[0] != '/' || parent >= c->n_nodes)
                return -EINVAL;
        r = fs_root_chase(c->ctx->root, path, &real, &st);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        bool known = hashmap_get(c->by_path, path);
        size_t before = c->n_nodes;
        const Object *o;
        r = context_object(c->ctx, real, &st, &o);
        if (r < 0)
                return r;
        /* an ELF object always brings its libraries; a script is run only when asked for as a program */
        if (o->error >= 0 && (o->info || (o->shebang && kind != NODE_FILE)))
                r = closure_add_exec(c, path, env, kind == NODE_FILE ? NODE_EXEC : kind, VIA_DIRECT, parent,
                                     0, &node);
        else {
                r = closure_node_get(c, path, real, &st, kind, VIA_DIRECT, &node);
                if (r >= 0)
                        r = closure_edge(c, parent, node);
        }
        if (r < 0)
                return r;
        if (!known && node >= before && reason && !c->nodes[node].reason) {
                c->nodes[node].reason = arena_strdup(c->arena, reason);
                if (!c->nodes[node].reason)
                        return -ENOMEM;
        }
        if (ret_node)
                *ret_node = node;
        return 0;
}

const char *closure_node_via(const ClosureNode *n) {
        return n->reason ? n->reason : found_via_to_string(n->found_via);
}

int closure_add_file(Closure *c, const char *path) {
        const char *real;
        struct stat st;
        size_t node;
        if (path[0] != '/')
                return -EINVAL;
        int r = fs_root_chase(c->ctx->root, path, &real, &st);
        if (r < 0)
                return r;
        r = closure_node_get(c, path, real, &st, NODE_FILE, VIA_DIRECT, &node);
        if (r < 0)
                return r;
        c->nodes[node].root = true;
        return 0;
}

size_t closure_tree_parent(const Closure *c, size_t i) {
        const ClosureNode *n = c->nodes + i;
        size_t best = SIZE_MAX;
        for (size_t k = 0; k < n->n_needed_by; k++)
                if (n->needed_by[k] < best)
                        best = n->needed_by[k];
        return best;
}

int closure_why(const Closure *c, size_t target, size_t **ret, size_t *ret_n) {
        if (target >= c->n_nodes)
                return -ENOENT;
        /* breadth first backwards along needed_by: the first root reached ends a shortest chain */
        _cleanup_free_ ssize_t *next = malloc(c->n_nodes * sizeof(ssize_t));
        _cleanup_free_ size_t *queue = malloc(c->n_nodes * sizeof(size_t));
        if (!next || !queue)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_nodes; i++)
                next[i] = -2; /* unvisited */
        size_t head = 0, tail = 0;
        queue[tail++] = target;
        next[target] = -1;
        ssize_t found = -1;
        while (head < tail) {
                size_t n = queue[head++];
                if (c->nodes[n].root) {
                        found = n;
                        break;
                }
                for (size_t i = 0; i < c->nodes[n].n_needed_by; i++) {
                        size_t m = c->nodes[n].needed_by[i];
                        if (next[m] != -2)
                                continue;
                        next[m] = n;
                        queue[tail++] = m;
                }
        }
        if (found < 0)
                return -ENOENT;
        size_t count = 0;
        for (ssize_t n = found; n >= 0; n = next[n])
                count++;
        size_t *chain = malloc(count * sizeof(size_t));
        if (!chain)
                return -ENOMEM;
        size_t k = 0;
        for (ssize_t n = found; n >= 0; n = next[n])
                chain[k++] = n;
        *ret = chain;
        *ret_n = count;
        return 0;
}

int closure_find_packages(Closure *c, DpkgDb *db) {
        /* ask for the real file and the path as asked; the real file's owner wins */
        size_t n = c->n_nodes;
        _cleanup_free_ const char **paths = calloc(2 * n + 1, sizeof(char *));
        _cleanup_free_ const char **owners = calloc(2 * n + 1, sizeof(char *));
        if (!paths || !owners)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                paths[2 * i] = c->nodes[i].realpath;
                paths[2 * i + 1] = c->nodes[i].path;
        }
        int r = dpkg_db_find_owners(db, paths, 2 * n, owners);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *o = owners[2 * i] ? owners[2 * i] : owners[2 * i + 1];
                c->nodes[i].package = o ? arena_strdup(c->arena, o) : NULL;
                if (o && !c->nodes[i].package)
                        return -ENOMEM;
        }
        return 0;
}
