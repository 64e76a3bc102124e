/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "path-util.h"

bool path_is_under(const char *path, const char *dir) {
        const char *rest = startswith(path, dir);
        return rest && (rest[0] == '/' || rest[0] == '\0');
}

const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

size_t path_dirname_len(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash == path ? 1 : (size_t)(slash - path);
}

char *path_dirname(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash && slash != path ? strndup(path, slash - path) : strdup("/");
}

void path_unescape_mountinfo(char *s) {
        char *o = s;
        for (; *s; s++)
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
                    s[3] <= '7') {
                        *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
                        s += 3;
                } else
                        *o++ = *s;
        *o = 0;
}
