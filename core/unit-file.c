/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "unit-file.h"
#include "unit-loader.h"
#include "unit-name.h"

#define UNIT_FILE_MAX (16u * 1024 * 1024) /* an "enormous" unit file is refused, not read */

static int set_string(char **field, const char *value) {
        char *v = NULL;
        if (value && *value && !(v = strdup(value)))
                return -ENOMEM;
        free(*field);
        *field = v;
        return 0;
}

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
                        r = set_string(&s->user, du);
                if (!s->group && s->user && r >= 0)
                        r = set_string(&s->group, s->user);
                s->private_tmp = true;
                if (r >= 0)
                        r = set_string(&s->protect_system, "strict");
        }
        /* exec directories sorted, parents first (exec_directory_sort()) */
        char **dirs_lists[] = {s->state_directory, s->cache_directory, s->logs_directory,
                               s->runtime_directory, s->configuration_directory};
        for (size_t k = 0; k < ELEMENTSOF(dirs_lists); k++)
                if (dirs_lists[k])
                        qsort(dirs_lists[k], strv_length(dirs_lists[k]), sizeof(char *), cmp_path);
        return r;
}

/* service_verify() and the implied type */
static int verify(Loader *l) {
        Service *s = l->s;
        int r = 0;
        if (!l->type_set)
                r = set_string(&s->type, l->bus_name ? "dbus" : s->exec[EXEC_START].n ? "simple" : "oneshot");
        if (r >= 0 && ((!s->exec[EXEC_START].n && !s->exec[EXEC_STOP].n && !l->success_action) ||
                       (!streq(s->type, "oneshot") && !s->exec[EXEC_START].n) ||
                       (!l->remain_after_exit && s->exec[EXEC_START].n > 1 && !streq(s->type, "oneshot"))))
                r = set_string(&s->load_state, "bad-setting");
        return r;
}

/* The fragment, then the drop-ins, in order. */
static int load_files(Loader *l, const UnitFragment *frag) {
        Service *s = l->s;
        int r = set_string(&s->fragment_path, frag->path);
        if (r >= 0)
                r = set_string(&s->load_state, frag->masked ? "masked" : "loaded");
        if (r >= 0 && !frag->masked)
                r = parse_file(l, frag->file);
        /* systemd finds the drop-ins of a masked unit too, and reads none */
        if (r >= 0)
                r = unit_index_dropins(l->idx, s->names, &s->dropin_paths);
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
                r = set_string(&s->description, s->id);
        /* a unit that did not load has no service settings at all, not defaults */
        if (r >= 0 && !s->protect_system && loaded)
                r = set_string(&s->protect_system, "no");
        if (r >= 0 && !s->runtime_directory_preserve && loaded)
                r = set_string(&s->runtime_directory_preserve, "no");
        if (r >= 0 && !s->active_state)
                r = set_string(&s->active_state, "inactive");
        if (r >= 0 && !s->sub_state)
                r = set_string(&s->sub_state, "dead");
        return r;
}

int unit_index_load(UnitIndex *idx, const char *name, Service **ret) {
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
                r = r == -ENOENT ? set_string(&s->load_state, "not-found")
                    : r >= 0     ? load_files(&l, &frag)
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
