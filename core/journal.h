/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a unit's journal lines say is missing (the lines themselves: manager_read_journal()). */

typedef enum JournalHint {
        JOURNAL_HINT_PATH,          /* path: bind it (writable or not) */
        JOURNAL_HINT_PERL_MODULE,   /* what: "strict.pm", "Foo/Bar.pm" (its directory is Perl's to say) */
        JOURNAL_HINT_PYTHON_MODULE, /* what: "yaml" */
        JOURNAL_HINT_LIBRARY,       /* what: "libzstd.so.1", a soname the loader did not find */
} JournalHint;

typedef struct JournalSuggestion {
        JournalHint hint;
        char *path;    /* JOURNAL_HINT_PATH: the absolute path, outside any root ("/etc/nginx/nginx.conf") */
        bool writable; /* "Permission denied", "Read-only file system": --writable */
        char *what;    /* the other hints: the module or library named */
        char *line;    /* the journal line it was read from */
} JournalSuggestion;

/* Read journal lines for what the service did not find: an absolute path next to "No such file or
 * directory", "not found", "does not exist", "cannot open shared object file" (read-only), or next to
 * "Permission denied", "Read-only file system" (writable); a Perl module ("Can't locate X in @INC"), a
 * Python module ("No module named 'x'") or a library soname. The path nearest before the message is taken,
 * else the first after it. Paths systemd names below its staging root (/run/systemd/unit-root) are given
 * as the host's. What is never bound (/etc/shadow, /root, /home... as unit_path_is_hazard()) is never
 * suggested. Each path or name once, in the order of the lines. Pure. */
int journal_suggest_paths(char *const *lines, JournalSuggestion **ret, size_t *ret_n);

void journal_suggestions_free(JournalSuggestion *s, size_t n);

/* One journal entry as a line: "IDENT[PID]: MESSAGE" (or without what is NULL), control characters of
 * the message as spaces. 1 and *ret (malloc'd), or -ENOMEM. msg is changed in place. */
int journal_format_line(char *msg, const char *ident, const char *pid, char **ret);
