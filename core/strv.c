/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "strv.h"

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_free(char **l) {
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return NULL;
}

int strv_push(char ***l, char *value) {
        size_t n = strv_length(*l);
        char **m = realloc(*l, (n + 2) * sizeof(char *));
        if (!m) {
                free(value);
                return -ENOMEM;
        }
        m[n] = value;
        m[n + 1] = NULL;
        *l = m;
        return 0;
}

int strv_extend(char ***l, const char *value) {
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

bool strv_equal(char *const *a, char *const *b) {
        size_t n = strv_length(a);
        if (n != strv_length(b))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!streq(a[i], b[i]))
                        return false;
        return true;
}

bool strv_contains(char *const *l, const char *s) {
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

const char *strv_env_get(char *const *l, const char *key) {
        size_t n = strlen(key);
        const char *v = NULL;
        for (char *const *e = l; e && *e; e++)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        v = *e + n + 1;
        return v;
}

int strv_env_replace(char ***l, char *assignment) {
        const char *eq = strchr(assignment, '=');
        size_t kl = eq ? (size_t)(eq - assignment) + 1 : strlen(assignment);
        for (char **e = *l; e && *e; e++)
                if (strncmp(*e, assignment, kl) == 0 && (*e)[kl - 1] == assignment[kl - 1]) {
                        free(*e);
                        *e = assignment;
                        return 0;
                }
        return strv_push(l, assignment);
}
