/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "macro.h"
#include "shell-scan.h"

/* What shell_scan() makes of text, as "KIND:word@line" joined by ' ' (C command, S source, P path, V PATH
 * value). */
static char *scan(const char *text, size_t size) {
        ShellRef *refs = NULL;
        size_t n = 0, len = 0, allocated = 1;
        char *joined = calloc(1, 1);

        assert_non_null(joined);
        assert_int_equal(shell_scan(text, size, &refs, &n), 0);
        for (size_t i = 0; i < n; i++) {
                assert_true(refs[i].kind < _SHELL_REF_KIND_MAX);
                if (refs[i].kind == SHELL_REF_VALUE)
                        continue; /* test_values */
                size_t need = len + strlen(refs[i].word) + 32;
                assert_true(GROW(joined, allocated, need));
                len += (size_t)snprintf(joined + len, allocated - len, "%s%c:%s@%u", len ? " " : "",
                                        "CSPV"[refs[i].kind], refs[i].word, refs[i].line);
        }
        shell_refs_free(refs, n);
        return joined;
}

/* Bare names assigned to variables: commands run later as $VAR (exim4's UPEX4CONF="update-exim4.conf") */
static void test_values(void **state) {
        static const struct {
                const char *text, *values;
        } rows[] = {
                {"UPEX4CONF=\"update-exim4.conf\"\n$UPEX4CONF -v", "update-exim4.conf@1"},
                {"DAEMON=/usr/sbin/foo\nNAME=foo", "foo@2"},
                {"X=$Y\nZ=\"a b\"\nW='c'", "c@3"},
                {"PATH=/bin:/sbin", ""},
        };
        for (size_t k = 0; k < ELEMENTSOF(rows); k++) {
                ShellRef *refs = NULL;
                size_t n = 0;
                char got[256] = "";
                assert_int_equal(shell_scan(rows[k].text, strlen(rows[k].text), &refs, &n), 0);
                for (size_t i = 0; i < n; i++)
                        if (refs[i].kind == SHELL_REF_VALUE)
                                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s@%u",
                                         *got ? " " : "", refs[i].word, refs[i].line);
                if (!streq(got, rows[k].values))
                        fail_msg("row %zu: got \"%s\", expected \"%s\"", k, got, rows[k].values);
                shell_refs_free(refs, n);
        }
}

static void check_table(const char *const (*table)[2], size_t n) {
        for (size_t i = 0; i < n; i++) {
                char *got = scan(table[i][0], strlen(table[i][0]));
                if (!streq(got, table[i][1]))
                        fail_msg("row %zu: %s\n got      \"%s\"\n expected \"%s\"", i, table[i][0], got,
                                 table[i][1]);
                free(got);
        }
}

/* Command position: separators, keywords, assignments, redirections, builtins. */
static void test_commands(void **state) {
        static const char *const table[][2] = {
                {"", ""},
                {"ls", "C:ls@1"},
                {"a; b & c && d || e | f |& g", "C:a@1 C:b@1 C:c@1 C:d@1 C:e@1 C:f@1 C:g@1"},
                {"(a); { b; }; (c) >/x; (d) | e", "C:a@1 C:b@1 C:c@1 P:/x@1 C:d@1 C:e@1"},
                {"if a; then b; elif c; then d; else e; fi; while f; do g; done; until h; do :; done",
                 "C:a@1 C:b@1 C:c@1 C:d@1 C:e@1 C:f@1 C:g@1 C:h@1"},
                {"if ! id -u foo >/dev/null 2>&1; then", "C:id@1 P:/dev/null@1"},
                {"FOO=bar BAZ=1 cmd arg", "C:cmd@1"},
                {">/dev/null 2>&1 cmd", "P:/dev/null@1 C:cmd@1"},
                {"echo x; cd /; test -f x; [ -x y ]; true; printf x; read a; exit 1", "P:/@1"},
                {"\"if\" 'then'", ""},               /* keywords and builtins are never reported */
                {"\\ls; 'l'\"s\"", "C:ls@1 C:ls@1"}, /* quoted command names are still commands */
                {"mkdir -p /var/run/foo && chown foo:foo /var/run/foo",
                 "C:mkdir@1 P:/var/run/foo@1 C:chown@1 P:/var/run/foo@1"},
                {"time ls; ! grep x", "C:ls@1 C:grep@1"},
                {"for f in a b; do rm $f; done", "C:rm@1"},
                {"for ((i = 0; i < 3; i++)); do seq $i; done; (( x++ )) && y", "C:seq@1 C:y@1"},
                {"[[ -x /usr/bin/a && $b < c ]] && d", "P:/usr/bin/a@1 C:d@1"},
                {"if [[ -n $a &&\n  -z $b ]]; then c; fi", "C:c@2"},
                {"mapfile -t a < /x; readarray b; pushd /y", "P:/x@1 P:/y@1"},
                {"awk '/^a/ { x }\n/^b/ { y }' f", "C:awk@1"},               /* a program, no path */
                {"$DAEMON start; ${X}y; *.sh; ./a*", ""},                    /* expansions, globs: unknown */
                {"/usr/lib/foo/$x arg; /usr/lib/bar$x", "P:/usr/lib/foo@1"}, /* only its directory */
                {"a\nb\n\nc", "C:a@1 C:b@2 C:c@4"},
                {"\"/usr/bin/my prog\" \"/etc/my file\"", "C:/usr/bin/my prog@1 P:/etc/my file@1"},
                {"ls # rm -rf /\n# mkdir /x\nfoo#bar", "C:ls@1 C:foo#bar@3"},
                {"a=(x y) b; arr[1]=/z c", "C:b@1 P:/z@1 C:c@1"},
                {"echo a{b,c} [x] /tmp/[ab]", "P:/tmp@1"},
                {"cat <(sort a) >(tee b)", "C:cat@1 C:sort@1 C:tee@1"},
                {"cat <<< /x", "C:cat@1 P:/x@1"},
                {"a;;b", "C:a@1"}, /* ";;" outside case: patterns follow */
        };
        (void)state;
        check_table(table, ELEMENTSOF(table));
}

/* Substitutions, quoting and expansions. */
static void test_words(void **state) {
        static const char *const table[][2] = {
                {"x=$(mktemp -d)", "C:mktemp@1"},
                {"y=`basename \"$x\"` z", "C:basename@1 C:z@1"},
                {"echo \"$(a \"$(b)\")\" `c \\`d\\``", "C:a@1 C:b@1 C:c@1 C:d@1"},
                {"x=$((1 + (2 * 3))) y", "C:y@1"}, /* arithmetic is no substitution */
                {"echo ${x:-$(nope)} ${y#*/} ${z//a/b} ${#w} ${a[1]}; b", "C:b@1"},
                {"echo \"a\\\"b\\$c\\`\\\\\" 'it''s' /x\\ y", "P:/x y@1"},
                {"$'/usr/bin/a\\tb' $'\\x41\\101\\n'", "C:/usr/bin/a\tb@1"},
                {"v=$(case $x in a) b ;; (c|d) e;; esac) f", "C:b@1 C:e@1 C:f@1"},
                {"$(echo) x", ""}, /* the command word is an expansion */
                {"echo $'unterminated", ""},
                {"echo 'a\nb' \"c\nd\" e\nf", "C:f@4"},
                {"a $(b\nc) d\ne", "C:a@1 C:b@1 C:c@2 C:e@3"},
        };
        (void)state;
        check_table(table, ELEMENTSOF(table));
}

/* Paths: arguments, redirections, tests, assignment values, cut before globs; PATH values. */
static void test_paths(void **state) {
        static const char *const table[][2] = {
                {"CONF=/etc/foo.conf", "P:/etc/foo.conf@1"},
                {"DIRS=/a:/b:rel:/c/$x:/d/*.e", "P:/a@1 P:/b@1 P:/c@1 P:/d@1"},
                {"CMD=\"/usr/bin/a --config=/etc/a\" URL=http://x/y", "P:/usr/bin/a@1"},
                {"[ -r /etc/default/foo ] && . /etc/default/foo",
                 "P:/etc/default/foo@1 S:/etc/default/foo@1"},
                {"cat /etc/foo/*.conf /etc/foo*.conf /etc/bar/$NAME.conf \"/etc/q/$x\" >>/var/log/x",
                 "C:cat@1 P:/etc/foo@1 P:/etc/bar@1 P:/etc/q@1 P:/var/log/x@1"},
                {"echo \"/etc/*\" '/etc/$x'", "P:/etc/*@1 P:/etc/$x@1"}, /* quoted: literal */
                {"echo /$x //$y", ""},
                {"PATH=/sbin:/usr/sbin:/bin", "V:/sbin:/usr/sbin:/bin@1"},
                {"PATH=/opt/x/bin:$PATH", "V:/opt/x/bin@1"},
                {"export PATH=${PATH}:/usr/local/bin:rel:$HOME/bin", "V:/usr/local/bin@1"},
                {"export PATH=\"${PATH:+$PATH:}/usr/sbin:/sbin\"", "V:/usr/sbin:/sbin@1"},
                {"PATH=$PATH", ""},
                {"PATH+=:/x; PATHX=/y:/z", "V:/x@1 P:/y@1 P:/z@1"},
                {"local a=/x b; readonly c=/y; export d=/z; echo e=/w", "P:/x@1 P:/y@1 P:/z@1"},
                {"env -i PATH=/bin LANG=C cmd", "C:env@1 V:/bin@1 C:cmd@1"},
                {". /lib/lsb/init-functions; source \"$x\"; . ./rel",
                 "S:/lib/lsb/init-functions@1 S:./rel@1"},
                {". /etc/foo.d/$x", "P:/etc/foo.d@1"},
                {"cmd 2>/dev/null 1>&2 </etc/in", "C:cmd@1 P:/dev/null@1 P:/etc/in@1"},
        };
        (void)state;
        check_table(table, ELEMENTSOF(table));
}

/* Runner prefixes and shell text in arguments. */
static void test_runners(void **state) {
        static const char *const table[][2] = {
                {"exec /usr/sbin/foo -f", "C:/usr/sbin/foo@1"},
                {"exec >/dev/null 2>&1", "P:/dev/null@1"},
                {"exec -a name foo; command -v bar; command -p baz", "C:foo@1 C:bar@1 C:baz@1"},
                {"nice -n 5 nohup a; nice -10 b; nice --adjustment=3 c",
                 "C:nice@1 C:nohup@1 C:a@1 C:nice@1 C:b@1 C:nice@1 C:c@1"},
                {"env -u X -i FOO=1 a", "C:env@1 C:a@1"},
                {"env -S 'a -x'", "C:env@1 C:a@1"},
                {"timeout -s KILL 5 a; timeout --kill-after=1 5s b", "C:timeout@1 C:a@1 C:timeout@1 C:b@1"},
                {"setsid -f a; stdbuf -oL -e 0 b; ionice -c3 -n 7 c; chrt -f 50 d",
                 "C:setsid@1 C:a@1 C:stdbuf@1 C:b@1 C:ionice@1 C:c@1 C:chrt@1 C:d@1"},
                {"find . | xargs -0 -n1 -I{} rm -f {}", "C:find@1 C:xargs@1 C:rm@1"},
                {"sudo -u postgres -E psql; doas -u x b", "C:sudo@1 C:psql@1 C:doas@1 C:b@1"},
                {"flock -n /run/lock/x a; flock -w 5 /y -c 'b c'",
                 "C:flock@1 P:/run/lock/x@1 C:a@1 C:flock@1 P:/y@1 C:b@1"},
                {"su -s /bin/sh -c \"/usr/bin/x --y\" nobody", "C:su@1 P:/bin/sh@1 C:/usr/bin/x@1"},
                {"su - postgres -c 'psql -c x'", "C:su@1 C:psql@1"},
                {"runuser -u foo -- /usr/bin/a b; runuser foo -c b",
                 "C:runuser@1 C:/usr/bin/a@1 C:runuser@1 C:b@1"},
                {"sh -c 'echo hi; /usr/bin/id'", "C:sh@1 C:/usr/bin/id@1"},
                {"/bin/bash -ec 'a | b' name arg; dash -c \"$x\"; sh /etc/init.d/x start",
                 "C:/bin/bash@1 C:a@1 C:b@1 C:dash@1 C:sh@1 P:/etc/init.d/x@1"},
                {"sh -c 'sh -c \"a\nb\"'\nc", "C:sh@1 C:sh@1 C:a@1 C:b@1 C:c@3"},
                {"start-stop-daemon --start --quiet --pidfile $PIDFILE --exec $DAEMON -- $DAEMON_OPTS",
                 "C:start-stop-daemon@1"},
                {"start-stop-daemon --start -p /run/a.pid --exec /usr/sbin/a -- -f /etc/a.conf",
                 "C:start-stop-daemon@1 P:/run/a.pid@1 C:/usr/sbin/a@1 P:/usr/sbin/a@1 P:/etc/a.conf@1"},
                {"/sbin/start-stop-daemon -S -x /usr/bin/b --startas=/usr/bin/c",
                 "C:/sbin/start-stop-daemon@1 C:/usr/bin/b@1 P:/usr/bin/b@1 C:/usr/bin/c@1 P:/usr/bin/c@1"},
                {"trap 'rm -f /tmp/x' EXIT; trap - INT; eval 'a; b'", "C:rm@1 P:/tmp/x@1 C:a@1 C:b@1"},
                {"sudo nice sh -c 'id'", "C:sudo@1 C:nice@1 C:sh@1 C:id@1"},
        };
        (void)state;
        check_table(table, ELEMENTSOF(table));
}

/* case patterns, function definitions, here-documents, continuations: line numbers. */
static void test_structure(void **state) {
        static const char *const table[][2] = {
                {"do_start() { a; }\ncase \"$1\" in\n  start) do_start ;;\n  stop|x) b ;;\n  *) c\nesac\nd",
                 "C:a@1 C:b@4 C:c@5 C:d@7"},
                {"function f { a; }\nfunction g() {\n b\n}\nf; g; h () ( c )\nh", "C:a@1 C:b@3 C:c@5"},
                {"log_daemon_msg x; log_end_msg 0", "C:log_daemon_msg@1 C:log_end_msg@1"},
                {"cat <<EOF >/x\nrm -rf /\n$(evil)\nEOF\nb", "C:cat@1 P:/x@1 C:b@5"},
                {"cat <<-'E O'\n\trm -rf /\n\tE O\nb", "C:cat@1 C:b@4"},
                {"cat <<\"EOF\"; a\nrm -rf /\nEOF\nb", "C:cat@1 C:a@1 C:b@4"},
                {"a <<X <<Y\nx\nX\ny\nY\nb", "C:a@1 C:b@6"},
                {"x=$(cat <<E\nrm -rf /\nE\n) b", "C:cat@1 C:b@4"},
                {"cat <<EOF\nnever ends", "C:cat@1"},
                {"a \\\n  b \\\n  /c\nd", "C:a@1 P:/c@3 C:d@4"},
                {"a\\\nb c\nd", "C:ab@1 C:d@3"},
                {"a 'x\ny' \"\n\" z\nb", "C:a@1 C:b@4"},
                {"case x in\n(a) b;;\nc) case y in d) e;; esac;;\nesac; f", "C:b@2 C:e@3 C:f@4"},
                {"case $x in /etc/x) a;; esac", "C:a@1"},
                {"x() { :; }; y=x; $y; \"x\" arg", ""},
                {"grep() { command grep -q \"$@\"; }; grep x; nice grep; time grep; exec grep",
                 "C:grep@1 C:nice@1 C:grep@1 C:grep@1"}, /* a runner runs the program */
                {"if true\nthen\n  a\nfi\nb\r\nc\r\n", "C:a@3 C:b@5 C:c@6"},
        };
        (void)state;
        check_table(table, ELEMENTSOF(table));
}

/* A Debian init script as shipped, with the shapes that matter. */
static void test_init_script(void **state) {
        static const char text[] =
                "#!/bin/sh\n"
                "### BEGIN INIT INFO\n"
                "# Provides:          foo\n"
                "### END INIT INFO\n"
                "PATH=/sbin:/usr/sbin:/bin:/usr/bin\n"
                "DAEMON=/usr/sbin/food\n"
                "PIDFILE=/run/$NAME.pid\n"
                "[ -x \"$DAEMON\" ] || exit 0\n"
                ". /lib/lsb/init-functions\n"
                "[ -r /etc/default/foo ] && . /etc/default/foo\n"
                "\n"
                "do_start()\n"
                "{\n"
                "\tif ! id -u foo >/dev/null 2>&1; then\n"
                "\t\tadduser --system --no-create-home foo\n"
                "\tfi\n"
                "\tmkdir -p /var/run/foo && chown foo:foo /var/run/foo\n"
                "\tstart-stop-daemon --start --quiet --pidfile $PIDFILE --exec $DAEMON -- \\\n"
                "\t\t$DAEMON_OPTS || return 2\n"
                "}\n"
                "\n"
                "case \"$1\" in\n"
                "  start)\n"
                "\tlog_daemon_msg \"Starting foo\" \"$NAME\"\n"
                "\tdo_start\n"
                "\tcase \"$?\" in\n"
                "\t\t0|1) log_end_msg 0 ;;\n"
                "\t\t2) log_end_msg 1 ;;\n"
                "\tesac\n"
                "\t;;\n"
                "  status)\n"
                "\tstatus_of_proc \"$DAEMON\" \"$NAME\" && exit 0 || exit $?\n"
                "\t;;\n"
                "  *)\n"
                "\techo \"Usage: $SCRIPTNAME {start|status}\" >&2\n"
                "\texit 3\n"
                "\t;;\n"
                "esac\n";
        static const char expected[] =
                "V:/sbin:/usr/sbin:/bin:/usr/bin@5 P:/usr/sbin/food@6 P:/run@7 S:/lib/lsb/init-functions@9 "
                "P:/etc/default/foo@10 S:/etc/default/foo@10 C:id@14 P:/dev/null@14 C:adduser@15 C:mkdir@17 "
                "P:/var/run/foo@17 C:chown@17 P:/var/run/foo@17 C:start-stop-daemon@18 C:log_daemon_msg@24 "
                "C:log_end_msg@27 C:log_end_msg@28 C:status_of_proc@32";
        (void)state;
        char *got = scan(text, strlen(text));
        assert_string_equal(got, expected);
        free(got);
}

/* Any bytes: no crash, no endless loop, 0 returned; deep nesting cut off. */
static void test_garbage(void **state) {
        static const char *const texts[] = {
                "'",
                "\"",
                "`",
                "$(",
                "${",
                "$((",
                "$'",
                "\\",
                "<<",
                "<<-",
                "((",
                "[[",
                "case",
                "case x in",
                "function",
                "a()",
                "f(",
                ")",
                ";;",
                "\"$(\"`'",
                "echo \"${x:-'}\" y",
                "x=(",
                "<(",
                "2>",
                "a |",
                "cat <<EOF",
                "sh -c",
                "sh -c '",
                "su -c",
                "start-stop-daemon --exec",
                "env -S",
                "$'\\x",
                "$'\\1",
                "a\\",
                "# only a comment",
                "{ } ( ) ! ]] fi done esac",
        };
        (void)state;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++)
                free(scan(texts[i], strlen(texts[i])));

        static const char nul[] = "a\0b c\0\n/x\0y\n'\0' \"\0\"; d";
        char *got = scan(nul, sizeof nul - 1);
        assert_string_equal(got, "C:d@3");
        free(got);
        free(scan(NULL, 0));

        /* nesting far beyond the cut-off, in each form */
        static const char *const opens[][3] = {
                {"$(", "a", ")"},   {"\"$(", "a", ")\""},  {"${", "a", "}"}, {"(", "a", ")"},
                {"$((", "1", "))"}, {"sh -c '", "a", "'"}, {"<(", "a", ")"},
        };
        for (size_t k = 0; k < ELEMENTSOF(opens); k++) {
                size_t depth = 10000, lo = strlen(opens[k][0]), lc = strlen(opens[k][2]);
                char *t = malloc(depth * (lo + lc) + 8), *p = t;
                assert_non_null(t);
                for (size_t i = 0; i < depth; i++)
                        p = mempcpy(p, opens[k][0], lo);
                p = stpcpy(p, opens[k][1]);
                for (size_t i = 0; i < depth; i++)
                        p = mempcpy(p, opens[k][2], lc);
                free(scan(t, (size_t)(p - t)));
                free(scan(t, (size_t)(p - t) / 2)); /* cut in the middle */
                free(t);
        }
        char *deep = scan("a $(b $(c $(d)))", strlen("a $(b $(c $(d)))"));
        assert_string_equal(deep, "C:a@1 C:b@1 C:c@1 C:d@1");
        free(deep);

        /* random bytes, and random picks of shell's special characters */
        static const char special[] = "$`'\"\\(){}[]<>|&;#\n =*?!-c/aEOF";
        size_t n = 4096;
        char *buf = malloc(n);
        assert_non_null(buf);
        srand(1);
        for (unsigned round = 0; round < 2000; round++) {
                for (size_t i = 0; i < n; i++)
                        buf[i] = round % 2 ? (char)rand() : special[(size_t)rand() % (sizeof special - 1)];
                free(scan(buf, (size_t)rand() % n));
        }
        free(buf);
}

/* Linear time: a large script in one piece. */
static void test_large(void **state) {
        static const char chunk[] =
                "f() { a | b \"$(c `d`)\" >/x; }\ncat <<E\nrm\nE\ncase $x in y) f;; esac # c\n";
        size_t n = 100000, l = strlen(chunk);
        char *text = malloc(n * l + 1);
        ShellRef *refs;
        size_t n_refs;
        (void)state;

        assert_non_null(text);
        for (size_t i = 0; i < n; i++)
                memcpy(text + i * l, chunk, l);
        assert_int_equal(shell_scan(text, n * l, &refs, &n_refs), 0);
        assert_int_equal(n_refs, n * 6);
        assert_string_equal(refs[n_refs - 1].word, "cat");
        assert_int_equal(refs[n_refs - 1].line, (n - 1) * 5 + 2);
        shell_refs_free(refs, n_refs);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_commands),    cmocka_unit_test(test_values),
                cmocka_unit_test(test_words),       cmocka_unit_test(test_paths),
                cmocka_unit_test(test_runners),     cmocka_unit_test(test_structure),
                cmocka_unit_test(test_init_script), cmocka_unit_test(test_garbage),
                cmocka_unit_test(test_large),
        };
        return cmocka_run_group_tests_name("shell-scan", tests, NULL, NULL);
}
