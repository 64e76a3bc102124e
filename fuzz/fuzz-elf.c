/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the ELF parser on arbitrary bytes. */
#include "config.h"

#include "elf-parse.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Arena *a = arena_new();
        ElfInfo *info;
        ElfError kind;
        uint64_t off;
        if (a && elf_parse_buffer(data, size, a, &info, &kind, &off) >= 0) {
                /* touch everything the closure would use */
                size_t n = info->interp ? strlen(info->interp) : 0;
                for (size_t i = 0; i < info->n_needed; i++)
                        n += strlen(info->needed[i]);
                n += info->rpath ? strlen(info->rpath) : 0;
                n += info->runpath ? strlen(info->runpath) : 0;
                n += info->soname ? strlen(info->soname) : 0;
                (void)n;
        }
        arena_free(a);
        return 0;
}
