/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <limits.h>

#include "fileio.h"
#include "fs-root.h"
#include "hashmap.h"
#include "macro.h"

#define LINKS_MAX 40
#define DIR_FDS_MAX 256

/* What callers use of a stat, kept small: thousands of answers are remembered, most of them errors. */
typedef struct SmallStat {
        uint64_t dev, ino, size;
        struct timespec mtim, ctim;
        uint32_t mode, uid, gid, nlink;
} SmallStat;

typedef struct Answer {
        int error; /* 0 or -errno */
        const char *real;
        const SmallStat *st; /* NULL for an error */
} Answer;

static void stat_from_small(const SmallStat *s, struct stat *ret) {
        *ret = (struct stat){
                .st_dev = s->dev,
                .st_ino = s->ino,
                .st_size = s->size,
                .st_mtim = s->mtim,
                .st_ctim = s->ctim,
                .st_mode = s->mode,
                .st_uid = s->uid,
                .st_gid = s->gid,
                .st_nlink = s->nlink,
        };
}

struct FsRoot {
        char *path;
        int fd;
        Arena *arena;
        Hashmap *answers; /* path as asked -> Answer */
        Hashmap *dirs;    /* canonical directory -> DirFd */
        Hashmap *memos;   /* tag, file identity, caller's bytes -> the caller's value (fs_root_memo_get) */
        size_t n_dir_fds;
};

/* A directory looked into more than once gets a descriptor: fstatat() from it walks one component, not
 * the whole path (a closure looks up hundreds of files in /usr/bin and /usr/lib/x86_64-linux-gnu). */
typedef struct DirFd {
        int fd; /* -1 until the second use */
        unsigned uses;
} DirFd;

int fs_root_new(const char *root, FsRoot **ret) {
        FsRoot *r = calloc(1, sizeof(FsRoot));
        if (!r)
                return -ENOMEM;
        r->fd = -EBADF;
        if (!root || !*root)
                root = "/";
        r->path = strdup(root);
        r->arena = arena_new();
        r->answers = hashmap_new();
        r->dirs = hashmap_new();
        r->memos = hashmap_new();
        if (!r->path || !r->arena || !r->answers || !r->dirs || !r->memos) {
                fs_root_free(r);
                return -ENOMEM;
        }
        r->fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (r->fd < 0) {
                int e = -errno;
                fs_root_free(r);
                return e;
        }
        *ret = r;
        return 0;
}

FsRoot *fs_root_free(FsRoot *r) {
        if (!r)
                return NULL;
        if (r->fd >= 0)
                close(r->fd);
        free(r->path);
        hashmap_free(r->answers);
        size_t i = 0;
        void *v;
        while (r->dirs && hashmap_iterate(r->dirs, &i, NULL, &v))
                if (((DirFd *)v)->fd >= 0)
                        close(((DirFd *)v)->fd);
        hashmap_free(r->dirs);
        hashmap_free(r->memos);
        arena_free(r->arena);
        free(r);
        return NULL;
}

const char *fs_root_path(const FsRoot *r) {
        return r->path;
}

int fs_root_fd(const FsRoot *r) {
        return r->fd;
}

/* "/a/b" -> "a/b", "/" -> "." : paths relative to the root fd */
static const char *rel(const char *real) {
        while (*real == '/')
                real++;
        return *real ? real : ".";
}

static int chase(FsRoot *r, const char *path, unsigned *links, const Answer **ret);

/* Where to look up name in the directory real_dir from: *ret_fd and *ret_name, either the directory's own
 * descriptor and the name, or the root's and the whole path (real, real_dir joined with name). */
static void lookup_from(FsRoot *r, const char *real_dir, const char *real, const char *name, int *ret_fd,
                        const char **ret_name) {
        *ret_fd = r->fd;
        *ret_name = rel(real);
        if (streq(real_dir, "/"))
                return;
        DirFd *d = hashmap_get(r->dirs, real_dir);
        if (!d) {
                char *key = arena_strdup(r->arena, real_dir);
                d = arena_alloc(r->arena, sizeof(DirFd));
                if (!key || !d || hashmap_put(r->dirs, key, d, NULL) < 0)
                        return; /* no memory: the whole path does too */
                *d = (DirFd){.fd = -1};
        }
        if (d->fd < 0 && ++d->uses >= 2 && r->n_dir_fds < DIR_FDS_MAX) {
                d->fd = openat(r->fd, rel(real_dir), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r->n_dir_fds += d->fd >= 0;
        }
        if (d->fd >= 0) {
                *ret_fd = d->fd;
                *ret_name = name;
        }
}

/* st: a new stat, or the small copy of another answer's */
static int remember_small(FsRoot *r, const char *path, size_t len, int error, const char *real,
                          const struct stat *st, const SmallStat *small, const Answer **ret) {
        Answer *a = arena_alloc(r->arena, sizeof(Answer));
        char *key = arena_strndup(r->arena, path, len);
        if (!a || !key)
                return -ENOMEM;
        *a = (Answer){.error = error, .real = real, .st = small};
        if (st) {
                SmallStat *n = arena_alloc(r->arena, sizeof(SmallStat));
                if (!n)
                        return -ENOMEM;
                *n = (SmallStat){st->st_dev,  st->st_ino, st->st_size, st->st_mtim, st->st_ctim,
                                 st->st_mode, st->st_uid, st->st_gid,  st->st_nlink};
                a->st = n;
        }
        if (hashmap_put_bytes(r->answers, key, len, a, NULL) < 0)
                return -ENOMEM;
        *ret = a;
        return 0;
}

static int remember(FsRoot *r, const char *path, size_t len, int error, const char *real,
                    const struct stat *st, const Answer **ret) {
        return remember_small(r, path, len, error, real, st, NULL, ret);
}

/* Resolve the path in path[0..len), which starts with '/'. */
static int chase_n(FsRoot *r, const char *path, size_t len, unsigned *links, const Answer **ret) {
        /* strip trailing slashes (but keep "/") */
        while (len > 1 && path[len - 1] == '/')
                len--;

        Answer *cached = hashmap_get_bytes(r->answers, path, len);
        if (cached) {
                *ret = cached;
                return 0;
        }

        if (len == 1) { /* the root itself */
                struct stat st;
                if (fstatat(r->fd, ".", &st, 0) < 0)
                        return remember(r, path, len, -errno, NULL, NULL, ret);
                return remember(r, path, len, 0, "/", &st, ret);
        }

        /* split off the last component */
        size_t slash = len;
        while (slash > 0 && path[slash - 1] != '/')
                slash--;
        const char *name = path + slash;
        size_t name_len = len - slash;
        size_t parent_len = slash > 1 ? slash - 1 : 1;

        const Answer *parent;
        int k = chase_n(r, path, parent_len, links, &parent);
        if (k < 0)
                return k;
        if (parent->error < 0)
                return remember(r, path, len, parent->error, NULL, NULL, ret);
        if (!S_ISDIR(parent->st->mode))
                return remember(r, path, len, -ENOTDIR, NULL, NULL, ret);

        if ((name_len == 1 && name[0] == '.') || name_len == 0) {
                *ret = parent;
                return remember_small(r, path, len, 0, parent->real, NULL, parent->st, ret);
        }
        if (name_len == 2 && name[0] == '.' && name[1] == '.') {
                /* ".." of the root is the root */
                const char *pr = parent->real;
                size_t plen = strlen(pr), cut = plen;
                while (cut > 0 && pr[cut - 1] != '/')
                        cut--;
                const Answer *up;
                k = chase_n(r, pr, cut > 1 ? cut - 1 : 1, links, &up);
                if (k < 0)
                        return k;
                return remember_small(r, path, len, up->error, up->real, NULL, up->st, ret);
        }

        size_t plen = strlen(parent->real);
        char *real = arena_alloc(r->arena, plen + 1 + name_len + 1);
        if (!real)
                return -ENOMEM;
        memcpy(real, parent->real, plen);
        size_t n = plen;
        if (n > 1 || real[0] != '/')
                real[n++] = '/';
        memcpy(real + n, name, name_len);
        real[n + name_len] = 0;

        struct stat st;
        int dfd;
        const char *at;
        lookup_from(r, parent->real, real, real + n, &dfd, &at);
        if (fstatat(dfd, at, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return remember(r, path, len, -errno, NULL, NULL, ret);
        if (!S_ISLNK(st.st_mode))
                return remember(r, path, len, 0, real, &st, ret);

        /* a symlink: read it and resolve its target from the parent (or the root) */
        if (++*links > LINKS_MAX)
                return remember(r, path, len, -ELOOP, NULL, NULL, ret);
        char target[PATH_MAX];
        ssize_t tl = readlinkat(dfd, at, target, sizeof target - 1);
        if (tl < 0)
                return remember(r, path, len, -errno, NULL, NULL, ret);
        if (tl == 0)
                return remember(r, path, len, -ENOENT, NULL, NULL, ret);
        target[tl] = 0;

        _cleanup_free_ char *next = NULL;
        if (target[0] == '/')
                next = strdup(target);
        else if (asprintf(&next, "%s/%s", streq(parent->real, "/") ? "" : parent->real, target) < 0)
                next = NULL;
        if (!next)
                return -ENOMEM;
        const Answer *a;
        k = chase(r, next, links, &a);
        if (k < 0)
                return k;
        /* A loop detected deeper down is remembered for this path too; it does not depend on how we came. */
        return remember_small(r, path, len, a->error, a->real, NULL, a->error < 0 ? NULL : a->st, ret);
}

static int chase(FsRoot *r, const char *path, unsigned *links, const Answer **ret) {
        if (path[0] != '/')
                return -EINVAL;
        return chase_n(r, path, strlen(path), links, ret);
}

int fs_root_chase(FsRoot *r, const char *path, const char **ret_real, struct stat *ret_st) {
        unsigned links = 0;
        const Answer *a;
        int k = chase(r, path, &links, &a);
        if (k < 0)
                return k;
        if (a->error < 0)
                return a->error;
        /* "file/" names a directory, as for the kernel */
        size_t n = strlen(path);
        if (n > 1 && path[n - 1] == '/' && !S_ISDIR(a->st->mode))
                return -ENOTDIR;
        if (ret_real)
                *ret_real = a->real;
        if (ret_st)
                stat_from_small(a->st, ret_st);
        return 0;
}

int fs_root_open(FsRoot *r, const char *real, int flags) {
        /* O_NONBLOCK: a FIFO where a file belongs must not block us (reads check for a regular file) */
        int fd = openat(r->fd, rel(real), flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

/* The parent of path resolved, the last component as is: "/x/y" -> "<real parent>/y". */
static int resolve_parent(FsRoot *r, const char *path, char **ret) {
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        _cleanup_free_ char *parent = strndup(path, slash == path ? 1 : (size_t)(slash - path));
        if (!parent)
                return -ENOMEM;
        const char *real_parent;
        int k = fs_root_chase(r, parent, &real_parent, NULL);
        if (k < 0)
                return k;
        if (asprintf(ret, "%s/%s", streq(real_parent, "/") ? "" : real_parent, slash + 1) < 0)
                return -ENOMEM;
        return 0;
}

DIR *fs_root_opendir(FsRoot *r, const char *path) {
        const char *real;
        struct stat st;
        int k = fs_root_chase(r, path, &real, &st);
        if (k < 0) {
                errno = -k;
                return NULL;
        }
        int fd = openat(r->fd, rel(real), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return NULL;
        DIR *d = fdopendir(fd);
        if (!d)
                close(fd);
        return d;
}

int fs_root_readlink(FsRoot *r, const char *path, char **ret) {
        _cleanup_free_ char *p = NULL;
        char target[PATH_MAX];
        int k = resolve_parent(r, path, &p);
        if (k < 0)
                return k;
        ssize_t n = readlinkat(r->fd, rel(p), target, sizeof target - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        char *t = strdup(target);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int fs_root_read_file(FsRoot *r, const char *path, size_t max, char **ret, size_t *ret_size) {
        const char *real;
        struct stat st;
        int k = fs_root_chase(r, path, &real, &st);
        if (k < 0)
                return k;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        _cleanup_close_ int fd = fs_root_open(r, real, O_RDONLY);
        if (fd < 0)
                return fd;
        return read_full_fd(fd, max, ret, ret_size);
}

/* The memo key: tag, NUL, the identity, the caller's bytes. A file rewritten or replaced (another inode,
 * size, mtime or ctime) is another key: its memo is computed again. */
static size_t memo_key(const char *tag, const struct stat *st, const char *extra, char *buf, size_t size) {
        SmallStat id = {.dev = st->st_dev,
                        .ino = st->st_ino,
                        .size = st->st_size,
                        .mtim = st->st_mtim,
                        .ctim = st->st_ctim,
                        .mode = st->st_mode};
        size_t t = strlen(tag) + 1, e = extra ? strlen(extra) : 0;
        if (t + sizeof id + e > size)
                return 0;
        memcpy(buf, tag, t);
        memcpy(buf + t, &id, sizeof id);
        if (e)
                memcpy(buf + t + sizeof id, extra, e);
        return t + sizeof id + e;
}

void *fs_root_memo_get(FsRoot *r, const char *tag, const struct stat *st, const char *extra) {
        char key[PATH_MAX + 256];
        size_t n = memo_key(tag, st, extra, key, sizeof key);
        return n ? hashmap_get_bytes(r->memos, key, n) : NULL;
}

int fs_root_memo_put(FsRoot *r, const char *tag, const struct stat *st, const char *extra, void *value) {
        char key[PATH_MAX + 256], *k;
        size_t n = memo_key(tag, st, extra, key, sizeof key);
        if (n == 0)
                return 0; /* not remembered: computed again next time */
        if (!(k = arena_alloc(r->arena, n)))
                return -ENOMEM;
        memcpy(k, key, n);
        return hashmap_set(r->memos, k, n, value) < 0 ? -ENOMEM : 0;
}

Arena *fs_root_memo_arena(FsRoot *r) {
        return r->arena;
}

int fs_root_is_symlink(FsRoot *r, const char *path) {
        _cleanup_free_ char *p = NULL;
        struct stat st;
        int k = resolve_parent(r, path, &p);
        if (k < 0)
                return k;
        if (fstatat(r->fd, rel(p), &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return S_ISLNK(st.st_mode);
}

void path_normalize(char *path) {
        if (path[0] != '/')
                return;
        size_t n = 0; /* the normalised prefix path[0..n), without its trailing slash */
        for (const char *s = path; *s;) {
                while (*s == '/')
                        s++;
                size_t len = strcspn(s, "/");
                if (len == 0 || (len == 1 && s[0] == '.')) {
                        /* nothing, or "." */
                } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                        while (n > 0 && path[--n] != '/')
                                ;
                } else {
                        path[n] = '/';
                        memmove(path + n + 1, s, len);
                        n += 1 + len;
                }
                s += len;
        }
        if (n == 0)
                path[n++] = '/';
        path[n] = '\0';
}
