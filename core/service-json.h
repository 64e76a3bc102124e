/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <jansson.h>

#include "service.h"

/* The service model as JSON: Exec lines are objects {"path", "argv", "flags"}. */
int service_to_json(const Service *s, json_t **ret);

/* The same rendering as one canonical line per property ("ExecStart=path|argv...|flags"), so that two
 * models (live and offline) can be compared property by property, and differences shown. */
int service_to_lines(const Service *s, char ***ret);
