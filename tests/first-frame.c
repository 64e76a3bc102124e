/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Time to a program's first screen (a benchmark helper, not a test): runs COMMAND on a fresh 80x24
 * pseudo-terminal and prints the milliseconds from fork to the moment its output first contains every
 * MARKER, then sends QUIT and reaps it (killed when it does not quit within a second).
 *
 *   first-frame [-k QUIT] MARKER[,MARKER...] COMMAND [ARG...]
 *
 * No tmux, no terminal emulator between the program and the clock: the pty is read directly. Exit status
 * 1 when a marker never appears within 20 s (the output seen is printed). */

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Whether every comma-separated marker occurs in the output so far. */
static bool all_markers(const char *out, const char *markers) {
        char m[256];
        for (const char *p = markers; *p;) {
                size_t n = strcspn(p, ",");
                if (n >= sizeof m)
                        return false;
                memcpy(m, p, n);
                m[n] = '\0';
                if (!strstr(out, m))
                        return false;
                p += n + (p[n] == ',');
        }
        return true;
}

int main(int argc, char **argv) {
        const char *quit = "q";
        int i = 1;
        if (argc > 2 && strcmp(argv[1], "-k") == 0) {
                quit = argv[2];
                i = 3;
        }
        if (argc - i < 2) {
                fprintf(stderr, "Usage: first-frame [-k QUIT] MARKER[,MARKER...] COMMAND [ARG...]\n");
                return 2;
        }
        const char *markers = argv[i];
        struct winsize ws = {.ws_row = 24, .ws_col = 80};
        int master;
        double t0 = now_ms();
        pid_t pid = forkpty(&master, NULL, NULL, &ws);
        if (pid < 0) {
                perror("forkpty");
                return 2;
        }
        if (pid == 0) {
                execvp(argv[i + 1], argv + i + 1);
                _exit(127);
        }

        size_t cap = 1 << 20, len = 0;
        char *out = malloc(cap);
        if (!out)
                return 2;
        out[0] = '\0';
        double t = -1;
        while (now_ms() - t0 < 20000) {
                struct pollfd p = {.fd = master, .events = POLLIN};
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t n = read(master, out + len, cap - 1 - len);
                if (n <= 0)
                        break;
                len += n;
                out[len] = '\0';
                /* ncurses writes NULs only as padding; keep strstr working */
                for (size_t k = len - n; k < len; k++)
                        if (out[k] == '\0')
                                out[k] = ' ';
                if (all_markers(out, markers)) {
                        t = now_ms() - t0;
                        break;
                }
                if (len + 1 >= cap)
                        break;
        }
        if (write(master, quit, strlen(quit)) < 0) {
                /* it has gone already; the wait below reaps it */
        }
        int status = 0;
        for (int k = 0; k < 100 && waitpid(pid, &status, WNOHANG) == 0; k++) {
                /* drain the screen it writes on leaving, so it never blocks on a full pty */
                char sink[4096];
                struct pollfd p = {.fd = master, .events = POLLIN};
                if (poll(&p, 1, 10) > 0 && read(master, sink, sizeof sink) < 0)
                        break;
        }
        if (waitpid(pid, &status, WNOHANG) == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        if (t < 0) {
                fprintf(stderr, "first-frame: \"%s\" never appeared; the output was:\n%s\n", markers, out);
                return 1;
        }
        printf("%.1f\n", t);
        return 0;
}
