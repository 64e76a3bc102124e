/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "confine.h"
#include "dropin-write.h"
#include "root-skeleton.h"
#include "fileio.h"
#include "host-view.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"
#include "unit-name.h"

#define DROPIN_MAX (64u * 1024 * 1024)

static int unit_dir(const char *unit, bool runtime, char **ret) {
        if (!unit_name_is_valid(unit, UNIT_NAME_ANY))
                return -EINVAL;
        if (asprintf(ret, "%s/systemd/system/%s.d", runtime ? "run" : "etc", unit) < 0)
                return -ENOMEM;
        return 0;
}

int dropin_path(const char *unit, bool runtime, char **ret) {
        _cleanup_free_ char *dir = NULL;
        int r = unit_dir(unit, runtime, &dir);
        if (r < 0)
                return r;
        if (asprintf(ret, "%s/%s", dir, DROPIN_NAME) < 0)
                return -ENOMEM;
        return 0;
}

int dropin_read(int root_fd, const char *unit, bool runtime, char **ret) {
        _cleanup_free_ char *path = NULL;
        int r = dropin_path(unit, runtime, &path);
        if (r < 0)
                return r;
        /* O_NOFOLLOW: a link planted there is not ours to follow */
        r = read_full_file_at(root_fd, path, O_NOFOLLOW, DROPIN_MAX, ret, NULL);
        return r == -ELOOP ? -EEXIST : r;
}

static int write_all(int fd, const void *data, size_t n) {
        const char *text = data;
        size_t done = 0;
        while (done < n) {
                ssize_t k = write(fd, text + done, n - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                done += k;
        }
        return 0;
}

int atomic_write_at(int dir_fd, const char *name, const char *text, mode_t mode) {
        return atomic_write_data_at(dir_fd, name, text, strlen(text), mode);
}

int atomic_write_data_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *tmp = NULL;
        int r;

        if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        uint64_t rnd;
        if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
                rnd = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
        if (asprintf(&tmp, ".#%s.%016" PRIx64, name, rnd) < 0)
                return -ENOMEM;
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, size);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlinkat(dir_fd, tmp, 0);
                return r;
        }
        /* the rename itself must reach the disk */
        (void)fsync(dir_fd);
        return 0;
}

int atomic_write_file(const char *path, const char *text, mode_t mode) {
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = slash ? path_dirname(path) : strdup(".");
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return atomic_write_at(dfd, path_basename(path), text, mode);
}

int mkdirs_at(int dir_fd, const char *path, mode_t mode) {
        if (!*path)
                return 0;
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p;; s++)
                if (s > p && (*s == '/' || !*s)) {
                        char c = *s;
                        *s = 0;
                        if (mkdirat(dir_fd, p, mode) < 0 && errno != EEXIST)
                                return -errno;
                        *s = c;
                        if (!c)
                                return 0;
                }
}

/* The .mount units of the host views a drop-in binds from (host-view.h), beside it: written when missing or
 * ours and different; one we did not write is left alone (-EBUSY: the drop-in is not written either). */
static int write_view_units(int root_fd, bool runtime, const char *text) {
        _cleanup_(strv_freep) char **views = NULL;
        _cleanup_close_ int dfd = -EBADF;
        int r = host_view_wanted(text, &views);
        if (r < 0 || !views)
                return r;
        dfd = openat(root_fd, runtime ? "run/systemd/system" : "etc/systemd/system",
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        for (char **v = views; *v; v++) {
                _cleanup_free_ char *name = NULL, *want = NULL, *have = NULL;
                r = host_view_unit_name(*v, &name);
                if (r >= 0)
                        r = host_view_unit_text(*v, PACKAGE_VERSION, &want);
                if (r < 0)
                        return r;
                r = read_full_file_at(dfd, name, O_NOFOLLOW, DROPIN_MAX, &have, NULL);
                if (r >= 0 && streq(have, want))
                        continue;
                if ((r >= 0 && !startswith(have, CONFINE_HEADER_MAGIC)) || r == -ELOOP)
                        return -EBUSY;
                if (r < 0 && r != -ENOENT)
                        return r;
                r = atomic_write_at(dfd, name, want, 0644);
                if (r < 0)
                        return r;
        }
        return 0;
}

int dropin_write(int root_fd, const char *unit, bool runtime, const char *text) {
        _cleanup_free_ char *dir = NULL, *existing = NULL;
        _cleanup_close_ int dfd = -EBADF;
        int r;

        if (!confine_dropin_is_ours(text))
                return -EINVAL; /* we only ever write our own format */
        r = unit_dir(unit, runtime, &dir);
        if (r < 0)
                return r;
        /* the unit directory must exist already; only NAME.d is ours to create */
        if (mkdirat(root_fd, dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        dfd = openat(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;

        r = dropin_read(root_fd, unit, runtime, &existing);
        if (r >= 0 && !confine_dropin_is_ours(existing))
                return -EEXIST;
        if (r < 0 && r != -ENOENT)
                return r;
        r = write_view_units(root_fd, runtime, text);
        if (r >= 0)
                r = root_skeleton_sync(root_fd, text);
        if (r < 0)
                return r;
        return atomic_write_at(dfd, DROPIN_NAME, text, 0644);
}

int dropin_remove(int root_fd, const char *unit, bool runtime) {
        _cleanup_free_ char *dir = NULL, *existing = NULL;
        int r = unit_dir(unit, runtime, &dir);
        if (r < 0)
                return r;
        r = dropin_read(root_fd, unit, runtime, &existing);
        if (r < 0)
                return r;
        if (!confine_dropin_is_ours(existing))
                return -EEXIST;
        _cleanup_close_ int dfd = openat(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        if (unlinkat(dfd, DROPIN_NAME, 0) < 0)
                return -errno;
        (void)fsync(dfd);
        /* its root's skeleton, unless the service still runs in it (it is only empty mount points) */
        (void)root_skeleton_remove(root_fd, existing);
        /* the directory goes when nothing else is left in it, as systemctl edit does */
        (void)unlinkat(root_fd, dir, AT_REMOVEDIR);
        return 0;
}
