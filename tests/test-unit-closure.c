/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The rules beyond the loader (core/unit-closure.c) on a small synthetic root: a daemon's control script,
 * its package and a sibling of the same source, PAM, NSS, the locale, writable state, and what is never
 * bound. Each file found is checked with its reason. */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "closure.h"
#include "dpkg-db.h"
#include "macro.h"
#include "unit-closure.h"

static char root[] = "/tmp/test-unit-closure-XXXXXX";

static void put(const char *path, const char *text, mode_t mode) {
        char full[512], dir[600];
        snprintf(full, sizeof full, "%s%s", root, path);
        snprintf(dir, sizeof dir, "mkdir -p '%s'", full);
        *strrchr(dir, '/') = 0;
        strcat(dir, "'");
        assert_int_equal(system(dir), 0);
        FILE *f = fopen(full, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
        chmod(full, mode);
}

static void mkdirs(const char *path) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "mkdir -p '%s%s'", root, path);
        assert_int_equal(system(cmd), 0);
}

static int setup(void **state) {
        assert_non_null(mkdtemp(root));
        put("/usr/sbin/fooctl",
            "#!/bin/sh\n"
            "PATH=/usr/sbin:/usr/bin\n"
            ". /lib/lsb/init-functions\n"
            "if ! id -u foo >/dev/null 2>&1; then\n"
            "        exit 1\n"
            "fi\n"
            "mkdir -p /var/log/foo\n"
            "[ -r /etc/default/foo ] && . /etc/default/foo\n"
            "cat /etc/shadow > /dev/null\n"
            "run_me() { undefined_thing; }\n"
            "cat <<EOF\nrm -rf /\nEOF\n",
            0755);
        put("/bin/sh", "#!/bin/sh-is-not-elf\n", 0755); /* the root's shell: any file, never run */
        put("/usr/bin/id", "#!/bin/sh\n", 0755);
        put("/usr/bin/mkdir", "#!/bin/sh\n", 0755);
        put("/usr/bin/cat", "#!/bin/sh\n", 0755);
        put("/usr/bin/rm", "#!/bin/sh\n", 0755);
        put("/usr/bin/helper_cmd", "#!/bin/sh\n", 0755);
        put("/usr/bin/run-parts", "#!/bin/sh\n", 0755);
        put("/lib/lsb/init-functions",
            "log_daemon_msg() { :; }\nrun-parts --list /lib/lsb/init-functions.d\n", 0644);
        put("/lib/lsb/init-functions.d/40-hook", "helper_cmd --now\n", 0644);
        put("/etc/default/foo", "FOO_OPTS=-v\n", 0644);
        put("/etc/shadow", "root:*:1::::::\n", 0640);
        put("/etc/passwd", "root:x:0:0::/root:/bin/sh\nfoo:x:4321:4321::/var/lib/foo:/usr/sbin/nologin\n",
            0644);
        put("/etc/foo/foo.conf",
            "pidfile /run/foo/foo.pid\nlogfile = /var/log/foo/foo.log\nuser foo;\ninclude "
            "/usr/share/other/extra.conf\n[plugin]\nuser root\n",
            0644);
        put("/usr/share/foo/data.txt", "data\n", 0644);
        /* a SysV script, a conffile systemd never runs for a unit of its own: its state directory counts,
         * what else it names does not */
        put("/etc/init.d/foo", "#!/bin/sh\nSTATE=/var/lib/foo-init\n. /usr/share/other/init-only.sh\n", 0755);
        put("/usr/share/other/init-only.sh", "start-stop-daemon --start\n", 0644);
        mkdirs("/var/lib/foo-init");
        put("/usr/share/other/extra.conf", "x\n", 0644);
        put("/usr/share/doc/foo-common/copyright", "c\n", 0644);
        put("/etc/foo/server.key", "KEY\n", 0600);
        put("/etc/other/other.key", "KEY\n", 0600);
        put("/etc/nsswitch.conf",
            "passwd:         files systemd\nhosts:          files [NOTFOUND=return] dns\n", 0644);
        put("/lib/x86_64-linux-gnu/libnss_files.so.2", "x", 0644);
        put("/lib/x86_64-linux-gnu/libnss_systemd.so.2", "x", 0644);
        put("/lib/x86_64-linux-gnu/libc.so.6", "x", 0644);
        put("/lib/x86_64-linux-gnu/libpam.so.0", "x", 0644);
        put("/lib/x86_64-linux-gnu/security/pam_unix.so", "x", 0644);
        put("/lib/x86_64-linux-gnu/security/pam_limits.so", "x", 0644);
        put("/etc/pam.d/foo", "@include common-auth\nsession required pam_limits.so\n", 0644);
        put("/etc/pam.d/common-auth", "auth [success=1 default=ignore] pam_unix.so nullok\n", 0644);
        put("/etc/security/limits.conf", "# none\n", 0644);
        put("/usr/lib/locale/de_DE.utf8/LC_CTYPE", "x", 0644);
        put("/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", "x", 0644);
        put("/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "x", 0644);
        mkdirs("/var/lib/foo");
        mkdirs("/var/log/foo");
        mkdirs("/var/log/other");
        mkdirs("/run/foo");
        put("/var/lib/dpkg/status",
            "Package: foo\nStatus: install ok installed\nPriority: optional\nArchitecture: amd64\nSource: "
            "foo-src\n"
            "Version: 1\nDepends: foo-common (= 1), libc6 (>= 2.36)\n\n"
            "Package: foo-common\nStatus: install ok installed\nPriority: optional\nArchitecture: all\n"
            "Source: foo-src (1)\nVersion: 1\nConffiles:\n /etc/foo/foo.conf "
            "0123456789abcdef0123456789abcdef\n"
            " /etc/init.d/foo 0123456789abcdef0123456789abcdef\n"
            " /etc/foo/old.conf 0123456789abcdef0123456789abcdef obsolete\n\n"
            "Package: libc6\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\nVersion: "
            "2.36\n\n",
            0644);
        put("/var/lib/dpkg/info/foo.list", "/.\n/usr\n/usr/sbin\n/usr/sbin/fooctl\n/var/lib/foo\n", 0644);
        put("/var/lib/dpkg/info/foo-common.list",
            "/.\n/etc/foo\n/etc/foo/foo.conf\n/etc/init.d\n/etc/init.d/foo\n/usr/share/foo\n/usr/share/foo/"
            "data.txt\n/usr/share/doc/"
            "foo-common\n"
            "/usr/share/doc/foo-common/copyright\n/var/log/foo\n",
            0644);
        put("/var/lib/dpkg/info/libc6:amd64.list", "/.\n/lib/x86_64-linux-gnu/libc.so.6\n", 0644);
        /* the service's user owns its state; another directory is somebody else's */
        char p[512];
        snprintf(p, sizeof p, "%s/var/lib/foo", root);
        if (chown(p, 4321, 4321) < 0)
                return 0; /* not root: the ownership rule is checked where it can be */
        snprintf(p, sizeof p, "%s/var/log/foo", root);
        (void)chown(p, 4321, 4321);
        snprintf(p, sizeof p, "%s/var/lib/foo-init", root);
        (void)chown(p, 4321, 4321);
        return 0;
}

static int teardown(void **state) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

typedef struct Fixture {
        ClosureContext *ctx;
        Closure *c;
        DpkgDb *db;
        Service *svc;
        UnitExtras x;
} Fixture;

static void fixture_run(Fixture *f, unsigned rules, const char *lang) {
        *f = (Fixture){};
        assert_int_equal(closure_context_new(root, &f->ctx), 0);
        assert_int_equal(closure_new(f->ctx, &f->c), 0);
        assert_int_equal(dpkg_db_new(closure_context_root(f->ctx), &f->db), 0);
        f->svc = service_new("foo.service");
        assert_non_null(f->svc);
        f->svc->user = strdup("foo");
        ExecList *l = f->svc->exec + EXEC_START;
        l->items = calloc(1, sizeof(ExecCommand));
        l->n = l->allocated = 1;
        l->items[0].path = strdup("/usr/sbin/fooctl");
        strv_extend(&l->items[0].argv, "/usr/sbin/fooctl");
        strv_extend(&l->items[0].argv, "start");
        if (lang) {
                char *e;
                assert_true(asprintf(&e, "LANG=%s", lang) > 0);
                strv_push(&f->svc->environment, e);
        }
        assert_int_equal(closure_add_program(f->c, "/usr/sbin/fooctl", NULL), 0);
        assert_int_equal(closure_add_program(f->c, "/lib/x86_64-linux-gnu/libc.so.6", NULL), 0);
        assert_int_equal(closure_add_program(f->c, "/lib/x86_64-linux-gnu/libpam.so.0", NULL), 0);
        assert_int_equal(unit_closure_extend(f->c, NULL, f->db, f->svc, NULL, rules, &f->x), 0);
}

static void fixture_done(Fixture *f) {
        unit_extras_done(&f->x);
        service_free(f->svc);
        dpkg_db_free(f->db);
        closure_free(f->c);
        closure_context_free(f->ctx);
}

static const char *reason_of(Fixture *f, const char *path) {
        size_t i;
        if (closure_find(f->c, path, &i) < 0)
                return NULL;
        return closure_node_via(closure_node(f->c, i));
}

static void test_scripts(void **state) {
        static const struct {
                const char *path, *reason;
        } rows[] = {
                {"/lib/lsb/init-functions", "sourced by /usr/sbin/fooctl line 3"},
                {"/usr/bin/id", "command in /usr/sbin/fooctl line 4"},
                {"/usr/bin/mkdir", "command in /usr/sbin/fooctl line 7"},
                {"/etc/default/foo", "named in /usr/sbin/fooctl line 8"},
                {"/usr/bin/run-parts", "command in /lib/lsb/init-functions line 2"},
                {"/lib/lsb/init-functions.d/40-hook",
                 "in /lib/lsb/init-functions.d, named in /lib/lsb/init-functions line 2"},
                {"/usr/bin/helper_cmd", "command in /lib/lsb/init-functions.d/40-hook line 1"},
        };
        Fixture f;
        fixture_run(&f, UNIT_RULE_SCRIPTS, NULL);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                const char *r = reason_of(&f, rows[i].path);
                if (!r || !streq(r, rows[i].reason))
                        fail_msg("%s: reason '%s', expected '%s'", rows[i].path, r ? r : "(absent)",
                                 rows[i].reason);
        }
        /* a here-document is data; the shadow file is never bound, and said so */
        assert_null(reason_of(&f, "/usr/bin/rm"));
        assert_null(reason_of(&f, "/etc/shadow"));
        assert_non_null(f.x.hazards);
        assert_non_null(
                strstr(f.x.hazards[0], "/etc/shadow (named in /usr/sbin/fooctl line 9) is never bound"));
        /* no package rule asked for: nothing of the package */
        assert_null(reason_of(&f, "/etc/foo/foo.conf"));
        fixture_done(&f);
}

static void test_package(void **state) {
        Fixture f;
        fixture_run(&f, UNIT_RULE_PACKAGE, NULL);
        /* the sibling of the same source that foo depends on: its conffile and its files, no docs */
        assert_string_equal(reason_of(&f, "/etc/foo/foo.conf"), "conffile of foo-common");
        assert_string_equal(reason_of(&f, "/usr/share/foo/data.txt"), "file of foo-common");
        assert_null(reason_of(&f, "/usr/share/doc/foo-common/copyright"));
        assert_null(reason_of(&f, "/etc/foo/old.conf"));
        /* a file its conffile names, of no package of its own */
        assert_string_equal(reason_of(&f, "/usr/share/other/extra.conf"),
                            "named in /etc/foo/foo.conf line 4");
        /* the init script is not bound, nor what only it names */
        assert_null(reason_of(&f, "/etc/init.d/foo"));
        assert_null(reason_of(&f, "/usr/share/other/init-only.sh"));
        /* the user its configuration names, for the suggestion to start it as that user */
        assert_string_equal(f.x.run_as, "foo");
        assert_string_equal(f.x.run_as_where, "/etc/foo/foo.conf line 3");
        /* libc6 is required (priority): a tool's package, not the daemon's */
        fixture_done(&f);
}

static void test_plugins(void **state) {
        Fixture f;
        fixture_run(&f, UNIT_RULE_PLUGINS, "de_DE.UTF-8");
        assert_string_equal(reason_of(&f, "/etc/nsswitch.conf"), "NSS configuration read by libc");
        assert_string_equal(reason_of(&f, "/lib/x86_64-linux-gnu/libnss_files.so.2"),
                            "NSS module in /etc/nsswitch.conf line 1");
        assert_string_equal(reason_of(&f, "/lib/x86_64-linux-gnu/libnss_systemd.so.2"),
                            "NSS module in /etc/nsswitch.conf line 1");
        assert_string_equal(reason_of(&f, "/etc/pam.d/foo"), "PAM configuration of the service");
        assert_string_equal(reason_of(&f, "/etc/pam.d/common-auth"), "included by /etc/pam.d/foo line 1");
        assert_string_equal(reason_of(&f, "/lib/x86_64-linux-gnu/security/pam_unix.so"),
                            "PAM module in /etc/pam.d/common-auth line 1");
        assert_string_equal(reason_of(&f, "/lib/x86_64-linux-gnu/security/pam_limits.so"),
                            "PAM module in /etc/pam.d/foo line 2");
        assert_string_equal(reason_of(&f, "/etc/security/limits.conf"), "read by PAM modules");
        assert_string_equal(reason_of(&f, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache"),
                            "gconv module table and Unicode modules (iconv)");
        assert_string_equal(reason_of(&f, "/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"),
                            "gconv module table and Unicode modules (iconv)");
        assert_string_equal(reason_of(&f, "/usr/lib/locale/de_DE.utf8/LC_CTYPE"),
                            "in /usr/lib/locale/de_DE.utf8, the locale LANG=de_DE.UTF-8");
        fixture_done(&f);
}

static const char *writable_reason(Fixture *f, const char *path) {
        for (size_t i = 0; i < f->x.n_writable; i++)
                if (streq(f->x.writable[i].path, path))
                        return f->x.writable[i].reason;
        return NULL;
}

/* Whether setup() could give path to the service's user (it needs root) */
static bool given_to_foo(const char *path) {
        struct stat st;
        char p[512];
        snprintf(p, sizeof p, "%s%s", root, path);
        return stat(p, &st) == 0 && st.st_uid == 4321;
}

static void test_state(void **state) {
        if (!given_to_foo("/var/lib/foo"))
                skip();
        Fixture f;
        fixture_run(&f, UNIT_RULE_STATE | UNIT_RULE_SCRIPTS, NULL);
        /* named by the package's file list, and by the script and the conffile: owned by User=foo */
        assert_string_equal(writable_reason(&f, "/var/lib/foo"), "owned by foo, file of foo");
        assert_non_null(writable_reason(&f, "/var/log/foo"));
        assert_true(startswith(writable_reason(&f, "/var/log/foo"), "owned by foo, "));
        /* root's, never named: not writable; /etc never */
        assert_null(writable_reason(&f, "/var/log/other"));
        assert_null(writable_reason(&f, "/run/foo")); /* root's, and the service runs as foo */
        for (size_t i = 0; i < f.x.n_writable; i++)
                assert_false(startswith(f.x.writable[i].path, "/etc"));
        fixture_done(&f);
}

/* ... but the state directory the init script names is the service's */
static void test_init_script_state(void **state) {
        if (!given_to_foo("/var/lib/foo-init"))
                skip();
        Fixture f;
        fixture_run(&f, UNIT_RULE_PACKAGE | UNIT_RULE_STATE, NULL);
        assert_non_null(writable_reason(&f, "/var/lib/foo-init"));
        assert_null(reason_of(&f, "/usr/share/other/init-only.sh"));
        fixture_done(&f);
}

static void test_hazards(void **state) {
        char *own[] = {(char *)"foo", NULL};
        static const struct {
                const char *path;
                bool hazard;
        } rows[] = {
                {"/etc/shadow", true},
                {"/etc/gshadow", true},
                {"/root/.ssh/id_rsa", true},
                {"/home/u/x", true},
                {"/etc/ssl/private/x.pem", true},
                {"/etc/other/other.key", true},
                {"/etc/foo/server.key", false},
                {"/etc/passwd", false},
                {"/etc/shadowsocks", false},
                {"/etc/ssh/ssh_host_rsa_key", true},
                {"/homework", false},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                if (unit_path_is_hazard(rows[i].path, own) != rows[i].hazard)
                        fail_msg("%s: expected %s", rows[i].path, rows[i].hazard ? "a hazard" : "no hazard");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scripts),           cmocka_unit_test(test_package),
                cmocka_unit_test(test_plugins),           cmocka_unit_test(test_state),
                cmocka_unit_test(test_init_script_state), cmocka_unit_test(test_hazards),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
