/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <sys/param.h>

#include "interp-python.h"
#include "macro.h"

/* Python 3 as Debian builds it: sys.path from the interpreter's version and prefix, what every start loads,
 * the imports of a source file read by a small tokenizer, and modules found as importlib's PathFinder and
 * FileFinder find them (a package directory first, then extension, source and bytecode files, namespace
 * packages last). Never runs python. */

/* sys.builtin_module_names of Debian 12's python3.11 (3.11.2-6): compiled into the interpreter, never
 * looked for on sys.path. */
static const char *const builtin_modules[] = {
        "_abc",         "_ast",      "_bisect",   "_blake2",          "_codecs",
        "_collections", "_csv",      "_datetime", "_elementtree",     "_functools",
        "_heapq",       "_imp",      "_io",       "_locale",          "_md5",
        "_opcode",      "_operator", "_pickle",   "_posixsubprocess", "_random",
        "_sha1",        "_sha256",   "_sha3",     "_sha512",          "_signal",
        "_socket",      "_sre",      "_stat",     "_statistics",      "_string",
        "_struct",      "_symtable", "_thread",   "_tokenize",        "_tracemalloc",
        "_warnings",    "_weakref",  "array",     "atexit",           "binascii",
        "builtins",     "cmath",     "errno",     "faulthandler",     "fcntl",
        "gc",           "grp",       "itertools", "marshal",          "math",
        "posix",        "pwd",       "pyexpat",   "select",           "spwd",
        "sys",          "syslog",    "time",      "unicodedata",      "xxsubtype",
        "zlib",
};

/* Every start: the codecs of the standard streams and the file system encoding (UTF-8 in the C locale too,
 * which Python coerces; Latin-1 and ASCII as the fallbacks), the prefix landmark os.py, site and Debian's
 * sitecustomize (a link to /etc/python3.N/sitecustomize.py). */
static const char *const startup_modules[] = {
        "encodings", "encodings.aliases", "encodings.utf_8", "encodings.latin_1", "encodings.ascii", "os",
        "site",      "sitecustomize",
};

/* "python3.11" -> 11; "python3" -> 0; else -1. */
static int python_minor(const char *base) {
        const char *p = startswith(base, "python3");
        if (!p)
                return -1;
        if (!*p)
                return 0;
        if (*p != '.' || !isdigit((unsigned char)p[1]) || strlen(p) > 4)
                return -1;
        for (const char *q = p + 1; *q; q++)
                if (!isdigit((unsigned char)*q))
                        return -1;
        return atoi(p + 1);
}

static bool python_matches(const char *real) {
        const char *base = strrchr(real, '/');
        return python_minor(base ? base + 1 : real) >= 0;
}

/* The prefix (the interpreter's directory's parent, where getpath.py finds lib/python3.N/os.py, else the
 * build's /usr) and the minor version (a bare "python3": the highest lib/python3.N with an os.py). */
static int python_layout(FsRoot *root, const char *real, char prefix[static PATH_MAX], int *ret_minor) {
        const char *base = strrchr(real, '/');
        int minor = python_minor(base ? base + 1 : real);
        char os[PATH_MAX + 300];

        if (minor < 0 || !base)
                return -EINVAL;
        snprintf(prefix, PATH_MAX, "%.*s", (int)(base - real), real);
        *(strrchr(prefix, '/') ?: prefix) = 0; /* /usr/bin -> /usr */
        for (unsigned pass = 0; pass < 2; pass++, strcpy(prefix, "/usr")) {
                int m = minor;
                snprintf(os, sizeof os, "%s/lib", prefix);
                _cleanup_(closedirp) DIR *d = minor > 0 ? NULL : fs_root_opendir(root, os);
                for (struct dirent *de; d && (de = readdir(d));)
                        if (python_minor(de->d_name) > m) {
                                snprintf(os, sizeof os, "%s/lib/%s/os.py", prefix, de->d_name);
                                m = interp_is_a(root, os, S_IFREG) ? python_minor(de->d_name) : m;
                        }
                snprintf(os, sizeof os, "%s/lib/python3.%d/os.py", prefix, m);
                if (m > 0 && interp_is_a(root, os, S_IFREG)) {
                        *ret_minor = m;
                        return 0;
                }
        }
        return -ENOENT;
}

static int python_search_path(FsRoot *root, const char *real, const char *script, char ***ret) {
        _cleanup_(slist_done) SList s = {}, all = {};
        char prefix[PATH_MAX];
        const char *sreal;
        int m, r;

        r = python_layout(root, real, prefix, &m);
        if (r < 0)
                return r;
        /* sys.path[0]: the directory of the script, its links followed */
        if (script && fs_root_chase(root, script, &sreal, NULL) >= 0 &&
            slist_pushf(&all, "%.*s", (int)(strrchr(sreal, '/') - sreal) ?: 1, sreal) < 0)
                return -ENOMEM;
        /* then the standard library, and site.py's getsitepackages(): Debian's, else upstream's */
        bool debian = streq(prefix, "/usr");
        if (slist_pushf(&all, "%s/lib/python3%d.zip", prefix, m) < 0 ||
            slist_pushf(&all, "%s/lib/python3.%d", prefix, m) < 0 ||
            slist_pushf(&all, "%s/lib/python3.%d/lib-dynload", prefix, m) < 0 ||
            (debian && (slist_pushf(&all, "/usr/local/lib/python3.%d/dist-packages", m) < 0 ||
                        slist_pushf(&all, "/usr/lib/python3/dist-packages") < 0 ||
                        slist_pushf(&all, "/usr/lib/python3.%d/dist-packages", m) < 0)) ||
            (!debian && slist_pushf(&all, "%s/lib/python3.%d/site-packages", prefix, m) < 0))
                return -ENOMEM;
        for (size_t i = 0; i < all.n; i++) {
                bool dup = false, zip = interp_endswith(all.v[i], ".zip");
                for (size_t k = 0; k < s.n; k++)
                        dup = dup || streq(s.v[k], all.v[i]);
                if (!dup && interp_is_a(root, all.v[i], zip ? S_IFREG : S_IFDIR) &&
                    slist_push(&s, TAKE_PTR(all.v[i])) < 0)
                        return -ENOMEM;
        }
        char **v = slist_take(&s);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

/* ---- finding a module's files ---- */

/* The minor version, from the standard library's directory on the search path. */
static int path_minor(char *const *path) {
        for (size_t i = 0; path[i]; i++) {
                const char *b = strrchr(path[i], '/');
                int m = b ? python_minor(b + 1) : -1;
                if (m > 0 && startswith(b - 4, "/lib/") == b + 1)
                        return m;
        }
        return -1;
}

typedef enum FindKind { FIND_NONE, FIND_MODULE, FIND_PACKAGE, FIND_NAMESPACE } FindKind;

/* FileFinder.find_spec in one directory: dir/name/__init__.* (a package), else dir/name.<suffix>, else
 * dir/name/ alone (a namespace portion). ret: the file found (malloc'd). */
static int find_in_dir(FsRoot *root, const char *dir, const char *name, char *const *suffixes, char **ret) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, name);
        bool package = interp_is_a(root, p, S_IFDIR);
        for (size_t pass = package ? 0 : 1; pass < 2; pass++)
                for (size_t i = 0; suffixes[i]; i++) {
                        char f[PATH_MAX + 64];
                        snprintf(f, sizeof f, "%s%s%s", p, pass == 0 ? "/__init__" : "", suffixes[i]);
                        if (!interp_is_a(root, f, S_IFREG))
                                continue;
                        *ret = strdup(f);
                        return *ret ? (pass == 0 ? FIND_PACKAGE : FIND_MODULE) : -ENOMEM;
                }
        return package ? FIND_NAMESPACE : FIND_NONE;
}

/* The cached bytecode Python reads instead of the source when it is fresh: dir/__pycache__/x.cpython-3N.pyc
 */
static int add_cache(FsRoot *root, SList *files, const char *source, int minor) {
        const char *slash = strrchr(source, '/');
        size_t n = strlen(slash);
        if (minor < 0 || !interp_endswith(slash, ".py"))
                return 0;
        char pyc[PATH_MAX + 64];
        snprintf(pyc, sizeof pyc, "%.*s/__pycache__/%.*s.cpython-3%d.pyc", (int)(slash - source), source,
                 (int)(n - 4), slash + 1, minor);
        return interp_is_a(root, pyc, S_IFREG) ? slist_push(files, strdup(pyc)) : 0;
}

/* ---- distributions: importlib.metadata's view of dist-packages ---- */

/* PEP 503: lower case, every run of "-_." one "-" */
static void dist_normalize(const char *s, size_t n, char *buf, size_t size) {
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < size; i++)
                if (char_in_set(s[i], "-_.")) {
                        if (o == 0 || buf[o - 1] != '-')
                                buf[o++] = '-';
                } else
                        buf[o++] = (char)tolower((unsigned char)s[i]);
        buf[o] = 0;
}

/* A directory's distributions (NAME-VERSION.dist-info, NAME-VERSION[-pyX.Y].egg-info), in the order readdir
 * gives them: listed once per directory per run, each top_level.txt read when first asked for. */
typedef struct Dist {
        const char *name; /* the directory entry */
        const char *norm; /* its NAME, normalised */
        const char *top;  /* top_level.txt, NULL when unread or unreadable */
        bool top_read;
} Dist;

typedef struct DistDir {
        Dist *v;
        size_t n;
} DistDir;

static int dist_dir(FsRoot *root, const char *dir, const DistDir **ret) {
        struct stat st;
        if (fs_root_chase(root, dir, NULL, &st) < 0) {
                *ret = NULL;
                return 0;
        }
        DistDir *m = fs_root_memo_get(root, "python-dists", &st, NULL);
        if (m) {
                *ret = m;
                return 0;
        }
        Arena *a = fs_root_memo_arena(root);
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
        if (!d) {
                *ret = NULL;
                return 0;
        }
        _cleanup_free_ Dist *v = NULL;
        size_t n = 0, allocated = 0;
        for (struct dirent *de; (de = readdir(d));) {
                size_t k = strlen(de->d_name);
                size_t suffix = interp_endswith(de->d_name, ".dist-info")  ? 10
                                : interp_endswith(de->d_name, ".egg-info") ? 9
                                                                           : 0;
                char norm[256];
                if (suffix == 0)
                        continue;
                dist_normalize(de->d_name, MIN(strcspn(de->d_name, "-"), k - suffix), norm, sizeof norm);
                if (!GROW(v, allocated, n + 1))
                        return -ENOMEM;
                v[n] = (Dist){.name = arena_strdup(a, de->d_name), .norm = arena_strdup(a, norm)};
                if (!v[n].name || !v[n++].norm)
                        return -ENOMEM;
        }
        if (!(m = arena_alloc(a, sizeof(DistDir))) || !(m->v = arena_alloc(a, (n ? n : 1) * sizeof(Dist))))
                return -ENOMEM;
        if (n) /* v is NULL for a directory without any */
                memcpy(m->v, v, n * sizeof(Dist));
        m->n = n;
        if (fs_root_memo_put(root, "python-dists", &st, NULL, m) < 0)
                return -ENOMEM;
        *ret = m;
        return 0;
}

/* Whether the top_level.txt of dist in dir names the module name (n bytes), on a line of its own. */
static int dist_has_top(FsRoot *root, const char *dir, Dist *dist, const char *name, size_t n) {
        if (!dist->top_read) {
                _cleanup_free_ char *top = NULL, *text = NULL;
                size_t size;
                dist->top_read = true;
                if (asprintf(&top, "%s/%s/top_level.txt", dir, dist->name) < 0)
                        return -ENOMEM;
                if (fs_root_read_file(root, top, 64 * 1024, &text, &size) >= 0 &&
                    !(dist->top = arena_strdup(fs_root_memo_arena(root), text)))
                        return -ENOMEM;
        }
        for (const char *l = dist->top; l && *l;) {
                size_t k = strcspn(l, "\n");
                if (k == n && strncmp(l, name, n) == 0)
                        return 1;
                l += k + (l[k] == '\n');
        }
        return 0;
}

/* The metadata directory of a distribution: NAME-VERSION.dist-info or NAME-VERSION[-pyX.Y].egg-info. */
static int find_dist(FsRoot *root, char *const *search_path, const char *name, size_t n, char **ret) {
        char want[256];
        const DistDir *dd;
        int r;
        dist_normalize(name, n, want, sizeof want);
        for (size_t i = 0; search_path[i]; i++) {
                if ((r = dist_dir(root, search_path[i], &dd)) < 0)
                        return r;
                for (size_t k = 0; dd && k < dd->n; k++)
                        if (streq(want, dd->v[k].norm))
                                return asprintf(ret, "%s/%s", search_path[i], dd->v[k].name) < 0 ? -ENOMEM
                                                                                                 : 0;
        }
        /* the distribution that installs a top-level module of another name (python-dateutil: dateutil),
         * from its top_level.txt */
        for (size_t i = 0; search_path[i]; i++) {
                if ((r = dist_dir(root, search_path[i], &dd)) < 0)
                        return r;
                for (size_t k = 0; dd && k < dd->n; k++) {
                        r = dist_has_top(root, search_path[i], dd->v + k, name, n);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                return asprintf(ret, "%s/%s", search_path[i], dd->v[k].name) < 0 ? -ENOMEM
                                                                                                 : 0;
                }
        }
        return -ENOENT;
}

/* The module of entry point NAME in group GROUP of entry_points.txt: "radicale = radicale.__main__:run". */
static int entry_module(FsRoot *root, const char *file, const char *group, size_t n_group, const char *name,
                        char **ret) {
        _cleanup_free_ char *text = NULL;
        bool in = false;
        size_t size;
        int r = fs_root_read_file(root, file, 1024 * 1024, &text, &size);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                line += strspn(line, " \t");
                if (line[0] == '[') {
                        in = strncmp(line + 1, group, n_group) == 0 && line[1 + n_group] == ']';
                        continue;
                }
                size_t k = strcspn(line, " \t=");
                if (!in || k != strlen(name) || strncmp(line, name, k) != 0)
                        continue;
                char *v = strchr(line, '=');
                if (!v)
                        continue;
                v += 1 + strspn(v + 1, " \t");
                *ret = strndup(v, strcspn(v, ": \t["));
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

/* "dist:NAME": the metadata files importlib.metadata reads; "entry:DIST:GROUP:NAME": those and, as
 * "module:X" for the driver to import, the entry point's module and its packages. */
static int resolve_dist(FsRoot *root, char *const *search_path, const char *spec, char ***ret_files,
                        size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *dir = NULL, *module = NULL;
        bool entry = startswith(spec, "entry:");
        const char *dist = strchr(spec, ':') + 1, *group = entry ? strchr(dist, ':') : NULL;
        const char *name = group ? strchr(group + 1, ':') : NULL;
        int r;

        if (entry && !name)
                return -EINVAL;
        r = find_dist(root, search_path, dist, strcspn(dist, ":=<>!~ "), &dir);
        if (r < 0)
                return r;
        static const char *const meta[] = {"METADATA", "PKG-INFO", "entry_points.txt"};
        for (size_t i = 0; i < ELEMENTSOF(meta); i++) {
                char p[PATH_MAX + 32];
                snprintf(p, sizeof p, "%s/%s", dir, meta[i]);
                if (interp_is_a(root, p, S_IFREG) && slist_push(&files, strdup(p)) < 0)
                        return -ENOMEM;
        }
        if (entry) {
                char p[PATH_MAX + 32];
                snprintf(p, sizeof p, "%s/entry_points.txt", dir);
                r = entry_module(root, p, group + 1, name - group - 1, name + 1, &module);
                if (r == -ENOMEM)
                        return r;
                for (const char *q = module; r >= 0 && *q;) {
                        const char *dot = strchr(q, '.');
                        q = dot ? dot + 1 : q + strlen(q);
                        if (slist_pushf(&files, "module:%.*s", (int)(dot ? dot - module : q - module),
                                        module) < 0)
                                return -ENOMEM;
                }
        }
        return interp_take_modules(&files, ret_files, ret_source_index);
}

static int python_resolve(FsRoot *root, char *const *search_path, const char *name, char ***ret_files,
                          size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {}, dirs = {}, parents = {};
        char ext[64], comp[256];
        int minor = path_minor(search_path);

        if (startswith(name, "dist:") || startswith(name, "entry:"))
                return resolve_dist(root, search_path, name, ret_files, ret_source_index);
        /* CPython's own regression tests, which multiprocessing and others import only under the test suite
         */
        if (streq(name, "test") || startswith(name, "test."))
                return -ENOENT;
        if (!strchr(name, '.'))
                for (size_t i = 0; i < ELEMENTSOF(builtin_modules); i++)
                        if (streq(name, builtin_modules[i]))
                                return -ENOENT;
#ifdef MULTIARCH
        snprintf(ext, sizeof ext, ".cpython-3%d-%s.so", minor, MULTIARCH);
#else
        snprintf(ext, sizeof ext, ".cpython-3%d.so", minor);
#endif
        char *suffixes[] = {minor >= 0 ? ext : (char *)".abi3.so", ".abi3.so", ".so", ".py", ".pyc", NULL};
        char *const *where = search_path;

        for (const char *p = name, *dot; *p; p = dot ? dot + 1 : p + strlen(p)) {
                dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                if (n == 0 || n >= sizeof comp)
                        return -ENOENT;
                snprintf(comp, sizeof comp, "%.*s", (int)n, p);
                _cleanup_(slist_done) SList portions = {};
                _cleanup_free_ char *found = NULL;
                FindKind kind = FIND_NONE;
                for (size_t i = 0; where[i] && kind != FIND_MODULE && kind != FIND_PACKAGE; i++) {
                        int k = find_in_dir(root, where[i], comp, suffixes, &found);
                        if (k < 0)
                                return k;
                        kind = k == FIND_NAMESPACE ? FIND_NONE : (FindKind)k;
                        if (k == FIND_NAMESPACE && slist_pushf(&portions, "%s/%s", where[i], comp) < 0)
                                return -ENOMEM;
                        if (k == FIND_PACKAGE && slist_pushf(&portions, "%s/%s", where[i], comp) < 0)
                                return -ENOMEM;
                }
                if (kind == FIND_NONE && portions.n == 0)
                        return -ENOENT;
                if (!dot) {
                        if (found && (slist_push(&files, TAKE_PTR(found)) < 0 ||
                                      add_cache(root, &files, files.v[0], minor) < 0))
                                return -ENOMEM;
                        break;
                }
                if (kind == FIND_MODULE) /* a module is no package: "os.path" is os's own doing */
                        return -ENOENT;
                if (found && slist_push(&parents, TAKE_PTR(found)) < 0)
                        return -ENOMEM;
                /* a package's __path__ is its directory; a namespace package's, all its portions */
                slist_done(&dirs);
                dirs = portions;
                portions = (SList){};
                if (kind == FIND_PACKAGE) {
                        /* only the directory where the package was found */
                        for (size_t i = 0; i + 1 < dirs.n; i++)
                                free(dirs.v[i]);
                        memmove(dirs.v, dirs.v + dirs.n - 1, 2 * sizeof(char *));
                        dirs.n = 1;
                }
                where = dirs.v;
        }
        if (files.n == 0)
                return -ENOENT; /* a namespace package: no file of its own */
        for (size_t i = 0; i < parents.n; i++)
                if (slist_push(&files, strdup(parents.v[i])) < 0 ||
                    add_cache(root, &files, parents.v[i], minor) < 0)
                        return -ENOMEM;
        bool source = interp_endswith(files.v[0], ".py");
        /* a distribution's metadata, which importlib.metadata reads for its version under a name computed at
         * run time (radicale asks for vobject's): queued for every top-level package of dist-packages */
        if (!strchr(name, '.') &&
            (strstr(files.v[0], "/dist-packages/") || strstr(files.v[0], "/site-packages/")) &&
            slist_pushf(&files, "module:dist:%s", name) < 0)
                return -ENOMEM;
        char **v = slist_take(&files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = source ? 0 : SIZE_MAX;
        return 0;
}

/* ---- what every start loads ---- */

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One .pth file, as site.addpackage() reads it: the file itself, the modules of its "import" lines (which
 * site executes), and its other lines as directories appended to sys.path. */
static int startup_pth(FsRoot *root, const char *dir, const char *file, Imports *l) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t size;
        int r;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        r = fs_root_read_file(root, path, 1024 * 1024, &text, &size);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        _cleanup_free_ char *entry = NULL;
        if (asprintf(&entry, "file:%s", path) < 0)
                return -ENOMEM;
        r = python_imports_add(l, entry, strlen(entry), 0);
        if (r < 0)
                return r;

        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line[strcspn(line, "\r")] = 0;
                if (line[0] == '#' || !line[strspn(line, " \t")])
                        continue;
                if (startswith(line, "import ") || startswith(line, "import\t")) {
                        InterpImport *v = NULL;
                        size_t n = 0;
                        r = python_scan(line, strlen(line), NULL, false, &v, &n);
                        for (size_t i = 0; r >= 0 && i < n; i++)
                                r = python_imports_add(l, v[i].name, strlen(v[i].name), 0);
                        interp_imports_free(v, n);
                        if (r < 0)
                                return r;
                        continue;
                }
                size_t n = strlen(line);
                while (n > 0 && isspace((unsigned char)line[n - 1]))
                        line[--n] = 0;
                _cleanup_free_ char *dir_entry = NULL;
                if (asprintf(&dir_entry, "lib+:%s%s%s", line[0] == '/' ? "" : dir, line[0] == '/' ? "" : "/",
                             line) < 0)
                        return -ENOMEM;
                r = python_imports_add(l, dir_entry, strlen(dir_entry), 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Every *.pth in one site directory, in the order site.py reads them (sorted, no dot files). */
static int startup_site_dir(FsRoot *root, const char *dir, Imports *l) {
        _cleanup_(slist_done) SList names = {};
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
        int r;

        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] != '.' && interp_endswith(de->d_name, ".pth") &&
                    slist_push(&names, strdup(de->d_name)) < 0)
                        return -ENOMEM;
        }
        if (names.n > 0)
                qsort(names.v, names.n, sizeof(char *), compare_names);
        for (size_t i = 0; i < names.n; i++) {
                r = startup_pth(root, dir, names.v[i], l);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int python_startup(FsRoot *root, char *const *search_path, InterpImport **ret, size_t *ret_n) {
        Imports l = {};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(startup_modules); i++)
                r = python_imports_add(&l, startup_modules[i], strlen(startup_modules[i]), 0);
        for (size_t i = 0; r >= 0 && search_path[i]; i++) {
                const char *b = strrchr(search_path[i], '/');
                if (b && (streq(b, "/dist-packages") || streq(b, "/site-packages")))
                        r = startup_site_dir(root, search_path[i], &l);
        }
        if (r < 0) {
                interp_imports_free(l.v, l.n);
                return r;
        }
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

const Interpreter interp_python = {
        .name = "python",
        .matches = python_matches,
        .search_path = python_search_path,
        .startup = python_startup,
        .scan = python_scan,
        .resolve = python_resolve,
};
