/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "dropin-render.h"
#include "host-view.h"
#include "macro.h"
#include "root-skeleton.h"
#include "strv.h"

/* A host of merged /usr: /lib -> usr/lib, /bin -> usr/bin, /var/run -> /run; /usr/lib/x -> ../share/x */
static int fake_link(const char *path, char **ret, void *userdata) {
        static const char *const links[] = {"/lib",     "usr/lib", "/bin",       "usr/bin",
                                            "/var/run", "/run",    "/usr/lib/x", "../share/x"};
        for (size_t i = 0; i < ELEMENTSOF(links); i += 2)
                if (streq(path, links[i]))
                        return (*ret = strdup(links[i + 1])) ? 0 : -ENOMEM;
        return -EINVAL;
}

static void test_canonical_merges_usr_aliases(void **state) {
        MountPlan p = {};
        assert_int_equal(mount_plan_add(&p, "/usr/lib/a/libc.so.6", "/lib/a/libc.so.6", false, false, false,
                                        "closure"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/usr/lib/a/libc.so.6", "/usr/lib/a/libc.so.6", false, false,
                                        false, "closure"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/usr/bin/dash", "/bin/sh", false, false, false, "/bin/sh"), 0);
        assert_int_equal(mount_plan_add(&p, "/usr/share/x/y", "/usr/lib/x/y", false, false, false, "closure"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/var/lib/s", "/var/lib/s", true, true, false, "writable: x"), 0);
        assert_int_equal(root_skeleton_canonical(&p, fake_link, NULL), 0);
        /* /lib/a/libc.so.6 and /usr/lib/a/libc.so.6 are one file: one bind */
        assert_int_equal(p.n_binds, 4);
        assert_string_equal(p.binds[0].dest, "/usr/lib/a/libc.so.6");
        assert_string_equal(p.binds[1].dest, "/usr/bin/sh"); /* the last component stays: a link's own path */
        assert_string_equal(p.binds[2].dest, "/usr/share/x/y");
        assert_string_equal(p.binds[3].dest, "/var/lib/s");
        assert_true(p.binds[3].writable);
        /* the links met on the way, as the host stores them */
        assert_int_equal(strv_length(p.skeleton_links), 6);
        assert_string_equal(p.skeleton_links[0], "/lib");
        assert_string_equal(p.skeleton_links[1], "usr/lib");
        assert_string_equal(p.skeleton_links[2], "/bin");
        assert_string_equal(p.skeleton_links[4], "/usr/lib/x");
        assert_string_equal(p.skeleton_links[5], "../share/x");
        mount_plan_done(&p);
}

/* A drop-in's text with the marker, rendered as the plan does */
static char *dropin_text(const char *src_dir, const char *src_file) {
        MountPlan p = {};
        if (src_dir)
                assert_int_equal(mount_plan_add(&p, src_dir, "/usr/share/d", false, true, false, "closure"),
                                 0);
        assert_int_equal(mount_plan_add(&p, src_file, "/usr/lib/f:x", false, false, false, "closure"), 0);
        p.binds[0].via_view = !!src_dir;
        p.skeleton = strdup(ROOT_SKELETON_DIR "/sdt.service");
        assert_int_equal(strv_extend(&p.skeleton_links, "/lib"), 0);
        assert_int_equal(strv_extend(&p.skeleton_links, "/usr/lib"), 0); /* absolute: inside the root */
        assert_int_equal(strv_extend(&p.skeleton_dirs, "/proc"), 0);
        assert_int_equal(strv_extend(&p.skeleton_dirs, "/var/lib/sdt"), 0);
        ConfineSettings s = {};
        confine_settings_init(&s);
        char *text = NULL;
        assert_int_equal(confine_render_dropin(&s, &p, "1", &text, NULL), 0);
        confine_settings_done(&s);
        mount_plan_done(&p);
        return text;
}

/* a + b in one of a few static buffers (several per statement) */
static const char *strjoina(const char *a, const char *b) {
        static char buf[8][2 * PATH_MAX];
        static unsigned n;
        char *o = buf[n++ % ELEMENTSOF(buf)];
        snprintf(o, 2 * PATH_MAX, "%s%s", a, b);
        return o;
}

static int file_type(int dir, const char *path) {
        struct stat st;
        return fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : (int)(st.st_mode & S_IFMT);
}

static void test_sync_and_remove(void **state) {
        char tmpl[] = "/tmp/sdt-skel-XXXXXX";
        assert_non_null(mkdtemp(tmpl));
        _cleanup_close_ int root = open(tmpl, O_RDONLY | O_DIRECTORY);
        assert_true(root >= 0);
        /* the sources, as the host has them below the fake root */
        assert_int_equal(mkdir(strjoina(tmpl, "/src"), 0755), 0);
        assert_int_equal(mkdir(strjoina(tmpl, "/src/d"), 0755), 0);
        close(open(strjoina(tmpl, "/src/f:x"), O_CREAT | O_WRONLY, 0644));
        /* a host directory an absolute link would reach if followed outside the skeleton */
        assert_int_equal(mkdir(strjoina(tmpl, "/usr"), 0755), 0);
        assert_int_equal(mkdir(strjoina(tmpl, "/usr/lib"), 0755), 0);
        _cleanup_free_ char *text = dropin_text("/src/d", "/src/f:x");
        assert_non_null(
                strstr(text, "\n" ROOT_SKELETON_MAGIC "{\"dir\":\"" ROOT_SKELETON_DIR "/sdt.service/"));
        assert_null(strstr(text, "ReadOnlyPaths=+/"));
        /* the version: a hash of what it holds, the same in the marker and in RootDirectory= */
        const char *rd = strstr(text, "\nRootDirectory=" HOST_VIEW_DIR ROOT_SKELETON_DIR "/sdt.service/");
        assert_non_null(rd);
        rd += strlen("\nRootDirectory=" HOST_VIEW_DIR "/");
        char sk[PATH_MAX];
        snprintf(sk, sizeof sk, "%.*s", (int)strcspn(rd, "\n"), rd);
        assert_int_equal(strlen(sk), strlen("var/lib/sdconfine/root/sdt.service/") + 16);
        assert_non_null(strstr(text, strjoina(sk + strlen("var/lib/sdconfine/root/sdt.service"), "\"")));
        assert_int_equal(root_skeleton_sync(root, text), 0);

        assert_int_equal(file_type(root, strjoina(sk, "/lib")), S_IFLNK);
        assert_int_equal(file_type(root, strjoina(sk, "/proc")), S_IFDIR);
        assert_int_equal(file_type(root, strjoina(sk, "/var/lib/sdt")), S_IFDIR);
        assert_int_equal(file_type(root, strjoina(sk, "/usr/share/d")), S_IFDIR); /* a directory's source */
        assert_int_equal(file_type(root, strjoina(sk, "/usr/lib/f:x")), S_IFREG); /* a file's; ':' escaped */
        /* nothing landed in the host's /usr/lib through the absolute link */
        assert_int_equal(file_type(root, "usr/lib/f:x"), -ENOENT);
        /* the root of the service is world-readable; the skeletons' directory is root's alone */
        struct stat st;
        assert_int_equal(fstatat(root, sk, &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0755);
        assert_int_equal(fstatat(root, "var/lib/sdconfine/root", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0700);

        /* another plan, another version: exactly its own mount points (no stale /usr/share/d), and the old
         * version, which no process runs in, is gone */
        _cleanup_free_ char *text2 = dropin_text(NULL, "/src/f:x");
        assert_int_equal(root_skeleton_sync(root, text2), 0);
        const char *rd2 = strstr(text2, "\nRootDirectory=" HOST_VIEW_DIR "/") +
                          strlen("\nRootDirectory=" HOST_VIEW_DIR "/");
        char sk2[PATH_MAX];
        snprintf(sk2, sizeof sk2, "%.*s", (int)strcspn(rd2, "\n"), rd2);
        assert_string_not_equal(sk, sk2);
        assert_int_equal(file_type(root, strjoina(sk2, "/usr/lib/f:x")), S_IFREG);
        assert_int_equal(file_type(root, strjoina(sk2, "/usr/share/d")), -ENOENT);
        assert_int_equal(file_type(root, sk), -ENOENT);
        /* back to the first (a rollback): made again */
        assert_int_equal(root_skeleton_sync(root, text), 0);
        assert_int_equal(file_type(root, strjoina(sk, "/usr/share/d")), S_IFDIR);
        assert_int_equal(file_type(root, sk2), -ENOENT);

        /* again: nothing changes, nothing fails */
        assert_int_equal(root_skeleton_sync(root, text), 0);
        /* an entry of another type (no service runs in this one) is replaced */
        assert_int_equal(unlinkat(root, strjoina(sk, "/lib"), 0), 0);
        assert_int_equal(mkdirat(root, strjoina(sk, "/lib"), 0755), 0);
        assert_int_equal(root_skeleton_sync(root, text), 0);
        assert_int_equal(file_type(root, strjoina(sk, "/lib")), S_IFLNK);

        /* a file with content in it is not ours: removal leaves it (and what holds it) */
        int fd = openat(root, strjoina(sk, "/proc/kept"), O_CREAT | O_WRONLY, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "x", 1), 1);
        close(fd);
        assert_true(root_skeleton_remove(root, text) < 0);
        assert_int_equal(file_type(root, strjoina(sk, "/proc/kept")), S_IFREG);
        assert_int_equal(file_type(root, strjoina(sk, "/usr")), -ENOENT);
        assert_int_equal(unlinkat(root, strjoina(sk, "/proc/kept"), 0), 0);
        assert_int_equal(root_skeleton_remove(root, text), 0);
        assert_int_equal(file_type(root, sk), -ENOENT);
        assert_int_equal(file_type(root, "var/lib/sdconfine/root/sdt.service"), -ENOENT);
        /* the sources are untouched */
        assert_int_equal(file_type(root, "src/f:x"), S_IFREG);
        assert_int_equal(system(strjoina("rm -rf ", tmpl)), 0);
}

static void test_marker_is_checked(void **state) {
        _cleanup_close_ int root = open("/", O_RDONLY | O_DIRECTORY);
        /* no marker: nothing to do; a marker naming a path outside the skeletons: refused */
        assert_int_equal(root_skeleton_sync(root, "[Service]\nBindPaths=/x\n"), 0);
        /* a skeleton without its version is not one sdconfine writes */
        assert_int_equal(root_skeleton_sync(root, "#\n" ROOT_SKELETON_MAGIC "{\"dir\":\"" ROOT_SKELETON_DIR
                                                  "/a.service\"}\n"),
                         -EINVAL);
        assert_int_equal(root_skeleton_sync(root, "#\n" ROOT_SKELETON_MAGIC "{\"dir\":\"/etc\"}\n"), -EINVAL);
        assert_int_equal(root_skeleton_sync(root, "#\n" ROOT_SKELETON_MAGIC "{\"dir\":\"" ROOT_SKELETON_DIR
                                                  "/..\"}\n"),
                         -EINVAL);
        assert_int_equal(root_skeleton_remove(root, "#\n" ROOT_SKELETON_MAGIC "{\"dir\":\"" ROOT_SKELETON_DIR
                                                    "/a/b\"}\n"),
                         -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_canonical_merges_usr_aliases),
                cmocka_unit_test(test_sync_and_remove),
                cmocka_unit_test(test_marker_is_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
