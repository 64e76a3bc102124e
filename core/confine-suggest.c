/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "confine-suggest.h"
#include "macro.h"

void suggestions_free(Suggestion *l, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(l[i].preset);
                free(l[i].override);
                free(l[i].reason);
        }
        free(l);
}

static int suggest(Suggestion **l, size_t *n, const char *preset, const char *override, const char *reason) {
        for (size_t i = 0; i < *n; i++)
                if (streq_ptr((*l)[i].preset, preset) && streq_ptr((*l)[i].override, override))
                        return 0;
        Suggestion *m = realloc(*l, (*n + 1) * sizeof(Suggestion));
        if (!m)
                return -ENOMEM;
        *l = m;
        m[*n] = (Suggestion){.preset = preset ? strdup(preset) : NULL,
                             .override = override ? strdup(override) : NULL,
                             .reason = strdup(reason)};
        if ((preset && !m[*n].preset) || (override && !m[*n].override) || !m[*n].reason)
                return -ENOMEM;
        (*n)++;
        return 0;
}

static bool closure_has_lib(const Closure *c, const char *const *prefixes) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const char *base = strrchr(closure_node(c, i)->path, '/');
                for (size_t k = 0; base && prefixes[k]; k++)
                        if (startswith(base + 1, prefixes[k]))
                                return true;
        }
        return false;
}

/* The first program of the unit that a package other than an essential one owns, and that package. */
static int unit_package(const Closure *c, DpkgDb *db, const char **ret_prog, const char **ret_pkg) {
        for (size_t i = 0; db && i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                const char *owner;
                const DpkgPackage *p;
                if (!n->root || (n->kind != NODE_EXEC && n->kind != NODE_SCRIPT))
                        continue;
                int r = dpkg_db_find_owners(db, &n->realpath, 1, &owner);
                if (r < 0)
                        return r;
                _cleanup_free_ char *name = owner ? strndup(owner, strcspn(owner, ", ")) : NULL;
                if (!owner || !name || dpkg_db_package_info(db, name, &p) < 0 || p->essential ||
                    streq(p->priority, "required"))
                        continue;
                *ret_prog = n->path;
                *ret_pkg = p->name;
                return 1;
        }
        return 0;
}

int confine_suggest(const Service *svc, const Closure *c, DpkgDb *db, const ConfineSettings *s,
                    Suggestion **ret, size_t *ret_n) {
        static const char *const tls_libs[] = {"libssl.so", "libgnutls.so", "libnss3.so", "libmbedtls.so",
                                               NULL};
        static const char *const net_libs[] = {"libresolv.so", "libcurl",       "libssl.so", "libgnutls.so",
                                               "libldap",      "libsystemd.so", NULL};
        Suggestion *l = NULL;
        size_t n = 0;
        int r = 0;
        bool root = !svc->dynamic_user && (!svc->user || streq(svc->user, "root") || streq(svc->user, "0"));

        if (!svc->dynamic_user && (svc->user || svc->group))
                r = suggest(&l, &n, "users", NULL,
                            "User=/Group= are set: the service (and its libraries) may look "
                            "its user up in /etc/passwd and /etc/group");
        else if (root)
                r = suggest(&l, &n, "users", NULL,
                            "it starts as root: daemons that drop privileges look their user "
                            "up in /etc/passwd and /etc/group");
        if (r >= 0 && closure_has_lib(c, tls_libs))
                r = suggest(&l, &n, "tls", NULL,
                            "it links a TLS library, which verifies peers against /etc/ssl/certs");
        if (r >= 0 && closure_has_lib(c, net_libs))
                r = suggest(&l, &n, "resolve", NULL,
                            "it links network libraries that resolve host names "
                            "(resolv.conf, hosts, nsswitch.conf)");
        const char *prog = NULL, *pkg = NULL;
        if (r >= 0)
                r = unit_package(c, db, &prog, &pkg);
        _cleanup_free_ char *why = NULL;
        if (r > 0 && asprintf(&why,
                              "%s comes from the package %s, whose configuration, data and helpers its "
                              "programs open at compiled-in paths (conffiles, /usr/share, /usr/lib)",
                              prog, pkg) < 0)
                r = -ENOMEM;
        if (r > 0)
                r = suggest(&l, &n, "package", NULL, why);
        if (r >= 0 && pkg)
                r = suggest(&l, &n, "state", NULL,
                            "the directories its unit, scripts and package name below /var/lib, "
                            "/var/log, /var/spool, /var/cache and /run, where it writes");
        static const char *const libc[] = {"libc.so.6", NULL};
        if (r >= 0 && closure_has_lib(c, libc))
                r = suggest(&l, &n, "timezone", NULL,
                            "libc reads /etc/localtime for local time (timestamps in logs), "
                            "and some daemons the time zone database (PostgreSQL)");
        static const char *const pam[] = {"libpam.so", NULL};
        if (r >= 0 && closure_has_lib(c, pam))
                r = suggest(&l, &n, "plugins", NULL,
                            "it links libpam: the PAM stack in /etc/pam.d and its modules, "
                            "and the NSS modules /etc/nsswitch.conf names");
        else if (r >= 0 && (root || svc->user || svc->group || service_getenv(svc, "LANG")))
                r = suggest(&l, &n, "plugins", NULL,
                            "it looks users or hosts up through NSS modules that "
                            "/etc/nsswitch.conf names, and uses the locale LANG names");
        bool private_users = s->mode == CONFINE_FULL_APIVFS;
        for (char **o = s->overrides; o && *o; o++)
                if (startswith(*o, "PrivateUsers="))
                        private_users = false;
        if (r >= 0 && root && private_users)
                r = suggest(&l, &n, NULL, "PrivateUsers=no",
                            "it runs as root: under PrivateUsers=yes a daemon that "
                            "changes file owners to its worker user fails with EINVAL");
        if (r < 0) {
                suggestions_free(l, n);
                return r;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}
