/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: reading settings back from a drop-in's header, and rendering them again. */
#include "config.h"

#include "confine.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = strndup((const char *)data, size), *err = NULL, *out = NULL;
        ConfineSettings s;
        if (text && confine_dropin_parse(text, &s, &err) >= 0) {
                MountPlan p = {};
                for (char **x = s.paths; x && *x; x++)
                        (void)mount_plan_add(&p, *x, *x, false, false, true, "path");
                if (confine_render_dropin(&s, &p, "fuzz", &out, NULL) >= 0) {
                        /* the round trip must hold: what we write reads back */
                        ConfineSettings back;
                        if (confine_dropin_parse(out, &back, NULL) < 0)
                                abort();
                        confine_settings_done(&back);
                }
                mount_plan_done(&p);
                confine_settings_done(&s);
        }
        free(out);
        free(err);
        free(text);
        return 0;
}
