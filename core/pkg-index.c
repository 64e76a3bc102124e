/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "hashmap.h"
#include "dropin-write.h"
#include "macro.h"
#include "pkg-index-format.h"

/* The cache file is read with pread(), part by part as asked: a mapping would cost less copying but, with
 * the page cache's large folios, brings megabytes of the file into our resident set for a few pages used. */
struct PkgIndex {
        const uint8_t *base; /* the image in memory, or NULL: read from fd */
        int fd;
        size_t size;
        uint8_t *owned; /* base is this image, built now */
        uint8_t **kept; /* parts read from the file: the strings handed out point into them */
        uint8_t *files; /* the last package's files read from the file */
        size_t n_kept, allocated_kept;
        PkgIndexHeader h; /* a copy, checked */
        PkgIndexOrigin origin;
        char *note;
        const PkgBlob *shards; /* the shard table, once checked */
        uint8_t *shard_state;  /* per shard: 0 unchecked, 1 good, 2 corrupt */
        const uint8_t **shard_data;
        uint8_t **shard_owned; /* the shards read from the file */
        const uint8_t *packages, *status;
};

PkgIndex *pkg_index_free(PkgIndex *x) {
        if (!x)
                return NULL;
        if (x->fd >= 0)
                close(x->fd);
        for (size_t i = 0; i < x->n_kept; i++)
                free(x->kept[i]);
        free(x->kept);
        free(x->files);
        free(x->owned);
        free(x->note);
        free(x->shard_state);
        free(x->shard_data);
        for (size_t i = 0; x->shard_owned && i < x->h.n_shards; i++)
                free(x->shard_owned[i]);
        free(x->shard_owned);
        free(x);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(PkgIndex *, pkg_index_free);

PkgIndexOrigin pkg_index_origin(const PkgIndex *x) {
        return x->origin;
}

const char *pkg_index_note(const PkgIndex *x) {
        return x->note;
}

static bool sum_ok(const void *p, size_t n, uint64_t sum) {
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
        /* let the fuzzer reach the structure behind the checksums */
        return (void)p, (void)n, (void)sum, true;
#else
        return hash_bytes(p, n) == sum;
#endif
}

static int read_at(int fd, void *buf, size_t n, uint64_t off) {
        for (size_t done = 0; done < n;) {
                ssize_t k = pread(fd, (uint8_t *)buf + done, n - done, off + done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EBADMSG; /* the file shrank under us */
                done += k;
        }
        return 0;
}

/* A part of the index, in bounds, aligned and matching its checksum; NULL when it is not. Read from the
 * file into *ret_owned (the caller's to free), or NULL: in the image in memory. */
static const uint8_t *blob_read(PkgIndex *x, const PkgBlob *b, uint8_t **ret_owned) {
        *ret_owned = NULL;
        if (b->off % 8 || b->off > x->size || b->size > x->size - b->off || b->size > SIZE_MAX - 1)
                return NULL;
        const uint8_t *p = x->base ? x->base + b->off : NULL;
        if (!p) {
                uint8_t *buf = malloc(b->size + 1);
                if (!buf || read_at(x->fd, buf, b->size, b->off) < 0) {
                        free(buf);
                        return NULL;
                }
                p = *ret_owned = buf;
        }
        if (sum_ok(p, b->size, b->sum))
                return p;
        free(*ret_owned);
        *ret_owned = NULL;
        return NULL;
}

/* The same, kept as long as x: the strings handed out point into it. */
static const uint8_t *blob_get(PkgIndex *x, const PkgBlob *b) {
        uint8_t *owned;
        if (!GROW(x->kept, x->allocated_kept, x->n_kept + 1))
                return NULL;
        const uint8_t *p = blob_read(x, b, &owned);
        if (owned)
                x->kept[x->n_kept++] = owned;
        return p;
}

static int header_check(PkgIndex *x) {
        if (x->size < sizeof(PkgIndexHeader))
                return -EBADMSG;
        if (x->base)
                memcpy(&x->h, x->base, sizeof x->h);
        else if (read_at(x->fd, &x->h, sizeof x->h, 0) < 0)
                return -EBADMSG;
        const PkgIndexHeader *h = &x->h;
        if (memcmp(h->magic, PKG_INDEX_MAGIC, sizeof h->magic) != 0 || h->version != PKG_INDEX_VERSION ||
            h->byte_order != PKG_INDEX_BYTE_ORDER || h->file_size != x->size ||
            !sum_ok(h, offsetof(PkgIndexHeader, header_sum), h->header_sum))
                return -EBADMSG;
        if (h->n_shards == 0 || h->n_shards > 1u << 20 || h->shards.size != h->n_shards * sizeof(PkgBlob) ||
            h->packages.size / sizeof(PkgPackageRec) < h->n_packages ||
            h->status.size / sizeof(PkgStatusRec) < h->n_status)
                return -EBADMSG;
        x->shard_state = calloc(h->n_shards, 1);
        x->shard_data = calloc(h->n_shards, sizeof(uint8_t *));
        x->shard_owned = calloc(h->n_shards, sizeof(uint8_t *));
        return x->shard_state && x->shard_data && x->shard_owned ? 0 : -ENOMEM;
}

int pkg_index_from_buffer(const void *buf, size_t size, PkgIndex **ret) {
        _cleanup_(pkg_index_freep) PkgIndex *x = calloc(1, sizeof(PkgIndex));
        if (!x)
                return -ENOMEM;
        x->base = buf;
        x->fd = -EBADF;
        x->size = size;
        x->origin = PKG_INDEX_BUFFER;
        int r = header_check(x);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(x);
        return 0;
}

/* The strings of a table or shard: past its records, and its last byte a NUL, so that every string in it
 * ends inside it. */
static bool strings_ok(const uint8_t *p, uint64_t size, uint64_t records) {
        return records <= size && (records == size || p[size - 1] == 0);
}

static const char *string_at(const uint8_t *p, uint64_t size, uint64_t records, uint64_t off) {
        return off >= records && off < size ? (const char *)p + off : NULL;
}

static int shard_get(PkgIndex *x, uint32_t s, const uint8_t **ret, uint64_t *ret_size) {
        if (!x->shards) {
                x->shards = (const PkgBlob *)blob_get(x, &x->h.shards);
                if (!x->shards)
                        return -EBADMSG;
        }
        s %= x->h.n_shards;
        const PkgBlob *b = x->shards + s;
        if (x->shard_state[s] == 0) {
                x->shard_state[s] = 2;
                uint8_t *owned;
                const uint8_t *p = blob_read(x, b, &owned);
                x->shard_owned[s] = owned;
                if (!p || b->size < sizeof(PkgShardHead))
                        return -EBADMSG;
                const PkgShardHead *sh = (const PkgShardHead *)p;
                uint64_t records = sizeof(PkgShardHead) + (uint64_t)sh->n_dirs * sizeof(PkgDirRec) +
                                   (uint64_t)sh->n_files * sizeof(PkgFileRec);
                if (!strings_ok(p, b->size, records))
                        return -EBADMSG;
                x->shard_data[s] = p;
                x->shard_state[s] = 1;
        }
        if (x->shard_state[s] != 1)
                return -EBADMSG;
        *ret = x->shard_data[s];
        *ret_size = b->size;
        return 0;
}

uint32_t pkg_index_path_shard(const char *path) {
        const char *slash = strrchr(path, '/');
        return pkg_index_shard_of(path, slash ? (size_t)(slash - path) : 0);
}

void pkg_index_drop_shard(PkgIndex *x, uint32_t s) {
        s %= x->h.n_shards;
        if (!x->shard_owned[s])
                return; /* in memory anyway, or not read */
        free(x->shard_owned[s]);
        x->shard_owned[s] = NULL;
        x->shard_data[s] = NULL;
        x->shard_state[s] = 0;
}

int pkg_index_owner(PkgIndex *x, const char *path, const char **ret) {
        const char *slash = strrchr(path, '/');
        if (!slash)
                return -ENOENT;
        size_t dl = slash - path, bl = strlen(slash + 1);
        const uint8_t *p;
        uint64_t size;
        int r = shard_get(x, pkg_index_shard_of(path, dl), &p, &size);
        if (r < 0)
                return r;
        const PkgShardHead *sh = (const PkgShardHead *)p;
        const PkgDirRec *dirs = (const PkgDirRec *)(p + sizeof *sh);
        const PkgFileRec *files = (const PkgFileRec *)(dirs + sh->n_dirs);
        uint64_t records = (const uint8_t *)(files + sh->n_files) - p;
        /* the directory, then the base name: both runs are sorted */
        const PkgDirRec *d = NULL;
        for (size_t lo = 0, hi = sh->n_dirs; lo < hi && !d;) {
                size_t mid = lo + (hi - lo) / 2;
                const char *name = string_at(p, size, records, dirs[mid].name);
                if (!name)
                        return -EBADMSG;
                int c = pkg_index_cmp(path, dl, name, strlen(name));
                if (c == 0)
                        d = dirs + mid;
                else if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        if (!d)
                return -ENOENT;
        if (d->first > sh->n_files || d->count > sh->n_files - d->first)
                return -EBADMSG;
        for (size_t lo = d->first, hi = d->first + d->count; lo < hi;) {
                size_t mid = lo + (hi - lo) / 2;
                const char *name = string_at(p, size, records, files[mid].base);
                if (!name)
                        return -EBADMSG;
                int c = pkg_index_cmp(slash + 1, bl, name, strlen(name));
                if (c == 0) {
                        const char *o = string_at(p, size, records, files[mid].owners);
                        if (!o)
                                return -EBADMSG;
                        *ret = o;
                        return 0;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

static int table_get(PkgIndex *x, const PkgBlob *b, uint64_t records, const uint8_t **cache) {
        if (!*cache) {
                const uint8_t *p = blob_get(x, b);
                if (!p || !strings_ok(p, b->size, records))
                        return -EBADMSG;
                *cache = p;
        }
        return 0;
}

int pkg_index_n_packages(PkgIndex *x, size_t *ret) {
        int r = table_get(x, &x->h.packages, (uint64_t)x->h.n_packages * sizeof(PkgPackageRec), &x->packages);
        if (r < 0)
                return r;
        *ret = x->h.n_packages;
        return 0;
}

int pkg_index_package(PkgIndex *x, size_t i, const char **ret_name) {
        size_t n;
        int r = pkg_index_n_packages(x, &n);
        if (r < 0)
                return r;
        if (i >= n)
                return -ENOENT;
        const PkgPackageRec *rec = (const PkgPackageRec *)x->packages + i;
        const char *name = string_at(x->packages, x->h.packages.size, n * sizeof(PkgPackageRec), rec->name);
        if (!name)
                return -EBADMSG;
        *ret_name = name;
        return 0;
}

int pkg_index_find_package(PkgIndex *x, const char *name, size_t *ret) {
        size_t n;
        int r = pkg_index_n_packages(x, &n);
        if (r < 0)
                return r;
        for (size_t lo = 0, hi = n; lo < hi;) {
                size_t mid = lo + (hi - lo) / 2;
                const char *s;
                if ((r = pkg_index_package(x, mid, &s)) < 0)
                        return r;
                int c = strcmp(name, s);
                if (c == 0) {
                        *ret = mid;
                        return 0;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

int pkg_index_package_files(PkgIndex *x, size_t i, const char **ret_text, size_t *ret_len) {
        const char *name;
        int r = pkg_index_package(x, i, &name);
        if (r < 0)
                return r;
        const PkgBlob *b = &((const PkgPackageRec *)x->packages + i)->files;
        free(x->files);
        const uint8_t *p = blob_read(x, b, &x->files);
        if (!p)
                return -EBADMSG;
        *ret_text = (const char *)p;
        *ret_len = b->size;
        return 0;
}

static int status_parse(const uint8_t *p, size_t size, PkgIndexStatus *ret) {
        const char *f[7];
        size_t at = 0;
        for (size_t i = 0; i < ELEMENTSOF(f); i++) {
                const uint8_t *nul = at < size ? memchr(p + at, 0, size - at) : NULL;
                if (!nul)
                        return -EBADMSG;
                f[i] = (const char *)p + at;
                at = nul - p + 1;
        }
        *ret = (PkgIndexStatus){
                .name = f[0],
                .arch = f[1],
                .source = f[2],
                .depends = f[3],
                .conffiles = f[4],
                .priority = f[5],
                .essential = streq(f[6], "yes"),
        };
        return 0;
}

int pkg_index_status(PkgIndex *x, const char *key, PkgIndexStatus *ret) {
        uint64_t records = (uint64_t)x->h.n_status * sizeof(PkgStatusRec);
        int r = table_get(x, &x->h.status, records, &x->status);
        if (r < 0)
                return r;
        const PkgStatusRec *recs = (const PkgStatusRec *)x->status;
        for (size_t lo = 0, hi = x->h.n_status; lo < hi;) {
                size_t mid = lo + (hi - lo) / 2;
                const char *s = string_at(x->status, x->h.status.size, records, recs[mid].key);
                if (!s)
                        return -EBADMSG;
                int c = strcmp(key, s);
                if (c == 0) {
                        const uint8_t *p = blob_get(x, &recs[mid].data);
                        return p ? status_parse(p, recs[mid].data.size, ret) : -EBADMSG;
                }
                if (c < 0)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return -ENOENT;
}

/* Cache */

#define RACY_NS (100 * UINT64_C(1000000))
#define STALE_SECONDS (24 * 3600)

static int cache_dir(char **ret) {
        const char *e = getenv("SDCONFINE_CACHE_DIR");
        int r;
        if (e && *e)
                r = asprintf(ret, "%s", e);
        else if (geteuid() == 0)
                r = asprintf(ret, "/var/cache/sdconfine");
        else if ((e = getenv("XDG_CACHE_HOME")) && e[0] == '/')
                r = asprintf(ret, "%s/sdconfine", e);
        else if ((e = getenv("HOME")) && e[0] == '/')
                r = asprintf(ret, "%s/.cache/sdconfine", e);
        else
                return -ENOENT;
        return r < 0 ? -ENOMEM : 0;
}

/* "pkg-index" for the host, "pkg-index-HASH" for another root directory. */
static int cache_name(const char *root_path, char **ret) {
        _cleanup_free_ char *real = realpath(root_path ? root_path : "/", NULL);
        if (!real)
                return -errno;
        if (streq(real, "/"))
                return asprintf(ret, "pkg-index") < 0 ? -ENOMEM : 0;
        return asprintf(ret, "pkg-index-%016" PRIx64, hash_bytes(real, strlen(real))) < 0 ? -ENOMEM : 0;
}

int pkg_index_cache_path(const char *root_path, char **ret) {
        _cleanup_free_ char *dir = NULL, *name = NULL;
        int r = cache_dir(&dir);
        if (r < 0 || (r = cache_name(root_path, &name)) < 0)
                return r;
        return asprintf(ret, "%s/%s", dir, name) < 0 ? -ENOMEM : 0;
}

static uint64_t ns(struct timespec t) {
        return (uint64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int key_make(const PkgIndexRoot *root, PkgIndexKey *ret) {
        static const char *const names[] = {"var/lib/dpkg/info", "var/lib/dpkg/status",
                                            "var/lib/dpkg/diversions"};
        PkgIndexKey k = {};
        struct stat st;
        if (fstat(root->fd, &st) < 0)
                return -errno;
        k.root_dev = st.st_dev;
        k.root_ino = st.st_ino;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (fstatat(root->fd, names[i], &st, i ? AT_SYMLINK_NOFOLLOW : 0) < 0) {
                        if (i == 0 || errno != ENOENT)
                                return -errno;
                        continue; /* no diversions, no status: all zero */
                }
                if (i == 0 && !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                uint64_t v[5] = {st.st_dev, st.st_ino, st.st_size, ns(st.st_mtim), ns(st.st_ctim)};
                memcpy(k.stat[i], v, sizeof v);
        }
        for (const char *const *a = root->aliases; a && *a; a++)
                if (strlen(k.aliases) + strlen(*a) < sizeof k.aliases)
                        strcat(k.aliases, *a);
        snprintf(k.arch, sizeof k.arch, "%s", root->arch);
        *ret = k;
        return 0;
}

/* A change within the file system's timestamp granularity of our reading would not show in the key. */
static bool key_racy(const PkgIndexKey *k) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        for (size_t i = 0; i < 3; i++)
                for (size_t j = 3; j < 5; j++)
                        if (k->stat[i][j] + RACY_NS > ns(now))
                                return true;
        return false;
}

static int cache_load(const char *path, const PkgIndexKey *key, PkgIndex **ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < sizeof(PkgIndexHeader) ||
            (uint64_t)st.st_size > SIZE_MAX)
                return -EBADMSG;
        _cleanup_(pkg_index_freep) PkgIndex *x = calloc(1, sizeof(PkgIndex));
        if (!x)
                return -ENOMEM;
        x->fd = TAKE_FD(fd);
        x->size = st.st_size;
        x->origin = PKG_INDEX_LOADED;
        int r = header_check(x);
        if (r < 0)
                return r;
        if (memcmp(&x->h.key, key, sizeof *key) != 0)
                return -ESTALE;
        *ret = TAKE_PTR(x);
        return 0;
}

static int mkdir_p(const char *path) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++)
                if (*s == '/' || !*s) {
                        char c = *s;
                        *s = 0;
                        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        if (!(*s = c))
                                return 0;
                }
}

/* Indexes of other root directories (test trees, images) are dropped when a day old. */
static void cache_prune(int dfd, const char *keep) {
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_(closedirp) DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        struct dirent *de;
        struct stat st;
        time_t now = time(NULL);
        while ((de = readdir(d)))
                if (startswith(de->d_name, "pkg-index-") && !streq(de->d_name, keep) &&
                    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    st.st_mtime + STALE_SECONDS < now)
                        (void)unlinkat(dfd, de->d_name, 0);
}

/* Atomically: a temporary file of our own (O_EXCL), fsync, rename over, fsync of the directory. */
static int cache_save(const char *dir, const char *name, const uint8_t *image, size_t size) {
        int r = mkdir_p(dir);
        if (r < 0)
                return r;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        /* the one atomic writer: a random temporary name, O_EXCL, fsync, rename, the directory synced */
        r = atomic_write_data_at(dfd, name, image, size, 0644);
        if (r < 0)
                return r;
        if (!streq(name, "pkg-index"))
                cache_prune(dfd, name);
        return 0;
}

static int build_now(const PkgIndexRoot *root, const PkgIndexKey *key, PkgIndex **ret) {
        _cleanup_(pkg_index_freep) PkgIndex *x = calloc(1, sizeof(PkgIndex));
        if (!x)
                return -ENOMEM;
        x->fd = -EBADF;
        int r = pkg_index_build(root, key, &x->owned, &x->size);
        if (r < 0)
                return r;
        x->base = x->owned;
        x->origin = PKG_INDEX_UNSAVED;
        if ((r = header_check(x)) < 0)
                return r;
        *ret = TAKE_PTR(x);
        return 0;
}

int pkg_index_open_cached(const PkgIndexRoot *root, PkgIndex **ret) {
        _cleanup_free_ char *path = NULL;
        PkgIndexKey key;
        int r = key_make(root, &key);
        if (r < 0)
                return r;
        if (pkg_index_cache_path(root->path, &path) < 0 || cache_load(path, &key, ret) < 0)
                return -ESTALE;
        return 0;
}

int pkg_index_open(const PkgIndexRoot *root, bool force, PkgIndex **ret) {
        _cleanup_free_ char *dir = NULL, *name = NULL, *path = NULL;
        PkgIndexKey key, after;
        PkgIndex *x = NULL;
        int r = key_make(root, &key);
        if (r < 0)
                return r;
        bool cache = cache_dir(&dir) >= 0 && cache_name(root->path, &name) >= 0 &&
                     asprintf(&path, "%s/%s", dir, name) >= 0;
        if (cache && !force && cache_load(path, &key, ret) >= 0)
                return 0;
        if ((r = build_now(root, &key, &x)) < 0)
                return r;
        /* dpkg at work meanwhile, or just before: what we read may be half old, half new, so it stays in
         * memory for this run only */
        if (key_racy(&key) || key_make(root, &after) < 0 || memcmp(&key, &after, sizeof key) != 0) {
                *ret = x;
                return 0;
        }
        r = cache ? cache_save(dir, name, x->owned, x->size) : -ENOENT;
        if (r < 0) {
                if (asprintf(&x->note,
                             "the package index could not be saved in %s (%s): it is rebuilt on every run",
                             dir ? dir : "a cache directory (no HOME)", strerror(-r)) < 0)
                        x->note = NULL;
                *ret = x;
                return 0;
        }
        x->origin = PKG_INDEX_SAVED;
        /* the file from now on: its pages come and go as needed, the built image goes */
        PkgIndex *m;
        if (cache_load(path, &key, &m) >= 0) {
                m->origin = PKG_INDEX_SAVED;
                pkg_index_free(x);
                x = m;
        }
        *ret = x;
        return 0;
}
