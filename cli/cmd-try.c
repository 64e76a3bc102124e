/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <signal.h>

#include "cgroup-guard.h"
#include "cmd-confine.h"
#include "confine-try.h"
#include "fileio.h"
#include "macro.h"
#include "manager.h"
#include "output.h"
#include "unit-name.h"

/* The lock-out guard: refuse to restart, untried, the unit this command runs under (the operator's SSH
 * session below sshd). Nothing is written when it refuses. */
int cli_lockout_guard(ServiceSource *src, const char *unit) {
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
int cli_try(CliOptions *a, CliSession *s, const char *unit, const char *text) {
        TryOptions o = {.seconds = a->try_seconds,
                        .check = a->check,
                        .runtime = a->runtime,
                        .interrupted = &try_interrupted};
        struct sigaction old[4];
        TryResult t = {};
        if (unit_name_is_valid(unit, UNIT_NAME_TEMPLATE)) {
                log_error(
                        "%s is a template: try one of its instances (e.g. %.*s@NAME.service); the drop-in is "
                        "written for all of them.",
                        unit, (int)strcspn(unit, "@"), unit);
                return 1;
        }
        fprintf(stderr, "sdconfine: trying the confinement of %s for %u s%s%s%s...\n", unit, o.seconds,
                o.check ? ", then the check '" : "", o.check ? o.check : "", o.check ? "'" : "");
        try_signals(true, old);
        int r = confine_try(&s->src, s->root_fd, unit, text, &o, &t);
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
                        t.journal_error, unit);
        else if (t.journal && t.journal[0]) {
                fprintf(stderr,
                        "sdconfine: the journal of %s during the try (journalctl -u %s --since \"%s\"):\n",
                        unit, unit, t.since ? t.since : "today");
                for (char **l = t.journal; *l; l++)
                        fprintf(stderr, "    %s\n", *l);
        } else if (t.journal)
                fprintf(stderr, "sdconfine: %s logged nothing during the try.\n", unit);
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
                        t.stored, unit);
        else if (t.store_error)
                fprintf(stderr, "sdconfine: the suggested paths: %s. Give them with --path and --writable.\n",
                        t.store_error);
        r = t.rollback_failed || r < 0 ? 1 : 3;
        try_result_done(&t);
        return r;
}
