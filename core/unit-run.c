/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "hashmap.h"
#include "macro.h"
#include "unit-rules.h"

/* The walks of one run, one per signature: the rules, PATH and LD_LIBRARY_PATH a walk depends on (and the
 * unit itself under the package, state and plugin rules, which follow the unit's own packages). */
struct UnitRun {
        Hashmap *walks; /* signature -> UnitWalk */
        Arena *arena;   /* the signatures */
        UnitWalk **all;
        size_t n_all, allocated_all;
};

int unit_walk_new(UnitWalk **ret) {
        UnitWalk *w = calloc(1, sizeof(UnitWalk));
        if (!w)
                return -ENOMEM;
        w->shell = hashmap_new();
        w->scanned = hashmap_new();
        w->compiled = hashmap_new();
        w->arena = arena_new();
        if (!w->shell || !w->scanned || !w->compiled || !w->arena) {
                unit_walk_free(w);
                return -ENOMEM;
        }
        *ret = w;
        return 0;
}

UnitWalk *unit_walk_free(UnitWalk *w) {
        if (!w)
                return NULL;
        hashmap_free(w->shell);
        hashmap_free(w->scanned);
        hashmap_free(w->compiled);
        arena_free(w->arena);
        free(w->stamps);
        free(w);
        return NULL;
}

int unit_run_new(UnitRun **ret) {
        UnitRun *run = calloc(1, sizeof(UnitRun));
        if (!run)
                return -ENOMEM;
        run->walks = hashmap_new();
        run->arena = arena_new();
        if (!run->walks || !run->arena) {
                unit_run_free(run);
                return -ENOMEM;
        }
        *ret = run;
        return 0;
}

UnitRun *unit_run_free(UnitRun *run) {
        if (!run)
                return NULL;
        for (size_t i = 0; i < run->n_all; i++)
                unit_walk_free(run->all[i]);
        free(run->all);
        hashmap_free(run->walks);
        arena_free(run->arena);
        free(run);
        return NULL;
}

int unit_run_walk(UnitRun *run, const Service *svc, const ClosureEnv *env, unsigned rules, UnitWalk **ret) {
        _cleanup_free_ char *sig = NULL;
        bool own = rules & (UNIT_RULE_PACKAGE | UNIT_RULE_STATE | UNIT_RULE_PLUGINS);
        if (asprintf(&sig, "%u\n%s\n%s\n%s", rules, env && env->path ? env->path : "",
                     env && env->ld_library_path ? env->ld_library_path : "", own ? svc->id : "") < 0)
                return -ENOMEM;
        UnitWalk *w = hashmap_get(run->walks, sig);
        if (w) {
                *ret = w;
                return 0;
        }
        const char *k = arena_strdup(run->arena, sig);
        if (!k || !GROW(run->all, run->allocated_all, run->n_all + 1))
                return -ENOMEM;
        int r = unit_walk_new(&w);
        if (r < 0)
                return r;
        run->all[run->n_all++] = w;
        if (hashmap_put(run->walks, k, w, NULL) < 0)
                return -ENOMEM;
        *ret = w;
        return 0;
}

/* What a node's walk depends on besides the files themselves and the signature: its kind (a file asked for
 * later as a program is walked as one) and its dependencies (a script's interpreter). */
static uint64_t stamp_of(const ClosureNode *n) {
        return ((uint64_t)n->kind + 1) << 40 | (uint64_t)n->n_deps;
}

bool rule_walked(RuleCtx *x, size_t i) {
        UnitWalk *w = x->walk;
        return i < w->n_stamps && w->stamps[i] == stamp_of(closure_node(x->c, i));
}

int rule_stamp(RuleCtx *x, size_t i) {
        UnitWalk *w = x->walk;
        size_t n = closure_n_nodes(x->c);
        if (w->n_stamps < n) {
                uint64_t *s = realloc(w->stamps, n * sizeof(uint64_t));
                if (!s)
                        return -ENOMEM;
                memset(s + w->n_stamps, 0, (n - w->n_stamps) * sizeof(uint64_t));
                w->stamps = s;
                w->n_stamps = n;
        }
        w->stamps[i] = stamp_of(closure_node(x->c, i));
        return 0;
}

int rule_mark_shell(RuleCtx *x, const char *path) {
        size_t i;
        int r = rule_mark(x->walk->shell, x->walk->arena, path);
        /* a file walked as data before, and sourced now: walked again, as shell text */
        if (r > 0 && closure_find(x->c, path, &i) >= 0 && i < x->walk->n_stamps)
                x->walk->stamps[i] = 0;
        return r;
}
