/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "confine-session.h"
#include "dropin-write.h"
#include "host-view.h"
#include "override-check.h"
#include "unit-override.h"
#include "unit-verify.h"
#include "fileio.h"
#include "macro.h"
#include "try-suggest.h"

void confine_result_done(ConfineResult *r) {
        service_free(r->svc);
        mount_plan_done(&r->plan);
        closure_free(r->closure);
        suggestions_free(r->suggestions, r->n_suggestions);
        strv_free(r->accepted);
        free(r->text);
        free(r->error);
        *r = (ConfineResult){};
}

/* Only what the settings do not hold already (installed presets read back with --keep included). */
static void drop_taken(ConfineResult *res, const ConfineSettings *settings) {
        size_t k = 0;
        for (size_t i = 0; i < res->n_suggestions; i++) {
                Suggestion *sg = res->suggestions + i;
                bool taken = strv_contains(sg->preset ? settings->presets : settings->overrides,
                                           sg->preset ? sg->preset : sg->override);
                if (taken) {
                        free(sg->preset);
                        free(sg->override);
                        free(sg->reason);
                } else
                        res->suggestions[k++] = *sg;
        }
        res->n_suggestions = k;
}

static int verify_overrides(const ServiceSource *src, ConfineResult *res) {
        _cleanup_free_ char *fragment = NULL;
        const char *f = res->svc->fragment_path;
        if (!f)
                return 0;
        if (asprintf(&fragment, "%s%s", src->root_dir && !streq(src->root_dir, "/") ? src->root_dir : "", f) <
            0)
                return -ENOMEM;
        int r = unit_verify_dropin(res->svc->id, fragment, res->text, &res->error);
        return r == -ENOENT ? 0 : r; /* no systemd-analyze: systemd itself warns at the reload */
}

int confine_compute(ServiceSource *src, ClosureContext *ctx, DpkgDb *db, const char *unit,
                    ConfineSettings *settings, bool suggested, bool force, ConfineResult *ret) {
        ConfineResult res = {};
        /* the operator's own --set lines, before suggestions add ours (which systemd knows) */
        bool operator_overrides = settings->overrides && settings->overrides[0];
        /* the unit as it is without our drop-in: its own settings, notes and suggestions, never ours read
         * back (a RuntimeDirectory= of our own, presets already installed) */
        int r = service_source_load_own(src, unit, &res.svc, &res.error);
        if (r < 0)
                goto fail;
        if (!streq_ptr(res.svc->load_state, "loaded")) {
                (void)asprintf(&res.error,
                               "%s is %s: there is nothing to confine. Check the name with 'sdconfine list'",
                               unit, res.svc->load_state ? res.svc->load_state : "not loaded");
                r = -ENOENT;
                goto fail;
        }
        /* overrides that would undo the confinement are refused; Exec* ones bring their programs */
        for (char **o = settings->overrides; o && *o; o++)
                if ((r = override_check(*o, &res.error)) < 0)
                        goto fail;
        r = service_apply_exec_overrides(res.svc, src->index, settings->overrides);
        if (r < 0) {
                (void)asprintf(&res.error, "an Exec* line of --set cannot be read: %s", error_words(-r));
                goto fail;
        }
        /* --suggested: also the paths a rolled-back try found missing (apply --try) */
        if (suggested && (r = try_suggest_take(src->root_dir, unit, settings, &res.accepted, &res.error)) < 0)
                goto fail;
        r = confine_plan_build(ctx, db, res.svc, settings, force, &res.plan, &res.closure, &res.error);
        if (r < 0)
                goto fail;
        r = confine_suggest(res.svc, res.closure, db, settings, &res.suggestions, &res.n_suggestions);
        if (r < 0)
                goto fail;
        drop_taken(&res, settings);
        /* the rules a suggestion turns on find more (a package's daemon that links libssl wants name
         * resolution): suggest again on the new closure, until nothing new comes */
        for (unsigned round = 0; suggested && res.n_suggestions > 0 && round < 4; round++) {
                /* take them all, then make the plan again with them */
                for (size_t i = 0; i < res.n_suggestions && r >= 0; i++) {
                        const Suggestion *s = res.suggestions + i;
                        const char *what = s->preset ? s->preset : s->override;
                        char ***list = s->preset ? &settings->presets : &settings->overrides;
                        char *line;
                        if (strv_contains(*list, what))
                                continue;
                        r = strv_extend(list, what);
                        if (r >= 0 && asprintf(&line, "%s%s: %s", s->preset ? "--preset " : "--set ", what,
                                               s->reason) >= 0)
                                r = strv_push(&res.accepted, line);
                }
                suggestions_free(res.suggestions, res.n_suggestions);
                res.suggestions = NULL;
                res.n_suggestions = 0;
                mount_plan_done(&res.plan);
                closure_free(res.closure);
                res.closure = NULL;
                if (r >= 0)
                        r = confine_plan_build(ctx, db, res.svc, settings, force, &res.plan, &res.closure,
                                               &res.error);
                if (r >= 0)
                        r = confine_suggest(res.svc, res.closure, db, settings, &res.suggestions,
                                            &res.n_suggestions);
                if (r < 0)
                        goto fail;
                drop_taken(&res, settings);
        }
        r = confine_render_dropin(settings, &res.plan, PACKAGE_VERSION, &res.text, &res.error);
        if (r < 0)
                goto fail;
        /* the operator's own lines: systemd's checker says whether it knows them; a drop-in with only what
         * sdconfine writes and suggests is not worth the checker's half second */
        if (operator_overrides && (r = verify_overrides(src, &res)) < 0)
                goto fail;
        *ret = res;
        return 0;
fail:
        if (!res.error)
                res.error = strdup(r == -ENOMEM ? "out of memory" : error_words(-r));
        *ret = res;
        return r;
}

char *confine_dropin_display_path(const ServiceSource *src, const char *unit, bool runtime) {
        _cleanup_free_ char *rel = NULL;
        char *p = NULL;
        if (dropin_path(unit, runtime, &rel) < 0)
                return NULL;
        if (asprintf(&p, "%s/%s", src->root_dir && !streq(src->root_dir, "/") ? src->root_dir : "", rel) < 0)
                return NULL;
        return p;
}

static int reload_after(ServiceSource *src, const char *unit, bool reload, bool restart, const char *done,
                        char **ret_msg) {
        if (!src->manager || !reload) {
                *ret_msg = strdup(done);
                return 0;
        }
        int r = manager_reload(src->manager);
        if (r < 0) {
                (void)asprintf(ret_msg,
                               "%s, but the manager did not reload: %s. Run 'systemctl daemon-reload'", done,
                               manager_last_error(src->manager));
                return r;
        }
        if (restart) {
                r = manager_restart(src->manager, unit);
                if (r < 0) {
                        (void)asprintf(ret_msg,
                                       "%s and reloaded, but %s did not restart: %s. See 'journalctl -u %s'",
                                       done, unit, manager_last_error(src->manager), unit);
                        return r;
                }
                (void)asprintf(ret_msg, "%s, reloaded, restarted %s", done, unit);
                return 0;
        }
        (void)asprintf(ret_msg, "%s and reloaded the manager", done);
        return 0;
}

int confine_write(ServiceSource *src, int root_fd, const char *unit, bool runtime, const char *text,
                  bool reload, bool restart, char **ret_msg) {
        _cleanup_free_ char *path = confine_dropin_display_path(src, unit, runtime), *done = NULL;
        int r = dropin_write(root_fd, unit, runtime, text);
        if (r == -EEXIST)
                (void)asprintf(ret_msg,
                               "%s exists and was not written by sdconfine: it is left alone. Move it away "
                               "first if it should be replaced",
                               path);
        else if (r == -EBUSY)
                (void)asprintf(
                        ret_msg,
                        "a mount unit for %s exists that sdconfine did not write, and the drop-in binds "
                        "from it: both are left alone. Remove it, or use 'sdconfine export --dir' "
                        "and install the drop-in yourself",
                        HOST_VIEW_DIR);
        else if (r == -EACCES || r == -EPERM || r == -EROFS)
                (void)asprintf(ret_msg,
                               "cannot write %s: %s. Run as root on a writable /etc, or use 'sdconfine "
                               "preview' (or export) and install the text yourself",
                               path, error_words(-r));
        else if (r < 0)
                (void)asprintf(ret_msg, "cannot write %s: %s. The previous file, if any, is unchanged", path,
                               error_words(-r));
        if (r < 0)
                return r;
        if (asprintf(&done, "Wrote %s", path) < 0)
                return -ENOMEM;
        return reload_after(src, unit, reload, restart, done, ret_msg);
}

int confine_remove(ServiceSource *src, int root_fd, const char *unit, bool runtime, bool reload,
                   char **ret_msg) {
        _cleanup_free_ char *path = confine_dropin_display_path(src, unit, runtime), *done = NULL;
        int r = dropin_remove(root_fd, unit, runtime);
        if (r == -ENOENT)
                (void)asprintf(ret_msg, "%s has no sdconfine drop-in (%s): nothing to revert", unit, path);
        else if (r == -EEXIST)
                (void)asprintf(
                        ret_msg,
                        "%s was not written by sdconfine: left alone. Remove it yourself if you mean to",
                        path);
        else if (r < 0)
                (void)asprintf(ret_msg, "cannot remove %s: %s", path, error_words(-r));
        if (r < 0)
                return r;
        if (asprintf(&done, "Removed %s", path) < 0)
                return -ENOMEM;
        return reload_after(src, unit, reload, false, done, ret_msg);
}

static int mkdir_p_at(int fd, const char *path) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++)
                if (*s == '/' || !*s) {
                        char c = *s;
                        *s = 0;
                        if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        *s = c;
                        if (!c)
                                return 0;
                }
}

int confine_export(const char *dir, const char *unit, const char *text, char **ret_msg) {
        _cleanup_close_ int fd = -EBADF;
        int r = 0;
        /* the directory and its missing parents: a tree for configuration management */
        r = mkdirs_at(AT_FDCWD, dir, 0755);
        if (r >= 0 && (fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                r = -errno;
        if (r >= 0)
                r = mkdir_p_at(fd, "etc/systemd/system");
        if (r >= 0)
                r = dropin_write(fd, unit, false, text);
        if (r == -EEXIST)
                (void)asprintf(ret_msg,
                               "%s/etc/systemd/system/%s.d/50-confinement.conf exists and was not written by "
                               "sdconfine: left alone",
                               dir, unit);
        else if (r < 0)
                (void)asprintf(ret_msg, "cannot export %s to %s: %s", unit, dir, error_words(-r));
        else
                (void)asprintf(ret_msg, "Wrote %s/etc/systemd/system/%s.d/50-confinement.conf", dir, unit);
        return r;
}
