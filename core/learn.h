/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "learned-set.h"

/* Watch what a unit's processes open, with fanotify (the only file that uses it): permission events for
 * every open and exec on every real file system, so that the opening process waits, alive, until it is
 * answered, and its cgroup can be read even when it would exit at once. Every event is answered FAN_ALLOW:
 * learning never denies anything. What a process of the unit opens goes into a learned set: the path it
 * asked for (read from its open call, verified to lead to the same file), read or write (from the flags of
 * that call), the first process (pid, comm). Directories too; a directory in which the unit created a file
 * counts as written.
 *
 * While the watch is on, the watching process must not open files on the file systems watched: the open
 * would wait for an answer only it can give. Compute everything first. */

typedef struct Learner Learner;

/* Is a path the plan already shows? (for the count of new files) */
typedef bool (*LearnKnownFn)(const char *path, void *userdata);

/* fanotify_init: -EPERM without CAP_SYS_ADMIN, -ENOSYS/-EINVAL where the kernel has no fanotify or no
 * permission events. The set collects into a new learned set of unit. */
int learner_new(const char *unit, Learner **ret);
Learner *learner_free(Learner *l);
static inline void learner_freep(Learner **l) {
        learner_free(*l);
}

/* Which processes are the unit's: those in the cgroup (a path such as "/system.slice/foo.service", its
 * ControlGroup) or below it, on the name=systemd hierarchy (cgroup v1) or the unified one. Before the unit
 * runs, its cgroup is not known yet: with NULL, a process counts when a component of its cgroup path is the
 * unit's name. */
int learner_set_cgroup(Learner *l, const char *cgroup);

void learner_set_known(Learner *l, LearnKnownFn known, void *userdata);

/* Mark every real file system of the calling process's mount table (/proc/self/mountinfo; not proc, sysfs,
 * devtmpfs, cgroup and the like, nothing below /proc, /sys and /dev). Returns how many were marked; -errno
 * when the root file system cannot be. */
int learner_watch(Learner *l);

/* The fanotify descriptor to poll for POLLIN. */
int learner_fd(const Learner *l);

/* Answer (and learn from) every event queued now. Never blocks. */
int learner_process(Learner *l);

/* End the watch (the descriptor is closed: what was not read yet is allowed by the kernel). */
void learner_stop(Learner *l);

typedef struct LearnerStats {
        size_t events;     /* permission events answered, anyone's */
        size_t unit_opens; /* of them, by the unit's processes */
        size_t seen;       /* distinct paths learned */
        size_t new;        /* of them, what the known function does not know */
        size_t unresolved; /* opens by the unit whose path could not be told (another mount namespace) */
        size_t unnamable;  /* paths a unit file cannot name (control characters, not UTF-8) */
} LearnerStats;
void learner_stats(const Learner *l, LearnerStats *ret);

const LearnedSet *learner_set(const Learner *l);
