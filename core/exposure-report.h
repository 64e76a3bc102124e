/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "confine-session.h"
#include "exposure.h"

/* What confinement buys, for a computed confinement: systemd's exposure score without and with the drop-in,
 * the files the service can see on the host and in its root, and the secrets among them. */

typedef struct ExposureReport {
        char *unit;
        bool scored; /* else score_error says why there is no score (systemd-analyze missing...) */
        double score_before, score_after;
        char *score_error;
        ExposureCount host, confined;
        bool host_cached;
        uint64_t host_ms; /* how long counting the host took (0 from the cache) */
        char **sensitive_before, **sensitive_after;
} ExposureReport;

typedef struct ExposureOptions {
        const char *root;       /* where the unit files and the files are, NULL for the host */
        const char *cache_path; /* the host count's cache, NULL for none */
        unsigned max_age;       /* of the cache, in seconds */
        bool no_score;          /* leave systemd-analyze out */
} ExposureOptions;

/* res: a successful confine_compute(). -errno only for what stops the whole report (memory, the root); a
 * score that cannot be taken is recorded in score_error. */
int exposure_report_compute(const ConfineResult *res, const ExposureOptions *o, ExposureReport *ret);
void exposure_report_done(ExposureReport *r);

/* The report as lines for the operator, e.g. "exposure 9.6 → 7.7 (systemd-analyze security)", "visible files
 * 424,051 → 1,234 (0.29%)", "sensitive files 48 → 0". utf8: the arrow as "→", else "->". */
int exposure_report_format(const ExposureReport *r, bool utf8, char ***ret_lines);

/* {"unit":..., "score":{"before":9.6,"after":7.7} or {"error":"..."}, "files":{"host":N,"confined":N,
 * "ratio":0.0029}, "bytes":{...}, "sensitive":{"before":[...],"after":[...]},
 * "host_count":{"cached":b,"ms":N}}
 */
int exposure_report_to_json(const ExposureReport *r, json_t **ret);
