/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Capability names through libcap (the only file that includes its header). */

/* "cap_net_raw" or "CAP_NET_RAW" (case-insensitive, as cap_from_name()), or a number. -EINVAL when unknown.
 */
int caps_from_name(const char *name, unsigned *ret);
/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap, or libcap's idea). */
unsigned caps_last_cap(void);

/* The file capabilities of an open file in libcap's text form ("cap_net_raw=ep"); *ret NULL when it has none.
 */
int caps_of_fd(int fd, char **ret);

/* A list of capability names (space or comma separated, case-insensitive, "CAP_" optional) as a mask.
 * -EINVAL with *ret_bad naming the first unknown one. */
int caps_parse_list(const char *list, uint64_t *ret, char **ret_bad);

/* The names of a mask in systemd's spelling: "CAP_CHOWN CAP_NET_BIND_SERVICE" (malloc'd, "" for none). */
int caps_mask_to_names(uint64_t mask, char **ret);

/* Whether this process may write unit directories and talk to the manager: root with CAP_DAC_OVERRIDE in
 * its effective set. Otherwise *ret_missing names what is missing. */
bool caps_self_privileged(const char **ret_missing);
