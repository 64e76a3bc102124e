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

/* Whether sdconfine's own drop-in is among the service's drop-ins, or another one sets RootDirectory=. */
typedef enum Confinement { CONFINE_NONE, CONFINE_OURS, CONFINE_FOREIGN } Confinement;
Confinement service_confinement(const Service *s);

/* The closure roots of a service: the program of every Exec* line, and its PATH and LD_LIBRARY_PATH. */
int service_add_closure(const Service *s, Closure *c, char **ret_error);
