/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>

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
