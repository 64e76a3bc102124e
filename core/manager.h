/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service.h"

/* The running service manager, over sd-bus, and its journal, over sd-journal: the only file that includes
 * libsystemd's headers. */
typedef struct Manager Manager;

/* As systemctl connects: the manager's private socket (/run/systemd/private, or the user's), then the bus.
 * -ECONNREFUSED/-ENOENT etc. when no manager answers; -EOPNOTSUPP when libsystemd cannot be loaded
 * (manager_library_error() says why). */
int manager_connect(bool user, Manager **ret);
Manager *manager_free(Manager *m);

typedef struct UnitInfo {
        char *name, *load_state, *active_state, *sub_state, *description;
        char *file_state; /* from ListUnitFiles: "enabled", "static"..., NULL for units without a file */
} UnitInfo;

void unit_info_free_many(UnitInfo *u, size_t n);
void unit_info_sort(UnitInfo *u, size_t n); /* by name */
UnitInfo *unit_info_find(UnitInfo *u, size_t n, const char *name);

/* All services: those loaded (ListUnitsByPatterns) and those with a unit file (ListUnitFilesByPatterns),
 * templates included, sorted by name. */
int manager_list_services(Manager *m, UnitInfo **ret, size_t *ret_n);

/* The effective settings of a service from the manager's properties (it is loaded if it is not). */
int manager_load_service(Manager *m, const char *name, Service **ret);

/* The unit's own name (Id) for name, which may be an alias, and all its names (Names: the id and its
 * aliases; NULL when ret_names is NULL). The unit is loaded if it is not; a name the manager knows no file
 * for is its own id (LoadState not-found). */
int manager_unit_names(Manager *m, const char *name, char **ret_id, char ***ret_names);

/* Only what a list needs: description, fragment, drop-ins, names (the aliases are a note on the row),
 * RootDirectory=, RootImage= (six calls, not thirty). */
int manager_load_summary(Manager *m, const char *name, Service **ret);

int manager_reload(Manager *m);
int manager_restart(Manager *m, const char *name);

/* What a try watches of a unit (manager_unit_status). Strings empty when unset are NULL. */
typedef struct UnitStatus {
        char *load_state, *active_state, *sub_state;
        char *result;        /* Service.Result: "success", "exit-code", "timeout"... */
        char *type;          /* Service.Type: "simple", "oneshot"... */
        char *control_group; /* "/system.slice/ssh.service", NULL when nothing runs */
        uint32_t main_pid, n_restarts;
} UnitStatus;

void unit_status_done(UnitStatus *s);

/* The unit's state now (it is loaded if it is not). */
int manager_unit_status(Manager *m, const char *name, UnitStatus *ret);

/* Queue StartUnit, StopUnit or RestartUnit (method) for name in mode "replace", and wait until the job is
 * finished, at most timeout_usec (-ETIMEDOUT; the job stays queued). *ret_result is the job's result:
 * "done", "failed", "timeout", "canceled", "dependency", "skipped"... A unit already in the wanted state
 * gets no job: "done". */
int manager_run_job(Manager *m, const char *method, const char *name, uint64_t timeout_usec,
                    char **ret_result);

/* Forget that the unit failed (ResetFailedUnit): it shows inactive again. */
int manager_reset_failed(Manager *m, const char *name);

/* Why libsystemd could not be loaded, for the operator ("libsystemd.so.0 cannot be loaded (...): install
 * libsystemd0"), once manager_connect() or manager_read_journal() failed for it; else NULL. */
const char *manager_library_error(void);

/* The manager's last error message, for the operator ("Unit foo.service not found."). */
const char *manager_last_error(const Manager *m);

/* The lines about unit logged from since_usec to until_usec (CLOCK_REALTIME, microseconds; 0: no end):
 * its processes' (_SYSTEMD_UNIT=) and the manager's about it (UNIT=), as "IDENTIFIER[PID]: MESSAGE", control
 * characters shown as spaces. At most max lines: the last ones. An empty list (not NULL) when there are none.
 */
int manager_read_journal(const char *unit, uint64_t since_usec, uint64_t until_usec, size_t max, char ***ret);
