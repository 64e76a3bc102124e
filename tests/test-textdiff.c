/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <cmocka.h>

#include "fileio.h"
#include "macro.h"
#include "textdiff.h"

static void test_same_text_prints_nothing(void **state) {
        char *out = (char *)1;
        assert_int_equal(text_diff_unified("a\nb\n", "a\nb\n", "old", "new", 3, &out), 0);
        assert_null(out);
}

/* diff -u's shape: labels, one hunk with its numbers, removals before additions, three lines of context */
static void test_one_change(void **state) {
        const char *old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n", *new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        _cleanup_free_ char *out = NULL;
        assert_int_equal(text_diff_unified(old, new, "a", "b", 3, &out), 1);
        assert_string_equal(out, "--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

static void test_new_file(void **state) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(text_diff_unified(NULL, "x\ny\n", "/dev/null", "f", 3, &out), 1);
        assert_string_equal(out, "--- /dev/null\n+++ f\n@@ -0,0 +1,2 @@\n+x\n+y\n");
}

/* Changes far apart are two hunks; near ones are one */
static void test_hunks(void **state) {
        _cleanup_free_ char *far = NULL, *near = NULL;
        const char *old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n";
        assert_int_equal(text_diff_unified(old, "A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nL\n", "o", "n", 3, &far),
                         1);
        assert_string_equal(far, "--- o\n+++ n\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n"
                                 "@@ -9,4 +9,4 @@\n i\n j\n k\n-l\n+L\n");
        assert_int_equal(text_diff_unified(old, "a\nB\nc\nd\ne\nf\nG\nh\ni\nj\nk\nl\n", "o", "n", 3, &near),
                         1);
        assert_non_null(strstr(near, "@@ -1,10 +1,10 @@\n"));
        assert_null(strstr(strstr(near, "@@ -") + 1, "@@ -")); /* one hunk only */
}

/* patch(1) as the oracle: applying our diff to old gives new, for texts made at random */
static void test_patch_applies(void **state) {
        char dir[] = "/tmp/test-textdiff-XXXXXX";
        assert_non_null(mkdtemp(dir));
        srand(7);
        for (int round = 0; round < 40; round++) {
                char old[512] = "", new[512] = "";
                for (int i = 0; i < 30; i++) {
                        char line[8];
                        snprintf(line, sizeof line, "%c\n", 'a' + rand() % 6);
                        strcat(old, line);
                        int op = rand() % 5; /* keep, drop, change, insert */
                        if (op == 0)
                                continue;
                        if (op == 1)
                                snprintf(line, sizeof line, "%c\n", 'A' + rand() % 3);
                        strcat(new, line);
                        if (op == 2) {
                                snprintf(line, sizeof line, "%c\n", 'a' + rand() % 6);
                                strcat(new, line);
                        }
                }
                _cleanup_free_ char *out = NULL, *cmd = NULL, *got = NULL, *path = NULL, *dpath = NULL;
                int r = text_diff_unified(old, new, "old", "new", 3, &out);
                assert_true(r >= 0);
                if (r == 0) {
                        assert_string_equal(old, new);
                        continue;
                }
                assert_true(asprintf(&path, "%s/f", dir) > 0 && asprintf(&dpath, "%s/d", dir) > 0);
                FILE *f = fopen(path, "w");
                fputs(old, f);
                fclose(f);
                f = fopen(dpath, "w");
                fputs(out, f);
                fclose(f);
                assert_true(asprintf(&cmd, "patch -s %s < %s", path, dpath) > 0);
                assert_int_equal(system(cmd), 0);
                assert_int_equal(read_full_file_at(AT_FDCWD, path, 0, 1 << 20, &got, NULL), 0);
                assert_string_equal(got, new);
        }
        _cleanup_free_ char *rm = NULL;
        assert_true(asprintf(&rm, "rm -rf %s", dir) > 0);
        assert_int_equal(system(rm), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_text_prints_nothing),
                cmocka_unit_test(test_one_change),
                cmocka_unit_test(test_new_file),
                cmocka_unit_test(test_hunks),
                cmocka_unit_test(test_patch_applies),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
