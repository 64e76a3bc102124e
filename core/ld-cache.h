/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* /etc/ld.so.cache, as glibc's loader reads it: the "glibc-ld.so.cache1.1" format (alone or behind the old
 * "ld.so-1.7.0" table), including the glibc-hwcaps extension. */
typedef struct LdCache LdCache;

typedef struct LdCacheEntry {
        const char *name;   /* the soname looked up */
        const char *path;   /* where it lives */
        int32_t flags;      /* ABI: e.g. 0x0303 for x86-64 libc6 */
        uint64_t hwcap;     /* legacy hwcap bits, or DL_CACHE_HWCAP_EXTENSION */
        const char *hwcaps; /* the glibc-hwcaps subdirectory name of an extension entry, else NULL */
} LdCacheEntry;

#define LD_CACHE_HWCAP_EXTENSION (UINT64_C(1) << 62)

int ld_cache_parse(const void *buf, size_t size, LdCache **ret);
int ld_cache_load(int dir_fd, const char *path, LdCache **ret);
LdCache *ld_cache_free(LdCache *c);

size_t ld_cache_size(const LdCache *c);
const LdCacheEntry *ld_cache_entry(const LdCache *c, size_t i);

/* What the loader would pick for name: flags must equal the ABI's, an extension entry counts only when its
 * subdirectory is among hwcaps_active (priority order, best first; the best one wins), and a legacy
 * entry only when its hwcap bits lie within legacy_allowed. Returns the path or NULL. */
const char *ld_cache_lookup(const LdCache *c, const char *name, int32_t flags,
                            const char *const *hwcaps_active, uint64_t legacy_allowed);
