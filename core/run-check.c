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

/* run_program: a tool of the host, its stdin fed and its stdout kept whole. */

#include <sys/socket.h>

#include "fileio.h"

typedef struct ProgramIO {
        int in, out, err; /* our ends; -1 once closed */
        const char *input;
        size_t input_left, max_output;
        char *output;
        size_t output_len, output_cap;
        char errors[OUTPUT_KEEP + 1];
        size_t errors_len;
} ProgramIO;

static void close_pair(int p[2]) {
        for (int i = 0; i < 2; i++)
                if (p[i] >= 0)
                        close(p[i]);
}

static _Noreturn void program_child(char *const *argv, int in, int out, int err, int ex) {
        (void)setpgid(0, 0);
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        if (in < 0)
                in = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
                int e = errno;
                (void)!write(ex, &e, sizeof e);
                _exit(127);
        }
        execvp(argv[0], argv);
        int e = errno;
        (void)!write(ex, &e, sizeof e);
        _exit(127);
}

/* Start the program with pipes on its stdin (when input), stdout and stderr; the exec's errno comes back
 * through a close-on-exec pipe, so that a missing program is -ENOENT, not exit status 127. */
static int program_spawn(char *const *argv, bool input, ProgramIO *io, pid_t *ret_pid) {
        int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, ex[2] = {-1, -1}, r = 0;
        /* stdin is a socket so that writing to a program that stopped reading is EPIPE, never SIGPIPE */
        if ((input && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0) ||
            pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0)
                r = -errno;
        pid_t pid = r < 0 ? -1 : fork();
        if (r >= 0 && pid < 0)
                r = -errno;
        if (pid == 0)
                program_child(argv, in[0], out[1], err[1], ex[1]);
        if (r >= 0) {
                close(ex[1]);
                ex[1] = -1;
                int e = 0;
                ssize_t n;
                while ((n = read(ex[0], &e, sizeof e)) < 0 && errno == EINTR)
                        ;
                if (n == sizeof e) {
                        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                        r = -e;
                }
        }
        if (r < 0) {
                close_pair(in), close_pair(out), close_pair(err), close_pair(ex);
                return r;
        }
        close(in[0]), close(out[1]), close(err[1]), close(ex[0]);
        io->in = in[1];
        io->out = out[0];
        io->err = err[0];
        *ret_pid = pid;
        return 0;
}

static void io_close(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* One round of poll over the three pipes. */
static int program_pump(ProgramIO *io, int timeout) {
        struct pollfd p[3] = {{.fd = io->in, .events = POLLOUT},
                              {.fd = io->out, .events = POLLIN},
                              {.fd = io->err, .events = POLLIN}};
        int k = poll(p, 3, timeout);
        if (k < 0)
                return errno == EINTR ? 0 : -errno;
        if (p[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
                ssize_t n = io->input_left
                                    ? send(io->in, io->input, io->input_left, MSG_NOSIGNAL | MSG_DONTWAIT)
                                    : 0;
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        io_close(&io->in); /* EPIPE: it stopped reading, which is its business */
                else if (n > 0) {
                        io->input += n;
                        io->input_left -= n;
                }
                if (io->input_left == 0 || (p[0].revents & (POLLERR | POLLHUP)))
                        io_close(&io->in);
        }
        char chunk[16384];
        if (p[1].revents) {
                ssize_t n = read(io->out, chunk, sizeof chunk);
                if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
                        io_close(&io->out);
                else if (n > 0 && io->output_len + n > io->max_output)
                        return -EFBIG;
                else if (n > 0 && buf_append(&io->output, &io->output_len, &io->output_cap, chunk, n) < 0)
                        return -ENOMEM;
        }
        if (p[2].revents) {
                ssize_t n = read(io->err, chunk, sizeof chunk);
                if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
                        io_close(&io->err);
                else if (n > 0)
                        keep_tail(io->errors, &io->errors_len, chunk, n);
        }
        return 0;
}

int run_program(char *const *argv, const char *input, size_t max_output, unsigned timeout_ms, int *ret_status,
                char **ret_output, char **ret_errors) {
        ProgramIO io = {.in = -1, .out = -1, .err = -1, .input = input, .max_output = max_output};
        pid_t pid;
        int status = 0, r;
        if (!argv || !argv[0])
                return -EINVAL;
        io.input_left = input ? strlen(input) : 0;
        r = program_spawn(argv, input != NULL, &io, &pid);
        if (r < 0)
                return r;
        uint64_t deadline = now_ms() + timeout_ms;
        while (r >= 0 && (io.in >= 0 || io.out >= 0 || io.err >= 0)) {
                uint64_t now = now_ms();
                if (now >= deadline)
                        r = -ETIMEDOUT;
                else
                        r = program_pump(&io, (int)(deadline - now < 1000 ? deadline - now : 1000));
        }
        io_close(&io.in), io_close(&io.out), io_close(&io.err);
        if (r < 0) {
                /* a program that outlived its time, or wrote more than we keep */
                (void)kill(-pid, SIGKILL);
                (void)kill(pid, SIGKILL);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r >= 0 && buf_append(&io.output, &io.output_len, &io.output_cap, "", 0) < 0)
                r = -ENOMEM;
        _cleanup_free_ char *errors = r >= 0 ? strndup(io.errors, io.errors_len) : NULL;
        if (r >= 0 && !errors)
                r = -ENOMEM;
        if (r < 0) {
                free(io.output);
                return r;
        }
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        *ret_output = io.output;
        *ret_errors = TAKE_PTR(errors);
        return 0;
}
