/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The service list: names at once, details filled in while idle, a filter typed at the bottom. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "draw.h"
#include "format.h"
#include "keys.h"
#include "macro.h"
#include "unit-name.h"

static int cmp_by_state;
static const Entry *cmp_base;
static int cmp_visible(const void *x, const void *y) {
        const Entry *p = cmp_base + *(const size_t *)x, *q = cmp_base + *(const size_t *)y;
        if (cmp_by_state) {
                int c = strcmp(p->active, q->active);
                if (c)
                        return c;
        }
        return strcmp(p->name, q->name);
}

static void refilter(App *a) {
        a->n_visible = 0;
        for (size_t i = 0; i < a->n_entries; i++)
                if (!a->filter[0] || strstr(a->entries[i].name, a->filter))
                        a->visible[a->n_visible++] = i;
        cmp_by_state = a->sort_by_state;
        cmp_base = a->entries;
        qsort(a->visible, a->n_visible, sizeof(size_t), cmp_visible);
        if (a->sel >= a->n_visible)
                a->sel = a->n_visible ? a->n_visible - 1 : 0;
}

/* The list comes up at once with the names (and, live, the states); the details that need each unit loaded
 * (confinement marker, description, fragment) are filled in afterwards, a few at a time while no key waits,
 * so a host with thousands of units shows its first frame at once and stays responsive. */
int list_load(App *a) {
        char **names = NULL;
        UnitInfo *infos = NULL;
        size_t n = 0;
        int r = a->src.manager ? manager_list_services(a->src.manager, &infos, &n)
                               : unit_index_list_units(a->src.index, "service", &names);
        if (r < 0)
                return r;
        if (!a->src.manager)
                n = strv_length(names);
        a->entries = calloc(n ? n : 1, sizeof(Entry));
        a->visible = calloc(n ? n : 1, sizeof(size_t));
        if (!a->entries || !a->visible)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *name = a->src.manager ? infos[i].name : names[i];
                Entry *e = a->entries + i;
                bool template = unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
                e->name = strdup(name);
                e->active = strdup(template ? "template" : a->src.manager ? infos[i].active_state : "...");
                e->marker = strdup("");
                e->description = strdup(a->src.manager ? infos[i].description : "");
                if (!e->name || !e->active || !e->marker || !e->description)
                        return -ENOMEM;
        }
        a->n_entries = n;
        a->n_detailed = 0;
        strv_free(names);
        unit_info_free_many(infos, a->src.manager ? n : 0);
        refilter(a);
        return 0;
}

static void replace(char **field, const char *value) {
        free(*field);
        *field = strdup(value ? value : "");
        if (!*field) /* a failed copy leaves an empty field, never a NULL one */
                *field = strdup("");
}

void list_fill_details(App *a, size_t count) {
        for (; count > 0 && a->n_detailed < a->n_entries; count--, a->n_detailed++) {
                Entry *e = a->entries + a->n_detailed;
                Service *s = NULL;
                if (unit_name_is_valid(e->name, UNIT_NAME_TEMPLATE))
                        continue;
                (void)(a->src.manager ? manager_load_summary(a->src.manager, e->name, &s)
                                      : unit_index_load(a->src.index, e->name, &s));
                if (!s) {
                        if (!a->src.manager)
                                replace(&e->active, "error");
                        continue;
                }
                Confinement c = service_confinement(s);
                if (!a->src.manager)
                        replace(&e->active, s->load_state && !streq(s->load_state, "loaded") ? s->load_state
                                                                                             : "inactive");
                replace(&e->marker, c == CONFINE_OURS ? "confined" : c == CONFINE_FOREIGN ? "own root" : "");
                if (s->description)
                        replace(&e->description, s->description);
                free(e->fragment);
                e->fragment = s->fragment_path ? strdup(s->fragment_path) : NULL;
                service_free(s);
        }
        if (a->sort_by_state)
                refilter(a);
}

void list_free(App *a) {
        for (size_t i = 0; i < a->n_entries; i++) {
                free(a->entries[i].name);
                free(a->entries[i].active);
                free(a->entries[i].marker);
                free(a->entries[i].description);
                free(a->entries[i].fragment);
        }
        free(a->entries);
        free(a->visible);
        a->entries = NULL;
        a->visible = NULL;
        a->n_entries = a->n_visible = a->sel = a->top = a->n_detailed = 0;
}

void list_set_marker(App *a, const char *unit, const char *marker) {
        for (size_t i = 0; i < a->n_entries; i++)
                if (streq(a->entries[i].name, unit))
                        replace(&a->entries[i].marker, marker);
}

static void list_draw_row(App *a, int y, const Entry *e, int namew, bool selected) {
        int attr = selected ? A_REVERSE : 0;
        char size[32] = "", col[40];
        fill_line(y, attr);
        put(y, 1, namew, e->name, attr);
        put(y, namew + 2, 10, e->active, attr);
        int mattr = streq(e->marker, "confined") ? attr_of(a, C_OURS, A_BOLD)
                                                 : attr_of(a, C_FOREIGN, A_UNDERLINE);
        put(y, namew + 13, 10, e->marker, attr | mattr);
        if (e->size_known)
                format_size(e->closure_size, size, sizeof size);
        snprintf(col, sizeof col, "%9s", size);
        put(y, namew + 24, COLS - namew - 24, col, attr);
}

static void list_draw(App *a, void *data) {
        int rows = LINES - 4, namew = COLS - 44 > 20 ? COLS - 44 : 20;
        char title[300], reading[64] = "", head[256];
        (void)data;
        if (a->n_detailed < a->n_entries) /* the details fill in while keys work */
                snprintf(reading, sizeof reading, ", reading %zu of %zu", a->n_detailed, a->n_entries);
        snprintf(title, sizeof title, "%s services (%zu%s%s%s%s)", a->src.user ? "user" : "system",
                 a->n_visible, a->filter[0] ? ", filter \"" : "", a->filter, a->filter[0] ? "\"" : "",
                 reading);
        draw_title(a, title);
        snprintf(head, sizeof head, " %-*s %-10s %-10s %9s", namew, "UNIT", "ACTIVE", "CONFINED", "CLOSURE");
        put(1, 0, COLS, head, A_UNDERLINE);
        if (a->sel < a->top)
                a->top = a->sel;
        if (a->sel >= a->top + rows)
                a->top = a->sel - rows + 1;
        for (int y = 0; y < rows && a->top + y < a->n_visible; y++) {
                size_t i = a->top + y;
                list_draw_row(a, 2 + y, a->entries + a->visible[i], namew, i == a->sel);
        }
        if (a->n_visible > 0) { /* the status line: the selected service */
                const Entry *e = a->entries + a->visible[a->sel];
                char buf[600];
                snprintf(buf, sizeof buf, "%s  %s", e->description ? e->description : "",
                         e->fragment ? e->fragment : "");
                put(LINES - 2, 0, COLS, buf, 0);
        }
        draw_key_bar(a, SCOPE_LIST);
}

static unsigned list_scope(App *a, void *data) {
        (void)a, (void)data;
        return SCOPE_LIST;
}

static size_t *list_cursor(App *a, void *data, size_t *ret_n) {
        (void)data;
        *ret_n = a->n_visible;
        return &a->sel;
}

const ScreenOps list_screen = {
        .scope = list_scope,
        .draw = list_draw,
        .cursor = list_cursor,
};

void list_key_open(App *a, int ch) {
        (void)ch;
        if (a->n_visible == 0)
                return;
        const Entry *e = a->entries + a->visible[a->sel];
        if (unit_name_is_valid(e->name, UNIT_NAME_TEMPLATE) || !streq(e->active, "masked"))
                service_open(a, e->name);
        else
                set_message(a, true, "%s is masked: there is nothing to confine.", e->name);
}

/* the filter: the list follows each key; Enter keeps it, Esc clears it */
static void filter_changed(App *a, const char *text) {
        snprintf(a->filter, sizeof a->filter, "%s", text);
        refilter(a);
}

static int filter_done(App *a, const char *text, char *err, size_t errsize) {
        (void)err, (void)errsize;
        filter_changed(a, text);
        return 0;
}

static void filter_cancel(App *a) {
        filter_changed(a, "");
}

void list_key_filter(App *a, int ch) {
        static const LineEditOps ops = {filter_changed, filter_done, filter_cancel};
        (void)ch;
        (void)line_edit_open(a, &ops, LINE_EDIT_TEXT, "Filter:", a->filter, NULL);
}

void list_key_next(App *a, int ch) {
        if (a->n_visible)
                a->sel = ch == 'n' ? (a->sel + 1) % a->n_visible : (a->sel + a->n_visible - 1) % a->n_visible;
}

void list_key_sort(App *a, int ch) {
        (void)ch;
        a->sort_by_state = !a->sort_by_state;
        refilter(a);
        set_message(a, false, "Sorted by %s.", a->sort_by_state ? "state" : "name");
}

/* the other manager: system or the calling user's */
void list_key_user(App *a, int ch) {
        ServiceSource other = {};
        ServiceSourceOptions so = {
                .root = a->options.root, .user = !a->src.user, .offline = a->options.offline};
        _cleanup_free_ char *error = NULL;
        (void)ch;
        if (service_source_open(&so, &other, &error) < 0) {
                set_message(a, true, "Cannot read the %s services: %s", so.user ? "user" : "system",
                            error ? error : "unknown error");
                return;
        }
        service_source_close(&a->src);
        a->src = other;
        list_free(a);
        int r = list_load(a);
        set_message(a, r < 0, r < 0 ? "Cannot list the services." : "Showing the %s services (%s).",
                    a->src.user ? "user" : "system", service_source_name(&a->src));
}

void list_key_escape(App *a, int ch) {
        if (!a->filter[0]) {
                list_key_quit(a, ch);
                return;
        }
        filter_changed(a, "");
        set_message(a, false, "Filter cleared (Esc again quits).");
}

void list_key_quit(App *a, int ch) {
        (void)ch;
        a->quit = true;
}
