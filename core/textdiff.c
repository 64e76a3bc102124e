/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "service.h"
#include "textdiff.h"

static int split_lines(const char *text, char ***ret) {
        _cleanup_free_ char *copy = strdup(text ? text : "");
        char **l = NULL;
        if (!copy)
                return -ENOMEM;
        for (char *s = copy, *line; (line = strsep(&s, "\n"));)
                if ((s || *line) && strv_extend(&l, line) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        *ret = l;
        return 0;
}

static int push(char ***out, char c, const char *line) {
        char *s;
        if (asprintf(&s, "%c%s", c, line) < 0)
                return -ENOMEM;
        return strv_push(out, s);
}

int text_diff(const char *old, const char *new, char ***ret) {
        _cleanup_(strv_freep) char **a = NULL, **b = NULL;
        char **out = NULL;
        int r = split_lines(old, &a);
        if (r >= 0)
                r = split_lines(new, &b);
        if (r < 0)
                return r;
        size_t n = strv_length(a), m = strv_length(b);
        _cleanup_free_ size_t *t = calloc((n + 1) * (m + 1), sizeof(size_t));
        if (!t)
                return -ENOMEM;
#define T(i, j) t[(i) * (m + 1) + (j)]
        for (size_t i = n; i-- > 0;)
                for (size_t j = m; j-- > 0;)
                        T(i, j) = streq(a[i], b[j]) ? T(i + 1, j + 1) + 1
                                                    : (T(i + 1, j) > T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
        size_t i = 0, j = 0;
        while (r >= 0 && (i < n || j < m)) {
                if (i < n && j < m && streq(a[i], b[j])) {
                        r = push(&out, ' ', a[i]);
                        i++, j++;
                } else if (j < m && (i == n || T(i, j + 1) >= T(i + 1, j)))
                        r = push(&out, '+', b[j++]);
                else
                        r = push(&out, '-', a[i++]);
        }
#undef T
        if (r < 0) {
                strv_free(out);
                return r;
        }
        if (!out && !(out = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = out;
        return 0;
}
