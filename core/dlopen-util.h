/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* A library opened with dlopen() when it is first needed, not by the loader at start: libsystemd (and the
 * compression and crypto libraries it pulls) and ncurses cost every batch verb memory and start-up time,
 * and most verbs use neither. The caller keeps a pointer per function (sym_NAME, typed from the library's
 * header) and calls through it. */

typedef struct DlSym {
        const char *name; /* NULL ends a table */
        void **ptr;
} DlSym;

/* One DlSym per name: DLSYM_ENTRY(initscr) is {"initscr", &sym_initscr}. */
#define DLSYM_ENTRY(f) {#f, (void **)&sym_##f},
/* The pointer for f, typed as f is declared. */
#define DLSYM_DECLARE(f) static __typeof__(f) *sym_##f;

typedef struct DlLibrary {
        const char *soname;  /* "libsystemd.so.0" */
        const char *package; /* the Debian package that ships it, for the message */
        const DlSym *syms;
        bool tried; /* under the loader's lock */
        int r;
        char detail[384]; /* dlerror()'s words, when it failed */
        char error[512];  /* "SONAME cannot be loaded (DETAIL): install PACKAGE" */
} DlLibrary;

#define DL_LIBRARY(so, pkg, table)                                                                           \
        { .soname = (so), .package = (pkg), .syms = (table) }

/* Open the library and resolve every symbol of its table, once per process (also from several threads:
 * a lock).
 * 0, or -EOPNOTSUPP with l->detail and l->error set (no pointer of the table is set then); later calls
 * return the same. The library stays loaded (RTLD_NODELETE). */
int dl_library_load(DlLibrary *l);

/* l->error when a load was tried and failed, else NULL (it does not try one). */
const char *dl_library_error(DlLibrary *l);
