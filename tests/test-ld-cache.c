/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "ld-cache.h"
#include "macro.h"

/* Our reading of the machine's own cache equals what ldconfig -p prints, entry by entry. */
static void test_system_cache_matches_ldconfig(void **state) {
        LdCache *c;
        assert_int_equal(ld_cache_load(AT_FDCWD, "/etc/ld.so.cache", &c), 0);
        FILE *p = popen("ldconfig -p 2>/dev/null", "r");
        assert_non_null(p);
        char line[8192];
        size_t i = 0;
        while (fgets(line, sizeof line, p)) {
                if (line[0] != '\t')
                        continue;
                char name[4096], path[4096];
                char *arrow = strstr(line, " => ");
                assert_non_null(arrow);
                assert_int_equal(sscanf(line, " %4095s", name), 1);
                assert_int_equal(sscanf(arrow + 4, "%4095s", path), 1);
                const LdCacheEntry *e = ld_cache_entry(c, i++);
                assert_non_null(e);
                assert_string_equal(e->name, name);
                assert_string_equal(e->path, path);
                if (strstr(line, "hwcap: \"")) /* ldconfig names the glibc-hwcaps subdirectory */
                        assert_non_null(e->hwcaps);
        }
        pclose(p);
        assert_true(i > 10);
        assert_int_equal(i, ld_cache_size(c));
        /* and the loader's pick for libc is the one ldconfig lists for this ABI */
        assert_non_null(ld_cache_lookup(c, "libc.so.6", 0x0303, NULL, UINT64_C(1) << 63));
        assert_null(ld_cache_lookup(c, "libc.so.6", 0x0903, NULL, UINT64_C(1) << 63));
        assert_null(ld_cache_lookup(c, "libnosuchthing.so.7", 0x0303, NULL, UINT64_C(1) << 63));
        ld_cache_free(c);
}

static void fixture_cache(char *buf, size_t size) {
        const char *f = getenv("FIXTURES");
        snprintf(buf, size, "%s/root/etc/ld.so.cache", f ? f : "tests/fixtures/out");
}

/* ldconfig -r wrote a cache with a glibc-hwcaps entry: the best active subdirectory wins. */
static void test_hwcaps_extension(void **state) {
        char path[4096];
        LdCache *c;
        fixture_cache(path, sizeof path);
        if (access(path, R_OK) < 0)
                skip(); /* ldconfig -r needs root */
        assert_int_equal(ld_cache_load(AT_FDCWD, path, &c), 0);
        const char *v2[] = {"x86-64-v2", NULL}, *v3only[] = {"x86-64-v3", NULL};
        uint64_t legacy = UINT64_C(1) << 63;
        assert_string_equal(ld_cache_lookup(c, "libcached.so.1", 0x0303, v2, legacy),
                            "/opt/cachedir/glibc-hwcaps/x86-64-v2/libcached.so.1");
        assert_string_equal(ld_cache_lookup(c, "libcached.so.1", 0x0303, NULL, legacy),
                            "/opt/cachedir/libcached.so.1");
        assert_string_equal(ld_cache_lookup(c, "libcached.so.1", 0x0303, v3only, legacy),
                            "/opt/cachedir/libcached.so.1");
        bool ext = false;
        for (size_t i = 0; i < ld_cache_size(c); i++)
                ext = ext || (ld_cache_entry(c, i)->hwcap & LD_CACHE_HWCAP_EXTENSION);
        assert_true(ext);
        ld_cache_free(c);
}

static uint8_t *slurp(const char *path, size_t *ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        assert_true(fd >= 0);
        assert_int_equal(fstat(fd, &st), 0);
        uint8_t *b = malloc(st.st_size);
        assert_int_equal(read(fd, b, st.st_size), st.st_size);
        close(fd);
        *ret = st.st_size;
        return b;
}

/* Every prefix and many bit flips of a real cache: an error or a cache, never a crash. */
static void test_corrupt_caches(void **state) {
        size_t n;
        uint8_t *b = slurp("/etc/ld.so.cache", &n);
        unsigned errors = 0;
        for (size_t len = 0; len < n; len += (len < 256 ? 1 : 97)) {
                uint8_t *copy = malloc(len ? len : 1);
                memcpy(copy, b, len);
                LdCache *c = NULL;
                if (ld_cache_parse(copy, len, &c) < 0)
                        errors++;
                else
                        ld_cache_lookup(c, "libc.so.6", 0x0303, NULL, 0);
                ld_cache_free(c);
                free(copy);
        }
        assert_true(errors > 0);
        for (size_t i = 0; i < 2000; i++) {
                uint8_t *copy = malloc(n);
                memcpy(copy, b, n);
                copy[(i * 7919) % n] ^= 1u << (i % 8);
                copy[(i * 104729) % n] = 0xff;
                LdCache *c = NULL;
                if (ld_cache_parse(copy, n, &c) >= 0)
                        for (size_t k = 0; k < ld_cache_size(c) && k < 50; k++)
                                ld_cache_lookup(c, ld_cache_entry(c, k)->name, 0x0303, NULL, 0);
                ld_cache_free(c);
                free(copy);
        }
        /* absurd entry count */
        uint8_t *copy = malloc(n);
        memcpy(copy, b, n);
        memset(copy + 20, 0xff, 4);
        LdCache *c = NULL;
        assert_int_equal(ld_cache_parse(copy, n, &c), -EBADMSG);
        memcpy(copy, "not a cache at all", 18);
        assert_int_equal(ld_cache_parse(copy, n, &c), -EBADMSG);
        free(copy);
        free(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_system_cache_matches_ldconfig),
                cmocka_unit_test(test_hwcaps_extension),
                cmocka_unit_test(test_corrupt_caches),
        };
        return cmocka_run_group_tests_name("ld-cache", tests, NULL, NULL);
}
