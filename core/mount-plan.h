/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "closure.h"

/* The mounts of a service's root: binds added from what the plan builder finds (confine-plan.h), then
 * sorted, deduplicated and coalesced into whole directories within the mount budget. */

typedef struct Bind {
        char *source; /* on the host */
        char *dest;   /* inside the root */
        bool writable;
        bool directory;
        bool ignore_missing;
        bool via_view;   /* read-only, bound from the host's read-only view (host-view.h) */
        const char *why; /* "closure", "argument", "path", "writable", "/bin/sh", "ld.so.cache"... */
} Bind;

typedef struct MountPlan {
        Bind *binds;
        size_t n_binds, allocated;
        char **suggestions; /* directories named in arguments: offered, not added */
        char **warnings;    /* conflicts and what they mean, in words */
        char *pid_file; /* a forking service's PIDFile= below the root's /run: its path there ("nginx.pid"),
                         * read by systemd from the root's /run on the host */
        char **runtime_dirs; /* the unit's own RuntimeDirectory= entries: $RUNTIME_DIRECTORY lists only these
                              */
        char **strings;      /* owned strings that binds' why point to */
        char **views;        /* the host mount points whose read-only views the binds come from */
        size_t coalesced_dirs; /* directories bound whole instead of their files */
        size_t exposed_files;  /* files visible only because a directory was bound whole */
        bool private_root;     /* DynamicUser= keeps runtime directories in /run/private: the root is there */
        char *skeleton;        /* the root's skeleton on disk (root-skeleton.h); NULL: a runtime directory */
        char **skeleton_links; /* its links: path, text, path, text... */
        char **skeleton_dirs;  /* its directories beyond the binds' mount points */
        /* The service keeps root in the host's user namespace (PrivateUsers=no, or chroot-only): the drop-in
         * holds it in with a capability bounding set (bounding, unless the operator chose one), a system call
         * filter and ProtectProc=invisible. */
        bool host_root;
        uint64_t bounding;
} MountPlan;

void mount_plan_done(MountPlan *p);

/* Keep a copy of s as long as the plan (a bind's why). NULL on allocation failure. */
const char *mount_plan_intern(MountPlan *p, const char *s);

/* Add a bind (a later one for the same destination replaces an earlier one when explicit is set; otherwise
 * the first stays). */
int mount_plan_add(MountPlan *p, const char *source, const char *dest, bool writable, bool directory,
                   bool explicit_choice, const char *why);

/* Add every file of a closure: each at the path the loader asks for, bound from its real file; programs
 * also at their real path ($ORIGIN and /proc/self/exe point there). */
int mount_plan_add_closure(MountPlan *p, const Closure *c);

/* Sort by destination (parents before children) and apply the mount budget by binding whole directories
 * where most of a directory's files are bound anyway or the budget requires it. n_files_in_dir tells how
 * many entries a directory has (the caller reads the disk). */
typedef int (*DirCountFn)(const char *dir, size_t *ret, void *userdata);
/* The target of the symlink at path, as stored in the link (malloc'd). */
typedef int (*ReadLinkFn)(const char *path, char **ret, void *userdata);
int mount_plan_finish(MountPlan *p, unsigned budget, DirCountFn count, ReadLinkFn read_link, void *userdata);
