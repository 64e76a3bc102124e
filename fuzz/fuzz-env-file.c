/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: environment files as systemd 252 reads them. Every result is NAME=VALUE with a valid
 * name; written back as NAME="VALUE" (with \ " ` $ escaped) it must read back the same. */
#include "config.h"

#include <stdio.h>

#include "env-file.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = strndup((const char *)data, size);
        char **env = NULL, **again = NULL;
        if (!text || env_file_parse(text, &env) < 0) {
                free(text);
                return 0;
        }
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                abort();
        for (char **e = env; e && *e; e++) {
                const char *eq = strchr(*e, '=');
                if (!eq || eq == *e || (**e >= '0' && **e <= '9'))
                        abort();
                for (const char *k = *e; k < eq; k++)
                        if (!(*k == '_' || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                              (*k >= '0' && *k <= '9')))
                                abort();
                fprintf(f, "%.*s=\"", (int)(eq - *e), *e);
                for (const char *v = eq + 1; *v; v++)
                        fprintf(f, "%s%c", strchr("\\\"`$", *v) ? "\\" : "", *v);
                fputs("\"\n", f);
        }
        if (fclose(f) != 0 || env_file_parse(out, &again) < 0 || !strv_equal(env, again))
                abort();
        strv_free(env);
        strv_free(again);
        free(out);
        free(text);
        return 0;
}
