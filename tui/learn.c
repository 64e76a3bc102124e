/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* L: learn what the service opens (fanotify), as 'sdconfine learn' does, with a live counter. */

#include "curses-load.h"
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "draw.h"
#include "format.h"
#include "learn.h"
#include "learned-set.h"
#include "macro.h"
#include "start-job.h"
#include "unit-name.h"

/* One learning session: the watch, the job that started the unit, what went wrong. */
typedef struct Learning {
        Learner *l;
        const char *unit;
        StartJob job;
        pthread_t thread;
        bool job_running, started, stopped_early;
        int watch_error;
        unsigned elapsed;
} Learning;

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct Known {
        const MountPlan *plan;
        const Service *svc;
} Known;

static bool known_path(const char *path, void *userdata) {
        const Known *k = userdata;
        return k->plan && confine_plan_covers(k->plan, k->svc, path);
}

static void learn_counter(App *a, const Learning *g, uint64_t left_usec) {
        LearnerStats s;
        char line[512];
        learner_stats(g->l, &s);
        snprintf(line, sizeof line, "Learning %s: %u s left, %zu opens, %zu files, %zu new%s (q stops)",
                 g->unit, (unsigned)((left_usec + 999999) / 1000000), s.unit_opens, s.seen, s.new,
                 g->job_running ? ", starting it" : "");
        fill_line(LINES - 3, 0);
        fill_line(LINES - 2, 0);
        put(LINES - 2, 0, COLS, line, attr_of(a, C_OURS, A_BOLD));
        refresh();
}

/* The watch until the deadline or q: events, the start job's end, keys. Nothing here opens a file. */
static void learn_watch(App *a, Learning *g, unsigned seconds) {
        uint64_t start = mono_usec(), deadline = start + (uint64_t)seconds * 1000000;
        timeout(0);
        for (;;) {
                uint64_t now = mono_usec();
                if (now >= deadline)
                        break;
                learn_counter(a, g, deadline - now);
                /* at least once a second: until the next whole second left, or the deadline */
                uint64_t left = deadline - now, step = left % 1000000 ? left % 1000000 : 1000000;
                struct pollfd p[3] = {{learner_fd(g->l), POLLIN, 0},
                                      {STDIN_FILENO, POLLIN, 0},
                                      {g->job_running ? g->job.efd : -1, POLLIN, 0}};
                int k = poll(p, 3, (int)((step + 999) / 1000));
                if (k < 0 && errno != EINTR) {
                        g->watch_error = -errno;
                        break;
                }
                if (k > 0 && p[0].revents) {
                        int q = learner_process(g->l);
                        if (q < 0 && !g->watch_error)
                                g->watch_error = q;
                }
                if (k > 0 && (p[2].revents & POLLIN)) {
                        uint64_t v;
                        if (read(g->job.efd, &v, sizeof v) == sizeof v)
                                g->job_running = false;
                        if (g->job.control_group && learner_set_cgroup(g->l, g->job.control_group) < 0 &&
                            !g->watch_error)
                                g->watch_error = -ENOMEM;
                }
                /* keys (ncurses may hold some already): q or Esc stops */
                int ch;
                while ((ch = getch()) != ERR)
                        if (ch == 'q' || ch == 'Q' || ch == 27)
                                g->stopped_early = true;
                if (g->stopped_early)
                        break;
        }
        g->elapsed = (unsigned)((mono_usec() - start + 500000) / 1000000);
        learner_stop(g->l);
        timeout(-1);
}

/* After the watch: the start job joined, the unit stopped again if it was started for this; a note. */
static void learn_cleanup(App *a, Learning *g, char *note, size_t size) {
        if (!g->started)
                return;
        pthread_join(g->thread, NULL);
        if (g->job.r < 0 || !streq_ptr(g->job.result, "done"))
                snprintf(note, size, " Note: %s did not start (%s); see journalctl -u %s.", g->unit,
                         g->job.r < 0    ? error_words(-g->job.r)
                         : g->job.result ? g->job.result
                                         : "?",
                         g->unit);
        free(g->job.result);
        free(g->job.control_group);
        _cleanup_free_ char *result = NULL;
        set_message(a, false, "Stopping %s again (it was started for learning)...", g->unit);
        app_draw(a);
        int q = manager_run_job(a->src.manager, "StopUnit", g->unit, 90 * UINT64_C(1000000), &result);
        if (q < 0 || !streq_ptr(result, "done")) {
                size_t n = strlen(note);
                snprintf(note + n, size - n,
                         " %s was started for learning and did not stop: systemctl stop %s.", g->unit,
                         g->unit);
        }
        a->message[0] = 0;
}

static void learn_finish(App *a, Learning *g) {
        char note[300] = "";
        learn_cleanup(a, g, note, sizeof note);
        LearnerStats s;
        learner_stats(g->l, &s);
        _cleanup_free_ char *err = NULL;
        int r = learned_set_merge_save(a->root_fd, learner_set(g->l), &err);
        if (r < 0) {
                set_message(a, true, "Cannot save the learned set of %s: %s.", g->unit,
                            err ? err : error_words(-r));
                return;
        }
        if (g->watch_error && !note[0])
                snprintf(note, sizeof note, " Some events could not be learned from (%s).",
                         error_words(-g->watch_error));
        a->settings.learned = true;
        service_recompute(a);
        set_message(a, false,
                    "Learned %zu files (%zu new) of %s in %u s%s: /var/lib/sdconfine/learned/%s.json; the "
                    "plan includes them (2 shows them).%s",
                    s.seen, s.new, g->unit, g->elapsed, g->stopped_early ? ", stopped" : "", g->unit, note);
}

/* Whether the unit runs (its cgroup is watched) or is started for learning; false with a message. */
static bool learn_status(App *a, const char *unit, char **ret_cgroup, bool *ret_running) {
        UnitStatus st = {};
        int r = manager_unit_status(a->src.manager, unit, &st);
        if (r < 0 || !streq_ptr(st.load_state, "loaded")) {
                const char *why = r < 0 ? manager_last_error(a->src.manager) : st.load_state;
                set_message(a, true, "Cannot learn %s: %s.", unit,
                            why     ? why
                            : r < 0 ? error_words(-r)
                                    : "not loaded");
                unit_status_done(&st);
                return false;
        }
        bool running = !streq_ptr(st.active_state, "inactive") && !streq_ptr(st.active_state, "failed");
        if (running && !st.control_group && streq_ptr(st.active_state, "active")) {
                set_message(a, true,
                            "%s is active but runs no process (a oneshot that finished): stop it, then learn "
                            "again (learning starts it).",
                            unit);
                unit_status_done(&st);
                return false;
        }
        *ret_running = running;
        *ret_cgroup = running ? TAKE_PTR(st.control_group) : NULL;
        unit_status_done(&st);
        return true;
}

static int learner_open(App *a, const char *unit, Learner **ret) {
        int r = learner_new(unit, ret);
        if (r == -EPERM || r == -EACCES)
                set_message(
                        a, true,
                        "learning needs CAP_SYS_ADMIN (root): fanotify, which sees every file the service "
                        "opens, is for root only.");
        else if (r < 0)
                set_message(a, true,
                            "Cannot use fanotify: %s (a kernel with fanotify permission events is needed).",
                            error_words(-r));
        return r;
}

/* From here until learner_stop() nothing may open a file on a watched file system. */
static void learn_run(App *a, Learning *g, bool running, unsigned seconds) {
        int r = learner_watch(g->l);
        if (r < 0) {
                set_message(a, true, "Cannot watch the root file system with fanotify: %s.", error_words(-r));
                return;
        }
        if (!running) {
                if (pthread_create(&g->thread, NULL, start_job_run, &g->job) != 0) {
                        learner_stop(g->l);
                        set_message(a, true, "Cannot start a thread for the start job of %s.", g->unit);
                        return;
                }
                g->job_running = g->started = true;
        }
        learn_watch(a, g, seconds);
        /* the watch is over: files, the manager and words may be used again */
        learn_finish(a, g);
}

static void learn_start(App *a, unsigned seconds) {
        /* a copy: the recompute at the end frees the plan's service */
        _cleanup_free_ char *unit = strdup(a->res.svc && a->res.svc->id ? a->res.svc->id : a->unit);
        _cleanup_free_ char *cgroup = NULL;
        _cleanup_(learner_freep) Learner *l = NULL;
        bool running;
        if (!unit || learner_open(a, unit, &l) < 0 || !learn_status(a, unit, &cgroup, &running))
                return;
        Known known = {a->res_r >= 0 ? &a->res.plan : NULL, a->res.svc};
        learner_set_known(l, known_path, &known);
        if (learner_set_cgroup(l, cgroup) < 0) {
                set_message(a, true, "Cannot tell the processes of %s by their cgroup.", unit);
                return;
        }
        /* everything that reads files is done: the screen as it is, then the watch */
        app_draw(a);
        Learning g = {.l = l, .unit = unit};
        g.job = (StartJob){.manager = a->src.manager,
                           .unit = unit,
                           .efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK),
                           .timeout_usec = (uint64_t)seconds * 1000000};
        if (g.job.efd < 0) {
                set_message(a, true, "Cannot create an eventfd: %s.", error_words(errno));
                return;
        }
        learn_run(a, &g, running, seconds);
        close(g.job.efd);
}

static int seconds_done(App *a, const char *text, char *err, size_t errsize) {
        unsigned long v = 30;
        if (text[0]) {
                char *end;
                errno = 0;
                v = strtoul(text, &end, 10);
                if (errno || end == text || *end || v < 1 || v > 86400) {
                        snprintf(err, errsize, "'%s': give a number of seconds from 1 to 86400.", text);
                        return -EINVAL;
                }
        }
        line_edit_close(a); /* the watch draws its counter where the prompt was */
        learn_start(a, (unsigned)v);
        return 0;
}

static void seconds_cancel(App *a) {
        set_message(a, false, "Nothing learned.");
}

void service_learn(App *a) {
        static const LineEditOps ops = {.done = seconds_done, .cancel = seconds_cancel};
        if (!a->src.manager || a->options.root) {
                set_message(a, true,
                            "Learning watches the running service: it needs the service manager (not --root, "
                            "not --offline).");
                return;
        }
        if (a->src.user) {
                set_message(a, true, "Learning is for system services (and needs CAP_SYS_ADMIN, root).");
                return;
        }
        if (unit_name_is_valid(a->unit, UNIT_NAME_TEMPLATE)) {
                set_message(a, true, "%s is a template: learn one of its instances.", a->unit);
                return;
        }
        /* fanotify needs root: say so before asking for the seconds */
        _cleanup_(learner_freep) Learner *probe = NULL;
        if (learner_open(a, a->unit, &probe) < 0)
                return;
        (void)line_edit_open(a, &ops, LINE_EDIT_TEXT, "Learn for how many seconds? (Enter: 30)", "", NULL);
}
