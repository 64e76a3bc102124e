/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <time.h>

#include "exposure-report.h"
#include "fileio.h"
#include "format.h"
#include "macro.h"
#include "security-score.h"

void exposure_report_done(ExposureReport *r) {
        free(r->unit);
        free(r->score_error);
        strv_free(r->sensitive_before);
        strv_free(r->sensitive_after);
        *r = (ExposureReport){};
}

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void take_score(const ConfineResult *res, int root_fd, ExposureReport *rep) {
        const Service *svc = res->svc;
        if (!svc->fragment_path || !*svc->fragment_path) {
                rep->score_error =
                        strdup("the unit has no unit file to measure (it is generated or transient)");
                return;
        }
        SecurityUnit u = {.unit = svc->id,
                          .fragment_path = svc->fragment_path,
                          .dropin_paths = svc->dropin_paths,
                          .root_fd = root_fd};
        char *err = NULL;
        int r = security_score(&u, NULL, &rep->score_before, &err);
        if (r >= 0)
                r = security_score(&u, res->text, &rep->score_after, &err);
        rep->scored = r >= 0;
        rep->score_error = err;
}

int exposure_report_compute(const ConfineResult *res, const ExposureOptions *o, ExposureReport *ret) {
        _cleanup_(exposure_report_done) ExposureReport rep = {};
        const char *root = o && o->root ? o->root : "/";
        if (!res || !res->svc || !res->text)
                return -EINVAL;
        _cleanup_close_ int root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        rep.unit = strdup(res->svc->id);
        if (!rep.unit)
                return -ENOMEM;
        if (!o || !o->no_score)
                take_score(res, root_fd, &rep);
        uint64_t t = now_ms();
        int r = exposure_host_count(root, o ? o->cache_path : NULL, o ? o->max_age : 0, &rep.host,
                                    &rep.host_cached);
        if (r < 0)
                return r;
        rep.host_ms = rep.host_cached ? 0 : now_ms() - t;
        r = exposure_plan_count(root_fd, &res->plan, &rep.confined);
        if (r >= 0)
                r = exposure_sensitive(root_fd, &res->plan, &rep.sensitive_before, &rep.sensitive_after);
        if (r < 0)
                return r;
        *ret = rep;
        rep = (ExposureReport){};
        return 0;
}

/* "424,051" */
static const char *thousands(uint64_t v, char buf[32]) {
        char digits[24];
        int n = snprintf(digits, sizeof digits, "%" PRIu64, v), o = 0;
        for (int i = 0; i < n; i++) {
                if (i > 0 && (n - i) % 3 == 0)
                        buf[o++] = ',';
                buf[o++] = digits[i];
        }
        buf[o] = 0;
        return buf;
}

static double ratio(uint64_t part, uint64_t whole) {
        return whole ? (double)part / (double)whole : 0.0;
}

/* "0.0023%" for the small shares confinement gives, "12.5%" for large ones */
static const char *percent(uint64_t part, uint64_t whole, char buf[32]) {
        double p = 100.0 * ratio(part, whole);
        snprintf(buf, 32, p > 0 && p < 1 ? "%.2g%%" : "%.1f%%", p);
        return buf;
}

/* The sensitive paths in a few words: SSH keys and other services' state counted, the rest named. */
static int sensitive_words(char **l, char **ret) {
        size_t keys = 0, state = 0, len = 0, cap = 0;
        _cleanup_free_ char *s = NULL;
        int r = 0;
        for (char **p = l; p && *p && r >= 0; p++) {
                if (startswith(*p, "/etc/ssh/ssh_host_"))
                        keys++;
                else if (startswith(*p, "/var/lib/"))
                        state++;
                else
                        r = buf_append(&s, &len, &cap, len ? ", " : "", len ? 2 : 0) < 0 ||
                                            buf_append(&s, &len, &cap, *p, strlen(*p)) < 0
                                    ? -ENOMEM
                                    : 0;
        }
        char more[128];
        if (keys) {
                snprintf(more, sizeof more, "%s%zu SSH host key%s", len ? ", " : "", keys,
                         keys == 1 ? "" : "s");
                r = r < 0 ? r : buf_append(&s, &len, &cap, more, strlen(more));
        }
        if (state) {
                snprintf(more, sizeof more, "%s%zu director%s of other services in /var/lib", len ? ", " : "",
                         state, state == 1 ? "y" : "ies");
                r = r < 0 ? r : buf_append(&s, &len, &cap, more, strlen(more));
        }
        if (r >= 0 && !s && !(s = strdup("none")))
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

int exposure_report_format(const ExposureReport *r, bool utf8, char ***ret_lines) {
        _cleanup_(strv_freep) char **lines = NULL;
        _cleanup_free_ char *before = NULL, *after = NULL;
        const char *arrow = utf8 ? "\xe2\x86\x92" : "->";
        char a[32], b[32], sa[32], sb[32], pc[32], *line;
        int k;
        if (r->scored)
                k = asprintf(&line, "exposure %.1f %s %.1f (systemd-analyze security: 0 safe, 10 unsafe)",
                             r->score_before, arrow, r->score_after);
        else
                k = asprintf(&line, "exposure not measured: %s", r->score_error ? r->score_error : "unknown");
        if (k < 0 || strv_push(&lines, line) < 0)
                return -ENOMEM;
        if (asprintf(&line, "visible files %s %s %s (%s), %s %s %s%s", thousands(r->host.files, a), arrow,
                     thousands(r->confined.files, b), percent(r->confined.files, r->host.files, pc),
                     format_size(r->host.bytes, sa, sizeof sa), arrow,
                     format_size(r->confined.bytes, sb, sizeof sb),
                     r->host_cached ? " (the host's count from the cache)" : "") < 0 ||
            strv_push(&lines, line) < 0)
                return -ENOMEM;
        if (sensitive_words(r->sensitive_before, &before) < 0 ||
            sensitive_words(r->sensitive_after, &after) < 0)
                return -ENOMEM;
        if (asprintf(&line, "sensitive files %zu %s %zu (before: %s; after: %s)",
                     strv_length(r->sensitive_before), arrow, strv_length(r->sensitive_after), before,
                     after) < 0 ||
            strv_push(&lines, line) < 0)
                return -ENOMEM;
        *ret_lines = TAKE_PTR(lines);
        return 0;
}

static json_t *json_strv(char **l) {
        json_t *a = json_array();
        for (char **p = l; a && p && *p; p++)
                if (json_array_append_new(a, json_string(*p)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *json_pair(uint64_t host, uint64_t confined) {
        return json_pack("{s:I, s:I, s:f}", "host", (json_int_t)host, "confined", (json_int_t)confined,
                         "ratio", ratio(confined, host));
}

int exposure_report_to_json(const ExposureReport *r, json_t **ret) {
        json_t *score = r->scored ? json_pack("{s:f, s:f, s:s}", "before", r->score_before, "after",
                                              r->score_after, "by", "systemd-analyze security")
                                  : json_pack("{s:s?}", "error", r->score_error);
        json_t *j = json_pack("{s:s, s:o*, s:o*, s:o*, s:{s:o*, s:o*}, s:{s:b, s:I}}", "unit", r->unit,
                              "score", score, "files", json_pair(r->host.files, r->confined.files), "bytes",
                              json_pair(r->host.bytes, r->confined.bytes), "sensitive", "before",
                              json_strv(r->sensitive_before), "after", json_strv(r->sensitive_after),
                              "host_count", "cached", r->host_cached, "ms", (json_int_t)r->host_ms);
        if (!j)
                return -ENOMEM;
        *ret = j;
        return 0;
}
