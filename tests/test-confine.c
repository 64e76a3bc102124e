/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "confine-plan.h"
#include "confine.h"
#include "dropin-write.h"
#include "fileio.h"
#include "macro.h"
#include "path-util.h"
#include "unit-file.h"

static void test_escape(void **state) {
        static const struct {
                const char *in, *out;
        } table[] = {
                {"/usr/lib/x", "/usr/lib/x"},
                {"/with space", "/with\\ space"},
                {"/a:b", "/a\\:b"},
                {"/100%", "/100%%"},
                {"/back\\slash", "/back\\\\slash"},
                {"/q'u\"ote", "/q\\'u\\\"ote"},
                {"/caf\xc3\xa9", "/caf\xc3\xa9"},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char *e;
                assert_int_equal(confine_escape_path(table[i].in, &e), 0);
                assert_string_equal(e, table[i].out);
                /* what systemd makes of it is tested under systemd itself (tests/confine-live.sh) */
                free(e);
        }
        char *e;
        assert_int_equal(confine_escape_path("/new\nline", &e), -EINVAL);
        assert_int_equal(confine_escape_path("/tab\there", &e), -EINVAL);
}

static void test_settings_round_trip(void **state) {
        ConfineSettings s, back;
        MountPlan p = {};
        char *text, *err = NULL;
        confine_settings_init(&s);
        s.mode = CONFINE_CHROOT_ONLY;
        strv_extend(&s.packages, "libc-bin");
        strv_extend(&s.paths, "/srv/odd path:with%chars");
        strv_extend(&s.writable, "/var/lib/x");
        strv_extend(&s.overrides, "PrivateUsers=no");
        s.bin_sh = BIN_SH_CUSTOM;
        s.bin_sh_path = strdup("/usr/bin/bash");
        s.full_unit = true;
        s.mount_budget = 42;
        assert_int_equal(mount_plan_add(&p, "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                        "/lib/x86_64-linux-gnu/libc.so.6", false, false, false, "closure"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/srv/odd path:with%chars", "/srv/odd path:with%chars", false,
                                        true, true, "path"),
                         0);
        assert_int_equal(mount_plan_add(&p, "/var/lib/x", "/var/lib/x", true, true, true, "writable"), 0);
        assert_int_equal(confine_render_dropin(&s, &p, "0.1.0", &text, &err), 0);
        assert_true(confine_dropin_is_ours(text));
        assert_non_null(strstr(text, "\nRootDirectory=/run/confinement/%n\n"));
        assert_non_null(strstr(text, "\nMountAPIVFS=no\n"));
        assert_non_null(strstr(text, "\nPrivateUsers=no\n"));
        assert_non_null(strstr(
                text,
                "\nBindReadOnlyPaths=/usr/lib/x86_64-linux-gnu/libc.so.6:/lib/x86_64-linux-gnu/libc.so.6\n"));
        assert_non_null(strstr(text, "\nBindReadOnlyPaths=/srv/odd\\ path\\:with%%chars\n"));
        assert_non_null(strstr(text, "\nBindPaths=/var/lib/x\n"));
        /* the header alone gives the settings back */
        assert_int_equal(confine_dropin_parse(text, &back, &err), 0);
        assert_int_equal(back.mode, CONFINE_CHROOT_ONLY);
        assert_true(strv_equal(back.packages, s.packages));
        assert_true(strv_equal(back.paths, s.paths));
        assert_true(strv_equal(back.writable, s.writable));
        assert_true(strv_equal(back.overrides, s.overrides));
        assert_int_equal(back.bin_sh, BIN_SH_CUSTOM);
        assert_string_equal(back.bin_sh_path, "/usr/bin/bash");
        assert_true(back.full_unit);
        assert_int_equal(back.mount_budget, 42);
        free(text);
        confine_settings_done(&back);

        /* a path no unit file can carry is refused, naming it */
        assert_int_equal(mount_plan_add(&p, "/bad\nname", "/bad\nname", false, false, false, "closure"), 0);
        assert_int_equal(confine_render_dropin(&s, &p, "0.1.0", &text, &err), -EINVAL);
        assert_non_null(strstr(err, "control character"));
        free(err);
        mount_plan_done(&p);
        confine_settings_done(&s);
}

static void test_header_errors(void **state) {
        ConfineSettings s;
        char *err = NULL;
        assert_int_equal(confine_dropin_parse("[Service]\nRootDirectory=/x\n", &s, &err), -EBADMSG);
        assert_non_null(strstr(err, "not written by sdconfine"));
        free(err);
        err = NULL;
        assert_int_equal(confine_dropin_parse(CONFINE_HEADER_MAGIC
                                              " x\n# sdconfine-settings: {\"mode\":\"bogus\"}\n",
                                              &s, &err),
                         -EINVAL);
        assert_non_null(strstr(err, "bogus"));
        free(err);
        err = NULL;
        assert_int_equal(
                confine_dropin_parse(CONFINE_HEADER_MAGIC " x\n# sdconfine-settings: {not json\n", &s, &err),
                -EINVAL);
        free(err);
        err = NULL;
        assert_int_equal(confine_dropin_parse(CONFINE_HEADER_MAGIC
                                              " x\n# sdconfine-settings: {\"paths\":[1]}\n",
                                              &s, &err),
                         -EINVAL);
        free(err);
}

static int count_dir(const char *dir, size_t *ret, void *userdata) {
        *ret = streq(dir, "/lib/x") ? 5 : 100;
        return 0;
}

static void test_coalescing(void **state) {
        MountPlan p = {};
        char path[64];
        /* 4 of the 5 files of /lib/x: bound as the directory; 3 of 100 in /usr/share/y: kept as files */
        for (int i = 0; i < 4; i++) {
                snprintf(path, sizeof path, "/lib/x/f%d", i);
                assert_int_equal(mount_plan_add(&p, path, path, false, false, false, "closure"), 0);
        }
        for (int i = 0; i < 3; i++) {
                snprintf(path, sizeof path, "/usr/share/y/f%d", i);
                assert_int_equal(mount_plan_add(&p, path, path, false, false, false, "closure"), 0);
        }
        assert_int_equal(mount_plan_finish(&p, 150, count_dir, NULL, NULL, NULL), 0);
        assert_int_equal(p.n_binds, 4);
        assert_int_equal(p.coalesced_dirs, 1);
        assert_int_equal(p.exposed_files, 1);
        assert_string_equal(p.binds[0].dest, "/lib/x");
        assert_true(p.binds[0].directory);
        /* over budget: the directory with the most file binds goes whole */
        assert_int_equal(mount_plan_finish(&p, 2, count_dir, NULL, NULL, NULL), 0);
        assert_true(p.n_binds <= 2);
        assert_int_equal(p.coalesced_dirs, 2);
        assert_int_equal(p.exposed_files, 1 + 97);
        mount_plan_done(&p);
}

/* A small tree for the link rules: /z holds a, b, c and the links l -> a (one hop, kept), far -> /elsewhere/f
 * (its file is not in the plan) and via -> l (two hops). */
static int count_z(const char *dir, size_t *ret, void *userdata) {
        (void)userdata;
        *ret = streq(dir, "/z") ? 6 : streq(dir, "/z/sub") ? 3 : 100;
        return 0;
}

static int read_link_z(const char *path, char **ret, void *userdata) {
        (void)userdata;
        const char *t = streq(path, "/z/l")     ? "a"
                        : streq(path, "/z/far") ? "/elsewhere/f"
                        : streq(path, "/z/via") ? "l"
                                                : NULL;
        if (!t)
                return -EINVAL;
        *ret = strdup(t);
        return *ret ? 0 : -ENOMEM;
}

static size_t n_dest(const MountPlan *p, const char *dest) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_binds; i++)
                n += streq(p->binds[i].dest, dest);
        return n;
}

static void test_coalescing_links(void **state) {
        (void)state;
        MountPlan p = {};
        static const char *const files[] = {"/z/a", "/z/b", "/z/c"};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                assert_int_equal(mount_plan_add(&p, files[i], files[i], false, false, false, "closure"), 0);
        /* a link to a file of the plan, in one hop: the directory bound whole shows it as it was */
        assert_int_equal(mount_plan_add(&p, "/z/a", "/z/l", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_finish(&p, 150, count_z, read_link_z, NULL, NULL), 0);
        assert_int_equal(p.n_binds, 1);
        assert_string_equal(p.binds[0].dest, "/z");
        mount_plan_done(&p);

        /* a link to a file the plan does not hold: merging would break it, so /z stays as files */
        p = (MountPlan){};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                assert_int_equal(mount_plan_add(&p, files[i], files[i], false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/elsewhere/f", "/z/far", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_finish(&p, 150, count_z, read_link_z, NULL, NULL), 0);
        assert_int_equal(n_dest(&p, "/z"), 0);
        assert_int_equal(p.n_binds, 4);
        mount_plan_done(&p);

        /* two hops (via -> l -> a): not trusted either */
        p = (MountPlan){};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                assert_int_equal(mount_plan_add(&p, files[i], files[i], false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/z/a", "/z/via", false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_finish(&p, 150, count_z, read_link_z, NULL, NULL), 0);
        assert_int_equal(n_dest(&p, "/z"), 0);
        mount_plan_done(&p);

        /* a subdirectory bound whole and its siblings: the parent goes whole, the child's bind with it;
         * a writable bind inside keeps its own mount */
        p = (MountPlan){};
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                assert_int_equal(mount_plan_add(&p, files[i], files[i], false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_add(&p, "/z/sub", "/z/sub", false, true, false, "directory"), 0);
        assert_int_equal(mount_plan_add(&p, "/z/sub/w", "/z/sub/w", true, false, false, "writable"), 0);
        assert_int_equal(mount_plan_finish(&p, 150, count_z, read_link_z, NULL, NULL), 0);
        assert_int_equal(n_dest(&p, "/z"), 1);
        assert_int_equal(n_dest(&p, "/z/sub"), 0);
        assert_int_equal(n_dest(&p, "/z/sub/w"), 1);
        assert_int_equal(p.n_binds, 2);
        mount_plan_done(&p);

        /* binds right below / (never bound whole) end, over budget too */
        p = (MountPlan){};
        static const char *const top[] = {"/a", "/b", "/c", "/d"};
        for (size_t i = 0; i < ELEMENTSOF(top); i++)
                assert_int_equal(mount_plan_add(&p, top[i], top[i], false, false, false, "closure"), 0);
        assert_int_equal(mount_plan_finish(&p, 1, count_z, read_link_z, NULL, NULL), 0);
        assert_int_equal(p.n_binds, 4);
        mount_plan_done(&p);
}

/* The root's skeleton in the drop-in: a private /run at /run, /var/run and /var/lock, $RUNTIME_DIRECTORY set
 * back to the unit's own, a forking daemon's PID file read from the root's /run on the host. */
static void test_skeleton(void **state) {
        ConfineSettings s;
        MountPlan p = {};
        char *text, *err = NULL;
        confine_settings_init(&s);
        assert_int_equal(confine_render_dropin(&s, &p, "0.1.0", &text, &err), 0);
        assert_non_null(strstr(
                text, "\nRuntimeDirectory=confinement/%n confinement/%n/run confinement/%n/run/lock "));
        assert_non_null(strstr(text, "\nBindPaths=/run/confinement/%n/run:/run\n"));
        assert_non_null(strstr(text, "\nBindPaths=/run/confinement/%n/run:/var/run\n"));
        assert_non_null(strstr(text, "\nBindPaths=/run/confinement/%n/run/lock:/var/lock\n"));
        assert_non_null(strstr(text, "\nUnsetEnvironment=RUNTIME_DIRECTORY\n"));
        assert_null(strstr(text, "PIDFile="));
        free(text);
        assert_int_equal(strv_extend(&p.runtime_dirs, "redis"), 0);
        assert_int_equal(strv_extend(&p.runtime_dirs, "a:b"), 0);
        p.pid_file = strdup("nginx.pid");
        assert_int_equal(mount_plan_add(&p, "/var/lib/x", "/var/lib/x", true, true, false,
                                        "writable: owned by x, file of x"),
                         0);
        assert_int_equal(confine_render_dropin(&s, &p, "0.1.0", &text, &err), 0);
        assert_non_null(strstr(text, "\nEnvironment=RUNTIME_DIRECTORY=/run/redis:/run/a\n"));
        assert_null(strstr(text, "UnsetEnvironment="));
        assert_non_null(strstr(text, "\nPIDFile=/run/confinement/%n/run/nginx.pid\n"));
        /* the rule that made a place writable, above its bind */
        assert_non_null(
                strstr(text, "\n# /var/lib/x: writable: owned by x, file of x\nBindPaths=/var/lib/x\n"));
        free(text);
        mount_plan_done(&p);
        confine_settings_done(&s);
}

/* Who the service runs as, whether the root holds, and what an operator who widens it is told. */
static bool has_warning(const MountPlan *p, const char *part) {
        for (char **w = p->warnings; w && *w; w++)
                if (strstr(*w, part))
                        return true;
        return false;
}

static void test_harden(void **state) {
        static const struct {
                const char *user;
                ConfineMode mode;
                const char *override, *capability, *chroot_by;
                bool host_root, sys_chroot;
                const char *says;
        } rows[] = {
                {NULL, CONFINE_FULL_APIVFS, NULL, NULL, NULL, false, false,
                 "It runs as root in a user namespace of its own (PrivateUsers=yes): root there has no power "
                 "over the "
                 "host's files, and the root holds against it."},
                {NULL, CONFINE_FULL_APIVFS, "PrivateUsers=no", NULL, NULL, true, false,
                 "It runs as root in the host's user namespace (PrivateUsers=no): the root holds against it"},
                {NULL, CONFINE_CHROOT_ONLY, NULL, NULL, NULL, true, false,
                 "It runs as root in the host's user namespace (chroot-only): the root holds against it"},
                {"nobody", CONFINE_CHROOT_ONLY, NULL, NULL, NULL, false, false,
                 "It runs as nobody, not root: the root holds"},
                {NULL, CONFINE_FULL_APIVFS, "PrivateUsers=no", NULL, "/usr/sbin/sshd", true, true,
                 "/usr/sbin/sshd calls chroot(2) (privilege separation): CAP_SYS_CHROOT is kept."},
                {NULL, CONFINE_FULL_APIVFS, "PrivateUsers=no", "CAP_SYS_ADMIN", NULL, true, false,
                 "A root process can leave this root with CAP_SYS_ADMIN: mount a fresh procfs"},
                {NULL, CONFINE_CHROOT_ONLY, "CapabilityBoundingSet=CAP_DAC_READ_SEARCH", NULL, NULL, true,
                 false, "A root process can leave this root with CAP_DAC_READ_SEARCH: open_by_handle_at()"},
                {NULL, CONFINE_CHROOT_ONLY, "SystemCallFilter=", NULL, NULL, true, false,
                 "A root process can leave this root when --set SystemCallFilter= resets the filter"},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                ConfineSettings s;
                MountPlan p = {};
                Service *svc = service_new("x.service");
                confine_settings_init(&s);
                s.mode = rows[i].mode;
                if (rows[i].user)
                        svc->user = strdup(rows[i].user);
                svc->capability_bounding_set = UINT64_MAX;
                if (rows[i].override)
                        strv_extend(&s.overrides, rows[i].override);
                if (rows[i].capability)
                        strv_extend(&s.capabilities, rows[i].capability);
                assert_int_equal(confine_harden(svc, &s, 0, rows[i].chroot_by, &p), 0);
                if (p.host_root != rows[i].host_root || !has_warning(&p, rows[i].says))
                        fail_msg("row %zu: host_root %d, notes:\n%s", i, p.host_root,
                                 p.warnings ? p.warnings[0] : "(none)");
                if (p.host_root) {
                        /* never what leaves a root, but what a daemon that switches users needs */
                        for (const ConfineEscapeCap *e = confine_escape_caps; e->name; e++)
                                assert_int_equal(!!(p.bounding & (UINT64_C(1) << e->cap)),
                                                 e->cap == 18 && rows[i].sys_chroot);
                        assert_true(p.bounding & (UINT64_C(1) << 7));  /* SETUID */
                        assert_true(p.bounding & (UINT64_C(1) << 10)); /* NET_BIND_SERVICE */
                        char *text, *err = NULL;
                        assert_int_equal(confine_render_dropin(&s, &p, "0.1.0", &text, &err), 0);
                        assert_non_null(strstr(text, "\nSystemCallFilter=~mount umount umount2 "));
                        assert_non_null(
                                strstr(text, " open_by_handle_at name_to_handle_at setns unshare bpf\n"));
                        assert_true(!!strstr(text, "\nProtectProc=invisible\n") ==
                                    (rows[i].mode == CONFINE_FULL_APIVFS));
                        assert_true(!!strstr(text,
                                             "\nCapabilityBoundingSet=\nCapabilityBoundingSet=CAP_CHOWN ") ==
                                    !s.capabilities);
                        free(text);
                }
                mount_plan_done(&p);
                confine_settings_done(&s);
                service_free(svc);
        }
        /* a root daemon whose configuration names its user: start it as that user instead (a note only) */
        MountPlan p = {.host_root = true, .bounding = UINT64_MAX};
        Service *svc = service_new("nginx.service");
        assert_int_equal(
                confine_suggest_user(svc, "www-data", "/etc/nginx/nginx.conf line 1", p.bounding, &p), 0);
        assert_true(has_warning(
                &p,
                "Suggestion: its configuration names the user www-data (/etc/nginx/nginx.conf line 1). "
                "Started as that user (--set User=www-data --set AmbientCapabilities=CAP_NET_BIND_SERVICE)"));
        mount_plan_done(&p);
        p = (MountPlan){};
        assert_int_equal(confine_suggest_user(svc, "www-data", "x", 0, &p), 0);
        assert_null(p.warnings); /* not host root: no suggestion */
        service_free(svc);
}

/* ExecStartPre=-/bin/plymouth with /bin/plymouth absent: systemd ignores that failure, so the plan leaves
 * it out and says so; without the "-" it is an error naming the program. */
static void test_optional_program(void **state) {
        for (int dash = 0; dash < 2; dash++) {
                ClosureContext *ctx;
                ConfineSettings s;
                MountPlan p = {};
                Closure *c = NULL;
                char *err = NULL;
                Service *svc = service_new("x.service");
                confine_settings_init(&s);
                s.bin_sh = BIN_SH_NONE;
                assert_int_equal(closure_context_new("/", &ctx), 0);
                ExecList *l = svc->exec + EXEC_START_PRE;
                l->items = calloc(1, sizeof(ExecCommand));
                l->n = l->allocated = 1;
                l->items[0].path = strdup("/nonexistent/plymouth");
                l->items[0].flags = dash ? EXEC_IGNORE_FAILURE : 0;
                strv_extend(&l->items[0].argv, "/nonexistent/plymouth");
                int r = confine_plan_build(ctx, NULL, svc, &s, false, &p, &c, &err);
                if (dash) {
                        assert_int_equal(r, 0);
                        assert_true(has_warning(
                                &p, "ExecStartPre=-/nonexistent/plymouth is not there; systemd ignores its "
                                    "failure"));
                } else {
                        assert_int_equal(r, -ENOENT);
                        assert_non_null(err);
                        assert_non_null(strstr(err, "/nonexistent/plymouth"));
                }
                free(err);
                closure_free(c);
                mount_plan_done(&p);
                confine_settings_done(&s);
                service_free(svc);
                closure_context_free(ctx);
        }
}

/* The path helpers every core file shares now (there were four copies of "under" and two of dirname). */
static void test_path_util(void **state) {
        static const struct {
                const char *path, *dir;
                bool under;
        } under[] = {
                {"/run", "/run", true},      {"/run/x", "/run", true}, {"/running", "/run", false},
                {"/var/run", "/run", false}, {"/", "/run", false},     {"/run/", "/run", true},
        };
        for (size_t i = 0; i < ELEMENTSOF(under); i++)
                assert_int_equal(path_is_under(under[i].path, under[i].dir), under[i].under);
        static const struct {
                const char *path, *dirname, *basename;
        } parts[] = {
                {"/a/b", "/a", "b"},
                {"/x", "/", "x"},
                {"x", "/", "x"},
                {"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu", "libc.so.6"},
        };
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                _cleanup_free_ char *d = path_dirname(parts[i].path);
                assert_non_null(d);
                assert_string_equal(d, parts[i].dirname);
                assert_string_equal(path_basename(parts[i].path), parts[i].basename);
                if (strchr(parts[i].path, '/'))
                        assert_int_equal(path_dirname_len(parts[i].path), strlen(parts[i].dirname));
        }
}

/* A file whose size says nothing is read to its end, or to max; the one atomic writer takes a path too. */
static void test_fileio(void **state) {
        _cleanup_free_ char *text = NULL;
        size_t n;
        assert_int_equal(read_virtual_file("/proc/self/status", SIZE_MAX, &text, &n), 0);
        assert_non_null(strstr(text, "\nPid:"));
        assert_int_equal(strlen(text), n);
        text = mfree_str(text);
        assert_int_equal(read_virtual_file("/proc/self/status", 4, &text, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(text, "Name");
        text = mfree_str(text);
        assert_int_equal(read_virtual_file("/proc/self/no-such-file", 4, &text, &n), -ENOENT);

        char dir[] = "/tmp/test-confine-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/f.json", dir) > 0);
        assert_int_equal(atomic_write_file(path, "one\n", 0600), 0);
        assert_int_equal(atomic_write_file(path, "two\n", 0600), 0);
        assert_int_equal(read_full_file_at(AT_FDCWD, path, 0, 1024, &text, &n), 0);
        assert_string_equal(text, "two\n");
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_skeleton),
                cmocka_unit_test(test_harden),
                cmocka_unit_test(test_optional_program),
                cmocka_unit_test(test_settings_round_trip),
                cmocka_unit_test(test_header_errors),
                cmocka_unit_test(test_coalescing),
                cmocka_unit_test(test_coalescing_links),
                cmocka_unit_test(test_path_util),
                cmocka_unit_test(test_fileio),
        };
        return cmocka_run_group_tests_name("confine", tests, NULL, NULL);
}
