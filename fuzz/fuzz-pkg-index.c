/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the package index reader. Built with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, which
 * turns the checksums off, so that the structure behind them is what gets fuzzed. */
#include "config.h"

#include "macro.h"
#include "pkg-index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const paths[] = {
                "/usr/bin/tool", "/usr/lib/x86_64-linux-gnu/libfoo.so.1", "/", "x", "/usr/bin/", "/.",
                "/etc/tool.conf"};
        /* a copy: the index is read in place and wants its 8-byte alignment */
        uint8_t *buf = malloc(size ? size : 1);
        PkgIndex *x = NULL;
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        if (pkg_index_from_buffer(buf, size, &x) >= 0) {
                const char *o, *name, *text;
                size_t n, len, k;
                PkgIndexStatus st;
                for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                        (void)pkg_index_owner(x, paths[i], &o);
                if (pkg_index_n_packages(x, &n) >= 0)
                        for (size_t i = 0; i < n && i < 64; i++)
                                if (pkg_index_package(x, i, &name) >= 0) {
                                        (void)pkg_index_package_files(x, i, &text, &len);
                                        (void)pkg_index_find_package(x, name, &k);
                                        (void)pkg_index_status(x, name, &st);
                                }
                (void)pkg_index_status(x, "tool", &st);
        }
        pkg_index_free(x);
        free(buf);
        return 0;
}
