/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <jansson.h>

#include "macro.h"

/* A json_t reference dropped at the end of its scope (json_decrefp() comes with jansson). */
#define _cleanup_json_ _cleanup_(json_decrefp)
