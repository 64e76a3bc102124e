/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "cmd-closure.h"
#include "cmd-service.h"
#include "cmd-confine.h"
#include "cmd-learn.h"
#include "cli.h"
#include "macro.h"
#include "output.h"

static void usage(FILE *f) {
        fputs("Usage: sdconfine COMMAND [OPTIONS...]\n"
              "\n"
              "Confine systemd services into a root made only of what they need.\n"
              "\n"
              "Without a command: the interactive program (sdconfine [--root DIR] [--user] [--offline] "
              "[--ascii]).\n"
              "\n"
              "Commands:\n"
              "  list              list services, their state and confinement\n"
              "  show UNIT         show a service's settings and where they come from\n"
              "  closure FILE|UNIT...  the runtime closure of programs or of a service's Exec* programs\n"
              "  preview UNIT      print the confinement drop-in for a service\n"
              "  diff UNIT         show the change against the installed drop-in\n"
              "  apply UNIT        write the drop-in and reload the manager\n"
              "  revert UNIT       remove sdconfine's drop-in and reload\n"
              "  export --dir DIR|--json FILE UNIT...  drop-ins or settings for other hosts\n"
              "  import FILE       apply the settings of an export --json file on this host\n"
              "  learn UNIT        watch what the running service opens; apply --learned adds it\n"
              "  help              show this help\n"
              "  version           show the version\n",
              f);
}

int cli_main(int argc, char **argv) {
        const char *cmd = argv[1];
        if (streq(cmd, "closure"))
                return cmd_closure(argc - 1, argv + 1);
        if (streq(cmd, "list"))
                return cmd_list(argc - 1, argv + 1);
        if (streq(cmd, "show"))
                return cmd_show(argc - 1, argv + 1);
        if (streq(cmd, "preview"))
                return cmd_preview(argc - 1, argv + 1);
        if (streq(cmd, "diff"))
                return cmd_diff(argc - 1, argv + 1);
        if (streq(cmd, "apply"))
                return cmd_apply(argc - 1, argv + 1);
        if (streq(cmd, "revert"))
                return cmd_revert(argc - 1, argv + 1);
        if (streq(cmd, "export"))
                return cmd_export(argc - 1, argv + 1);
        if (streq(cmd, "import"))
                return cmd_import(argc - 1, argv + 1);
        if (streq(cmd, "learn"))
                return cmd_learn(argc - 1, argv + 1);
        if (streq(cmd, "help") || streq(cmd, "--help") || streq(cmd, "-h")) {
                usage(stdout);
                return 0;
        }
        if (streq(cmd, "version") || streq(cmd, "--version")) {
                printf("sdconfine %s\n", PACKAGE_VERSION);
                return 0;
        }
        log_error("unknown command '%s'. Run 'sdconfine help' for the list.", cmd);
        return 2;
}
