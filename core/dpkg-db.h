/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "fs-root.h"

/* The dpkg database below a root: which package owns a file (the .list files of /var/lib/dpkg/info, with
 * diversions and merged-/usr aliases taken into account) and which files a package holds. */
typedef struct DpkgDb DpkgDb;

/* -ENOENT when the root has no dpkg database. */
int dpkg_db_new(FsRoot *root, DpkgDb **ret);
DpkgDb *dpkg_db_free(DpkgDb *db);

/* Start reading the database in a background thread, so that a later dpkg_db_find_owners() finds it in
 * memory. Optional. Until that call returns, db must not be used from another thread. */
int dpkg_db_prefetch(DpkgDb *db);

/* For each of paths[0..n) set owners[i] to its package ("libc6:amd64", several joined by ", "), or NULL.
 * One pass over the database, however many paths: ask for all paths of a closure at once. The strings are
 * owned by db. */
int dpkg_db_find_owners(DpkgDb *db, const char *const *paths, size_t n, const char **owners);

/* The files of an installed package (name, or name:arch), diversions applied, as a NULL-terminated
 * malloc'd array of malloc'd strings. -ENOENT when the package is not installed, -EINVAL for a name dpkg
 * would not accept. */
int dpkg_db_package_files(DpkgDb *db, const char *package, char ***ret);

/* The installed packages (as their .list files name them, "libc6:amd64"), sorted, NULL-terminated. */
int dpkg_db_list_packages(DpkgDb *db, char ***ret);

/* What dpkg's status file says of an installed package. Strings owned by db. */
typedef struct DpkgPackage {
        const char *name;    /* "nginx-common", without the architecture */
        const char *arch;    /* "amd64", "all" */
        const char *source;  /* the source package (Source: without a version), else the name */
        const char *depends; /* Pre-Depends: and Depends:, joined by ", ", as written ("" when none) */
        const char
                *conffiles; /* the Conffiles: field: one " PATH MD5 [obsolete|remove-on-upgrade]" per line */
        bool essential;
        const char *priority; /* "required", "important", "optional"... or "" */
} DpkgPackage;

/* An installed package by name or name:arch (the native architecture first, then any). The status file is
 * read once. -ENOENT when not installed. */
int dpkg_db_package_info(DpkgDb *db, const char *package, const DpkgPackage **ret);

/* The conffiles of an installed package that are still in use (not obsolete), NULL-terminated, malloc'd. */
int dpkg_db_package_conffiles(DpkgDb *db, const char *package, char ***ret);

/* The names of the packages a Depends:-style field names, alternatives included, without versions or
 * architecture qualifiers, NULL-terminated, malloc'd. */
int dpkg_depends_names(const char *field, char ***ret);

/* Whether name is a syntactically valid Debian package name, optionally with ":arch". */
int dpkg_package_name_valid(const char *name);

/* The merged-/usr spelling of a path: "/lib/x" -> "/usr/lib/x" when /lib links to usr/lib in the root. */
const char *dpkg_db_canonical(DpkgDb *db, const char *path, char *buf, size_t size);

/* Words on how the database was read that a caller may pass on (the package index could not be saved),
 * else NULL. */
const char *dpkg_db_note(DpkgDb *db);
