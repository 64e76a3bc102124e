/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* The only code that writes unit files: sdconfine's own drop-in, NAME.d/50-confinement.conf below
 * /etc/systemd/system (or /run/systemd/system for --runtime), relative to a root directory fd. Its atomic
 * protocol is here once, for every file sdconfine keeps (the drop-ins, the learned sets). */

/* Write text as name in the directory dir_fd atomically: a temporary file ".#NAME.RANDOM" in the same
 * directory, fsync, rename over name, fsync of the directory. On any failure the old file stays as it was
 * and no temporary file is left. name is one path component. */
int atomic_write_at(int dir_fd, const char *name, const char *text, mode_t mode);

/* The same for a path (absolute, or relative to the working directory): its directory must exist. */
int atomic_write_file(const char *path, const char *text, mode_t mode);

/* Create the directories of path (relative to dir_fd, "a/b/c") that are missing, each with mode. */
int mkdirs_at(int dir_fd, const char *path, mode_t mode);
/* atomic_write_at for bytes that are no text (the package index). */
int atomic_write_data_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode);

#define DROPIN_NAME "50-confinement.conf"

/* "etc/systemd/system/foo.service.d/50-confinement.conf" (relative to the root) */
int dropin_path(const char *unit, bool runtime, char **ret);

/* The installed drop-in's text; -ENOENT when there is none. */
int dropin_read(int root_fd, const char *unit, bool runtime, char **ret);

/* Write atomically: a temporary file in the same directory, fsync, rename over, fsync of the directory.
 * A file there that sdconfine did not write is never replaced (-EEXIST). On any failure the old file stays
 * as it was and no temporary file is left. */
int dropin_write(int root_fd, const char *unit, bool runtime, const char *text);

/* Remove our drop-in (and the directory when it is left empty). -ENOENT when there is none, -EEXIST when
 * the file there is not ours (left alone). */
int dropin_remove(int root_fd, const char *unit, bool runtime);
