/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <jansson.h>

#include "caps.h"
#include "confine-settings.h"
#include "macro.h"
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

bool confine_dropin_is_ours(const char *text) {
        return startswith(text, CONFINE_HEADER_MAGIC) != NULL;
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
