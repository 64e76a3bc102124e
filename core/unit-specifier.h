/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Specifier expansion in unit files, systemd.unit(5), as the system manager does it. */

/* What the manager supplies for specifiers: host name, machine id, boot id... (tests set them). */
typedef struct UnitHost {
        const char *hostname, *machine_id, *boot_id, *kernel_release, *architecture, *os_id;
        const char *user_name, *user_home, *user_shell; /* the manager's user: root for the system */
        unsigned uid, gid;
} UnitHost;

/* Expand every %X of in for the unit named unit ("foo@bar.service"). -EBADSLT for an unknown specifier
 * (systemd ignores such a line), -ENOMEM. */
int unit_specifier_expand(const UnitHost *host, const char *unit, const char *in, char **ret);
