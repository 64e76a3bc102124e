/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "output.h"

void log_error(const char *fmt, ...) {
        va_list ap;
        fputs("sdconfine: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int cli_source_open(const ServiceSourceOptions *o, ServiceSource *ret, bool quiet) {
        _cleanup_free_ char *error = NULL;
        int r = service_source_open(o, ret, &error);
        if (r < 0) {
                log_error("%s.", error ? error : error_words(-r));
                return r;
        }
        if (ret->notice && !quiet)
                log_error("%s.", ret->notice);
        return 0;
}

int cli_source_load(ServiceSource *s, const char *name, Service **ret) {
        _cleanup_free_ char *error = NULL;
        int r = service_source_load(s, name, ret, &error);
        if (r < 0)
                log_error("%s.", error ? error : error_words(-r));
        return r;
}

size_t terminal_columns(void) {
        const char *e = getenv("COLUMNS");
        struct winsize ws;
        if (e && atoi(e) > 0)
                return (size_t)atoi(e);
        if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 0;
}

void print_cells(const char *const *cells, const size_t *widths, size_t n, const char *last,
                 size_t last_width) {
        char buf[1024];
        for (size_t c = 0; c < n; c++) {
                size_t used = format_fit(cells[c], widths[c], buf, sizeof buf);
                printf("%s%*s ", buf, (int)(widths[c] > used ? widths[c] - used : 0), "");
        }
        format_fit(last, last_width, buf, sizeof buf);
        printf("%s\n", buf);
}
