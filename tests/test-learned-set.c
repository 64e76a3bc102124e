/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "learned-set.h"
#include "macro.h"

static char root[] = "/tmp/test-learned-set.XXXXXX";
static int root_fd = -EBADF;

static int setup(void **state) {
        assert_non_null(mkdtemp(root));
        root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(root_fd >= 0);
        return 0;
}

static int teardown(void **state) {
        char cmd[600];
        close(root_fd);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        return system(cmd);
}

/* The file below the test root, as text. */
static char *slurp(const char *rel) {
        char *text = NULL;
        int fd = openat(root_fd, rel, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        text = calloc(1, st.st_size + 1);
        assert_int_equal(read(fd, text, st.st_size), st.st_size);
        close(fd);
        return text;
}

static void spill(const char *rel, const char *text) {
        char full[600];
        snprintf(full, sizeof full, "%s/%s", root, rel);
        FILE *f = fopen(full, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* What the learned directory holds besides name: temporary files left behind would show here. */
static int others_in_dir(const char *name) {
        char dir[600];
        int n = 0;
        snprintf(dir, sizeof dir, "%s/%s", root, LEARNED_DIR);
        DIR *d = opendir(dir);
        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") && !streq(de->d_name, name))
                        n++;
        closedir(d);
        return n;
}

static void test_round_trip(void **state) {
        LearnedSet *s, *back;
        char *err = NULL, *again = NULL;
        assert_int_equal(learned_set_new("foo.service", &s), 0);
        assert_int_equal(learned_set_add(s, "/opt/foo/data", NULL, false, false, 42, "cat"), 1);
        assert_int_equal(learned_set_add(s, "/var/lib/foo/out", NULL, true, false, 43, "sh"), 1);
        assert_int_equal(learned_set_add(s, "/srv/foo/spool", NULL, true, true, 43, "sh"), 1);
        assert_int_equal(
                learned_set_add(s, "/etc/localtime", "/usr/share/zoneinfo/Etc/UTC", false, false, 44, "foo"),
                1);
        /* a name a process chose itself is kept printable: it lands in a unit file's comment */
        assert_int_equal(learned_set_add(s, "/opt/foo/odd name:%x", NULL, false, false, 45, "ev\nil\x7f"), 1);
        /* what no unit file (or JSON) can name is refused, not mangled */
        assert_int_equal(learned_set_add(s, "/opt/new\nline", NULL, false, false, 46, "x"), -EINVAL);
        assert_int_equal(learned_set_add(s, "relative/path", NULL, false, false, 46, "x"), -EINVAL);
        assert_int_equal(learned_set_add(s, "/opt/\xff\xfe", NULL, false, false, 46, "x"), -EINVAL);
        assert_int_equal(learned_set_size(s), 5);

        assert_int_equal(learned_set_save(root_fd, s), 0);
        assert_int_equal(learned_set_load(root_fd, "foo.service", &back, &err), 0);
        assert_null(err);
        assert_string_equal(learned_set_unit(back), "foo.service");
        assert_int_equal(learned_set_size(back), 5);
        const LearnedFile *f = learned_set_get(back, "/opt/foo/data");
        assert_non_null(f);
        assert_false(f->write);
        assert_false(f->directory);
        assert_int_equal(f->pid, 42);
        assert_string_equal(f->comm, "cat");
        assert_null(f->real);
        f = learned_set_get(back, "/var/lib/foo/out");
        assert_true(f->write);
        f = learned_set_get(back, "/srv/foo/spool");
        assert_true(f->write && f->directory);
        f = learned_set_get(back, "/etc/localtime");
        assert_string_equal(f->real, "/usr/share/zoneinfo/Etc/UTC");
        f = learned_set_get(back, "/opt/foo/odd name:%x");
        assert_string_equal(f->comm, "ev?il?");

        /* the file is the set, sorted by path: saving what was loaded writes the same text */
        char *text = slurp(LEARNED_DIR "/foo.service.json");
        assert_non_null(text);
        assert_non_null(strstr(text, "\"unit\": \"foo.service\""));
        assert_non_null(strstr(text, "\"access\": \"write\""));
        assert_true(strstr(text, "/etc/localtime") < strstr(text, "/opt/foo/data"));
        assert_int_equal(learned_set_to_json_string(back, &again), 0);
        assert_string_equal(text, again);
        free(text);
        free(again);
        learned_set_free(back);
        learned_set_free(s);
}

static void test_merge(void **state) {
        LearnedSet *a, *b, *all;
        char *err = NULL;
        /* within a set: the first process stays, a write wins over a read, a read does not undo a write */
        assert_int_equal(learned_set_new("bar.service", &a), 0);
        assert_int_equal(learned_set_add(a, "/etc/bar.conf", NULL, false, false, 10, "bar"), 1);
        assert_int_equal(learned_set_add(a, "/etc/bar.conf", NULL, true, false, 11, "helper"), 0);
        assert_true(learned_set_get(a, "/etc/bar.conf")->write);
        assert_int_equal(learned_set_get(a, "/etc/bar.conf")->pid, 10);
        assert_string_equal(learned_set_get(a, "/etc/bar.conf")->comm, "bar");
        assert_int_equal(learned_set_add(a, "/var/lib/bar/db", NULL, true, false, 10, "bar"), 1);
        assert_int_equal(learned_set_add(a, "/var/lib/bar/db", NULL, false, false, 12, "bar"), 0);
        assert_true(learned_set_get(a, "/var/lib/bar/db")->write);
        assert_int_equal(learned_set_add(a, "/usr/share/bar/x", NULL, false, false, 10, "bar"), 1);
        assert_int_equal(learned_set_merge_save(root_fd, a, &err), 0); /* nothing saved yet: saved as is */

        /* a later learn: the union, write wins, the first process seen stays */
        assert_int_equal(learned_set_new("bar.service", &b), 0);
        assert_int_equal(learned_set_add(b, "/usr/share/bar/x", NULL, true, false, 99, "later"), 1);
        assert_int_equal(learned_set_add(b, "/etc/bar.conf", NULL, false, false, 99, "later"), 1);
        assert_int_equal(learned_set_add(b, "/opt/bar/plugin.so", NULL, false, false, 99, "later"), 1);
        assert_int_equal(learned_set_merge_save(root_fd, b, &err), 0);
        assert_null(err);
        assert_int_equal(learned_set_load(root_fd, "bar.service", &all, &err), 0);
        assert_int_equal(learned_set_size(all), 4);
        assert_true(learned_set_get(all, "/usr/share/bar/x")->write);
        assert_string_equal(learned_set_get(all, "/usr/share/bar/x")->comm, "bar");
        assert_true(learned_set_get(all, "/etc/bar.conf")->write);
        assert_true(learned_set_get(all, "/var/lib/bar/db")->write);
        assert_false(learned_set_get(all, "/opt/bar/plugin.so")->write);
        assert_string_equal(learned_set_get(all, "/opt/bar/plugin.so")->comm, "later");
        learned_set_free(a);
        learned_set_free(b);
        learned_set_free(all);
}

static void test_corrupt(void **state) {
        static const struct {
                const char *text, *words; /* what the error must say */
        } rows[] = {
                {"{\"unit\": \"baz.service\", \"files\": [", "not valid JSON"},
                {"", "not valid JSON"},
                {"[1, 2]", "not a learned set"},
                {"{\"unit\": \"baz.service\", \"files\": {}}", "\"files\" is not a list"},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": \"/x\", \"access\": \"exec\"}]}",
                 "not \"read\" or \"write\""},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": \"x\", \"access\": \"read\"}]}",
                 "not an absolute path"},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": \"/a\\nb\", \"access\": \"read\"}]}",
                 "control characters"},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": \"/x\", \"access\": \"read\", \"pid\": "
                 "-3}]}",
                 "out of range"},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": \"/x\", \"access\": \"read\", "
                 "\"colour\": 1}]}",
                 "entry 1"},
                {"{\"unit\": \"baz.service\", \"files\": [{\"path\": 7, \"access\": \"read\"}]}", "entry 1"},
                {"{\"unit\": \"../../etc\", \"files\": []}", "not a valid unit name"},
                {"{\"unit\": \"other.service\", \"files\": []}",
                 "the learned set of other.service, not of baz.service"},
        };
        LearnedSet *s, *fresh;
        assert_int_equal(learned_set_new("baz.service", &fresh), 0);
        assert_int_equal(learned_set_add(fresh, "/opt/baz", NULL, false, false, 1, "baz"), 1);
        assert_int_equal(learned_set_save(root_fd, fresh), 0); /* makes the directory */
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                char *err = NULL, *after;
                spill(LEARNED_DIR "/baz.service.json", rows[i].text);
                assert_int_equal(learned_set_load(root_fd, "baz.service", &s, &err), -EINVAL);
                assert_non_null(err);
                if (!strstr(err, rows[i].words))
                        fail_msg("row %zu: '%s' does not say '%s'", i, err, rows[i].words);
                free(err);
                /* a later learn refuses to merge into it, and leaves it as it was */
                err = NULL;
                assert_int_equal(learned_set_merge_save(root_fd, fresh, &err), -EINVAL);
                assert_non_null(err);
                free(err);
                after = slurp(LEARNED_DIR "/baz.service.json");
                assert_string_equal(after, rows[i].text);
                free(after);
        }
        /* a link planted where the file belongs is not followed */
        char link[600], *err = NULL;
        snprintf(link, sizeof link, "%s/%s/baz.service.json", root, LEARNED_DIR);
        unlink(link);
        assert_int_equal(symlink("/etc/passwd", link), 0);
        assert_int_equal(learned_set_load(root_fd, "baz.service", &s, &err), -EINVAL);
        assert_non_null(strstr(err, "symbolic link"));
        free(err);
        unlink(link);
        err = NULL;
        assert_int_equal(learned_set_load(root_fd, "baz.service", &s, &err), -ENOENT);
        learned_set_free(fresh);
}

static void test_atomic(void **state) {
        LearnedSet *small, *big;
        assert_int_equal(learned_set_new("qux.service", &small), 0);
        assert_int_equal(learned_set_add(small, "/opt/qux", NULL, false, false, 1, "qux"), 1);
        assert_int_equal(learned_set_save(root_fd, small), 0);
        char *before = slurp(LEARNED_DIR "/qux.service.json");
        assert_non_null(before);
        int others = others_in_dir("qux.service.json");

        /* a write that fails half-way (here: the file size limit, as a full disk would): the old file stays
         * as it was, and no temporary file is left */
        assert_int_equal(learned_set_new("qux.service", &big), 0);
        for (int i = 0; i < 2000; i++) {
                char p[64];
                snprintf(p, sizeof p, "/opt/qux/file-%04d", i);
                assert_int_equal(learned_set_add(big, p, NULL, i % 2, false, i, "qux"), 1);
        }
        struct rlimit old, lim = {.rlim_cur = strlen(before) + 10, .rlim_max = RLIM_INFINITY};
        void (*saved)(int) = signal(SIGXFSZ, SIG_IGN);
        assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
        lim.rlim_max = old.rlim_max;
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
        int r = learned_set_save(root_fd, big);
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
        signal(SIGXFSZ, saved);
        assert_int_equal(r, -EFBIG);
        char *after = slurp(LEARNED_DIR "/qux.service.json");
        assert_string_equal(before, after);
        assert_int_equal(others_in_dir("qux.service.json"), others);

        /* where the file should go a directory stands: refused, nothing left behind */
        char dir[600];
        snprintf(dir, sizeof dir, "%s/%s/dirty.service.json", root, LEARNED_DIR);
        assert_int_equal(mkdir(dir, 0755), 0);
        LearnedSet *d;
        assert_int_equal(learned_set_new("dirty.service", &d), 0);
        assert_int_equal(learned_set_add(d, "/opt/d", NULL, false, false, 1, "d"), 1);
        assert_true(learned_set_save(root_fd, d) < 0);
        assert_int_equal(others_in_dir("qux.service.json"), others + 1); /* the directory itself */
        assert_int_equal(rmdir(dir), 0);

        /* and a successful write leaves only its file */
        assert_int_equal(learned_set_save(root_fd, big), 0);
        assert_int_equal(others_in_dir("qux.service.json"), others);
        free(before);
        free(after);
        learned_set_free(d);
        learned_set_free(small);
        learned_set_free(big);
}

/* A disk of a few files and a plan that shows some of them, for learned_set_add_to_plan(). */
static const struct {
        const char *path;
        mode_t type;
} disk[] = {
        {"/opt/app/data", S_IFREG},
        {"/etc/shadow", S_IFREG},
        {"/etc/ssh/ssh_host_ed25519_key", S_IFREG},
        {"/etc/ssh/ssh_host_ed25519_key.pub", S_IFREG},
        {"/etc/ssh/moduli", S_IFREG},
        {"/home/alice/.profile", S_IFREG},
        {"/srv/app/spool", S_IFDIR},
        {"/srv/app/spool/job-1", S_IFREG},
        {"/etc", S_IFDIR},
        {"/etc/app.state", S_IFREG},
        {"/usr/lib/app/plugin.so", S_IFREG},
        {"/usr/lib/app", S_IFDIR},
        {"/var/lib/app/db", S_IFREG},
        {"/run/app.pid", S_IFREG},
        {"/run/app/conf", S_IFREG},
        {"/run/app/sock", S_IFSOCK},
        {"/usr/share/zoneinfo/Etc/UTC", S_IFREG},
        {"/etc/app-ro.conf", S_IFREG},
};

static int fake_chase(const char *path, const char **ret_real, struct stat *ret_st, void *userdata) {
        const char *p = streq(path, "/etc/localtime") ? "/usr/share/zoneinfo/Etc/UTC" : path;
        for (size_t i = 0; i < ELEMENTSOF(disk); i++)
                if (streq(disk[i].path, p)) {
                        *ret_real = disk[i].path;
                        *ret_st = (struct stat){.st_mode = disk[i].type | 0644};
                        return 0;
                }
        return -ENOENT;
}

static bool fake_covered(const char *path, void *userdata) {
        const MountPlan *p = userdata;
        if (streq(path, "/usr/lib/app/plugin.so") || streq(path, "/etc/app-ro.conf"))
                return true; /* in the closure already, read-only */
        for (size_t i = 0; i < p->n_binds; i++) {
                const char *rest = startswith(path, p->binds[i].dest);
                if (rest && (*rest == 0 || (*rest == '/' && p->binds[i].directory)))
                        return true;
        }
        return false;
}

static bool fake_writable(const char *path, void *userdata) {
        const MountPlan *p = userdata;
        for (size_t i = 0; i < p->n_binds; i++) {
                const char *rest = startswith(path, p->binds[i].dest);
                if (p->binds[i].writable && rest && (*rest == 0 || (*rest == '/' && p->binds[i].directory)))
                        return true;
        }
        return false;
}

static const Bind *find(const MountPlan *p, const char *dest) {
        for (size_t i = 0; i < p->n_binds; i++)
                if (streq(p->binds[i].dest, dest))
                        return p->binds + i;
        return NULL;
}

static bool warned(const MountPlan *p, const char *what) {
        for (char **w = p->warnings; w && *w; w++)
                if (strstr(*w, what))
                        return true;
        return false;
}

static void test_hazards(void **state) {
        static const struct {
                const char *path;
                bool hazard;
        } rows[] = {
                {"/etc/shadow", true},
                {"/etc/gshadow", true},
                {"/etc/shadow-", true},
                {"/root/.bashrc", true},
                {"/home/alice/.profile", true},
                {"/etc/ssl/private/host.pem", true},
                {"/etc/nginx/cert.key", true}, /* another service's key: no own list here */
                {"/etc/ssh/ssh_host_ed25519_key", true},
                {"/etc/ssh/ssh_host_key", true},
                {"/etc/ssh/ssh_host_rsa_key.pub", false},
                {"/etc/ssh/moduli", false},
                {"/etc/ssh/sshd_config", false},
                {"/etc/passwd", false},
                {"/opt/app/data", false},
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                if (learned_path_is_hazard(rows[i].path) != rows[i].hazard)
                        fail_msg("%s: expected %s", rows[i].path, rows[i].hazard ? "a hazard" : "no hazard");
        assert_true(learned_path_is_skipped("/proc/self/status"));
        assert_true(learned_path_is_skipped("/run/confinement/app.service/run/x"));
        assert_true(learned_path_is_skipped("/tmp/x"));
        assert_true(learned_path_is_skipped("/var/tmp"));
        assert_false(learned_path_is_skipped("/tmpfoo"));
        assert_false(learned_path_is_skipped("/run/app/conf"));

        LearnedSet *s;
        MountPlan p = {};
        LearnedPlanOps ops = {fake_chase, fake_covered, fake_writable, &p};
        assert_int_equal(learned_set_new("app.service", &s), 0);
        learned_set_add(s, "/opt/app/data", NULL, false, false, 7, "cat");
        learned_set_add(s, "/etc/shadow", NULL, false, false, 7, "cat");
        learned_set_add(s, "/etc/ssh/ssh_host_ed25519_key", NULL, false, false, 7, "app");
        learned_set_add(s, "/etc/ssh/ssh_host_ed25519_key.pub", NULL, false, false, 7, "app");
        learned_set_add(s, "/home/alice/.profile", NULL, false, false, 7, "app");
        learned_set_add(s, "/proc/1/status", NULL, false, false, 7, "app");
        learned_set_add(s, "/tmp/scratch", NULL, true, false, 7, "app");
        learned_set_add(s, "/srv/app/spool", NULL, true, true, 7, "app");
        learned_set_add(s, "/srv/app/spool/job-1", NULL, true, false, 7, "app");
        learned_set_add(s, "/etc", NULL, true, true, 7, "app"); /* it created /etc/app.state */
        learned_set_add(s, "/etc/app.state", NULL, true, false, 7, "app");
        learned_set_add(s, "/usr/lib/app", NULL, false, true, 7, "app"); /* read: not bound */
        learned_set_add(s, "/usr/lib/app/plugin.so", NULL, false, false, 7, "app");
        learned_set_add(s, "/etc/app-ro.conf", NULL, true, false, 7, "app");
        learned_set_add(s, "/var/lib/app/db", NULL, true, false, 7, "app");
        learned_set_add(s, "/var/lib/app/gone.tmp", NULL, true, false, 7, "app");
        learned_set_add(s, "/run/app.pid", NULL, true, false, 7, "app");
        learned_set_add(s, "/run/app/conf", NULL, false, false, 7, "app");
        learned_set_add(s, "/run/app/sock", NULL, false, false, 7, "app");
        learned_set_add(s, "/etc/localtime", "/usr/share/zoneinfo/Etc/UTC", false, false, 7, "app");
        assert_int_equal(learned_set_add_to_plan(s, &p, &ops), 0);

        /* hazards: warnings, never binds */
        assert_null(find(&p, "/etc/shadow"));
        assert_true(warned(&p, "/etc/shadow (learned: opened by cat) is never bound"));
        assert_null(find(&p, "/etc/ssh/ssh_host_ed25519_key"));
        assert_true(warned(&p, "/etc/ssh/ssh_host_ed25519_key (learned"));
        assert_non_null(find(&p, "/etc/ssh/ssh_host_ed25519_key.pub"));
        assert_null(find(&p, "/home/alice/.profile"));
        assert_true(warned(&p, "/home/alice/.profile"));
        /* what the mode brings, never bound */
        assert_null(find(&p, "/proc/1/status"));
        assert_null(find(&p, "/tmp/scratch"));
        /* read-only or writable as observed, with the reason */
        const Bind *b = find(&p, "/opt/app/data");
        assert_non_null(b);
        assert_false(b->writable);
        assert_string_equal(b->source, "/opt/app/data");
        assert_string_equal(b->why, "learned: opened by cat");
        b = find(&p, "/var/lib/app/db");
        assert_true(b && b->writable && !b->directory);
        /* a directory it created files in: writable whole, and its files need no bind of their own */
        b = find(&p, "/srv/app/spool");
        assert_true(b && b->writable && b->directory);
        assert_string_equal(b->why, "learned: app created files in it");
        assert_null(find(&p, "/srv/app/spool/job-1"));
        /* but never a wide one: its files one by one, and a warning */
        assert_null(find(&p, "/etc"));
        assert_true(warned(&p, "created files in /etc"));
        b = find(&p, "/etc/app.state");
        assert_true(b && b->writable);
        /* read directories, what the root shows already, what is gone: nothing */
        assert_null(find(&p, "/usr/lib/app"));
        assert_null(find(&p, "/usr/lib/app/plugin.so"));
        assert_null(find(&p, "/var/lib/app/gone.tmp"));
        /* written, but read-only in the root: said */
        assert_true(warned(&p, "/etc/app-ro.conf was written by app"));
        /* /run: what it writes there stays in the root's own /run; what it reads may be gone next time */
        assert_null(find(&p, "/run/app.pid"));
        b = find(&p, "/run/app/conf");
        assert_true(b && !b->writable && b->ignore_missing);
        assert_null(find(&p, "/run/app/sock"));
        /* a path through a symlink: the real file, bound where the service asked for it */
        b = find(&p, "/etc/localtime");
        assert_non_null(b);
        assert_string_equal(b->source, "/usr/share/zoneinfo/Etc/UTC");
        assert_false(find(&p, "/usr/share/zoneinfo/Etc/UTC"));

        /* the drop-in says why each learned bind is there */
        ConfineSettings st;
        char *text = NULL, *err = NULL, *j = NULL;
        confine_settings_init(&st);
        st.learned = true;
        assert_int_equal(confine_render_dropin(&st, &p, "0.1.0", &text, &err), 0);
        assert_non_null(
                strstr(text, "\n# /opt/app/data: learned: opened by cat\nBindReadOnlyPaths=/opt/app/data\n"));
        assert_null(strstr(text, "shadow"));
        assert_null(strstr(text, "ssh_host_ed25519_key\n"));
        /* and the setting reads back */
        ConfineSettings back;
        assert_int_equal(confine_dropin_parse(text, &back, &err), 0);
        assert_true(back.learned);
        confine_settings_done(&back);
        st.learned = false;
        assert_int_equal(confine_settings_to_json_string(&st, &j), 0);
        assert_null(strstr(j, "learned")); /* unset: the header stays as before */
        assert_int_equal(confine_settings_from_json_string(j, &back, &err), 0);
        assert_false(back.learned);
        free(j);
        free(text);
        confine_settings_done(&back);
        confine_settings_done(&st);
        mount_plan_done(&p);
        learned_set_free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip), cmocka_unit_test(test_merge),
                cmocka_unit_test(test_corrupt),    cmocka_unit_test(test_atomic),
                cmocka_unit_test(test_hazards),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
