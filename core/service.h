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

/* Where a setting came from: the file and line of its last assignment. */
typedef struct SettingSource {
        char *key;
        char *file;
        unsigned line;
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

        SettingSource *sources;
        size_t n_sources, allocated_sources;
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
