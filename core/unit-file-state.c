/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "hashmap.h"
#include "macro.h"
#include "unit-file-state.h"
#include "unit-syntax.h"

struct UnitFileStates {
        FsRoot *root;
        char *const *search_path;
        Hashmap *wanted; /* unit name -> "enabled" or "enabled-runtime" */
        Arena *arena;
};

static bool is_runtime_dir(const char *dir) {
        return startswith(dir, "/run/");
}

/* Every NAME in the .wants/, .requires/ and .upholds/ directories of dir: pulled in, so enabled. */
static int scan_dir(UnitFileStates *s, const char *dir) {
        _cleanup_(closedirp) DIR *d = fs_root_opendir(s->root, dir);
        if (!d)
                return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
        for (struct dirent *e; (e = readdir(d));) {
                if (!endswith(e->d_name, ".wants") && !endswith(e->d_name, ".requires") &&
                    !endswith(e->d_name, ".upholds"))
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
                        return -ENOMEM;
                _cleanup_(closedirp) DIR *w = fs_root_opendir(s->root, sub);
                for (struct dirent *u; w && (u = readdir(w));) {
                        if (u->d_name[0] == '.' || hashmap_get(s->wanted, u->d_name))
                                continue;
                        const char *state = is_runtime_dir(dir) ? "enabled-runtime" : "enabled";
                        char *key = arena_strdup(s->arena, u->d_name);
                        if (!key || hashmap_put(s->wanted, key, (void *)state, NULL) < 0)
                                return -ENOMEM;
                        /* an enabled instance (getty@tty1.service) enables its template (getty@.service) */
                        const char *at = strchr(u->d_name, '@'), *dot = strrchr(u->d_name, '.');
                        if (at && dot && dot > at + 1) {
                                char *t = arena_alloc(s->arena, strlen(u->d_name) + 1);
                                if (!t)
                                        return -ENOMEM;
                                sprintf(t, "%.*s%s", (int)(at - u->d_name + 1), u->d_name, dot);
                                if (!hashmap_get(s->wanted, t) &&
                                    hashmap_put(s->wanted, t, (void *)state, NULL) < 0)
                                        return -ENOMEM;
                        }
                }
        }
        return 0;
}

int unit_file_states_new(FsRoot *root, char *const *search_path, UnitFileStates **ret) {
        UnitFileStates *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        *s = (UnitFileStates){.root = root, .search_path = search_path};
        s->wanted = hashmap_new();
        s->arena = arena_new();
        int r = s->wanted && s->arena ? 0 : -ENOMEM;
        /* what the administrator enabled: links in the configuration directories, not the vendor's own
         * .wants/ below /lib or /usr (those units are static, as systemctl says) */
        for (char *const *d = search_path; r >= 0 && d && *d; d++)
                if ((startswith(*d, "/etc/") || is_runtime_dir(*d)) && !strstr(*d, "/generator"))
                        r = scan_dir(s, *d);
        if (r < 0) {
                unit_file_states_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

UnitFileStates *unit_file_states_free(UnitFileStates *s) {
        if (!s)
                return NULL;
        hashmap_free(s->wanted);
        arena_free(s->arena);
        free(s);
        return NULL;
}

typedef struct Install {
        bool enableable, also;
} Install;

static int install_key(void *userdata, const char *section, const char *key, const char *value,
                       unsigned line) {
        Install *i = userdata;
        if (!streq(section, "Install") || !*value)
                return 0;
        if (streq(key, "WantedBy") || streq(key, "RequiredBy") || streq(key, "Alias") ||
            streq(key, "UpheldBy"))
                i->enableable = true;
        else if (streq(key, "Also"))
                i->also = true;
        return 0;
}

/* What the [Install] section says when nothing enables the unit: disabled when it can be enabled,
 * indirect when it names only Also=, static without one. Read with the unit parser, as systemd reads it. */
static const char *install_state(UnitFileStates *s, const char *fragment_path) {
        _cleanup_free_ char *text = NULL;
        Install i = {};
        if (fs_root_read_file(s->root, fragment_path, 1 << 20, &text, NULL) < 0 ||
            unit_syntax_parse(text, install_key, &i) < 0)
                return "bad";
        return i.enableable ? "disabled" : i.also ? "indirect" : "static";
}

const char *unit_file_states_get(UnitFileStates *s, const char *name, const char *fragment_path) {
        /* the first directory of the search path that has the name decides, as the manager loads it */
        for (char *const *d = s->search_path; d && *d; d++) {
                _cleanup_free_ char *p = NULL, *target = NULL;
                if (asprintf(&p, "%s/%s", *d, name) < 0)
                        return "bad";
                if (fs_root_readlink(s->root, p, &target) < 0)
                        continue;
                if (streq(target, "/dev/null"))
                        return is_runtime_dir(*d) ? "masked-runtime" : "masked";
                /* a link to a unit of another name: this name is its alias */
                const char *base = strrchr(target, '/');
                if (!streq(base ? base + 1 : target, name))
                        return "alias";
                break;
        }
        if (fragment_path && (startswith(fragment_path, "/run/systemd/generator") ||
                              startswith(fragment_path, "/run/systemd/transient")))
                return startswith(fragment_path, "/run/systemd/transient") ? "transient" : "generated";
        const char *wanted = hashmap_get(s->wanted, name);
        if (wanted)
                return wanted;
        return fragment_path ? install_state(s, fragment_path) : "bad";
}
