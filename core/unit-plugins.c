/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "path-util.h"
#include "unit-rules.h"

/* NSS modules: what /etc/nsswitch.conf names, loaded by libc at run time. */
static int nss_modules(RuleCtx *x, size_t anchor, char *const *libdirs) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = rule_read_text(x, "/etc/nsswitch.conf", CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if ((r = rule_add(x, "/etc/nsswitch.conf", anchor, NODE_FILE, "NSS configuration read by libc",
                          NULL)) < 0)
                return r;
        unsigned line = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                line++;
                l[strcspn(l, "#")] = 0;
                char *colon = strchr(l, ':');
                if (!colon)
                        continue;
                for (char *s2 = NULL, *w = strtok_r(colon + 1, " \t", &s2); w;
                     w = strtok_r(NULL, " \t", &s2)) {
                        if (w[0] == '[' || strchr(w, ']') || strchr(w, '=') || strchr(w, '/'))
                                continue;
                        _cleanup_free_ char *lib = NULL, *reason = NULL, *name = NULL;
                        if (asprintf(&name, "libnss_%s.so.2", w) < 0 ||
                            asprintf(&reason, "NSS module in /etc/nsswitch.conf line %u", line) < 0)
                                return -ENOMEM;
                        if (rule_resolve_in(x->root, name, libdirs, false, &lib) >= 0 &&
                            (r = rule_add(x, lib, anchor, NODE_LIBRARY, reason, NULL)) < 0)
                                return r;
                }
        }
        return 0;
}

/* The PAM stack of a service: /etc/pam.d/NAME (NAME: the unit's, its programs', its packages'), the files it
 * includes, and the modules it loads, with their libraries. */
static int pam_file(RuleCtx *x, const char *file, size_t anchor, char *const *libdirs, unsigned depth) {
        _cleanup_free_ char *text = NULL;
        size_t size, node;
        if (depth > 8)
                return 0;
        int r = rule_read_text(x, file, CONFFILE_MAX, &text, &size);
        if (r <= 0)
                return r;
        if (depth == 0 &&
            (r = rule_add(x, file, anchor, NODE_FILE, "PAM configuration of the service", &node)) <= 0)
                return r;
        if (depth > 0)
                node = anchor; /* the include's own node, given by the caller */
        unsigned line = 0;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                line++;
                l[strcspn(l, "#")] = 0;
                char *w[4] = {};
                size_t n = 0;
                for (char *s2 = NULL, *t = strtok_r(l, " \t", &s2); t && n < 4;
                     t = strtok_r(NULL, " \t", &s2)) {
                        if (n == 1 && t[0] == '[') /* [success=1 default=ignore]: one word */
                                while (t && !strchr(t, ']'))
                                        t = strtok_r(NULL, " \t", &s2);
                        if (t)
                                w[n++] = t;
                }
                _cleanup_free_ char *inc = NULL, *why = NULL, *mod = NULL;
                const char *include = w[0] && streq(w[0], "@include") ? w[1]
                                      : w[1] && w[2] && (streq(w[1], "include") || streq(w[1], "substack"))
                                              ? w[2]
                                              : NULL;
                if (include) {
                        size_t child;
                        if (asprintf(&inc, "%s%s", include[0] == '/' ? "" : "/etc/pam.d/", include) < 0 ||
                            asprintf(&why, "included by %s line %u", file, line) < 0)
                                return -ENOMEM;
                        if ((r = rule_add(x, inc, node, NODE_FILE, why, &child)) > 0)
                                r = pam_file(x, inc, child, libdirs, depth + 1);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (!w[2] || !strstr(w[2], ".so"))
                        continue;
                if (asprintf(&why, "PAM module in %s line %u", file, line) < 0)
                        return -ENOMEM;
                if (w[2][0] == '/')
                        r = rule_add(x, w[2], node, NODE_LIBRARY, why, NULL);
                else {
                        _cleanup_free_ char *name = NULL;
                        if (asprintf(&name, "security/%s", w[2]) < 0)
                                return -ENOMEM;
                        r = rule_resolve_in(x->root, name, libdirs, false, &mod) >= 0
                                    ? rule_add(x, mod, node, NODE_LIBRARY, why, NULL)
                                    : 0;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int pam_stack(RuleCtx *x, size_t anchor, char *const *libdirs) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *unit = strndup(x->svc->id, strcspn(x->svc->id, "@."));
        if (!unit || strv_extend(&names, unit) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                const ClosureNode *n = closure_node(x->c, i);
                if (n->root && !strv_contains(names, path_basename(n->path)) &&
                    strv_extend(&names, path_basename(n->path)) < 0)
                        return -ENOMEM;
        }
        for (char **p = x->pkgs; p && *p; p++)
                if (!strv_contains(names, *p) && strv_extend(&names, *p) < 0)
                        return -ENOMEM;
        int r = 0;
        bool any = false;
        for (char **nm = names; *nm && r >= 0; nm++) {
                _cleanup_free_ char *file = NULL;
                struct stat st;
                if (asprintf(&file, "/etc/pam.d/%s", *nm) < 0)
                        return -ENOMEM;
                if (fs_root_chase(x->root, file, NULL, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                any = true;
                r = pam_file(x, file, anchor, libdirs, 0);
        }
        /* a service without a file of its own gets "other"; and what the common modules read */
        if (r >= 0 && !any)
                r = pam_file(x, "/etc/pam.d/other", anchor, libdirs, 0);
        static const char *const conf[] = {"/etc/security/limits.conf", "/etc/security/pam_env.conf",
                                           "/etc/security/access.conf", "/etc/security/namespace.conf",
                                           "/etc/security/group.conf",  "/etc/security/time.conf",
                                           "/etc/environment",          "/etc/login.defs",
                                           "/etc/security/limits.d"};
        for (size_t i = 0; i < ELEMENTSOF(conf) && r >= 0; i++) {
                struct stat st;
                if (fs_root_chase(x->root, conf[i], NULL, &st) < 0)
                        continue;
                r = S_ISDIR(st.st_mode)
                            ? rule_add_dir_files(x, conf[i], anchor, "read by PAM modules", false)
                            : rule_add(x, conf[i], anchor, NODE_FILE, "read by PAM modules", NULL);
        }
        return r < 0 ? r : 0;
}

/* gconv: iconv's module table, and the Unicode modules programs ask for by name. */
static int gconv(RuleCtx *x, size_t anchor, char *const *libdirs) {
        static const char *const files[] = {"gconv/gconv-modules", "gconv/gconv-modules.cache",
                                            "gconv/UTF-16.so",     "gconv/UTF-32.so",
                                            "gconv/UNICODE.so",    "gconv/UTF-7.so"};
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files) && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;
                if (rule_resolve_in(x->root, files[i], libdirs, false, &p) >= 0)
                        r = rule_add(x, p, anchor, NODE_FILE,
                                     "gconv module table and Unicode modules (iconv)", NULL);
        }
        _cleanup_free_ char *d = NULL;
        if (r >= 0 && rule_resolve_in(x->root, "gconv/gconv-modules.d/gconv-modules-extra.conf", libdirs,
                                      false, &d) >= 0) {
                *strrchr(d, '/') = 0;
                r = rule_add_dir_files(x, d, anchor, "gconv module table (iconv)", false);
        }
        return r < 0 ? r : 0;
}

/* The locale LANG (or LC_ALL) names: the archive, or the compiled locale's directory, and C.utf8. */
static int locale_files(RuleCtx *x, size_t anchor) {
        const char *lang = service_getenv(x->svc, "LC_ALL");
        if (!lang || !*lang)
                lang = service_getenv(x->svc, "LANG");
        _cleanup_free_ char *from_file = NULL;
        if (!lang || !*lang) {
                /* the manager's default, from the locale configuration */
                static const char *const conf[] = {"/etc/locale.conf", "/etc/default/locale"};
                for (size_t i = 0; i < ELEMENTSOF(conf) && !from_file; i++) {
                        _cleanup_free_ char *text = NULL;
                        size_t size;
                        if (fs_root_read_file(x->root, conf[i], CONFFILE_MAX, &text, &size) < 0)
                                continue;
                        const char *l = strstr(text, "LANG=");
                        if (l && (l == text || l[-1] == '\n'))
                                from_file = strndup(l + 5 + (l[5] == '"'),
                                                    strcspn(l + 5 + (l[5] == '"'), "\"\n"));
                }
                lang = from_file;
        }
        if (lang && (streq(lang, "C") || streq(lang, "POSIX")))
                return 0;
        if (!lang || !*lang)
                lang = "C.UTF-8"; /* the manager's own default here, and Debian's */
        _cleanup_free_ char *reason = NULL, *norm = strdup(lang);
        if (!norm || asprintf(&reason, "the locale LANG=%s", lang) < 0)
                return -ENOMEM;
        /* glibc's normalised codeset: "en_US.UTF-8" -> "en_US.utf8" */
        char *dot = strchr(norm, '.');
        if (dot) {
                char *o = dot + 1;
                for (char *i = dot + 1; *i && *i != '@'; i++)
                        if (*i != '-')
                                *o++ = (*i >= 'A' && *i <= 'Z') ? *i - 'A' + 'a' : *i;
                memmove(o, dot + 1 + strcspn(dot + 1, "@"), strlen(dot + 1 + strcspn(dot + 1, "@")) + 1);
        }
        int r = rule_add(x, "/usr/lib/locale/locale-archive", anchor, NODE_FILE, reason, NULL);
        _cleanup_free_ char *dir = NULL;
        if (r >= 0 && asprintf(&dir, "/usr/lib/locale/%s", norm) < 0)
                return -ENOMEM;
        if (r >= 0)
                r = rule_add_dir_files(x, dir, anchor, reason, false);
        if (r >= 0)
                r = rule_add_dir_files(x, "/usr/lib/locale/C.utf8", anchor, reason, false);
        if (r >= 0)
                r = rule_add_dir_files(x, "/usr/lib/locale/C.utf8/LC_MESSAGES", anchor, reason, false);
        return r < 0 ? r : 0;
}

int rule_plugins(RuleCtx *x) {
        /* the node that loads them: libc, else the first program */
        size_t anchor = SIZE_MAX;
        for (size_t i = 0; i < closure_n_nodes(x->c); i++) {
                const ClosureNode *n = closure_node(x->c, i);
                if (anchor == SIZE_MAX && n->root)
                        anchor = i;
                if (streq(path_basename(n->path), "libc.so.6")) {
                        anchor = i;
                        break;
                }
        }
        if (anchor == SIZE_MAX)
                return 0;
        /* the directory libc is loaded from, as the loader names it (/lib/x86_64-linux-gnu): NSS modules are
         * found there, and libpam's modules below it (security/) */
        _cleanup_free_ char *own = strdup(closure_node(x->c, anchor)->path);
        if (!own)
                return -ENOMEM;
        *strrchr(own, '/') = 0;
        char *libdirs[] = {own, (char *)"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib",
                           NULL};
        int r = nss_modules(x, anchor, libdirs);
        bool pam = false;
        for (size_t i = 0; i < closure_n_nodes(x->c) && !pam; i++)
                pam = startswith(path_basename(closure_node(x->c, i)->path), "libpam.so");
        if (r >= 0 && pam)
                r = pam_stack(x, anchor, libdirs);
        /* iconv's modules are where glibc was built to look: $libdir/gconv */
        char *gconvdirs[] = {(char *)"/usr/lib/x86_64-linux-gnu:/usr/lib:/lib/x86_64-linux-gnu", NULL};
        if (r >= 0)
                r = gconv(x, anchor, gconvdirs);
        if (r >= 0)
                r = locale_files(x, anchor);
        return r;
}
