/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "confine.h"
#include "service-source.h"

/* Every option of the command line, once. A verb lists the ones it takes; any other is refused, and
 * 'sdconfine VERB --help' shows only its own. */
typedef enum CliOpt {
        OPT_END = -1,
        /* where services come from */
        OPT_ROOT,
        OPT_USER,
        OPT_OFFLINE,
        /* output */
        OPT_JSON,
        OPT_ASCII,
        OPT_FULL,
        OPT_NO_PAGER,
        OPT_NO_LEGEND,
        OPT_QUIET,
        /* closure */
        OPT_TREE,
        OPT_LIST,
        OPT_LD_LIBRARY_PATH,
        OPT_SEARCH_PATH,
        OPT_NO_PACKAGES,
        OPT_ALL,
        OPT_DOT,
        OPT_SVG,
        OPT_DOT_COLLAPSE,
        /* the confinement settings */
        OPT_MODE,
        OPT_PACKAGE,
        OPT_PATH,
        OPT_WRITABLE,
        OPT_BIN_SH,
        OPT_NO_BIN_SH,
        OPT_FULL_UNIT,
        OPT_SET,
        OPT_MOUNT_BUDGET,
        OPT_PRESET,
        OPT_CAPABILITIES,
        OPT_LEARNED,
        OPT_SUGGESTED,
        OPT_KEEP,
        OPT_FORCE,
        /* writing */
        OPT_RUNTIME,
        OPT_NO_RELOAD,
        OPT_RESTART,
        OPT_TRY,
        OPT_CHECK_CMD,
        /* export and import */
        OPT_DIR,
        OPT_JSON_FILE,
        OPT_ANSIBLE,
        OPT_CHECK_ONLY,
        /* learn */
        OPT_SECONDS,
        OPT_NO_EXPOSURE,
        _OPT_MAX,
} CliOpt;

typedef enum ClosureFormat { FORMAT_AUTO, FORMAT_TREE, FORMAT_LIST, FORMAT_JSON, FORMAT_DOT } ClosureFormat;

/* What the command line said. The verb's handler reads what its options fill. */
typedef struct CliOptions {
        const char *verb;
        ServiceSourceOptions source;
        bool json, ascii, full, no_pager, no_legend, quiet, no_exposure;
        /* closure */
        ClosureFormat format;
        const char *ld_library_path, *search_path;
        bool no_packages, all;
        const char *svg_file; /* --svg FILE: the graph rendered by Graphviz */
        bool dot_collapse;
        /* settings: settings_given when the command line states any */
        ConfineSettings settings;
        bool settings_given, mode_given, bin_sh_given, budget_given;
        bool keep, force, suggested;
        /* writing */
        bool runtime, no_reload, restart, try_given;
        unsigned try_seconds;
        const char *check;
        /* export, import */
        const char *dir, *json_file, *ansible_dir;
        bool check_only;
        /* learn */
        unsigned seconds;
        /* the operands: units or files (units as systemctl takes them: "nginx" is nginx.service) */
        char **args;
        unsigned n_args;
        char **owned; /* the names args point to when they were rewritten */
} CliOptions;

/* A verb: its name, operands, one line for 'sdconfine help', what --help says, the options it takes. */
typedef struct Verb {
        const char *name;
        const char *operands; /* "UNIT", "FILE|UNIT...", "" */
        const char *summary;
        const char *description;
        const char *epilogue;  /* after the options (exit status), may be NULL */
        const CliOpt *options; /* ends with OPT_END */
        unsigned min_args, max_args;
        bool units; /* the operands are unit names: checked before anything is opened */
        int (*run)(CliOptions *o);
} Verb;

/* Parse argv (argv[0] is the verb) for v. 1: run the verb; 0: --help was printed; <0: a usage error,
 * printed in words. */
int cli_parse(const Verb *v, int argc, char **argv, CliOptions *ret);
void cli_options_done(CliOptions *o);
void cli_verb_help(const Verb *v, FILE *f);
/* The option's name as typed, "--mode" */
const char *cli_option_name(CliOpt id);
