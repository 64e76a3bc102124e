/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"

/* The effective definition of a service, as the manager sees it: read live over sd-bus (manager.c) or
 * offline from unit files (unit-file.c). Both fill the same struct so they can be compared. */

typedef enum ExecType {
        EXEC_START_PRE,
        EXEC_START,
        EXEC_START_POST,
        EXEC_RELOAD,
        EXEC_STOP,
        EXEC_STOP_POST,
        _EXEC_TYPE_MAX,
} ExecType;

/* systemd's ExecCommandFlags, by the prefix that sets them */
typedef enum ExecFlags {
        EXEC_IGNORE_FAILURE = 1 << 0,  /* "-" */
        EXEC_FULL_PRIVILEGES = 1 << 1, /* "+" */
        EXEC_NO_SETUID = 1 << 2,       /* "!" */
        EXEC_AMBIENT_MAGIC = 1 << 3,   /* "!!" */
        EXEC_NO_ENV_EXPAND = 1 << 4,   /* ":" */
} ExecFlags;

typedef struct ExecCommand {
        char *path;
        char **argv; /* argv[0] included, as systemd stores it */
        unsigned flags;
} ExecCommand;

typedef struct ExecList {
        ExecCommand *items;
        size_t n, allocated;
} ExecList;

typedef struct EnvFile {
        char *path;
        bool ignore_missing; /* "-" prefix */
} EnvFile;

/* Where a setting came from: the file and line of its last assignment; for an item of a list setting
 * (ExecStart=, Environment=, EnvironmentFile=, ReadWritePaths=, *Directory=), of the line that set it. */
typedef struct SettingSource {
        char *key;
        char *file;
        unsigned line;
        size_t index; /* the item's index in its list; SIZE_MAX for the setting as a whole */
} SettingSource;

typedef struct Service {
        char *id;     /* the unit's primary name */
        char **names; /* id and aliases */
        char *load_state, *active_state, *sub_state;
        char *description;
        char *fragment_path;
        char **dropin_paths;

        ExecList exec[_EXEC_TYPE_MAX];
        char **environment;
        EnvFile *environment_files;
        size_t n_environment_files;
        char **file_environment;   /* what those files set, once read (service_load_environment_files) */
        char *environment_problem; /* a file systemd cannot read: the start fails (in words) */
        char *user, *group;
        bool dynamic_user;
        char *runtime_directory_preserve; /* "no", "yes", "restart" */
        char *type;
        char *pid_file;
        char *root_directory, *root_image;
        bool root_directory_start_only;
        char *protect_system; /* "no", "yes", "full", "strict" */
        bool private_tmp, private_users;
        char **read_write_paths;
        char **state_directory, **cache_directory, **logs_directory, **runtime_directory,
                **configuration_directory;
        char *working_directory;
        uint64_t capability_bounding_set, ambient_capabilities;

        SettingSource *sources; /* one per key: its last assignment */
        size_t n_sources, allocated_sources;
        SettingSource *item_sources; /* one per item of a list setting (offline only) */
        size_t n_item_sources, allocated_item_sources;
} Service;

Service *service_new(const char *id);
Service *service_free(Service *s);
const char *exec_type_to_string(ExecType t);  /* "ExecStart" */
const char *exec_flag_to_string(ExecFlags f); /* "ignore-failure", as ExecStartEx spells them */
/* The value of KEY the service runs with: from its EnvironmentFile= files when read and set there (they
 * override), else the last in Environment=; NULL when unset. */
const char *service_getenv(const Service *s, const char *key);
int service_set_source(Service *s, const char *key, const char *file, unsigned line);
const SettingSource *service_source(const Service *s, const char *key);
/* The source of item index of the list setting key (replacing an earlier one for that item); an empty
 * assignment resets the list and its items' sources. */
int service_set_item_source(Service *s, const char *key, size_t index, const char *file, unsigned line);
void service_reset_item_sources(Service *s, const char *key);
/* Where item index of key was set: its own source, else the key's last assignment, else NULL (live). */
const SettingSource *service_item_source(const Service *s, const char *key, size_t index);

/* The command line argv as a unit file would spell it: a word with blanks, quotes, a backslash, a control
 * character, a lone ";" or nothing is double-quoted with C escapes (nginx's -g 'daemon on;' stays one
 * word). */
int exec_argv_to_string(char *const *argv, char **ret);

/* The closure roots: the program of every Exec* line, each once, in order. */
int service_closure_roots(const Service *s, char ***ret);

/* sdconfine's drop-ins (50-confinement.conf) among the service's drop-ins, under its own name or any of
 * its aliases (systemd reads NAME.d/ of every name): what revert removes and list/show report. */
typedef struct ConfinementDropIn {
        char *path;   /* "/etc/systemd/system/redis.service.d/50-confinement.conf" */
        char *unit;   /* the name whose .d/ holds it: "redis.service", maybe an alias */
        bool runtime; /* below /run/systemd/system (written with --runtime) */
} ConfinementDropIn;
int service_confinement_dropins(const Service *s, ConfinementDropIn **ret, size_t *ret_n);
void confinement_dropins_free(ConfinementDropIn *d, size_t n);
