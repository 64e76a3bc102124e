/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The capability bounding set as a checklist: Space toggles, a all, n none, u the unit's own, Enter keeps,
 * Esc cancels. It starts from the current choice, or the unit's own set. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "caps.h"
#include "draw.h"
#include "keys.h"
#include "macro.h"

typedef struct Checklist {
        uint64_t mask;
        size_t sel, top;
        unsigned last;
} Checklist;

static void caps_draw(App *a, void *data) {
        Checklist *k = data;
        draw_title(a, "capability bounding set");
        put(1, 1, COLS - 2,
            "Space toggles, a all, n none, u the unit's own (no setting), Enter keeps, Esc cancels", A_BOLD);
        size_t rows = LINES - 4 > 1 ? LINES - 4 : 1;
        if (k->sel < k->top)
                k->top = k->sel;
        if (k->sel >= k->top + rows)
                k->top = k->sel - rows + 1;
        for (size_t y = 0; y < rows && k->top + y <= k->last; y++) {
                unsigned c = k->top + y;
                _cleanup_free_ char *name = NULL;
                char line[128];
                (void)caps_mask_to_names(UINT64_C(1) << c, &name);
                snprintf(line, sizeof line, " [%s] %s", k->mask & (UINT64_C(1) << c) ? "x" : " ",
                         name ? name : "?");
                put(2 + y, 0, COLS, line, c == k->sel ? A_REVERSE : 0);
        }
        draw_key_bar(a, SCOPE_CAPS);
}

static unsigned caps_scope(App *a, void *data) {
        (void)a, (void)data;
        return SCOPE_CAPS;
}

static size_t *caps_cursor(App *a, void *data, size_t *ret_n) {
        Checklist *k = data;
        (void)a;
        *ret_n = k->last + 1;
        return &k->sel;
}

static const ScreenOps caps_screen = {
        .scope = caps_scope,
        .draw = caps_draw,
        .cursor = caps_cursor,
        .free = free,
};

void capabilities_open(App *a) {
        Checklist *k = calloc(1, sizeof *k);
        if (!k) {
                set_message(a, true, "Out of memory.");
                return;
        }
        k->last = caps_last_cap();
        if (a->settings.capabilities) {
                for (char **c = a->settings.capabilities; *c; c++) {
                        uint64_t m;
                        if (caps_parse_list(*c, &m, NULL) >= 0)
                                k->mask |= m;
                }
        } else
                k->mask = a->res.svc ? a->res.svc->capability_bounding_set : UINT64_MAX;
        (void)app_push(a, &caps_screen, k);
}

/* Enter: the checked set becomes the setting; everything checked is no setting at all. */
static void caps_keep(App *a, const Checklist *k) {
        _cleanup_free_ char *names = NULL;
        uint64_t all = k->last >= 63 ? UINT64_MAX : (UINT64_C(1) << (k->last + 1)) - 1;
        strv_free(a->settings.capabilities);
        a->settings.capabilities = NULL;
        if ((k->mask & all) == all)
                return;
        a->settings.capabilities = calloc(1, sizeof(char *));
        if (caps_mask_to_names(k->mask & all, &names) >= 0)
                for (char *rest = names, *w; (w = strsep(&rest, " "));)
                        if (*w)
                                (void)strv_extend(&a->settings.capabilities, w);
}

void caps_key(App *a, int ch) {
        Checklist *k = app_top(a)->data;
        switch (ch) {
        case ' ':
                k->mask ^= UINT64_C(1) << k->sel;
                return;
        case 'a':
                k->mask = UINT64_MAX;
                return;
        case 'n':
                k->mask = 0;
                return;
        case 27:
                app_pop(a);
                return;
        case 'u':
                strv_free(a->settings.capabilities);
                a->settings.capabilities = NULL;
                break;
        default: /* Enter */
                caps_keep(a, k);
                break;
        }
        app_pop(a);
        service_changed(a);
}
