/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* Read a whole regular file from an open descriptor: at most max bytes (-EFBIG beyond), NUL-terminated,
 * malloc'd. -EBADFD for anything but a regular file. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);

/* Append n bytes to a growing NUL-terminated string (*buf may be NULL at first). */
int buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
