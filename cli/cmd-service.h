/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
