/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "unit-name.h"

static const char *const unit_types[] = {
        "service",   "mount", "swap", "socket", "target", "device",
        "automount", "timer", "path", "slice",  "scope",
};

static bool valid_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
               c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
}

const char *unit_name_suffix(const char *name) {
        const char *dot = strrchr(name, '.');
        if (!dot || dot == name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(unit_types); i++)
                if (streq(dot + 1, unit_types[i]))
                        return dot + 1;
        return NULL;
}

const char *unit_name_problem(const char *name) {
        if (!name || !*name)
                return "the unit name is empty";
        if (strlen(name) >= UNIT_NAME_MAX)
                return "the unit name is 256 bytes or longer";
        for (const char *p = name; *p; p++) {
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return "the unit name contains a control character";
                if (*p == '/')
                        return "the unit name contains '/': give a unit name, not a path";
        }
        const char *dot = strrchr(name, '.');
        if (!dot || dot == name)
                return "the unit name has no type suffix (such as .service)";
        if (!unit_name_suffix(name))
                return "the unit name ends in an unknown type suffix (known: .service, .socket, .timer, "
                       ".mount, "
                       ".target, .path, .slice, .scope, .swap, .automount, .device)";
        const char *at = NULL;
        for (const char *p = name; p < dot; p++) {
                if (*p == '@' && !at)
                        at = p;
                if (!valid_char(*p))
                        return "the unit name contains a character systemd does not allow (letters, digits "
                               "and "
                               ":-_.\\@ only; use systemd-escape)";
        }
        if (at == name)
                return "the unit name starts with '@': the part before it must not be empty";
        return NULL;
}

bool unit_name_is_valid(const char *name, UnitNameFlags flags) {
        if (unit_name_problem(name))
                return false;
        const char *dot = strrchr(name, '.'), *at = memchr(name, '@', dot - name);
        if (!at)
                return flags & UNIT_NAME_PLAIN;
        if (at + 1 == dot)
                return flags & UNIT_NAME_TEMPLATE;
        return flags & UNIT_NAME_INSTANCE;
}

int unit_name_template(const char *name, char **ret) {
        if (!unit_name_is_valid(name, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE))
                return -EINVAL;
        const char *at = strchr(name, '@'), *dot = strrchr(name, '.');
        char *t;
        if (asprintf(&t, "%.*s@%s", (int)(at - name), name, dot) < 0)
                return -ENOMEM;
        *ret = t;
        return 0;
}

int unit_name_prefix(const char *name, char **ret) {
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        const char *dot = strrchr(name, '.'), *at = memchr(name, '@', dot - name);
        char *p = strndup(name, (at ? at : dot) - name);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int unit_name_instance(const char *name, char **ret) {
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        const char *dot = strrchr(name, '.'), *at = memchr(name, '@', dot - name);
        char *p = at ? strndup(at + 1, dot - at - 1) : strdup("");
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int unit_name_without_suffix(const char *name, char **ret) {
        const char *dot = strrchr(name, '.');
        char *p = dot ? strndup(name, dot - name) : strdup(name);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int unit_name_unescape(const char *s, char **ret) {
        char *out = malloc(strlen(s) + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                if (*p == '-')
                        *o++ = '/';
                else if (p[0] == '\\' && p[1] == 'x' && unhex(p[2]) >= 0 && unhex(p[3]) >= 0) {
                        *o++ = (char)(unhex(p[2]) << 4 | unhex(p[3]));
                        p += 3;
                } else
                        *o++ = *p;
        }
        *o = 0;
        *ret = out;
        return 0;
}

int unit_name_path_escape(const char *path, char **ret) {
        /* as systemd-escape --path: trim slashes, "/" -> "-", a leading "." and anything outside
         * [A-Za-z0-9:_.] -> \xNN; the root is "-" */
        while (*path == '/')
                path++;
        size_t n = strlen(path);
        while (n > 0 && path[n - 1] == '/')
                n--;
        if (n == 0) {
                char *r = strdup("-");
                if (!r)
                        return -ENOMEM;
                *ret = r;
                return 0;
        }
        char *out = malloc(n * 4 + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = path[i];
                if (c == '/') {
                        while (i + 1 < n && path[i + 1] == '/')
                                i++;
                        *o++ = '-';
                } else if ((c == '.' && i == 0) ||
                           !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == ':' || c == '_' || c == '.'))
                        o += sprintf(o, "\\x%02x", c);
                else
                        *o++ = c;
        }
        *o = 0;
        *ret = out;
        return 0;
}

int unit_name_mangle(const char *name, char **ret, const char **ret_problem) {
        _cleanup_free_ char *m = NULL;
        if (name && *name && !unit_name_suffix(name) && asprintf(&m, "%s.service", name) < 0)
                return -ENOMEM;
        const char *problem = unit_name_problem(m ? m : name);
        if (problem) {
                if (ret_problem)
                        *ret_problem = problem;
                return -EINVAL;
        }
        if (!m && !(m = strdup(name)))
                return -ENOMEM;
        *ret = TAKE_PTR(m);
        return 0;
}
