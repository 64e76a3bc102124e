/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>

/* The one program sdconfine runs: the operator's own "--check CMD" of apply --try (a curl, a banner check),
 * through /bin/sh -c on the host, with stdin from /dev/null. Never a program of a service. */

/* Run cmd; *ret_status is its exit status (128+N when killed by signal N); *ret_output the end of what it
 * wrote to stdout and stderr (at most 4 KiB). After timeout_ms it is killed with its process group:
 * -ETIMEDOUT, with *ret_output set; the same, -EINTR, as soon as *stop (may be NULL) is set. */
int run_check(const char *cmd, unsigned timeout_ms, volatile sig_atomic_t *stop, int *ret_status,
              char **ret_output);

/* Run a program of the host that sdconfine uses as a tool (systemd-analyze, dot), never a service's: argv[0]
 * is looked up in PATH, no shell. input (may be NULL: /dev/null) is written to its stdin. *ret_output is all
 * it wrote to stdout (-EFBIG beyond max_output bytes), *ret_errors the end of its stderr (at most 4 KiB);
 * *ret_status its exit status (128+N when killed by signal N). -ENOENT (or the exec's own error) when the
 * program cannot be run; -ETIMEDOUT after timeout_ms, the program killed with its process group. */
int run_program(char *const *argv, const char *input, size_t max_output, unsigned timeout_ms, int *ret_status,
                char **ret_output, char **ret_errors);
