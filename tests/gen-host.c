/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A synthetic host for the scale benchmarks (not a test): a library graph of NLIBS shared objects, NPROGS
 * programs linking into it, and NUNITS services running them, all below ROOT.
 *
 *   gen-host ROOT NLIBS NPROGS NUNITS [SEED]
 *
 * The objects are minimal ELF64 x86-64 files, written here byte by byte (never run): a PT_LOAD covering
 * the file, PT_DYNAMIC with DT_NEEDED, DT_SONAME, DT_RUNPATH and DT_STRTAB, and PT_INTERP for programs.
 * Library i sits at level i % 5 and needs one to three libraries of the level below; level 0 needs the
 * host's libc.so.6. Levels 0-2 live in /opt/syn/cache (found through ld.so.cache: run ldconfig -r ROOT
 * with /opt/syn/cache in ROOT/etc/ld.so.conf.d), levels 3-4 in /opt/syn/lib (found through DT_RUNPATH
 * $ORIGIN), each as libsyn-N.so.1 -> libsyn-N.so.1.0. Programs in /opt/syn/bin need one to four
 * libraries of any level (DT_RUNPATH $ORIGIN/../lib) and libc.so.6.
 *
 * For each program, ROOT/opt/syn/expect/prog-K lists the /opt/syn paths its closure must hold (the
 * program, and each library's link and file): the benchmark checks sdconfine against it. Every fourth
 * unit has a drop-in. Deterministic for a given SEED. */

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEVELS 5
#define CACHE_LEVELS 3 /* levels below this one live in the ld.so.cache directory */
#define MAX_DEPS 4

static const char *root;
static uint64_t rng_state;

static uint64_t rng(void) {
        /* xorshift64*: deterministic and good enough to shape a graph */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * UINT64_C(2685821657736338717);
}

static void die(const char *what, const char *path) {
        fprintf(stderr, "gen-host: %s %s: %s\n", what, path, strerror(errno));
        exit(EXIT_FAILURE);
}

static void mkdir_p(const char *rel) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        die("cannot create", p);
                *s = '/';
        }
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
                die("cannot create", p);
}

static void write_file(const char *rel, const void *data, size_t size, mode_t mode) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0 || write(fd, data, size) != (ssize_t)size || fchmod(fd, mode) < 0 || close(fd) < 0)
                die("cannot write", p);
}

/* An ELF object: strings first collected, then laid out as
 * Ehdr | Phdr[3] | interp | dynstr | dynamic[], with virtual address == file offset. */
static void write_elf(const char *rel, const char *interp, const char *soname, const char *runpath,
                      const char *const *needed, size_t n_needed, mode_t mode) {
        char buf[8192];
        size_t n_ph = interp ? 3 : 2;
        size_t off = sizeof(Elf64_Ehdr) + n_ph * sizeof(Elf64_Phdr);
        memset(buf, 0, sizeof buf);

        size_t interp_off = off;
        if (interp) {
                strcpy(buf + off, interp);
                off += strlen(interp) + 1;
        }

        size_t str_off = off, str_len = 1; /* index 0: the empty string */
        uint64_t needed_idx[MAX_DEPS + 1], soname_idx = 0, runpath_idx = 0;
#define ADD_STRING(s)                                                                                        \
        ({                                                                                                   \
                uint64_t _i = str_len;                                                                       \
                strcpy(buf + str_off + str_len, (s));                                                        \
                str_len += strlen(s) + 1;                                                                    \
                _i;                                                                                          \
        })
        for (size_t i = 0; i < n_needed; i++)
                needed_idx[i] = ADD_STRING(needed[i]);
        if (soname)
                soname_idx = ADD_STRING(soname);
        if (runpath)
                runpath_idx = ADD_STRING(runpath);
#undef ADD_STRING
        off = (str_off + str_len + 7) & ~(size_t)7;

        Elf64_Dyn *dyn = (Elf64_Dyn *)(buf + off);
        size_t n_dyn = 0;
        for (size_t i = 0; i < n_needed; i++)
                dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_NEEDED, .d_un.d_val = needed_idx[i]};
        if (soname)
                dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_SONAME, .d_un.d_val = soname_idx};
        if (runpath)
                dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_RUNPATH, .d_un.d_val = runpath_idx};
        dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_STRTAB, .d_un.d_ptr = str_off};
        dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_STRSZ, .d_un.d_val = str_len};
        dyn[n_dyn++] = (Elf64_Dyn){.d_tag = DT_NULL};
        size_t dyn_off = off, size = off + n_dyn * sizeof(Elf64_Dyn);

        Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
        memcpy(eh->e_ident, ELFMAG, SELFMAG);
        eh->e_ident[EI_CLASS] = ELFCLASS64;
        eh->e_ident[EI_DATA] = ELFDATA2LSB;
        eh->e_ident[EI_VERSION] = EV_CURRENT;
        eh->e_type = ET_DYN;
        eh->e_machine = EM_X86_64;
        eh->e_version = EV_CURRENT;
        eh->e_phoff = sizeof(Elf64_Ehdr);
        eh->e_ehsize = sizeof(Elf64_Ehdr);
        eh->e_phentsize = sizeof(Elf64_Phdr);
        eh->e_phnum = n_ph;

        Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
        size_t k = 0;
        if (interp)
                ph[k++] = (Elf64_Phdr){.p_type = PT_INTERP,
                                       .p_flags = PF_R,
                                       .p_offset = interp_off,
                                       .p_vaddr = interp_off,
                                       .p_filesz = strlen(interp) + 1,
                                       .p_memsz = strlen(interp) + 1,
                                       .p_align = 1};
        ph[k++] = (Elf64_Phdr){
                .p_type = PT_LOAD, .p_flags = PF_R, .p_filesz = size, .p_memsz = size, .p_align = 0x1000};
        ph[k++] = (Elf64_Phdr){.p_type = PT_DYNAMIC,
                               .p_flags = PF_R,
                               .p_offset = dyn_off,
                               .p_vaddr = dyn_off,
                               .p_filesz = n_dyn * sizeof(Elf64_Dyn),
                               .p_memsz = n_dyn * sizeof(Elf64_Dyn),
                               .p_align = 8};
        write_file(rel, buf, size, mode);
}

static const char *lib_dir(size_t i) {
        return i % LEVELS < CACHE_LEVELS ? "opt/syn/cache" : "opt/syn/lib";
}

/* A library of level `level`, uniformly among the nlibs. */
static size_t pick_at_level(size_t nlibs, size_t level) {
        size_t n = (nlibs - level + LEVELS - 1) / LEVELS;
        return level + LEVELS * (rng() % n);
}

typedef struct Lib {
        size_t deps[MAX_DEPS];
        size_t n_deps;
} Lib;

static void mark(const Lib *libs, size_t i, unsigned char *seen) {
        if (seen[i])
                return;
        seen[i] = 1;
        for (size_t d = 0; d < libs[i].n_deps; d++)
                mark(libs, libs[i].deps[d], seen);
}

int main(int argc, char **argv) {
        if (argc < 5 || argc > 6) {
                fprintf(stderr, "Usage: gen-host ROOT NLIBS NPROGS NUNITS [SEED]\n");
                return EXIT_FAILURE;
        }
        root = argv[1];
        size_t nlibs = strtoul(argv[2], NULL, 10), nprogs = strtoul(argv[3], NULL, 10),
               nunits = strtoul(argv[4], NULL, 10);
        rng_state = argc == 6 ? strtoull(argv[5], NULL, 10) | 1 : 0x5d5c0f1e;
        if (nlibs < LEVELS || nprogs < 1) {
                fprintf(stderr, "gen-host: at least %d libraries and one program\n", LEVELS);
                return EXIT_FAILURE;
        }

        mkdir_p("opt/syn/cache");
        mkdir_p("opt/syn/lib");
        mkdir_p("opt/syn/bin");
        mkdir_p("opt/syn/expect");
        mkdir_p("etc/ld.so.conf.d");
        mkdir_p("etc/systemd/system");
        write_file("etc/ld.so.conf.d/syn.conf", "/opt/syn/cache\n", 15, 0644);

        Lib *libs = calloc(nlibs, sizeof(Lib));
        unsigned char *seen = malloc(nlibs);
        if (!libs || !seen)
                return EXIT_FAILURE;

        char rel[512], name[64], names[MAX_DEPS + 1][64];
        const char *needed[MAX_DEPS + 1];
        for (size_t i = 0; i < nlibs; i++) {
                size_t level = i % LEVELS, n = 0;
                if (level == 0)
                        needed[n++] = "libc.so.6";
                else {
                        Lib *l = &libs[i];
                        size_t want = 1 + rng() % 3;
                        while (l->n_deps < want) {
                                size_t d = pick_at_level(nlibs, level - 1);
                                bool dup = false;
                                for (size_t k = 0; k < l->n_deps; k++)
                                        dup = dup || l->deps[k] == d;
                                if (dup)
                                        continue;
                                l->deps[l->n_deps++] = d;
                                snprintf(names[n], sizeof names[n], "libsyn-%zu.so.1", d);
                                needed[n] = names[n];
                                n++;
                        }
                }
                snprintf(name, sizeof name, "libsyn-%zu.so.1", i);
                snprintf(rel, sizeof rel, "%s/%s.0", lib_dir(i), name);
                write_elf(rel, NULL, name, level < CACHE_LEVELS ? NULL : "$ORIGIN", needed, n, 0644);
                char link[600], target[80];
                snprintf(link, sizeof link, "%s/%s/%s", root, lib_dir(i), name);
                snprintf(target, sizeof target, "%s.0", name);
                if (unlink(link) < 0 && errno != ENOENT)
                        die("cannot remove", link);
                if (symlink(target, link) < 0)
                        die("cannot link", link);
        }

        for (size_t p = 0; p < nprogs; p++) {
                Lib prog = {};
                size_t want = 1 + rng() % MAX_DEPS, n = 0;
                while (prog.n_deps < want) {
                        size_t d = rng() % nlibs;
                        bool dup = false;
                        for (size_t k = 0; k < prog.n_deps; k++)
                                dup = dup || prog.deps[k] == d;
                        if (dup)
                                continue;
                        prog.deps[prog.n_deps++] = d;
                        snprintf(names[n], sizeof names[n], "libsyn-%zu.so.1", d);
                        needed[n] = names[n];
                        n++;
                }
                needed[n++] = "libc.so.6";
                snprintf(rel, sizeof rel, "opt/syn/bin/prog-%zu", p);
                write_elf(rel, "/lib64/ld-linux-x86-64.so.2", NULL, "$ORIGIN/../lib", needed, n, 0755);

                memset(seen, 0, nlibs);
                for (size_t k = 0; k < prog.n_deps; k++)
                        mark(libs, prog.deps[k], seen);
                char path[600];
                snprintf(path, sizeof path, "%s/opt/syn/expect/prog-%zu", root, p);
                FILE *f = fopen(path, "we");
                if (!f)
                        die("cannot write", path);
                fprintf(f, "/opt/syn/bin/prog-%zu\n", p);
                for (size_t i = 0; i < nlibs; i++)
                        if (seen[i])
                                fprintf(f, "/%s/libsyn-%zu.so.1\n/%s/libsyn-%zu.so.1.0\n", lib_dir(i), i,
                                        lib_dir(i), i);
                if (fclose(f) != 0)
                        die("cannot write", path);
        }

        for (size_t u = 0; u < nunits; u++) {
                char unit[8192];
                int len =
                        snprintf(unit, sizeof unit,
                                 "[Unit]\nDescription=synthetic service %zu\nAfter=network.target\n\n"
                                 "[Service]\nExecStart=/opt/syn/bin/prog-%zu --serve %zu\n"
                                 "User=nobody\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n",
                                 u, u % nprogs, u);
                snprintf(rel, sizeof rel, "etc/systemd/system/syn-%zu.service", u);
                write_file(rel, unit, len, 0644);
                if (u % 4 == 0) {
                        snprintf(rel, sizeof rel, "etc/systemd/system/syn-%zu.service.d", u);
                        mkdir_p(rel);
                        len = snprintf(unit, sizeof unit, "[Service]\nEnvironment=SYN_ID=%zu\nNice=5\n", u);
                        snprintf(rel, sizeof rel, "etc/systemd/system/syn-%zu.service.d/10-tune.conf", u);
                        write_file(rel, unit, len, 0644);
                }
        }
        free(libs);
        free(seen);
        return EXIT_SUCCESS;
}
