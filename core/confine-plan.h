/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "closure.h"
#include "confine.h"
#include "dpkg-db.h"
#include "service.h"

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

/* What a service most likely needs that its closure does not show, each with its reason: presets and
 * overrides to add. From the unit (User=, root, ...), its closure (TLS and resolver libraries) and the
 * packages of its programs (db may be NULL). */
typedef struct Suggestion {
        char *preset;   /* or NULL */
        char *override; /* KEY=VALUE, or NULL */
        char *reason;
} Suggestion;
int confine_suggest(const Service *svc, const Closure *c, DpkgDb *db, const ConfineSettings *s,
                    Suggestion **ret, size_t *ret_n);
void suggestions_free(Suggestion *l, size_t n);

/* The program systemd runs for a bare Exec name ("true"): its fixed search path, below the root. */
int confine_resolve_bare(FsRoot *root, const char *name, char **ret);
