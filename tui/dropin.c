/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The drop-in view: the text that w writes and, when one is installed, the change against it. Long lines
 * scroll sideways (Left/Right, service.c). */

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "macro.h"
#include "textdiff.h"

void dropin_build(App *a) {
        strv_free(a->dropin_lines);
        a->dropin_lines = NULL;
        char **diff = NULL;
        if (a->res.text && a->installed && !streq(a->installed, a->res.text) &&
            text_diff(a->installed, a->res.text, &diff) >= 0) {
                (void)strv_extend(&a->dropin_lines, "--- change against the installed drop-in ---");
                for (char **l = diff; *l; l++)
                        (void)strv_extend(&a->dropin_lines, *l);
                strv_free(diff);
                (void)strv_extend(&a->dropin_lines, "");
                (void)strv_extend(&a->dropin_lines, "--- the new drop-in ---");
        } else if (a->installed && a->res.text && streq(a->installed, a->res.text))
                (void)strv_extend(&a->dropin_lines, "(installed, unchanged)");
        _cleanup_free_ char *copy = a->res.text ? strdup(a->res.text) : NULL;
        for (char *s = copy, *line; s && (line = strsep(&s, "\n"));)
                if (s || *line)
                        (void)strv_extend(&a->dropin_lines, line);
}
