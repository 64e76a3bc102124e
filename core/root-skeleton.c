/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dropin-write.h"
#include "fs-root.h"
#include "host-view.h"
#include "json-util.h"
#include "macro.h"
#include "path-util.h"
#include "root-skeleton.h"
#include "strv.h"

/* Mounted over whole by systemd or by the root's own /run: nothing of the skeleton below them. */
static bool below_api_mount(const char *path) {
        static const char *const api[] = {"/run", "/proc", "/sys", "/dev", "/tmp", "/var/tmp"};
        for (size_t i = 0; i < ELEMENTSOF(api); i++)
                if (path_is_under(path, api[i]))
                        return true;
        return false;
}

static const char *link_of(char *const *links, const char *path) {
        for (char *const *l = links; l && l[0] && l[1]; l += 2)
                if (streq(l[0], path))
                        return l[1];
        return NULL;
}

/* path with each symlinked directory on its way replaced by where it leads (the last component stays, the
 * plan binds a symlink's real file at its path itself); the links met are added to *links as pairs. */
static int canonical_path(const char *path, ReadLinkFn read_link, void *userdata, char ***links, char **ret) {
        _cleanup_free_ char *cur = strdup(path);
        if (!cur)
                return -ENOMEM;
        for (unsigned hops = 0; hops < 16;) {
                bool moved = false;
                for (size_t e = 1; cur[e] && !moved; e++) {
                        if (cur[e] != '/')
                                continue;
                        _cleanup_free_ char *prefix = strndup(cur, e), *text = NULL, *target = NULL;
                        if (!prefix)
                                return -ENOMEM;
                        if (below_api_mount(prefix))
                                break;
                        if (read_link(prefix, &text, userdata) < 0)
                                continue;
                        _cleanup_free_ char *dir = path_dirname(prefix);
                        if (!dir ||
                            asprintf(&target, "%s/%s%s", text[0] == '/' ? "" : dir, text, cur + e) < 0)
                                return -ENOMEM;
                        path_normalize(target);
                        if (!link_of(*links, prefix) &&
                            (strv_extend(links, prefix) < 0 || strv_extend(links, text) < 0))
                                return -ENOMEM;
                        free(cur);
                        cur = TAKE_PTR(target);
                        moved = true;
                        hops++;
                }
                if (!moved) {
                        *ret = TAKE_PTR(cur);
                        return 0;
                }
        }
        return -ELOOP;
}

int root_skeleton_canonical(MountPlan *p, ReadLinkFn read_link, void *userdata) {
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                Bind *b = p->binds + i;
                _cleanup_free_ char *dest = NULL;
                int r = canonical_path(b->dest, read_link, userdata, &p->skeleton_links, &dest);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0) {
                        free(b->dest);
                        b->dest = TAKE_PTR(dest);
                }
                /* one destination, one bind: the first stays, as in mount_plan_add() */
                Bind *same = NULL;
                for (size_t j = 0; j < k && !same; j++)
                        if (streq(p->binds[j].dest, b->dest))
                                same = p->binds + j;
                if (same) {
                        same->writable = same->writable || b->writable;
                        free(b->source);
                        free(b->dest);
                        continue;
                }
                p->binds[k++] = *b;
        }
        p->n_binds = k;
        return 0;
}

/* A unit name as a path component a unit file says plainly */
static bool plain_name(const char *s) {
        for (; *s; s++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.@-", *s))
                        return false;
        return true;
}

static int add_exec_dirs(MountPlan *p, const char *prefix, char *const *dirs) {
        for (char *const *d = dirs; d && *d; d++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%.*s", prefix, (int)strcspn(*d, ":"), *d) < 0)
                        return -ENOMEM;
                path_normalize(path);
                if (!strv_contains(p->skeleton_dirs, path) && strv_extend(&p->skeleton_dirs, path) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int root_skeleton_plan(MountPlan *p, const Service *svc, char *const *mounts, ReadLinkFn read_link,
                       void *userdata) {
        char real[PATH_MAX];
        /* the skeleton's file system must be one a view shows plainly, with no link on the way there */
        if (svc->dynamic_user || p->private_root || !plain_name(svc->id) || !realpath("/var/lib", real) ||
            !streq(real, "/var/lib"))
                return 0;
        const char *m = "/";
        for (char *const *x = mounts; x && *x; x++) {
                if (path_is_under(*x, ROOT_SKELETON_DIR) && !streq(*x, ROOT_SKELETON_DIR))
                        return 0; /* something mounted inside the skeletons */
                if (path_is_under(ROOT_SKELETON_DIR, *x) && strlen(*x) > strlen(m))
                        m = *x;
        }
        if (strpbrk(m, "\n\\ \t") || path_is_under(m, "/run") || path_is_under(m, "/proc"))
                return 0;
        /* where full-apivfs mounts the API file systems; in chroot-only empty directories (and the mount
         * points a --set PrivateTmp=yes needs) */
        static const char *const api[] = {"/run", "/proc", "/sys", "/dev", "/tmp", "/var/tmp"};
        int r = 0;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(api); i++)
                r = strv_extend(&p->skeleton_dirs, api[i]);
        if (r >= 0)
                r = add_exec_dirs(p, "/var/lib", svc->state_directory);
        if (r >= 0)
                r = add_exec_dirs(p, "/var/cache", svc->cache_directory);
        if (r >= 0)
                r = add_exec_dirs(p, "/var/log", svc->logs_directory);
        if (r >= 0)
                r = add_exec_dirs(p, "/etc", svc->configuration_directory);
        /* /var/run and /var/lock as the host has them: links into the root's own /run, not two more binds */
        static const char *const run_links[] = {"/var/run", "/var/lock"};
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(run_links); i++) {
                _cleanup_free_ char *text = NULL;
                if (read_link(run_links[i], &text, userdata) >= 0 &&
                    !link_of(p->skeleton_links, run_links[i]) &&
                    (strv_extend(&p->skeleton_links, run_links[i]) < 0 ||
                     strv_extend(&p->skeleton_links, text) < 0))
                        r = -ENOMEM;
        }
        if (r >= 0 && !strv_contains(p->views, m))
                r = strv_extend(&p->views, m);
        if (r >= 0 && asprintf(&p->skeleton, "%s/%s", ROOT_SKELETON_DIR, svc->id) < 0)
                r = -ENOMEM;
        return r;
}

bool root_skeleton_has_link(const MountPlan *p, const char *path) {
        return p->skeleton && link_of(p->skeleton_links, path);
}

/* The version of the skeleton the plan needs: UNIT/HASH, a hash of what it holds, so that each plan has a
 * skeleton of exactly its own mount points (a stale one would show an empty file where the service tests
 * for a file) and a running service keeps the one it started in. */
static uint64_t fnv(uint64_t h, const char *s) {
        for (;; s++) {
                h = (h ^ (unsigned char)*s) * 0x100000001b3ull; /* the NUL too: "ab","c" is not "a","bc" */
                if (!*s)
                        return h;
        }
}

static int skeleton_dir(const MountPlan *p, char **ret) {
        uint64_t h = 0xcbf29ce484222325ull;
        for (char **l = p->skeleton_links; l && *l; l++)
                h = fnv(h, *l);
        for (char **d = p->skeleton_dirs; d && *d; d++)
                h = fnv(h, *d);
        for (size_t i = 0; i < p->n_binds; i++)
                h = fnv(fnv(fnv(h, p->binds[i].source), p->binds[i].dest), p->binds[i].directory ? "d" : "f");
        return asprintf(ret, "%s/%016llx", p->skeleton, (unsigned long long)h) < 0 ? -ENOMEM : 0;
}

int root_skeleton_root_directory(const MountPlan *p, char **ret) {
        _cleanup_free_ char *dir = NULL;
        int r = skeleton_dir(p, &dir);
        if (r < 0)
                return r;
        return asprintf(ret, "%s%s", HOST_VIEW_DIR, dir) < 0 ? -ENOMEM : 0;
}

static json_t *strv_json(char *const *l, size_t step) {
        json_t *a = json_array();
        for (size_t i = 0; a && l && l[i]; i += step)
                json_array_append_new(a, step == 2 && l[i + 1] ? json_pack("[ss]", l[i], l[i + 1])
                                                               : json_string(l[i]));
        return a;
}

int root_skeleton_render(FILE *f, const MountPlan *p) {
        _cleanup_free_ char *dir = NULL;
        if (skeleton_dir(p, &dir) < 0)
                return -ENOMEM;
        _cleanup_json_ json_t *o =
                json_pack("{s:s, s:o, s:o}", "dir", dir, "links", strv_json(p->skeleton_links, 2), "dirs",
                          strv_json(p->skeleton_dirs, 1));
        _cleanup_free_ char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (!s)
                return -ENOMEM;
        fprintf(f, "%s%s\n", ROOT_SKELETON_MAGIC, s);
        return 0;
}

/* The skeleton on disk. Every path is resolved inside it (RESOLVE_IN_ROOT): its links (/lib -> usr/lib,
 * maybe absolute on another host) never lead to the host's own directories. */
static int open_in(int sk, const char *path, int flags) {
        struct open_how how = {.flags = flags | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        long fd = syscall(SYS_openat2, sk, path, &how, sizeof how);
        return fd < 0 ? -errno : (int)fd;
}

/* Whether a process has its root at the skeleton (a running service's mounts sit on its entries). */
static bool in_use(int sk) {
        struct stat a, b;
        _cleanup_(closedirp) DIR *d = opendir("/proc");
        if (fstat(sk, &a) < 0 || !d)
                return true; /* cannot tell: keep what is there */
        for (struct dirent *de; (de = readdir(d));) {
                char p[sizeof "/proc//root" + sizeof de->d_name];
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                snprintf(p, sizeof p, "/proc/%s/root", de->d_name);
                if (stat(p, &b) >= 0 && b.st_dev == a.st_dev && b.st_ino == a.st_ino)
                        return true;
        }
        return false;
}

/* A directory stream that owns fd (closed on failure too). */
static DIR *dir_of(int fd) {
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d && fd >= 0) {
                int e = errno;
                close(fd);
                errno = e;
        }
        return d;
}

/* Remove what we put below dir_fd/name: directories, empty files and links; anything else stays. */
static int remove_tree(int dir_fd, const char *name) {
        struct stat st;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISLNK(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0))
                return unlinkat(dir_fd, name, 0) < 0 ? -errno : 0;
        if (!S_ISDIR(st.st_mode))
                return -ENOTEMPTY;
        _cleanup_(closedirp) DIR *d =
                dir_of(openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!d)
                return -errno;
        int r = 0;
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        int k = remove_tree(dirfd(d), de->d_name);
                        if (k < 0 && r >= 0)
                                r = k;
                }
        if (r >= 0 && unlinkat(dir_fd, name, AT_REMOVEDIR) < 0)
                r = -errno;
        return r;
}

typedef enum { ENTRY_DIR, ENTRY_FILE, ENTRY_LINK } EntryType;

static bool entry_is(int dir_fd, const char *name, EntryType t, const char *text) {
        struct stat st;
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return false;
        if (t == ENTRY_LINK) {
                char buf[PATH_MAX];
                ssize_t n = readlinkat(dir_fd, name, buf, sizeof buf - 1);
                return n >= 0 && (buf[n] = 0, streq(buf, text));
        }
        /* a link we made leads to a directory in the root: a mount point through it is fine */
        return t == ENTRY_DIR ? S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode) : !S_ISDIR(st.st_mode);
}

static int make_entry(int dir_fd, const char *name, EntryType t, const char *text) {
        if (t == ENTRY_DIR)
                return mkdirat(dir_fd, name, 0755) < 0 ? -errno : 0;
        if (t == ENTRY_LINK)
                return symlinkat(text, dir_fd, name) < 0 ? -errno : 0;
        int fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* One entry at path (its parents made as directories); one of another type is replaced only while no
 * service runs in the skeleton. */
static int ensure(int sk, const char *path, EntryType t, const char *text) {
        _cleanup_free_ char *parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        if (!streq(parent, "/")) {
                int r = ensure(sk, parent, ENTRY_DIR, NULL);
                if (r < 0)
                        return r;
        }
        _cleanup_close_ int pfd = open_in(sk, parent, O_PATH | O_DIRECTORY);
        if (pfd < 0)
                return pfd;
        const char *name = path_basename(path);
        int r = make_entry(pfd, name, t, text);
        if (r != -EEXIST || entry_is(pfd, name, t, text))
                return r == -EEXIST ? 0 : r;
        if (in_use(sk))
                return -EBUSY;
        r = remove_tree(pfd, name);
        return r < 0 ? r : make_entry(pfd, name, t, text);
}

/* "\:" and "%%" as confine_escape_path() writes them, up to the next unescaped ':' */
static char *unescape_word(const char **s) {
        char *out = malloc(strlen(*s) + 1), *o = out;
        const char *c = *s;
        for (; out && *c && *c != ':'; c++) {
                if (*c == '\\' && c[1])
                        c++;
                else if (*c == '%' && c[1] == '%')
                        c++;
                *o++ = *c;
        }
        if (out)
                *o = 0;
        *s = *c == ':' ? c + 1 : c;
        return out;
}

/* The mount point of a bind line of the drop-in: a directory or a file, as its source is on the host. */
static int ensure_bind(int root_fd, int sk, const char *value) {
        if (*value == '-')
                value++;
        _cleanup_free_ char *src = unescape_word(&value), *dst = *value ? unescape_word(&value) : NULL;
        if (!src)
                return -ENOMEM;
        const char *d = dst ? dst : src, *host = startswith(src, HOST_VIEW_DIR "/");
        host = host ? host - 1 : src;
        struct stat st;
        /* below /run: the root's own /run, where systemd makes it; elsewhere an API file system may hide
         * the mount point, but chroot-only mounts none */
        if (strchr(src, '%') || d[0] != '/' || streq(d, "/") || path_is_under(d, "/run") ||
            fstatat(root_fd, host[1] ? host + 1 : ".", &st, 0) < 0)
                return 0; /* in the root's /run, or a source systemd skips */
        return ensure(sk, d, S_ISDIR(st.st_mode) ? ENTRY_DIR : ENTRY_FILE, NULL);
}

/* The marker's JSON, and the skeleton's unit directory and version from it (ROOT_SKELETON_DIR/UNIT/HASH). */
static int parse_marker(const char *text, json_t **ret, char **ret_unit, const char **ret_version) {
        const char *m = strstr(text, "\n" ROOT_SKELETON_MAGIC);
        if (!m)
                return 0;
        m += 1 + strlen(ROOT_SKELETON_MAGIC);
        json_t *o = json_loadb(m, strcspn(m, "\n"), 0, NULL);
        const char *dir = o ? json_string_value(json_object_get(o, "dir")) : NULL;
        const char *name = dir ? startswith(dir, ROOT_SKELETON_DIR "/") : NULL;
        const char *version = name ? strchr(name, '/') : NULL;
        char *unit = version ? strndup(name, version - name) : NULL;
        if (!unit || !*unit || !plain_name(unit) || streq(unit, ".") || streq(unit, "..") ||
            strlen(++version) != 16 || strspn(version, "0123456789abcdef") != 16) {
                free(unit);
                json_decref(o);
                return -EINVAL;
        }
        *ret = o;
        *ret_unit = unit;
        *ret_version = version;
        return 1;
}

/* The unit's directory of skeletons, made when create is set. */
static int open_unit_dir(int root_fd, const char *unit, bool create) {
        if (create) {
                int r = mkdirs_at(root_fd, "var/lib/sdconfine", 0755);
                if (r < 0)
                        return r;
                if (mkdirat(root_fd, "var/lib/sdconfine/root", 0700) < 0 && errno != EEXIST)
                        return -errno;
        }
        _cleanup_close_ int base =
                openat(root_fd, "var/lib/sdconfine/root", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (base < 0)
                return -errno;
        if (create && mkdirat(base, unit, 0755) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(base, unit, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* Every entry of the marker and every bind's mount point, in sk. */
static int fill(int root_fd, int sk, json_t *o, const char *dropin_text) {
        size_t i;
        json_t *v;
        int r;
        json_array_foreach(json_object_get(o, "links"), i, v) {
                const char *path = json_string_value(json_array_get(v, 0));
                const char *target = json_string_value(json_array_get(v, 1));
                if (!path || !target || path[0] != '/')
                        return -EINVAL;
                if ((r = ensure(sk, path, ENTRY_LINK, target)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(o, "dirs"), i, v) {
                const char *path = json_string_value(v);
                if (!path || path[0] != '/')
                        return -EINVAL;
                if ((r = ensure(sk, path, ENTRY_DIR, NULL)) < 0)
                        return r;
        }
        for (const char *l = dropin_text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *v1 = startswith(l, "BindPaths="), *v2 = startswith(l, "BindReadOnlyPaths=");
                _cleanup_free_ char *line =
                        (v1 || v2) ? strndup(v1 ? v1 : v2, strcspn(v1 ? v1 : v2, "\n")) : NULL;
                if ((v1 || v2) && !line)
                        return -ENOMEM;
                if (line && (r = ensure_bind(root_fd, sk, line)) < 0)
                        return r;
        }
        return 0;
}

/* Remove the unit's other versions (all with keep NULL) that no process runs in. */
static int prune(int unit_fd, const char *keep) {
        _cleanup_(closedirp) DIR *d = dir_of(dup(unit_fd));
        if (!d)
                return -errno;
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, "..") || (keep && streq(de->d_name, keep)))
                        continue;
                _cleanup_close_ int sk =
                        openat(unit_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int k = sk < 0 || !in_use(sk) ? remove_tree(unit_fd, de->d_name) : -EBUSY;
                if (k < 0 && r >= 0)
                        r = k;
        }
        return r;
}

int root_skeleton_sync(int root_fd, const char *dropin_text) {
        _cleanup_json_ json_t *o = NULL;
        _cleanup_free_ char *unit = NULL, *tmp = NULL;
        const char *version;
        int r = parse_marker(dropin_text, &o, &unit, &version);
        if (r <= 0)
                return r;
        _cleanup_close_ int ufd = open_unit_dir(root_fd, unit, true);
        if (ufd < 0)
                return ufd;
        _cleanup_close_ int sk = openat(ufd, version, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sk >= 0) /* this version exists: complete it (what someone removed comes back) */
                r = fill(root_fd, sk, o, dropin_text);
        else {
                /* a new version is made whole beside the others, then renamed into place */
                if (asprintf(&tmp, ".new-%s", version) < 0)
                        return -ENOMEM;
                (void)remove_tree(ufd, tmp);
                if (mkdirat(ufd, tmp, 0755) < 0)
                        return -errno;
                sk = openat(ufd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = sk < 0 ? -errno : fill(root_fd, sk, o, dropin_text);
                if (r >= 0 && renameat(ufd, tmp, ufd, version) < 0)
                        r = -errno;
                if (r < 0) {
                        (void)remove_tree(ufd, tmp);
                        return r;
                }
        }
        if (r >= 0)
                (void)prune(ufd, version); /* older versions a running service still has stay */
        return r;
}

int root_skeleton_remove(int root_fd, const char *dropin_text) {
        _cleanup_json_ json_t *o = NULL;
        _cleanup_free_ char *unit = NULL;
        const char *version;
        int r = parse_marker(dropin_text, &o, &unit, &version);
        if (r <= 0)
                return r;
        _cleanup_close_ int ufd = open_unit_dir(root_fd, unit, false);
        if (ufd == -ENOENT)
                return 0;
        if (ufd < 0)
                return ufd;
        r = prune(ufd, NULL);
        _cleanup_close_ int base =
                openat(root_fd, "var/lib/sdconfine/root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r >= 0 && base >= 0 && unlinkat(base, unit, AT_REMOVEDIR) < 0)
                r = -errno;
        return r;
}
