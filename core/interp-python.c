/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <sys/param.h>
#include <sys/stat.h>

#include "interp-util.h"
#include "interp.h"
#include "macro.h"

/* Python 3 as Debian builds it: sys.path from the interpreter's version and prefix, what every start loads,
 * the imports of a source file read by a small tokenizer, and modules found as importlib's PathFinder and
 * FileFinder find them (a package directory first, then extension, source and bytecode files, namespace
 * packages last). Never runs python. */

/* sys.builtin_module_names of Debian 12's python3.11 (3.11.2-6): compiled into the interpreter, never
 * looked for on sys.path. */
static const char *const builtin_modules[] = {
        "_abc",         "_ast",      "_bisect",   "_blake2",          "_codecs",
        "_collections", "_csv",      "_datetime", "_elementtree",     "_functools",
        "_heapq",       "_imp",      "_io",       "_locale",          "_md5",
        "_opcode",      "_operator", "_pickle",   "_posixsubprocess", "_random",
        "_sha1",        "_sha256",   "_sha3",     "_sha512",          "_signal",
        "_socket",      "_sre",      "_stat",     "_statistics",      "_string",
        "_struct",      "_symtable", "_thread",   "_tokenize",        "_tracemalloc",
        "_warnings",    "_weakref",  "array",     "atexit",           "binascii",
        "builtins",     "cmath",     "errno",     "faulthandler",     "fcntl",
        "gc",           "grp",       "itertools", "marshal",          "math",
        "posix",        "pwd",       "pyexpat",   "select",           "spwd",
        "sys",          "syslog",    "time",      "unicodedata",      "xxsubtype",
        "zlib",
};

/* Every start: the codecs of the standard streams and the file system encoding (UTF-8 in the C locale too,
 * which Python coerces; Latin-1 and ASCII as the fallbacks), the prefix landmark os.py, site and Debian's
 * sitecustomize (a link to /etc/python3.N/sitecustomize.py). */
static const char *const startup_modules[] = {
        "encodings", "encodings.aliases", "encodings.utf_8", "encodings.latin_1", "encodings.ascii", "os",
        "site",      "sitecustomize",
};

/* importlib.machinery.EXTENSION_SUFFIXES carries the multiarch tuple of the build */
#if defined(__x86_64__) && defined(__ILP32__)
#define MULTIARCH "x86_64-linux-gnux32"
#elif defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__arm__)
#define MULTIARCH "arm-linux-gnueabihf"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define MULTIARCH "s390x-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define MULTIARCH "riscv64-linux-gnu"
#endif

/* "python3.11" -> 11; "python3" -> 0; else -1. */
static int python_minor(const char *base) {
        const char *p = startswith(base, "python3");
        if (!p)
                return -1;
        if (!*p)
                return 0;
        if (*p != '.' || !isdigit((unsigned char)p[1]) || strlen(p) > 4)
                return -1;
        for (const char *q = p + 1; *q; q++)
                if (!isdigit((unsigned char)*q))
                        return -1;
        return atoi(p + 1);
}

static bool python_matches(const char *real) {
        const char *base = strrchr(real, '/');
        return python_minor(base ? base + 1 : real) >= 0;
}

/* The prefix (the interpreter's directory's parent, where getpath.py finds lib/python3.N/os.py, else the
 * build's /usr) and the minor version (a bare "python3": the highest lib/python3.N with an os.py). */
static int python_layout(FsRoot *root, const char *real, char prefix[static PATH_MAX], int *ret_minor) {
        const char *base = strrchr(real, '/');
        int minor = python_minor(base ? base + 1 : real);
        char os[PATH_MAX + 300];

        if (minor < 0 || !base)
                return -EINVAL;
        snprintf(prefix, PATH_MAX, "%.*s", (int)(base - real), real);
        *(strrchr(prefix, '/') ?: prefix) = 0; /* /usr/bin -> /usr */
        for (unsigned pass = 0; pass < 2; pass++, strcpy(prefix, "/usr")) {
                int m = minor;
                snprintf(os, sizeof os, "%s/lib", prefix);
                _cleanup_(closedirp) DIR *d = minor > 0 ? NULL : fs_root_opendir(root, os);
                for (struct dirent *de; d && (de = readdir(d));)
                        if (python_minor(de->d_name) > m) {
                                snprintf(os, sizeof os, "%s/lib/%s/os.py", prefix, de->d_name);
                                m = interp_is_a(root, os, S_IFREG) ? python_minor(de->d_name) : m;
                        }
                snprintf(os, sizeof os, "%s/lib/python3.%d/os.py", prefix, m);
                if (m > 0 && interp_is_a(root, os, S_IFREG)) {
                        *ret_minor = m;
                        return 0;
                }
        }
        return -ENOENT;
}

static int python_search_path(FsRoot *root, const char *real, const char *script, char ***ret) {
        _cleanup_(slist_done) SList s = {}, all = {};
        char prefix[PATH_MAX];
        const char *sreal;
        int m, r;

        r = python_layout(root, real, prefix, &m);
        if (r < 0)
                return r;
        /* sys.path[0]: the directory of the script, its links followed */
        if (script && fs_root_chase(root, script, &sreal, NULL) >= 0 &&
            slist_pushf(&all, "%.*s", (int)(strrchr(sreal, '/') - sreal) ?: 1, sreal) < 0)
                return -ENOMEM;
        /* then the standard library, and site.py's getsitepackages(): Debian's, else upstream's */
        bool debian = streq(prefix, "/usr");
        if (slist_pushf(&all, "%s/lib/python3%d.zip", prefix, m) < 0 ||
            slist_pushf(&all, "%s/lib/python3.%d", prefix, m) < 0 ||
            slist_pushf(&all, "%s/lib/python3.%d/lib-dynload", prefix, m) < 0 ||
            (debian && (slist_pushf(&all, "/usr/local/lib/python3.%d/dist-packages", m) < 0 ||
                        slist_pushf(&all, "/usr/lib/python3/dist-packages") < 0 ||
                        slist_pushf(&all, "/usr/lib/python3.%d/dist-packages", m) < 0)) ||
            (!debian && slist_pushf(&all, "%s/lib/python3.%d/site-packages", prefix, m) < 0))
                return -ENOMEM;
        for (size_t i = 0; i < all.n; i++) {
                bool dup = false, zip = interp_endswith(all.v[i], ".zip");
                for (size_t k = 0; k < s.n; k++)
                        dup = dup || streq(s.v[k], all.v[i]);
                if (!dup && interp_is_a(root, all.v[i], zip ? S_IFREG : S_IFDIR) &&
                    slist_push(&s, TAKE_PTR(all.v[i])) < 0)
                        return -ENOMEM;
        }
        char **v = slist_take(&s);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

/* ---- the imports of one file ---- */

typedef struct Imports {
        InterpImport *v;
        size_t n, allocated;
} Imports;

static int imports_add(Imports *l, const char *name, size_t len, unsigned line) {
        if (len == 0)
                return 0;
        char *p = strndup(name, len);
        if (!p || !GROW(l->v, l->allocated, l->n + 1)) {
                free(p);
                return -ENOMEM;
        }
        l->v[l->n++] = (InterpImport){.name = p, .line = line};
        return 0;
}

/* Modules that import another by a computed name: sysconfig imports _sysconfigdata_{abiflags}_{platform}_
 * {multiarch}; with setuptools' _distutils_hack installed by its .pth file (Debian's python3-setuptools),
 * "import distutils" loads setuptools._distutils. */
static const char *const companions[][2] = {
#ifdef MULTIARCH
        {"sysconfig", "_sysconfigdata__" MULTIARCH},
#endif
        {"distutils", "setuptools._distutils"},
};

static int imports_add_dotted(Imports *l, const char *name, unsigned line);

static int imports_add_one(Imports *l, const char *name, size_t len, unsigned line) {
        int r = imports_add(l, name, len, line);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(companions); i++)
                if (strlen(companions[i][0]) == len && memcmp(name, companions[i][0], len) == 0)
                        r = imports_add_dotted(l, companions[i][1], line);
        return r;
}

/* A dotted name and every package above it: importing "a.b.c" imports "a" and "a.b" first. */
static int imports_add_dotted(Imports *l, const char *name, unsigned line) {
        for (const char *p = name;; p++)
                if (*p == '.' || !*p) {
                        int r = imports_add_one(l, name, p - name, line);
                        if (r < 0 || !*p)
                                return r;
                }
}

typedef enum TokKind { TOK_END, TOK_NAME, TOK_STRING, TOK_OP, TOK_NEWLINE } TokKind;

typedef struct Tok {
        TokKind kind;
        const char *s; /* a name, an operator character, a string's contents */
        size_t n;
        unsigned line;
        bool col0; /* starts a line */
} Tok;

typedef struct Lexer {
        const char *start, *p, *end;
        unsigned line, depth;
        Tok back; /* one token pushed back */
        bool has_back;
} Lexer;

/* c is in set (never the NUL byte: text may hold one) */
static bool one_of(char c, const char *set) {
        return c && strchr(set, c);
}

static bool is_name_char(char c) {
        return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

static void lex_string(Lexer *x, Tok *t) {
        char q = *x->p;
        bool triple = x->end - x->p >= 3 && x->p[1] == q && x->p[2] == q;
        x->p += triple ? 3 : 1;
        t->kind = TOK_STRING;
        t->s = x->p;
        while (x->p < x->end) {
                if (*x->p == '\\' && x->p + 1 < x->end) {
                        x->line += x->p[1] == '\n';
                        x->p += 2;
                } else if (*x->p == q && (!triple || (x->end - x->p >= 3 && x->p[1] == q && x->p[2] == q))) {
                        t->n = x->p - t->s;
                        x->p += triple ? 3 : 1;
                        return;
                } else if (*x->p == '\n' && !triple)
                        break; /* unterminated: stop at the end of the line */
                else
                        x->line += *x->p++ == '\n';
        }
        t->n = x->p - t->s;
}

static void lex_token(Lexer *x, Tok *t);

static void lex_next(Lexer *x, Tok *t) {
        if (x->has_back) {
                *t = x->back;
                x->has_back = false;
                return;
        }
        lex_token(x, t);
}

static void lex_token(Lexer *x, Tok *t) {
        for (;;) {
                *t = (Tok){.line = x->line};
                if (x->p >= x->end)
                        return;
                char c = *x->p;
                if (c == '#') {
                        while (x->p < x->end && *x->p != '\n')
                                x->p++;
                } else if (c == '\\' && x->p + 1 < x->end && x->p[1] == '\n') {
                        x->p += 2;
                        x->line++;
                } else if (c == '\n') {
                        x->p++;
                        x->line++;
                        if (x->depth == 0) {
                                t->kind = TOK_NEWLINE;
                                return;
                        }
                } else if (isspace((unsigned char)c))
                        x->p++;
                else if (c == '\'' || c == '"') {
                        t->col0 = x->p == x->start || x->p[-1] == '\n';
                        return lex_string(x, t);
                } else if (is_name_char(c)) {
                        const char *s = x->p;
                        while (x->p < x->end && is_name_char(*x->p))
                                x->p++;
                        /* a string prefix: r"", b'', f"", rb"" ... */
                        if (x->p - s <= 2 && x->p < x->end && (*x->p == '\'' || *x->p == '"') &&
                            strspn(s, "rRbBuUfF") >= (size_t)(x->p - s)) {
                                t->col0 = s == x->start || s[-1] == '\n';
                                return lex_string(x, t);
                        }
                        *t = (Tok){.kind = TOK_NAME,
                                   .s = s,
                                   .n = x->p - s,
                                   .line = x->line,
                                   .col0 = s == x->start || s[-1] == '\n'};
                        return;
                } else {
                        if (one_of(c, "([{"))
                                x->depth++;
                        else if (one_of(c, ")]}") && x->depth > 0)
                                x->depth--;
                        *t = (Tok){.kind = TOK_OP,
                                   .s = x->p,
                                   .n = 1,
                                   .line = x->line,
                                   .col0 = x->p == x->start || x->p[-1] == '\n'};
                        x->p++;
                        return;
                }
        }
}

static bool tok_is(const Tok *t, TokKind kind, const char *s) {
        return t->kind == kind && t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

/* A dotted name "a.b.c" into buf; false when there is none. The token after it is left in *t. */
static bool lex_dotted(Lexer *x, Tok *t, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = 0;
        for (lex_next(x, t); t->kind == TOK_NAME; lex_next(x, t)) {
                if (n + t->n + 2 > size)
                        return false;
                memcpy(buf + n, t->s, t->n);
                n += t->n;
                buf[n] = 0;
                lex_next(x, t);
                if (!tok_is(t, TOK_OP, "."))
                        return true;
                buf[n++] = '.';
        }
        return false;
}

typedef struct Context {
        const char *module;
        bool is_package;
} Context;

/* The package a relative import of level dots starts from; false when it would climb out of the top. */
static bool relative_base(const Context *ctx, unsigned level, char *buf, size_t size) {
        if (!ctx->module || strlen(ctx->module) >= size)
                return false;
        strcpy(buf, ctx->module);
        for (unsigned i = ctx->is_package ? 1 : 0; i < level; i++) {
                char *dot = strrchr(buf, '.');
                if (!dot)
                        return false;
                *dot = 0;
        }
        return true;
}

/* import a.b [as c], d */
static int scan_import(Lexer *x, Imports *l, unsigned line) {
        char name[512];
        Tok t;
        for (;;) {
                if (!lex_dotted(x, &t, name, sizeof name))
                        break;
                int r = imports_add_dotted(l, name, line);
                if (r < 0)
                        return r;
                if (tok_is(&t, TOK_NAME, "as")) {
                        lex_next(x, &t);
                        lex_next(x, &t);
                }
                if (!tok_is(&t, TOK_OP, ","))
                        break;
        }
        x->back = t;
        x->has_back = true;
        return 0;
}

/* from [.]*a.b import (c [as d], e) | * */
static int scan_from(Lexer *x, const Context *ctx, Imports *l, unsigned line) {
        char name[512], base[512], full[1100], sub[1400];
        unsigned level = 0;
        Tok t;
        int r;

        for (lex_next(x, &t); tok_is(&t, TOK_OP, "."); lex_next(x, &t))
                level++;
        x->back = t;
        x->has_back = true;
        bool has_name = t.kind == TOK_NAME && !tok_is(&t, TOK_NAME, "import");
        if (has_name && !lex_dotted(x, &t, name, sizeof name))
                goto push_back;
        if (!has_name)
                lex_next(x, &t);
        if (!tok_is(&t, TOK_NAME, "import"))
                goto push_back;
        if (level > 0) {
                if (!relative_base(ctx, level, base, sizeof base))
                        return 0;
                snprintf(full, sizeof full, "%s%s%s", base, has_name && base[0] ? "." : "",
                         has_name ? name : "");
        } else
                snprintf(full, sizeof full, "%s", name);
        if (!full[0])
                return 0;
        r = imports_add_dotted(l, full, line);
        if (r < 0)
                return r;
        for (lex_next(x, &t); t.kind != TOK_END && t.kind != TOK_NEWLINE; lex_next(x, &t)) {
                if (tok_is(&t, TOK_NAME, "as"))
                        lex_next(x, &t); /* the alias */
                else if (t.kind == TOK_NAME) {
                        /* c may be a submodule of the package */
                        snprintf(sub, sizeof sub, "%s.%.*s", full, (int)(t.n < 256 ? t.n : 256), t.s);
                        r = imports_add(l, sub, strlen(sub), line);
                        if (r < 0)
                                return r;
                } else if (!tok_is(&t, TOK_OP, ",") && !tok_is(&t, TOK_OP, "(") && !tok_is(&t, TOK_OP, ")") &&
                           !tok_is(&t, TOK_OP, "*"))
                        break;
        }
push_back:
        x->back = t;
        x->has_back = true;
        return 0;
}

/* __import__('a.b') and importlib.import_module('a.b' or '.b', __package__) with a literal name */
static int scan_call(Lexer *x, const Context *ctx, Imports *l, unsigned line) {
        char base[512], full[1100];
        Tok t;
        lex_next(x, &t);
        if (tok_is(&t, TOK_OP, "("))
                lex_next(x, &t);
        if (t.kind != TOK_STRING || t.n == 0 || t.n >= 512) {
                x->back = t; /* not ours: whatever it is, the caller looks at it */
                x->has_back = true;
                return 0;
        }
        for (size_t i = 0; i < t.n; i++)
                if (!is_name_char(t.s[i]) && t.s[i] != '.')
                        return 0;
        size_t level = 0;
        while (level < t.n && t.s[level] == '.')
                level++;
        if (level == 0)
                snprintf(full, sizeof full, "%.*s", (int)t.n, t.s);
        else if (relative_base(ctx, level, base, sizeof base))
                snprintf(full, sizeof full, "%s.%.*s", base, (int)(t.n - level), t.s + level);
        else
                return 0;
        return imports_add_dotted(l, full, line);
}

/* A module's "if __name__ == '__main__':" block runs only when it is the script: skip it, to the next line
 * that starts at column 0. */
static bool skip_main(Lexer *x) {
        static const struct {
                TokKind kind;
                const char *s;
        } want[] = {{TOK_NAME, "__name__"},
                    {TOK_OP, "="},
                    {TOK_OP, "="},
                    {TOK_STRING, "__main__"},
                    {TOK_OP, ":"}};
        Lexer saved = *x;
        Tok t;
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                lex_next(x, &t);
                if (!tok_is(&t, want[i].kind, want[i].s)) {
                        *x = saved;
                        return false;
                }
        }
        for (lex_next(x, &t); t.kind != TOK_END; lex_next(x, &t))
                if (t.col0 && t.kind != TOK_NEWLINE) {
                        x->back = t;
                        x->has_back = true;
                        break;
                }
        return true;
}

/* The strings of a call with literal arguments: f('a', 'b', 'c'); how many (up to max). */
static size_t scan_literal_args(Lexer *x, Tok *args, size_t max) {
        size_t n = 0;
        Tok t;
        lex_next(x, &t);
        if (!tok_is(&t, TOK_OP, "("))
                goto done;
        for (lex_next(x, &t); t.kind == TOK_STRING && n < max; lex_next(x, &t)) {
                args[n++] = t;
                lex_next(x, &t);
                if (!tok_is(&t, TOK_OP, ","))
                        break;
        }
done:
        x->back = t;
        x->has_back = true;
        return n;
}

static bool is_dist_name(const Tok *t) {
        for (size_t i = 0; i < t->n; i++)
                if (!isalnum((unsigned char)t->s[i]) && !one_of(t->s[i], "._-="))
                        return false;
        return t->n > 0 && t->n < 200;
}

/* load_entry_point('Radicale==3.1.8', 'console_scripts', 'radicale') of an entry point script, and
 * importlib.metadata's distribution('x') and version('x'): the distribution's metadata, and the module
 * an entry point names, as "entry:DIST:GROUP:NAME" or "dist:DIST" for resolve(). */
static int scan_distribution(Lexer *x, Imports *l, bool entry, unsigned line) {
        char buf[700];
        Tok a[3];
        size_t n = scan_literal_args(x, a, entry ? 3 : 1);
        if (n != (entry ? 3U : 1U) || !is_dist_name(&a[0]) ||
            (entry && (!is_dist_name(&a[1]) || !is_dist_name(&a[2]))))
                return 0;
        if (entry)
                snprintf(buf, sizeof buf, "entry:%.*s:%.*s:%.*s", (int)a[0].n, a[0].s, (int)a[1].n, a[1].s,
                         (int)a[2].n, a[2].s);
        else
                snprintf(buf, sizeof buf, "dist:%.*s", (int)a[0].n, a[0].s);
        return imports_add(l, buf, strlen(buf), line);
}

/* sys.path.insert(0, '/dir') and sys.path.append('/dir') with a literal directory, after "path" */
static int scan_sys_path(Lexer *x, Imports *l, unsigned line) {
        Lexer saved = *x;
        Tok t[6];
        char buf[600];
        for (size_t i = 0; i < 4; i++)
                lex_next(x, &t[i]);
        bool insert = tok_is(&t[1], TOK_NAME, "insert");
        if (insert)
                for (size_t i = 4; i < 6; i++)
                        lex_next(x, &t[i]);
        const Tok *dir = &t[insert ? 5 : 3];
        if (!tok_is(&t[0], TOK_OP, ".") || (!insert && !tok_is(&t[1], TOK_NAME, "append")) ||
            !tok_is(&t[2], TOK_OP, "(") || (insert && !tok_is(&t[4], TOK_OP, ",")) ||
            dir->kind != TOK_STRING || dir->n == 0 || dir->n > 512 || dir->s[0] != '/') {
                *x = saved;
                return 0;
        }
        snprintf(buf, sizeof buf, "%s%.*s", insert ? "lib:" : "lib+:", (int)dir->n, dir->s);
        return imports_add(l, buf, strlen(buf), line);
}

static int python_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
                       size_t *ret_n) {
        Imports l = {};
        Lexer x = {.start = text, .p = text, .end = text + size, .line = 1};
        Context ctx = {.module = module, .is_package = is_package};
        Tok t, prev = {.kind = TOK_NEWLINE};
        int r = 0;

        /* startup code whose functions run only for an interactive session (help(), readline) or for some
         * imports (setuptools' distutils shim): what every start runs is their top level */
        bool top_only = streq_ptr(module, "site") || streq_ptr(module, "_sitebuiltins") ||
                        streq_ptr(module, "_distutils_hack");

        for (lex_next(&x, &t); t.kind != TOK_END && r >= 0; prev = t, lex_next(&x, &t)) {
                bool after_dot = tok_is(&prev, TOK_OP, ".");
                if (module && t.col0 && tok_is(&t, TOK_NAME, "if") && skip_main(&x)) {
                        t = (Tok){.kind = TOK_NEWLINE};
                        continue;
                }
                if (top_only && !t.col0)
                        continue;
                if (tok_is(&t, TOK_NAME, "import") && !after_dot)
                        r = scan_import(&x, &l, t.line);
                else if (tok_is(&t, TOK_NAME, "from") && !after_dot)
                        r = scan_from(&x, &ctx, &l, t.line);
                else if (tok_is(&t, TOK_NAME, "__import__") || tok_is(&t, TOK_NAME, "import_module"))
                        r = scan_call(&x, &ctx, &l, t.line);
                else if (tok_is(&t, TOK_NAME, "path") && after_dot)
                        r = scan_sys_path(&x, &l, t.line);
                else if (tok_is(&t, TOK_NAME, "load_entry_point") || tok_is(&t, TOK_NAME, "distribution") ||
                         tok_is(&t, TOK_NAME, "version") || tok_is(&t, TOK_NAME, "get_distribution"))
                        r = scan_distribution(&x, &l, tok_is(&t, TOK_NAME, "load_entry_point"), t.line);
        }
        if (r < 0) {
                interp_imports_free(l.v, l.n);
                return r;
        }
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

/* ---- finding a module's files ---- */

/* The minor version, from the standard library's directory on the search path. */
static int path_minor(char *const *path) {
        for (size_t i = 0; path[i]; i++) {
                const char *b = strrchr(path[i], '/');
                int m = b ? python_minor(b + 1) : -1;
                if (m > 0 && startswith(b - 4, "/lib/") == b + 1)
                        return m;
        }
        return -1;
}

typedef enum FindKind { FIND_NONE, FIND_MODULE, FIND_PACKAGE, FIND_NAMESPACE } FindKind;

/* FileFinder.find_spec in one directory: dir/name/__init__.* (a package), else dir/name.<suffix>, else
 * dir/name/ alone (a namespace portion). ret: the file found (malloc'd). */
static int find_in_dir(FsRoot *root, const char *dir, const char *name, char *const *suffixes, char **ret) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dir, name);
        bool package = interp_is_a(root, p, S_IFDIR);
        for (size_t pass = package ? 0 : 1; pass < 2; pass++)
                for (size_t i = 0; suffixes[i]; i++) {
                        char f[PATH_MAX + 64];
                        snprintf(f, sizeof f, "%s%s%s", p, pass == 0 ? "/__init__" : "", suffixes[i]);
                        if (!interp_is_a(root, f, S_IFREG))
                                continue;
                        *ret = strdup(f);
                        return *ret ? (pass == 0 ? FIND_PACKAGE : FIND_MODULE) : -ENOMEM;
                }
        return package ? FIND_NAMESPACE : FIND_NONE;
}

/* The cached bytecode Python reads instead of the source when it is fresh: dir/__pycache__/x.cpython-3N.pyc
 */
static int add_cache(FsRoot *root, SList *files, const char *source, int minor) {
        const char *slash = strrchr(source, '/');
        size_t n = strlen(slash);
        if (minor < 0 || !interp_endswith(slash, ".py"))
                return 0;
        char pyc[PATH_MAX + 64];
        snprintf(pyc, sizeof pyc, "%.*s/__pycache__/%.*s.cpython-3%d.pyc", (int)(slash - source), source,
                 (int)(n - 4), slash + 1, minor);
        return interp_is_a(root, pyc, S_IFREG) ? slist_push(files, strdup(pyc)) : 0;
}

/* ---- distributions: importlib.metadata's view of dist-packages ---- */

/* PEP 503: lower case, every run of "-_." one "-" */
static void dist_normalize(const char *s, size_t n, char *buf, size_t size) {
        size_t o = 0;
        for (size_t i = 0; i < n && o + 1 < size; i++)
                if (one_of(s[i], "-_.")) {
                        if (o == 0 || buf[o - 1] != '-')
                                buf[o++] = '-';
                } else
                        buf[o++] = (char)tolower((unsigned char)s[i]);
        buf[o] = 0;
}

/* The metadata directory of a distribution: NAME-VERSION.dist-info or NAME-VERSION[-pyX.Y].egg-info. */
static int find_dist(FsRoot *root, char *const *search_path, const char *name, size_t n, char **ret) {
        char want[256], have[256];
        dist_normalize(name, n, want, sizeof want);
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, search_path[i]);
                for (struct dirent *de; d && (de = readdir(d));) {
                        size_t k = strlen(de->d_name);
                        size_t suffix = interp_endswith(de->d_name, ".dist-info")  ? 10
                                        : interp_endswith(de->d_name, ".egg-info") ? 9
                                                                                   : 0;
                        if (suffix == 0)
                                continue;
                        dist_normalize(de->d_name, MIN(strcspn(de->d_name, "-"), k - suffix), have,
                                       sizeof have);
                        if (streq(want, have))
                                return asprintf(ret, "%s/%s", search_path[i], de->d_name) < 0 ? -ENOMEM : 0;
                }
        }
        /* the distribution that installs a top-level module of another name (python-dateutil: dateutil),
         * from its top_level.txt */
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, search_path[i]);
                for (struct dirent *de; d && (de = readdir(d));) {
                        if (!interp_endswith(de->d_name, ".dist-info") &&
                            !interp_endswith(de->d_name, ".egg-info"))
                                continue;
                        _cleanup_free_ char *top = NULL, *text = NULL;
                        size_t size;
                        if (asprintf(&top, "%s/%s/top_level.txt", search_path[i], de->d_name) < 0)
                                return -ENOMEM;
                        if (fs_root_read_file(root, top, 64 * 1024, &text, &size) < 0)
                                continue;
                        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
                             l = strtok_r(NULL, "\n", &save))
                                if (strlen(l) == n && strncmp(l, name, n) == 0)
                                        return asprintf(ret, "%s/%s", search_path[i], de->d_name) < 0
                                                       ? -ENOMEM
                                                       : 0;
                }
        }
        return -ENOENT;
}

/* The module of entry point NAME in group GROUP of entry_points.txt: "radicale = radicale.__main__:run". */
static int entry_module(FsRoot *root, const char *file, const char *group, size_t n_group, const char *name,
                        char **ret) {
        _cleanup_free_ char *text = NULL;
        bool in = false;
        size_t size;
        int r = fs_root_read_file(root, file, 1024 * 1024, &text, &size);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                line += strspn(line, " \t");
                if (line[0] == '[') {
                        in = strncmp(line + 1, group, n_group) == 0 && line[1 + n_group] == ']';
                        continue;
                }
                size_t k = strcspn(line, " \t=");
                if (!in || k != strlen(name) || strncmp(line, name, k) != 0)
                        continue;
                char *v = strchr(line, '=');
                if (!v)
                        continue;
                v += 1 + strspn(v + 1, " \t");
                *ret = strndup(v, strcspn(v, ": \t["));
                return *ret ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

/* "dist:NAME": the metadata files importlib.metadata reads; "entry:DIST:GROUP:NAME": those and, as
 * "module:X" for the driver to import, the entry point's module and its packages. */
static int resolve_dist(FsRoot *root, char *const *search_path, const char *spec, char ***ret_files,
                        size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *dir = NULL, *module = NULL;
        bool entry = startswith(spec, "entry:");
        const char *dist = strchr(spec, ':') + 1, *group = entry ? strchr(dist, ':') : NULL;
        const char *name = group ? strchr(group + 1, ':') : NULL;
        int r;

        if (entry && !name)
                return -EINVAL;
        r = find_dist(root, search_path, dist, strcspn(dist, ":=<>!~ "), &dir);
        if (r < 0)
                return r;
        static const char *const meta[] = {"METADATA", "PKG-INFO", "entry_points.txt"};
        for (size_t i = 0; i < ELEMENTSOF(meta); i++) {
                char p[PATH_MAX + 32];
                snprintf(p, sizeof p, "%s/%s", dir, meta[i]);
                if (interp_is_a(root, p, S_IFREG) && slist_push(&files, strdup(p)) < 0)
                        return -ENOMEM;
        }
        if (entry) {
                char p[PATH_MAX + 32];
                snprintf(p, sizeof p, "%s/entry_points.txt", dir);
                r = entry_module(root, p, group + 1, name - group - 1, name + 1, &module);
                if (r == -ENOMEM)
                        return r;
                for (const char *q = module; r >= 0 && *q;) {
                        const char *dot = strchr(q, '.');
                        q = dot ? dot + 1 : q + strlen(q);
                        if (slist_pushf(&files, "module:%.*s", (int)(dot ? dot - module : q - module),
                                        module) < 0)
                                return -ENOMEM;
                }
        }
        if (files.n == 0)
                return -ENOENT;
        char **v = slist_take(&files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = SIZE_MAX;
        return 0;
}

static int python_resolve(FsRoot *root, char *const *search_path, const char *name, char ***ret_files,
                          size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {}, dirs = {}, parents = {};
        char ext[64], comp[256];
        int minor = path_minor(search_path);

        if (startswith(name, "dist:") || startswith(name, "entry:"))
                return resolve_dist(root, search_path, name, ret_files, ret_source_index);
        /* CPython's own regression tests, which multiprocessing and others import only under the test suite
         */
        if (streq(name, "test") || startswith(name, "test."))
                return -ENOENT;
        if (!strchr(name, '.'))
                for (size_t i = 0; i < ELEMENTSOF(builtin_modules); i++)
                        if (streq(name, builtin_modules[i]))
                                return -ENOENT;
#ifdef MULTIARCH
        snprintf(ext, sizeof ext, ".cpython-3%d-%s.so", minor, MULTIARCH);
#else
        snprintf(ext, sizeof ext, ".cpython-3%d.so", minor);
#endif
        char *suffixes[] = {minor >= 0 ? ext : (char *)".abi3.so", ".abi3.so", ".so", ".py", ".pyc", NULL};
        char *const *where = search_path;

        for (const char *p = name, *dot; *p; p = dot ? dot + 1 : p + strlen(p)) {
                dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                if (n == 0 || n >= sizeof comp)
                        return -ENOENT;
                snprintf(comp, sizeof comp, "%.*s", (int)n, p);
                _cleanup_(slist_done) SList portions = {};
                _cleanup_free_ char *found = NULL;
                FindKind kind = FIND_NONE;
                for (size_t i = 0; where[i] && kind != FIND_MODULE && kind != FIND_PACKAGE; i++) {
                        int k = find_in_dir(root, where[i], comp, suffixes, &found);
                        if (k < 0)
                                return k;
                        kind = k == FIND_NAMESPACE ? FIND_NONE : (FindKind)k;
                        if (k == FIND_NAMESPACE && slist_pushf(&portions, "%s/%s", where[i], comp) < 0)
                                return -ENOMEM;
                        if (k == FIND_PACKAGE && slist_pushf(&portions, "%s/%s", where[i], comp) < 0)
                                return -ENOMEM;
                }
                if (kind == FIND_NONE && portions.n == 0)
                        return -ENOENT;
                if (!dot) {
                        if (found && (slist_push(&files, TAKE_PTR(found)) < 0 ||
                                      add_cache(root, &files, files.v[0], minor) < 0))
                                return -ENOMEM;
                        break;
                }
                if (kind == FIND_MODULE) /* a module is no package: "os.path" is os's own doing */
                        return -ENOENT;
                if (found && slist_push(&parents, TAKE_PTR(found)) < 0)
                        return -ENOMEM;
                /* a package's __path__ is its directory; a namespace package's, all its portions */
                slist_done(&dirs);
                dirs = portions;
                portions = (SList){};
                if (kind == FIND_PACKAGE) {
                        /* only the directory where the package was found */
                        for (size_t i = 0; i + 1 < dirs.n; i++)
                                free(dirs.v[i]);
                        memmove(dirs.v, dirs.v + dirs.n - 1, 2 * sizeof(char *));
                        dirs.n = 1;
                }
                where = dirs.v;
        }
        if (files.n == 0)
                return -ENOENT; /* a namespace package: no file of its own */
        for (size_t i = 0; i < parents.n; i++)
                if (slist_push(&files, strdup(parents.v[i])) < 0 ||
                    add_cache(root, &files, parents.v[i], minor) < 0)
                        return -ENOMEM;
        bool source = interp_endswith(files.v[0], ".py");
        /* a distribution's metadata, which importlib.metadata reads for its version under a name computed at
         * run time (radicale asks for vobject's): queued for every top-level package of dist-packages */
        if (!strchr(name, '.') &&
            (strstr(files.v[0], "/dist-packages/") || strstr(files.v[0], "/site-packages/")) &&
            slist_pushf(&files, "module:dist:%s", name) < 0)
                return -ENOMEM;
        char **v = slist_take(&files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = source ? 0 : SIZE_MAX;
        return 0;
}

/* ---- what every start loads ---- */

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One .pth file, as site.addpackage() reads it: the file itself, the modules of its "import" lines (which
 * site executes), and its other lines as directories appended to sys.path. */
static int startup_pth(FsRoot *root, const char *dir, const char *file, Imports *l) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t size;
        int r;

        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return -ENOMEM;
        r = fs_root_read_file(root, path, 1024 * 1024, &text, &size);
        if (r < 0)
                return r == -ENOMEM ? r : 0;
        _cleanup_free_ char *entry = NULL;
        if (asprintf(&entry, "file:%s", path) < 0)
                return -ENOMEM;
        r = imports_add(l, entry, strlen(entry), 0);
        if (r < 0)
                return r;

        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                line[strcspn(line, "\r")] = 0;
                if (line[0] == '#' || !line[strspn(line, " \t")])
                        continue;
                if (startswith(line, "import ") || startswith(line, "import\t")) {
                        InterpImport *v = NULL;
                        size_t n = 0;
                        r = python_scan(line, strlen(line), NULL, false, &v, &n);
                        for (size_t i = 0; r >= 0 && i < n; i++)
                                r = imports_add(l, v[i].name, strlen(v[i].name), 0);
                        interp_imports_free(v, n);
                        if (r < 0)
                                return r;
                        continue;
                }
                size_t n = strlen(line);
                while (n > 0 && isspace((unsigned char)line[n - 1]))
                        line[--n] = 0;
                _cleanup_free_ char *dir_entry = NULL;
                if (asprintf(&dir_entry, "lib+:%s%s%s", line[0] == '/' ? "" : dir, line[0] == '/' ? "" : "/",
                             line) < 0)
                        return -ENOMEM;
                r = imports_add(l, dir_entry, strlen(dir_entry), 0);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Every *.pth in one site directory, in the order site.py reads them (sorted, no dot files). */
static int startup_site_dir(FsRoot *root, const char *dir, Imports *l) {
        _cleanup_(slist_done) SList names = {};
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
        int r;

        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_name[0] != '.' && interp_endswith(de->d_name, ".pth") &&
                    slist_push(&names, strdup(de->d_name)) < 0)
                        return -ENOMEM;
        }
        if (names.n > 0)
                qsort(names.v, names.n, sizeof(char *), compare_names);
        for (size_t i = 0; i < names.n; i++) {
                r = startup_pth(root, dir, names.v[i], l);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int python_startup(FsRoot *root, char *const *search_path, InterpImport **ret, size_t *ret_n) {
        Imports l = {};
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(startup_modules); i++)
                r = imports_add(&l, startup_modules[i], strlen(startup_modules[i]), 0);
        for (size_t i = 0; r >= 0 && search_path[i]; i++) {
                const char *b = strrchr(search_path[i], '/');
                if (b && (streq(b, "/dist-packages") || streq(b, "/site-packages")))
                        r = startup_site_dir(root, search_path[i], &l);
        }
        if (r < 0) {
                interp_imports_free(l.v, l.n);
                return r;
        }
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}

const Interpreter interp_python = {
        .name = "python",
        .matches = python_matches,
        .search_path = python_search_path,
        .startup = python_startup,
        .scan = python_scan,
        .resolve = python_resolve,
};
