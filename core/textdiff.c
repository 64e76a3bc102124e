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
                } else if (i < n && (j == m || T(i + 1, j) >= T(i, j + 1)))
                        r = push(&out, '-', a[i++]); /* as diff -u: what goes before what comes */
                else
                        r = push(&out, '+', b[j++]);
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

/* "@@ -start,count +start,count @@" as diff -u writes it: an empty side starts at the line before. */
static int hunk_header(FILE *f, size_t old_start, size_t old_n, size_t new_start, size_t new_n) {
        return fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", old_n ? old_start + 1 : old_start, old_n,
                       new_n ? new_start + 1 : new_start, new_n);
}

int text_diff_unified(const char *old, const char *new, const char *old_label, const char *new_label,
                      unsigned context, char **ret) {
        _cleanup_(strv_freep) char **ops = NULL;
        int r = text_diff(old, new, &ops);
        if (r < 0)
                return r;
        size_t n = strv_length(ops), changes = 0;
        for (size_t k = 0; k < n; k++)
                changes += ops[k][0] != ' ';
        if (changes == 0) {
                *ret = NULL;
                return 0;
        }
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "--- %s\n+++ %s\n", old_label, new_label);
        size_t oline = 0, nline = 0; /* lines of old and new before ops[k] */
        for (size_t k = 0; k < n;) {
                if (ops[k][0] == ' ') {
                        oline++, nline++, k++;
                        continue;
                }
                /* a hunk: context before, then changes while the next one is within 2 * context */
                size_t start = k > context ? k - context : 0, end = k;
                for (size_t q = k; q < n; q++)
                        if (ops[q][0] != ' ')
                                end = q;
                        else if (q - end > 2 * (size_t)context)
                                break;
                end = end + context + 1 < n ? end + context + 1 : n;
                size_t os = oline - (k - start), ns = nline - (k - start), on = 0, nn = 0;
                for (size_t q = start; q < end; q++) {
                        on += ops[q][0] != '+';
                        nn += ops[q][0] != '-';
                }
                hunk_header(f, os, on, ns, nn);
                for (size_t q = start; q < end; q++)
                        fprintf(f, "%s\n", ops[q]);
                for (; k < end; k++) {
                        oline += ops[k][0] != '+';
                        nline += ops[k][0] != '-';
                }
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 1;
}
