/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* An Ansible role and a playbook that carry a confinement profile (the JSON of 'sdconfine export --json') to
 * a fleet: DIR/site.yml and DIR/roles/sdconfine/{tasks,defaults,handlers,files}. On each host the role
 * installs sdconfine, asks 'sdconfine import --check --json' what the profile would change there, and
 * imports it with 'sdconfine import --try' (in a handler), so the mounts are computed from that host's own
 * packages and a unit that does not hold is rolled back on that host. Standard modules only
 * (ansible.builtin.*). Pure: the files are written through atomic_write_at, nothing is printed. */

typedef struct AnsibleRoleOptions {
        const char *profile;   /* the profile: the JSON text export --json writes */
        char *const *units;    /* the units it carries (named in the playbook's comment) */
        const char *generator; /* "sdconfine 0.1.0" */
        unsigned try_seconds;  /* how long a restarted unit must hold (the role's default) */
} AnsibleRoleOptions;

/* Write the role below dir (relative to dir_fd; made when missing). The role's own files are replaced;
 * anything else there (the operator's sdconfine_*.deb in files/, an inventory) is left alone. On failure
 * *ret_path (may be NULL) names the file or directory that could not be written. */
int ansible_role_write(int dir_fd, const char *dir, const AnsibleRoleOptions *o, char **ret_path);
