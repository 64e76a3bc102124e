/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "path-util.h"
#include "unit-rules.h"

/* User= in the root's own user database. */
int rule_lookup_user(FsRoot *root, const char *user, uid_t *ret_uid, gid_t *ret_gid) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = fs_root_read_file(root, "/etc/passwd", 16u * 1024 * 1024, &text, &size);
        if (r < 0)
                return r;
        size_t ul = strlen(user);
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, user, ul) != 0 || l[ul] != ':')
                        continue;
                unsigned uid, gid;
                const char *f = strchr(l + ul + 1, ':');
                if (!f || sscanf(f + 1, "%u:%u", &uid, &gid) != 2)
                        return -EBADMSG;
                *ret_uid = uid;
                *ret_gid = gid;
                return 0;
        }
        return -ESRCH;
}

static int add_writable(UnitExtras *x, const char *path, const char *reason, bool directory) {
        return rule_add_entry(&x->writable, &x->n_writable, path, reason, directory);
}

/* Whether uid is a user of the service's own: the one a root daemon switches to (munin for munin-node,
 * postgres for postgresql, Debian-exim for exim4), by its name. */
static bool own_user(RuleCtx *x, uid_t uid) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        if (uid == 0 || fs_root_read_file(x->root, "/etc/passwd", 16u * 1024 * 1024, &text, &size) < 0)
                return false;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || strtoul(c2 + 1, NULL, 10) != uid)
                        continue;
                *c1 = 0;
                const char *name = startswith(l, "Debian-") ? l + 7 : l;
                size_t n = strlen(name);
                for (char **o = x->own; o && *o; o++) {
                        size_t m = strlen(*o), k = n < m ? n : m;
                        if (k >= 3 && strncasecmp(name, *o, k) == 0)
                                return true;
                }
                return false;
        }
        return false;
}

/* Writable places: named state directories that belong to the service's user, or that its packages
 * create (root services), and named runtime directories on the host (clients meet its sockets there). */
int rule_state_dirs(RuleCtx *x) {
        const char *user = x->svc->user;
        bool root_user = !x->svc->dynamic_user && (!user || streq(user, "root") || streq(user, "0"));
        uid_t uid = 0;
        gid_t gid = 0;
        if (!root_user && !x->svc->dynamic_user && rule_lookup_user(x->root, user, &uid, &gid) < 0)
                return 0; /* an unknown user owns nothing here */
        for (char **p = x->named; p && *p; p++) {
                const char *path = *p, *named = *p + strlen(*p) + 1;
                struct stat st;
                _cleanup_free_ char *canon = strdup(path), *reason = NULL;
                if (!canon)
                        return -ENOMEM;
                if (startswith(canon, "/var/run/"))
                        memmove(canon, canon + 4, strlen(canon + 4) + 1);
                if (path_is_under(canon, "/etc") || path_is_under(canon, "/usr") ||
                    path_is_under(canon, "/home") || unit_path_is_hazard(canon, x->own) ||
                    !rule_is_state_dir(canon) || fs_root_chase(x->root, canon, NULL, &st) < 0 ||
                    (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)))
                        continue;
                int r;
                if (S_ISREG(st.st_mode)) {
                        /* a file of its own directly in /var/log and the like (vsftpd.log, fail2ban.log) */
                        if (!root_user && !x->svc->dynamic_user && st.st_uid != uid)
                                continue;
                        r = asprintf(&reason, "a file of its own, %s", named);
                        if (r < 0 || add_writable(x->x, canon, reason, false) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (!root_user && !x->svc->dynamic_user &&
                    (st.st_uid == uid || (st.st_gid == gid && (st.st_mode & 020))))
                        r = asprintf(&reason, "owned by %s, %s", user, named);
                else if (root_user && strv_contains(x->pkg_dirs, path))
                        r = asprintf(&reason, "the service starts as root and its package creates it (%s)",
                                     named);
                else if (root_user && own_user(x, st.st_uid))
                        r = asprintf(&reason,
                                     "owned by uid %u, the service's own user a root daemon switches to, %s",
                                     (unsigned)st.st_uid, named);
                else if (root_user && path_is_under(canon, "/run") && rule_own_place(x, canon, ""))
                        r = asprintf(&reason, "a runtime directory of its own on the host, %s", named);
                else
                        continue;
                if (r < 0 || add_writable(x->x, canon, reason, true) < 0)
                        return -ENOMEM;
        }
        return 0;
}
