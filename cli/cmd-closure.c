/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/stat.h>
#include <limits.h>
#include <unistd.h>

#include "closure-dot.h"
#include "closure-json.h"
#include "unit-closure.h"
#include "closure.h"
#include "cmd-closure.h"
#include "fileio.h"
#include "macro.h"
#include "options.h"
#include "output.h"
#include "run-check.h"
#include "service-source.h"
#include "unit-name.h"

static void print_tree_node(const Closure *c, size_t i, size_t parent, const char *prefix, bool last,
                            bool top, bool *expanded) {
        const TreeGlyphs *g = output_glyphs();
        const ClosureNode *n = closure_node(c, i);
        char size[32];

        printf("%s%s%s", prefix, top ? "" : last ? g->last : g->branch, n->path);
        if (!streq(n->path, n->realpath))
                printf("%s%s", g->arrow, n->realpath);
        printf("  [%s", node_kind_to_string(n->kind));
        if (!n->root)
                printf(", %s", closure_node_via(n));
        printf(", %s", format_size(n->size, size, sizeof size));
        if (n->package)
                printf(", %s", n->package);
        if (n->mode & S_ISUID)
                printf(", SETUID");
        if (n->mode & S_ISGID)
                printf(", SETGID");
        if (n->caps)
                printf(", CAPS %s", n->caps);
        printf("]");
        if (n->n_deps > 0 && (expanded[i] || (!top && closure_tree_parent(c, i) != parent))) {
                printf(" (dependencies shown %s)\n", expanded[i] ? "above" : "below");
                return;
        }
        printf("\n");
        if (n->error)
                printf("%s%s  error: %s\n", prefix, top ? "" : last ? g->space : g->pipe, n->error);
        expanded[i] = true;

        size_t pl = strlen(prefix) + 8;
        _cleanup_free_ char *sub = malloc(pl + 1);
        if (!sub)
                return;
        snprintf(sub, pl + 1, "%s%s", prefix, top ? "" : last ? g->space : g->pipe);

        /* missing libraries of this node come last, highlighted by words */
        size_t n_missing = 0;
        for (size_t m = 0; m < closure_n_missing(c); m++)
                if (closure_missing(c, m)->needed_by == i)
                        n_missing++;
        for (size_t d = 0; d < n->n_deps; d++)
                print_tree_node(c, n->deps[d], i, sub, d + 1 == n->n_deps && n_missing == 0, false, expanded);
        for (size_t m = 0, k = 0; m < closure_n_missing(c); m++) {
                const ClosureMissing *ms = closure_missing(c, m);
                if (ms->needed_by != i)
                        continue;
                k++;
                printf("%s%s%s  [MISSING: %s]\n", sub, k == n_missing ? g->last : g->branch, ms->name,
                       ms->reason);
        }
}

static int print_tree(const Closure *c) {
        _cleanup_free_ bool *expanded = calloc(closure_n_nodes(c) + 1, sizeof(bool));
        if (!expanded)
                return -ENOMEM;
        for (size_t i = 0; i < closure_n_nodes(c); i++)
                if (closure_node(c, i)->root)
                        print_tree_node(c, i, SIZE_MAX, "", true, true, expanded);

        uint64_t total = 0;
        for (size_t i = 0; i < closure_n_nodes(c); i++)
                total += closure_node(c, i)->size;
        char size[32];
        printf("\n%zu files, %s", closure_n_nodes(c), format_size(total, size, sizeof size));
        if (closure_n_missing(c) > 0)
                printf(", %zu missing", closure_n_missing(c));
        printf("\n");
        for (size_t m = 0; m < closure_n_missing(c); m++) {
                const ClosureMissing *ms = closure_missing(c, m);
                printf("missing %s (needed by %s): %s\n", ms->name, closure_node(c, ms->needed_by)->path,
                       ms->reason);
                size_t variants = 0;
                for (size_t t = 0; t < ms->n_tried; t++)
                        if (ms->tried_subdir[t])
                                variants++;
                        else
                                printf("    tried %s\n", ms->tried[t]);
                if (variants > 0)
                        printf("    and %zu hardware-capability subdirectories of these (all in --json)\n",
                               variants);
        }
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int print_list(const Closure *c) {
        /* paths as they must exist: a loader path such as $ORIGIN/../lib/x normalised */
        size_t n = closure_n_nodes(c), k = 0;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        for (size_t i = 0; i < n; i++)
                size += strlen(closure_node(c, i)->path) + 1;
        _cleanup_free_ const char **paths = malloc((2 * n + 1) * sizeof(char *));
        buf = malloc(size + 1);
        if (!paths || !buf)
                return -ENOMEM;
        char *w = buf;
        for (size_t i = 0; i < n; i++) {
                const ClosureNode *node = closure_node(c, i);
                strcpy(w, node->path);
                path_normalize(w);
                paths[k++] = w;
                w += strlen(w) + 1;
                if (!streq(node->path, node->realpath))
                        paths[k++] = node->realpath;
        }
        qsort(paths, k, sizeof(char *), cmp_str);
        for (size_t i = 0; i < k; i++)
                if (i == 0 || !streq(paths[i], paths[i - 1]))
                        puts(paths[i]);
        /* the list is for scripts: missing libraries go to stderr, one line each */
        for (size_t m = 0; m < closure_n_missing(c); m++) {
                const ClosureMissing *ms = closure_missing(c, m);
                fprintf(stderr, "missing %s (needed by %s): %s\n", ms->name,
                        closure_node(c, ms->needed_by)->path, ms->reason);
        }
        return 0;
}

/* A unit name: the programs of its Exec* lines, with its PATH and LD_LIBRARY_PATH, and what they need beyond
 * their ELF files, each with its reason. 0, 1 (an error, printed), or -ENOMEM. */
static int add_unit(CliOptions *o, ServiceSource *src, ClosureContext *ctx, Closure *cl, UnitRun *run,
                    const char *name) {
        Service *s = NULL;
        _cleanup_free_ char *err = NULL;
        int ret = 0;
        if (cli_source_load(src, name, &s) < 0)
                return 1;
        if (!streq_ptr(s->load_state, "loaded")) {
                /* like a FILE that cannot be read: an error, exit status 1 */
                log_error("%s is %s: it has no programs to inspect. Check the name with 'sdconfine list'.",
                          s->id, s->load_state ? s->load_state : "not loaded");
                ret = 1;
        }
        int r = service_add_closure(s, cl, &err);
        if (r >= 0) {
                unsigned rules = UNIT_RULE_SCRIPTS | UNIT_RULE_MODULES |
                                 (o->all ? UNIT_RULE_PACKAGE | UNIT_RULE_PLUGINS : 0);
                ClosureEnv uenv = {.path = service_getenv(s, "PATH"),
                                   .ld_library_path = service_getenv(s, "LD_LIBRARY_PATH")};
                DpkgDb *rdb = NULL;
                UnitExtras x = {};
                if (o->all)
                        (void)dpkg_db_new(closure_context_root(ctx), &rdb);
                r = unit_closure_extend(cl, run, rdb, s, &uenv, rules, &x);
                for (char **h = x.hazards; h && *h; h++)
                        fprintf(stderr, "sdconfine: note: %s\n", *h);
                unit_extras_done(&x);
                dpkg_db_free(rdb);
        }
        service_free(s);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_error("cannot read %s. Check the unit's Exec* lines.", err ? err : name);
                ret = 1;
        }
        return ret;
}

/* A FILE: relative means the current directory on the host; below --root it must be absolute. 0, 1 (an
 * error, printed), or -ENOMEM. */
static int add_file(CliOptions *o, Closure *cl, const char *path) {
        const char *arg_root = o->source.root;
        ClosureEnv env = {.ld_library_path = o->ld_library_path, .path = o->search_path};
        char abs[PATH_MAX];
        if (path[0] != '/') {
                if (arg_root) {
                        log_error("%s: give an absolute path inside %s.", path, arg_root);
                        return 1;
                }
                if (!getcwd(abs, sizeof abs) || strlen(abs) + strlen(path) + 2 > sizeof abs) {
                        log_error("%s: cannot make the path absolute.", path);
                        return 1;
                }
                strcat(abs, "/");
                strcat(abs, path);
                path = abs;
        }
        int r = closure_add_program(cl, path, &env);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_error("cannot read %s%s%s%s: %s.%s", path, arg_root ? " (below the root " : "",
                          arg_root ? arg_root : "", arg_root ? ")" : "", error_words(-r),
                          r == -ENOENT   ? " Check the path."
                          : r == -EACCES ? " Run as root or as a user who may read it."
                                         : "");
                return 1;
        }
        return 0;
}

/* --dot prints the graph; --svg FILE renders it through Graphviz. 0, 1 (an error, printed), or -ENOMEM. */
static int print_dot(CliOptions *o, const Closure *c) {
        _cleanup_free_ char *text = NULL, *title = NULL, *out = NULL, *errors = NULL;
        size_t len = 0, cap = 0;
        for (unsigned i = 0; i < o->n_args; i++)
                if (buf_append(&title, &len, &cap, i ? " " : "", i ? 1 : 0) < 0 ||
                    buf_append(&title, &len, &cap, o->args[i], strlen(o->args[i])) < 0)
                        return -ENOMEM;
        DotOptions d = {.collapse = o->dot_collapse, .title = title};
        int r = closure_to_dot(c, &d, &text);
        if (r < 0)
                return r;
        if (!o->svg_file) {
                fputs(text, stdout);
                return 0;
        }
        char *argv[] = {(char *)"dot", (char *)"-Tsvg", (char *)"-o", (char *)o->svg_file, NULL};
        int status;
        r = run_program(argv, text, 1u << 20, 120000, &status, &out, &errors);
        if (r == -ENOENT) {
                log_error(
                        "--svg needs Graphviz's dot, which is not installed: install the package graphviz "
                        "(apt-get install graphviz), or print the graph with --dot and render it elsewhere.");
                return 1;
        }
        if (r < 0 || status != 0) {
                log_error("dot -Tsvg -o %s failed: %s", o->svg_file,
                          r < 0               ? error_words(-r)
                          : errors && *errors ? errors
                                              : "no message");
                return 1;
        }
        return 0;
}

static int print_closure(CliOptions *o, ClosureFormat format, const Closure *cl) {
        switch (format) {
        case FORMAT_JSON: {
                /* streamed: the same bytes as jansson's, without building the tree */
                int r = closure_json_write(cl, stdout);
                if (r >= 0)
                        fputc('\n', stdout);
                return r;
        }
        case FORMAT_DOT:
                return print_dot(o, cl);
        case FORMAT_LIST:
                return print_list(cl);
        default:
                return print_tree(cl);
        }
}

int cmd_closure(CliOptions *o) {
        const char *arg_root = o->source.root;
        ClosureFormat arg_format = o->format;
        int r = 0, ret = 0;

        if (o->dot_collapse && arg_format != FORMAT_DOT) {
                log_error("--dot-collapse goes with --dot or --svg FILE.");
                return 2;
        }
        if (arg_format == FORMAT_AUTO)
                arg_format = isatty(STDOUT_FILENO) ? FORMAT_TREE : FORMAT_LIST;
        if (arg_format != FORMAT_JSON)
                output_init(o->ascii);

        ClosureContext *ctx = NULL;
        Closure *cl = NULL;
        DpkgDb *db = NULL;
        UnitRun *run = NULL; /* the units named share their walks over cl: each file walked once */
        ServiceSource src = {};
        bool src_open = false;
        r = closure_context_new(arg_root, &ctx);
        if (r < 0) {
                log_error("cannot open root directory %s: %s. Give an existing directory to --root.",
                          arg_root ? arg_root : "/", error_words(-r));
                return 1;
        }
        r = closure_new(ctx, &cl);
        if (r >= 0)
                r = unit_run_new(&run);
        /* package owners need a pass over the whole dpkg database: start reading it now, beside the closure.
         * No database (another distribution, a bare image): no package names, nothing else. */
        if (r >= 0 && !o->no_packages && arg_format != FORMAT_LIST &&
            dpkg_db_new(closure_context_root(ctx), &db) >= 0)
                (void)dpkg_db_prefetch(db);
        /* the files of the programs named by path are read ahead on the other core; the same closures */
        if (r >= 0)
                r = closure_context_prefetch(ctx, (const char *const *)o->args, o->n_args);

        for (unsigned i = 0; i < o->n_args && r >= 0; i++) {
                const char *path = o->args[i];
                if (!strchr(path, '/') && unit_name_suffix(path)) {
                        /* the service source is opened once for all units named */
                        if (!src_open && cli_source_open(&o->source, &src, false) < 0) {
                                ret = 1;
                                break;
                        }
                        src_open = true;
                        r = add_unit(o, &src, ctx, cl, run, path);
                } else
                        r = add_file(o, cl, path);
                if (r > 0)
                        ret = r;
        }
        if (r >= 0 && db)
                r = closure_find_packages(cl, db);
        if (r >= 0)
                r = print_closure(o, arg_format, cl);
        if (r > 0)
                ret = r;
        if (r >= 0 && (fflush(stdout) != 0 || ferror(stdout))) {
                log_error("writing the output failed: %s.", error_words(errno));
                ret = 1;
        }
        if (r < 0) {
                log_error("out of memory.");
                ret = 1;
        }
        dpkg_db_free(db);
        unit_run_free(run);
        closure_free(cl);
        closure_context_free(ctx);
        if (src_open)
                service_source_close(&src);
        return ret;
}
