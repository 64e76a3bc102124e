/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>

#include "cmd-confine.h"
#include "confine-session.h"
#include "dropin-write.h"
#include "fileio.h"
#include "learned-set.h"
#include "macro.h"
#include "output.h"
#include "unit-name.h"

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
static int run_export(CliOptions *a, ServiceSource *src, int root_fd) {
        ConfineSettings given;
        json_t *services = json_object(), *learned = json_object();
        int r = settings_copy(&a->settings, &given), ret = 0;
        if (r < 0 || !services || !learned) {
                json_decref(services);
                json_decref(learned);
                return -ENOMEM;
        }
        for (char **u = a->args; u < a->args + a->n_args; u++) {
                _cleanup_free_ char *installed = NULL, *text = NULL, *err = NULL;
                confine_settings_done(&a->settings);
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
                if (a->json_file) {
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
                r = cli_render(a, src, *u, &text); /* says itself what failed */
                if (r < 0) {
                        ret = r;
                        continue;
                }
                r = confine_export(a->dir, *u, text, &msg);
                if (r < 0) {
                        log_error("%s.", msg ? msg : error_words(-r));
                        ret = r;
                } else
                        printf("%s.\n", msg);
        }
        if (a->json_file && ret >= 0) {
                json_t *doc = json_pack("{s:s, s:i, s:o, s:o}", "generator", "sdconfine " PACKAGE_VERSION,
                                        "format", 1, "services", services, "learned", learned);
                services = learned = NULL;
                char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
                json_decref(doc);
                r = text ? write_file_atomic(a->json_file, text) : -ENOMEM;
                if (r < 0)
                        log_error("cannot write %s: %s.", a->json_file, error_words(-r));
                else
                        printf("Wrote %s.\n", a->json_file);
                free(text);
                ret = r;
        }
        json_decref(services);
        json_decref(learned);
        confine_settings_done(&given);
        return ret;
}

/* import: every service of an export --json file, its closure computed here */
static int run_import(CliOptions *a, ServiceSource *src, int root_fd) {
        json_error_t e;
        json_t *doc = json_load_file(a->args[0], 0, &e), *services, *v;
        const char *unit;
        int ret = 0;
        if (!doc) {
                log_error("cannot read %s: %s (line %d).", a->args[0], e.text, e.line);
                return -EINVAL;
        }
        services = json_object_get(doc, "services");
        if (!json_is_object(services) || json_integer_value(json_object_get(doc, "format")) != 1) {
                log_error("%s is not an export of sdconfine (no \"format\": 1 and \"services\" object).",
                          a->args[0]);
                json_decref(doc);
                return -EINVAL;
        }
        json_object_foreach(services, unit, v) {
                _cleanup_free_ char *j = json_dumps(v, JSON_COMPACT), *err = NULL, *text = NULL;
                const char *problem = unit_name_problem(unit);
                confine_settings_done(&a->settings);
                if (problem) {
                        log_error("%s: '%s' is not a valid unit name: %s. Skipped.", a->args[0], unit,
                                  problem);
                        ret = -EINVAL;
                        continue;
                }
                if (!j || confine_settings_from_json_string(j, &a->settings, &err) < 0) {
                        log_error("%s: the settings of %s are invalid: %s. Skipped.", a->args[0], unit,
                                  err ? err : "out of memory");
                        ret = -EINVAL;
                        continue;
                }
                /* the unit's learned set, when the file carries one, joins this host's (the union) */
                json_t *lv = json_object_get(json_object_get(doc, "learned"), unit);
                _cleanup_free_ char *lj = lv ? json_dumps(lv, JSON_COMPACT) : NULL;
                if (lv && (!lj || learned_set_import(root_fd, unit, lj, &err) < 0)) {
                        log_error("%s: the learned set of %s cannot be imported: %s. Skipped.", a->args[0],
                                  unit, err ? err : "out of memory");
                        ret = -EINVAL;
                        continue;
                }
                int r = cli_render(a, src, unit, &text);
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

int cmd_export(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        if (!!o->dir == !!o->json_file) {
                log_error("export: give --dir DIR or --json FILE, and one or more units.");
                return 2;
        }
        if (cli_session_open(o, false, &s) < 0)
                return 1;
        return run_export(o, &s.src, s.root_fd) < 0 ? 1 : 0;
}

int cmd_import(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        if (cli_session_open(o, true, &s) < 0)
                return 1;
        int r = run_import(o, &s.src, s.root_fd);
        if (r >= 0 && s.src.manager && !o->no_reload) {
                r = manager_reload(s.src.manager);
                if (r < 0)
                        log_error("the files are written but the manager did not reload: %s. Run 'systemctl "
                                  "daemon-reload'.",
                                  manager_last_error(s.src.manager));
        }
        return r < 0 ? 1 : 0;
}
