/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sys/utsname.h>

#include "hashmap.h"
#include "macro.h"
#include "strv.h"
#include "unit-index.h"
#include "unit-name.h"

typedef struct Entry {
        const char *name;
        const char *path;     /* dir/name, the first in search-path order */
        bool masked;          /* a link to /dev/null, or an empty file */
        const char *target;   /* the unit it is an alias of, or NULL */
        const char *fragment; /* the file behind it (links followed) */
        bool linked;          /* a link to a file of the same name elsewhere */
} Entry;

struct UnitIndex {
        FsRoot *root;
        char **dirs;
        Arena *arena;
        Hashmap *entries; /* name -> Entry */
        UnitHost host;
        char hostname[256], machine_id[64], boot_id[64], kernel[256], arch[32], os_id[64];
};

/* systemd 252's lookup_paths_init() for each scope */
static int search_path(UnitScope scope, const char *home, const char *rt, char ***ret) {
        char **l = NULL;
        int r = 0;
        if (scope == UNIT_SCOPE_SYSTEM) {
                static const char *const dirs[] = {
                        "/etc/systemd/system.control", "/run/systemd/system.control",
                        "/run/systemd/transient",      "/run/systemd/generator.early",
                        "/etc/systemd/system",         "/etc/systemd/system.attached",
                        "/run/systemd/system",         "/run/systemd/system.attached",
                        "/run/systemd/generator",      "/usr/local/lib/systemd/system",
                        "/lib/systemd/system",         "/usr/lib/systemd/system",
                        "/run/systemd/generator.late",
                };
                for (size_t i = 0; i < ELEMENTSOF(dirs) && r >= 0; i++)
                        r = strv_extend(&l, dirs[i]);
        } else {
                char buf[4096];
#define ADD(fmt, base)                                                                                       \
        if (r >= 0 && (base)) {                                                                              \
                snprintf(buf, sizeof buf, fmt, base);                                                        \
                r = strv_extend(&l, buf);                                                                    \
        }
                ADD("%s/.config/systemd/user.control", home);
                ADD("%s/systemd/user.control", rt);
                ADD("%s/systemd/transient", rt);
                ADD("%s/systemd/generator.early", rt);
                ADD("%s/.config/systemd/user", home);
                ADD("%s", "/etc/systemd/user");
                ADD("%s/systemd/user", rt);
                ADD("%s", "/run/systemd/user");
                ADD("%s/systemd/generator", rt);
                ADD("%s/.local/share/systemd/user", home);
                ADD("%s", "/usr/local/share/systemd/user");
                ADD("%s", "/usr/share/systemd/user");
                ADD("%s", "/usr/local/lib/systemd/user");
                ADD("%s", "/usr/lib/systemd/user");
                ADD("%s/systemd/generator.late", rt);
#undef ADD
        }
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

UnitIndex *unit_index_free(UnitIndex *idx) {
        if (!idx)
                return NULL;
        strv_free(idx->dirs);
        hashmap_free(idx->entries);
        arena_free(idx->arena);
        free(idx);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(UnitIndex *, unit_index_free);

char *const *unit_index_search_path(const UnitIndex *idx) {
        return idx->dirs;
}

FsRoot *unit_index_root(const UnitIndex *idx) {
        return idx->root;
}

void unit_index_set_host(UnitIndex *idx, const UnitHost *host) {
        idx->host = *host;
}

const UnitHost *unit_index_host(const UnitIndex *idx) {
        return &idx->host;
}

static void read_line_file(FsRoot *root, const char *path, char *buf, size_t size) {
        char *s = NULL;
        if (fs_root_read_file(root, path, 4096, &s, NULL) >= 0) {
                s[strcspn(s, "\n")] = 0;
                snprintf(buf, size, "%s", s);
        }
        free(s);
}

static void read_boot_id(char *buf, size_t size) {
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
        if (!f)
                return;
        char b[64] = "";
        if (fgets(b, sizeof b, f)) {
                size_t k = 0;
                for (char *c = b; *c && k + 1 < size; c++)
                        if (*c != '-' && *c != '\n')
                                buf[k++] = *c;
                buf[k] = 0;
        }
        fclose(f);
}

static void read_os_id(FsRoot *root, char *buf, size_t size) {
        char *os = NULL;
        if (fs_root_read_file(root, "/etc/os-release", 65536, &os, NULL) < 0 &&
            fs_root_read_file(root, "/usr/lib/os-release", 65536, &os, NULL) < 0)
                return;
        for (char *line = os, *nl; line && *line; line = nl ? nl + 1 : NULL) {
                nl = strchr(line, '\n');
                if (nl)
                        *nl = 0;
                const char *v = startswith(line, "ID=");
                if (v) {
                        if (*v == '"')
                                v++;
                        snprintf(buf, size, "%.*s", (int)strcspn(v, "\""), v);
                }
        }
        free(os);
}

/* what %H, %m, %b, %v, %a, %o resolve to on this host (the image's files with --root) */
static void read_host(UnitIndex *idx) {
        struct utsname u;
        if (uname(&u) >= 0) {
                snprintf(idx->hostname, sizeof idx->hostname, "%s", u.nodename);
                snprintf(idx->kernel, sizeof idx->kernel, "%s", u.release);
        }
        read_line_file(idx->root, "/etc/hostname", idx->hostname, sizeof idx->hostname);
        read_line_file(idx->root, "/etc/machine-id", idx->machine_id, sizeof idx->machine_id);
        read_boot_id(idx->boot_id, sizeof idx->boot_id);
#if defined(__x86_64__)
        snprintf(idx->arch, sizeof idx->arch, "x86-64");
#elif defined(__aarch64__)
        snprintf(idx->arch, sizeof idx->arch, "arm64");
#else
        snprintf(idx->arch, sizeof idx->arch, "%s", u.machine);
#endif
        read_os_id(idx->root, idx->os_id, sizeof idx->os_id);
        idx->host = (UnitHost){
                .hostname = idx->hostname,
                .machine_id = idx->machine_id,
                .boot_id = idx->boot_id,
                .kernel_release = idx->kernel,
                .architecture = idx->arch,
                .os_id = idx->os_id,
                .user_name = "root",
                .user_home = "/root",
                .user_shell = "/bin/sh",
        };
}

/* What dir/name is: masked, an alias of another unit, a link to a file elsewhere. 0 when it is no unit (a
 * dangling link, a directory). */
static int add_entry(UnitIndex *idx, const char *dir, const char *name) {
        Entry *e = arena_alloc(idx->arena, sizeof(Entry));
        char *path;
        if (!e || asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        *e = (Entry){.name = arena_strdup(idx->arena, name), .path = arena_strdup(idx->arena, path)};
        free(path);
        if (!e->name || !e->path)
                return -ENOMEM;
        const char *real;
        struct stat st;
        _cleanup_free_ char *target = NULL;
        if (fs_root_readlink(idx->root, e->path, &target) >= 0 && streq(target, "/dev/null"))
                e->masked = true;
        else if (fs_root_chase(idx->root, e->path, &real, &st) < 0 || S_ISDIR(st.st_mode))
                return 0; /* a dangling link or a directory is no unit */
        else {
                e->masked = S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0);
                e->fragment = arena_strdup(idx->arena, real);
                if (!e->fragment)
                        return -ENOMEM;
                /* a link to a unit of another name is an alias of it */
                const char *base = strrchr(real, '/') + 1;
                if (target && !streq(base, name) && unit_name_is_valid(base, UNIT_NAME_ANY) &&
                    streq_ptr(unit_name_suffix(base), unit_name_suffix(name)) &&
                    !(e->target = arena_strdup(idx->arena, base)))
                        return -ENOMEM;
                e->linked = target && !e->target;
        }
        return hashmap_put(idx->entries, e->name, e, NULL) < 0 ? -ENOMEM : 1;
}

int unit_index_new(FsRoot *root, UnitScope scope, const char *home, const char *runtime_dir,
                   UnitIndex **ret) {
        _cleanup_(unit_index_freep) UnitIndex *idx = calloc(1, sizeof(UnitIndex));
        int r;
        if (!idx || !(idx->arena = arena_new()) || !(idx->entries = hashmap_new()))
                return -ENOMEM;
        idx->root = root;
        r = search_path(scope, home, runtime_dir, &idx->dirs);
        if (r < 0)
                return r;
        read_host(idx);

        /* every name in every directory: the first directory that has it wins */
        for (char **d = idx->dirs; *d; d++) {
                _cleanup_(closedirp) DIR *dir = fs_root_opendir(root, *d);
                if (!dir)
                        continue;
                struct dirent *de;
                while ((de = readdir(dir)))
                        if (unit_name_is_valid(de->d_name, UNIT_NAME_ANY) &&
                            !hashmap_get(idx->entries, de->d_name) && add_entry(idx, *d, de->d_name) < 0)
                                return -ENOMEM;
        }
        *ret = TAKE_PTR(idx);
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the entries keep() takes, sorted; an empty list rather than NULL. */
static int collect_names(const UnitIndex *idx, bool (*keep)(const Entry *e, const void *data),
                         const void *data, char ***ret) {
        char **l = NULL;
        size_t it = 0;
        void *v;
        while (hashmap_iterate(idx->entries, &it, NULL, &v))
                if (keep(v, data) && strv_extend(&l, ((const Entry *)v)->name) < 0) {
                        strv_free(l);
                        return -ENOMEM;
                }
        if (l)
                qsort(l, strv_length(l), sizeof(char *), cmp_str);
        else if (!(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = l;
        return 0;
}

typedef struct ListFilter {
        const char *suffix;
        bool aliases;
} ListFilter;

static bool keep_listed(const Entry *e, const void *data) {
        const ListFilter *f = data;
        return (!f->suffix || streq_ptr(unit_name_suffix(e->name), f->suffix)) && (f->aliases || !e->target);
}

static int list_names(const UnitIndex *idx, const char *suffix, bool aliases, char ***ret) {
        return collect_names(idx, keep_listed, &(ListFilter){suffix, aliases}, ret);
}

int unit_index_list(const UnitIndex *idx, const char *suffix, char ***ret) {
        return list_names(idx, suffix, true, ret);
}

int unit_index_list_units(const UnitIndex *idx, const char *suffix, char ***ret) {
        return list_names(idx, suffix, false, ret);
}

/* Follow aliases to the unit's own name; an instance without a file of its own comes from its template,
 * and an aliased template ("autovt@.service" -> "getty@.service") makes the instance one of the target
 * template. *ret_frag: the entry whose file defines the unit, NULL when none does. */
static int resolve(const UnitIndex *idx, const char *name, char **ret_id, const Entry **ret_frag) {
        if (!unit_name_is_valid(name, UNIT_NAME_ANY))
                return -EINVAL;
        _cleanup_free_ char *id = strdup(name);
        if (!id)
                return -ENOMEM;
        const Entry *e = hashmap_get(idx->entries, name);
        for (unsigned hops = 0; e && e->target && hops < 32; hops++) {
                free(id);
                if (!(id = strdup(e->target)))
                        return -ENOMEM;
                const Entry *next = hashmap_get(idx->entries, id);
                if (!next)
                        break;
                e = next;
        }
        const Entry *frag = e;
        for (unsigned hops = 0; !frag && unit_name_is_valid(id, UNIT_NAME_INSTANCE) && hops < 32; hops++) {
                _cleanup_free_ char *template = NULL, *inst = NULL;
                if (unit_name_template(id, &template) < 0 || unit_name_instance(id, &inst) < 0)
                        return -ENOMEM;
                const Entry *t = hashmap_get(idx->entries, template);
                if (!t || !t->target || !unit_name_is_valid(t->target, UNIT_NAME_TEMPLATE)) {
                        frag = t;
                        break;
                }
                const char *at = strchr(t->target, '@');
                char *next;
                if (asprintf(&next, "%.*s@%s%s", (int)(at - t->target), t->target, inst, at + 1) < 0)
                        return -ENOMEM;
                free(id);
                id = next;
                frag = hashmap_get(idx->entries, id);
        }
        *ret_id = TAKE_PTR(id);
        *ret_frag = frag;
        return 0;
}

int unit_index_resolve(const UnitIndex *idx, const char *name, char **ret_id) {
        const Entry *frag;
        return resolve(idx, name, ret_id, &frag);
}

int unit_index_fragment(const UnitIndex *idx, const char *name, UnitFragment *ret) {
        _cleanup_free_ char *id = NULL;
        const Entry *frag;
        int r = resolve(idx, name, &id, &frag);
        if (r < 0)
                return r;
        if (!frag)
                return -ENOENT;
        /* the path in the unit directory, as found; a link to a file elsewhere: that file */
        *ret = (UnitFragment){.path = frag->linked ? frag->fragment : frag->path,
                              .file = frag->fragment,
                              .masked = frag->masked};
        if (frag->masked)
                ret->path = frag->path;
        return 0;
}

static bool keep_alias_of(const Entry *e, const void *id) {
        return e->target && streq(e->target, id) && !streq(e->name, id);
}

int unit_index_aliases(const UnitIndex *idx, const char *id, char ***ret) {
        return collect_names(idx, keep_alias_of, id, ret);
}

/* systemd's unit_file_find_dirs(): NAME.d in every directory, the template's, then the names cut at their
 * last dash ("a-b-c.service" -> "a-b-.service", "a-.service"), recursively. */
static int dropin_dirs(const UnitIndex *idx, const char *name, char ***dirs) {
        int r;
        for (char **d = idx->dirs; *d; d++) {
                char *p;
                struct stat st;
                if (asprintf(&p, "%s/%s.d", *d, name) < 0)
                        return -ENOMEM;
                const char *real;
                /* systemd reports drop-ins below the directory's canonical path, and lists a directory once
                 */
                if (fs_root_chase(idx->root, p, &real, &st) >= 0 && S_ISDIR(st.st_mode) &&
                    !strv_contains(*dirs, real)) {
                        free(p);
                        if ((r = strv_extend(dirs, real)) < 0)
                                return r;
                } else
                        free(p);
        }
        if (unit_name_is_valid(name, UNIT_NAME_INSTANCE)) {
                _cleanup_free_ char *t = NULL;
                if (unit_name_template(name, &t) < 0 || (r = dropin_dirs(idx, t, dirs)) < 0)
                        return -ENOMEM;
        }
        _cleanup_free_ char *prefix = NULL, *instance = NULL, *built = NULL;
        if (unit_name_prefix(name, &prefix) < 0)
                return 0;
        bool chopped = false;
        for (;;) {
                char *dash = strrchr(prefix, '-');
                if (!dash || dash == prefix)
                        return 0;
                size_t n = dash - prefix;
                if (prefix[n + 1] != 0 || chopped) {
                        prefix[n + 1] = 0;
                        break;
                }
                prefix[n] = 0; /* a trailing dash: cut it once and look again */
                chopped = true;
        }
        if (unit_name_instance(name, &instance) < 0)
                return -ENOMEM;
        bool inst = unit_name_is_valid(name, UNIT_NAME_INSTANCE);
        if (asprintf(&built, "%s%s%s.%s", prefix,
                     inst || unit_name_is_valid(name, UNIT_NAME_TEMPLATE) ? "@" : "", instance,
                     unit_name_suffix(name)) < 0)
                return -ENOMEM;
        return dropin_dirs(idx, built, dirs);
}

/* All .conf files of the drop-in directories: the first directory naming a file wins (an empty file or a
 * link to /dev/null there masks the others), the result sorted by file name. */
static int dropin_files(const UnitIndex *idx, char **dirs, char ***ret) {
        _cleanup_(hashmap_freep) Hashmap *seen = hashmap_new();
        _cleanup_(arena_freep) Arena *a = arena_new();
        char **files = NULL;
        if (!seen || !a)
                return -ENOMEM;
        for (char **d = dirs; d && *d; d++) {
                _cleanup_(closedirp) DIR *dir = fs_root_opendir(idx->root, *d);
                if (!dir)
                        continue;
                struct dirent *de;
                while ((de = readdir(dir))) {
                        size_t n = strlen(de->d_name);
                        if (n <= 5 || !streq(de->d_name + n - 5, ".conf") || hashmap_get(seen, de->d_name))
                                continue;
                        char *key = arena_strdup(a, de->d_name), *p;
                        if (!key || hashmap_put(seen, key, (void *)1, NULL) < 0 ||
                            asprintf(&p, "%s/%s", *d, de->d_name) < 0) {
                                strv_free(files);
                                return -ENOMEM;
                        }
                        /* an empty file or a link to /dev/null masks the name; systemd lists it all the same
                         */
                        if (strv_push(&files, p) < 0) {
                                strv_free(files);
                                return -ENOMEM;
                        }
                }
        }
        /* by file name, whatever the directory */
        size_t n = strv_length(files);
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && strcmp(strrchr(files[j - 1], '/'), strrchr(files[j], '/')) > 0;
                     j--) {
                        char *t = files[j];
                        files[j] = files[j - 1];
                        files[j - 1] = t;
                }
        *ret = files;
        return 0;
}

int unit_index_dropins(const UnitIndex *idx, char *const *names, char ***ret) {
        char **dirs = NULL;
        int r = 0;
        if (!names || !names[0])
                return -EINVAL;
        for (char *const *n = names; *n && r >= 0; n++)
                r = dropin_dirs(idx, *n, &dirs);
        /* the type-wide "service.d" last: the most generic */
        for (char **d = idx->dirs; *d && r >= 0; d++) {
                char *p;
                struct stat st;
                const char *real;
                if (asprintf(&p, "%s/%s.d", *d, unit_name_suffix(names[0])) < 0)
                        r = -ENOMEM;
                else if (fs_root_chase(idx->root, p, &real, &st) >= 0 && S_ISDIR(st.st_mode) &&
                         !strv_contains(dirs, real)) {
                        free(p);
                        r = strv_extend(&dirs, real);
                } else
                        free(p);
        }
        if (r >= 0)
                r = dropin_files(idx, dirs, ret);
        strv_free(dirs);
        return r;
}
