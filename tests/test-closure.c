/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader's rules, one fixture directory each (tests/fixtures/build.sh), resolved below the fixture root.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <elf.h>

#include "closure-json.h"
#include "closure.h"
#include "ld-paths.h"
#include "macro.h"

static char root[4096];
static ClosureContext *ctx;

static int setup(void **state) {
        const char *f = getenv("FIXTURES");
        snprintf(root, sizeof root, "%s/root", f ? f : "tests/fixtures/out");
        return closure_context_new(root, &ctx) < 0 ? -1 : 0;
}
static int teardown(void **state) {
        closure_context_free(ctx);
        return 0;
}

static Closure *closure_of(const char *path, const ClosureEnv *env) {
        Closure *c;
        assert_int_equal(closure_new(ctx, &c), 0);
        assert_int_equal(closure_add_program(c, path, env), 0);
        return c;
}

static const ClosureNode *node(Closure *c, const char *path) {
        size_t i;
        if (closure_find(c, path, &i) < 0)
                fail_msg("%s is not in the closure", path);
        return closure_node(c, i);
}

static bool has_node(Closure *c, const char *path) {
        size_t i;
        return closure_find(c, path, &i) >= 0;
}

static const ClosureMissing *missing(Closure *c, const char *name) {
        for (size_t i = 0; i < closure_n_missing(c); i++)
                if (streq(closure_missing(c, i)->name, name))
                        return closure_missing(c, i);
        return NULL;
}

static bool tried(const ClosureMissing *m, const char *path) {
        for (size_t i = 0; i < m->n_tried; i++)
                if (streq(m->tried[i], path))
                        return true;
        return false;
}

static void test_rpath_origin(void **state) {
        Closure *c = closure_of("/t/01_rpath/prog", NULL);
        const ClosureNode *n = node(c, "/t/01_rpath/lib/libA.so");
        assert_int_equal(n->found_via, VIA_RPATH);
        assert_int_equal(n->kind, NODE_LIBRARY);
        /* the interpreter: asked for at /lib64, really in /usr/lib/<triplet> (merged /usr) */
        n = node(c, "/lib64/ld-linux-x86-64.so.2");
        assert_int_equal(n->kind, NODE_INTERPRETER);
        assert_int_equal(n->found_via, VIA_INTERP);
        assert_string_equal(n->realpath, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        /* libc from the cache, and its own need of ld.so is the already loaded interpreter */
        n = node(c, "/lib/x86_64-linux-gnu/libc.so.6");
        assert_int_equal(n->found_via, VIA_LD_CACHE);
        assert_int_equal(n->n_deps, 1);
        assert_string_equal(closure_node(c, n->deps[0])->path, "/lib64/ld-linux-x86-64.so.2");
        assert_int_equal(closure_n_missing(c), 0);
        assert_int_equal(closure_n_nodes(c), 4);
        closure_free(c);
}

static void test_runpath(void **state) {
        Closure *c = closure_of("/t/02_runpath/prog", NULL);
        assert_int_equal(node(c, "/t/02_runpath/lib/libA.so")->found_via, VIA_RUNPATH);
        closure_free(c);
}

static void test_rpath_inherited(void **state) {
        Closure *c = closure_of("/t/03_rpath_inherited/prog", NULL);
        const ClosureNode *n = node(c, "/t/03_rpath_inherited/deps/libC.so");
        assert_int_equal(n->found_via, VIA_RPATH);
        assert_string_equal(closure_node(c, n->needed_by[0])->path, "/t/03_rpath_inherited/b/libB.so");
        assert_int_equal(closure_n_missing(c), 0);
        closure_free(c);
}

static void test_runpath_not_inherited(void **state) {
        Closure *c = closure_of("/t/04_runpath_not_inherited/prog", NULL);
        const ClosureMissing *m = missing(c, "libC.so");
        assert_non_null(m);
        assert_string_equal(m->reason, "not found");
        assert_string_equal(closure_node(c, m->needed_by)->path, "/t/04_runpath_not_inherited/b/libB.so");
        /* every place the loader looks is reported, the default directories included */
        assert_true(tried(m, "/lib/x86_64-linux-gnu/libC.so"));
        assert_true(tried(m, "/usr/lib/libC.so"));
        assert_false(tried(m, "/t/04_runpath_not_inherited/deps/libC.so"));
        assert_false(has_node(c, "/t/04_runpath_not_inherited/deps/libC.so"));
        closure_free(c);
}

static void test_env_over_runpath(void **state) {
        ClosureEnv env = {.ld_library_path = "/t/05_env_over_runpath/env"};
        Closure *c = closure_of("/t/05_env_over_runpath/prog", &env);
        assert_int_equal(node(c, "/t/05_env_over_runpath/env/libD.so")->found_via, VIA_LD_LIBRARY_PATH);
        assert_false(has_node(c, "/t/05_env_over_runpath/run/libD.so"));
        closure_free(c);
        /* our own process's LD_LIBRARY_PATH never counts */
        setenv("LD_LIBRARY_PATH", "/t/05_env_over_runpath/env", 1);
        c = closure_of("/t/05_env_over_runpath/prog", NULL);
        unsetenv("LD_LIBRARY_PATH");
        assert_int_equal(node(c, "/t/05_env_over_runpath/run/libD.so")->found_via, VIA_RUNPATH);
        closure_free(c);
}

static void test_rpath_over_env(void **state) {
        ClosureEnv env = {.ld_library_path = "/t/06_rpath_over_env/env"};
        Closure *c = closure_of("/t/06_rpath_over_env/prog", &env);
        assert_int_equal(node(c, "/t/06_rpath_over_env/rp/libD.so")->found_via, VIA_RPATH);
        assert_false(has_node(c, "/t/06_rpath_over_env/env/libD.so"));
        closure_free(c);
}

static void test_cache_and_hwcaps(void **state) {
        LdPlatform p;
        assert_int_equal(ld_platform_get(EM_X86_64, ELFCLASS64, ELFDATA2LSB, &p), 0);
        bool v2 = false;
        for (size_t i = 0; p.hwcaps[i]; i++)
                v2 = v2 || streq(p.hwcaps[i], "x86-64-v2");
        Closure *c = closure_of("/t/07_cache/prog", NULL);
        /* ldconfig recorded the glibc-hwcaps copy too; the loader prefers it when the CPU can run it */
        const char *want =
                v2 ? "/opt/cachedir/glibc-hwcaps/x86-64-v2/libcached.so.1" : "/opt/cachedir/libcached.so.1";
        assert_int_equal(node(c, want)->found_via, VIA_LD_CACHE);
        closure_free(c);
}

static void test_default_dirs(void **state) {
        Closure *c = closure_of("/t/08_default/prog", NULL);
        const ClosureNode *n = node(c, "/lib/x86_64-linux-gnu/libdef.so.1");
        assert_int_equal(n->found_via, VIA_DEFAULT);
        assert_string_equal(n->realpath, "/usr/lib/x86_64-linux-gnu/libdef.so.1");
        closure_free(c);
}

static void test_nodeflib(void **state) {
        Closure *c = closure_of("/t/09_nodeflib/prog", NULL);
        assert_non_null(missing(c, "libdef.so.1"));
        assert_non_null(missing(c, "libcached.so.1"));
        assert_false(tried(missing(c, "libdef.so.1"), "/lib/x86_64-linux-gnu/libdef.so.1"));
        closure_free(c);
}

static void test_tokens(void **state) {
        LdPlatform p;
        char want[256];
        assert_int_equal(ld_platform_get(EM_X86_64, ELFCLASS64, ELFDATA2LSB, &p), 0);
        Closure *c = closure_of("/t/10_tokens/prog", NULL);
        assert_int_equal(node(c, "/t/10_tokens/lib/x86_64-linux-gnu/libE.so")->found_via, VIA_RPATH);
        snprintf(want, sizeof want, "/t/10_tokens/p/%s/libF.so", p.platform);
        assert_int_equal(node(c, want)->found_via, VIA_RPATH);
        closure_free(c);
}

static void test_cycle(void **state) {
        Closure *c = closure_of("/t/11_cycle/prog", NULL);
        const ClosureNode *g = node(c, "/t/11_cycle/lib/libG.so"), *h = node(c, "/t/11_cycle/lib/libH.so");
        assert_int_equal(closure_n_missing(c), 0);
        /* G -> H -> G: both edges, two nodes */
        assert_int_equal(g->n_deps, 1);
        assert_int_equal(h->n_deps, 1);
        assert_string_equal(closure_node(c, h->deps[0])->path, "/t/11_cycle/lib/libG.so");
        closure_free(c);
}

static void test_missing(void **state) {
        Closure *c = closure_of("/t/12_missing/prog", NULL);
        const ClosureMissing *m = missing(c, "libnothere.so.1");
        assert_non_null(m);
        assert_true(tried(m, "/t/12_missing/lib/libnothere.so.1"));
        assert_true(tried(m, "/usr/lib/libnothere.so.1"));
        /* the order is the loader's: the runpath before the defaults */
        assert_string_equal(m->tried[m->n_tried - 1], "/usr/lib/libnothere.so.1");
        /* the rest of the closure is still there */
        assert_true(has_node(c, "/lib/x86_64-linux-gnu/libc.so.6"));
        closure_free(c);
}

static void test_soname_reuse(void **state) {
        Closure *c = closure_of("/t/13_soname/prog", NULL);
        assert_int_equal(closure_n_missing(c), 0);
        const ClosureNode *v = node(c, "/t/13_soname/lib/libV.so");
        assert_int_equal(v->n_deps, 1);
        assert_string_equal(closure_node(c, v->deps[0])->path, "/t/13_soname/lib/libU.so");
        closure_free(c);
}

static void test_wrong_arch_skipped(void **state) {
        Closure *c = closure_of("/t/14_wrong_arch/prog", NULL);
        assert_true(has_node(c, "/t/14_wrong_arch/b/libW.so"));
        assert_false(has_node(c, "/t/14_wrong_arch/a/libW.so"));
        assert_false(has_node(c, "/t/14_wrong_arch/c/libW.so"));
        assert_int_equal(closure_n_missing(c), 0);
        closure_free(c);
}

static void test_hwcaps_subdir(void **state) {
        LdPlatform p;
        assert_int_equal(ld_platform_get(EM_X86_64, ELFCLASS64, ELFDATA2LSB, &p), 0);
        bool v2 = false;
        for (size_t i = 0; p.hwcaps[i]; i++)
                v2 = v2 || streq(p.hwcaps[i], "x86-64-v2");
        Closure *c = closure_of("/t/15_hwcaps/prog", NULL);
        assert_true(has_node(c, v2 ? "/t/15_hwcaps/lib/glibc-hwcaps/x86-64-v2/libX.so"
                                   : "/t/15_hwcaps/lib/libX.so"));
        closure_free(c);
}

static void test_scripts(void **state) {
        Closure *c = closure_of("/t/16_script/direct", NULL);
        assert_int_equal(node(c, "/t/16_script/direct")->kind, NODE_SCRIPT);
        const ClosureNode *i = node(c, "/t/01_rpath/prog");
        assert_int_equal(i->kind, NODE_INTERPRETER);
        assert_int_equal(i->found_via, VIA_SHEBANG);
        /* the interpreter brings its own libraries, found from its own $ORIGIN */
        assert_true(has_node(c, "/t/01_rpath/lib/libA.so"));
        closure_free(c);

        c = closure_of("/t/16_script/env", NULL);
        assert_int_equal(node(c, "/usr/bin/env")->found_via, VIA_SHEBANG);
        assert_int_equal(node(c, "/usr/bin/tool")->found_via, VIA_PATH);
        closure_free(c);

        /* PATH is the service's: without /usr/bin in it, tool is not found */
        ClosureEnv env = {.path = "/nowhere"};
        c = closure_of("/t/16_script/env", &env);
        assert_non_null(missing(c, "tool"));
        closure_free(c);

        c = closure_of("/t/16_script/env-missing", NULL);
        const ClosureMissing *m = missing(c, "nosuchtool");
        assert_non_null(m);
        assert_true(tried(m, "/usr/bin/nosuchtool"));
        closure_free(c);

        c = closure_of("/t/16_script/nested", NULL);
        assert_true(has_node(c, "/t/16_script/direct"));
        assert_true(has_node(c, "/t/01_rpath/lib/libA.so"));
        closure_free(c);
}

static void test_corrupt_library_is_an_error(void **state) {
        Closure *c = closure_of("/t/17_corrupt/prog", NULL);
        const ClosureMissing *m = missing(c, "libA.so");
        assert_non_null(m);
        assert_non_null(strstr(m->reason, "/t/17_corrupt/lib/libA.so"));
        assert_null(strstr(m->reason, "not found"));
        closure_free(c);
}

/* The programs of one closure share what their library searches found: a search is only reused where the
 * loader would search the same way (same lists, same origin for $ORIGIN, same environment). */
static void test_searches_shared(void **state) {
        ClosureEnv env5 = {.ld_library_path = "/t/05_env_over_runpath/env"};
        ClosureEnv env6 = {.ld_library_path = "/t/06_rpath_over_env/env"};
        Closure *c;
        assert_int_equal(closure_new(ctx, &c), 0);
        const char *progs[] = {"/t/01_rpath/prog",
                               "/t/20_origin_elsewhere/prog",
                               "/t/21_rpath_whole/prog",
                               "/t/17_corrupt/prog",
                               "/t/02_runpath/prog",
                               "/t/03_rpath_inherited/prog",
                               "/t/04_runpath_not_inherited/prog"};
        for (size_t i = 0; i < ELEMENTSOF(progs); i++)
                assert_int_equal(closure_add_program(c, progs[i], NULL), 0);
        assert_int_equal(closure_add_program(c, "/t/05_env_over_runpath/prog", &env5), 0);
        assert_int_equal(closure_add_program(c, "/t/06_rpath_over_env/prog", &env6), 0);

        /* the same "$ORIGIN/lib" from three directories, as DT_RPATH and as DT_RUNPATH */
        assert_int_equal(node(c, "/t/01_rpath/lib/libA.so")->found_via, VIA_RPATH);
        assert_int_equal(node(c, "/t/20_origin_elsewhere/lib/libA.so")->found_via, VIA_RPATH);
        assert_int_equal(node(c, "/t/21_rpath_whole/lib/libA.so")->found_via, VIA_RPATH);
        assert_int_equal(node(c, "/t/02_runpath/lib/libA.so")->found_via, VIA_RUNPATH);
        const ClosureNode *p2 = node(c, "/t/02_runpath/prog");
        bool own = false;
        for (size_t d = 0; d < p2->n_deps; d++)
                own = own || streq(closure_node(c, p2->deps[d])->path, "/t/02_runpath/lib/libA.so");
        assert_true(own);
        /* a failed search is searched again, and still fails with its own reason, after another list
         * found the name */
        const ClosureMissing *m = missing(c, "libA.so");
        assert_non_null(m);
        assert_non_null(strstr(m->reason, "/t/17_corrupt/lib/libA.so"));
        /* libB's need of libC.so: found through the inherited DT_RPATH in 03, missing in 04 */
        assert_true(has_node(c, "/t/03_rpath_inherited/deps/libC.so"));
        m = missing(c, "libC.so");
        assert_non_null(m);
        assert_string_equal(closure_node(c, m->needed_by)->path, "/t/04_runpath_not_inherited/b/libB.so");
        assert_false(has_node(c, "/t/04_runpath_not_inherited/deps/libC.so"));
        /* libD.so: each program's LD_LIBRARY_PATH and lists decide */
        assert_int_equal(node(c, "/t/05_env_over_runpath/env/libD.so")->found_via, VIA_LD_LIBRARY_PATH);
        assert_int_equal(node(c, "/t/06_rpath_over_env/rp/libD.so")->found_via, VIA_RPATH);
        assert_false(has_node(c, "/t/06_rpath_over_env/env/libD.so"));
        assert_int_equal(closure_n_missing(c), 2);
        closure_free(c);
}

static void test_symlinks(void **state) {
        Closure *c = closure_of("/t/19_symlink/bin/prog-link", NULL);
        const ClosureNode *n = node(c, "/t/19_symlink/bin/prog-link");
        assert_string_equal(n->realpath, "/t/01_rpath/prog");
        /* $ORIGIN is the real program's directory, as the kernel reports /proc/self/exe */
        assert_true(has_node(c, "/t/01_rpath/lib/libA.so"));
        closure_free(c);

        Closure *d;
        assert_int_equal(closure_new(ctx, &d), 0);
        assert_int_equal(closure_add_program(d, "/t/19_symlink/loop1", NULL), -ELOOP);
        assert_int_equal(closure_add_program(d, "/t/nonexistent", NULL), -ENOENT);
        assert_int_equal(closure_add_program(d, "/t", NULL), -EISDIR);
        /* a link that leaves the root by ".." stays inside it */
        assert_int_equal(closure_add_program(d, "/../../../../t/01_rpath/prog", NULL), 0);
        assert_int_equal(closure_n_missing(d), 0);
        closure_free(d);
}

static void test_why_and_sharing(void **state) {
        Closure *c;
        size_t *chain, n, i;
        assert_int_equal(closure_new(ctx, &c), 0);
        assert_int_equal(closure_add_program(c, "/t/03_rpath_inherited/prog", NULL), 0);
        assert_int_equal(closure_add_program(c, "/t/01_rpath/prog", NULL), 0);
        assert_int_equal(closure_find(c, "/t/03_rpath_inherited/deps/libC.so", &i), 0);
        assert_int_equal(closure_why(c, i, &chain, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(closure_node(c, chain[0])->path, "/t/03_rpath_inherited/prog");
        assert_string_equal(closure_node(c, chain[1])->path, "/t/03_rpath_inherited/b/libB.so");
        assert_int_equal(chain[2], i);
        free(chain);
        /* libc is shared: needed by both programs' graphs, one node */
        const ClosureNode *libc = node(c, "/lib/x86_64-linux-gnu/libc.so.6");
        assert_true(libc->n_needed_by >= 2);
        /* parsing is memoised: a second closure of the same programs parses nothing new */
        size_t parsed = closure_context_n_parsed(ctx);
        Closure *d;
        assert_int_equal(closure_new(ctx, &d), 0);
        assert_int_equal(closure_add_program(d, "/t/03_rpath_inherited/prog", NULL), 0);
        assert_int_equal(closure_context_n_parsed(ctx), parsed);
        closure_free(d);
        closure_free(c);
}

/* Every program and library of the fixtures, as paths inside the root. */
static size_t fixture_programs(const char **paths, size_t max) {
        char cmd[4200], line[4096];
        size_t n = 0;
        snprintf(cmd, sizeof cmd, "cd '%s' && find t -type f | sort", root);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        while (n < max && fgets(line, sizeof line, p)) {
                line[strcspn(line, "\n")] = 0;
                char *s;
                assert_true(asprintf(&s, "/%s", line) > 0);
                paths[n++] = s;
        }
        pclose(p);
        return n;
}

static char *json_of(Closure *c, bool stream) {
        char *buf = NULL;
        size_t size = 0;
        if (!stream) {
                json_t *j;
                assert_int_equal(closure_to_json(c, &j), 0);
                buf = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
                json_decref(j);
                return buf;
        }
        FILE *f = open_memstream(&buf, &size);
        assert_non_null(f);
        assert_int_equal(closure_json_write(c, f), 0);
        fclose(f);
        return buf;
}

/* The closures of all fixtures at once, read ahead on both cores or one by one: the same, byte for byte;
 * and the streamed JSON is what jansson writes. */
static void test_prefetch_and_stream(void **state) {
        const char *paths[160];
        size_t n = fixture_programs(paths, ELEMENTSOF(paths) - 8);
        assert_true(n > 20);
        /* what the thread cannot take from the closure: a path that is not there, a directory, a loop, a
         * relative path, the same file through a link and twice by name, a path of the closure's own */
        const char *odd[] = {"/t/nothere",
                             "/t/01_rpath",
                             "/t/19_symlink/loop1",
                             "t/01_rpath/prog",
                             "/t/19_symlink/bin/prog-link",
                             "/t/01_rpath/prog",
                             "/t/01_rpath/prog"};
        for (size_t i = 0; i < ELEMENTSOF(odd); i++)
                paths[n++] = strdup(odd[i]);
        char *out[2];
        int results[2][ELEMENTSOF(paths)];
        for (int pass = 0; pass < 2; pass++) {
                ClosureContext *x;
                Closure *c;
                assert_int_equal(closure_context_new(root, &x), 0);
                assert_int_equal(closure_new(x, &c), 0);
                /* two batches: what the first thread read stays valid after the second starts */
                for (size_t i = 0; i < n; i++) {
                        if (pass == 1 && (i == 0 || i == n / 2))
                                assert_int_equal(closure_context_prefetch(x, paths + i, i ? n - i : n / 2),
                                                 0);
                        results[pass][i] = closure_add_program(c, paths[i], NULL);
                }
                out[pass] = json_of(c, true);
                char *tree = json_of(c, false);
                assert_string_equal(out[pass], tree);
                free(tree);
                closure_free(c);
                closure_context_free(x);
        }
        assert_string_equal(out[0], out[1]);
        assert_memory_equal(results[0], results[1], n * sizeof(int));
        assert_int_equal(results[1][n - 7], -ENOENT);
        assert_int_equal(results[1][n - 6], -EISDIR);
        assert_int_equal(results[1][n - 5], -ELOOP);
        assert_int_equal(results[1][n - 4], -EINVAL);
        free(out[0]);
        free(out[1]);
        for (size_t i = 0; i < n; i++)
                free((char *)paths[i]);
}

static void test_stream_escapes(void **state) {
        char dir[] = "/tmp/sdconfine-json-XXXXXX", cmd[256];
        static const char *const names[] = {"/a\xff b", "/q\"\\\t\x01\x7f", "/\xc3\xa9t\xc3\xa9",
                                            "/\xed\xa0\x80"};
        assert_non_null(mkdtemp(dir));
        ClosureContext *x;
        Closure *c;
        assert_int_equal(closure_context_new(dir, &x), 0);
        assert_int_equal(closure_new(x, &c), 0);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char p[256];
                snprintf(p, sizeof p, "%s%s", dir, names[i]);
                FILE *f = fopen(p, "we");
                assert_non_null(f);
                fclose(f);
                assert_int_equal(closure_add_file(c, names[i]), 0);
        }
        char *a = json_of(c, true), *b = json_of(c, false);
        assert_string_equal(a, b);
        free(a);
        free(b);
        closure_free(c);
        closure_context_free(x);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rpath_origin),
                cmocka_unit_test(test_runpath),
                cmocka_unit_test(test_rpath_inherited),
                cmocka_unit_test(test_runpath_not_inherited),
                cmocka_unit_test(test_env_over_runpath),
                cmocka_unit_test(test_rpath_over_env),
                cmocka_unit_test(test_cache_and_hwcaps),
                cmocka_unit_test(test_default_dirs),
                cmocka_unit_test(test_nodeflib),
                cmocka_unit_test(test_tokens),
                cmocka_unit_test(test_cycle),
                cmocka_unit_test(test_missing),
                cmocka_unit_test(test_soname_reuse),
                cmocka_unit_test(test_wrong_arch_skipped),
                cmocka_unit_test(test_hwcaps_subdir),
                cmocka_unit_test(test_scripts),
                cmocka_unit_test(test_corrupt_library_is_an_error),
                cmocka_unit_test(test_searches_shared),
                cmocka_unit_test(test_symlinks),
                cmocka_unit_test(test_why_and_sharing),
                cmocka_unit_test(test_prefetch_and_stream),
                cmocka_unit_test(test_stream_escapes),
        };
        return cmocka_run_group_tests_name("closure", tests, setup, teardown);
}
