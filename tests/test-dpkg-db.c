/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "dpkg-db.h"
#include "macro.h"

static char dir[] = "/tmp/sdconfine-dpkg-XXXXXX";

static void write_file(const char *rel, const char *content) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static int setup(void **state) {
        char p[4096];
        if (!mkdtemp(dir))
                return -1;
        snprintf(p, sizeof p,
                 "mkdir -p %s/var/lib/dpkg/info %s/usr/lib %s/usr/bin && ln -s usr/lib %s/lib && ln -s "
                 "usr/bin %s/bin",
                 dir, dir, dir, dir, dir);
        return system(p) == 0 ? 0 : -1;
}

static int teardown(void **state) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

/* A database of our own: merged-/usr aliases, a diversion, Multi-Arch names, a file in two packages. */
static void test_synthetic(void **state) {
        FsRoot *r;
        DpkgDb *db;
        write_file("var/lib/dpkg/info/libfoo1:amd64.list",
                   "/.\n/lib\n/lib/x86_64-linux-gnu/libfoo.so.1\n/usr/share/doc/foo\n");
        write_file("var/lib/dpkg/info/libfoo1:i386.list", "/.\n/usr/share/doc/foo\n");
        write_file("var/lib/dpkg/info/tool.list", "/usr/bin/tool\n/bin/shell\n");
        write_file("var/lib/dpkg/info/wrapper.list", "/usr/bin/tool\n");
        /* wrapper diverts tool's /usr/bin/tool to /usr/bin/tool.real and ships its own /usr/bin/tool */
        write_file("var/lib/dpkg/diversions", "/usr/bin/tool\n/usr/bin/tool.real\nwrapper\n");

        assert_int_equal(fs_root_new(dir, &r), 0);
        assert_int_equal(dpkg_db_new(r, &db), 0);
        const char *paths[] = {"/usr/lib/x86_64-linux-gnu/libfoo.so.1",
                               "/lib/x86_64-linux-gnu/libfoo.so.1",
                               "/usr/bin/tool",
                               "/usr/bin/tool.real",
                               "/usr/share/doc/foo",
                               "/usr/bin/shell",
                               "/nothing"};
        const char *owners[ELEMENTSOF(paths)];
        assert_int_equal(dpkg_db_find_owners(db, paths, ELEMENTSOF(paths), owners), 0);
        assert_string_equal(owners[0], "libfoo1:amd64");
        assert_string_equal(owners[1], "libfoo1:amd64");
        assert_string_equal(owners[2], "wrapper");
        assert_string_equal(owners[3], "tool");
        assert_non_null(strstr(owners[4], "libfoo1:amd64"));
        assert_non_null(strstr(owners[4], "libfoo1:i386"));
        assert_string_equal(owners[5], "tool");
        assert_null(owners[6]);

        char **files;
        assert_int_equal(dpkg_db_package_files(db, "libfoo1", &files), 0);
        assert_string_equal(files[0], "/lib");
        assert_string_equal(files[1], "/lib/x86_64-linux-gnu/libfoo.so.1");
        for (char **f = files; *f; f++)
                free(*f);
        free(files);
        assert_int_equal(dpkg_db_package_files(db, "tool", &files), 0);
        assert_string_equal(files[0], "/usr/bin/tool.real"); /* diverted */
        for (char **f = files; *f; f++)
                free(*f);
        free(files);
        assert_int_equal(dpkg_db_package_files(db, "nosuchpackage", &files), -ENOENT);
        assert_int_equal(dpkg_db_package_files(db, "../../etc/passwd", &files), -EINVAL);
        assert_int_equal(dpkg_db_package_files(db, "A", &files), -EINVAL);
        dpkg_db_free(db);
        fs_root_free(r);
}

/* The machine's own database agrees with dpkg-query -S. */
static void test_real_database(void **state) {
        FsRoot *r;
        DpkgDb *db;
        assert_int_equal(fs_root_new("/", &r), 0);
        if (dpkg_db_new(r, &db) < 0) {
                fs_root_free(r);
                skip();
        }
        const char *paths[] = {"/usr/bin/ls", "/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                               "/lib64/ld-linux-x86-64.so.2", "/usr/bin/dpkg"};
        const char *owners[ELEMENTSOF(paths)];
        assert_int_equal(dpkg_db_find_owners(db, paths, ELEMENTSOF(paths), owners), 0);
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                char cmd[512], want[512] = "";
                /* dpkg-query knows the path as packaged: try both spellings */
                snprintf(cmd, sizeof cmd,
                         "(dpkg-query -S '%s' 2>/dev/null || dpkg-query -S '%s' 2>/dev/null) | head -1 | sed "
                         "'s/: .*//'",
                         paths[i], startswith(paths[i], "/usr/") ? paths[i] + 4 : paths[i]);
                FILE *p = popen(cmd, "r");
                assert_non_null(p);
                if (!fgets(want, sizeof want, p))
                        want[0] = 0;
                pclose(p);
                want[strcspn(want, "\n")] = 0;
                assert_non_null(owners[i]);
                assert_string_equal(owners[i], want);
        }
        char **files;
        assert_int_equal(dpkg_db_package_files(db, "libc6", &files), 0);
        bool found = false;
        for (char **f = files; *f; f++) {
                found = found || streq(*f, "/lib/x86_64-linux-gnu/libc.so.6");
                free(*f);
        }
        free(files);
        assert_true(found);
        dpkg_db_free(db);
        fs_root_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_synthetic, setup, teardown),
                cmocka_unit_test(test_real_database),
        };
        return cmocka_run_group_tests_name("dpkg-db", tests, NULL, NULL);
}
