/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* curses for tui/: every tui file includes this instead of <curses.h>. ncurses is opened with dlopen() when
 * the interactive program starts (curses_load()), not linked: the command-line verbs never draw a screen
 * and skip loading libncursesw and libtinfo. The names tui/ uses, and those curses.h's own macros expand
 * to (refresh() is wrefresh(stdscr)), are redirected below to pointers filled by curses_load(); a name
 * missing from the lists fails at link time, as the program does not link ncurses. */

#include <curses.h>
#include <stdbool.h>

#define CURSES_FUNCTIONS(X)                                                                                  \
        X(cbreak)                                                                                            \
        X(clearok)                                                                                           \
        X(curs_set)                                                                                          \
        X(endwin)                                                                                            \
        X(has_colors)                                                                                        \
        X(init_pair)                                                                                         \
        X(initscr)                                                                                           \
        X(keypad)                                                                                            \
        X(noecho)                                                                                            \
        X(nonl)                                                                                              \
        X(set_escdelay)                                                                                      \
        X(start_color)                                                                                       \
        X(use_default_colors)                                                                                \
        X(waddnstr)                                                                                          \
        X(wattr_off)                                                                                         \
        X(wattr_on)                                                                                          \
        X(werase)                                                                                            \
        X(wgetch)                                                                                            \
        X(whline)                                                                                            \
        X(wmove)                                                                                             \
        X(wrefresh)                                                                                          \
        X(wtimeout)
/* ncurses' variables: the pointer is to the library's own */
#define CURSES_VARIABLES(X)                                                                                  \
        X(COLS)                                                                                              \
        X(LINES)                                                                                             \
        X(curscr)                                                                                            \
        X(stdscr)

#define CURSES_SYM_MEMBER(f) __typeof__(f) *f;
typedef struct CursesSymbols {
        CURSES_FUNCTIONS(CURSES_SYM_MEMBER)
        CURSES_VARIABLES(CURSES_SYM_MEMBER)
} CursesSymbols;
#undef CURSES_SYM_MEMBER

extern CursesSymbols curses_sym;

/* Open libncursesw.so.6 and resolve the names above, once. 0, or -EOPNOTSUPP with *ret_error (static
 * text) naming the library, the package to install and dlerror()'s words. */
int curses_load(const char **ret_error);

#ifndef CURSES_LOAD_NO_REDIRECT
#define cbreak (*curses_sym.cbreak)
#define clearok (*curses_sym.clearok)
#define curs_set (*curses_sym.curs_set)
#define endwin (*curses_sym.endwin)
#define has_colors (*curses_sym.has_colors)
#define init_pair (*curses_sym.init_pair)
#define initscr (*curses_sym.initscr)
#define keypad (*curses_sym.keypad)
#define noecho (*curses_sym.noecho)
#define nonl (*curses_sym.nonl)
#define set_escdelay (*curses_sym.set_escdelay)
#define start_color (*curses_sym.start_color)
#define use_default_colors (*curses_sym.use_default_colors)
#define waddnstr (*curses_sym.waddnstr)
#define wattr_off (*curses_sym.wattr_off)
#define wattr_on (*curses_sym.wattr_on)
#define werase (*curses_sym.werase)
#define wgetch (*curses_sym.wgetch)
#define whline (*curses_sym.whline)
#define wmove (*curses_sym.wmove)
#define wrefresh (*curses_sym.wrefresh)
#define wtimeout (*curses_sym.wtimeout)
#define COLS (*curses_sym.COLS)
#define LINES (*curses_sym.LINES)
#define curscr (*curses_sym.curscr)
#define stdscr (*curses_sym.stdscr)
#endif
