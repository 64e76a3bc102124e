/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>

#include "journal.h"
#include "macro.h"
#include "service.h"
#include "unit-closure.h"

/* --- what the lines say is missing: pure --- */

void journal_suggestions_free(JournalSuggestion *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(s[i].path);
                free(s[i].what);
                free(s[i].line);
        }
        free(s);
}

#define SUGGESTIONS_MAX 64u

typedef struct Found {
        JournalSuggestion *items;
        size_t n, allocated;
} Found;

static bool path_char(char c) {
        return isalnum((unsigned char)c) || strchr("/._-+@%~", c) || (unsigned char)c >= 0x80;
}

/* An absolute path token starting at line[i]: a '/' not inside a word ("2024/01/01", "a/b") */
static bool path_starts(const char *line, size_t i) {
        return line[i] == '/' && (i == 0 || !path_char(line[i - 1]));
}

static size_t path_end(const char *line, size_t i) {
        size_t e = i;
        while (line[e] && path_char(line[e]))
                e++;
        /* the end of a sentence or of a directory name is not part of the path */
        while (e > i + 1 && (line[e - 1] == '.' || line[e - 1] == '/'))
                e--;
        return e;
}

/* The path nearest before position at, else the first after it; NULL when the line has none. The path
 * must name something below "/" ("//host/x" and "/" alone are no paths). */
static char *path_near(const char *line, size_t at) {
        size_t best = SIZE_MAX, best_end = 0;
        for (size_t i = 0; line[i];) {
                if (!path_starts(line, i)) {
                        i++;
                        continue;
                }
                size_t e = path_end(line, i);
                bool usable = e > i + 1 && line[i + 1] != '/';
                if (usable && (i < at || best == SIZE_MAX)) {
                        best = i;
                        best_end = e;
                }
                if (usable && i >= at)
                        break;
                i = e > i ? e : i + 1;
                while (line[i] && path_char(line[i]))
                        i++; /* the rest of a token that was no path ("//x/y") */
        }
        if (best == SIZE_MAX)
                return NULL;
        char *p = strndup(line + best, best_end - best);
        if (!p)
                return NULL;
        /* systemd sets up the root's mounts below /run/systemd/unit-root: the host's path is the rest */
        const char *rest = startswith(p, "/run/systemd/unit-root/");
        if (rest)
                memmove(p, rest - 1, strlen(rest - 1) + 1);
        return p;
}

static int add(Found *f, JournalHint hint, char *path_or_what, bool writable, const char *line) {
        if (!path_or_what)
                return -ENOMEM;
        for (size_t i = 0; i < f->n; i++) {
                JournalSuggestion *s = f->items + i;
                if (s->hint != hint || !streq(hint == JOURNAL_HINT_PATH ? s->path : s->what, path_or_what))
                        continue;
                /* the same path also refused for writing: it must be writable */
                if (writable && !s->writable) {
                        char *l = strdup(line);
                        if (!l) {
                                free(path_or_what);
                                return -ENOMEM;
                        }
                        free(s->line);
                        s->line = l;
                        s->writable = true;
                }
                free(path_or_what);
                return 0;
        }
        if (f->n >= SUGGESTIONS_MAX ||
            (hint == JOURNAL_HINT_PATH && unit_path_is_hazard(path_or_what, NULL))) {
                free(path_or_what);
                return 0;
        }
        if (!GROW(f->items, f->allocated, f->n + 1)) {
                free(path_or_what);
                return -ENOMEM;
        }
        JournalSuggestion s = {.hint = hint, .writable = writable, .line = strdup(line)};
        if (hint == JOURNAL_HINT_PATH)
                s.path = path_or_what;
        else
                s.what = path_or_what;
        if (!s.line) {
                free(path_or_what);
                return -ENOMEM;
        }
        f->items[f->n++] = s;
        return 0;
}

/* "Can't locate Foo/Bar.pm in @INC (you may need to install the Foo::Bar module) (@INC contains: ...)" */
static char *perl_module(const char *line) {
        const char *s = strstr(line, "Can't locate "), *e;
        if (!s || !(e = strstr(s, " in @INC")))
                return NULL;
        s += strlen("Can't locate ");
        return e > s && !memchr(s, ' ', e - s) ? strndup(s, e - s) : NULL;
}

/* "ModuleNotFoundError: No module named 'yaml'", "ImportError: No module named yaml" */
static char *python_module(const char *line) {
        const char *s = strstr(line, "No module named ");
        if (!s)
                return NULL;
        s += strlen("No module named ");
        bool quoted = *s == '\'' || *s == '"';
        if (quoted)
                s++;
        size_t l = 0;
        while (s[l] && (isalnum((unsigned char)s[l]) || s[l] == '_' || s[l] == '.'))
                l++;
        return l > 0 ? strndup(s, l) : NULL;
}

/* "...: libzstd.so.1: cannot open shared object file: No such file or directory": the name before the
 * message; a path there (dlopen of a path) is a path to bind */
static int shared_object(Found *f, const char *line, const char *at, bool *ret_found) {
        const char *e = at;
        while (e > line && (e[-1] == ' ' || e[-1] == ':'))
                e--;
        const char *s = e;
        while (s > line && s[-1] != ' ' && s[-1] != ':' && s[-1] != '"' && s[-1] != '\'')
                s--;
        *ret_found = e > s;
        if (e <= s)
                return 0;
        if (*s == '/')
                return add(f, JOURNAL_HINT_PATH, path_near(line, e - line), false, line);
        return add(f, JOURNAL_HINT_LIBRARY, strndup(s, e - s), false, line);
}

static int suggest_line(Found *f, const char *line) {
        static const struct {
                const char *text;
                bool writable;
        } markers[] = {
                {"Read-only file system", true},
                {"Permission denied", true},
                {"No such file or directory", false},
                {"not found", false},
                {"does not exist", false},
        };
        char *module;
        /* a module or library: the paths on such a line are Perl's @INC, the program's own name... */
        if ((module = perl_module(line)))
                return add(f, JOURNAL_HINT_PERL_MODULE, module, false, line);
        if ((module = python_module(line)))
                return add(f, JOURNAL_HINT_PYTHON_MODULE, module, false, line);
        const char *so = strstr(line, "cannot open shared object file");
        if (so) {
                bool found;
                int r = shared_object(f, line, so, &found);
                if (r < 0 || found)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(markers); i++) {
                const char *at = strstr(line, markers[i].text);
                if (!at)
                        continue;
                char *p = path_near(line, at - line);
                if (p)
                        return add(f, JOURNAL_HINT_PATH, p, markers[i].writable, line);
        }
        return 0;
}

int journal_suggest_paths(char *const *lines, JournalSuggestion **ret, size_t *ret_n) {
        Found f = {};
        for (char *const *l = lines; l && *l; l++) {
                int r = suggest_line(&f, *l);
                if (r < 0) {
                        journal_suggestions_free(f.items, f.n);
                        return r;
                }
        }
        *ret = f.items;
        *ret_n = f.n;
        return 0;
}

int journal_format_line(char *msg, const char *ident, const char *pid, char **ret) {
        for (char *c = msg; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = ' ';
        char *line;
        int k = ident && pid ? asprintf(&line, "%s[%s]: %s", ident, pid, msg)
                : ident      ? asprintf(&line, "%s: %s", ident, msg)
                             : asprintf(&line, "%s", msg);
        if (k < 0)
                return -ENOMEM;
        *ret = line;
        return 1;
}
