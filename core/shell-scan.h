/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/* Shell text (a POSIX sh, dash or bash script, or the argument of "sh -c") read for what it runs and reads,
 * without running it. A conservative over-approximation: a word that might be a command is reported, since a
 * command missing from the root breaks the service while an extra one costs a bind mount. */

typedef enum ShellRefKind {
        SHELL_REF_COMMAND,  /* a word in command position, not a builtin or keyword: "mkdir", "/usr/bin/id" */
        SHELL_REF_SOURCE,   /* a file read by "." or "source": "/lib/lsb/init-functions" */
        SHELL_REF_PATH,     /* an absolute path anywhere else: an argument, a redirection, a test, a value */
        SHELL_REF_PATH_VAR, /* the value of an assignment to PATH ("PATH=/sbin:/bin"), $PATH parts dropped */
        SHELL_REF_VALUE,    /* a bare name assigned to a variable (UPEX4CONF="update-exim4.conf"): maybe a
                             * command    run later as $UPEX4CONF */
        _SHELL_REF_KIND_MAX,
} ShellRefKind;

typedef struct ShellRef {
        ShellRefKind kind;
        char *word;    /* unquoted; words holding an expansion ($x, `...`, globs) are not reported */
        unsigned line; /* 1-based, in the text given */
} ShellRef;

/* Scan text[0..size). Never fails on bad syntax (it scans what it can); -ENOMEM only. ret is malloc'd, in
 * order of appearance, duplicates kept (the caller dedups). */
int shell_scan(const char *text, size_t size, ShellRef **ret, size_t *ret_n);
void shell_refs_free(ShellRef *refs, size_t n);
