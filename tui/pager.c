/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* A scrollable text screen: the help and the try's result. Long lines wrap at spaces (continued lines
 * indented), again after a resize; the movement keys scroll, any other key returns. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "draw.h"
#include "keys.h"
#include "macro.h"

typedef struct Pager {
        char *title;
        char message[sizeof(((App *)0)->message)]; /* the message under the pager, shown again after it */
        bool message_error;
        App *app;
        char **text, **lines;
        int width;
        size_t top;
} Pager;

static void pager_free(void *data) {
        Pager *p = data;
        if (!p)
                return;
        memcpy(p->app->message, p->message, sizeof p->message);
        p->app->message_error = p->message_error;
        free(p->title);
        strv_free(p->text);
        strv_free(p->lines);
        free(p);
}

static void wrap_one(char ***out, const char *p, int width) {
        bool first = true;
        do {
                int w = first ? width : width - 4;
                if (w < 10)
                        w = 10;
                size_t len = strlen(p);
                if (text_width(p) > w) {
                        size_t fit = text_fit(p, w, NULL), cut = fit;
                        while (cut > fit / 2 && p[cut] != ' ')
                                cut--;
                        len = p[cut] == ' ' ? cut : fit;
                }
                char buf[4096];
                snprintf(buf, sizeof buf, "%s%.*s", first ? "" : "    ", (int)len, p);
                (void)strv_extend(out, buf);
                p += len;
                while (*p == ' ')
                        p++;
                first = false;
        } while (*p);
}

static void pager_wrap(Pager *p) {
        if (p->width == COLS)
                return;
        p->width = COLS;
        strv_free(p->lines);
        p->lines = NULL;
        for (char **t = p->text; t && *t; t++)
                wrap_one(&p->lines, *t, p->width);
}

static size_t pager_rows(void) {
        return LINES - 3 > 1 ? LINES - 3 : 1;
}

static int line_attr(App *a, const char *t) {
        if (startswith(t, "Kept") || startswith(t, "Held"))
                return attr_of(a, C_OURS, A_BOLD);
        if (startswith(t, "Rolled back"))
                return attr_of(a, C_WARN, A_BOLD);
        if (startswith(t, "--path") || startswith(t, "--writable") || startswith(t, "Suggestion"))
                return attr_of(a, C_ADD, A_BOLD);
        if (t[0] && t[0] != ' ') /* a heading */
                return A_BOLD;
        return 0;
}

static void pager_draw(App *a, void *data) {
        Pager *p = data;
        pager_wrap(p);
        size_t n = strv_length(p->lines), rows = pager_rows();
        if (n > rows && p->top > n - rows)
                p->top = n - rows;
        char title[600];
        snprintf(title, sizeof title, "%s (lines %zu-%zu of %zu)", p->title, n ? p->top + 1 : 0,
                 p->top + rows < n ? p->top + rows : n, n);
        draw_title(a, title);
        for (size_t y = 0; y < rows && p->top + y < n; y++)
                put(1 + y, 0, COLS, p->lines[p->top + y], line_attr(a, p->lines[p->top + y]));
        draw_key_bar(a, SCOPE_PAGER);
}

static unsigned pager_scope(App *a, void *data) {
        (void)a, (void)data;
        return SCOPE_PAGER;
}

static size_t *pager_cursor(App *a, void *data, size_t *ret_n) {
        Pager *p = data;
        size_t n = strv_length(p->lines), rows = pager_rows();
        (void)a;
        /* the cursor is the top line: it goes as far as the last page */
        *ret_n = n > rows ? n - rows + 1 : 1;
        return &p->top;
}

static void pager_other_key(App *a, void *data, int ch) {
        (void)data, (void)ch;
        app_pop(a);
}

void pager_key_close(App *a, int ch) {
        (void)ch;
        app_pop(a);
}

static const ScreenOps pager_screen = {
        .scope = pager_scope,
        .draw = pager_draw,
        .cursor = pager_cursor,
        .other_key = pager_other_key,
        .free = pager_free,
};

int pager_open(App *a, const char *title, char **lines, size_t start) {
        Pager *p = calloc(1, sizeof *p);
        if (!p || !(p->title = strdup(title))) {
                free(p);
                strv_free(lines);
                return -ENOMEM;
        }
        p->text = lines;
        p->top = start;
        p->app = a;
        memcpy(p->message, a->message, sizeof p->message);
        p->message_error = a->message_error;
        a->message[0] = 0;
        return app_push(a, &pager_screen, p);
}
