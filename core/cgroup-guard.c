/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>

#include "cgroup-guard.h"
#include "fileio.h"
#include "macro.h"

#define PROC_FILE_MAX (64u * 1024)

int cgroup_from_proc_text(const char *text, char **ret) {
        const char *unified = NULL, *named = NULL;
        size_t unified_len = 0, named_len = 0;
        for (const char *l = text; l && *l;) {
                const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l);
                /* ID:CONTROLLERS:PATH, the path may hold ':' itself */
                const char *c1 = memchr(l, ':', end - l), *c2 = c1 ? memchr(c1 + 1, ':', end - c1 - 1) : NULL;
                if (c2) {
                        size_t cl = c2 - c1 - 1;
                        if (cl == strlen("name=systemd") && strncmp(c1 + 1, "name=systemd", cl) == 0) {
                                named = c2 + 1;
                                named_len = end - named;
                        } else if (cl == 0 && c1 - l == 1 && l[0] == '0') {
                                unified = c2 + 1;
                                unified_len = end - unified;
                        }
                }
                l = nl ? nl + 1 : NULL;
        }
        const char *p = named ? named : unified;
        size_t n = named ? named_len : unified_len;
        if (!p || n == 0 || p[0] != '/')
                return -ENODATA;
        char *s = strndup(p, n);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

bool cgroup_is_within(const char *cgroup, const char *unit_cgroup) {
        size_t ul = unit_cgroup ? strlen(unit_cgroup) : 0;
        while (ul > 0 && unit_cgroup[ul - 1] == '/')
                ul--;
        if (ul == 0 || unit_cgroup[0] != '/' || !cgroup)
                return false;
        /* a match begins and ends at a component */
        for (const char *at = cgroup; (at = strchr(at, '/')); at++)
                if (strncmp(at, unit_cgroup, ul) == 0 && (at[ul] == 0 || at[ul] == '/'))
                        return true;
        return false;
}

static int read_proc(pid_t pid, const char *what, char **ret) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
        /* /proc files have no size: read until the end */
        return read_virtual_file(path, PROC_FILE_MAX, ret, NULL);
}

static pid_t parent_of(pid_t pid) {
        _cleanup_free_ char *status = NULL;
        if (read_proc(pid, "status", &status) < 0)
                return 0;
        const char *p = strstr(status, "\nPPid:");
        return p ? (pid_t)strtol(p + strlen("\nPPid:"), NULL, 10) : 0;
}

int cgroup_find_ancestor_in(pid_t pid, const char *unit_cgroup, pid_t *ret_pid, char **ret_comm) {
        /* a loop of parents cannot be, but a bound costs nothing */
        for (unsigned depth = 0; pid > 0 && depth < 1024; depth++, pid = parent_of(pid)) {
                _cleanup_free_ char *text = NULL, *cg = NULL, *comm = NULL;
                int r = read_proc(pid, "cgroup", &text);
                if (r >= 0)
                        r = cgroup_from_proc_text(text, &cg);
                if (r < 0 && depth == 0)
                        return r; /* not even our own: nothing can be told */
                if (r < 0)
                        continue; /* an ancestor that exited meanwhile */
                if (!cgroup_is_within(cg, unit_cgroup))
                        continue;
                if (read_proc(pid, "comm", &comm) >= 0)
                        comm[strcspn(comm, "\n")] = 0;
                else if (!(comm = strdup("?")))
                        return -ENOMEM;
                *ret_pid = pid;
                *ret_comm = TAKE_PTR(comm);
                return 1;
        }
        return 0;
}
