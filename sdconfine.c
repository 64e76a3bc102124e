/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>
#include <stdbool.h>
#include <string.h>

#include "cli.h"
#include "tui.h"

/* The program picks its face: with no verb (or only options) the interactive program, else the command
 * line. The two faces never call each other. */
int main(int argc, char **argv) {
        bool tui = argc < 2 || strcmp(argv[1], "tui") == 0 ||
                   (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 &&
                    strcmp(argv[1], "--version") != 0);
        if (!tui)
                return cli_main(argc, argv); /* it loads the locale when it prints text (output_init()) */
        /* the character set only (wide characters, display widths): the messages are English */
        setlocale(LC_CTYPE, "");
        if (argc >= 2 && strcmp(argv[1], "tui") == 0)
                return tui_main(argc - 1, argv + 1);
        return tui_main(argc, argv);
}
