/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "fs-root.h"
#include "service.h"

/* Units read from disk, as systemd 252 loads them: its search path, aliases, masks, templates and
 * instances, drop-ins, and the syntax of systemd.syntax(7) and systemd.service(5). */

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

/* Every unit file name with the given suffix ("service"), sorted: plain units, templates ("foo@.service"),
 * aliases and masked names included. */
int unit_index_list(const UnitIndex *idx, const char *suffix, char ***ret);

/* The effective definition of one service, fragment and drop-ins applied. A unit that is masked or does
 * not exist is not an error: load_state says so. -EINVAL for an invalid name (see unit_name_problem()). */
int unit_index_load(UnitIndex *idx, const char *name, Service **ret);

/* What the manager supplies for specifiers: host name, machine id, boot id... (tests set them). */
typedef struct UnitHost {
        const char *hostname, *machine_id, *boot_id, *kernel_release, *architecture, *os_id;
        const char *user_name, *user_home, *user_shell; /* the manager's user: root for the system */
        unsigned uid, gid;
} UnitHost;
void unit_index_set_host(UnitIndex *idx, const UnitHost *host);

/* Split one value as systemd's extract_first_word() with EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE does.
 * Returns 1 and a word, 0 at the end, -EINVAL on a bad quote or escape. */
int unit_extract_word(const char **p, char **ret);
