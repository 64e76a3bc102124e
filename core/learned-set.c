/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>

#include "dropin-write.h"
#include "fileio.h"
#include "hashmap.h"
#include "learned-set.h"
#include "macro.h"
#include "path-util.h"
#include "unit-closure.h"
#include "unit-name.h"

struct LearnedSet {
        char *unit;
        LearnedFile *files;
        size_t n_files, allocated;
        Hashmap *index; /* path -> index + 1; keys are the files' own path strings */
};

int learned_set_new(const char *unit, LearnedSet **ret) {
        if (!unit_name_is_valid(unit, UNIT_NAME_ANY))
                return -EINVAL;
        LearnedSet *s = calloc(1, sizeof(LearnedSet));
        if (!s)
                return -ENOMEM;
        s->unit = strdup(unit);
        s->index = hashmap_new();
        if (!s->unit || !s->index) {
                learned_set_free(s);
                return -ENOMEM;
        }
        *ret = s;
        return 0;
}

LearnedSet *learned_set_free(LearnedSet *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].path);
                free(s->files[i].real);
                free(s->files[i].comm);
        }
        free(s->files);
        hashmap_free(s->index);
        free(s->unit);
        free(s);
        return NULL;
}

const char *learned_set_unit(const LearnedSet *s) {
        return s->unit;
}

size_t learned_set_size(const LearnedSet *s) {
        return s->n_files;
}

const LearnedFile *learned_set_file(const LearnedSet *s, size_t i) {
        return i < s->n_files ? s->files + i : NULL;
}

const LearnedFile *learned_set_get(const LearnedSet *s, const char *path) {
        uintptr_t i = (uintptr_t)hashmap_get(s->index, path);
        return i ? s->files + i - 1 : NULL;
}

static bool utf8_valid(const unsigned char *p) {
        while (*p) {
                size_t n = *p < 0x80             ? 0
                           : (*p & 0xe0) == 0xc0 ? 1
                           : (*p & 0xf0) == 0xe0 ? 2
                           : (*p & 0xf8) == 0xf0 ? 3
                                                 : 4;
                if (n == 4 || (n == 1 && *p < 0xc2))
                        return false;
                for (size_t k = 1; k <= n; k++)
                        if ((p[k] & 0xc0) != 0x80)
                                return false;
                p += n + 1;
        }
        return true;
}

bool learned_path_is_valid(const char *path) {
        if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
                return false;
        for (const unsigned char *c = (const unsigned char *)path; *c; c++)
                if (*c < 0x20 || *c == 0x7f)
                        return false;
        return utf8_valid((const unsigned char *)path);
}

/* A process name as it may be shown and written into a unit file's comment: printable ASCII only. */
static char *comm_sanitize(const char *comm) {
        char *c = strndup(comm && *comm ? comm : "?", 64);
        for (char *p = c; p && *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                        *p = '?';
        return c;
}

int learned_set_add(LearnedSet *s, const char *path, const char *real, bool write, bool directory,
                    uint32_t pid, const char *comm) {
        if (!learned_path_is_valid(path) || (real && !learned_path_is_valid(real)))
                return -EINVAL;
        if (real && streq(real, path))
                real = NULL;
        uintptr_t i = (uintptr_t)hashmap_get(s->index, path);
        if (i) {
                LearnedFile *f = s->files + i - 1;
                f->write = f->write || write;
                f->directory = f->directory || directory;
                if (!f->real && real && !(f->real = strdup(real)))
                        return -ENOMEM;
                return 0;
        }
        if (!GROW(s->files, s->allocated, s->n_files + 1))
                return -ENOMEM;
        LearnedFile f = {.path = strdup(path),
                         .real = real ? strdup(real) : NULL,
                         .write = write,
                         .directory = directory,
                         .pid = pid,
                         .comm = comm_sanitize(comm)};
        if (!f.path || (real && !f.real) || !f.comm ||
            hashmap_put(s->index, f.path, (void *)(uintptr_t)(s->n_files + 1), NULL) < 0) {
                free(f.path);
                free(f.real);
                free(f.comm);
                return -ENOMEM;
        }
        s->files[s->n_files++] = f;
        return 1;
}

int learned_set_merge(LearnedSet *into, const LearnedSet *from) {
        for (size_t i = 0; i < from->n_files; i++) {
                const LearnedFile *f = from->files + i;
                int r = learned_set_add(into, f->path, f->real, f->write, f->directory, f->pid, f->comm);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_file(const void *a, const void *b) {
        return strcmp(((const LearnedFile *)a)->path, ((const LearnedFile *)b)->path);
}

int learned_set_to_json_string(const LearnedSet *s, char **ret) {
        /* sorted by path: the file diffs well from one learn to the next */
        _cleanup_free_ LearnedFile *sorted = s->n_files ? malloc(s->n_files * sizeof(LearnedFile)) : NULL;
        if (s->n_files && !sorted)
                return -ENOMEM;
        if (s->n_files)
                memcpy(sorted, s->files, s->n_files * sizeof(LearnedFile));
        qsort(sorted, s->n_files, sizeof(LearnedFile), cmp_file);

        json_t *files = json_array(), *o = NULL;
        int r = files ? 0 : -ENOMEM;
        for (size_t i = 0; i < s->n_files && r >= 0; i++) {
                const LearnedFile *f = sorted + i;
                json_t *e =
                        json_pack("{s:s, s:s, s:I, s:s}", "path", f->path, "access",
                                  f->write ? "write" : "read", "pid", (json_int_t)f->pid, "comm", f->comm);
                if (!e || (f->real && json_object_set_new(e, "real", json_string(f->real)) < 0) ||
                    (f->directory && json_object_set_new(e, "directory", json_true()) < 0)) {
                        json_decref(e);
                        r = -ENOMEM;
                } else if (json_array_append_new(files, e) < 0)
                        r = -ENOMEM;
        }
        if (r >= 0) {
                o = json_pack("{s:s, s:o}", "unit", s->unit, "files", files);
                files = NULL;
        }
        json_decref(files);
        char *text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(o);
        if (!text)
                return -ENOMEM;
        /* a text file ends with a newline */
        char *t = realloc(text, strlen(text) + 2);
        if (!t) {
                free(text);
                return -ENOMEM;
        }
        strcat(t, "\n");
        *ret = t;
        return 0;
}

static int bad(char **reterr, const char *fmt, ...) _printf_(2, 3);
static int bad(char **reterr, const char *fmt, ...) {
        if (reterr && !*reterr) {
                va_list ap;
                va_start(ap, fmt);
                if (vasprintf(reterr, fmt, ap) < 0)
                        *reterr = NULL;
                va_end(ap);
        }
        return -EINVAL;
}

int learned_set_from_json_string(const char *text, LearnedSet **ret, char **reterr) {
        _cleanup_(learned_set_freep) LearnedSet *s = NULL;
        json_error_t err;
        json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &err), *files = NULL, *e;
        const char *unit = NULL;
        size_t i;
        int r = 0;

        if (!o)
                return bad(reterr, "not valid JSON: %s (line %d, column %d)", err.text, err.line, err.column);
        if (json_unpack_ex(o, &err, 0, "{s:s, s:o}", "unit", &unit, "files", &files) < 0) {
                r = bad(reterr, "not a learned set (a \"unit\" name and a \"files\" list): %s", err.text);
                goto finish;
        }
        if (!json_is_array(files)) {
                r = bad(reterr, "not a learned set: \"files\" is not a list");
                goto finish;
        }
        r = learned_set_new(unit, &s);
        if (r == -EINVAL)
                r = bad(reterr, "\"%s\" is not a valid unit name", unit);
        json_array_foreach(files, i, e) {
                const char *path, *access, *comm = NULL, *real = NULL;
                json_int_t pid = 0;
                int directory = 0;
                if (r < 0)
                        break;
                if (json_unpack_ex(e, &err, JSON_STRICT, "{s:s, s:s, s?I, s?s, s?s, s?b}", "path", &path,
                                   "access", &access, "pid", &pid, "comm", &comm, "real", &real, "directory",
                                   &directory) < 0) {
                        r = bad(reterr, "entry %zu of \"files\": %s", i + 1, err.text);
                        break;
                }
                if (!streq(access, "read") && !streq(access, "write")) {
                        r = bad(reterr,
                                "entry %zu of \"files\" (%s): access is \"%s\", not \"read\" or \"write\"",
                                i + 1, path, access);
                        break;
                }
                if (pid < 0 || pid > INT32_MAX) {
                        r = bad(reterr,
                                "entry %zu of \"files\" (%s): pid %" JSON_INTEGER_FORMAT " is out of range",
                                i + 1, path, pid);
                        break;
                }
                r = learned_set_add(s, path, real, streq(access, "write"), directory, (uint32_t)pid, comm);
                if (r == -EINVAL)
                        r = bad(reterr,
                                "entry %zu of \"files\": '%s' is not an absolute path a unit file can name "
                                "(relative, or with control characters)",
                                i + 1, real && learned_path_is_valid(path) ? real : path);
        }
finish:
        json_decref(o);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int learned_set_path(const char *unit, char **ret) {
        if (!unit_name_is_valid(unit, UNIT_NAME_ANY))
                return -EINVAL;
        if (asprintf(ret, "%s/%s.json", LEARNED_DIR, unit) < 0)
                return -ENOMEM;
        return 0;
}

int learned_set_load(int root_fd, const char *unit, LearnedSet **ret, char **reterr) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        LearnedSet *s;
        int r = learned_set_path(unit, &path);
        if (r < 0)
                return r;
        /* O_NOFOLLOW: a link planted there is not ours to follow */
        r = read_full_file_at(root_fd, path, O_NOFOLLOW, LEARNED_FILE_MAX, &text, NULL);
        if (r == -ENOENT)
                return r;
        if (r == -ELOOP)
                return bad(reterr, "it is a symbolic link, which sdconfine does not follow");
        if (r < 0) {
                (void)bad(reterr, "%s", error_words(-r));
                return r;
        }
        r = learned_set_from_json_string(text, &s, reterr);
        if (r < 0)
                return r;
        if (!streq(s->unit, unit)) {
                r = bad(reterr, "it is the learned set of %s, not of %s", s->unit, unit);
                learned_set_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int learned_set_save(int root_fd, const LearnedSet *s) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        _cleanup_close_ int dfd = -EBADF;
        int r = mkdirs_at(root_fd, LEARNED_DIR, 0755);
        if (r < 0)
                return r;
        dfd = openat(root_fd, LEARNED_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        r = learned_set_to_json_string(s, &text);
        if (r < 0)
                return r;
        if (asprintf(&name, "%s.json", s->unit) < 0)
                return -ENOMEM;
        return atomic_write_at(dfd, name, text, 0644);
}

int learned_set_merge_save(int root_fd, const LearnedSet *s, char **reterr) {
        _cleanup_(learned_set_freep) LearnedSet *all = NULL;
        int r = learned_set_load(root_fd, s->unit, &all, reterr);
        if (r == -ENOENT)
                return learned_set_save(root_fd, s);
        if (r < 0)
                return r;
        r = learned_set_merge(all, s);
        if (r < 0)
                return r;
        return learned_set_save(root_fd, all);
}

int learned_set_export(int root_fd, const char *unit, char **ret, char **reterr) {
        _cleanup_(learned_set_freep) LearnedSet *s = NULL;
        int r = learned_set_load(root_fd, unit, &s, reterr);
        if (r < 0)
                return r;
        return learned_set_to_json_string(s, ret);
}

int learned_set_import(int root_fd, const char *unit, const char *json, char **reterr) {
        _cleanup_(learned_set_freep) LearnedSet *s = NULL;
        int r = learned_set_from_json_string(json, &s, reterr);
        if (r < 0)
                return r;
        if (!streq(s->unit, unit))
                return bad(reterr, "it is the learned set of %s, not of %s", s->unit, unit);
        return learned_set_merge_save(root_fd, s, reterr);
}

bool learned_path_is_skipped(const char *path) {
        static const char *const api[] = {"/proc",
                                          "/sys",
                                          "/dev",
                                          "/tmp",
                                          "/var/tmp",
                                          "/run/confinement",
                                          "/run/private/confinement",
                                          "/run/sdconfine",
                                          "/var/lib/sdconfine/root",
                                          "/run/systemd/unit-root"};
        for (size_t i = 0; i < ELEMENTSOF(api); i++)
                if (path_is_under(path, api[i]))
                        return true;
        return streq(path, "/");
}

bool learned_path_is_hazard(const char *path) {
        if (unit_path_is_hazard(path, NULL))
                return true;
        /* sshd's host keys, whatever their names: what is not a public key below /etc/ssh */
        const char *rest = startswith(path, "/etc/ssh/");
        if (!rest || strchr(rest, '/'))
                return false;
        size_t n = strlen(rest);
        return strstr(rest, "key") && !(n > 4 && streq(rest + n - 4, ".pub"));
}

/* The root's own /run (also at /var/run, /var/lock): what the service writes there stays in its root. */
static bool in_run(const char *path) {
        return path_is_under(path, "/run") || path_is_under(path, "/var/run") ||
               path_is_under(path, "/var/lock");
}

/* Directories never bound writable whole because learning saw a file created in them. */
static bool dir_too_wide(const char *dir) {
        static const char *const run[] = {"/run",      "/var/run",     "/run/lock",     "/var/lock",
                                          "/run/user", "/run/systemd", "/run/sdconfine"};
        for (size_t i = 0; i < ELEMENTSOF(run); i++)
                if (streq(dir, run[i]))
                        return true;
        return unit_dir_is_wide(dir) || !strchr(dir + 1, '/') || learned_path_is_hazard(dir);
}

/* Add a bind, and mark it for a file of /run that may be gone by the next start. */
static int add_bind(MountPlan *p, const char *source, const char *dest, bool writable, bool directory,
                    const char *why) {
        int r = mount_plan_add(p, source, dest, writable, directory, false, why);
        if (r < 0 || !in_run(dest))
                return r;
        for (size_t k = 0; k < p->n_binds; k++)
                if (streq(p->binds[k].dest, dest))
                        p->binds[k].ignore_missing = true;
        return 0;
}

static int warn(MountPlan *p, const char *fmt, ...) _printf_(2, 3);
static int warn(MountPlan *p, const char *fmt, ...) {
        char *w;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&w, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (strv_contains(p->warnings, w)) {
                free(w);
                return 0;
        }
        return strv_push(&p->warnings, w);
}

/* What the plan does with one learned entry; 1 when it was bound. */
static int add_one(const LearnedFile *f, MountPlan *p, const LearnedPlanOps *ops, bool dirs_pass) {
        const char *real = NULL;
        struct stat st;
        _cleanup_free_ char *why = NULL, *real_copy = NULL;

        if (!learned_path_is_valid(f->path) || learned_path_is_skipped(f->path) ||
            (f->real && learned_path_is_skipped(f->real)))
                return 0;
        if (learned_path_is_hazard(f->path) || (f->real && learned_path_is_hazard(f->real))) {
                if (dirs_pass)
                        return 0;
                if (ops->covered(f->path, ops->userdata))
                        return 0; /* bound by a rule that knows it is the service's own (sshd's host keys) */
                return warn(
                        p,
                        "%s (learned: opened by %s) is never bound: it holds secrets of the host or of other "
                        "services. If the service really needs it, add it yourself with --path",
                        f->path, f->comm);
        }
        if (f->directory && !f->write)
                return 0; /* read: the files it opened there are in the set themselves */
        if (dirs_pass != (f->directory && f->write))
                return 0;
        if (ops->chase(f->path, &real, &st, ops->userdata) < 0)
                return 0; /* gone: a temporary file, renamed away or deleted */
        if (!(real_copy = strdup(real)))
                return -ENOMEM;
        if (f->directory && !S_ISDIR(st.st_mode))
                return 0;
        if (!f->directory && !S_ISREG(st.st_mode))
                return 0; /* a socket, a FIFO or a device: the mode's /dev or the root's /run brings those */
        if (f->write && !f->directory && in_run(f->path))
                return 0; /* PID files and the like: written into the root's own /run */
        if (ops->covered(f->path, ops->userdata)) {
                if (f->write && !ops->writable(f->path, ops->userdata))
                        return warn(
                                p,
                                "%s was written by %s while learning, but the root holds it read-only: add "
                                "--writable %s if the service must write it",
                                f->path, f->comm, f->path);
                return 0;
        }
        if (f->directory && dir_too_wide(f->path))
                return warn(p,
                            "%s created files in %s while learning; a directory that wide is never bound "
                            "writable, so only the files it wrote are (new files there will fail: give the "
                            "service a directory of its own, e.g. StateDirectory=)",
                            f->comm, f->path);
        if (asprintf(&why, f->directory ? "learned: %s created files in it" : "learned: opened by %s",
                     f->comm) < 0)
                return -ENOMEM;
        const char *w = mount_plan_intern(p, why);
        if (!w)
                return -ENOMEM;
        int r = add_bind(p, real_copy, f->path, f->write, f->directory, w);
        return r < 0 ? r : 1;
}

int learned_set_add_to_plan(const LearnedSet *s, MountPlan *p, const LearnedPlanOps *ops) {
        /* directories first: the files created in a directory bound writable need no bind of their own */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < s->n_files; i++) {
                        int r = add_one(s->files + i, p, ops, pass == 0);
                        if (r < 0)
                                return r;
                }
        return 0;
}
