/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"
#include "run-check.h"

#define OUTPUT_KEEP 4096u

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* keep the last OUTPUT_KEEP bytes */
static void keep_tail(char *buf, size_t *len, const char *data, size_t n) {
        if (n >= OUTPUT_KEEP) {
                memcpy(buf, data + n - OUTPUT_KEEP, OUTPUT_KEEP);
                *len = OUTPUT_KEEP;
                return;
        }
        if (*len + n > OUTPUT_KEEP) {
                size_t drop = *len + n - OUTPUT_KEEP;
                memmove(buf, buf + drop, *len - drop);
                *len -= drop;
        }
        memcpy(buf + *len, data, n);
        *len += n;
}

int run_check(const char *cmd, unsigned timeout_ms, volatile sig_atomic_t *stop, int *ret_status,
              char **ret_output) {
        int fds[2], status = 0, r = 0;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid == 0) {
                /* its own process group, so that a timeout ends what it started too */
                (void)setpgid(0, 0);
                /* what the try ignores (a lost terminal) is no business of the check */
                for (int sig = 1; sig < _NSIG; sig++)
                        if (sig != SIGKILL && sig != SIGSTOP)
                                (void)signal(sig, SIG_DFL);
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
                        _exit(127);
                execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
                _exit(127);
        }
        close(fds[1]);
        _cleanup_close_ int out = fds[0];
        char *buf = malloc(OUTPUT_KEEP + 1), chunk[4096];
        size_t len = 0;
        bool exited = false, eof = false;
        uint64_t deadline = now_ms() + timeout_ms;
        if (!buf)
                r = -ENOMEM;
        /* until the shell has exited and its output is read; a process it left behind holding the pipe is not
         * waited for */
        while (r >= 0 && !(exited && eof)) {
                if (!exited) {
                        pid_t w = waitpid(pid, &status, WNOHANG);
                        if (w == pid)
                                exited = true;
                        else if (w < 0 && errno != EINTR)
                                r = -errno;
                }
                uint64_t now = now_ms();
                if (!exited && now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                if (!exited && stop && *stop) {
                        r = -EINTR;
                        break;
                }
                if (eof) {
                        struct timespec ts = {0, 20 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                        continue;
                }
                struct pollfd p = {.fd = out, .events = POLLIN};
                int k = poll(&p, 1, exited ? 0 : 100);
                if (k < 0 && errno != EINTR)
                        r = -errno;
                if (k <= 0) {
                        eof = exited; /* the shell is gone and nothing more is there */
                        continue;
                }
                ssize_t n = read(out, chunk, sizeof chunk);
                if (n < 0 && errno != EINTR && errno != EAGAIN)
                        r = -errno;
                else if (n == 0)
                        eof = true;
                else if (n > 0)
                        keep_tail(buf, &len, chunk, n);
        }
        if (!exited) {
                (void)kill(-pid, SIGKILL);
                (void)kill(pid, SIGKILL);
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (r < 0 && r != -ETIMEDOUT && r != -EINTR) {
                free(buf);
                return r;
        }
        buf[len] = 0;
        *ret_output = buf;
        if (r < 0)
                return r;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return 0;
}
