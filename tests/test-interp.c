/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Script interpreters' modules: the scanners statement by statement, the search paths against the real
 * interpreters, the driver on a small root made here, and the closure of real Debian programs against what
 * perl and python3 really load (they are the oracles; our code never runs them). */
#include "config.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "closure.h"
#include "fileio.h"
#include "interp.h"
#include "macro.h"

/* ---- helpers ---- */

static char *joined(const InterpImport *l, size_t n) {
        char *s = NULL;
        size_t len = 0, cap = 0;
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(buf_append(&s, &len, &cap, " ", 1), 0);
                assert_int_equal(buf_append(&s, &len, &cap, l[i].name, strlen(l[i].name)), 0);
        }
        assert_int_equal(buf_append(&s, &len, &cap, " ", 1), 0);
        return s;
}

static bool has_word(const char *list, const char *word) {
        char w[512];
        snprintf(w, sizeof w, " %s ", word);
        return strstr(list, w);
}

typedef struct ScanCase {
        const char *text;
        const char *module;
        bool is_package;
        const char *want[8];  /* each must be among the imports */
        const char *never[4]; /* none of these may be */
} ScanCase;

static void check_scan(const Interpreter *in, const ScanCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                InterpImport *l = NULL;
                size_t k = 0;
                assert_int_equal(in->scan(cases[i].text, strlen(cases[i].text), cases[i].module,
                                          cases[i].is_package, &l, &k),
                                 0);
                _cleanup_free_ char *got = joined(l, k);
                for (size_t w = 0; w < ELEMENTSOF(cases[i].want) && cases[i].want[w]; w++)
                        if (!has_word(got, cases[i].want[w]))
                                fail_msg("case %zu: %s missing from [%s] for:\n%s", i, cases[i].want[w], got,
                                         cases[i].text);
                for (size_t w = 0; w < ELEMENTSOF(cases[i].never) && cases[i].never[w]; w++)
                        if (has_word(got, cases[i].never[w]))
                                fail_msg("case %zu: %s wrongly in [%s] for:\n%s", i, cases[i].never[w], got,
                                         cases[i].text);
                interp_imports_free(l, k);
        }
}

/* ---- interp_find ---- */

static void test_find(void **state) {
        assert_ptr_equal(interp_find("/usr/bin/perl"), &interp_perl);
        assert_ptr_equal(interp_find("/usr/bin/perl5.36.0"), &interp_perl);
        assert_ptr_equal(interp_find("/usr/bin/python3"), &interp_python);
        assert_ptr_equal(interp_find("/usr/bin/python3.11"), &interp_python);
        assert_null(interp_find("/usr/bin/perlbug"));
        assert_null(interp_find("/usr/bin/python2.7"));
        assert_null(interp_find("/usr/bin/python3-config"));
        assert_null(interp_find("/bin/sh"));
        assert_null(interp_find(NULL));
}

/* ---- Python's scanner ---- */

static const ScanCase python_cases[] = {
        {"import a.b, c as d\n", .want = {"a", "a.b", "c"}, .never = {"d"}},
        {"from a.b import c, d\n", .want = {"a", "a.b", "a.b.c", "a.b.d"}},
        {"from . import x\n", "pkg.mod", false, .want = {"pkg", "pkg.x"}},
        {"from .. import y\n", "top.sub.mod", false, .want = {"top", "top.y"}, .never = {"top.sub.y"}},
        {"from ..other import y\n", "top.sub.mod", false, .want = {"top.other", "top.other.y"}},
        {"from .x import y\n", "pkg", true, .want = {"pkg.x", "pkg.x.y"}},
        {"from . import x\n", .want = {NULL}, .never = {"x"}},        /* no package: a script */
        {"from ... import z\n", "a.b", false, .never = {"z", "a.z"}}, /* beyond the top */
        {"from a import (\n    b,\n    c as cc,  # comment\n)\nimport after\n",
         .want = {"a.b", "a.c", "after"}, .never = {"a.cc"}},
        {"m = __import__('x.y')\nimportlib.import_module(\"z\")\n", .want = {"x", "x.y", "z"}},
        {"importlib.import_module('.rel', __package__)\n", "pkg", true, .want = {"pkg.rel"}},
        {"def f():\n    import inner\ntry:\n    import opt\nexcept ImportError:\n    opt = None\n",
         .want = {"inner", "opt"}},
        {"# import nope\ns = 'import nope2'\nt = \"\"\"\nimport nope3\n\"\"\"\nimport yes\n", .want = {"yes"},
         .never = {"nope", "nope2", "nope3"}},
        {"u = r'\\'' + f\"{x}\" + b'import nope'\nimport yes\n", .want = {"yes"}, .never = {"nope"}},
        {"def g():\n    yield from gen()\n    raise E from err\n", .never = {"gen", "err"}},
        {"import a, \\\n    b; import c\n", .want = {"a", "b", "c"}},
        {"if __name__ == '__main__':\n    import onlymain\n\n    main()\nimport after\n", "mod", false,
         .want = {"after"}, .never = {"onlymain"}},
        {"if __name__ == '__main__':\n    import onlymain\n", .want = {"onlymain"}}, /* the script: runs */
        {"sys.exit(load_entry_point('Foo==1.0', 'console_scripts', 'foo')())\n",
         .want = {"entry:Foo==1.0:console_scripts:foo"}},
        {"__version__ = importlib.metadata.version('Some-Dist')\n", .want = {"dist:Some-Dist"}},
        {"import sysconfig\n", .want = {"sysconfig", "_sysconfigdata__x86_64-linux-gnu"}},
        {"x.import_thing = 1\nobj.from_ = 2\n", .never = {"import_thing"}},
        {"sys.path.insert(0, '/usr/share/app')\nsys.path.append(\"/opt/lib\")\nsys.path.insert(0, here)\n",
         .want = {"lib:/usr/share/app", "lib+:/opt/lib"}},
};

static void test_python_scan(void **state) {
        check_scan(&interp_python, python_cases, ELEMENTSOF(python_cases));
        /* line numbers, 1-based, of the statement */
        const char *text = "\n\nimport a\nfrom b import (\n c)\n";
        InterpImport *l;
        size_t n;
        assert_int_equal(interp_python.scan(text, strlen(text), NULL, false, &l, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(l[0].name, "a");
        assert_int_equal(l[0].line, 3);
        assert_string_equal(l[2].name, "b.c");
        assert_int_equal(l[2].line, 4);
        interp_imports_free(l, n);
}

/* Python's own parser as the oracle: every import statement its ast finds in the standard library, our
 * scanner finds too (absolute ones: relative ones need the module's name, tested above). */
static void test_python_scan_ast(void **state) {
        static const char ast_py[] = "import ast, sys\n"
                                     "for path in sys.stdin.read().split():\n"
                                     "    try:\n"
                                     "        tree = ast.parse(open(path, 'rb').read())\n"
                                     "    except Exception:\n"
                                     "        continue\n"
                                     "    for n in ast.walk(tree):\n"
                                     "        if isinstance(n, ast.Import):\n"
                                     "            for a in n.names: print(path, a.name)\n"
                                     "        elif isinstance(n, ast.ImportFrom) and n.level == 0:\n"
                                     "            print(path, n.module)\n";
        char dir[] = "/tmp/test-interp-ast-XXXXXX", script[64], cmd[512], line[1024], last[1024] = "";
        _cleanup_free_ char *got = NULL;
        size_t n_imports = 0, n_files = 0, missed = 0;
        if (access("/usr/bin/python3", X_OK) < 0 || access("/usr/lib/python3.11/os.py", R_OK) < 0)
                skip();
        assert_non_null(mkdtemp(dir));
        snprintf(script, sizeof script, "%s/imports.py", dir);
        FILE *f = fopen(script, "we");
        assert_non_null(f);
        fputs(ast_py, f);
        fclose(f);
        snprintf(cmd, sizeof cmd,
                 "find /usr/lib/python3.11 -name '*.py' -not -path '*/test/*' | sort | /usr/bin/python3 %s",
                 script);
        _cleanup_(fclosep) FILE *p = popen(cmd, "r");
        assert_non_null(p);
        while (fgets(line, sizeof line, p)) {
                char *name = strchr(line, ' ');
                if (!name)
                        continue;
                *name++ = 0;
                name[strcspn(name, "\n")] = 0;
                if (!streq(line, last)) {
                        _cleanup_free_ char *text = NULL;
                        InterpImport *l;
                        size_t size, k;
                        snprintf(last, sizeof last, "%s", line);
                        assert_int_equal(read_full_file_at(AT_FDCWD, line, 0, 64 << 20, &text, &size), 0);
                        assert_int_equal(interp_python.scan(text, size, NULL, false, &l, &k), 0);
                        free(got);
                        got = joined(l, k);
                        interp_imports_free(l, k);
                        n_files++;
                }
                n_imports++;
                if (!has_word(got, name)) {
                        printf("#   %s: import %s missed\n", line, name);
                        missed++;
                }
        }
        pclose(TAKE_PTR(p));
        unlink(script);
        rmdir(dir);
        printf("# python's ast: %zu imports in %zu files, %zu missed\n", n_imports, n_files, missed);
        assert_true(n_files > 100);
        assert_int_equal(missed, 0);
}

/* ---- Perl's scanner ---- */

static const ScanCase perl_cases[] = {
        {"use Foo::Bar qw(x y);\n", .want = {"Foo::Bar"}},
        {"use strict;\nuse warnings;\nuse feature 'say';\nuse utf8;\n",
         .want = {"strict", "warnings", "feature", "utf8"}},
        /* "no" requires the module as "use" does, then calls unimport */
        {"no strict 'refs';\nno warnings;\n", .want = {"strict", "warnings"}},
        {"require Foo::Bar;\nrequire \"foo.pl\";\nrequire $x;\nrequire 5.006;\n",
         .want = {"Foo::Bar", "foo.pl"}, .never = {"5.006", "$x"}},
        {"use parent qw(A B);\nuse base 'C';\n", .want = {"parent", "A", "B", "base", "C"}},
        {"use parent -norequire, 'D';\n", .want = {"parent"}, .never = {"D", "norequire"}},
        {"use lib '/opt/lib', \"/srv/lib\";\n", .want = {"lib", "lib:/opt/lib", "lib:/srv/lib"}},
        {"use FindBin;\nuse lib \"$FindBin::Bin/../lib\";\nuse lib \"$FindBin::RealBin/x\";\n",
         .want = {"FindBin", "lib:{bin}/../lib", "lib:{realbin}/x"}},
        {"use lib map { /(.*)/ } split /:/, $ENV{PERL5LIB};\n", .want = {"lib"}, .never = {"lib:(.*)"}},
        {"BEGIN { unshift @INC, '/usr/share/app/lib'; push @INC, \"/opt/x\"; }\n",
         .want = {"lib:/usr/share/app/lib", "lib+:/opt/x"}},
        {"use 5.010;\nuse v5.36;\nuse 5.010_001;\n", .never = {"5.010", "v5.36", "5.010_001"}},
        {"use if $] < 5.008, 'utf8';\nuse if $x, Foo => qw(a);\n", .want = {"if", "utf8", "Foo"}},
        {"use A;\n__END__\nuse B;\n", .want = {"A"}, .never = {"B"}},
        {"use A;\n__DATA__\nuse B;\n", .want = {"A"}, .never = {"B"}},
        {"=pod\n\nuse Nope;\n\n=cut\nuse Yes;\n=head1 NAME\n\nuse Nope2;\n\n=cut\n", .want = {"Yes"},
         .never = {"Nope", "Nope2"}},
        {"# use Nope;\nmy $n = $#a; # use Nope2;\nuse Yes;\n", .want = {"Yes"}, .never = {"Nope", "Nope2"}},
        {"print <<EOF;\nuse Nope;\nEOF\nprint <<~'EOT', <<\"X\";\n  use Nope2;\n  EOT\nuse Nope3;\nX\nuse "
         "Yes;\n",
         .want = {"Yes"}, .never = {"Nope", "Nope2", "Nope3"}},
        {"my $s = \"use Nope;\"; my $t = q{use Nope2; {nested}}; my @w = qw(use Nope3);\nuse Yes;\n",
         .want = {"Yes"}, .never = {"Nope", "Nope2", "Nope3"}},
        {"my $x = $y =~ /use Nope/; s{use Nope2}{x}g; tr/a-z/A-Z/; y,use Nope3,,;\nuse Yes;\n",
         .want = {"Yes"}, .never = {"Nope", "Nope2", "Nope3"}},
        {"my $m = $ENV{X} // 'd'; my $q = $a / $b; # /\nuse Yes;\n", .want = {"Yes"}},
        {"eval \"use Maybe; 1\" or warn;\neval q{require Other};\n", .want = {"Maybe", "Other"}},
        {"sub f {\n    require Carp;\n    Carp::croak('x');\n}\n", .want = {"Carp"}},
        {"$h{require} = 1; my %o = (use => 1); $obj->require('X'); sub use { }\n", .never = {"X", "1", "=>"}},
        {"my @f = glob('*.c'); my @d = grep { -d } <$dir/*>;\n", .want = {"File::Glob"}},
        {"while (<STDIN>) { }\nmy $l = <$fh>;\n", .never = {"File::Glob"}},
        {"if ($!{ENOENT}) { }\n", .want = {"Errno"}},
        {"my $n = $+{name};\n", .want = {"Tie::Hash::NamedCapture"}},
        {"binmode STDOUT, ':encoding(UTF-8)';\n", .want = {"PerlIO::encoding", "Encode"}},
        {"use File::Spec;\n", .want = {"File::Spec", "File::Spec::Unix"}},
        {"extends 'My::Base';\nuse_module('My::Plugin');\n", .want = {"My::Base", "My::Plugin"}},
};

static void test_perl_scan(void **state) {
        check_scan(&interp_perl, perl_cases, ELEMENTSOF(perl_cases));
        const char *text = "#!/usr/bin/perl\n=pod\n\n=cut\nuse A;\n\nrequire B;\n";
        InterpImport *l;
        size_t n;
        assert_int_equal(interp_perl.scan(text, strlen(text), NULL, false, &l, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(l[0].line, 5);
        assert_int_equal(l[1].line, 7);
        interp_imports_free(l, n);
}

/* Cut or binary text never trips the scanners: every case ends in the middle of something. */
static void test_scan_hostile(void **state) {
        static const struct {
                const char *text;
                size_t size;
        } cases[] = {
                {"q\0", 2},
                {"s{abc", 5},
                {"print <<\"EOF\";\nno end", 22},
                {"=pod\nnever cut", 15},
                {"'unterminated", 13},
                {"from . import (", 15},
                {"import", 6},
                {"\"\"\"never", 9},
                {"tr/a-z", 6},
                {"use lib \"$Find", 14},
                {"\0\0\0import a\0", 12},
                {"$", 1},
                {"<<", 2},
                {"<$d/*", 5},
                {"y\0\0", 3},
                {"__import__(", 11},
                {"sys.path.insert(0,", 18},
                {"if __name__ == '__main__':", 26},
                {"=pod\n=cu", 8},
                {"use v5", 6},
                {"$^", 2},
                {"use lib \"$Bin", 13},
                {"__import__('...", 15},
                {"load_entry_point('abc", 21},
                {"<$x *?", 6},
                {"} <a*", 5},
                {"import_module('..a", 18},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                for (size_t n = 0; n <= cases[i].size; n++) {
                        /* a copy of exactly n bytes, so that any read past them is caught under valgrind */
                        _cleanup_free_ char *text = malloc(n ? n : 1);
                        InterpImport *l;
                        size_t k;
                        assert_non_null(text);
                        memcpy(text, cases[i].text, n);
                        assert_int_equal(interp_perl.scan(text, n, NULL, false, &l, &k), 0);
                        interp_imports_free(l, k);
                        assert_int_equal(interp_python.scan(text, n, "a.b", false, &l, &k), 0);
                        interp_imports_free(l, k);
                }
}

/* ---- search paths: the real interpreters are the oracles ---- */

/* Lines of a command's output that name existing files or directories. */
static size_t oracle_lines(const char *cmd, char ***ret) {
        _cleanup_(fclosep) FILE *f = popen(cmd, "r");
        char **v = NULL, line[4096];
        size_t n = 0, a = 0;
        assert_non_null(f);
        while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "\n")] = 0;
                if (line[0] != '/' || access(line, F_OK) < 0)
                        continue;
                assert_true(GROW(v, a, n + 2));
                v[n++] = strdup(line);
                v[n] = NULL;
        }
        pclose(TAKE_PTR(f));
        *ret = v;
        return n;
}

static void strv_free_all(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

static void check_path_equal(char **want, size_t n_want, char **got) {
        size_t n = 0;
        for (; got[n]; n++)
                if (n >= n_want || !streq(got[n], want[n]))
                        fail_msg("search path entry %zu: %s, the interpreter says %s", n, got[n],
                                 n < n_want ? want[n] : "(nothing)");
        assert_int_equal(n, n_want);
}

static void test_perl_search_path(void **state) {
        FsRoot *root;
        char **want, **got;
        if (access("/usr/bin/perl", X_OK) < 0)
                skip(); /* no perl here: nothing to compare with */
        size_t n = oracle_lines(
                "env -u PERL5LIB -u PERLLIB /usr/bin/perl -e 'print join \"\\n\", @INC' 2>/dev/null", &want);
        assert_int_equal(fs_root_new("/", &root), 0);
        assert_int_equal(interp_perl.search_path(root, "/usr/bin/perl", NULL, &got), 0);
        check_path_equal(want, n, got);
        strv_free_all(got);
        /* the versioned name gives the same */
        assert_int_equal(interp_perl.search_path(root, "/usr/bin/perl5.36.0", "/usr/sbin/x", &got), 0);
        check_path_equal(want, n, got);
        strv_free_all(got);
        strv_free_all(want);
        fs_root_free(root);
}

static void test_python_search_path(void **state) {
        FsRoot *root;
        const char *real;
        char **want, **got;
        if (access("/usr/bin/python3", X_OK) < 0)
                skip();
        /* a script's directory comes first: a script in /tmp tells */
        char dir[] = "/tmp/test-interp-XXXXXX", script[64];
        assert_non_null(mkdtemp(dir));
        snprintf(script, sizeof script, "%s/show.py", dir);
        FILE *f = fopen(script, "we");
        assert_non_null(f);
        fputs("import sys\nprint('\\n'.join(sys.path))\n", f);
        fclose(f);
        char cmd[256];
        /* -s: no user site directory (~/.local), which a service's user may not have */
        snprintf(cmd, sizeof cmd, "env -u PYTHONPATH -u PYTHONHOME /usr/bin/python3 -s %s", script);
        size_t n = oracle_lines(cmd, &want);
        assert_int_equal(fs_root_new("/", &root), 0);
        assert_int_equal(fs_root_chase(root, "/usr/bin/python3", &real, NULL), 0);
        assert_int_equal(interp_python.search_path(root, real, script, &got), 0);
        check_path_equal(want, n, got);
        assert_string_equal(got[0], dir);
        strv_free_all(got);
        strv_free_all(want);
        fs_root_free(root);
        unlink(script);
        rmdir(dir);
}

/* ---- the driver on a root made here ---- */

static char tmp_root[64];

static void put(const char *rel, const char *content) {
        char p[512];
        snprintf(p, sizeof p, "%s%s", tmp_root, rel);
        for (char *s = strchr(p + strlen(tmp_root) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                (void)mkdir(p, 0755);
                *s = '/';
        }
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
        if (startswith(content, "#!"))
                assert_int_equal(chmod(p, 0755), 0);
}

static void put_copy(const char *rel, const char *src) {
        _cleanup_free_ char *data = NULL;
        size_t size;
        char p[512];
        assert_int_equal(read_full_file_at(AT_FDCWD, src, 0, 64 << 20, &data, &size), 0);
        put(rel, "");
        snprintf(p, sizeof p, "%s%s", tmp_root, rel);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, size, f), size);
        fclose(f);
        assert_int_equal(chmod(p, 0755), 0);
}

static void put_link(const char *rel, const char *target) {
        char p[512];
        snprintf(p, sizeof p, "%s%s", tmp_root, rel);
        assert_int_equal(symlink(target, p), 0);
}

static int remove_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(p);
}

static int make_root(void **state) {
        snprintf(tmp_root, sizeof tmp_root, "/tmp/test-interp-root-XXXXXX");
        return mkdtemp(tmp_root) ? 0 : -1;
}

static int remove_root(void **state) {
        return nftw(tmp_root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Any ELF shared object of the host, to stand for an extension module. */
static const char *some_elf_so(void) {
        static const char *const candidates[] = {"/usr/lib/x86_64-linux-gnu/libz.so.1",
                                                 "/lib/x86_64-linux-gnu/libz.so.1",
                                                 "/usr/lib/x86_64-linux-gnu/libm.so.6"};
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (access(candidates[i], R_OK) == 0)
                        return candidates[i];
        return NULL;
}

typedef struct Run {
        ClosureContext *ctx;
        Closure *c;
        size_t script;
        int added;
} Run;

/* The closure of script below root (the host when NULL), and its interpreter's modules. */
static void run_closure(const char *root, const char *script, Run *ret) {
        Run r = {};
        assert_int_equal(closure_context_new(root ? root : "/", &r.ctx), 0);
        assert_int_equal(closure_new(r.ctx, &r.c), 0);
        assert_int_equal(closure_add_program(r.c, script, NULL), 0);
        assert_int_equal(closure_find(r.c, script, &r.script), 0);
        /* the #! interpreter interp_find() knows: "#!/usr/bin/env python3" has two, env and python3 */
        const ClosureNode *s = closure_node(r.c, r.script);
        size_t interp = SIZE_MAX;
        for (size_t i = 0; i < s->n_deps; i++) {
                const ClosureNode *d = closure_node(r.c, s->deps[i]);
                if (d->kind == NODE_INTERPRETER && interp_find(d->realpath))
                        interp = s->deps[i];
        }
        assert_int_not_equal(interp, SIZE_MAX);
        size_t before = closure_n_nodes(r.c);
        r.added = interp_add_modules(r.c, r.script, interp, NULL);
        assert_true(r.added >= 0);
        assert_int_equal((size_t)r.added, closure_n_nodes(r.c) - before);
        /* everything is there now: a second pass adds nothing */
        assert_int_equal(interp_add_modules(r.c, r.script, interp, NULL), 0);
        *ret = r;
}

static void run_done(Run *r) {
        closure_free(r->c);
        closure_context_free(r->ctx);
}

static const ClosureNode *node(const Run *r, const char *path) {
        size_t i;
        if (closure_find(r->c, path, &i) < 0)
                fail_msg("%s is not in the closure", path);
        return closure_node(r->c, i);
}

static bool has(const Run *r, const char *path) {
        size_t i;
        return closure_find(r->c, path, &i) >= 0;
}

static bool needed_by(const Run *r, const char *path, const char *parent) {
        const ClosureNode *n = node(r, path);
        for (size_t i = 0; i < n->n_needed_by; i++)
                if (streq(closure_node(r->c, n->needed_by[i])->path, parent))
                        return true;
        return false;
}

static void test_perl_driver(void **state) {
        const char *so = some_elf_so();
        if (!so || access("/usr/bin/perl", R_OK) < 0)
                skip();
        put_copy("/usr/bin/perl", "/usr/bin/perl");
        put("/usr/lib/x86_64-linux-gnu/perl-base/strict.pm", "package strict;\n1;\n");
        put("/usr/lib/x86_64-linux-gnu/perl-base/XSLoader.pm", "package XSLoader;\n1;\n");
        put("/usr/lib/x86_64-linux-gnu/perl/5.36.0/Config.pm", "package Config;\nuse strict;\n1;\n");
        put_link("/usr/lib/x86_64-linux-gnu/perl/5.36", "5.36.0");
        put("/usr/share/perl5/Foo/Bar.pm", "package Foo::Bar;\nuse strict;\nuse Baz;\nrequire "
                                           "'helper.pl';\nrequire XSLoader;\nXSLoader::load();\n1;\n");
        put("/usr/share/perl5/Baz.pm", "package Baz;\nuse Config;\n1;\n");
        put("/usr/share/perl5/helper.pl", "1;\n");
        put("/usr/share/perl5/Local.pm", "package Local; # shadowed by use lib\n1;\n");
        put_copy("/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Foo/Bar/Bar.so", so);
        put("/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Foo/Bar/Bar.bs", "");
        put("/opt/app/lib/Local.pm", "package Local;\n1;\n");
        put("/opt/app/foo",
            "#!/usr/bin/perl\nuse strict;\nuse Foo::Bar;\nuse FindBin;\nuse lib \"$FindBin::Bin/lib\";\n"
            "use Local;\nuse Missing::Module;\n");

        FsRoot *root;
        char **sp;
        assert_int_equal(fs_root_new(tmp_root, &root), 0);
        assert_int_equal(interp_perl.search_path(root, "/usr/bin/perl", NULL, &sp), 0);
        const char *want[] = {"/usr/lib/x86_64-linux-gnu/perl5/5.36", "/usr/share/perl5",
                              "/usr/lib/x86_64-linux-gnu/perl-base", "/usr/lib/x86_64-linux-gnu/perl/5.36",
                              NULL};
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                assert_string_equal(sp[i] ? sp[i] : "(end)", want[i] ? want[i] : "(end)");
        strv_free_all(sp);
        fs_root_free(root);

        Run r;
        run_closure(tmp_root, "/opt/app/foo", &r);
        const char *why = "perl module of /opt/app/foo";
        assert_string_equal(node(&r, "/usr/lib/x86_64-linux-gnu/perl-base/strict.pm")->reason, why);
        assert_true(needed_by(&r, "/usr/lib/x86_64-linux-gnu/perl-base/strict.pm", "/opt/app/foo"));
        assert_string_equal(node(&r, "/usr/share/perl5/Foo/Bar.pm")->reason, why);
        assert_true(needed_by(&r, "/usr/share/perl5/Baz.pm", "/usr/share/perl5/Foo/Bar.pm"));
        assert_true(
                needed_by(&r, "/usr/lib/x86_64-linux-gnu/perl/5.36/Config.pm", "/usr/share/perl5/Baz.pm"));
        assert_true(needed_by(&r, "/usr/share/perl5/helper.pl", "/usr/share/perl5/Foo/Bar.pm"));
        assert_true(has(&r, "/usr/lib/x86_64-linux-gnu/perl-base/XSLoader.pm"));
        /* what XSLoader opens: the extension (an ELF object, its libraries follow) and its bootstrap file */
        assert_string_equal(node(&r, "/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Foo/Bar/Bar.so")->reason,
                            "perl extension of /opt/app/foo");
        assert_string_equal(node(&r, "/usr/lib/x86_64-linux-gnu/perl5/5.36/auto/Foo/Bar/Bar.bs")->reason,
                            why);
        /* use lib "$FindBin::Bin/lib" goes in front of @INC */
        assert_true(has(&r, "/opt/app/lib/Local.pm"));
        assert_false(has(&r, "/usr/share/perl5/Local.pm"));
        assert_true(r.added >= 9);
        run_done(&r);
}

/* A root for Debian 12's python3.11; false when this host cannot make it. */
static bool make_python_root(void) {
        const char *so = some_elf_so();
        if (!so || access("/usr/bin/python3.11", R_OK) < 0)
                return false;
        put_copy("/usr/bin/python3.11", "/usr/bin/python3.11");
        put_link("/usr/bin/python3", "python3.11");
        put("/usr/lib/python3.11/os.py", "import abc\nfrom stat import *\n");
        put("/usr/lib/python3.11/abc.py", "");
        put("/usr/lib/python3.11/stat.py", "");
        put("/usr/lib/python3.11/codecs.py", "");
        put("/usr/lib/python3.11/encodings/__init__.py", "import codecs\nfrom . import aliases\n");
        put("/usr/lib/python3.11/encodings/aliases.py", "");
        put("/usr/lib/python3.11/encodings/utf_8.py", "import codecs\n");
        put("/usr/lib/python3.11/site.py",
            "import os\nimport sys\ndef interactive():\n    import rlcompleter\n");
        put("/usr/lib/python3.11/rlcompleter.py", "");
        put_copy("/usr/lib/python3.11/lib-dynload/_ext.cpython-311-x86_64-linux-gnu.so", so);
        put("/usr/lib/python3/dist-packages/pkg/__init__.py", "");
        put("/usr/lib/python3/dist-packages/pkg/sub.py", "from . import helper\nfrom .helper import thing\n");
        put("/usr/lib/python3/dist-packages/pkg/helper.py", "thing = 1\n");
        put("/usr/lib/python3/dist-packages/pkg/__pycache__/sub.cpython-311.pyc", "cached");
        put("/usr/lib/python3/dist-packages/ns/a.py", "");
        put("/usr/lib/python3/dist-packages/shadow.py", "");
        put("/usr/lib/python3/dist-packages/shadow/__init__.py", "");
        put("/usr/lib/python3/dist-packages/hook.pth", "# a comment\nimport pthmod\nextra\n");
        put("/usr/lib/python3/dist-packages/pthmod.py", "");
        put("/usr/lib/python3/dist-packages/extra/added.py", "");
        put("/usr/lib/python3/dist-packages/App-1.0.dist-info/METADATA", "Name: App\n");
        put("/usr/lib/python3/dist-packages/App-1.0.dist-info/entry_points.txt",
            "[console_scripts]\napp = appmod.main:run\n");
        put("/usr/lib/python3/dist-packages/appmod/__init__.py", "");
        put("/usr/lib/python3/dist-packages/appmod/main.py", "from .cli import parse\n");
        put("/usr/lib/python3/dist-packages/appmod/cli.py", "");
        put("/opt/py/sib.py", "");
        put("/opt/py/app",
            "#!/usr/bin/python3\nimport pkg.sub\nimport ns.a\nimport _ext\nimport sys\nimport missing_mod\n"
            "import sib, shadow, added\n"
            "sys.exit(load_entry_point('App==1.0', 'console_scripts', 'app')())\n");
        return true;
}

static void test_python_driver(void **state) {
        if (!make_python_root())
                skip();
        Run r;
        run_closure(tmp_root, "/opt/py/app", &r);
        const char *why = "python module of /opt/py/app";
        const char *dp = "/usr/lib/python3/dist-packages";
        char p[256], q[256];
#define DP(f) (snprintf(p, sizeof p, "%s/%s", dp, f), p)
        assert_string_equal(node(&r, "/usr/lib/python3.11/encodings/utf_8.py")->reason, why);
        assert_true(
                needed_by(&r, "/usr/lib/python3.11/codecs.py", "/usr/lib/python3.11/encodings/__init__.py"));
        assert_true(has(&r, "/usr/lib/python3.11/encodings/aliases.py"));
        assert_true(has(&r, "/usr/lib/python3.11/os.py"));
        assert_true(has(&r, "/usr/lib/python3.11/stat.py"));
        /* site's functions run in an interactive session only */
        assert_true(has(&r, "/usr/lib/python3.11/site.py"));
        assert_false(has(&r, "/usr/lib/python3.11/rlcompleter.py"));
        assert_string_equal(node(&r, DP("pkg/sub.py"))->reason, why);
        assert_true(needed_by(&r, DP("pkg/sub.py"), "/opt/py/app"));
        snprintf(q, sizeof q, "%s/pkg/sub.py", dp);
        assert_true(needed_by(&r, DP("pkg/helper.py"), q));
        assert_true(has(&r, DP("pkg/__init__.py")));
        assert_true(has(&r, DP("pkg/__pycache__/sub.cpython-311.pyc")));
        assert_true(has(&r, DP("ns/a.py")));
        assert_true(has(&r, DP("shadow/__init__.py"))); /* a package before a module in one directory */
        assert_false(has(&r, DP("shadow.py")));
        assert_string_equal(
                node(&r, "/usr/lib/python3.11/lib-dynload/_ext.cpython-311-x86_64-linux-gnu.so")->reason,
                "python extension of /opt/py/app");
        assert_true(has(&r, "/opt/py/sib.py")); /* the script's own directory comes first */
        /* site reads the .pth files: their import lines run, their other lines extend sys.path */
        assert_true(has(&r, DP("hook.pth")));
        assert_true(has(&r, DP("pthmod.py")));
        assert_true(has(&r, DP("extra/added.py")));
        /* an entry point script: the distribution's metadata tells the module */
        assert_true(has(&r, DP("App-1.0.dist-info/entry_points.txt")));
        assert_true(has(&r, DP("App-1.0.dist-info/METADATA")));
        assert_true(has(&r, DP("appmod/__init__.py")));
        assert_true(has(&r, DP("appmod/main.py")));
        assert_true(has(&r, DP("appmod/cli.py")));
#undef DP
        run_done(&r);

        /* #!/usr/bin/env python3: python3 found in PATH is the interpreter */
        put_copy("/usr/bin/env", "/usr/bin/env");
        put("/opt/py/envapp", "#!/usr/bin/env python3\nimport pkg.sub\n");
        run_closure(tmp_root, "/opt/py/envapp", &r);
        assert_string_equal(node(&r, "/usr/lib/python3/dist-packages/pkg/helper.py")->reason,
                            "python module of /opt/py/envapp");
        run_done(&r);
}

/* resolve alone: builtins are never looked for; the source comes first, then what loading it opens */
static void test_python_resolve(void **state) {
        if (!make_python_root())
                skip();
        FsRoot *root;
        char **sp, **files;
        size_t src;
        assert_int_equal(fs_root_new(tmp_root, &root), 0);
        assert_int_equal(interp_python.search_path(root, "/usr/bin/python3.11", NULL, &sp), 0);
        assert_string_equal(sp[0], "/usr/lib/python3.11");
        assert_int_equal(interp_python.resolve(root, sp, "sys", &files, &src), -ENOENT);
        assert_int_equal(interp_python.resolve(root, sp, "nothere", &files, &src), -ENOENT);
        assert_int_equal(interp_python.resolve(root, sp, "pkg.sub", &files, &src), 0);
        assert_int_equal(src, 0);
        assert_string_equal(files[0], "/usr/lib/python3/dist-packages/pkg/sub.py");
        assert_string_equal(files[1], "/usr/lib/python3/dist-packages/pkg/__pycache__/sub.cpython-311.pyc");
        assert_string_equal(files[2], "/usr/lib/python3/dist-packages/pkg/__init__.py");
        assert_null(files[3]);
        strv_free_all(files);
        assert_int_equal(interp_python.resolve(root, sp, "_ext", &files, &src), 0);
        assert_int_equal(src, SIZE_MAX);
        strv_free_all(files);
        strv_free_all(sp);
        fs_root_free(root);
}

/* ---- real programs against what the real interpreters load ---- */

#define COVERAGE_MIN 0.95
#define PROGRAMS_MIN 3

/* The share of the oracle's files (one per line of cmd's output) that are in the closure of script; the
 * ones missed are printed as TAP comments. -1 when the oracle printed nothing. */
static double coverage(const char *lang, const char *script, const char *cmd) {
        char **files;
        size_t n = oracle_lines(cmd, &files), found = 0;
        if (n == 0) {
                strv_free_all(files);
                return -1;
        }
        Run r;
        run_closure(NULL, script, &r);
        for (size_t i = 0; i < n; i++) {
                if (has(&r, files[i]))
                        found++;
                else
                        printf("#   %s %s: missed %s\n", lang, script, files[i]);
        }
        printf("# %s %s: %zu of the %zu files it loads (our closure: %zu files)\n", lang, script, found, n,
               closure_n_nodes(r.c));
        run_done(&r);
        strv_free_all(files);
        return (double)found / (double)n;
}

static bool shebang_has(const char *script, const char *word, char *flags, size_t size) {
        char line[256] = "";
        _cleanup_(fclosep) FILE *f = fopen(script, "re");
        if (!f || !fgets(line, sizeof line, f) || !startswith(line, "#!") || !strstr(line, word))
                return false;
        const char *dash = strstr(line, " -");
        snprintf(flags, size, "%.*s", dash ? (int)strcspn(dash + 1, " \n") : 0, dash ? dash + 1 : "");
        return true;
}

static void test_perl_real(void **state) {
        static const char *const scripts[] = {
                "/usr/sbin/munin-node",
                "/usr/bin/pg_ctlcluster",
                "/usr/share/memcached/scripts/systemd-memcached-wrapper",
                "/usr/bin/debconf",
                "/usr/sbin/update-rc.d",
                "/usr/bin/deb-systemd-helper",
                "/usr/bin/cpan",
                "/usr/bin/dpkg-source",
                "/usr/bin/json_pp",
                "/usr/bin/corelist",
        };
        char dir[] = "/tmp/test-interp-oracle-XXXXXX", pm[64], cmd[1024], flags[32];
        size_t tested = 0;
        if (access("/usr/bin/perl", X_OK) < 0)
                skip();
        /* the oracle: perl -c compiles every use statement; a CHECK block then lists %INC */
        assert_non_null(mkdtemp(dir));
        snprintf(pm, sizeof pm, "%s/IncLog.pm", dir);
        FILE *f = fopen(pm, "we");
        assert_non_null(f);
        fputs("package IncLog;\nCHECK { print STDOUT \"$_\\n\" for sort values %INC }\n1;\n", f);
        fclose(f);
        for (size_t i = 0; i < ELEMENTSOF(scripts); i++) {
                if (!shebang_has(scripts[i], "perl", flags, sizeof flags))
                        continue;
                /* taint mode must be asked for on the command line too when the #! line has it */
                snprintf(cmd, sizeof cmd,
                         "cd / && env -u PERL5LIB -u PERLLIB timeout 60 /usr/bin/perl %s -I%s -MIncLog -c %s "
                         "2>/dev/null "
                         "| grep -v IncLog.pm",
                         strchr(flags, 'T') ? "-T" : "", dir, scripts[i]);
                double share = coverage("perl", scripts[i], cmd);
                if (share < 0)
                        continue;
                assert_true(share >= COVERAGE_MIN);
                tested++;
        }
        unlink(pm);
        rmdir(dir);
        printf("# perl: %zu real scripts compared\n", tested);
        if (tested < PROGRAMS_MIN)
                skip();
}

/* python3 -v says which source and extension files it loads; frozen and builtin modules open none. */
#define PYTHON_V_FILES                                                                                       \
        "sed -nE \"s/^# code object from '?([^']*\\.py)'?$/\\1/p; s/^# [^ ]* matches ([^ ]*\\.py)$/\\1/p;"   \
        " s/^# extension module '[^']*' loaded from '([^']*)'$/\\1/p\" | sort -u"

static void test_python_startup(void **state) {
        char dir[] = "/tmp/test-interp-py-XXXXXX", script[64], cmd[1024];
        if (access("/usr/bin/python3", X_OK) < 0)
                skip();
        assert_non_null(mkdtemp(dir));
        snprintf(script, sizeof script, "%s/start", dir);
        FILE *f = fopen(script, "we");
        assert_non_null(f);
        fputs("#!/usr/bin/python3\npass\n", f);
        fclose(f);
        assert_int_equal(chmod(script, 0755), 0);
        snprintf(cmd, sizeof cmd,
                 "cd / && env -u PYTHONPATH /usr/bin/python3 -s -v %s 2>&1 >/dev/null | " PYTHON_V_FILES,
                 script);
        /* what every start loads: all of it */
        assert_true(coverage("python", script, cmd) == 1.0);
        unlink(script);
        rmdir(dir);
}

static void test_python_real(void **state) {
        static const char *const programs[] = {
                "/usr/bin/fail2ban-server", "/usr/bin/fail2ban-client", "/usr/bin/radicale",
                "/usr/bin/pyflakes3",       "/usr/bin/pygmentize",      "/usr/bin/add-apt-repository",
                "/usr/bin/pydoc3",
        };
        char cmd[1024], flags[32];
        size_t tested = 0;
        if (access("/usr/bin/python3", X_OK) < 0)
                skip();
        for (size_t i = 0; i < ELEMENTSOF(programs); i++) {
                if (!shebang_has(programs[i], "/usr/bin/python3", flags, sizeof flags))
                        continue;
                /* --help: each imports its modules and exits */
                snprintf(cmd, sizeof cmd,
                         "cd / && env -u PYTHONPATH timeout 60 /usr/bin/python3 -s -v %s --help 2>&1 "
                         ">/dev/null "
                         "</dev/null | " PYTHON_V_FILES,
                         programs[i]);
                double share = coverage("python", programs[i], cmd);
                if (share < 0)
                        continue;
                assert_true(share >= COVERAGE_MIN);
                tested++;
        }
        printf("# python: %zu real programs compared\n", tested);
        if (tested < PROGRAMS_MIN)
                skip();
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_python_scan),
                cmocka_unit_test(test_python_scan_ast),
                cmocka_unit_test(test_perl_scan),
                cmocka_unit_test(test_scan_hostile),
                cmocka_unit_test(test_perl_search_path),
                cmocka_unit_test(test_python_search_path),
                cmocka_unit_test_setup_teardown(test_perl_driver, make_root, remove_root),
                cmocka_unit_test_setup_teardown(test_python_driver, make_root, remove_root),
                cmocka_unit_test_setup_teardown(test_python_resolve, make_root, remove_root),
                cmocka_unit_test(test_python_startup),
                cmocka_unit_test(test_perl_real),
                cmocka_unit_test(test_python_real),
        };
        return cmocka_run_group_tests_name("interp", tests, NULL, NULL);
}
