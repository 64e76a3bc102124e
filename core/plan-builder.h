/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "closure.h"
#include "confine.h"
#include "dpkg-db.h"
#include "fs-root.h"
#include "service.h"

/* Inside confine_plan_build (confine-plan.c): the plan and the closure being built, and one function per
 * kind of content. Each returns -errno, with reterr set where the operator can act on it. */
typedef struct PlanBuilder {
        FsRoot *root;
        DpkgDb *db; /* or NULL: no packages */
        const Service *svc;
        const ConfineSettings *s;
        ClosureEnv env;
        MountPlan p;
        Closure *c;
        char **reterr;
} PlanBuilder;

/* Set *reterr (the first failure only) to "WHAT PATH: reason" and return r. */
int plan_fail(PlanBuilder *b, int r, const char *what, const char *path);

/* The programs of every Exec* line (their ELF closure) and the files and programs their arguments name. */
int plan_add_programs(PlanBuilder *b);
/* full_unit: every absolute path in the environment, the environment files' included. */
int plan_add_environment(PlanBuilder *b);
/* /bin/sh, as the operator chose it. */
int plan_add_bin_sh(PlanBuilder *b);
/* The files of the operator's packages, with the closure of every ELF object among them. */
int plan_add_packages(PlanBuilder *b);
/* The extra paths: the presets' fixed paths and the operator's, read-only and writable. */
int plan_add_extra_paths(PlanBuilder *b);
/* The unit's own places: ReadWritePaths= and WorkingDirectory=. */
int plan_add_unit_places(PlanBuilder *b);
