/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <sys/stat.h>

#include "elf-parse.h"
#include "macro.h"

/* No single structure we read may be larger than this: the string table of a huge library is a few MiB. */
#define READ_MAX (64u * 1024 * 1024)
#define HEAD_SIZE 16384

/* The file is read through this: either a buffer in memory or a descriptor with its first bytes cached,
 * so that a typical object costs one or two pread() calls. Every read is bounds-checked. */
typedef struct Source {
        const uint8_t *buf;
        int fd;
        uint64_t size;
        uint8_t head[HEAD_SIZE];
        size_t head_len;
        bool msb, is64;
        ElfError err;
        uint64_t err_offset;
} Source;

static int fail(Source *s, ElfError e, uint64_t offset) {
        s->err = e;
        s->err_offset = offset;
        return -EINVAL;
}

/* Returns a pointer to len bytes at off, valid until the next read into scratch. */
static int src_read(Source *s, uint64_t off, uint64_t len, uint8_t **scratch, const uint8_t **ret) {
        if (len > READ_MAX || off > s->size || len > s->size - off)
                return fail(s, ELF_ERROR_TRUNCATED, off);
        if (s->buf) {
                *ret = s->buf + off;
                return 0;
        }
        if (off + len <= s->head_len) {
                *ret = s->head + off;
                return 0;
        }
        uint8_t *p = realloc(*scratch, len ? len : 1);
        if (!p)
                return -ENOMEM;
        *scratch = p;
        size_t done = 0;
        while (done < len) {
                ssize_t n = pread(s->fd, p + done, len - done, off + done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0) /* the file shrank under us */
                        return fail(s, ELF_ERROR_TRUNCATED, off + done);
                done += n;
        }
        *ret = p;
        return 0;
}

static uint16_t rd16(const Source *s, const uint8_t *p) {
        return s->msb ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}
static uint32_t rd32(const Source *s, const uint8_t *p) {
        return s->msb ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                      : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static uint64_t rd64(const Source *s, const uint8_t *p) {
        return s->msb ? (uint64_t)rd32(s, p) << 32 | rd32(s, p + 4)
                      : (uint64_t)rd32(s, p + 4) << 32 | rd32(s, p);
}
/* A word: 32 bits in ELF32, 64 in ELF64 (addresses, offsets, dynamic values). */
static uint64_t rdw(const Source *s, const uint8_t *p) {
        return s->is64 ? rd64(s, p) : rd32(s, p);
}

typedef struct Segment {
        uint64_t vaddr, offset, filesz;
} Segment;

static int vaddr_to_offset(const Segment *loads, size_t n, uint64_t vaddr, uint64_t *ret) {
        for (size_t i = 0; i < n; i++)
                if (vaddr >= loads[i].vaddr && vaddr - loads[i].vaddr < loads[i].filesz) {
                        *ret = loads[i].offset + (vaddr - loads[i].vaddr);
                        return 0;
                }
        return -ENOENT;
}

/* The string at idx of the string table, read on its own: the table of a large library is hundreds of KiB
 * and we need a few names of it. A window from the cached head, or one pread(), doubled until it holds the
 * NUL. */
static int copy_string(Source *s, Arena *arena, uint8_t **scratch, uint64_t strtab_off, uint64_t strsz,
                       uint64_t idx, const char **ret) {
        if (idx >= strsz)
                return fail(s, ELF_ERROR_BAD_STRING, strtab_off + idx);
        uint64_t avail = strsz - idx;
        for (uint64_t want = 256;; want *= 2) {
                uint64_t len = want < avail ? want : avail;
                const uint8_t *p;
                int r = src_read(s, strtab_off + idx, len, scratch, &p);
                if (r < 0)
                        return r;
                const uint8_t *nul = memchr(p, 0, len);
                if (nul) {
                        char *c = arena_strndup(arena, (const char *)p, nul - p);
                        if (!c)
                                return -ENOMEM;
                        *ret = c;
                        return 0;
                }
                if (len == avail)
                        return fail(s, ELF_ERROR_BAD_STRING, strtab_off + idx);
        }
}

static int parse(Source *s, Arena *arena, ElfInfo **ret) {
        _cleanup_free_ uint8_t *scratch = NULL;
        _cleanup_free_ Segment *loads = NULL;
        _cleanup_free_ uint64_t *needed = NULL;
        const uint8_t *p;
        int r;

        if (s->size < EI_NIDENT ||
            (s->buf ? memcmp(s->buf, ELFMAG, SELFMAG) : memcmp(s->head, ELFMAG, SELFMAG)) != 0) {
                s->err = ELF_ERROR_NOT_ELF;
                s->err_offset = 0;
                return -ENOEXEC;
        }
        r = src_read(s, 0, EI_NIDENT, &scratch, &p);
        if (r < 0)
                return r;
        uint8_t cls = p[EI_CLASS], data = p[EI_DATA];
        if ((cls != ELFCLASS32 && cls != ELFCLASS64) || (data != ELFDATA2LSB && data != ELFDATA2MSB) ||
            p[EI_VERSION] != EV_CURRENT)
                return fail(s, ELF_ERROR_BAD_HEADER, EI_CLASS);
        s->is64 = cls == ELFCLASS64;
        s->msb = data == ELFDATA2MSB;

        ElfInfo *info = arena_alloc(arena, sizeof(ElfInfo));
        if (!info)
                return -ENOMEM;
        *info = (ElfInfo){
                .elf_class = cls,
                .data = data,
                .osabi = p[EI_OSABI],
                .abiversion = p[EI_ABIVERSION],
        };

        size_t ehsize = s->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
        size_t phsize = s->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        r = src_read(s, 0, ehsize, &scratch, &p);
        if (r < 0)
                return r;
        /* Field offsets differ between the classes from e_entry on. */
        info->type = rd16(s, p + 16);
        info->machine = rd16(s, p + 18);
        uint64_t phoff = rdw(s, p + (s->is64 ? 32 : 28));
        size_t tail = s->is64 ? 52 : 40; /* e_ehsize */
        uint16_t phentsize = rd16(s, p + tail + 2);
        uint64_t phnum = rd16(s, p + tail + 4);
        uint64_t shoff = rdw(s, p + (s->is64 ? 40 : 32));
        uint16_t shentsize = rd16(s, p + tail + 6);

        if (phnum == 0) { /* nothing for the loader to act on: a relocatable object or similar */
                *ret = info;
                return 0;
        }
        if (phentsize < phsize)
                return fail(s, ELF_ERROR_BAD_HEADER, tail + 2);
        if (phnum == PN_XNUM) {
                /* the real count lives in sh_info of section header 0 */
                size_t shsize = s->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
                if (shentsize < shsize)
                        return fail(s, ELF_ERROR_BAD_HEADER, tail + 6);
                r = src_read(s, shoff, shsize, &scratch, &p);
                if (r < 0)
                        return r;
                phnum = rd32(s, p + (s->is64 ? 44 : 28));
        }
        if (phnum > s->size / phentsize)
                return fail(s, ELF_ERROR_BAD_PHDR, phoff);

        r = src_read(s, phoff, phnum * phentsize, &scratch, &p);
        if (r < 0)
                return r;
        /* copy what we need out of the header table, since scratch is reused below */
        uint64_t dyn_off = 0, dyn_size = 0, interp_off = 0, interp_size = 0;
        bool has_interp = false;
        size_t n_loads = 0;
        loads = calloc(phnum, sizeof(Segment));
        if (!loads)
                return -ENOMEM;
        for (uint64_t i = 0; i < phnum; i++) {
                const uint8_t *ph = p + i * phentsize;
                uint32_t type = rd32(s, ph);
                uint64_t offset, vaddr, filesz;
                if (s->is64) {
                        offset = rd64(s, ph + 8);
                        vaddr = rd64(s, ph + 16);
                        filesz = rd64(s, ph + 32);
                } else {
                        offset = rd32(s, ph + 4);
                        vaddr = rd32(s, ph + 8);
                        filesz = rd32(s, ph + 16);
                }
                if (type == PT_LOAD)
                        loads[n_loads++] = (Segment){vaddr, offset, filesz};
                else if (type == PT_DYNAMIC && !info->has_dynamic) {
                        info->has_dynamic = true;
                        dyn_off = offset;
                        dyn_size = filesz;
                } else if (type == PT_INTERP && !has_interp) {
                        has_interp = true;
                        interp_off = offset;
                        interp_size = filesz;
                }
        }

        if (has_interp) {
                r = src_read(s, interp_off, interp_size, &scratch, &p);
                if (r < 0)
                        return r;
                const uint8_t *nul = interp_size ? memchr(p, 0, interp_size) : NULL;
                if (!nul || nul == p)
                        return fail(s, ELF_ERROR_BAD_STRING, interp_off);
                info->interp = arena_strndup(arena, (const char *)p, nul - p);
                if (!info->interp)
                        return -ENOMEM;
        }

        if (!info->has_dynamic) { /* static: no libraries */
                *ret = info;
                return 0;
        }

        size_t dynent = s->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
        size_t n_dyn = dyn_size / dynent;
        r = src_read(s, dyn_off, (uint64_t)n_dyn * dynent, &scratch, &p);
        if (r < 0)
                return r;
        /* Collect the tags first: DT_STRTAB may come after the entries that index into it. */
        uint64_t strtab_vaddr = 0, strsz = 0, rpath = 0, runpath = 0, soname = 0;
        bool have_strtab = false, have_strsz = false, have_rpath = false, have_runpath = false,
             have_soname = false;
        size_t n_needed = 0;
        needed = calloc(n_dyn ? n_dyn : 1, sizeof(uint64_t));
        if (!needed)
                return -ENOMEM;
        for (size_t i = 0; i < n_dyn; i++) {
                const uint8_t *d = p + i * dynent;
                uint64_t tag = rdw(s, d), val = rdw(s, d + dynent / 2);
                if (tag == DT_NULL)
                        break;
                switch (tag) {
                case DT_NEEDED:
                        needed[n_needed++] = val;
                        break;
                case DT_STRTAB:
                        strtab_vaddr = val;
                        have_strtab = true;
                        break;
                case DT_STRSZ:
                        strsz = val;
                        have_strsz = true;
                        break;
                /* the loader keeps the last of a repeated tag */
                case DT_RPATH:
                        rpath = val;
                        have_rpath = true;
                        break;
                case DT_RUNPATH:
                        runpath = val;
                        have_runpath = true;
                        break;
                case DT_SONAME:
                        soname = val;
                        have_soname = true;
                        break;
                case DT_FLAGS_1:
                        info->flags_1 = val;
                        break;
                }
        }

        if (n_needed || have_rpath || have_runpath || have_soname) {
                uint64_t strtab_off;
                if (!have_strtab || !have_strsz ||
                    vaddr_to_offset(loads, n_loads, strtab_vaddr, &strtab_off) < 0)
                        return fail(s, ELF_ERROR_BAD_DYNAMIC, dyn_off);
                /* a string table running past the end of the file is cut to what is there */
                if (strtab_off < s->size && strsz > s->size - strtab_off)
                        strsz = s->size - strtab_off;
                if (strsz > READ_MAX || strtab_off > s->size)
                        return fail(s, ELF_ERROR_TRUNCATED, strtab_off);
                info->needed = arena_alloc(arena, (n_needed ? n_needed : 1) * sizeof(char *));
                if (!info->needed)
                        return -ENOMEM;
                for (size_t i = 0; i < n_needed; i++)
                        if ((r = copy_string(s, arena, &scratch, strtab_off, strsz, needed[i],
                                             &info->needed[i])) < 0)
                                return r;
                info->n_needed = n_needed;
                if (have_runpath &&
                    (r = copy_string(s, arena, &scratch, strtab_off, strsz, runpath, &info->runpath)) < 0)
                        return r;
                /* "If both RUNPATH and RPATH are given, the latter is ignored" (glibc get-dynamic-info.h) */
                if (have_rpath && !have_runpath &&
                    (r = copy_string(s, arena, &scratch, strtab_off, strsz, rpath, &info->rpath)) < 0)
                        return r;
                if (have_soname &&
                    (r = copy_string(s, arena, &scratch, strtab_off, strsz, soname, &info->soname)) < 0)
                        return r;
        }

        *ret = info;
        return 0;
}

int elf_parse_buffer(const void *buf, size_t size, Arena *arena, ElfInfo **ret, ElfError *reterr_kind,
                     uint64_t *reterr_offset) {
        Source s;
        s.buf = buf;
        s.fd = -1;
        s.size = size;
        s.head_len = 0;
        s.msb = s.is64 = false;
        s.err = ELF_ERROR_NONE;
        s.err_offset = 0;
        int r = parse(&s, arena, ret);
        if (r < 0 && r != -ENOMEM) {
                if (reterr_kind)
                        *reterr_kind = s.err;
                if (reterr_offset)
                        *reterr_offset = s.err_offset;
        }
        return r;
}

int elf_parse_fd(int fd, uint64_t size, Arena *arena, ElfInfo **ret, ElfError *reterr_kind,
                 uint64_t *reterr_offset) {
        Source s; /* not zeroed as a whole: its head buffer is 16 KiB, filled below */
        struct stat st;

        s.buf = NULL;
        s.fd = fd;
        s.head_len = 0;
        s.msb = s.is64 = false;
        s.err = ELF_ERROR_NONE;
        s.err_offset = 0;

        if (size == UINT64_MAX) {
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode))
                        return -EBADFD;
                size = st.st_size;
        }
        s.size = size;
        size_t want = s.size < HEAD_SIZE ? s.size : HEAD_SIZE;
        while (s.head_len < want) {
                ssize_t n = pread(fd, s.head + s.head_len, want - s.head_len, s.head_len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                s.head_len += n;
        }
        s.size = s.head_len < want ? s.head_len : s.size;
        int r = parse(&s, arena, ret);
        if (r < 0 && r != -ENOMEM && r != -EIO) {
                if (reterr_kind)
                        *reterr_kind = s.err;
                if (reterr_offset)
                        *reterr_offset = s.err_offset;
        }
        return r;
}

bool elf_matches(const ElfInfo *lib, const ElfInfo *program) {
        return lib->elf_class == program->elf_class && lib->machine == program->machine;
}

const char *elf_error_to_string(ElfError e) {
        static const char *const table[_ELF_ERROR_MAX] = {
                [ELF_ERROR_NONE] = "no error",
                [ELF_ERROR_NOT_ELF] = "not an ELF file",
                [ELF_ERROR_TRUNCATED] = "truncated: a structure lies beyond the end of the file",
                [ELF_ERROR_BAD_HEADER] = "invalid ELF header",
                [ELF_ERROR_BAD_PHDR] = "invalid program header table",
                [ELF_ERROR_BAD_DYNAMIC] = "invalid dynamic section",
                [ELF_ERROR_BAD_STRING] = "string outside the string table",
        };
        return e >= 0 && e < _ELF_ERROR_MAX ? table[e] : "unknown error";
}
