/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>

#include "cmd-learn.h"
#include "confine-plan.h"
#include "confine-session.h"
#include "dropin-write.h"
#include "fileio.h"
#include "learn.h"
#include "learned-set.h"
#include "macro.h"
#include "start-job.h"
#include "output.h"
#include "service-source.h"
#include "unit-name.h"

typedef struct Args {
        unsigned seconds;
        const char *root;
        const char *unit;
} Args;

static int parse_args(const CliOptions *o, Args *ret) {
        Args a = {.seconds = o->seconds, .root = o->source.root};
        a.unit = o->args[0];
        if (!unit_name_suffix(a.unit) || !streq(unit_name_suffix(a.unit), "service") ||
            unit_name_is_valid(a.unit, UNIT_NAME_TEMPLATE)) {
                log_error("'%s' is not a service that can run: learn a .service unit (an instance, not a "
                          "template).",
                          a.unit);
                return -EINVAL;
        }
        *ret = a;
        return 1;
}

/* The plan of the unit's installed confinement (or of the defaults): what learning finds beyond it is new. */
typedef struct Known {
        ConfineResult res;
        bool ok;
} Known;

static bool known_path(const char *path, void *userdata) {
        Known *k = userdata;
        return k->ok && confine_plan_covers(&k->res.plan, k->res.svc, path);
}

static bool installed_settings(int host_fd, const char *unit, ConfineSettings *ret, bool *ret_confined) {
        for (int runtime = 0; runtime < 2; runtime++) {
                _cleanup_free_ char *text = NULL;
                if (dropin_read(host_fd, unit, runtime, &text) >= 0 && confine_dropin_is_ours(text) &&
                    confine_dropin_parse(text, ret, NULL) >= 0) {
                        *ret_confined = true;
                        return true;
                }
        }
        *ret_confined = false;
        return false;
}

static void progress(const Learner *l, uint64_t left_usec, bool tty, bool final) {
        LearnerStats s;
        learner_stats(l, &s);
        if (tty)
                fprintf(stderr, "\rsdconfine: learning: %3u s left, %zu files seen, %zu new  %s",
                        (unsigned)((left_usec + 999999) / 1000000), s.seen, s.new, final ? "\n" : "");
        else
                fprintf(stderr, "sdconfine: learning: %u s left, %zu files seen, %zu new\n",
                        (unsigned)((left_usec + 999999) / 1000000), s.seen, s.new);
}

/* Watch until the deadline or a signal: poll the fanotify descriptor, the signals and the start job. */
static int watch(Learner *l, StartJob *job, bool *job_running, unsigned seconds, bool *ret_interrupted,
                 unsigned *ret_elapsed) {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return -errno;
        bool tty = isatty(STDERR_FILENO);
        uint64_t start = now_usec(CLOCK_MONOTONIC), deadline = start + (uint64_t)seconds * 1000000;
        uint64_t every = tty ? 1000000 : 5000000, next = start + every;
        int ret = 0;
        *ret_interrupted = false;
        for (;;) {
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        break;
                if (now >= next) {
                        progress(l, deadline - now, tty, false);
                        next += every;
                }
                uint64_t until = next < deadline ? next : deadline;
                struct pollfd p[3] = {{learner_fd(l), POLLIN, 0},
                                      {sfd, POLLIN, 0},
                                      {*job_running ? job->efd : -1, POLLIN, 0}};
                int k = poll(p, 3, (int)((until - now + 999) / 1000));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (p[0].revents) {
                        int r = learner_process(l);
                        if (r < 0 && ret >= 0)
                                ret = r; /* remembered; every event is still answered */
                }
                if (p[2].revents & POLLIN) {
                        uint64_t v;
                        if (read(job->efd, &v, sizeof v) == sizeof v)
                                *job_running = false;
                        /* from now on the filter is exact */
                        if (job->control_group && learner_set_cgroup(l, job->control_group) < 0 && ret >= 0)
                                ret = -ENOMEM;
                }
                if (p[1].revents & POLLIN) {
                        *ret_interrupted = true;
                        break;
                }
        }
        progress(l, 0, tty, true);
        *ret_elapsed = (unsigned)((now_usec(CLOCK_MONOTONIC) - start + 500000) / 1000000);
        return ret;
}

static void print_summary(const Args *a, const char *unit, const Learner *l, unsigned seconds, size_t total) {
        LearnerStats s;
        const LearnedSet *set = learner_set(l);
        learner_stats(l, &s);
        printf("Learned %zu path%s of %s in %u s (%zu new: not in the root of its confinement); the learned "
               "set "
               "%s/%s/%s.json now holds %zu.\n",
               s.seen, s.seen == 1 ? "" : "s", unit, seconds, s.new,
               a->root && !streq(a->root, "/") ? a->root : "", LEARNED_DIR, unit, total);
        for (size_t i = 0; i < learned_set_size(set); i++) {
                const LearnedFile *f = learned_set_file(set, i);
                if (learned_path_is_hazard(f->path) || (f->real && learned_path_is_hazard(f->real)))
                        printf("Never bound: %s (opened by %s): it holds secrets of the host or of other "
                               "services.\n",
                               f->path, f->comm);
        }
        if (s.unresolved)
                printf("%zu open%s by the unit could not be named from here (another mount namespace of the "
                       "service's own): not learned.\n",
                       s.unresolved, s.unresolved == 1 ? "" : "s");
        if (s.unnamable)
                printf("%zu path%s not learned: a unit file cannot name them (control characters, not "
                       "UTF-8).\n",
                       s.unnamable, s.unnamable == 1 ? "" : "s");
        printf("Next: 'sdconfine preview --learned %s', then 'sdconfine apply --learned %s' (with the "
               "settings "
               "you confine it with, e.g. --suggested).\n",
               unit, unit);
}

/* Everything a learn holds, released at the end whatever happened. */
typedef struct LearnRun {
        Args a;
        ServiceSource src;
        ClosureContext *ctx;
        DpkgDb *db;
        Known known;
        ConfineSettings settings;
        UnitStatus st;
        Learner *learner;
        char *unit; /* the unit's own name (an alias given resolves to it) */
        int root_fd, host_fd;
        bool running, confined;
} LearnRun;

static void learn_run_done(LearnRun *x) {
        learner_free(x->learner);
        unit_status_done(&x->st);
        confine_result_done(&x->known.res);
        confine_settings_done(&x->settings);
        dpkg_db_free(x->db);
        closure_context_free(x->ctx);
        service_source_close(&x->src);
        free(x->unit);
        if (x->root_fd >= 0)
                close(x->root_fd);
        if (x->host_fd >= 0)
                close(x->host_fd);
}

/* Before the watch: the manager's view of the unit, the plan its files are compared with, fanotify, the
 * learned set so far. Everything that reads files happens here. */
/* fanotify, the root, the manager and the unit's state: each refused in words */
static int learn_open(LearnRun *x) {
        ServiceSourceOptions so = {0};
        int r;

        /* fanotify first: without the privilege nothing else matters, and it is said clearly */
        r = learner_new(x->a.unit, &x->learner);
        if (r == -EPERM || r == -EACCES) {
                log_error("learning needs CAP_SYS_ADMIN (root): fanotify, which sees every file the service "
                          "opens, "
                          "is for root only. Nothing was started or written.");
                return r;
        }
        if (r < 0) {
                log_error("cannot use fanotify: %s. Learning needs a kernel with fanotify permission events "
                          "(CONFIG_FANOTIFY_ACCESS_PERMISSIONS).",
                          error_words(-r));
                return r;
        }
        x->root_fd = open(x->a.root ? x->a.root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        x->host_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (x->root_fd < 0 || x->host_fd < 0) {
                log_error("cannot open %s: %s. Give an existing directory to --root.",
                          x->a.root ? x->a.root : "/", error_words(errno));
                return -errno;
        }
        if (cli_source_open(&so, &x->src, true) < 0 || !x->src.manager) {
                log_error("learning watches the running service, and no system service manager answers. Run "
                          "it on "
                          "the host where the service runs, as root.");
                return -ENOENT;
        }
        r = manager_unit_status(x->src.manager, x->a.unit, &x->st);
        if (r < 0 || !streq_ptr(x->st.load_state, "loaded")) {
                const char *why = r < 0 ? manager_last_error(x->src.manager) : x->st.load_state;
                log_error("cannot learn %s: %s. Check the name with 'sdconfine list'.", x->a.unit,
                          why     ? why
                          : r < 0 ? error_words(-r)
                                  : "not loaded");
                return r < 0 ? r : -ENOENT;
        }
        /* inactive or failed: started for the time of learning; otherwise watched as it is */
        x->running = !streq_ptr(x->st.active_state, "inactive") && !streq_ptr(x->st.active_state, "failed");
        if (x->running && !x->st.control_group && streq_ptr(x->st.active_state, "active")) {
                log_error("%s is active but runs no process (a oneshot that finished): there is nothing to "
                          "watch. "
                          "Stop it with 'systemctl stop %s', then learn again: learning starts it and sees "
                          "it run.",
                          x->a.unit, x->a.unit);
                return -ESRCH;
        }
        return 0;
}

/* The plan of the installed confinement, or of the defaults: computed before the watch, since it reads many
 * files. What the watch sees beyond it is what is new. */
static int learn_known_plan(LearnRun *x) {
        int r;
        confine_settings_init(&x->settings);
        (void)installed_settings(x->host_fd, x->a.unit, &x->settings, &x->confined);
        r = closure_context_new(NULL, &x->ctx);
        if (r >= 0)
                (void)dpkg_db_new(closure_context_root(x->ctx), &x->db);
        if (r >= 0)
                r = confine_compute(&x->src, x->ctx, x->db, x->a.unit, &x->settings, false, true,
                                    &x->known.res);
        x->known.ok = r >= 0;
        if (!x->known.ok)
                fprintf(stderr,
                        "sdconfine: note: the closure of %s cannot be computed (%s): every file learned "
                        "counts as new.\n",
                        x->a.unit, x->known.res.error ? x->known.res.error : error_words(-r));
        x->unit = strdup(x->known.res.svc ? x->known.res.svc->id : x->a.unit);
        if (!x->unit) {
                log_error("out of memory.");
                return -ENOMEM;
        }
        if (x->running && x->confined)
                fprintf(stderr,
                        "sdconfine: note: %s runs confined by sdconfine: an open of what its root does not "
                        "hold fails before it happens, so learning sees only what is bound already. "
                        "Revert it and restart it to learn, then apply again.\n",
                        x->unit);

        return 0;
}

static int learn_prepare(LearnRun *x) {
        _cleanup_(learned_set_freep) LearnedSet *old = NULL;
        _cleanup_free_ char *err = NULL, *path = NULL;
        const char *root = x->a.root && !streq(x->a.root, "/") ? x->a.root : "";
        int r = learn_open(x);
        if (r < 0 || (r = learn_known_plan(x)) < 0)
                return r;
        /* the name may have been an alias: the set is kept under the unit's own name */
        if (!streq(x->unit, x->a.unit)) {
                x->learner = learner_free(x->learner);
                r = learner_new(x->unit, &x->learner);
                if (r < 0) {
                        log_error("cannot use fanotify: %s.", error_words(-r));
                        return r;
                }
        }
        /* the learned set so far must be readable: what comes is merged with it */
        r = learned_set_load(x->root_fd, x->unit, &old, &err);
        if (r < 0 && r != -ENOENT) {
                (void)learned_set_path(x->unit, &path);
                log_error("cannot read the learned set %s/%s: %s. Move it away, then learn again.", root,
                          path ? path : LEARNED_DIR, err ? err : error_words(-r));
                return r;
        }
        learner_set_known(x->learner, known_path, &x->known);
        r = learner_set_cgroup(x->learner, x->running ? x->st.control_group : NULL);
        if (r < 0) {
                log_error(
                        "%s runs in the cgroup '%s', which is not one of its own: cannot tell its processes.",
                        x->unit, x->st.control_group);
                return r;
        }
        return 0;
}

/* The watch, with the unit started meanwhile when it was not running. Signals are read from a descriptor,
 * so that Ctrl-C ends the watch cleanly. Returns 1 when the unit was started for it. */
static int learn_watch(LearnRun *x, unsigned *ret_elapsed) {
        _cleanup_close_ int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        StartJob job = {.manager = x->src.manager,
                        .unit = x->unit,
                        .efd = efd,
                        .timeout_usec = (uint64_t)x->a.seconds * 1000000};
        bool job_running = false, interrupted = false;
        pthread_t thread;
        sigset_t mask, saved;
        int r;

        if (efd < 0) {
                log_error("cannot create an eventfd: %s.", error_words(errno));
                return -errno;
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &mask, &saved);
        /* From here until learner_stop() nothing may open a file on a watched file system. */
        r = learner_watch(x->learner);
        if (r < 0) {
                pthread_sigmask(SIG_SETMASK, &saved, NULL);
                log_error("cannot watch the root file system with fanotify: %s.", error_words(-r));
                return r;
        }
        fprintf(stderr, "sdconfine: watching %s for %u s on %d file system%s (Ctrl-C ends it and saves).\n",
                x->unit, x->a.seconds, r, r == 1 ? "" : "s");
        if (!x->running) {
                if (pthread_create(&thread, NULL, start_job_run, &job) != 0) {
                        learner_stop(x->learner);
                        pthread_sigmask(SIG_SETMASK, &saved, NULL);
                        log_error("cannot start a thread for the start job.");
                        return -ENOMEM;
                }
                job_running = true;
                fprintf(stderr, "sdconfine: %s is not running: starting it.\n", x->unit);
        }
        bool started = job_running;
        r = watch(x->learner, &job, &job_running, x->a.seconds, &interrupted, ret_elapsed);
        learner_stop(x->learner);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);

        /* the watch is over: files, the manager and words may be used again */
        if (started) {
                if (job_running)
                        fprintf(stderr, "sdconfine: waiting for the start job of %s to end...\n", x->unit);
                pthread_join(thread, NULL);
                if (job.r < 0)
                        fprintf(stderr,
                                "sdconfine: note: the start of %s did not finish while learning (%s).\n",
                                x->unit, job.error ? job.error : error_words(-job.r));
                else if (!streq(job.result, "done"))
                        fprintf(stderr,
                                "sdconfine: note: %s did not start (the job's result: %s); what it opened "
                                "until then is learned. See 'journalctl -u %s'.\n",
                                x->unit, job.result, x->unit);
                free(job.result);
                free(job.control_group);
                free(job.error);
        }
        if (r < 0)
                fprintf(stderr,
                        "sdconfine: note: some events could not be learned from (%s); each was allowed.\n",
                        error_words(-r));
        if (interrupted)
                fprintf(stderr, "sdconfine: interrupted: saving what was learned.\n");
        return started;
}

/* Back as it was: a unit started for learning is stopped again. */
static void learn_stop_unit(LearnRun *x) {
        _cleanup_free_ char *result = NULL;
        int r = manager_run_job(x->src.manager, "StopUnit", x->unit, 90 * UINT64_C(1000000), &result);
        if (r < 0 || !streq(result, "done")) {
                const char *why = r < 0 ? manager_last_error(x->src.manager) : result;
                fprintf(stderr,
                        "sdconfine: note: %s was started for learning and did not stop again (%s): stop it "
                        "with 'systemctl stop %s'.\n",
                        x->unit, why ? why : error_words(-r), x->unit);
        } else
                fprintf(stderr, "sdconfine: %s was started for learning and is stopped again.\n", x->unit);
}

int cmd_learn(CliOptions *o) {
        LearnRun x = {.root_fd = -EBADF, .host_fd = -EBADF};
        _cleanup_free_ char *err = NULL;
        unsigned elapsed = 0;
        int r = parse_args(o, &x.a), ret = 1, started;

        if (r < 0)
                return 2;
        if (learn_prepare(&x) < 0)
                goto finish;
        started = learn_watch(&x, &elapsed);
        if (started < 0)
                goto finish;
        r = learned_set_merge_save(x.root_fd, learner_set(x.learner), &err);
        if (r < 0)
                log_error("cannot save the learned set of %s below %s: %s.", x.unit,
                          x.a.root ? x.a.root : "/", err ? err : error_words(-r));
        else {
                _cleanup_(learned_set_freep) LearnedSet *all = NULL;
                size_t total =
                        learned_set_load(x.root_fd, x.unit, &all, NULL) >= 0 ? learned_set_size(all) : 0;
                print_summary(&x.a, x.unit, x.learner, elapsed, total);
                ret = 0;
        }
        if (started)
                learn_stop_unit(&x);
finish:
        learn_run_done(&x);
        return ret;
}
