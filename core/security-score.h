/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* systemd's own measure of a unit's exposure ("systemd-analyze security", 0.0 safe to 10.0 unsafe), taken
 * offline on unit files copied into a temporary root, so that nothing is installed to measure it. */

/* The unit as the manager would load it: its name ("getty@tty1.service"), the file it comes from and its
 * drop-ins, read below root_fd (AT_FDCWD for the host). A drop-in of ours (sdconfine's header) is left out,
 * so the score is the unit's own; dropin_text (may be NULL) is then added as the candidate confinement. */
typedef struct SecurityUnit {
        const char *unit;
        const char *fragment_path;
        char *const *dropin_paths;
        int root_fd;
} SecurityUnit;

/* The score and the level word systemd gives it ("UNSAFE"). On failure *ret_error (may be NULL) says what
 * went wrong in words: systemd-analyze missing (-ENOENT), or its own message when it failed (-EIO), or an
 * output that holds no score (-EBADMSG). */
int security_score(const SecurityUnit *u, const char *dropin_text, double *ret_score, char **ret_error);

/* Parse the text output of "systemd-analyze security UNIT": the "Overall exposure level for UNIT: 9.6
 * UNSAFE" line (systemd 252's --json has no overall figure). unit may be NULL (any unit: the last line).
 * -EBADMSG when there is no such line or its figure is not 0.0 to 10.0. ret_level may be NULL. */
int security_parse_output(const char *text, const char *unit, double *ret_score, char **ret_level);
