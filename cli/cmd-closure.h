/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "options.h"

/* closure FILE|UNIT...: the runtime closure as a tree, a list or JSON */
int cmd_closure(CliOptions *o);
