/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "closure.h"
#include "service.h"

/* Confinement: settings -> the root's mounts -> the drop-in text, and back from its header. Pure: the
 * caller computes closures and reads files; this module decides. */

typedef enum ConfineMode {
        CONFINE_FULL_APIVFS, /* private /proc, /sys, /dev, /tmp in a user namespace */
        CONFINE_CHROOT_ONLY, /* the mount namespace and the chroot, nothing else */
        _CONFINE_MODE_MAX,
} ConfineMode;

typedef enum BinSh {
        BIN_SH_DEFAULT, /* the host's /bin/sh, resolved to its real file */
        BIN_SH_CUSTOM,
        BIN_SH_NONE,
} BinSh;

typedef struct ConfineSettings {
        ConfineMode mode;
        char **packages;
        char **paths;    /* read-only, added by the operator */
        char **writable; /* read-write */
        BinSh bin_sh;
        char *bin_sh_path; /* BIN_SH_CUSTOM */
        bool full_unit;
        char **overrides;    /* KEY=VALUE, written after the mode's flags (win over them) */
        char **presets;      /* names from confine_presets */
        char **capabilities; /* the bounding set to keep ("CAP_NET_BIND_SERVICE"), NULL: the unit's own */
        unsigned mount_budget;
        bool learned; /* add the unit's learned set (what 'sdconfine learn' saw it open) */
} ConfineSettings;

/* What static analysis cannot see, offered by name (after Jailkit's jk_init.ini). */
typedef struct ConfinePreset {
        const char *name;
        const char *description;
        const char *paths[8];
        unsigned rules; /* a computed preset: the unit-closure rules it turns on (UnitRule), no fixed paths */
} ConfinePreset;
extern const ConfinePreset confine_presets[];
const ConfinePreset *confine_preset_find(const char *name);

#define CONFINE_DEFAULT_MOUNT_BUDGET 150

void confine_settings_init(ConfineSettings *s);
void confine_settings_done(ConfineSettings *s);
const char *confine_mode_to_string(ConfineMode m);
int confine_mode_from_string(const char *s, ConfineMode *ret);

/* The settings as one line of JSON (for the drop-in's header) and back. */
int confine_settings_to_json_string(const ConfineSettings *s, char **ret);
int confine_settings_from_json_string(const char *json, ConfineSettings *ret, char **reterr);

typedef struct Bind {
        char *source; /* on the host */
        char *dest;   /* inside the root */
        bool writable;
        bool directory;
        bool ignore_missing;
        const char *why; /* "closure", "argument", "path", "writable", "/bin/sh", "ld.so.cache"... */
} Bind;

typedef struct MountPlan {
        Bind *binds;
        size_t n_binds, allocated;
        char **suggestions; /* directories named in arguments: offered, not added */
        char **warnings;    /* conflicts and what they mean, in words */
        char *pid_file; /* a forking service's PIDFile= below the root's /run: its path there ("nginx.pid"),
                         * read by systemd from the root's /run on the host */
        char **runtime_dirs; /* the unit's own RuntimeDirectory= entries: $RUNTIME_DIRECTORY lists only these
                              */
        char **strings;      /* owned strings that binds' why point to */
        size_t coalesced_dirs; /* directories bound whole instead of their files */
        size_t exposed_files;  /* files visible only because a directory was bound whole */
        bool private_root;     /* DynamicUser= keeps runtime directories in /run/private: the root is there */
        /* The service keeps root in the host's user namespace (PrivateUsers=no, or chroot-only): the drop-in
         * holds it in with a capability bounding set (bounding, unless the operator chose one), a system call
         * filter and ProtectProc=invisible. */
        bool host_root;
        uint64_t bounding;
} MountPlan;

void mount_plan_done(MountPlan *p);

/* Keep a copy of s as long as the plan (a bind's why). NULL on allocation failure. */
const char *mount_plan_intern(MountPlan *p, const char *s);

/* Add a bind (a later one for the same destination replaces an earlier one when explicit is set; otherwise
 * the first stays). */
int mount_plan_add(MountPlan *p, const char *source, const char *dest, bool writable, bool directory,
                   bool explicit_choice, const char *why);

/* Add every file of a closure: each at the path the loader asks for, bound from its real file; programs
 * also at their real path ($ORIGIN and /proc/self/exe point there). */
int mount_plan_add_closure(MountPlan *p, const Closure *c);

/* Sort by destination (parents before children) and apply the mount budget by binding whole directories
 * where most of a directory's files are bound anyway or the budget requires it. n_files_in_dir tells how
 * many entries a directory has (the caller reads the disk). */
typedef int (*DirCountFn)(const char *dir, size_t *ret, void *userdata);
/* The target of the symlink at path, as stored in the link (malloc'd). */
typedef int (*ReadLinkFn)(const char *path, char **ret, void *userdata);
int mount_plan_finish(MountPlan *p, unsigned budget, DirCountFn count, ReadLinkFn read_link, void *userdata);

/* Conflicts between the unit and confinement: -EPERM with a reason when it must be refused (unless
 * forced), warnings added otherwise. */
int confine_check_conflicts(const Service *svc, const ConfineSettings *s, bool force, MountPlan *p,
                            char **reterr);

/* Notes on the closure's files that carry file capabilities or set-id bits, and what the mode does to them.
 */
int confine_note_privileged(const Closure *c, const ConfineSettings *s, MountPlan *p);

/* The capabilities a root process can leave its root with, each with the way out in words. */
typedef struct ConfineEscapeCap {
        unsigned cap;
        const char *name, *way;
} ConfineEscapeCap;
extern const ConfineEscapeCap confine_escape_caps[];
/* What sdconfine keeps for a root daemon by default: switching users, files, signals, network, limits. */
#define CONFINE_ROOT_CAPS                                                                                    \
        ((UINT64_C(1) << 0) | (UINT64_C(1) << 1) | (UINT64_C(1) << 3) | (UINT64_C(1) << 4) |                 \
         (UINT64_C(1) << 5) | (UINT64_C(1) << 6) | (UINT64_C(1) << 7) | (UINT64_C(1) << 8) |                 \
         (UINT64_C(1) << 10) | (UINT64_C(1) << 11) | (UINT64_C(1) << 12) | (UINT64_C(1) << 13) |             \
         (UINT64_C(1) << 14) | (UINT64_C(1) << 15) | (UINT64_C(1) << 23) | (UINT64_C(1) << 24) |             \
         (UINT64_C(1) << 28) | (UINT64_C(1) << 29) | (UINT64_C(1) << 34))

/* Harden the plan for a service that keeps root in the host's user namespace, and say in words which user it
 * runs as, where, and whether the confinement holds against it. ambient: the unit's AmbientCapabilities=;
 * file_caps: capabilities files of the closure carry; chroot_by: a program that calls chroot(2) (it keeps
 * CAP_SYS_CHROOT), or NULL. */
int confine_harden(const Service *svc, const ConfineSettings *s, uint64_t file_caps, const char *chroot_by,
                   MountPlan *p);

/* For a root daemon that switches to a user its configuration names: suggest starting it as that user, with
 * the capabilities it needs, so that the user namespace can stay. A note, not a setting: it changes how the
 * daemon starts, so --suggested does not take it. */
int confine_suggest_user(const Service *svc, const char *user, const char *where, uint64_t bounding,
                         MountPlan *p);

/* The drop-in text: header (tool, version, settings), the root, the mode's flags written both ways, the
 * overrides, the binds. -EINVAL with a reason for a path systemd cannot be told (newline, control chars). */
int confine_render_dropin(const ConfineSettings *s, const MountPlan *p, const char *version, char **ret,
                          char **reterr);

/* Whether a drop-in's text is ours (first line), and its settings. */
#define CONFINE_HEADER_MAGIC "# Generated by sdconfine"
bool confine_dropin_is_ours(const char *text);
int confine_dropin_parse(const char *text, ConfineSettings *ret, char **reterr);

/* Escape a path for a Bind*Paths= value: "%" -> "%%", "\\", ":", spaces and quotes backslash-escaped.
 * -EINVAL for newlines and other control characters, which no unit file can carry here. */
int confine_escape_path(const char *path, char **ret);
