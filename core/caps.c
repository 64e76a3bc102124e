/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>
#include <sys/capability.h>

#include "caps.h"
#include "service.h"
#include "macro.h"

int caps_from_name(const char *name, unsigned *ret) {
        char lower[64];
        size_t n = strlen(name);
        if (n == 0 || n + 4 >= sizeof lower)
                return -EINVAL;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)name[i]);
        cap_value_t v;
        if (cap_from_name(lower, &v) < 0 || v < 0 || v > 63)
                return -EINVAL;
        *ret = (unsigned)v;
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
                v = (unsigned)cap_max_bits() - 1;
        return v;
}

int caps_of_fd(int fd, char **ret) {
        cap_t c = cap_get_fd(fd);
        if (!c) {
                if (errno == ENODATA || errno == ENOTSUP || errno == EOPNOTSUPP) {
                        *ret = NULL;
                        return 0;
                }
                return -errno;
        }
        char *t = cap_to_text(c, NULL);
        cap_free(c);
        if (!t)
                return -ENOMEM;
        /* libcap writes "cap_net_raw=ep" with a leading "= " for an empty set */
        char *copy = strdup(t[0] == '=' && t[1] == ' ' ? t + 2 : t);
        cap_free(t);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int caps_parse_list(const char *list, uint64_t *ret, char **ret_bad) {
        _cleanup_free_ char *copy = strdup(list);
        uint64_t mask = 0;
        if (!copy)
                return -ENOMEM;
        for (char *rest = copy, *w; (w = strsep(&rest, " ,\t"));) {
                unsigned c;
                char prefixed[80];
                if (!*w)
                        continue;
                /* the operator may leave out "CAP_" ("net_raw"); a unit file may not */
                snprintf(prefixed, sizeof prefixed, "cap_%s", w);
                if (caps_from_name(w, &c) < 0 &&
                    (strncasecmp(w, "cap_", 4) == 0 || caps_from_name(prefixed, &c) < 0)) {
                        if (ret_bad)
                                *ret_bad = strdup(w);
                        return -EINVAL;
                }
                mask |= UINT64_C(1) << c;
        }
        *ret = mask;
        return 0;
}

int caps_mask_to_names(uint64_t mask, char **ret) {
        char *out = calloc(1, 1);
        size_t len = 0;
        if (!out)
                return -ENOMEM;
        for (unsigned c = 0; c < 64; c++) {
                if (!(mask & (UINT64_C(1) << c)))
                        continue;
                char *name = cap_to_name((cap_value_t)c);
                if (!name)
                        continue;
                size_t n = strlen(name);
                char *q = realloc(out, len + n + 2);
                if (!q) {
                        cap_free(name);
                        free(out);
                        return -ENOMEM;
                }
                out = q;
                if (len)
                        out[len++] = ' ';
                for (size_t i = 0; i < n; i++)
                        out[len++] = (char)toupper((unsigned char)name[i]);
                out[len] = 0;
                cap_free(name);
        }
        *ret = out;
        return 0;
}

bool caps_self_privileged(const char **ret_missing) {
        if (geteuid() != 0) {
                if (ret_missing)
                        *ret_missing = "root (sdconfine runs as an unprivileged user)";
                return false;
        }
        cap_t c = cap_get_proc();
        cap_flag_value_t v = CAP_CLEAR;
        if (c) {
                (void)cap_get_flag(c, CAP_DAC_OVERRIDE, CAP_EFFECTIVE, &v);
                cap_free(c);
        }
        if (v != CAP_SET) {
                if (ret_missing)
                        *ret_missing = "CAP_DAC_OVERRIDE (root without it cannot write /etc/systemd/system)";
                return false;
        }
        return true;
}
