/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Inside unit_closure_extend (unit-closure.c): the state its rules share, and the helpers more than one rule
 * uses. One file per rule: unit-scripts.c (scripts and interpreter modules), unit-package.c (the unit's
 * packages, their conffiles and compiled-in paths), unit-state.c (writable state), unit-plugins.c (NSS, PAM,
 * gconv, locale). */

#include "closure.h"
#include "hashmap.h"
#include "unit-closure.h"

#define SCRIPT_MAX (8u * 1024 * 1024)
#define CONFFILE_MAX (4u * 1024 * 1024)
#define DIR_FILES_MAX 64 /* a directory a script names is read whole only when it is this small */

/* One walk's memory (unit-run.c): what it marked, and per node what the node was when it was walked. Shared
 * by the units of a run with the same signature (UnitRun), else the unit's own. */
typedef struct UnitWalk {
        Hashmap *shell;    /* node path -> 1: scan as shell text */
        Hashmap *scanned;  /* node path -> 1: done */
        Hashmap *compiled; /* node path -> 1: its strings read */
        Arena *arena;      /* the keys of the three */
        uint64_t *stamps;  /* per node: its kind and number of dependencies when walked; 0: not walked */
        size_t n_stamps;
} UnitWalk;

int unit_walk_new(UnitWalk **ret);
UnitWalk *unit_walk_free(UnitWalk *w);
/* The walk of run for a unit with env and rules: found, or made. */
int unit_run_walk(UnitRun *run, const Service *svc, const ClosureEnv *env, unsigned rules, UnitWalk **ret);

typedef struct RuleCtx {
        Closure *c;
        FsRoot *root;
        DpkgDb *db;
        const Service *svc;
        const ClosureEnv *env;
        unsigned rules;
        UnitExtras *x;
        char **own;      /* the unit's name and its packages' names and sources: whose keys are its own */
        char **pkgs;     /* the packages of the unit's programs, with their siblings */
        char **pkg_of;   /* pkgs[i] was found for the program pkg_of[i] */
        char **pkg_dirs; /* directories those packages create */
        char **named;    /* directories named in Exec lines, scripts and conffiles: "PATH\0REASON" pairs */
        UnitWalk *walk;
        Hashmap *shell;    /* walk's: node path -> 1: scan as shell text */
        Hashmap *scanned;  /* walk's: node path -> 1: done */
        Hashmap *compiled; /* walk's: node path -> 1: its strings read */
        Arena *arena;      /* walk's */
} RuleCtx;

/* Whether node i was walked as it is now (same kind, same dependencies), for this walk's signature. */
bool rule_walked(RuleCtx *x, size_t i);
/* Record that node i was walked as it is now. */
int rule_stamp(RuleCtx *x, size_t i);
/* rule_mark() in the shell set: a node walked before as data is walked again. */
int rule_mark_shell(RuleCtx *x, const char *path);
/* The daemon (an ExecStart= program) that imports chroot(2) itself, into the unit's extras. */
int rule_chroot_by(RuleCtx *x);

/* Add a file a rule found. Missing or unreadable files are skipped: rules over-approximate. */
int rule_add(RuleCtx *x, const char *path, size_t parent, NodeKind kind, const char *reason,
             size_t *ret_node);

/* Put path in the set h (its key kept in a): 1 when it is new, 0 when it was there. */
int rule_mark(Hashmap *h, Arena *a, const char *path);

/* Remember a directory a line named, with why: the state rule decides later whether it is writable. */
int rule_name_dir(RuleCtx *x, const char *path, const char *reason);

/* The file a name stands for in dirs (colon-separated lists, in order): an executable for a command. */
int rule_resolve_in(FsRoot *root, const char *name, char *const *dirs, bool exec, char **ret);

/* rule_resolve_in for an executable. */
int rule_resolve_command(FsRoot *root, const char *name, char *const *dirs, char **ret);

/* A directory below /var/lib, /var/log, /var/spool, /var/cache or /run, not that top itself. */
bool rule_is_state_dir(const char *path);

/* A small directory a script names (run-parts DIR, for f in DIR/ *): its files; those of a DIR.d are
 * shell fragments when a shell script names them. */
int rule_add_dir_files(RuleCtx *x, const char *dir, size_t parent, const char *reason, bool shell);

/* Add a place to a list once, unless a place already there holds it. */
int rule_add_entry(UnitWritable **l, size_t *n, const char *path, const char *reason, bool directory);

/* An absolute path a script or an Exec line names. */
int rule_named_path(RuleCtx *x, const char *path, size_t parent, const char *reason, bool shell);

/* A file of the root read whole: 1, or 0 when it cannot be read (rules skip it), -ENOMEM. */
int rule_read_text(RuleCtx *x, const char *path, size_t max, char **ret, size_t *ret_size);

/* Scripts and modules, until nothing new turns up: files added may be scripts themselves. */
int rule_walk_nodes(RuleCtx *x);

/* What the Exec lines themselves say: "sh -c TEXT", "perl SCRIPT", "python3 SCRIPT", and the directories
 * they name. */
int rule_exec_lines(RuleCtx *x);

/* The packages of the unit's programs, and the packages of the same source they depend on. */
int rule_find_packages(RuleCtx *x);

/* Which of the paths a text names are taken. */
typedef enum TextPaths {
        TEXT_PATHS_ALL,   /* with the package or scripts rule, any; else state directories */
        TEXT_PATHS_OWN,   /* ... only the unit's own places (rule_own_place()) */
        TEXT_PATHS_STATE, /* state directories only (/var, /run), whatever the rules */
} TextPaths;

/* Absolute paths in a text: a configuration file's (state directories always; with the package rule the
 * files and small directories it names too: a helper the configuration runs, a site's document root), or
 * the string literals of a Perl or Python script (quoted only). Comment lines are skipped. */
int rule_text_paths(RuleCtx *x, size_t parent, const char *origin, const char *text, size_t size, bool quoted,
                    TextPaths which);

/* Paths compiled into a program (its strings), where they name its own places: /etc/NAME..., /usr/share/NAME,
 * /var/lib/NAME..., NAME one of the unit's, its program's or its packages' names. The configuration file a
 * daemon opens by default is found this way (/etc/ssh/sshd_config, /etc/tinyproxy/tinyproxy.conf). */
bool rule_own_place(RuleCtx *x, const char *path, const char *prog);

/* The own places a program's strings name (rule_own_place), and whether it calls chroot(2). */
int rule_compiled_paths(RuleCtx *x, size_t node);

/* The package rule: the conffiles and wanted files of the unit's packages, and the paths they name. */
int rule_package_files(RuleCtx *x);

/* User= in the root's own user database. */
int rule_lookup_user(FsRoot *root, const char *user, uid_t *ret_uid, gid_t *ret_gid);

/* Writable places: named state directories that belong to the service's user, or that its packages
 * create (root services), and named runtime directories on the host (clients meet its sockets there). */
int rule_state_dirs(RuleCtx *x);

/* The plugins rule: NSS and PAM modules, gconv, the locale, for what loads them (libc). */
int rule_plugins(RuleCtx *x);
