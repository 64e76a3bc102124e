/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "fileio.h"
#include "fs-root.h"
#include "cgroup-guard.h"
#include "learn.h"
#include "macro.h"
#include "path-util.h"

#define EVENT_MASK (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM | FAN_ONDIR)

struct Learner {
        int fd;
        bool tid;      /* the kernel reports thread ids (FAN_REPORT_TID) */
        char *cgroup;  /* the unit's ControlGroup, or NULL: by name */
        char *cg_name; /* the unit's name as a cgroup path component */
        LearnKnownFn known;
        void *known_userdata;
        LearnedSet *set;
        struct timespec start; /* CLOCK_REALTIME when the watch began: files born after it were created */
        LearnerStats stats;
};

/* systemd's cg_escape(): a name that could be mistaken for a cgroup file gets a '_' in front */
static char *cg_escape(const char *unit) {
        static const char *const controllers[] = {
                "cpu",     "cpuacct",  "cpuset",  "memory",     "devices", "freezer", "blkio", "pids",
                "net_cls", "net_prio", "hugetlb", "perf_event", "rdma",    "misc",    "io",    "cgroup"};
        bool escape = unit[0] == '_' || unit[0] == '.';
        for (size_t i = 0; !escape && i < ELEMENTSOF(controllers); i++) {
                const char *rest = startswith(unit, controllers[i]);
                escape = rest && rest[0] == '.';
        }
        char *e;
        if (asprintf(&e, "%s%s", escape ? "_" : "", unit) < 0)
                return NULL;
        return e;
}

int learner_new(const char *unit, Learner **ret) {
        _cleanup_(learner_freep) Learner *l = calloc(1, sizeof(Learner));
        if (!l)
                return -ENOMEM;
        l->fd = -EBADF;
        int r = learned_set_new(unit, &l->set);
        if (r < 0)
                return r;
        if (!(l->cg_name = cg_escape(unit)))
                return -ENOMEM;
        /* thread ids: the open call of the very thread that opens is what /proc/TID/syscall shows */
        l->tid = true;
        l->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_TID,
                              O_RDONLY | O_LARGEFILE | O_CLOEXEC);
        if (l->fd < 0 && errno == EINVAL) {
                l->tid = false; /* before Linux 4.20 */
                l->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
                                      O_RDONLY | O_LARGEFILE | O_CLOEXEC);
        }
        if (l->fd < 0)
                return -errno;
        *ret = TAKE_PTR(l);
        return 0;
}

Learner *learner_free(Learner *l) {
        if (!l)
                return NULL;
        learner_stop(l);
        free(l->cgroup);
        free(l->cg_name);
        learned_set_free(l->set);
        free(l);
        return NULL;
}

int learner_set_cgroup(Learner *l, const char *cgroup) {
        char *c = NULL;
        if (cgroup && !(c = strdup(cgroup)))
                return -ENOMEM;
        /* "/" would be every process of the manager */
        if (c && (c[0] != '/' || streq(c, "/"))) {
                free(c);
                return -EINVAL;
        }
        free(l->cgroup);
        l->cgroup = c;
        return 0;
}

void learner_set_known(Learner *l, LearnKnownFn known, void *userdata) {
        l->known = known;
        l->known_userdata = userdata;
}

int learner_fd(const Learner *l) {
        return l->fd;
}

void learner_stop(Learner *l) {
        if (l->fd >= 0)
                close(l->fd);
        l->fd = -EBADF;
}

void learner_stats(const Learner *l, LearnerStats *ret) {
        *ret = l->stats;
}

const LearnedSet *learner_set(const Learner *l) {
        return l->set;
}

/* A file of /proc, read whole (its size says 0) into a caller's buffer: no allocation on the event path.
 * NUL-terminated; the length or -errno. */
static int read_proc(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t n = read_loop(fd, buf, size - 1);
        if (n < 0)
                return (int)n;
        buf[n] = 0;
        return (int)n;
}

/* What is not a file system of files: the kernel's views, and FUSE, whose daemon may itself open files on a
 * watched file system while we wait for it. */
static bool fstype_skipped(const char *t) {
        static const char *const skip[] = {"proc",      "sysfs",     "devtmpfs", "devpts",      "cgroup",
                                           "cgroup2",   "mqueue",    "debugfs",  "tracefs",     "securityfs",
                                           "pstore",    "bpf",       "autofs",   "binfmt_misc", "configfs",
                                           "fusectl",   "hugetlbfs", "efivarfs", "nsfs",        "rpc_pipefs",
                                           "selinuxfs", "fuse",      "fuseblk",  "nfsd"};
        for (size_t i = 0; i < ELEMENTSOF(skip); i++)
                if (streq(t, skip[i]))
                        return true;
        return startswith(t, "fuse.") != NULL;
}

int learner_watch(Learner *l) {
        _cleanup_free_ char *info = NULL;
        _cleanup_(strv_freep) char **devices = NULL;
        int r = read_virtual_file("/proc/self/mountinfo", SIZE_MAX, &info, NULL), marked = 0;
        bool root_marked = false;
        if (r < 0)
                return r;
        clock_gettime(CLOCK_REALTIME, &l->start);
        uint64_t mask = EVENT_MASK;
        for (char *rest = info, *line; (line = strsep(&rest, "\n"));) {
                char *f[6] = {}, *sep = strstr(line, " - "), *type;
                size_t n = 0;
                if (!sep)
                        continue;
                *sep = 0;
                type = sep + 3;
                type[strcspn(type, " ")] = 0;
                for (char *w, *p = line; n < ELEMENTSOF(f) && (w = strsep(&p, " "));)
                        f[n++] = w;
                if (n < 5)
                        continue;
                char *dev = f[2], *where = f[4];
                path_unescape_mountinfo(where);
                if (fstype_skipped(type) || path_is_under(where, "/proc") || path_is_under(where, "/sys") ||
                    path_is_under(where, "/dev") || strv_contains(devices, dev))
                        continue;
                r = fanotify_mark(l->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, where);
                if (r < 0 && errno == EINVAL && (mask & FAN_OPEN_EXEC_PERM)) {
                        /* before Linux 5.0: an exec opens the file too, seen as FAN_OPEN_PERM */
                        mask &= ~(uint64_t)FAN_OPEN_EXEC_PERM;
                        r = fanotify_mark(l->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, where);
                }
                if (r < 0) {
                        if (streq(where, "/"))
                                return -errno;
                        continue; /* a file system that takes no such marks, or a mount point gone since */
                }
                if (strv_extend(&devices, dev) < 0)
                        return -ENOMEM;
                root_marked = root_marked || streq(where, "/");
                marked++;
        }
        return root_marked ? marked : -ENOENT;
}

/* Whether the thread is one of the unit's processes, by its cgroup on the hierarchy systemd tracks with: the
 * name=systemd one (cgroup v1, "1:name=systemd:/system.slice/foo.service") or the unified one ("0::/..."). */
static bool in_unit(Learner *l, pid_t pid) {
        char path[64], buf[4096];
        _cleanup_free_ char *cg = NULL;
        snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
        if (read_proc(path, buf, sizeof buf) <= 0 || cgroup_from_proc_text(buf, &cg) < 0)
                return false;
        if (l->cgroup)
                return cgroup_is_within(cg, l->cgroup);
        /* before its cgroup is known: a component named as the unit */
        size_t n = strlen(l->cg_name);
        for (const char *p = strstr(cg, l->cg_name); p; p = strstr(p + 1, l->cg_name))
                if (p > cg && p[-1] == '/' && (p[n] == '/' || p[n] == 0))
                        return true;
        return false;
}

/* The open call the thread waits in: its flags, and the path it asked for (absolute), when it is one of
 * open, openat, openat2, creat, execve, execveat. */
typedef struct OpenCall {
        bool known;
        bool exec;
        int flags;
        char *path; /* malloc'd, absolute, or NULL */
} OpenCall;

static int read_remote(pid_t pid, uint64_t addr, void *buf, size_t size) {
        /* a page at a time: a read stops at the first page that is not mapped */
        struct iovec local = {buf, size}, remote[PATH_MAX / 4096 + 2];
        size_t n = 0, done = 0;
        long page = sysconf(_SC_PAGESIZE);
        if (page <= 0)
                page = 4096;
        while (done < size && n < ELEMENTSOF(remote)) {
                uint64_t a = addr + done;
                size_t k = page - (a % page);
                if (k > size - done)
                        k = size - done;
                remote[n++] = (struct iovec){(void *)(uintptr_t)a, k};
                done += k;
        }
        ssize_t k = process_vm_readv(pid, &local, 1, remote, n, 0);
        return k < 0 ? -errno : (int)k;
}

static char *remote_string(pid_t pid, uint64_t addr) {
        char buf[PATH_MAX];
        if (addr == 0)
                return NULL;
        int k = read_remote(pid, addr, buf, sizeof buf);
        if (k <= 0 || !memchr(buf, 0, k))
                return NULL;
        return strdup(buf);
}

/* path, made absolute from the directory dirfd stands for in the thread (AT_FDCWD: its working directory) */
static char *absolute(pid_t pid, long dirfd, const char *path) {
        char link[64], base[PATH_MAX];
        if (!path || !*path)
                return NULL;
        char *p;
        if (path[0] == '/')
                p = strdup(path);
        else {
                if ((int)dirfd == AT_FDCWD)
                        snprintf(link, sizeof link, "/proc/%d/cwd", (int)pid);
                else
                        snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)pid, (int)dirfd);
                ssize_t k = readlink(link, base, sizeof base - 1);
                if (k <= 0 || base[0] != '/')
                        return NULL;
                base[k] = 0;
                if (asprintf(&p, "%s/%s", base, path) < 0)
                        return NULL;
        }
        if (p)
                path_normalize(p);
        return p;
}

static void open_call(pid_t pid, OpenCall *ret) {
        char path[64], buf[512];
        long nr;
        unsigned long long a[6];
        *ret = (OpenCall){};
        snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
        /* The event is queued a moment before the thread goes to sleep waiting for the answer; until it
         * sleeps, its system call reads as "running". */
        for (unsigned i = 0;; i++) {
                if (read_proc(path, buf, sizeof buf) <= 0)
                        return;
                if (!startswith(buf, "running") || i >= 200)
                        break;
                if (i < 20)
                        sched_yield();
                else
                        nanosleep(&(struct timespec){.tv_nsec = 10000}, NULL);
        }
        if (sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx", &nr, a, a + 1, a + 2, a + 3, a + 4, a + 5) != 7)
                return;
        long dirfd = AT_FDCWD;
        uint64_t name = 0;
        ret->known = true;
        switch (nr) {
#ifdef SYS_open
        case SYS_open:
                name = a[0];
                ret->flags = (int)a[1];
                break;
#endif
#ifdef SYS_creat
        case SYS_creat:
                name = a[0];
                ret->flags = O_CREAT | O_WRONLY | O_TRUNC;
                break;
#endif
        case SYS_openat:
                dirfd = (long)a[0];
                name = a[1];
                ret->flags = (int)a[2];
                break;
#ifdef SYS_openat2
        case SYS_openat2: {
                uint64_t flags; /* struct open_how starts with them */
                dirfd = (long)a[0];
                name = a[1];
                if (read_remote(pid, a[2], &flags, sizeof flags) == (int)sizeof flags)
                        ret->flags = (int)flags;
                else
                        ret->known = false;
                break;
        }
#endif
        case SYS_execve:
                ret->exec = true;
                name = a[0];
                break;
#ifdef SYS_execveat
        case SYS_execveat:
                ret->exec = true;
                dirfd = (long)a[0];
                name = a[1];
                break;
#endif
        default:
                /* io_uring's workers, open_by_handle_at, the kernel's own: no path to tell, and read */
                ret->known = false;
                return;
        }
        _cleanup_free_ char *asked = remote_string(pid, name);
        ret->path = absolute(pid, dirfd, asked);
}

static bool same_file(const char *path, const struct stat *st) {
        struct stat s;
        return path && stat(path, &s) >= 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino;
}

/* A file born after the watch began was created by the open that is waiting. */
static bool created_now(Learner *l, int fd, const struct stat *st) {
        struct statx sx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &sx) >= 0 && (sx.stx_mask & STATX_BTIME))
                return sx.stx_btime.tv_sec > l->start.tv_sec ||
                       (sx.stx_btime.tv_sec == l->start.tv_sec &&
                        sx.stx_btime.tv_nsec >= (uint32_t)l->start.tv_nsec);
        /* no birth time on this file system: an existing file opened with O_CREAT keeps its old ctime */
        return st->st_ctim.tv_sec > l->start.tv_sec ||
               (st->st_ctim.tv_sec == l->start.tv_sec && st->st_ctim.tv_nsec >= l->start.tv_nsec);
}

static bool is_systemd_child(const char *comm) {
        /* systemd's child between fork and exec names itself "(program)": its PAM and NSS lookups happen
         * outside the root */
        size_t n = strlen(comm);
        return n >= 2 && comm[0] == '(' && comm[n - 1] == ')';
}

static void read_comm(pid_t pid, char *buf, size_t size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
        if (read_proc(path, buf, size) <= 0)
                snprintf(buf, size, "?");
        buf[strcspn(buf, "\n")] = 0;
}

/* The process a thread belongs to. */
static pid_t thread_group(Learner *l, pid_t tid) {
        char path[64], buf[1024];
        if (!l->tid)
                return tid;
        snprintf(path, sizeof path, "/proc/%d/status", (int)tid);
        if (read_proc(path, buf, sizeof buf) <= 0)
                return tid;
        const char *t = strstr(buf, "\nTgid:");
        return t ? (pid_t)atoi(t + 6) : tid;
}

static int record(Learner *l, const char *path, const char *real, bool write, bool directory, pid_t tid) {
        const LearnedFile *f = learned_set_get(l->set, path);
        char comm[64];
        if (f && (f->write || !write))
                return 0; /* nothing new */
        pid_t pid = tid;
        if (!f) {
                pid = thread_group(l, tid);
                read_comm(pid, comm, sizeof comm);
        }
        int r = learned_set_add(l->set, path, real, write, directory, (uint32_t)pid, f ? f->comm : comm);
        if (r == -EINVAL) {
                l->stats.unnamable++;
                return 0;
        }
        if (r <= 0)
                return r;
        l->stats.seen++;
        if (!l->known || !(l->known(path, l->known_userdata) || (real && l->known(real, l->known_userdata))))
                l->stats.new ++;
        return 0;
}

static int handle(Learner *l, const struct fanotify_event_metadata *m) {
        _cleanup_free_ char *asked = NULL;
        char link[64], real[PATH_MAX], comm[64];
        struct stat st;
        pid_t tid = m->pid;

        if (tid <= 0 || tid == getpid() || !in_unit(l, tid))
                return 0; /* 0: a process outside our PID namespace */
        if (l->tid && thread_group(l, tid) == getpid())
                return 0; /* ourselves, run from within the unit (an SSH session of sshd's) */
        l->stats.unit_opens++;
        read_comm(tid, comm, sizeof comm);
        OpenCall call;
        open_call(tid, &call);
        asked = call.path;
        if (is_systemd_child(comm) && !call.exec && !(m->mask & FAN_OPEN_EXEC_PERM))
                return 0;
        if (fstat(m->fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
                return 0;
        snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
        ssize_t k = readlink(link, real, sizeof real - 1);
        if (k <= 0)
                return 0;
        real[k] = 0;
        /* the path as the kernel names it for us, and as the process asked: each only when it leads here */
        bool real_ok = real[0] == '/' && same_file(real, &st);
        bool asked_ok = asked && same_file(asked, &st);
        const char *path = asked_ok ? asked : real_ok ? real : NULL;
        if (!path) {
                l->stats.unresolved++;
                return 0;
        }
        if (learned_path_is_skipped(path) || (real_ok && learned_path_is_skipped(real)))
                return 0;
        bool write = call.known && !call.exec && (call.flags & O_ACCMODE) != O_RDONLY;
        int r = record(l, path, asked_ok && real_ok ? real : NULL, write, S_ISDIR(st.st_mode), tid);
        if (r < 0)
                return r;
        /* a file it created: the directory is one it writes in */
        if (call.known && (call.flags & O_CREAT) && S_ISREG(st.st_mode) && created_now(l, m->fd, &st)) {
                _cleanup_free_ char *dir = strdup(path);
                char *slash = dir ? strrchr(dir, '/') : NULL;
                if (!dir)
                        return -ENOMEM;
                if (slash && slash != dir) {
                        *slash = 0;
                        r = record(l, dir, NULL, true, true, tid);
                }
        }
        return r;
}

int learner_process(Learner *l) {
        /* aligned for the event structures */
        _Alignas(struct fanotify_event_metadata) char buf[16384];
        int ret = 0;
        if (l->fd < 0)
                return -EBADF;
        for (;;) {
                ssize_t n = read(l->fd, buf, sizeof buf);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return ret;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return ret;
                const struct fanotify_event_metadata *m = (const void *)buf;
                for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
                        if (m->vers != FANOTIFY_METADATA_VERSION)
                                return -EPROTO;
                        if (m->fd < 0)
                                continue; /* an overflow: permission events never overflow */
                        l->stats.events++;
                        int r = handle(l, m);
                        if (r < 0 && ret >= 0)
                                ret = r;
                        /* always allowed, always answered: learning must not break the service */
                        struct fanotify_response resp = {.fd = m->fd, .response = FAN_ALLOW};
                        (void)write(l->fd, &resp, sizeof resp);
                        close(m->fd);
                }
        }
}
