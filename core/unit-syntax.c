/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>

#include "macro.h"
#include "unit-syntax.h"

static int unhex(char c) {
        return c >= '0' && c <= '9'   ? c - '0'
               : c >= 'a' && c <= 'f' ? c - 'a' + 10
               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                      : -1;
}

/* One C escape after a backslash, as systemd's cunescape_one(): appends to o, returns chars consumed. */
static int cunescape_one(const char *p, char **o) {
        switch (p[0]) {
        case 'a':
                *(*o)++ = '\a';
                return 1;
        case 'b':
                *(*o)++ = '\b';
                return 1;
        case 'f':
                *(*o)++ = '\f';
                return 1;
        case 'n':
                *(*o)++ = '\n';
                return 1;
        case 'r':
                *(*o)++ = '\r';
                return 1;
        case 't':
                *(*o)++ = '\t';
                return 1;
        case 'v':
                *(*o)++ = '\v';
                return 1;
        case '\\':
        case '"':
        case '\'':
        case ' ':
        case ';':
                *(*o)++ = p[0];
                return 1;
        case 's':
                *(*o)++ = ' ';
                return 1;
        case 'x': {
                int a = unhex(p[1]), b = a >= 0 ? unhex(p[2]) : -1;
                if (a < 0 || b < 0 || (a == 0 && b == 0))
                        return -EINVAL;
                *(*o)++ = (char)(a << 4 | b);
                return 3;
        }
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
                if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
                        return -EINVAL;
                int v = (p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0');
                if (v == 0 || v > 255)
                        return -EINVAL;
                *(*o)++ = (char)v;
                return 3;
        }
        case 'u':
        case 'U': {
                size_t n = p[0] == 'u' ? 4 : 8;
                uint32_t c = 0;
                for (size_t i = 1; i <= n; i++) {
                        int h = unhex(p[i]);
                        if (h < 0)
                                return -EINVAL;
                        c = c << 4 | h;
                }
                if (c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                        return -EINVAL;
                /* UTF-8 */
                if (c < 0x80)
                        *(*o)++ = (char)c;
                else if (c < 0x800) {
                        *(*o)++ = (char)(0xc0 | c >> 6);
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                } else if (c < 0x10000) {
                        *(*o)++ = (char)(0xe0 | c >> 12);
                        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                } else {
                        *(*o)++ = (char)(0xf0 | c >> 18);
                        *(*o)++ = (char)(0x80 | ((c >> 12) & 0x3f));
                        *(*o)++ = (char)(0x80 | ((c >> 6) & 0x3f));
                        *(*o)++ = (char)(0x80 | (c & 0x3f));
                }
                return (int)n + 1;
        }
        }
        return -EINVAL;
}

int unit_extract_word(const char **p, char **ret) {
        const char *s = *p;
        while (*s && strchr(" \t\n\r", *s))
                s++;
        if (!*s) {
                *p = s;
                return 0;
        }
        char *out = malloc(strlen(s) * 4 + 1), *o = out;
        char quote = 0;
        if (!out)
                return -ENOMEM;
        for (;; s++) {
                if (!*s) {
                        if (quote) { /* an unfinished quote */
                                free(out);
                                return -EINVAL;
                        }
                        break;
                }
                if (!quote && strchr(" \t\n\r", *s))
                        break;
                if (*s == '\\') {
                        if (!s[1]) { /* a trailing backslash */
                                free(out);
                                return -EINVAL;
                        }
                        /* with EXTRACT_CUNESCAPE, escapes count inside quotes of both kinds too */
                        int n = cunescape_one(s + 1, &o);
                        if (n < 0) {
                                free(out);
                                return -EINVAL;
                        }
                        s += n;
                        continue;
                }
                if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                *o++ = *s;
                } else if (*s == '\'' || *s == '"')
                        quote = *s;
                else
                        *o++ = *s;
        }
        *o = 0;
        *p = s;
        *ret = out;
        return 1;
}

int unit_parse_bool(const char *v) {
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return 1;
                if (strcasecmp(v, no[i]) == 0)
                        return 0;
        }
        return -EINVAL;
}

/* "/a//b/./c/" -> "/a/b/c", as path_simplify() */
void unit_path_simplify(char *p) {
        char *o = p;
        const char *s = p;
        bool abs = *s == '/';
        if (abs)
                *o++ = '/';
        while (*s) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                size_t n = strcspn(s, "/");
                if (n == 1 && s[0] == '.') {
                        s += n;
                        continue;
                }
                if (o > p && o[-1] != '/')
                        *o++ = '/';
                memmove(o, s, n);
                o += n;
                s += n;
        }
        if (o == p)
                *o++ = abs ? '/' : '.';
        *o = 0;
}

static char *strip(char *s) {
        while (*s && isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = 0;
        return s;
}

/* An unescaped backslash at the end of a line continues it on the next one. */
static bool ends_in_backslash(const char *s) {
        bool escaped = false;
        for (; *s; s++)
                escaped = !escaped && *s == '\\';
        return escaped;
}

/* "[Name]" sets section; anything else there is ignored as systemd ignores it */
static void parse_section(const char *s, char *section, size_t size) {
        size_t k = strlen(s);
        if (s[k - 1] == ']' && k - 2 < size) {
                memcpy(section, s + 1, k - 2);
                section[k - 2] = 0;
        }
}

int unit_syntax_parse(char *text, UnitAssignFunc f, void *userdata) {
        _cleanup_free_ char *cont = NULL;
        char section[256] = "";
        unsigned line_no = 0;
        int r;

        for (char *line = text, *nl; line; line = nl) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl++ = 0;
                line_no++;
                char *t = line + strspn(line, " \t\r");
                /* comment lines are dropped, also in the middle of a continuation */
                if (*t == '#' || *t == ';')
                        continue;
                char *full = line;
                _cleanup_free_ char *joined = NULL;
                if (cont) {
                        if (asprintf(&joined, "%s%s", cont, line) < 0)
                                return -ENOMEM;
                        full = joined;
                        cont = mfree_str(cont);
                }
                if (ends_in_backslash(full) && nl) {
                        full[strlen(full) - 1] = ' '; /* joined with a space */
                        if (!(cont = strdup(full)))
                                return -ENOMEM;
                        continue;
                }
                char *s = strip(full);
                if (!*s)
                        continue;
                if (*s == '[') {
                        parse_section(s, section, sizeof section);
                        continue;
                }
                char *eq = strchr(s, '=');
                if (!eq || !section[0])
                        continue;
                *eq = 0;
                r = f(userdata, section, strip(s), strip(eq + 1), line_no);
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}
