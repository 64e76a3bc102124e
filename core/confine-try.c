/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <time.h>

#include "confine-session.h"
#include "confine-try.h"
#include "confine.h"
#include "dropin-write.h"
#include "fileio.h"
#include "macro.h"
#include "manager.h"
#include "run-check.h"
#include "try-suggest.h"

/* a restart job that takes longer than this (beyond the seconds held) has failed the try */
#define JOB_TIMEOUT_USEC (90ull * 1000000)
#define POLL_MS 200u

void try_result_done(TryResult *r) {
        free(r->summary);
        free(r->failure);
        free(r->rollback);
        free(r->check_output);
        strv_free(r->journal);
        free(r->journal_error);
        journal_suggestions_free(r->suggestions, r->n_suggestions);
        free(r->stored);
        free(r->store_error);
        free(r->since);
        free(r->error);
        *r = (TryResult){};
}

static bool interrupted(const TryOptions *o) {
        return o->interrupted && *o->interrupted;
}

/* a signal ends the sleep early when it interrupts the try */
static void sleep_ms(const TryOptions *o, unsigned ms) {
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !interrupted(o))
                ;
}

static bool state_running(const char *active_state) {
        return streq_ptr(active_state, "active") || streq_ptr(active_state, "reloading") ||
               streq_ptr(active_state, "activating");
}

/* "failed (exit-code)", "active (running)" */
static char *state_words(const UnitStatus *s) {
        char *w = NULL;
        bool result = s->result && !streq(s->result, "success") && !state_running(s->active_state);
        (void)asprintf(&w, "%s (%s%s%s)", s->active_state ? s->active_state : "unknown",
                       s->sub_state ? s->sub_state : "?", result ? ", result: " : "",
                       result ? s->result : "");
        return w;
}

/* Set *ret to words: 0, or -ENOMEM. */
_printf_(2, 3) static int words(char **ret, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(ret, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

/* The same for a failure of the try: 1, or -ENOMEM. */
#define failed(ret, ...) (words((ret), __VA_ARGS__) < 0 ? -ENOMEM : 1)

/* The manager's words for a job that did not end "done". */
static const char *job_words(const char *result) {
        if (streq(result, "failed"))
                return "failed";
        if (streq(result, "timeout"))
                return "timed out";
        if (streq(result, "canceled"))
                return "was canceled";
        if (streq(result, "dependency"))
                return "failed: a unit it depends on failed";
        return result;
}

/* Whether the unit still holds; else *ret_failure says why. */
static int judge(const char *unit, const UnitStatus *s, bool oneshot, uint32_t n_restarts, uint32_t *main_pid,
                 double elapsed, char **ret_failure) {
        bool up = streq_ptr(s->active_state, "active") || streq_ptr(s->active_state, "reloading") ||
                  (oneshot && streq_ptr(s->active_state, "inactive") && streq_ptr(s->result, "success"));
        if (!up) {
                _cleanup_free_ char *w = state_words(s);
                return failed(ret_failure, "%s is %s %.1f s after the restart", unit, w ? w : "down",
                              elapsed);
        }
        if (s->n_restarts != n_restarts)
                return failed(ret_failure, "%s restarted by itself during the try (%u time%s)", unit,
                              s->n_restarts - n_restarts, s->n_restarts - n_restarts == 1 ? "" : "s");
        if (!oneshot && s->main_pid) {
                if (*main_pid && s->main_pid != *main_pid)
                        return failed(ret_failure,
                                      "the main process of %s changed during the try (PID %u, then "
                                      "%u): it started again",
                                      unit, *main_pid, s->main_pid);
                *main_pid = s->main_pid;
        }
        return 0;
}

/* Restart and hold: 0 when the unit held (and the check passed), 1 with *ret_failure when not. */
static int attempt(Manager *m, const char *unit, const TryOptions *o, TryResult *res,
                   uint32_t *ret_main_pid) {
        _cleanup_free_ char *job = NULL;
        UnitStatus s = {};
        int r = manager_run_job(m, "RestartUnit", unit, JOB_TIMEOUT_USEC + (uint64_t)o->seconds * 1000000,
                                &job);
        if (r == -ETIMEDOUT)
                return failed(&res->failure, "%s did not finish starting within %llu s", unit,
                              (unsigned long long)(JOB_TIMEOUT_USEC / 1000000 + o->seconds));
        if (r < 0)
                return failed(&res->failure, "%s could not be restarted: %s", unit,
                              manager_last_error(m) ? manager_last_error(m) : error_words(-r));
        r = manager_unit_status(m, unit, &s);
        if (r < 0)
                return failed(&res->failure, "the state of %s cannot be read: %s", unit,
                              manager_last_error(m) ? manager_last_error(m) : error_words(-r));
        bool oneshot = streq_ptr(s.type, "oneshot");
        if (!streq(job, "done")) {
                _cleanup_free_ char *w = state_words(&s);
                unit_status_done(&s);
                return failed(&res->failure, "the restart of %s %s: it is %s", unit, job_words(job),
                              w ? w : "down");
        }
        if (interrupted(o)) {
                unit_status_done(&s);
                return failed(&res->failure, "interrupted (Ctrl-C or SIGTERM) during the restart");
        }
        /* what counts from now: restarts the manager makes by itself, and a new main process */
        uint32_t n_restarts = s.n_restarts, main_pid = 0;
        uint64_t start = now_usec(CLOCK_MONOTONIC), end = start + (uint64_t)o->seconds * 1000000;
        for (;;) {
                double elapsed = (now_usec(CLOCK_MONOTONIC) - start) / 1e6;
                r = judge(unit, &s, oneshot, n_restarts, &main_pid, elapsed, &res->failure);
                unit_status_done(&s);
                if (r != 0)
                        return r;
                if (interrupted(o))
                        return failed(&res->failure, "interrupted (Ctrl-C or SIGTERM) after %.1f s of %u",
                                      elapsed, o->seconds);
                if (now_usec(CLOCK_MONOTONIC) >= end)
                        break;
                sleep_ms(o, POLL_MS);
                r = manager_unit_status(m, unit, &s);
                if (r < 0)
                        return failed(&res->failure, "the state of %s cannot be read: %s", unit,
                                      manager_last_error(m) ? manager_last_error(m) : error_words(-r));
        }
        *ret_main_pid = main_pid;
        if (!o->check)
                return 0;
        int status;
        r = run_check(o->check, TRY_CHECK_TIMEOUT_MS, o->interrupted, &status, &res->check_output);
        if (r == -EINTR)
                return failed(&res->failure, "interrupted (Ctrl-C or SIGTERM) during the check '%s'",
                              o->check);
        if (r == -ETIMEDOUT)
                return failed(&res->failure, "the check '%s' did not finish within %u s", o->check,
                              TRY_CHECK_TIMEOUT_MS / 1000);
        if (r < 0)
                return failed(&res->failure, "the check '%s' could not run: %s", o->check, error_words(-r));
        if (status != 0)
                return failed(&res->failure, "the check '%s' exited with status %d although %s is up",
                              o->check, status, unit);
        return 0;
}

/* Bring the previous drop-in and state back; res->rollback says what was done. */
static int roll_back(ServiceSource *src, int root_fd, const char *unit, const TryOptions *o, const char *prev,
                     bool was_running, bool was_failed, const char *path, TryResult *res,
                     uint64_t *ret_until) {
        Manager *m = src->manager;
        _cleanup_free_ char *restored = NULL, *job = NULL;
        int r = prev ? dropin_write(root_fd, unit, o->runtime, prev)
                     : dropin_remove(root_fd, unit, o->runtime);
        if (!prev && r == -ENOENT)
                r = 0;
        *ret_until = now_usec(CLOCK_REALTIME);
        if (r < 0) {
                res->rollback_failed = true;
                return words(&res->rollback,
                             "could not %s %s: %s. The new drop-in is still there: run "
                             "'sdconfine revert %s' or put the previous file back, then 'systemctl "
                             "daemon-reload' and 'systemctl %s %s'",
                             prev ? "restore the previous" : "remove", path, error_words(-r), unit,
                             was_running ? "restart" : "stop", unit);
        }
        if (asprintf(&restored, prev ? "restored the previous %s" : "removed %s (there was none before)",
                     path) < 0)
                return -ENOMEM;
        r = manager_reload(m);
        if (r < 0) {
                res->rollback_failed = true;
                return words(&res->rollback,
                             "%s, but the manager did not reload: %s. Run 'systemctl "
                             "daemon-reload' and 'systemctl %s %s'",
                             restored, manager_last_error(m) ? manager_last_error(m) : "",
                             was_running ? "restart" : "stop", unit);
        }
        *ret_until = now_usec(CLOCK_REALTIME);
        r = manager_run_job(m, was_running ? "RestartUnit" : "StopUnit", unit, JOB_TIMEOUT_USEC, &job);
        /* stopped, and not failed before: the failure of the try is not the service's */
        if (r >= 0 && !was_running && !was_failed)
                (void)manager_reset_failed(m, unit);
        UnitStatus s = {};
        if (r >= 0)
                r = manager_unit_status(m, unit, &s);
        _cleanup_free_ char *w = r >= 0 ? state_words(&s) : NULL;
        bool back = r >= 0 && streq(job, "done") &&
                    (was_running ? state_running(s.active_state) : !state_running(s.active_state));
        unit_status_done(&s);
        if (!back) {
                res->rollback_failed = true;
                return words(&res->rollback, "%s and reloaded, but %s %s: %s. See 'systemctl status %s'",
                             restored, unit, was_running ? "did not come back" : "did not stop",
                             r < 0 ? (manager_last_error(m) ? manager_last_error(m) : error_words(-r))
                             : w   ? w
                                   : "",
                             unit);
        }
        return words(&res->rollback, "%s, reloaded, %s %s: %s%s", restored,
                     was_running ? "restarted" : "stopped", unit, w ? w : "",
                     was_running ? " again" : ", as it was");
}

static char *format_since(uint64_t usec) {
        time_t t = usec / 1000000;
        struct tm tm;
        char buf[64];
        if (!localtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return NULL;
        return strdup(buf);
}

/* What the failed attempt logged, what it says is missing, and those kept for --suggested. */
static int read_journal(ServiceSource *src, const char *unit, uint64_t since, uint64_t until,
                        TryResult *res) {
        int r = manager_read_journal(unit, since, until, TRY_JOURNAL_MAX, &res->journal);
        if (r < 0)
                return words(&res->journal_error, "cannot read the journal: %s",
                             manager_library_error() ? manager_library_error() : error_words(-r));
        r = journal_suggest_paths(res->journal, &res->suggestions, &res->n_suggestions);
        if (r < 0)
                return r;
        bool any = false;
        for (size_t i = 0; i < res->n_suggestions; i++)
                any = any || res->suggestions[i].hint == JOURNAL_HINT_PATH;
        if (!any)
                return 0;
        _cleanup_free_ char *rel = NULL;
        r = try_suggest_path(unit, &rel);
        if (r >= 0)
                r = try_suggest_store(src->root_dir, unit, res->suggestions, res->n_suggestions);
        if (r < 0)
                return words(&res->store_error, "cannot keep them in /%s: %s", rel ? rel : TRY_SUGGEST_DIR,
                             error_words(-r));
        return words(&res->stored, "/%s", rel);
}

int confine_try(ServiceSource *src, int root_fd, const char *unit, const char *text, const TryOptions *o,
                TryResult *ret) {
        TryResult res = {};
        UnitStatus before = {};
        _cleanup_free_ char *prev = NULL, *path = confine_dropin_display_path(src, unit, o->runtime);
        Manager *m = src->manager;
        uint32_t main_pid = 0;
        uint64_t since, until = 0;
        bool was_running;
        int r;

        if (!m) {
                r = -EOPNOTSUPP;
                (void)asprintf(&res.error,
                               "--try needs the running service manager: it restarts %s. Without "
                               "--root and --offline, as root on the running system",
                               unit);
                goto fail;
        }
        r = manager_unit_status(m, unit, &before);
        if (r < 0) {
                (void)asprintf(&res.error, "cannot read the state of %s: %s", unit,
                               manager_last_error(m) ? manager_last_error(m) : error_words(-r));
                goto fail;
        }
        r = dropin_read(root_fd, unit, o->runtime, &prev);
        if (r == -ENOENT)
                r = 0;
        else if (r >= 0 && !confine_dropin_is_ours(prev))
                r = -EEXIST;
        if (r == -EEXIST)
                (void)asprintf(&res.error,
                               "%s exists and was not written by sdconfine: it is left alone, and "
                               "nothing was tried. Move it away first if it should be replaced",
                               path);
        else if (r < 0)
                (void)asprintf(&res.error, "cannot read %s: %s. Nothing was tried", path, error_words(-r));
        if (r < 0)
                goto fail;
        was_running = state_running(before.active_state);

        r = dropin_write(root_fd, unit, o->runtime, text);
        if (r < 0) {
                (void)asprintf(&res.error,
                               "cannot write %s: %s. The previous file, if any, is unchanged; nothing "
                               "was tried",
                               path, error_words(-r));
                goto fail;
        }
        /* from here on a failure is rolled back */
        since = now_usec(CLOCK_REALTIME);
        res.since = format_since(since);
        r = manager_reload(m);
        if (r < 0)
                r = failed(&res.failure, "the manager did not reload: %s",
                           manager_last_error(m) ? manager_last_error(m) : error_words(-r));
        else
                r = attempt(m, unit, o, &res, &main_pid);
        if (r < 0)
                res.failure = res.failure ? res.failure : strdup("out of memory");
        if (r == 0) {
                res.kept = true;
                char pid[32] = "";
                if (main_pid)
                        snprintf(pid, sizeof pid, ", main PID %u", main_pid);
                if (asprintf(&res.summary,
                             "Wrote %s, reloaded, restarted %s: it held for %u s (no restart%s)%s%s%s. "
                             "Kept",
                             path, unit, o->seconds, pid, o->check ? ", and the check '" : "",
                             o->check ? o->check : "", o->check ? "' exited 0" : "") < 0)
                        res.summary = NULL;
                unit_status_done(&before);
                *ret = res;
                return 0;
        }
        r = roll_back(src, root_fd, unit, o, prev, was_running, streq_ptr(before.active_state, "failed"),
                      path, &res, &until);
        if (r >= 0)
                r = read_journal(src, unit, since, until, &res);
        unit_status_done(&before);
        *ret = res;
        return r < 0 ? r : 0;
fail:
        unit_status_done(&before);
        if (!res.error)
                res.error = strdup(error_words(-r));
        *ret = res;
        return r;
}
