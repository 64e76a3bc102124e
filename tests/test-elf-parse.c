/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "elf-parse.h"
#include "macro.h"

/* A tiny ELF image built in memory, in either class and byte order. */
typedef struct Img {
        uint8_t b[4096];
        size_t size;
        bool is64, msb;
} Img;

static void put(Img *m, size_t off, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                m->b[off + i] = m->msb ? (uint8_t)(v >> (8 * (n - 1 - i))) : (uint8_t)(v >> (8 * i));
}
static void put_word(Img *m, size_t off, uint64_t v) {
        put(m, off, v, m->is64 ? 8 : 4);
}

enum { OFF_PH = 64, OFF_INTERP = 512, OFF_STR = 600, OFF_DYN = 1024 };

/* the string table, and the offsets of its strings */
static const char strtab[] = "\0libfoo.so.1\0libbar.so\0/r/path\0/run/path\0libme.so.1";
enum { S_FOO = 1, S_BAR = 13, S_RPATH = 23, S_RUNPATH = 31, S_SONAME = 41 };

static void build(Img *m, bool is64, bool msb, bool runpath) {
        memset(m, 0, sizeof *m);
        m->is64 = is64;
        m->msb = msb;
        m->size = 2048;
        memcpy(m->b, ELFMAG, SELFMAG);
        m->b[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
        m->b[EI_DATA] = msb ? ELFDATA2MSB : ELFDATA2LSB;
        m->b[EI_VERSION] = EV_CURRENT;
        put(m, 16, ET_DYN, 2);
        put(m, 18, is64 ? EM_AARCH64 : EM_PPC, 2);
        put(m, 20, EV_CURRENT, 4);
        size_t phentsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
        put_word(m, is64 ? 32 : 28, OFF_PH);
        size_t tail = is64 ? 52 : 40;
        put(m, tail, is64 ? 64 : 52, 2);
        put(m, tail + 2, phentsize, 2);
        put(m, tail + 4, 3, 2);

        /* PT_LOAD covering the file at vaddr 0x10000, PT_INTERP, PT_DYNAMIC */
        struct {
                uint32_t type;
                uint64_t off, vaddr, filesz;
        } ph[3] = {
                {PT_LOAD, 0, 0x10000, 2048},
                {PT_INTERP, OFF_INTERP, 0x10000 + OFF_INTERP, 13},
                {PT_DYNAMIC, OFF_DYN, 0x10000 + OFF_DYN, 0},
        };
        size_t ndyn = 0;
        uint64_t dyn[16][2];
        dyn[ndyn][0] = DT_NEEDED, dyn[ndyn++][1] = S_FOO;
        dyn[ndyn][0] = DT_NEEDED, dyn[ndyn++][1] = S_BAR;
        dyn[ndyn][0] = DT_RPATH, dyn[ndyn++][1] = S_RPATH;
        if (runpath)
                dyn[ndyn][0] = DT_RUNPATH, dyn[ndyn++][1] = S_RUNPATH;
        dyn[ndyn][0] = DT_SONAME, dyn[ndyn++][1] = S_SONAME;
        dyn[ndyn][0] = DT_FLAGS_1, dyn[ndyn++][1] = DF_1_NODEFLIB;
        /* DT_STRTAB after the entries that use it: the parser must not depend on the order */
        dyn[ndyn][0] = DT_STRTAB, dyn[ndyn++][1] = 0x10000 + OFF_STR;
        dyn[ndyn][0] = DT_STRSZ, dyn[ndyn++][1] = sizeof strtab;
        dyn[ndyn][0] = DT_NULL, dyn[ndyn++][1] = 0;
        size_t dynent = is64 ? 16 : 8;
        ph[2].filesz = ndyn * dynent;
        for (size_t i = 0; i < 3; i++) {
                size_t o = OFF_PH + i * phentsize;
                put(m, o, ph[i].type, 4);
                if (is64) {
                        put(m, o + 8, ph[i].off, 8);
                        put(m, o + 16, ph[i].vaddr, 8);
                        put(m, o + 32, ph[i].filesz, 8);
                } else {
                        put(m, o + 4, ph[i].off, 4);
                        put(m, o + 8, ph[i].vaddr, 4);
                        put(m, o + 16, ph[i].filesz, 4);
                }
        }
        memcpy(m->b + OFF_INTERP, "/lib/ld.so.1", 12);
        memcpy(m->b + OFF_STR, strtab, sizeof strtab);
        for (size_t i = 0; i < ndyn; i++) {
                put_word(m, OFF_DYN + i * dynent, dyn[i][0]);
                put_word(m, OFF_DYN + i * dynent + dynent / 2, dyn[i][1]);
        }
}

static void check_synthetic(bool is64, bool msb) {
        Img m;
        ElfInfo *info;
        Arena *a = arena_new();
        build(&m, is64, msb, false);
        assert_int_equal(elf_parse_buffer(m.b, m.size, a, &info, NULL, NULL), 0);
        assert_int_equal(info->elf_class, is64 ? ELFCLASS64 : ELFCLASS32);
        assert_int_equal(info->data, msb ? ELFDATA2MSB : ELFDATA2LSB);
        assert_int_equal(info->machine, is64 ? EM_AARCH64 : EM_PPC);
        assert_int_equal(info->type, ET_DYN);
        assert_string_equal(info->interp, "/lib/ld.so.1");
        assert_int_equal(info->n_needed, 2);
        assert_string_equal(info->needed[0], "libfoo.so.1");
        assert_string_equal(info->needed[1], "libbar.so");
        assert_string_equal(info->rpath, "/r/path");
        assert_null(info->runpath);
        assert_string_equal(info->soname, "libme.so.1");
        assert_true(info->flags_1 & DF_1_NODEFLIB);

        /* with DT_RUNPATH present, DT_RPATH is ignored, as the loader does */
        build(&m, is64, msb, true);
        assert_int_equal(elf_parse_buffer(m.b, m.size, a, &info, NULL, NULL), 0);
        assert_null(info->rpath);
        assert_string_equal(info->runpath, "/run/path");
        arena_free(a);
}

static void test_elf64_lsb(void **state) {
        check_synthetic(true, false);
}
static void test_elf64_msb(void **state) {
        check_synthetic(true, true);
}
static void test_elf32_lsb(void **state) {
        check_synthetic(false, false);
}
static void test_elf32_msb(void **state) {
        check_synthetic(false, true);
}

static void expect_error(Img *m, ElfError want) {
        Arena *a = arena_new();
        ElfInfo *info = NULL;
        ElfError kind = ELF_ERROR_NONE;
        uint64_t off = 0;
        assert_true(elf_parse_buffer(m->b, m->size, a, &info, &kind, &off) < 0);
        assert_int_equal(kind, want);
        arena_free(a);
}

static void test_hostile_headers(void **state) {
        Img m;
        size_t tail = 52;

        build(&m, true, false, false);
        put(&m, tail + 4, 0xfffe, 2); /* absurd phnum */
        expect_error(&m, ELF_ERROR_BAD_PHDR);

        build(&m, true, false, false);
        put_word(&m, 32, UINT64_C(0xffffffffffffff00)); /* phoff beyond the file, and overflowing */
        expect_error(&m, ELF_ERROR_TRUNCATED);

        build(&m, true, false, false);
        put(&m, tail + 2, 8, 2); /* phentsize too small */
        expect_error(&m, ELF_ERROR_BAD_HEADER);

        build(&m, true, false, false); /* DT_NEEDED pointing past the string table */
        put_word(&m, OFF_DYN + 8, 100000);
        expect_error(&m, ELF_ERROR_BAD_STRING);

        build(&m, true, false, false); /* DT_STRTAB at an address no PT_LOAD maps */
        put_word(&m, OFF_DYN + 5 * 16 + 8, 0x90000000);
        expect_error(&m, ELF_ERROR_BAD_DYNAMIC);

        build(&m, true, false, false); /* an unterminated PT_INTERP */
        memset(m.b + OFF_INTERP, 'x', 13);
        expect_error(&m, ELF_ERROR_BAD_STRING);

        build(&m, true, false, false); /* a dynamic segment larger than the file */
        put_word(&m, OFF_PH + 2 * 56 + 32, UINT64_C(1) << 40);
        expect_error(&m, ELF_ERROR_TRUNCATED);

        build(&m, true, false, false);
        m.b[EI_CLASS] = 7;
        expect_error(&m, ELF_ERROR_BAD_HEADER);

        memcpy(m.b, "#!/bin/sh\n", 10);
        expect_error(&m, ELF_ERROR_NOT_ELF);

        /* an enormous string table size is cut to the file, the strings inside still parse */
        build(&m, true, false, false);
        put_word(&m, OFF_DYN + 6 * 16 + 8, UINT64_C(1) << 62);
        Arena *a = arena_new();
        ElfInfo *info;
        assert_int_equal(elf_parse_buffer(m.b, m.size, a, &info, NULL, NULL), 0);
        assert_string_equal(info->needed[0], "libfoo.so.1");
        arena_free(a);
}

static const char *fixtures(void) {
        const char *f = getenv("FIXTURES");
        return f ? f : "tests/fixtures/out";
}

static int parse_path(const char *path, Arena *a, ElfInfo **ret, ElfError *kind) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        int r = elf_parse_fd(fd, UINT64_MAX, a, ret, kind, NULL);
        close(fd);
        return r;
}

static void test_fixture_program(void **state) {
        char path[4096];
        Arena *a = arena_new();
        ElfInfo *info;
        snprintf(path, sizeof path, "%s/root/t/01_rpath/prog", fixtures());
        assert_int_equal(parse_path(path, a, &info, NULL), 0);
        assert_string_equal(info->interp, "/lib64/ld-linux-x86-64.so.2");
        assert_int_equal(info->n_needed, 2);
        assert_string_equal(info->needed[0], "libA.so");
        assert_string_equal(info->needed[1], "libc.so.6");
        assert_string_equal(info->rpath, "$ORIGIN/lib");
        arena_free(a);
}

/* Truncated and bit-flipped copies: an error or a result, never a crash (run under ASan in CI). */
static void test_malformed_copies(void **state) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/bad", fixtures());
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *de;
        unsigned n = 0, failed = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char path[8192];
                snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
                Arena *a = arena_new();
                ElfInfo *info;
                ElfError kind = ELF_ERROR_NONE;
                int r = parse_path(path, a, &info, &kind);
                if (r < 0) {
                        failed++;
                        assert_true(kind > ELF_ERROR_NONE && kind < _ELF_ERROR_MAX);
                }
                if (startswith(de->d_name, "truncated-"))
                        assert_true(r < 0); /* no truncated copy holds a whole program */
                arena_free(a);
                n++;
        }
        closedir(d);
        assert_true(n >= 70);
        assert_true(failed >= 9);
}

/* The descriptor reader (pread of the parts needed) and the buffer reader agree on real files. */
static void test_fd_equals_buffer(void **state) {
        const char *dirs[] = {"/usr/bin", "/usr/lib/x86_64-linux-gnu"};
        unsigned compared = 0;
        for (size_t k = 0; k < ELEMENTSOF(dirs); k++) {
                DIR *d = opendir(dirs[k]);
                if (!d)
                        continue;
                struct dirent *de;
                while ((de = readdir(d)) && compared < 400) {
                        char path[8192];
                        snprintf(path, sizeof path, "%s/%s", dirs[k], de->d_name);
                        int fd = open(path, O_RDONLY | O_CLOEXEC);
                        struct stat st;
                        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
                                if (fd >= 0)
                                        close(fd);
                                continue;
                        }
                        uint8_t *buf = malloc(st.st_size + 1);
                        assert_int_equal(pread(fd, buf, st.st_size, 0), st.st_size);
                        Arena *a = arena_new();
                        ElfInfo *x = NULL, *y = NULL;
                        int r1 = elf_parse_fd(fd, UINT64_MAX, a, &x, NULL, NULL);
                        int r2 = elf_parse_buffer(buf, st.st_size, a, &y, NULL, NULL);
                        assert_int_equal(r1, r2);
                        if (r1 == 0) {
                                assert_int_equal(x->n_needed, y->n_needed);
                                for (size_t i = 0; i < x->n_needed; i++)
                                        assert_string_equal(x->needed[i], y->needed[i]);
                                assert_true(streq_ptr(x->interp, y->interp));
                                assert_true(streq_ptr(x->soname, y->soname));
                                assert_true(streq_ptr(x->runpath, y->runpath));
                                compared++;
                        }
                        arena_free(a);
                        free(buf);
                        close(fd);
                }
                closedir(d);
        }
        assert_true(compared >= 100);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_elf64_lsb),        cmocka_unit_test(test_elf64_msb),
                cmocka_unit_test(test_elf32_lsb),        cmocka_unit_test(test_elf32_msb),
                cmocka_unit_test(test_hostile_headers),  cmocka_unit_test(test_fixture_program),
                cmocka_unit_test(test_malformed_copies), cmocka_unit_test(test_fd_equals_buffer),
        };
        return cmocka_run_group_tests_name("elf-parse", tests, NULL, NULL);
}
