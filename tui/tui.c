/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The interactive program. Screens draw rows into the terminal and read keys; every action calls the same
 * functions as the command line (confine-session.c). No busy loop: getch() blocks. */

#include <curses.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>

#include "caps.h"
#include "confine-plan.h"
#include "confine-session.h"
#include "confine-try.h"
#include "dropin-write.h"
#include "fileio.h"
#include "learn.h"
#include "learned-set.h"
#include "macro.h"
#include "format.h"
#include "textdiff.h"
#include "tui.h"
#include "unit-name.h"

/* Before the screen starts or after it ends: an error on stderr, in the operator's words. */
_printf_(1, 2) static void tui_fail(const char *fmt, ...) {
        va_list ap;
        fputs("sdconfine: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

#define MIN_COLS 60
#define MIN_LINES 12

enum { C_TITLE = 1, C_MISSING, C_OURS, C_FOREIGN, C_ADD, C_DEL, C_BAR, C_WARN };
enum { VIEW_SETTINGS, VIEW_CLOSURE, VIEW_MOUNTS, VIEW_DROPIN, _VIEW_MAX };
static const char *const view_names[_VIEW_MAX] = {"Settings", "Closure", "Mounts", "Drop-in"};

typedef struct Entry {
        char *name, *active, *marker, *description, *fragment;
        uint64_t closure_size; /* once the service was opened */
        bool size_known;
} Entry;

typedef struct TreeRow {
        int depth;
        ssize_t node, missing;
        bool has_children, expanded;
} TreeRow;

typedef struct App {
        ServiceSource src;
        int root_fd;
        bool readonly, color, curses;
        TuiOptions options;
        char readonly_why[160];
        ClosureContext *ctx;
        DpkgDb *db;
        char **packages; /* for completion */

        Entry *entries;
        size_t n_entries;
        size_t *visible, n_visible, sel, top;
        size_t n_detailed; /* entries whose details are loaded (the list fills in while idle) */
        char filter[128];
        bool sort_by_state;

        /* the opened service */
        bool opened;
        int view;
        char *unit;
        ConfineSettings settings;
        bool enabled; /* confine (w writes) or not (w reverts) */
        ConfineResult res;
        int res_r;
        char *installed;
        char **dropin_lines;
        bool *expanded;
        TreeRow *rows;
        size_t n_rows;
        size_t vsel[_VIEW_MAX], vtop[_VIEW_MAX];
        char search[128];

        char message[512];
        bool message_error;
} App;

/* Drawing */

static int attr_of(App *a, int pair, unsigned fallback) {
        return a->color ? (int)COLOR_PAIR(pair) : (int)fallback;
}

/* A long path loses its middle ("/usr/lib/x86...libc.so.6"), as in ncdu; into buf. */
static const char *cut_middle(const char *text, int width, char *buf, size_t size) {
        size_t n = strlen(text);
        if ((int)n <= width || width <= 8)
                return text;
        int head = (width - 3) / 2, tail = width - 3 - head;
        snprintf(buf, size, "%.*s...%s", head, text, text + n - tail);
        return buf;
}

/* Put text at (y, x), cut to width: at the end, marked with "..." */
static void put(int y, int x, int width, const char *text, int attr) {
        if (width <= 0 || y < 0 || y >= LINES)
                return;
        char buf[1024];
        if ((int)strlen(text) > width && width > 3) {
                snprintf(buf, sizeof buf, "%.*s...", width - 3, text);
                text = buf;
        }
        attron(attr);
        mvaddnstr(y, x, text, width);
        attroff(attr);
}

static void fill_line(int y, int attr) {
        attron(attr);
        mvhline(y, 0, ' ', COLS);
        attroff(attr);
}

static void set_message(App *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_message(App *a, bool error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->message, sizeof a->message, fmt, ap);
        va_end(ap);
        a->message_error = error;
}

/* A message longer than the screen is wide is wrapped at spaces onto up to three lines above the key bar. */
static void put_message(const char *text, int attr) {
        const char *lines[3];
        int lens[3], n = 0;
        const char *p = text;
        while (*p && n < 3) {
                int len = (int)strlen(p);
                if (len > COLS && n < 2) {
                        int cut = COLS;
                        while (cut > 0 && p[cut] != ' ')
                                cut--;
                        len = cut > 0 ? cut : COLS;
                }
                lines[n] = p;
                lens[n++] = len;
                p += len;
                while (*p == ' ')
                        p++;
        }
        for (int i = 0; i < n; i++) {
                char buf[1024];
                int y = LINES - 1 - n + i;
                snprintf(buf, sizeof buf, "%.*s", lens[i], lines[i]);
                fill_line(y, 0);
                put(y, 0, COLS, buf, attr);
        }
}

static void draw_bars(App *a, const char *keys) {
        /* status line: the message, or what is selected */
        fill_line(LINES - 2, 0);
        if (a->message[0])
                put_message(a->message, a->message_error ? attr_of(a, C_WARN, A_BOLD) : (int)A_BOLD);
        else if (!a->opened && a->n_visible > 0) {
                const Entry *e = a->entries + a->visible[a->sel];
                char buf[600];
                snprintf(buf, sizeof buf, "%s  %s", e->description ? e->description : "",
                         e->fragment ? e->fragment : "");
                put(LINES - 2, 0, COLS, buf, 0);
        }
        /* function-key bar */
        fill_line(LINES - 1, attr_of(a, C_BAR, A_REVERSE));
        put(LINES - 1, 0, COLS, keys, attr_of(a, C_BAR, A_REVERSE));
}

static void draw_title(App *a, const char *title) {
        fill_line(0, attr_of(a, C_TITLE, A_REVERSE));
        char buf[512];
        snprintf(buf, sizeof buf, " sdconfine: %s  [%s%s]", title, service_source_name(&a->src),
                 a->readonly ? ", read-only" : "");
        put(0, 0, COLS, buf, attr_of(a, C_TITLE, A_REVERSE) | A_BOLD);
}

/* The list */

static bool entry_matches(const App *a, const Entry *e) {
        return !a->filter[0] || strstr(e->name, a->filter);
}

static int cmp_entries_state;
static const Entry *cmp_base;
static int cmp_visible(const void *x, const void *y) {
        const Entry *p = cmp_base + *(const size_t *)x, *q = cmp_base + *(const size_t *)y;
        if (cmp_entries_state) {
                int c = strcmp(p->active, q->active);
                if (c)
                        return c;
        }
        return strcmp(p->name, q->name);
}

static void refilter(App *a) {
        a->n_visible = 0;
        for (size_t i = 0; i < a->n_entries; i++)
                if (entry_matches(a, a->entries + i))
                        a->visible[a->n_visible++] = i;
        cmp_entries_state = a->sort_by_state;
        cmp_base = a->entries;
        qsort(a->visible, a->n_visible, sizeof(size_t), cmp_visible);
        if (a->sel >= a->n_visible)
                a->sel = a->n_visible ? a->n_visible - 1 : 0;
}

/* The list comes up at once with the names (and, live, the states); the details that need each unit loaded
 * (confinement marker, description, fragment) are filled in afterwards, a few at a time while no key waits,
 * so a host with thousands of units shows its first frame at once and stays responsive. */
static int load_list(App *a) {
        char **names = NULL;
        UnitInfo *infos = NULL;
        size_t n = 0;
        int r = a->src.manager ? manager_list_services(a->src.manager, &infos, &n)
                               : unit_index_list(a->src.index, "service", &names);
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

/* Load the next count units for their details. */
static void fill_details(App *a, size_t count) {
        for (; count > 0 && a->n_detailed < a->n_entries; count--, a->n_detailed++) {
                Entry *e = a->entries + a->n_detailed;
                Service *s = NULL;
                if (unit_name_is_valid(e->name, UNIT_NAME_TEMPLATE))
                        continue;
                (void)(a->src.manager ? manager_load_summary(a->src.manager, e->name, &s)
                                      : unit_index_load(a->src.index, e->name, &s));
                if (!s) {
                        if (!a->src.manager) {
                                free(e->active);
                                e->active = strdup("error");
                        }
                        continue;
                }
                Confinement c = service_confinement(s);
                if (!a->src.manager) {
                        free(e->active);
                        e->active = strdup(s->load_state && !streq(s->load_state, "loaded") ? s->load_state
                                                                                            : "inactive");
                }
                free(e->marker);
                e->marker = strdup(c == CONFINE_OURS ? "confined" : c == CONFINE_FOREIGN ? "own root" : "");
                if (s->description) {
                        free(e->description);
                        e->description = strdup(s->description);
                }
                free(e->fragment);
                e->fragment = s->fragment_path ? strdup(s->fragment_path) : NULL;
                service_free(s);
                /* a failed copy leaves an empty field, never a NULL one */
                if (!e->active)
                        e->active = strdup("");
                if (!e->marker)
                        e->marker = strdup("");
                if (!e->description)
                        e->description = strdup("");
        }
}

static void free_entries(App *a) {
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

static void draw_list(App *a) {
        int rows = LINES - 4;
        char title[200];
        char reading[64] = "";
        if (a->n_detailed < a->n_entries) /* the details fill in while keys work */
                snprintf(reading, sizeof reading, ", reading %zu of %zu", a->n_detailed, a->n_entries);
        snprintf(title, sizeof title, "%s services (%zu%s%s%s%s)", a->src.user ? "user" : "system",
                 a->n_visible, a->filter[0] ? ", filter \"" : "", a->filter, a->filter[0] ? "\"" : "",
                 reading);
        draw_title(a, title);
        char head[256];
        int namew = COLS - 44 > 20 ? COLS - 44 : 20;
        snprintf(head, sizeof head, " %-*s %-10s %-10s %9s", namew, "UNIT", "ACTIVE", "CONFINED", "CLOSURE");
        put(1, 0, COLS, head, A_UNDERLINE);
        if (a->sel < a->top)
                a->top = a->sel;
        if (a->sel >= a->top + rows)
                a->top = a->sel - rows + 1;
        for (int y = 0; y < rows; y++) {
                size_t i = a->top + y;
                move(2 + y, 0);
                clrtoeol();
                if (i >= a->n_visible)
                        continue;
                const Entry *e = a->entries + a->visible[i];
                char line[512];
                snprintf(line, sizeof line, " %-*.*s %-10s ", namew, namew, e->name, e->active);
                int attr = i == a->sel ? A_REVERSE : 0;
                put(2 + y, 0, COLS, line, attr);
                int mattr = streq(e->marker, "confined") ? attr_of(a, C_OURS, A_BOLD)
                                                         : attr_of(a, C_FOREIGN, A_UNDERLINE);
                int x = (int)strlen(line) < COLS ? (int)strlen(line) : COLS;
                put(2 + y, x, 10, e->marker, attr | mattr);
                char size[32] = "";
                if (e->size_known)
                        format_size(e->closure_size, size, sizeof size);
                char col[40];
                snprintf(col, sizeof col, " %9s", size);
                put(2 + y, x + 10, COLS - x - 10, col, attr);
        }
        draw_bars(a, " F1/? Help  Enter Open  / Filter  n/N Next  s Sort  u User/system  q Quit");
}

/* The opened service */

static void tree_build(App *a);

static void close_service(App *a) {
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
        a->opened = false;
}

/* Settings -> plan -> drop-in text, as the command line does; keeps the previous view positions. */
static void recompute(App *a) {
        confine_result_done(&a->res);
        strv_free(a->dropin_lines);
        a->dropin_lines = NULL;
        set_message(a, false, "Computing the closure of %s...", a->unit);
        draw_bars(a, "");
        refresh();
        a->res_r = confine_compute(&a->src, a->ctx, a->db, a->unit, &a->settings, false, false, &a->res);
        a->message[0] = 0;
        if (a->res_r < 0)
                set_message(a, true, "Cannot confine %s: %s.", a->unit,
                            a->res.error ? a->res.error : error_words(-a->res_r));
        /* the drop-in view: the text, then the change against what is installed */
        char **diff = NULL;
        if (a->res.text && a->installed && !streq(a->installed, a->res.text) &&
            text_diff(a->installed, a->res.text, &diff) >= 0) {
                (void)strv_extend(&a->dropin_lines, "--- change against the installed drop-in ---");
                for (char **l = diff; *l; l++)
                        (void)strv_extend(&a->dropin_lines, *l);
                strv_free(diff);
                (void)strv_extend(&a->dropin_lines, "");
                (void)strv_extend(&a->dropin_lines, "--- the new drop-in ---");
        } else if (a->installed && a->res.text && streq(a->installed, a->res.text))
                (void)strv_extend(&a->dropin_lines, "(installed, unchanged)");
        _cleanup_free_ char *copy = a->res.text ? strdup(a->res.text) : NULL;
        for (char *s = copy, *line; s && (line = strsep(&s, "\n"));)
                if (s || *line)
                        (void)strv_extend(&a->dropin_lines, line);
        free(a->expanded);
        a->expanded = a->res.closure ? calloc(closure_n_nodes(a->res.closure) + 1, sizeof(bool)) : NULL;
        for (size_t i = 0; a->expanded && i < closure_n_nodes(a->res.closure); i++)
                a->expanded[i] = closure_node(a->res.closure, i)->root;
        tree_build(a);
        /* the list shows the closure's size once known */
        if (a->res.closure)
                for (size_t i = 0; i < a->n_entries; i++)
                        if (streq(a->entries[i].name, a->unit)) {
                                uint64_t total = 0;
                                for (size_t k = 0; k < closure_n_nodes(a->res.closure); k++)
                                        total += closure_node(a->res.closure, k)->size;
                                a->entries[i].closure_size = total;
                                a->entries[i].size_known = true;
                        }
}

static void open_service(App *a, const char *name) {
        char *err = NULL;
        close_service(a);
        a->unit = strdup(name);
        confine_settings_init(&a->settings);
        a->enabled = true;
        a->view = VIEW_SETTINGS;
        memset(a->vsel, 0, sizeof a->vsel);
        memset(a->vtop, 0, sizeof a->vtop);
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
        } else
                a->enabled = true;
        free(err);
        a->opened = true;
        recompute(a);
}

static void tree_add(App *a, size_t node, ssize_t parent, int depth, size_t *cap) {
        const Closure *c = a->res.closure;
        const ClosureNode *n = closure_node(c, node);
        bool home = parent < 0 || closure_tree_parent(c, node) == (size_t)parent;
        size_t n_missing = 0;
        for (size_t m = 0; m < closure_n_missing(c); m++)
                n_missing += closure_missing(c, m)->needed_by == node;
        if (!GROW(a->rows, *cap, a->n_rows + 1))
                return;
        bool has_children = home && (n->n_deps > 0 || n_missing > 0);
        a->rows[a->n_rows++] =
                (TreeRow){depth, (ssize_t)node, -1, has_children, has_children && a->expanded[node]};
        if (!has_children || !a->expanded[node] || depth > 64)
                return;
        for (size_t d = 0; d < n->n_deps; d++)
                tree_add(a, n->deps[d], (ssize_t)node, depth + 1, cap);
        for (size_t m = 0; m < closure_n_missing(c); m++)
                if (closure_missing(c, m)->needed_by == node && GROW(a->rows, *cap, a->n_rows + 1))
                        a->rows[a->n_rows++] = (TreeRow){depth + 1, -1, (ssize_t)m, false, false};
}

static void tree_build(App *a) {
        size_t cap = 0;
        free(a->rows);
        a->rows = NULL;
        a->n_rows = 0;
        if (!a->res.closure)
                return;
        for (size_t i = 0; i < closure_n_nodes(a->res.closure); i++)
                if (closure_node(a->res.closure, i)->root)
                        tree_add(a, i, -1, 0, &cap);
        if (a->vsel[VIEW_CLOSURE] >= a->n_rows)
                a->vsel[VIEW_CLOSURE] = a->n_rows ? a->n_rows - 1 : 0;
}

/* What a node alone brings: itself and what only it needs, recursively. */
static uint64_t added_size(const Closure *c, size_t node, unsigned depth) {
        const ClosureNode *n = closure_node(c, node);
        uint64_t s = n->size;
        for (size_t d = 0; d < n->n_deps && depth < 32; d++) {
                const ClosureNode *k = closure_node(c, n->deps[d]);
                if (k->n_needed_by == 1 && !k->root)
                        s += added_size(c, n->deps[d], depth + 1);
        }
        return s;
}

/* Lines of the settings view, with the key that changes each. */
static char **settings_lines(App *a) {
        char **l = NULL, buf[1024];
        const ConfineSettings *s = &a->settings;
#define ADD(...)                                                                                             \
        do {                                                                                                 \
                snprintf(buf, sizeof buf, __VA_ARGS__);                                                      \
                (void)strv_extend(&l, buf);                                                                  \
        } while (0)
#define LIST(key, label, v)                                                                                  \
        do {                                                                                                 \
                size_t k = 0;                                                                                \
                ADD("%-4s %-18s %s", key, label, strv_length(v) ? "" : "(none)");                            \
                for (k = 0; v && v[k]; k++)                                                                  \
                        ADD("       - %s", v[k]);                                                            \
        } while (0)
        ADD("%-4s %-18s [%s]", "Spc", "Confine", a->enabled ? "x" : " ");
        ADD("%-4s %-18s %s", "m", "Mode", confine_mode_to_string(s->mode));
        ADD("%-4s %-18s %s", "b", "/bin/sh",
            s->bin_sh == BIN_SH_NONE     ? "none"
            : s->bin_sh == BIN_SH_CUSTOM ? s->bin_sh_path
                                         : "default (the host's, real file)");
        ADD("%-4s %-18s %s", "f", "Full unit", s->full_unit ? "yes" : "no");
        LIST("p", "Packages", s->packages);
        LIST("a", "Read-only paths", s->paths);
        LIST("W", "Writable paths", s->writable);
        LIST("P", "Presets", s->presets);
        LIST("o", "Overrides", s->overrides);
        if (s->capabilities)
                LIST("c", "Capabilities", s->capabilities);
        else {
                _cleanup_free_ char *own = NULL;
                uint64_t all =
                        caps_last_cap() >= 63 ? UINT64_MAX : (UINT64_C(1) << (caps_last_cap() + 1)) - 1;
                if (a->res.svc && (a->res.svc->capability_bounding_set & all) != all)
                        (void)caps_mask_to_names(a->res.svc->capability_bounding_set & all, &own);
                ADD("%-4s %-18s %s%s", "c", "Capabilities", "the unit's own: ", own ? own : "all");
        }
        ADD("%-4s %-18s %u", "+/-", "Mount budget", s->mount_budget);
        ADD("%s", "");
        if (a->res_r >= 0) {
                ADD("%zu bind mounts%s", a->res.plan.n_binds, a->res.plan.coalesced_dirs ? "" : "");
                if (a->res.plan.coalesced_dirs)
                        ADD("  %zu directories bound whole, exposing %zu more files",
                            a->res.plan.coalesced_dirs, a->res.plan.exposed_files);
        } else
                ADD("Cannot confine: %s", a->res.error ? a->res.error : "");
        if (a->res.n_suggestions) {
                ADD("%s", "");
                ADD("Suggestions (S accepts all):");
                for (size_t i = 0; i < a->res.n_suggestions; i++)
                        ADD("  %s%s: %s", a->res.suggestions[i].preset ? "preset " : "set ",
                            a->res.suggestions[i].preset ? a->res.suggestions[i].preset
                                                         : a->res.suggestions[i].override,
                            a->res.suggestions[i].reason);
        }
        for (char **sg = a->res.plan.suggestions; sg && *sg; sg++)
                ADD("  %s is named in an Exec* line: add it with a if needed", *sg);
        if (a->res.plan.warnings) {
                ADD("%s", "");
                ADD("Notes:");
                for (char **w = a->res.plan.warnings; *w; w++)
                        ADD("  %s", *w);
        }
        if (a->readonly) {
                ADD("%s", "");
                ADD("Read-only session, e still exports: %s.", a->readonly_why);
        }
#undef ADD
#undef LIST
        return l;
}

/* The rows below the tree in the closure view: a heading and each learned bind. */
static size_t learned_rows(const App *a) {
        if (!a->opened || !a->settings.learned)
                return 0;
        size_t n = 0;
        for (size_t i = 0; i < a->res.plan.n_binds; i++)
                n += a->res.plan.binds[i].why && startswith(a->res.plan.binds[i].why, "learned: ");
        return 2 + (n ? n : 1) + (a->n_rows ? 0 : 1);
}

static char **closure_lines(App *a, int width) {
        char **l = NULL, buf[2048], size[32], add[32];
        const Closure *c = a->res.closure;
        const TreeGlyphs *g = output_glyphs();
        uint64_t max = 1;
        for (size_t i = 0; c && i < closure_n_nodes(c); i++)
                if (closure_node(c, i)->size > max)
                        max = closure_node(c, i)->size;
        for (size_t r = 0; r < a->n_rows; r++) {
                const TreeRow *row = a->rows + r;
                char indent[256] = "";
                for (int d = 0; d < row->depth && d < 30; d++)
                        strcat(indent, "  ");
                if (row->missing >= 0) {
                        const ClosureMissing *m = closure_missing(c, row->missing);
                        snprintf(buf, sizeof buf, "%s  ! %s  MISSING: %s (%zu paths tried)", indent, m->name,
                                 m->reason, m->n_tried);
                } else {
                        const ClosureNode *n = closure_node(c, row->node);
                        int bar = (int)(10 * n->size / max);
                        char bars[16], left[1200], right[300], cut[1200];
                        for (int k = 0; k < 10; k++)
                                bars[k] = k < bar ? '#' : ' ';
                        bars[10] = 0;
                        /* the right columns stay; the path gives way, losing its middle */
                        const char *via = n->root ? node_kind_to_string(n->kind) : closure_node_via(n);
                        if (width >= 110)
                                snprintf(right, sizeof right, " %9s %9s [%s] %s%s%s",
                                         format_size(n->size, size, sizeof size),
                                         format_size(added_size(c, row->node, 0), add, sizeof add), bars, via,
                                         n->package ? " " : "", n->package ? n->package : "");
                        else /* narrow: the size and how it was found; the rest with y and wider screens */
                                snprintf(right, sizeof right, " %9s %s",
                                         format_size(n->size, size, sizeof size), via);
                        /* privileges the file carries of its own */
                        if (n->mode & (S_ISUID | S_ISGID) || n->caps) {
                                size_t rl = strlen(right);
                                snprintf(right + rl, sizeof right - rl, "%s%s%s%s",
                                         n->mode & S_ISUID ? " SETUID" : "",
                                         n->mode & S_ISGID ? " SETGID" : "", n->caps ? " CAPS " : "",
                                         n->caps ? n->caps : "");
                        }
                        /* the real file behind links only where there is room for it */
                        bool real = width >= 110 && !streq(n->path, n->realpath);
                        snprintf(left, sizeof left, "%s%s %s%s%s", indent,
                                 row->has_children ? (row->expanded ? "-" : "+") : " ", n->path,
                                 real ? g->arrow : "", real ? n->realpath : "");
                        int lw = width - (int)strlen(right);
                        if (lw < 20)
                                lw = 20;
                        snprintf(buf, sizeof buf, "%-*s%s", lw, cut_middle(left, lw, cut, sizeof cut), right);
                }
                (void)strv_extend(&l, buf);
        }
        if (!l)
                (void)strv_extend(&l, "(no closure)");
        /* what the learned set adds: plan binds of their own, marked as learned */
        if (a->settings.learned) {
                (void)strv_extend(&l, "");
                (void)strv_extend(&l, "Learned (sdconfine learn)");
                size_t n = 0;
                for (size_t i = 0; i < a->res.plan.n_binds; i++) {
                        const Bind *b = a->res.plan.binds + i;
                        if (!b->why || !startswith(b->why, "learned: "))
                                continue;
                        snprintf(buf, sizeof buf, "  L %s%s  %s (%s)", b->dest, b->directory ? "/" : "",
                                 b->writable ? "rw" : "ro", b->why);
                        (void)strv_extend(&l, buf);
                        n++;
                }
                if (!n)
                        (void)strv_extend(
                                &l, "  (nothing beyond the closure: the tree above covers what was learned)");
        }
        return l;
}

static char **mounts_lines(App *a) {
        char **l = NULL, buf[2048];
        bool api = a->settings.mode == CONFINE_FULL_APIVFS;
        snprintf(buf, sizeof buf, "/                       the root: /run/%sconfinement/%s, read-only",
                 a->res.plan.private_root ? "private/" : "", a->unit);
        (void)strv_extend(&l, buf);
        (void)strv_extend(&l, api ? "/proc /sys /dev /tmp    private (full-apivfs), in a user namespace"
                                  : "/proc /sys /dev /tmp    none (chroot-only): empty mount points at most");
        for (size_t i = 0; i < a->res.plan.n_binds; i++) {
                const Bind *b = a->res.plan.binds + i;
                snprintf(buf, sizeof buf, "%s %s%s%s%s  (%s)", b->writable ? "rw" : "ro", b->dest,
                         b->directory ? "/" : "", streq(b->source, b->dest) ? "" : "  <- ",
                         streq(b->source, b->dest) ? "" : b->source, b->why);
                (void)strv_extend(&l, buf);
        }
        (void)strv_extend(
                &l, "rw /run/ /var/run/ /var/lock/  (the root's private /run, on the host below the root)");
        if (a->res.plan.pid_file) {
                snprintf(buf, sizeof buf,
                         "   /run/%s  (PIDFile=, read by systemd from /run/confinement/%s/run/%s)",
                         a->res.plan.pid_file, a->unit, a->res.plan.pid_file);
                (void)strv_extend(&l, buf);
        }
        snprintf(buf, sizeof buf, "%zu mounts; %zu directories bound whole, exposing %zu more files",
                 a->res.plan.n_binds, a->res.plan.coalesced_dirs, a->res.plan.exposed_files);
        (void)strv_extend(&l, "");
        (void)strv_extend(&l, buf);
        return l;
}

static void draw_service(App *a) {
        char title[300];
        snprintf(title, sizeof title, "%s%s", a->unit, a->installed ? " (confined)" : "");
        draw_title(a, title);
        /* the view tabs */
        move(1, 0);
        clrtoeol();
        int x = 1;
        for (int v = 0; v < _VIEW_MAX; v++) {
                char tab[40];
                snprintf(tab, sizeof tab, " %d %s ", v + 1, view_names[v]);
                put(1, x, COLS - x, tab, v == a->view ? A_REVERSE | A_BOLD : 0);
                x += strlen(tab) + 1;
        }
        char **lines = a->view == VIEW_SETTINGS  ? settings_lines(a)
                       : a->view == VIEW_CLOSURE ? closure_lines(a, COLS)
                       : a->view == VIEW_MOUNTS  ? mounts_lines(a)
                                                 : NULL;
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
        for (int y = 0; y < rows; y++) {
                size_t i = *top + y;
                move(2 + y, 0);
                clrtoeol();
                if (i >= n)
                        continue;
                int attr = 0;
                const char *t = shown[i];
                if (a->view == VIEW_DROPIN && (t[0] == '+' || t[0] == '-') && !startswith(t, "---"))
                        attr = attr_of(a, t[0] == '+' ? C_ADD : C_DEL, t[0] == '+' ? A_BOLD : A_DIM);
                if (a->view == VIEW_CLOSURE && i < a->n_rows && a->rows[i].missing >= 0)
                        attr = attr_of(a, C_MISSING, A_BOLD | A_UNDERLINE);
                if (a->view == VIEW_CLOSURE && i >= a->n_rows &&
                    (startswith(t, "Learned") || startswith(t, "  L ")))
                        attr = attr_of(a, C_OURS, A_BOLD);
                if (i == *sel && a->view != VIEW_DROPIN)
                        attr |= A_REVERSE;
                put(2 + y, 0, COLS, t, attr);
        }
        strv_free(lines);
        static const char *const keys[_VIEW_MAX] = {
                " ?Help 1-4/Tab View Spc Confine m Mode b sh p Pkg a Path W Writable P Preset S Suggested L "
                "Learn w Apply r Revert e Export q Back",
                " ?Help 1-4/Tab View Enter/Right Expand Left Collapse * All y Why / Search n Next L Learn w "
                "Apply r Revert q Back",
                " ?Help 1-4/Tab View arrows/PgUp/PgDn Move L Learn w Apply r Revert e Export q Back",
                " ?Help 1-4/Tab View arrows/PgUp/PgDn Scroll L Learn w Apply r Revert e Export q Back",
        };
        draw_bars(a, keys[a->view]);
}

static void draw(App *a) {
        erase();
        if (COLS < MIN_COLS || LINES < MIN_LINES) {
                char buf[128];
                snprintf(buf, sizeof buf, "Terminal too small (%dx%d): sdconfine needs %dx%d.", COLS, LINES,
                         MIN_COLS, MIN_LINES);
                put(0, 0, COLS, buf, A_BOLD);
                put(1, 0, COLS, "Enlarge the window, or q to quit.", 0);
                refresh();
                return;
        }
        if (a->opened)
                draw_service(a);
        else
                draw_list(a);
        refresh();
}

/* Input */

static bool is_enter(int ch) {
        return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

/* A line editor on the status line. Tab completes from choices (the longest common prefix). Returns false
 * on Esc. */
static bool prompt(App *a, const char *question, char *buf, size_t size, char **choices) {
        size_t n = strlen(buf);
        curs_set(1);
        for (;;) {
                fill_line(LINES - 2, 0);
                char line[1024];
                snprintf(line, sizeof line, "%s %s", question, buf);
                put(LINES - 2, 0, COLS, line, A_BOLD);
                refresh();
                int ch = getch();
                if (ch == 27) {
                        curs_set(0);
                        return false;
                }
                if (is_enter(ch)) {
                        curs_set(0);
                        return true;
                }
                if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
                        buf[--n] = 0;
                else if (ch == '\t' && choices) {
                        const char *first = NULL;
                        size_t common = 0;
                        for (char **c = choices; *c; c++)
                                if (strncmp(*c, buf, n) == 0) {
                                        if (!first) {
                                                first = *c;
                                                common = strlen(*c);
                                        } else {
                                                size_t k = 0;
                                                while (k < common && first[k] == (*c)[k])
                                                        k++;
                                                common = k;
                                        }
                                }
                        if (first && common < size) {
                                memcpy(buf, first, common);
                                buf[common] = 0;
                                n = common;
                        }
                } else if (ch >= 32 && ch < 256 && n + 1 < size) {
                        buf[n++] = (char)ch;
                        buf[n] = 0;
                } else if (ch == KEY_RESIZE)
                        draw(a);
        }
}

static bool confirm(App *a, const char *question, const char *keys, int *ret_key) {
        put_message(question, A_BOLD);
        refresh();
        int ch = getch();
        if (ret_key)
                *ret_key = ch;
        return ch < 256 && ch > 0 && strchr(keys, ch);
}

static void show_help(App *a) {
        static const char *const list_help[] = {
                "Service list",
                "  Up/Down, j/k        move          PgUp/PgDn, g/G   page, first/last",
                "  Enter               open the service: settings, closure, mounts, drop-in",
                "  /                   filter by name (Enter keeps it, Esc clears it)",
                "  n / N               next / previous service matching the filter",
                "  s                   sort by name or by state",
                "  u                   switch between the system and the user's services",
                "  Ctrl-L              redraw          q, Esc   quit",
                NULL,
        };
        static const char *const service_help[] = {
                "A service",
                "  1 2 3 4, Tab        Settings, Closure tree, Mounts, Drop-in",
                "  Up/Down, j/k        move          PgUp/PgDn, g/G   page, first/last",
                "  Settings:  Space confine on/off   m mode   b /bin/sh (default, none, a path)   f full "
                "unit",
                "             p package (Tab completes)   a read-only path   W writable path   P preset",
                "             o override KEY=VALUE   c capabilities (a checklist)   x remove the selected "
                "entry   +/- budget",
                "             S accept all suggestions",
                "  Closure:   Enter/Right expand   Left collapse   * expand all   y why is it here   / "
                "search, n next",
                "  w apply: asks y (write, reload), t (also restart, keep only if it works), n",
                "  r revert   e export to a directory",
                "  L learn what the service opens (N s, live counter, needs root): the learned",
                "    files join the plan, at the end of the closure tree",
                "  Ctrl-L redraw    q, Esc back",
                NULL,
        };
        erase();
        const char *const *h = a->opened ? service_help : list_help;
        for (int i = 0; h[i]; i++)
                put(i + 1, 1, COLS - 2, h[i], i == 0 ? A_BOLD : 0);
        put(LINES - 1, 0, COLS, " Any key returns", attr_of(a, C_BAR, A_REVERSE));
        refresh();
        getch();
}

/* After a write, a removal or a try: what is installed now, the list's marker, the plan (the message stays).
 */
static void after_write(App *a) {
        free(a->installed);
        a->installed = NULL;
        (void)dropin_read(a->root_fd, a->unit, false, &a->installed);
        for (size_t i = 0; i < a->n_entries; i++)
                if (streq(a->entries[i].name, a->unit)) {
                        free(a->entries[i].marker);
                        a->entries[i].marker = strdup(a->installed ? "confined" : "");
                }
        char saved[512];
        memcpy(saved, a->message, sizeof saved);
        recompute(a);
        memcpy(a->message, saved, sizeof saved);
}

/* A question on the lines above the key bar, one line each; returns the key when it is one of keys. */
static bool confirm_lines(App *a, const char *const *lines, size_t n, const char *keys, int *ret_key) {
        for (size_t i = 0; i < n; i++) {
                int y = LINES - 1 - (int)n + (int)i;
                fill_line(y, 0);
                put(y, 0, COLS, lines[i], A_BOLD);
        }
        refresh();
        int ch = getch();
        (void)a;
        if (ret_key)
                *ret_key = ch;
        return ch < 256 && ch > 0 && strchr(keys, ch);
}

static void strv_addf(char ***l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void strv_addf(char ***l, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        (void)strv_extend(l, buf);
}

/* A scrollable text screen (the try's result): q, Esc or Enter dismiss it. */
static void show_text(App *a, const char *title, char **text) {
        size_t n = 0, top = 0;
        char **lines = NULL;
        int width = 0;
        for (;;) {
                /* long lines wrap at spaces (continued lines indented), again after a resize */
                if (width != COLS) {
                        width = COLS;
                        strv_free(lines);
                        lines = NULL;
                        for (char **t = text; t && *t; t++) {
                                const char *p = *t;
                                bool first = true;
                                do {
                                        int w = first ? width : width - 4, len = (int)strlen(p);
                                        if (w < 10)
                                                w = 10;
                                        if (len > w) {
                                                int cut = w;
                                                while (cut > w / 2 && p[cut] != ' ')
                                                        cut--;
                                                len = p[cut] == ' ' ? cut : w;
                                        }
                                        strv_addf(&lines, "%s%.*s", first ? "" : "    ", len, p);
                                        p += len;
                                        while (*p == ' ')
                                                p++;
                                        first = false;
                                } while (*p);
                        }
                        n = strv_length(lines);
                }
                erase();
                draw_title(a, title);
                int rows = LINES - 3;
                if (rows < 1)
                        rows = 1;
                if (n > (size_t)rows && top > n - rows)
                        top = n - rows;
                for (int y = 0; y < rows && top + y < n; y++) {
                        const char *t = lines[top + y];
                        int attr = startswith(t, "Kept") || startswith(t, "Held") ? attr_of(a, C_OURS, A_BOLD)
                                   : startswith(t, "Rolled back")                 ? attr_of(a, C_WARN, A_BOLD)
                                   : startswith(t, "--path") || startswith(t, "--writable") ||
                                                   startswith(t, "Suggestion")
                                           ? attr_of(a, C_ADD, A_BOLD)
                                           : 0;
                        put(1 + y, 0, COLS, t, attr);
                }
                fill_line(LINES - 1, attr_of(a, C_BAR, A_REVERSE));
                put(LINES - 1, 0, COLS, " Up/Down/PgUp/PgDn Scroll  q/Esc/Enter Back",
                    attr_of(a, C_BAR, A_REVERSE));
                refresh();
                int ch = getch();
                if (ch == 'q' || ch == 27 || is_enter(ch)) {
                        strv_free(lines);
                        return;
                }
                if ((ch == KEY_UP || ch == 'k') && top > 0)
                        top--;
                else if ((ch == KEY_DOWN || ch == 'j') && top + rows < n)
                        top++;
                else if (ch == KEY_PPAGE)
                        top = top > (size_t)rows ? top - rows : 0;
                else if (ch == KEY_NPAGE && n > (size_t)rows)
                        top = top + rows < n - rows ? top + rows : n - rows;
                else if (ch == 'g' || ch == KEY_HOME)
                        top = 0;
                else if ((ch == 'G' || ch == KEY_END) && n > (size_t)rows)
                        top = n - rows;
        }
}

/* t at the apply question: write, reload, restart, hold, keep only if it works (confine_try). */
static void do_try(App *a) {
        if (!a->src.manager) {
                set_message(a, true, "Trying needs a service manager to restart %s: none answers here.",
                            a->unit);
                return;
        }
        if (unit_name_is_valid(a->unit, UNIT_NAME_TEMPLATE)) {
                set_message(a, true, "%s is a template: try one of its instances.", a->unit);
                return;
        }
        TryOptions o = {.seconds = TRY_DEFAULT_SECONDS};
        TryResult t = {};
        set_message(a, false, "Trying the confinement of %s: restarted, held for %u s (%u s)...", a->unit,
                    o.seconds, o.seconds);
        draw(a);
        int r = confine_try(&a->src, a->root_fd, a->unit, a->res.text, &o, &t);
        a->message[0] = 0;
        if (r < 0 && t.error) {
                set_message(a, true, "The try could not start: %s.", t.error);
                try_result_done(&t);
                return;
        }
        char **l = NULL;
        if (t.kept) {
                strv_addf(&l, "Kept: %s held for %u s confined; the drop-in stays.", a->unit, o.seconds);
                strv_addf(&l, "%s.", t.summary ? t.summary : "Kept");
                set_message(a, false, "Kept: %s held for %u s confined.", a->unit, o.seconds);
        } else {
                strv_addf(&l, "Rolled back: %s.", t.failure ? t.failure : "out of memory");
                if (t.rollback)
                        strv_addf(&l, "%s: %s.",
                                  t.rollback_failed ? "The rollback did not complete" : "The rollback",
                                  t.rollback);
                set_message(a, true, "Rolled back: %s.", t.failure ? t.failure : "out of memory");
        }
        if (t.check_output && *t.check_output) {
                strv_addf(&l, "%s", "");
                strv_addf(&l, "%s", "The check's output (its end):");
                for (char *rest = t.check_output, *x; (x = strsep(&rest, "\n"));)
                        if (*x || rest)
                                strv_addf(&l, "  %s", x);
        }
        if (!t.kept) {
                strv_addf(&l, "%s", "");
                if (t.journal_error)
                        strv_addf(&l, "The journal of the attempt: %s. See journalctl -u %s.",
                                  t.journal_error, a->unit);
                else if (t.journal && t.journal[0]) {
                        strv_addf(&l,
                                  "The journal during the try (journalctl -u %s --since \"%s\"):", a->unit,
                                  t.since ? t.since : "today");
                        for (char **j = t.journal; *j; j++)
                                strv_addf(&l, "  %s", *j);
                } else
                        strv_addf(&l, "%s logged nothing during the try.", a->unit);
                strv_addf(&l, "%s", "");
                if (!t.n_suggestions)
                        strv_addf(&l, "%s", "Suggestions: none from the journal.");
                else
                        strv_addf(&l, "Suggestions (%zu):", t.n_suggestions);
                for (size_t i = 0; i < t.n_suggestions; i++) {
                        const JournalSuggestion *sg = t.suggestions + i;
                        switch (sg->hint) {
                        case JOURNAL_HINT_PATH:
                                strv_addf(&l, "%s %s (journal: %s)", sg->writable ? "--writable" : "--path",
                                          sg->path, sg->line);
                                break;
                        case JOURNAL_HINT_PERL_MODULE:
                                strv_addf(&l,
                                          "the Perl module %s is missing: --path its directory of @INC "
                                          "(journal: %s)",
                                          sg->what, sg->line);
                                break;
                        case JOURNAL_HINT_PYTHON_MODULE:
                                strv_addf(&l,
                                          "the Python module %s is missing: --path its directory of sys.path "
                                          "(journal: %s)",
                                          sg->what, sg->line);
                                break;
                        case JOURNAL_HINT_LIBRARY:
                                strv_addf(&l,
                                          "the library %s is missing: --path the file ldconfig -p names "
                                          "(journal: %s)",
                                          sg->what, sg->line);
                                break;
                        }
                }
                if (t.stored)
                        strv_addf(&l,
                                  "The suggested paths are kept in %s (apply --suggested takes them); add "
                                  "them here "
                                  "with a and W.",
                                  t.stored);
                else if (t.store_error)
                        strv_addf(&l, "The suggested paths: %s.", t.store_error);
        }
        show_text(a, t.kept ? "the try held: kept" : "the try failed: rolled back", l);
        strv_free(l);
        try_result_done(&t);
        after_write(a);
}

static void do_apply(App *a) {
        if (a->readonly) {
                set_message(a, true, "Read-only session: use e to export the drop-in instead (%s).",
                            a->readonly_why);
                return;
        }
        _cleanup_free_ char *path = confine_dropin_display_path(&a->src, a->unit, false), *msg = NULL;
        char q[1024];
        int key = 0, r;
        if (!a->enabled) {
                snprintf(q, sizeof q, "Confinement is off: remove %s and reload%s? [y/N]", path,
                         a->src.manager ? " the manager" : "");
                if (!confirm(a, q, "yY", NULL)) {
                        set_message(a, false, "Nothing changed.");
                        return;
                }
                r = confine_remove(&a->src, a->root_fd, a->unit, false, true, &msg);
        } else {
                if (!a->res.text) {
                        set_message(a, true, "Nothing to write: %s.",
                                    a->res.error ? a->res.error : "no drop-in");
                        return;
                }
                char l1[1024], l3[256];
                snprintf(l1, sizeof l1, "Write %s and reload?", path);
                snprintf(l3, sizeof l3,
                         " t  apply, restart and keep only if it works (held %u s, else rolled back)",
                         TRY_DEFAULT_SECONDS);
                const char *const lines[] = {
                        l1,
                        a->src.manager ? " y  apply (not restarted)   R  apply and restart   n  cancel"
                                       : " y  apply (unit files only: no manager here)   n  cancel",
                        l3,
                };
                if (!confirm_lines(a, lines, a->src.manager ? 3 : 2, a->src.manager ? "yYRtT" : "yY", &key)) {
                        set_message(a, false, "Nothing written.");
                        return;
                }
                if (key == 't' || key == 'T') {
                        do_try(a);
                        return;
                }
                r = confine_write(&a->src, a->root_fd, a->unit, false, a->res.text, true, key == 'R', &msg);
        }
        set_message(a, r < 0, "%s.", msg ? msg : error_words(-r));
        if (r >= 0)
                after_write(a);
}

/* L: learn what the service opens (fanotify), as 'sdconfine learn' does, with a live counter. */

/* The start job of a unit that is not running, in a thread: meanwhile every open of the manager waits for
 * this thread's answer, so the main thread never waits on the manager itself. */
typedef struct TuiStartJob {
        Manager *manager;
        const char *unit;
        uint64_t timeout_usec;
        int efd;
        int r;
        char *result;
        char *control_group;
} TuiStartJob;

static void *tui_start_job(void *userdata) {
        TuiStartJob *j = userdata;
        j->r = manager_run_job(j->manager, "StartUnit", j->unit, j->timeout_usec, &j->result);
        if (j->r >= 0 && streq_ptr(j->result, "done")) {
                UnitStatus st = {};
                if (manager_unit_status(j->manager, j->unit, &st) >= 0)
                        j->control_group = TAKE_PTR(st.control_group);
                unit_status_done(&st);
        }
        uint64_t one = 1;
        if (write(j->efd, &one, sizeof one) < 0) {
                /* joined at the end anyway */
        }
        return NULL;
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct TuiKnown {
        const MountPlan *plan;
        const Service *svc;
} TuiKnown;

static bool tui_known_path(const char *path, void *userdata) {
        const TuiKnown *k = userdata;
        return k->plan && confine_plan_covers(k->plan, k->svc, path);
}

static void learn_counter(App *a, const char *unit, const Learner *l, uint64_t left_usec, bool starting) {
        LearnerStats s;
        char line[512];
        learner_stats(l, &s);
        snprintf(line, sizeof line, "Learning %s: %u s left, %zu opens, %zu files, %zu new%s (q stops)", unit,
                 (unsigned)((left_usec + 999999) / 1000000), s.unit_opens, s.seen, s.new,
                 starting ? ", starting it" : "");
        fill_line(LINES - 3, 0);
        fill_line(LINES - 2, 0);
        put(LINES - 2, 0, COLS, line, attr_of(a, C_OURS, A_BOLD));
        refresh();
}

static void do_learn(App *a) {
        if (!a->src.manager || a->options.root) {
                set_message(a, true,
                            "Learning watches the running service: it needs the service manager (not --root, "
                            "not --offline).");
                return;
        }
        if (a->src.user) {
                set_message(a, true, "Learning is for system services (and needs CAP_SYS_ADMIN, root).");
                return;
        }
        if (unit_name_is_valid(a->unit, UNIT_NAME_TEMPLATE)) {
                set_message(a, true, "%s is a template: learn one of its instances.", a->unit);
                return;
        }
        /* a copy: recompute() at the end frees the plan's service */
        _cleanup_free_ char *unit = strdup(a->res.svc && a->res.svc->id ? a->res.svc->id : a->unit);
        if (!unit) {
                set_message(a, true, "Out of memory.");
                return;
        }
        _cleanup_(learner_freep) Learner *l = NULL;
        int r = learner_new(unit, &l);
        if (r == -EPERM || r == -EACCES) {
                set_message(
                        a, true,
                        "learning needs CAP_SYS_ADMIN (root): fanotify, which sees every file the service "
                        "opens, is for root only.");
                return;
        }
        if (r < 0) {
                set_message(a, true,
                            "Cannot use fanotify: %s (a kernel with fanotify permission events is needed).",
                            error_words(-r));
                return;
        }
        char buf[32] = "";
        if (!prompt(a, "Learn for how many seconds? (Enter: 30)", buf, sizeof buf, NULL)) {
                set_message(a, false, "Nothing learned.");
                return;
        }
        unsigned seconds = 30;
        if (buf[0]) {
                char *end;
                errno = 0;
                unsigned long v = strtoul(buf, &end, 10);
                if (errno || end == buf || *end || v < 1 || v > 86400) {
                        set_message(a, true, "'%s': give a number of seconds from 1 to 86400.", buf);
                        return;
                }
                seconds = (unsigned)v;
        }
        UnitStatus st = {};
        r = manager_unit_status(a->src.manager, unit, &st);
        if (r < 0 || !streq_ptr(st.load_state, "loaded")) {
                const char *why = r < 0 ? manager_last_error(a->src.manager) : st.load_state;
                set_message(a, true, "Cannot learn %s: %s.", unit,
                            why     ? why
                            : r < 0 ? error_words(-r)
                                    : "not loaded");
                unit_status_done(&st);
                return;
        }
        bool running = !streq_ptr(st.active_state, "inactive") && !streq_ptr(st.active_state, "failed");
        if (running && !st.control_group && streq_ptr(st.active_state, "active")) {
                set_message(a, true,
                            "%s is active but runs no process (a oneshot that finished): stop it, then learn "
                            "again (learning starts it).",
                            unit);
                unit_status_done(&st);
                return;
        }
        TuiKnown known = {a->res_r >= 0 ? &a->res.plan : NULL, a->res.svc};
        learner_set_known(l, tui_known_path, &known);
        r = learner_set_cgroup(l, running ? st.control_group : NULL);
        unit_status_done(&st);
        if (r < 0) {
                set_message(a, true, "Cannot tell the processes of %s by their cgroup.", unit);
                return;
        }
        /* everything that reads files is done: the screen as it is, then the watch */
        draw(a);
        int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (efd < 0) {
                set_message(a, true, "Cannot create an eventfd: %s.", error_words(errno));
                return;
        }
        TuiStartJob job = {.manager = a->src.manager,
                           .unit = unit,
                           .efd = efd,
                           .timeout_usec = (uint64_t)seconds * 1000000};
        pthread_t thread;
        bool job_running = false, started = false, stopped_early = false;
        int watch_error = 0;
        /* From here until learner_stop() nothing may open a file on a watched file system. */
        r = learner_watch(l);
        if (r < 0) {
                close(efd);
                set_message(a, true, "Cannot watch the root file system with fanotify: %s.", error_words(-r));
                return;
        }
        if (!running) {
                if (pthread_create(&thread, NULL, tui_start_job, &job) != 0) {
                        learner_stop(l);
                        close(efd);
                        set_message(a, true, "Cannot start a thread for the start job of %s.", unit);
                        return;
                }
                job_running = started = true;
        }
        uint64_t start = mono_usec(), deadline = start + (uint64_t)seconds * 1000000;
        timeout(0);
        for (;;) {
                uint64_t now = mono_usec();
                if (now >= deadline)
                        break;
                learn_counter(a, unit, l, deadline - now, job_running);
                /* at least once a second: until the next whole second left, or the deadline */
                uint64_t left = deadline - now, step = left % 1000000 ? left % 1000000 : 1000000;
                struct pollfd p[3] = {{learner_fd(l), POLLIN, 0},
                                      {STDIN_FILENO, POLLIN, 0},
                                      {job_running ? efd : -1, POLLIN, 0}};
                int k = poll(p, 3, (int)((step + 999) / 1000));
                if (k < 0 && errno != EINTR) {
                        watch_error = -errno;
                        break;
                }
                if (k > 0 && p[0].revents) {
                        int q = learner_process(l);
                        if (q < 0 && !watch_error)
                                watch_error = q;
                }
                if (k > 0 && (p[2].revents & POLLIN)) {
                        uint64_t v;
                        if (read(efd, &v, sizeof v) == sizeof v)
                                job_running = false;
                        if (job.control_group && learner_set_cgroup(l, job.control_group) < 0 && !watch_error)
                                watch_error = -ENOMEM;
                }
                /* keys (ncurses may hold some already): q or Esc stops */
                int ch;
                while ((ch = getch()) != ERR)
                        if (ch == 'q' || ch == 'Q' || ch == 27)
                                stopped_early = true;
                if (stopped_early)
                        break;
        }
        unsigned elapsed = (unsigned)((mono_usec() - start + 500000) / 1000000);
        learner_stop(l);
        timeout(-1);
        /* the watch is over: files, the manager and words may be used again */
        char note[300] = "";
        if (started) {
                pthread_join(thread, NULL);
                if (job.r < 0 || !streq_ptr(job.result, "done"))
                        snprintf(note, sizeof note, " Note: %s did not start (%s); see journalctl -u %s.",
                                 unit,
                                 job.r < 0    ? error_words(-job.r)
                                 : job.result ? job.result
                                              : "?",
                                 unit);
                free(job.result);
                free(job.control_group);
        }
        close(efd);
        LearnerStats s;
        learner_stats(l, &s);
        _cleanup_free_ char *err = NULL;
        r = learned_set_merge_save(a->root_fd, learner_set(l), &err);
        if (started) {
                _cleanup_free_ char *result = NULL;
                set_message(a, false, "Stopping %s again (it was started for learning)...", unit);
                draw(a);
                int q = manager_run_job(a->src.manager, "StopUnit", unit, 90 * UINT64_C(1000000), &result);
                if (q < 0 || !streq_ptr(result, "done")) {
                        size_t n = strlen(note);
                        snprintf(note + n, sizeof note - n,
                                 " %s was started for learning and did not stop: "
                                 "systemctl stop %s.",
                                 unit, unit);
                }
                a->message[0] = 0;
        }
        if (r < 0) {
                set_message(a, true, "Cannot save the learned set of %s: %s.", unit,
                            err ? err : error_words(-r));
                return;
        }
        if (watch_error && !note[0])
                snprintf(note, sizeof note, " Some events could not be learned from (%s).",
                         error_words(-watch_error));
        a->settings.learned = true;
        recompute(a);
        set_message(a, false,
                    "Learned %zu files (%zu new) of %s in %u s%s: /var/lib/sdconfine/learned/%s.json; the "
                    "plan includes them (2 shows them).%s",
                    s.seen, s.new, unit, elapsed, stopped_early ? ", stopped" : "", unit, note);
}
static void do_export(App *a) {
        char dir[512] = "";
        if (!a->res.text) {
                set_message(a, true, "Nothing to export: %s.", a->res.error ? a->res.error : "no drop-in");
                return;
        }
        if (!prompt(a, "Export to directory (it gets etc/systemd/system/...):", dir, sizeof dir, NULL) ||
            !dir[0]) {
                set_message(a, false, "Nothing exported.");
                return;
        }
        _cleanup_free_ char *msg = NULL;
        int r = confine_export(dir, a->unit, a->res.text, &msg);
        set_message(a, r < 0, "%s.", msg ? msg : error_words(-r));
}

static void list_edit(App *a, char ***list, const char *question, bool absolute, char **choices) {
        char buf[512] = "";
        if (!prompt(a, question, buf, sizeof buf, choices) || !buf[0])
                return;
        if (absolute && buf[0] != '/') {
                set_message(a, true, "%s: give an absolute path.", buf);
                return;
        }
        if (list == &a->settings.presets && !confine_preset_find(buf)) {
                set_message(a, true,
                            "Unknown preset '%s': users resolve tls timezone locale terminfo package plugins "
                            "state.",
                            buf);
                return;
        }
        if (!strv_contains(*list, buf))
                (void)strv_extend(list, buf);
        recompute(a);
}

/* x on a list entry of the settings view removes it */
static void remove_selected(App *a) {
        char **lines = settings_lines(a);
        size_t sel = a->vsel[VIEW_SETTINGS];
        const char *line = sel < strv_length(lines) ? lines[sel] : NULL;
        const char *v = line ? startswith(line, "       - ") : NULL;
        if (v) {
                char ***lists[] = {&a->settings.packages, &a->settings.paths, &a->settings.writable,
                                   &a->settings.presets, &a->settings.overrides};
                for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                        char **l = *lists[k];
                        size_t n = strv_length(l);
                        for (size_t i = 0; i < n; i++)
                                if (streq(l[i], v)) {
                                        free(l[i]);
                                        memmove(l + i, l + i + 1, (n - i) * sizeof(char *));
                                        goto done;
                                }
                }
        done:
                recompute(a);
        }
        strv_free(lines);
}

static void closure_key(App *a, int ch) {
        size_t *sel = a->vsel + VIEW_CLOSURE;
        TreeRow *row = *sel < a->n_rows ? a->rows + *sel : NULL;
        if (!row)
                return;
        if ((is_enter(ch) || ch == KEY_RIGHT || ch == 'l') && row->has_children) {
                a->expanded[row->node] = !(row->expanded && ch != KEY_RIGHT && ch != 'l');
                tree_build(a);
        } else if ((ch == KEY_LEFT || ch == 'h') && row->node >= 0) {
                if (row->expanded) {
                        a->expanded[row->node] = false;
                        tree_build(a);
                } else
                        for (size_t i = *sel; i-- > 0;)
                                if (a->rows[i].depth < row->depth) {
                                        *sel = i;
                                        break;
                                }
        } else if (ch == '*') {
                for (size_t i = 0; i < closure_n_nodes(a->res.closure); i++)
                        a->expanded[i] = true;
                tree_build(a);
        } else if (ch == 'y' && row->node >= 0) {
                size_t *chain, n;
                if (closure_why(a->res.closure, row->node, &chain, &n) >= 0) {
                        char buf[2048] = "Why: ";
                        for (size_t i = 0; i < n; i++) {
                                const char *p = closure_node(a->res.closure, chain[i])->path;
                                if (strlen(buf) + strlen(p) + 8 < sizeof buf) {
                                        strcat(buf, p);
                                        if (i + 1 < n)
                                                strcat(buf, output_utf8() ? " → " : " -> ");
                                }
                        }
                        /* the rule's reason for the last step, when a rule beyond the loader found it */
                        const char *reason = closure_node(a->res.closure, row->node)->reason;
                        if (reason && strlen(buf) + strlen(reason) + 4 < sizeof buf) {
                                strcat(buf, " (");
                                strcat(buf, reason);
                                strcat(buf, ")");
                        }
                        set_message(a, false, "%s", buf);
                        free(chain);
                }
        } else if (ch == 'y' && row->missing >= 0) {
                const ClosureMissing *m = closure_missing(a->res.closure, row->missing);
                set_message(a, true, "%s is missing (%s); needed by %s; %zu paths tried, e.g. %s", m->name,
                            m->reason, closure_node(a->res.closure, m->needed_by)->path, m->n_tried,
                            m->n_tried ? m->tried[m->n_tried - 1] : "-");
        } else if (ch == '/' || ch == 'n' || ch == 'N') {
                if (ch == '/' && !prompt(a, "Search the closure:", a->search, sizeof a->search, NULL))
                        return;
                if (!a->search[0])
                        return;
                for (size_t k = 1; k <= a->n_rows; k++) {
                        size_t i = ch == 'N' ? (*sel + a->n_rows - k) % a->n_rows : (*sel + k) % a->n_rows;
                        const TreeRow *r = a->rows + i;
                        const char *name = r->node >= 0 ? closure_node(a->res.closure, r->node)->path
                                                        : closure_missing(a->res.closure, r->missing)->name;
                        if (strstr(name, a->search)) {
                                *sel = i;
                                return;
                        }
                }
                set_message(a, true, "'%s' is not in the shown rows (* expands all).", a->search);
        }
}

/* The capability bounding set as a checklist: Space toggles, a all, n none, u the unit's own, Enter keeps,
 * Esc cancels. Starts from the current choice, or the unit's own set. */
static bool capability_checklist(App *a) {
        unsigned last = caps_last_cap();
        uint64_t mask = 0;
        if (a->settings.capabilities) {
                for (char **c = a->settings.capabilities; *c; c++) {
                        uint64_t m;
                        if (caps_parse_list(*c, &m, NULL) >= 0)
                                mask |= m;
                }
        } else
                mask = a->res.svc ? a->res.svc->capability_bounding_set : UINT64_MAX;
        size_t sel = 0, top = 0;
        for (;;) {
                erase();
                draw_title(a, "capability bounding set");
                put(1, 1, COLS - 2,
                    "Space toggles, a all, n none, u the unit's own (no setting), Enter keeps, Esc cancels",
                    A_BOLD);
                int rows = LINES - 4;
                if (sel < top)
                        top = sel;
                if (sel >= top + rows)
                        top = sel - rows + 1;
                for (int y = 0; y < rows && top + y <= last; y++) {
                        unsigned c = top + y;
                        _cleanup_free_ char *name = NULL;
                        char line[128];
                        (void)caps_mask_to_names(UINT64_C(1) << c, &name);
                        snprintf(line, sizeof line, " [%s] %s", mask & (UINT64_C(1) << c) ? "x" : " ",
                                 name ? name : "?");
                        put(2 + y, 0, COLS, line, c == sel ? A_REVERSE : 0);
                }
                fill_line(LINES - 1, attr_of(a, C_BAR, A_REVERSE));
                put(LINES - 1, 0, COLS, " Space Toggle  a All  n None  u Unit's own  Enter Keep  Esc Cancel",
                    attr_of(a, C_BAR, A_REVERSE));
                refresh();
                int ch = getch();
                if (ch == KEY_UP || ch == 'k')
                        sel = sel > 0 ? sel - 1 : 0;
                else if (ch == KEY_DOWN || ch == 'j')
                        sel = sel < last ? sel + 1 : last;
                else if (ch == ' ')
                        mask ^= UINT64_C(1) << sel;
                else if (ch == 'a')
                        mask = UINT64_MAX;
                else if (ch == 'n')
                        mask = 0;
                else if (ch == 27)
                        return false;
                else if (ch == 'u') {
                        strv_free(a->settings.capabilities);
                        a->settings.capabilities = NULL;
                        return true;
                } else if (is_enter(ch)) {
                        _cleanup_free_ char *names = NULL;
                        uint64_t all = last >= 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
                        strv_free(a->settings.capabilities);
                        a->settings.capabilities = NULL;
                        if ((mask & all) == all) /* everything: no setting at all */
                                return true;
                        a->settings.capabilities = calloc(1, sizeof(char *));
                        if (caps_mask_to_names(mask & all, &names) >= 0)
                                for (char *rest = names, *w; (w = strsep(&rest, " "));)
                                        if (*w)
                                                (void)strv_extend(&a->settings.capabilities, w);
                        return true;
                }
        }
}

static void settings_key(App *a, int ch) {
        switch (ch) {
        case ' ':
                a->enabled = !a->enabled;
                set_message(a, false,
                            a->enabled ? "Confinement on: w writes the drop-in."
                                       : "Confinement off: w removes the drop-in.");
                return;
        case 'm':
                a->settings.mode =
                        a->settings.mode == CONFINE_FULL_APIVFS ? CONFINE_CHROOT_ONLY : CONFINE_FULL_APIVFS;
                break;
        case 'b': {
                char buf[512] = "";
                if (!prompt(a, "/bin/sh: a program's path, 'none', or empty for the default:", buf,
                            sizeof buf, NULL))
                        return;
                free(a->settings.bin_sh_path);
                a->settings.bin_sh_path = NULL;
                if (!buf[0])
                        a->settings.bin_sh = BIN_SH_DEFAULT;
                else if (streq(buf, "none"))
                        a->settings.bin_sh = BIN_SH_NONE;
                else if (buf[0] != '/') {
                        a->settings.bin_sh = BIN_SH_DEFAULT;
                        set_message(a, true, "%s: give an absolute path.", buf);
                } else {
                        a->settings.bin_sh = BIN_SH_CUSTOM;
                        a->settings.bin_sh_path = strdup(buf);
                }
                break;
        }
        case 'f':
                a->settings.full_unit = !a->settings.full_unit;
                break;
        case 'p':
                if (!a->packages && a->db)
                        (void)dpkg_db_list_packages(a->db, &a->packages);
                list_edit(a, &a->settings.packages, "Package (Tab completes):", false, a->packages);
                return;
        case 'a':
                list_edit(a, &a->settings.paths, "Read-only path:", true, NULL);
                return;
        case 'W':
                list_edit(a, &a->settings.writable, "Writable path:", true, NULL);
                return;
        case 'P': {
                static char *presets[] = {"users",    "resolve", "tls",     "timezone", "locale",
                                          "terminfo", "package", "plugins", "state",    NULL};
                list_edit(a, &a->settings.presets,
                          "Preset (users resolve tls timezone locale terminfo package plugins state; Tab):",
                          false, presets);
                return;
        }
        case 'o':
                list_edit(a, &a->settings.overrides, "Override KEY=VALUE (e.g. PrivateUsers=no):", false,
                          NULL);
                return;
        case 'c':
                if (!capability_checklist(a))
                        return;
                break;
        case 'x':
                remove_selected(a);
                return;
        case '+':
                a->settings.mount_budget =
                        a->settings.mount_budget < 100000 ? a->settings.mount_budget + 10 : 100000;
                break;
        case '-':
                a->settings.mount_budget = a->settings.mount_budget > 10 ? a->settings.mount_budget - 10 : 1;
                break;
        case 'S':
                for (size_t i = 0; i < a->res.n_suggestions; i++) {
                        const Suggestion *s = a->res.suggestions + i;
                        char ***list = s->preset ? &a->settings.presets : &a->settings.overrides;
                        const char *what = s->preset ? s->preset : s->override;
                        if (!strv_contains(*list, what))
                                (void)strv_extend(list, what);
                }
                break;
        default:
                return;
        }
        recompute(a);
}

/* Returns false to quit. */
static bool handle_key(App *a, int ch) {
        if (ch != KEY_RESIZE && ch != ERR)
                a->message[0] = 0;
        if (ch == KEY_RESIZE || ch == 12 /* Ctrl-L */) {
                clearok(curscr, TRUE);
                return true;
        }
        if (ch == '?' || ch == KEY_F(1)) {
                show_help(a);
                return true;
        }
        size_t *sel = a->opened ? a->vsel + a->view : &a->sel;
        size_t n = a->opened ? (a->view == VIEW_CLOSURE  ? a->n_rows + learned_rows(a)
                                : a->view == VIEW_DROPIN ? strv_length(a->dropin_lines)
                                                         : 10000)
                             : a->n_visible;
        int page = LINES - 5 > 1 ? LINES - 5 : 1;
        switch (ch) {
        case KEY_UP:
        case 'k':
                if (*sel > 0)
                        (*sel)--;
                return true;
        case KEY_DOWN:
        case 'j':
                if (*sel + 1 < n)
                        (*sel)++;
                return true;
        case KEY_PPAGE:
                *sel = *sel > (size_t)page ? *sel - page : 0;
                return true;
        case KEY_NPAGE:
                *sel = n ? (*sel + page < n ? *sel + page : n - 1) : 0;
                return true;
        case KEY_HOME:
        case 'g':
                *sel = 0;
                return true;
        case KEY_END:
        case 'G':
                *sel = n ? n - 1 : 0;
                return true;
        }
        if (!a->opened) {
                switch (ch) {
                case 'q':
                case 27:
                        return false;
                case '\n':
                case KEY_ENTER:
                case KEY_RIGHT:
                        if (a->n_visible > 0) {
                                const Entry *e = a->entries + a->visible[a->sel];
                                if (unit_name_is_valid(e->name, UNIT_NAME_TEMPLATE) ||
                                    !streq(e->active, "masked"))
                                        open_service(a, e->name);
                                else
                                        set_message(a, true, "%s is masked: there is nothing to confine.",
                                                    e->name);
                        }
                        return true;
                case '/': {
                        char buf[128];
                        snprintf(buf, sizeof buf, "%s", a->filter);
                        /* incremental: the list follows each key */
                        curs_set(1);
                        for (;;) {
                                snprintf(a->filter, sizeof a->filter, "%s", buf);
                                refilter(a);
                                draw(a);
                                fill_line(LINES - 2, 0);
                                char line[200];
                                snprintf(line, sizeof line, "Filter: %s", buf);
                                put(LINES - 2, 0, COLS, line, A_BOLD);
                                refresh();
                                int k = getch();
                                size_t len = strlen(buf);
                                if (k == 27) {
                                        a->filter[0] = 0;
                                        break;
                                }
                                if (is_enter(k))
                                        break;
                                if ((k == KEY_BACKSPACE || k == 127 || k == 8) && len > 0)
                                        buf[len - 1] = 0;
                                else if (k >= 32 && k < 127 && len + 1 < sizeof buf) {
                                        buf[len] = (char)k;
                                        buf[len + 1] = 0;
                                }
                        }
                        curs_set(0);
                        refilter(a);
                        return true;
                }
                case 'n':
                case 'N':
                        if (a->n_visible)
                                a->sel = ch == 'n' ? (a->sel + 1) % a->n_visible
                                                   : (a->sel + a->n_visible - 1) % a->n_visible;
                        return true;
                case 'u': {
                        /* the other manager: system or the calling user's */
                        ServiceSource other = {};
                        ServiceSourceOptions so = {
                                .root = a->options.root,
                                .user = !a->src.user,
                                .offline = a->options.offline,
                        };
                        _cleanup_free_ char *error = NULL;
                        if (service_source_open(&so, &other, &error) < 0) {
                                set_message(a, true, "Cannot read the %s services: %s",
                                            so.user ? "user" : "system", error ? error : "unknown error");
                                return true;
                        }
                        service_source_close(&a->src);
                        a->src = other;
                        free_entries(a);
                        int r = load_list(a);
                        set_message(a, r < 0,
                                    r < 0 ? "Cannot list the services." : "Showing the %s services (%s).",
                                    a->src.user ? "user" : "system", service_source_name(&a->src));
                        return true;
                }
                case 's':
                        a->sort_by_state = !a->sort_by_state;
                        refilter(a);
                        set_message(a, false, "Sorted by %s.", a->sort_by_state ? "state" : "name");
                        return true;
                }
                return true;
        }
        switch (ch) {
        case 'q':
        case 27:
                close_service(a);
                return true;
        case '1':
        case '2':
        case '3':
        case '4':
                a->view = ch - '1';
                return true;
        case '\t':
                a->view = (a->view + 1) % _VIEW_MAX;
                return true;
        case KEY_BTAB:
                a->view = (a->view + _VIEW_MAX - 1) % _VIEW_MAX;
                return true;
        case 'w':
                do_apply(a);
                return true;
        case 'r':
                if (a->view == VIEW_SETTINGS || a->view != VIEW_CLOSURE || true) {
                        bool was = a->enabled;
                        a->enabled = false;
                        do_apply(a);
                        a->enabled = was && a->installed;
                        if (!a->installed)
                                a->enabled = true;
                }
                return true;
        case 'e':
                do_export(a);
                return true;
        case 'L':
                do_learn(a);
                return true;
        }
        if (a->view == VIEW_SETTINGS)
                settings_key(a, ch);
        else if (a->view == VIEW_CLOSURE)
                closure_key(a, ch);
        return true;
}

int tui_run(const TuiOptions *o) {
        App a = {.root_fd = -EBADF};
        ServiceSourceOptions so = {.root = o->root, .user = o->user, .offline = o->offline};
        int r;

        output_init(o->ascii);
        _cleanup_free_ char *open_error = NULL;
        r = service_source_open(&so, &a.src, &open_error);
        if (r < 0) {
                fprintf(stderr, "sdconfine: %s\n", open_error ? open_error : error_words(-r));
                return 1;
        }
        a.root_fd = open(o->root ? o->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a.root_fd < 0 || closure_context_new(o->root, &a.ctx) < 0) {
                tui_fail("cannot open %s: %s.", o->root ? o->root : "/", error_words(errno));
                service_source_close(&a.src);
                return 1;
        }
        (void)dpkg_db_new(closure_context_root(a.ctx), &a.db);
        /* a session that may not write unit directories or reload says so and still exports */
        const char *missing = NULL;
        if (!o->root && !caps_self_privileged(&missing)) {
                a.readonly = true;
                snprintf(a.readonly_why, sizeof a.readonly_why,
                         "writing /etc/systemd/system and reloading need %s", missing);
        } else if (faccessat(a.root_fd, "etc/systemd/system", W_OK, AT_EACCESS) < 0) {
                a.readonly = true;
                snprintf(a.readonly_why, sizeof a.readonly_why, "%s/etc/systemd/system is not writable (%s)",
                         o->root ? o->root : "", error_words(errno));
        }
        a.options = *o;
        if (!initscr()) {
                tui_fail("cannot start the screen: is TERM set? Use the commands (sdconfine help) instead.");
                r = -EIO;
                goto out;
        }
        cbreak();
        noecho();
        nonl();
        keypad(stdscr, TRUE);
        set_escdelay(25);
        curs_set(0);
        a.color = has_colors() && !getenv("NO_COLOR");
        if (a.color) {
                start_color();
                use_default_colors();
                init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
                init_pair(C_MISSING, COLOR_RED, -1);
                init_pair(C_OURS, COLOR_GREEN, -1);
                init_pair(C_FOREIGN, COLOR_YELLOW, -1);
                init_pair(C_ADD, COLOR_GREEN, -1);
                init_pair(C_DEL, COLOR_RED, -1);
                init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
                init_pair(C_WARN, COLOR_RED, -1);
        }
        a.curses = true;
        r = load_list(&a);
        if (r < 0) {
                endwin();
                tui_fail("cannot list the services: %s.", a.src.manager && manager_last_error(a.src.manager)
                                                                  ? manager_last_error(a.src.manager)
                                                                  : error_words(-r));
                goto out;
        }
        if (!a.src.manager)
                set_message(&a, false, "No service manager answers%s: showing the unit files on disk.",
                            o->root ? " (--root)" : "");
        for (;;) {
                draw(&a);
                /* while details remain, look for a key without waiting and fill in more when none came;
                 * then block: no CPU while idle */
                bool pending = a.n_detailed < a.n_entries;
                timeout(pending ? 0 : -1);
                int ch = getch();
                if (ch == ERR) {
                        if (pending)
                                fill_details(&a, 40);
                        if (a.sort_by_state)
                                refilter(&a);
                        continue;
                }
                timeout(-1);
                if (ch == '\r')
                        ch = '\n';
                if (!handle_key(&a, ch))
                        break;
        }
        endwin();
        r = 0;
out:
        close_service(&a);
        free_entries(&a);
        strv_free(a.packages);
        dpkg_db_free(a.db);
        closure_context_free(a.ctx);
        if (a.root_fd >= 0)
                close(a.root_fd);
        service_source_close(&a.src);
        return r < 0 ? 1 : 0;
}

int tui_main(int argc, char **argv) {
        enum { ARG_ROOT = 0x100, ARG_USER, ARG_OFFLINE, ARG_ASCII };
        static const struct option options[] = {
                {"root", required_argument, NULL, ARG_ROOT},
                {"user", no_argument, NULL, ARG_USER},
                {"offline", no_argument, NULL, ARG_OFFLINE},
                {"ascii", no_argument, NULL, ARG_ASCII},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        TuiOptions o = {};
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT:
                        o.root = optarg;
                        break;
                case ARG_USER:
                        o.user = true;
                        break;
                case ARG_OFFLINE:
                        o.offline = true;
                        break;
                case ARG_ASCII:
                        o.ascii = true;
                        break;
                case 'h':
                        puts("Usage: sdconfine [tui] [--root DIR] [--user] [--offline] [--ascii]\n\n"
                             "The interactive program: press ? on any screen for its keys.");
                        return 0;
                default:
                        return 2;
                }
        return tui_run(&o);
}
