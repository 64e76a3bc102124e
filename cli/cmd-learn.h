/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* sdconfine learn UNIT: watch what the running service opens and keep it as the unit's learned set. */
int cmd_learn(int argc, char **argv);
