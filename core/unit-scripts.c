/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>

#include "hashmap.h"
#include "interp.h"
#include "macro.h"
#include "path-util.h"
#include "shell-scan.h"
#include "unit-rules.h"

static bool shell_interp(const char *real) {
        const char *b = path_basename(real);
        return streq(b, "sh") || streq(b, "dash") || streq(b, "bash");
}

/* Shell text of node: the commands it runs, the files it sources and names. */
static int scan_shell(RuleCtx *x, size_t node, const char *origin, const char *text, size_t size) {
        ShellRef *refs = NULL;
        size_t n = 0;
        int r = shell_scan(text, size, &refs, &n);
        if (r < 0)
                return r;
        /* the PATH the script sets, then the unit's */
        char **dirs = NULL;
        for (size_t i = 0; i < n && r >= 0; i++)
                if (refs[i].kind == SHELL_REF_PATH_VAR)
                        r = strv_extend(&dirs, refs[i].word);
        if (r >= 0)
                r = strv_extend(&dirs, x->env && x->env->path ? x->env->path : CLOSURE_DEFAULT_PATH);
        for (size_t i = 0; i < n && r >= 0; i++) {
                const ShellRef *ref = refs + i;
                _cleanup_free_ char *reason = NULL, *prog = NULL;
                const char *what = ref->kind == SHELL_REF_COMMAND  ? "command in"
                                   : ref->kind == SHELL_REF_SOURCE ? "sourced by"
                                   : ref->kind == SHELL_REF_VALUE  ? "command named in"
                                                                   : "named in";
                if (asprintf(&reason, "%s %s line %u", what, origin, ref->line) < 0) {
                        r = -ENOMEM;
                        break;
                }
                size_t child;
                switch (ref->kind) {
                case SHELL_REF_COMMAND:
                        if (ref->word[0] == '/')
                                r = rule_add(x, ref->word, node, NODE_EXEC, reason, NULL);
                        else if (!strchr(ref->word, '/') &&
                                 rule_resolve_command(x->root, ref->word, dirs, &prog) >= 0)
                                r = rule_add(x, prog, node, NODE_EXEC, reason, NULL);
                        break;
                case SHELL_REF_VALUE:
                        /* only a name that is a program of the root's own PATH, and not a shell word */
                        if (strlen(ref->word) >= 3 &&
                            rule_resolve_command(x->root, ref->word, dirs, &prog) >= 0)
                                r = rule_add(x, prog, node, NODE_EXEC, reason, NULL);
                        break;
                case SHELL_REF_SOURCE:
                        if (ref->word[0] == '/' &&
                            (r = rule_add(x, ref->word, node, NODE_FILE, reason, &child)) > 0)
                                r = rule_mark_shell(x, closure_node(x->c, child)->path);
                        break;
                case SHELL_REF_PATH:
                        r = rule_named_path(x, ref->word, node, reason, true);
                        break;
                default:
                        break;
                }
        }
        strv_free(dirs);
        shell_refs_free(refs, n);
        return r < 0 ? r : 0;
}

int rule_read_text(RuleCtx *x, const char *path, size_t max, char **ret, size_t *ret_size) {
        int r = fs_root_read_file(x->root, path, max, ret, ret_size);
        return r == -ENOMEM ? r : r < 0 ? 0 : 1;
}

/* The interpreter node a script node runs under: the first of its dependencies an interpreter matches. */
/* The real file of the interpreter a script's #! line names (through /usr/bin/env NAME too), read from the
 * script itself: the kind of its interpreter's node tells nothing when that program is also run directly
 * (/bin/sh is the root's /bin/sh and an interpreter). */
static int script_interpreter(RuleCtx *x, size_t node, const char **ret_real) {
        const ClosureNode *n = closure_node(x->c, node);
        char buf[257];
        _cleanup_close_ int fd = fs_root_open(x->root, n->realpath, O_RDONLY);
        ssize_t k = fd < 0 ? -1 : pread(fd, buf, sizeof buf - 1, 0);
        if (k < 3 || buf[0] != '#' || buf[1] != '!')
                return -ENOEXEC;
        buf[k] = 0;
        buf[strcspn(buf, "\n")] = 0;
        char *save = NULL, *interp = strtok_r(buf + 2, " \t", &save);
        if (!interp)
                return -ENOEXEC;
        _cleanup_free_ char *found = NULL;
        if (streq(path_basename(interp), "env")) {
                char *w;
                while ((w = strtok_r(NULL, " \t", &save)) && (w[0] == '-' || strchr(w, '=')))
                        ;
                char *dirs[] = {(char *)(x->env && x->env->path ? x->env->path : CLOSURE_DEFAULT_PATH), NULL};
                if (!w || (w[0] != '/' && rule_resolve_command(x->root, w, dirs, &found) < 0))
                        return -ENOENT;
                interp = found ? found : w;
        }
        return fs_root_chase(x->root, interp, ret_real, NULL);
}

static const Interpreter *script_interp(RuleCtx *x, size_t node, size_t *ret_interp) {
        const char *real;
        if (script_interpreter(x, node, &real) < 0)
                return NULL;
        const Interpreter *ip = interp_find(real);
        const ClosureNode *n = closure_node(x->c, node);
        for (size_t k = 0; ip && k < n->n_deps; k++)
                if (streq(closure_node(x->c, n->deps[k])->realpath, real)) {
                        *ret_interp = n->deps[k];
                        return ip;
                }
        return NULL;
}

static bool node_is_shell_script(RuleCtx *x, size_t node) {
        const char *real;
        return closure_node(x->c, node)->kind == NODE_SCRIPT && script_interpreter(x, node, &real) >= 0 &&
               shell_interp(real);
}

static bool endswith_module_source(const char *p) {
        size_t n = strlen(p);
        return (n > 3 && (streq(p + n - 3, ".pm") || streq(p + n - 3, ".py"))) ||
               (n > 3 && streq(p + n - 3, ".pl"));
}

/* One node: what its kind, its reason and the walk's marks say to do with it. */
static int walk_node(RuleCtx *x, size_t i) {
        const ClosureNode *n = closure_node(x->c, i);
        int r;
        if (hashmap_get(x->scanned, n->path))
                return 0;
        bool shell = node_is_shell_script(x, i) || hashmap_get(x->shell, n->path);
        size_t interp_node;
        const Interpreter *ip = NULL;
        /* what the programs have compiled in, the unit's own and those its scripts run */
        if (n->kind == NODE_EXEC && !hashmap_get(x->compiled, n->path)) {
                _cleanup_free_ char *cpath = strdup(n->path);
                if (!cpath || rule_mark(x->compiled, x->arena, cpath) < 0)
                        return -ENOMEM;
                if ((r = rule_compiled_paths(x, i)) < 0)
                        return r;
                n = closure_node(x->c, i);
        }
        /* a module with a #! line of its own (pdb.py) is a module here, not a script */
        bool module =
                (n->reason && (strstr(n->reason, " module of ") || strstr(n->reason, " extension of "))) ||
                (n->kind == NODE_FILE && endswith_module_source(n->path));
        if (module) {
                /* only the places of its own a module names (Munin's '/etc/munin') */
                _cleanup_free_ char *mpath = strdup(n->path), *text = NULL;
                size_t size;
                if (!mpath || rule_mark(x->scanned, x->arena, mpath) < 0)
                        return -ENOMEM;
                if (!(x->rules & UNIT_RULE_PACKAGE) || !endswith_module_source(mpath))
                        return 0;
                /* a module of the unit's own packages names any path it opens or runs (PgCommon's
                 * "/usr/bin/id"); others only the places of its own */
                bool own = n->reason &&
                           (startswith(n->reason, "file of ") || startswith(n->reason, "conffile of "));
                r = rule_read_text(x, mpath, SCRIPT_MAX, &text, &size);
                if (r > 0)
                        r = rule_text_paths(x, i, mpath, text, size, true,
                                            own ? TEXT_PATHS_ALL : TEXT_PATHS_OWN);
                if (r < 0)
                        return r;
                return 0;
        }
        if ((x->rules & UNIT_RULE_MODULES) && n->kind == NODE_SCRIPT)
                ip = script_interp(x, i, &interp_node);
        if (!(shell && (x->rules & UNIT_RULE_SCRIPTS)) && !ip)
                return 0;
        _cleanup_free_ char *path = strdup(n->path);
        if (!path || rule_mark(x->scanned, x->arena, path) < 0)
                return -ENOMEM;
        if (ip && (r = interp_add_modules(x->c, i, interp_node, x->env)) < 0)
                return r;
        bool scripts = x->rules & UNIT_RULE_SCRIPTS;
        if (!scripts)
                return 0;
        _cleanup_free_ char *text = NULL;
        size_t size;
        r = rule_read_text(x, path, SCRIPT_MAX, &text, &size);
        if (r > 0)
                r = shell ? scan_shell(x, i, path, text, size)
                          : rule_text_paths(x, i, path, text, size, true, TEXT_PATHS_ALL);
        if (r < 0)
                return r;
        return 0;
}

int rule_walk_nodes(RuleCtx *x) {
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                /* walked before under the same signature (by an earlier unit of the run) and unchanged since:
                 * nothing new to find; the loop only compares stamps */
                if (rule_walked(x, i))
                        continue;
                int r = walk_node(x, i);
                if (r < 0 || (r = rule_stamp(x, i)) < 0)
                        return r;
        }
        return 0;
}

/* What the Exec lines themselves say: "sh -c TEXT", "perl SCRIPT", "python3 SCRIPT", and the directories
 * they name. */
int rule_exec_lines(RuleCtx *x) {
        int r = 0;
        for (ExecType t = 0; t < _EXEC_TYPE_MAX && r >= 0; t++)
                for (size_t i = 0; i < x->svc->exec[t].n && r >= 0; i++) {
                        const ExecCommand *e = x->svc->exec[t].items + i;
                        size_t node;
                        if (closure_find(x->c, e->path, &node) < 0) {
                                _cleanup_free_ char *prog = NULL;
                                char *dirs[] = {(char *)CLOSURE_DEFAULT_PATH, NULL};
                                if (e->path[0] == '/' ||
                                    rule_resolve_command(x->root, e->path, dirs, &prog) < 0 ||
                                    closure_find(x->c, prog, &node) < 0)
                                        continue;
                        }
                        const ClosureNode *n = closure_node(x->c, node);
                        const Interpreter *ip = interp_find(n->realpath);
                        bool sh = shell_interp(n->realpath);
                        _cleanup_free_ char *reason = NULL;
                        if (asprintf(&reason, "%s= of %s", exec_type_to_string(t), x->svc->id) < 0)
                                return -ENOMEM;
                        bool script_seen = false;
                        for (size_t k = 1; e->argv && e->argv[k] && r >= 0; k++) {
                                const char *a = e->argv[k];
                                if (sh && streq(a, "-c") && e->argv[k + 1] &&
                                    (x->rules & UNIT_RULE_SCRIPTS)) {
                                        r = scan_shell(x, node, reason, e->argv[k + 1],
                                                       strlen(e->argv[k + 1]));
                                        k++;
                                        continue;
                                }
                                if (a[0] != '/')
                                        continue;
                                size_t child;
                                if ((ip || sh) && !script_seen) {
                                        /* the script an interpreter runs: its first file argument */
                                        script_seen = true;
                                        r = rule_add(x, a, node, NODE_SCRIPT, reason, &child);
                                        if (r > 0 && sh)
                                                r = rule_mark_shell(x, closure_node(x->c, child)->path);
                                        if (r > 0 && ip && (x->rules & UNIT_RULE_MODULES))
                                                r = interp_add_modules(x->c, child, node, x->env);
                                        continue;
                                }
                                struct stat st;
                                if (fs_root_chase(x->root, a, NULL, &st) >= 0 && S_ISDIR(st.st_mode) &&
                                    (rule_is_state_dir(a) || path_is_under(a, "/var/run")))
                                        r = rule_name_dir(x, a, reason);
                        }
                }
        return r < 0 ? r : 0;
}
