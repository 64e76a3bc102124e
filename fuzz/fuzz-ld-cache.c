/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the ld.so.cache reader and its lookups. */
#include "config.h"

#include "ld-cache.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        LdCache *c = NULL;
        static const char *const v2[] = {"x86-64-v3", "x86-64-v2", NULL};
        if (ld_cache_parse(data, size, &c) >= 0) {
                for (size_t i = 0; i < ld_cache_size(c) && i < 64; i++)
                        (void)ld_cache_lookup(c, ld_cache_entry(c, i)->name, 0x0303, v2, UINT64_C(1) << 63);
                (void)ld_cache_lookup(c, "libc.so.6", 0x0303, NULL, 0);
        }
        ld_cache_free(c);
        return 0;
}
