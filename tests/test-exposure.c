/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "confine.h"
#include "exposure.h"
#include "fileio.h"
#include "macro.h"
#include "security-score.h"

static char root[] = "/tmp/test-exposure.XXXXXX";
static int root_fd = -EBADF;

static void put(const char *rel, const char *text) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

static void dir(const char *rel) {
        assert_int_equal(mkdirat(root_fd, rel, 0755), 0);
}

static int setup(void **state) {
        (void)state;
        strcpy(root, "/tmp/test-exposure.XXXXXX");
        assert_non_null(mkdtemp(root));
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(root_fd >= 0);
        return 0;
}

static int teardown(void **state) {
        char cmd[600];
        (void)state;
        close(root_fd);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        return system(cmd);
}

/* ---- the parser, on outputs of systemd-analyze 252 captured on Debian 12 ---- */

static char *fixture(const char *name) {
        const char *src = getenv("top_srcdir");
        char p[1024], *text = NULL;
        snprintf(p, sizeof p, "%s/tests/fixtures/security/%s", src ? src : ".", name);
        assert_int_equal(read_full_file_at(AT_FDCWD, p, 0, 1 << 20, &text, NULL), 0);
        return text;
}

static void test_parse_real(void **state) {
        static const struct {
                const char *file, *unit;
                double score;
                const char *level;
        } cases[] = {
                {"nginx-offline.txt", "nginx.service", 9.6, "UNSAFE"},
                {"nginx-offline.txt", NULL, 9.6, "UNSAFE"},
                {"redis-server-offline.txt", "redis-server.service", 1.2, "OK"},
                {"getty-instance.txt", "getty@tty1.service", 9.6, "UNSAFE"},
                {"nginx-color.txt", "nginx.service", 9.6, "UNSAFE"}, /* SYSTEMD_COLORS=1: colours and links */
                {"two-units.txt", "nginx.service", 9.6, "UNSAFE"},
                {"two-units.txt", "cron.service", 9.6, "UNSAFE"},
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *text = fixture(cases[i].file), *level = NULL;
                double score = -1;
                assert_int_equal(security_parse_output(text, cases[i].unit, &score, &level), 0);
                assert_true(score > cases[i].score - 0.01 && score < cases[i].score + 0.01);
                assert_string_equal(level, cases[i].level);
                free(level);
                free(text);
        }
        /* a unit the report does not cover */
        char *text = fixture("nginx-offline.txt");
        double score;
        assert_int_equal(security_parse_output(text, "cron.service", &score, NULL), -EBADMSG);
        /* cut before the last line */
        *strstr(text, "\xe2\x86\x92 Overall") = 0;
        assert_int_equal(security_parse_output(text, NULL, &score, NULL), -EBADMSG);
        free(text);
}

static void test_parse_malformed(void **state) {
        static const struct {
                const char *text;
                int r;
                double score;
        } cases[] = {
                {"", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: \n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: 11.0 UNSAFE\n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: 10.1 UNSAFE\n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: 9.x UNSAFE\n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: -1.0 OK\n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: 9.6UNSAFE\n", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service 9.6 UNSAFE\n", -EBADMSG, 0},
                {"Overall exposure level for a.service: 99999999999999999999.0 X", -EBADMSG, 0},
                {"\xe2\x86\x92 Overall exposure level for a.service: 10.0 UNSAFE", 0, 10.0},
                {"-> Overall exposure level for a.service: 0.0 PERFECT\n", 0, 0.0},
                {"\xe2\x86\x92 Overall exposure level for a:b\\x2dc.service: 3.4 OK\n", 0, 3.4},
                {"\xe2\x86\x92 Overall exposure level for a.service: 7\n", 0, 7.0},
                {"\033[0;1;39m\033]8;;file://h/x\aOverall exposure level for a.service\033]8;;\a\033[0m: "
                 "\033[0;1;31m5.5 MEDIUM\033[0m\n",
                 0, 5.5},
                {"\033[", -EBADMSG, 0},
                {"\033]8;;unterminated", -EBADMSG, 0},
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                double score = -1;
                int r = security_parse_output(cases[i].text, NULL, &score, NULL);
                if (r != cases[i].r)
                        fail_msg("case %zu: %d, wanted %d", i, r, cases[i].r);
                if (r == 0)
                        assert_true(score > cases[i].score - 0.01 && score < cases[i].score + 0.01);
        }
        assert_int_equal(security_parse_output(NULL, NULL, &(double){0}, NULL), -EINVAL);
}

/* ---- systemd-analyze itself, offline, when it is installed ---- */

static void test_score_live(void **state) {
        (void)state;
        if (access("/usr/bin/systemd-analyze", X_OK) < 0 && access("/bin/systemd-analyze", X_OK) < 0) {
                skip();
                return;
        }
        dir("lib"), dir("lib/systemd"), dir("lib/systemd/system"), dir("lib/systemd/system/web.service.d");
        put("lib/systemd/system/web.service", "[Service]\nExecStart=/usr/sbin/web\n");
        put("lib/systemd/system/web.service.d/10-user.conf", "[Service]\nUser=www-data\n");
        put("lib/systemd/system/web.service.d/50-confinement.conf",
            CONFINE_HEADER_MAGIC " 0\n[Service]\n"
                                 "PrivateUsers=yes\n");
        char *with_ours[] = {(char *)"/lib/systemd/system/web.service.d/10-user.conf",
                             (char *)"/lib/systemd/system/web.service.d/50-confinement.conf", NULL},
             *none[] = {NULL};
        SecurityUnit u = {.unit = "web.service",
                          .fragment_path = "/lib/systemd/system/web.service",
                          .dropin_paths = none,
                          .root_fd = root_fd};
        double plain = -1, before = -1, after = -1;
        char *err = NULL;
        assert_int_equal(security_score(&u, NULL, &plain, &err), 0);
        /* User= counts; our own drop-in is left out of "before" */
        u.dropin_paths = with_ours;
        assert_int_equal(security_score(&u, NULL, &before, &err), 0);
        assert_true(before < plain);
        assert_int_equal(
                security_score(&u,
                               "[Service]\nRootDirectory=/run/x\nPrivateUsers=yes\nPrivateDevices=yes\n"
                               "ProtectKernelModules=yes\nCapabilityBoundingSet=\n",
                               &after, &err),
                0);
        print_message("# web.service: %.1f plain, %.1f with User=, %.1f confined\n", plain, before, after);
        assert_true(after < before);
        /* systemd-analyze refuses: its own words come back */
        put("lib/systemd/system/web.service", "[Service]\n");
        assert_int_equal(security_score(&u, NULL, &after, &err), -EIO);
        assert_non_null(strstr(err, "ExecStart"));
        free(err), err = NULL;
        u.fragment_path = "/lib/systemd/system/none.service";
        assert_int_equal(security_score(&u, NULL, &after, &err), -ENOENT);
        assert_non_null(strstr(err, "cannot read /lib/systemd/system/none.service"));
        free(err);
}

/* ---- the counter, on a small tree ---- */

static void make_tree(void) {
        dir("a"), dir("a/b"), dir("c"), dir("dev"), dir("proc");
        put("a/1", "0123456789");
        put("a/2", "01234567890123456789");
        put("a/b/3", "012345678901234567890123456789");
        put("c/4", "0123456789012345678901234567890123456789");
        put("dev/ignored", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        put("proc/ignored", "x");
        assert_int_equal(linkat(root_fd, "a/1", root_fd, "a/b/hard", 0), 0);
        assert_int_equal(symlinkat("/etc/passwd", root_fd, "a/s"), 0);
}

static void test_count_tree(void **state) {
        ExposureWalk *w;
        ExposureCount c;
        (void)state;
        make_tree();
        assert_int_equal(exposure_walk_new(false, &w), 0);
        assert_int_equal(exposure_walk_add(w, root_fd, "/"), 0);
        exposure_walk_count(w, &c);
        /* a/1 and its hard link once, the symlink not, /dev and /proc not */
        assert_int_equal(c.files, 4);
        assert_int_equal(c.bytes, 100);
        assert_int_equal(c.dirs, 4);
        /* the same tree again adds nothing: its directories were seen */
        assert_int_equal(exposure_walk_add(w, root_fd, "/a"), 0);
        exposure_walk_count(w, &c);
        assert_int_equal(c.files, 4);
        exposure_walk_free(w);

        /* below the top, a directory called dev is a directory like any other */
        assert_int_equal(exposure_walk_new(true, &w), 0);
        dir("c/dev");
        put("c/dev/x", "12");
        assert_int_equal(exposure_walk_add(w, root_fd, "/c"), 0);
        assert_int_equal(exposure_walk_add(w, root_fd, "/a/s"), 0); /* a symlink itself: nothing */
        assert_int_equal(exposure_walk_add(w, root_fd, "/none"), -ENOENT);
        exposure_walk_count(w, &c);
        assert_int_equal(c.files, 2);
        assert_int_equal(c.bytes, 42);
        exposure_walk_free(w);
}

static void test_count_plan(void **state) {
        MountPlan p = {};
        ExposureCount c;
        (void)state;
        make_tree();
        /* a directory, a file inside it bound again, a file elsewhere, a missing file */
        assert_int_equal(mount_plan_add(&p, "/a", "/a", false, true, false, "directory"), 0);
        assert_int_equal(mount_plan_add(&p, "/a/b/3", "/a/b/3", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/c/4", "/usr/bin/four", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/missing", "/missing", false, false, false, "closure"), 0);
        assert_int_equal(exposure_plan_count(root_fd, &p, &c), 0);
        assert_int_equal(c.files, 4);
        assert_int_equal(c.bytes, 100);
        mount_plan_done(&p);

        /* files only: the hard link's other name is the same file */
        p = (MountPlan){};
        assert_int_equal(mount_plan_add(&p, "/a/1", "/a/1", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/a/b/hard", "/x", false, false, false, "closure"), 0);
        assert_int_equal(exposure_plan_count(root_fd, &p, &c), 0);
        assert_int_equal(c.files, 1);
        assert_int_equal(c.bytes, 10);
        mount_plan_done(&p);
}

static void test_host_cache(void **state) {
        ExposureCount c1, c2;
        bool cached = true;
        char cache[600];
        (void)state;
        make_tree();
        snprintf(cache, sizeof cache, "%s/cache/host-count", root);
        assert_int_equal(exposure_host_count(root, cache, 3600, &c1, &cached), 0);
        assert_false(cached);
        /* the cache lives inside the tree: a file more on the next real walk, not on a cached one */
        assert_int_equal(exposure_host_count(root, cache, 3600, &c2, &cached), 0);
        assert_true(cached);
        assert_int_equal(c1.files, c2.files);
        assert_int_equal(c1.bytes, c2.bytes);
        /* too old: walked again (and the cache file is now counted) */
        assert_int_equal(exposure_host_count(root, cache, 0, &c2, &cached), 0);
        sleep(1);
        assert_int_equal(exposure_host_count(root, cache, 0, &c2, &cached), 0);
        assert_false(cached);
        assert_int_equal(c2.files, c1.files + 1);
        /* another root: not this cache */
        char other[620];
        snprintf(other, sizeof other, "%s/a", root);
        assert_int_equal(exposure_host_count(other, cache, 3600, &c2, &cached), 0);
        assert_false(cached);
        assert_int_equal(c2.files, 3);
        /* a corrupt cache is walked past */
        put("cache/host-count", "garbage");
        assert_int_equal(exposure_host_count(root, cache, 3600, &c2, &cached), 0);
        assert_false(cached);
}

static bool has(char **l, const char *s) {
        return strv_contains(l, s);
}

static void test_sensitive(void **state) {
        char **before = NULL, **after = NULL;
        MountPlan p = {};
        (void)state;
        dir("etc"), dir("etc/ssh"), dir("root"), dir("home"), dir("var"), dir("var/lib"), dir("usr");
        dir("var/lib/own"), dir("var/lib/other"), dir("home/alice");
        put("etc/shadow", "root:*:1::::::\n");
        put("etc/ssh/ssh_host_ed25519_key", "k");
        put("etc/ssh/ssh_host_ed25519_key.pub", "p");
        put("etc/ssh/sshd_config", "c");
        put("home/alice/.profile", "p");
        assert_int_equal(mount_plan_add(&p, "/var/lib/own", "/var/lib/own", true, true, false, "writable"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/etc/ssh/sshd_config", "/etc/ssh/sshd_config", false, false,
                                        false, "closure"),
                         0);
        assert_int_equal(exposure_sensitive(root_fd, &p, &before, &after), 0);
        assert_true(has(before, "/etc/shadow"));
        assert_true(has(before, "/etc/ssh/ssh_host_ed25519_key"));
        assert_false(has(before, "/etc/ssh/ssh_host_ed25519_key.pub"));
        assert_false(has(before, "/etc/gshadow")); /* not on this host */
        assert_true(has(before, "/root"));
        assert_true(has(before, "/home"));
        assert_true(has(before, "/var/lib/other"));
        assert_false(has(before, "/var/lib/own")); /* the service's own */
        assert_int_equal(strv_length(before), 5);
        assert_int_equal(strv_length(after), 0);
        strv_free(before), strv_free(after);

        /* /etc bound whole, and a file of alice's */
        assert_int_equal(mount_plan_add(&p, "/etc", "/etc", false, true, false, "directory"), 0);
        assert_int_equal(mount_plan_add(&p, "/home/alice/.profile", "/p", false, false, false, "argument"),
                         0);
        assert_int_equal(exposure_sensitive(root_fd, &p, &before, &after), 0);
        assert_true(has(after, "/etc/shadow"));
        assert_true(has(after, "/etc/ssh/ssh_host_ed25519_key"));
        assert_true(has(after, "/home"));
        assert_false(has(after, "/root"));
        assert_false(has(after, "/var/lib/other"));
        assert_int_equal(strv_length(after), 3);
        strv_free(before), strv_free(after);
        mount_plan_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_real),
                cmocka_unit_test(test_parse_malformed),
                cmocka_unit_test_setup_teardown(test_score_live, setup, teardown),
                cmocka_unit_test_setup_teardown(test_count_tree, setup, teardown),
                cmocka_unit_test_setup_teardown(test_count_plan, setup, teardown),
                cmocka_unit_test_setup_teardown(test_host_cache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sensitive, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
