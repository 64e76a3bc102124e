/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Read a whole regular file from an open descriptor: at most max bytes (-EFBIG beyond), NUL-terminated,
 * malloc'd. -EBADFD for anything but a regular file. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* The same for a path relative to dir_fd (AT_FDCWD, or an absolute path). Opened with O_NONBLOCK, so that
 * a FIFO planted where a file belongs is refused (-EBADFD) instead of blocking forever. extra_flags: e.g.
 * O_NOFOLLOW. */
int read_full_file_at(int dir_fd, const char *path, int extra_flags, size_t max, char **ret,
                      size_t *ret_size);

/* read() until size bytes or the end, again after EINTR: the bytes read, or -errno. */
ssize_t read_loop(int fd, void *buf, size_t size);

/* A file whose size says nothing (/proc, /sys): read until its end or max bytes (the rest is dropped),
 * NUL-terminated, malloc'd. */
int read_virtual_file(const char *path, size_t max, char **ret, size_t *ret_size);

/* Append n bytes to a growing NUL-terminated string (*buf may be NULL at first). */
int buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);

/* strerror() in the operator's words where ours differ: -EBADFD from the reads above means "not a
 * regular file". Takes a positive errno. */
const char *error_words(int errnum);
