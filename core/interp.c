/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <sys/stat.h>

#include "hashmap.h"
#include "interp-util.h"
#include "interp.h"
#include "macro.h"

/* Besides module names, the languages' files hand the driver three kinds of import, by prefix:
 *   "lib:DIR"   DIR goes to the front of the search path for every module resolved after it (Perl's
 *               "use lib"); DIR may start with "{bin}" (the directory the script is in, its links followed:
 *               FindBin's $Bin) or "{realbin}" (the directory of the script's real file: $RealBin);
 *   "lib+:DIR"  DIR goes to the end of the search path (a directory line in a Python .pth file);
 *   "file:PATH" a file the interpreter reads as it is (a .pth file): added, not scanned.
 * And resolve() may name, among its files, "module:NAME": a module that loading this one imports (the module
 * of a Python entry point, whose name only the distribution's metadata tells).
 * Directories that do not exist below the root are dropped, as the interpreters drop them. */

#define SCRIPT_SIZE_MAX (8U * 1024U * 1024U)
#define MODULES_MAX 20000U /* a bound on the worklist, against pathological trees */

static const Interpreter *const interpreters[] = {
        &interp_perl,
        &interp_python,
};

const Interpreter *interp_find(const char *real) {
        if (!real)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(interpreters); i++)
                if (interpreters[i]->matches(real))
                        return interpreters[i];
        return NULL;
}

void slist_done(SList *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->v[i]);
        free(s->v);
}

int slist_push(SList *s, char *p) {
        if (!p || !GROW(s->v, s->allocated, s->n + 2)) {
                free(p);
                return -ENOMEM;
        }
        s->v[s->n++] = p;
        s->v[s->n] = NULL;
        return 0;
}

int slist_pushf(SList *s, const char *fmt, ...) {
        va_list ap;
        char *p;
        va_start(ap, fmt);
        int k = vasprintf(&p, fmt, ap);
        va_end(ap);
        return slist_push(s, k < 0 ? NULL : p);
}

char **slist_take(SList *s) {
        if (!s->v && !GROW(s->v, s->allocated, 1))
                return NULL;
        s->v[s->n] = NULL;
        char **v = s->v;
        *s = (SList){};
        return v;
}

bool interp_is_a(FsRoot *root, const char *path, mode_t type) {
        struct stat st;
        return fs_root_chase(root, path, NULL, &st) >= 0 && (st.st_mode & S_IFMT) == type;
}

bool interp_endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && streq(s + n - k, suffix);
}

void interp_imports_free(InterpImport *l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                free(l[i].name);
        free(l);
}

typedef struct Work {
        char *name;
        size_t parent; /* the node of the file that imports it */
} Work;

typedef struct Driver {
        Closure *c;
        FsRoot *root;
        const Interpreter *interp;
        const ClosureEnv *env;
        char *script; /* the script's path */
        char *module_reason, *extension_reason;
        char **path; /* the search path, NULL-terminated */
        size_t n_path, allocated_path;
        Work *work;
        size_t n_work, allocated_work, next_work;
        Hashmap *seen;    /* names queued */
        Hashmap *scanned; /* files scanned */
        Arena *arena;     /* the keys of both */
} Driver;

static void driver_done(Driver *d) {
        for (size_t i = 0; i < d->n_path; i++)
                free(d->path[i]);
        free(d->path);
        for (size_t i = 0; i < d->n_work; i++)
                free(d->work[i].name);
        free(d->work);
        hashmap_free(d->seen);
        hashmap_free(d->scanned);
        arena_free(d->arena);
        free(d->script);
        free(d->module_reason);
        free(d->extension_reason);
}

/* Whether key was new to h (and is now in it): 1, 0 when seen before, -ENOMEM. */
static int driver_see(Driver *d, Hashmap *h, const char *key) {
        if (hashmap_get(h, key))
                return 0;
        char *k = arena_strdup(d->arena, key);
        if (!k)
                return -ENOMEM;
        return hashmap_put(h, k, (void *)1, NULL) < 0 ? -ENOMEM : 1;
}

/* Queue a name not seen before; takes it. */
static int driver_push_one(Driver *d, char *name, size_t parent) {
        int r = name ? driver_see(d, d->seen, name) : -ENOMEM;
        if (r <= 0 || d->n_work >= MODULES_MAX) {
                free(name);
                return r;
        }
        if (!GROW(d->work, d->allocated_work, d->n_work + 1)) {
                free(name);
                return -ENOMEM;
        }
        d->work[d->n_work++] = (Work){.name = name, .parent = parent};
        return 0;
}

static int driver_push(Driver *d, InterpImport *l, size_t n, size_t parent) {
        for (size_t i = 0; i < n; i++) {
                int r = driver_push_one(d, TAKE_PTR(l[i].name), parent);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The imports one file names, as the scanner found them: one scan per file (and module name) per run. */
typedef struct Scanned {
        InterpImport *l;
        size_t n;
} Scanned;

/* The memo of file's imports, scanned now when there is none; NULL (*ret) when it cannot be read. */
static int driver_scanned(Driver *d, const char *file, const char *module, bool is_package,
                          const Scanned **ret) {
        _cleanup_free_ char *text = NULL, *extra = NULL;
        InterpImport *l = NULL;
        struct stat st;
        size_t size, n = 0;
        if (fs_root_chase(d->root, file, NULL, &st) < 0) {
                *ret = NULL;
                return 0;
        }
        if (asprintf(&extra, "%d%s", is_package, module ? module : "") < 0)
                return -ENOMEM;
        Scanned *m = fs_root_memo_get(d->root, d->interp->name, &st, extra);
        if (m) {
                *ret = m;
                return 0;
        }
        int r = fs_root_read_file(d->root, file, SCRIPT_SIZE_MAX, &text, &size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret = NULL; /* unreadable or too big: what we could not read we cannot follow */
                return 0;
        }
        r = d->interp->scan(text, size, module, is_package, &l, &n);
        if (r < 0)
                return r;
        Arena *a = fs_root_memo_arena(d->root);
        m = arena_alloc(a, sizeof(Scanned));
        if (m)
                *m = (Scanned){.l = arena_alloc(a, (n ? n : 1) * sizeof(InterpImport)), .n = n};
        for (size_t i = 0; m && m->l && i < n; i++)
                m->l[i] = (InterpImport){.name = arena_strdup(a, l[i].name), .line = l[i].line};
        interp_imports_free(l, n);
        for (size_t i = 0; m && m->l && i < n; i++)
                if (!m->l[i].name)
                        return -ENOMEM;
        if (!m || !m->l || fs_root_memo_put(d->root, d->interp->name, &st, extra, m) < 0)
                return -ENOMEM;
        *ret = m;
        return 0;
}

static int driver_scan(Driver *d, const char *file, const char *module, size_t node) {
        const Scanned *m = NULL;
        int r;

        r = driver_see(d, d->scanned, file);
        if (r <= 0)
                return r;
        /* Python's packages are their __init__ file; Perl has no such thing */
        const char *base = strrchr(file, '/');
        bool is_package = base && startswith(base + 1, "__init__.");
        r = driver_scanned(d, file, module, is_package, &m);
        for (size_t i = 0; r >= 0 && m && i < m->n; i++)
                r = driver_push_one(d, strdup(m->l[i].name), node);
        return r;
}

/* Expand "{bin}" and "{realbin}" at the start of a directory from "use lib". */
static int expand_dir(Driver *d, const char *dir, char **ret) {
        const char *rest, *real;
        _cleanup_free_ char *base = NULL;
        int r;

        if ((rest = startswith(dir, "{realbin}"))) {
                r = fs_root_chase(d->root, d->script, &real, NULL);
                if (r < 0)
                        return r;
                base = strdup(real);
                if (base)
                        *strrchr(base, '/') = 0; /* real paths are absolute */
        } else if ((rest = startswith(dir, "{bin}"))) {
                const char *slash = strrchr(d->script, '/');
                _cleanup_free_ char *parent =
                        strndup(d->script, slash == d->script ? 1 : (size_t)(slash - d->script));
                if (!parent)
                        return -ENOMEM;
                r = fs_root_chase(d->root, parent, &real, NULL);
                if (r < 0)
                        return r;
                base = strdup(streq(real, "/") ? "" : real);
        } else
                return (*ret = strdup(dir)) ? 0 : -ENOMEM;
        if (!base)
                return -ENOMEM;
        return asprintf(ret, "%s%s", base, rest) < 0 ? -ENOMEM : 0;
}

static int driver_add_dir(Driver *d, const char *dir, bool front) {
        _cleanup_free_ char *p = NULL;
        struct stat st;
        int r;

        r = expand_dir(d, dir, &p);
        if (r == -ENOMEM)
                return r;
        if (r < 0 || p[0] != '/')
                return 0; /* relative to a working directory we do not know */
        path_normalize(p);
        if (fs_root_chase(d->root, p, NULL, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        for (size_t i = 0; i < d->n_path; i++)
                if (streq(d->path[i], p))
                        return 0;
        if (!GROW(d->path, d->allocated_path, d->n_path + 2))
                return -ENOMEM;
        if (front) {
                memmove(d->path + 1, d->path, d->n_path * sizeof(char *));
                d->path[0] = TAKE_PTR(p);
        } else
                d->path[d->n_path] = TAKE_PTR(p);
        d->path[++d->n_path] = NULL;
        return 0;
}

static bool is_extension(const char *file) {
        size_t n = strlen(file);
        return n > 3 && streq(file + n - 3, ".so");
}

/* Add one file to the closure; -ENOENT and the like are skipped (0), ret_node SIZE_MAX then. */
static int driver_add_file(Driver *d, const char *file, size_t parent, size_t *ret_node) {
        const char *reason = is_extension(file) ? d->extension_reason : d->module_reason;
        size_t node = SIZE_MAX;
        int r = closure_add_found(d->c, file, parent, NODE_FILE, reason, d->env, &node);
        if (r == -ENOMEM)
                return r;
        *ret_node = r < 0 ? SIZE_MAX : node;
        return 0;
}

static int driver_module(Driver *d, Work w) {
        char **files = NULL;
        size_t n_files = 0, source = SIZE_MAX, node;
        const char *p;
        int r;

        if ((p = startswith(w.name, "lib:")))
                return driver_add_dir(d, p, true);
        if ((p = startswith(w.name, "lib+:")))
                return driver_add_dir(d, p, false);
        if ((p = startswith(w.name, "file:")))
                return driver_add_file(d, p, w.parent, &node);

        r = d->interp->resolve(d->root, d->path, w.name, &files, &source);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* a builtin, a missing optional import */
        for (n_files = 0; files[n_files]; n_files++)
                ;
        for (size_t i = 0; i < n_files && r >= 0; i++) {
                if ((p = startswith(files[i], "module:"))) {
                        r = driver_push_one(d, strdup(p), w.parent);
                        continue;
                }
                r = driver_add_file(d, files[i], w.parent, &node);
                if (r >= 0 && i == source && node != SIZE_MAX)
                        r = driver_scan(d, files[i], w.name, node);
        }
        for (size_t i = 0; i < n_files; i++)
                free(files[i]);
        free(files);
        return r;
}

static int driver_init(Driver *d, Closure *c, size_t script_node, size_t interp_node, const ClosureEnv *env) {
        const ClosureNode *s = closure_node(c, script_node), *in = closure_node(c, interp_node);
        int r;

        if (!s || !in)
                return -EINVAL;
        *d = (Driver){.c = c, .root = closure_root(c), .env = env};
        d->interp = interp_find(in->realpath);
        if (!d->interp)
                return 0;
        d->script = strdup(s->path);
        d->seen = hashmap_new();
        d->scanned = hashmap_new();
        d->arena = arena_new();
        if (!d->script || !d->seen || !d->scanned || !d->arena)
                return -ENOMEM;
        char *m, *e;
        if (asprintf(&m, "%s module of %s", d->interp->name, s->path) < 0)
                return -ENOMEM;
        d->module_reason = m;
        if (asprintf(&e, "%s extension of %s", d->interp->name, s->path) < 0)
                return -ENOMEM;
        d->extension_reason = e;
        r = d->interp->search_path(d->root, in->realpath, s->path, &d->path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* no library of that interpreter below the root: nothing it could load */
        for (d->n_path = 0; d->path[d->n_path]; d->n_path++)
                ;
        d->allocated_path = d->n_path + 1;
        return 1;
}

int interp_add_modules(Closure *c, size_t script_node, size_t interp_node, const ClosureEnv *env) {
        _cleanup_(driver_done) Driver d = {};
        InterpImport *l = NULL;
        size_t n = 0, before = closure_n_nodes(c);
        int r;

        r = driver_init(&d, c, script_node, interp_node, env);
        if (r <= 0)
                return r;
        r = d.interp->startup(d.root, d.path, &l, &n);
        if (r < 0)
                return r;
        r = driver_push(&d, l, n, script_node);
        interp_imports_free(l, n);
        if (r < 0)
                return r;
        r = driver_scan(&d, d.script, NULL, script_node);
        if (r < 0)
                return r;
        for (; d.next_work < d.n_work; d.next_work++) {
                r = driver_module(&d, d.work[d.next_work]); /* a copy: scanning grows d.work */
                if (r < 0)
                        return r;
        }
        return (int)(closure_n_nodes(c) - before);
}

int interp_take_modules(SList *files, char ***ret_files, size_t *ret_source_index) {
        if (files->n == 0)
                return -ENOENT;
        char **v = slist_take(files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = SIZE_MAX;
        return 0;
}
