/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* the real names here: the table below takes their addresses in the library */
#define CURSES_LOAD_NO_REDIRECT
#include "curses-load.h"
#include "dlopen-util.h"
#include "macro.h"

CursesSymbols curses_sym;

#define CURSES_SYM_ENTRY(f) {#f, (void **)&curses_sym.f},
static DlLibrary ncursesw = DL_LIBRARY(
        "libncursesw.so.6", "libncursesw6",
        ((const DlSym[]){CURSES_FUNCTIONS(CURSES_SYM_ENTRY) CURSES_VARIABLES(CURSES_SYM_ENTRY){}}));

int curses_load(const char **ret_error) {
        static char error[640];
        int r = dl_library_load(&ncursesw);
        if (r < 0) {
                snprintf(error, sizeof error,
                         "the interactive screens need libncursesw.so.6 (package libncursesw6): %s; the "
                         "command-line verbs work without it (sdconfine help)",
                         ncursesw.detail);
                *ret_error = error;
        }
        return r;
}
