/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape-probe: run as a confined service by tests/escape.sh, it tries every way a reviewer would try to
 * read a host file from outside its root, each in a forked child of its own with a 5 s alarm, so that a
 * crash, a SIGSYS or a success leaves the other ways alone. Targets: the host's /etc/shadow (it starts
 * with "root:") and, for services that are not root, a world-readable marker the test leaves on the host
 * (/var/lib/sdconfine-escape-marker or $ESCAPE_MARKER, starting with "sdconfine-escape-marker").
 * Report: argv[1], else $STATE_DIRECTORY/report, else stdout. First line "probe ran uid= euid= caps=",
 * then per way "WAY held (...)", "WAY ESCAPED (...)", "WAY n/a (...)" or, informative, "WAY allowed
 * (...)" (a mount or a system call that passed its permission check); last line "probe done". Nothing
 * read is printed beyond the five bytes "root:". Linux and libc only. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/perf_event.h>

#define RES 1024     /* one verdict */
#define MAXPID 65536 /* without /proc, the PIDs kill(PID, 0) finds below this */
#define E_SIGSYS 256 /* tally slots past errno values */
#define E_KILLED 257
#define E_OTHER 258 /* it read a file, but not the host's */
#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

struct tally {
        int tries, err[E_OTHER + 1];
};

static char *res; /* the current way's verdict, in a page shared with its children */
static pid_t probe_pid;
static int report_fd = 1, has_proc, *pids, npids;
static const char *wdir = "/tmp", *marker = "var/lib/sdconfine-escape-marker";
static char scratch[PATH_MAX], node[PATH_MAX], libc_path[PATH_MAX];

static const char *ename(int e) {
        static char b[16];
        if (e == E_SIGSYS || e == E_KILLED || e == 0 || e == E_OTHER)
                return e == E_SIGSYS ? "SIGSYS(filter)" : e == E_KILLED ? "killed" : "not-the-host's-file";
        if (e < 256 && strerrorname_np(e))
                return strerrorname_np(e);
        snprintf(b, sizeof b, "errno%d", e);
        return b;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(res, RES, fmt, ap);
        va_end(ap);
}

__attribute__((format(printf, 1, 2))) static _Noreturn void escaped(const char *fmt, ...) {
        va_list ap;
        int n = snprintf(res, RES, "ESCAPED (");
        va_start(ap, fmt);
        vsnprintf(res + n, RES - n - 2, fmt, ap);
        va_end(ap);
        strcat(res, ")");
        _exit(0);
}

static void note(struct tally *t, int e) {
        t->tries++;
        t->err[e > 0 && e <= E_OTHER ? e : E_OTHER]++;
}

/* "held (N tries: EACCES 3 ENOENT 1)", or "n/a (WHY)" when nothing could be tried */
static void held(const struct tally *t, const char *why) {
        size_t n;
        if (!t->tries) {
                say("n/a (%s)", why);
                return;
        }
        say("held (%d tr%s:", t->tries, t->tries == 1 ? "y" : "ies");
        for (int e = 0; e <= E_OTHER; e++)
                if (t->err[e] && (n = strlen(res)) < RES - 40)
                        snprintf(res + n, RES - n, " %s %d", ename(e), t->err[e]);
        strcat(res, ")");
}

/* Reads PREFIX"etc/shadow", then PREFIX MARKER, below DIRFD: escaped() when either is the host's file,
 * else the errno of the first */
static int target(int dirfd, const char *prefix, const char *via) {
        char p[PATH_MAX], b[32];
        int first = 0;
        for (int i = 0; i < 2; i++) {
                snprintf(p, sizeof p, "%s%s", prefix, i ? marker : "etc/shadow");
                int fd = openat(dirfd, p, OPEN_FLAGS), e = errno;
                ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
                if (fd >= 0 && n < 0)
                        e = errno;
                if (fd >= 0)
                        close(fd);
                if (n >= 0) {
                        b[n] = 0;
                        if (i == 0 && strncmp(b, "root:", 5) == 0)
                                escaped("read the host's /etc/shadow %s: \"root:...\"", via);
                        if (i == 1 && strncmp(b, "sdconfine-escape-marker", 23) == 0)
                                escaped("read the host's /%s %s; /etc/shadow: %s", marker, via, ename(first));
                        e = E_OTHER;
                }
                if (i == 0)
                        first = e;
        }
        return first;
}

/* DIRFD, DIRFD/.., DIRFD/../.., up 16 levels */
static void walk(int dirfd, const char *via, struct tally *t) {
        char pre[3 * 17 + 1] = "";
        for (int k = 0; k <= 16; k++, strcat(pre, "../"))
                note(t, target(dirfd, pre, via));
}

/* the command name of PID, from /proc or from the procfs open at DIRFD */
static const char *comm_at(int dirfd, int pid) {
        static char b[64];
        char p[64];
        snprintf(p, sizeof p, dirfd == AT_FDCWD ? "/proc/%d/comm" : "%d/comm", pid);
        int fd = openat(dirfd, p, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b - 1);
        if (fd >= 0)
                close(fd);
        if (n <= 0)
                return "?";
        b[n] = 0;
        b[strcspn(b, "\n")] = 0;
        return b;
}
static const char *comm(int pid) {
        return comm_at(AT_FDCWD, pid);
}

/* FN(ARG) in a child of its own (whatever namespace or root it enters stays there): its errno */
static int sub(int (*fn)(int), int arg) {
        int st;
        pid_t c = fork();
        if (c == 0) {
                alarm(2);
                _exit(fn(arg) & 0xff);
        }
        if (c < 0 || waitpid(c, &st, 0) < 0)
                return errno;
        if (strncmp(res, "ESCAPED", 7) == 0)
                _exit(0);
        if (WIFSIGNALED(st))
                return WTERMSIG(st) == SIGSYS ? E_SIGSYS : E_KILLED;
        return WEXITSTATUS(st) ? WEXITSTATUS(st) : E_OTHER;
}

/* open("/etc/shadow"), /proc/self/root/../../etc/shadow, /proc/1/root/etc/shadow */
static void w_path(struct tally *t, int i) {
        static const char *const pre[] = {"/", "/proc/self/root/../../", "/proc/1/root/"};
        char via[64];
        snprintf(via, sizeof via, i ? "through %s" : "by a plain open()", pre[i]);
        if (i == 0 || has_proc)
                note(t, target(AT_FDCWD, pre[i], via));
}

/* /proc/PID/root, /proc/PID/cwd (and up from it), /proc/PID/fd/N that are directories (and up) */
static void w_proc(struct tally *t, int kind) {
        char p[64], f[330], via[420];
        struct dirent *de;
        for (int i = 0; has_proc && i < npids; i++) {
                snprintf(p, sizeof p, "/proc/%d/%s", pids[i], kind == 0 ? "root/" : kind == 1 ? "cwd" : "fd");
                snprintf(via, sizeof via, "through %s (%s)", p, comm(pids[i]));
                int fd = kind == 1 ? open(p, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                DIR *d = kind == 2 ? opendir(p) : NULL;
                if (kind == 0)
                        note(t, target(AT_FDCWD, p, via));
                else if ((kind == 1 && fd < 0) || (kind == 2 && !d))
                        note(t, errno);
                else if (kind == 1)
                        walk(fd, via, t);
                while (d && (de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        snprintf(f, sizeof f, "%s/%s", p, de->d_name);
                        snprintf(via, sizeof via, "through %s (%s)", f, comm(pids[i]));
                        if ((fd = open(f, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 && errno != ENOTDIR)
                                note(t, errno);
                        if (fd >= 0) {
                                walk(fd, via, t);
                                close(fd);
                        }
                }
                if (d)
                        closedir(d);
                if (kind == 1 && fd >= 0)
                        close(fd);
        }
}

/* directories among the descriptors it was started with */
static void w_inherited_fd(struct tally *t, int unused) {
        struct stat s;
        char via[64];
        (void)unused;
        for (int fd = 0; fd < 1024; fd++)
                if (fd != report_fd && fstat(fd, &s) == 0 && S_ISDIR(s.st_mode)) {
                        snprintf(via, sizeof via, "through its inherited descriptor %d", fd);
                        walk(fd, via, t);
                }
}

/* another process's directory descriptors, taken with pidfd_getfd() (no /proc needed) */
static void w_pidfd_getfd(struct tally *t, int unused) {
        struct stat s;
        char via[128];
        (void)unused;
        for (int i = 0; i < npids; i++) {
                int pfd = syscall(SYS_pidfd_open, pids[i], 0), fd;
                if (pfd < 0)
                        note(t, errno);
                for (int n = 0; pfd >= 0 && n < 64; n++) {
                        if ((fd = syscall(SYS_pidfd_getfd, pfd, n, 0)) < 0 && errno == EBADF)
                                continue;
                        if (fd < 0) {
                                note(t, errno);
                                break;
                        }
                        snprintf(via, sizeof via, "through fd %d of pid %d (%s), taken with pidfd_getfd", n,
                                 pids[i], comm(pids[i]));
                        if (fstat(fd, &s) == 0 && S_ISDIR(s.st_mode))
                                walk(fd, via, t);
                        else
                                note(t, ENOTDIR);
                        close(fd);
                }
                if (pfd >= 0)
                        close(pfd);
        }
}

/* setns() into PID's user namespace (often ours: then it fails), then its mount namespace (PID 0: our
 * own, which resets the root to the namespace's); /etc/shadow there, and through that /proc */
static int setns_one(int pid) {
        char p[64], via[128];
        int u, m, e;
        snprintf(p, sizeof p, pid ? "/proc/%d/ns/user" : "/proc/self/ns/user", pid);
        u = open(p, O_RDONLY | O_CLOEXEC);
        snprintf(p, sizeof p, pid ? "/proc/%d/ns/mnt" : "/proc/self/ns/mnt", pid);
        if ((m = open(p, O_RDONLY | O_CLOEXEC)) < 0)
                return errno;
        if (u >= 0 && pid)
                (void)setns(u, CLONE_NEWUSER);
        if (setns(m, CLONE_NEWNS) < 0 || chdir("/") < 0)
                return errno;
        snprintf(via, sizeof via, "after setns() into the mount namespace of %s %d (%s)",
                 pid ? "pid" : "its own, pid", pid ? pid : probe_pid, comm(pid ? pid : probe_pid));
        e = target(AT_FDCWD, "/", via);
        snprintf(p, sizeof p, "/proc/%d/root/", pid ? pid : probe_pid);
        target(AT_FDCWD, p, via);
        return e;
}

static void w_setns(struct tally *t, int own) {
        for (int i = 0; has_proc && i < (own ? 1 : npids); i++)
                note(t, sub(setns_one, own ? 0 : pids[i]));
}

/* chroot() into a directory while the cwd stays outside (BACK: fchdir() out to a saved "/"), 64
 * chdir(".."), chroot(".") */
static int chroot_walk(int back) {
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        const char *d = mkdir(scratch, 0700) == 0 || errno == EEXIST ? scratch : "/usr";
        if (chdir(back ? d : "/") < 0 || chroot(back ? "." : d) < 0 || (back && fchdir(fd) < 0))
                return errno;
        for (int i = 0; i < 64; i++)
                if (chdir("..") < 0)
                        return errno;
        if (chroot(".") < 0)
                return errno;
        return target(AT_FDCWD, "/",
                      back ? "after chroot(), fchdir() to a saved / and 64 chdir(\"..\")"
                           : "after chroot() with its cwd outside and 64 chdir(\"..\")");
}

static void w_chroot(struct tally *t, int back) {
        note(t, chroot_walk(back));
}

static int find_libc(struct dl_phdr_info *info, size_t size, void *data) {
        (void)size, (void)data;
        if (info->dlpi_name && strstr(info->dlpi_name, "/libc.so"))
                snprintf(libc_path, sizeof libc_path, "%s", info->dlpi_name);
        return 0;
}

/* "shocker": for each file bound into the root, a handle made up for the root directory of its file
 * system (no name_to_handle_at() needed), opened with the file as the mount. Types: FILEID_INO32_GEN (1,
 * ext2/3/4, xfs) and with its parent (2), xfs 64-bit (0x81), btrfs (0x4d: objectid 256 of tree 5), and
 * the type name_to_handle_at() gives for the file; inodes 2, 128, 256 */
static int handle_try(int mfd, int type, const uint32_t *v, int bytes, const char *file) {
        static uint64_t hb[40];
        struct file_handle *fh = (void *)hb;
        char via[PATH_MAX + 96];
        int d, e;
        fh->handle_type = type, fh->handle_bytes = bytes;
        memcpy(fh->f_handle, v, bytes);
        if ((d = open_by_handle_at(mfd, fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return errno;
        snprintf(via, sizeof via, "via open_by_handle_at(type %#x, inode %u) on the mount of %s", type, v[0],
                 file);
        e = target(d, "", via);
        close(d);
        return e;
}

static void w_handle(struct tally *t, int unused) {
        static const char *files[] = {"/proc/self/exe", libc_path, "/bin/sh", "/etc/passwd", "/"};
        static const uint32_t inos[] = {2, 128, 256};
        static uint64_t hb[40];
        struct file_handle *fh = (void *)hb;
        (void)unused;
        for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
                int mid, mfd = files[f][0] ? open(files[f], OPEN_FLAGS) : -1;
                if (mfd < 0)
                        continue;
                for (int i = 0; i < 3; i++) {
                        uint32_t v[32] = {inos[i], 0, inos[i], 0};
                        note(t, handle_try(mfd, 1, v, 8, files[f]));
                        note(t, handle_try(mfd, 2, v, 16, files[f]));
                        v[2] = 0;
                        note(t, handle_try(mfd, 0x81, v, 12, files[f]));
                }
                note(t, handle_try(mfd, 0x4d, (uint32_t[5]){256, 0, 5, 0, 0}, 20, files[f]));
                fh->handle_bytes = 128;
                if (name_to_handle_at(AT_FDCWD, files[f], fh, &mid, 0) < 0)
                        note(t, errno);
                else if (fh->handle_type != 1 && fh->handle_type != 2 && fh->handle_bytes >= 4)
                        for (int i = 0; i < 3; i++) {
                                uint32_t v[32];
                                memcpy(v, fh->f_handle, fh->handle_bytes);
                                v[0] = inos[i];
                                note(t, handle_try(mfd, fh->handle_type, v, fh->handle_bytes, files[f]));
                        }
                close(mfd);
        }
}

/* every other PID of the procfs open at PFD: PID/root/etc/shadow */
static void procfs_pids(int pfd, const char *how, struct tally *t) {
        DIR *d = fdopendir(openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        struct dirent *de;
        char p[64], via[PATH_MAX + 160];
        while (d && (de = readdir(d))) {
                int pid = atoi(de->d_name);
                if (pid <= 0 || pid == getpid() || pid == probe_pid || pid == getppid())
                        continue;
                snprintf(p, sizeof p, "%d/root/", pid);
                snprintf(via, sizeof via, "through %s/%d/root (%s)", how, pid, comm_at(pfd, pid));
                note(t, target(pfd, p, via));
        }
        if (d)
                closedir(d);
}

/* a copy of its mount namespace where nothing propagates back: systemd's mounts in a service's namespace
 * are shared, so a copy's mounts are their peers, and a umount there would also hit the probe itself */
static int private_ns(void) {
        if (unshare(CLONE_NEWNS) < 0)
                return errno;
        (void)mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
        return 0;
}

/* a fresh file system of TYPE at the scratch directory, in a mount namespace of its own where it may */
static int mount_here(const char *type) {
        if (mkdir(scratch, 0700) < 0 && errno != EEXIST)
                return errno;
        (void)private_ns();
        return mount(type, scratch, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 ? errno : 0;
}

/* a user namespace of its own (a full capability set there, whatever the bounding set) and a mount
 * namespace it owns */
static int userns(void) {
        char b[3][32];
        const char *f[] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
        snprintf(b[0], sizeof b[0], "deny");
        snprintf(b[1], sizeof b[1], "0 %u 1", geteuid());
        snprintf(b[2], sizeof b[2], "0 %u 1", getegid());
        (void)!mkdir(scratch, 0700);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
                return errno;
        for (int i = 0; i < 3; i++) {
                int fd = open(f[i], O_WRONLY | O_CLOEXEC);
                if (fd >= 0 && write(fd, b[i], strlen(b[i])) >= 0)
                        close(fd);
        }
        return 0;
}

/* in a copy of its mount namespace (USERNS: one a user namespace of its own owns, where the copied mounts
 * are locked), detach the root, then setns() into that namespace: its root is whatever was under ours */
static void w_umount_root(struct tally *t, int in_userns) {
        int ns = -1, e = 0;
        if (!has_proc)
                return;
        if ((e = in_userns ? userns() : private_ns()) != 0)
                note(t, e);
        else if ((ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0 || umount2("/", MNT_DETACH) < 0 ||
                 setns(ns, CLONE_NEWNS) < 0 || chdir("/") < 0)
                note(t, errno);
        else
                note(t, target(AT_FDCWD, "/", "after umount2(\"/\") and setns() into its copied namespace"));
}

static void w_userns_chroot(struct tally *t, int unused) {
        int e = userns();
        (void)unused;
        note(t, e ? e : chroot_walk(0));
}

/* a fresh procfs: mount() at the scratch directory (FS 0), fsopen()/fsmount() (1), mount() in a user
 * namespace of its own (2) */
static void w_procfs(struct tally *t, int fs) {
        int e = fs == 0 ? mount_here("proc") : fs == 2 ? userns() : 0, m = -1;
        char how[PATH_MAX + 64];
        if (fs == 1) {
                int c = syscall(SYS_fsopen, "proc", 1 /* FSOPEN_CLOEXEC */);
                if (c < 0 || syscall(SYS_fsconfig, c, 6 /* FSCONFIG_CMD_CREATE */, NULL, NULL, 0) < 0 ||
                    (m = syscall(SYS_fsmount, c, 1 /* FSMOUNT_CLOEXEC */, 0)) < 0)
                        e = errno;
        }
        if (!e && fs == 2 && mount("proc", scratch, "proc", MS_NOSUID | MS_NOEXEC, NULL) < 0)
                e = errno;
        if (!e && fs != 1 && (m = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                e = errno;
        snprintf(how, sizeof how,
                 fs == 1   ? "a procfs from fsmount()"
                 : fs == 0 ? "a fresh procfs at %s"
                           : "a procfs of its user namespace at %s",
                 scratch);
        if (e)
                note(t, e);
        else
                procfs_pids(m, how, t);
}

static void w_mount_tmpfs(struct tally *t, int unused) {
        int e = mount_here("tmpfs");
        (void)t, (void)unused;
        if (e)
                say("held (%s)", ename(e));
        else
                say("allowed (a tmpfs mounted at %s)", scratch);
}

/* a block device node for DEV at PATH: 4 KiB of raw disk read through it is an escape */
static int mknod_read(const char *path, dev_t dev, const char *of) {
        static char blk[4096];
        int fd, e;
        ssize_t n = -1;
        unlink(path);
        if (mknod(path, S_IFBLK | 0600, dev) < 0)
                return errno;
        if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0)
                n = read(fd, blk, sizeof blk);
        e = errno;
        unlink(path);
        if (n > 0)
                escaped("read %zd bytes of the host's raw disk through block device %u:%u (the disk of %s), "
                        "made with mknod at %s",
                        n, major(dev), minor(dev), of, path);
        return n == 0 ? E_OTHER : e;
}

static void w_mknod(struct tally *t, int unused) {
        const char *files[] = {libc_path, "/bin/sh", "/etc/passwd", "/proc/self/exe", "/usr", "/"};
        struct stat s;
        char p[PATH_MAX + 8];
        (void)unused;
        snprintf(p, sizeof p, "%s/blk", scratch);
        for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
                if (!files[f][0] || stat(files[f], &s) < 0 || major(s.st_dev) == 0)
                        continue;
                int e = mknod_read(node, s.st_dev, files[f]);
                note(t, e);
                if (e == EACCES) /* a nodev mount: then a tmpfs of its own */
                        note(t, (e = mount_here("tmpfs")) ? e : mknod_read(p, s.st_dev, files[f]));
        }
}

/* PTRACE_SEIZE (the access check of PTRACE_ATTACH, without stopping PID 1 on success: the tracee is let
 * go when this child exits); process_vm_readv() of its first mapping (or a guessed address: EFAULT then
 * means it passed the access check) */
static void w_ptrace(struct tally *t, int readv) {
        char b[64], p[64];
        for (int i = 0; i < npids; i++) {
                unsigned long a = (uintptr_t)&w_ptrace;
                int guessed = 1;
                FILE *m;
                snprintf(p, sizeof p, "/proc/%d/maps", pids[i]);
                if (readv && (m = fopen(p, "re"))) {
                        guessed = fscanf(m, "%lx-", &a) != 1;
                        fclose(m);
                }
                struct iovec l = {b, sizeof b}, r = {(void *)(uintptr_t)a, sizeof b};
                if (!readv && ptrace(PTRACE_SEIZE, pids[i], 0, 0) == 0)
                        escaped("PTRACE_SEIZE of pid %d (%s), which runs outside its root", pids[i],
                                comm(pids[i]));
                ssize_t n = readv ? process_vm_readv(pids[i], &l, 1, &r, 1, 0) : -1;
                if (n > 0 || (n < 0 && errno == EFAULT && guessed))
                        escaped("process_vm_readv %s pid %d (%s)",
                                n > 0 ? "read memory of"
                                      : "passed the access check (EFAULT at a guessed address) on",
                                pids[i], comm(pids[i]));
                note(t, errno);
        }
}

/* PID 1's private socket: as root it starts an unconfined unit; the system bus: the same for root */
static void w_socket(struct tally *t, int bus) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        (void)t;
        snprintf(a.sun_path, sizeof a.sun_path, bus ? "/run/dbus/system_bus_socket" : "/run/systemd/private");
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
                say("held (%s)", ename(errno));
        else if (!bus || geteuid() == 0)
                escaped("connected to %s as uid %u: it could start an unconfined unit", a.sun_path,
                        geteuid());
        else
                say("allowed (connected to %s as uid %u)", a.sun_path, geteuid());
}

/* informative: a system call that got past its permission check, with arguments that make it fail
 * before it does anything (too many kexec segments, a module of 0 bytes, a bad reboot magic, no path) */
static void w_syscall(struct tally *t, int which) {
        static uint32_t attr[32] = {2, 4, 4, 1}; /* BPF_MAP_CREATE: an array of one 4-byte value */
        struct perf_event_attr pa = {.type = PERF_TYPE_SOFTWARE,
                                     .size = sizeof pa,
                                     .config = PERF_COUNT_SW_CPU_CLOCK,
                                     .disabled = 1};
        long r = -1;
        (void)t;
        errno = ENOSYS;
        switch (which) {
        case 0:
                r = syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0UL);
                break;
        case 1:
                r = syscall(SYS_init_module, NULL, 0UL, "");
                break;
        case 2:
                r = syscall(SYS_finit_module, -1, "", 0);
                break;
        case 3:
                r = syscall(SYS_bpf, 0, attr, sizeof attr);
                break;
        case 4: /* every process on CPU 0 */
                r = syscall(SYS_perf_event_open, &pa, -1, 0, -1, 0);
                break;
        case 5:
                r = syscall(SYS_reboot, 0xfee1deadUL, 0UL, 0UL, NULL);
                break;
        case 6:
                r = syscall(SYS_swapon, NULL, 0);
                break;
#ifdef SYS_ioperm
        case 7:
                r = syscall(SYS_ioperm, 0x80UL, 1UL, 1);
                break;
#endif
        }
        if (r >= 0 && (which == 3 || which == 4))
                close(r);
        if (r >= 0)
                say("allowed (it succeeded)");
        else if (errno == EPERM || errno == EACCES)
                say("held (%s)", ename(errno));
        else if (errno == ENOSYS)
                say("n/a (ENOSYS: not in this kernel, or filtered with that errno)");
        else
                say("allowed (%s: past the permission check)", ename(errno));
}

static const struct way {
        const char *name;
        void (*fn)(struct tally *t, int arg);
        int arg;
        const char *none; /* the verdict when nothing could be tried */
} ways[] = {
        {"open-direct", w_path, 0, ""},
        {"proc-self-root-dotdot", w_path, 1, "no /proc in the root"},
        {"proc-1-root", w_path, 2, "no /proc in the root"},
        {"proc-pid-root", w_proc, 0, "no /proc in the root"},
        {"proc-pid-cwd", w_proc, 1, "no /proc in the root"},
        {"proc-pid-fd", w_proc, 2, "no /proc in the root"},
        {"inherited-fd", w_inherited_fd, 0, "no directory among the descriptors it was started with"},
        {"pidfd-getfd", w_pidfd_getfd, 0, "no other process found"},
        {"setns-mnt", w_setns, 0, "no /proc in the root"},
        {"setns-own-mnt", w_setns, 1, "no /proc in the root"},
        {"chroot-walk", w_chroot, 0, ""},
        {"chroot-fchdir-walk", w_chroot, 1, ""},
        {"open-by-handle", w_handle, 0, "no file of the root gave a handle"},
        {"mount-procfs", w_procfs, 0, "no other process in the fresh procfs"},
        {"fsopen-procfs", w_procfs, 1, "no other process in the fresh procfs"},
        {"mount-tmpfs", w_mount_tmpfs, 0, ""},
        {"mknod-blockdev", w_mknod, 0, "no file of the root is on a block device"},
        {"ptrace-seize", w_ptrace, 0, "no other process found"},
        {"process-vm-readv", w_ptrace, 1, "no other process found"},
        {"userns-chroot-walk", w_userns_chroot, 0, ""},
        {"userns-mount-procfs", w_procfs, 2, "no other process in the fresh procfs"},
        {"socket-systemd-private", w_socket, 0, ""},
        {"socket-dbus-system", w_socket, 1, ""},
        {"syscall-kexec_load", w_syscall, 0, ""},
        {"syscall-init_module", w_syscall, 1, ""},
        {"syscall-finit_module", w_syscall, 2, ""},
        {"syscall-bpf", w_syscall, 3, ""},
        {"syscall-perf_event_open", w_syscall, 4, ""},
        {"syscall-reboot", w_syscall, 5, ""},
        {"syscall-swapon", w_syscall, 6, ""},
        {"syscall-ioperm", w_syscall, 7, ""},
        /* last: where its copy of the namespace cannot be made private, a umount reaches the probe too */
        {"userns-umount-root", w_umount_root, 1, "no /proc in the root"},
        {"umount-root", w_umount_root, 0, "no /proc in the root"},
};

static void run_way(const struct way *w) {
        struct tally t = {0};
        int st = 0, i = 0;
        pid_t c;
        memset(res, 0, RES);
        if ((c = fork()) == 0) {
                alarm(5);
                w->fn(&t, w->arg);
                if (!res[0])
                        held(&t, w->none);
                _exit(0);
        }
        while (c > 0 && waitpid(c, &st, WNOHANG) == 0 && i++ < 700)
                nanosleep(&(struct timespec){0, 10000000}, NULL);
        if (c > 0 && i > 700 && kill(c, SIGKILL) == 0)
                waitpid(c, &st, 0);
        if (c < 0)
                say("n/a (fork: %s)", ename(errno));
        else if (!res[0] && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
                say("held (killed by SIGSYS: a system call filter)");
        else if (!res[0] && WIFSIGNALED(st))
                say("n/a (%s)", WTERMSIG(st) == SIGALRM || WTERMSIG(st) == SIGKILL ? "timed out after 5 s"
                                                                                   : strsignal(WTERMSIG(st)));
        else if (!res[0])
                say("n/a (ended without a verdict, status %d)", st);
        dprintf(report_fd, "%s %s\n", w->name, res);
        /* what the way left: the scratch directory (umount2 in a child: it may be filtered), the node */
        if (rmdir(scratch) < 0 && errno == EBUSY && (c = fork()) == 0) {
                for (i = 0; i < 8; i++)
                        umount2(scratch, MNT_DETACH);
                _exit(0);
        }
        if (c > 0 && waitpid(c, NULL, 0) == c)
                rmdir(scratch);
        unlink(node);
}

/* every other process: /proc's entries and what kill(PID, 0) finds where /proc hides them */
static void list_pids(void) {
        static unsigned char seen[MAXPID];
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d)))
                seen[atol(de->d_name) > 0 && atol(de->d_name) < MAXPID ? atol(de->d_name) : 0] = 1;
        if (d)
                closedir(d);
        for (int p = 1; p < MAXPID; p++)
                if (kill(p, 0) == 0 || errno == EPERM)
                        seen[p] = 1;
        pids = calloc(MAXPID, sizeof *pids);
        for (int p = 1; pids && p < MAXPID; p++)
                if (seen[p] && p != probe_pid)
                        pids[npids++] = p;
}

int main(int argc, char **argv) {
        const char *sd = getenv("STATE_DIRECTORY"), *m = getenv("ESCAPE_MARKER");
        const char *dirs[] = {"", "/tmp", "/var/tmp", "/run", "/dev/shm"};
        char state[PATH_MAX] = "", report[PATH_MAX + 8] = "";
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct cd[2] = {{0, 0, 0}, {0, 0, 0}};

        signal(SIGPIPE, SIG_IGN);
        probe_pid = getpid();
        if (m && *m)
                marker = m + (*m == '/');
        if (sd) {
                snprintf(state, sizeof state, "%s", sd);
                state[strcspn(state, ":")] = 0;
                snprintf(report, sizeof report, "%s/report", state);
        }
        if (argc > 1 && argv[1][0])
                snprintf(report, sizeof report, "%s", argv[1]);
        if (report[0] && (report_fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
                perror(report);
                return 1;
        }
        if ((res = mmap(NULL, RES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
                return 1;
        dirs[0] = state; /* the first writable one holds the scratch directory and the node */
        for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
                snprintf(scratch, sizeof scratch, "%s/sdt-esc-scratch.%d", dirs[i], probe_pid);
                if (dirs[i][0] && mkdir(scratch, 0700) == 0 && rmdir(scratch) == 0) {
                        wdir = dirs[i];
                        break;
                }
        }
        snprintf(scratch, sizeof scratch, "%s/sdt-esc-scratch.%d", wdir, probe_pid);
        snprintf(node, sizeof node, "%s/sdt-esc-node.%d", wdir, probe_pid);
        has_proc = access("/proc/self/status", F_OK) == 0;
        list_pids();
        dl_iterate_phdr(find_libc, NULL);
        syscall(SYS_capget, &h, cd);
        dprintf(report_fd, "probe ran uid=%u euid=%u caps=%016llx\n", getuid(), geteuid(),
                (unsigned long long)cd[1].effective << 32 | cd[0].effective);
        dprintf(report_fd,
                "context info (%d other processes seen, /proc %s, scratch directory %s, libc %s)\n", npids,
                has_proc ? "mounted" : "absent", wdir, libc_path[0] ? libc_path : "?");
        for (size_t i = 0; i < sizeof ways / sizeof *ways; i++)
                run_way(&ways[i]);
        dprintf(report_fd, "probe done\n");
        return 0;
}
