/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <sys/capability.h>

#include "caps.h"
#include "macro.h"

int caps_from_name(const char *name, unsigned *ret) {
        char lower[64];
        size_t n = strlen(name);
        if (n == 0 || n >= sizeof lower)
                return -EINVAL;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char) tolower((unsigned char) name[i]);
        cap_value_t v;
        if (cap_from_name(lower, &v) < 0 || v < 0 || v > 63)
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

unsigned caps_last_cap(void) {
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        unsigned v = 0;
        if (f) {
                if (fscanf(f, "%u", &v) != 1)
                        v = 0;
                fclose(f);
        }
        if (v == 0 || v > 63)
                v = (unsigned) cap_max_bits() - 1;
        return v;
}
