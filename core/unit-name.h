/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Unit names as systemd's unit-name.c validates them: shorter than 256 bytes, [A-Za-z0-9:-_.\] plus '@'
 * (the first '@' starts the instance; the prefix before it is not empty), a known type suffix. */

#define UNIT_NAME_MAX 256

typedef enum UnitNameFlags {
        UNIT_NAME_PLAIN = 1 << 0,    /* foo.service */
        UNIT_NAME_TEMPLATE = 1 << 1, /* foo@.service */
        UNIT_NAME_INSTANCE = 1 << 2, /* foo@bar.service */
        UNIT_NAME_ANY = UNIT_NAME_PLAIN | UNIT_NAME_TEMPLATE | UNIT_NAME_INSTANCE,
} UnitNameFlags;

bool unit_name_is_valid(const char *name, UnitNameFlags flags);

/* Why a name is not valid, in words for the operator, or NULL when it is. */
const char *unit_name_problem(const char *name);

/* The suffix without the dot ("service"), or NULL. */
const char *unit_name_suffix(const char *name);

/* "foo@bar.service" -> "foo@.service"; -EINVAL for a name that is not an instance. */
int unit_name_template(const char *name, char **ret);
/* the prefix ("foo"), the instance ("bar", "" for a template), the name without suffix ("foo@bar") */
int unit_name_prefix(const char *name, char **ret);
int unit_name_instance(const char *name, char **ret);
int unit_name_without_suffix(const char *name, char **ret);

/* systemd-escape's reverse for %I, %P, %J: "\xNN" to the byte, "-" to "/". */
int unit_name_unescape(const char *s, char **ret);
/* systemd-escape --path: "/a b/c" -> "a\x20b-c". */
int unit_name_path_escape(const char *path, char **ret);

/* A unit name as systemctl takes it (unit_name_mangle()): a name without a known type suffix is a
 * service ("nginx" -> "nginx.service", "foo.bar" -> "foo.bar.service"); a name with one is taken as it
 * is. -EINVAL when the result is not a valid unit name, *ret_problem (may be NULL) then says why in the
 * operator's words (unit_name_problem()). No escaping: "a/b" is refused, not turned into "a-b". */
int unit_name_mangle(const char *name, char **ret, const char **ret_problem);
