/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <langinfo.h>
#include <stdio.h>

#include "format.h"
#include "macro.h"

static bool utf8;

static const TreeGlyphs glyphs_utf8 = {"├── ", "└── ", "│   ", "    ", " → "};
static const TreeGlyphs glyphs_ascii = {"|-- ", "`-- ", "|   ", "    ", " -> "};

void output_init(bool force_ascii) {
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
