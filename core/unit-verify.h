/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Check the unit with a candidate drop-in through systemd's own checker before anything is written:
 * systemd-analyze verify on a copy of the unit file beside the drop-in in a temporary directory (it loads
 * that directory first). What it says about the drop-in (an unknown key, a value it cannot parse) is a
 * refusal: -EINVAL with *ret_error in systemd's words. -ENOENT when systemd-analyze is missing. */
int unit_verify_dropin(const char *unit, const char *fragment_path, const char *dropin_text,
                       char **ret_error);
