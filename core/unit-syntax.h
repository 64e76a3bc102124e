/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* The syntax of unit files, systemd.syntax(7): sections, comments, continuation lines, quoted words with C
 * escapes, booleans, paths. No unit semantics here. */

/* Split one value as systemd's extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE does.
 * Returns 1 and a word, 0 at the end, -EINVAL on a bad quote or escape. */
int unit_extract_word(const char **p, char **ret);

/* 1 for "yes", "true", "on"..., 0 for "no", "false", "off"..., -EINVAL otherwise (parse_boolean()). */
int unit_parse_bool(const char *v);

/* "/a//b/./c/" -> "/a/b/c" in place, as systemd's path_simplify(). */
void unit_path_simplify(char *p);

/* Called for each assignment: the section it is in, the key and value stripped of blanks, and the number of
 * the line the assignment ends on. Returning -ENOMEM stops the parse; other errors skip the line, as systemd
 * logs and ignores a bad line. */
typedef int (*UnitAssignFunc)(void *userdata, const char *section, const char *key, const char *value,
                              unsigned line);

/* One file's text (changed in place), as systemd's config_parse() reads it. */
int unit_syntax_parse(char *text, UnitAssignFunc f, void *userdata);
