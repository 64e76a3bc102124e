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
