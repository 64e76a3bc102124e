/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "closure.h"
#include "confine-settings.h"
#include "dpkg-db.h"
#include "service.h"

/* What a service most likely needs that its closure does not show, each with its reason: presets and
 * overrides to add. From the unit (User=, root, ...), its closure (TLS and resolver libraries) and the
 * packages of its programs (db may be NULL). */
typedef struct Suggestion {
        char *preset;   /* or NULL */
        char *override; /* KEY=VALUE, or NULL */
        char *reason;
} Suggestion;
int confine_suggest(const Service *svc, const Closure *c, DpkgDb *db, const ConfineSettings *s,
                    Suggestion **ret, size_t *ret_n);
void suggestions_free(Suggestion *l, size_t n);
