/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The one line editor: a prompt on the status line. The main loop hands it the keys while it is open; it
 * calls back on each change, on Enter and on Esc. Tab completes (words, or file names below the root with
 * ~ expanded); a second Tab lists the candidates; Ctrl-U clears. */

typedef struct App App;

typedef enum LineEditKind {
        LINE_EDIT_TEXT,
        LINE_EDIT_HOST_PATH,  /* file names on the host (not below --root) complete, ~ expands */
        LINE_EDIT_PATH,       /* file names below the root complete, ~ expands */
        LINE_EDIT_PATH_EXIST, /* and Enter refuses a path that does not exist */
} LineEditKind;

typedef struct LineEditOps {
        void (*changed)(App *a, const char *text); /* optional: after each key */
        /* Enter: 0 closes the prompt; < 0 keeps it open, the error (into err) shown above it */
        int (*done)(App *a, const char *text, char *err, size_t errsize);
        void (*cancel)(App *a); /* optional: Esc */
} LineEditOps;

typedef struct LineEdit {
        const LineEditOps *ops;
        LineEditKind kind;
        char question[256];
        char text[512];
        char *const *words; /* what Tab completes from (not owned), for LINE_EDIT_TEXT */
        bool tabbed;        /* the last key was a Tab that did not change the text */
        char **candidates;  /* listed above the prompt after a second Tab */
        char error[512];
} LineEdit;

/* Open the prompt (it replaces one that is open); text is the starting answer. */
int line_edit_open(App *a, const LineEditOps *ops, LineEditKind kind, const char *question, const char *text,
                   char *const *words);
void line_edit_close(App *a);
void line_edit_key(App *a, int ch);
void line_edit_draw(App *a);
/* ~ and ~/x: the home directory; into buf. */
const char *line_edit_expand(const char *text, char *buf, size_t size);
