/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>

#include "interp-python.h"
#include "macro.h"

/* ---- the imports of one file ---- */

int python_imports_add(Imports *l, const char *name, size_t len, unsigned line) {
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
        int r = python_imports_add(l, name, len, line);
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
                        if (char_in_set(c, "([{"))
                                x->depth++;
                        else if (char_in_set(c, ")]}") && x->depth > 0)
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
                        r = python_imports_add(l, sub, strlen(sub), line);
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
                if (!isalnum((unsigned char)t->s[i]) && !char_in_set(t->s[i], "._-="))
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
        return python_imports_add(l, buf, strlen(buf), line);
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
        return python_imports_add(l, buf, strlen(buf), line);
}

int python_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
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
