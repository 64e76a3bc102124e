/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* What the confinement buys, in the settings view: systemd's exposure score without and with the drop-in,
 * the files the service sees and the secrets among them. On demand (X): it runs systemd-analyze twice and
 * may count the host's files (about a second, then cached for an hour), so opening a service or changing a
 * setting never waits for it; a change forgets the figures, X measures again. */

#include "curses-load.h"
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "draw.h"
#include "exposure-report.h"
#include "format.h"
#include "keys.h"
#include "macro.h"

void exposure_forget(App *a) {
        strv_free(a->exposure);
        a->exposure = NULL;
        a->exposure_error = false;
}

/* "exposure not measured: why", in the view and on the status line */
static void exposure_set_error(App *a, const char *why) {
        char buf[1024];
        snprintf(buf, sizeof buf, "exposure not measured: %s", why);
        exposure_forget(a);
        (void)strv_extend(&a->exposure, buf);
        a->exposure_error = true;
        set_message(a, true, "%s", buf);
}

void exposure_measure(App *a) {
        if (a->res_r < 0 || !a->res.text) {
                exposure_set_error(a, a->res.error ? a->res.error : "there is no drop-in");
                return;
        }
        const char *root = a->options.root;
        ExposureOptions o = {.root = root,
                             .cache_path = root ? NULL : EXPOSURE_CACHE_PATH,
                             .max_age = EXPOSURE_CACHE_MAX_AGE};
        _cleanup_(exposure_report_done) ExposureReport rep = {};
        char msg[600];
        snprintf(msg, sizeof msg,
                 "Measuring the exposure of %s (systemd-analyze security, the files it sees)...", a->unit);
        fill_line(LINES - 2, 0);
        put(LINES - 2, 0, COLS, msg, A_BOLD);
        refresh();
        int r = exposure_report_compute(&a->res, &o, &rep);
        char **lines = NULL;
        if (r >= 0)
                r = exposure_report_format(&rep, output_utf8(), &lines);
        if (r < 0) {
                exposure_set_error(a, error_words(-r));
                return;
        }
        exposure_forget(a);
        a->exposure = lines;
        a->exposure_error = !rep.scored;
        set_message(a, !rep.scored, "%s", lines[0]);
}
