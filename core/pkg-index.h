/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A persistent index of the dpkg database below a root: which packages own a path (diversions and
 * merged-/usr aliases applied), each package's files, and what the status file says of each installed
 * package. One file, read part by part; built on first use and whenever dpkg's database changes (its info
 * directory, status and diversions files), kept under /var/cache/sdconfine (root) or
 * $XDG_CACHE_HOME/sdconfine
 * ($SDCONFINE_CACHE_DIR overrides both). Every part is checksummed and bounds-checked before it is
 * trusted: a stale, truncated or corrupt file is rebuilt, never used. */
typedef struct PkgIndex PkgIndex;

typedef enum PkgIndexOrigin {
        PKG_INDEX_LOADED,  /* the cached file matched the database */
        PKG_INDEX_SAVED,   /* built now and written to the cache */
        PKG_INDEX_UNSAVED, /* built now, kept in memory only (see pkg_index_note()) */
        PKG_INDEX_BUFFER,  /* pkg_index_from_buffer() */
} PkgIndexOrigin;

/* What pkg_index_open() needs to know of the root. */
typedef struct PkgIndexRoot {
        int fd;                     /* the root directory */
        const char *path;           /* its path, to name the cache file */
        const char *arch;           /* the native dpkg architecture */
        const char *const *aliases; /* "/lib/"... prefixes that are links to /usr/<same>, NULL-terminated */
} PkgIndexRoot;

/* -ENOENT when the root has no dpkg database. force: ignore a cached file (it was found corrupt). */
int pkg_index_open(const PkgIndexRoot *root, bool force, PkgIndex **ret);
/* Only the cached file: -ESTALE when there is none that matches the database. */
int pkg_index_open_cached(const PkgIndexRoot *root, PkgIndex **ret);
PkgIndex *pkg_index_free(PkgIndex *x);

/* An index image in memory (the fuzzer's entry point): header checks only; the parts are checked when
 * used, as with a file. The buffer must outlive the index. */
int pkg_index_from_buffer(const void *buf, size_t size, PkgIndex **ret);

PkgIndexOrigin pkg_index_origin(const PkgIndex *x);
/* Why the index could not be saved ("cannot write /var/cache/sdconfine: ..."), else NULL. */
const char *pkg_index_note(const PkgIndex *x);

/* The owners of a path in its canonical spelling ("libc6:amd64", several joined by ", "): 0 and *ret set,
 * -ENOENT when no package lists it, -EBADMSG when the part of the index it needs is corrupt. */
int pkg_index_owner(PkgIndex *x, const char *path, const char **ret);
/* Which part of the index holds a path's owners, and forgetting that part (the strings pkg_index_owner()
 * returned from it go with it): asking path by path in shard order keeps one part in memory at a time. */
uint32_t pkg_index_path_shard(const char *path);
void pkg_index_drop_shard(PkgIndex *x, uint32_t shard);

/* The installed packages as their .list files name them, sorted. -EBADMSG when corrupt. */
int pkg_index_n_packages(PkgIndex *x, size_t *ret);
int pkg_index_package(PkgIndex *x, size_t i, const char **ret_name);
/* The files of package i: its .list lines, diversions applied, "/." and empty lines dropped, each ended
 * by a newline. Valid until the next call. */
int pkg_index_package_files(PkgIndex *x, size_t i, const char **ret_text, size_t *ret_len);
/* The package named name (a .list name) by binary search: -ENOENT when none. */
int pkg_index_find_package(PkgIndex *x, const char *name, size_t *ret);

/* An installed package of the status file by "name" or "name:arch" (for "name", the native architecture's
 * when there are several). The strings point into the index. */
typedef struct PkgIndexStatus {
        const char *name, *arch, *source, *depends, *conffiles, *priority;
        bool essential;
} PkgIndexStatus;
int pkg_index_status(PkgIndex *x, const char *key, PkgIndexStatus *ret);

/* The path of the cache file for a root (for tests and notes). */
int pkg_index_cache_path(const char *root_path, char **ret);
