/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The key table: one entry per key (or group of keys doing one thing), where it works, its word on the
 * function bar and its line on the help screen. Key handling, the bar and the help all read it. */

typedef struct App App;

#define SCOPE_PROMPT (1u << 15) /* the line editor's keys: it handles them itself; listed for the help */

typedef struct Key {
        unsigned scope;   /* SCOPE_* where the key works */
        const char *keys; /* as the help and the bar write them */
        const char *bar;  /* its word on the function bar, or NULL */
        const char *help; /* its line on the help screen */
        void (*run)(App *a, int ch);
        int codes[6]; /* what getch() returns; 0 ends */
} Key;

extern const Key key_table[];

/* Run the action of ch in scope; false when no entry takes it. */
bool keys_dispatch(App *a, unsigned scope, int ch);
/* The function bar of a scope in cols columns: "F1/? Help  Enter Open ...  q Quit" into buf. */
void keys_bar(unsigned scope, int cols, char *buf, size_t size);
/* The heading of a group of keys on the help screen. */
const char *keys_scope_title(unsigned scope);

/* the actions, each in its screen's file */
void key_help(App *a, int ch);
void key_redraw(App *a, int ch);
void key_move(App *a, int ch);
void list_key_open(App *a, int ch);
void list_key_filter(App *a, int ch);
void list_key_next(App *a, int ch);
void list_key_sort(App *a, int ch);
void list_key_user(App *a, int ch);
void list_key_escape(App *a, int ch);
void list_key_quit(App *a, int ch);
void service_key_view(App *a, int ch);
void service_key_apply(App *a, int ch);
void service_key_revert(App *a, int ch);
void service_key_export(App *a, int ch);
void service_key_learn(App *a, int ch);
void service_key_back(App *a, int ch);
void service_key_scroll(App *a, int ch);
void settings_key(App *a, int ch);
void closure_key_expand(App *a, int ch);
void closure_key_collapse(App *a, int ch);
void closure_key_all(App *a, int ch);
void closure_key_why(App *a, int ch);
void closure_key_search(App *a, int ch);
void closure_key_dot(App *a, int ch);
void caps_key(App *a, int ch);
void pager_key_close(App *a, int ch);
