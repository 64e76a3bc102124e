/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <getopt.h>
#include <stddef.h>

#include "caps.h"
#include "confine-try.h"
#include "cmd-learn.h"
#include "macro.h"
#include "options.h"
#include "override-check.h"
#include "output.h"
#include "unit-name.h"

typedef enum OptKind { KIND_FLAG, KIND_STRING, KIND_CUSTOM } OptKind;

/* One row per option: how it is typed, what --help says, and where its value goes (a bool or a string of
 * CliOptions at offset, or a parser of its own). */
typedef struct OptSpec {
        const char *name;
        const char *metavar; /* NULL: takes no value; "[=N]": an optional one */
        const char *help;
        OptKind kind;
        size_t offset;
        int (*parse)(CliOptions *o, const char *arg);
        bool settings; /* giving it states the confinement settings */
} OptSpec;

#define FLAG(field) .kind = KIND_FLAG, .offset = offsetof(CliOptions, field)
#define STRING(field) .kind = KIND_STRING, .offset = offsetof(CliOptions, field)
#define CUSTOM(fn) .kind = KIND_CUSTOM, .parse = (fn)

static int parse_number(const char *opt, const char *arg, unsigned long min, unsigned long max,
                        const char *what, unsigned long *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (errno || end == arg || *end || v < min || v > max || arg[0] == '-') {
                log_error("%s '%s': give %s from %lu to %lu.", opt, arg, what, min, max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int opt_format(CliOptions *o, ClosureFormat f) {
        o->format = f;
        return 0;
}
static int opt_tree(CliOptions *o, const char *arg) {
        return opt_format(o, FORMAT_TREE);
}
static int opt_list(CliOptions *o, const char *arg) {
        return opt_format(o, FORMAT_LIST);
}
static int opt_dot(CliOptions *o, const char *arg) {
        return opt_format(o, FORMAT_DOT);
}
static int opt_svg(CliOptions *o, const char *arg) {
        o->svg_file = arg;
        return opt_format(o, FORMAT_DOT);
}
static int opt_json(CliOptions *o, const char *arg) {
        o->json = true;
        return opt_format(o, FORMAT_JSON);
}

static int opt_mode(CliOptions *o, const char *arg) {
        o->mode_given = true;
        if (confine_mode_from_string(arg, &o->settings.mode) < 0) {
                log_error("unknown --mode '%s': use full-apivfs or chroot-only.", arg);
                return -EINVAL;
        }
        return 0;
}

static int opt_package(CliOptions *o, const char *arg) {
        return strv_extend(&o->settings.packages, arg);
}

static int opt_abs_path(const char *opt, const char *arg, char ***list) {
        if (arg[0] != '/') {
                log_error("%s %s: give an absolute path.", opt, arg);
                return -EINVAL;
        }
        return strv_extend(list, arg);
}
static int opt_path(CliOptions *o, const char *arg) {
        return opt_abs_path("--path", arg, &o->settings.paths);
}
static int opt_writable(CliOptions *o, const char *arg) {
        return opt_abs_path("--writable", arg, &o->settings.writable);
}

static int opt_bin_sh(CliOptions *o, const char *arg) {
        o->bin_sh_given = true;
        o->settings.bin_sh = BIN_SH_CUSTOM;
        free(o->settings.bin_sh_path);
        o->settings.bin_sh_path = strdup(arg);
        return o->settings.bin_sh_path ? 0 : -ENOMEM;
}
static int opt_no_bin_sh(CliOptions *o, const char *arg) {
        o->bin_sh_given = true;
        o->settings.bin_sh = BIN_SH_NONE;
        return 0;
}
static int opt_full_unit(CliOptions *o, const char *arg) {
        o->settings.full_unit = true;
        return 0;
}
static int opt_learned(CliOptions *o, const char *arg) {
        o->settings.learned = true;
        return 0;
}

static int opt_set(CliOptions *o, const char *arg) {
        const char *eq = strchr(arg, '=');
        bool ok = eq && eq > arg && !strpbrk(arg, "\n\r");
        for (const char *k = arg; ok && k < eq; k++)
                ok = (*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9');
        if (!ok) {
                log_error("--set '%s': give KEY=VALUE with a systemd setting name, e.g. PrivateUsers=no.",
                          arg);
                return -EINVAL;
        }
        _cleanup_free_ char *why = NULL;
        if (override_check(arg, &why) < 0) {
                log_error("%s.", why ? why : "out of memory");
                return -EPERM;
        }
        return strv_extend(&o->settings.overrides, arg);
}

static int opt_mount_budget(CliOptions *o, const char *arg) {
        unsigned long v;
        o->budget_given = true;
        int r = parse_number("--mount-budget", arg, 1, 100000, "a number", &v);
        if (r >= 0)
                o->settings.mount_budget = v;
        return r;
}

static int opt_preset(CliOptions *o, const char *arg) {
        if (!confine_preset_find(arg)) {
                char names[256] = "";
                for (const ConfinePreset *p = confine_presets; p->name; p++)
                        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                                 p == confine_presets ? "" : ", ", p->name);
                log_error("unknown --preset '%s': use one of %s.", arg, names);
                return -EINVAL;
        }
        return strv_contains(o->settings.presets, arg) ? 0 : strv_extend(&o->settings.presets, arg);
}

static int opt_capabilities(CliOptions *o, const char *arg) {
        uint64_t mask;
        _cleanup_free_ char *bad = NULL, *names = NULL;
        int r = caps_parse_list(arg, &mask, &bad);
        if (r == -EINVAL) {
                log_error("--capabilities: unknown capability '%s'. Use names as in capabilities(7), e.g. "
                          "CAP_NET_BIND_SERVICE, separated by commas.",
                          bad ? bad : arg);
                return r;
        }
        if (r >= 0)
                r = caps_mask_to_names(mask, &names);
        strv_free(o->settings.capabilities);
        o->settings.capabilities = calloc(1, sizeof(char *)); /* empty: none kept */
        if (r >= 0 && !o->settings.capabilities)
                r = -ENOMEM;
        for (char *rest = names, *w; r >= 0 && rest && (w = strsep(&rest, " "));)
                if (*w)
                        r = strv_extend(&o->settings.capabilities, w);
        return r;
}

static int opt_try(CliOptions *o, const char *arg) {
        unsigned long v = TRY_DEFAULT_SECONDS;
        o->try_given = true;
        if (arg && parse_number("--try", arg, 1, 3600, "the seconds the service must hold", &v) < 0)
                return -EINVAL;
        o->try_seconds = v;
        return 0;
}

static int opt_seconds(CliOptions *o, const char *arg) {
        unsigned long v;
        int r = parse_number("--seconds", arg, 1, 86400, "a number of seconds", &v);
        if (r >= 0)
                o->seconds = v;
        return r;
}

static const OptSpec specs[_OPT_MAX] = {
        [OPT_ROOT] = {"root", "DIR", "work below DIR (an image or a chroot); nothing is reloaded",
                      STRING(source.root)},
        [OPT_USER] = {"user", NULL, "the calling user's services", FLAG(source.user)},
        [OPT_OFFLINE] = {"offline", NULL, "read the unit files on disk even when a manager runs",
                         FLAG(source.offline)},
        [OPT_JSON] = {"json", NULL, "print JSON", CUSTOM(opt_json)},
        [OPT_ASCII] = {"ascii", NULL, "draw with ASCII characters", FLAG(ascii)},
        [OPT_FULL] = {"full", NULL, "do not shorten long names to the terminal's width", FLAG(full)},
        [OPT_NO_PAGER] = {"no-pager", NULL, "accepted as systemctl takes it (sdconfine never pages)",
                          FLAG(no_pager)},
        [OPT_NO_LEGEND] = {"no-legend", NULL, "no header line and no count at the end", FLAG(no_legend)},
        [OPT_QUIET] = {"quiet", NULL, "(-q) the rows only, as --no-legend", FLAG(quiet)},
        [OPT_TREE] = {"tree", NULL, "draw the graph (default on a terminal)", CUSTOM(opt_tree)},
        [OPT_LIST] = {"list", NULL, "print every path that must exist, one per line", CUSTOM(opt_list)},
        [OPT_LD_LIBRARY_PATH] = {"ld-library-path", "DIRS", "the LD_LIBRARY_PATH the program runs with",
                                 STRING(ld_library_path)},
        [OPT_SEARCH_PATH] = {"path", "DIRS", "the PATH for #!/usr/bin/env (default: systemd's)",
                             STRING(search_path)},
        [OPT_NO_PACKAGES] = {"no-packages", NULL, "do not look up owning packages", FLAG(no_packages)},
        [OPT_ALL] = {"all", NULL,
                     "for a UNIT, also the rules --suggested adds: its packages' files, NSS, PAM, gconv, "
                     "the locale",
                     FLAG(all)},
        [OPT_DOT] = {"dot", NULL, "print the graph as Graphviz DOT (render it with dot -Tsvg)",
                     CUSTOM(opt_dot)},
        [OPT_SVG] = {"svg", "FILE", "write the graph to FILE as SVG, through Graphviz's dot",
                     CUSTOM(opt_svg)},
        [OPT_DOT_COLLAPSE] = {"dot-collapse", NULL, "with --dot or --svg: one node per package",
                              FLAG(dot_collapse)},
        [OPT_MODE] = {"mode", "MODE",
                      "full-apivfs: private /proc, /sys, /dev, /tmp (default); chroot-only: nothing but "
                      "the root",
                      CUSTOM(opt_mode), .settings = true},
        [OPT_PACKAGE] = {"package", "P", "the files of a Debian package, with their libraries",
                         CUSTOM(opt_package), .settings = true},
        [OPT_PATH] = {"path", "P", "a read-only path (a directory brings what its links and ELF files need)",
                      CUSTOM(opt_path), .settings = true},
        [OPT_WRITABLE] = {"writable", "P", "a writable path", CUSTOM(opt_writable), .settings = true},
        [OPT_BIN_SH] = {"bin-sh", "PATH", "the program at /bin/sh (default: the host's /bin/sh)",
                        CUSTOM(opt_bin_sh), .settings = true},
        [OPT_NO_BIN_SH] = {"no-bin-sh", NULL, "no /bin/sh", CUSTOM(opt_no_bin_sh), .settings = true},
        [OPT_FULL_UNIT] = {"full-unit", NULL, "also every absolute path in the unit's environment",
                           CUSTOM(opt_full_unit), .settings = true},
        [OPT_SET] = {"set", "KEY=VALUE", "a setting written after the mode's, e.g. PrivateUsers=no",
                     CUSTOM(opt_set), .settings = true},
        [OPT_MOUNT_BUDGET] = {"mount-budget", "N",
                              "bind whole directories when the plan has more than N mounts (default 150)",
                              CUSTOM(opt_mount_budget), .settings = true},
        [OPT_PRESET] = {"preset", "NAME",
                        "files no analysis can see (users, resolve, tls, timezone, locale, terminfo), or "
                        "rules computed for the unit (package, plugins, state)",
                        CUSTOM(opt_preset), .settings = true},
        [OPT_CAPABILITIES] = {"capabilities", "LIST",
                              "the capability bounding set to keep, e.g. CAP_NET_BIND_SERVICE,CAP_SETUID "
                              "(empty: none)",
                              CUSTOM(opt_capabilities), .settings = true},
        [OPT_LEARNED] = {"learned", NULL, "also what 'sdconfine learn' saw the unit open",
                         CUSTOM(opt_learned), .settings = true},
        [OPT_SUGGESTED] = {"suggested", NULL,
                           "accept every suggestion (presets and settings, each with "
                           "its reason)",
                           FLAG(suggested), .settings = true},
        [OPT_KEEP] = {"keep", NULL, "add to the installed settings instead of stating them whole",
                      FLAG(keep)},
        [OPT_FORCE] = {"force", NULL,
                       "confine a unit that already has a RootDirectory=/RootImage=", FLAG(force)},
        [OPT_RUNTIME] = {"runtime", NULL,
                         "the drop-in below /run/systemd/system: gone at the next boot, nothing in /etc "
                         "changes",
                         FLAG(runtime)},
        [OPT_NO_RELOAD] = {"no-reload", NULL,
                           "write the files only; the manager reads them at the next daemon-reload",
                           FLAG(no_reload)},
        [OPT_RESTART] = {"restart", NULL,
                         "restart the service after the reload (refused when you are "
                         "connected through it: use --try)",
                         FLAG(restart)},
        [OPT_TRY] = {"try", "[=SECONDS]",
                     "write, reload, restart, and keep the drop-in only if the service holds for SECONDS "
                     "(default 10); otherwise roll back",
                     CUSTOM(opt_try)},
        [OPT_CHECK_CMD] = {"check", "CMD", "with --try: run CMD through /bin/sh at the end; it must exit 0",
                           STRING(check)},
        [OPT_DIR] = {"dir", "DIR", "write DIR/etc/systemd/system/UNIT.d/50-confinement.conf for each unit",
                     STRING(dir)},
        [OPT_JSON_FILE] = {"json", "FILE", "write the settings of every unit to FILE, for 'import'",
                           STRING(json_file)},
        [OPT_ANSIBLE] = {"ansible", "DIR",
                         "write an Ansible role and playbook to DIR that import the settings on every host",
                         STRING(ansible_dir)},
        [OPT_CHECK_ONLY] = {"check", NULL, "write nothing: say what would change (with --json: as JSON)",
                            FLAG(check_only)},
        [OPT_NO_EXPOSURE] = {"no-exposure", NULL,
                             "leave out what confinement buys (systemd-analyze security and the files seen "
                             "before and after)",
                             FLAG(no_exposure)},
        [OPT_SECONDS] = {"seconds", "N", "how long to watch (1 to 86400; default 60, or until Ctrl-C)",
                         CUSTOM(opt_seconds)},
};

const char *cli_option_name(CliOpt id) {
        return id >= 0 && id < _OPT_MAX ? specs[id].name : "?";
}

static int option_set(CliOptions *o, CliOpt id, const char *arg) {
        const OptSpec *s = specs + id;
        if (s->settings)
                o->settings_given = true;
        switch (s->kind) {
        case KIND_FLAG:
                *(bool *)((char *)o + s->offset) = true;
                return 0;
        case KIND_STRING:
                *(const char **)((char *)o + s->offset) = arg;
                return 0;
        case KIND_CUSTOM:
                return s->parse(o, arg);
        }
        return -EINVAL;
}

static size_t verb_n_options(const Verb *v) {
        size_t n = 0;
        while (v->options[n] != OPT_END)
                n++;
        return n;
}

void cli_verb_help(const Verb *v, FILE *f) {
        fprintf(f, "Usage: sdconfine %s%s%s%s\n\n%s\n", v->name,
                v->options[0] != OPT_END ? " [OPTIONS...]" : "", *v->operands ? " " : "", v->operands,
                v->description);
        fputs("\nOptions:\n", f);
        for (const CliOpt *id = v->options; *id != OPT_END; id++) {
                const OptSpec *s = specs + *id;
                char left[64];
                snprintf(left, sizeof left, "--%s%s%s", s->name,
                         s->metavar && s->metavar[0] != '[' ? " " : "", s->metavar ? s->metavar : "");
                fprintf(f, "  %-22s %s\n", left, s->help);
        }
        fprintf(f, "  %-22s %s\n", "-h, --help", "show this help");
        if (v->epilogue)
                fprintf(f, "\n%s", v->epilogue);
}

/* An option getopt did not take: one this verb does not have, or a missing value. */
static int refuse(const Verb *v, int c, const char *arg) {
        if (c == ':')
                log_error("%s needs a value. See 'sdconfine %s --help'.", arg, v->name);
        else
                log_error("%s is not an option of %s. See 'sdconfine %s --help' for its options.", arg,
                          v->name, v->name);
        return -EINVAL;
}

/* The operands: how many, and unit names checked before anything is opened. */
static int check_operands(const Verb *v, CliOptions *o) {
        if (o->n_args < v->min_args || o->n_args > v->max_args) {
                if (v->min_args == v->max_args)
                        log_error("%s: give %s%s, e.g. 'sdconfine %s %s'.", v->name,
                                  v->min_args == 1 ? "exactly one " : "", v->operands, v->name,
                                  v->units ? "cron.service" : "/usr/sbin/cron");
                else
                        log_error("%s takes %s: see 'sdconfine %s --help'.", v->name, v->operands, v->name);
                return -EINVAL;
        }
        for (unsigned i = 0; v->units && i < o->n_args; i++) {
                const char *problem = NULL;
                char *name = NULL;
                int r = unit_name_mangle(o->args[i], &name, &problem);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_error("'%s' is not a valid unit name: %s.", o->args[i],
                                  problem ? problem : "it cannot be a unit's name");
                        return -EINVAL;
                }
                if (strv_push(&o->owned, name) < 0)
                        return -ENOMEM;
                o->args[i] = name;
        }
        return 0;
}

int cli_parse(const Verb *v, int argc, char **argv, CliOptions *ret) {
        size_t n = verb_n_options(v);
        _cleanup_free_ struct option *longs = calloc(n + 2, sizeof(struct option));
        CliOptions o = {
                .verb = v->name, .try_seconds = TRY_DEFAULT_SECONDS, .seconds = LEARN_DEFAULT_SECONDS};
        char shorts[8] = ":h";
        int c, r = 0;
        if (!longs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const OptSpec *s = specs + v->options[i];
                longs[i] = (struct option){s->name,
                                           !s->metavar            ? no_argument
                                           : s->metavar[0] == '[' ? optional_argument
                                                                  : required_argument,
                                           NULL, 0x100 + v->options[i]};
                if (v->options[i] == OPT_QUIET)
                        strcat(shorts, "q");
        }
        longs[n] = (struct option){"help", no_argument, NULL, 'h'};
        confine_settings_init(&o.settings);
        optind = 0; /* a full re-initialisation of getopt: cli_parse may run more than once (tests) */
        opterr = 0;
        while (r >= 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) >= 0) {
                if (c == 'h') {
                        cli_verb_help(v, stdout);
                        cli_options_done(&o);
                        return 0;
                }
                if (c == 'q')
                        c = 0x100 + OPT_QUIET;
                if (c == '?' || c == ':')
                        r = refuse(v, c, argv[optind - 1]);
                else
                        r = option_set(&o, c - 0x100, optarg);
        }
        o.args = argv + optind;
        o.n_args = argc - optind;
        if (r >= 0)
                r = check_operands(v, &o);
        if (r < 0) {
                cli_options_done(&o);
                return r;
        }
        *ret = o;
        return 1;
}

void cli_options_done(CliOptions *o) {
        confine_settings_done(&o->settings);
        o->owned = strv_free(o->owned);
}
