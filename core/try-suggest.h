/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

#include "confine.h"
#include "journal.h"

/* The paths a rolled-back try found missing in the journal, kept for the next try: "apply --suggested"
 * takes them. One file per unit, var/lib/sdconfine/try/UNIT.json below a root directory (NULL: "/"):
 * {"format": 1, "unit": "...", "suggestions": [{"path": "/etc/foo.conf", "writable": false, "line": "..."}]}
 */

#define TRY_SUGGEST_DIR "var/lib/sdconfine/try"

/* "var/lib/sdconfine/try/UNIT.json" (relative to the root). -EINVAL for an invalid unit name. */
int try_suggest_path(const char *unit, char **ret);

/* Add the path suggestions among s (the others name modules: nothing to bind) to those kept for unit,
 * written atomically (dropin-write's atomic_write_at), the directories made. */
int try_suggest_store(const char *root_dir, const char *unit, const JournalSuggestion *s, size_t n);

/* The kept suggestions; -ENOENT when there are none, -EBADMSG for a file that is not ours. */
int try_suggest_load(const char *root_dir, const char *unit, JournalSuggestion **ret, size_t *ret_n);

/* For --suggested: add the kept paths to settings (paths or writable, each once), and for each one taken
 * "--path P: suggested by the rolled-back try: LINE" to *accepted. None kept: nothing. On failure *reterr
 * says, in words, which file could not be read. */
int try_suggest_take(const char *root_dir, const char *unit, ConfineSettings *settings, char ***accepted,
                     char **reterr);
