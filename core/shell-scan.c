/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "shell-lex.h"
#include "shell-scan.h"

/* Three layers: a tokenizer (words with, for each byte, whether it is literal, quoted, a glob or an
 * expansion; operators; here-document bodies skipped), a command-position state machine over the tokens
 * (keywords, case patterns, function definitions, assignments, redirections), and the runner prefixes
 * ("nice -n 5 CMD", "su -c TEXT", "start-stop-daemon --exec X"). Command substitutions and "sh -c" texts are
 * scanned by the same state machine, at most SCAN_DEPTH_MAX deep; deeper ones are skipped unread. */

#define SCAN_DEPTH_MAX 64U

static const char not_commands[] =
        ". : [ alias bg break builtin cd command continue declare echo eval exec exit export false fg "
        "getopts hash jobs kill let local printf pwd read readonly return set shift shopt source test times "
        "trap true type typeset ulimit umask unalias unset wait bind caller compgen complete compopt dirs "
        "disown enable help history logout mapfile popd pushd readarray suspend "
        "if then else elif fi do done while until for in case esac function select time ! { } [[ ]]";

/* The entry of the space-separated list that is s[0..n) followed by extra more bytes, or NULL. */
static const char *list_find(const char *list, const char *s, size_t n, size_t extra) {
        for (const char *p = list; n > 0 && *p; p += strspn(p, " ")) {
                size_t l = strcspn(p, " ");
                if (l == n + extra && memcmp(p, s, n) == 0)
                        return p;
                p += l;
        }
        return NULL;
}

static int scan_add(Scan *s, ShellRefKind kind, const char *p, size_t n, unsigned line) {
        if (!GROW(s->refs, s->n_refs_allocated, s->n_refs + 1) ||
            !GROW(s->external, s->n_external_allocated, s->n_refs + 1))
                return -ENOMEM;
        s->external[s->n_refs] = false;
        char *word = strndup(p, n);
        if (!word)
                return -ENOMEM;
        s->refs[s->n_refs++] = (ShellRef){.kind = kind, .word = word, .line = line};
        return 0;
}

/* An absolute path in w[from..to): all of it when literal, else the part before the first expansion or
 * glob when that part ends in '/' ("/etc/foo/[ab].conf" and "/etc/foo/$x" give "/etc/foo"). */
static int report_path(Scan *s, const Word *w, size_t from, size_t to) {
        if (from >= to || w->buf[from] != '/' || w->mask[from] > M_QLIT)
                return 0;
        size_t i = from;
        while (i < to && w->mask[i] <= M_QLIT)
                i++;
        if (i < to) {
                if (w->buf[i - 1] != '/')
                        return 0;
                while (i > from + 1 && w->buf[i - 1] == '/')
                        i--;
                if (i == from + 1)
                        return 0; /* "/$x": nothing known */
        }
        if (memchr(w->buf + from, '\n', i - from))
                return 0; /* text, like an awk program */
        return scan_add(s, SHELL_REF_PATH, w->buf + from, i - from, w->line);
}

/* The value of "NAME=value" at w[v..): for PATH its literal absolute parts as one PATH_VAR (split at ':' and
 * at $PATH), else each absolute part between ':' and blanks as a PATH ("/usr/bin/x --y": "/usr/bin/x"). */
static int report_assignment(Scan *s, const Word *w, size_t v) {
        bool is_path = (v == 5 || (v == 6 && w->buf[4] == '+')) && memcmp(w->buf, "PATH", 4) == 0;
        _cleanup_free_ char *joined = malloc(w->len - v + 1);
        size_t n = 0;
        int r;

        if (!joined)
                return -ENOMEM;
        /* a bare literal name may be a command run later through the variable ($UPEX4CONF) */
        if (!is_path && w->len > v && shell_span_is(w, v, w->len, M_QLIT) &&
            !memchr(w->buf + v, '/', w->len - v)) {
                bool name = true;
                for (size_t i = v; i < w->len && name; i++)
                        name = (w->buf[i] >= 'a' && w->buf[i] <= 'z') ||
                               (w->buf[i] >= '0' && w->buf[i] <= '9') ||
                               (w->buf[i] >= 'A' && w->buf[i] <= 'Z') || strchr("._-+", w->buf[i]);
                if (name && (r = scan_add(s, SHELL_REF_VALUE, w->buf + v, w->len - v, w->line)) < 0)
                        return r;
        }
        for (size_t i = v, j; i <= w->len; i = j + 1) {
                for (j = i; j < w->len; j++)
                        if (w->mask[j] <= M_QLIT ? w->buf[j] == ':' || (!is_path && shell_is_blank(w->buf[j]))
                                                 : is_path && w->mask[j] == M_PATH_EXP)
                                break;
                if (!is_path) {
                        if (j - i >= 2 && w->buf[i] == '/' && w->buf[i + 1] == '/')
                                continue; /* "http://x": no path */
                        r = report_path(s, w, i, j);
                        if (r < 0)
                                return r;
                } else if (j > i && w->buf[i] == '/' && shell_span_is(w, i, j, M_QLIT)) {
                        if (n > 0)
                                joined[n++] = ':';
                        memcpy(joined + n, w->buf + i, j - i);
                        n += j - i;
                }
        }
        return n > 0 ? scan_add(s, SHELL_REF_PATH_VAR, joined, n, w->line) : 0;
}

/* w[from..), when literal, scanned as shell text; what it runs is reported at w's line. */
static int scan_text(Scan *s, const Word *w, size_t from) {
        if (from >= w->len || !shell_span_is(w, from, w->len, M_QLIT) || s->depth >= SCAN_DEPTH_MAX)
                return 0;
        size_t n0 = s->n_refs;
        s->depth++;
        int r = shell_parse_text(s, w->buf + from, w->len - from, w->line);
        s->depth--;
        for (size_t i = n0; i < s->n_refs; i++)
                s->refs[i].line = w->line;
        return r;
}

/* ----- runner prefixes ----- */

typedef enum RunnerFlags {
        RUNNER_ASSIGN = 1 << 0, /* VAR=value words before the command (env, sudo) */
        RUNNER_SHELL = 1 << 1,  /* sh: after "-c" the first positional word is shell text, else a script */
        RUNNER_NO_CMD = 1 << 2, /* positionals are arguments, a command only after an option of kind '^' */
        RUNNER_TEXT = 1 << 3,   /* trap, eval: the first word is shell text */
} RunnerFlags;

/* opts: the options of note, each a name (one letter, or a long name) and its kind: ':' takes a value, '!'
 * a value that is shell text, '@' a value that is the program run, '^' a value after which a positional is
 * the command (runuser -u USER CMD), '+' sh's -c; others are flags. */
typedef struct Runner {
        const char *name, *opts;
        unsigned n_pos; /* positional words before the command */
        RunnerFlags flags;
} Runner;

static const Runner runners[] = {
        {"exec", "a:"},
        {"command", ""},
        {"nohup", ""},
        {"setsid", ""},
        {"doas", "u: C:"},
        {"time", "f: o: format: output:"},
        {"nice", "n: adjustment:"},
        {"taskset", "", 1},
        {"env", "u: C: S! unset: chdir: split-string!", 0, RUNNER_ASSIGN},
        {"timeout", "s: k: signal: kill-after:", 1},
        {"stdbuf", "i: o: e: input: output: error:"},
        {"ionice", "c: n: p: class: classdata: pid:"},
        {"chrt", "T: P: D: sched-runtime: sched-period: sched-deadline:", 1},
        {"xargs", "a: d: E: I: L: n: P: s: arg-file: delimiter: eof: replace: max-args: max-procs:"},
        {"su", "c! g: G: s: w: command! session-command! group: supp-group: shell:", 0, RUNNER_NO_CMD},
        {"runuser", "u^ user^ c! g: G: s: w: command! session-command! group: shell:", 0, RUNNER_NO_CMD},
        {"sudo", "u: g: C: D: h: p: r: t: U: T: R: user: group: chdir: host: prompt: other-user:", 0,
         RUNNER_ASSIGN},
        {"flock", "E: w: c! conflict-exit-code: timeout: wait: command!", 1},
        {"start-stop-daemon", "x@ a@ exec@ startas@", 0, RUNNER_NO_CMD},
        {"sh", "c+ o:", 0, RUNNER_SHELL},
        {"dash", "c+ o:", 0, RUNNER_SHELL},
        {"bash", "c+ o: O: rcfile: init-file:", 0, RUNNER_SHELL},
        {"trap", "", 0, RUNNER_TEXT},
        {"eval", "", 0, RUNNER_TEXT},
};

typedef enum State {
        ST_CMD,         /* the next word is in command position */
        ST_ARGS,        /* arguments */
        ST_RUNNER,      /* arguments of a runner, until its command */
        ST_SOURCE,      /* the file of "." or "source" */
        ST_CASE_HEAD,   /* "case WORD", until "in" */
        ST_PATTERN,     /* case patterns, until ")" */
        ST_FUNC_NAME,   /* after "function" */
        ST_FUNC_AFTER,  /* after "function NAME": "()" may follow */
        ST_FUNC_PARENS, /* after "NAME(" */
        ST_DBRACKET,    /* inside [[ ]] */
        ST_FOR,         /* after "for": "((" is arithmetic */
} State;

/* Where the state machine is in one simple command. */
typedef struct Cmd {
        State state;
        const Runner *runner;
        size_t cmd_ref;   /* the command word's ref, or SIZE_MAX */
        unsigned n_words; /* words after the command word */
        unsigned n_pos;   /* positional words a runner has taken */
        char value_next;  /* the next word is the value of a runner's option of this kind */
        bool have_cmd;    /* a literal command word was seen: "(" now defines a function */
        bool redir;       /* the next word is a redirection target */
        bool decl;        /* export, local...: arguments may be assignments */
        bool shell_c;     /* sh -c seen */
        bool opts_done;   /* "--" seen */
        bool user_cmd;    /* runuser -u seen: a positional is the command */
} Cmd;

static void cmd_reset(Cmd *c, State state) {
        *c = (Cmd){.state = state, .cmd_ref = SIZE_MAX};
}

/* The literal word in command position: reported unless a builtin or keyword; a runner's arguments follow. */
static int command_word(Scan *s, Cmd *c, const Word *w) {
        cmd_reset(c, ST_ARGS);
        if (!shell_span_is(w, 0, w->len, M_QLIT))
                return report_path(s, w, 0, w->len);
        c->have_cmd = true;
        if (streq(w->buf, ".") || streq(w->buf, "source")) {
                c->state = ST_SOURCE;
                return 0;
        }
        c->decl = list_find("export local readonly declare typeset", w->buf, w->len, 0);
        const char *slash = strrchr(w->buf, '/'), *base = slash ? slash + 1 : w->buf;
        for (size_t i = 0; i < ELEMENTSOF(runners); i++)
                if (streq(runners[i].name, base)) {
                        c->runner = &runners[i];
                        c->state = ST_RUNNER;
                        break;
                }
        if (w->len == 0 || list_find(not_commands, w->buf, w->len, 0))
                return 0;
        c->cmd_ref = s->n_refs;
        return scan_add(s, SHELL_REF_COMMAND, w->buf, w->len, w->line);
}

/* w[from..) is the value of a runner's option of that kind. */
static int runner_value(Scan *s, const Word *w, size_t from, char kind) {
        if (kind == '!')
                return scan_text(s, w, from);
        if (kind == '@' && from < w->len && shell_span_is(w, from, w->len, M_QLIT)) {
                int r = scan_add(s, SHELL_REF_COMMAND, w->buf + from, w->len - from, w->line);
                if (r < 0)
                        return r;
                s->external[s->n_refs - 1] = true;
        }
        return report_path(s, w, from, w->len);
}

/* "-abc", "-ovalue", "--long", "--long=value" given to a runner. */
static int runner_option(Scan *s, Cmd *c, const Word *w) {
        bool is_long = w->buf[1] == '-';
        const char *eq = is_long ? memchr(w->buf, '=', w->len) : NULL;

        for (size_t i = 1 + is_long; i < w->len; i++) {
                size_t n = !is_long ? 1 : (eq ? (size_t)(eq - w->buf) : w->len) - 2;
                const char *o = list_find(c->runner->opts, w->buf + i, n, 1);
                char kind = o ? o[n] : 0;
                c->shell_c = c->shell_c || kind == '+';
                c->user_cmd = c->user_cmd || kind == '^';
                if (char_in_set(kind, ":!@^")) {
                        size_t v = !is_long ? i + 1 : eq ? (size_t)(eq - w->buf) + 1 : w->len;
                        if (v < w->len)
                                return runner_value(s, w, v, kind);
                        c->value_next = kind;
                        return 0;
                }
                if (is_long)
                        break;
        }
        return 0;
}

/* A word after a runner: an option, its value, a positional, or the command it runs. */
static int runner_word(Scan *s, Cmd *c, const Word *w) {
        const Runner *rn = c->runner;
        char kind = c->value_next;
        size_t v;

        c->value_next = 0;
        if (kind)
                return runner_value(s, w, 0, kind);
        if (rn->flags & RUNNER_TEXT) {
                c->state = ST_ARGS;
                return shell_word_is(w, "-") ? 0 : scan_text(s, w, 0);
        }
        if (shell_word_is(w, "--") && !c->opts_done)
                c->opts_done = true;
        else if (!c->opts_done && w->len > 1 && w->buf[0] == '-' && w->mask[0] == M_LIT)
                return runner_option(s, c, w);
        else if (!shell_word_is(w, "-")) {
                if ((rn->flags & RUNNER_ASSIGN) && (v = shell_word_assignment(w)) > 0)
                        return report_assignment(s, w, v);
                if (rn->flags & RUNNER_SHELL)
                        c->state = ST_ARGS;
                if (c->n_pos++ < rn->n_pos || (rn->flags & RUNNER_NO_CMD && !c->user_cmd) ||
                    (rn->flags & RUNNER_SHELL && !c->shell_c))
                        return report_path(s, w, 0, w->len);
                if (rn->flags & RUNNER_SHELL)
                        return scan_text(s, w, 0);
                int r = command_word(s, c, w);
                if (r >= 0 && c->cmd_ref != SIZE_MAX && !streq(rn->name, "time")) /* "time f" may run one */
                        s->external[c->cmd_ref] = true;
                return r;
        }
        return 0;
}

static int parse_command(Scan *s, Cmd *c, const Word *w) {
        static const struct {
                const char *word;
                State next;
        } keywords[] = {
                {"if", ST_CMD},
                {"then", ST_CMD},
                {"else", ST_CMD},
                {"elif", ST_CMD},
                {"do", ST_CMD},
                {"while", ST_CMD},
                {"until", ST_CMD},
                {"!", ST_CMD},
                {"{", ST_CMD},
                {"fi", ST_ARGS},
                {"done", ST_ARGS},
                {"}", ST_ARGS},
                {"esac", ST_ARGS},
                {"]]", ST_ARGS},
                {"in", ST_ARGS},
                {"case", ST_CASE_HEAD},
                {"for", ST_FOR},
                {"select", ST_FOR},
                {"function", ST_FUNC_NAME},
                {"[[", ST_DBRACKET},
        };
        for (size_t i = 0; i < ELEMENTSOF(keywords); i++)
                if (shell_word_is(w, keywords[i].word)) {
                        cmd_reset(c, keywords[i].next);
                        return 0;
                }
        size_t v = shell_word_assignment(w);
        if (v > 0)
                return report_assignment(s, w, v);
        return command_word(s, c, w);
}

static int func_add(Scan *s, const char *name) {
        if (!GROW(s->funcs, s->n_funcs_allocated, s->n_funcs + 1))
                return -ENOMEM;
        s->funcs[s->n_funcs] = strdup(name);
        return s->funcs[s->n_funcs++] ? 0 : -ENOMEM;
}

static int parse_word(Scan *s, Cmd *c, const Word *w) {
        size_t v;

        if (c->redir) {
                c->redir = false;
                return report_path(s, w, 0, w->len);
        }
        switch (c->state) {
        case ST_FUNC_AFTER:
                c->state = ST_CMD;
                /* fall through */
        case ST_CMD:
                return parse_command(s, c, w);
        case ST_RUNNER:
                c->n_words++;
                return runner_word(s, c, w);
        case ST_SOURCE:
                c->state = ST_ARGS;
                c->n_words++;
                if (w->len > 0 && shell_span_is(w, 0, w->len, M_QLIT))
                        return scan_add(s, SHELL_REF_SOURCE, w->buf, w->len, w->line);
                return report_path(s, w, 0, w->len);
        case ST_CASE_HEAD:
                if (shell_word_is(w, "in"))
                        c->state = ST_PATTERN;
                return report_path(s, w, 0, w->len);
        case ST_PATTERN:
                if (shell_word_is(w, "esac"))
                        cmd_reset(c, ST_ARGS);
                return 0;
        case ST_FUNC_NAME:
                c->state = ST_FUNC_AFTER;
                return w->len > 0 && shell_span_is(w, 0, w->len, M_QLIT) ? func_add(s, w->buf) : 0;
        case ST_DBRACKET:
                if (shell_word_is(w, "]]"))
                        c->state = ST_ARGS;
                return report_path(s, w, 0, w->len);
        default:
                c->state = ST_ARGS;
                c->n_words++;
                if (c->decl && (v = shell_word_assignment(w)) > 0)
                        return report_assignment(s, w, v);
                return report_path(s, w, 0, w->len);
        }
}

/* An operator; parens counts the open subshells of this list. 1: a ")" that closes none. */
static int parse_op(Scan *s, Cmd *c, int t, unsigned *parens) {
        if (c->state == ST_FUNC_AFTER && t != TOK_LPAREN)
                c->state = ST_CMD;
        switch (t) {
        case TOK_REDIR:
                c->redir = true;
                break;
        case TOK_ARITH:
                cmd_reset(c, ST_ARGS);
                break;
        case TOK_LPAREN:
                if (c->state == ST_PATTERN || c->state == ST_DBRACKET)
                        break;
                if (c->state == ST_FUNC_AFTER ||
                    (c->state != ST_CMD && c->state != ST_FOR && c->have_cmd && c->n_words == 0)) {
                        /* "name()": a function definition */
                        const char *name = c->cmd_ref != SIZE_MAX ? s->refs[c->cmd_ref].word : NULL;
                        c->state = ST_FUNC_PARENS;
                        return name ? func_add(s, name) : 0;
                }
                (*parens)++;
                cmd_reset(c, ST_CMD);
                break;
        case TOK_RPAREN:
                if (c->state == ST_PATTERN || c->state == ST_FUNC_PARENS)
                        cmd_reset(c, ST_CMD);
                else if (c->state != ST_DBRACKET && *parens == 0)
                        return 1;
                else if (c->state != ST_DBRACKET) {
                        (*parens)--;
                        cmd_reset(c, ST_ARGS);
                }
                break;
        case TOK_DSEMI:
                cmd_reset(c, ST_PATTERN);
                break;
        case TOK_NEWLINE:
                if (c->state != ST_PATTERN && c->state != ST_CASE_HEAD && c->state != ST_FUNC_NAME &&
                    c->state != ST_DBRACKET)
                        cmd_reset(c, ST_CMD);
                break;
        case TOK_SEP:
                if (c->state != ST_PATTERN && c->state != ST_DBRACKET)
                        cmd_reset(c, ST_CMD);
                break;
        }
        return 0;
}

/* Commands up to the end of the text, or for a substitution up to its ")". */
int shell_parse_list(Scan *s, Lexer *L, bool in_subst) {
        _cleanup_(shell_word_done) Word w = {};
        unsigned parens = 0;
        Cmd c;

        cmd_reset(&c, ST_CMD);
        for (;;) {
                int r = shell_lex_token(s, L, &w, c.state == ST_CMD || c.state == ST_FOR);
                if (r <= 0) /* an error or TOK_EOF */
                        return r;
                r = r == TOK_WORD ? parse_word(s, &c, &w) : parse_op(s, &c, r, &parens);
                if (r < 0 || (r > 0 && in_subst))
                        return r < 0 ? r : 0;
        }
}

int shell_parse_text(Scan *s, const char *text, size_t size, unsigned line) {
        _cleanup_(shell_lexer_done) Lexer L = {.p = text, .end = text + size, .line = line};
        return shell_parse_list(s, &L, false);
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void shell_refs_free(ShellRef *refs, size_t n) {
        for (size_t i = 0; refs && i < n; i++)
                free(refs[i].word);
        free(refs);
}

static void scan_done(Scan *s) {
        shell_refs_free(s->refs, s->n_refs);
        free(s->external);
        for (size_t i = 0; i < s->n_funcs; i++)
                free(s->funcs[i]);
        free(s->funcs);
}

int shell_scan(const char *text, size_t size, ShellRef **ret, size_t *ret_n) {
        _cleanup_(scan_done) Scan s = {};
        int r;

        r = shell_parse_text(&s, text ? text : "", text ? size : 0, 1);
        if (r < 0)
                return r;
        /* calls of functions the text defines are no commands, but what a runner runs is a program */
        if (s.n_funcs > 0)
                qsort(s.funcs, s.n_funcs, sizeof(char *), cmp_str);
        size_t k = 0;
        for (size_t i = 0; i < s.n_refs; i++) {
                ShellRef *ref = &s.refs[i];
                if (ref->kind == SHELL_REF_COMMAND && !s.external[i] && s.n_funcs > 0 &&
                    bsearch(&ref->word, s.funcs, s.n_funcs, sizeof(char *), cmp_str))
                        free(ref->word);
                else
                        s.refs[k++] = *ref;
        }
        *ret = TAKE_PTR(s.refs);
        *ret_n = k;
        s.n_refs = 0;
        return 0;
}
