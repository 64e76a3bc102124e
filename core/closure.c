/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>

#include "closure-internal.h"
#include "fileio.h"
#include "macro.h"

#define SCRIPT_DEPTH_MAX 4 /* the kernel's BINPRM_MAX_RECURSION */

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
        /* the thread first: it may still be reading (into its arena, from the root's descriptor) */
        closure_prefetch_free(ctx->prefetch);
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

const LdCache *closure_context_cache(ClosureContext *ctx) {
        if (!ctx->cache_loaded) {
                ctx->cache_loaded = true;
                /* a missing or corrupt cache is what the loader tolerates too: it goes on to the defaults */
                (void)ld_cache_load(fs_root_fd(ctx->root), "etc/ld.so.cache", &ctx->cache);
        }
        return ctx->cache;
}

const LdPlatform *closure_context_platform(ClosureContext *ctx, const ElfInfo *info) {
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

int closure_context_object(ClosureContext *ctx, const char *real, const struct stat *st, const Object *read,
                           const Object **ret) {
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
        *k = key;
        int r = 0;
        if (read)
                *o = *read;
        else
                r = closure_object_read(ctx->root, ctx->arena, real, st, o);
        if (r < 0)
                return r;
        ctx->n_parsed += o->parsed;
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
        c->searches = hashmap_new();
        if (!c->arena || !c->by_path || !c->missing_seen || !c->searches) {
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
        free(c->origins);
        free(c->missing);
        hashmap_free(c->by_path);
        hashmap_free(c->missing_seen);
        hashmap_free(c->searches);
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
int closure_node_get(Closure *c, const char *path, const char *real, const struct stat *st, NodeKind kind,
                     FoundVia via, size_t *ret) {
        uintptr_t v = (uintptr_t)hashmap_get(c->by_path, path);
        if (v) {
                *ret = v - 1;
                return 0;
        }
        if (!GROW(c->nodes, c->allocated_nodes, c->n_nodes + 1) ||
            !GROW(c->origins, c->allocated_origins, c->n_nodes + 1))
                return -ENOMEM;
        c->origins[c->n_nodes] = NULL;
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

int closure_edge(Closure *c, size_t from, size_t to) {
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

int closure_add_missing(Closure *c, const char *name, size_t needed_by, const char *reason,
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

const char *closure_object_error(Closure *c, const char *path, const Object *o) {
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

char *closure_dirname(Arena *a, const char *path) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return arena_strdup(a, "/");
        return arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path));
}

/* The directory of node i's path, made once: every process that loads the library asks for it. */
const char *closure_node_origin(Closure *c, size_t i) {
        if (!c->origins[i])
                c->origins[i] = closure_dirname(c->arena, c->nodes[i].path);
        return c->origins[i];
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
        /* a program named on the command line: found and read on the other core, most likely */
        const Object *read = NULL;
        r = closure_prefetch_chase(c->ctx, path, &real, &st, &read);
        if (r == 0)
                r = fs_root_chase(c->ctx->root, path, &real, &st);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        r = closure_context_object(c->ctx, real, &st, read, &o);
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
                c->nodes[node].error = closure_object_error(c, path, o);
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
        r = closure_context_object(c->ctx, real, &st, NULL, &o);
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
        /* the path as asked only where it differs (a link on the way): most nodes ask once */
        size_t k = 0;
        _cleanup_free_ size_t *asked = malloc((n + 1) * sizeof(size_t)); /* node -> its path's query */
        if (!asked)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                paths[k++] = c->nodes[i].realpath;
        for (size_t i = 0; i < n; i++) {
                asked[i] = streq(c->nodes[i].path, c->nodes[i].realpath) ? i : k;
                if (asked[i] == k)
                        paths[k++] = c->nodes[i].path;
        }
        int r = dpkg_db_find_owners(db, paths, k, owners);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                const char *o = owners[i] ? owners[i] : owners[asked[i]];
                c->nodes[i].package = o ? arena_strdup(c->arena, o) : NULL;
                if (o && !c->nodes[i].package)
                        return -ENOMEM;
        }
        return 0;
}
