/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An open-addressing hash map from byte strings to pointers. Keys are not copied: they must outlive the
 * map (callers keep them in an Arena). */
typedef struct Hashmap Hashmap;

Hashmap *hashmap_new(void);
Hashmap *hashmap_free(Hashmap *h);
size_t hashmap_size(const Hashmap *h);

/* Returns 1 when added, 0 when the key was present (value left alone, *ret_old set), -ENOMEM. */
int hashmap_put_bytes(Hashmap *h, const void *key, size_t len, void *value, void **ret_old);
/* The same with the key's hash_bytes() computed by the caller, to look one key up in several maps. */
void *hashmap_get_hashed(const Hashmap *h, uint64_t hash, const void *key, size_t len);

/* Adds or replaces. */
int hashmap_set(Hashmap *h, const void *key, size_t len, void *value);
void *hashmap_get_bytes(const Hashmap *h, const void *key, size_t len);

static inline int hashmap_put(Hashmap *h, const char *key, void *value, void **ret_old) {
        return hashmap_put_bytes(h, key, __builtin_strlen(key), value, ret_old);
}
static inline void *hashmap_get(const Hashmap *h, const char *key) {
        return hashmap_get_bytes(h, key, __builtin_strlen(key));
}

/* Iterate: start with *i = 0; returns false at the end. */
bool hashmap_iterate(const Hashmap *h, size_t *i, const void **ret_key, void **ret_value);

uint64_t hash_bytes(const void *p, size_t n);

/* A bump allocator: everything is freed at once with arena_free(). */
typedef struct Arena Arena;
Arena *arena_new(void);
Arena *arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t n);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_strdup(Arena *a, const char *s);
size_t arena_allocated(const Arena *a);

static inline void hashmap_freep(Hashmap **h) {
        hashmap_free(*h);
}
static inline void arena_freep(Arena **a) {
        arena_free(*a);
}
