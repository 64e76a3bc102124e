/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A --set KEY=VALUE (or the TUI's o) is written after sdconfine's own lines, so it wins over them. Those
 * that would undo or bypass the confinement are refused: 0 when it may be written, -EPERM with *ret_error
 * saying why and what to use instead, -EINVAL when it is no KEY=VALUE. Whether systemd knows the key at
 * all is systemd-analyze verify's to say (confine_verify_dropin). */
int override_check(const char *assignment, char **ret_error);
