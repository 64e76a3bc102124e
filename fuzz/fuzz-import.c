/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: JSON settings as import reads them (one service's object). */
#include "config.h"

#include "confine.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = strndup((const char *)data, size), *err = NULL, *again = NULL;
        ConfineSettings s;
        if (text && confine_settings_from_json_string(text, &s, &err) >= 0) {
                if (confine_settings_to_json_string(&s, &again) < 0)
                        abort();
                ConfineSettings back;
                if (confine_settings_from_json_string(again, &back, NULL) < 0)
                        abort();
                confine_settings_done(&back);
                confine_settings_done(&s);
        }
        free(again);
        free(err);
        free(text);
        return 0;
}
