/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "confine-session.h"
#include "dpkg-db.h"
#include "fileio.h"
#include "line-edit.h"
#include "service-source.h"
#include "tui.h"

/* The state of the interactive program: the list, the opened service, the screen stack and the prompt.
 * Each screen's file draws its part and handles its keys (through the key table, keys.c). */

#define MIN_COLS 60
#define MIN_LINES 12

enum { C_TITLE = 1, C_MISSING, C_OURS, C_FOREIGN, C_ADD, C_DEL, C_BAR, C_WARN };
enum { VIEW_SETTINGS, VIEW_CLOSURE, VIEW_MOUNTS, VIEW_DROPIN, _VIEW_MAX };

/* Where a key works: the key table's scopes, also the help screen's sections. */
enum {
        SCOPE_LIST = 1 << 0,
        SCOPE_SERVICE = 1 << 1, /* every view of a service */
        SCOPE_SETTINGS = 1 << 2,
        SCOPE_CLOSURE = 1 << 3,
        SCOPE_MOUNTS = 1 << 4,
        SCOPE_DROPIN = 1 << 5,
        SCOPE_CAPS = 1 << 6,
        SCOPE_PAGER = 1 << 7, /* the help and the try's result */
};

typedef struct App App;

/* A question on the lines above the key bar: the next key answers it (a resize redraws it). */
typedef struct Ask {
        char lines[3][1024];
        size_t n;
        void (*answer)(App *a, int key);
} Ask;

/* A screen on the stack: the list at the bottom, a service above it, then the checklist, help or a result. */
typedef struct ScreenOps {
        unsigned (*scope)(App *a, void *data);
        void (*draw)(App *a, void *data);
        /* the selection the movement keys move, and how many rows there are */
        size_t *(*cursor)(App *a, void *data, size_t *ret_n);
        /* a key no entry of the table took */
        void (*other_key)(App *a, void *data, int ch);
        void (*free)(void *data);
} ScreenOps;

typedef struct Screen {
        const ScreenOps *ops;
        void *data;
} Screen;

typedef struct Entry {
        char *name, *active, *marker, *description, *fragment;
        uint64_t closure_size; /* once the service was opened */
        bool size_known;
} Entry;

typedef struct TreeRow {
        int depth;
        ssize_t node, missing;
        bool has_children, expanded;
} TreeRow;

struct App {
        ServiceSource src;
        int root_fd;
        bool readonly, color, quit;
        TuiOptions options;
        char readonly_why[160];
        ClosureContext *ctx;
        DpkgDb *db;
        char **packages; /* for completion */

        Screen stack[8];
        size_t n_screens;
        LineEdit *edit; /* the prompt on the status line, while one is open */
        Ask ask;        /* a question, while ask.answer is set */

        /* the list */
        Entry *entries;
        size_t n_entries;
        size_t *visible, n_visible, sel, top;
        size_t n_detailed; /* entries whose details are loaded (the list fills in while idle) */
        char filter[128];
        bool sort_by_state;

        /* the opened service */
        bool opened, dirty; /* dirty: settings changed since opened, written or removed */
        int view;
        char *unit;
        ConfineSettings settings;
        bool enabled; /* confine (w writes) or not (w reverts) */
        ConfineResult res;
        int res_r;
        char *installed;
        char **dropin_lines;
        bool *expanded;
        TreeRow *rows;
        size_t n_rows;
        size_t vsel[_VIEW_MAX], vtop[_VIEW_MAX];
        int hscroll[_VIEW_MAX]; /* columns scrolled to the right */
        char search[128];
        char **exposure; /* what X measured for the current settings, until they change */
        bool exposure_error;

        char message[1024];
        bool message_error;
};

/* tui.c: the screen stack and the frame */
int app_push(App *a, const ScreenOps *ops, void *data);
void app_pop(App *a);
Screen *app_top(App *a);
void app_draw(App *a);
void set_message(App *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Ask: the lines (up to 3) above the key bar until the next key, which goes to answer. */
void app_ask(App *a, void (*answer)(App *a, int key), size_t n, const char *const *lines);
bool is_enter(int ch);

/* list.c */
extern const ScreenOps list_screen;
int list_load(App *a);
void list_fill_details(App *a, size_t count);
void list_free(App *a);
void list_set_marker(App *a, const char *unit, const char *marker);

/* service.c */
extern const ScreenOps service_screen;
void service_open(App *a, const char *name);
void service_recompute(App *a);
void service_after_write(App *a);
void service_changed(App *a); /* a setting changed: recompute, remember the edit */

/* the views: lines to show (the caller frees them) */
char **settings_lines(App *a);
char **closure_lines(App *a, int width);
size_t closure_n_lines(App *a);
void closure_tree_build(App *a);
char **mounts_lines(App *a);
void dropin_build(App *a);
void closure_export_dot(App *a);

/* exposure.c: X in the settings view measures what the confinement buys */
void exposure_measure(App *a);
void exposure_forget(App *a);

/* capabilities.c */
void capabilities_open(App *a);

/* pager.c: a scrollable text screen; lines are taken */
int pager_open(App *a, const char *title, char **lines, size_t start);

/* help.c */
void help_open(App *a);

/* try.c, learn.c */
void service_try(App *a);
void service_learn(App *a);
