/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Small helpers on absolute paths written as strings, with no look at any file system. Normalising a path
 * ("/a//b/../c" -> "/a/c") is path_normalize() in fs-root.h. */

/* Whether path is dir or below it: "/run" and "/run/x" are under "/run", "/running" is not. */
bool path_is_under(const char *path, const char *dir);

/* The part after the last '/': "/usr/bin/env" -> "env"; a path without one is its own base. */
const char *path_basename(const char *path);

/* The length of the directory part: "/a/b" -> 2 ("/a"), "/x" -> 1 ("/"). path holds a '/'. */
size_t path_dirname_len(const char *path);

/* The directory part, malloc'd: "/a/b" -> "/a", "/x" and "x" -> "/". NULL without memory. */
char *path_dirname(const char *path);

/* A path as /proc/self/mountinfo writes it (space, tab, newline and backslash as \ooo), decoded in place. */
void path_unescape_mountinfo(char *s);
