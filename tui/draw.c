/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "app.h"
#include "draw.h"
#include "format.h"
#include "keys.h"

/* One character of s: its bytes and columns. A byte that does not start a valid character, or a character
 * without a width (a control), is one column: the terminal shows something for it. */
static size_t char_at(const char *s, int *ret_cols) {
        mbstate_t st = {};
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
                *ret_cols = 1;
                return 1;
        }
        int w = wcwidth(wc);
        *ret_cols = w < 0 ? 1 : w;
        return n;
}

int text_width(const char *s) {
        int cols = 0, w;
        while (*s) {
                s += char_at(s, &w);
                cols += w;
        }
        return cols;
}

size_t text_fit(const char *s, int cols, int *ret_cols) {
        size_t at = 0;
        int used = 0, w;
        while (s[at]) {
                size_t n = char_at(s + at, &w);
                if (used + w > cols)
                        break;
                used += w;
                at += n;
        }
        if (ret_cols)
                *ret_cols = used;
        return at;
}

size_t text_skip(const char *s, int cols) {
        size_t at = 0;
        int used = 0, w;
        while (s[at] && used < cols) {
                at += char_at(s + at, &w);
                used += w;
        }
        return at;
}

const char *text_ellipsis(void) {
        return output_utf8() ? "…" : "...";
}

const char *text_cut(const char *s, int cols, bool pad, char *buf, size_t size) {
        int w = text_width(s), used;
        size_t n;
        if (cols < 0)
                cols = 0;
        if (w > cols) {
                const char *e = text_ellipsis();
                int ew = text_width(e);
                if (cols > ew) {
                        n = text_fit(s, cols - ew, &used);
                        snprintf(buf, size, "%.*s%s", (int)n, s, e);
                        used += ew;
                } else {
                        n = text_fit(s, cols, &used);
                        snprintf(buf, size, "%.*s", (int)n, s);
                }
        } else {
                snprintf(buf, size, "%s", s);
                used = w;
        }
        for (size_t l = strlen(buf); pad && used < cols && l + 1 < size; used++, l++) {
                buf[l] = ' ';
                buf[l + 1] = 0;
        }
        return buf;
}

const char *text_cut_middle(const char *s, int cols, char *buf, size_t size) {
        int w = text_width(s);
        if (w <= cols || cols <= 8)
                return s;
        const char *e = text_ellipsis();
        int head = (cols - text_width(e)) / 2, tail = cols - text_width(e) - head;
        size_t hn = text_fit(s, head, NULL), tn = text_skip(s, w - tail);
        snprintf(buf, size, "%.*s%s%s", (int)hn, s, e, s + tn);
        return buf;
}

int attr_of(const App *a, int pair, unsigned fallback) {
        return a->color ? (int)COLOR_PAIR(pair) : (int)fallback;
}

void put(int y, int x, int width, const char *text, int attr) {
        if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
                return;
        if (x + width > COLS)
                width = COLS - x;
        char buf[2048];
        text_cut(text, width, false, buf, sizeof buf);
        attron(attr);
        mvaddstr(y, x, buf);
        attroff(attr);
}

void put_scrolled(int y, int width, const char *text, int skip, int attr) {
        if (skip <= 0) {
                put(y, 0, width, text, attr);
                return;
        }
        const char *rest = text + text_skip(text, skip + 1);
        if (!*rest) /* scrolled past its end */
                return;
        put(y, 0, 1, "<", attr | A_BOLD);
        put(y, 1, width - 1, rest, attr);
}

void fill_line(int y, int attr) {
        attron(attr);
        mvhline(y, 0, ' ', COLS);
        attroff(attr);
}

/* The start of each line of text wrapped at spaces into cols columns; the last takes the rest. */
static int wrap_lines(const char *text, int cols, int max, const char **starts, size_t *lens) {
        int n = 0;
        const char *p = text;
        while (*p && n < max) {
                size_t len = strlen(p);
                if (text_width(p) > cols && n < max - 1) {
                        size_t fit = text_fit(p, cols, NULL), cut = fit;
                        while (cut > 0 && p[cut] != ' ')
                                cut--;
                        len = cut > 0 ? cut : fit;
                }
                starts[n] = p;
                lens[n++] = len;
                p += len;
                while (*p == ' ')
                        p++;
        }
        return n;
}

int put_wrapped(int bottom, const char *text, int attr, int max_lines) {
        const char *starts[8];
        size_t lens[8];
        int n = wrap_lines(text, COLS, max_lines < 8 ? max_lines : 8, starts, lens);
        for (int i = 0; i < n; i++) {
                char buf[2048];
                int y = bottom - n + 1 + i;
                snprintf(buf, sizeof buf, "%.*s", (int)lens[i], starts[i]);
                fill_line(y, 0);
                put(y, 0, COLS, buf, attr);
        }
        return n;
}

void draw_title(App *a, const char *title) {
        fill_line(0, attr_of(a, C_TITLE, A_REVERSE));
        char buf[512];
        snprintf(buf, sizeof buf, " sdconfine: %s  [%s%s]", title, service_source_name(&a->src),
                 a->readonly ? ", read-only" : "");
        put(0, 0, COLS, buf, attr_of(a, C_TITLE, A_REVERSE) | A_BOLD);
}

void draw_key_bar(App *a, unsigned scope) {
        char buf[512];
        keys_bar(scope, COLS, buf, sizeof buf);
        fill_line(LINES - 1, attr_of(a, C_BAR, A_REVERSE));
        put(LINES - 1, 0, COLS, buf, attr_of(a, C_BAR, A_REVERSE));
}
