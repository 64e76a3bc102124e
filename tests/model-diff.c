/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper for tests/systemd-live.sh: for each unit name on stdin, the service model read from the
 * running manager (sd-bus) and from the unit files must be equal, property by property. Prints
 * "SAME unit" or "DIFF unit" followed by the differing lines.
 * "env UNIT": what UNIT's EnvironmentFile= files set, as sdconfine reads them, NUL-separated. */
#include "config.h"

#include "macro.h"
#include "manager.h"
#include "env-file.h"
#include "service-json.h"
#include "unit-file.h"

int main(int argc, char **argv) {
        Manager *m;
        FsRoot *root;
        UnitIndex *idx;
        char line[4096];
        int r = manager_connect(false, &m);
        if (r < 0) {
                fprintf(stderr, "model-diff: no manager: %s\n", strerror(-r));
                return 1;
        }
        /* "reload" and "restart UNIT": the manager calls the apply command will make */
        if (argc == 3 && streq(argv[1], "env")) {
                Service *s = NULL;
                r = manager_load_service(m, argv[2], &s);
                if (r >= 0)
                        r = service_load_environment_files(s, NULL);
                if (r < 0) {
                        fprintf(stderr, "model-diff: %s: %s\n", argv[2], strerror(-r));
                        return 1;
                }
                for (char **e = s->file_environment; e && *e; e++)
                        fwrite(*e, strlen(*e) + 1, 1, stdout);
                if (s->environment_problem)
                        fprintf(stderr, "%s\n", s->environment_problem);
                service_free(s);
                manager_free(m);
                return 0;
        }
        if (argc >= 2) {
                r = streq(argv[1], "reload")                 ? manager_reload(m)
                    : argc == 3 && streq(argv[1], "restart") ? manager_restart(m, argv[2])
                                                             : -EINVAL;
                if (r < 0)
                        fprintf(stderr, "model-diff: %s: %s\n", argv[1], manager_last_error(m));
                manager_free(m);
                return r < 0;
        }
        if (fs_root_new("/", &root) < 0 || unit_index_new(root, UNIT_SCOPE_SYSTEM, NULL, NULL, &idx) < 0)
                return 1;
        while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\n")] = 0;
                if (!*line)
                        continue;
                Service *live = NULL, *off = NULL;
                char **a = NULL, **b = NULL;
                if (manager_load_service(m, line, &live) < 0) {
                        printf("DIFF %s\n  live: cannot load: %s\n", line, manager_last_error(m));
                        continue;
                }
                if (unit_index_load(idx, line, &off) < 0) {
                        printf("DIFF %s\n  offline: cannot load\n", line);
                        service_free(live);
                        continue;
                }
                if (service_to_lines(live, &a) < 0 || service_to_lines(off, &b) < 0)
                        return 1;
                bool same = strv_equal(a, b);
                printf("%s %s\n", same ? "SAME" : "DIFF", line);
                if (!same)
                        for (size_t i = 0; i < strv_length(a) || i < strv_length(b); i++) {
                                const char *x = i < strv_length(a) ? a[i] : "",
                                           *y = i < strv_length(b) ? b[i] : "";
                                if (!streq(x, y))
                                        printf("  live:    %s\n  offline: %s\n", x, y);
                        }
                strv_free(a);
                strv_free(b);
                service_free(live);
                service_free(off);
        }
        unit_index_free(idx);
        fs_root_free(root);
        manager_free(m);
        return 0;
}
