/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>

#include "closure-dot.h"
#include "fileio.h"
#include "format.h"
#include "hashmap.h"
#include "macro.h"

typedef struct Out {
        char *buf;
        size_t len, cap;
        int r;
} Out;

_printf_(2, 3) static void out_printf(Out *o, const char *fmt, ...) {
        if (o->r < 0)
                return;
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = NULL;
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        o->r = n < 0 ? -ENOMEM : buf_append(&o->buf, &o->len, &o->cap, s, (size_t)n);
}

/* The inside of a quoted string */
static void out_str(Out *o, const char *s) {
        if (o->r >= 0)
                o->r = dot_escape_append(&o->buf, &o->len, &o->cap, s);
}

/* Length of the valid UTF-8 sequence at p (not overlong, no surrogates, at most U+10FFFF), 0 if none. */
static size_t utf8_valid(const unsigned char *p) {
        unsigned c = p[0];
        size_t n;
        unsigned min, cp;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, min = 0x80, cp = c & 0x1f;
        else if ((c & 0xf0) == 0xe0)
                n = 3, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, min = 0x10000, cp = c & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

int dot_escape_append(char **buf, size_t *len, size_t *cap, const char *s) {
        int r = 0;
        for (const unsigned char *p = (const unsigned char *)s; *p && r >= 0;) {
                char hex[8];
                size_t n;
                if (*p == '"' || *p == '\\') {
                        /* a backslash starts graphviz's own escapes (\n, \N, \G): doubled, it is itself */
                        char e[2] = {'\\', (char)*p};
                        r = buf_append(buf, len, cap, e, 2);
                        p++;
                } else if (*p < 0x20 || *p == 0x7f) {
                        snprintf(hex, sizeof hex, "\\\\x%02x", *p);
                        r = buf_append(buf, len, cap, hex, strlen(hex));
                        p++;
                } else if (*p < 0x80) {
                        r = buf_append(buf, len, cap, (const char *)p, 1);
                        p++;
                } else if ((n = utf8_valid(p)) > 0) {
                        r = buf_append(buf, len, cap, (const char *)p, n);
                        p += n;
                } else {
                        snprintf(hex, sizeof hex, "\\\\x%02x", *p);
                        r = buf_append(buf, len, cap, hex, strlen(hex));
                        p++;
                }
        }
        return r;
}

static bool reason_is(const char *reason, const char *word) {
        return reason && strstr(reason, word);
}

DotClass closure_dot_class(const ClosureNode *n) {
        const char *why = n->reason;
        if (why && startswith(why, "learned"))
                return DOT_LEARNED;
        /* what the plugin rules find: NSS, PAM, gconv, the locale */
        if (why &&
            (startswith(why, "NSS ") || startswith(why, "PAM module") || startswith(why, "included by") ||
             startswith(why, "read by PAM") || reason_is(why, "gconv") || reason_is(why, "the locale")))
                return DOT_PLUGIN;
        if (reason_is(why, " module of ") || reason_is(why, " extension of "))
                return DOT_MODULE;
        if (n->kind == NODE_INTERPRETER)
                return DOT_INTERPRETER;
        if (why && (n->kind == NODE_EXEC || n->kind == NODE_SCRIPT) &&
            (startswith(why, "command ") || startswith(why, "sourced by")))
                return DOT_COMMAND;
        if (why && (startswith(why, "conffile of ") || startswith(why, "file of ")))
                return DOT_PACKAGE_FILE;
        switch (n->kind) {
        case NODE_EXEC:
                return DOT_PROGRAM;
        case NODE_LIBRARY:
                return DOT_LIBRARY;
        case NODE_SCRIPT:
                return DOT_SCRIPT;
        default:
                return DOT_FILE;
        }
}

const char *closure_dot_edge_label(const ClosureNode *parent, const ClosureNode *n) {
        const char *why = n->reason;
        /* a shared object loads nothing but by DT_NEEDED (libc needs the loader, found first as PT_INTERP) */
        if (parent && parent->kind == NODE_LIBRARY && n->kind != NODE_FILE)
                return "DT_NEEDED";
        if (n->found_via == VIA_INTERP)
                return "PT_INTERP";
        if (n->found_via == VIA_SHEBANG)
                return "#!";
        if (n->found_via == VIA_PATH)
                return "#! env";
        /* an object an ELF file loads: DT_NEEDED, whatever rule found it first */
        if (n->kind == NODE_LIBRARY && parent &&
            (parent->kind == NODE_EXEC || parent->kind == NODE_LIBRARY || parent->kind == NODE_INTERPRETER))
                return "DT_NEEDED";
        if (!why)
                return n->kind == NODE_LIBRARY ? "DT_NEEDED" : "needs";
        static const struct {
                const char *prefix, *label;
        } table[] = {
                {"conffile of ", "conffile"},
                {"file of ", "package file"},
                {"command named in", "named"},
                {"command in", "command"},
                {"sourced by", "sourced"},
                {"named in", "named"},
                {"NSS ", "NSS"},
                {"PAM module", "PAM"},
                {"included by", "PAM include"},
                {"read by PAM", "PAM"},
                {"the locale", "locale"},
                {"compiled into", "compiled in"},
                {"learned", "learned"},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (startswith(why, table[i].prefix))
                        return table[i].label;
        if (reason_is(why, " extension of "))
                return "extension";
        if (reason_is(why, " module of "))
                return "module";
        /* "in DIR, REASON": a directory's file, for the reason its directory is there */
        static const struct {
                const char *word, *label;
        } inner[] = {{"the locale", "locale"},
                     {"gconv", "gconv"},
                     {"PAM", "PAM"},
                     {"NSS", "NSS"},
                     {"named in", "named"}};
        for (size_t i = 0; i < ELEMENTSOF(inner); i++)
                if (reason_is(why, inner[i].word))
                        return inner[i].label;
        return "rule";
}

static const struct {
        const char *name, *shape, *style, *fill;
} class_style[_DOT_CLASS_MAX] = {
        [DOT_PROGRAM] = {"program", "box", "filled,bold", "#9ecae1"},
        [DOT_INTERPRETER] = {"interpreter", "hexagon", "filled", "#c6dbef"},
        [DOT_LIBRARY] = {"library", "ellipse", "filled", "#e5f5e0"},
        [DOT_SCRIPT] = {"script", "note", "filled", "#fdd0a2"},
        [DOT_PACKAGE_FILE] = {"package file", "folder", "filled", "#f0f0f0"},
        [DOT_COMMAND] = {"command", "box", "filled,rounded", "#fee6ce"},
        [DOT_MODULE] = {"module", "component", "filled", "#dadaeb"},
        [DOT_PLUGIN] = {"plugin", "cds", "filled", "#fde0ef"},
        [DOT_LEARNED] = {"learned", "box", "filled,dashed", "#ffffcc"},
        [DOT_FILE] = {"file", "box", "filled", "#ffffff"},
};

static void out_node(Out *o, size_t i, const ClosureNode *n) {
        DotClass k = closure_dot_class(n);
        char size[32];
        out_printf(o, "    n%zu [label=\"", i);
        out_str(o, n->path);
        out_printf(o, "\\n%s, %s\", shape=%s, style=\"%s\", fillcolor=\"%s\"", class_style[k].name,
                   format_size(n->size, size, sizeof size), class_style[k].shape, class_style[k].style,
                   class_style[k].fill);
        out_printf(o, ", tooltip=\"");
        out_str(o, n->error ? n->error : closure_node_via(n));
        out_printf(o, "\"%s];\n", n->error ? ", color=red, fontcolor=red, penwidth=2" : "");
}

static void out_missing(Out *o, const Closure *c, size_t i) {
        const ClosureMissing *m = closure_missing(c, i);
        out_printf(o, "    m%zu [label=\"", i);
        out_str(o, m->name);
        out_printf(o, "\\nmissing\", shape=box, style=\"dashed\", color=red, fontcolor=red, tooltip=\"");
        out_str(o, m->reason ? m->reason : "not found");
        out_printf(o, "\"];\n");
}

static void out_header(Out *o, const DotOptions *opt) {
        out_printf(o, "digraph closure {\n    graph [rankdir=LR, newrank=true, fontname=\"sans-serif\"");
        if (opt && opt->title) {
                out_printf(o, ", label=\"");
                out_str(o, opt->title);
                out_printf(o, "\", labelloc=t");
        }
        out_printf(o, "];\n    node [fontname=\"sans-serif\", fontsize=10];\n"
                      "    edge [fontname=\"sans-serif\", fontsize=8];\n");
}

/* Every file, each package's in a cluster. */
static void out_files(Out *o, const Closure *c, const DotOptions *opt) {
        size_t n = closure_n_nodes(c);
        _cleanup_free_ bool *done = calloc(n ? n : 1, sizeof(bool));
        if (!done) {
                o->r = -ENOMEM;
                return;
        }
        size_t cluster = 0;
        for (size_t i = 0; i < n && o->r >= 0; i++) {
                const ClosureNode *a = closure_node(c, i);
                if (done[i] || !a->package || (opt && opt->no_clusters))
                        continue;
                out_printf(o, "    subgraph cluster_%zu {\n        label=\"", cluster++);
                out_str(o, a->package);
                out_printf(o, "\"; style=\"rounded,dashed\"; color=\"#888888\";\n");
                for (size_t j = i; j < n; j++)
                        if (!done[j] && streq_ptr(closure_node(c, j)->package, a->package)) {
                                out_printf(o, "    ");
                                out_node(o, j, closure_node(c, j));
                                done[j] = true;
                        }
                out_printf(o, "    }\n");
        }
        for (size_t i = 0; i < n; i++)
                if (!done[i])
                        out_node(o, i, closure_node(c, i));
        for (size_t i = 0; i < n; i++) {
                const ClosureNode *a = closure_node(c, i);
                for (size_t j = 0; j < a->n_deps; j++)
                        out_printf(o, "    n%zu -> n%zu [label=\"%s\"];\n", i, a->deps[j],
                                   closure_dot_edge_label(a, closure_node(c, a->deps[j])));
        }
}

typedef struct Groups {
        size_t *of;    /* node -> group, SIZE_MAX for a file of no package */
        size_t *first; /* group -> its first node */
        size_t *files;
        uint64_t *size;
        bool *error;
        size_t n;
} Groups;

static void groups_done(Groups *g) {
        free(g->of), free(g->first), free(g->files), free(g->size), free(g->error);
}

static int groups_make(const Closure *c, Groups *g) {
        size_t n = closure_n_nodes(c), m = n ? n : 1;
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new();
        g->of = calloc(m, sizeof(size_t));
        g->first = calloc(m, sizeof(size_t));
        g->files = calloc(m, sizeof(size_t));
        g->size = calloc(m, sizeof(uint64_t));
        g->error = calloc(m, sizeof(bool));
        if (!h || !g->of || !g->first || !g->files || !g->size || !g->error)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const ClosureNode *a = closure_node(c, i);
                g->of[i] = SIZE_MAX;
                if (!a->package)
                        continue;
                void *v = hashmap_get(h, a->package);
                size_t k = v ? (size_t)(uintptr_t)v - 1 : g->n;
                if (!v) {
                        if (hashmap_put(h, a->package, (void *)(uintptr_t)(k + 1), NULL) < 0)
                                return -ENOMEM;
                        g->first[g->n++] = i;
                }
                g->of[i] = k;
                g->files[k]++;
                g->size[k] += a->size;
                g->error[k] |= a->error != NULL;
        }
        return 0;
}

static void node_id(const Groups *g, size_t i, char *buf, size_t size) {
        if (g && g->of[i] != SIZE_MAX)
                snprintf(buf, size, "p%zu", g->of[i]);
        else
                snprintf(buf, size, "n%zu", i);
}

/* One node per package; edges between packages once each. */
static void out_collapsed(Out *o, const Closure *c, Groups *g) {
        if (o->r < 0)
                return;
        size_t n = closure_n_nodes(c);
        char size[32];
        for (size_t k = 0; k < g->n; k++) {
                out_printf(o, "    p%zu [label=\"", k);
                out_str(o, closure_node(c, g->first[k])->package);
                out_printf(o, "\\n%zu file%s, %s\", shape=box3d, style=filled, fillcolor=\"#e0e0e0\"%s];\n",
                           g->files[k], g->files[k] == 1 ? "" : "s",
                           format_size(g->size[k], size, sizeof size),
                           g->error[k] ? ", color=red, fontcolor=red, penwidth=2" : "");
        }
        for (size_t i = 0; i < n; i++)
                if (g->of[i] == SIZE_MAX)
                        out_node(o, i, closure_node(c, i));
        _cleanup_(hashmap_freep) Hashmap *seen = hashmap_new();
        _cleanup_(arena_freep) Arena *arena = arena_new();
        if (!seen || !arena) {
                o->r = -ENOMEM;
                return;
        }
        for (size_t i = 0; i < n && o->r >= 0; i++) {
                const ClosureNode *a = closure_node(c, i);
                for (size_t j = 0; j < a->n_deps && o->r >= 0; j++) {
                        char from[32], to[32], key[80];
                        node_id(g, i, from, sizeof from);
                        node_id(g, a->deps[j], to, sizeof to);
                        snprintf(key, sizeof key, "%s>%s", from, to);
                        if (streq(from, to) || hashmap_get(seen, key))
                                continue;
                        const char *k = arena_strdup(arena, key);
                        if (!k || hashmap_put(seen, k, (void *)1, NULL) < 0) {
                                o->r = -ENOMEM;
                                return;
                        }
                        out_printf(o, "    %s -> %s [label=\"%s\"];\n", from, to,
                                   closure_dot_edge_label(a, closure_node(c, a->deps[j])));
                }
        }
}

int closure_to_dot(const Closure *c, const DotOptions *opt, char **ret_text) {
        Out o = {};
        _cleanup_(groups_done) Groups g = {};
        bool collapse = opt && opt->collapse;
        if (!c)
                return -EINVAL;
        out_header(&o, opt);
        if (collapse) {
                o.r = o.r < 0 ? o.r : groups_make(c, &g);
                out_collapsed(&o, c, &g);
        } else
                out_files(&o, c, opt);
        for (size_t i = 0; i < closure_n_missing(c); i++) {
                char from[32];
                out_missing(&o, c, i);
                node_id(collapse ? &g : NULL, closure_missing(c, i)->needed_by, from, sizeof from);
                out_printf(&o, "    %s -> m%zu [label=\"missing\", color=red, fontcolor=red];\n", from, i);
        }
        out_printf(&o, "}\n");
        if (o.r < 0) {
                free(o.buf);
                return o.r;
        }
        *ret_text = o.buf;
        return 0;
}
