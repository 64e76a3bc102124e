/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>

#include "dpkg-db.h"
#include "hashmap.h"
#include "macro.h"
#include "pkg-index.h"
#include "service.h" /* strv */

#if defined(__x86_64__)
#define DPKG_NATIVE_ARCH "amd64"
#elif defined(__aarch64__)
#define DPKG_NATIVE_ARCH "arm64"
#elif defined(__i386__)
#define DPKG_NATIVE_ARCH "i386"
#elif defined(__arm__)
#define DPKG_NATIVE_ARCH "armhf"
#elif defined(__powerpc64__)
#define DPKG_NATIVE_ARCH "ppc64el"
#elif defined(__s390x__)
#define DPKG_NATIVE_ARCH "s390x"
#else
#define DPKG_NATIVE_ARCH "all"
#endif

enum { INDEX_NONE, INDEX_LOADING, INDEX_LOADED };

/* Everything is read from the package index (pkg-index.h): mmap'd, and only the parts asked for. */
struct DpkgDb {
        FsRoot *root;
        char aliases[8][16]; /* top-level directories that link to usr/<same>: "/lib/" */
        const char *alias_list[9];
        size_t n_aliases;
        PkgIndex *index;
        PkgIndex *retired; /* a corrupt index replaced: strings handed out still point into it */
        int index_state, index_result;
        bool rebuilt; /* the index was found corrupt once and rebuilt: never again in this run */
        pthread_t index_thread;
        Arena *arena;
        Hashmap *packages; /* key asked for -> DpkgPackage */
        Hashmap *owners;   /* owner strings handed out, copied from the index */
};

DpkgDb *dpkg_db_free(DpkgDb *db) {
        if (!db)
                return NULL;
        if (db->index_state == INDEX_LOADING)
                pthread_join(db->index_thread, NULL);
        pkg_index_free(db->index);
        pkg_index_free(db->retired);
        hashmap_free(db->packages);
        hashmap_free(db->owners);
        arena_free(db->arena);
        free(db);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(DpkgDb *, dpkg_db_free);

int dpkg_db_new(FsRoot *root, DpkgDb **ret) {
        _cleanup_(dpkg_db_freep) DpkgDb *db = calloc(1, sizeof(DpkgDb));
        struct stat st;
        if (!db)
                return -ENOMEM;
        db->root = root;
        db->arena = arena_new();
        db->packages = hashmap_new();
        db->owners = hashmap_new();
        if (!db->arena || !db->packages || !db->owners)
                return -ENOMEM;
        if (fstatat(fs_root_fd(root), "var/lib/dpkg/info", &st, 0) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        static const char *const candidates[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32"};
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char target[64];
                ssize_t n = readlinkat(fs_root_fd(root), candidates[i], target, sizeof target - 1);
                if (n <= 0)
                        continue;
                target[n] = 0;
                const char *t = target[0] == '/' ? target + 1 : target;
                const char *rest = startswith(t, "usr/");
                if (rest && streq(rest, candidates[i])) {
                        snprintf(db->aliases[db->n_aliases], sizeof db->aliases[0], "/%s/", candidates[i]);
                        db->alias_list[db->n_aliases] = db->aliases[db->n_aliases];
                        db->n_aliases++;
                }
        }
        *ret = TAKE_PTR(db);
        return 0;
}

static PkgIndexRoot index_root(DpkgDb *db) {
        return (PkgIndexRoot){
                .fd = fs_root_fd(db->root),
                .path = fs_root_path(db->root),
                .arch = DPKG_NATIVE_ARCH,
                .aliases = db->alias_list,
        };
}

static int index_open(DpkgDb *db, bool force) {
        PkgIndexRoot root = index_root(db);
        return pkg_index_open(&root, force, &db->index);
}

static void *index_thread(void *userdata) {
        DpkgDb *db = userdata;
        db->index_result = index_open(db, false);
        return NULL;
}

int dpkg_db_prefetch(DpkgDb *db) {
        if (db->index_state != INDEX_NONE)
                return 0;
        /* a cached index opens in well under a millisecond, here; building one takes longer, beside the
         * caller */
        PkgIndexRoot root = index_root(db);
        db->index_result = pkg_index_open_cached(&root, &db->index);
        if (db->index_result >= 0) {
                db->index_state = INDEX_LOADED;
                return 0;
        }
        if (pthread_create(&db->index_thread, NULL, index_thread, db) != 0)
                return 0; /* then the first lookup opens it */
        db->index_state = INDEX_LOADING;
        return 0;
}

static int index_get(DpkgDb *db, PkgIndex **ret) {
        if (db->index_state == INDEX_LOADING)
                pthread_join(db->index_thread, NULL);
        else if (db->index_state == INDEX_NONE)
                db->index_result = index_open(db, false);
        db->index_state = INDEX_LOADED;
        if (db->index_result < 0)
                return db->index_result;
        *ret = db->index;
        return 0;
}

/* A part of the index found corrupt: rebuilt once, from dpkg's own files, and the question asked again. */
static bool index_retry(DpkgDb *db, int r) {
        if (r != -EBADMSG || db->rebuilt)
                return false;
        db->rebuilt = true;
        db->retired = TAKE_PTR(db->index);
        hashmap_free(db->packages);
        db->packages = hashmap_new();
        db->index_result = db->packages ? index_open(db, true) : -ENOMEM;
        return true;
}

const char *dpkg_db_note(DpkgDb *db) {
        return db->index ? pkg_index_note(db->index) : NULL;
}

const char *dpkg_db_canonical(DpkgDb *db, const char *path, char *buf, size_t size) {
        for (size_t i = 0; i < db->n_aliases; i++) {
                const char *a = db->aliases[i];
                size_t al = strlen(a);
                if (strncmp(path, a, al) == 0 || (strncmp(path, a, al - 1) == 0 && path[al - 1] == 0)) {
                        size_t n = strlen(path);
                        if (n + 5 > size)
                                return path;
                        memcpy(buf, "/usr", 4);
                        memcpy(buf + 4, path, n + 1);
                        return buf;
                }
        }
        return path;
}

typedef struct Query {
        const char *path; /* canonical */
        uint32_t shard;
        size_t index;
} Query;

static int cmp_query(const void *a, const void *b) {
        const Query *x = a, *y = b;
        return x->shard != y->shard ? (x->shard < y->shard ? -1 : 1)
                                    : (x->index > y->index) - (x->index < y->index);
}

/* An owner string copied out of the index, once per text: the index's part it came from is dropped. */
static const char *owner_intern(DpkgDb *db, const char *o) {
        const char *s = hashmap_get(db->owners, o);
        if (s)
                return s;
        char *copy = arena_strdup(db->arena, o);
        if (!copy || hashmap_put(db->owners, copy, copy, NULL) < 0)
                return NULL;
        return copy;
}

static int find_owners(DpkgDb *db, const char *const *paths, size_t n, const char **owners) {
        PkgIndex *x;
        int r = index_get(db, &x);
        if (r < 0)
                return r;
        /* in shard order, so that one part of the index at a time is in memory */
        _cleanup_free_ Query *q = malloc((n ? n : 1) * sizeof(Query));
        _cleanup_(arena_freep) Arena *tmp = arena_new();
        if (!q || !tmp)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                char cbuf[PATH_MAX];
                const char *c = dpkg_db_canonical(db, paths[i], cbuf, sizeof cbuf);
                q[i] = (Query){c == cbuf ? arena_strdup(tmp, c) : c, pkg_index_path_shard(c), i};
                if (!q[i].path)
                        return -ENOMEM;
        }
        qsort(q, n, sizeof(Query), cmp_query);
        for (size_t i = 0; i < n; i++) {
                const char *o = NULL;
                owners[q[i].index] = NULL;
                r = pkg_index_owner(x, q[i].path, &o);
                if (r < 0 && r != -ENOENT)
                        return r;
                if (o && !(owners[q[i].index] = owner_intern(db, o)))
                        return -ENOMEM;
                if (i + 1 == n || q[i + 1].shard != q[i].shard)
                        pkg_index_drop_shard(x, q[i].shard);
        }
        return 0;
}

int dpkg_db_find_owners(DpkgDb *db, const char *const *paths, size_t n, const char **owners) {
        int r = find_owners(db, paths, n, owners);
        if (index_retry(db, r))
                r = find_owners(db, paths, n, owners);
        return r;
}

int dpkg_package_name_valid(const char *name) {
        /* Debian policy 5.6.1: [a-z0-9][a-z0-9+.-]+, at least two characters; ":arch" is [a-z0-9-]+ */
        const char *colon = strchr(name, ':');
        size_t n = colon ? (size_t)(colon - name) : strlen(name);
        if (n < 2 || n > 128)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          (i > 0 && (c == '+' || c == '-' || c == '.'));
                if (!ok)
                        return 0;
        }
        if (colon) {
                const char *a = colon + 1;
                if (!*a || strlen(a) > 32)
                        return 0;
                for (; *a; a++)
                        if (!((*a >= 'a' && *a <= 'z') || (*a >= '0' && *a <= '9') || *a == '-'))
                                return 0;
        }
        return 1;
}

/* The .list name of a package: name, name:native, else the first name:arch. */
static int find_package(PkgIndex *x, const char *package, size_t *ret) {
        _cleanup_free_ char *native = NULL;
        int r = pkg_index_find_package(x, package, ret);
        if (r != -ENOENT || strchr(package, ':'))
                return r;
        if (asprintf(&native, "%s:%s", package, DPKG_NATIVE_ARCH) < 0)
                return -ENOMEM;
        r = pkg_index_find_package(x, native, ret);
        if (r != -ENOENT)
                return r;
        /* "name:" sorts just before every "name:arch" */
        native[strlen(package) + 1] = 0;
        size_t n;
        if ((r = pkg_index_n_packages(x, &n)) < 0)
                return r;
        size_t lo = 0, hi = n;
        while (lo < hi) { /* the first name >= "name:" */
                size_t mid = lo + (hi - lo) / 2;
                const char *s;
                if ((r = pkg_index_package(x, mid, &s)) < 0)
                        return r;
                if (strcmp(s, native) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        const char *s;
        if (lo < n && (r = pkg_index_package(x, lo, &s)) < 0)
                return r;
        if (lo >= n || !startswith(s, native))
                return -ENOENT;
        *ret = lo;
        return 0;
}

static int package_files(DpkgDb *db, const char *package, char ***ret) {
        PkgIndex *x;
        const char *text;
        size_t i, len;
        int r = index_get(db, &x);
        if (r < 0 || (r = find_package(x, package, &i)) < 0 ||
            (r = pkg_index_package_files(x, i, &text, &len)) < 0)
                return r;
        _cleanup_(strv_freep) char **files = calloc(1, sizeof(char *));
        size_t n = 0, cap = 1;
        if (!files)
                return -ENOMEM;
        for (const char *p = text, *e; p < text + len; p = e + 1) {
                e = memchr(p, '\n', text + len - p);
                if (!e)
                        e = text + len;
                if (!GROW(files, cap, n + 2) || !(files[n] = strndup(p, e - p)))
                        return -ENOMEM;
                files[++n] = NULL;
        }
        *ret = TAKE_PTR(files);
        return 0;
}

int dpkg_db_package_files(DpkgDb *db, const char *package, char ***ret) {
        if (!dpkg_package_name_valid(package))
                return -EINVAL;
        int r = package_files(db, package, ret);
        if (index_retry(db, r))
                r = package_files(db, package, ret);
        return r;
}

static int list_packages(DpkgDb *db, char ***ret) {
        PkgIndex *x;
        size_t n;
        int r = index_get(db, &x);
        if (r < 0 || (r = pkg_index_n_packages(x, &n)) < 0)
                return r;
        _cleanup_(strv_freep) char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *s;
                if ((r = pkg_index_package(x, i, &s)) < 0)
                        return r;
                if (!(l[i] = strdup(s)))
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int dpkg_db_list_packages(DpkgDb *db, char ***ret) {
        int r = list_packages(db, ret);
        if (index_retry(db, r))
                r = list_packages(db, ret);
        return r;
}

static int package_info(DpkgDb *db, const char *package, const DpkgPackage **ret) {
        DpkgPackage *p = hashmap_get(db->packages, package);
        PkgIndexStatus st;
        PkgIndex *x;
        if (p) {
                *ret = p;
                return 0;
        }
        int r = index_get(db, &x);
        if (r < 0 || (r = pkg_index_status(x, package, &st)) < 0)
                return r;
        /* the strings stay in the index, which lives as long as db */
        p = arena_alloc(db->arena, sizeof(DpkgPackage));
        const char *key = arena_strdup(db->arena, package);
        if (!p || !key)
                return -ENOMEM;
        *p = (DpkgPackage){
                .name = st.name,
                .arch = st.arch,
                .source = st.source,
                .depends = st.depends,
                .conffiles = st.conffiles,
                .essential = st.essential,
                .priority = st.priority,
        };
        if (hashmap_put(db->packages, key, p, NULL) < 0)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int dpkg_db_package_info(DpkgDb *db, const char *package, const DpkgPackage **ret) {
        int r = package_info(db, package, ret);
        if (index_retry(db, r))
                r = package_info(db, package, ret);
        return r;
}

int dpkg_db_package_conffiles(DpkgDb *db, const char *package, char ***ret) {
        const DpkgPackage *p;
        int r = dpkg_db_package_info(db, package, &p);
        if (r < 0)
                return r;
        _cleanup_(strv_freep) char **l = NULL;
        if (!(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        _cleanup_free_ char *copy = strdup(p->conffiles);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                line += strspn(line, " ");
                if (line[0] != '/' || strstr(line, " obsolete") || strstr(line, " remove-on-upgrade"))
                        continue;
                /* " PATH MD5": the path is everything before the last two words at most */
                char *sp = strrchr(line, ' ');
                if (sp)
                        *sp = 0;
                if (strv_extend(&l, line) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int dpkg_depends_names(const char *field, char ***ret) {
        _cleanup_(strv_freep) char **l = calloc(1, sizeof(char *));
        _cleanup_free_ char *copy = strdup(field);
        if (!l || !copy)
                return -ENOMEM;
        for (char *save = NULL, *w = strtok_r(copy, ",|", &save); w; w = strtok_r(NULL, ",|", &save)) {
                w += strspn(w, " \t\n");
                w[strcspn(w, " \t\n(:[<")] = 0;
                if (*w && !strv_contains(l, w) && strv_extend(&l, w) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
