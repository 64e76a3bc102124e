/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "caps.h"
#include "dropin-render.h"
#include "root-skeleton.h"
#include "host-view.h"
#include "macro.h"

int confine_escape_path(const char *path, char **ret) {
        size_t n = strlen(path);
        char *out = malloc(n * 2 + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *c = path; *c; c++) {
                unsigned char u = *c;
                if (u < 0x20 || u == 0x7f) {
                        free(out);
                        return -EINVAL;
                }
                if (*c == '%') {
                        *o++ = '%';
                        *o++ = '%';
                        continue;
                }
                /* systemd splits Bind*Paths= at whitespace and ':' and unquotes; a backslash keeps the next
                 * character as it is. Quoting "SRC:DEST" as one word fails the service (226/NAMESPACE). */
                if (strchr("\\: \"'", *c))
                        *o++ = '\\';
                *o++ = *c;
        }
        *o = 0;
        *ret = out;
        return 0;
}

static const char *const mode_flags[] = {
        "MountAPIVFS",          "PrivateDevices",        "PrivateTmp", "PrivateUsers", "ProtectControlGroups",
        "ProtectKernelModules", "ProtectKernelTunables",
};

/* Header: who wrote it, with which settings, and how many mounts. */
static int render_header(FILE *f, const ConfineSettings *s, const MountPlan *p, const char *version) {
        _cleanup_free_ char *settings = NULL;
        int r = confine_settings_to_json_string(s, &settings);
        if (r < 0)
                return r;
        fputs(CONFINE_HEADER_MAGIC, f);
        fprintf(f, " %s. Do not edit: 'sdconfine apply' rewrites it, 'sdconfine revert' removes it.\n",
                version);
        fprintf(f, "# sdconfine-settings: %s\n", settings);
        fprintf(f, "# %zu bind mount%s", p->n_binds, p->n_binds == 1 ? "" : "s");
        if (p->coalesced_dirs)
                fprintf(f, " (%zu director%s bound whole, exposing %zu more file%s)", p->coalesced_dirs,
                        p->coalesced_dirs == 1 ? "y" : "ies", p->exposed_files,
                        p->exposed_files == 1 ? "" : "s");
        fputs("\n", f);
        if (p->skeleton && (r = root_skeleton_render(f, p)) < 0)
                return r;
        /* the host's read-only views the binds come from (host-view.h): mounted before the service starts */
        if (p->views) {
                fputs("[Unit]\nRequiresMountsFor=", f);
                for (char **v = p->views; *v; v++)
                        fprintf(f, "%s%s%s", v == p->views ? "" : " ", HOST_VIEW_DIR,
                                streq(*v, "/") ? "" : *v);
                fputs("\n", f);
        }
        fputs("[Service]\n", f);
        return 0;
}

/* The root: on this host a skeleton of its own on disk, read through the host's read-only view
 * (root-skeleton.h); elsewhere a per-instance runtime directory below /run (template instances side by side,
 * nothing needed on disk, gone when the service stops), made read-only by ReadOnlyPaths=+/, since systemd
 * 252 does not apply TemporaryFileSystem=/ relative to RootDirectory= (the mount points land in the
 * directory itself). Either way a private writable /run (also /var/run, and /var/lock as /run/lock) that
 * systemd can read PID files from on the host, and $RUNTIME_DIRECTORY set back to the unit's own. */
static int render_root(FILE *f, const MountPlan *p, const char *pr) {
        int r = 0;
        /* run/systemd/system: sd_booted() looks for it (rsyslog makes /dev/log itself when it is missing) */
        fputs("RuntimeDirectory=confinement/%n confinement/%n/run confinement/%n/run/lock "
              "confinement/%n/run/systemd/system\n",
              f);
        if (p->skeleton) {
                _cleanup_free_ char *root = NULL;
                if (root_skeleton_root_directory(p, &root) < 0)
                        return -ENOMEM;
                fprintf(f, "RootDirectory=%s\n", root);
        } else
                fprintf(f,
                        "RootDirectory=/run/%sconfinement/%%n\n"
                        "ReadOnlyPaths=+/\n"
                        "InaccessiblePaths=-+/run/confinement/%%n\n",
                        pr);
        fprintf(f, "PrivateMounts=yes\nBindPaths=/run/%sconfinement/%%n/run:/run\n", pr);
        /* the skeleton has them as the host does, links into its /run */
        if (!root_skeleton_has_link(p, "/var/run"))
                fprintf(f, "BindPaths=/run/%sconfinement/%%n/run:/var/run\n", pr);
        if (!root_skeleton_has_link(p, "/var/lock"))
                fprintf(f, "BindPaths=/run/%sconfinement/%%n/run/lock:/var/lock\n", pr);
        fputs(/* syslog(3) and the journal: /dev/log links to the first */
              "BindPaths=-/run/systemd/journal/dev-log\n"
              "BindPaths=-/run/systemd/journal/socket\n"
              /* where journald forwards to a syslog daemon: rsyslog listens there when it exists */
              "BindPaths=-/run/systemd/journal/syslog\n",
              f);
        if (p->runtime_dirs) {
                fputs("Environment=RUNTIME_DIRECTORY=", f);
                for (char **d = p->runtime_dirs; *d; d++) {
                        _cleanup_free_ char *e = NULL;
                        if (confine_escape_path(*d, &e) < 0)
                                r = -EINVAL;
                        else
                                fprintf(f, "%s/run/%.*s", d == p->runtime_dirs ? "" : ":",
                                        (int)strcspn(e, "\\:"), e);
                }
                fputs("\n", f);
        } else
                fputs("UnsetEnvironment=RUNTIME_DIRECTORY\n", f);
        return r;
}

/* The mode's flags, the capability bounding set and, for a root that stays the host's, what holds it in. */
static int render_protection(FILE *f, const ConfineSettings *s, const MountPlan *p) {
        /* systemd 252 mounts /proc and /dev into a RootDirectory= unless told not to: every flag both ways */
        const char *v = s->mode == CONFINE_FULL_APIVFS ? "yes" : "no";
        for (size_t i = 0; i < ELEMENTSOF(mode_flags); i++)
                fprintf(f, "%s=%s\n", mode_flags[i], v);
        if (s->capabilities) {
                /* the operator's bounding set, in systemd's spelling; empty: no capabilities at all */
                fputs("CapabilityBoundingSet=\n", f);
                if (s->capabilities[0]) {
                        fputs("CapabilityBoundingSet=", f);
                        for (char **c = s->capabilities; *c; c++)
                                fprintf(f, "%s%s", c == s->capabilities ? "" : " ", *c);
                        fputs("\n", f);
                }
        }
        if (!p->host_root)
                return 0;
        int r = 0;
        /* root in the host's user namespace: nothing that leaves a root (confine_harden) */
        if (!s->capabilities) {
                _cleanup_free_ char *names = NULL;
                if (caps_mask_to_names(p->bounding, &names) < 0)
                        r = -ENOMEM;
                else
                        fprintf(f, "CapabilityBoundingSet=\nCapabilityBoundingSet=%s\n", names);
        }
        fputs("SystemCallFilter=~@module @reboot @swap @raw-io @debug @cpu-emulation @obsolete\n"
              "SystemCallFilter=~mount umount umount2 fsopen fsconfig fsmount fspick move_mount "
              "open_tree "
              "mount_setattr pivot_root open_by_handle_at name_to_handle_at setns unshare bpf\n"
              "SystemCallErrorNumber=EPERM\n",
              f);
        /* chroot-only has no /proc to hide processes in: ProtectProc= would mount one */
        if (s->mode == CONFINE_FULL_APIVFS)
                fputs("ProtectProc=invisible\n", f);
        return r;
}

/* A directory bound whole: why, and what it shows beyond the closure. */
static void render_merge_comment(FILE *f, const MountPlan *p, const Bind *b) {
        for (size_t i = 0; b->directory && i < p->n_merges; i++) {
                const DirMerge *m = p->merges + i;
                if (streq(m->dir, b->dest))
                        fprintf(f, "# %s: bound whole (%s%s%s): %zu binds -> 1, exposes %s%zu more file%s\n",
                                m->dir, dir_merge_why_to_string(m->why), m->package ? " " : "",
                                m->package ? m->package : "", m->replaced,
                                m->exposed_known ? "" : "at least ", m->exposed, m->exposed == 1 ? "" : "s");
        }
}

static int render_binds(FILE *f, const MountPlan *p, char **reterr) {
        for (size_t i = 0; i < p->n_binds; i++) {
                const Bind *b = p->binds + i;
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (confine_escape_path(b->source, &src) < 0 || confine_escape_path(b->dest, &dst) < 0) {
                        if (reterr)
                                (void)asprintf(reterr,
                                               "the path '%s' holds a newline or another control character, "
                                               "which a unit file cannot express. Rename it or leave it out.",
                                               confine_escape_path(b->source, &src) < 0 ? b->source
                                                                                        : b->dest);
                        return -EINVAL;
                }
                /* why a place is writable, and what only learning saw, for the operator who reads the drop-in
                 */
                if (b->why && strchr(b->why, ' ') && (b->writable || startswith(b->why, "learned: ")))
                        fprintf(f, "# %s: %s\n", b->dest, b->why);
                render_merge_comment(f, p, b);
                if (b->via_view) /* read-only as its source is: no remount */
                        fprintf(f, "BindPaths=%s%s%s:%s\n", b->ignore_missing ? "-" : "", HOST_VIEW_DIR, src,
                                dst);
                else
                        fprintf(f, "%s=%s%s%s%s\n", b->writable ? "BindPaths" : "BindReadOnlyPaths",
                                b->ignore_missing ? "-" : "", src, streq(b->source, b->dest) ? "" : ":",
                                streq(b->source, b->dest) ? "" : dst);
        }
        return 0;
}

/* Every part is written even after one failed (as before the split): the first failure is the result. */
static int render_body(FILE *f, const ConfineSettings *s, const MountPlan *p, char **reterr) {
        const char *pr = p->private_root ? "private/" : "";
        int r = render_root(f, p, pr);
        int k = render_protection(f, s, p);
        if (r >= 0)
                r = k;
        for (char **o = s->overrides; o && *o; o++)
                fprintf(f, "%s\n", *o);
        if (p->pid_file) {
                _cleanup_free_ char *rest = NULL;
                if (confine_escape_path(p->pid_file, &rest) < 0)
                        r = -EINVAL;
                else
                        fprintf(f, "PIDFile=/run/%sconfinement/%%n/run/%s\n", pr, rest);
        }
        return r < 0 ? r : render_binds(f, p, reterr);
}

int confine_render_dropin(const ConfineSettings *s, const MountPlan *p, const char *version, char **ret,
                          char **reterr) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        int r = render_header(f, s, p, version);
        if (r >= 0)
                r = render_body(f, s, p, reterr);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}
