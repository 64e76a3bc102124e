/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>

#include "interp-perl.h"
#include "interp.h"
#include "macro.h"

#define EVAL_DEPTH_MAX 2 /* eval "require Foo" strings scanned as code, this deep */

/* ---- the lexer ---- */

typedef enum TokKind { TOK_END, TOK_WORD, TOK_NUM, TOK_STR, TOK_VAR, TOK_OP } TokKind;

typedef struct Tok {
        TokKind kind;
        const char *s; /* the word, variable, operator, or a string's contents */
        size_t n;
        unsigned line;
        bool interpolates; /* a string: "..." qq() and heredocs without '' */
        bool qw;
        bool regex; /* m// qr// s/// tr/// y/// and // */
        bool glob;  /* a pattern between angle brackets (<*.c>): the glob operator, not readline */
} Tok;

typedef struct Lexer {
        const char *start, *p, *end;
        unsigned line;
        bool line_start;
        Tok prev;            /* the last token, for a / after it */
        char heredoc[4][64]; /* terminators of the heredocs started on this line */
        bool heredoc_indent[4];
        size_t n_heredoc;
} Lexer;

static bool word_char(char c) {
        return isalnum((unsigned char)c) || c == '_';
}

static bool tok_is(const Tok *t, TokKind kind, const char *s) {
        return t->kind == kind && t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

static void lex_skip_line(Lexer *x) {
        while (x->p < x->end && *x->p != '\n')
                x->p++;
        if (x->p < x->end) {
                x->p++;
                x->line++;
        }
}

/* The bodies of the heredocs begun on the line just ended. */
static void lex_heredoc_bodies(Lexer *x) {
        for (size_t i = 0; i < x->n_heredoc; i++)
                while (x->p < x->end) {
                        const char *l = x->p;
                        while (x->heredoc_indent[i] && l < x->end && (*l == ' ' || *l == '\t'))
                                l++;
                        size_t n = strlen(x->heredoc[i]);
                        bool done = (size_t)(x->end - l) >= n && memcmp(l, x->heredoc[i], n) == 0 &&
                                    (l + n == x->end || l[n] == '\n' || l[n] == '\r');
                        lex_skip_line(x);
                        if (done)
                                break;
                }
        x->n_heredoc = 0;
}

/* A delimited string from x->p (at its opening delimiter); bracket pairs nest. */
static void lex_delimited(Lexer *x, Tok *t) {
        char open = *x->p++, close = open;
        const char *pairs = "()[]{}<>", *q = open ? strchr(pairs, open) : NULL;
        unsigned nest = 1;
        if (q && (q - pairs) % 2 == 0)
                close = q[1];
        t->s = x->p;
        for (; x->p < x->end; x->p++) {
                char c = *x->p;
                if (c == '\\' && x->p + 1 < x->end) {
                        x->line += *++x->p == '\n';
                        continue;
                }
                x->line += c == '\n';
                if (c == close && open != close ? --nest == 0 : c == close)
                        break;
                if (c == open && open != close)
                        nest++;
        }
        t->n = x->p - t->s;
        if (x->p < x->end)
                x->p++;
}

static void lex_space(Lexer *x) {
        while (x->p < x->end) {
                char c = *x->p;
                if (c == '\n') {
                        x->p++;
                        x->line++;
                        x->line_start = true;
                        lex_heredoc_bodies(x);
                        continue;
                }
                if (x->line_start && c == '=' && x->p + 1 < x->end && isalpha((unsigned char)x->p[1])) {
                        /* POD, to the line starting with =cut */
                        while (x->p < x->end && !(x->end - x->p >= 4 && memcmp(x->p, "=cut", 4) == 0))
                                lex_skip_line(x);
                        lex_skip_line(x);
                        continue;
                }
                if (c == '#')
                        while (x->p < x->end && *x->p != '\n')
                                x->p++;
                else if (isspace((unsigned char)c))
                        x->p++;
                else
                        return;
                x->line_start = false;
        }
}

/* Whether a / or ? here would start a regex: after an operator or a word that takes arguments. */
static bool lex_expects_term(const Lexer *x) {
        static const char *const words[] = {"split", "grep",  "map",   "join",   "if",   "unless",
                                            "and",   "or",    "not",   "return", "push", "unshift",
                                            "when",  "while", "until", "x",      "lt",   "gt",
                                            "le",    "ge",    "eq",    "ne",     "cmp"};
        const Tok *p = &x->prev;
        if (p->kind == TOK_END)
                return true;
        if (p->kind == TOK_OP)
                return !(p->n == 1 && char_in_set(p->s[0], ")]}"));
        if (p->kind == TOK_WORD)
                for (size_t i = 0; i < ELEMENTSOF(words); i++)
                        if (tok_is(p, TOK_WORD, words[i]))
                                return true;
        return false;
}

/* q qq qw qr m s tr y: the quote-like operators, unless this is a hash key, a method, a sub or a filetest. */
static unsigned lex_quote_parts(const Lexer *x, const char *w, size_t n) {
        static const char *const ops[] = {"q", "qq", "qw", "qr", "m", "s", "tr", "y"};
        size_t i;
        for (i = 0; i < ELEMENTSOF(ops); i++)
                if (n == strlen(ops[i]) && memcmp(w, ops[i], n) == 0)
                        break;
        if (i == ELEMENTSOF(ops) || tok_is(&x->prev, TOK_OP, "->") || tok_is(&x->prev, TOK_WORD, "sub") ||
            (w > x->start && w[-1] == '-'))
                return 0;
        const char *p = w + n;
        while (p < x->end && (*p == ' ' || *p == '\t'))
                p++;
        if (p >= x->end || word_char(*p) || isspace((unsigned char)*p) || char_in_set(*p, ";)}") ||
            (*p == '=' && p + 1 < x->end && p[1] == '>') || (*p == '#' && p != w + n))
                return 0;
        return i >= 5 ? 2 : 1;
}

static void lex_quote(Lexer *x, Tok *t, const char *w, size_t n, unsigned parts) {
        while (*x->p == ' ' || *x->p == '\t')
                x->p++;
        char open = *x->p;
        lex_delimited(x, t);
        t->kind = TOK_STR;
        t->qw = n == 2 && w[1] == 'w';
        t->regex = !(w[0] == 'q' && (n == 1 || w[1] != 'r'));
        t->interpolates = (n == 2 && w[1] == 'q') || w[0] == 'm' || w[0] == 's';
        if (parts == 2 && char_in_set(open, "([{<")) {
                Tok second;
                lex_space(x);
                if (x->p < x->end)
                        lex_delimited(x, &second);
        } else if (parts == 2) {
                x->p--; /* the middle delimiter opens the second part */
                Tok second;
                lex_delimited(x, &second);
        }
        while (x->p < x->end && isalpha((unsigned char)*x->p))
                x->p++; /* modifiers */
}

static void lex_heredoc(Lexer *x, Tok *t) {
        bool indent = *x->p == '~';
        x->p += indent;
        char q = *x->p == '"' || *x->p == '\'' ? *x->p++ : 0;
        const char *s = x->p;
        while (x->p < x->end && (q ? *x->p != q && *x->p != '\n' : word_char(*x->p)))
                x->p++;
        size_t n = x->p - s;
        if (q && x->p < x->end && *x->p == q)
                x->p++;
        if (x->n_heredoc < ELEMENTSOF(x->heredoc) && n < sizeof x->heredoc[0]) {
                memcpy(x->heredoc[x->n_heredoc], s, n);
                x->heredoc[x->n_heredoc][n] = 0;
                x->heredoc_indent[x->n_heredoc++] = indent;
        }
        *t = (Tok){.kind = TOK_STR, .s = "", .n = 0, .line = x->line, .interpolates = q != '\''};
}

static void lex_variable(Lexer *x, Tok *t) {
        const char *s = x->p++;
        if (x->p < x->end && *x->p == '#' && s[0] == '$')
                x->p++; /* $#array, $#{...}, $#$ref */
        if (x->p < x->end && (word_char(*x->p) || *x->p == ':')) {
                while (x->p < x->end &&
                       (word_char(*x->p) || (*x->p == ':' && x->p + 1 < x->end && x->p[1] == ':')))
                        x->p += *x->p == ':' ? 2 : 1;
        } else if (x->p < x->end && *x->p == '^')
                x->p += x->end - x->p >= 2 ? 2 : 1; /* $^W */
        else if (x->p < x->end && s[0] == '$' && !isspace((unsigned char)*x->p) && *x->p != '{' &&
                 *x->p != '$')
                x->p++; /* $/ $" $! $@ ... */
        else if (x->p < x->end && s[0] != '$' && char_in_set(*x->p, "!+-"))
                x->p++; /* %! %+ %- @- @+ */
        *t = (Tok){.kind = TOK_VAR, .s = s, .n = x->p - s, .line = x->line};
}

static void lex_number(Lexer *x, Tok *t) {
        const char *s = x->p;
        while (x->p < x->end &&
               (word_char(*x->p) || (*x->p == '.' && x->p + 1 < x->end && isdigit((unsigned char)x->p[1]))))
                x->p++;
        *t = (Tok){.kind = TOK_NUM, .s = s, .n = x->p - s, .line = x->line};
}

/* <STDIN>, <$fh>, <> read lines; anything else between angle brackets on one line is a glob. After a block
 * (grep { -d } <$dir/ *> without the blank) or a subscript ("$h{x} < 3"): only a glob with a wildcard and no
 * blank. */
static bool lex_angle(Lexer *x, Tok *t, bool only_glob) {
        const char *e = x->p + 1;
        while (e < x->end && *e != '>' && *e != '\n' && *e != ';')
                e++;
        if (e >= x->end || *e != '>')
                return false;
        const char *s = x->p + 1;
        size_t n = e - s, k = n > 0 && *s == '$' ? 1 : 0;
        if (only_glob &&
            (memchr(s, ' ', n) || memchr(s, '\t', n) || !(memchr(s, '*', n) || memchr(s, '?', n))))
                return false;
        while (k < n && word_char(s[k]))
                k++;
        *t = (Tok){.kind = TOK_STR, .s = s, .n = n, .line = x->line, .interpolates = true, .glob = k < n};
        x->p = e + 1;
        return true;
}

static void lex_word(Lexer *x, Tok *t) {
        const char *s = x->p;
        for (;;) {
                while (x->p < x->end && word_char(*x->p))
                        x->p++;
                if (x->end - x->p < 2 || x->p[0] != ':' || x->p[1] != ':')
                        break;
                x->p += 2;
        }
        *t = (Tok){.kind = TOK_WORD, .s = s, .n = x->p - s, .line = x->line};
        if (tok_is(t, TOK_WORD, "__END__") || tok_is(t, TOK_WORD, "__DATA__")) {
                x->p = x->end; /* the rest is data */
                *t = (Tok){.line = x->line};
                return;
        }
        size_t digits = 1;
        while (digits < t->n && isdigit((unsigned char)s[digits]))
                digits++;
        if (t->n >= 2 && s[0] == 'v' && digits == t->n) {
                x->p = s;
                return lex_number(x, t); /* v5.36.0 */
        }
        unsigned parts = lex_quote_parts(x, s, t->n);
        if (parts > 0)
                lex_quote(x, t, s, t->n, parts);
}

static void lex_next(Lexer *x, Tok *t) {
        lex_space(x);
        x->line_start = false;
        *t = (Tok){.line = x->line};
        if (x->p >= x->end)
                return;
        char c = *x->p, d = x->p + 1 < x->end ? x->p[1] : 0;
        bool term = lex_expects_term(x);
        if (isalpha((unsigned char)c) || c == '_' || (c == ':' && d == ':'))
                lex_word(x, t);
        else if (isdigit((unsigned char)c))
                lex_number(x, t);
        else if (c == '"' || c == '`' || c == '\'' || (c == '/' && term)) {
                lex_delimited(x, t);
                t->kind = TOK_STR;
                t->interpolates = c != '\'';
                t->regex = c == '/';
                while (t->regex && x->p < x->end && isalpha((unsigned char)*x->p))
                        x->p++; /* modifiers */
        } else if (c == '$' || ((c == '@' || (c == '%' && (term || x->prev.kind == TOK_WORD))) && d &&
                                (word_char(d) || char_in_set(d, "{$:!+-_"))))
                lex_variable(x, t);
        else if (c == '<' && d != '<' && d != '=' && (term || tok_is(&x->prev, TOK_OP, "}")) &&
                 lex_angle(x, t, !term))
                ;
        else if (c == '<' && d == '<' && x->p + 2 < x->end &&
                 (char_in_set(x->p[2], "~\"'_") || isalpha((unsigned char)x->p[2]))) {
                x->p += 2;
                lex_heredoc(x, t);
        } else {
                bool two = (c == '-' && d == '>') || (c == '=' && d == '>') || (c == '=' && d == '~') ||
                           (c == '/' && d == '/'); /* defined-or, after a term */
                *t = (Tok){.kind = TOK_OP, .s = x->p, .n = two ? 2 : 1, .line = x->line};
                x->p += t->n;
        }
        x->prev = *t;
}

/* ---- the statements that load modules ---- */

typedef struct Imports {
        InterpImport *v;
        size_t n, allocated;
} Imports;

typedef struct Scanner {
        Lexer x;
        Tok back;
        bool has_back;
        Imports *l;
        unsigned depth;  /* of eval strings */
        bool inc_append; /* emit_lib() for push @INC: to the end */
} Scanner;

static void next(Scanner *s, Tok *t) {
        if (s->has_back) {
                *t = s->back;
                s->has_back = false;
        } else
                lex_next(&s->x, t);
}

static void push_back(Scanner *s, const Tok *t) {
        s->back = *t;
        s->has_back = true;
}

bool perl_is_module_name(const char *s, size_t n) {
        if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (word_char(s[i]))
                        continue;
                if (s[i] == ':' && i + 2 < n && s[i + 1] == ':' && word_char(s[i + 2])) {
                        i++;
                        continue;
                }
                return false;
        }
        return true;
}

/* A module ("Foo::Bar") or a file relative to @INC ("foo.pl"), or a "lib:" directory. */
static int emit(Scanner *s, const char *name, size_t n, unsigned line) {
        if (n == 0 || n > 1024 || memchr(name, '\n', n) || memchr(name, ' ', n))
                return 0;
        char *p = strndup(name, n);
        if (!p || !GROW(s->l->v, s->l->allocated, s->l->n + 1)) {
                free(p);
                return -ENOMEM;
        }
        s->l->v[s->l->n++] = (InterpImport){.name = p, .line = line};
        return 0;
}

/* Modules that load another by a name they compute, which no scan sees: File::Spec requires
 * "File/Spec/$^O.pm", Pod::Usage does eval "require $Formatter", ExtUtils::MM "require $class". */
static const char *const companions[][2] = {
        {"File::Spec", "File::Spec::Unix"},
        {"Pod::Usage", "Pod::Text"},
        {"ExtUtils::MM", "ExtUtils::MM_Unix"},
};

static int emit_module(Scanner *s, const Tok *t, unsigned line) {
        bool word = t->kind == TOK_WORD && !tok_is(t, TOK_WORD, "__PACKAGE__");
        if (!(word || (t->kind == TOK_STR && !t->qw && !t->regex)) || !perl_is_module_name(t->s, t->n))
                return 0;
        int r = emit(s, t->s, t->n, line);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(companions); i++)
                if (t->n == strlen(companions[i][0]) && memcmp(t->s, companions[i][0], t->n) == 0)
                        r = emit(s, companions[i][1], strlen(companions[i][1]), line);
        return r;
}

/* Each word of a string list: 'A', "B", qw(C D). */
static int emit_words(Scanner *s, const Tok *t, unsigned line,
                      int (*f)(Scanner *, const char *, size_t, unsigned)) {
        if (!t->qw)
                return f(s, t->s, t->n, line);
        for (const char *p = t->s, *e = t->s + t->n; p < e;) {
                while (p < e && isspace((unsigned char)*p))
                        p++;
                const char *w = p;
                while (p < e && !isspace((unsigned char)*p))
                        p++;
                int r = p > w ? f(s, w, p - w, line) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

static int emit_class(Scanner *s, const char *name, size_t n, unsigned line) {
        return perl_is_module_name(name, n) ? emit(s, name, n, line) : 0;
}

/* use lib LIST: literal directories, and FindBin's $Bin and $RealBin at their start. */
static int emit_lib(Scanner *s, const char *dir, size_t n, unsigned line) {
        static const char *const bins[][2] = {
                {"$FindBin::RealBin", "{realbin}"}, {"${FindBin::RealBin}", "{realbin}"},
                {"$FindBin::Bin", "{bin}"},         {"${FindBin::Bin}", "{bin}"},
                {"$RealBin", "{realbin}"},          {"$Bin", "{bin}"},
        };
        char buf[1100];
        const char *rest = dir;
        const char *prefix = "";
        for (size_t i = 0; i < ELEMENTSOF(bins); i++)
                if (n >= strlen(bins[i][0]) && memcmp(dir, bins[i][0], strlen(bins[i][0])) == 0 &&
                    (n == strlen(bins[i][0]) || !word_char(dir[strlen(bins[i][0])]))) {
                        prefix = bins[i][1];
                        rest = dir + strlen(bins[i][0]);
                        break;
                }
        size_t m = n - (rest - dir);
        if (m > 1024 || memchr(rest, '$', m) || memchr(rest, '@', m))
                return 0;
        snprintf(buf, sizeof buf, "%s%s%.*s", s->inc_append ? "lib+:" : "lib:", prefix, (int)m, rest);
        return emit(s, buf, strlen(buf), line);
}

/* The arguments of "use lib/parent/base/if", to the end of the statement. */
static int scan_use_args(Scanner *s, const Tok *module, unsigned line) {
        bool lib = tok_is(module, TOK_WORD, "lib"), is_if = tok_is(module, TOK_WORD, "if");
        bool parent = tok_is(module, TOK_WORD, "parent") || tok_is(module, TOK_WORD, "base");
        bool norequire = false, after_comma = false;
        Tok t;
        int r = 0;

        for (next(s, &t); r >= 0 && t.kind != TOK_END && !tok_is(&t, TOK_OP, ";") && !tok_is(&t, TOK_OP, "}");
             next(s, &t)) {
                if (lib && t.kind == TOK_STR && !t.regex)
                        r = emit_words(s, &t, line, emit_lib);
                else if (parent && tok_is(&t, TOK_WORD, "norequire"))
                        norequire = true;
                else if (parent && (t.kind == TOK_STR || t.kind == TOK_WORD) && !norequire)
                        r = t.kind == TOK_STR ? emit_words(s, &t, line, emit_class)
                                              : emit_module(s, &t, line);
                else if (is_if && (tok_is(&t, TOK_OP, ",") || tok_is(&t, TOK_OP, "=>")) && !after_comma) {
                        after_comma = true;
                        next(s, &t);
                        r = emit_module(s, &t, line);
                }
        }
        if (t.kind != TOK_END)
                push_back(s, &t);
        return r;
}

static int scan_use(Scanner *s, unsigned line) {
        Tok m;
        next(s, &m);
        if (m.kind != TOK_WORD) {
                push_back(s, &m); /* use VERSION */
                return 0;
        }
        int r = emit_module(s, &m, line);
        if (r < 0)
                return r;
        if (tok_is(&m, TOK_WORD, "lib") || tok_is(&m, TOK_WORD, "parent") || tok_is(&m, TOK_WORD, "base") ||
            tok_is(&m, TOK_WORD, "if"))
                return scan_use_args(s, &m, line);
        return 0;
}

/* unshift @INC, LIST and push @INC, LIST (in a BEGIN block, as a hand-written "use lib") */
static int scan_inc(Scanner *s, bool append, unsigned line) {
        Tok t;
        int r = 0;
        next(s, &t); /* @INC */
        s->inc_append = append;
        for (next(s, &t); r >= 0 && (t.kind == TOK_STR || tok_is(&t, TOK_OP, ",") || tok_is(&t, TOK_OP, "("));
             next(s, &t))
                if (t.kind == TOK_STR && !t.regex)
                        r = emit_words(s, &t, line, emit_lib);
        s->inc_append = false;
        push_back(s, &t);
        return r;
}

static int scan_require(Scanner *s, unsigned line) {
        Tok m;
        next(s, &m);
        if (m.kind == TOK_WORD)
                return emit_module(s, &m, line);
        if (m.kind == TOK_STR && !m.qw && !m.regex &&
            !(m.interpolates && (memchr(m.s, '$', m.n) || memchr(m.s, '@', m.n))))
                return emit(s, m.s, m.n, line); /* require "foo.pl": a file on @INC */
        push_back(s, &m);
        return 0;
}

static int scan_text(const char *text, size_t size, unsigned line, unsigned depth, Imports *l);

/* What perl loads by itself when a program uses some features: %! ties Errno, %+ and %- tie
 * Tie::Hash::NamedCapture, an :encoding() layer loads PerlIO::encoding and Encode. */
static int scan_implicit(Scanner *s, const Tok *t) {
        if (t->kind == TOK_VAR && (tok_is(t, TOK_VAR, "%!") || tok_is(t, TOK_VAR, "$!"))) {
                Tok b;
                next(s, &b);
                push_back(s, &b);
                if (t->s[0] == '%' || tok_is(&b, TOK_OP, "{"))
                        return emit(s, "Errno", 5, t->line);
        }
        if (t->kind == TOK_VAR && t->n == 2 && char_in_set(t->s[0], "$%") && char_in_set(t->s[1], "+-")) {
                Tok b;
                next(s, &b);
                push_back(s, &b);
                if (t->s[0] == '%' || tok_is(&b, TOK_OP, "{"))
                        return emit(s, "Tie::Hash::NamedCapture", 23, t->line);
        }
        if (t->kind == TOK_STR && t->glob)
                return emit(s, "File::Glob", 10, t->line);
        if (t->kind == TOK_STR && !t->regex && memmem(t->s, t->n, ":encoding(", 10)) {
                int r = emit(s, "PerlIO::encoding", 16, t->line);
                return r < 0 ? r : emit(s, "Encode", 6, t->line);
        }
        return 0;
}

static int scan_statement(Scanner *s, const Tok *prev, const Tok *t) {
        static const char *const loaders[] = {"extends",        "with",           "load",      "load_class",
                                              "try_load_class", "require_module", "use_module"};
        bool call = t->kind == TOK_WORD && !tok_is(prev, TOK_OP, "->") && !tok_is(prev, TOK_WORD, "sub");
        Tok a;
        if (!call)
                return scan_implicit(s, t);
        next(s, &a);
        push_back(s, &a);
        if (tok_is(&a, TOK_OP, "=>") || (tok_is(prev, TOK_OP, "{") && tok_is(&a, TOK_OP, "}")))
                return 0;                                            /* a hash key */
        if (tok_is(t, TOK_WORD, "use") || tok_is(t, TOK_WORD, "no")) /* no Foo loads Foo too */
                return scan_use(s, t->line);
        if (tok_is(t, TOK_WORD, "require"))
                return scan_require(s, t->line);
        if ((tok_is(t, TOK_WORD, "unshift") || tok_is(t, TOK_WORD, "push")) && tok_is(&a, TOK_VAR, "@INC"))
                return scan_inc(s, tok_is(t, TOK_WORD, "push"), t->line);
        if (tok_is(t, TOK_WORD, "glob") || tok_is(t, TOK_WORD, "CORE::glob"))
                return emit(s, "File::Glob", 10, t->line); /* perl loads it for the glob operator */
        if (tok_is(t, TOK_WORD, "eval") && a.kind == TOK_STR && !a.qw && !a.regex &&
            s->depth < EVAL_DEPTH_MAX)
                return scan_text(a.s, a.n, t->line, s->depth + 1, s->l);
        for (size_t i = 0; i < ELEMENTSOF(loaders); i++)
                if (tok_is(t, TOK_WORD, loaders[i])) {
                        if (tok_is(&a, TOK_OP, "(")) {
                                next(s, &a);
                                next(s, &a);
                                push_back(s, &a);
                        }
                        /* Moose's extends 'Foo::Bar', Module::Runtime's use_module("Foo::Bar") ... */
                        if (a.kind == TOK_STR && !a.qw && a.n > 0 && isupper((unsigned char)a.s[0]))
                                return emit_module(s, &a, t->line);
                }
        return 0;
}

static int scan_text(const char *text, size_t size, unsigned line, unsigned depth, Imports *l) {
        Scanner s = {
                .x = {.start = text, .p = text, .end = text + size, .line = line, .line_start = true},
                .l = l,
                .depth = depth,
        };
        Tok t, prev = {};
        int r = 0;
        for (next(&s, &t); t.kind != TOK_END && r >= 0; prev = t, next(&s, &t))
                r = scan_statement(&s, &prev, &t);
        return r;
}

int perl_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
              size_t *ret_n) {
        Imports l = {};
        int r = scan_text(text, size, 1, 0, &l);
        /* a module that requires a name it computes (Net::Server::Proto: require "$proto_class.pm") loads one
         * of its own namespace's modules: all of them, as "ns:Net::Server::Proto" */
        if (r >= 0 && module && (memmem(text, size, "require $", 9) || memmem(text, size, "require($", 9))) {
                _cleanup_free_ char *ns = NULL;
                if (asprintf(&ns, "ns:%s", module) < 0)
                        r = -ENOMEM;
                else {
                        Scanner sc = {.l = &l};
                        r = emit(&sc, ns, strlen(ns), 0);
                }
        }
        if (r < 0) {
                interp_imports_free(l.v, l.n);
                return r;
        }
        *ret = l.v;
        *ret_n = l.n;
        return 0;
}
