/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* t at the apply question: write, reload, restart, hold, keep only if it works (confine_try); the result
 * in a pager. */

#include "curses-load.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "confine-try.h"
#include "format.h"
#include "macro.h"
#include "unit-name.h"

_printf_(2, 3) static void add(char ***l, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        (void)strv_extend(l, buf);
}

static void add_suggestion(char ***l, const JournalSuggestion *sg) {
        switch (sg->hint) {
        case JOURNAL_HINT_PATH:
                add(l, "%s %s (journal: %s)", sg->writable ? "--writable" : "--path", sg->path, sg->line);
                break;
        case JOURNAL_HINT_PERL_MODULE:
                add(l, "the Perl module %s is missing: --path its directory of @INC (journal: %s)", sg->what,
                    sg->line);
                break;
        case JOURNAL_HINT_PYTHON_MODULE:
                add(l, "the Python module %s is missing: --path its directory of sys.path (journal: %s)",
                    sg->what, sg->line);
                break;
        case JOURNAL_HINT_LIBRARY:
                add(l, "the library %s is missing: --path the file ldconfig -p names (journal: %s)", sg->what,
                    sg->line);
                break;
        }
}

/* A try that was rolled back: the journal of the attempt and what it suggests. */
static void add_failure(App *a, char ***l, const TryResult *t) {
        add(l, "%s", "");
        if (t->journal_error)
                add(l, "The journal of the attempt: %s. See journalctl -u %s.", t->journal_error, a->unit);
        else if (t->journal && t->journal[0]) {
                add(l, "The journal during the try (journalctl -u %s --since \"%s\"):", a->unit,
                    t->since ? t->since : "today");
                for (char **j = t->journal; *j; j++)
                        add(l, "  %s", *j);
        } else
                add(l, "%s logged nothing during the try.", a->unit);
        add(l, "%s", "");
        if (!t->n_suggestions)
                add(l, "%s", "Suggestions: none from the journal.");
        else
                add(l, "Suggestions (%zu):", t->n_suggestions);
        for (size_t i = 0; i < t->n_suggestions; i++)
                add_suggestion(l, t->suggestions + i);
        if (t->stored)
                add(l,
                    "The suggested paths are kept in %s (apply --suggested takes them); add them here with a "
                    "and W.",
                    t->stored);
        else if (t->store_error)
                add(l, "The suggested paths: %s.", t->store_error);
}

static char **try_lines(App *a, TryResult *t, unsigned seconds) {
        char **l = NULL;
        if (t->kept) {
                add(&l, "Kept: %s held for %u s confined; the drop-in stays.", a->unit, seconds);
                add(&l, "%s.", t->summary ? t->summary : "Kept");
        } else {
                add(&l, "Rolled back: %s.", t->failure ? t->failure : "out of memory");
                if (t->rollback)
                        add(&l, "%s: %s.",
                            t->rollback_failed ? "The rollback did not complete" : "The rollback",
                            t->rollback);
        }
        if (t->check_output && *t->check_output) {
                add(&l, "%s", "");
                add(&l, "%s", "The check's output (its end):");
                for (char *rest = t->check_output, *x; (x = strsep(&rest, "\n"));)
                        if (*x || rest)
                                add(&l, "  %s", x);
        }
        if (!t->kept)
                add_failure(a, &l, t);
        return l;
}

void service_try(App *a) {
        if (!a->src.manager) {
                set_message(a, true, "Trying needs a service manager to restart %s: none answers here.",
                            a->unit);
                return;
        }
        if (unit_name_is_valid(a->unit, UNIT_NAME_TEMPLATE)) {
                set_message(a, true, "%s is a template: try one of its instances.", a->unit);
                return;
        }
        TryOptions o = {.seconds = TRY_DEFAULT_SECONDS};
        TryResult t = {};
        set_message(a, false, "Trying the confinement of %s: restarted, held for %u s (%u s)...", a->unit,
                    o.seconds, o.seconds);
        app_draw(a);
        int r = confine_try(&a->src, a->root_fd, a->unit, a->res.text, &o, &t);
        a->message[0] = 0;
        if (r < 0 && t.error) {
                set_message(a, true, "The try could not start: %s.", t.error);
                try_result_done(&t);
                return;
        }
        char **l = try_lines(a, &t, o.seconds);
        if (t.kept)
                set_message(a, false, "Kept: %s held for %u s confined.", a->unit, o.seconds);
        else
                set_message(a, true, "Rolled back: %s.", t.failure ? t.failure : "out of memory");
        bool kept = t.kept;
        try_result_done(&t);
        service_after_write(a);
        (void)pager_open(a, kept ? "the try held: kept" : "the try failed: rolled back", l, 0);
}
