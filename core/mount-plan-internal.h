/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "hashmap.h"
#include "mount-plan.h"

/* Shared by mount-plan.c and mount-coalesce.c. */

/* The binds by destination (pointing into p->binds: valid until the plan changes). */
Hashmap *mount_plan_dest_index(const MountPlan *p);
/* The plan shows path as the host has it: bound where it is, itself or as part of a directory bound whole
 * where it is. With exclude_self, only a directory above path counts. */
bool mount_plan_shown_as_on_host(Hashmap *dests, const char *path, bool exclude_self);
/* Whether b shows nothing a directory bound whole above it would not show. */
bool mount_plan_absorbable(const Bind *b, Hashmap *dests, ReadLinkFn read_link, void *userdata);

/* Bind directories whole whatever the depth of the binds below them: where every file of the subtree is in
 * the plan, or what the plan lacks of it belongs to one package the plan binds files of. */
int mount_plan_coalesce_subtrees(MountPlan *p, const SubtreeOps *ops, ReadLinkFn read_link, void *userdata);

/* What binding dir whole would show that the plan does not: *ret_exposed files and some examples (NULL
 * padded). -E2BIG when the subtree is too large to walk. */
int mount_plan_scan_exposed(const MountPlan *p, const SubtreeOps *ops, const char *dir, size_t *ret_exposed,
                            char *examples[DIR_MERGE_EXAMPLES]);

/* Note m (its strings taken) among the plan's directories bound whole; the records of directories below
 * m->dir fold into it. Updates coalesced_dirs and exposed_files. */
int mount_plan_record_merge(MountPlan *p, DirMerge *m);
void dir_merge_done(DirMerge *m);
