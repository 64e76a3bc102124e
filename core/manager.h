/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "service.h"

/* The running service manager, over sd-bus (the only file that includes it). */
typedef struct Manager Manager;

/* As systemctl connects: the manager's private socket (/run/systemd/private, or the user's), then the bus.
 * -ECONNREFUSED/-ENOENT etc. when no manager answers. */
int manager_connect(bool user, Manager **ret);
Manager *manager_free(Manager *m);

typedef struct UnitInfo {
        char *name, *load_state, *active_state, *sub_state, *description;
        char *file_state; /* from ListUnitFiles: "enabled", "static"..., NULL for units without a file */
} UnitInfo;

void unit_info_free_many(UnitInfo *u, size_t n);

/* All services: those loaded (ListUnitsByPatterns) and those with a unit file (ListUnitFilesByPatterns),
 * templates included, sorted by name. */
int manager_list_services(Manager *m, UnitInfo **ret, size_t *ret_n);

/* The effective settings of a service from the manager's properties (it is loaded if it is not). */
int manager_load_service(Manager *m, const char *name, Service **ret);

/* Only what a list needs: description, fragment, drop-ins, RootDirectory=, RootImage= (five calls, not thirty). */
int manager_load_summary(Manager *m, const char *name, Service **ret);

int manager_reload(Manager *m);
int manager_restart(Manager *m, const char *name);

/* The manager's last error message, for the operator ("Unit foo.service not found."). */
const char *manager_last_error(const Manager *m);
