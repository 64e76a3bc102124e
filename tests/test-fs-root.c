/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fs-root.h"
#include "macro.h"

static char dir[] = "/tmp/sdconfine-fs-root-XXXXXX";

static void mk(const char *rel, const char *link_target) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, rel);
        if (link_target)
                assert_int_equal(symlink(link_target, p), 0);
        else if (rel[strlen(rel) - 1] == '/')
                assert_int_equal(mkdir(p, 0755), 0);
        else {
                int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                assert_true(fd >= 0);
                assert_int_equal(write(fd, "data", 4), 4);
                close(fd);
        }
}

static int setup(void **state) {
        strcpy(dir, "/tmp/sdconfine-fs-root-XXXXXX"); /* each test its own directory */
        if (!mkdtemp(dir))
                return -1;
        return 0;
}

static int teardown(void **state) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_chase(void **state) {
        FsRoot *r;
        const char *real;
        struct stat st;

        mk("usr/", NULL);
        mk("usr/lib/", NULL);
        mk("usr/lib/file", NULL);
        mk("lib", "usr/lib");
        mk("abs", "/usr/lib/file");             /* absolute: from the root, not the host */
        mk("escape", "../../../../etc/passwd"); /* ".." stops at the root */
        mk("rel", "lib/../lib/./file"); /* ".." after a link: the link target's parent, as the kernel */
        mk("loop", "loop");
        mk("dangling", "nothing/here");
        mk("dir with space/", NULL);
        mk("dir with space/f:1%", NULL);

        assert_int_equal(fs_root_new(dir, &r), 0);
        assert_int_equal(fs_root_chase(r, "/lib/file", &real, &st), 0);
        assert_string_equal(real, "/usr/lib/file");
        assert_int_equal(st.st_size, 4);
        assert_int_equal(fs_root_chase(r, "/abs", &real, NULL), 0);
        assert_string_equal(real, "/usr/lib/file");
        assert_int_equal(fs_root_chase(r, "/rel", &real, NULL), 0);
        assert_string_equal(real, "/usr/lib/file");
        assert_int_equal(fs_root_chase(r, "/escape", &real, NULL), -ENOENT); /* /etc/passwd of the root */
        assert_int_equal(fs_root_chase(r, "/loop", &real, NULL), -ELOOP);
        assert_int_equal(fs_root_chase(r, "/dangling", &real, NULL), -ENOENT);
        assert_int_equal(fs_root_chase(r, "/usr/lib/file/x", &real, NULL), -ENOTDIR);
        assert_int_equal(fs_root_chase(r, "/dir with space/f:1%", &real, NULL), 0);
        assert_string_equal(real, "/dir with space/f:1%");
        assert_int_equal(fs_root_chase(r, "/", &real, NULL), 0);
        assert_string_equal(real, "/");
        assert_int_equal(fs_root_chase(r, "/../../lib//file/", &real, NULL), -ENOTDIR);
        assert_int_equal(fs_root_chase(r, "/../../lib//file", &real, NULL), 0);
        assert_string_equal(real, "/usr/lib/file");
        assert_int_equal(fs_root_is_symlink(r, "/lib"), 1);
        assert_int_equal(fs_root_is_symlink(r, "/usr/lib/file"), 0);
        /* answers are remembered: a file created later is not seen by this FsRoot (one consistent view) */
        mk("late", NULL);
        assert_int_equal(fs_root_chase(r, "/late", &real, NULL), 0);
        fs_root_free(r);

        assert_int_equal(fs_root_new("/nonexistent-root-dir", &r), -ENOENT);
}

static void test_normalize(void **state) {
        static const char *const table[][2] = {
                {"/", "/"},
                {"//", "/"},
                {"/a/b", "/a/b"},
                {"/a/b/", "/a/b"},
                {"//a///b//", "/a/b"},
                {"/a/./b/.", "/a/b"},
                {"/opt/syn/bin/../lib/libx.so.1", "/opt/syn/lib/libx.so.1"},
                {"/a/b/../../c", "/c"},
                {"/a/..", "/"},
                {"/../../x", "/x"},
                {"/a/b/../..", "/"},
                {"/a/.../b", "/a/.../b"}, /* "..." is a name */
                {"/a/..b/.c", "/a/..b/.c"},
                {"/usr/lib/x86_64-linux-gnu/../../lib64/ld.so", "/usr/lib64/ld.so"},
                {"relative/../x", "relative/../x"},
        };
        (void)state;
        for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
                char buf[256];
                strcpy(buf, table[i][0]);
                path_normalize(buf);
                assert_string_equal(buf, table[i][1]);
        }
}

/* A memo is the file's as it is: another tag, another caller's text, or the file rewritten (its mtime, size)
 * is another key. */
static void test_memo(void **state) {
        FsRoot *r;
        struct stat st, st2;
        static int one, two;
        mk("m", NULL);
        assert_int_equal(fs_root_new(dir, &r), 0);
        assert_int_equal(fs_root_chase(r, "/m", NULL, &st), 0);
        assert_null(fs_root_memo_get(r, "t", &st, NULL));
        assert_int_equal(fs_root_memo_put(r, "t", &st, NULL, &one), 0);
        assert_int_equal(fs_root_memo_put(r, "t", &st, "os.path", &two), 0);
        assert_ptr_equal(fs_root_memo_get(r, "t", &st, NULL), &one);
        assert_ptr_equal(fs_root_memo_get(r, "t", &st, "os.path"), &two);
        assert_null(fs_root_memo_get(r, "u", &st, NULL));
        assert_null(fs_root_memo_get(r, "t", &st, "os"));
        assert_non_null(fs_root_memo_arena(r));
        st2 = st;
        st2.st_mtim.tv_nsec ^= 1;
        assert_null(fs_root_memo_get(r, "t", &st2, NULL));
        st2 = st;
        st2.st_size++;
        assert_null(fs_root_memo_get(r, "t", &st2, NULL));
        st2 = st;
        st2.st_ino++;
        assert_null(fs_root_memo_get(r, "t", &st2, NULL));
        fs_root_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_chase, setup, teardown),
                cmocka_unit_test(test_normalize),
                cmocka_unit_test_setup_teardown(test_memo, setup, teardown),
        };
        return cmocka_run_group_tests_name("fs-root", tests, NULL, NULL);
}
