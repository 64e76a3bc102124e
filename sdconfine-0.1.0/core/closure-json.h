/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <jansson.h>

#include "closure.h"

/* {"roots":[...], "files":[{"path","realpath","size","kind","found_via","package","needed_by":[...]}],
 *  "missing":[{"name","needed_by","reason","tried":[...]}]} */
int closure_to_json(const Closure *c, json_t **ret);
