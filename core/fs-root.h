/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/stat.h>

#include "hashmap.h"

/* Paths as seen below a root directory ("/" for the host, or an image): symlinks are followed inside the
 * root (an absolute link target starts at the root, ".." stops there), and every answer, a missing file
 * included, is remembered, since the closure of many programs asks about the same paths. */
typedef struct FsRoot FsRoot;

int fs_root_new(const char *root, FsRoot **ret);
FsRoot *fs_root_free(FsRoot *r);

/* The directory given to fs_root_new() (NULL-free: "/" for the host). */
const char *fs_root_path(const FsRoot *r);
int fs_root_fd(const FsRoot *r);

/* Follow path (absolute, inside the root) to the file behind it. On success *ret_real is the canonical
 * path inside the root (no symlinks, no "." or ".."), owned by r, and *ret_st its stat. Errors: -ENOENT,
 * -ENOTDIR, -ELOOP (more than 40 links, as the kernel), -EACCES... */
int fs_root_chase(FsRoot *r, const char *path, const char **ret_real, struct stat *ret_st);

/* Open a canonical path from fs_root_chase() for reading. */
int fs_root_open(FsRoot *r, const char *real, int flags);

/* Open a directory (path inside the root, followed) for reading its entries. NULL with errno set. */
#include <dirent.h>
DIR *fs_root_opendir(FsRoot *r, const char *path);

/* The target of the symlink at path (its parent followed, the link itself not). malloc'd. */
int fs_root_readlink(FsRoot *r, const char *path, char **ret);

/* Read a whole regular file (followed) of at most max bytes: malloc'd, NUL-terminated. -EFBIG beyond. */
int fs_root_read_file(FsRoot *r, const char *path, size_t max, char **ret, size_t *ret_size);

/* Memos of what callers make of a file or a directory (a script's imports, a directory's entries, a program's
 * strings), kept as long as r: one run reads and scans each file once, however many programs and units need
 * it. The key is the caller's tag, the file's identity from fs_root_chase() (device, inode, size, mtime,
 * ctime: a file rewritten or replaced is a new key) and the caller's own text (extra, may be NULL). Values
 * live in fs_root_memo_arena(r), or are owned elsewhere for as long as r. NULL when there is none. */
void *fs_root_memo_get(FsRoot *r, const char *tag, const struct stat *st, const char *extra);
int fs_root_memo_put(FsRoot *r, const char *tag, const struct stat *st, const char *extra, void *value);
Arena *fs_root_memo_arena(FsRoot *r);

/* Whether path is itself a symlink (not following it); -errno when it cannot be read. */
int fs_root_is_symlink(FsRoot *r, const char *path);

/* Normalise an absolute path in place, by its text only: "//" and "." dropped, ".." takes back the
 * component before it (at "/" it stays there), no trailing slash. This is how a path resolves inside a
 * confinement root, whose directories systemd creates as real directories for the mounts, and how a
 * loader path built from a real $ORIGIN resolves on the host. systemd ignores a bind path that is not
 * normalised, so every destination goes through this. A relative path is left alone. */
void path_normalize(char *path);
