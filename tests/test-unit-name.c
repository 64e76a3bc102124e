/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "unit-file.h"
#include "unit-name.h"

static void test_valid(void **state) {
        static const struct {
                const char *name;
                UnitNameFlags kind; /* 0: invalid */
        } table[] = {
                {"cron.service", UNIT_NAME_PLAIN},
                {"getty@.service", UNIT_NAME_TEMPLATE},
                {"getty@tty1.service", UNIT_NAME_INSTANCE},
                {"a@b@c.service", UNIT_NAME_INSTANCE}, /* systemd allows '@' in the instance */
                {"systemd-fsck@dev-disk-by\\x2duuid-1234.service", UNIT_NAME_INSTANCE},
                {"x:y_z.socket", UNIT_NAME_PLAIN},
                {"", 0},
                {".service", 0},
                {"@x.service", 0},
                {"foo", 0},
                {"foo.bar", 0},
                {"a/b.service", 0},
                {"../etc/passwd.service", 0},
                {"sp ace.service", 0},
                {"tab\t.service", 0},
                {"nl\n.service", 0},
                {"caf\xc3\xa9.service", 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                bool valid = unit_name_is_valid(table[i].name, UNIT_NAME_ANY);
                if (valid != (table[i].kind != 0))
                        fail_msg("%s: expected %s", table[i].name, table[i].kind ? "valid" : "invalid");
                if (table[i].kind) {
                        assert_true(unit_name_is_valid(table[i].name, table[i].kind));
                        assert_null(unit_name_problem(table[i].name));
                } else
                        assert_non_null(unit_name_problem(table[i].name));
        }
        char longname[300];
        memset(longname, 'a', 250);
        strcpy(longname + 250, ".service");
        assert_false(unit_name_is_valid(longname, UNIT_NAME_ANY));
        assert_non_null(strstr(unit_name_problem(longname), "256"));
        assert_non_null(strstr(unit_name_problem("a/b.service"), "'/'"));
}

static void test_parts(void **state) {
        char *s;
        assert_int_equal(unit_name_template("getty@tty1.service", &s), 0);
        assert_string_equal(s, "getty@.service");
        free(s);
        assert_int_equal(unit_name_template("cron.service", &s), -EINVAL);
        assert_int_equal(unit_name_instance("a@b@c.service", &s), 0);
        assert_string_equal(s, "b@c");
        free(s);
        assert_int_equal(unit_name_prefix("getty@tty1.service", &s), 0);
        assert_string_equal(s, "getty");
        free(s);
        assert_int_equal(unit_name_unescape("dev-disk-by\\x2duuid", &s), 0);
        assert_string_equal(s, "dev/disk/by-uuid");
        free(s);
        assert_int_equal(unit_name_path_escape("/a b/c-d/", &s), 0);
        assert_string_equal(s, "a\\x20b-c\\x2dd");
        free(s);
}

static void test_extract_word(void **state) {
        static const struct {
                const char *in;
                const char *words[6];
                int error;
        } table[] = {
                {"a b  c", {"a", "b", "c"}},      {"\"a b\" 'c d'", {"a b", "c d"}},
                {"x\"y z\"w", {"xy zw"}},         {"\\x41\\t\\\\", {"A\t\\"}},
                {"'-p -- \\\\u'", {"-p -- \\u"}}, {"\"unterminated", {}, -EINVAL},
                {"bad\\q", {}, -EINVAL},          {"trailing\\", {}, -EINVAL},
                {"\\u00e9", {"\xc3\xa9"}},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                const char *p = table[i].in;
                size_t k = 0;
                for (;;) {
                        char *w = NULL;
                        int r = unit_extract_word(&p, &w);
                        if (r < 0) {
                                assert_int_equal(r, table[i].error);
                                break;
                        }
                        if (r == 0) {
                                assert_int_equal(table[i].error, 0);
                                assert_null(table[i].words[k]);
                                break;
                        }
                        assert_non_null(table[i].words[k]);
                        assert_string_equal(w, table[i].words[k]);
                        k++;
                        free(w);
                }
        }
}

/* systemctl's names: a bare name is a service; a name with a type suffix is taken as it is */
static void test_mangle(void **state) {
        static const struct {
                const char *in, *out;
        } table[] = {
                {"nginx", "nginx.service"},
                {"nginx.service", "nginx.service"},
                {"getty@tty1", "getty@tty1.service"},
                {"foo.bar", "foo.bar.service"},
                {"cron.timer", "cron.timer"},
                {"x@", "x@.service"},
                {"", NULL},
                {"a/b", NULL},
                {"@x", NULL},
                {"x?", NULL},
                {"x?.service", NULL},
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char *m = NULL;
                const char *problem = NULL;
                int r = unit_name_mangle(table[i].in, &m, &problem);
                if (table[i].out) {
                        assert_int_equal(r, 0);
                        assert_string_equal(m, table[i].out);
                } else {
                        assert_int_equal(r, -EINVAL);
                        assert_null(m);
                        assert_non_null(problem);
                }
                free(m);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_parts),
                cmocka_unit_test(test_extract_word),
                cmocka_unit_test(test_mangle),
        };
        return cmocka_run_group_tests_name("unit-name", tests, NULL, NULL);
}
