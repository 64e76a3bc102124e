/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>

#include "cmd-closure.h"
#include "macro.h"
#include "output.h"

static void usage(FILE *f) {
        fputs("Usage: sdconfine COMMAND [OPTIONS...]\n"
              "\n"
              "Confine systemd services into a root made only of what they need.\n"
              "\n"
              "Commands:\n"
              "  closure FILE...   show the runtime closure of programs (see 'sdconfine closure --help')\n"
              "  help              show this help\n"
              "  version           show the version\n",
              f);
}

int main(int argc, char **argv) {
        setlocale(LC_ALL, "");

        if (argc < 2) {
                usage(stdout);
                return 0;
        }
        const char *cmd = argv[1];
        if (streq(cmd, "closure"))
                return cmd_closure(argc - 1, argv + 1);
        if (streq(cmd, "help") || streq(cmd, "--help") || streq(cmd, "-h")) {
                usage(stdout);
                return 0;
        }
        if (streq(cmd, "version") || streq(cmd, "--version")) {
                printf("sdconfine %s\n", SDCONFINE_VERSION);
                return 0;
        }
        log_error("unknown command '%s'. Run 'sdconfine help' for the list.", cmd);
        return 2;
}
