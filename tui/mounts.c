/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The mounts view: what the service will see, and where each bind comes from. Long lines scroll sideways
 * (Left/Right, service.c), so a destination is never hidden. */

#include <stdio.h>

#include "app.h"
#include "macro.h"

char **mounts_lines(App *a) {
        char **l = NULL, buf[2048];
        bool api = a->settings.mode == CONFINE_FULL_APIVFS;
        if (a->res.plan.skeleton) /* root-skeleton.h */
                snprintf(buf, sizeof buf,
                         "/                       the root: %s, read-only (empty mount points)",
                         a->res.plan.skeleton);
        else
                snprintf(buf, sizeof buf,
                         "/                       the root: /run/%sconfinement/%s, read-only",
                         a->res.plan.private_root ? "private/" : "", a->unit);
        (void)strv_extend(&l, buf);
        (void)strv_extend(&l, api ? "/proc /sys /dev /tmp    private (full-apivfs), in a user namespace"
                                  : "/proc /sys /dev /tmp    none (chroot-only): empty mount points at most");
        for (size_t i = 0; i < a->res.plan.n_binds; i++) {
                const Bind *b = a->res.plan.binds + i;
                bool same = streq(b->source, b->dest);
                snprintf(buf, sizeof buf, "%s %s%s%s%s  (%s)", b->writable ? "rw" : "ro", b->dest,
                         b->directory ? "/" : "", same ? "" : "  <- ", same ? "" : b->source, b->why);
                (void)strv_extend(&l, buf);
        }
        (void)strv_extend(
                &l, "rw /run/ /var/run/ /var/lock/  (the root's private /run, on the host below the root)");
        if (a->res.plan.pid_file) {
                snprintf(buf, sizeof buf,
                         "   /run/%s  (PIDFile=, read by systemd from /run/confinement/%s/run/%s)",
                         a->res.plan.pid_file, a->unit, a->res.plan.pid_file);
                (void)strv_extend(&l, buf);
        }
        snprintf(buf, sizeof buf, "%zu mounts; %zu directories bound whole, exposing %zu more files",
                 a->res.plan.n_binds, a->res.plan.coalesced_dirs, a->res.plan.exposed_files);
        (void)strv_extend(&l, "");
        (void)strv_extend(&l, buf);
        /* what each directory bound whole shows beyond the closure (issue 16) */
        for (size_t i = 0; i < a->res.plan.n_merges; i++) {
                char *d = NULL;
                if (dir_merge_describe(a->res.plan.merges + i, &d) >= 0) {
                        snprintf(buf, sizeof buf, "  whole: %s", d);
                        (void)strv_extend(&l, buf);
                }
                free(d);
        }
        return l;
}
