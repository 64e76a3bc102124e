/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "env-file.h"
#include "macro.h"

/* Each text and what systemd 252's load_env_file() makes of it, joined by '|' (NULL: the file is refused). */
static void test_parse(void **state) {
        static const char *const table[][2] = {
                {"", ""},
                {"A=1\nB=2\n", "A=1|B=2"},
                {"A=1\nA=2\nB=3", "A=2|B=3"},           /* replaced in place, no newline at the end */
                {"  A  =  x y  \n", "A=x y"},           /* whitespace around key and value */
                {"# c\n; c\nA=1", "A=1"},               /* comments */
                {"# c \\\nA=1\nB=2", "B=2"},            /* 252: a backslash-newline continues a comment */
                {"A='x \" $y \\n'\n", "A=x \" $y \\n"}, /* single quotes: literal */
                {"A=\"x \\\" \\$ \\\\ \\` \\n\"\n", "A=x \" $ \\ ` \\n"}, /* double quotes: four escapes */
                {"A=\"one\ntwo\"\n", "A=one\ntwo"},                       /* a newline inside quotes */
                {"A=\"x\"y 'z'\n", "A=xy 'z'"}, /* joined; a quote after a bare part is literal */
                {"A=x\\\ny\n", "A=xy"},         /* a backslash-newline joins lines */
                {"A=x\\ \n", "A=x "},           /* an escaped space stays */
                {"A=\\\"q\n", "A=\"q"},
                {"A=\nB", "A="}, /* empty value; a word without '=' is nothing */
                {"A\nB=1", "B=1"},
                {"1A=x\nA-B=y\nA.B=z\n_ok=1\n", "_ok=1"}, /* invalid names dropped */
                {"A=1\r\nB=2\r\n", "A=1|B=2"},            /* CRLF */
                {"A=x # not a comment\n", "A=x # not a comment"},
                {"export A=1\n", ""}, /* "export A" is no valid name in 252 */
                {"A=\"unterminated\n", "A=unterminated\n"},
                {"A=\xff\n", NULL},         /* not UTF-8: refused */
                {"A=\xc0\xaf\n", NULL},     /* overlong */
                {"A=\xed\xa0\x80\n", NULL}, /* a surrogate */
                {"A=\xc3\xa9t\xc3\xa9\n", "A=\xc3\xa9t\xc3\xa9"},
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char **env = NULL;
                int r = env_file_parse(table[i][0], &env);
                if (!table[i][1]) {
                        if (r != -EINVAL)
                                fail_msg("row %zu: expected -EINVAL, got %d", i, r);
                        continue;
                }
                if (r < 0)
                        fail_msg("row %zu: %d", i, r);
                char joined[256] = "";
                for (char **e = env; e && *e; e++)
                        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s",
                                 e == env ? "" : "|", *e);
                if (!streq(joined, table[i][1]))
                        fail_msg("row %zu: \"%s\", expected \"%s\"", i, joined, table[i][1]);
                strv_free(env);
        }
}

/* A hostile file: a million assignments of a few keys, and a million distinct keys, in linear time. */
static void test_many(void **state) {
        (void)state;
        size_t n = 1000000, len = 0;
        char *text = malloc(n * 16);
        assert_non_null(text);
        for (size_t i = 0; i < n; i++)
                len += sprintf(text + len, "K%zu=%zu\n", i % 7, i);
        char **env = NULL;
        assert_int_equal(env_file_parse(text, &env), 0);
        assert_int_equal(strv_length(env), 7);
        assert_string_equal(env[0], "K0=999999");
        strv_free(env);
        len = 0;
        for (size_t i = 0; i < n; i++)
                len += sprintf(text + len, "V%zu=1\n", i);
        assert_int_equal(env_file_parse(text, &env), 0);
        assert_int_equal(strv_length(env), n);
        strv_free(env);
        free(text);
}

/* Files of a service: order, override, '-', a glob, and the problem named for a missing one. */
static void test_service(void **state) {
        (void)state;
        char dir[] = "/tmp/sdconfine-envXXXXXX";
        assert_non_null(mkdtemp(dir));
        char p[256];
        FILE *f;
#define WRITE(name, text)                                                                                    \
        (snprintf(p, sizeof p, "%s/%s", dir, name), f = fopen(p, "w"), assert_non_null(f), fputs(text, f),   \
         fclose(f))
        assert_int_equal(mkdir((snprintf(p, sizeof p, "%s/etc", dir), p), 0755), 0);
        WRITE("etc/a.env", "PATH=/a\nLD_LIBRARY_PATH=/la\n");
        WRITE("etc/b.env", "PATH=/b\n");
        WRITE("etc/g1.conf", "X=1\n");
        WRITE("etc/g2.conf", "X=2\n");
        FsRoot *root;
        assert_int_equal(fs_root_new(dir, &root), 0);
        Service *s = service_new("x.service");
        assert_non_null(s);
        assert_int_equal(strv_extend(&s->environment, "PATH=/unit"), 0);
        assert_int_equal(strv_extend(&s->environment, "HOME=/h"), 0);
        static const EnvFile files[] = {
                {"/etc/a.env", false},
                {"/etc/b.env", false},
                {"/etc/none", true},
                {"/etc/g*.conf", false},
        };
        s->environment_files = calloc(ELEMENTSOF(files), sizeof(EnvFile));
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                s->environment_files[s->n_environment_files++] =
                        (EnvFile){strdup(files[i].path), files[i].ignore_missing};
        assert_int_equal(service_load_environment_files(s, root), 0);
        assert_null(s->environment_problem);
        assert_string_equal(service_getenv(s, "PATH"), "/b"); /* later file wins over earlier and the unit */
        assert_string_equal(service_getenv(s, "LD_LIBRARY_PATH"), "/la");
        assert_string_equal(service_getenv(s, "HOME"), "/h"); /* the unit's own, untouched */
        assert_string_equal(service_getenv(s, "X"), "2");     /* glob matches in order */

        s->environment_files[2].ignore_missing = false; /* now /etc/none is required */
        assert_int_equal(service_load_environment_files(s, root), 0);
        assert_non_null(s->environment_problem);
        assert_non_null(strstr(s->environment_problem,
                               "EnvironmentFile=/etc/none does not exist: systemd will refuse to start"));
        assert_non_null(strstr(s->environment_problem, "EnvironmentFile=-/etc/none"));
        assert_string_equal(service_getenv(s, "PATH"), "/b"); /* the others still read */
        service_free(s);
        fs_root_free(root);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_many),
                cmocka_unit_test(test_service),
        };
        return cmocka_run_group_tests_name("env-file", tests, NULL, NULL);
}
