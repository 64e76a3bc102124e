/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The help screen: every entry of the key table, grouped by where it works, in a pager. It opens at the
 * group of the screen it was asked from. */

#include <stdio.h>

#include "app.h"
#include "keys.h"
#include "macro.h"

void help_open(App *a) {
        Screen *s = app_top(a);
        unsigned here = s->ops->scope(a, s->data);
        char **l = NULL, buf[512];
        size_t start = 0;
        unsigned last = 0;
        for (const Key *k = key_table; k->keys; k++) {
                if (k->scope != last) {
                        if (l)
                                (void)strv_extend(&l, "");
                        /* the first group that is only this screen's: the list, a service, the checklist */
                        if (!start && (k->scope == (here & (SCOPE_LIST | SCOPE_SERVICE | SCOPE_CAPS))))
                                start = strv_length(l);
                        (void)strv_extend(&l, keys_scope_title(k->scope));
                        last = k->scope;
                }
                snprintf(buf, sizeof buf, "  %-14s %s", k->keys, k->help);
                (void)strv_extend(&l, buf);
        }
        (void)pager_open(a, "Help", l, start);
}
