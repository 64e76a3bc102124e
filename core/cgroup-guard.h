/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Whether a process runs under a unit: the lock-out guard of "apply --restart" (an operator connected
 * through ssh.service runs below a process in its control group). */

/* The cgroup of a process from the text of /proc/PID/cgroup: the "name=systemd" hierarchy (cgroup v1 and
 * hybrid: "1:name=systemd:/system.slice/ssh.service"), else the unified one ("0::/system.slice/...").
 * -ENODATA when neither is there. Pure. */
int cgroup_from_proc_text(const char *text, char **ret);

/* Whether cgroup (as /proc shows it) lies in unit_cgroup (the unit's ControlGroup, as the manager names it):
 * the same or below it, also behind a prefix (a manager in a container names its cgroups from its own
 * root). An empty unit_cgroup or "/" contains nothing. Pure. */
bool cgroup_is_within(const char *cgroup, const char *unit_cgroup);

/* The first of pid and its ancestors (by /proc/PID/status's PPid) that runs in unit_cgroup: 1 and its PID
 * and name (comm, malloc'd) when one does, 0 when none does; < 0 when the cgroup of pid itself cannot be
 * read. */
int cgroup_find_ancestor_in(pid_t pid, const char *unit_cgroup, pid_t *ret_pid, char **ret_comm);
