/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "closure.h"
#include "manager.h"
#include "service.h"
#include "unit-file.h"

/* Where services come from for a command: the running manager, or the unit files on disk (with --root, or
 * when no manager answers). One place decides, for every command and the TUI. */
typedef struct ServiceSource {
        Manager *manager;
        FsRoot *root;
        UnitIndex *index;
        bool user;
        const char *root_dir;
        char *notice; /* "no system service manager answers ...; reading the unit files" when it fell back */
} ServiceSource;

typedef struct ServiceSourceOptions {
        const char *root; /* --root: always offline */
        bool user;
        bool offline; /* --offline: do not ask the manager */
} ServiceSourceOptions;

/* On failure *ret_error says what failed in the operator's words. */
int service_source_open(const ServiceSourceOptions *o, ServiceSource *ret, char **ret_error);
void service_source_close(ServiceSource *s);
const char *service_source_name(const ServiceSource *s); /* "manager" or "unit files" */

/* Load one service; <0 with *ret_error in words when it cannot. */
int service_source_load(ServiceSource *s, const char *name, Service **ret, char **ret_error);

/* The unit's own name for name and all its names (the id first, then its aliases): an alias
 * ("redis.service", a link to redis-server.service, or an enabled Alias=) is the unit it names. Live from
 * the manager (Id, Names), offline from the unit index's links. Call it before apply, revert, diff, show or
 * export so that a unit is one unit whatever name the operator gives (ret_names may be NULL). */
int service_source_resolve(ServiceSource *s, const char *name, char **ret_id, char ***ret_names,
                           char **ret_error);

/* The service as its own unit files define it, without sdconfine's drop-in (50-confinement.conf under any
 * of its names): what suggestions, notes and "the unit's own" settings must be made of. Always read from
 * the unit files on disk, also when the manager answers: the manager merges every drop-in into one value
 * per property (lists appended, CapabilityBoundingSet= combined, Environment= replaced in place), so the
 * part our drop-in added cannot be subtracted from what it reports. The files are those the manager read
 * at its last reload, unless someone edited them since without daemon-reload. */
int service_source_load_own(ServiceSource *s, const char *name, Service **ret, char **ret_error);

/* Whether sdconfine's own drop-in is among the service's drop-ins (under its own name or an alias's: see
 * service_confinement_dropins() in service.h for where), or another one sets RootDirectory=. */
typedef enum Confinement { CONFINE_NONE, CONFINE_OURS, CONFINE_FOREIGN } Confinement;
Confinement service_confinement(const Service *s);

/* The closure roots of a service: the program of every Exec* line, and its PATH and LD_LIBRARY_PATH. */
int service_add_closure(const Service *s, Closure *c, char **ret_error);
