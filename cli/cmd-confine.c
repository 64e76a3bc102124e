/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>

#include "cmd-confine.h"
#include "caps.h"
#include "cgroup-guard.h"
#include "confine-try.h"
#include <jansson.h>
#include <sys/stat.h>
#include "confine-plan.h"
#include "dropin-write.h"
#include "fileio.h"
#include "learned-set.h"
#include "macro.h"
#include "confine-session.h"
#include "output.h"
#include "textdiff.h"
#include "service-source.h"
#include "unit-name.h"

typedef enum Action {
        ACTION_PREVIEW,
        ACTION_DIFF,
        ACTION_APPLY,
        ACTION_REVERT,
        ACTION_EXPORT,
        ACTION_IMPORT
} Action;

static const char *const action_names[] = {"preview", "diff", "apply", "revert", "export", "import"};

typedef struct Args {
        ServiceSourceOptions source;
        ConfineSettings settings;
        bool keep, force, runtime, no_reload, restart, settings_given, suggested;
        bool mode_given, bin_sh_given, budget_given;
        bool try_given; /* apply --try[=SECONDS] */
        unsigned try_seconds;
        const char *check; /* apply --try --check CMD */
        const char *unit;
        char **units; /* export: several */
        const char *export_dir, *export_json, *import_file;
} Args;

static const char usage_settings[] =
        "Settings (a command line states the whole setting; --keep adds to the installed one):\n"
        "  --mode full-apivfs|chroot-only   private /proc, /sys, /dev, /tmp (default), or nothing but the "
        "root\n"
        "  --package P      the files of a Debian package, with their libraries\n"
        "  --path P         a read-only path (a directory brings what its links and ELF files need)\n"
        "  --writable P     a writable path\n"
        "  --bin-sh PATH    the program at /bin/sh (default: the host's /bin/sh, its real file)\n"
        "  --no-bin-sh      no /bin/sh\n"
        "  --full-unit      also every absolute path in the unit's environment\n"
        "  --set KEY=VALUE  a setting written after the mode's flags, e.g. PrivateUsers=no\n"
        "  --mount-budget N bind whole directories when the plan has more than N mounts (default 150)\n"
        "  --preset NAME    users, resolve, tls, timezone, locale or terminfo: files no analysis can see;\n"
        "                   package, plugins or state: computed for the unit (its packages' files; NSS,\n"
        "                   PAM, gconv, locale; its writable state)\n"
        "  --capabilities LIST  the capability bounding set to keep (e.g. CAP_NET_BIND_SERVICE,CAP_SETUID;\n"
        "                   empty: none)\n"
        "  --learned        also what 'sdconfine learn' saw the unit open (its learned set), read-only or\n"
        "                   writable as seen; never /etc/shadow, /root, /home or other services' keys\n"
        "  --suggested      accept every suggestion (presets and settings, each with its reason)\n"
        "  --force          confine a unit that already has a RootDirectory=/RootImage=\n"
        "  --root DIR       work below DIR (an image); nothing is reloaded\n"
        "  --offline        read the unit from disk even when a manager runs\n";

static const char usage_try[] =
        "  --restart        restart the service after the reload\n"
        "  --try[=SECONDS]  write, reload, restart, and keep the drop-in only if the service holds for "
        "SECONDS\n"
        "                   (default 10): active (a oneshot: finished with success), no restart, the same "
        "main\n"
        "                   process. Otherwise the previous drop-in (or none) and state come back, the "
        "journal\n"
        "                   of the attempt is shown with the paths it names as missing, and the exit status "
        "is 3\n"
        "  --check CMD      with --try: run CMD through /bin/sh on the host at the end; it must exit 0\n"
        "Exit status: 0 done (kept); 1 an error (a rollback that could not complete included); 2 a usage "
        "error;\n"
        "3 the try failed and was rolled back.\n\n";

static int parse_args(int argc, char **argv, Action action, Args *ret) {
        enum {
                ARG_MODE = 0x100,
                ARG_PACKAGE,
                ARG_PATH,
                ARG_WRITABLE,
                ARG_BIN_SH,
                ARG_NO_BIN_SH,
                ARG_FULL_UNIT,
                ARG_SET,
                ARG_BUDGET,
                ARG_KEEP,
                ARG_FORCE,
                ARG_ROOT,
                ARG_OFFLINE,
                ARG_RUNTIME,
                ARG_NO_RELOAD,
                ARG_RESTART,
                ARG_PRESET,
                ARG_SUGGESTED,
                ARG_DIR,
                ARG_JSON,
                ARG_CAPABILITIES,
                ARG_TRY,
                ARG_CHECK,
                ARG_LEARNED
        };
        static const struct option options[] = {
                {"mode", required_argument, NULL, ARG_MODE},
                {"package", required_argument, NULL, ARG_PACKAGE},
                {"path", required_argument, NULL, ARG_PATH},
                {"writable", required_argument, NULL, ARG_WRITABLE},
                {"bin-sh", required_argument, NULL, ARG_BIN_SH},
                {"no-bin-sh", no_argument, NULL, ARG_NO_BIN_SH},
                {"full-unit", no_argument, NULL, ARG_FULL_UNIT},
                {"set", required_argument, NULL, ARG_SET},
                {"mount-budget", required_argument, NULL, ARG_BUDGET},
                {"keep", no_argument, NULL, ARG_KEEP},
                {"force", no_argument, NULL, ARG_FORCE},
                {"root", required_argument, NULL, ARG_ROOT},
                {"offline", no_argument, NULL, ARG_OFFLINE},
                {"runtime", no_argument, NULL, ARG_RUNTIME},
                {"no-reload", no_argument, NULL, ARG_NO_RELOAD},
                {"restart", no_argument, NULL, ARG_RESTART},
                {"preset", required_argument, NULL, ARG_PRESET},
                {"suggested", no_argument, NULL, ARG_SUGGESTED},
                {"dir", required_argument, NULL, ARG_DIR},
                {"capabilities", required_argument, NULL, ARG_CAPABILITIES},
                {"json", required_argument, NULL, ARG_JSON},
                {"learned", no_argument, NULL, ARG_LEARNED},
                {"try", optional_argument, NULL, ARG_TRY},
                {"check", required_argument, NULL, ARG_CHECK},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        Args a = {.try_seconds = TRY_DEFAULT_SECONDS};
        int c, r = 0;
        confine_settings_init(&a.settings);
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0 && r >= 0) {
                if (c >= ARG_MODE && c <= ARG_BUDGET)
                        a.settings_given = true;
                switch (c) {
                case ARG_MODE:
                        a.mode_given = true;
                        if (confine_mode_from_string(optarg, &a.settings.mode) < 0) {
                                log_error("unknown --mode '%s': use full-apivfs or chroot-only.", optarg);
                                r = -EINVAL;
                        }
                        break;
                case ARG_PACKAGE:
                        r = strv_extend(&a.settings.packages, optarg);
                        break;
                case ARG_PATH:
                case ARG_WRITABLE:
                        if (optarg[0] != '/') {
                                log_error("--%s %s: give an absolute path.",
                                          c == ARG_PATH ? "path" : "writable", optarg);
                                r = -EINVAL;
                        } else
                                r = strv_extend(c == ARG_PATH ? &a.settings.paths : &a.settings.writable,
                                                optarg);
                        break;
                case ARG_BIN_SH:
                        a.bin_sh_given = true;
                        a.settings.bin_sh = BIN_SH_CUSTOM;
                        free(a.settings.bin_sh_path);
                        a.settings.bin_sh_path = strdup(optarg);
                        r = a.settings.bin_sh_path ? 0 : -ENOMEM;
                        break;
                case ARG_NO_BIN_SH:
                        a.bin_sh_given = true;
                        a.settings.bin_sh = BIN_SH_NONE;
                        break;
                case ARG_FULL_UNIT:
                        a.settings.full_unit = true;
                        break;
                case ARG_SET: {
                        const char *eq = strchr(optarg, '=');
                        bool ok = eq && eq > optarg && !strpbrk(optarg, "\n\r");
                        for (const char *k = optarg; ok && k < eq; k++)
                                ok = (*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
                                     (*k >= '0' && *k <= '9');
                        if (!ok) {
                                log_error("--set '%s': give KEY=VALUE with a systemd setting name, e.g. "
                                          "PrivateUsers=no.",
                                          optarg);
                                r = -EINVAL;
                        } else
                                r = strv_extend(&a.settings.overrides, optarg);
                        break;
                }
                case ARG_BUDGET: {
                        a.budget_given = true;
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || v < 1 || v > 100000) {
                                log_error("--mount-budget '%s': give a number from 1 to 100000.", optarg);
                                r = -EINVAL;
                        } else
                                a.settings.mount_budget = v;
                        break;
                }
                case ARG_KEEP:
                        a.keep = true;
                        break;
                case ARG_FORCE:
                        a.force = true;
                        break;
                case ARG_ROOT:
                        a.source.root = optarg;
                        break;
                case ARG_OFFLINE:
                        a.source.offline = true;
                        break;
                case ARG_RUNTIME:
                        a.runtime = true;
                        break;
                case ARG_NO_RELOAD:
                        a.no_reload = true;
                        break;
                case ARG_RESTART:
                        a.restart = true;
                        break;
                case ARG_PRESET:
                        if (!confine_preset_find(optarg)) {
                                log_error("unknown --preset '%s': use users, resolve, tls, timezone, locale, "
                                          "terminfo, package, plugins or state.",
                                          optarg);
                                r = -EINVAL;
                        } else if (!strv_contains(a.settings.presets, optarg))
                                r = strv_extend(&a.settings.presets, optarg);
                        a.settings_given = true;
                        break;
                case ARG_SUGGESTED:
                        a.suggested = true;
                        a.settings_given = true;
                        break;
                case ARG_DIR:
                        a.export_dir = optarg;
                        break;
                case ARG_CAPABILITIES: {
                        uint64_t mask;
                        _cleanup_free_ char *bad = NULL, *names = NULL;
                        a.settings_given = true;
                        r = caps_parse_list(optarg, &mask, &bad);
                        if (r == -EINVAL) {
                                log_error("--capabilities: unknown capability '%s'. Use names as in "
                                          "capabilities(7), "
                                          "e.g. CAP_NET_BIND_SERVICE, separated by commas.",
                                          bad ? bad : optarg);
                                break;
                        }
                        if (r >= 0)
                                r = caps_mask_to_names(mask, &names);
                        strv_free(a.settings.capabilities);
                        a.settings.capabilities = calloc(1, sizeof(char *));
                        if (r >= 0 && !a.settings.capabilities)
                                r = -ENOMEM;
                        for (char *rest = names, *w; r >= 0 && rest && (w = strsep(&rest, " "));)
                                if (*w)
                                        r = strv_extend(&a.settings.capabilities, w);
                        break;
                }
                case ARG_JSON:
                        a.export_json = optarg;
                        break;
                case ARG_LEARNED:
                        a.settings.learned = true;
                        a.settings_given = true;
                        break;
                case ARG_TRY:
                case ARG_CHECK:
                        if (action != ACTION_APPLY) {
                                log_error("--%s is an option of apply: 'sdconfine apply --try UNIT'.",
                                          c == ARG_TRY ? "try" : "check");
                                r = -EINVAL;
                        } else if (c == ARG_CHECK)
                                a.check = optarg;
                        else {
                                char *end;
                                unsigned long v = optarg ? strtoul(optarg, &end, 10) : TRY_DEFAULT_SECONDS;
                                a.try_given = true;
                                if (optarg && (!*optarg || *end || v < 1 || v > 3600)) {
                                        log_error("--try=%s: give the seconds the service must hold, from 1 "
                                                  "to 3600 "
                                                  "(default %u), e.g. --try=30.",
                                                  optarg, TRY_DEFAULT_SECONDS);
                                        r = -EINVAL;
                                } else
                                        a.try_seconds = v;
                        }
                        break;
                case 'h':
                        if (action == ACTION_EXPORT)
                                printf("Usage: sdconfine export (--dir DIR | --json FILE) [SETTINGS] "
                                       "UNIT...\n\n"
                                       "Without settings, each unit's installed settings are exported.\n\n%s",
                                       usage_settings);
                        else if (action == ACTION_IMPORT)
                                printf("Usage: sdconfine import [--root DIR] [--runtime] [--no-reload] "
                                       "FILE\n\n"
                                       "Apply the settings of every service in FILE (from 'export --json'), "
                                       "computing\n"
                                       "each closure on this host.\n");
                        else
                                printf("Usage: sdconfine %s [SETTINGS] UNIT\n\n%s%s",
                                       action == ACTION_APPLY ? "apply [--runtime] [--no-reload] [--restart] "
                                                                "[--try[=SECONDS] [--check CMD]]"
                                       : action == ACTION_REVERT ? "revert [--runtime]"
                                                                 : action_names[action],
                                       action == ACTION_APPLY ? usage_try : "", usage_settings);
                        confine_settings_done(&a.settings);
                        return 0;
                default:
                        r = -EINVAL;
                }
        }
        if (r >= 0 && action == ACTION_EXPORT) {
                if (!!a.export_dir == !!a.export_json || optind >= argc) {
                        log_error("export: give --dir DIR or --json FILE, and one or more units.");
                        r = -EINVAL;
                }
                for (int i = optind; r >= 0 && i < argc; i++) {
                        const char *problem = unit_name_problem(argv[i]);
                        if (problem) {
                                log_error("'%s' is not a valid unit name: %s.", argv[i], problem);
                                r = -EINVAL;
                        } else
                                r = strv_extend(&a.units, argv[i]);
                }
                if (r < 0) {
                        strv_free(a.units);
                        confine_settings_done(&a.settings);
                        return r;
                }
                *ret = a;
                return 1;
        }
        if (r >= 0 && action == ACTION_IMPORT) {
                if (optind + 1 != argc) {
                        log_error("import: give one FILE written by 'sdconfine export --json'.");
                        r = -EINVAL;
                } else
                        a.import_file = argv[optind];
                if (r < 0) {
                        confine_settings_done(&a.settings);
                        return r;
                }
                *ret = a;
                return 1;
        }
        if (r >= 0 && a.check && !a.try_given) {
                log_error("--check runs at the end of a try: give it with --try, e.g. 'sdconfine apply --try "
                          "--check \"curl -fsS http://localhost/\" UNIT'.");
                r = -EINVAL;
        }
        if (r >= 0 && a.try_given && (a.no_reload || a.source.root || a.source.offline)) {
                log_error(
                        "--try restarts the service through the running manager: it cannot be given with %s.",
                        a.no_reload     ? "--no-reload"
                        : a.source.root ? "--root"
                                        : "--offline");
                r = -EINVAL;
        }
        if (r >= 0 && optind + 1 != argc) {
                log_error("give exactly one UNIT, e.g. 'sdconfine %s cron.service'.", action_names[action]);
                r = -EINVAL;
        }
        if (r >= 0) {
                a.unit = argv[optind];
                const char *problem = unit_name_problem(a.unit);
                if (problem) {
                        log_error("'%s' is not a valid unit name: %s.", a.unit, problem);
                        r = -EINVAL;
                }
        }
        if (r < 0) {
                confine_settings_done(&a.settings);
                return r;
        }
        *ret = a;
        return 1;
}

/* --keep: the installed settings, with the command line's added */
static int merge_installed(Args *a, int root_fd) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        ConfineSettings old;
        int r = dropin_read(root_fd, a->unit, a->runtime, &text);
        if (r == -ENOENT)
                return 0;
        if (r < 0 || confine_dropin_parse(text, &old, &err) < 0) {
                log_error("cannot read the installed settings of %s: %s.", a->unit,
                          err ? err : error_words(-r));
                return -EINVAL;
        }
        if (!a->settings.capabilities)
                a->settings.capabilities = TAKE_PTR(old.capabilities);
        char **lists[][2] = {{(char **)&old.presets, (char **)&a->settings.presets},
                             {(char **)&old.packages, (char **)&a->settings.packages},
                             {(char **)&old.paths, (char **)&a->settings.paths},
                             {(char **)&old.writable, (char **)&a->settings.writable},
                             {(char **)&old.overrides, (char **)&a->settings.overrides}};
        for (size_t i = 0; i < ELEMENTSOF(lists); i++) {
                char ***from = (char ***)lists[i][0], ***to = (char ***)lists[i][1];
                for (char **x = *from; x && *x; x++) {
                        /* an override of the same setting on the command line replaces the installed one */
                        bool replaced = false;
                        if (to == &a->settings.overrides)
                                for (char **y = *to; y && *y && !replaced; y++)
                                        replaced = strncmp(*x, *y, strcspn(*x, "=") + 1) == 0;
                        if (!replaced && !strv_contains(*to, *x) && strv_extend(to, *x) < 0)
                                return -ENOMEM;
                }
        }
        a->settings.full_unit = a->settings.full_unit || old.full_unit;
        a->settings.learned = a->settings.learned || old.learned;
        /* what the command line did not name stays as installed */
        if (!a->mode_given)
                a->settings.mode = old.mode;
        if (!a->budget_given)
                a->settings.mount_budget = old.mount_budget;
        if (!a->bin_sh_given) {
                a->settings.bin_sh = old.bin_sh;
                free(a->settings.bin_sh_path);
                a->settings.bin_sh_path = TAKE_PTR(old.bin_sh_path);
        }
        confine_settings_done(&old);
        return 0;
}

/* Settings -> plan -> text (confine_compute), with its notes on stderr. */
static int render(Args *a, ServiceSource *src, char **ret_text) {
        ClosureContext *ctx = NULL;
        DpkgDb *db = NULL;
        ConfineResult res = {};
        int r = closure_context_new(a->source.root, &ctx);
        if (r >= 0)
                (void)dpkg_db_new(closure_context_root(ctx), &db); /* none in an image without dpkg */
        if (r >= 0)
                r = confine_compute(src, ctx, db, a->unit, &a->settings, a->suggested, a->force, &res);
        for (char **l = res.accepted; l && *l; l++)
                fprintf(stderr, "sdconfine: accepted: %s.\n", *l);
        for (size_t i = 0; i < res.n_suggestions; i++)
                fprintf(stderr, "sdconfine: suggestion: %s%s: %s.\n",
                        res.suggestions[i].preset ? "--preset " : "--set ",
                        res.suggestions[i].preset ? res.suggestions[i].preset : res.suggestions[i].override,
                        res.suggestions[i].reason);
        for (char **w = res.plan.warnings; w && *w; w++)
                fprintf(stderr, "sdconfine: note: %s\n", *w);
        for (char **sg = res.plan.suggestions; sg && *sg; sg++)
                fprintf(stderr,
                        "sdconfine: suggestion: %s is named in an Exec* line; add it with --path %s if the "
                        "service needs it.\n",
                        *sg, *sg);
        if (r < 0 && res.error)
                log_error("cannot confine %s: %s.", a->unit, res.error);
        else if (r >= 0)
                *ret_text = TAKE_PTR(res.text);
        confine_result_done(&res);
        dpkg_db_free(db);
        closure_context_free(ctx);
        return r;
}

static void print_diff(const char *old, const char *new, const char *label) {
        char **lines = NULL;
        if (text_diff(old, new, &lines) < 0) {
                log_error("out of memory.");
                return;
        }
        printf("--- %s (%s)\n+++ %s (new)\n", label, old ? "installed" : "not installed", label);
        for (char **l = lines; *l; l++)
                puts(*l);
        strv_free(lines);
}

static int settings_copy(const ConfineSettings *from, ConfineSettings *to) {
        _cleanup_free_ char *j = NULL;
        int r = confine_settings_to_json_string(from, &j);
        return r < 0 ? r : confine_settings_from_json_string(j, to, NULL);
}

/* Write a file atomically (temporary file in the same directory, fsync, rename). */
/* The export file, through the one atomic writer (core/dropin-write.c). */
static int write_file_atomic(const char *path, const char *text) {
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : path;
        if (slash)
                *(slash == dir ? slash + 1 : slash) = 0;
        _cleanup_close_ int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return atomic_write_at(dfd, name, text, 0644);
}

/* export: each unit's text (its installed settings, or the command line's) below --dir, or all settings as
 * JSON for import on another host */
static int run_export(Args *a, ServiceSource *src, int root_fd) {
        ConfineSettings given;
        json_t *services = json_object(), *learned = json_object();
        int r = settings_copy(&a->settings, &given), ret = 0;
        if (r < 0 || !services || !learned) {
                json_decref(services);
                json_decref(learned);
                return -ENOMEM;
        }
        for (char **u = a->units; *u; u++) {
                _cleanup_free_ char *installed = NULL, *text = NULL, *err = NULL;
                confine_settings_done(&a->settings);
                a->unit = *u;
                /* no settings on the command line: what is installed */
                if (!a->settings_given && dropin_read(root_fd, *u, a->runtime, &installed) >= 0 &&
                    confine_dropin_parse(installed, &a->settings, &err) < 0) {
                        log_error("cannot read the installed settings of %s: %s.", *u, err);
                        ret = -EINVAL;
                        continue;
                }
                if (a->settings_given && settings_copy(&given, &a->settings) < 0) {
                        ret = -ENOMEM;
                        break;
                }
                if (a->export_json) {
                        _cleanup_free_ char *j = NULL;
                        if (confine_settings_to_json_string(&a->settings, &j) < 0 ||
                            json_object_set_new(services, *u, json_loads(j, 0, NULL)) < 0) {
                                ret = -ENOMEM;
                                break;
                        }
                        /* the unit's learned set travels with its settings */
                        _cleanup_free_ char *lj = NULL, *lerr = NULL;
                        r = learned_set_export(root_fd, *u, &lj, &lerr);
                        if (r >= 0 && json_object_set_new(learned, *u, json_loads(lj, 0, NULL)) < 0)
                                r = -ENOMEM;
                        if (r < 0 && r != -ENOENT) {
                                log_error("cannot export the learned set of %s: %s.", *u,
                                          lerr ? lerr : error_words(-r));
                                ret = r;
                                break;
                        }
                        continue;
                }
                _cleanup_free_ char *msg = NULL;
                r = render(a, src, &text); /* says itself what failed */
                if (r < 0) {
                        ret = r;
                        continue;
                }
                r = confine_export(a->export_dir, *u, text, &msg);
                if (r < 0) {
                        log_error("%s.", msg ? msg : error_words(-r));
                        ret = r;
                } else
                        printf("%s.\n", msg);
        }
        if (a->export_json && ret >= 0) {
                json_t *doc = json_pack("{s:s, s:i, s:o, s:o}", "generator", "sdconfine " PACKAGE_VERSION,
                                        "format", 1, "services", services, "learned", learned);
                services = learned = NULL;
                char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
                json_decref(doc);
                r = text ? write_file_atomic(a->export_json, text) : -ENOMEM;
                if (r < 0)
                        log_error("cannot write %s: %s.", a->export_json, error_words(-r));
                else
                        printf("Wrote %s.\n", a->export_json);
                free(text);
                ret = r;
        }
        json_decref(services);
        json_decref(learned);
        confine_settings_done(&given);
        return ret;
}

/* import: every service of an export --json file, its closure computed here */
static int run_import(Args *a, ServiceSource *src, int root_fd) {
        json_error_t e;
        json_t *doc = json_load_file(a->import_file, 0, &e), *services, *v;
        const char *unit;
        int ret = 0;
        if (!doc) {
                log_error("cannot read %s: %s (line %d).", a->import_file, e.text, e.line);
                return -EINVAL;
        }
        services = json_object_get(doc, "services");
        if (!json_is_object(services) || json_integer_value(json_object_get(doc, "format")) != 1) {
                log_error("%s is not an export of sdconfine (no \"format\": 1 and \"services\" object).",
                          a->import_file);
                json_decref(doc);
                return -EINVAL;
        }
        json_object_foreach(services, unit, v) {
                _cleanup_free_ char *j = json_dumps(v, JSON_COMPACT), *err = NULL, *text = NULL;
                const char *problem = unit_name_problem(unit);
                confine_settings_done(&a->settings);
                if (problem) {
                        log_error("%s: '%s' is not a valid unit name: %s. Skipped.", a->import_file, unit,
                                  problem);
                        ret = -EINVAL;
                        continue;
                }
                if (!j || confine_settings_from_json_string(j, &a->settings, &err) < 0) {
                        log_error("%s: the settings of %s are invalid: %s. Skipped.", a->import_file, unit,
                                  err ? err : "out of memory");
                        ret = -EINVAL;
                        continue;
                }
                /* the unit's learned set, when the file carries one, joins this host's (the union) */
                json_t *lv = json_object_get(json_object_get(doc, "learned"), unit);
                _cleanup_free_ char *lj = lv ? json_dumps(lv, JSON_COMPACT) : NULL;
                if (lv && (!lj || learned_set_import(root_fd, unit, lj, &err) < 0)) {
                        log_error("%s: the learned set of %s cannot be imported: %s. Skipped.",
                                  a->import_file, unit, err ? err : "out of memory");
                        ret = -EINVAL;
                        continue;
                }
                a->unit = unit;
                int r = render(a, src, &text);
                if (r >= 0)
                        r = dropin_write(root_fd, unit, a->runtime, text);
                if (r < 0) {
                        if (r == -EEXIST)
                                log_error(
                                        "%s has a 50-confinement.conf not written by sdconfine: left alone.",
                                        unit);
                        else if (r != -ENOENT && r != -EINVAL && r != -EPERM)
                                log_error("cannot write the drop-in of %s: %s.", unit, error_words(-r));
                        ret = r;
                } else
                        printf("Confined %s.\n", unit);
        }
        json_decref(doc);
        return ret;
}

/* The lock-out guard: refuse to restart, untried, the unit this command runs under (the operator's SSH
 * session below sshd). Nothing is written when it refuses. */
static int lockout_guard(ServiceSource *src, const char *unit) {
        UnitStatus s = {};
        _cleanup_free_ char *comm = NULL;
        pid_t pid = 0;
        int r = manager_unit_status(src->manager, unit, &s);
        if (r < 0) {
                log_error("cannot tell whether you are connected through %s (its control group cannot be "
                          "read: %s), "
                          "so it is not restarted untried. Use --try. Nothing was written.",
                          unit,
                          manager_last_error(src->manager) ? manager_last_error(src->manager)
                                                           : error_words(-r));
                return r;
        }
        r = s.control_group ? cgroup_find_ancestor_in(getpid(), s.control_group, &pid, &comm) : 0;
        if (r > 0) {
                log_error("you are connected through %s (this command runs below process %d, %s, in its "
                          "control "
                          "group): restarting it confined without --try could lock you out. Use --try, which "
                          "brings the previous state back when %s does not stay up. Nothing was written.",
                          unit, (int)pid, comm, unit);
                r = -EPERM;
        } else if (r < 0)
                log_error("cannot tell whether you are connected through %s: %s. Use --try. Nothing was "
                          "written.",
                          unit, error_words(-r));
        unit_status_done(&s);
        return r;
}

static volatile sig_atomic_t try_interrupted = 0;

static void on_interrupt(int sig) {
        try_interrupted = 1;
}

/* While a try runs: Ctrl-C and SIGTERM roll back instead of leaving the new drop-in untried, and a lost
 * terminal (the operator's SSH connection) does not end the try before it can roll back. */
static void try_signals(bool on, struct sigaction old[4]) {
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                if (!on) {
                        (void)sigaction(sigs[i], &old[i], NULL);
                        continue;
                }
                struct sigaction sa = {.sa_handler = i < 2 ? on_interrupt : SIG_IGN};
                sigemptyset(&sa.sa_mask);
                (void)sigaction(sigs[i], &sa, &old[i]);
        }
}

/* apply --try: the outcome in words. Returns the exit status: 0 kept, 3 rolled back, 1 an error. */
static int run_try(Args *a, ServiceSource *src, int root_fd, const char *text) {
        TryOptions o = {.seconds = a->try_seconds,
                        .check = a->check,
                        .runtime = a->runtime,
                        .interrupted = &try_interrupted};
        struct sigaction old[4];
        TryResult t = {};
        if (unit_name_is_valid(a->unit, UNIT_NAME_TEMPLATE)) {
                log_error(
                        "%s is a template: try one of its instances (e.g. %.*s@NAME.service); the drop-in is "
                        "written for all of them.",
                        a->unit, (int)strcspn(a->unit, "@"), a->unit);
                return 1;
        }
        fprintf(stderr, "sdconfine: trying the confinement of %s for %u s%s%s%s...\n", a->unit, o.seconds,
                o.check ? ", then the check '" : "", o.check ? o.check : "", o.check ? "'" : "");
        try_signals(true, old);
        int r = confine_try(src, root_fd, a->unit, text, &o, &t);
        try_signals(false, old);
        if (r < 0 && t.error) {
                log_error("%s.", t.error);
                try_result_done(&t);
                return 1;
        }
        if (t.kept) {
                printf("%s.\n", t.summary ? t.summary : "Kept");
                try_result_done(&t);
                return 0;
        }
        log_error("the try failed: %s.", t.failure ? t.failure : "out of memory");
        if (t.check_output && *t.check_output) {
                fprintf(stderr, "sdconfine: the check's output (its end):\n");
                for (char *rest = t.check_output, *l; (l = strsep(&rest, "\n"));)
                        if (*l || rest)
                                fprintf(stderr, "    %s\n", l);
        }
        if (t.rollback)
                fprintf(stderr, "sdconfine: %s: %s.\n",
                        t.rollback_failed ? "the rollback did not complete" : "rolled back", t.rollback);
        if (t.journal_error)
                fprintf(stderr, "sdconfine: the journal of the attempt: %s. See 'journalctl -u %s'.\n",
                        t.journal_error, a->unit);
        else if (t.journal && t.journal[0]) {
                fprintf(stderr,
                        "sdconfine: the journal of %s during the try (journalctl -u %s --since \"%s\"):\n",
                        a->unit, a->unit, t.since ? t.since : "today");
                for (char **l = t.journal; *l; l++)
                        fprintf(stderr, "    %s\n", *l);
        } else if (t.journal)
                fprintf(stderr, "sdconfine: %s logged nothing during the try.\n", a->unit);
        for (size_t i = 0; i < t.n_suggestions; i++) {
                const JournalSuggestion *sg = t.suggestions + i;
                switch (sg->hint) {
                case JOURNAL_HINT_PATH:
                        fprintf(stderr, "sdconfine: suggestion: %s %s (journal: %s)\n",
                                sg->writable ? "--writable" : "--path", sg->path, sg->line);
                        break;
                case JOURNAL_HINT_PERL_MODULE:
                        fprintf(stderr,
                                "sdconfine: suggestion: the Perl module %s is missing: --path the directory "
                                "of "
                                "@INC that holds it (journal: %s)\n",
                                sg->what, sg->line);
                        break;
                case JOURNAL_HINT_PYTHON_MODULE:
                        fprintf(stderr,
                                "sdconfine: suggestion: the Python module %s is missing: --path the "
                                "directory "
                                "of sys.path that holds it (journal: %s)\n",
                                sg->what, sg->line);
                        break;
                case JOURNAL_HINT_LIBRARY:
                        fprintf(stderr,
                                "sdconfine: suggestion: the library %s is missing: --path the file 'ldconfig "
                                "-p' "
                                "names for it (journal: %s)\n",
                                sg->what, sg->line);
                        break;
                }
        }
        if (t.stored)
                fprintf(stderr,
                        "sdconfine: the suggested paths are kept in %s: 'sdconfine apply --suggested --try "
                        "%s' "
                        "takes them.\n",
                        t.stored, a->unit);
        else if (t.store_error)
                fprintf(stderr, "sdconfine: the suggested paths: %s. Give them with --path and --writable.\n",
                        t.store_error);
        r = t.rollback_failed || r < 0 ? 1 : 3;
        try_result_done(&t);
        return r;
}

static int run(int argc, char **argv, Action action) {
        Args a;
        ServiceSource src = {};
        _cleanup_free_ char *text = NULL, *installed = NULL, *path = NULL;
        int status = -1; /* the exit status when it is neither 0 nor 1 */
        int r = parse_args(argc, argv, action, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        /* writing the unit directories and reloading need privileges: say which are missing, write nothing */
        const char *missing = NULL;
        if ((action == ACTION_APPLY || action == ACTION_REVERT || action == ACTION_IMPORT) &&
            !a.source.root && !caps_self_privileged(&missing)) {
                log_error("%s needs %s. Nothing was written. Use 'sdconfine preview' or 'sdconfine export "
                          "--dir DIR' "
                          "to get the drop-in and install it with the rights to.",
                          action_names[action], missing);
                confine_settings_done(&a.settings);
                return 1;
        }
        if (cli_source_open(&a.source, &src, action == ACTION_REVERT) < 0) {
                confine_settings_done(&a.settings);
                return 1;
        }
        int root_fd = src.root ? fs_root_fd(src.root) : -EBADF;
        _cleanup_close_ int own_fd = -EBADF;
        if (root_fd < 0) {
                own_fd = open(a.source.root ? a.source.root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                root_fd = own_fd;
        }
        /* the file as the operator finds it: below --root when given */
        path = a.unit ? confine_dropin_display_path(&src, a.unit, a.runtime) : NULL;

        if (action == ACTION_EXPORT) {
                r = run_export(&a, &src, root_fd);
                goto finish;
        }
        if (action == ACTION_IMPORT)
                r = run_import(&a, &src, root_fd);
        else if (action == ACTION_REVERT) {
                _cleanup_free_ char *msg = NULL;
                r = confine_remove(&src, root_fd, a.unit, a.runtime, !a.no_reload, &msg);
                if (r < 0)
                        log_error("%s.", msg ? msg : error_words(-r));
                else
                        printf("%s.\n", msg);
        } else {
                if (a.keep && (r = merge_installed(&a, root_fd)) < 0)
                        goto finish;
                r = render(&a, &src, &text);
                if (r < 0)
                        goto finish;
                if (action == ACTION_PREVIEW)
                        fputs(text, stdout);
                else if (action == ACTION_DIFF) {
                        r = dropin_read(root_fd, a.unit, a.runtime, &installed);
                        if (r < 0 && r != -ENOENT) {
                                log_error("cannot read %s: %s.", path, error_words(-r));
                                goto finish;
                        }
                        print_diff(installed, text, path);
                        r = 0;
                } else if (a.try_given) {
                        status = run_try(&a, &src, root_fd, text);
                } else if (a.restart && src.manager && (r = lockout_guard(&src, a.unit)) < 0) {
                        goto finish;
                } else {
                        _cleanup_free_ char *msg = NULL;
                        r = confine_write(&src, root_fd, a.unit, a.runtime, text, !a.no_reload, a.restart,
                                          &msg);
                        if (r < 0)
                                log_error("%s.", msg ? msg : error_words(-r));
                        else
                                printf("%s.\n", msg);
                }
        }
        if (r >= 0 && action == ACTION_IMPORT && src.manager && !a.no_reload) {
                r = manager_reload(src.manager);
                if (r < 0)
                        log_error("the files are written but the manager did not reload: %s. Run 'systemctl "
                                  "daemon-reload'.",
                                  manager_last_error(src.manager));
        }
finish:
        confine_settings_done(&a.settings);
        strv_free(a.units);
        service_source_close(&src);
        return status >= 0 ? status : r < 0 ? 1 : 0;
}

int cmd_preview(int argc, char **argv) {
        return run(argc, argv, ACTION_PREVIEW);
}
int cmd_diff(int argc, char **argv) {
        return run(argc, argv, ACTION_DIFF);
}
int cmd_apply(int argc, char **argv) {
        return run(argc, argv, ACTION_APPLY);
}
int cmd_revert(int argc, char **argv) {
        return run(argc, argv, ACTION_REVERT);
}
int cmd_export(int argc, char **argv) {
        return run(argc, argv, ACTION_EXPORT);
}
int cmd_import(int argc, char **argv) {
        return run(argc, argv, ACTION_IMPORT);
}
