/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "closure.h"

/* A closure as a Graphviz DOT graph: a node per file, shaped and coloured by what it is (program,
 * interpreter, library, script, package file, a script's command, interpreter module, PAM or NSS plugin,
 * learned file), an edge per need labelled with why ("DT_NEEDED", "PT_INTERP", "#!", "conffile",
 * "command", "module"...), sizes in the labels, missing files in red, and a cluster per package. */

typedef struct DotOptions {
        bool collapse;    /* one node per package (its files and size), the files of no package as they are */
        bool no_clusters; /* no box around each package's files */
        const char *title; /* the graph's label, NULL for none */
} DotOptions;

typedef enum DotClass {
        DOT_PROGRAM,
        DOT_INTERPRETER,
        DOT_LIBRARY,
        DOT_SCRIPT,
        DOT_PACKAGE_FILE, /* a conffile or file of the programs' packages */
        DOT_COMMAND,      /* a program a script runs or sources */
        DOT_MODULE,       /* an interpreter's module or extension */
        DOT_PLUGIN,       /* NSS and PAM modules, and the files that name them */
        DOT_LEARNED,      /* seen opened by 'sdconfine learn' */
        DOT_FILE,
        _DOT_CLASS_MAX,
} DotClass;

DotClass closure_dot_class(const ClosureNode *n);
/* Why the edge to n is there, in a word or two: how n was found. parent may be NULL. */
const char *closure_dot_edge_label(const ClosureNode *parent, const ClosureNode *n);

/* Append s to *buf as the inside of a DOT quoted string: quotes and backslashes escaped, control characters
 * and bytes that are not UTF-8 shown as \xNN, so any path comes out as itself. */
int dot_escape_append(char **buf, size_t *len, size_t *cap, const char *s);

int closure_to_dot(const Closure *c, const DotOptions *o, char **ret_text);
