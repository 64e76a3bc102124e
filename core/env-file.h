/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "fs-root.h"
#include "service.h"

/* Parse the text of an environment file as systemd 252 does (load_env_file): KEY=VALUE lines, '#' and ';'
 * comments (a backslash-newline continues a comment), single quotes literal, double quotes with \" \\ \`
 * \$ escapes, a backslash-newline joining lines, whitespace around keys and unquoted values dropped; a
 * later KEY replaces an earlier one; names that are no valid variable names are dropped, as systemd drops
 * them. Returns "KEY=VALUE" strings, or -EINVAL when a key or value is not UTF-8 (systemd then refuses
 * the whole file). */
int env_file_parse(const char *text, char ***ret);

/* Read the service's EnvironmentFile= files (below root: NULL for the host) into s->file_environment, in
 * order, later files overriding earlier ones; they override Environment= (service_getenv() reads both).
 * systemd reads them in the manager, before the chroot: they need no bind. A file that is missing or
 * unreadable without the '-' prefix fails the start under systemd, and one this user may not read leaves
 * PATH and LD_LIBRARY_PATH unknown: s->environment_problem then says which and why (NULL when all is
 * well). Glob patterns are expanded. Returns -ENOMEM only. */
int service_load_environment_files(Service *s, FsRoot *root);
