/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "closure.h"
#include "fs-root.h"

/* The modules a script interpreter loads, found the way that interpreter finds them, statically: its own
 * search path below the root (Perl's @INC, Python's sys.path), the imports each source file names,
 * recursively, and the compiled extensions (.so) those load, with their own ELF closures. One Interpreter per
 * language, each in its own file (interp-perl.c, interp-python.c); a third is one more file and one more line
 * in interp.c's table. */

typedef struct InterpImport {
        char *name;    /* as the language names it, absolute: "File::Temp", "os.path", "encodings.utf_8" */
        unsigned line; /* in the file scanned, 1-based; 0 for modules every start loads */
} InterpImport;

void interp_imports_free(InterpImport *l, size_t n);

typedef struct Interpreter {
        const char *name; /* "perl", "python": in reasons ("perl module of /usr/sbin/foo") */
        /* Whether the program at real path (inside the root) is this interpreter ("/usr/bin/perl",
         * "/usr/bin/python3.11"). */
        bool (*matches)(const char *real);
        /* The module search path below the root for the interpreter at real, in order, NULL-terminated
         * (only directories that exist). script: the script being run (Python puts its directory first), or
         * NULL. */
        int (*search_path)(FsRoot *root, const char *real, const char *script, char ***ret);
        /* Modules every start of the interpreter loads before the script (Python: encodings, site...). */
        int (*startup)(FsRoot *root, char *const *search_path, InterpImport **ret, size_t *ret_n);
        /* The imports in one source file. module: the file's own module name when it is a module ("foo.bar",
         * for relative imports), NULL for the script itself. is_package: the file is a package's __init__. */
        int (*scan)(const char *text, size_t size, const char *module, bool is_package, InterpImport **ret,
                    size_t *ret_n);
        /* The files of one module below the root: its source first (the one the interpreter would pick),
         * then what loading it also opens (a Python package's parent __init__.py files, a Perl XS module's
         * auto/.../X.so). -ENOENT when the interpreter would not find it (a builtin module, a missing one).
         * ret_source_index: which of the files is source text to scan further (SIZE_MAX for none, e.g. an
         * extension module). */
        int (*resolve)(FsRoot *root, char *const *search_path, const char *name, char ***ret_files,
                       size_t *ret_source_index);
} Interpreter;

extern const Interpreter interp_perl;
extern const Interpreter interp_python;

/* The interpreter the program at real path is, or NULL. */
const Interpreter *interp_find(const char *real);

/* Add to the closure the modules of the script at node script_node, which interp_node (the script's #!
 * interpreter, a node of c) runs: the startup modules, the script's imports, and theirs, recursively; each
 * file with the reason "perl module of SCRIPT" / "python module of SCRIPT" (extensions: "... extension of
 * SCRIPT"). Modules not found are skipped silently (builtins, optional imports inside try blocks).
 * Returns the number of files added, or -errno (-ENOMEM). */
int interp_add_modules(Closure *c, size_t script_node, size_t interp_node, const ClosureEnv *env);
