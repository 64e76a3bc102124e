/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Inside shell_scan (shell-scan.c): the tokenizer (shell-lex.c) and the command-position state machine
 * call each other, since a command substitution inside a word is scanned as commands while the word is
 * read. */

#include <stdbool.h>
#include <stdint.h>

#include "shell-scan.h"

#define SCAN_DEPTH_MAX 64U

/* How each byte of a word came to be. Up to M_QLIT the byte is literal. */
enum { M_LIT, M_QLIT, M_GLOB, M_EXP, M_PATH_EXP /* $PATH, ${PATH...} */ };

/* The tokens of lex_token. */
enum {
        TOK_EOF,
        TOK_WORD,
        TOK_NEWLINE,
        TOK_SEP,
        TOK_DSEMI,
        TOK_LPAREN,
        TOK_RPAREN,
        TOK_REDIR,
        TOK_HEREDOC,
        TOK_ARITH
};

typedef struct Word {
        char *buf;     /* the unquoted bytes, NUL-terminated; an expansion is one '$' or '`' byte */
        uint8_t *mask; /* M_* of each byte */
        size_t len, n_buf, n_mask;
        unsigned line; /* where the word starts */
} Word;

typedef struct Heredoc {
        char *delim;
        bool strip; /* "<<-": leading tabs do not count */
} Heredoc;

typedef struct Lexer {
        const char *p, *end;
        unsigned line;
        Heredoc *docs; /* here-documents whose bodies start after the next newline */
        size_t n_docs, n_docs_allocated;
} Lexer;

typedef struct Scan {
        ShellRef *refs;
        size_t n_refs, n_refs_allocated;
        bool *external; /* for each ref: a command a runner runs ("nice X", "command X"), never a function */
        size_t n_external_allocated;
        char **funcs; /* functions defined anywhere in the text: calls to them are dropped at the end */
        size_t n_funcs, n_funcs_allocated;
        unsigned depth;
} Scan;

/* A space or a tab. */
bool shell_is_blank(char c);

/* Free a word's buffers (the Word itself is the caller's). */
void shell_word_done(Word *w);

/* Whether every byte of w[from..to) came as M_* max or below (M_QLIT: literal). */
bool shell_span_is(const Word *w, size_t from, size_t to, uint8_t max);

/* An unquoted literal word equal to s: a keyword. */
bool shell_word_is(const Word *w, const char *s);

/* "NAME=", "NAME+=", "NAME[i]=" at the start of w: the index of the value, else 0. */
size_t shell_word_assignment(const Word *w);

/* Free the lexer's pending here-documents. */
void shell_lexer_done(Lexer *L);

/* The next token; a word goes to w. arith: "((" here is an arithmetic command, skipped. */
int shell_lex_token(Scan *s, Lexer *L, Word *w, bool arith);

/* Commands up to the end of the text, or for a substitution up to its ")". */
int shell_parse_list(Scan *s, Lexer *L, bool in_subst);

/* A whole text (a "sh -c" argument, a `...` substitution) scanned as commands, its lines from line on. */
int shell_parse_text(Scan *s, const char *text, size_t size, unsigned line);
