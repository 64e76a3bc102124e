/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

/* Capability names through libcap (the only file that includes its header). */

/* "cap_net_raw" or "CAP_NET_RAW" (case-insensitive, as cap_from_name()), or a number. -EINVAL when unknown. */
int caps_from_name(const char *name, unsigned *ret);
/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap, or libcap's idea). */
unsigned caps_last_cap(void);
