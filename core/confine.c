/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <jansson.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "caps.h"
#include "confine.h"
#include "fs-root.h"
#include "macro.h"
#include "path-util.h"
#include "unit-closure.h"

static const char *const mode_names[_CONFINE_MODE_MAX] = {
        [CONFINE_FULL_APIVFS] = "full-apivfs",
        [CONFINE_CHROOT_ONLY] = "chroot-only",
};

const char *confine_mode_to_string(ConfineMode m) {
        return m >= 0 && m < _CONFINE_MODE_MAX ? mode_names[m] : NULL;
}

int confine_mode_from_string(const char *s, ConfineMode *ret) {
        for (ConfineMode m = 0; m < _CONFINE_MODE_MAX; m++)
                if (streq(s, mode_names[m])) {
                        *ret = m;
                        return 0;
                }
        return -EINVAL;
}

const ConfinePreset confine_presets[] = {
        {"users",
         "the user database: passwd, group, nsswitch.conf",
         {"/etc/passwd", "/etc/group", "/etc/nsswitch.conf"}},
        {"resolve",
         "name resolution: resolv.conf, hosts, nsswitch.conf, gai.conf, host.conf, services, protocols",
         {"/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
          "/etc/services", "/etc/protocols"}},
        {"tls",
         "TLS roots: /etc/ssl/certs and the certificates its links point to",
         {"/etc/ssl/certs", "/usr/share/ca-certificates", "/etc/ssl/openssl.cnf"}},
        {"timezone",
         "the time zone: /etc/localtime and /usr/share/zoneinfo",
         {"/etc/localtime", "/usr/share/zoneinfo", "/etc/timezone"}},
        {"locale",
         "locales: /usr/lib/locale and /etc/default/locale",
         {"/usr/lib/locale", "/etc/default/locale"}},
        {"terminfo",
         "terminal descriptions: /etc/terminfo, /usr/share/terminfo, /lib/terminfo",
         {"/etc/terminfo", "/usr/share/terminfo", "/lib/terminfo"}},
        {"package",
         "the programs' own packages: conffiles, data, helpers and modules, and sibling packages of the same "
         "source",
         {},
         UNIT_RULE_PACKAGE},
        {"plugins",
         "what configuration loads: NSS modules (nsswitch.conf), the PAM stack, gconv, the locale LANG names",
         {},
         UNIT_RULE_PLUGINS},
        {"state",
         "writable state: directories below /var/lib, /var/log, /var/spool, /var/cache and /run that the "
         "unit or its package names, owned by its user or created by its package",
         {},
         UNIT_RULE_STATE},
        {},
};

const ConfinePreset *confine_preset_find(const char *name) {
        for (const ConfinePreset *p = confine_presets; p->name; p++)
                if (streq(p->name, name))
                        return p;
        return NULL;
}

void confine_settings_init(ConfineSettings *s) {
        *s = (ConfineSettings){.mode = CONFINE_FULL_APIVFS,
                               .bin_sh = BIN_SH_DEFAULT,
                               .mount_budget = CONFINE_DEFAULT_MOUNT_BUDGET};
}

void confine_settings_done(ConfineSettings *s) {
        strv_free(s->packages);
        strv_free(s->paths);
        strv_free(s->writable);
        strv_free(s->overrides);
        strv_free(s->presets);
        strv_free(s->capabilities);
        free(s->bin_sh_path);
        confine_settings_init(s);
}

static json_t *strv_to_json(char *const *l) {
        json_t *a = json_array();
        for (size_t i = 0; a && l && l[i]; i++)
                json_array_append_new(a, json_string(l[i]));
        return a;
}

int confine_settings_to_json_string(const ConfineSettings *s, char **ret) {
        json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:i}", "mode",
                              confine_mode_to_string(s->mode), "packages", strv_to_json(s->packages), "paths",
                              strv_to_json(s->paths), "writable", strv_to_json(s->writable), "bin_sh",
                              s->bin_sh == BIN_SH_NONE     ? json_string("none")
                              : s->bin_sh == BIN_SH_CUSTOM ? json_string(s->bin_sh_path)
                                                           : json_string("default"),
                              "full_unit", s->full_unit, "overrides", strv_to_json(s->overrides), "presets",
                              strv_to_json(s->presets), "capabilities",
                              s->capabilities ? strv_to_json(s->capabilities) : json_null(), "mount_budget",
                              (int)s->mount_budget);
        /* only when set: the headers of drop-ins written before it stay as they were */
        if (o && s->learned && json_object_set_new(o, "learned", json_true()) < 0) {
                json_decref(o);
                o = NULL;
        }
        if (!o)
                return -ENOMEM;
        /* compact and ASCII-only: a header line must stay one line whatever the paths hold */
        char *j = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
        json_decref(o);
        if (!j)
                return -ENOMEM;
        *ret = j;
        return 0;
}

static int json_to_strv(json_t *a, char ***ret) {
        char **l = NULL;
        size_t i;
        json_t *v;
        if (!a)
                return 0;
        if (!json_is_array(a))
                return -EINVAL;
        json_array_foreach(a, i, v) {
                if (!json_is_string(v) || strv_extend(&l, json_string_value(v)) < 0) {
                        strv_free(l);
                        return json_is_string(v) ? -ENOMEM : -EINVAL;
                }
        }
        *ret = l;
        return 0;
}

int confine_settings_from_json_string(const char *text, ConfineSettings *ret, char **reterr) {
        json_error_t err;
        ConfineSettings s;
        json_t *o = json_loads(text, 0, &err);
        const char *mode = NULL, *bin_sh = NULL;
        int full_unit = 0, learned = 0, budget = CONFINE_DEFAULT_MOUNT_BUDGET;
        json_t *packages = NULL, *paths = NULL, *writable = NULL, *overrides = NULL, *presets = NULL,
               *capabilities = NULL;

        confine_settings_init(&s);
        if (!o) {
                if (reterr)
                        (void)asprintf(reterr, "the settings are not valid JSON: %s (column %d)", err.text,
                                       err.column);
                return -EINVAL;
        }
        if (json_unpack_ex(o, &err, 0, "{s?s, s?o, s?o, s?o, s?s, s?b, s?o, s?o, s?o, s?i, s?b}", "mode",
                           &mode, "packages", &packages, "paths", &paths, "writable", &writable, "bin_sh",
                           &bin_sh, "full_unit", &full_unit, "overrides", &overrides, "presets", &presets,
                           "capabilities", &capabilities, "mount_budget", &budget, "learned", &learned) < 0) {
                if (reterr)
                        (void)asprintf(reterr, "the settings do not have the expected shape: %s", err.text);
                json_decref(o);
                return -EINVAL;
        }
        int r = 0;
        if (mode && confine_mode_from_string(mode, &s.mode) < 0) {
                if (reterr)
                        (void)asprintf(reterr, "unknown mode '%s' (full-apivfs or chroot-only)", mode);
                r = -EINVAL;
        }
        if (r >= 0 &&
            ((r = json_to_strv(packages, &s.packages)) < 0 || (r = json_to_strv(paths, &s.paths)) < 0 ||
             (r = json_to_strv(writable, &s.writable)) < 0 ||
             (r = json_to_strv(overrides, &s.overrides)) < 0 || (r = json_to_strv(presets, &s.presets)) < 0 ||
             (!json_is_null(capabilities) && (r = json_to_strv(capabilities, &s.capabilities)) < 0)) &&
            reterr)
                (void)asprintf(reterr, "a list in the settings holds something other than strings");
        if (r >= 0 && bin_sh) {
                if (streq(bin_sh, "none"))
                        s.bin_sh = BIN_SH_NONE;
                else if (!streq(bin_sh, "default")) {
                        s.bin_sh = BIN_SH_CUSTOM;
                        if (!(s.bin_sh_path = strdup(bin_sh)))
                                r = -ENOMEM;
                }
        }
        /* an explicitly empty bounding set is a setting too */
        if (r >= 0 && capabilities && json_is_array(capabilities) && !s.capabilities &&
            !(s.capabilities = calloc(1, sizeof(char *))))
                r = -ENOMEM;
        for (char **cp = s.capabilities; r >= 0 && cp && *cp; cp++) {
                uint64_t m;
                if (caps_parse_list(*cp, &m, NULL) < 0) {
                        if (reterr)
                                (void)asprintf(reterr, "unknown capability '%s'", *cp);
                        r = -EINVAL;
                }
        }
        for (char **pr = s.presets; r >= 0 && pr && *pr; pr++)
                if (!confine_preset_find(*pr)) {
                        if (reterr)
                                (void)asprintf(reterr, "unknown preset '%s'", *pr);
                        r = -EINVAL;
                }
        if (r >= 0 && (budget < 1 || budget > 100000)) {
                if (reterr)
                        (void)asprintf(reterr, "mount_budget %d is out of range (1 to 100000)", budget);
                r = -EINVAL;
        }
        s.full_unit = full_unit;
        s.learned = learned;
        s.mount_budget = budget;
        json_decref(o);
        if (r < 0) {
                confine_settings_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void mount_plan_done(MountPlan *p) {
        for (size_t i = 0; i < p->n_binds; i++) {
                free(p->binds[i].source);
                free(p->binds[i].dest);
        }
        free(p->binds);
        strv_free(p->suggestions);
        strv_free(p->warnings);
        free(p->pid_file);
        strv_free(p->runtime_dirs);
        strv_free(p->strings);
        *p = (MountPlan){};
}

const char *mount_plan_intern(MountPlan *p, const char *s) {
        for (char **o = p->strings; o && *o; o++)
                if (streq(*o, s))
                        return *o;
        if (strv_extend(&p->strings, s) < 0)
                return NULL;
        return p->strings[strv_length(p->strings) - 1];
}

int mount_plan_add(MountPlan *p, const char *source, const char *dest_in, bool writable, bool directory,
                   bool explicit_choice, const char *why) {
        /* a loader path such as $ORIGIN/../lib/x is what the program opens; systemd wants it normalised */
        _cleanup_free_ char *dest = strdup(dest_in);
        if (!dest)
                return -ENOMEM;
        path_normalize(dest);
        for (size_t i = 0; i < p->n_binds; i++) {
                Bind *b = p->binds + i;
                if (!streq(b->dest, dest))
                        continue;
                /* one destination, one bind: the operator's explicit choice wins over anything derived */
                if (!explicit_choice) {
                        b->writable = b->writable || writable;
                        return 0;
                }
                char *src = strdup(source);
                if (!src)
                        return -ENOMEM;
                free(b->source);
                b->source = src;
                b->writable = writable;
                b->directory = directory;
                b->why = why;
                return 0;
        }
        if (!GROW(p->binds, p->allocated, p->n_binds + 1))
                return -ENOMEM;
        Bind *b = p->binds + p->n_binds;
        *b = (Bind){.source = strdup(source),
                    .dest = TAKE_PTR(dest),
                    .writable = writable,
                    .directory = directory,
                    .why = why};
        if (!b->source) {
                free(b->dest);
                return -ENOMEM;
        }
        p->n_binds++;
        return 0;
}

int mount_plan_add_closure(MountPlan *p, const Closure *c) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                int r = mount_plan_add(p, n->realpath, n->path, false, false, false, "closure");
                if (r >= 0 && !streq(n->path, n->realpath) && n->kind != NODE_LIBRARY)
                        r = mount_plan_add(p, n->realpath, n->realpath, false, false, false, "closure");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_bind(const void *a, const void *b) {
        return strcmp(((const Bind *)a)->dest, ((const Bind *)b)->dest);
}

/* Binds grouped by the directory of their destination, then by name: a directory's entries together, those
 * of its subdirectories after them. */
static int cmp_bind_by_parent(const void *x, const void *y) {
        const char *a = ((const Bind *)x)->dest, *b = ((const Bind *)y)->dest;
        size_t la = path_dirname_len(a), lb = path_dirname_len(b);
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c != 0 || la != lb)
                return c != 0 ? c : la < lb ? -1 : 1;
        return strcmp(a + la, b + lb);
}

static Hashmap *dest_index(const MountPlan *p) {
        Hashmap *h = hashmap_new();
        for (size_t i = 0; h && i < p->n_binds; i++)
                if (hashmap_put(h, p->binds[i].dest, p->binds + i, NULL) < 0)
                        h = hashmap_free(h);
        return h;
}

/* The plan shows path as the host has it: bound where it is, itself or as part of a directory bound whole
 * where it is. With exclude_self, only a directory above path counts. */
static bool shown_as_on_host(Hashmap *dests, const char *path, bool exclude_self) {
        size_t full = strlen(path);
        for (size_t len = full; len > 1;) {
                const Bind *d = exclude_self && len == full ? NULL : hashmap_get_bytes(dests, path, len);
                if (d && !d->writable && (d->directory || len == full) && strlen(d->source) == len &&
                    strncmp(d->source, path, len) == 0)
                        return true;
                while (len > 0 && path[len - 1] != '/')
                        len--;
                if (len <= 1)
                        return false;
                len--;
        }
        return false;
}

/* b binds a symlink's real file at the link's path. In a directory bound whole, the link itself shows
 * instead; it leads to the same file when its text names the real file in one hop and the plan shows
 * that file as the host has it. */
static bool link_survives(const Bind *b, Hashmap *dests, ReadLinkFn read_link, void *userdata) {
        _cleanup_free_ char *text = NULL, *target = NULL, *dir = path_dirname(b->dest);
        if (!dir || !read_link || read_link(b->dest, &text, userdata) < 0)
                return false;
        if (asprintf(&target, "%s/%s", text[0] == '/' ? "" : dir, text) < 0)
                return false;
        path_normalize(target);
        return streq(target, b->source) && shown_as_on_host(dests, target, false);
}

/* Whether b shows nothing a directory bound whole above it would not show. */
static bool absorbable(const Bind *b, Hashmap *dests, ReadLinkFn read_link, void *userdata) {
        if (b->writable)
                return false;
        if (streq(b->source, b->dest))
                return true; /* a file or directory bound where it is */
        return !b->directory && link_survives(b, dests, read_link, userdata);
}

/* Drop binds a directory bound whole above them already shows. */
static int drop_covered(MountPlan *p, ReadLinkFn read_link, void *userdata) {
        _cleanup_(hashmap_freep) Hashmap *dests = dest_index(p);
        if (!dests)
                return -ENOMEM;
        bool *drop = calloc(p->n_binds + 1, sizeof(bool));
        if (!drop)
                return -ENOMEM;
        for (size_t i = 0; i < p->n_binds; i++)
                drop[i] = shown_as_on_host(dests, p->binds[i].dest, true) &&
                          absorbable(p->binds + i, dests, read_link, userdata);
        size_t k = 0;
        for (size_t i = 0; i < p->n_binds; i++) {
                if (drop[i]) {
                        free(p->binds[i].source);
                        free(p->binds[i].dest);
                } else
                        p->binds[k++] = p->binds[i];
        }
        p->n_binds = k;
        free(drop);
        return 0;
}

int mount_plan_finish(MountPlan *p, unsigned budget, DirCountFn count, ReadLinkFn read_link, void *userdata) {
        /* Mount count is start-up time (make bench-mounts): bind a whole directory where most of its entries
         * are bound anyway (3 or more and at least half of the directory), then, over budget, the
         * directories holding the most binds, until the plan fits. Only read-only binds that the directory
         * shows as they were are merged (absorbable): files and directories bound where they are, and
         * symlinks whose real file stays in the root. */
        for (unsigned pass = 0; pass < 2; pass++) {
                for (;;) {
                        int r = drop_covered(p, read_link, userdata);
                        if (r < 0)
                                return r;
                        if (pass == 1 && p->n_binds <= budget)
                                break;
                        if (p->n_binds > 1) /* qsort() wants a real array even for none */
                                qsort(p->binds, p->n_binds, sizeof(Bind), cmp_bind_by_parent);
                        _cleanup_(hashmap_freep) Hashmap *dests = dest_index(p);
                        if (!dests)
                                return -ENOMEM;
                        _cleanup_free_ char *best = NULL;
                        size_t best_n = 0, best_total = 0;
                        for (size_t i = 0; i < p->n_binds;) {
                                _cleanup_free_ char *dir = path_dirname(p->binds[i].dest);
                                size_t j = i;
                                bool mergeable = dir && !streq(dir, "/");
                                for (; j < p->n_binds; j++) {
                                        const char *d = p->binds[j].dest;
                                        if (!dir || path_dirname_len(d) != strlen(dir) ||
                                            strncmp(d, dir, path_dirname_len(d)) != 0)
                                                break;
                                        mergeable = mergeable &&
                                                    absorbable(p->binds + j, dests, read_link, userdata);
                                }
                                size_t n = j - i, total = 0;
                                if (mergeable && n >= 2 && n > best_n && count &&
                                    count(dir, &total, userdata) >= 0 && total >= n &&
                                    (pass == 1 || (n >= 3 && total <= 2 * n))) {
                                        free(best);
                                        best = TAKE_PTR(dir);
                                        best_n = n;
                                        best_total = total;
                                }
                                i = j;
                        }
                        if (!best)
                                break;
                        /* the directory's binds give way to one bind of the directory */
                        size_t k = 0;
                        for (size_t i = 0; i < p->n_binds; i++) {
                                _cleanup_free_ char *d = path_dirname(p->binds[i].dest);
                                if (d && streq(d, best)) {
                                        free(p->binds[i].source);
                                        free(p->binds[i].dest);
                                        continue;
                                }
                                p->binds[k++] = p->binds[i];
                        }
                        p->n_binds = k;
                        r = mount_plan_add(p, best, best, false, true, false, "directory");
                        if (r < 0)
                                return r;
                        p->coalesced_dirs++;
                        p->exposed_files += best_total - best_n;
                }
        }
        if (p->n_binds > 1) /* qsort() wants a real array even for none */
                qsort(p->binds, p->n_binds, sizeof(Bind), cmp_bind);
        return 0;
}

/* a warning is a sentence with the one detail that varies put in at "%s" */
static int add_warning(MountPlan *p, const char *sentence, const char *detail) {
        const char *at = strstr(sentence, "%s");
        char *w;
        if (asprintf(&w, "%.*s%s%s", at ? (int)(at - sentence) : (int)strlen(sentence), sentence,
                     at ? detail : "", at ? at + 2 : "") < 0)
                return -ENOMEM;
        return strv_push(&p->warnings, w);
}

int confine_check_conflicts(const Service *svc, const ConfineSettings *s, bool force, MountPlan *p,
                            char **reterr) {
        int r = 0;
        if (svc->environment_problem && (r = add_warning(p, "%s.", svc->environment_problem)) < 0)
                return r;
        if (svc->root_directory_start_only) {
                if (reterr)
                        (void)asprintf(
                                reterr,
                                "%s sets RootDirectoryStartOnly=yes: the root would apply to ExecStart= "
                                "only, but bind mounts cannot be limited to it. Remove that setting first",
                                svc->id);
                return -EPERM;
        }
        /* our own drop-in sets RootDirectory= too: that one is no conflict */
        bool ours = false;
        for (char **d = svc->dropin_paths; d && *d; d++)
                ours = ours || (strrchr(*d, '/') && streq(strrchr(*d, '/') + 1, "50-confinement.conf"));
        bool own_root = ours && svc->root_directory && !svc->root_image &&
                        (startswith(svc->root_directory, "/run/confinement/") ||
                         startswith(svc->root_directory, "/run/private/confinement/"));
        if ((svc->root_directory || svc->root_image) && !own_root && !force) {
                if (reterr)
                        (void)asprintf(reterr,
                                       "%s already sets %s=%s (another drop-in or the unit). Confining it "
                                       "would replace that root; use --force to do it anyway",
                                       svc->id, svc->root_directory ? "RootDirectory" : "RootImage",
                                       svc->root_directory ? svc->root_directory : svc->root_image);
                return -EPERM;
        }
        /* systemd 252 keeps a DynamicUser= service's preserved runtime directories (ours included) in
         * /run/private and leaves a symlink in /run, which cannot be a RootDirectory= (226/NAMESPACE) */
        if (svc->dynamic_user && svc->runtime_directory_preserve &&
            !streq(svc->runtime_directory_preserve, "no")) {
                p->private_root = true;
                r = add_warning(
                        p,
                        "DynamicUser=yes with RuntimeDirectoryPreserve=%s: systemd keeps runtime directories "
                        "below /run/private, so the root is /run/private/confinement/UNIT.",
                        svc->runtime_directory_preserve);
                if (r < 0)
                        return r;
        }
        /* the unit's own runtime directories (ours read back from an installed drop-in left out) */
        for (char **d = svc->runtime_directory; d && *d && r >= 0; d++)
                if (!startswith(*d, "confinement/"))
                        r = strv_extend(&p->runtime_dirs, *d);
        /* systemd reads a forking daemon's PID file from outside the root; one the daemon writes in the
         * root's /run is read from the root's /run on the host. Below a runtime directory of its own,
         * which systemd binds from the host, nothing changes. */
        const char *pid_rest = !svc->pid_file                           ? NULL
                               : startswith(svc->pid_file, "/run/")     ? svc->pid_file + 5
                               : startswith(svc->pid_file, "/var/run/") ? svc->pid_file + 9
                                                                        : NULL;
        bool own_dir = false;
        for (char **d = p->runtime_dirs; d && *d && pid_rest; d++) {
                size_t n = strcspn(*d, ":");
                own_dir = own_dir || (strncmp(pid_rest, *d, n) == 0 && pid_rest[n] == '/');
        }
        if (r >= 0 && pid_rest && *pid_rest && !own_dir && streq_ptr(svc->type, "forking")) {
                r = add_warning(
                        p,
                        "PIDFile=%s: systemd reads it from outside the root, and the daemon writes it "
                        "in the root's private /run, which is /run/confinement/UNIT/run on the host; "
                        "PIDFile= points there.",
                        svc->pid_file);
                if (r >= 0 && !(p->pid_file = strdup(pid_rest)))
                        r = -ENOMEM;
        }
        bool root_user = !svc->user || streq(svc->user, "root") || streq(svc->user, "0");
        bool private_users = s->mode == CONFINE_FULL_APIVFS;
        for (char **o = s->overrides; o && *o; o++)
                if (startswith(*o, "PrivateUsers="))
                        private_users =
                                strcmp(*o, "PrivateUsers=no") != 0 && strcmp(*o, "PrivateUsers=false") != 0;
        if (r >= 0 && root_user && private_users && !svc->dynamic_user)
                r = add_warning(
                        p,
                        "%s runs as root under PrivateUsers=yes: a daemon that switches users itself "
                        "(chown to its worker user) fails with EINVAL. Add --set PrivateUsers=no if it does.",
                        svc->id);
        if (r >= 0 && svc->protect_system && !streq(svc->protect_system, "no"))
                r = add_warning(p,
                                "ProtectSystem=%s applies inside the root too: it only makes the bound paths "
                                "read-only, which they are already.",
                                svc->protect_system);
        if (r >= 0 && svc->dynamic_user)
                r = add_warning(
                        p,
                        "DynamicUser=%s: systemd binds its state, cache and logs directories into the "
                        "root itself.",
                        "yes");
        return r;
}

int confine_note_privileged(const Closure *c, const ConfineSettings *s, MountPlan *p) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                if (!n->caps && !(n->mode & (S_ISUID | S_ISGID)))
                        continue;
                char *w;
                bool userns =
                        s->mode == CONFINE_FULL_APIVFS && !strv_contains(s->overrides, "PrivateUsers=no");
                if (asprintf(&w, "%s carries %s%s%s%s: %s NoNewPrivileges=yes makes the kernel ignore them.",
                             n->path, n->caps ? n->caps : "",
                             n->caps && (n->mode & (S_ISUID | S_ISGID)) ? " and " : "",
                             n->mode & S_ISUID ? "the setuid bit" : "",
                             !(n->mode & S_ISUID) && (n->mode & S_ISGID) ? "the setgid bit" : "",
                             userns ? "under PrivateUsers=yes they grant nothing outside the service's user "
                                      "namespace;"
                                    : "they still grant their privileges in the root;") < 0 ||
                    strv_push(&p->warnings, w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

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

bool confine_dropin_is_ours(const char *text) {
        return startswith(text, CONFINE_HEADER_MAGIC) != NULL;
}

const ConfineEscapeCap confine_escape_caps[] = {
        {21, "CAP_SYS_ADMIN",
         "mount a fresh procfs and read /proc/1/root, setns() into another mount namespace"},
        {2, "CAP_DAC_READ_SEARCH",
         "open_by_handle_at() on the file system of any bound file (the shocker escape)"},
        {19, "CAP_SYS_PTRACE", "/proc/PID/root and /proc/PID/cwd of a process outside, or ptrace it"},
        {16, "CAP_SYS_MODULE", "load a kernel module"},
        {17, "CAP_SYS_RAWIO", "raw I/O on devices and memory"},
        {27, "CAP_MKNOD", "mknod the host's disk and read it raw"},
        {22, "CAP_SYS_BOOT", "kexec another kernel"},
        {39, "CAP_BPF", "BPF programs that read kernel memory"},
        {38, "CAP_PERFMON", "perf events that read other processes"},
        {18, "CAP_SYS_CHROOT",
         "chroot() out of a directory (held here only because the root is its mount namespace's "
         "own root, which tests/escape.sh checks)"},
        {},
};

static int note(MountPlan *p, const char *fmt, ...) _printf_(2, 3);
static int note(MountPlan *p, const char *fmt, ...) {
        va_list ap;
        char *w;
        va_start(ap, fmt);
        int r = vasprintf(&w, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : strv_push(&p->warnings, w);
}

static bool override_sets(const ConfineSettings *s, const char *key, const char **ret_value) {
        bool found = false;
        for (char **o = s->overrides; o && *o; o++) {
                const char *v = startswith(*o, key);
                if (v && *v == '=') {
                        found = true;
                        *ret_value = v + 1;
                }
        }
        return found;
}

int confine_harden(const Service *svc, const ConfineSettings *s, uint64_t file_caps, const char *chroot_by,
                   MountPlan *p) {
        bool root_user =
                !svc->dynamic_user && (!svc->user || streq(svc->user, "root") || streq(svc->user, "0"));
        const char *v = NULL;
        bool userns = s->mode == CONFINE_FULL_APIVFS;
        if (override_sets(s, "PrivateUsers", &v))
                userns = userns && !streq(v, "no") && !streq(v, "false") && !streq(v, "0");
        p->host_root = root_user && !userns;
        if (!root_user) {
                return note(p,
                            "It runs as %s, not root%s: the root holds against it (files of the closure with "
                            "set-id "
                            "bits or capabilities are noted above).",
                            svc->dynamic_user ? "a dynamic user" : svc->user,
                            userns ? ", in a user namespace of its own" : "");
        }
        if (!p->host_root) {
                return note(p, "It runs as root in a user namespace of its own (PrivateUsers=yes): root "
                               "there has no "
                               "power over the host's files, and the root holds against it.");
        }
        /* root in the host's user namespace: what it needs, never what leaves the root */
        uint64_t forbidden = 0;
        for (const ConfineEscapeCap *e = confine_escape_caps; e->name; e++)
                forbidden |= UINT64_C(1) << e->cap;
        uint64_t keep_chroot = chroot_by ? UINT64_C(1) << 18 : 0;
        uint64_t own = svc->capability_bounding_set ? svc->capability_bounding_set : UINT64_MAX;
        p->bounding = (CONFINE_ROOT_CAPS | svc->ambient_capabilities | file_caps | keep_chroot) &
                      ~(forbidden & ~keep_chroot) & own;
        int r = 0;
        if (chroot_by && !s->capabilities)
                r = note(p,
                         "%s calls chroot(2) (privilege separation): CAP_SYS_CHROOT is kept. "
                         "The chroot walk out of this root is blocked because the root is "
                         "the mount namespace's own root.",
                         chroot_by);
        /* what the operator gives back, in words */
        uint64_t given = 0;
        if (s->capabilities)
                for (char **c = s->capabilities; *c; c++) {
                        unsigned cap;
                        if (caps_from_name(*c, &cap) >= 0 && cap < 64)
                                given |= UINT64_C(1) << cap;
                }
        if (override_sets(s, "CapabilityBoundingSet", &v)) {
                uint64_t m = 0;
                _cleanup_free_ char *bad = NULL;
                given |= !*v                                               ? forbidden
                         : caps_parse_list(v + (*v == '~'), &m, &bad) >= 0 ? (*v == '~' ? ~m : m)
                                                                           : 0;
        }
        if (override_sets(s, "AmbientCapabilities", &v)) {
                uint64_t m = 0;
                _cleanup_free_ char *bad = NULL;
                if (caps_parse_list(v, &m, &bad) >= 0)
                        given |= m;
        }
        bool holds = true;
        for (const ConfineEscapeCap *e = confine_escape_caps; e->name && r >= 0; e++)
                if ((given & (UINT64_C(1) << e->cap)) && !(e->cap == 18 && chroot_by)) {
                        holds = false;
                        r = note(p,
                                 "A root process can leave this root with %s: %s. Remove it "
                                 "from --capabilities/--set unless the service cannot run "
                                 "without it.",
                                 e->name, e->way);
                }
        if (r >= 0 && override_sets(s, "SystemCallFilter", &v) && !*v) {
                holds = false;
                r = note(p, "A root process can leave this root when --set SystemCallFilter= "
                            "resets the filter: mount, open_by_handle_at and setns are allowed "
                            "again.");
        }
        if (r >= 0)
                r = note(
                        p, "It runs as root in the host's user namespace (%s): %s%s",
                        s->mode == CONFINE_CHROOT_ONLY ? "chroot-only" : "PrivateUsers=no",
                        holds ? "the root holds against it through a capability bounding set without "
                                "CAP_SYS_ADMIN, "
                                "CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_MKNOD and the rest that leave a "
                                "root, and a "
                                "system call filter (mount, open_by_handle_at, setns, ptrace, kexec, modules)"
                              : "the root does NOT hold against it (see above).",
                        !holds                           ? ""
                        : s->mode == CONFINE_FULL_APIVFS ? ", and ProtectProc=invisible."
                                                         : ".");
        return r;
}

int confine_suggest_user(const Service *svc, const char *user, const char *where, uint64_t bounding,
                         MountPlan *p) {
        if (!user || !p->host_root)
                return 0;
        /* what a daemon that no longer starts as root still needs: low ports, and its own capabilities */
        uint64_t need = (UINT64_C(1) << 10) | svc->ambient_capabilities;
        _cleanup_free_ char *names = NULL;
        int r = caps_mask_to_names(need & (bounding ? bounding : UINT64_MAX), &names);
        if (r < 0)
                return r;
        return note(p,
                    "Suggestion: its configuration names the user %s (%s). Started as that user "
                    "(--set User=%s --set AmbientCapabilities=%s), it could keep PrivateUsers=yes, the user "
                    "namespace that holds root in; check that it needs no root to start (PID files, ports, "
                    "its own privilege drop).",
                    user, where, user, names);
}

static const char *const mode_flags[] = {
        "MountAPIVFS",          "PrivateDevices",        "PrivateTmp", "PrivateUsers", "ProtectControlGroups",
        "ProtectKernelModules", "ProtectKernelTunables",
};

int confine_render_dropin(const ConfineSettings *s, const MountPlan *p, const char *version, char **ret,
                          char **reterr) {
        _cleanup_free_ char *settings = NULL;
        char *buf = NULL;
        size_t size = 0;
        int r = confine_settings_to_json_string(s, &settings);
        if (r < 0)
                return r;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        fputs(CONFINE_HEADER_MAGIC, f);
        fprintf(f, " %s. Do not edit: 'sdconfine apply' rewrites it, 'sdconfine revert' removes it.\n",
                version);
        fprintf(f, "# sdconfine-settings: %s\n", settings);
        fprintf(f, "# %zu bind mount%s", p->n_binds, p->n_binds == 1 ? "" : "s");
        if (p->coalesced_dirs)
                fprintf(f, " (%zu director%s bound whole, exposing %zu more file%s)", p->coalesced_dirs,
                        p->coalesced_dirs == 1 ? "y" : "ies", p->exposed_files,
                        p->exposed_files == 1 ? "" : "s");
        fputs("\n[Service]\n", f);
        /* A per-instance root below /run: template instances side by side, nothing needed on disk, gone when
         * the service stops. Its skeleton: a private writable /run (also /var/run, and /var/lock as
         * /run/lock) that systemd can read PID files from on the host. systemd 252 does not apply
         * TemporaryFileSystem=/ relative to RootDirectory= (the mount points land in the directory itself),
         * so the root is a runtime directory, and $RUNTIME_DIRECTORY is set back to the unit's own. */
        const char *pr = p->private_root ? "private/" : "";
        /* run/systemd/system: sd_booted() looks for it (rsyslog makes /dev/log itself when it is missing) */
        fprintf(f,
                "RuntimeDirectory=confinement/%%n confinement/%%n/run confinement/%%n/run/lock "
                "confinement/%%n/run/systemd/system\n"
                "RootDirectory=/run/%sconfinement/%%n\n"
                "ReadOnlyPaths=+/\n"
                "InaccessiblePaths=-+/run/confinement/%%n\n"
                "PrivateMounts=yes\n"
                "BindPaths=/run/%sconfinement/%%n/run:/run\n"
                "BindPaths=/run/%sconfinement/%%n/run:/var/run\n"
                "BindPaths=/run/%sconfinement/%%n/run/lock:/var/lock\n"
                /* syslog(3) and the journal: /dev/log links to the first */
                "BindPaths=-/run/systemd/journal/dev-log\n"
                "BindPaths=-/run/systemd/journal/socket\n"
                /* where journald forwards to a syslog daemon: rsyslog listens there when it exists */
                "BindPaths=-/run/systemd/journal/syslog\n",
                pr, pr, pr, pr);
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
        if (p->host_root) {
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
        }
        for (char **o = s->overrides; o && *o; o++)
                fprintf(f, "%s\n", *o);
        if (p->pid_file) {
                _cleanup_free_ char *rest = NULL;
                if (confine_escape_path(p->pid_file, &rest) < 0)
                        r = -EINVAL;
                else
                        fprintf(f, "PIDFile=/run/%sconfinement/%%n/run/%s\n", pr, rest);
        }
        for (size_t i = 0; i < p->n_binds && r >= 0; i++) {
                const Bind *b = p->binds + i;
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (confine_escape_path(b->source, &src) < 0 || confine_escape_path(b->dest, &dst) < 0) {
                        if (reterr)
                                (void)asprintf(reterr,
                                               "the path '%s' holds a newline or another control character, "
                                               "which a unit file cannot express. Rename it or leave it out.",
                                               confine_escape_path(b->source, &src) < 0 ? b->source
                                                                                        : b->dest);
                        r = -EINVAL;
                        break;
                }
                /* why a place is writable, and what only learning saw, for the operator who reads the drop-in
                 */
                if (b->why && strchr(b->why, ' ') && (b->writable || startswith(b->why, "learned: ")))
                        fprintf(f, "# %s: %s\n", b->dest, b->why);
                fprintf(f, "%s=%s%s%s%s\n", b->writable ? "BindPaths" : "BindReadOnlyPaths",
                        b->ignore_missing ? "-" : "", src, streq(b->source, b->dest) ? "" : ":",
                        streq(b->source, b->dest) ? "" : dst);
        }
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        return 0;
}

int confine_dropin_parse(const char *text, ConfineSettings *ret, char **reterr) {
        if (!confine_dropin_is_ours(text)) {
                if (reterr)
                        (void)asprintf(reterr, "the drop-in was not written by sdconfine (no '%s' header)",
                                       CONFINE_HEADER_MAGIC);
                return -EBADMSG;
        }
        const char *line = strstr(text, "\n# sdconfine-settings: ");
        if (!line) {
                if (reterr)
                        (void)asprintf(reterr, "the drop-in has no sdconfine-settings line");
                return -EBADMSG;
        }
        line += strlen("\n# sdconfine-settings: ");
        _cleanup_free_ char *json = strndup(line, strcspn(line, "\n"));
        if (!json)
                return -ENOMEM;
        return confine_settings_from_json_string(json, ret, reterr);
}
