/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "format.h"
#include "macro.h"

static bool utf8;

static const TreeGlyphs glyphs_utf8 = {"├── ", "└── ", "│   ", "    ", " → "};
static const TreeGlyphs glyphs_ascii = {"|-- ", "`-- ", "|   ", "    ", " -> "};

/* The locale's character set, loaded when text is first measured or drawn: a verb printing JSON never
 * needs it (its 12 files are a tenth of that run's memory). Numbers keep the C locale's decimal point. */
static void locale_load(void) {
        static bool loaded;
        if (!loaded)
                setlocale(LC_CTYPE, "");
        loaded = true;
}

void output_init(bool force_ascii) {
        locale_load();
        utf8 = !force_ascii && streq(nl_langinfo(CODESET), "UTF-8");
}

bool output_utf8(void) {
        return utf8;
}

const TreeGlyphs *output_glyphs(void) {
        return utf8 ? &glyphs_utf8 : &glyphs_ascii;
}

const char *format_size(uint64_t bytes, char *buf, size_t size) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        size_t u = 0;
        while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        if (u == 0)
                snprintf(buf, size, "%" PRIu64 " B", bytes);
        else
                snprintf(buf, size, "%.1f %s", v, units[u]);
        return buf;
}

/* The columns of one character at s (len bytes left): *ret_len its bytes. An invalid byte counts as one
 * column, as a terminal shows a replacement. */
static size_t char_width(const char *s, size_t len, size_t *ret_len) {
        mbstate_t st = {};
        wchar_t wc;
        locale_load();
        size_t k = mbrtowc(&wc, s, len, &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
                *ret_len = 1;
                return 1;
        }
        *ret_len = k;
        int w = wcwidth(wc);
        return w < 0 ? 1 : (size_t)w;
}

size_t format_width(const char *s) {
        size_t w = 0, len = strlen(s);
        for (size_t k; len > 0; s += k, len -= k)
                w += char_width(s, len, &k);
        return w;
}

size_t format_fit(const char *s, size_t width, char *buf, size_t size) {
        const char *dots = utf8 ? "\u2026" : "...";
        size_t dots_w = utf8 ? 1 : 3, len = strlen(s), used = 0, out = 0;
        if (width == 0 || format_width(s) <= width) {
                snprintf(buf, size, "%s", s);
                return format_width(buf);
        }
        /* as many whole characters as leave room for the ellipsis */
        for (size_t k, cw; len > 0 && used + (cw = char_width(s + out, len, &k)) + dots_w <= width &&
                           out + k + strlen(dots) < size;
             out += k, len -= k)
                used += cw;
        snprintf(buf, size, "%.*s%s", (int)out, s, width >= dots_w ? dots : "");
        return used + (width >= dots_w ? dots_w : 0);
}
