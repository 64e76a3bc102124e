/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "dropin-write.h"
#include "macro.h"
#include "unit-file.h"
#include "unit-loader.h"
#include "unit-name.h"

#define UNIT_FILE_MAX (16u * 1024 * 1024) /* an "enormous" unit file is refused, not read */

static int on_assign(void *userdata, const char *section, const char *key, const char *value, unsigned line) {
        Loader *l = userdata;
        l->line = line;
        return unit_fields_assign(l, section, key, value);
}

/* One file. Bad lines are skipped, as systemd logs and ignores them. */
static int parse_file(Loader *l, const char *path) {
        _cleanup_free_ char *text = NULL;
        int r = fs_root_read_file(unit_index_root(l->idx), path, UNIT_FILE_MAX, &text, NULL);
        if (r == -EBADFD) /* a link to /dev/null: masked, nothing to read */
                return 0;
        if (r < 0)
                return r;
        l->file = path;
        return unit_syntax_parse(text, on_assign, l);
}

/* systemd's path_compare(): component by component */
static int cmp_path(const void *pa, const void *pb) {
        const char *a = *(char *const *)pa, *b = *(char *const *)pb;
        for (;;) {
                a += strspn(a, "/");
                b += strspn(b, "/");
                if (!*a || !*b)
                        return (*a != 0) - (*b != 0);
                size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
                int c = strncmp(a, b, na < nb ? na : nb);
                if (c != 0)
                        return c;
                if (na != nb)
                        return na < nb ? -1 : 1;
                a += na;
                b += nb;
        }
}

/* Sort l by cmp_path(), and the sources of its items (key) with it. */
static int sort_paths(Service *s, const char *key, char **l) {
        size_t n = strv_length(l);
        if (n < 2)
                return 0;
        _cleanup_free_ size_t *order = malloc((n + 1) * sizeof(size_t));
        _cleanup_free_ char **copy = malloc((n + 1) * sizeof(char *));
        if (!order || !copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) { /* insertion sort of the indices: the lists are short */
                size_t j = i;
                for (; j > 0 && cmp_path(&l[order[j - 1]], &l[i]) > 0; j--)
                        order[j] = order[j - 1];
                order[j] = i;
        }
        memcpy(copy, l, n * sizeof(char *));
        for (size_t k = 0; k < n; k++)
                l[k] = copy[order[k]];
        for (size_t i = 0; i < s->n_item_sources; i++)
                if (streq(s->item_sources[i].key, key))
                        for (size_t k = 0; k < n; k++)
                                if (order[k] == s->item_sources[i].index) {
                                        s->item_sources[i].index = k;
                                        break;
                                }
        return 0;
}

/* systemd's user_from_unit_name(): the unit's prefix, when it is a valid user name */
static int dynamic_user_name(const char *id, char **ret) {
        _cleanup_free_ char *prefix = NULL;
        if (unit_name_prefix(id, &prefix) < 0)
                return -ENOMEM;
        bool ok = prefix[0] && strlen(prefix) <= 31 && !(prefix[0] >= '0' && prefix[0] <= '9') &&
                  prefix[0] != '-';
        for (const char *c = prefix; ok && *c; c++)
                ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                     *c == '_' || *c == '-';
        if (!ok)
                return -EINVAL;
        *ret = TAKE_PTR(prefix);
        return 0;
}

/* What systemd's unit_patch_contexts() derives from other settings. */
static int patch_contexts(Loader *l) {
        Service *s = l->s;
        int r = 0;
        if (l->private_devices)
                s->capability_bounding_set &= ~(UINT64_C(1) << 27 | UINT64_C(1) << 17); /* MKNOD, SYS_RAWIO */
        if (l->protect_kernel_modules)
                s->capability_bounding_set &= ~(UINT64_C(1) << 16); /* SYS_MODULE */
        if (l->protect_kernel_logs)
                s->capability_bounding_set &= ~(UINT64_C(1) << 34); /* SYSLOG */
        if (l->protect_clock)
                s->capability_bounding_set &=
                        ~(UINT64_C(1) << 25 | UINT64_C(1) << 35); /* SYS_TIME, WAKE_ALARM */
        if (s->dynamic_user) {
                _cleanup_free_ char *du = NULL;
                if (!s->user && dynamic_user_name(s->id, &du) >= 0)
                        r = unit_set_string(&s->user, du);
                if (!s->group && s->user && r >= 0)
                        r = unit_set_string(&s->group, s->user);
                s->private_tmp = true;
                if (r >= 0)
                        r = unit_set_string(&s->protect_system, "strict");
        }
        /* exec directories sorted, parents first (exec_directory_sort()) */
        char **dirs_lists[] = {s->state_directory, s->cache_directory, s->logs_directory,
                               s->runtime_directory, s->configuration_directory};
        static const char *const keys[] = {"StateDirectory", "CacheDirectory", "LogsDirectory",
                                           "RuntimeDirectory", "ConfigurationDirectory"};
        for (size_t k = 0; k < ELEMENTSOF(dirs_lists) && r >= 0; k++)
                r = sort_paths(s, keys[k], dirs_lists[k]);
        return r;
}

/* service_verify() and the implied type */
static int verify(Loader *l) {
        Service *s = l->s;
        int r = 0;
        if (!l->type_set)
                r = unit_set_string(&s->type, l->bus_name             ? "dbus"
                                              : s->exec[EXEC_START].n ? "simple"
                                                                      : "oneshot");
        if (r >= 0 && ((!s->exec[EXEC_START].n && !s->exec[EXEC_STOP].n && !l->success_action) ||
                       (!streq(s->type, "oneshot") && !s->exec[EXEC_START].n) ||
                       (!l->remain_after_exit && s->exec[EXEC_START].n > 1 && !streq(s->type, "oneshot"))))
                r = unit_set_string(&s->load_state, "bad-setting");
        return r;
}

/* Drop our own drop-ins from the list */
static void drop_confinement(char **l) {
        size_t k = 0;
        for (size_t i = 0; l && l[i]; i++) {
                const char *base = strrchr(l[i], '/');
                if (base && streq(base + 1, DROPIN_NAME))
                        free(l[i]);
                else
                        l[k++] = l[i];
        }
        if (l)
                l[k] = NULL;
}

/* The fragment, then the drop-ins, in order. */
static int load_files(Loader *l, const UnitFragment *frag, UnitLoadFlags flags) {
        Service *s = l->s;
        int r = unit_set_string(&s->fragment_path, frag->path);
        if (r >= 0)
                r = unit_set_string(&s->load_state, frag->masked ? "masked" : "loaded");
        if (r >= 0 && !frag->masked)
                r = parse_file(l, frag->file);
        /* systemd finds the drop-ins of a masked unit too, and reads none */
        if (r >= 0)
                r = unit_index_dropins(l->idx, s->names, &s->dropin_paths);
        if (r >= 0 && (flags & UNIT_LOAD_WITHOUT_CONFINEMENT))
                drop_confinement(s->dropin_paths);
        if (r < 0 || frag->masked)
                return r;
        for (char **f = s->dropin_paths; f && *f && r >= 0; f++)
                r = parse_file(l, *f);
        if (r >= 0)
                r = patch_contexts(l);
        if (r >= 0)
                r = verify(l);
        return r;
}

/* What a unit that was found but set nothing has, and what the manager shows for one it did not load. */
static int set_defaults(Service *s) {
        int r = 0;
        bool loaded = streq(s->load_state, "loaded") || streq(s->load_state, "bad-setting");
        if (!s->description)
                r = unit_set_string(&s->description, s->id);
        /* a unit that did not load has no service settings at all, not defaults */
        if (r >= 0 && !s->protect_system && loaded)
                r = unit_set_string(&s->protect_system, "no");
        if (r >= 0 && !s->runtime_directory_preserve && loaded)
                r = unit_set_string(&s->runtime_directory_preserve, "no");
        if (r >= 0 && !s->active_state)
                r = unit_set_string(&s->active_state, "inactive");
        if (r >= 0 && !s->sub_state)
                r = unit_set_string(&s->sub_state, "dead");
        return r;
}

int unit_index_load_flags(UnitIndex *idx, const char *name, UnitLoadFlags flags, Service **ret) {
        _cleanup_free_ char *id = NULL;
        _cleanup_(strv_freep) char **aliases = NULL;
        UnitFragment frag;
        int r = unit_index_resolve(idx, name, &id);
        if (r < 0)
                return r;
        Service *s = service_new(id);
        if (!s)
                return -ENOMEM;
        Loader l = {.idx = idx, .s = s, .name = s->id};
        /* the unit's names: its id, then the names that link to it */
        r = strv_extend(&s->names, id);
        if (r >= 0)
                r = unit_index_aliases(idx, id, &aliases);
        for (char **a = aliases; r >= 0 && a && *a; a++)
                r = strv_extend(&s->names, *a);
        if (r >= 0) {
                r = unit_index_fragment(idx, name, &frag);
                r = r == -ENOENT ? unit_set_string(&s->load_state, "not-found")
                    : r >= 0     ? load_files(&l, &frag, flags)
                                 : r;
        }
        if (r >= 0)
                r = set_defaults(s);
        if (r < 0) {
                service_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int unit_index_load(UnitIndex *idx, const char *name, Service **ret) {
        return unit_index_load_flags(idx, name, 0, ret);
}
