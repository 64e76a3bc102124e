/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <limits.h>

#include "cli.h"
#include "cmd-closure.h"
#include "cmd-confine.h"
#include "cmd-learn.h"
#include "cmd-service.h"
#include "macro.h"
#include "options.h"
#include "output.h"

#define SOURCE OPT_ROOT, OPT_USER, OPT_OFFLINE
#define SETTINGS                                                                                             \
        OPT_MODE, OPT_PACKAGE, OPT_PATH, OPT_WRITABLE, OPT_BIN_SH, OPT_NO_BIN_SH, OPT_FULL_UNIT, OPT_SET,    \
                OPT_MOUNT_BUDGET, OPT_PRESET, OPT_CAPABILITIES, OPT_LEARNED, OPT_SUGGESTED, OPT_FORCE

static const char settings_note[] =
        "A command line that gives settings states the whole setting; --keep adds them to the installed "
        "one.\n";

static const char apply_epilogue[] =
        "With --try the service must hold for SECONDS: active (a oneshot: finished with success), no "
        "restart,\n"
        "the same main process. Otherwise the previous drop-in (or none) and state come back, the journal "
        "of\n"
        "the attempt is shown with the paths it names as missing, and the exit status is 3.\n"
        "\n"
        "--runtime writes below /run/systemd/system (gone at the next boot); --no-reload leaves the "
        "manager\n"
        "to read the files at its next daemon-reload; --restart restarts the service after the reload;\n"
        "--keep adds the command line's settings to the installed ones instead of replacing them.\n"
        "\n"
        "Exit status: 0 done (kept); 1 an error (a rollback that could not complete included); 2 a usage\n"
        "error; 3 the try failed and was rolled back.\n";

static int cmd_help(CliOptions *o);
static int cmd_version(CliOptions *o);

/* Every verb, in the order 'sdconfine help' lists them. */
static const Verb verbs[] = {
        {"list", "", "list services, their state and confinement",
         "List services with their load and active state, and whether they are confined (by sdconfine, or\n"
         "by another drop-in that sets RootDirectory=/RootImage=).",
         NULL, (const CliOpt[]){SOURCE, OPT_JSON, OPT_FULL, OPT_NO_PAGER, OPT_NO_LEGEND, OPT_QUIET, OPT_END},
         0, 0, false, cmd_list},
        {"show", "UNIT", "show a service's settings and where they come from",
         "Show the effective settings of a service that matter for confinement, the files they come from,\n"
         "and the closure roots (the programs of every Exec* line).",
         NULL, (const CliOpt[]){SOURCE, OPT_JSON, OPT_END}, 1, 1, true, cmd_show},
        {"closure", "FILE|UNIT...", "the runtime closure of programs or of a service's Exec* programs",
         "Show everything the kernel and the dynamic loader open to run FILE: its interpreter, its\n"
         "libraries (found as glibc's ld.so finds them), #! interpreters. Nothing is executed. A UNIT\n"
         "(e.g. cron.service) stands for the programs of its Exec* lines, with the PATH and LD_LIBRARY_PATH\n"
         "of its Environment= and EnvironmentFile= (the files override); its scripts' commands and\n"
         "interpreter modules are always followed.",
         NULL,
         (const CliOpt[]){SOURCE, OPT_TREE, OPT_LIST, OPT_JSON, OPT_ASCII, OPT_LD_LIBRARY_PATH,
                          OPT_SEARCH_PATH, OPT_NO_PACKAGES, OPT_ALL, OPT_DOT, OPT_SVG, OPT_DOT_COLLAPSE,
                          OPT_END},
         1, UINT_MAX, false, cmd_closure},
        {"preview", "UNIT", "print the confinement drop-in for a service",
         "Print the drop-in that confines UNIT, computed from its closure; notes and suggestions go to\n"
         "stderr, with what the confinement buys: systemd-analyze security's exposure score, and the files\n"
         "and secrets the service can see, before and after. --json prints all of it as one object.\n"
         "Nothing is written.",
         settings_note,
         (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, SETTINGS, OPT_KEEP, OPT_RUNTIME, OPT_JSON, OPT_NO_EXPOSURE,
                          OPT_END},
         1, 1, true, cmd_preview},
        {"diff", "UNIT", "show the change against the installed drop-in",
         "Show how the drop-in the settings give differs from the installed one. Nothing is written.",
         settings_note, (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, SETTINGS, OPT_KEEP, OPT_RUNTIME, OPT_END}, 1,
         1, true, cmd_diff},
        {"apply", "UNIT", "write the drop-in and reload the manager",
         "Write UNIT's confinement drop-in (/etc/systemd/system/UNIT.d/50-confinement.conf, atomically)\n"
         "and reload the manager. A drop-in sdconfine did not write is never touched.",
         apply_epilogue,
         (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, SETTINGS, OPT_KEEP, OPT_RUNTIME, OPT_NO_RELOAD, OPT_RESTART,
                          OPT_TRY, OPT_CHECK_CMD, OPT_END},
         1, 1, true, cmd_apply},
        {"revert", "UNIT", "remove sdconfine's drop-in and reload",
         "Remove the confinement drop-in sdconfine wrote for UNIT and reload the manager. A drop-in it did\n"
         "not write is left alone.",
         NULL, (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, OPT_RUNTIME, OPT_NO_RELOAD, OPT_END}, 1, 1, true,
         cmd_revert},
        {"export", "UNIT...", "drop-ins or settings for other hosts",
         "Without settings, each unit's installed settings are exported: as drop-ins below --dir, as one\n"
         "JSON file of settings (with learned sets) that 'import' applies on another host, or as an\n"
         "Ansible role and playbook (--ansible DIR) that import that file on every host of an inventory.",
         settings_note,
         (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, SETTINGS, OPT_RUNTIME, OPT_DIR, OPT_JSON_FILE, OPT_ANSIBLE,
                          OPT_END},
         1, UINT_MAX, true, cmd_export},
        {"import", "FILE", "apply the settings of an export --json file on this host",
         "Apply the settings of every service in FILE (from 'export --json'; - reads standard input),\n"
         "computing each closure on this host. A drop-in that would not change is not written.",
         "--check writes nothing and shows what would change. --json prints, for each unit, whether its\n"
         "drop-in changed (or would) and the unified diff. --try imports each changed unit as 'apply --try'\n"
         "does: the unit is restarted and rolled back when it does not hold.\n"
         "\n"
         "Exit status: 0 done; 1 an error (a unit that cannot be confined included); 2 a usage error;\n"
         "3 a try failed and was rolled back.\n",
         (const CliOpt[]){OPT_ROOT, OPT_OFFLINE, OPT_RUNTIME, OPT_NO_RELOAD, OPT_CHECK_ONLY, OPT_JSON,
                          OPT_TRY, OPT_END},
         1, 1, false, cmd_import},
        {"learn", "UNIT", "watch what the running service opens; apply --learned adds it",
         "Watch the running service for N seconds (default 60, or until Ctrl-C) and record every file and\n"
         "directory its processes open or execute, read or written, with the first process seen. A unit\n"
         "that is not running is started for the time of learning (so its start-up is seen too) and\n"
         "stopped again afterwards. The result is added to the unit's learned set in\n"
         "/var/lib/sdconfine/learned/UNIT.json, which 'sdconfine apply --learned UNIT' (and preview,\n"
         "diff, export) adds to its root. Learn while the service runs unconfined and serves real\n"
         "requests: what it does not do while watched is not learned.",
         "Needs root (CAP_SYS_ADMIN, for fanotify). Every open on the machine's file systems waits for\n"
         "sdconfine's answer meanwhile, which is always \"allow\". --root keeps the learned set below DIR.\n",
         (const CliOpt[]){OPT_SECONDS, OPT_ROOT, OPT_END}, 1, 1, true, cmd_learn},
        {"help", "[VERB]", "show this help, or a verb's", "Show the verbs, or one verb's options.", NULL,
         (const CliOpt[]){OPT_END}, 0, 1, false, cmd_help},
        {"version", "", "show the version", "Show the version.", NULL, (const CliOpt[]){OPT_END}, 0, 0, false,
         cmd_version},
};

static const Verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, name))
                        return verbs + i;
        return NULL;
}

static void usage(FILE *f) {
        fputs("Usage: sdconfine VERB [OPTIONS...] [ARGS...]\n"
              "\n"
              "Confine systemd services into a root made only of what they need.\n"
              "\n"
              "Without a verb: the interactive program (sdconfine [--root DIR] [--user] [--offline] "
              "[--ascii]).\n"
              "\n"
              "Verbs:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                char left[64];
                snprintf(left, sizeof left, "%s %s", verbs[i].name, verbs[i].operands);
                fprintf(f, "  %-22s %s\n", left, verbs[i].summary);
        }
        fputs("\n'sdconfine VERB --help' shows a verb's options.\n", f);
}

static int cmd_help(CliOptions *o) {
        const Verb *v = o->n_args ? verb_find(o->args[0]) : NULL;
        if (o->n_args && !v) {
                log_error("unknown verb '%s'. Run 'sdconfine help' for the list.", o->args[0]);
                return 2;
        }
        if (v)
                cli_verb_help(v, stdout);
        else
                usage(stdout);
        return 0;
}

static int cmd_version(CliOptions *o) {
        printf("sdconfine %s\n", PACKAGE_VERSION);
        return 0;
}

int cli_main(int argc, char **argv) {
        const char *name = argv[1];
        if (streq(name, "--help") || streq(name, "-h"))
                name = "help";
        else if (streq(name, "--version"))
                name = "version";
        const Verb *v = verb_find(name);
        if (!v) {
                log_error("unknown verb '%s'. Run 'sdconfine help' for the list.", name);
                return 2;
        }
        CliOptions o;
        int r = cli_parse(v, argc - 1, argv + 1, &o);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        r = v->run(&o);
        cli_options_done(&o);
        return r;
}
