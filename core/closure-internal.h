/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <sys/stat.h>

#include "closure.h"
#include "hashmap.h"
#include "ld-cache.h"
#include "ld-paths.h"

/* Shared by closure.c (the graph, the context), closure-loader.c (the loader's search) and
 * closure-prefetch.c (parsing ahead on both cores). */

/* What we know about one file (by device and inode), whoever asks and under whatever name. */
typedef struct Object {
        int error;          /* reading failed: -errno */
        ElfError elf_error; /* ELF_ERROR_NOT_ELF for scripts and data */
        uint64_t elf_error_offset;
        const ElfInfo *info;
        const char *shebang; /* the #! line of a script, without "#!" */
        const char *caps;    /* file capabilities, NULL when none */
        /* e_ident class and e_machine, read even when the rest is corrupt: the loader skips an object of
         * another class or machine before it looks any further */
        bool has_ident;
        uint8_t ident_class;
        uint16_t ident_machine;
        bool parsed; /* elf_parse_fd() ran (for closure_context_n_parsed()) */
} Object;

typedef struct ClosurePrefetch ClosurePrefetch;

typedef struct ObjectKey {
        dev_t dev;
        ino_t ino;
} ObjectKey;

struct ClosureContext {
        FsRoot *root;
        Arena *arena;
        Hashmap *objects; /* ObjectKey -> Object */
        LdCache *cache;
        bool cache_loaded;
        LdPlatform *platforms[8];
        size_t n_platforms;
        size_t n_parsed;
        ClosurePrefetch *prefetch; /* closure_context_prefetch()'s thread, reading ahead */
};

struct Closure {
        ClosureContext *ctx;
        Arena *arena;
        ClosureNode *nodes;
        size_t n_nodes, allocated_nodes;
        Hashmap *by_path; /* path -> 1 + node index */
        ClosureMissing *missing;
        size_t n_missing, allocated_missing;
        Hashmap *missing_seen; /* "name\0index" */
        Hashmap *searches;     /* what a library search found, by all it depends on (closure-loader.c) */
        const char **origins;  /* per node: the directory of its path ($ORIGIN of a library), when asked */
        size_t allocated_origins;
};

/* Read what the closure needs of one file into o, its strings in arena: -ENOMEM, or 0 with a failure to
 * read recorded in o. Touches nothing shared but the root's descriptor: threads may call it at once. */
int closure_object_read(FsRoot *root, Arena *arena, const char *real, const struct stat *st, Object *o);
/* The program at path as closure_context_prefetch()'s thread found and read it, when path is the next it
 * has: 1 with *ret_real (valid as long as ctx), *ret_st and *ret_object set (waiting for the thread to
 * finish it), 0 when the caller is to find and read it itself (not the thread's next, not started yet, or
 * not a regular file: the caller's own look says what is wrong), -ENOMEM. */
int closure_prefetch_chase(ClosureContext *ctx, const char *path, const char **ret_real, struct stat *ret_st,
                           const Object **ret_object);
ClosurePrefetch *closure_prefetch_free(ClosurePrefetch *p);
/* The parsed object behind a resolved file; parsed once per (device, inode). read: the file as read
 * already (by closure_prefetch_chase()), NULL to read it now. */
int closure_context_object(ClosureContext *ctx, const char *real, const struct stat *st, const Object *read,
                           const Object **ret);
const LdCache *closure_context_cache(ClosureContext *ctx);
const LdPlatform *closure_context_platform(ClosureContext *ctx, const ElfInfo *info);

/* The node for path (created on first sight). */
int closure_node_get(Closure *c, const char *path, const char *real, const struct stat *st, NodeKind kind,
                     FoundVia via, size_t *ret);
int closure_edge(Closure *c, size_t from, size_t to);
int closure_add_missing(Closure *c, const char *name, size_t needed_by, const char *reason,
                        const char **tried, const bool *subdir, size_t n_tried);
const char *closure_object_error(Closure *c, const char *path, const Object *o);
char *closure_dirname(Arena *a, const char *path);
/* The directory of node i's path ($ORIGIN of a library), made once. */
const char *closure_node_origin(Closure *c, size_t i);

/* Run the loader in our head for one ELF program: its interpreter, then its DT_NEEDED, breadth first. */
int closure_simulate(Closure *c, size_t node, const Object *o, const ClosureEnv *env);
