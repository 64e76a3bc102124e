/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <sys/stat.h>

#include "interp-util.h"
#include "interp.h"
#include "macro.h"

/* Perl 5 as Debian builds it: @INC from what is installed below the root, the use/no/require statements of
 * a file read by a small lexer that knows Perl's strings, regexes, heredocs and POD well enough not to take
 * their text for code, and modules found as require finds them (Foo/Bar.pm on @INC) with what XSLoader,
 * DynaLoader and AutoLoader open for them (auto/Foo/Bar/). Never runs perl. */

#define EVAL_DEPTH_MAX 2 /* eval "require Foo" strings scanned as code, this deep */

/* "5.36.0" and the like */
static bool is_version(const char *s, unsigned parts) {
        unsigned n = 0;
        for (const char *p = s;; p++) {
                if (!isdigit((unsigned char)*p))
                        return false;
                p += strspn(p, "0123456789");
                n++;
                if (!*p)
                        return n == parts;
                if (*p != '.')
                        return false;
        }
}

static bool perl_matches(const char *real) {
        const char *base = strrchr(real, '/');
        base = base ? base + 1 : real;
        const char *v = startswith(base, "perl");
        return v && (!*v || (v[0] == '5' && strspn(v, "0123456789.") == strlen(v)));
}

/* Compare "5.36.0" with "5.8.9" numerically. */
static int version_cmp(const char *a, const char *b) {
        while (*a || *b) {
                long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
                if (x != y)
                        return x < y ? -1 : 1;
                a += *a == '.';
                b += *b == '.';
        }
        return 0;
}

/* The multiarch tuple (the directory below /usr/lib holding perl-base) and the version ("5.36.0": the
 * interpreter's own name when it has one, else the highest installed). */
static int perl_layout(FsRoot *root, const char *real, char triplet[static 256], char version[static 64]) {
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, "/usr/lib");
        const char *base = strrchr(real, '/');
        const char *own = startswith(base ? base + 1 : real, "perl");

        triplet[0] = version[0] = 0;
        for (struct dirent *de; d && (de = readdir(d));) {
                char p[PATH_MAX];
                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof p, "/usr/lib/%s/perl-base", de->d_name);
                if (!interp_is_a(root, p, S_IFDIR))
                        continue;
                snprintf(p, sizeof p, "/usr/lib/%s/perl", de->d_name);
                _cleanup_(closedirp) DIR *v = fs_root_opendir(root, p);
                for (struct dirent *ve; v && (ve = readdir(v));)
                        if (is_version(ve->d_name, 3) &&
                            (!version[0] || version_cmp(ve->d_name, version) > 0)) {
                                snprintf(version, 64, "%.63s", ve->d_name);
                                snprintf(triplet, 256, "%.255s", de->d_name);
                        }
                if (!triplet[0])
                        snprintf(triplet, 256, "%s", de->d_name);
        }
        if (own && is_version(own, 3))
                snprintf(version, 64, "%s", own);
        return triplet[0] && version[0] ? 0 : -ENOENT;
}

static int perl_search_path(FsRoot *root, const char *real, const char *script, char ***ret) {
        _cleanup_(slist_done) SList s = {};
        char t[256], ver[64], mm[64], p[PATH_MAX];
        int r;

        r = perl_layout(root, real, t, ver);
        if (r < 0)
                return r;
        snprintf(mm, sizeof mm, "%.*s", (int)(strrchr(ver, '.') - ver), ver);
        /* Debian's perl -V: @INC, in order (PERL5LIB and "use lib" come in front) */
        const char *const dirs[][4] = {
                {"/etc/perl", "", "", ""},
                {"/usr/local/lib/", t, "/perl/", ver},
                {"/usr/local/share/perl/", ver, "", ""},
                {"/usr/lib/", t, "/perl5/", mm},
                {"/usr/share/perl5", "", "", ""},
                {"/usr/lib/", t, "/perl-base", ""},
                {"/usr/lib/", t, "/perl/", mm},
                {"/usr/share/perl/", mm, "", ""},
                {"/usr/local/lib/site_perl", "", "", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(p, sizeof p, "%s%s%s%s", dirs[i][0], dirs[i][1], dirs[i][2], dirs[i][3]);
                if (!interp_is_a(root, p, S_IFDIR))
                        continue;
                r = slist_push(&s, strdup(p));
                if (r < 0)
                        return r;
        }
        char **v = slist_take(&s);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

static int perl_startup(FsRoot *root, char *const *search_path, InterpImport **ret, size_t *ret_n) {
        /* Debian's perl is built without sitecustomize.pl and loads nothing before the script */
        *ret = NULL;
        *ret_n = 0;
        return 0;
}

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

/* c is in set (never the NUL byte: text may hold one) */
static bool one_of(char c, const char *set) {
        return c && strchr(set, c);
}

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
                return !(p->n == 1 && one_of(p->s[0], ")]}"));
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
        if (p >= x->end || word_char(*p) || isspace((unsigned char)*p) || one_of(*p, ";)}") ||
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
        if (parts == 2 && one_of(open, "([{<")) {
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
        else if (x->p < x->end && s[0] != '$' && one_of(*x->p, "!+-"))
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
                                (word_char(d) || one_of(d, "{$:!+-_"))))
                lex_variable(x, t);
        else if (c == '<' && d != '<' && d != '=' && (term || tok_is(&x->prev, TOK_OP, "}")) &&
                 lex_angle(x, t, !term))
                ;
        else if (c == '<' && d == '<' && x->p + 2 < x->end &&
                 (one_of(x->p[2], "~\"'_") || isalpha((unsigned char)x->p[2]))) {
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

static bool is_module_name(const char *s, size_t n) {
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
        if (!(word || (t->kind == TOK_STR && !t->qw && !t->regex)) || !is_module_name(t->s, t->n))
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
        return is_module_name(name, n) ? emit(s, name, n, line) : 0;
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
        if (t->kind == TOK_VAR && t->n == 2 && one_of(t->s[0], "$%") && one_of(t->s[1], "+-")) {
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

static int perl_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
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

/* ---- finding a module's files ---- */

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What XSLoader, DynaLoader and AutoLoader open for module rel ("Foo/Bar"): the files of auto/Foo/Bar/ in
 * every @INC directory (Bar.so, Bar.bs, autosplit.ix, *.al), sorted. */
static int add_auto(FsRoot *root, char *const *search_path, const char *rel, SList *files) {
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_(slist_done) SList names = {};
                char dir[PATH_MAX];
                snprintf(dir, sizeof dir, "%s/auto/%s", search_path[i], rel);
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
                for (struct dirent *de; d && (de = readdir(d));) {
                        char *p;
                        if (de->d_name[0] == '.')
                                continue;
                        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
                                return -ENOMEM;
                        if (!interp_is_a(root, p, S_IFREG)) {
                                free(p);
                                continue;
                        }
                        if (slist_push(&names, p) < 0)
                                return -ENOMEM;
                }
                if (names.n > 0)
                        qsort(names.v, names.n, sizeof(char *), compare_names);
                for (size_t k = 0; k < names.n; k++)
                        if (slist_push(files, TAKE_PTR(names.v[k])) < 0)
                                return -ENOMEM;
        }
        return 0;
}

/* "ns:Foo::Bar": every module Foo::Bar::X of the directories Foo/Bar/ on @INC, as "module:" names. */
static int resolve_namespace(FsRoot *root, char *const *search_path, const char *ns, char ***ret_files,
                             size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *rel = strdup(ns);
        if (!rel)
                return -ENOMEM;
        char *o = rel;
        for (const char *p = ns; *p; p += *p == ':' ? 2 : 1)
                *o++ = *p == ':' ? '/' : *p;
        *o = 0;
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s/%s", search_path[i], rel) < 0)
                        return -ENOMEM;
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
                for (struct dirent *de; d && (de = readdir(d));) {
                        size_t n = strlen(de->d_name);
                        char *m;
                        if (n <= 3 || !streq(de->d_name + n - 3, ".pm"))
                                continue;
                        if (asprintf(&m, "module:%s::%.*s", ns, (int)(n - 3), de->d_name) < 0 ||
                            slist_push(&files, m) < 0)
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

static int perl_resolve(FsRoot *root, char *const *search_path, const char *name, char ***ret_files,
                        size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *rel = NULL;
        bool module = !strchr(name, '/') && !strchr(name, '.');
        int r;

        if (startswith(name, "ns:"))
                return resolve_namespace(root, search_path, name + 3, ret_files, ret_source_index);

        if (module) {
                if (!is_module_name(name, strlen(name)))
                        return -ENOENT;
                rel = strdup(name);
                if (!rel)
                        return -ENOMEM;
                char *o = rel;
                for (const char *p = name; *p; p += *p == ':' ? 2 : 1)
                        *o++ = *p == ':' ? '/' : *p; /* Foo::Bar -> Foo/Bar */
                *o = 0;
        } else if (name[0] == '/') {
                if (!interp_is_a(root, name, S_IFREG))
                        return -ENOENT;
                r = slist_push(&files, strdup(name));
                if (r < 0)
                        return r;
        } else if (startswith(name, "./") || startswith(name, "../"))
                return -ENOENT; /* relative to the working directory, which we do not know */

        /* require looks for Foo/Bar.pmc before Foo/Bar.pm in each directory */
        for (size_t i = 0; files.n == 0 && search_path[i]; i++)
                for (unsigned c = module ? 0 : 2; c < 3 && files.n == 0; c++) {
                        char *p;
                        if (asprintf(&p, "%s/%s%s", search_path[i], module ? rel : name,
                                     c == 0   ? ".pmc"
                                     : c == 1 ? ".pm"
                                              : "") < 0)
                                return -ENOMEM;
                        if (!interp_is_a(root, p, S_IFREG)) {
                                free(p);
                                continue;
                        }
                        r = slist_push(&files, p);
                        if (r < 0)
                                return r;
                }
        if (files.n == 0)
                return -ENOENT;
        if (module) {
                r = add_auto(root, search_path, rel, &files);
                if (r < 0)
                        return r;
        }
        char **v = slist_take(&files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = 0;
        return 0;
}

const Interpreter interp_perl = {
        .name = "perl",
        .matches = perl_matches,
        .search_path = perl_search_path,
        .startup = perl_startup,
        .scan = perl_scan,
        .resolve = perl_resolve,
};
