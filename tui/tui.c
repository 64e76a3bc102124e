/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The interactive program: the event loop, resizing and the screen stack. Screens draw rows and take keys
 * through the key table (keys.c); every action calls the same functions as the command line
 * (confine-session.c). No busy loop: getch() blocks once the list has its details. */

#include "curses-load.h"
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app.h"
#include "caps.h"
#include "draw.h"
#include "format.h"
#include "keys.h"
#include "macro.h"
#include "tui.h"

/* Before the screen starts or after it ends: an error on stderr, in the operator's words. */
_printf_(1, 2) static void tui_fail(const char *fmt, ...) {
        va_list ap;
        fputs("sdconfine: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

bool is_enter(int ch) {
        return ch == '\n' || ch == '\r' || ch == KEY_ENTER;
}

void set_message(App *a, bool error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->message, sizeof a->message, fmt, ap);
        va_end(ap);
        a->message_error = error;
}

int app_push(App *a, const ScreenOps *ops, void *data) {
        if (a->n_screens >= ELEMENTSOF(a->stack)) {
                if (ops->free)
                        ops->free(data);
                return -ENOSPC;
        }
        a->stack[a->n_screens++] = (Screen){ops, data};
        return 0;
}

void app_pop(App *a) {
        if (a->n_screens <= 1) /* the list stays */
                return;
        Screen *s = a->stack + --a->n_screens;
        if (s->ops->free)
                s->ops->free(s->data);
}

Screen *app_top(App *a) {
        return a->stack + a->n_screens - 1;
}

/* from the bottom up, each line wrapped: a long path stays readable */
static void app_draw_ask(App *a) {
        int y = LINES - 2;
        for (size_t i = a->ask.n; a->ask.answer && i-- > 0 && y > 0;)
                y -= put_wrapped(y, a->ask.lines[i], A_BOLD, 3);
}

void app_draw(App *a) {
        erase();
        if (COLS < MIN_COLS || LINES < MIN_LINES) {
                char buf[128];
                snprintf(buf, sizeof buf, "Terminal too small (%dx%d): sdconfine needs %dx%d.", COLS, LINES,
                         MIN_COLS, MIN_LINES);
                put(0, 0, COLS, buf, A_BOLD);
                put(1, 0, COLS, "Enlarge the window, or q to quit.", 0);
                refresh();
                return;
        }
        Screen *s = app_top(a);
        s->ops->draw(a, s->data);
        if (a->message[0])
                put_wrapped(LINES - 2, a->message,
                            a->message_error ? attr_of(a, C_WARN, A_BOLD) : (int)A_BOLD, 3);
        app_draw_ask(a);
        line_edit_draw(a);
        refresh();
}

void app_ask(App *a, void (*answer)(App *a, int key), size_t n, const char *const *lines) {
        a->ask.n = n < ELEMENTSOF(a->ask.lines) ? n : ELEMENTSOF(a->ask.lines);
        for (size_t i = 0; i < a->ask.n; i++)
                snprintf(a->ask.lines[i], sizeof a->ask.lines[i], "%s", lines[i]);
        a->ask.answer = answer;
}

static void app_key(App *a, int ch) {
        if (ch == KEY_RESIZE) {
                clearok(curscr, TRUE);
                return;
        }
        if (a->edit) {
                line_edit_key(a, ch);
                return;
        }
        a->message[0] = 0;
        if (a->ask.answer) {
                void (*answer)(App * a, int key) = a->ask.answer;
                a->ask.answer = NULL;
                answer(a, ch);
                return;
        }
        Screen *s = app_top(a);
        if (!keys_dispatch(a, s->ops->scope(a, s->data), ch) && s->ops->other_key)
                s->ops->other_key(a, s->data, ch);
}

void key_redraw(App *a, int ch) {
        (void)a, (void)ch;
        clearok(curscr, TRUE);
}

void key_help(App *a, int ch) {
        (void)ch;
        help_open(a);
}

/* The movement keys, on whatever the screen on top moves. */
void key_move(App *a, int ch) {
        Screen *s = app_top(a);
        size_t n = 0, *sel = s->ops->cursor ? s->ops->cursor(a, s->data, &n) : NULL;
        size_t page = LINES - 5 > 1 ? LINES - 5 : 1;
        if (!sel)
                return;
        if ((ch == KEY_UP || ch == 'k') && *sel > 0)
                (*sel)--;
        else if ((ch == KEY_DOWN || ch == 'j') && *sel + 1 < n)
                (*sel)++;
        else if (ch == KEY_PPAGE)
                *sel = *sel > page ? *sel - page : 0;
        else if (ch == KEY_NPAGE)
                *sel = n ? (*sel + page < n ? *sel + page : n - 1) : 0;
        else if (ch == KEY_HOME || ch == 'g')
                *sel = 0;
        else if (ch == KEY_END || ch == 'G')
                *sel = n ? n - 1 : 0;
}

static void app_colors(App *a) {
        a->color = has_colors() && !getenv("NO_COLOR");
        if (!a->color)
                return;
        start_color();
        use_default_colors();
        init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(C_MISSING, COLOR_RED, -1);
        init_pair(C_OURS, COLOR_GREEN, -1);
        init_pair(C_FOREIGN, COLOR_YELLOW, -1);
        init_pair(C_ADD, COLOR_GREEN, -1);
        init_pair(C_DEL, COLOR_RED, -1);
        init_pair(C_BAR, COLOR_BLACK, COLOR_CYAN);
        init_pair(C_WARN, COLOR_RED, -1);
}

static void app_loop(App *a) {
        while (!a->quit) {
                app_draw(a);
                /* while details remain, look for a key without waiting and fill in more when none came;
                 * then block: no CPU while idle */
                bool pending = a->n_detailed < a->n_entries;
                timeout(pending ? 0 : -1);
                int ch = getch();
                if (ch == ERR) {
                        if (pending)
                                list_fill_details(a, 40);
                        continue;
                }
                timeout(-1);
                if (ch == '\r')
                        ch = '\n';
                app_key(a, ch);
        }
}

/* A session that may not write unit directories or reload says so, and still exports. */
static void app_check_readonly(App *a, const TuiOptions *o) {
        const char *missing = NULL;
        if (!o->root && !caps_self_privileged(&missing)) {
                a->readonly = true;
                snprintf(a->readonly_why, sizeof a->readonly_why,
                         "writing /etc/systemd/system and reloading need %s", missing);
        } else if (faccessat(a->root_fd, "etc/systemd/system", W_OK, AT_EACCESS) < 0) {
                a->readonly = true;
                snprintf(a->readonly_why, sizeof a->readonly_why,
                         "%s/etc/systemd/system is not writable (%s)", o->root ? o->root : "",
                         error_words(errno));
        }
}

static void app_done(App *a) {
        line_edit_close(a);
        while (a->n_screens > 1)
                app_pop(a);
        list_free(a);
        strv_free(a->packages);
        dpkg_db_free(a->db);
        closure_context_free(a->ctx);
        if (a->root_fd >= 0)
                close(a->root_fd);
        service_source_close(&a->src);
}

static int app_screen(App *a, const TuiOptions *o) {
        if (!initscr()) {
                tui_fail("cannot start the screen: is TERM set? Use the commands (sdconfine help) instead.");
                return -EIO;
        }
        cbreak();
        noecho();
        nonl();
        keypad(stdscr, TRUE);
        set_escdelay(25);
        curs_set(0);
        app_colors(a);
        int r = list_load(a);
        if (r < 0) {
                endwin();
                tui_fail("cannot list the services: %s.", a->src.manager && manager_last_error(a->src.manager)
                                                                  ? manager_last_error(a->src.manager)
                                                                  : error_words(-r));
                return r;
        }
        app_push(a, &list_screen, NULL);
        if (!a->src.manager && manager_library_error())
                set_message(a, true, "%s: showing the unit files on disk.", manager_library_error());
        else if (!a->src.manager)
                set_message(a, false, "No service manager answers%s: showing the unit files on disk.",
                            o->root ? " (--root)" : "");
        app_loop(a);
        endwin();
        return 0;
}

int tui_run(const TuiOptions *o) {
        App a = {.root_fd = -EBADF, .options = *o};
        ServiceSourceOptions so = {.root = o->root, .user = o->user, .offline = o->offline};
        const char *load_error = NULL;
        int r;

        /* first: without ncurses there is no screen, and nothing else is worth doing */
        if (curses_load(&load_error) < 0) {
                tui_fail("%s.", load_error);
                return 1;
        }
        output_init(o->ascii);
        _cleanup_free_ char *open_error = NULL;
        r = service_source_open(&so, &a.src, &open_error);
        if (r < 0) {
                tui_fail("%s", open_error ? open_error : error_words(-r));
                return 1;
        }
        a.root_fd = open(o->root ? o->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a.root_fd < 0 || closure_context_new(o->root, &a.ctx) < 0) {
                tui_fail("cannot open %s: %s.", o->root ? o->root : "/", error_words(errno));
                service_source_close(&a.src);
                return 1;
        }
        (void)dpkg_db_new(closure_context_root(a.ctx), &a.db);
        app_check_readonly(&a, o);
        r = app_screen(&a, o);
        app_done(&a);
        return r < 0 ? 1 : 0;
}

int tui_main(int argc, char **argv) {
        enum { ARG_ROOT = 0x100, ARG_USER, ARG_OFFLINE, ARG_ASCII };
        static const struct option options[] = {
                {"root", required_argument, NULL, ARG_ROOT},
                {"user", no_argument, NULL, ARG_USER},
                {"offline", no_argument, NULL, ARG_OFFLINE},
                {"ascii", no_argument, NULL, ARG_ASCII},
                {"help", no_argument, NULL, 'h'},
                {},
        };
        TuiOptions o = {};
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT:
                        o.root = optarg;
                        break;
                case ARG_USER:
                        o.user = true;
                        break;
                case ARG_OFFLINE:
                        o.offline = true;
                        break;
                case ARG_ASCII:
                        o.ascii = true;
                        break;
                case 'h':
                        puts("Usage: sdconfine [tui] [--root DIR] [--user] [--offline] [--ascii]\n\n"
                             "The interactive program: press ? on any screen for its keys.");
                        return 0;
                default:
                        return 2;
                }
        return tui_run(&o);
}
