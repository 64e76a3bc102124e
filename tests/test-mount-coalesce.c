/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-root.h"
#include "macro.h"
#include "mount-plan.h"
#include "path-util.h"
#include "unit-closure.h"

/* Binding a directory whole at any depth (mount-coalesce.c), over a small tree below a temporary root. */

static char dir[] = "/tmp/test-mount-coalesce-XXXXXX";
static FsRoot *root;

/* Packages of the fake tree: files below owned_below belong to owner; the rest to nobody. */
static const char *owned_below, *owner;

static void mk(const char *rel) {
        char p[4096];
        snprintf(p, sizeof p, "%s%s", dir, rel);
        for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                (void)mkdir(p, 0755);
                *s = '/';
        }
        int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        close(fd);
}

static int count_tree(const char *d, size_t *ret, void *userdata) {
        if (unit_dir_is_wide(d))
                return -EPERM;
        _cleanup_(closedirp) DIR *dd = fs_root_opendir(userdata, d);
        if (!dd)
                return -errno;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(dd)))
                n += !streq(de->d_name, ".") && !streq(de->d_name, "..");
        *ret = n;
        return 0;
}

static int read_link(const char *path, char **ret, void *userdata) {
        return fs_root_readlink(userdata, path, ret);
}

static int owners(const char *const *paths, size_t n, const char **ret, void *userdata) {
        for (size_t i = 0; i < n; i++)
                ret[i] = owned_below && path_is_under(paths[i], owned_below) ? owner : NULL;
        return 0;
}

static int setup(void **state) {
        if (!mkdtemp(dir))
                return -1;
        mk("/usr/share/demo/a");
        mk("/usr/share/demo/b");
        mk("/usr/share/demo/sub/c");
        mk("/usr/share/demo/sub/deep/d");
        mk("/usr/share/other/x");
        mk("/usr/share/other/y");
        mk("/usr/share/other/sub/z");
        mk("/usr/share/other/sub/extra");
        mk("/etc/demo/a");
        mk("/etc/demo/b");
        mk("/etc/demo/server.key");
        mk("/usr/share/pipe/a");
        mk("/usr/share/pipe/b");
        char fifo[4096];
        snprintf(fifo, sizeof fifo, "%s/usr/share/pipe/p", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        mk("/usr/lib/x86_64-linux-gnu/l1");
        mk("/usr/lib/x86_64-linux-gnu/l2");
        return fs_root_new(dir, &root);
}

static int teardown(void **state) {
        char cmd[4200];
        fs_root_free(root);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static void add_all(MountPlan *p, const char *const *files, size_t n) {
        for (size_t i = 0; i < n; i++)
                assert_int_equal(mount_plan_add(p, files[i], files[i], false, false, false, "closure"), 0);
}

static int finish(MountPlan *p) {
        SubtreeOps ops = {.root = root, .owners = owners};
        return mount_plan_finish(p, 150, count_tree, read_link, root, &ops);
}

static const char *const demo[] = {"/usr/share/demo/a", "/usr/share/demo/b", "/usr/share/demo/sub/c",
                                   "/usr/share/demo/sub/deep/d"};
static const char *const other[] = {"/usr/share/other/x", "/usr/share/other/y", "/usr/share/other/sub/z"};

static void test_all_in_closure(void **state) {
        MountPlan p = {};
        owned_below = NULL;
        add_all(&p, demo, ELEMENTSOF(demo));
        assert_int_equal(finish(&p), 0);
        /* the highest directory: one bind for four, at three depths */
        assert_int_equal(p.n_binds, 1);
        assert_string_equal(p.binds[0].dest, "/usr/share/demo");
        assert_true(p.binds[0].directory);
        assert_int_equal(p.n_merges, 1);
        assert_int_equal(p.merges[0].why, DIR_MERGE_CLOSURE);
        assert_int_equal(p.merges[0].replaced, 4);
        assert_int_equal(p.merges[0].exposed, 0);
        assert_int_equal(p.coalesced_dirs, 1);
        assert_int_equal(p.exposed_files, 0);
        mount_plan_done(&p);
}

static void test_file_outside_blocks(void **state) {
        MountPlan p = {};
        owned_below = NULL;
        /* /usr/share/other/sub/extra is neither in the plan nor of a package: nothing goes whole */
        add_all(&p, other, ELEMENTSOF(other));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_binds, 3);
        assert_int_equal(p.n_merges, 0);
        mount_plan_done(&p);

        /* of a package the plan binds no file of: no better */
        p = (MountPlan){};
        owned_below = "/usr/share/other/sub/extra";
        owner = "other-data";
        add_all(&p, other, ELEMENTSOF(other));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_binds, 3);
        assert_int_equal(p.n_merges, 0);
        mount_plan_done(&p);
}

static void test_package(void **state) {
        MountPlan p = {};
        owned_below = "/usr/share/other";
        owner = "other";
        add_all(&p, other, ELEMENTSOF(other));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_binds, 1);
        assert_string_equal(p.binds[0].dest, "/usr/share/other");
        assert_int_equal(p.n_merges, 1);
        assert_int_equal(p.merges[0].why, DIR_MERGE_PACKAGE);
        assert_string_equal(p.merges[0].package, "other");
        assert_int_equal(p.merges[0].replaced, 3);
        assert_int_equal(p.merges[0].exposed, 1);
        assert_string_equal(p.merges[0].examples[0], "/usr/share/other/sub/extra");
        assert_null(p.merges[0].examples[1]);
        assert_int_equal(p.exposed_files, 1);
        char *line;
        assert_int_equal(dir_merge_describe(p.merges, &line), 0);
        assert_string_equal(line, "/usr/share/other (package other): 3 binds -> 1, exposes 1 more file, e.g. "
                                  "/usr/share/other/sub/extra");
        free(line);
        mount_plan_done(&p);
}

static void test_writable_blocks(void **state) {
        MountPlan p = {};
        owned_below = NULL;
        add_all(&p, demo, 3);
        assert_int_equal(mount_plan_add(&p, demo[3], demo[3], true, false, false, "writable"), 0);
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_merges, 0);
        assert_int_equal(p.n_binds, 4);
        mount_plan_done(&p);
}

static void test_never_bound_blocks(void **state) {
        MountPlan p = {};
        /* /etc/demo/server.key is a private key of the host: /etc/demo is never bound whole */
        owned_below = "/etc/demo";
        owner = "demo";
        static const char *const files[] = {"/etc/demo/a", "/etc/demo/b"};
        add_all(&p, files, ELEMENTSOF(files));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_merges, 0);
        assert_int_equal(p.n_binds, 2);
        mount_plan_done(&p);
}

static void test_fifo_blocks(void **state) {
        MountPlan p = {};
        /* a FIFO (as a device node or a socket) is not what a directory bound whole may show */
        owned_below = "/usr/share/pipe";
        owner = "pipe";
        static const char *const files[] = {"/usr/share/pipe/a", "/usr/share/pipe/b"};
        add_all(&p, files, ELEMENTSOF(files));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_merges, 0);
        assert_int_equal(p.n_binds, 2);
        mount_plan_done(&p);
}

static void test_wide_never(void **state) {
        MountPlan p = {};
        owned_below = NULL;
        static const char *const files[] = {"/usr/lib/x86_64-linux-gnu/l1", "/usr/lib/x86_64-linux-gnu/l2"};
        add_all(&p, files, ELEMENTSOF(files));
        assert_int_equal(finish(&p), 0);
        assert_int_equal(p.n_merges, 0);
        assert_int_equal(p.n_binds, 2);
        mount_plan_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_in_closure),
                cmocka_unit_test(test_file_outside_blocks),
                cmocka_unit_test(test_package),
                cmocka_unit_test(test_writable_blocks),
                cmocka_unit_test(test_never_bound_blocks),
                cmocka_unit_test(test_fifo_blocks),
                cmocka_unit_test(test_wide_never),
        };
        return cmocka_run_group_tests_name("mount-coalesce", tests, setup, teardown);
}
