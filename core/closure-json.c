/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include "closure-json.h"
#include "macro.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

/* jansson refuses invalid UTF-8: a file name that is not UTF-8 is kept byte for byte as \u00XX escapes
 * of Latin-1, so nothing is dropped. */
static json_t *json_path(const char *s) {
        json_t *j = json_string(s);
        if (j)
                return j;
        size_t n = strlen(s);
        _cleanup_free_ char *u = malloc(n * 2 + 1);
        if (!u)
                return NULL;
        char *o = u;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p < 0x80)
                        *o++ = *p;
                else {
                        *o++ = 0xc0 | (*p >> 6);
                        *o++ = 0x80 | (*p & 0x3f);
                }
        }
        *o = 0;
        return json_string(u);
}

static int add(json_t *obj, const char *key, json_t *value) {
        return value && json_object_set_new(obj, key, value) == 0 ? 0 : -ENOMEM;
}

int closure_to_json(const Closure *c, json_t **ret) {
        _cleanup_json_ json_t *root = json_object(), *roots = json_array(), *files = json_array(),
                              *missing = json_array();
        if (!root || !roots || !files || !missing)
                return -ENOMEM;

        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                if (n->root && json_array_append_new(roots, json_path(n->path)) < 0)
                        return -ENOMEM;
                json_t *f = json_object(), *nb = json_array();
                if (!f || !nb || json_array_append_new(files, f) < 0) {
                        json_decref(nb);
                        return -ENOMEM;
                }
                for (size_t j = 0; j < n->n_needed_by; j++)
                        if (json_array_append_new(nb, json_path(closure_node(c, n->needed_by[j])->path)) <
                            0) {
                                json_decref(nb);
                                return -ENOMEM;
                        }
                if (add(f, "path", json_path(n->path)) < 0 ||
                    add(f, "realpath", json_path(n->realpath)) < 0 ||
                    add(f, "size", json_integer((json_int_t)n->size)) < 0 ||
                    add(f, "kind", json_string(node_kind_to_string(n->kind))) < 0 ||
                    add(f, "found_via", json_path(closure_node_via(n))) < 0 ||
                    add(f, "package", n->package ? json_string(n->package) : json_null()) < 0 ||
                    add(f, "needed_by", nb) < 0)
                        return -ENOMEM;
                if (n->error && add(f, "error", json_path(n->error)) < 0)
                        return -ENOMEM;
                /* privileges the file carries of its own */
                if ((n->caps && add(f, "caps", json_string(n->caps)) < 0) ||
                    add(f, "setuid", json_boolean(n->mode & S_ISUID)) < 0 ||
                    add(f, "setgid", json_boolean(n->mode & S_ISGID)) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < closure_n_missing(c); i++) {
                const ClosureMissing *m = closure_missing(c, i);
                json_t *o = json_object(), *tried = json_array();
                if (!o || !tried || json_array_append_new(missing, o) < 0) {
                        json_decref(tried);
                        return -ENOMEM;
                }
                for (size_t j = 0; j < m->n_tried; j++)
                        if (json_array_append_new(tried, json_path(m->tried[j])) < 0) {
                                json_decref(tried);
                                return -ENOMEM;
                        }
                if (add(o, "name", json_path(m->name)) < 0 ||
                    add(o, "needed_by", json_path(closure_node(c, m->needed_by)->path)) < 0 ||
                    add(o, "reason", json_path(m->reason)) < 0 || add(o, "tried", tried) < 0)
                        return -ENOMEM;
        }
        if (add(root, "roots", TAKE_PTR(roots)) < 0 || add(root, "files", TAKE_PTR(files)) < 0 ||
            add(root, "missing", TAKE_PTR(missing)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(root);
        return 0;
}

/* Streaming */

/* The length of the UTF-8 sequence at s (1 to 4), or 0 when it is not valid UTF-8 as jansson checks it:
 * no overlong forms, no surrogates, nothing beyond U+10FFFF. */
static size_t utf8_len(const unsigned char *s) {
        unsigned c = s[0], n, v;
        if (c < 0x80)
                return 1;
        if (c < 0xc2 || c > 0xf4)
                return 0;
        n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        v = c & (0x3f >> (n - 1));
        for (unsigned i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = v << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
                return 0;
        return n;
}

static bool utf8_valid(const char *s) {
        for (const unsigned char *p = (const unsigned char *)s; *p;) {
                size_t n = utf8_len(p);
                if (!n)
                        return false;
                p += n;
        }
        return true;
}

/* One string, escaped as jansson escapes: quote, backslash and control characters only. */
static void put_escaped(FILE *f, const unsigned char *s, size_t n) {
        const unsigned char *run = s;
        for (const unsigned char *p = s; p < s + n; p++) {
                if (*p >= 0x20 && *p != '"' && *p != '\\')
                        continue;
                fwrite_unlocked(run, 1, p - run, f);
                run = p + 1;
                switch (*p) {
                case '"':
                        fputs_unlocked("\\\"", f);
                        break;
                case '\\':
                        fputs_unlocked("\\\\", f);
                        break;
                case '\b':
                        fputs_unlocked("\\b", f);
                        break;
                case '\f':
                        fputs_unlocked("\\f", f);
                        break;
                case '\n':
                        fputs_unlocked("\\n", f);
                        break;
                case '\r':
                        fputs_unlocked("\\r", f);
                        break;
                case '\t':
                        fputs_unlocked("\\t", f);
                        break;
                default:
                        fprintf(f, "\\u%04X", *p);
                }
        }
        fwrite_unlocked(run, 1, s + n - run, f);
}

/* A path as json_path() makes it: as it is when UTF-8, else its bytes as Latin-1. */
static void put_string(FILE *f, const char *s) {
        putc_unlocked('"', f);
        /* nearly every string is printable ASCII: one pass finds its end and that nothing needs a look */
        const unsigned char *end = (const unsigned char *)s;
        while (*end >= 0x20 && *end < 0x80 && *end != '"' && *end != '\\')
                end++;
        if (!*end) {
                fwrite_unlocked(s, 1, (const char *)end - s, f);
                putc_unlocked('"', f);
                return;
        }
        if (utf8_valid(s))
                put_escaped(f, (const unsigned char *)s, strlen(s));
        else
                for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                        unsigned char u[2] = {0xc0 | (*p >> 6), 0x80 | (*p & 0x3f)};
                        if (*p < 0x80)
                                put_escaped(f, p, 1);
                        else
                                fwrite_unlocked(u, 1, 2, f);
                }
        putc_unlocked('"', f);
}

/* A new line indented to depth, after a comma unless first. */
static void put_line(FILE *f, int depth, bool first) {
        static const char spaces[] = ",\n                ";
        fwrite_unlocked(spaces + first, 1, 2 - first + 2 * depth, f);
}

/* A key at indentation depth, with its separator: ",\n" before all but the first. */
static void put_key(FILE *f, int depth, bool first, const char *key) {
        put_line(f, depth, first);
        putc_unlocked('"', f);
        fputs_unlocked(key, f);
        fputs_unlocked("\": ", f);
}

/* An array of strings at depth (its key written), "[]" when empty. */
static void put_array(FILE *f, int depth, size_t n, const char *(*item)(const void *, size_t),
                      const void *userdata) {
        if (n == 0) {
                fputs_unlocked("[]", f);
                return;
        }
        putc_unlocked('[', f);
        for (size_t i = 0; i < n; i++) {
                put_line(f, depth + 1, i == 0);
                put_string(f, item(userdata, i));
        }
        put_line(f, depth, true);
        putc_unlocked(']', f);
}

typedef struct Item {
        const Closure *c;
        const size_t *roots;
        const ClosureNode *node;
        const ClosureMissing *missing;
} Item;

static const char *needed_by_item(const void *userdata, size_t i) {
        const Item *it = userdata;
        return closure_node(it->c, it->node->needed_by[i])->path;
}

static const char *tried_item(const void *userdata, size_t i) {
        return ((const Item *)userdata)->missing->tried[i];
}

static const char *root_item(const void *userdata, size_t i) {
        const Item *it = userdata;
        return closure_node(it->c, it->roots[i])->path;
}

static void put_node(FILE *f, const Closure *c, const ClosureNode *n) {
        Item it = {.c = c, .node = n};
        fputs_unlocked("{", f);
        put_key(f, 3, true, "path");
        put_string(f, n->path);
        put_key(f, 3, false, "realpath");
        put_string(f, n->realpath);
        put_key(f, 3, false, "size");
        fprintf(f, "%" PRIu64, n->size);
        put_key(f, 3, false, "kind");
        put_string(f, node_kind_to_string(n->kind));
        put_key(f, 3, false, "found_via");
        put_string(f, closure_node_via(n));
        put_key(f, 3, false, "package");
        if (n->package)
                put_string(f, n->package);
        else
                fputs_unlocked("null", f);
        put_key(f, 3, false, "needed_by");
        put_array(f, 3, n->n_needed_by, needed_by_item, &it);
        if (n->error) {
                put_key(f, 3, false, "error");
                put_string(f, n->error);
        }
        if (n->caps) {
                put_key(f, 3, false, "caps");
                put_string(f, n->caps);
        }
        put_key(f, 3, false, "setuid");
        fputs_unlocked(n->mode & S_ISUID ? "true" : "false", f);
        put_key(f, 3, false, "setgid");
        fputs_unlocked(n->mode & S_ISGID ? "true" : "false", f);
        fputs_unlocked("\n    }", f);
}

static void put_missing(FILE *f, const Closure *c, const ClosureMissing *m) {
        Item it = {.c = c, .missing = m};
        fputs_unlocked("{", f);
        put_key(f, 3, true, "name");
        put_string(f, m->name);
        put_key(f, 3, false, "needed_by");
        put_string(f, closure_node(c, m->needed_by)->path);
        put_key(f, 3, false, "reason");
        put_string(f, m->reason);
        put_key(f, 3, false, "tried");
        put_array(f, 3, m->n_tried, tried_item, &it);
        fputs_unlocked("\n    }", f);
}

int closure_json_write(const Closure *c, FILE *f) {
        _cleanup_free_ size_t *roots = malloc((closure_n_nodes(c) + 1) * sizeof(size_t));
        Item it = {.c = c, .roots = roots};
        size_t n_roots = 0;
        if (!roots)
                return -ENOMEM;
        for (size_t i = 0; i < closure_n_nodes(c); i++)
                if (closure_node(c, i)->root)
                        roots[n_roots++] = i;
        fputs_unlocked("{", f);
        put_key(f, 1, true, "roots");
        put_array(f, 1, n_roots, root_item, &it);
        put_key(f, 1, false, "files");
        if (closure_n_nodes(c) == 0)
                fputs_unlocked("[]", f);
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                fputs_unlocked(i ? ",\n    " : "[\n    ", f);
                put_node(f, c, closure_node(c, i));
                if (i + 1 == closure_n_nodes(c))
                        fputs_unlocked("\n  ]", f);
        }
        put_key(f, 1, false, "missing");
        if (closure_n_missing(c) == 0)
                fputs_unlocked("[]", f);
        for (size_t i = 0; i < closure_n_missing(c); i++) {
                fputs_unlocked(i ? ",\n    " : "[\n    ", f);
                put_missing(f, c, closure_missing(c, i));
                if (i + 1 == closure_n_missing(c))
                        fputs_unlocked("\n  ]", f);
        }
        fputs_unlocked("\n}", f);
        return ferror(f) ? -EIO : 0;
}
