/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "curses-load.h"
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "keys.h"
#include "macro.h"

#define S_EVERYWHERE (SCOPE_LIST | SCOPE_SERVICE | SCOPE_CAPS)
#define S_MOVING (SCOPE_LIST | SCOPE_SERVICE | SCOPE_CAPS | SCOPE_PAGER)
#define S_SIDEWAYS (SCOPE_MOUNTS | SCOPE_DROPIN)

/* Grouped by scope, in the order of the help screen; within a scope, in the order of the function bar. The
 * help lines stay under 62 columns so that they fit at 80 columns. */
const Key key_table[] = {
        {S_EVERYWHERE, "F1/?", "Help", "this help", key_help, {KEY_F(1), '?'}},
        {S_EVERYWHERE, "Ctrl-L", NULL, "redraw the screen", key_redraw, {12}},
        {S_MOVING, "Up/Down, j/k", NULL, "move", key_move, {KEY_UP, KEY_DOWN, 'k', 'j'}},
        {S_MOVING, "PgUp/PgDn", NULL, "a page up, down", key_move, {KEY_PPAGE, KEY_NPAGE}},
        {S_MOVING, "g/G, Home/End", NULL, "first, last", key_move, {'g', 'G', KEY_HOME, KEY_END}},
        {SCOPE_PROMPT, "Tab", NULL, "complete; a second Tab lists the candidates", NULL, {}},
        {SCOPE_PROMPT, "Ctrl-U", NULL, "clear the prompt", NULL, {}},
        {SCOPE_PROMPT, "~/", NULL, "your home directory, in a path", NULL, {}},
        {SCOPE_PROMPT, "Enter, Esc", NULL, "take the answer; cancel", NULL, {}},
        {SCOPE_LIST,
         "Enter",
         "Open",
         "open the service: settings, closure, mounts, drop-in",
         list_key_open,
         {'\n', KEY_ENTER, KEY_RIGHT}},
        {SCOPE_LIST, "/", "Filter", "filter by name (Enter keeps it, Esc clears it)", list_key_filter, {'/'}},
        {SCOPE_LIST, "n/N", "Next", "next / previous service matching the filter", list_key_next, {'n', 'N'}},
        {SCOPE_LIST, "s", "Sort", "sort by name or by state", list_key_sort, {'s'}},
        {SCOPE_LIST,
         "u",
         "User/system",
         "switch between the system and the user's services",
         list_key_user,
         {'u'}},
        {SCOPE_LIST, "Esc", NULL, "clear a kept filter; without one, quit", list_key_escape, {27}},
        {SCOPE_LIST, "q", "Quit", "quit", list_key_quit, {'q'}},
        {SCOPE_SERVICE,
         "1 2 3 4",
         "View",
         "Settings, Closure tree, Mounts, Drop-in",
         service_key_view,
         {'1', '2', '3', '4'}},
        {SCOPE_SERVICE, "Tab, S-Tab", NULL, "next, previous view", service_key_view, {'\t', KEY_BTAB}},
        {SCOPE_SERVICE,
         "w",
         "Apply",
         "apply: y write, R and restart, t try (kept if it works)",
         service_key_apply,
         {'w'}},
        {SCOPE_SERVICE,
         "r",
         "Revert",
         "remove the confinement drop-in and reload",
         service_key_revert,
         {'r'}},
        {SCOPE_SERVICE, "e", "Export", "export the drop-in to a directory", service_key_export, {'e'}},
        {SCOPE_SERVICE,
         "L",
         "Learn",
         "learn what the service opens (live counter, root)",
         service_key_learn,
         {'L'}},
        {SCOPE_SERVICE,
         "q, Esc",
         "Back",
         "back to the list (asks if changes are unsaved)",
         service_key_back,
         {'q', 27}},
        {SCOPE_SETTINGS,
         "Space",
         "Confine",
         "confinement on/off (w then writes or removes)",
         settings_key,
         {' '}},
        {SCOPE_SETTINGS, "m", "Mode", "mode: full-apivfs or chroot-only", settings_key, {'m'}},
        {SCOPE_SETTINGS, "b", "sh", "/bin/sh: the default, none, or a path", settings_key, {'b'}},
        {SCOPE_SETTINGS, "f", NULL, "full unit: yes or no", settings_key, {'f'}},
        {SCOPE_SETTINGS, "p", "Pkg", "add a package (Tab completes)", settings_key, {'p'}},
        {SCOPE_SETTINGS, "a", "Path", "add a read-only path (Tab completes)", settings_key, {'a'}},
        {SCOPE_SETTINGS, "W", "Writable", "add a writable path (Tab completes)", settings_key, {'W'}},
        {SCOPE_SETTINGS, "P", "Preset", "add a preset (Tab completes)", settings_key, {'P'}},
        {SCOPE_SETTINGS, "o", NULL, "add an override KEY=VALUE", settings_key, {'o'}},
        {SCOPE_SETTINGS, "c", NULL, "capabilities: a checklist", settings_key, {'c'}},
        {SCOPE_SETTINGS, "x", NULL, "remove the selected entry", settings_key, {'x'}},
        {SCOPE_SETTINGS,
         "X",
         "Exposure",
         "exposure: systemd-analyze security, files seen, secrets",
         settings_key,
         {'X'}},
        {SCOPE_SETTINGS, "+/-", NULL, "raise / lower the mount budget", settings_key, {'+', '-'}},
        {SCOPE_SETTINGS, "S", "Suggested", "accept all suggestions", settings_key, {'S'}},
        {SCOPE_CLOSURE,
         "Enter/Right",
         "Expand",
         "expand (Enter again collapses)",
         closure_key_expand,
         {'\n', KEY_ENTER, KEY_RIGHT, 'l'}},
        {SCOPE_CLOSURE,
         "Left",
         "Collapse",
         "collapse, or go to the parent",
         closure_key_collapse,
         {KEY_LEFT, 'h'}},
        {SCOPE_CLOSURE, "*", "All", "expand all", closure_key_all, {'*'}},
        {SCOPE_CLOSURE, "y", "Why", "why is this file in the closure", closure_key_why, {'y'}},
        {SCOPE_CLOSURE, "/", "Search", "search, in collapsed subtrees too", closure_key_search, {'/'}},
        {SCOPE_CLOSURE, "n/N", "Next", "next / previous match", closure_key_search, {'n', 'N'}},
        {SCOPE_CLOSURE,
         "e",
         "DOT",
         "export the closure as a Graphviz DOT file (not the drop-in)",
         closure_key_dot,
         {'e'}},
        {S_SIDEWAYS,
         "Left/Right",
         "Scroll",
         "scroll sideways",
         service_key_scroll,
         {KEY_LEFT, KEY_RIGHT, 'h', 'l'}},
        {SCOPE_CAPS, "Space", "Toggle", "check or uncheck the capability", caps_key, {' '}},
        {SCOPE_CAPS, "a", "All", "check all", caps_key, {'a'}},
        {SCOPE_CAPS, "n", "None", "check none", caps_key, {'n'}},
        {SCOPE_CAPS, "u", "Unit's own", "the unit's own set (no setting)", caps_key, {'u'}},
        {SCOPE_CAPS, "Enter", "Keep", "keep the checked set", caps_key, {'\n', KEY_ENTER}},
        {SCOPE_CAPS, "Esc", "Cancel", "cancel", caps_key, {27}},
        {SCOPE_PAGER,
         "q, Esc, Enter",
         "Back",
         "back (any other key too)",
         pager_key_close,
         {'q', 27, '\n', KEY_ENTER}},
        {},
};

static bool key_has(const Key *k, int ch) {
        for (size_t i = 0; i < ELEMENTSOF(k->codes) && k->codes[i]; i++)
                if (k->codes[i] == ch)
                        return true;
        return false;
}

/* The entry that takes ch in scope: a view's own key (e in the closure view) before the one every view of
 * a service has (e exports the drop-in), else the first in table order. */
static const Key *keys_find(unsigned scope, int ch) {
        for (int pass = 0; pass < 2; pass++) {
                unsigned within = pass == 0 ? scope & ~(unsigned)SCOPE_SERVICE : scope;
                for (const Key *k = key_table; k->keys; k++)
                        if ((k->scope & within) && k->run && key_has(k, ch))
                                return k;
        }
        return NULL;
}

bool keys_dispatch(App *a, unsigned scope, int ch) {
        const Key *k = keys_find(scope, ch);
        if (!k)
                return false;
        k->run(a, ch);
        return true;
}

/* on the bar only what the key does here: not an entry another one takes over */
static bool keys_on_bar(const Key *k, unsigned scope) {
        return (k->scope & scope) && k->bar && (!k->run || keys_find(scope, k->codes[0]) == k);
}

static int bar_rank(const Key *k) {
        if (k->run == key_help)
                return 0;
        if (streq(k->bar, "Back") || streq(k->bar, "Quit"))
                return 2;
        return 1;
}

void keys_bar(unsigned scope, int cols, char *buf, size_t size) {
        char last[64] = "";
        size_t n = 0;
        buf[0] = 0;
        /* the help first and the way back or out last, always; in between, in table order, what fits */
        for (const Key *k = key_table; k->keys; k++)
                if (keys_on_bar(k, scope) && bar_rank(k) == 2)
                        snprintf(last, sizeof last, " %s %s ", k->keys, k->bar);
        for (int rank = 0; rank < 2; rank++)
                for (const Key *k = key_table; k->keys; k++) {
                        char item[64];
                        if (!keys_on_bar(k, scope) || bar_rank(k) != rank)
                                continue;
                        int w = snprintf(item, sizeof item, " %s %s ", k->keys, k->bar);
                        if (w < 0 || n + w + strlen(last) >= size || (int)(n + w + strlen(last)) > cols)
                                continue;
                        memcpy(buf + n, item, w + 1);
                        n += w;
                }
        snprintf(buf + n, size - n, "%s", last);
}

const char *keys_scope_title(unsigned scope) {
        switch (scope) {
        case S_EVERYWHERE:
                return "Everywhere";
        case S_MOVING:
                return "Moving (lists, views, this help)";
        case SCOPE_PROMPT:
                return "Prompts (the line at the bottom)";
        case SCOPE_LIST:
                return "Service list";
        case SCOPE_SETTINGS:
                return "A service: the settings view (1)";
        case SCOPE_CLOSURE:
                return "A service: the closure tree (2)";
        case S_SIDEWAYS:
                return "A service: the mounts and the drop-in (3, 4)";
        case SCOPE_SERVICE:
                return "A service: every view";
        case SCOPE_CAPS:
                return "The capability checklist (c)";
        case SCOPE_PAGER:
                return "The help and the try's result";
        }
        return "Other keys";
}
