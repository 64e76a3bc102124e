/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "curses-load.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "draw.h"
#include "format.h"
#include "line-edit.h"
#include "macro.h"
#include "service.h"

int line_edit_open(App *a, const LineEditOps *ops, LineEditKind kind, const char *question, const char *text,
                   char *const *words) {
        LineEdit *e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        e->ops = ops;
        e->kind = kind;
        e->words = words;
        snprintf(e->question, sizeof e->question, "%s", question);
        snprintf(e->text, sizeof e->text, "%s", text ? text : "");
        line_edit_close(a);
        a->edit = e;
        curs_set(1);
        return 0;
}

void line_edit_close(App *a) {
        if (!a->edit)
                return;
        strv_free(a->edit->candidates);
        free(a->edit);
        a->edit = NULL;
        curs_set(0);
}

const char *line_edit_expand(const char *text, char *buf, size_t size) {
        const char *home = getenv("HOME");
        if (text[0] != '~' || (text[1] && text[1] != '/') || !home || !*home)
                return text;
        snprintf(buf, size, "%s%s", home, text + 1);
        return buf;
}

static int cmp_str(const void *x, const void *y) {
        return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in the directory part of text that start with its last part, each the whole new text (a
 * directory ends with "/"). Below the root, as the service will see them. */
static char **path_candidates(App *a, const char *text) {
        const char *slash = strrchr(text, '/');
        if (!slash)
                return NULL;
        size_t dlen = slash - text + 1;
        const char *base = slash + 1;
        char dir[512];
        snprintf(dir, sizeof dir, "%.*s", (int)dlen, text);
        int fd = a->edit->kind == LINE_EDIT_HOST_PATH ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                 : dir[1] ? openat(a->root_fd, dir + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                          : openat(a->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return NULL;
        }
        char **l = NULL;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    strncmp(de->d_name, base, strlen(base)) != 0 || (de->d_name[0] == '.' && base[0] != '.'))
                        continue;
                struct stat st;
                bool isdir = fstatat(dirfd(d), de->d_name, &st, 0) >= 0 && S_ISDIR(st.st_mode);
                char buf[1024];
                snprintf(buf, sizeof buf, "%s%s%s", dir, de->d_name, isdir ? "/" : "");
                (void)strv_extend(&l, buf);
        }
        closedir(d);
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        return l;
}

static char **word_candidates(const LineEdit *e) {
        char **l = NULL;
        for (char *const *w = e->words; w && *w; w++)
                if (strncmp(*w, e->text, strlen(e->text)) == 0)
                        (void)strv_extend(&l, *w);
        return l;
}

/* Tab: the longest common prefix of the candidates; a second Tab that adds nothing lists them. */
static void complete(App *a, LineEdit *e) {
        if (e->kind != LINE_EDIT_TEXT) {
                char buf[512];
                const char *x = line_edit_expand(e->text, buf, sizeof buf);
                if (x != e->text) {
                        snprintf(e->text, sizeof e->text, "%s", x);
                        e->tabbed = false;
                        return;
                }
        }
        char **c = e->kind == LINE_EDIT_TEXT ? word_candidates(e) : path_candidates(a, e->text);
        size_t common = c && c[0] ? strlen(c[0]) : 0;
        for (size_t i = 1; c && c[i]; i++) {
                size_t k = 0;
                while (k < common && c[0][k] == c[i][k])
                        k++;
                common = k;
        }
        bool grew = c && c[0] && common > strlen(e->text) && common < sizeof e->text;
        if (grew) {
                memcpy(e->text, c[0], common);
                e->text[common] = 0;
        }
        strv_free(e->candidates);
        e->candidates = NULL;
        if (!grew && e->tabbed) {
                if (!c)
                        (void)strv_extend(&c, "(no candidates)");
                e->candidates = c;
        } else
                strv_free(c);
        e->tabbed = !grew;
}

static void enter(App *a, LineEdit *e) {
        char buf[512];
        const char *text = e->kind == LINE_EDIT_TEXT ? e->text : line_edit_expand(e->text, buf, sizeof buf);
        struct stat st;
        if (e->kind == LINE_EDIT_PATH_EXIST && text[0] == '/' &&
            fstatat(a->root_fd, text[1] ? text + 1 : ".", &st, AT_SYMLINK_NOFOLLOW) < 0) {
                /* the path cut where it must be: the reason and what to do always fit */
                snprintf(e->error, sizeof e->error,
                         "%.380s does not exist%s (%.40s): give a path that exists.", text,
                         a->options.root ? " below the root" : "", strerror(errno));
                return;
        }
        char copy[512];
        snprintf(copy, sizeof copy, "%s", text);
        e->error[0] = 0;
        const LineEditOps *ops = e->ops;
        /* done() may open another prompt: this one is closed first */
        if (ops->done(a, copy, e->error, sizeof e->error) < 0 && a->edit == e)
                return;
        if (a->edit == e)
                line_edit_close(a);
}

void line_edit_key(App *a, int ch) {
        LineEdit *e = a->edit;
        size_t n = strlen(e->text);
        if (ch != '\t') {
                e->tabbed = false;
                strv_free(e->candidates);
                e->candidates = NULL;
        }
        if (ch == KEY_RESIZE || ch == ERR)
                return;
        if (ch == 27) {
                const LineEditOps *ops = e->ops;
                line_edit_close(a);
                if (ops->cancel)
                        ops->cancel(a);
                return;
        }
        if (is_enter(ch)) {
                enter(a, e);
                return;
        }
        e->error[0] = 0;
        if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
                /* a whole character: its UTF-8 continuation bytes too */
                while (n > 0 && ((unsigned char)e->text[n - 1] & 0xC0) == 0x80)
                        e->text[--n] = 0;
                if (n > 0)
                        e->text[--n] = 0;
        } else if (ch == 21) /* Ctrl-U */
                e->text[0] = 0;
        else if (ch == '\t')
                complete(a, e);
        else if (ch >= 32 && ch < 256 && ch != 127 && n + 1 < sizeof e->text) {
                e->text[n++] = (char)ch;
                e->text[n] = 0;
        }
        if (e->ops->changed)
                e->ops->changed(a, e->text);
}

void line_edit_draw(App *a) {
        LineEdit *e = a->edit;
        if (!e)
                return;
        if (e->error[0]) /* the whole error, wrapped above the prompt */
                put_wrapped(LINES - 3, e->error, attr_of(a, C_WARN, A_BOLD), 4);
        if (e->candidates) {
                char buf[2048] = "";
                size_t k = 0, n = strv_length(e->candidates);
                for (; k < n && strlen(buf) + strlen(e->candidates[k]) + 3 < sizeof buf; k++) {
                        const char *c = e->candidates[k];
                        const char *slash = e->kind != LINE_EDIT_TEXT ? strrchr(c, '/') : NULL;
                        /* a path shows its last part ("lib/"), a directory with its slash */
                        if (slash && !slash[1] && slash > c) {
                                const char *p = slash - 1;
                                while (p > c && p[-1] != '/')
                                        p--;
                                slash = p - 1;
                        }
                        strcat(buf, slash ? slash + 1 : c);
                        strcat(buf, "  ");
                }
                put_wrapped(LINES - 3, buf, A_BOLD, 4);
        }
        fill_line(LINES - 2, 0);
        int qw = text_width(e->question) + 1, room = COLS - qw - 1;
        put(LINES - 2, 0, COLS, e->question, A_BOLD);
        /* a long answer shows its end, where the cursor is */
        int tw = text_width(e->text);
        const char *shown = tw > room && room > 0 ? e->text + text_skip(e->text, tw - room) : e->text;
        if (room > 0)
                put(LINES - 2, qw, room, shown, A_BOLD);
        move(LINES - 2, qw + text_width(shown) < COLS ? qw + text_width(shown) : COLS - 1);
}
