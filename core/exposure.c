/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>

#include "exposure.h"
#include "fileio.h"
#include "macro.h"
#include "service.h"

#define WALK_MAX_DEPTH 256
#define DENTS_BUF 65536

/* (device, inode) pairs: every directory, and files with more than one link */
typedef struct InodeKey {
        uint64_t dev, ino;
} InodeKey;

struct ExposureWalk {
        InodeKey *keys;
        size_t n, allocated; /* allocated: a power of two */
        bool every_file;     /* remember every file, not only those with several links */
        ExposureCount count;
};

static uint64_t inode_hash(uint64_t dev, uint64_t ino) {
        uint64_t h = ino * UINT64_C(0x9e3779b97f4a7c15) ^ dev * UINT64_C(0xc2b2ae3d27d4eb4f);
        return h ^ (h >> 29);
}

static int inode_set_grow(ExposureWalk *w) {
        size_t a = w->allocated ? w->allocated * 2 : 4096;
        InodeKey *k = calloc(a, sizeof *k);
        if (!k)
                return -ENOMEM;
        for (size_t i = 0; i < w->allocated; i++) {
                if (w->keys[i].ino == 0 && w->keys[i].dev == 0)
                        continue;
                size_t j = inode_hash(w->keys[i].dev, w->keys[i].ino) & (a - 1);
                while (k[j].ino || k[j].dev)
                        j = (j + 1) & (a - 1);
                k[j] = w->keys[i];
        }
        free(w->keys);
        w->keys = k;
        w->allocated = a;
        return 0;
}

/* 1 when added, 0 when seen before */
static int inode_set_add(ExposureWalk *w, dev_t dev, ino_t ino) {
        if ((w->n + 1) * 2 > w->allocated && inode_set_grow(w) < 0)
                return -ENOMEM;
        /* inode 0 does not occur on Linux file systems; keep (0, 0) free as the empty slot */
        uint64_t d = dev, i = ino ? ino : UINT64_MAX;
        size_t j = inode_hash(d, i) & (w->allocated - 1);
        for (; w->keys[j].ino || w->keys[j].dev; j = (j + 1) & (w->allocated - 1))
                if (w->keys[j].dev == d && w->keys[j].ino == i)
                        return 0;
        w->keys[j] = (InodeKey){d, i};
        w->n++;
        return 1;
}

int exposure_walk_new(bool every_file, ExposureWalk **ret) {
        ExposureWalk *w = calloc(1, sizeof *w);
        if (!w || inode_set_grow(w) < 0) {
                free(w);
                return -ENOMEM;
        }
        w->every_file = every_file;
        *ret = w;
        return 0;
}

ExposureWalk *exposure_walk_free(ExposureWalk *w) {
        if (w) {
                free(w->keys);
                free(w);
        }
        return NULL;
}

void exposure_walk_count(const ExposureWalk *w, ExposureCount *ret) {
        *ret = w->count;
}

/* The kernel's own file systems, and remote or user-space ones whose walk could hang: not counted. */
static bool fs_is_skipped(int fd) {
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return true;
        switch ((unsigned long)sfs.f_type) {
        case PROC_SUPER_MAGIC:
        case SYSFS_MAGIC:
        case DEVPTS_SUPER_MAGIC:
        case CGROUP_SUPER_MAGIC:
        case CGROUP2_SUPER_MAGIC:
        case SECURITYFS_MAGIC:
        case DEBUGFS_MAGIC:
        case TRACEFS_MAGIC:
        case PSTOREFS_MAGIC:
        case BPF_FS_MAGIC:
        case 0x62656570: /* configfs */
        case 0x65735543: /* fusectl */
        case 0x19800202: /* mqueue */
        case HUGETLBFS_MAGIC:
        case 0x42494e4d: /* binfmt_misc */
        case AUTOFS_SUPER_MAGIC:
        case EFIVARFS_MAGIC:
        case SELINUX_MAGIC:
        case NSFS_MAGIC:
        case 0x6969:     /* nfs */
        case 0xff534d42: /* cifs */
        case 0x65735546: /* fuse */
                return true;
        default:
                return false;
        }
}

struct linux_dirent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

static int walk_dir(ExposureWalk *w, int fd, dev_t dev, unsigned depth, bool top, char *buf);

static int count_file(ExposureWalk *w, const struct stat *st) {
        /* a file with one link is met once in a walk of distinct directories */
        if (st->st_nlink > 1 || w->every_file) {
                int r = inode_set_add(w, st->st_dev, st->st_ino);
                if (r <= 0)
                        return r;
        }
        w->count.files++;
        w->count.bytes += (uint64_t)st->st_size;
        return 0;
}

static int walk_entry(ExposureWalk *w, int dir_fd, const char *name, unsigned char type, dev_t dev,
                      unsigned depth, bool top, char *buf) {
        struct stat st;
        if (type == DT_DIR) {
                /* /proc, /sys and /dev: the confined service has its own */
                if (top && (streq(name, "proc") || streq(name, "sys") || streq(name, "dev")))
                        return 0;
                int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        w->count.skipped++;
                        return 0;
                }
                int r = walk_dir(w, fd, dev, depth + 1, false, buf);
                close(fd);
                return r;
        }
        if (type != DT_REG && type != DT_UNKNOWN)
                return 0;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return 0;
        if (S_ISDIR(st.st_mode))
                return walk_entry(w, dir_fd, name, DT_DIR, dev, depth, top, buf);
        if (!S_ISREG(st.st_mode))
                return 0;
        return count_file(w, &st);
}

/* fd: an open directory; dev: its parent's device (a change means a mount point) */
static int walk_dir(ExposureWalk *w, int fd, dev_t dev, unsigned depth, bool top, char *buf) {
        struct stat st;
        if (fstat(fd, &st) < 0 || depth > WALK_MAX_DEPTH) {
                w->count.skipped++;
                return 0;
        }
        if (st.st_dev != dev && fs_is_skipped(fd))
                return 0;
        int r = inode_set_add(w, st.st_dev, st.st_ino);
        if (r <= 0)
                return r; /* a directory seen already (a bind mount of it, or an overlapping bind) */
        w->count.dirs++;
        /* the buffer is the caller's until its own entries are used up: read all of them first */
        _cleanup_free_ char *mine = NULL;
        size_t len = 0, cap = 0;
        for (;;) {
                long n = syscall(SYS_getdents64, fd, buf, DENTS_BUF);
                if (n < 0) {
                        w->count.skipped++;
                        break;
                }
                if (n == 0)
                        break;
                if (buf_append(&mine, &len, &cap, buf, (size_t)n) < 0)
                        return -ENOMEM;
        }
        for (size_t off = 0; off < len;) {
                struct linux_dirent64 *d = (struct linux_dirent64 *)(mine + off);
                off += d->d_reclen;
                if (d->d_reclen == 0)
                        break;
                if (streq(d->d_name, ".") || streq(d->d_name, ".."))
                        continue;
                r = walk_entry(w, fd, d->d_name, d->d_type, st.st_dev, depth, top, buf);
                if (r < 0)
                        return r;
        }
        return 0;
}

int exposure_walk_add(ExposureWalk *w, int root_fd, const char *path) {
        _cleanup_free_ char *buf = malloc(DENTS_BUF);
        if (!buf)
                return -ENOMEM;
        while (root_fd != AT_FDCWD && *path == '/')
                path++;
        bool top = path[0] == 0 || streq(path, "/");
        _cleanup_close_ int fd = openat(root_fd,
                                        top && root_fd != AT_FDCWD ? "."
                                        : top                      ? "/"
                                                                   : path,
                                        O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_PATH);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return -errno;
                /* a tree's own top is checked like a mount point: binding /proc shows nothing countable */
                return walk_dir(w, dfd, (dev_t)-1, 0, top, buf);
        }
        return S_ISREG(st.st_mode) ? count_file(w, &st) : 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(ExposureWalk *, exposure_walk_free);

static int count_tree(const char *root, ExposureCount *ret) {
        _cleanup_(exposure_walk_freep) ExposureWalk *w = NULL;
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = exposure_walk_new(false, &w);
        if (r >= 0)
                r = exposure_walk_add(w, fd, "/");
        if (r < 0)
                return r;
        exposure_walk_count(w, ret);
        return 0;
}

/* The cache: one line, "ROOT-LENGTH ROOT TIME FILES BYTES DIRS SKIPPED" */
static int cache_read(const char *cache_path, const char *root, unsigned max_age, ExposureCount *ret) {
        _cleanup_free_ char *text = NULL;
        int r = read_full_file_at(AT_FDCWD, cache_path, O_NOFOLLOW, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        unsigned long long rootlen, t, f, b, d, sk;
        int off = 0;
        if (sscanf(text, "%llu %n", &rootlen, &off) != 1 || rootlen != strlen(root) ||
            strncmp(text + off, root, rootlen) != 0)
                return -ESTALE;
        if (sscanf(text + off + rootlen, " %llu %llu %llu %llu %llu", &t, &f, &b, &d, &sk) != 5)
                return -EBADMSG;
        time_t now = time(NULL);
        if ((unsigned long long)now < t || (unsigned long long)now - t > max_age)
                return -ESTALE;
        *ret = (ExposureCount){.files = f, .bytes = b, .dirs = d, .skipped = sk};
        return 0;
}

/* Atomically: a temporary file next to it, then rename. */
static int cache_write(const char *cache_path, const char *root, const ExposureCount *c) {
        _cleanup_free_ char *dir = strdup(cache_path), *tmp = NULL;
        if (!dir || asprintf(&tmp, "%s.XXXXXX", cache_path) < 0)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                /* /var/cache/sdconfine: one level made here, its parent is the system's */
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
        }
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_free_ char *line = NULL;
        int n = asprintf(&line, "%zu %s %llu %llu %llu %llu %llu\n", strlen(root), root,
                         (unsigned long long)time(NULL), (unsigned long long)c->files,
                         (unsigned long long)c->bytes, (unsigned long long)c->dirs,
                         (unsigned long long)c->skipped);
        int r = n < 0 ? -ENOMEM : write(fd, line, (size_t)n) == n && fchmod(fd, 0644) >= 0 ? 0 : -EIO;
        if (r >= 0 && rename(tmp, cache_path) < 0)
                r = -errno;
        if (r < 0)
                (void)unlink(tmp);
        return r;
}

int exposure_host_count(const char *root, const char *cache_path, unsigned max_age, ExposureCount *ret,
                        bool *ret_cached) {
        ExposureCount c;
        if (!root)
                root = "/";
        if (cache_path && cache_read(cache_path, root, max_age, &c) >= 0) {
                *ret = c;
                if (ret_cached)
                        *ret_cached = true;
                return 0;
        }
        int r = count_tree(root, &c);
        if (r < 0)
                return r;
        if (cache_path)
                (void)cache_write(cache_path, root, &c);
        *ret = c;
        if (ret_cached)
                *ret_cached = false;
        return 0;
}

int exposure_plan_count(int root_fd, const MountPlan *p, ExposureCount *ret) {
        _cleanup_(exposure_walk_freep) ExposureWalk *w = NULL;
        int r = exposure_walk_new(true, &w);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_binds; i++) {
                r = exposure_walk_add(w, root_fd, p->binds[i].source);
                if (r == -ENOMEM)
                        return r;
        }
        exposure_walk_count(w, ret);
        return 0;
}

/* Whether path is below dir or is dir ("/" holds everything). */
static bool path_under(const char *path, const char *dir) {
        if (streq(dir, "/"))
                return true;
        const char *rest = startswith(path, dir);
        return rest && (*rest == 0 || *rest == '/');
}

/* Whether host path shows in the root: bound itself, below a bound directory, or a part of it bound. */
static bool plan_shows(const MountPlan *p, const char *path) {
        for (size_t i = 0; i < p->n_binds; i++) {
                const Bind *b = p->binds + i;
                if (streq(b->source, path) || (b->directory && path_under(path, b->source)) ||
                    path_under(b->source, path))
                        return true;
        }
        return false;
}

/* /var/lib/NAME is the service's own when the plan binds it, or something below it, there. */
static bool plan_owns(const MountPlan *p, const char *path) {
        for (size_t i = 0; p && i < p->n_binds; i++)
                if (path_under(p->binds[i].dest, path) || path_under(p->binds[i].source, path))
                        return true;
        return false;
}

static bool exists_at(int root_fd, const char *path) {
        struct stat st;
        while (root_fd != AT_FDCWD && *path == '/')
                path++;
        return fstatat(root_fd, path, &st, AT_SYMLINK_NOFOLLOW) >= 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir (below root_fd) that pass keep(), as "dir/name", sorted. */
static int list_dir(int root_fd, const char *dir, bool (*keep)(const char *name, unsigned char type),
                    char ***l) {
        const char *rel = dir;
        while (root_fd != AT_FDCWD && *rel == '/')
                rel++;
        int fd = openat(root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        _cleanup_(closedirp) DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return 0;
        }
        _cleanup_(strv_freep) char **names = NULL;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.' || !keep(de->d_name, de->d_type))
                        continue;
                char *p;
                if (asprintf(&p, "%s/%s", dir, de->d_name) < 0 || strv_push(&names, p) < 0)
                        return -ENOMEM;
        }
        if (names)
                qsort(names, strv_length(names), sizeof(char *), cmp_str);
        for (char **n = names; n && *n; n++)
                if (strv_push(l, TAKE_PTR(*n)) < 0)
                        return -ENOMEM;
        return 0;
}

static bool is_host_key(const char *name, unsigned char type) {
        size_t n = strlen(name);
        return type != DT_DIR && startswith(name, "ssh_host_") && n > 4 && streq(name + n - 4, "_key");
}

static bool is_dir(const char *name, unsigned char type) {
        (void)name;
        return type == DT_DIR || type == DT_UNKNOWN;
}

int exposure_sensitive(int root_fd, const MountPlan *p, char ***ret_before, char ***ret_after) {
        static const char *const fixed[] = {"/etc/shadow", "/etc/gshadow", "/etc/ssl/private", "/root",
                                            "/home"};
        _cleanup_(strv_freep) char **all = NULL, **before = NULL, **after = NULL, **state = NULL;
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(fixed) && r >= 0; i++)
                r = strv_extend(&all, fixed[i]);
        if (r >= 0)
                r = list_dir(root_fd, "/etc/ssh", is_host_key, &all);
        if (r >= 0)
                r = list_dir(root_fd, "/var/lib", is_dir, &state);
        /* other services' state: not the unit's own */
        for (char **s = state; r >= 0 && s && *s; s++)
                if (!plan_owns(p, *s))
                        r = strv_extend(&all, *s);
        for (char **a = all; r >= 0 && a && *a; a++) {
                if (!exists_at(root_fd, *a))
                        continue;
                r = strv_extend(&before, *a);
                if (r >= 0 && p && plan_shows(p, *a))
                        r = strv_extend(&after, *a);
        }
        if (r < 0)
                return r;
        *ret_before = TAKE_PTR(before);
        if (ret_after)
                *ret_after = TAKE_PTR(after);
        return 0;
}
