/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Between the two halves of Python in interp (interp-python.c finds files, interp-python-scan.c reads a
 * source file's imports). */

#include "interp-util.h"
#include "interp.h"

/* importlib.machinery.EXTENSION_SUFFIXES carries the multiarch tuple of the build */
#if defined(__x86_64__) && defined(__ILP32__)
#define MULTIARCH "x86_64-linux-gnux32"
#elif defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__i386__)
#define MULTIARCH "i386-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#elif defined(__arm__)
#define MULTIARCH "arm-linux-gnueabihf"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MULTIARCH "powerpc64le-linux-gnu"
#elif defined(__s390x__)
#define MULTIARCH "s390x-linux-gnu"
#elif defined(__riscv) && __riscv_xlen == 64
#define MULTIARCH "riscv64-linux-gnu"
#endif

typedef struct Imports {
        InterpImport *v;
        size_t n, allocated;
} Imports;

/* Add name[0..len) to l, once. */
int python_imports_add(Imports *l, const char *name, size_t len, unsigned line);

/* The imports of a Python source file (module: its dotted name, for relative imports). */
int python_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
                size_t *ret_n);
