/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Between the two halves of Perl in interp (interp-perl.c finds files, interp-perl-scan.c reads a file's
 * use/no/require statements). */

#include <stdbool.h>
#include <stddef.h>

#include "interp.h"

/* "Foo::Bar": a module name as require takes it. */
bool perl_is_module_name(const char *s, size_t n);

/* The modules a Perl file loads (module: its own name, or NULL). */
int perl_scan(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
              size_t *ret_n);
