/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "fs-root.h"
#include "unit-specifier.h"

/* The unit files on disk, as systemd 252 finds them: its search path, aliases (symlinks to a unit of
 * another name), masks, templates and instances, drop-in directories. Names only: unit-file.c reads them. */

typedef struct UnitIndex UnitIndex;

typedef enum UnitScope {
        UNIT_SCOPE_SYSTEM,
        UNIT_SCOPE_USER,
} UnitScope;

/* Read the names in every directory of the search path below root. For the user scope, home is the user's
 * home directory and runtime_dir their $XDG_RUNTIME_DIR (either may be NULL). */
int unit_index_new(FsRoot *root, UnitScope scope, const char *home, const char *runtime_dir, UnitIndex **ret);
UnitIndex *unit_index_free(UnitIndex *idx);

/* The search path, highest priority first. */
char *const *unit_index_search_path(const UnitIndex *idx);
FsRoot *unit_index_root(const UnitIndex *idx);

/* Every unit file name with the given suffix ("service"), sorted: plain units, templates ("foo@.service"),
 * aliases and masked names included. */
int unit_index_list(const UnitIndex *idx, const char *suffix, char ***ret);

/* The same without aliases: one name per unit, as a list of units shows them (an alias is a note on its
 * unit, see unit_index_aliases()). */
int unit_index_list_units(const UnitIndex *idx, const char *suffix, char ***ret);

/* The unit's own name (its id) for name: an alias ("sshd.service", a link to ssh.service) is followed to
 * the unit it names, an instance of an aliased template to the instance of the target template; any other
 * name is its own id, found or not. -EINVAL for an invalid name. */
int unit_index_resolve(const UnitIndex *idx, const char *name, char **ret_id);

/* The other names of the unit id: the aliases that link to it, sorted (empty when none). Alias= lines of
 * [Install] count only once enabled, when they are links, as for systemd. */
int unit_index_aliases(const UnitIndex *idx, const char *id, char ***ret);

/* The file behind a unit's id (unit_index_fragment()). */
typedef struct UnitFragment {
        const char *path; /* as systemd reports FragmentPath: in the unit directory, or a link's target */
        const char *file; /* the file to read (links followed) */
        bool masked;      /* a link to /dev/null, or an empty file */
} UnitFragment;

/* The fragment of id (an instance without a file of its own: its template's). -ENOENT when there is none.
 * The strings belong to the index. */
int unit_index_fragment(const UnitIndex *idx, const char *id, UnitFragment *ret);

/* The drop-in files of a unit known by names (id first), as systemd 252 orders them: NAME.d of every name,
 * templates' and dash-prefixes' ones, then the type-wide "service.d"; a file name in a directory earlier in
 * the search path masks the same name later; sorted by file name. */
int unit_index_dropins(const UnitIndex *idx, char *const *names, char ***ret);

/* What the manager supplies for specifiers (tests set it). */
void unit_index_set_host(UnitIndex *idx, const UnitHost *host);
const UnitHost *unit_index_host(const UnitIndex *idx);
