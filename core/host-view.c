/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "confine-settings.h"
#include "fileio.h"
#include "host-view.h"
#include "macro.h"
#include "path-util.h"
#include "strv.h"

int host_view_mounts(char ***ret) {
        _cleanup_free_ char *text = NULL;
        char **mounts = NULL;
        int r = read_virtual_file("/proc/self/mountinfo", 16u << 20, &text, NULL);
        if (r < 0)
                return r;
        for (char *rest = text, *l; r >= 0 && (l = strsep(&rest, "\n"));) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
                char *f = l;
                for (int i = 0; i < 4 && f; i++)
                        f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
                if (!f)
                        continue;
                f[strcspn(f, " ")] = 0;
                path_unescape_mountinfo(f);
                if (f[0] == '/' && !strv_contains(mounts, f))
                        r = strv_extend(&mounts, f);
        }
        if (r < 0) {
                strv_free(mounts);
                return r;
        }
        *ret = mounts;
        return 0;
}

/* The mount a path lives on: the longest mount point that is a prefix of it. */
static const char *mount_of(char *const *mounts, const char *path) {
        const char *best = "/";
        for (char *const *m = mounts; m && *m; m++)
                if (path_is_under(path, *m) && strlen(*m) > strlen(best))
                        best = *m;
        return best;
}

/* A source systemd resolves as it is: no symlink anywhere in it, and it exists. */
static bool is_canonical(const char *path) {
        char real[PATH_MAX];
        return realpath(path, real) && streq(real, path);
}

/* A source that is a mount point, or a directory with one below it: the view (a bind of one file system,
 * not recursive) does not show what is mounted there, so it keeps systemd's recursive bind. */
static bool has_mounts_below(char *const *mounts, const char *path) {
        for (char *const *m = mounts; m && *m; m++)
                if (path_is_under(*m, path))
                        return true;
        return false;
}

int host_view_plan(MountPlan *p, char *const *mounts) {
        for (size_t i = 0; i < p->n_binds; i++) {
                Bind *b = p->binds + i;
                if (b->writable || !is_canonical(b->source) || has_mounts_below(mounts, b->source))
                        continue;
                const char *m = mount_of(mounts, b->source);
                /* the views themselves and the API file systems are never a source */
                if (path_is_under(b->source, HOST_VIEW_DIR) || path_is_under(m, "/proc") ||
                    path_is_under(m, "/sys") || path_is_under(m, "/dev"))
                        continue;
                /* a mount point a .mount unit cannot name plainly keeps systemd's own bind */
                if (strpbrk(m, "\n\\ \t"))
                        continue;
                if (!strv_contains(p->views, m) && strv_extend(&p->views, m) < 0)
                        return -ENOMEM;
                b->via_view = true;
        }
        return 0;
}

/* systemd-escape --path: '/' becomes '-', what is not [A-Za-z0-9:_.] (and a leading '.') becomes \xNN */
int host_view_unit_name(const char *mount_point, char **ret) {
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "%s%s", HOST_VIEW_DIR, streq(mount_point, "/") ? "" : mount_point) < 0)
                return -ENOMEM;
        size_t n = strlen(where);
        char *out = malloc(n * 4 + sizeof ".mount"), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *c = where + 1; *c; c++) {
                bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                             (*c >= '0' && *c <= '9') || *c == ':' || *c == '_' || (*c == '.' && o != out);
                if (*c == '/')
                        *o++ = '-';
                else if (plain)
                        *o++ = *c;
                else
                        o += sprintf(o, "\\x%02x", (unsigned char)*c);
        }
        strcpy(o, ".mount");
        *ret = out;
        return 0;
}

int host_view_unit_text(const char *mount_point, const char *version, char **ret) {
        if (strpbrk(mount_point, "\n\\ \t"))
                return -EINVAL; /* a unit file cannot say it plainly; such a source keeps its own bind */
        return asprintf(ret,
                        CONFINE_HEADER_MAGIC
                        " %s: a read-only view of %s for the binds of confined services.\n"
                        "# Shared by every unit sdconfine confines; 'sdconfine revert' leaves it.\n"
                        "[Unit]\n"
                        "Description=sdconfine: read-only view of %s\n"
                        "[Mount]\n"
                        "What=%s\n"
                        "Where=%s%s\n"
                        "Type=none\n"
                        "Options=bind,ro,private\n"
                        "DirectoryMode=0700\n",
                        version, mount_point, mount_point, mount_point, HOST_VIEW_DIR,
                        streq(mount_point, "/") ? "" : mount_point) < 0
                       ? -ENOMEM
                       : 0;
}

int host_view_wanted(const char *dropin_text, char ***ret) {
        _cleanup_free_ char *copy = strdup(dropin_text);
        char **wanted = NULL;
        int r = copy ? 0 : -ENOMEM;
        for (char *rest = copy, *l; r >= 0 && rest && (l = strsep(&rest, "\n"));) {
                if (!startswith(l, "RequiresMountsFor="))
                        continue;
                for (char *words = l + strlen("RequiresMountsFor="), *w;
                     r >= 0 && (w = strsep(&words, " "));) {
                        const char *m = path_is_under(w, HOST_VIEW_DIR) ? w + strlen(HOST_VIEW_DIR) : NULL;
                        if (m && !strv_contains(wanted, *m ? m : "/"))
                                r = strv_extend(&wanted, *m ? m : "/");
                }
        }
        if (r < 0) {
                strv_free(wanted);
                return r;
        }
        *ret = wanted;
        return 0;
}
