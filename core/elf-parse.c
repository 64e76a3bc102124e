/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <sys/stat.h>

#include "elf-parse.h"
#include "macro.h"

/* No single structure we read may be larger than this: the string table of a huge library is a few MiB. */
#define READ_MAX (64u * 1024 * 1024)
/* the first page: the headers and PT_INTERP of nearly every object */
#define HEAD_SIZE 4096

/* The file is read through this: either a buffer in memory or a descriptor with its first page cached and
 * one window more (the string table's part we need), so that a typical object costs three small pread()
 * calls: the first page (headers, PT_INTERP), the dynamic section, the names it points at. Every read is
 * bounds-checked. */
typedef struct Source {
        const uint8_t *buf;
        int fd;
        uint64_t size;
        uint8_t head[HEAD_SIZE];
        size_t head_len;
        uint8_t *win; /* a window of the file read ahead: [win_off, win_off + win_len) */
        uint64_t win_off;
        size_t win_len;
        uint8_t *scratch; /* any other read, valid until the next */
        bool msb, is64;
        ElfError err;
        uint64_t err_offset;
} Source;

static int fail(Source *s, ElfError e, uint64_t offset) {
        s->err = e;
        s->err_offset = offset;
        return -EINVAL;
}

static int pread_all(Source *s, uint8_t *p, uint64_t off, uint64_t len) {
        for (size_t done = 0; done < len;) {
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
        return 0;
}

static int src_check(Source *s, uint64_t off, uint64_t len) {
        if (len > READ_MAX || off > s->size || len > s->size - off)
                return fail(s, ELF_ERROR_TRUNCATED, off);
        return 0;
}

/* Returns a pointer to len bytes at off, valid until the next read. */
static int src_read(Source *s, uint64_t off, uint64_t len, const uint8_t **ret) {
        int r = src_check(s, off, len);
        if (r < 0)
                return r;
        if (s->buf) {
                *ret = s->buf + off;
                return 0;
        }
        if (off + len <= s->head_len) {
                *ret = s->head + off;
                return 0;
        }
        if (s->win && off >= s->win_off && off + len <= s->win_off + s->win_len) {
                *ret = s->win + (off - s->win_off);
                return 0;
        }
        uint8_t *p = realloc(s->scratch, len ? len : 1);
        if (!p)
                return -ENOMEM;
        s->scratch = p;
        if ((r = pread_all(s, p, off, len)) < 0)
                return r;
        *ret = p;
        return 0;
}

/* Read [off, off + len) ahead into the window, for the src_read() calls that follow. */
static int src_window(Source *s, uint64_t off, uint64_t len) {
        if (s->buf || off + len <= s->head_len || src_check(s, off, len) < 0)
                return 0; /* in memory already, or out of bounds: the reads themselves will say */
        uint8_t *p = realloc(s->win, len ? len : 1);
        if (!p)
                return -ENOMEM;
        s->win = p;
        s->win_len = 0;
        int r = pread_all(s, p, off, len);
        if (r < 0)
                return r;
        s->win_off = off;
        s->win_len = len;
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
/* A field at the offset of its ELF64 or its ELF32 layout. */
#define FIELD(s, p, type, f64, f32)                                                                          \
        ((s)->is64 ? rdw((s), (p) + offsetof(Elf64_##type, f64))                                             \
                   : rdw((s), (p) + offsetof(Elf32_##type, f32)))
#define FIELD16(s, p, type, f)                                                                               \
        rd16((s), (p) + ((s)->is64 ? offsetof(Elf64_##type, f) : offsetof(Elf32_##type, f)))

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

/* The string at idx of the string table: from the window read ahead, else read on its own, doubled until
 * it holds the NUL. */
static int copy_string(Source *s, Arena *arena, uint64_t strtab_off, uint64_t strsz, uint64_t idx,
                       const char **ret) {
        if (idx >= strsz)
                return fail(s, ELF_ERROR_BAD_STRING, strtab_off + idx);
        uint64_t avail = strsz - idx;
        for (uint64_t want = 256;; want *= 2) {
                uint64_t len = want < avail ? want : avail;
                const uint8_t *p;
                int r = src_read(s, strtab_off + idx, len, &p);
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

/* What the program headers tell. */
typedef struct Layout {
        uint64_t phoff, phnum;
        uint16_t phentsize;
        Segment *loads;
        size_t n_loads;
        uint64_t dyn_off, dyn_size, interp_off, interp_size;
        bool has_interp;
} Layout;

/* Phase 1: the ELF header. */
static int parse_header(Source *s, Arena *arena, ElfInfo **ret, Layout *l) {
        const uint8_t *p;
        if (s->size < EI_NIDENT ||
            (s->buf ? memcmp(s->buf, ELFMAG, SELFMAG) : memcmp(s->head, ELFMAG, SELFMAG)) != 0) {
                s->err = ELF_ERROR_NOT_ELF;
                s->err_offset = 0;
                return -ENOEXEC;
        }
        int r = src_read(s, 0, EI_NIDENT, &p);
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
                .elf_class = cls, .data = data, .osabi = p[EI_OSABI], .abiversion = p[EI_ABIVERSION]};
        *ret = info;

        if ((r = src_read(s, 0, s->is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr), &p)) < 0)
                return r;
        info->type = FIELD16(s, p, Ehdr, e_type);
        info->machine = FIELD16(s, p, Ehdr, e_machine);
        l->phoff = FIELD(s, p, Ehdr, e_phoff, e_phoff);
        l->phentsize = FIELD16(s, p, Ehdr, e_phentsize);
        l->phnum = FIELD16(s, p, Ehdr, e_phnum);
        uint64_t shoff = FIELD(s, p, Ehdr, e_shoff, e_shoff);
        uint16_t shentsize = FIELD16(s, p, Ehdr, e_shentsize);
        size_t phsize = s->is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        size_t shsize = s->is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
        size_t tail = s->is64 ? offsetof(Elf64_Ehdr, e_ehsize) : offsetof(Elf32_Ehdr, e_ehsize);
        if (l->phnum == 0) /* nothing for the loader to act on: a relocatable object or similar */
                return 0;
        if (l->phentsize < phsize)
                return fail(s, ELF_ERROR_BAD_HEADER, tail + 2);
        if (l->phnum == PN_XNUM) {
                /* the real count lives in sh_info of section header 0 */
                if (shentsize < shsize)
                        return fail(s, ELF_ERROR_BAD_HEADER, tail + 6);
                if ((r = src_read(s, shoff, shsize, &p)) < 0)
                        return r;
                l->phnum = rd32(
                        s, p + (s->is64 ? offsetof(Elf64_Shdr, sh_info) : offsetof(Elf32_Shdr, sh_info)));
        }
        if (l->phnum > s->size / l->phentsize)
                return fail(s, ELF_ERROR_BAD_PHDR, l->phoff);
        return 0;
}

/* Phase 2: the program headers: PT_LOAD (to map addresses to offsets), PT_DYNAMIC, PT_INTERP. */
static int parse_phdrs(Source *s, Arena *arena, ElfInfo *info, Layout *l) {
        const uint8_t *p;
        int r = src_read(s, l->phoff, l->phnum * l->phentsize, &p);
        if (r < 0)
                return r;
        l->loads = calloc(l->phnum, sizeof(Segment));
        if (!l->loads)
                return -ENOMEM;
        for (uint64_t i = 0; i < l->phnum; i++) {
                const uint8_t *ph = p + i * l->phentsize;
                uint32_t type = rd32(s, ph);
                uint64_t offset = FIELD(s, ph, Phdr, p_offset, p_offset),
                         vaddr = FIELD(s, ph, Phdr, p_vaddr, p_vaddr),
                         filesz = FIELD(s, ph, Phdr, p_filesz, p_filesz);
                if (type == PT_LOAD)
                        l->loads[l->n_loads++] = (Segment){vaddr, offset, filesz};
                else if (type == PT_DYNAMIC && !info->has_dynamic) {
                        info->has_dynamic = true;
                        l->dyn_off = offset;
                        l->dyn_size = filesz;
                } else if (type == PT_INTERP && !l->has_interp) {
                        l->has_interp = true;
                        l->interp_off = offset;
                        l->interp_size = filesz;
                }
        }
        if (!l->has_interp)
                return 0;
        if ((r = src_read(s, l->interp_off, l->interp_size, &p)) < 0)
                return r;
        const uint8_t *nul = l->interp_size ? memchr(p, 0, l->interp_size) : NULL;
        if (!nul || nul == p)
                return fail(s, ELF_ERROR_BAD_STRING, l->interp_off);
        info->interp = arena_strndup(arena, (const char *)p, nul - p);
        return info->interp ? 0 : -ENOMEM;
}

/* What the dynamic section says: string table offsets, to be read in phase 4. */
typedef struct Dynamic {
        uint64_t strtab_vaddr, strsz, rpath, runpath, soname;
        bool have_strtab, have_strsz, have_rpath, have_runpath, have_soname;
        uint64_t *needed;
        size_t n_needed;
} Dynamic;

/* Phase 3: the dynamic section's tags. */
static int parse_dynamic(Source *s, ElfInfo *info, const Layout *l, Dynamic *d) {
        size_t dynent = s->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
        size_t n_dyn = l->dyn_size / dynent;
        const uint8_t *p;
        int r = src_read(s, l->dyn_off, (uint64_t)n_dyn * dynent, &p);
        if (r < 0)
                return r;
        /* Collect the tags first: DT_STRTAB may come after the entries that index into it. */
        d->needed = calloc(n_dyn ? n_dyn : 1, sizeof(uint64_t));
        if (!d->needed)
                return -ENOMEM;
        for (size_t i = 0; i < n_dyn; i++) {
                const uint8_t *e = p + i * dynent;
                uint64_t tag = rdw(s, e), val = rdw(s, e + dynent / 2);
                if (tag == DT_NULL)
                        break;
                /* the loader keeps the last of a repeated tag */
                if (tag == DT_NEEDED)
                        d->needed[d->n_needed++] = val;
                else if (tag == DT_STRTAB)
                        d->strtab_vaddr = val, d->have_strtab = true;
                else if (tag == DT_STRSZ)
                        d->strsz = val, d->have_strsz = true;
                else if (tag == DT_RPATH)
                        d->rpath = val, d->have_rpath = true;
                else if (tag == DT_RUNPATH)
                        d->runpath = val, d->have_runpath = true;
                else if (tag == DT_SONAME)
                        d->soname = val, d->have_soname = true;
                else if (tag == DT_FLAGS_1)
                        info->flags_1 = val;
        }
        return 0;
}

/* Read the part of the string table the names lie in at once, when it is not far apart. */
static int strings_ahead(Source *s, const Dynamic *d, uint64_t strtab_off, uint64_t strsz) {
        uint64_t lo = UINT64_MAX, hi = 0;
        const uint64_t extra[] = {d->have_rpath ? d->rpath : UINT64_MAX,
                                  d->have_runpath ? d->runpath : UINT64_MAX,
                                  d->have_soname ? d->soname : UINT64_MAX};
        for (size_t i = 0; i < d->n_needed + ELEMENTSOF(extra); i++) {
                uint64_t v = i < d->n_needed ? d->needed[i] : extra[i - d->n_needed];
                if (v >= strsz)
                        continue;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
        }
        if (lo > hi || hi - lo > 64 * 1024)
                return 0;
        hi = hi + 256 < strsz ? hi + 256 : strsz;
        return src_window(s, strtab_off + lo, hi - lo);
}

/* Phase 4: the names: DT_NEEDED, DT_RUNPATH, DT_RPATH (unless overridden), DT_SONAME. */
static int parse_strings(Source *s, Arena *arena, ElfInfo *info, const Layout *l, const Dynamic *d) {
        uint64_t strtab_off, strsz = d->strsz;
        if (!d->n_needed && !d->have_rpath && !d->have_runpath && !d->have_soname)
                return 0;
        if (!d->have_strtab || !d->have_strsz ||
            vaddr_to_offset(l->loads, l->n_loads, d->strtab_vaddr, &strtab_off) < 0)
                return fail(s, ELF_ERROR_BAD_DYNAMIC, l->dyn_off);
        /* a string table running past the end of the file is cut to what is there */
        if (strtab_off < s->size && strsz > s->size - strtab_off)
                strsz = s->size - strtab_off;
        if (strsz > READ_MAX || strtab_off > s->size)
                return fail(s, ELF_ERROR_TRUNCATED, strtab_off);
        int r = strings_ahead(s, d, strtab_off, strsz);
        if (r < 0)
                return r;
        info->needed = arena_alloc(arena, (d->n_needed ? d->n_needed : 1) * sizeof(char *));
        if (!info->needed)
                return -ENOMEM;
        uint32_t *hash = arena_alloc(arena, (d->n_needed ? d->n_needed : 1) * sizeof(uint32_t));
        if (!hash)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_needed; i++) {
                if ((r = copy_string(s, arena, strtab_off, strsz, d->needed[i], &info->needed[i])) < 0)
                        return r;
                hash[i] = elf_name_hash(info->needed[i]);
        }
        info->needed_hash = hash;
        info->n_needed = d->n_needed;
        if (d->have_runpath && (r = copy_string(s, arena, strtab_off, strsz, d->runpath, &info->runpath)) < 0)
                return r;
        /* DT_RUNPATH makes the loader ignore DT_RPATH */
        if (d->have_rpath && !d->have_runpath &&
            (r = copy_string(s, arena, strtab_off, strsz, d->rpath, &info->rpath)) < 0)
                return r;
        if (d->have_soname && (r = copy_string(s, arena, strtab_off, strsz, d->soname, &info->soname)) < 0)
                return r;
        if (info->soname)
                info->soname_hash = elf_name_hash(info->soname);
        return 0;
}

static int parse(Source *s, Arena *arena, ElfInfo **ret) {
        Layout l = {};
        Dynamic d = {};
        ElfInfo *info = NULL;
        int r = parse_header(s, arena, &info, &l);
        if (r >= 0 && l.phnum > 0)
                r = parse_phdrs(s, arena, info, &l);
        /* no dynamic section: a static program, no libraries */
        if (r >= 0 && l.phnum > 0 && info->has_dynamic)
                r = parse_dynamic(s, info, &l, &d);
        if (r >= 0 && l.phnum > 0 && info->has_dynamic)
                r = parse_strings(s, arena, info, &l, &d);
        free(l.loads);
        free(d.needed);
        free(s->scratch);
        free(s->win);
        s->scratch = s->win = NULL;
        if (r < 0)
                return r;
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
        s.win = s.scratch = NULL;
        s.win_len = s.win_off = 0;
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
        Source s; /* not zeroed as a whole: its head buffer is filled below */
        struct stat st;

        s.buf = NULL;
        s.fd = fd;
        s.head_len = 0;
        s.win = s.scratch = NULL;
        s.win_len = s.win_off = 0;
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
