/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cgroup-guard.h"
#include "journal.h"
#include "macro.h"

/* One journal line each, as real daemons and systemd 252 write them, and what it must suggest. */
static void test_suggest_table(void **state) {
        static const struct {
                const char *line;
                JournalHint hint;
                const char *expect; /* the path or name, NULL: nothing suggested */
                bool writable;
        } table[] = {
                /* nginx's error log */
                {"nginx[812]: 2026/11/30 10:12:01 [emerg] 812#812: open() \"/etc/nginx/nginx.conf\" failed "
                 "(2: No such file or directory)",
                 JOURNAL_HINT_PATH, "/etc/nginx/nginx.conf", false},
                /* dash through apachectl: the missing program, not the script that says so */
                {"apachectl[90]: /usr/sbin/apachectl: 175: /usr/sbin/apache2: not found", JOURNAL_HINT_PATH,
                 "/usr/sbin/apache2", false},
                {"x[1]: can't open or create /var/run/x.pid: Read-only file system", JOURNAL_HINT_PATH,
                 "/var/run/x.pid", true},
                {"mkdir: cannot create directory '/var/lib/x': Permission denied", JOURNAL_HINT_PATH,
                 "/var/lib/x", true},
                {"cat[33]: cat: /run/sdt-try/app.conf: No such file or directory", JOURNAL_HINT_PATH,
                 "/run/sdt-try/app.conf", false},
                /* the path after the message: Python's exceptions */
                {"FileNotFoundError: [Errno 2] No such file or directory: '/etc/radicale/config'",
                 JOURNAL_HINT_PATH, "/etc/radicale/config", false},
                /* systemd names the root's staging directory: the host's path is what is missing */
                {"systemd[1]: sdt.service: Failed to set up mount namespacing: "
                 "/run/systemd/unit-root/etc/foo.conf: "
                 "No such file or directory",
                 JOURNAL_HINT_PATH, "/etc/foo.conf", false},
                {"systemd[1]: sdt.service: Failed to execute /usr/bin/frobd: No such file or directory",
                 JOURNAL_HINT_PATH, "/usr/bin/frobd", false},
                {"redis[5]: Directory '/var/lib/redis/db' does not exist", JOURNAL_HINT_PATH,
                 "/var/lib/redis/db", false},
                /* the end of a sentence and a trailing slash are not part of the path */
                {"config file /etc/x/y.conf. not found", JOURNAL_HINT_PATH, "/etc/x/y.conf", false},
                {"directory /srv/data/ not found", JOURNAL_HINT_PATH, "/srv/data", false},
                /* a socket named as unix:PATH */
                {"connect() to unix:/run/php/php-fpm.sock failed (13: Permission denied)", JOURNAL_HINT_PATH,
                 "/run/php/php-fpm.sock", true},
                /* Perl: the module, not @INC's directories nor the script */
                {"Can't locate strict.pm in @INC (you may need to install the strict module) (@INC contains: "
                 "/etc/perl /usr/local/lib/x86_64-linux-gnu/perl/5.36.0 /usr/share/perl5) at "
                 "/usr/sbin/munin-node "
                 "line 23.",
                 JOURNAL_HINT_PERL_MODULE, "strict.pm", false},
                {"Can't locate Net/Server/Fork.pm in @INC (you may need to install the Net::Server::Fork "
                 "module)",
                 JOURNAL_HINT_PERL_MODULE, "Net/Server/Fork.pm", false},
                {"ModuleNotFoundError: No module named 'yaml'", JOURNAL_HINT_PYTHON_MODULE, "yaml", false},
                {"ImportError: No module named configparser", JOURNAL_HINT_PYTHON_MODULE, "configparser",
                 false},
                /* the library, not the program that exists */
                {"/usr/bin/zstd: error while loading shared libraries: libzstd.so.1: cannot open shared "
                 "object "
                 "file: No such file or directory",
                 JOURNAL_HINT_LIBRARY, "libzstd.so.1", false},
                /* dlopen of a path: a path to bind */
                {"dlopen: /usr/lib/x86_64-linux-gnu/sasl2/libplain.so: cannot open shared object file: No "
                 "such "
                 "file or directory",
                 JOURNAL_HINT_PATH, "/usr/lib/x86_64-linux-gnu/sasl2/libplain.so", false},
                /* never: secrets of the host */
                {"cat: /etc/shadow: No such file or directory", JOURNAL_HINT_PATH, NULL, false},
                {"cannot open /root/.my.cnf: Permission denied", JOURNAL_HINT_PATH, NULL, false},
                {"open /home/alice/.config/x: No such file or directory", JOURNAL_HINT_PATH, NULL, false},
                {"/etc/gshadow: No such file or directory", JOURNAL_HINT_PATH, NULL, false},
                {"/root: not found", JOURNAL_HINT_PATH, NULL, false},
                /* nothing to suggest: no message, no absolute path, a date, a URL, the root alone */
                {"sdt.service: Main process exited, code=exited, status=1/FAILURE", JOURNAL_HINT_PATH, NULL,
                 false},
                {"Started sdt.service - test.", JOURNAL_HINT_PATH, NULL, false},
                {"sh: 1: frob: not found", JOURNAL_HINT_PATH, NULL, false},
                {"Unit dbus.socket not found.", JOURNAL_HINT_PATH, NULL, false},
                {"2026/11/30 10:12:01 upstream not found", JOURNAL_HINT_PATH, NULL, false},
                {"fetch http://example.org/x/y: not found", JOURNAL_HINT_PATH, NULL, false},
                {"/: No such file or directory", JOURNAL_HINT_PATH, NULL, false},
                /* an HTTP 404 in an access log is no missing file */
                {"\"GET /favicon.ico HTTP/1.1\" 404 Not Found", JOURNAL_HINT_PATH, NULL, false},
                {"", JOURNAL_HINT_PATH, NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char *lines[] = {(char *)table[i].line, NULL};
                JournalSuggestion *s = NULL;
                size_t n = 99;
                assert_int_equal(journal_suggest_paths(lines, &s, &n), 0);
                if (!table[i].expect) {
                        if (n != 0)
                                fail_msg("%s: expected nothing, got %s", table[i].line,
                                         s[0].path ? s[0].path : s[0].what);
                        journal_suggestions_free(s, n);
                        continue;
                }
                if (n != 1)
                        fail_msg("%s: expected %s, got %zu suggestions", table[i].line, table[i].expect, n);
                const char *got = s[0].hint == JOURNAL_HINT_PATH ? s[0].path : s[0].what;
                if (s[0].hint != table[i].hint || !streq(got ? got : "", table[i].expect) ||
                    s[0].writable != table[i].writable)
                        fail_msg("%s: expected %s (hint %d%s), got %s (hint %d%s)", table[i].line,
                                 table[i].expect, table[i].hint, table[i].writable ? ", writable" : "",
                                 got ? got : "(null)", s[0].hint, s[0].writable ? ", writable" : "");
                assert_string_equal(s[0].line, table[i].line);
                journal_suggestions_free(s, n);
        }
}

/* Several lines: each path once, in order; a path also refused for writing becomes writable. */
static void test_suggest_lines(void **state) {
        char *lines[] = {
                "systemd[1]: Started sdt-try.service - try.",
                "sh[120]: cat: /run/sdt-try/app.conf: No such file or directory",
                "sh[121]: cat: /run/sdt-try/app.conf: No such file or directory",
                "app[122]: cannot open /var/lib/app/state: No such file or directory",
                "app[122]: cannot write /var/lib/app/state: Read-only file system",
                "app[122]: Can't locate strict.pm in @INC (you may need to install the strict module)",
                "app[123]: Can't locate strict.pm in @INC (you may need to install the strict module)",
                "systemd[1]: sdt-try.service: Failed with result 'exit-code'.",
                NULL,
        };
        JournalSuggestion *s = NULL;
        size_t n = 0;
        assert_int_equal(journal_suggest_paths(lines, &s, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(s[0].path, "/run/sdt-try/app.conf");
        assert_false(s[0].writable);
        assert_string_equal(s[0].line, lines[1]);
        assert_string_equal(s[1].path, "/var/lib/app/state");
        assert_true(s[1].writable);
        assert_string_equal(s[1].line, lines[4]);
        assert_int_equal(s[2].hint, JOURNAL_HINT_PERL_MODULE);
        assert_string_equal(s[2].what, "strict.pm");
        journal_suggestions_free(s, n);

        /* no lines at all */
        assert_int_equal(journal_suggest_paths(NULL, &s, &n), 0);
        assert_int_equal(n, 0);
        journal_suggestions_free(s, n);
}

/* Garbage never crashes and never yields a relative path. */
static void test_suggest_garbage(void **state) {
        char buf[512];
        unsigned seed = 1;
        for (int round = 0; round < 2000; round++) {
                size_t len = (seed = seed * 1103515245 + 12345) % (sizeof buf - 1);
                for (size_t i = 0; i < len; i++) {
                        static const char alphabet[] =
                                "/ :'\"()a.Nnot found No such file or directory\x01\xff";
                        seed = seed * 1103515245 + 12345;
                        buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
                }
                buf[len] = 0;
                char *lines[] = {buf, NULL};
                JournalSuggestion *s = NULL;
                size_t n = 0;
                assert_int_equal(journal_suggest_paths(lines, &s, &n), 0);
                for (size_t i = 0; i < n; i++)
                        if (s[i].hint == JOURNAL_HINT_PATH) {
                                assert_int_equal(s[i].path[0], '/');
                                assert_true(strlen(s[i].path) > 1);
                        }
                journal_suggestions_free(s, n);
        }
}

/* The lock-out guard's reading of /proc/PID/cgroup and its matching. */
static void test_cgroup(void **state) {
        static const struct {
                const char *text, *expect;
        } table[] = {
                /* cgroup v1 (and hybrid): the name=systemd hierarchy, whatever comes before it */
                {"12:pids:/system.slice/ssh.service\n1:name=systemd:/system.slice/ssh.service\n0::/\n",
                 "/system.slice/ssh.service"},
                {"9:name=systemd:/user.slice/user-0.slice/session-3.scope\n4:memory:/x\n",
                 "/user.slice/user-0.slice/session-3.scope"},
                /* cgroup v2 */
                {"0::/system.slice/ssh.service\n", "/system.slice/ssh.service"},
                {"0::/system.slice/a:b.service", "/system.slice/a:b.service"},
                {"4:memory:/x\n", NULL},
                {"", NULL},
                {"garbage", NULL},
                {"0::\n", NULL},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char *cg = NULL;
                int r = cgroup_from_proc_text(table[i].text, &cg);
                if (!table[i].expect) {
                        assert_int_equal(r, -ENODATA);
                        continue;
                }
                assert_int_equal(r, 0);
                assert_string_equal(cg, table[i].expect);
                free(cg);
        }
        assert_true(cgroup_is_within("/system.slice/ssh.service", "/system.slice/ssh.service"));
        assert_true(cgroup_is_within("/system.slice/ssh.service/sub", "/system.slice/ssh.service"));
        /* a manager in a container names its cgroups from its own root */
        assert_true(cgroup_is_within("/lxc/c1/system.slice/ssh.service", "/system.slice/ssh.service"));
        assert_false(cgroup_is_within("/system.slice/ssh.service2", "/system.slice/ssh.service"));
        assert_false(cgroup_is_within("/system.slice/sshd.service", "/system.slice/ssh.service"));
        assert_false(
                cgroup_is_within("/user.slice/user-0.slice/session-3.scope", "/system.slice/ssh.service"));
        assert_false(cgroup_is_within("/system.slice/ssh.service", ""));
        assert_false(cgroup_is_within("/system.slice/ssh.service", "/"));
        assert_false(cgroup_is_within("/system.slice/ssh.service", NULL));

        /* this process runs in its own cgroup, and in no unit's that does not exist */
        pid_t pid = 0;
        char *comm = NULL;
        assert_int_equal(
                cgroup_find_ancestor_in(getpid(), "/sdconfine-test-no-such.slice/x.service", &pid, &comm), 0);
        assert_null(comm);
}

/* one entry as the line the try and learn show: identifier, PID, the message without control characters */
static void test_format_line(void **state) {
        char msg[] = "a\tb\x1b[31mc", plain[] = "x";
        _cleanup_free_ char *l1 = NULL, *l2 = NULL, *l3 = NULL;
        assert_int_equal(journal_format_line(msg, "nginx", "42", &l1), 1);
        assert_string_equal(l1, "nginx[42]: a b [31mc");
        assert_int_equal(journal_format_line(plain, "nginx", NULL, &l2), 1);
        assert_string_equal(l2, "nginx: x");
        assert_int_equal(journal_format_line(plain, NULL, "42", &l3), 1);
        assert_string_equal(l3, "x");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_suggest_table),   cmocka_unit_test(test_suggest_lines),
                cmocka_unit_test(test_suggest_garbage), cmocka_unit_test(test_cgroup),
                cmocka_unit_test(test_format_line),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
