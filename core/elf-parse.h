/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"

/* The facts the dynamic loader acts on, read from an ELF file without running it. All strings live in the
 * Arena given to the parser. */
typedef struct ElfInfo {
        uint8_t elf_class; /* ELFCLASS32 or ELFCLASS64 */
        uint8_t data;      /* ELFDATA2LSB or ELFDATA2MSB */
        uint8_t osabi;
        uint8_t abiversion;
        uint16_t type; /* ET_EXEC, ET_DYN, ... */
        uint16_t machine;
        bool has_dynamic; /* a PT_DYNAMIC segment: the loader will process it */
        const char *interp;
        const char **needed; /* in DT_NEEDED order */
        size_t n_needed;
        const char *rpath;   /* DT_RPATH, NULL when absent or overridden by DT_RUNPATH */
        const char *runpath; /* DT_RUNPATH */
        const char *soname;
        uint64_t flags_1; /* DT_FLAGS_1 */
        /* elf_name_hash() of each needed name and of the soname: the loader compares names often */
        const uint32_t *needed_hash;
        uint32_t soname_hash;
} ElfInfo;

/* What went wrong in a file that is not a usable ELF object. */
typedef enum ElfError {
        ELF_ERROR_NONE,
        ELF_ERROR_NOT_ELF,   /* no ELF magic (a script, a linker script, data) */
        ELF_ERROR_TRUNCATED, /* a structure lies outside the file */
        ELF_ERROR_BAD_HEADER,
        ELF_ERROR_BAD_PHDR,
        ELF_ERROR_BAD_DYNAMIC,
        ELF_ERROR_BAD_STRING,
        _ELF_ERROR_MAX,
} ElfError;

const char *elf_error_to_string(ElfError e);

/* Parse an ELF image held in memory. Returns 0, or -EINVAL/-ENOEXEC (not ELF) with *reterr_kind and
 * *reterr_offset (the byte offset of the offending structure) set when given. */
int elf_parse_buffer(const void *buf, size_t size, Arena *arena, ElfInfo **ret, ElfError *reterr_kind,
                     uint64_t *reterr_offset);

/* The same on an open file, reading only the parts it needs with pread(). size is the file's size when
 * the caller knows it already (from stat), or UINT64_MAX to have it looked up. */
int elf_parse_fd(int fd, uint64_t size, Arena *arena, ElfInfo **ret, ElfError *reterr_kind,
                 uint64_t *reterr_offset);

static inline uint32_t elf_name_hash(const char *name) {
        return (uint32_t)hash_bytes(name, __builtin_strlen(name));
}

/* Whether a library object suits a program of this class and machine (the loader skips others). */
bool elf_matches(const ElfInfo *lib, const ElfInfo *program);
