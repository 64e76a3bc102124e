/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "closure.h"
#include "dpkg-db.h"
#include "service.h"

/* The closure of a unit beyond what the loader opens: what its programs need that no ELF header names, found
 * statically by rules, each file with its reason. Never executes what it inspects. */

typedef enum UnitRule {
        UNIT_RULE_SCRIPTS = 1 << 0, /* shell scripts: the commands they run, the files they source and name */
        UNIT_RULE_MODULES = 1 << 1, /* interpreter modules (Perl, Python), with their extensions' libraries */
        UNIT_RULE_PACKAGE = 1 << 2, /* the programs' packages: conffiles, files, sibling packages */
        UNIT_RULE_PLUGINS = 1 << 3, /* NSS modules, the PAM stack, gconv, the locale LANG names */
        UNIT_RULE_STATE = 1 << 4,   /* writable state by ownership and by name */
} UnitRule;

/* A directory the service writes, and the rule that made it writable, in words. */
typedef struct UnitWritable {
        char *path;
        char *reason;
        bool directory; /* else a file of its own directly in /var/log and the like */
} UnitWritable;

typedef struct UnitExtras {
        UnitWritable *writable;
        size_t n_writable;
        /* directories of its own bound whole, read-only (/etc/munin, /etc/postgresql), with the reason */
        UnitWritable *dirs;
        size_t n_dirs;
        /* the user a root daemon switches to, as its configuration names it ("www-data"), and where */
        char *run_as, *run_as_where;
        /* a program of the closure that calls chroot(2) itself (sshd, vsftpd), or NULL */
        char *chroot_by;
        /* what a rule found but is never bound (/etc/shadow, /root, /home, other services' keys), in words */
        char **hazards;
} UnitExtras;

void unit_extras_done(UnitExtras *x);

/* Whether a path is never bound, whatever a rule found: /etc/shadow, /etc/gshadow, /root, /home and below,
 * private keys (/etc/ssl/private, *.key and *_key files below /etc) unless below /etc/OWN where OWN is one of
 * own (the unit's and its packages' names). */
bool unit_path_is_hazard(const char *path, char *const *own);

/* Directories that hold much of the system (/usr/bin, /etc, /usr/lib/x86_64-linux-gnu...): never read whole
 * because a script names them, and never bound whole to save mounts. */
bool unit_dir_is_wide(const char *path);

/* What the rules did over one closure in one run, for the units that follow: a file a unit's rules walked (a
 * script's commands, a module's imports) is not walked again for a later unit with the same PATH,
 * LD_LIBRARY_PATH and rules, whose closure holds its files already; it is walked again when it changed
 * (asked for as a program after being data, sourced after being read). Under the package, state and plugin
 * rules, which follow each unit's own packages, units share nothing. A hazard a shared file names is
 * reported for the first unit only. */
typedef struct UnitRun UnitRun;
int unit_run_new(UnitRun **ret);
UnitRun *unit_run_free(UnitRun *run);

/* Apply rules (UnitRule bits) to c, which holds the closure of the unit's programs. db may be NULL (no
 * package rules). env: the unit's PATH and LD_LIBRARY_PATH. Files go into c with their reasons; writable
 * directories and hazards into ret. run: the run's walks over c, when several units share c (may be NULL). */
int unit_closure_extend(Closure *c, UnitRun *run, DpkgDb *db, const Service *svc, const ClosureEnv *env,
                        unsigned rules, UnitExtras *ret);
