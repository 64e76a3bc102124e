/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "fileio.h"
#include "hashmap.h"
#include "ld-cache.h"
#include "macro.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define NEW_HEADER_SIZE 48
#define NEW_ENTRY_SIZE 24
#define OLD_ENTRY_SIZE 12
#define EXTENSION_MAGIC UINT32_C(0xeaa42174)
#define EXTENSION_TAG_GLIBC_HWCAPS 1
#define CACHE_MAX (256u * 1024 * 1024)

struct LdCache {
        Arena *arena;
        LdCacheEntry *entries;
        size_t n_entries;
        int32_t *next_same; /* the next entry with the same name, in file order, or -1 */
        Hashmap *by_name;   /* name -> 1 + index of its first entry */
};

typedef struct Reader {
        const uint8_t *buf;
        size_t size;
        bool swap;
} Reader;

static uint32_t get32(const Reader *r, size_t off) {
        uint32_t v;
        memcpy(&v, r->buf + off, 4);
        return r->swap ? __builtin_bswap32(v) : v;
}
static uint64_t get64(const Reader *r, size_t off) {
        uint64_t v;
        memcpy(&v, r->buf + off, 8);
        return r->swap ? __builtin_bswap64(v) : v;
}

/* A NUL-terminated string at off within [base, size), or NULL. */
static const char *get_string(const Reader *r, size_t base, uint64_t off) {
        if (off >= r->size - base)
                return NULL;
        const char *s = (const char *)r->buf + base + off;
        return memchr(s, 0, r->size - base - off) ? s : NULL;
}

LdCache *ld_cache_free(LdCache *c) {
        if (!c)
                return NULL;
        arena_free(c->arena);
        free(c->entries);
        free(c->next_same);
        hashmap_free(c->by_name);
        free(c);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(LdCache *, ld_cache_free);

static int add_entry(LdCache *c, size_t *allocated, const char *name, const char *path, int32_t flags,
                     uint64_t hwcap, const char *hwcaps) {
        if (!GROW(c->entries, *allocated, c->n_entries + 1))
                return -ENOMEM;
        LdCacheEntry *e = c->entries + c->n_entries;
        e->name = arena_strdup(c->arena, name);
        e->path = arena_strdup(c->arena, path);
        e->hwcaps = hwcaps ? arena_strdup(c->arena, hwcaps) : NULL;
        if (!e->name || !e->path || (hwcaps && !e->hwcaps))
                return -ENOMEM;
        e->flags = flags;
        e->hwcap = hwcap;
        c->n_entries++;
        return 0;
}

static int index_entries(LdCache *c) {
        c->next_same = malloc((c->n_entries ? c->n_entries : 1) * sizeof(int32_t));
        c->by_name = hashmap_new();
        if (!c->next_same || !c->by_name)
                return -ENOMEM;
        /* Walk backwards so that each name ends up pointing at its first entry in file order. */
        for (size_t i = c->n_entries; i-- > 0;) {
                uintptr_t old = (uintptr_t)hashmap_get(c->by_name, c->entries[i].name);
                c->next_same[i] = old ? (int32_t)(old - 1) : -1;
                int r = hashmap_set(c->by_name, c->entries[i].name, strlen(c->entries[i].name),
                                    (void *)(uintptr_t)(i + 1));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_new(LdCache *c, const Reader *r, size_t base) {
        size_t allocated = 0;
        Reader rd = *r;

        if (rd.size - base < NEW_HEADER_SIZE)
                return -EBADMSG;
        /* flags byte: 2 little endian, 3 big endian, 0 unknown (host order) */
        uint8_t endian = rd.buf[base + 28];
        bool big = endian == 3;
        bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
        rd.swap = (endian == 2 || endian == 3) && big != host_big;

        uint32_t nlibs = get32(&rd, base + 20);
        uint32_t ext_off = get32(&rd, base + 32);
        if (nlibs > (rd.size - base - NEW_HEADER_SIZE) / NEW_ENTRY_SIZE)
                return -EBADMSG;

        /* the glibc-hwcaps extension: a table of subdirectory names */
        const uint8_t *hwcaps_table = NULL;
        uint32_t n_hwcaps = 0;
        if (ext_off != 0 && ext_off <= rd.size - base && rd.size - base - ext_off >= 8 &&
            get32(&rd, base + ext_off) == EXTENSION_MAGIC) {
                uint32_t count = get32(&rd, base + ext_off + 4);
                size_t avail = (rd.size - base - ext_off - 8) / 16;
                for (uint32_t i = 0; i < count && i < avail; i++) {
                        size_t s = base + ext_off + 8 + (size_t)i * 16;
                        uint32_t tag = get32(&rd, s), off = get32(&rd, s + 8), size = get32(&rd, s + 12);
                        if (tag != EXTENSION_TAG_GLIBC_HWCAPS || off > rd.size - base ||
                            size > rd.size - base - off || size % 4 != 0)
                                continue;
                        hwcaps_table = rd.buf + base + off;
                        n_hwcaps = size / 4;
                }
        }

        for (uint32_t i = 0; i < nlibs; i++) {
                size_t e = base + NEW_HEADER_SIZE + (size_t)i * NEW_ENTRY_SIZE;
                int32_t flags = (int32_t)get32(&rd, e);
                const char *name = get_string(&rd, base, get32(&rd, e + 4));
                const char *path = get_string(&rd, base, get32(&rd, e + 8));
                uint64_t hwcap = get64(&rd, e + 16);
                const char *hwcaps = NULL;
                if (!name || !path)
                        continue; /* the loader skips entries pointing outside the string table */
                if (hwcap & LD_CACHE_HWCAP_EXTENSION) {
                        uint32_t idx = (uint32_t)hwcap;
                        if (idx >= n_hwcaps)
                                continue;
                        uint32_t soff;
                        memcpy(&soff, hwcaps_table + (size_t)idx * 4, 4);
                        if (rd.swap)
                                soff = __builtin_bswap32(soff);
                        hwcaps = get_string(&rd, base, soff);
                        if (!hwcaps)
                                continue;
                }
                int k = add_entry(c, &allocated, name, path, flags, hwcap, hwcaps);
                if (k < 0)
                        return k;
        }
        return 0;
}

static int parse_old(LdCache *c, const Reader *r, uint32_t nlibs) {
        size_t allocated = 0;
        size_t strings = 16 + (size_t)nlibs * OLD_ENTRY_SIZE;
        for (uint32_t i = 0; i < nlibs; i++) {
                size_t e = 16 + (size_t)i * OLD_ENTRY_SIZE;
                const char *name = get_string(r, strings, get32(r, e + 4));
                const char *path = get_string(r, strings, get32(r, e + 8));
                if (!name || !path)
                        continue;
                int k = add_entry(c, &allocated, name, path, (int32_t)get32(r, e), 0, NULL);
                if (k < 0)
                        return k;
        }
        return 0;
}

int ld_cache_parse(const void *buf, size_t size, LdCache **ret) {
        _cleanup_(ld_cache_freep) LdCache *c = calloc(1, sizeof(LdCache));
        Reader rd = {.buf = buf, .size = size};
        int r;

        if (!c || !(c->arena = arena_new()))
                return -ENOMEM;

        if (size >= NEW_HEADER_SIZE && memcmp(buf, NEW_MAGIC, strlen(NEW_MAGIC)) == 0)
                r = parse_new(c, &rd, 0);
        else if (size >= 16 && memcmp(buf, OLD_MAGIC, strlen(OLD_MAGIC)) == 0) {
                /* old table (magic padded to 12 bytes, nlibs), then possibly the new format, 8-aligned */
                uint32_t nlibs = get32(&rd, 12);
                if (nlibs > (size - 16) / OLD_ENTRY_SIZE)
                        return -EBADMSG;
                size_t new_off = (16 + (size_t)nlibs * OLD_ENTRY_SIZE + 7) & ~(size_t)7;
                if (new_off <= size && size - new_off >= NEW_HEADER_SIZE &&
                    memcmp((const uint8_t *)buf + new_off, NEW_MAGIC, strlen(NEW_MAGIC)) == 0)
                        r = parse_new(c, &rd, new_off);
                else
                        r = parse_old(c, &rd, nlibs);
        } else
                return -EBADMSG;
        if (r < 0)
                return r;
        r = index_entries(c);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

int ld_cache_load(int dir_fd, const char *path, LdCache **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n;
        int r = read_full_file_at(dir_fd, path, 0, CACHE_MAX, &buf, &n);
        if (r == -EBADFD)
                return -EBADMSG;
        if (r < 0)
                return r;
        return ld_cache_parse(buf, n, ret);
}

size_t ld_cache_size(const LdCache *c) {
        return c ? c->n_entries : 0;
}

const LdCacheEntry *ld_cache_entry(const LdCache *c, size_t i) {
        return c && i < c->n_entries ? c->entries + i : NULL;
}

static unsigned hwcaps_priority(const char *name, const char *const *active) {
        for (unsigned i = 0; active && active[i]; i++)
                if (streq(active[i], name))
                        return i + 1;
        return 0;
}

const char *ld_cache_lookup(const LdCache *c, const char *name, int32_t flags,
                            const char *const *hwcaps_active, uint64_t legacy_allowed) {
        if (!c)
                return NULL;
        uintptr_t first = (uintptr_t)hashmap_get(c->by_name, name);
        if (first == 0)
                return NULL;
        const char *best = NULL;
        unsigned best_priority = 0;
        /* glibc's search_cache(): extension entries come first and the best-priority usable one wins; the
         * first usable plain entry is taken only when no extension entry matched. */
        for (int32_t i = (int32_t)first - 1; i >= 0; i = c->next_same[i]) {
                const LdCacheEntry *e = c->entries + i;
                if (e->flags != flags)
                        continue;
                if (e->hwcaps) {
                        unsigned p = hwcaps_priority(e->hwcaps, hwcaps_active);
                        if (p > 0 && (!best || p < best_priority)) {
                                best = e->path;
                                best_priority = p;
                        }
                        continue;
                }
                if (best)
                        break;
                if (e->hwcap & ~legacy_allowed)
                        continue;
                return e->path;
        }
        return best;
}
