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
