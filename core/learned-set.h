/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "confine.h"

/* A unit's learned set: the files and directories its processes were seen to open ('sdconfine learn'), kept
 * as JSON below a root directory in var/lib/sdconfine/learned/UNIT.json:
 *   {"unit": "foo.service", "files": [{"path": "/etc/foo.conf", "access": "read", "pid": 42, "comm": "foo"}]}
 * with, where they apply, "real" (the file behind path when path goes through a symlink) and "directory". */

#define LEARNED_DIR "var/lib/sdconfine/learned"
#define LEARNED_FILE_MAX (64u * 1024 * 1024)

typedef struct LearnedFile {
        char *path; /* absolute, as the process asked for it (verified to lead to the file it opened) */
        char *real; /* the file behind path when they differ, else NULL */
        bool write; /* opened for writing at least once; for a directory: the service created files in it */
        bool directory;
        uint32_t pid; /* the first process seen opening it */
        char *comm;   /* its name then (printable ASCII; anything else is shown as '?') */
} LearnedFile;

typedef struct LearnedSet LearnedSet;

int learned_set_new(const char *unit, LearnedSet **ret);
LearnedSet *learned_set_free(LearnedSet *s);
static inline void learned_set_freep(LearnedSet **s) {
        learned_set_free(*s);
}

const char *learned_set_unit(const LearnedSet *s);
size_t learned_set_size(const LearnedSet *s);
/* In the order added (sorted by path once loaded or saved). */
const LearnedFile *learned_set_file(const LearnedSet *s, size_t i);
const LearnedFile *learned_set_get(const LearnedSet *s, const char *path);

/* Whether a path can be kept (absolute, valid UTF-8, no control characters, shorter than PATH_MAX): a file
 * name a unit file or JSON cannot carry is refused, not mangled. */
bool learned_path_is_valid(const char *path);

/* Add what a process opened. The first process seen stays; a write wins over a read. Returns 1 when path is
 * new, 0 when it was known (updated), -EINVAL for a path learned_path_is_valid() refuses. */
int learned_set_add(LearnedSet *s, const char *path, const char *real, bool write, bool directory,
                    uint32_t pid, const char *comm);

/* The union of both sets into `into` (write wins; the first process seen in `into` stays). */
int learned_set_merge(LearnedSet *into, const LearnedSet *from);

/* JSON, and back: -EINVAL with *reterr in words for anything that is not a learned set (reterr may be NULL).
 */
int learned_set_to_json_string(const LearnedSet *s, char **ret);
int learned_set_from_json_string(const char *text, LearnedSet **ret, char **reterr);

/* "var/lib/sdconfine/learned/foo.service.json": relative to a root. -EINVAL for an invalid unit name. */
int learned_set_path(const char *unit, char **ret);

/* The unit's learned set below root_fd: -ENOENT when there is none, -EINVAL (with *reterr) when the file is
 * not a learned set of that unit. */
int learned_set_load(int root_fd, const char *unit, LearnedSet **ret, char **reterr);

/* Write s as its unit's learned set below root_fd, atomically (atomic_write_at), making the directories. */
int learned_set_save(int root_fd, const LearnedSet *s);

/* What a later learn does: the set already saved (if any) merged with s, then saved. -EINVAL (with
 * *reterr) when the saved file is corrupt: it is left alone. */
int learned_set_merge_save(int root_fd, const LearnedSet *s, char **reterr);

/* For export --json and import: the unit's learned set as JSON text (-ENOENT when it has none), and a set
 * from such text merged into the unit's learned set below root_fd (-EINVAL with *reterr when the text is not
 * a learned set of that unit, or the one there is corrupt). */
int learned_set_export(int root_fd, const char *unit, char **ret, char **reterr);
int learned_set_import(int root_fd, const char *unit, const char *json, char **reterr);

/* Paths the confinement's mode brings or that are the root's own, never learned or bound: /proc, /sys, /dev,
 * /tmp, /var/tmp, the roots below /run/confinement. */
bool learned_path_is_skipped(const char *path);

/* What learning saw but is never bound: unit_path_is_hazard(path, NULL) (/etc/shadow, /etc/gshadow, /root,
 * /home, private keys below /etc), and the keys below /etc/ssh. */
bool learned_path_is_hazard(const char *path);

/* How the plan is asked about the disk and about itself (confine-plan.c gives the real ones, tests fakes). */
typedef struct LearnedPlanOps {
        /* follow path to its file: *ret_real (owned by the callee, valid until the next call), *ret_st */
        int (*chase)(const char *path, const char **ret_real, struct stat *ret_st, void *userdata);
        /* whether the root shows path already (a bind of it, or of a directory above it) */
        bool (*covered)(const char *path, void *userdata);
        /* whether path is somewhere the service can write in the root already */
        bool (*writable)(const char *path, void *userdata);
        void *userdata;
} LearnedPlanOps;

/* Add the learned files that the root does not show yet, each at the path the service asked for, from its
 * real file: read-only or writable as observed, with the reason "learned: opened by COMM". Directories the
 * service created files in are bound writable (never a wide one such as /etc or /var/lib: then its files are
 * bound one by one); directories it only read are not bound (their files are listed). Hazards become
 * warnings; files under /run are bound only when they exist at the start (the root's own /run takes what
 * the service writes there); what is gone from the disk is left out. A written file the root holds
 * read-only gets a warning. */
int learned_set_add_to_plan(const LearnedSet *s, MountPlan *p, const LearnedPlanOps *ops);
