/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "closure.h"
#include "confine-settings.h"
#include "dropin-render.h"
#include "mount-plan.h"
#include "service.h"

/* Confinement: settings (confine-settings.h) -> the root's mounts (mount-plan.h, built by confine-plan.h) ->
 * the drop-in text (dropin-render.h). This header holds the policy between them: conflicts between a unit
 * and its confinement, and what holds a root daemon in. Pure: the caller computes closures and reads files;
 * this module decides. */

/* Conflicts between the unit and confinement: -EPERM with a reason when it must be refused (unless
 * forced), warnings added otherwise. */
int confine_check_conflicts(const Service *svc, const ConfineSettings *s, bool force, MountPlan *p,
                            char **reterr);

/* Notes on the closure's files that carry file capabilities or set-id bits, and what the mode does to them.
 */
int confine_note_privileged(const Closure *c, const ConfineSettings *s, MountPlan *p);

/* The capabilities a root process can leave its root with, each with the way out in words. */
typedef struct ConfineEscapeCap {
        unsigned cap;
        const char *name, *way;
} ConfineEscapeCap;
extern const ConfineEscapeCap confine_escape_caps[];
/* What sdconfine keeps for a root daemon by default: switching users, files, signals, network, limits. */
#define CONFINE_ROOT_CAPS                                                                                    \
        ((UINT64_C(1) << 0) | (UINT64_C(1) << 1) | (UINT64_C(1) << 3) | (UINT64_C(1) << 4) |                 \
         (UINT64_C(1) << 5) | (UINT64_C(1) << 6) | (UINT64_C(1) << 7) | (UINT64_C(1) << 8) |                 \
         (UINT64_C(1) << 10) | (UINT64_C(1) << 11) | (UINT64_C(1) << 12) | (UINT64_C(1) << 13) |             \
         (UINT64_C(1) << 14) | (UINT64_C(1) << 15) | (UINT64_C(1) << 23) | (UINT64_C(1) << 24) |             \
         (UINT64_C(1) << 28) | (UINT64_C(1) << 29) | (UINT64_C(1) << 34))

/* Harden the plan for a service that keeps root in the host's user namespace, and say in words which user it
 * runs as, where, and whether the confinement holds against it. ambient: the unit's AmbientCapabilities=;
 * file_caps: capabilities files of the closure carry; chroot_by: a program that calls chroot(2) (it keeps
 * CAP_SYS_CHROOT), or NULL. */
int confine_harden(const Service *svc, const ConfineSettings *s, uint64_t file_caps, const char *chroot_by,
                   MountPlan *p);

/* For a root daemon that switches to a user its configuration names: suggest starting it as that user, with
 * the capabilities it needs, so that the user namespace can stay. A note, not a setting: it changes how the
 * daemon starts, so --suggested does not take it. */
int confine_suggest_user(const Service *svc, const char *user, const char *where, uint64_t bounding,
                         MountPlan *p);
