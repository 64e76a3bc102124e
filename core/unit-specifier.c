/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "fileio.h"
#include "macro.h"
#include "unit-name.h"
#include "unit-specifier.h"

typedef struct Specifiers {
        const UnitHost *host;
        const char *name;
        char *prefix, *instance, *without, *prefix_u, *instance_u;
        char uid[16], gid[16];
} Specifiers;

static void specifiers_done(Specifiers *s) {
        free(s->prefix);
        free(s->instance);
        free(s->without);
        free(s->prefix_u);
        free(s->instance_u);
}

static int specifiers_init(Specifiers *s, const UnitHost *host, const char *name) {
        *s = (Specifiers){.host = host, .name = name};
        bool instanced = unit_name_is_valid(name, UNIT_NAME_INSTANCE | UNIT_NAME_TEMPLATE);
        if ((instanced ? unit_name_prefix(name, &s->prefix) : unit_name_without_suffix(name, &s->prefix)) <
                    0 ||
            unit_name_instance(name, &s->instance) < 0 || unit_name_without_suffix(name, &s->without) < 0 ||
            unit_name_unescape(s->prefix, &s->prefix_u) < 0 ||
            unit_name_unescape(s->instance, &s->instance_u) < 0) {
                specifiers_done(s);
                return -ENOMEM;
        }
        snprintf(s->uid, sizeof s->uid, "%u", host->uid);
        snprintf(s->gid, sizeof s->gid, "%u", host->gid);
        return 0;
}

/* the fixed directories of the system manager */
static const char *spec_fixed(char c) {
        static const struct {
                char c;
                const char *v;
        } table[] = {
                {'%', "%"},        {'t', "/run"}, {'S', "/var/lib"}, {'C', "/var/cache"},
                {'L', "/var/log"}, {'E', "/etc"}, {'T', "/tmp"},     {'V', "/var/tmp"},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (table[i].c == c)
                        return table[i].v;
        return NULL;
}

/* the parts of the unit's name */
static const char *spec_unit(const Specifiers *s, char c, char *tmp, size_t size) {
        switch (c) {
        case 'n':
                return s->name;
        case 'N':
                return s->without;
        case 'p':
                return s->prefix;
        case 'P':
                return s->prefix_u;
        case 'i':
                return s->instance;
        case 'I':
                return s->instance_u;
        case 'j':
        case 'J': {
                const char *src = c == 'j' ? s->prefix : s->prefix_u;
                /* the last component of the prefix after a dash */
                const char *dash = c == 'j' ? strrchr(src, '-') : strrchr(src, '/');
                return dash ? dash + 1 : src;
        }
        case 'f':
                snprintf(tmp, size, "%s%s", s->instance_u[0] == '/' ? "" : "/",
                         s->instance[0] ? s->instance_u : s->prefix_u);
                return tmp;
        case 'd':
                snprintf(tmp, size, "/run/credentials/%s", s->name);
                return tmp;
        }
        return NULL;
}

/* what the host and the manager's user supply */
static const char *spec_host(const Specifiers *s, char c, char *tmp, size_t size) {
        const UnitHost *h = s->host;
        switch (c) {
        case 'h':
                return h->user_home;
        case 's':
                return h->user_shell;
        case 'u':
        case 'g':
                return h->user_name;
        case 'U':
                return s->uid;
        case 'G':
                return s->gid;
        case 'H':
                return h->hostname;
        case 'l':
                snprintf(tmp, size, "%.*s", (int)strcspn(h->hostname, "."), h->hostname);
                return tmp;
        case 'm':
                return h->machine_id;
        case 'b':
                return h->boot_id;
        case 'v':
                return h->kernel_release;
        case 'a':
                return h->architecture;
        case 'o':
                return h->os_id;
        }
        return NULL;
}

int unit_specifier_expand(const UnitHost *host, const char *unit, const char *in, char **ret) {
        Specifiers s;
        size_t cap = 0, len = 0;
        char *out = NULL;
        int r = specifiers_init(&s, host, unit);
        if (r < 0)
                return r;
        for (const char *p = in; *p && r >= 0; p++) {
                char tmp[512];
                const char *v = tmp;
                size_t n = 1;
                if (*p == '%') {
                        p++;
                        v = spec_fixed(*p);
                        if (!v && *p)
                                v = spec_unit(&s, *p, tmp, sizeof tmp);
                        if (!v && *p)
                                v = spec_host(&s, *p, tmp, sizeof tmp);
                        if (!v) {
                                r = -EBADSLT; /* an unknown specifier: systemd ignores the line */
                                break;
                        }
                        n = strlen(v);
                } else
                        tmp[0] = *p;
                r = buf_append(&out, &len, &cap, v, n);
        }
        if (r >= 0 && !out)
                r = buf_append(&out, &len, &cap, "", 0);
        specifiers_done(&s);
        if (r < 0) {
                free(out);
                return r == -EBADSLT ? r : -ENOMEM;
        }
        out[len] = 0;
        *ret = out;
        return 0;
}
