/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "mount-plan.h"

/* Read-only binds without systemd's per-mount cost. systemd 252 makes each BindReadOnlyPaths= read-only
 * with a remount that reads /proc/self/mountinfo again, so start-up grows with the square of the mounts
 * (1,000 binds: 4.0 s). A bind made from a read-only mount is read-only by itself (the kernel copies the
 * mount's flags), so the drop-in binds with BindPaths= from a read-only view of each host file system that
 * holds a source, mounted once at HOST_VIEW_DIR by a .mount unit sdconfine installs beside the drop-in
 * (1,000 binds: 0.3 s). The view is private (no propagation from the host) and its directory mode 0700;
 * it is outside every root. */
#define HOST_VIEW_DIR "/run/sdconfine/host"

/* The mount points of this host's file systems (from /proc/self/mountinfo), for host_view_plan. */
int host_view_mounts(char ***ret);

/* Route the plan's read-only binds through the views: a source whose path has no symlink in it (so
 * systemd's own resolution cannot leave the view) gets via_view, and the mount points it lives on are
 * listed in p->views. Writable binds stay as they are. */
int host_view_plan(MountPlan *p, char *const *mounts);

/* The .mount unit of the view of mount_point: its name (run-sdconfine-host-usr.mount) and its text. */
int host_view_unit_name(const char *mount_point, char **ret);
int host_view_unit_text(const char *mount_point, const char *version, char **ret);

/* The view units a drop-in's text asks for (its RequiresMountsFor= below HOST_VIEW_DIR), as mount points
 * of the host ("/", "/usr"). */
int host_view_wanted(const char *dropin_text, char ***ret);
