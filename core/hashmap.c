/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "hashmap.h"
#include "macro.h"

typedef struct Entry {
        uint64_t hash; /* 0 marks an empty slot */
        const void *key;
        size_t len;
        void *value;
} Entry;

struct Hashmap {
        Entry *entries;
        size_t n_buckets; /* power of two */
        size_t n_items;
};

/* Eight bytes at a time with a multiply-xorshift mix: paths and sonames are hashed by the hundred thousand
 * (every line of the dpkg database), so a byte-at-a-time hash shows up in profiles. */
static inline uint64_t mix(uint64_t h) {
        h ^= h >> 32;
        h *= UINT64_C(0xd6e8feb86659fd93);
        h ^= h >> 32;
        return h;
}

uint64_t hash_bytes(const void *p, size_t n) {
        const unsigned char *s = p;
        uint64_t h = UINT64_C(0x9e3779b97f4a7c15) ^ n;
        while (n >= 8) {
                uint64_t w;
                memcpy(&w, s, 8);
                h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
                h ^= h >> 29;
                s += 8;
                n -= 8;
        }
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = mix(h ^ w ^ ((uint64_t)n << 56));
        return h ? h : 1;
}

/* A zeroed table, written now rather than calloc'd: a fresh mapping from calloc() is read through the shared
 * zero page first (every look-up probes it), and the first write to each page then flushes the TLBs of the
 * process's other threads, an interrupt per page while the prefetch thread runs. */
static Entry *entries_new(size_t n) {
        Entry *e = malloc(n * sizeof(Entry));
        if (e) /* explicit_bzero(): the compiler folds malloc() and memset() back into calloc() */
                explicit_bzero(e, n * sizeof(Entry));
        return e;
}

Hashmap *hashmap_new(void) {
        Hashmap *h = calloc(1, sizeof(Hashmap));
        if (!h)
                return NULL;
        h->n_buckets = 64;
        h->entries = entries_new(h->n_buckets);
        if (!h->entries) {
                free(h);
                return NULL;
        }
        return h;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        free(h->entries);
        free(h);
        return NULL;
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_items : 0;
}

static Entry *find_slot(Entry *entries, size_t n_buckets, uint64_t hash, const void *key, size_t len) {
        size_t mask = n_buckets - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
                Entry *e = entries + i;
                if (e->hash == 0)
                        return e;
                if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
                        return e;
        }
}

static int hashmap_grow(Hashmap *h) {
        size_t n = h->n_buckets * 2;
        Entry *entries = entries_new(n);
        if (!entries)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_buckets; i++) {
                Entry *e = h->entries + i;
                if (e->hash)
                        *find_slot(entries, n, e->hash, e->key, e->len) = *e;
        }
        free(h->entries);
        h->entries = entries;
        h->n_buckets = n;
        return 0;
}

int hashmap_put_bytes(Hashmap *h, const void *key, size_t len, void *value, void **ret_old) {
        uint64_t hash = hash_bytes(key, len);
        Entry *e = find_slot(h->entries, h->n_buckets, hash, key, len);
        if (e->hash) {
                if (ret_old)
                        *ret_old = e->value;
                return 0;
        }
        if ((h->n_items + 1) * 4 > h->n_buckets * 3) {
                int r = hashmap_grow(h);
                if (r < 0)
                        return r;
                e = find_slot(h->entries, h->n_buckets, hash, key, len);
        }
        *e = (Entry){.hash = hash, .key = key, .len = len, .value = value};
        h->n_items++;
        return 1;
}

int hashmap_set(Hashmap *h, const void *key, size_t len, void *value) {
        Entry *e = find_slot(h->entries, h->n_buckets, hash_bytes(key, len), key, len);
        if (e->hash) {
                e->value = value;
                e->key = key;
                return 0;
        }
        return hashmap_put_bytes(h, key, len, value, NULL);
}

void *hashmap_get_hashed(const Hashmap *h, uint64_t hash, const void *key, size_t len) {
        if (!h || h->n_items == 0)
                return NULL;
        Entry *e = find_slot(h->entries, h->n_buckets, hash, key, len);
        return e->hash ? e->value : NULL;
}

void *hashmap_get_bytes(const Hashmap *h, const void *key, size_t len) {
        if (!h)
                return NULL;
        Entry *e = find_slot(h->entries, h->n_buckets, hash_bytes(key, len), key, len);
        return e->hash ? e->value : NULL;
}

bool hashmap_iterate(const Hashmap *h, size_t *i, const void **ret_key, void **ret_value) {
        if (!h)
                return false;
        for (; *i < h->n_buckets; (*i)++) {
                Entry *e = h->entries + *i;
                if (e->hash) {
                        if (ret_key)
                                *ret_key = e->key;
                        if (ret_value)
                                *ret_value = e->value;
                        (*i)++;
                        return true;
                }
        }
        return false;
}

/* Arena */

typedef struct Chunk {
        struct Chunk *next;
        size_t used, size;
        max_align_t data[];
} Chunk;

struct Arena {
        Chunk *head;
        size_t total;
};

Arena *arena_new(void) {
        return calloc(1, sizeof(Arena));
}

Arena *arena_free(Arena *a) {
        if (!a)
                return NULL;
        for (Chunk *c = a->head, *n; c; c = n) {
                n = c->next;
                free(c);
        }
        free(a);
        return NULL;
}

void *arena_alloc(Arena *a, size_t n) {
        size_t align = _Alignof(max_align_t);
        if (n > SIZE_MAX - align)
                return NULL;
        n = (n + align - 1) & ~(align - 1);
        Chunk *c = a->head;
        if (!c || c->size - c->used < n) {
                size_t size = n > 60000 ? n : 65536 - sizeof(Chunk);
                c = malloc(sizeof(Chunk) + size);
                if (!c)
                        return NULL;
                c->size = size;
                c->used = 0;
                /* a big one-off allocation goes behind the current chunk so the rest of it stays usable */
                if (a->head && n > 60000) {
                        c->next = a->head->next;
                        a->head->next = c;
                } else {
                        c->next = a->head;
                        a->head = c;
                }
                a->total += sizeof(Chunk) + size;
        }
        void *p = (char *)c->data + c->used;
        c->used += n;
        return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
        char *p = arena_alloc(a, n + 1);
        if (!p)
                return NULL;
        memcpy(p, s, n);
        p[n] = 0;
        return p;
}

char *arena_strdup(Arena *a, const char *s) {
        return arena_strndup(a, s, strlen(s));
}

size_t arena_allocated(const Arena *a) {
        return a ? a->total : 0;
}
