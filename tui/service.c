/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* An opened service: its settings, the plan and drop-in computed from them, the four views as tabs, and
 * the actions that write, remove or export the drop-in. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "confine-try.h"
#include "draw.h"
#include "dropin-write.h"
#include "format.h"
#include "keys.h"
#include "macro.h"

static const struct {
        const char *name;
        unsigned scope;
} views[_VIEW_MAX] = {
        {"Settings", SCOPE_SETTINGS},
        {"Closure", SCOPE_CLOSURE},
        {"Mounts", SCOPE_MOUNTS},
        {"Drop-in", SCOPE_DROPIN},
};

static void service_close(App *a) {
        exposure_forget(a);
        confine_result_done(&a->res);
        confine_settings_done(&a->settings);
        free(a->unit);
        free(a->installed);
        strv_free(a->dropin_lines);
        free(a->expanded);
        free(a->rows);
        a->unit = NULL;
        a->installed = NULL;
        a->dropin_lines = NULL;
        a->expanded = NULL;
        a->rows = NULL;
        a->n_rows = 0;
        a->opened = a->dirty = false;
}

/* The list shows the closure's size once known. */
static void service_note_size(App *a) {
        if (!a->res.closure)
                return;
        uint64_t total = 0;
        for (size_t k = 0; k < closure_n_nodes(a->res.closure); k++)
                total += closure_node(a->res.closure, k)->size;
        for (size_t i = 0; i < a->n_entries; i++)
                if (streq(a->entries[i].name, a->unit)) {
                        a->entries[i].closure_size = total;
                        a->entries[i].size_known = true;
                }
}

/* Settings -> plan -> drop-in text, as the command line does; keeps the views' positions. */
void service_recompute(App *a) {
        exposure_forget(a); /* it was for the settings before */
        confine_result_done(&a->res);
        char msg[600];
        snprintf(msg, sizeof msg, "Computing the closure of %s...", a->unit);
        fill_line(LINES - 2, 0);
        put(LINES - 2, 0, COLS, msg, A_BOLD);
        refresh();
        a->res_r = confine_compute(&a->src, a->ctx, a->db, a->unit, &a->settings, false, false, &a->res);
        if (a->res_r < 0) { /* core's words end a sentence of their own (systemd-analyze's do) */
                const char *why = a->res.error ? a->res.error : error_words(-a->res_r);
                set_message(a, true, "Cannot confine %s: %s%s", a->unit, why, endswith(why, ".") ? "" : ".");
        }
        dropin_build(a);
        free(a->expanded);
        a->expanded = a->res.closure ? calloc(closure_n_nodes(a->res.closure) + 1, sizeof(bool)) : NULL;
        for (size_t i = 0; a->expanded && i < closure_n_nodes(a->res.closure); i++)
                a->expanded[i] = closure_node(a->res.closure, i)->root;
        closure_tree_build(a);
        service_note_size(a);
}

void service_changed(App *a) {
        a->dirty = true;
        service_recompute(a);
}

static void service_screen_free(void *data) {
        service_close(data);
}

void service_open(App *a, const char *name) {
        char *err = NULL;
        service_close(a);
        a->unit = strdup(name);
        if (!a->unit)
                return;
        confine_settings_init(&a->settings);
        a->enabled = true;
        a->view = VIEW_SETTINGS;
        memset(a->vsel, 0, sizeof a->vsel);
        memset(a->vtop, 0, sizeof a->vtop);
        memset(a->hscroll, 0, sizeof a->hscroll);
        /* the installed drop-in gives the settings back */
        if (dropin_read(a->root_fd, name, false, &a->installed) >= 0) {
                ConfineSettings s;
                if (confine_dropin_parse(a->installed, &s, &err) >= 0) {
                        confine_settings_done(&a->settings);
                        a->settings = s;
                } else {
                        free(a->installed);
                        a->installed = NULL;
                }
        }
        free(err);
        a->opened = true;
        if (app_push(a, &service_screen, a) < 0)
                return;
        service_recompute(a);
}

/* After a write, a removal or a try: what is installed now, the list's marker, the plan (the message stays).
 */
void service_after_write(App *a) {
        free(a->installed);
        a->installed = NULL;
        (void)dropin_read(a->root_fd, a->unit, false, &a->installed);
        list_set_marker(a, a->unit, a->installed ? "confined" : "");
        a->dirty = false;
        char saved[sizeof a->message];
        bool error = a->message_error;
        memcpy(saved, a->message, sizeof saved);
        service_recompute(a);
        memcpy(a->message, saved, sizeof saved);
        a->message_error = error;
}

static char **view_lines(App *a) {
        switch (a->view) {
        case VIEW_SETTINGS:
                return settings_lines(a);
        case VIEW_CLOSURE:
                return closure_lines(a, COLS);
        case VIEW_MOUNTS:
                return mounts_lines(a);
        }
        return NULL;
}

static int view_attr(App *a, size_t i, const char *t) {
        int attr = 0;
        if (a->view == VIEW_DROPIN && (t[0] == '+' || t[0] == '-') && !startswith(t, "---"))
                attr = attr_of(a, t[0] == '+' ? C_ADD : C_DEL, t[0] == '+' ? A_BOLD : A_DIM);
        if (a->view == VIEW_CLOSURE && i < a->n_rows && a->rows[i].missing >= 0)
                attr = attr_of(a, C_MISSING, A_BOLD | A_UNDERLINE);
        if (a->view == VIEW_CLOSURE && i >= a->n_rows && (startswith(t, "Learned") || startswith(t, "  L ")))
                attr = attr_of(a, C_OURS, A_BOLD);
        if (startswith(t, "Notes") || startswith(t, "Suggestions"))
                attr |= A_BOLD;
        return attr;
}

static void service_draw_tabs(App *a) {
        int x = 1;
        for (int v = 0; v < _VIEW_MAX; v++) {
                char tab[40];
                snprintf(tab, sizeof tab, " %d %s ", v + 1, views[v].name);
                put(1, x, COLS - x, tab, v == a->view ? A_REVERSE | A_BOLD : 0);
                x += text_width(tab) + 1;
        }
}

static void service_draw(App *a, void *data) {
        char title[300];
        (void)data;
        char aliases[200] = "";
        /* the unit's other names: an alias opens it too */
        for (char **n = a->res.svc ? a->res.svc->names : NULL; n && *n; n++)
                if (!streq(*n, a->unit) && strlen(aliases) + strlen(*n) + 12 < sizeof aliases)
                        snprintf(aliases + strlen(aliases), sizeof aliases - strlen(aliases), "%s%s",
                                 aliases[0] ? ", " : " (also ", *n);
        if (aliases[0])
                strcat(aliases, ")");
        snprintf(title, sizeof title, "%s%s%s", a->unit, aliases, a->installed ? " (confined)" : "");
        draw_title(a, title);
        service_draw_tabs(a);
        char **lines = view_lines(a);
        char **shown = a->view == VIEW_DROPIN ? a->dropin_lines : lines;
        size_t n = strv_length(shown);
        int rows = LINES - 4;
        size_t *sel = a->vsel + a->view, *top = a->vtop + a->view;
        if (*sel >= n)
                *sel = n ? n - 1 : 0;
        if (*sel < *top)
                *top = *sel;
        if (*sel >= *top + rows)
                *top = *sel - rows + 1;
        for (int y = 0; y < rows && *top + y < n; y++) {
                size_t i = *top + y;
                int attr = view_attr(a, i, shown[i]);
                if (i == *sel && a->view != VIEW_DROPIN)
                        attr |= A_REVERSE;
                put_scrolled(2 + y, COLS, shown[i], a->hscroll[a->view], attr);
        }
        strv_free(lines);
        draw_key_bar(a, SCOPE_SERVICE | views[a->view].scope);
}

static unsigned service_scope(App *a, void *data) {
        (void)data;
        return SCOPE_SERVICE | views[a->view].scope;
}

static size_t *service_cursor(App *a, void *data, size_t *ret_n) {
        (void)data;
        if (a->view == VIEW_CLOSURE)
                *ret_n = closure_n_lines(a);
        else if (a->view == VIEW_DROPIN)
                *ret_n = strv_length(a->dropin_lines);
        else {
                char **l = view_lines(a);
                *ret_n = strv_length(l);
                strv_free(l);
        }
        /* the drop-in has no selection: the cursor is the top row */
        return a->vsel + a->view;
}

const ScreenOps service_screen = {
        .scope = service_scope,
        .draw = service_draw,
        .cursor = service_cursor,
        .free = service_screen_free,
};

void service_key_view(App *a, int ch) {
        if (ch >= '1' && ch < '1' + _VIEW_MAX)
                a->view = ch - '1';
        else if (ch == '\t')
                a->view = (a->view + 1) % _VIEW_MAX;
        else
                a->view = (a->view + _VIEW_MAX - 1) % _VIEW_MAX;
}

void service_key_scroll(App *a, int ch) {
        int *h = a->hscroll + a->view;
        if (ch == KEY_LEFT || ch == 'h')
                *h = *h > 8 ? *h - 8 : 0;
        else if (*h < 2000)
                *h += 8;
}

static void back_answer(App *a, int key) {
        if (key == 'y' || key == 'Y')
                app_pop(a);
        else
                set_message(a, false, "Kept the changes: w applies them, e exports them.");
}

void service_key_back(App *a, int ch) {
        (void)ch;
        if (!a->dirty) {
                app_pop(a);
                return;
        }
        char q[600];
        snprintf(q, sizeof q, "Discard the unsaved changes to %s? [y/N]", a->unit);
        const char *lines[] = {q};
        app_ask(a, back_answer, 1, lines);
}

static void remove_answer(App *a, int key) {
        _cleanup_free_ char *msg = NULL;
        if (key != 'y' && key != 'Y') {
                set_message(a, false, "Nothing changed.");
                return;
        }
        int r = confine_remove(&a->src, a->root_fd, a->unit, false, true, &msg);
        set_message(a, r < 0, "%s.", msg ? msg : error_words(-r));
        if (r >= 0)
                service_after_write(a);
        if (!a->installed)
                a->enabled = true;
}

/* r, or w with the confinement off: remove the drop-in, after asking */
static void service_remove(App *a, bool revert) {
        _cleanup_free_ char *path = confine_dropin_display_path(&a->src, a->unit, false);
        char q[1024];
        snprintf(q, sizeof q, "%s: remove %s%s and reload%s? [y/N]", revert ? "Revert" : "Confinement is off",
                 revert ? "the confinement drop-in " : "", path, a->src.manager ? " the manager" : "");
        const char *lines[] = {q};
        app_ask(a, remove_answer, 1, lines);
}

static bool service_writable(App *a) {
        if (a->readonly)
                set_message(a, true, "Read-only session: use e to export the drop-in instead (%s).",
                            a->readonly_why);
        return !a->readonly;
}

static void write_answer(App *a, int key) {
        _cleanup_free_ char *msg = NULL;
        if (key <= 0 || key > 255 || !strchr(a->src.manager ? "yYRtT" : "yY", key)) {
                set_message(a, false, "Nothing written.");
                return;
        }
        if (key == 't' || key == 'T') {
                service_try(a);
                return;
        }
        int r = confine_write(&a->src, a->root_fd, a->unit, false, a->res.text, true, key == 'R', &msg);
        set_message(a, r < 0, "%s.", msg ? msg : error_words(-r));
        if (r >= 0)
                service_after_write(a);
}

static void service_write(App *a) {
        _cleanup_free_ char *path = confine_dropin_display_path(&a->src, a->unit, false);
        char l1[1024], l3[256];
        if (!a->res.text) {
                set_message(a, true, "Nothing to write: %s.", a->res.error ? a->res.error : "no drop-in");
                return;
        }
        snprintf(l1, sizeof l1, "Write %s and reload?", path);
        snprintf(l3, sizeof l3, " t  apply, restart and keep only if it works (held %u s, else rolled back)",
                 TRY_DEFAULT_SECONDS);
        const char *const lines[] = {
                l1,
                a->src.manager ? " y  apply (not restarted)   R  apply and restart   n  cancel"
                               : " y  apply (unit files only: no manager here)   n  cancel",
                l3,
        };
        app_ask(a, write_answer, a->src.manager ? 3 : 2, lines);
}

void service_key_apply(App *a, int ch) {
        (void)ch;
        if (!service_writable(a))
                return;
        if (a->enabled)
                service_write(a);
        else
                service_remove(a, false);
}

void service_key_revert(App *a, int ch) {
        (void)ch;
        if (!service_writable(a))
                return;
        service_remove(a, true);
}

static int export_done(App *a, const char *dir, char *err, size_t errsize) {
        (void)err, (void)errsize;
        if (!dir[0]) {
                set_message(a, false, "Nothing exported.");
                return 0;
        }
        _cleanup_free_ char *msg = NULL;
        int r = confine_export(dir, a->unit, a->res.text, &msg);
        set_message(a, r < 0, "%s.", msg ? msg : error_words(-r));
        return 0;
}

static void export_cancel(App *a) {
        set_message(a, false, "Nothing exported.");
}

void service_key_export(App *a, int ch) {
        static const LineEditOps ops = {.done = export_done, .cancel = export_cancel};
        (void)ch;
        if (!a->res.text) {
                set_message(a, true, "Nothing to export: %s.", a->res.error ? a->res.error : "no drop-in");
                return;
        }
        (void)line_edit_open(a, &ops, LINE_EDIT_HOST_PATH,
                             "Export to directory (it gets etc/systemd/system/...):", "", NULL);
}

void service_key_learn(App *a, int ch) {
        (void)ch;
        service_learn(a);
}
