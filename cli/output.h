/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service-source.h"

#include "format.h"

/* Print an error in the operator's words: what failed, why, and what to do. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* service_source_open/_load for a command: the error, and the notice that the unit files are read (unless
 * quiet), printed on stderr. */
int cli_source_open(const ServiceSourceOptions *o, ServiceSource *ret, bool quiet);
int cli_source_load(ServiceSource *s, const char *name, Service **ret);

/* The terminal's width: $COLUMNS, or the terminal on stdout; 0 when it is no terminal (no limit). */
size_t terminal_columns(void);
/* One table row: each cell fitted to its width in columns and padded, then the last fitted to
 * last_width (0: whole). */
void print_cells(const char *const *cells, const size_t *widths, size_t n, const char *last,
                 size_t last_width);
