/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

int read_full_file_at(int dir_fd, const char *path, int extra_flags, size_t max, char **ret,
                      size_t *ret_size) {
        _cleanup_close_ int fd =
                openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | extra_flags);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, max, ret, ret_size);
}

ssize_t read_loop(int fd, void *buf, size_t size) {
        size_t n = 0;
        while (n < size) {
                ssize_t k = read(fd, (char *)buf + n, size - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += k;
        }
        return (ssize_t)n;
}

int read_virtual_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        while (len < max) {
                char chunk[16384];
                ssize_t k = read_loop(fd, chunk, max - len < sizeof chunk ? max - len : sizeof chunk);
                if (k < 0)
                        return (int)k;
                if (k == 0)
                        break;
                if (buf_append(&buf, &len, &cap, chunk, k) < 0)
                        return -ENOMEM;
        }
        if (!buf && !(buf = strdup("")))
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = len;
        return 0;
}

int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t)st.st_size > max)
                return -EFBIG;
        char *buf = malloc(st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        /* the size from fstat: a file growing meanwhile is read as it was */
        ssize_t n = read_loop(fd, buf, st.st_size);
        if (n < 0) {
                free(buf);
                return (int)n;
        }
        buf[n] = 0;
        *ret = buf;
        if (ret_size)
                *ret_size = n;
        return 0;
}

int buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
        if (!*buf || *len + n + 1 > *cap) {
                size_t c = (*len + n + 1) * 2;
                char *q = realloc(*buf, c);
                if (!q)
                        return -ENOMEM;
                *buf = q;
                *cap = c;
        }
        memcpy(*buf + *len, s, n);
        *len += n;
        (*buf)[*len] = 0;
        return 0;
}

const char *error_words(int errnum) {
        return errnum == EBADFD ? "not a regular file" : strerror(errnum);
}
