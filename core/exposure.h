/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "confine.h"

/* What a service can see: the files and bytes its mount namespace shows, on the host and in its confined
 * root, and which secrets of the host are among them. Counted by walking the file systems (metadata only, no
 * file is opened for reading); /proc, /sys, /dev and the kernel's other virtual file systems are left out,
 * since a confined service has its own. */

typedef struct ExposureCount {
        uint64_t files; /* regular files, each inode once */
        uint64_t bytes; /* their sizes */
        uint64_t dirs;
        uint64_t skipped; /* directories that could not be read, or were too deep */
} ExposureCount;

/* Walks that share one set of inodes seen, so that overlapping trees count each file once. */
typedef struct ExposureWalk ExposureWalk;

/* every_file: remember every file seen (several trees and single files that may overlap); else only those
 * with several links (one walk of the host, which meets a file with one link once). */
int exposure_walk_new(bool every_file, ExposureWalk **ret);
ExposureWalk *exposure_walk_free(ExposureWalk *w);
/* Add path (relative to root_fd, or absolute for AT_FDCWD): a directory's whole tree, or a file. Not
 * following a symlink at path itself; virtual file systems and the top-level proc, sys and dev of a walk that
 * starts at the root are skipped. -ENOENT and the like when path cannot be looked at. */
int exposure_walk_add(ExposureWalk *w, int root_fd, const char *path);
void exposure_walk_count(const ExposureWalk *w, ExposureCount *ret);

/* The host's count, from root (NULL: "/"), through the cache file (may be NULL: no cache) when it is younger
 * than max_age seconds for the same root; written there otherwise (a failure to write is not an error).
 * *ret_cached (may be NULL) tells which. */
int exposure_host_count(const char *root, const char *cache_path, unsigned max_age, ExposureCount *ret,
                        bool *ret_cached);
#define EXPOSURE_CACHE_PATH "/var/cache/sdconfine/host-count"
#define EXPOSURE_CACHE_MAX_AGE 3600u

/* The files the plan's binds show inside the root, each once (root_fd: where the sources are, AT_FDCWD for
 * the host). A source that is missing is skipped. */
int exposure_plan_count(int root_fd, const MountPlan *p, ExposureCount *ret);

/* The secrets of the host a service can see: /etc/shadow and /etc/gshadow, the SSH host keys,
 * /etc/ssl/private, /root, /home, and the state directories of other services (/var/lib/NAME not bound by the
 * plan). before: those that exist below root_fd; after: those of them the plan's binds show (the path, a
 * directory above it, or a part of it bound). p may be NULL (after is then not computed). */
int exposure_sensitive(int root_fd, const MountPlan *p, char ***ret_before, char ***ret_after);
