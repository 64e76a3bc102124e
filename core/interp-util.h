/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fs-root.h"
#include "macro.h"

/* What the language files of interp (interp-perl.c, interp-python.c) share; defined in interp.c. */

/* A growing list of malloc'd strings, NULL-terminated after each push. */
typedef struct SList {
        char **v;
        size_t n, allocated;
} SList;

void slist_done(SList *s);
/* Takes p (freed on failure; NULL is -ENOMEM). */
int slist_push(SList *s, char *p);
int slist_pushf(SList *s, const char *fmt, ...) _printf_(2, 3);
/* The array (an empty list is still a list), the SList emptied; NULL on allocation failure. */
char **slist_take(SList *s);

/* Whether path (followed below the root) is of type (S_IFREG, S_IFDIR). */
bool interp_is_a(FsRoot *root, const char *path, mode_t type);
bool interp_endswith(const char *s, const char *suffix);

/* The files found for a name that is a namespace or a package directory (no one source file): -ENOENT when
 * there are none, else *ret_files taken from files and *ret_source_index SIZE_MAX. */
int interp_take_modules(SList *files, char ***ret_files, size_t *ret_source_index);
