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
#include "pkg-index.h"

static char dir[] = "/tmp/sdconfine-pkgidx-XXXXXX";
static char cache[4200];

static void write_file(const char *rel, const char *content) {
        char p[4096], tmp[4200];
        /* as dpkg does: a new file renamed over the old one */
        snprintf(p, sizeof p, "%s/%s", dir, rel);
        snprintf(tmp, sizeof tmp, "%s.new", p);
        FILE *f = fopen(tmp, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
        assert_int_equal(rename(tmp, p), 0);
}

/* Changes younger than the file system's timestamp granularity are not trusted to show in the key. */
static void settle(void) {
        usleep(150 * 1000);
}

static int setup(void **state) {
        char p[4300];
        strcpy(dir, "/tmp/sdconfine-pkgidx-XXXXXX");
        if (!mkdtemp(dir))
                return -1;
        snprintf(cache, sizeof cache, "%s/cache", dir);
        setenv("SDCONFINE_CACHE_DIR", cache, 1);
        snprintf(p, sizeof p, "mkdir -p %s/var/lib/dpkg/info %s/usr/lib && ln -s usr/lib %s/lib", dir, dir,
                 dir);
        if (system(p) != 0)
                return -1;
        write_file("var/lib/dpkg/info/libfoo1:amd64.list", "/.\n/lib\n/lib/x86_64-linux-gnu/libfoo.so.1\n");
        write_file("var/lib/dpkg/info/tool.list", "/usr/bin/tool\n/etc/tool.conf\n");
        write_file(
                "var/lib/dpkg/status",
                "Package: tool\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\n"
                "Depends: libfoo1 (>= 1)\nConffiles:\n /etc/tool.conf 0123\n\n"
                "Package: libfoo1\nStatus: install ok installed\nArchitecture: amd64\nSource: foo (1.0)\n\n");
        return 0;
}

static int teardown(void **state) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        unsetenv("SDCONFINE_CACHE_DIR");
        return system(cmd) == 0 ? 0 : -1;
}

static const char *const aliases[] = {"/lib/", NULL};

static PkgIndex *open_index(bool force, PkgIndexOrigin want) {
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        PkgIndexRoot root = {.fd = fd, .path = dir, .arch = "amd64", .aliases = aliases};
        PkgIndex *x;
        assert_int_equal(pkg_index_open(&root, force, &x), 0);
        assert_int_equal(pkg_index_origin(x), want);
        return x;
}

static const char *owner(PkgIndex *x, const char *path) {
        const char *o;
        int r = pkg_index_owner(x, path, &o);
        assert_true(r == 0 || r == -ENOENT);
        return r == 0 ? o : NULL;
}

/* What the synthetic database says, asked of an index built now or read back from the cache. */
static void check_contents(PkgIndex *x) {
        assert_string_equal(owner(x, "/usr/lib/x86_64-linux-gnu/libfoo.so.1"), "libfoo1:amd64");
        assert_string_equal(owner(x, "/usr/bin/tool"), "tool");
        assert_null(owner(x, "/usr/bin/none"));
        assert_null(owner(x, "/nowhere/x"));
        size_t n, i;
        const char *name, *text;
        assert_int_equal(pkg_index_n_packages(x, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pkg_index_package(x, 0, &name), 0);
        assert_string_equal(name, "libfoo1:amd64");
        assert_int_equal(pkg_index_find_package(x, "tool", &i), 0);
        assert_int_equal(pkg_index_package_files(x, i, &text, &n), 0);
        assert_int_equal(n, strlen("/usr/bin/tool\n/etc/tool.conf\n"));
        assert_memory_equal(text, "/usr/bin/tool\n/etc/tool.conf\n", n);
        PkgIndexStatus st;
        assert_int_equal(pkg_index_status(x, "tool", &st), 0);
        assert_string_equal(st.depends, "libfoo1 (>= 1)");
        assert_string_equal(st.priority, "optional");
        assert_int_equal(pkg_index_status(x, "libfoo1:amd64", &st), 0);
        assert_string_equal(st.source, "foo");
        assert_int_equal(pkg_index_status(x, "nothing", &st), -ENOENT);
}

static void test_build_save_load(void **state) {
        settle();
        PkgIndex *x = open_index(false, PKG_INDEX_SAVED);
        check_contents(x);
        pkg_index_free(x);
        x = open_index(false, PKG_INDEX_LOADED);
        check_contents(x);
        assert_null(pkg_index_note(x));
        pkg_index_free(x);
}

/* A package installed, then a diversion, then the package removed: each time the key changes. */
static void test_rebuilt_on_change(void **state) {
        settle();
        pkg_index_free(open_index(false, PKG_INDEX_SAVED));
        write_file("var/lib/dpkg/info/extra.list", "/usr/bin/extra\n");
        /* just now: built, but not saved, since a change in the same tick would not show */
        PkgIndex *x = open_index(false, PKG_INDEX_UNSAVED);
        assert_string_equal(owner(x, "/usr/bin/extra"), "extra");
        pkg_index_free(x);
        settle();
        x = open_index(false, PKG_INDEX_SAVED);
        assert_string_equal(owner(x, "/usr/bin/extra"), "extra");
        pkg_index_free(x);

        write_file("var/lib/dpkg/diversions", "/usr/bin/extra\n/usr/bin/extra.real\n:\n");
        settle();
        x = open_index(false, PKG_INDEX_SAVED);
        assert_null(owner(x, "/usr/bin/extra"));
        assert_string_equal(owner(x, "/usr/bin/extra.real"), "extra");
        pkg_index_free(x);

        char p[4200];
        snprintf(p, sizeof p, "%s/var/lib/dpkg/info/extra.list", dir);
        assert_int_equal(unlink(p), 0);
        settle();
        x = open_index(false, PKG_INDEX_SAVED);
        assert_null(owner(x, "/usr/bin/extra.real"));
        pkg_index_free(x);
        pkg_index_free(open_index(false, PKG_INDEX_LOADED));
}

static void damage(const char *how, off_t at) {
        _cleanup_free_ char *path = NULL;
        assert_int_equal(pkg_index_cache_path(dir, &path), 0);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        if (streq(how, "truncate"))
                assert_int_equal(ftruncate(fd, st.st_size / 2), 0);
        else {
                uint8_t b;
                off_t off = at >= 0 ? at : st.st_size + at;
                assert_int_equal(pread(fd, &b, 1, off), 1);
                b ^= 0x40;
                assert_int_equal(pwrite(fd, &b, 1, off), 1);
        }
        close(fd);
}

/* A damaged file is never used: the header at open, every other part when first read. */
static void test_corrupt_rebuilt(void **state) {
        settle();
        pkg_index_free(open_index(false, PKG_INDEX_SAVED));
        damage("flip", 0); /* the magic */
        pkg_index_free(open_index(false, PKG_INDEX_SAVED));
        damage("flip", 100); /* the key */
        pkg_index_free(open_index(false, PKG_INDEX_SAVED));
        damage("truncate", 0);
        pkg_index_free(open_index(false, PKG_INDEX_SAVED));

        /* the last bytes: the status data, checked when read; dpkg-db rebuilds and answers right */
        damage("flip", -3);
        PkgIndex *x = open_index(false, PKG_INDEX_LOADED);
        PkgIndexStatus st;
        assert_int_equal(pkg_index_status(x, "tool", &st) == -EBADMSG ||
                                 pkg_index_status(x, "libfoo1", &st) == -EBADMSG,
                         true);
        pkg_index_free(x);
        FsRoot *r;
        DpkgDb *db;
        const DpkgPackage *p, *q;
        assert_int_equal(fs_root_new(dir, &r), 0);
        assert_int_equal(dpkg_db_new(r, &db), 0);
        assert_int_equal(dpkg_db_package_info(db, "tool", &p), 0);
        assert_int_equal(dpkg_db_package_info(db, "libfoo1", &q), 0);
        assert_string_equal(p->depends, "libfoo1 (>= 1)");
        assert_string_equal(q->source, "foo");
        dpkg_db_free(db);
        fs_root_free(r);
        x = open_index(false, PKG_INDEX_LOADED);
        check_contents(x);
        pkg_index_free(x);
}

/* No writable cache: the index is built in memory every time, and the caller gets a note to pass on. */
static void test_unwritable_cache(void **state) {
        char p[4300];
        snprintf(p, sizeof p, "%s/var/lib/dpkg/status", dir); /* a file: no directory below it */
        setenv("SDCONFINE_CACHE_DIR", p, 1);
        settle();
        PkgIndex *x = open_index(false, PKG_INDEX_UNSAVED);
        assert_non_null(pkg_index_note(x));
        check_contents(x);
        pkg_index_free(x);

        FsRoot *r;
        DpkgDb *db;
        const char *paths[] = {"/lib/x86_64-linux-gnu/libfoo.so.1"}, *owners[1];
        assert_int_equal(fs_root_new(dir, &r), 0);
        assert_int_equal(dpkg_db_new(r, &db), 0);
        assert_int_equal(dpkg_db_find_owners(db, paths, 1, owners), 0);
        assert_string_equal(owners[0], "libfoo1:amd64");
        assert_non_null(dpkg_db_note(db));
        assert_non_null(strstr(dpkg_db_note(db), "could not be saved"));
        dpkg_db_free(db);
        fs_root_free(r);
        setenv("SDCONFINE_CACHE_DIR", cache, 1);
}

/* Bytes that are no index are refused, whatever they are. */
static void test_garbage(void **state) {
        uint8_t buf[4096];
        PkgIndex *x;
        for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (uint8_t)(i * 7);
        assert_int_equal(pkg_index_from_buffer(buf, sizeof buf, &x), -EBADMSG);
        assert_int_equal(pkg_index_from_buffer(buf, 10, &x), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_build_save_load, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rebuilt_on_change, setup, teardown),
                cmocka_unit_test_setup_teardown(test_corrupt_rebuilt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unwritable_cache, setup, teardown),
                cmocka_unit_test(test_garbage),
        };
        return cmocka_run_group_tests_name("pkg-index", tests, NULL, NULL);
}
