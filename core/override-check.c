/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "macro.h"
#include "override-check.h"

/* Keys that move, widen or leave the root, each with the reason and the way that keeps the promise. */
static const struct {
        const char *key;
        const char *why;
} refused[] = {
        {"RootDirectory", "it moves the service out of the root sdconfine builds"},
        {"RootImage", "it replaces the root sdconfine builds with an image"},
        {"RootDirectoryStartOnly", "yes runs every Exec line but ExecStart= outside the root"},
        {"RuntimeDirectory", "the root is a runtime directory; resetting it removes the root"},
        {"BindPaths",
         "it binds host paths unchecked: use --writable PATH, which refuses secrets and wide directories"},
        {"BindReadOnlyPaths",
         "it binds host paths unchecked: use --path PATH, which refuses secrets and wide directories"},
        {"TemporaryFileSystem", "a tmpfs over the root's directories hides what the closure bound"},
        {"MountImages", "it mounts host images into the root"},
        {"ExtensionImages", "it overlays host images onto the root's /usr and /opt"},
        {"ExtensionDirectories", "it overlays host directories onto the root's /usr and /opt"},
        {"PrivateMounts", "no shares mounts with the host"},
        {"CapabilityBoundingSet",
         "it can give back what holds a root-in-the-host in: use --capabilities, which is checked"},
        {"AmbientCapabilities", "it can give back what holds a root-in-the-host in: use --capabilities"},
        {"NoNewPrivileges", "no lets set-user-ID programs in the root regain what the bounding set removed"},
        {"SystemCallFilter", "an empty value resets the filter that holds a root-in-the-host in"},
};

static bool is_exec_key(const char *key, size_t n) {
        return n > 4 && strncmp(key, "Exec", 4) == 0;
}

int override_check(const char *assignment, char **ret_error) {
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return -EINVAL;
        size_t n = eq - assignment;
        const char *value = eq + 1;
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                if (strlen(refused[i].key) != n || strncmp(assignment, refused[i].key, n) != 0)
                        continue;
                /* tightening is fine: more filtering, PrivateMounts=yes, NoNewPrivileges=yes */
                if ((streq(refused[i].key, "SystemCallFilter") && *value) ||
                    (streq(refused[i].key, "PrivateMounts") && startswith(value, "y")) ||
                    (streq(refused[i].key, "NoNewPrivileges") && startswith(value, "y")) ||
                    (streq(refused[i].key, "RootDirectoryStartOnly") && !startswith(value, "y")))
                        continue;
                return asprintf(ret_error, "--set %.*s= is refused: %s", (int)n, assignment, refused[i].why) <
                                       0
                               ? -ENOMEM
                               : -EPERM;
        }
        /* "+" runs a command with full privileges, outside the namespace and the root */
        if (is_exec_key(assignment, n) && value[strspn(value, "-@:!")] == '+')
                return asprintf(ret_error,
                                "--set %.*s=+...: the \"+\" prefix runs the command outside the root with "
                                "full "
                                "privileges. Leave it out",
                                (int)n, assignment) < 0
                               ? -ENOMEM
                               : -EPERM;
        return 0;
}
