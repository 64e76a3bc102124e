/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "closure.h"
#include "fs-root.h"

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

/* Why a directory is bound whole (mount_plan_finish), and what it shows beyond the closure. */
typedef enum DirMergeWhy {
        DIR_MERGE_CLOSURE, /* every file of its subtree is in the plan already */
        DIR_MERGE_PACKAGE, /* what it adds belongs to one package whose files the plan binds */
        DIR_MERGE_DIRECT,  /* most of its direct entries are bound */
        DIR_MERGE_BUDGET,  /* the mount budget */
        _DIR_MERGE_WHY_MAX,
} DirMergeWhy;

#define DIR_MERGE_EXAMPLES 5

typedef struct DirMerge {
        char *dir;
        DirMergeWhy why;
        const char *package; /* DIR_MERGE_PACKAGE: the package ("tzdata:all"), interned in the plan */
        size_t replaced;     /* plan entries it replaced */
        size_t exposed;      /* files it shows that the plan did not */
        bool exposed_known;  /* its subtree was walked: exposed counts files at any depth, not entries */
        char *examples[DIR_MERGE_EXAMPLES]; /* some of those files, NULL after the last */
} DirMerge;

const char *dir_merge_why_to_string(DirMergeWhy w);
/* One line for the operator: "DIR (why): N binds -> 1, exposes F more files, e.g. ..." (malloc'd). */
int dir_merge_describe(const DirMerge *m, char **ret);

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
        DirMerge *merges;      /* each directory bound whole (coalesced_dirs of them), outermost only */
        size_t n_merges, allocated_merges;
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

/* Binding a directory whole, whatever the depth of the binds below it (mount-coalesce.c): its subtree is
 * walked below root, and owners (as dpkg_db_find_owners(); NULL: no package merges) tells which package
 * owns what it would add. */
typedef int (*OwnersFn)(const char *const *paths, size_t n, const char **ret_owners, void *userdata);
typedef struct SubtreeOps {
        FsRoot *root;
        OwnersFn owners;
        void *userdata;
} SubtreeOps;

/* subtree NULL: only the direct entries of a directory count. */
int mount_plan_finish(MountPlan *p, unsigned budget, DirCountFn count, ReadLinkFn read_link, void *userdata,
                      const SubtreeOps *subtree);
