/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* The loader's view of one ABI: where glibc's ld.so (as Debian builds it) looks by default, how it expands
 * $LIB and $PLATFORM, which ld.so.cache entries it accepts, and which hardware-capability subdirectories
 * it searches in front of every directory on a search path. */
typedef struct LdPlatform {
        uint16_t machine;
        uint8_t elf_class;
        uint8_t data;
        const char *triplet;  /* Debian multiarch tuple, e.g. "x86_64-linux-gnu" */
        const char *lib;      /* $LIB, e.g. "lib/x86_64-linux-gnu" */
        const char *platform; /* $PLATFORM (AT_PLATFORM, or glibc's override), e.g. "x86_64" */
        int32_t cache_flags;  /* the ld.so.cache flags value of this ABI */
        const char *default_dirs[5];

        /* Computed for the CPU we run on (the service will run on it too). */
        const char *hwcaps[4];   /* active glibc-hwcaps subdirectories, best first, NULL-terminated */
        const char *legacy[17];  /* legacy hwcap subdirectories, in search order, ending with "" */
        uint64_t legacy_allowed; /* hwcap bits an ld.so.cache entry may carry */

        char buf_lib[64], buf_dirs[2][64], buf_legacy[16][48]; /* storage for the strings above */
} LdPlatform;

/* The ABI of a program: -EAFNOSUPPORT when we know no loader for it. ret points into itself: do not copy. */
int ld_platform_get(uint16_t machine, uint8_t elf_class, uint8_t data, LdPlatform *ret);

/* Expand $ORIGIN, $LIB and $PLATFORM (also as ${...}) in one search path element. Returns a malloc'd string,
 * or -ENOENT when an unknown or unusable token makes the loader drop the element. */
int ld_expand_tokens(const char *element, const char *origin, const LdPlatform *p, char **ret);
