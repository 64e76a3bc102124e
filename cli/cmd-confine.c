/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>

#include "caps.h"
#include "cmd-confine.h"
#include "confine-plan.h"
#include "confine-session.h"
#include "dropin-write.h"
#include "exposure-report.h"
#include "fileio.h"
#include "macro.h"
#include "output.h"
#include "textdiff.h"
#include "unit-name.h"

int cli_session_open(CliOptions *o, bool writes, CliSession *ret) {
        CliSession s = {.root_fd = -EBADF, .own_fd = -EBADF};
        /* writing the unit directories and reloading need privileges: say which are missing, write nothing */
        const char *missing = NULL;
        if (writes && !o->source.root && !caps_self_privileged(&missing)) {
                log_error("%s needs %s. Nothing was written. Use 'sdconfine preview' or 'sdconfine export "
                          "--dir DIR' to get the drop-in and install it with the rights to.",
                          o->verb, missing);
                return -EPERM;
        }
        if (cli_source_open(&o->source, &s.src, streq(o->verb, "revert")) < 0)
                return -EINVAL;
        /* an alias (redis.service of redis-server.service) is its unit: one drop-in, under the unit's name;
         * import's operand is a file */
        bool units = !streq(o->verb, "import");
        for (unsigned i = 0; units && i < o->n_args; i++) {
                char *id = NULL;
                _cleanup_free_ char *err = NULL;
                if (service_source_resolve(&s.src, o->args[i], &id, NULL, &err) < 0 ||
                    streq(id, o->args[i])) {
                        free(id);
                        continue;
                }
                if (strv_push(&o->owned, id) < 0) {
                        free(id);
                        cli_session_close(&s);
                        return -ENOMEM;
                }
                fprintf(stderr, "sdconfine: %s is an alias of %s: working on %s.\n", o->args[i], id, id);
                o->args[i] = id;
        }
        s.root_fd = s.src.root ? fs_root_fd(s.src.root) : -EBADF;
        if (s.root_fd < 0) {
                s.own_fd = open(o->source.root ? o->source.root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                s.root_fd = s.own_fd;
        }
        *ret = s;
        return 0;
}

void cli_session_close(CliSession *s) {
        service_source_close(&s->src);
        if (s->own_fd >= 0)
                close(s->own_fd);
        s->own_fd = -EBADF;
}

/* --keep: the installed settings, with the command line's added */
static int merge_installed(CliOptions *a, const char *unit, int root_fd) {
        _cleanup_free_ char *text = NULL, *err = NULL;
        ConfineSettings old;
        int r = dropin_read(root_fd, unit, a->runtime, &text);
        if (r == -ENOENT)
                return 0;
        if (r < 0 || confine_dropin_parse(text, &old, &err) < 0) {
                log_error("cannot read the installed settings of %s: %s.", unit, err ? err : error_words(-r));
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

/* Notes and suggestions on stderr; with several units (export) each line says which unit it is for. */
static void print_notes(const ConfineResult *res, const char *unit) {
        char who[300] = "";
        if (unit)
                snprintf(who, sizeof who, "%s: ", unit);
        for (char **l = res->accepted; l && *l; l++)
                fprintf(stderr, "sdconfine: %saccepted: %s.\n", who, *l);
        for (size_t i = 0; i < res->n_suggestions; i++)
                fprintf(stderr, "sdconfine: %ssuggestion: %s%s: %s.\n", who,
                        res->suggestions[i].preset ? "--preset " : "--set ",
                        res->suggestions[i].preset ? res->suggestions[i].preset
                                                   : res->suggestions[i].override,
                        res->suggestions[i].reason);
        for (char **w = res->plan.warnings; w && *w; w++)
                fprintf(stderr, "sdconfine: %snote: %s\n", who, *w);
        for (char **sg = res->plan.suggestions; sg && *sg; sg++)
                fprintf(stderr,
                        "sdconfine: %ssuggestion: %s is named in an Exec* line; add it with --path %s if the "
                        "service needs it.\n",
                        who, *sg, *sg);
}

/* The computation behind every verb that makes a drop-in; notes on stderr unless quiet (preview --json
 * carries them itself). *ret is filled either way; the caller frees it. */
static int render_result(CliOptions *a, ServiceSource *src, const char *unit, bool quiet,
                         ConfineResult *ret) {
        ClosureContext *ctx = NULL;
        DpkgDb *db = NULL;
        /* export --dir: a drop-in for other hosts binds as systemd does everywhere, not from our views */
        a->settings.portable = streq(a->verb, "export");
        int r = closure_context_new(a->source.root, &ctx);
        if (r >= 0)
                (void)dpkg_db_new(closure_context_root(ctx), &db); /* none in an image without dpkg */
        if (r >= 0)
                r = confine_compute(src, ctx, db, unit, &a->settings, a->suggested, a->force, ret);
        if (!quiet)
                print_notes(ret, streq(a->verb, "export") ? unit : NULL);
        if (r < 0 && ret->error)
                log_error("cannot confine %s: %s.", unit, ret->error);
        else if (r < 0)
                log_error("cannot confine %s: %s.", unit, error_words(-r));
        dpkg_db_free(db);
        closure_context_free(ctx);
        return r;
}

int cli_render(CliOptions *a, ServiceSource *src, const char *unit, char **ret_text) {
        ConfineResult res = {};
        int r = render_result(a, src, unit, false, &res);
        if (r >= 0)
                *ret_text = TAKE_PTR(res.text);
        confine_result_done(&res);
        return r;
}

/* The drop-in for the one unit of preview, diff and apply: the command line's settings, with the installed
 * ones under --keep. */
static int text_of(CliOptions *o, CliSession *s, char **ret_text) {
        int r = o->keep ? merge_installed(o, o->args[0], s->root_fd) : 0;
        return r < 0 ? r : cli_render(o, &s->src, o->args[0], ret_text);
}

/* What the confinement buys (issue 18): systemd's score and the files the service sees, before and after. */
static int exposure_of(const CliOptions *o, const ConfineResult *res, ExposureReport *ret) {
        ExposureOptions eo = {.root = o->source.root,
                              .cache_path = o->source.root ? NULL : EXPOSURE_CACHE_PATH,
                              .max_age = EXPOSURE_CACHE_MAX_AGE};
        int r = exposure_report_compute(res, &eo, ret);
        if (r < 0)
                log_error("cannot measure the exposure of %s: %s.", res->svc ? res->svc->id : "the unit",
                          error_words(-r));
        return r;
}

static json_t *suggestions_json(const ConfineResult *res) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < res->n_suggestions; i++) {
                const Suggestion *sg = res->suggestions + i;
                json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "kind", sg->preset ? "preset" : "set",
                                                   "value", sg->preset ? sg->preset : sg->override, "reason",
                                                   sg->reason));
        }
        return a;
}

static json_t *strv_json(char *const *l) {
        json_t *a = json_array();
        for (char *const *x = l; a && x && *x; x++)
                json_array_append_new(a, json_string(*x));
        return a;
}

/* Each directory bound whole and what it shows beyond the closure (issue 16). */
static void print_merges(const MountPlan *p) {
        if (p->n_merges > 0)
                fputs("sdconfine: directories bound whole:\n", stderr);
        for (size_t i = 0; i < p->n_merges; i++) {
                _cleanup_free_ char *l = NULL;
                if (dir_merge_describe(p->merges + i, &l) >= 0)
                        fprintf(stderr, "sdconfine:   %s\n", l);
        }
}

static json_t *merges_json(const MountPlan *p) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < p->n_merges; i++) {
                const DirMerge *m = p->merges + i;
                json_t *eg = json_array();
                for (size_t k = 0; eg && k < DIR_MERGE_EXAMPLES && m->examples[k]; k++)
                        json_array_append_new(eg, json_string(m->examples[k]));
                json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:b, s:o}", "dir", m->dir,
                                                   "why", dir_merge_why_to_string(m->why), "package",
                                                   m->package, "replaced", (json_int_t)m->replaced, "exposed",
                                                   (json_int_t)m->exposed, "exposed_counted",
                                                   m->exposed_known, "examples", eg));
        }
        return a;
}

static int preview_json(const CliOptions *o, const ConfineResult *res, const ExposureReport *rep) {
        json_t *exposure = NULL;
        if (rep && exposure_report_to_json(rep, &exposure) < 0)
                return -ENOMEM;
        json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "unit", res->svc->id, "dropin",
                                res->text, "accepted", strv_json(res->accepted), "suggestions",
                                suggestions_json(res), "notes", strv_json(res->plan.warnings),
                                "named_in_exec", strv_json(res->plan.suggestions), "bound_whole",
                                merges_json(&res->plan), "exposure", exposure ? exposure : json_null());
        if (!doc)
                return -ENOMEM;
        json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(doc);
        return 0;
}

int cmd_preview(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        ConfineResult res = {};
        ExposureReport rep = {};
        int r = cli_session_open(o, false, &s) < 0 ? -EINVAL : 0;
        if (r >= 0 && o->keep)
                r = merge_installed(o, o->args[0], s.root_fd);
        if (r >= 0)
                r = render_result(o, &s.src, o->args[0], o->json, &res);
        bool measured = r >= 0 && !o->no_exposure && exposure_of(o, &res, &rep) >= 0;
        if (r >= 0 && o->json)
                r = preview_json(o, &res, measured ? &rep : NULL);
        else if (r >= 0) {
                char **lines = NULL;
                print_merges(&res.plan);
                if (measured && exposure_report_format(&rep, output_utf8(), &lines) >= 0)
                        for (char **l = lines; *l; l++)
                                fprintf(stderr, "sdconfine: %s\n", *l);
                strv_free(lines);
                fputs(res.text, stdout);
        }
        exposure_report_done(&rep);
        confine_result_done(&res);
        return r < 0 ? 1 : 0;
}

/* As diff: unified, exit status 0 the same, 1 different, 2 trouble. Without settings on the command line
 * the installed settings are computed again (what a package upgrade changed in the closure). */
int cmd_diff(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        _cleanup_free_ char *text = NULL, *installed = NULL, *path = NULL, *out = NULL, *old_label = NULL,
                            *new_label = NULL;
        if (!o->settings_given)
                o->keep = true;
        if (cli_session_open(o, false, &s) < 0 || text_of(o, &s, &text) < 0)
                return 2;
        path = confine_dropin_display_path(&s.src, o->args[0], o->runtime);
        int r = dropin_read(s.root_fd, o->args[0], o->runtime, &installed);
        if (r < 0 && r != -ENOENT) {
                log_error("cannot read %s: %s.", path, error_words(-r));
                return 2;
        }
        if (asprintf(&old_label, "%s\t(%s)", installed ? path : "/dev/null",
                     installed ? "installed" : "not installed") < 0 ||
            asprintf(&new_label, "%s\t(%s)", path, o->settings_given ? "these settings" : "computed again") <
                    0)
                return 2;
        r = text_diff_unified(installed, text, old_label, new_label, 3, &out);
        if (r < 0) {
                log_error("out of memory.");
                return 2;
        }
        if (out)
                fputs(out, stdout);
        return r > 0 ? 1 : 0;
}

static int apply_check_options(const CliOptions *o) {
        if (o->check && !o->try_given) {
                log_error("--check runs at the end of a try: give it with --try, e.g. 'sdconfine apply --try "
                          "--check \"curl -fsS http://localhost/\" UNIT'.");
                return -EINVAL;
        }
        if (o->try_given && (o->no_reload || o->source.root || o->source.offline)) {
                log_error(
                        "--try restarts the service through the running manager: it cannot be given with %s.",
                        o->no_reload     ? "--no-reload"
                        : o->source.root ? "--root"
                                         : "--offline");
                return -EINVAL;
        }
        return 0;
}

int cmd_apply(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        _cleanup_free_ char *text = NULL, *msg = NULL;
        if (apply_check_options(o) < 0)
                return 2;
        if (cli_session_open(o, true, &s) < 0 || text_of(o, &s, &text) < 0)
                return 1;
        const char *unit = o->args[0]; /* the unit's own name, an alias resolved */
        if (o->try_given)
                return cli_try(o, &s, unit, text);
        if (o->restart && s.src.manager && cli_lockout_guard(&s.src, unit) < 0)
                return 1;
        int r = confine_write(&s.src, s.root_fd, unit, o->runtime, text, !o->no_reload, o->restart, &msg);
        if (r < 0) {
                log_error("%s.", msg ? msg : error_words(-r));
                return 1;
        }
        printf("%s.\n", msg);
        return 0;
}

/* Drop-ins of ours that sit under one of the unit's aliases (systemd reads NAME.d/ of every name; one of the
 * same file name masks the other, so each alias is looked at, not only what the unit's DropInPaths show):
 * revert removes them too, or the unit would stay confined. Returns how many. */
static int revert_alias_dropins(CliOptions *o, CliSession *s) {
        _cleanup_free_ char *err = NULL;
        _cleanup_(strv_freep) char **names = NULL;
        char *id = NULL;
        int removed = 0;
        if (service_source_resolve(&s->src, o->args[0], &id, &names, &err) < 0)
                return 0;
        for (char **n = names; n && *n; n++) {
                _cleanup_free_ char *text = NULL, *path = NULL;
                if (streq(*n, id) || dropin_read(s->root_fd, *n, o->runtime, &text) < 0 ||
                    !confine_dropin_is_ours(text))
                        continue;
                path = confine_dropin_display_path(&s->src, *n, o->runtime);
                int r = dropin_remove(s->root_fd, *n, o->runtime);
                if (r < 0)
                        log_error("cannot remove %s (under the alias %s): %s.", path, *n, error_words(-r));
                else {
                        printf("Removed %s (under the alias %s).\n", path, *n);
                        removed++;
                }
        }
        free(id);
        return removed;
}

int cmd_revert(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        _cleanup_free_ char *msg = NULL;
        if (cli_session_open(o, true, &s) < 0)
                return 1;
        int aliases = revert_alias_dropins(o, &s);
        int r = confine_remove(&s.src, s.root_fd, o->args[0], o->runtime, !o->no_reload, &msg);
        if (r == -ENOENT && aliases > 0) {
                if (s.src.manager && !o->no_reload && manager_reload(s.src.manager) < 0)
                        log_error("the manager did not reload: %s. Run 'systemctl daemon-reload'.",
                                  manager_last_error(s.src.manager));
                return 0;
        }
        if (r < 0) {
                log_error("%s.", msg ? msg : error_words(-r));
                return 1;
        }
        printf("%s.\n", msg);
        return 0;
}
