/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The offline unit loader on small trees written at test time: aliases, sdconfine's own drop-in, where each
 * setting comes from (file and line), and the show helpers of service.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "macro.h"
#include "service.h"
#include "unit-file.h"

static char dir[] = "/tmp/test-unit-file.XXXXXX";

static void put(const char *path, const char *text) {
        char full[4096], *slash;
        snprintf(full, sizeof full, "%s%s", dir, path);
        for (slash = strchr(full + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = 0;
                (void)mkdir(full, 0755);
                *slash = '/';
        }
        FILE *f = fopen(full, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void link_to(const char *target, const char *path) {
        char full[4096];
        snprintf(full, sizeof full, "%s%s", dir, path);
        assert_int_equal(symlink(target, full), 0);
}

static const char redis[] = "[Unit]\n"
                            "Description=Redis\n"
                            "[Service]\n"
                            "ExecStart=/usr/bin/redis-server /etc/redis/redis.conf\n"
                            "RuntimeDirectory=redis\n"
                            "CapabilityBoundingSet=CAP_SETUID\n"
                            "[Install]\n"
                            "Alias=redis.service\n";

static const char ours[] = "[Service]\n"
                           "RootDirectory=/run/confinement/redis-server.service\n"
                           "RuntimeDirectory=confinement/redis-server.service\n"
                           "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n";

static const char ssh[] = "[Unit]\n"                                  /* 1 */
                          "Description=OpenBSD Secure Shell server\n" /* 2 */
                          "\n"                                        /* 3 */
                          "[Service]\n"                               /* 4 */
                          "EnvironmentFile=-/etc/default/ssh\n"       /* 5 */
                          "ExecStartPre=/usr/sbin/sshd -t\n"          /* 6 */
                          "ExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n"  /* 7 */
                          "ExecReload=/usr/sbin/sshd -t\n"            /* 8 */
                          "ExecReload=/bin/kill -HUP $MAINPID\n"      /* 9 */
                          "ReadWritePaths=/var/a /var/b\n"            /* 10 */
                          "ReadWritePaths=/var/c\n"                   /* 11 */
                          "StateDirectory=zz\n"                       /* 12 */
                          "StateDirectory=aa\n"                       /* 13 */
                          "Environment=A=1 \\\n"                      /* 14 */
                          "  B=2\n"                                   /* 15 */
                          "Environment=A=3\n"                         /* 16 */
                          "ExecStop=/bin/true ; /bin/false\n";        /* 17 */

static int setup(void **state) {
        (void)state;
        assert_non_null(mkdtemp(dir));
        put("/lib/systemd/system/redis-server.service", redis);
        put("/etc/systemd/system/redis.service.d/50-confinement.conf", ours);
        /* enabled: the Alias= is a link in /etc */
        link_to("/lib/systemd/system/redis-server.service", "/etc/systemd/system/redis.service");
        put("/etc/systemd/system/redis-server.service.d/10-admin.conf", "[Service]\nUser=redis\n");
        put("/lib/systemd/system/ssh.service", ssh);
        put("/lib/systemd/system/nginx.service",
            "[Service]\nExecStartPre=/usr/sbin/nginx -t -q -g 'daemon on; master_process on;'\n"
            "ExecStart=/usr/sbin/nginx -g 'daemon on; master_process on;'\n"
            "ExecReload=/usr/sbin/nginx -g 'daemon on; master_process on;' -s reload\n");
        return 0;
}

static int teardown(void **state) {
        char cmd[4200];
        (void)state;
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

static UnitIndex *index_open(FsRoot **root) {
        UnitIndex *idx = NULL;
        assert_int_equal(fs_root_new(dir, root), 0);
        assert_int_equal(unit_index_new(*root, UNIT_SCOPE_SYSTEM, NULL, NULL, &idx), 0);
        return idx;
}

/* an alias is the unit it names: one id, its aliases a note, not a row */
static void test_alias(void **state) {
        FsRoot *root;
        UnitIndex *idx = index_open(&root);
        char *id = NULL, **l = NULL;
        (void)state;
        assert_int_equal(unit_index_resolve(idx, "redis.service", &id), 0);
        assert_string_equal(id, "redis-server.service");
        free(id);
        assert_int_equal(unit_index_resolve(idx, "redis-server.service", &id), 0);
        assert_string_equal(id, "redis-server.service");
        free(id);
        assert_int_equal(unit_index_resolve(idx, "nothere.service", &id), 0);
        assert_string_equal(id, "nothere.service");
        free(id);
        assert_int_equal(unit_index_resolve(idx, "bad name", &id), -EINVAL);

        assert_int_equal(unit_index_aliases(idx, "redis-server.service", &l), 0);
        assert_int_equal(strv_length(l), 1);
        assert_string_equal(l[0], "redis.service");
        l = strv_free(l);
        assert_int_equal(unit_index_list_units(idx, "service", &l), 0);
        assert_true(strv_contains(l, "redis-server.service"));
        assert_false(strv_contains(l, "redis.service"));
        l = strv_free(l);
        assert_int_equal(unit_index_list(idx, "service", &l), 0);
        assert_true(strv_contains(l, "redis.service"));
        strv_free(l);
        unit_index_free(idx);
        fs_root_free(root);
}

/* our drop-in under the alias's name confines the unit: found by either name, and removable by it */
static void test_alias_dropin(void **state) {
        FsRoot *root;
        UnitIndex *idx = index_open(&root);
        Service *s = NULL;
        ConfinementDropIn *d = NULL;
        size_t n = 0;
        (void)state;
        assert_int_equal(unit_index_load(idx, "redis-server.service", &s), 0);
        assert_string_equal(s->root_directory, "/run/confinement/redis-server.service");
        assert_int_equal(service_confinement_dropins(s, &d, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(d[0].unit, "redis.service");
        assert_false(d[0].runtime);
        assert_string_equal(d[0].path, "/etc/systemd/system/redis.service.d/50-confinement.conf");
        confinement_dropins_free(d, n);
        service_free(s);
        assert_int_equal(unit_index_load(idx, "redis.service", &s), 0);
        assert_string_equal(s->id, "redis-server.service");
        assert_int_equal(strv_length(s->names), 2);
        assert_string_equal(s->names[1], "redis.service");
        service_free(s);
        unit_index_free(idx);
        fs_root_free(root);
}

/* the unit without our drop-in: its own RuntimeDirectory= and bounding set, not ours */
static void test_without_confinement(void **state) {
        FsRoot *root;
        UnitIndex *idx = index_open(&root);
        Service *s = NULL;
        (void)state;
        assert_int_equal(unit_index_load_flags(idx, "redis.service", UNIT_LOAD_WITHOUT_CONFINEMENT, &s), 0);
        assert_null(s->root_directory);
        assert_int_equal(strv_length(s->runtime_directory), 1);
        assert_string_equal(s->runtime_directory[0], "redis");
        assert_int_equal(s->capability_bounding_set, UINT64_C(1) << 7); /* CAP_SETUID only */
        assert_string_equal(s->user, "redis");                          /* other drop-ins still count */
        assert_int_equal(strv_length(s->dropin_paths), 1);
        assert_non_null(strstr(s->dropin_paths[0], "10-admin.conf"));
        service_free(s);
        unit_index_free(idx);
        fs_root_free(root);
}

static void assert_line(const Service *s, const char *key, size_t index, unsigned line) {
        const SettingSource *src = service_item_source(s, key, index);
        assert_non_null(src);
        if (src->line != line)
                fail_msg("%s[%zu]: line %u, want %u", key, index, src->line, line);
        assert_string_equal(src->file, "/lib/systemd/system/ssh.service");
}

/* each item of a list cites the line that set it */
static void test_item_sources(void **state) {
        FsRoot *root;
        UnitIndex *idx = index_open(&root);
        Service *s = NULL;
        (void)state;
        assert_int_equal(unit_index_load(idx, "ssh.service", &s), 0);
        assert_line(s, "ExecReload", 0, 8);
        assert_line(s, "ExecReload", 1, 9);
        assert_line(s, "ExecStop", 0, 17);
        assert_line(s, "ExecStop", 1, 17);
        assert_line(s, "EnvironmentFile", 0, 5);
        assert_line(s, "ReadWritePaths", 0, 10);
        assert_line(s, "ReadWritePaths", 1, 10);
        assert_line(s, "ReadWritePaths", 2, 11);
        /* sorted as systemd sorts them, each keeps its line */
        assert_string_equal(s->state_directory[0], "aa");
        assert_line(s, "StateDirectory", 0, 13);
        assert_line(s, "StateDirectory", 1, 12);
        /* A set again replaces the earlier value in place; a continued line cites its first line */
        assert_string_equal(s->environment[0], "A=3");
        assert_line(s, "Environment", 0, 16);
        assert_line(s, "Environment", 1, 14);
        /* the setting as a whole: its last assignment */
        assert_int_equal(service_source(s, "ExecReload")->line, 9);
        service_free(s);
        unit_index_free(idx);
        fs_root_free(root);
}

/* ExecStart= shown as a unit file would spell it: nginx's -g argument stays one word */
static void test_exec_quoting(void **state) {
        FsRoot *root;
        UnitIndex *idx = index_open(&root);
        Service *s = NULL;
        char *t = NULL, **roots = NULL;
        (void)state;
        assert_int_equal(unit_index_load(idx, "nginx.service", &s), 0);
        assert_int_equal(exec_argv_to_string(s->exec[EXEC_START].items[0].argv + 1, &t), 0);
        assert_string_equal(t, "-g \"daemon on; master_process on;\"");
        free(t);
        char *odd[] = {"", ";", "a\"b\\c", "tab\there", "plain", NULL};
        assert_int_equal(exec_argv_to_string(odd, &t), 0);
        assert_string_equal(t, "\"\" \";\" \"a\\\"b\\\\c\" \"tab\\there\" plain");
        /* and read back to the same words */
        const char *p = t;
        for (size_t i = 0; odd[i]; i++) {
                char *w = NULL;
                assert_int_equal(unit_extract_word(&p, &w), 1);
                assert_string_equal(w, odd[i]);
                free(w);
        }
        free(t);
        /* one program, three Exec lines: one closure root */
        assert_int_equal(service_closure_roots(s, &roots), 0);
        assert_int_equal(strv_length(roots), 1);
        assert_string_equal(roots[0], "/usr/sbin/nginx");
        strv_free(roots);
        service_free(s);
        unit_index_free(idx);
        fs_root_free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alias),
                cmocka_unit_test(test_alias_dropin),
                cmocka_unit_test(test_without_confinement),
                cmocka_unit_test(test_item_sources),
                cmocka_unit_test(test_exec_quoting),
        };
        return cmocka_run_group_tests_name("unit-file", tests, setup, teardown);
}
