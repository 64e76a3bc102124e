/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "ansible-role.h"
#include "cmd-confine.h"
#include "confine-try.h"
#include "confine-session.h"
#include "dropin-write.h"
#include "fileio.h"
#include "learned-set.h"
#include "macro.h"
#include "output.h"
#include "textdiff.h"
#include "path-util.h"
#include "unit-name.h"

static int settings_copy(const ConfineSettings *from, ConfineSettings *to) {
        _cleanup_free_ char *j = NULL;
        int r = confine_settings_to_json_string(from, &j);
        return r < 0 ? r : confine_settings_from_json_string(j, to, NULL);
}

/* The settings export gives a unit: the command line's (given), or without any, the installed ones. */
static int unit_settings(CliOptions *a, const ConfineSettings *given, int root_fd, const char *unit) {
        _cleanup_free_ char *installed = NULL, *err = NULL;
        confine_settings_done(&a->settings);
        if (a->settings_given)
                return settings_copy(given, &a->settings);
        confine_settings_init(&a->settings);
        int r = dropin_read(root_fd, unit, a->runtime, &installed);
        if (r == -ENOENT) {
                log_error("%s has no installed confinement to export. Confine it first ('sdconfine apply'), "
                          "or give settings (e.g. --suggested).",
                          unit);
                return -ENOENT;
        }
        if (r < 0 || confine_dropin_parse(installed, &a->settings, &err) < 0) {
                log_error("cannot read the installed settings of %s: %s.", unit, err ? err : error_words(-r));
                return -EINVAL;
        }
        return 0;
}

/* The profile: every unit's settings (and learned set) as the JSON text import reads. */
static int export_profile(CliOptions *a, const ConfineSettings *given, int root_fd, char **ret_text) {
        json_t *services = json_object(), *learned = json_object();
        int r = services && learned ? 0 : -ENOMEM;
        for (char **u = a->args; r >= 0 && u < a->args + a->n_args; u++) {
                _cleanup_free_ char *j = NULL, *lj = NULL, *lerr = NULL;
                r = unit_settings(a, given, root_fd, *u);
                if (r >= 0)
                        r = confine_settings_to_json_string(&a->settings, &j);
                if (r >= 0 && json_object_set_new(services, *u, json_loads(j, 0, NULL)) < 0)
                        r = -ENOMEM;
                if (r < 0)
                        break;
                /* the unit's learned set travels with its settings */
                r = learned_set_export(root_fd, *u, &lj, &lerr);
                if (r >= 0 && json_object_set_new(learned, *u, json_loads(lj, 0, NULL)) < 0)
                        r = -ENOMEM;
                if (r == -ENOENT)
                        r = 0;
                else if (r < 0)
                        log_error("cannot export the learned set of %s: %s.", *u,
                                  lerr ? lerr : error_words(-r));
        }
        if (r < 0) {
                json_decref(services);
                json_decref(learned);
                return r;
        }
        json_t *doc = json_pack("{s:s, s:i, s:o, s:o}", "generator", "sdconfine " PACKAGE_VERSION, "format",
                                1, "services", services, "learned", learned);
        char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(doc);
        if (!text)
                return -ENOMEM;
        *ret_text = text;
        return 0;
}

/* export --dir: each unit's drop-in text below DIR */
static int export_dropins(CliOptions *a, const ConfineSettings *given, ServiceSource *src, int root_fd) {
        int ret = 0;
        for (char **u = a->args; u < a->args + a->n_args; u++) {
                _cleanup_free_ char *text = NULL, *msg = NULL;
                int r = unit_settings(a, given, root_fd, *u);
                if (r >= 0)
                        r = cli_render(a, src, *u, &text); /* says itself what failed */
                if (r >= 0) {
                        r = confine_export(a->dir, *u, text, &msg);
                        if (r < 0)
                                log_error("%s.", msg ? msg : error_words(-r));
                        else
                                printf("%s.\n", msg);
                }
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        ret = r;
        }
        return ret;
}

/* export: the drop-ins below --dir, the settings as JSON (--json) for import on another host, or an
 * Ansible role that imports them on every host of an inventory (--ansible) */
static int run_export(CliOptions *a, ServiceSource *src, int root_fd) {
        ConfineSettings given;
        _cleanup_free_ char *text = NULL, *bad = NULL;
        int r = settings_copy(&a->settings, &given);
        if (r < 0)
                return r;
        if (a->dir) {
                r = export_dropins(a, &given, src, root_fd);
                confine_settings_done(&given);
                return r;
        }
        r = export_profile(a, &given, root_fd, &text);
        confine_settings_done(&given);
        if (r < 0)
                return r;
        if (a->json_file) {
                _cleanup_free_ char *line = NULL, *dir = path_dirname(a->json_file);
                r = asprintf(&line, "%s\n", text) < 0 ? -ENOMEM : atomic_write_file(a->json_file, line, 0644);
                if (r == -ENOENT)
                        log_error("cannot write %s: the directory %s does not exist. Create it, or name "
                                  "another "
                                  "file.",
                                  a->json_file, dir ? dir : ".");
                else if (r < 0)
                        log_error("cannot write %s: %s.", a->json_file, error_words(-r));
                else
                        printf("Wrote %s.\n", a->json_file);
                return r;
        }
        AnsibleRoleOptions o = {.profile = text,
                                .units = a->args,
                                .generator = "sdconfine " PACKAGE_VERSION,
                                .try_seconds = a->try_seconds};
        r = ansible_role_write(AT_FDCWD, a->ansible_dir, &o, &bad);
        if (r < 0)
                log_error("cannot write the Ansible role: %s/%s: %s.", a->ansible_dir, bad ? bad : "",
                          error_words(-r));
        else
                printf("Wrote %s/site.yml and the role %s/roles/sdconfine (%u unit%s). Put sdconfine_*.deb "
                       "in "
                       "%s/roles/sdconfine/files/, then: ansible-playbook -i INVENTORY %s/site.yml\n",
                       a->ansible_dir, a->ansible_dir, a->n_args, a->n_args == 1 ? "" : "s", a->ansible_dir,
                       a->ansible_dir);
        return r;
}

/* A unified diff of the whole file, one hunk with all of it as context: "--- a" "+++ b" "@@ -1,N +1,M @@". */
static int unified_diff(const char *label, const char *old, const char *new, char **ret) {
        _cleanup_(strv_freep) char **lines = NULL;
        char *buf = NULL;
        size_t size = 0, n_old = 0, n_new = 0;
        int r = text_diff(old, new, &lines);
        if (r < 0)
                return r;
        for (char **l = lines; *l; l++) {
                n_old += **l != '+';
                n_new += **l != '-';
        }
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "--- %s%s\n+++ %s\n@@ -%zu,%zu +%zu,%zu @@\n", old ? "" : "/dev/null", old ? label : "",
                label, n_old ? (size_t)1 : 0, n_old, n_new ? (size_t)1 : 0, n_new);
        for (char **l = lines; *l; l++)
                fprintf(f, "%s\n", *l);
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* import --try: the changed unit written, restarted and held as apply --try does; its account on stderr
 * and in the unit's JSON. 0 kept, 1 rolled back, < 0 the try could not run. */
static int import_try(CliOptions *a, CliSession *s, const char *unit, const char *text, json_t *entry) {
        TryOptions o = {.seconds = a->try_seconds, .runtime = a->runtime};
        TryResult t = {};
        json_t *journal = json_array();
        int r = confine_try(&s->src, s->root_fd, unit, text, &o, &t);
        if (r < 0)
                log_error("%s: %s.", unit, t.error ? t.error : error_words(-r));
        else if (!t.kept) {
                log_error("%s: the try failed: %s.", unit, t.failure ? t.failure : "out of memory");
                if (t.rollback)
                        fprintf(stderr, "sdconfine: %s: %s: %s.\n", unit,
                                t.rollback_failed ? "the rollback did not complete" : "rolled back",
                                t.rollback);
                for (char **l = t.journal; l && *l; l++)
                        fprintf(stderr, "    %s\n", *l);
                for (size_t i = 0; i < t.n_suggestions; i++)
                        if (t.suggestions[i].hint == JOURNAL_HINT_PATH)
                                fprintf(stderr, "sdconfine: suggestion: %s %s (journal: %s)\n",
                                        t.suggestions[i].writable ? "--writable" : "--path",
                                        t.suggestions[i].path, t.suggestions[i].line);
        }
        for (char **l = t.journal; journal && l && *l; l++)
                json_array_append_new(journal, json_string(*l));
        json_object_set_new(entry, "try",
                            json_pack("{s:b, s:s?, s:s?, s:s?, s:o?}", "kept", r >= 0 && t.kept, "summary",
                                      t.summary, "failure", r < 0 ? t.error : t.failure, "rollback",
                                      t.rollback, "journal", journal));
        bool kept = t.kept;
        if (r >= 0 && !kept && t.rollback_failed)
                r = -EIO;
        try_result_done(&t);
        return r < 0 ? r : !kept;
}
/* One import: the JSON output's entries, and what happened. */
typedef struct Import {
        CliOptions *a;
        CliSession *s;
        const char *file; /* for messages */
        json_t *units;
        bool changed, written;
        int status; /* 0, or 3 when a try was rolled back */
} Import;

/* The profile's settings (and learned set) for one unit, its drop-in computed here. */
static int import_settings(Import *im, json_t *doc, const char *unit, json_t *v) {
        CliOptions *a = im->a;
        _cleanup_free_ char *j = json_dumps(v, JSON_COMPACT), *err = NULL;
        const char *problem = unit_name_problem(unit);
        confine_settings_done(&a->settings);
        if (problem) {
                log_error("%s: '%s' is not a valid unit name: %s. Skipped.", im->file, unit, problem);
                return -EINVAL;
        }
        if (!j || confine_settings_from_json_string(j, &a->settings, &err) < 0) {
                log_error("%s: the settings of %s are invalid: %s. Skipped.", im->file, unit,
                          err ? err : "out of memory");
                return -EINVAL;
        }
        /* the unit's learned set, when the file carries one, joins this host's (the union) */
        json_t *lv = json_object_get(json_object_get(doc, "learned"), unit);
        _cleanup_free_ char *lj = lv ? json_dumps(lv, JSON_COMPACT) : NULL;
        if (lv && a->check_only)
                fprintf(stderr,
                        "sdconfine: note: %s: --check does not merge the learned set of %s: the drop-in "
                        "shown may lack paths it adds.\n",
                        im->file, unit);
        else if (lv && (!lj || learned_set_import(im->s->root_fd, unit, lj, &err) < 0)) {
                log_error("%s: the learned set of %s cannot be imported: %s. Skipped.", im->file, unit,
                          err ? err : "out of memory");
                return -EINVAL;
        }
        return 0;
}

/* Write the changed drop-in (tried, with --try); a rolled-back try leaves the unit unchanged. */
static int import_write(Import *im, const char *unit, const char *text, json_t *entry) {
        CliOptions *a = im->a;
        int r;
        if (a->try_given && !unit_name_is_valid(unit, UNIT_NAME_TEMPLATE)) {
                r = import_try(a, im->s, unit, text, entry);
                if (r > 0) {
                        json_object_set_new(entry, "changed", json_false());
                        im->status = 3;
                }
                return r < 0 ? r : 0;
        }
        r = dropin_write(im->s->root_fd, unit, a->runtime, text);
        if (r == -EEXIST)
                log_error("%s has a 50-confinement.conf not written by sdconfine: left alone.", unit);
        else if (r < 0)
                log_error("cannot write the drop-in of %s: %s.", unit, error_words(-r));
        if (r < 0)
                return r;
        im->written = true;
        if (!a->json)
                printf("Confined %s.\n", unit);
        return 0;
}

static int import_unit(Import *im, json_t *doc, const char *unit, json_t *v) {
        CliOptions *a = im->a;
        _cleanup_free_ char *text = NULL, *installed = NULL, *diff = NULL, *path = NULL;
        int r = import_settings(im, doc, unit, v);
        if (r >= 0)
                r = cli_render(a, &im->s->src, unit, &text); /* says itself what failed */
        if (r < 0)
                return r;
        path = confine_dropin_display_path(&im->s->src, unit, a->runtime);
        r = dropin_read(im->s->root_fd, unit, a->runtime, &installed);
        if (r < 0 && r != -ENOENT) {
                log_error("cannot read %s: %s.", path ? path : unit, error_words(-r));
                return r;
        }
        bool changed = !installed || !streq(installed, text);
        if (!path || (changed && unified_diff(path, installed, text, &diff) < 0))
                return -ENOMEM;
        json_t *entry = json_pack("{s:s, s:b, s:s, s:s?}", "unit", unit, "changed", changed, "path", path,
                                  "diff", diff);
        if (!entry || json_array_append_new(im->units, entry) < 0)
                return -ENOMEM;
        if (!a->json && (!changed || a->check_only))
                printf("%s: %s\n%s", unit, !changed ? "unchanged." : "would change:", diff ? diff : "");
        r = changed && !a->check_only ? import_write(im, unit, text, entry) : 0;
        if (r >= 0 && json_is_true(json_object_get(entry, "changed")))
                im->changed = true;
        return r;
}

/* import: every service of an export --json file ("-": standard input), its closure computed here. */
static int run_import(CliOptions *a, CliSession *s) {
        json_error_t e;
        bool from_stdin = streq(a->args[0], "-");
        json_t *doc = from_stdin ? json_loadf(stdin, 0, &e) : json_load_file(a->args[0], 0, &e), *services,
               *v;
        Import im = {
                .a = a, .s = s, .file = from_stdin ? "standard input" : a->args[0], .units = json_array()};
        const char *unit;
        int ret = 0;
        struct stat st;
        if (!from_stdin && stat(a->args[0], &st) == 0 && S_ISDIR(st.st_mode)) {
                log_error("%s is a directory: give the file 'sdconfine export --json FILE' wrote.",
                          a->args[0]);
                json_decref(doc);
                json_decref(im.units);
                return 1;
        }
        if (!from_stdin && access(a->args[0], F_OK) < 0) {
                log_error("cannot read %s: %s. Give the file 'sdconfine export --json FILE' wrote.",
                          a->args[0], error_words(errno));
                json_decref(doc);
                json_decref(im.units);
                return 1;
        }
        if (!doc || !im.units) {
                if (doc || e.line < 1) /* no line: the file could not be opened */
                        log_error("cannot read %s: %s.", im.file, doc ? "out of memory" : e.text);
                else
                        log_error("cannot read %s: %s (line %d).", im.file, e.text, e.line);
                json_decref(doc);
                json_decref(im.units);
                return 1;
        }
        services = json_object_get(doc, "services");
        if (!json_is_object(services) || json_integer_value(json_object_get(doc, "format")) != 1) {
                log_error("%s is not an export of sdconfine (no \"format\": 1 and \"services\" object).",
                          im.file);
                json_decref(doc);
                json_decref(im.units);
                return 1;
        }
        json_object_foreach(services, unit, v) {
                int r = import_unit(&im, doc, unit, v);
                if (r < 0 && ret >= 0)
                        ret = r;
                if (r == -ENOMEM)
                        break;
        }
        if (im.written && s->src.manager && !a->no_reload && manager_reload(s->src.manager) < 0) {
                log_error("the files are written but the manager did not reload: %s. Run 'systemctl "
                          "daemon-reload'.",
                          manager_last_error(s->src.manager));
                ret = -EIO;
        }
        if (a->json) {
                json_t *out = json_pack("{s:b, s:b, s:O}", "changed", im.changed, "check", a->check_only,
                                        "units", im.units);
                char *text = out ? json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
                if (text)
                        puts(text);
                free(text);
                json_decref(out);
        }
        json_decref(im.units);
        json_decref(doc);
        return ret < 0 ? 1 : im.status;
}

int cmd_export(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        if (!!o->dir + !!o->json_file + !!o->ansible_dir != 1) {
                log_error("export: give one of --dir DIR, --json FILE or --ansible DIR, and one or more "
                          "units.");
                return 2;
        }
        if (cli_session_open(o, false, &s) < 0)
                return 1;
        return run_export(o, &s.src, s.root_fd) < 0 ? 1 : 0;
}

int cmd_import(CliOptions *o) {
        _cleanup_(cli_session_close) CliSession s = {.own_fd = -EBADF};
        if (o->check_only && o->try_given) {
                log_error("import: --check writes nothing and --try writes: give one of them.");
                return 2;
        }
        if (o->try_given && (o->no_reload || o->source.root || o->source.offline)) {
                log_error("import: --try restarts the services through the running manager: it cannot be "
                          "given with %s.",
                          o->no_reload     ? "--no-reload"
                          : o->source.root ? "--root"
                                           : "--offline");
                return 2;
        }
        /* --check writes nothing: no privileges needed */
        if (cli_session_open(o, !o->check_only, &s) < 0)
                return 1;
        return run_import(o, &s);
}
