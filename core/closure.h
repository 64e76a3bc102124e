/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dpkg-db.h"
#include "elf-parse.h"
#include "fs-root.h"

/* The runtime closure of programs: everything the kernel and glibc's dynamic loader open to run them,
 * found statically (nothing inspected is ever executed), as a graph. */

typedef enum NodeKind {
        NODE_EXEC,        /* a program run directly */
        NODE_INTERPRETER, /* PT_INTERP, or a script's #! interpreter */
        NODE_LIBRARY,
        NODE_SCRIPT, /* a program starting with #! */
        NODE_FILE,   /* anything else added to the closure */
        _NODE_KIND_MAX,
} NodeKind;

typedef enum FoundVia {
        VIA_DIRECT,          /* named as a path: a root, or a DT_NEEDED with a slash */
        VIA_INTERP,          /* PT_INTERP */
        VIA_SHEBANG,         /* a #! line */
        VIA_PATH,            /* /usr/bin/env NAME, looked up in PATH */
        VIA_RPATH,           /* DT_RPATH of the object or of its loading chain */
        VIA_LD_LIBRARY_PATH, /* the service's LD_LIBRARY_PATH */
        VIA_RUNPATH,         /* DT_RUNPATH of the object */
        VIA_LD_CACHE,        /* /etc/ld.so.cache */
        VIA_DEFAULT,         /* the loader's default directories */
        VIA_LOADED,          /* reused: an object already loaded under that name */
        _VIA_MAX,
} FoundVia;

const char *node_kind_to_string(NodeKind k);
const char *found_via_to_string(FoundVia v);

typedef struct ClosureNode {
        const char *path;     /* as the loader or kernel asks for it: must exist at exactly this path */
        const char *realpath; /* the file behind any symlinks */
        uint64_t size;
        mode_t mode;
        dev_t dev;
        ino_t ino;
        NodeKind kind;
        FoundVia found_via;
        bool root;
        const char *package; /* after closure_find_packages(); NULL when no package owns it */
        const char *caps;    /* file capabilities ("cap_net_raw=ep"), NULL when none */
        const char *error;   /* why this file cannot be run or loaded, NULL when fine */
        const char *reason;  /* found by a rule beyond the loader ("conffile of nginx-common"), else NULL */
        size_t *deps, n_deps, allocated_deps;
        size_t *needed_by, n_needed_by, allocated_needed_by;
} ClosureNode;

typedef struct ClosureMissing {
        const char *name;
        size_t needed_by; /* node index */
        const char *reason;
        const char **tried; /* every path the loader would try, in order */
        const bool
                *tried_subdir; /* whether tried[i] is a glibc-hwcaps or legacy hwcap subdirectory variant */
        size_t n_tried;
} ClosureMissing;

/* What the closures of many programs share: the root directory, ld.so.cache, parsed objects (by device
 * and inode), resolved paths. */
typedef struct ClosureContext ClosureContext;

int closure_context_new(const char *root, ClosureContext **ret);
ClosureContext *closure_context_free(ClosureContext *ctx);
FsRoot *closure_context_root(ClosureContext *ctx);
/* How many ELF objects were parsed: memoisation makes this far smaller than the sum of closures. */
size_t closure_context_n_parsed(const ClosureContext *ctx);

/* The environment the programs will run with (the service's, never ours). NULL members take defaults:
 * systemd's PATH for services, no LD_LIBRARY_PATH. */
typedef struct ClosureEnv {
        const char *path;
        const char *ld_library_path;
} ClosureEnv;

#define CLOSURE_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct Closure Closure;

int closure_new(ClosureContext *ctx, Closure **ret);
/* The root directory the closure is resolved below. */
FsRoot *closure_root(const Closure *c);
Closure *closure_free(Closure *c);

/* Add a program (absolute path inside the root) and everything it needs. Returns -errno when the program
 * itself cannot be read (-ENOENT, -EACCES, -ELOOP...); problems further down are recorded as node errors
 * and missing libraries, not returned. */
int closure_add_program(Closure *c, const char *path, const ClosureEnv *env);

/* Add a plain file (no analysis). */
int closure_add_file(Closure *c, const char *path);

/* Add a file that a rule beyond the loader found for node parent (a package's conffile, a command a script
 * runs, a module an interpreter loads), with the rule's reason in words. An ELF object is analysed as a
 * program (its libraries follow, found as the loader finds them), and so is a #! script unless kind is
 * NODE_FILE (a module or data file that happens to start with #!); anything else is a plain file. A file
 * already in the closure keeps its first reason and gains the edge. -ENOENT (and the other chase errors) when
 * path cannot be read; -EISDIR for a directory. */
int closure_add_found(Closure *c, const char *path, size_t parent, NodeKind kind, const char *reason,
                      const ClosureEnv *env, size_t *ret_node);

/* How a node was found, in words: the rule's reason, else the loader's way (found_via_to_string()). */
const char *closure_node_via(const ClosureNode *n);

size_t closure_n_nodes(const Closure *c);
const ClosureNode *closure_node(const Closure *c, size_t i);
size_t closure_n_missing(const Closure *c);
const ClosureMissing *closure_missing(const Closure *c, size_t i);
/* -ENOENT when path is not a node. */
int closure_find(const Closure *c, const char *path, size_t *ret);

/* Where node i hangs in a tree drawing: its first parent in discovery (breadth-first) order, SIZE_MAX for a
 * node nobody needs (a root). A tree draws a node's children once, under that parent. */
size_t closure_tree_parent(const Closure *c, size_t i);

/* One shortest chain from a root to node i: ret[0] is a root, ret[n-1] == i. */
int closure_why(const Closure *c, size_t i, size_t **ret, size_t *ret_n);

/* Fill in the package of every node (one pass over the dpkg database). */
int closure_find_packages(Closure *c, DpkgDb *db);

/* Find and read the files of these programs (absolute paths inside the root; others are skipped) ahead,
 * on another core, while the closure_add_program() calls that follow, in the same order, work on this one:
 * each finds its file found and read, or does both itself. Returns at once. Optional: every closure is the
 * same with it or without it, only sooner. */
int closure_context_prefetch(ClosureContext *ctx, const char *const *paths, size_t n);
