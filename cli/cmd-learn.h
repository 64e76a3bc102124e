/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "options.h"

#define LEARN_DEFAULT_SECONDS 60

/* sdconfine learn UNIT: watch what the running service opens and keep it as the unit's learned set. */
int cmd_learn(CliOptions *o);
