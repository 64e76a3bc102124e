/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "cli.h"
#include "tui.h"

/* The program picks its face: with no verb (or only options) the interactive program, else the command
 * line. The two faces never call each other. */
int main(int argc, char **argv) {
        setlocale(LC_ALL, "");
        if (argc >= 2 && strcmp(argv[1], "tui") == 0)
                return tui_main(argc - 1, argv + 1);
        if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 &&
                         strcmp(argv[1], "--version") != 0))
                return tui_main(argc, argv);
        return cli_main(argc, argv);
}
