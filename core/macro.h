/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                                                          \
        ({                                                                                                   \
                __typeof__(p) _ptr_ = (p);                                                                   \
                (p) = NULL;                                                                                  \
                _ptr_;                                                                                       \
        })

#define TAKE_FD(fd)                                                                                          \
        ({                                                                                                   \
                int _fd_ = (fd);                                                                             \
                (fd) = -EBADF;                                                                               \
                _fd_;                                                                                        \
        })

/* The clock's time in microseconds. */
static inline uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                              \
        static inline void func##p(type *p) {                                                                \
                if (*p)                                                                                      \
                        func(*p);                                                                            \
        }

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
#define streq(a, b) (strcmp((a), (b)) == 0)

static inline const char *startswith(const char *s, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline bool endswith(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* errno as a negative value, never 0, for functions that failed with errno set. */
/* c is in set, never the NUL byte (text may hold one). */
static inline bool char_in_set(char c, const char *set) {
        return c && set && strchr(set, c);
}

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

/* Grow an array to hold at least n items; returns false on overflow or OOM. */
static inline bool grow_array(void **p, size_t *allocated, size_t n, size_t size) {
        if (n <= *allocated)
                return true;
        size_t a = *allocated ? *allocated : 8;
        while (a < n) {
                if (a > SIZE_MAX / 2 / size)
                        return false;
                a *= 2;
        }
        void *q = realloc(*p, a * size);
        if (!q)
                return false;
        *p = q;
        *allocated = a;
        return true;
}
#define GROW(array, allocated, n) grow_array((void **)&(array), &(allocated), (n), sizeof(*(array)))

#include <dirent.h>
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static inline char *mfree_str(char *p) {
        free(p);
        return NULL;
}
