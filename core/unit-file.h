/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "fs-root.h"
#include "service.h"
#include "unit-index.h"
#include "unit-specifier.h"
#include "unit-syntax.h"

/* Units read from disk, as systemd 252 loads them: the unit index (unit-index.h) finds the files, the
 * syntax of systemd.syntax(7) (unit-syntax.h) and the keys of systemd.service(5) (unit-fields.c) read
 * them. */

/* The effective definition of one service, fragment and drop-ins applied. A unit that is masked or does
 * not exist is not an error: load_state says so. -EINVAL for an invalid name (see unit_name_problem()). */
int unit_index_load(UnitIndex *idx, const char *name, Service **ret);
