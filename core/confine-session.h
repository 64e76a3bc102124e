/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "confine-plan.h"
#include "confine.h"
#include "service-source.h"

/* What the command line and the screens both do with a service: compute its confinement (service, closure,
 * plan, suggestions, drop-in text) and write or remove the drop-in. One implementation; the callers only
 * show the results. Messages are in the operator's words. */

typedef struct ConfineResult {
        Service *svc;
        MountPlan plan;
        Closure *closure;
        Suggestion *suggestions; /* those not accepted */
        size_t n_suggestions;
        char **accepted; /* "--preset users: reason" for each suggestion taken with --suggested */
        char *text;
        char *error;
} ConfineResult;

int confine_compute(ServiceSource *src, ClosureContext *ctx, DpkgDb *db, const char *unit,
                    ConfineSettings *settings, bool suggested, bool force, ConfineResult *ret);
void confine_result_done(ConfineResult *r);

/* The drop-in's path as the operator finds it (below --root when given). */
char *confine_dropin_display_path(const ServiceSource *src, const char *unit, bool runtime);

/* Write text as the unit's drop-in, then reload (and restart) through the manager when one runs. On
 * failure *ret_msg says what failed, why and what to do; on success what was done. */
int confine_write(ServiceSource *src, int root_fd, const char *unit, bool runtime, const char *text,
                  bool reload, bool restart, char **ret_msg);
int confine_remove(ServiceSource *src, int root_fd, const char *unit, bool runtime, bool reload,
                   char **ret_msg);

/* Export: text as DIR/etc/systemd/system/UNIT.d/50-confinement.conf (the directories made as needed), for
 * configuration management. *ret_msg says what was written or what failed. */
int confine_export(const char *dir, const char *unit, const char *text, char **ret_msg);
