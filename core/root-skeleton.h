/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdio.h>

#include "confine-settings.h"
#include "mount-plan.h"
#include "service.h"

/* The root of a confined service on this host: a skeleton directory of its own on disk (empty mount points
 * and the host's directory symlinks such as /lib -> usr/lib), reached through the host's read-only view
 * (host-view.h), so that the root is read-only without ReadOnlyPaths=/, whose recursive remount systemd
 * repeats for every Exec line, and systemd creates no mount point in it at start. Paths that reach the
 * same file through a symlinked directory (/lib/x and /usr/lib/x) become one bind. Elsewhere (an image
 * below --root, an export for other hosts, DynamicUser=) the root stays a runtime directory. */
#define ROOT_SKELETON_DIR "/var/lib/sdconfine/root"
/* The drop-in's line that says what the skeleton holds beyond its binds' mount points (JSON) */
#define ROOT_SKELETON_MAGIC "# sdconfine-root: "

/* Rewrite each bind's destination through the symlinked directories on its way (read_link: the host's
 * links), recording them in p->skeleton_links; binds that meet at one destination become one. */
int root_skeleton_canonical(MountPlan *p, ReadLinkFn read_link, void *userdata);

/* Give the plan a skeleton for unit svc: its directory, the directories systemd mounts on (the API
 * file systems, the unit's own state, cache, logs and configuration directories) and the view it is read
 * through (added to p->views). 0 and no skeleton where the host cannot have one (mounts: the host's). */
int root_skeleton_plan(MountPlan *p, const Service *svc, char *const *mounts, ReadLinkFn read_link,
                       void *userdata);

/* The RootDirectory= of a plan with a skeleton (malloc'd), and the drop-in's marker line. */
int root_skeleton_root_directory(const MountPlan *p, char **ret);
int root_skeleton_render(FILE *f, const MountPlan *p);
/* Whether the skeleton has path as a link (the host's /var/run -> /run) */
bool root_skeleton_has_link(const MountPlan *p, const char *path);

/* Make the skeleton a drop-in's text asks for (nothing without the marker), below root_fd: entries are
 * only added, since a running service's mounts sit on the old ones; -EBUSY for an entry of another type
 * while the service runs in it. */
int root_skeleton_sync(int root_fd, const char *dropin_text);

/* Remove the skeleton a drop-in's text names, unless a process still runs in it (then it stays: -EBUSY). */
int root_skeleton_remove(int root_fd, const char *dropin_text);
