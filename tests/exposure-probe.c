/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <locale.h>

#include "confine-session.h"
#include "exposure-report.h"
#include "macro.h"

/* A helper of tests/exposure.sh (and the README's figures): what 'sdconfine preview' computes for each UNIT,
 * then the exposure report, as text lines or one JSON object per unit.
 * exposure-probe [--root DIR] [--offline] [--suggested] [--json] [--no-cache] UNIT... */
int main(int argc, char **argv) {
        ServiceSourceOptions so = {};
        bool json = false, suggested = false, cache = true;
        int i = 1, ret = 0;
        setlocale(LC_ALL, "");
        for (; i < argc && argv[i][0] == '-'; i++)
                if (streq(argv[i], "--root") && i + 1 < argc)
                        so.root = argv[++i];
                else if (streq(argv[i], "--offline"))
                        so.offline = true;
                else if (streq(argv[i], "--suggested"))
                        suggested = true;
                else if (streq(argv[i], "--json"))
                        json = true;
                else if (streq(argv[i], "--no-cache"))
                        cache = false;
                else {
                        fprintf(stderr, "exposure-probe: unknown option %s\n", argv[i]);
                        return 2;
                }
        ServiceSource src = {};
        ClosureContext *ctx = NULL;
        DpkgDb *db = NULL;
        _cleanup_free_ char *err = NULL;
        if (service_source_open(&so, &src, &err) < 0 || closure_context_new(so.root, &ctx) < 0) {
                fprintf(stderr, "exposure-probe: %s\n", err ? err : "cannot open the root");
                return 1;
        }
        (void)dpkg_db_new(closure_context_root(ctx), &db);
        ExposureOptions eo = {.root = so.root,
                              .cache_path = cache && !so.root ? EXPOSURE_CACHE_PATH : NULL,
                              .max_age = EXPOSURE_CACHE_MAX_AGE};
        for (; i < argc; i++) {
                ConfineSettings settings;
                ConfineResult res = {};
                ExposureReport rep = {};
                confine_settings_init(&settings);
                int r = confine_compute(&src, ctx, db, argv[i], &settings, suggested, false, &res);
                if (r >= 0)
                        r = exposure_report_compute(&res, &eo, &rep);
                if (r < 0) {
                        fprintf(stderr, "exposure-probe: %s: %s\n", argv[i],
                                res.error ? res.error : strerror(-r));
                        ret = 1;
                } else if (json) {
                        json_t *j = NULL;
                        if (exposure_report_to_json(&rep, &j) >= 0) {
                                json_dumpf(j, stdout, JSON_COMPACT);
                                putchar('\n');
                        }
                        json_decref(j);
                } else {
                        char **lines = NULL;
                        if (exposure_report_format(&rep, true, &lines) >= 0)
                                for (char **l = lines; l && *l; l++)
                                        printf("%s: %s\n", argv[i], *l);
                        strv_free(lines);
                }
                exposure_report_done(&rep);
                confine_result_done(&res);
                confine_settings_done(&settings);
        }
        dpkg_db_free(db);
        closure_context_free(ctx);
        service_source_close(&src);
        return ret;
}
