/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>

#include "dpkg-db.h"
#include "hashmap.h"
#include "macro.h"
#include "service.h" /* strv */

#define INFO_DIR "var/lib/dpkg/info"

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
#define LIST_MAX (256u * 1024 * 1024)

typedef struct Diversion {
        const char *to, *by;
} Diversion;

typedef struct List {
        const char *package;
        char *text; /* the .list file; its newlines become NULs on the first scan */
        size_t len;
} List;

enum { LISTS_NONE, LISTS_LOADING, LISTS_LOADED };

struct DpkgDb {
        FsRoot *root;
        int info_fd;
        Arena *arena;
        Hashmap *diversions; /* from -> Diversion */
        /* the contents of every .list file, read once (in a thread when dpkg_db_prefetch() was called) */
        List *lists;
        size_t n_lists, allocated_lists;
        int lists_state, lists_result;
        pthread_t lists_thread;
        char aliases[8][16]; /* top-level directories that link to usr/<same> */
        Hashmap *status;     /* "name" and "name:arch" -> DpkgPackage, installed packages only */
        char *status_text;
        bool status_loaded;
        size_t n_aliases;
};

DpkgDb *dpkg_db_free(DpkgDb *db) {
        if (!db)
                return NULL;
        if (db->lists_state == LISTS_LOADING)
                pthread_join(db->lists_thread, NULL);
        for (size_t i = 0; i < db->n_lists; i++)
                free(db->lists[i].text);
        free(db->lists);
        if (db->info_fd >= 0)
                close(db->info_fd);
        hashmap_free(db->diversions);
        hashmap_free(db->status);
        free(db->status_text);
        arena_free(db->arena);
        free(db);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(DpkgDb *, dpkg_db_free);

/* Read a whole file relative to dir_fd into a growing buffer. */
static int read_all(int dir_fd, const char *name, char **buf, size_t *allocated, size_t *ret_len) {
        _cleanup_close_ int fd =
                openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADMSG;
        if ((uint64_t)st.st_size >= LIST_MAX)
                return -EFBIG;
        /* one read() for the whole file: a regular file that grows meanwhile is read as it was */
        size_t want = st.st_size, len = 0;
        if (!GROW(*buf, *allocated, want + 1))
                return -ENOMEM;
        while (len < want) {
                ssize_t n = read(fd, *buf + len, want - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += n;
        }
        (*buf)[len] = 0;
        *ret_len = len;
        return 0;
}

/* A directory stream of its own (not a dup(), which would share the position with fd). */
static DIR *opendir_at(int fd) {
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return NULL;
        DIR *d = fdopendir(dfd);
        if (!d)
                close(dfd);
        return d;
}

static int load_diversions(DpkgDb *db) {
        _cleanup_free_ char *buf = NULL;
        size_t allocated = 0, len;
        _cleanup_close_ int dfd =
                openat(fs_root_fd(db->root), "var/lib/dpkg", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        int r = read_all(dfd, "diversions", &buf, &allocated, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        /* groups of three lines: diverted path, where it went, the diverting package (":" for local) */
        char *lines[3];
        size_t k = 0;
        for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
                nl = memchr(p, '\n', buf + len - p);
                if (!nl)
                        nl = buf + len;
                *nl = 0;
                lines[k++] = p;
                if (k == 3) {
                        Diversion *d = arena_alloc(db->arena, sizeof(Diversion));
                        char *from = arena_strdup(db->arena, lines[0]);
                        if (!d || !from || !(d->to = arena_strdup(db->arena, lines[1])) ||
                            !(d->by = arena_strdup(db->arena, lines[2])))
                                return -ENOMEM;
                        if (hashmap_put(db->diversions, from, d, NULL) < 0)
                                return -ENOMEM;
                        k = 0;
                }
        }
        return 0;
}

int dpkg_db_new(FsRoot *root, DpkgDb **ret) {
        _cleanup_(dpkg_db_freep) DpkgDb *db = calloc(1, sizeof(DpkgDb));
        if (!db)
                return -ENOMEM;
        db->info_fd = -EBADF;
        db->root = root;
        db->arena = arena_new();
        db->diversions = hashmap_new();
        if (!db->arena || !db->diversions)
                return -ENOMEM;
        db->info_fd = openat(fs_root_fd(root), INFO_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (db->info_fd < 0)
                return -errno;
        int r = load_diversions(db);
        if (r < 0)
                return r;

        static const char *const candidates[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32"};
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                char target[64];
                ssize_t n = readlinkat(fs_root_fd(root), candidates[i], target, sizeof target - 1);
                if (n <= 0)
                        continue;
                target[n] = 0;
                const char *t = target[0] == '/' ? target + 1 : target;
                const char *rest = startswith(t, "usr/");
                if (rest && streq(rest, candidates[i]))
                        snprintf(db->aliases[db->n_aliases++], sizeof db->aliases[0], "/%s/", candidates[i]);
        }
        *ret = TAKE_PTR(db);
        return 0;
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

typedef struct Wanted {
        const char **owner; /* where to write, for each asker */
        size_t n;
        const char *first; /* the owner found so far (several joined) */
} Wanted;

static int add_owner(DpkgDb *db, Wanted *w, const char *pkg) {
        if (!w->first) {
                w->first = pkg;
                return 0;
        }
        /* do not list the same package twice (a path in two .list files of one package is odd, but cheap) */
        size_t pl = strlen(pkg);
        for (const char *p = w->first; (p = strstr(p, pkg)); p += pl)
                if ((p == w->first || p[-1] == ' ') && (p[pl] == 0 || p[pl] == ','))
                        return 0;
        size_t fl = strlen(w->first);
        char *s = arena_alloc(db->arena, fl + 2 + pl + 1);
        if (!s)
                return -ENOMEM;
        memcpy(s, w->first, fl);
        memcpy(s + fl, ", ", 2);
        memcpy(s + fl + 2, pkg, pl + 1);
        w->first = s;
        return 0;
}

/* Apply a diversion to a path listed by package pkg: the file of a package that does not own the
 * diversion lives at the diverted-to path. */
static const char *divert(DpkgDb *db, const char *path, size_t len, uint64_t hash, const char *pkg,
                          size_t *ret_len) {
        if (hashmap_size(db->diversions) == 0)
                return *ret_len = len, path;
        Diversion *d = hashmap_get_hashed(db->diversions, hash, path, len);
        size_t bl = d ? strlen(d->by) : 0;
        /* the diverting package is named without its architecture */
        if (!d || (strncmp(d->by, pkg, bl) == 0 && (pkg[bl] == 0 || pkg[bl] == ':')))
                return *ret_len = len, path;
        *ret_len = strlen(d->to);
        return d->to;
}

static int lists_load(DpkgDb *db) {
        _cleanup_(closedirp) DIR *d = opendir_at(db->info_fd);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t nl = strlen(de->d_name), allocated = 0, len;
                char *text = NULL;
                if (nl <= 5 || !streq(de->d_name + nl - 5, ".list"))
                        continue;
                if (read_all(db->info_fd, de->d_name, &text, &allocated, &len) < 0) {
                        free(text);
                        continue; /* an unreadable list names no owners; the rest still count */
                }
                const char *pkg = arena_strndup(db->arena, de->d_name, nl - 5);
                if (!pkg || !GROW(db->lists, db->allocated_lists, db->n_lists + 1)) {
                        free(text);
                        return -ENOMEM;
                }
                db->lists[db->n_lists++] = (List){pkg, text, len};
        }
        return 0;
}

static void *lists_thread(void *userdata) {
        DpkgDb *db = userdata;
        db->lists_result = lists_load(db);
        return NULL;
}

int dpkg_db_prefetch(DpkgDb *db) {
        if (db->lists_state != LISTS_NONE)
                return 0;
        /* The reading is system calls, 811 files here: done on the other core while the caller works. */
        if (pthread_create(&db->lists_thread, NULL, lists_thread, db) != 0)
                return 0; /* then dpkg_db_find_owners() reads them itself */
        db->lists_state = LISTS_LOADING;
        return 0;
}

static int lists_wait(DpkgDb *db) {
        if (db->lists_state == LISTS_LOADING)
                pthread_join(db->lists_thread, NULL);
        else if (db->lists_state == LISTS_NONE)
                db->lists_result = lists_load(db);
        db->lists_state = LISTS_LOADED;
        return db->lists_result;
}

int dpkg_db_find_owners(DpkgDb *db, const char *const *paths, size_t n, const char **owners) {
        _cleanup_(hashmap_freep) Hashmap *wanted = hashmap_new();
        _cleanup_(arena_freep) Arena *tmp = arena_new();
        char cbuf[PATH_MAX];
        int r;

        if (!wanted || !tmp)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                owners[i] = NULL;
                const char *c = dpkg_db_canonical(db, paths[i], cbuf, sizeof cbuf);
                char *key = arena_strdup(tmp, c);
                if (!key)
                        return -ENOMEM;
                Wanted *w = hashmap_get(wanted, key);
                if (!w) {
                        w = arena_alloc(tmp, sizeof(Wanted));
                        if (!w)
                                return -ENOMEM;
                        *w = (Wanted){};
                        if (hashmap_put(wanted, key, w, NULL) < 0)
                                return -ENOMEM;
                }
                const char **o = arena_alloc(tmp, (w->n + 1) * sizeof(char *));
                if (!o)
                        return -ENOMEM;
                if (w->n)
                        memcpy(o, w->owner, w->n * sizeof(char *));
                o[w->n++] = (const char *)&owners[i];
                w->owner = o;
        }

        r = lists_wait(db);
        if (r < 0)
                return r;
        for (size_t k = 0; k < db->n_lists; k++) {
                const List *l = db->lists + k;
                const char *pkg = l->package;
                for (char *p = l->text, *e; p < l->text + l->len; p = e + 1) {
                        e = strchrnul(p, '\n');
                        *e = 0;
                        size_t ll = e - p;
                        if (ll == 0)
                                continue;
                        /* one hash per line serves the diversion and the wanted lookups */
                        uint64_t h = hash_bytes(p, ll);
                        const char *path = divert(db, p, ll, h, pkg, &ll);
                        if (path != p)
                                h = hash_bytes(path, ll);
                        /* packages list /lib/...; the canonical spelling is /usr/lib/... */
                        if (path[0] == '/' && path[1] != 'u') {
                                const char *c = dpkg_db_canonical(db, path, cbuf, sizeof cbuf);
                                if (c != path) {
                                        path = c;
                                        ll += 4;
                                        h = hash_bytes(path, ll);
                                }
                        }
                        Wanted *w = hashmap_get_hashed(wanted, h, path, ll);
                        if (w && add_owner(db, w, pkg) < 0)
                                return -ENOMEM;
                }
        }

        size_t it = 0;
        void *v;
        while (hashmap_iterate(wanted, &it, NULL, &v)) {
                Wanted *w = v;
                for (size_t j = 0; j < w->n; j++)
                        *(const char **)w->owner[j] = w->first;
        }
        return 0;
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

int dpkg_db_package_files(DpkgDb *db, const char *package, char ***ret) {
        _cleanup_free_ char *buf = NULL, *name = NULL;
        size_t allocated = 0, len;
        int r;

        if (!dpkg_package_name_valid(package))
                return -EINVAL;
        if (asprintf(&name, "%s.list", package) < 0)
                return -ENOMEM;
        r = read_all(db->info_fd, name, &buf, &allocated, &len);
        if (r == -ENOENT && !strchr(package, ':')) {
                /* a Multi-Arch: same package: the native architecture's first */
                free(name);
                if (asprintf(&name, "%s:%s.list", package, DPKG_NATIVE_ARCH) < 0)
                        return (name = NULL), -ENOMEM;
                r = read_all(db->info_fd, name, &buf, &allocated, &len);
        }
        if (r == -ENOENT && !strchr(package, ':')) {
                /* a Multi-Arch: same package is recorded as name:arch */
                _cleanup_(closedirp) DIR *d = opendir_at(db->info_fd);
                if (!d)
                        return -errno;
                struct dirent *de;
                size_t pl = strlen(package);
                while ((de = readdir(d)))
                        if (strncmp(de->d_name, package, pl) == 0 && de->d_name[pl] == ':' &&
                            strlen(de->d_name) > 5 && streq(de->d_name + strlen(de->d_name) - 5, ".list")) {
                                free(name);
                                name = strdup(de->d_name);
                                if (!name)
                                        return -ENOMEM;
                                r = read_all(db->info_fd, name, &buf, &allocated, &len);
                                break;
                        }
        }
        if (r < 0)
                return r;

        size_t n = 0, cap = 0;
        char **files = NULL;
        const char *pkg = package;
        for (char *p = buf, *e; p < buf + len; p = e + 1) {
                e = memchr(p, '\n', buf + len - p);
                if (!e)
                        e = buf + len;
                *e = 0;
                if (e == p || streq(p, "/."))
                        continue;
                size_t ll;
                const char *path = divert(db, p, e - p, hash_bytes(p, e - p), pkg, &ll);
                if (!GROW(files, cap, n + 2) || !(files[n] = strndup(path, ll))) {
                        for (size_t i = 0; i < n; i++)
                                free(files[i]);
                        free(files);
                        return -ENOMEM;
                }
                files[++n] = NULL;
        }
        if (!files && !(files = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = files;
        return 0;
}

static int cmp_name(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int dpkg_db_list_packages(DpkgDb *db, char ***ret) {
        _cleanup_(closedirp) DIR *d = opendir_at(db->info_fd);
        char **l = NULL;
        size_t n = 0, cap = 0;
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t nl = strlen(de->d_name);
                if (nl <= 5 || !streq(de->d_name + nl - 5, ".list"))
                        continue;
                if (!GROW(l, cap, n + 2) || !(l[n] = strndup(de->d_name, nl - 5))) {
                        for (size_t i = 0; i < n; i++)
                                free(l[i]);
                        free(l);
                        return -ENOMEM;
                }
                l[++n] = NULL;
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        qsort(l, n, sizeof(char *), cmp_name);
        *ret = l;
        return 0;
}

/* The status file: one paragraph per package, "Field: value" lines, continuation lines start with a space. */
static const char *status_field(Arena *a, const char *para, size_t len, const char *field) {
        size_t fl = strlen(field);
        for (const char *p = para; p < para + len;) {
                const char *nl = memchr(p, '\n', para + len - p);
                const char *end = nl ? nl : para + len;
                if ((size_t)(end - p) > fl && strncmp(p, field, fl) == 0 && p[fl] == ':') {
                        /* the value with its continuation lines */
                        const char *v = p + fl + 1, *e = end;
                        while (e < para + len && e[0] == '\n' && e + 1 < para + len && e[1] == ' ') {
                                const char *n2 = memchr(e + 1, '\n', para + len - e - 1);
                                e = n2 ? n2 : para + len;
                        }
                        while (v < e && *v == ' ')
                                v++;
                        return arena_strndup(a, v, e - v);
                }
                p = end + 1;
        }
        return "";
}

static int status_load(DpkgDb *db) {
        if (db->status_loaded)
                return db->status ? 0 : -ENOENT;
        db->status_loaded = true;
        _cleanup_close_ int dfd =
                openat(fs_root_fd(db->root), "var/lib/dpkg", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        size_t allocated = 0, len;
        int r = read_all(dfd, "status", &db->status_text, &allocated, &len);
        if (r < 0)
                return r;
        db->status = hashmap_new();
        if (!db->status)
                return -ENOMEM;
        for (const char *p = db->status_text; p < db->status_text + len;) {
                const char *e = strstr(p, "\n\n");
                size_t pl = e ? (size_t)(e - p) + 1 : strlen(p);
                const char *st = status_field(db->arena, p, pl, "Status");
                if (st && strstr(st, " installed") && !strstr(st, "not-installed")) {
                        DpkgPackage *pkg = arena_alloc(db->arena, sizeof(DpkgPackage));
                        if (!pkg)
                                return -ENOMEM;
                        const char *pre = status_field(db->arena, p, pl, "Pre-Depends"),
                                   *dep = status_field(db->arena, p, pl, "Depends"),
                                   *src = status_field(db->arena, p, pl, "Source");
                        char *joined = NULL;
                        if (asprintf(&joined, "%s%s%s", pre, *pre && *dep ? ", " : "", dep) < 0)
                                return -ENOMEM;
                        *pkg = (DpkgPackage){
                                .name = status_field(db->arena, p, pl, "Package"),
                                .arch = status_field(db->arena, p, pl, "Architecture"),
                                .source = *src ? arena_strndup(db->arena, src, strcspn(src, " (")) : NULL,
                                .depends = arena_strdup(db->arena, joined),
                                .conffiles = status_field(db->arena, p, pl, "Conffiles"),
                                .essential = streq(status_field(db->arena, p, pl, "Essential"), "yes"),
                                .priority = status_field(db->arena, p, pl, "Priority"),
                        };
                        free(joined);
                        if (!pkg->name || !pkg->arch || !pkg->depends || !pkg->conffiles || !pkg->priority)
                                return -ENOMEM;
                        if (!pkg->source)
                                pkg->source = pkg->name;
                        char *key;
                        if (asprintf(&key, "%s:%s", pkg->name, pkg->arch) < 0)
                                return -ENOMEM;
                        const char *k = arena_strdup(db->arena, key);
                        free(key);
                        if (!k || hashmap_put(db->status, k, pkg, NULL) < 0)
                                return -ENOMEM;
                        /* the bare name: the native architecture's wins, else the first */
                        void *old;
                        r = hashmap_put(db->status, pkg->name, pkg, &old);
                        if (r < 0)
                                return r;
                        if (r == 0 && streq(pkg->arch, DPKG_NATIVE_ARCH) &&
                            hashmap_set(db->status, pkg->name, strlen(pkg->name), pkg) < 0)
                                return -ENOMEM;
                }
                p += pl + (e ? 1 : 0);
        }
        return 0;
}

int dpkg_db_package_info(DpkgDb *db, const char *package, const DpkgPackage **ret) {
        int r = status_load(db);
        if (r < 0)
                return r;
        const DpkgPackage *p = hashmap_get(db->status, package);
        if (!p)
                return -ENOENT;
        *ret = p;
        return 0;
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
