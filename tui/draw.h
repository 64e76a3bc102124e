/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Drawing helpers. Text is measured in terminal columns (wcwidth), not bytes: a "→", a wide character or a
 * UTF-8 path takes the columns it shows in, so rows stay aligned. Invalid or non-UTF-8 bytes count one
 * column each. */

typedef struct App App;

/* Columns the text takes. */
int text_width(const char *s);
/* Bytes of the longest prefix of s that fits in cols columns; its width in *ret_cols (may be NULL). */
size_t text_fit(const char *s, int cols, int *ret_cols);
/* Bytes to skip for the first cols columns of s (the sideways scroll). */
size_t text_skip(const char *s, int cols);
/* "…" in a UTF-8 locale, "..." otherwise. */
const char *text_ellipsis(void);
/* s cut to cols columns, ending with an ellipsis when cut, padded with spaces to cols when pad: into buf. */
const char *text_cut(const char *s, int cols, bool pad, char *buf, size_t size);
/* A long path loses its middle ("/usr/lib/x86…libc.so.6"), as in ncdu: into buf. */
const char *text_cut_middle(const char *s, int cols, char *buf, size_t size);

int attr_of(const App *a, int pair, unsigned fallback);
/* Text at (y, x), cut to width columns with an ellipsis at the end. */
void put(int y, int x, int width, const char *text, int attr);
/* The same, the first skip columns scrolled away (a "<" marks that some are). */
void put_scrolled(int y, int width, const char *text, int skip, int attr);
void fill_line(int y, int attr);
/* Text wrapped at spaces onto up to max_lines lines ending at row bottom; returns the lines used. */
int put_wrapped(int bottom, const char *text, int attr, int max_lines);
void draw_title(App *a, const char *title);
/* The function-key bar at the bottom: the current screen's keys, from the key table. */
void draw_key_bar(App *a, unsigned scope);
