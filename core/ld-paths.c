/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "fileio.h"
#include "ld-paths.h"
#include "macro.h"

typedef struct Abi {
        uint16_t machine;
        uint8_t elf_class;
        uint8_t data;
        const char *triplet;
        const char *platform;
        int32_t cache_flags;
} Abi;

/* FLAG_ELF_LIBC6 (3) plus the per-architecture bits of glibc's ldconfig.h. */
static const Abi abis[] = {
        {EM_X86_64, ELFCLASS64, ELFDATA2LSB, "x86_64-linux-gnu", "x86_64", 0x0303},
        {EM_X86_64, ELFCLASS32, ELFDATA2LSB, "x86_64-linux-gnux32", "x86_64", 0x0803},
        {EM_386, ELFCLASS32, ELFDATA2LSB, "i386-linux-gnu", "i686", 0x0003},
        {EM_AARCH64, ELFCLASS64, ELFDATA2LSB, "aarch64-linux-gnu", "aarch64", 0x0a03},
        {EM_ARM, ELFCLASS32, ELFDATA2LSB, "arm-linux-gnueabihf", "v7l", 0x0903},
        {EM_PPC64, ELFCLASS64, ELFDATA2LSB, "powerpc64le-linux-gnu", "power8", 0x0503},
        {EM_S390, ELFCLASS64, ELFDATA2MSB, "s390x-linux-gnu", "z13", 0x0403},
        {EM_RISCV, ELFCLASS64, ELFDATA2LSB, "riscv64-linux-gnu", NULL, 0x1103},
        {EM_MIPS, ELFCLASS64, ELFDATA2LSB, "mips64el-linux-gnuabi64", NULL, 0x0703},
};

#if defined(__x86_64__)
typedef struct CpuFeatures {
        bool sse3, ssse3, sse41, sse42, popcnt, cx16, lahf, avx, avx2, bmi1, bmi2, fma, f16c, lzcnt, movbe,
                avx512f, avx512bw, avx512cd, avx512dq, avx512vl, avx512er, avx512pf, intel;
} CpuFeatures;

static CpuFeatures cpu_features(void) {
        CpuFeatures f = {};
        unsigned a, b, c, d, max;
        if (!__get_cpuid(0, &max, &b, &c, &d))
                return f;
        f.intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* "GenuineIntel" */
        __cpuid(1, a, b, c, d);
        f.sse3 = c & bit_SSE3;
        f.ssse3 = c & bit_SSSE3;
        f.sse41 = c & bit_SSE4_1;
        f.sse42 = c & bit_SSE4_2;
        f.popcnt = c & bit_POPCNT;
        f.cx16 = c & bit_CMPXCHG16B;
        f.movbe = c & bit_MOVBE;
        f.fma = c & bit_FMA;
        f.f16c = c & bit_F16C;
        bool osxsave = c & bit_OSXSAVE, avx_cpu = c & bit_AVX;
        /* AVX and AVX-512 are usable only when the kernel saves their registers (XCR0) */
        uint64_t xcr0 = 0;
        if (osxsave) {
                unsigned lo, hi;
                __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
                xcr0 = (uint64_t)hi << 32 | lo;
        }
        bool ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0;
        f.avx = avx_cpu && ymm;
        if (max >= 7) {
                __cpuid_count(7, 0, a, b, c, d);
                f.avx2 = f.avx && (b & bit_AVX2);
                f.bmi1 = b & bit_BMI;
                f.bmi2 = b & bit_BMI2;
                f.avx512f = zmm && (b & bit_AVX512F);
                f.avx512bw = f.avx512f && (b & bit_AVX512BW);
                f.avx512cd = f.avx512f && (b & bit_AVX512CD);
                f.avx512dq = f.avx512f && (b & bit_AVX512DQ);
                f.avx512vl = f.avx512f && (b & bit_AVX512VL);
                f.avx512er = f.avx512f && (b & bit_AVX512ER);
                f.avx512pf = f.avx512f && (b & bit_AVX512PF);
        }
        f.fma = f.fma && f.avx;
        f.f16c = f.f16c && f.avx;
        __cpuid(0x80000000, max, b, c, d);
        if (max >= 0x80000001) {
                __cpuid(0x80000001, a, b, c, d);
                f.lahf = c & bit_LAHF_LM;
                f.lzcnt = c & bit_ABM;
        }
        return f;
}

/* glibc 2.36: sysdeps/x86/get-isa-level.h, sysdeps/x86/cpu-features.c (the legacy hwcaps and platform). */
static void x86_64_hwcaps(LdPlatform *p) {
        CpuFeatures f = cpu_features();
        bool v2 = f.cx16 && f.lahf && f.popcnt && f.sse3 && f.sse41 && f.sse42 && f.ssse3;
        bool v3 = v2 && f.avx && f.avx2 && f.bmi1 && f.bmi2 && f.f16c && f.fma && f.lzcnt && f.movbe;
        bool v4 = v3 && f.avx512f && f.avx512bw && f.avx512cd && f.avx512dq && f.avx512vl;
        size_t n = 0;
        if (v4)
                p->hwcaps[n++] = "x86-64-v4";
        if (v3)
                p->hwcaps[n++] = "x86-64-v3";
        if (v2)
                p->hwcaps[n++] = "x86-64-v2";
        p->hwcaps[n] = NULL;

        bool avx512_1 = false;
        const char *platform = NULL;
        if (f.intel) {
                if (f.avx512cd) {
                        if (f.avx512er) {
                                if (f.avx512pf)
                                        platform = "xeon_phi";
                        } else if (f.avx512bw && f.avx512dq && f.avx512vl)
                                avx512_1 = true;
                }
                if (!platform && f.avx2 && f.fma && f.bmi1 && f.bmi2 && f.lzcnt && f.movbe && f.popcnt)
                        platform = "haswell";
        }
        if (platform && p->elf_class == ELFCLASS64)
                p->platform = platform;

        /* Legacy subdirectories: every subset of (tls, hwcap names..., platform), largest first, as
         * _dl_important_hwcaps() builds them; HWCAP_X86_64 is bit 1, HWCAP_X86_AVX512_1 bit 2. */
        const char *parts[4];
        size_t k = 0;
        parts[k++] = "tls";
        parts[k++] = "x86_64";
        if (avx512_1)
                parts[k++] = "avx512_1";
        parts[k++] = p->platform;
        p->legacy_allowed = (UINT64_C(1) << 1) | (avx512_1 ? UINT64_C(1) << 2 : 0) | (UINT64_C(1) << 63);
        size_t m = 0;
        for (unsigned mask = (1u << k); mask-- > 0;) {
                char *s = p->buf_legacy[m];
                s[0] = 0;
                for (size_t j = 0; j < k; j++)
                        if (mask & (1u << (k - 1 - j))) {
                                if (s[0])
                                        strcat(s, "/");
                                strcat(s, parts[j]);
                        }
                p->legacy[m++] = s;
        }
        p->legacy[m] = NULL;
}
#endif

int ld_platform_get(uint16_t machine, uint8_t elf_class, uint8_t data, LdPlatform *ret) {
        const Abi *abi = NULL;
        for (size_t i = 0; i < ELEMENTSOF(abis); i++)
                if (abis[i].machine == machine && abis[i].elf_class == elf_class && abis[i].data == data) {
                        abi = abis + i;
                        break;
                }
        if (!abi)
                return -EAFNOSUPPORT;

        LdPlatform *p = ret;
        *p = (LdPlatform){
                .machine = machine,
                .elf_class = elf_class,
                .data = data,
                .triplet = abi->triplet,
                .platform = abi->platform,
                .cache_flags = abi->cache_flags,
        };
        /* Debian's glibc: slibdir /lib/<triplet>, libdir /usr/lib/<triplet>, then the plain directories */
        snprintf(p->buf_lib, sizeof p->buf_lib, "lib/%s", abi->triplet);
        snprintf(p->buf_dirs[0], sizeof p->buf_dirs[0], "/lib/%s", abi->triplet);
        snprintf(p->buf_dirs[1], sizeof p->buf_dirs[1], "/usr/lib/%s", abi->triplet);
        p->lib = p->buf_lib;
        p->default_dirs[0] = p->buf_dirs[0];
        p->default_dirs[1] = p->buf_dirs[1];
        p->default_dirs[2] = "/lib";
        p->default_dirs[3] = "/usr/lib";
        p->default_dirs[4] = NULL;

        /* The legacy subdirectories are only searched by a loader of the host's own kind. */
        p->legacy[0] = "";
        p->legacy[1] = NULL;
        p->legacy_allowed = UINT64_C(1) << 63;
#if defined(__x86_64__)
        if (machine == EM_X86_64 && elf_class == ELFCLASS64)
                x86_64_hwcaps(p);
#endif
        return 0;
}

int ld_expand_tokens(const char *element, const char *origin, const LdPlatform *p, char **ret) {
        size_t cap = 0, len = 0;
        char *out = NULL;

        for (const char *s = element; *s;) {
                const char *value = NULL;
                size_t skip = 0;
                if (*s == '$') {
                        static const char *const names[] = {"ORIGIN", "LIB", "PLATFORM"};
                        for (size_t i = 0; i < ELEMENTSOF(names) && !value; i++) {
                                size_t n = strlen(names[i]);
                                const char *t = s + 1;
                                bool brace = *t == '{';
                                if (brace)
                                        t++;
                                if (strncmp(t, names[i], n) != 0)
                                        continue;
                                t += n;
                                if (brace) {
                                        if (*t != '}')
                                                continue;
                                        t++;
                                } else if ((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
                                           (*t >= '0' && *t <= '9') || *t == '_')
                                        continue; /* $ORIGINAL is not $ORIGIN */
                                value = i == 0 ? origin : i == 1 ? p->lib : p->platform;
                                skip = t - s;
                                if (!value) { /* the loader drops an element it cannot expand */
                                        free(out);
                                        return -ENOENT;
                                }
                        }
                }
                const char *piece = value ? value : s;
                size_t n = value ? strlen(value) : 1;
                if (buf_append(&out, &len, &cap, piece, n) < 0) {
                        free(out);
                        return -ENOMEM;
                }
                s += value ? skip : 1;
        }
        if (!out && !(out = malloc(1)))
                return -ENOMEM;
        out[len] = 0;
        *ret = out;
        return 0;
}
