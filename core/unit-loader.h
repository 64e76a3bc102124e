/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "service.h"
#include "unit-index.h"

/* Internal to the unit file loader (unit-file.c and unit-fields.c): the state of loading one unit. */
typedef struct Loader {
        const UnitIndex *idx;
        Service *s;
        const char *name; /* the unit's id: what %n means */
        const char *file;
        unsigned line;
        /* settings that only change others (systemd's unit_patch_contexts(), service_verify()) */
        bool remain_after_exit, success_action, bus_name, type_set;
        bool private_devices, protect_kernel_modules, protect_kernel_logs, protect_clock;
} Loader;

/* One assignment, from the table of keys in unit-fields.c. Returns 1 when the key is one we keep (and
 * records where it was set), 0 when it is not ours, <0 when the value is bad (the line is ignored). */
int unit_fields_assign(Loader *l, const char *section, const char *key, const char *value);

/* Specifiers of the unit being loaded. */
int unit_loader_expand(const Loader *l, const char *in, char **ret);
