/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Formatting shared by the screens and the batch commands. */

/* "1.2 MiB": into buf, returned. */
const char *format_size(uint64_t bytes, char *buf, size_t size);

/* Line drawing: UTF-8 box characters, or ASCII when the locale is not UTF-8 or --ascii is given. */
typedef struct TreeGlyphs {
        const char *branch, *last, *pipe, *space, *arrow;
} TreeGlyphs;

void output_init(bool force_ascii);
const TreeGlyphs *output_glyphs(void);
bool output_utf8(void);

/* Text measured in terminal columns (wcwidth, in the current locale), not bytes: a "→" is one column. */
size_t format_width(const char *s);
/* s cut to at most width columns, ending with an ellipsis ("…", "..." without UTF-8) when it was cut;
 * width 0: no limit. Into buf; returns the columns used. */
size_t format_fit(const char *s, size_t width, char *buf, size_t size);
