/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

typedef struct TuiOptions {
        const char *root;
        bool user, offline, ascii;
} TuiOptions;

/* The interactive program: the service list, then a service's settings, closure, mounts and drop-in. */
int tui_run(const TuiOptions *o);
/* The interactive program's entry point: sdconfine [--root DIR] [--user] [--offline] [--ascii]. */
int tui_main(int argc, char **argv);
