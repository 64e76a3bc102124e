/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "closure-dot.h"
#include "dpkg-db.h"
#include "macro.h"
#include "run-check.h"

static char *escape(const char *s) {
        char *buf = NULL;
        size_t len = 0, cap = 0;
        assert_int_equal(dot_escape_append(&buf, &len, &cap, s), 0);
        return buf ? buf : strdup("");
}

static void test_escape(void **state) {
        static const struct {
                const char *in, *out;
        } cases[] = {
                {"/usr/lib/libc.so.6", "/usr/lib/libc.so.6"},
                {"a\"b", "a\\\"b"},
                {"back\\slash", "back\\\\slash"},
                {"\\N\\G", "\\\\N\\\\G"}, /* graphviz's own escapes must not expand */
                {"new\nline", "new\\\\x0aline"},
                {"tab\tdel\x7f", "tab\\\\x09del\\\\x7f"},
                {"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\xa8", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\xa8"},
                {"latin1 \xe9!", "latin1 \\\\xe9!"},              /* not UTF-8: shown, not passed */
                {"overlong \xc0\xaf", "overlong \\\\xc0\\\\xaf"}, /* never a '/' in disguise */
                {"surrogate \xed\xa0\x80", "surrogate \\\\xed\\\\xa0\\\\x80"},
                {"cut \xe2\x86", "cut \\\\xe2\\\\x86"},
                {"", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *e = escape(cases[i].in);
                assert_string_equal(e, cases[i].out);
                free(e);
        }
}

typedef struct Fixture {
        char root[64];
        ClosureContext *ctx;
        Closure *c;
} Fixture;

static void put(const Fixture *f, const char *rel, const char *text) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", f->root, rel);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
        close(fd);
}

/* A root with a script whose interpreter is missing, and files with hostile names. */
static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        snprintf(f->root, sizeof f->root, "/tmp/test-closure-dot.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        char p[512];
        snprintf(p, sizeof p, "%s/etc", f->root);
        assert_int_equal(mkdir(p, 0755), 0);
        put(f, "etc/run.sh", "#!/bin/nosuchshell\necho hi\n");
        put(f, "etc/quote\"back\\slash", "x");
        put(f, "etc/new\nline", "x");
        put(f, "etc/latin1-\xe9", "x");
        put(f, "etc/utf8-\xc3\xa9", "x");
        assert_int_equal(closure_context_new(f->root, &f->ctx), 0);
        assert_int_equal(closure_new(f->ctx, &f->c), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        char cmd[128];
        closure_free(f->c);
        closure_context_free(f->ctx);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
        free(f);
        return system(cmd);
}

static bool have_dot(void) {
        return access("/usr/bin/dot", X_OK) == 0;
}

/* What graphviz says of the text: 0 when it renders, or skipped (1) when it is not installed. */
static int dot_renders(const char *text) {
        char *argv[] = {(char *)"dot", (char *)"-Tsvg", NULL}, *out = NULL, *err = NULL;
        int status = -1;
        if (!have_dot())
                return 0;
        assert_int_equal(run_program(argv, text, 64u << 20, 60000, &status, &out, &err), 0);
        if (status != 0)
                fprintf(stderr, "# dot: %s\n", err);
        assert_non_null(strstr(out, "<svg"));
        free(out);
        free(err);
        return status;
}

static void test_hostile_names(void **state) {
        Fixture *f = *state;
        size_t parent;
        assert_int_equal(closure_add_program(f->c, "/etc/run.sh", NULL), 0);
        assert_int_equal(closure_find(f->c, "/etc/run.sh", &parent), 0);
        static const char *const names[] = {"/etc/quote\"back\\slash", "/etc/new\nline", "/etc/latin1-\xe9",
                                            "/etc/utf8-\xc3\xa9"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_int_equal(
                        closure_add_found(f->c, names[i], parent, NODE_FILE, "conffile of foo", NULL, NULL),
                        0);
        char *text = NULL;
        assert_int_equal(closure_to_dot(f->c, &(DotOptions){.title = "a \"title\""}, &text), 0);
        assert_non_null(strstr(text, "label=\"/etc/quote\\\"back\\\\slash\\n"));
        assert_non_null(strstr(text, "label=\"/etc/new\\\\x0aline\\n"));
        assert_non_null(strstr(text, "label=\"/etc/latin1-\\\\xe9\\n"));
        assert_non_null(strstr(text, "label=\"/etc/utf8-\xc3\xa9\\n"));
        assert_non_null(strstr(text, "label=\"a \\\"title\\\"\""));
        /* the script's interpreter is missing: red, with its edge */
        assert_non_null(strstr(text, "label=\"/bin/nosuchshell\\nmissing\""));
        assert_non_null(strstr(text, "n0 -> m0 [label=\"missing\", color=red"));
        /* conffiles: folders, their edge says why */
        assert_non_null(strstr(text, "package file, 1 B\", shape=folder"));
        assert_non_null(strstr(text, "n0 -> n1 [label=\"conffile\"]"));
        assert_int_equal(dot_renders(text), 0);
        free(text);
}

/* A real program of the host: program, interpreter, libraries, in their packages' clusters, or collapsed. */
static void test_kinds_clusters_collapse(void **state) {
        ClosureContext *ctx;
        Closure *c;
        FsRoot *root;
        DpkgDb *db;
        (void)state;
        assert_int_equal(closure_context_new("/", &ctx), 0);
        assert_int_equal(closure_new(ctx, &c), 0);
        assert_int_equal(closure_add_program(c, "/usr/bin/true", NULL), 0);
        assert_int_equal(fs_root_new("/", &root), 0);
        assert_int_equal(dpkg_db_new(root, &db), 0);
        assert_int_equal(closure_find_packages(c, db), 0);

        char *text = NULL;
        assert_int_equal(closure_to_dot(c, NULL, &text), 0);
        assert_non_null(strstr(text, "label=\"/usr/bin/true\\nprogram, "));
        assert_non_null(strstr(text, "\\ninterpreter, "));
        assert_non_null(strstr(text, "\\nlibrary, "));
        assert_non_null(strstr(text, "[label=\"PT_INTERP\"]"));
        assert_non_null(strstr(text, "[label=\"DT_NEEDED\"]"));
        assert_non_null(strstr(text, "subgraph cluster_0 {\n        label=\"coreutils\""));
        assert_non_null(strstr(text, "label=\"libc6"));
        assert_non_null(strstr(text, "n2 -> n1 [label=\"DT_NEEDED\"]"));
        assert_null(strstr(text, "box3d"));
        assert_int_equal(dot_renders(text), 0);
        free(text);

        assert_int_equal(closure_to_dot(c, &(DotOptions){.no_clusters = true}, &text), 0);
        assert_null(strstr(text, "subgraph"));
        free(text);

        /* collapsed: one node per package, one edge coreutils -> libc6, none from libc6 to itself */
        assert_int_equal(closure_to_dot(c, &(DotOptions){.collapse = true}, &text), 0);
        assert_non_null(strstr(text, "p0 [label=\"coreutils\\n1 file, "));
        assert_non_null(strstr(text, "p1 [label=\"libc6"));
        assert_non_null(strstr(text, "p0 -> p1 [label="));
        assert_null(strstr(text, "p1 -> p1"));
        const char *first = strstr(text, "p0 -> p1");
        assert_null(strstr(first + 1, "p0 -> p1"));
        assert_int_equal(dot_renders(text), 0);
        free(text);

        dpkg_db_free(db);
        fs_root_free(root);
        closure_free(c);
        closure_context_free(ctx);
}

/* The class and the edge's word, from kind and reason. */
static void test_classes(void **state) {
        static const struct {
                NodeKind kind;
                FoundVia via;
                const char *reason;
                DotClass class;
                const char *label;
        } cases[] = {
                {NODE_EXEC, VIA_DIRECT, NULL, DOT_PROGRAM, "needs"},
                {NODE_INTERPRETER, VIA_INTERP, NULL, DOT_INTERPRETER, "PT_INTERP"},
                {NODE_INTERPRETER, VIA_SHEBANG, NULL, DOT_INTERPRETER, "#!"},
                {NODE_LIBRARY, VIA_LD_CACHE, NULL, DOT_LIBRARY, "DT_NEEDED"},
                {NODE_SCRIPT, VIA_DIRECT, NULL, DOT_SCRIPT, "needs"},
                {NODE_FILE, VIA_DIRECT, "conffile of nginx-common", DOT_PACKAGE_FILE, "conffile"},
                {NODE_FILE, VIA_DIRECT, "file of nginx-common", DOT_PACKAGE_FILE, "package file"},
                {NODE_EXEC, VIA_DIRECT, "command in /usr/sbin/x line 3", DOT_COMMAND, "command"},
                {NODE_SCRIPT, VIA_DIRECT, "sourced by /etc/init.d/x line 9", DOT_COMMAND, "sourced"},
                {NODE_FILE, VIA_DIRECT, "perl module of /usr/bin/munin", DOT_MODULE, "module"},
                {NODE_FILE, VIA_DIRECT, "python extension of /usr/bin/x", DOT_MODULE, "extension"},
                {NODE_LIBRARY, VIA_DIRECT, "NSS module in /etc/nsswitch.conf line 7", DOT_PLUGIN, "NSS"},
                {NODE_LIBRARY, VIA_DIRECT, "PAM module in /etc/pam.d/cron line 2", DOT_PLUGIN, "PAM"},
                {NODE_FILE, VIA_DIRECT, "learned: opened while serving", DOT_LEARNED, "learned"},
                {NODE_FILE, VIA_DIRECT, "named in /etc/default/x line 1", DOT_FILE, "named"},
                {NODE_FILE, VIA_DIRECT, "NSS configuration read by libc", DOT_PLUGIN, "NSS"},
                {NODE_FILE, VIA_DIRECT, "read by PAM modules", DOT_PLUGIN, "PAM"},
                {NODE_FILE, VIA_DIRECT, "in /usr/lib/locale/C.utf8, the locale LANG=C.UTF-8", DOT_PLUGIN,
                 "locale"},
                {NODE_FILE, VIA_DIRECT, "gconv module table and Unicode modules", DOT_PLUGIN, "gconv"},
                {NODE_FILE, VIA_DIRECT,
                 "in /lib/lsb/init-functions.d, named in /lib/lsb/init-functions line 3", DOT_FILE, "named"},
                {NODE_FILE, VIA_DIRECT, "something new", DOT_FILE, "rule"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ClosureNode n = {.path = "/x",
                                 .kind = cases[i].kind,
                                 .found_via = cases[i].via,
                                 .reason = cases[i].reason};
                assert_int_equal(closure_dot_class(&n), cases[i].class);
                assert_string_equal(closure_dot_edge_label(NULL, &n), cases[i].label);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_classes),
                cmocka_unit_test_setup_teardown(test_hostile_names, setup, teardown),
                cmocka_unit_test(test_kinds_clusters_collapse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
