/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "options.h"

int cmd_list(CliOptions *o);
int cmd_show(CliOptions *o);
