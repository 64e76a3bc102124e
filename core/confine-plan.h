/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "closure.h"
#include "confine.h"
#include "dpkg-db.h"
#include "service.h"
#include "confine-suggest.h"

/* What goes into a service's root: the closure of every Exec* program (a bare name looked up as systemd
 * does), files and ELF programs named in arguments, /bin/sh, packages, the operator's paths, the unit's own
 * writable places, /etc/ld.so.cache, with s->learned the unit's learned set (below the root's
 * /var/lib/sdconfine/learned, what the rest does not show); then conflicts and the mount budget. db may be
 * NULL (no packages). */
int confine_plan_build(ClosureContext *ctx, DpkgDb *db, const Service *svc, const ConfineSettings *s,
                       bool force, MountPlan *ret, Closure **ret_closure, char **reterr);

/* Whether the root of plan shows path (a bind of it, or of a directory above it, by destination or source;
 * or one of the unit's State/Cache/Logs/Runtime/ConfigurationDirectory=, which systemd binds), and whether
 * writable there. */
bool confine_plan_covers(const MountPlan *p, const Service *svc, const char *path);
bool confine_plan_covers_writable(const MountPlan *p, const Service *svc, const char *path);

/* The program systemd runs for a bare Exec name ("true"): its fixed search path, below the root. */
int confine_resolve_bare(FsRoot *root, const char *name, char **ret);
