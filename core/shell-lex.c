/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "shell-lex.h"

/* ----- the tokenizer ----- */

bool shell_is_blank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
}

static bool is_meta(char c) {
        return shell_is_blank(c) || char_in_set(c, "\n;&|()<>");
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_name_char(char c, bool first) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && is_digit(c));
}

void shell_word_done(Word *w) {
        free(w->buf);
        free(w->mask);
}

static int word_put(Word *w, char c, uint8_t m) {
        if (!GROW(w->buf, w->n_buf, w->len + 2) || !GROW(w->mask, w->n_mask, w->len + 1))
                return -ENOMEM;
        w->buf[w->len] = c;
        w->mask[w->len++] = m;
        w->buf[w->len] = 0;
        return 0;
}

bool shell_span_is(const Word *w, size_t from, size_t to, uint8_t max) {
        for (size_t i = from; i < to; i++)
                if (w->mask[i] > max)
                        return false;
        return true;
}

/* An unquoted literal word equal to s: a keyword. */
bool shell_word_is(const Word *w, const char *s) {
        return w->len == strlen(s) && memcmp(w->buf, s, w->len) == 0 && shell_span_is(w, 0, w->len, M_LIT);
}

/* "NAME=", "NAME+=", "NAME[i]=" at the start of w: the index of the value, else 0. */
size_t shell_word_assignment(const Word *w) {
        size_t i = 0;
        while (i < w->len && w->mask[i] == M_LIT && is_name_char(w->buf[i], i == 0))
                i++;
        if (i == 0)
                return 0;
        if (i < w->len && w->buf[i] == '[')
                while (i < w->len && w->buf[i++] != ']')
                        ;
        if (i < w->len && w->buf[i] == '+' && w->mask[i] == M_LIT)
                i++;
        return i < w->len && w->buf[i] == '=' && w->mask[i] == M_LIT ? i + 1 : 0;
}

void shell_lexer_done(Lexer *L) {
        for (size_t i = 0; i < L->n_docs; i++)
                free(L->docs[i].delim);
        free(L->docs);
}

/* Past a balanced open...close (already depth deep), minding quotes and escapes, scanning nothing. */
static void lex_skip_nested(Lexer *L, char open, char close, unsigned depth, bool squotes) {
        char quote = 0;
        while (L->p < L->end && depth > 0) {
                char c = *L->p++;
                if (c == '\n')
                        L->line++;
                if (c == '\\' && quote != '\'' && L->p < L->end) {
                        if (*L->p++ == '\n')
                                L->line++;
                } else if (quote) {
                        if (c == quote)
                                quote = 0;
                } else if (c == '"' || (c == '\'' && squotes))
                        quote = c;
                else if (c == open)
                        depth++;
                else if (c == close)
                        depth--;
        }
}

/* After "$(" or "<(": the commands up to the matching ")". */
static int lex_subst(Scan *s, Lexer *L) {
        if (s->depth >= SCAN_DEPTH_MAX) {
                lex_skip_nested(L, '(', ')', 1, true);
                return 0;
        }
        s->depth++;
        int r = shell_parse_list(s, L, true);
        s->depth--;
        return r;
}

/* `...`: the text with \` \$ \\ (and \" inside double quotes) unescaped, scanned on its own. */
static int lex_backtick(Scan *s, Lexer *L, Word *w, bool in_dq) {
        _cleanup_free_ char *copy = NULL;
        size_t n = 0, allocated = 0;
        unsigned line = L->line;
        int r = 0;

        for (L->p++; L->p < L->end && *L->p != '`'; n++) {
                char c = *L->p++;
                if (c == '\\' && L->p < L->end && (char_in_set(*L->p, "`$\\") || (in_dq && *L->p == '"')))
                        c = *L->p++;
                if (c == '\n')
                        L->line++;
                if (!GROW(copy, allocated, n + 1))
                        return -ENOMEM;
                copy[n] = c;
        }
        if (L->p < L->end)
                L->p++;
        if (n > 0 && s->depth < SCAN_DEPTH_MAX) {
                s->depth++;
                r = shell_parse_text(s, copy, n, line);
                s->depth--;
        }
        return r < 0 ? r : word_put(w, '`', M_EXP);
}

/* '...', or with ansi bash's $'...' with its one-letter escapes decoded (others, like \x41, kept as
 * they are). */
static int lex_squote(Lexer *L, Word *w, bool ansi) {
        static const char from[] = "abeEfnrtv\\'\"?", to[] = "\a\b\033\033\f\n\r\t\v\\'\"?";
        int r = 0;
        for (L->p += 1 + ansi; r >= 0 && L->p < L->end && *L->p != '\'';) {
                char c = *L->p++;
                const char *k = ansi && c == '\\' && L->p < L->end && *L->p ? strchr(from, *L->p) : NULL;
                if (k) {
                        c = to[k - from];
                        L->p++;
                }
                L->line += !k && c == '\n';
                r = word_put(w, c, c ? M_QLIT : M_EXP);
        }
        if (L->p < L->end)
                L->p++;
        return r;
}

static int lex_dquote(Scan *s, Lexer *L, Word *w);

/* At '$': an expansion (one M_EXP or M_PATH_EXP byte), $'...', $"...", or a plain '$'. */
static int lex_dollar(Scan *s, Lexer *L, Word *w, bool in_dq) {
        const char *p = L->p + 1;
        char c = p < L->end ? *p : 0, next = p + 1 < L->end ? p[1] : 0;
        uint8_t m = M_EXP;
        int r = 0;

        if (c == '\'' && !in_dq)
                return lex_squote(L, w, true);
        if (c == '"' && !in_dq) {
                L->p = p;
                return lex_dquote(s, L, w);
        }
        L->p = p + 1;
        if (c == '(' && next == '(')
                lex_skip_nested(L, '(', ')', 1, true);
        else if (c == '(')
                r = lex_subst(s, L);
        else if (c == '{' || is_name_char(c, true)) {
                const char *n = p + (c == '{');
                if (L->end - n >= 4 && memcmp(n, "PATH", 4) == 0 &&
                    (n + 4 == L->end || !is_name_char(n[4], false)))
                        m = M_PATH_EXP;
                if (c == '{')
                        lex_skip_nested(L, '{', '}', 1, !in_dq);
                else
                        while (L->p < L->end && is_name_char(*L->p, false))
                                L->p++;
        } else if (!is_digit(c) && !char_in_set(c, "@*#?$!-")) {
                L->p = p;
                return word_put(w, '$', in_dq ? M_QLIT : M_LIT);
        }
        return r < 0 ? r : word_put(w, '$', m);
}

static int lex_dquote(Scan *s, Lexer *L, Word *w) {
        int r = 0;
        for (L->p++; r >= 0 && L->p < L->end && *L->p != '"';) {
                char c = *L->p;
                if (c == '\\' && L->p + 1 < L->end && char_in_set(L->p[1], "$`\"\\\n")) {
                        L->p += 2;
                        if (L->p[-1] == '\n')
                                L->line++;
                        else
                                r = word_put(w, L->p[-1], M_QLIT);
                } else if (c == '$')
                        r = lex_dollar(s, L, w, true);
                else if (c == '`')
                        r = lex_backtick(s, L, w, true);
                else {
                        if (c == '\n')
                                L->line++;
                        L->p++;
                        r = word_put(w, c, c ? M_QLIT : M_EXP);
                }
        }
        if (L->p < L->end)
                L->p++;
        return r;
}

/* One word up to an unquoted blank or operator. */
static int lex_word(Scan *s, Lexer *L, Word *w) {
        int r = 0;
        w->len = 0;
        w->line = L->line;
        if (!GROW(w->buf, w->n_buf, 1))
                return -ENOMEM;
        w->buf[0] = 0;
        while (r >= 0 && L->p < L->end) {
                char c = *L->p, next = L->p + 1 < L->end ? L->p[1] : 0;
                if ((c == '<' || c == '>') && next == '(' && w->len == 0) { /* process substitution */
                        L->p += 2;
                        r = lex_subst(s, L);
                        if (r >= 0)
                                r = word_put(w, '$', M_EXP);
                } else if (c == '(' && w->len > 0 && shell_word_assignment(w) == w->len) { /* a=(x y) */
                        L->p++;
                        lex_skip_nested(L, '(', ')', 1, true);
                        r = word_put(w, '$', M_EXP);
                } else if (is_meta(c))
                        break;
                else if (c == '\\' && L->p + 1 >= L->end)
                        L->p++;
                else if (c == '\\') {
                        L->p += 2;
                        if (next == '\n')
                                L->line++;
                        else
                                r = word_put(w, next, next ? M_QLIT : M_EXP);
                } else if (c == '\'')
                        r = lex_squote(L, w, false);
                else if (c == '"')
                        r = lex_dquote(s, L, w);
                else if (c == '`')
                        r = lex_backtick(s, L, w, false);
                else if (c == '$')
                        r = lex_dollar(s, L, w, false);
                else {
                        L->p++;
                        r = word_put(w, c, char_in_set(c, "*?[") ? M_GLOB : c ? M_LIT : M_EXP);
                }
        }
        /* '[' is a glob only with a ']' after it: "[[" and "[" are not */
        for (size_t i = w->len, close = 0; r >= 0 && i-- > 0;)
                if (w->buf[i] == ']')
                        close = 1;
                else if (w->buf[i] == '[' && w->mask[i] == M_GLOB && !close)
                        w->mask[i] = M_LIT;
        return r;
}

/* After "<<" or "<<-": the delimiter, remembered until the next newline. */
static int lex_heredoc_op(Scan *s, Lexer *L, Word *w, bool strip) {
        while (L->p < L->end && shell_is_blank(*L->p))
                L->p++;
        if (L->p >= L->end || is_meta(*L->p))
                return TOK_HEREDOC;
        int r = lex_word(s, L, w);
        if (r < 0)
                return r;
        if (!GROW(L->docs, L->n_docs_allocated, L->n_docs + 1))
                return -ENOMEM;
        char *d = strndup(w->buf, w->len);
        if (!d)
                return -ENOMEM;
        L->docs[L->n_docs++] = (Heredoc){.delim = d, .strip = strip};
        return TOK_HEREDOC;
}

/* After a newline: the bodies of the pending here-documents, each up to its delimiter line. */
static void lex_heredoc_bodies(Lexer *L) {
        for (size_t i = 0; i < L->n_docs; i++) {
                size_t dl = strlen(L->docs[i].delim);
                while (L->p < L->end) {
                        const char *nl = memchr(L->p, '\n', (size_t)(L->end - L->p)), *e = nl ? nl : L->end;
                        const char *b = L->p;
                        while (L->docs[i].strip && b < e && *b == '\t')
                                b++;
                        size_t n = (size_t)(e - b) - (e > b && e[-1] == '\r');
                        L->p = nl ? nl + 1 : L->end;
                        L->line += !!nl;
                        if (n == dl && memcmp(b, L->docs[i].delim, dl) == 0)
                                break;
                }
                free(L->docs[i].delim);
        }
        L->n_docs = 0;
}

static int lex_op(Lexer *L) {
        static const struct {
                const char *op;
                int tok;
        } ops[] = {
                {";;&", TOK_DSEMI}, {";;", TOK_DSEMI},  {";&", TOK_DSEMI},   {";", TOK_SEP},
                {"&&", TOK_SEP},    {"&>>", TOK_REDIR}, {"&>", TOK_REDIR},   {"&", TOK_SEP},
                {"||", TOK_SEP},    {"|&", TOK_SEP},    {"|", TOK_SEP},      {"(", TOK_LPAREN},
                {")", TOK_RPAREN},  {"<<<", TOK_REDIR}, {"<<", TOK_HEREDOC}, {"<&", TOK_REDIR},
                {"<>", TOK_REDIR},  {"<", TOK_REDIR},   {">>", TOK_REDIR},   {">&", TOK_REDIR},
                {">|", TOK_REDIR},  {">", TOK_REDIR},
        };
        for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
                size_t l = strlen(ops[i].op);
                if ((size_t)(L->end - L->p) >= l && memcmp(L->p, ops[i].op, l) == 0) {
                        L->p += l;
                        return ops[i].tok;
                }
        }
        return -1;
}

/* The next token; a word goes to w. arith: "((" here is an arithmetic command, skipped. */
int shell_lex_token(Scan *s, Lexer *L, Word *w, bool arith) {
        for (;;) {
                while (L->p < L->end && shell_is_blank(*L->p))
                        L->p++;
                if (L->end - L->p >= 2 && L->p[0] == '\\' && L->p[1] == '\n') {
                        L->p += 2;
                        L->line++;
                } else if (L->p < L->end && *L->p == '#') {
                        const char *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
                        L->p = nl ? nl : L->end;
                } else
                        break;
        }
        if (L->p >= L->end)
                return TOK_EOF;
        char c = *L->p, next = L->p + 1 < L->end ? L->p[1] : 0;
        if (c == '\n') {
                L->p++;
                L->line++;
                lex_heredoc_bodies(L);
                return TOK_NEWLINE;
        }
        if (arith && c == '(' && next == '(') {
                L->p += 2;
                lex_skip_nested(L, '(', ')', 2, true);
                return TOK_ARITH;
        }
        const char *q = L->p;
        while (q < L->end && is_digit(*q))
                q++;
        if (q > L->p && q < L->end && (*q == '<' || *q == '>')) /* "2>": the fd number is no word */
                L->p = q, c = *q, next = q + 1 < L->end ? q[1] : 0;
        if (!((c == '<' || c == '>') && next == '(')) {
                int t = lex_op(L);
                if (t == TOK_HEREDOC) {
                        bool strip = L->p < L->end && *L->p == '-';
                        L->p += strip;
                        return lex_heredoc_op(s, L, w, strip);
                }
                if (t >= 0)
                        return t;
        }
        const char *start = L->p;
        int r = lex_word(s, L, w);
        if (L->p == start) /* never stand still */
                L->p++;
        return r < 0 ? r : TOK_WORD;
}
