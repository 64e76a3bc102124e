/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "unit-loader.h"
#include "unit-override.h"

int service_apply_exec_overrides(Service *s, const UnitIndex *idx, char *const *overrides) {
        Loader l = {.idx = idx, .s = s, .name = s->id, .file = "--set", .line = 0};
        for (char *const *o = overrides; o && *o; o++) {
                size_t n = strcspn(*o, "=");
                if (strncmp(*o, "Exec", 4) != 0 || !(*o)[n])
                        continue;
                _cleanup_free_ char *key = strndup(*o, n);
                const char *value = *o + n + 1;
                if (!key)
                        return -ENOMEM;
                if (!idx && strchr(value, '%'))
                        return -EINVAL;
                int r = unit_fields_assign(&l, "Service", key, value);
                if (r < 0)
                        return r;
        }
        return 0;
}
