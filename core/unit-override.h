/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "service.h"
#include "unit-index.h"

/* The Exec*= lines among --set KEY=VALUE overrides, parsed into the service as systemd reads the drop-in
 * that carries them (a later ExecStart= adds a command, an empty one resets), so their programs join the
 * closure. idx expands specifiers; without one (the manager's service) a value with a '%' is -EINVAL. */
int service_apply_exec_overrides(Service *s, const UnitIndex *idx, char *const *overrides);
