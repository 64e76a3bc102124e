/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "fs-root.h"

/* A unit file's state as 'systemctl list-unit-files' names it, read from the unit directories on disk
 * (for the list when no manager answers): masked, enabled (enabled-runtime below /run), alias, static,
 * indirect, disabled, generated or transient. */
typedef struct UnitFileStates UnitFileStates;

/* Reads the .wants/, .requires/ and .upholds/ directories of the search path once. */
int unit_file_states_new(FsRoot *root, char *const *search_path, UnitFileStates **ret);
UnitFileStates *unit_file_states_free(UnitFileStates *s);

/* The state of name, whose unit file is fragment_path (may be NULL: not found). A static string. */
const char *unit_file_states_get(UnitFileStates *s, const char *name, const char *fragment_path);

static inline void unit_file_states_freep(UnitFileStates **s) {
        unit_file_states_free(*s);
}
