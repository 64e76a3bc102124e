/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The closure view: the tree of files with sizes and how each was found, what the learned set adds below
 * it, and the keys that expand, explain and search it. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "closure-dot.h"
#include "draw.h"
#include "dropin-write.h"
#include "format.h"
#include "keys.h"
#include "macro.h"

/* Rows of the tree below node; all: as if every node were expanded (the search looks there too). */
static void tree_add(App *a, TreeRow **rows, size_t *n_rows, size_t *cap, size_t node, ssize_t parent,
                     int depth, bool all) {
        const Closure *c = a->res.closure;
        const ClosureNode *n = closure_node(c, node);
        bool home = parent < 0 || closure_tree_parent(c, node) == (size_t)parent;
        size_t n_missing = 0;
        for (size_t m = 0; m < closure_n_missing(c); m++)
                n_missing += closure_missing(c, m)->needed_by == node;
        if (!GROW(*rows, *cap, *n_rows + 1))
                return;
        bool has_children = home && (n->n_deps > 0 || n_missing > 0), open = all || a->expanded[node];
        (*rows)[(*n_rows)++] =
                (TreeRow){depth, (ssize_t)node, -1, has_children, has_children && a->expanded[node]};
        if (!has_children || !open || depth > 64)
                return;
        for (size_t d = 0; d < n->n_deps; d++)
                tree_add(a, rows, n_rows, cap, n->deps[d], (ssize_t)node, depth + 1, all);
        for (size_t m = 0; m < closure_n_missing(c); m++)
                if (closure_missing(c, m)->needed_by == node && GROW(*rows, *cap, *n_rows + 1))
                        (*rows)[(*n_rows)++] = (TreeRow){depth + 1, -1, (ssize_t)m, false, false};
}

static TreeRow *tree_rows(App *a, bool all, size_t *ret_n) {
        TreeRow *rows = NULL;
        size_t n = 0, cap = 0;
        for (size_t i = 0; a->res.closure && i < closure_n_nodes(a->res.closure); i++)
                if (closure_node(a->res.closure, i)->root)
                        tree_add(a, &rows, &n, &cap, i, -1, 0, all);
        *ret_n = n;
        return rows;
}

void closure_tree_build(App *a) {
        free(a->rows);
        a->rows = tree_rows(a, false, &a->n_rows);
        if (a->vsel[VIEW_CLOSURE] >= a->n_rows)
                a->vsel[VIEW_CLOSURE] = a->n_rows ? a->n_rows - 1 : 0;
}

/* The rows below the tree: a heading and each learned bind. */
static size_t learned_rows(const App *a) {
        if (!a->opened || !a->settings.learned)
                return 0;
        size_t n = 0;
        for (size_t i = 0; i < a->res.plan.n_binds; i++)
                n += a->res.plan.binds[i].why && startswith(a->res.plan.binds[i].why, "learned: ");
        return 2 + (n ? n : 1) + (a->n_rows ? 0 : 1);
}

size_t closure_n_lines(App *a) {
        return a->n_rows + learned_rows(a);
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

/* The right columns of a node's row: they stay; the path gives way. */
static void node_right(const Closure *c, size_t node, uint64_t max, int width, char *right, size_t size) {
        const ClosureNode *n = closure_node(c, node);
        char sz[32], add[32], bars[16];
        int bar = (int)(10 * n->size / max);
        for (int k = 0; k < 10; k++)
                bars[k] = k < bar ? '#' : ' ';
        bars[10] = 0;
        const char *via = n->root ? node_kind_to_string(n->kind) : closure_node_via(n);
        if (width >= 110)
                snprintf(right, size, " %9s %9s [%s] %s%s%s", format_size(n->size, sz, sizeof sz),
                         format_size(added_size(c, node, 0), add, sizeof add), bars, via,
                         n->package ? " " : "", n->package ? n->package : "");
        else /* narrow: the size and how it was found; the rest with y and wider screens */
                snprintf(right, size, " %9s %s", format_size(n->size, sz, sizeof sz), via);
        /* privileges the file carries of its own */
        if (n->mode & (S_ISUID | S_ISGID) || n->caps) {
                size_t rl = strlen(right);
                snprintf(right + rl, size - rl, "%s%s%s%s", n->mode & S_ISUID ? " SETUID" : "",
                         n->mode & S_ISGID ? " SETGID" : "", n->caps ? " CAPS " : "", n->caps ? n->caps : "");
        }
}

static void node_line(App *a, const TreeRow *row, uint64_t max, int width, char *buf, size_t size) {
        const Closure *c = a->res.closure;
        char indent[256] = "";
        for (int d = 0; d < row->depth && d < 30; d++)
                strcat(indent, "  ");
        if (row->missing >= 0) {
                const ClosureMissing *m = closure_missing(c, row->missing);
                snprintf(buf, size, "%s  ! %s  MISSING: %s (%zu paths tried)", indent, m->name, m->reason,
                         m->n_tried);
                return;
        }
        const ClosureNode *n = closure_node(c, row->node);
        char left[1200], right[300], cut[1200], padded[1400];
        node_right(c, row->node, max, width, right, sizeof right);
        /* the real file behind links only where there is room for it */
        bool real = width >= 110 && !streq(n->path, n->realpath);
        snprintf(left, sizeof left, "%s%s %s%s%s", indent,
                 row->has_children ? (row->expanded ? "-" : "+") : " ", n->path,
                 real ? output_glyphs()->arrow : "", real ? n->realpath : "");
        int lw = width - text_width(right);
        if (lw < 20)
                lw = 20;
        text_cut(text_cut_middle(left, lw, cut, sizeof cut), lw, true, padded, sizeof padded);
        snprintf(buf, size, "%s%s", padded, right);
}

static void learned_lines(App *a, char ***l) {
        char buf[2048];
        size_t n = 0;
        (void)strv_extend(l, "");
        (void)strv_extend(l, "Learned (sdconfine learn)");
        for (size_t i = 0; i < a->res.plan.n_binds; i++) {
                const Bind *b = a->res.plan.binds + i;
                if (!b->why || !startswith(b->why, "learned: "))
                        continue;
                snprintf(buf, sizeof buf, "  L %s%s  %s (%s)", b->dest, b->directory ? "/" : "",
                         b->writable ? "rw" : "ro", b->why);
                (void)strv_extend(l, buf);
                n++;
        }
        if (!n)
                (void)strv_extend(l,
                                  "  (nothing beyond the closure: the tree above covers what was learned)");
}

char **closure_lines(App *a, int width) {
        char **l = NULL, buf[2048];
        const Closure *c = a->res.closure;
        uint64_t max = 1;
        for (size_t i = 0; c && i < closure_n_nodes(c); i++)
                if (closure_node(c, i)->size > max)
                        max = closure_node(c, i)->size;
        for (size_t r = 0; r < a->n_rows; r++) {
                node_line(a, a->rows + r, max, width, buf, sizeof buf);
                (void)strv_extend(&l, buf);
        }
        if (!l)
                (void)strv_extend(&l, "(no closure)");
        /* what the learned set adds: plan binds of their own, marked as learned */
        if (a->settings.learned)
                learned_lines(a, &l);
        return l;
}

static TreeRow *selected_row(App *a) {
        size_t sel = a->vsel[VIEW_CLOSURE];
        return sel < a->n_rows ? a->rows + sel : NULL;
}

void closure_key_expand(App *a, int ch) {
        TreeRow *row = selected_row(a);
        if (!row || !row->has_children)
                return;
        a->expanded[row->node] = !(row->expanded && ch != KEY_RIGHT && ch != 'l');
        closure_tree_build(a);
}

void closure_key_collapse(App *a, int ch) {
        TreeRow *row = selected_row(a);
        (void)ch;
        if (!row || row->node < 0)
                return;
        if (row->expanded) {
                a->expanded[row->node] = false;
                closure_tree_build(a);
                return;
        }
        for (size_t i = a->vsel[VIEW_CLOSURE]; i-- > 0;)
                if (a->rows[i].depth < row->depth) {
                        a->vsel[VIEW_CLOSURE] = i;
                        break;
                }
}

void closure_key_all(App *a, int ch) {
        (void)ch;
        for (size_t i = 0; a->expanded && i < closure_n_nodes(a->res.closure); i++)
                a->expanded[i] = true;
        closure_tree_build(a);
}

static void why_missing(App *a, const TreeRow *row) {
        const ClosureMissing *m = closure_missing(a->res.closure, row->missing);
        set_message(a, true, "%s is missing (%s); needed by %s; %zu paths tried, e.g. %s", m->name, m->reason,
                    closure_node(a->res.closure, m->needed_by)->path, m->n_tried,
                    m->n_tried ? m->tried[m->n_tried - 1] : "-");
}

void closure_key_why(App *a, int ch) {
        TreeRow *row = selected_row(a);
        size_t *chain, n;
        (void)ch;
        if (row && row->missing >= 0)
                why_missing(a, row);
        if (!row || row->node < 0 || closure_why(a->res.closure, row->node, &chain, &n) < 0)
                return;
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

static const char *row_name(App *a, const TreeRow *r) {
        return r->node >= 0 ? closure_node(a->res.closure, r->node)->path
                            : closure_missing(a->res.closure, r->missing)->name;
}

/* Open the subtrees down to row t of the full tree, then select it among the shown rows. */
static void reveal(App *a, const TreeRow *all, size_t t) {
        int depth = all[t].depth;
        for (size_t i = t; i-- > 0 && depth > 0;)
                if (all[i].depth < depth) {
                        a->expanded[all[i].node] = true;
                        depth = all[i].depth;
                }
        closure_tree_build(a);
        for (size_t i = 0; i < a->n_rows; i++)
                if (a->rows[i].node == all[t].node && a->rows[i].missing == all[t].missing) {
                        a->vsel[VIEW_CLOSURE] = i;
                        return;
                }
}

/* The search looks at every row of the tree, shown or inside a collapsed subtree, from the selection on. */
static void search(App *a, bool backwards) {
        size_t n = 0, from = 0;
        _cleanup_free_ TreeRow *all = tree_rows(a, true, &n);
        const TreeRow *cur = selected_row(a);
        for (size_t i = 0; cur && i < n; i++)
                if (all[i].node == cur->node && all[i].missing == cur->missing) {
                        from = i;
                        break;
                }
        for (size_t k = 1; k <= n; k++) {
                size_t i = backwards ? (from + n - k) % n : (from + k) % n;
                if (strstr(row_name(a, all + i), a->search)) {
                        reveal(a, all, i);
                        return;
                }
        }
        set_message(a, true, "'%s' is not in the closure.", a->search);
}

static int search_done(App *a, const char *text, char *err, size_t errsize) {
        (void)err, (void)errsize;
        snprintf(a->search, sizeof a->search, "%s", text);
        if (a->search[0])
                search(a, false);
        return 0;
}

void closure_key_search(App *a, int ch) {
        static const LineEditOps ops = {.done = search_done};
        if (ch == '/')
                (void)line_edit_open(a, &ops, LINE_EDIT_TEXT, "Search the closure:", a->search, NULL);
        else if (a->search[0] && a->res.closure)
                search(a, ch == 'N');
}

/* e: the closure shown, as a Graphviz DOT graph, to a file the operator names (on the host, also with
 * --root: it is for them, not for the service) */
static int dot_done(App *a, const char *path, char *err, size_t errsize) {
        _cleanup_free_ char *text = NULL;
        if (!path[0]) {
                set_message(a, false, "Nothing exported.");
                return 0;
        }
        DotOptions o = {.title = a->unit};
        int r = closure_to_dot(a->res.closure, &o, &text);
        if (r >= 0)
                r = atomic_write_file(path, text, 0644);
        if (r < 0) { /* the prompt stays open: another name may work */
                snprintf(err, errsize, "Cannot write %s: %s.", path, error_words(-r));
                return r;
        }
        set_message(a, false, "Wrote the closure of %s to %s (Graphviz DOT).", a->unit, path);
        return 0;
}

static void dot_cancel(App *a) {
        set_message(a, false, "Nothing exported.");
}

void closure_key_dot(App *a, int ch) {
        static const LineEditOps ops = {.done = dot_done, .cancel = dot_cancel};
        char def[512];
        (void)ch;
        if (!a->res.closure) {
                set_message(a, true, "No closure to export: %s.",
                            a->res.error ? a->res.error : "none computed");
                return;
        }
        snprintf(def, sizeof def, "./%s-closure.dot", a->unit);
        (void)line_edit_open(a, &ops, LINE_EDIT_HOST_PATH, "Export the closure as DOT to:", def, NULL);
}
