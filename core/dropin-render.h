/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "confine-settings.h"
#include "mount-plan.h"

/* The drop-in text: header (tool, version, settings), the root, the mode's flags written both ways, the
 * overrides, the binds. -EINVAL with a reason for a path systemd cannot be told (newline, control chars). */
int confine_render_dropin(const ConfineSettings *s, const MountPlan *p, const char *version, char **ret,
                          char **reterr);

/* Escape a path for a Bind*Paths= value: "%" -> "%%", "\\", ":", spaces and quotes backslash-escaped.
 * -EINVAL for newlines and other control characters, which no unit file can carry here. */
int confine_escape_path(const char *path, char **ret);
