/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* NULL-terminated string arrays. A NULL list is an empty one everywhere. */

size_t strv_length(char *const *l);
char **strv_free(char **l);
int strv_push(char ***l, char *value); /* takes value; frees it on failure */
int strv_extend(char ***l, const char *value);
bool strv_equal(char *const *a, char *const *b);
bool strv_contains(char *const *l, const char *s);
/* Add a "KEY=VALUE" (taken; freed on failure), replacing an earlier KEY in place, as systemd merges. */
int strv_env_replace(char ***l, char *assignment);
/* The value of the last "KEY=..." in l, or NULL. */
const char *strv_env_get(char *const *l, const char *key);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
