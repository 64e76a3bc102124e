/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dlopen-util.h"
#include "macro.h"

/* A library the loader has: every pointer is set, and a second call answers the same without loading. */
static void test_load(void **state) {
        size_t (*sym_strlen)(const char *) = NULL;
        int (*sym_abs)(int) = NULL;
        const DlSym syms[] = {{"strlen", (void **)&sym_strlen}, {"abs", (void **)&sym_abs}, {}};
        DlLibrary l = DL_LIBRARY("libc.so.6", "libc6", syms);
        assert_int_equal(dl_library_load(&l), 0);
        assert_non_null(sym_strlen);
        assert_int_equal(sym_strlen("sdconfine"), 9);
        assert_int_equal(sym_abs(-3), 3);
        sym_strlen = NULL;
        assert_int_equal(dl_library_load(&l), 0);
        assert_null(sym_strlen); /* once: the table is not filled again */
        assert_string_equal(l.error, "");
        assert_null(dl_library_error(&l));
}

/* A library the loader cannot find: the words name it and the package, with dlerror()'s reason. */
static void test_missing_library(void **state) {
        void *p = NULL;
        const DlSym syms[] = {{"f", &p}, {}};
        DlLibrary l = DL_LIBRARY("libsdconfine-no-such.so.0", "libsdconfine-no-such0", syms);
        assert_null(dl_library_error(&l)); /* not tried yet */
        assert_int_equal(dl_library_load(&l), -EOPNOTSUPP);
        assert_ptr_equal(dl_library_error(&l), l.error);
        assert_null(p);
        assert_non_null(strstr(l.error,
                               "libsdconfine-no-such.so.0 cannot be loaded (libsdconfine-no-such.so.0: "
                               "cannot open shared object file"));
        assert_non_null(strstr(l.error, "): install libsdconfine-no-such0"));
        assert_non_null(strstr(l.detail, "cannot open shared object file"));
        assert_int_equal(dl_library_load(&l), -EOPNOTSUPP); /* and again, without a second try */
}

/* A symbol the library lacks (an older libsystemd): it is named, and no pointer is set, not even those
 * found before it, so that nothing calls into a half-loaded table. */
static void test_missing_symbol(void **state) {
        void *found = NULL, *missing = NULL;
        const DlSym syms[] = {{"strlen", &found}, {"sdconfine_no_such_function", &missing}, {}};
        DlLibrary l = DL_LIBRARY("libc.so.6", "libc6", syms);
        assert_int_equal(dl_library_load(&l), -EOPNOTSUPP);
        assert_null(found);
        assert_null(missing);
        assert_non_null(strstr(l.error, "libc.so.6 cannot be loaded ("));
        assert_non_null(strstr(l.error, "undefined symbol: sdconfine_no_such_function"));
        assert_non_null(strstr(l.error, "): install libc6"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_missing_library),
                cmocka_unit_test(test_missing_symbol),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
