/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>

#include "fileio.h"
#include "hashmap.h"
#include "macro.h"
#include "pkg-index-format.h"

#define LIST_MAX (256u * 1024 * 1024)
#define N_WORKERS 2

/* One path a package lists, in its canonical spelling (diverted, merged-/usr). */
typedef struct Rec {
        const char *path;
        uint32_t len, dirlen; /* dirlen: where the last '/' is */
        uint32_t pkg, shard;
} Rec;

typedef struct List {
        char *name;  /* "libc6:amd64" */
        char *text;  /* the .list file; its newlines become NULs */
        char *files; /* its paths with diversions applied, each ended by a newline */
        size_t files_len;
} List;

typedef struct Diversion {
        const char *to, *by;
} Diversion;

typedef struct Build Build;

typedef struct Worker {
        Build *b;
        size_t index;
        Rec *recs;
        size_t n_recs, allocated_recs;
        Arena *arena;
        int result;
} Worker;

struct Build {
        const PkgIndexRoot *root;
        int info_fd;
        Arena *arena;
        Hashmap *diversions; /* from -> Diversion */
        List *lists;
        size_t n_lists, allocated_lists;
        Worker workers[N_WORKERS];
        Rec *recs; /* all, by shard */
        size_t n_recs, shard_start[PKG_INDEX_SHARDS + 1];
};

uint32_t pkg_index_shard_of(const char *dir, size_t len) {
        return hash_bytes(dir, len) % PKG_INDEX_SHARDS;
}

static void build_done(Build *b) {
        for (size_t i = 0; i < b->n_lists; i++) {
                free(b->lists[i].name);
                free(b->lists[i].text);
                free(b->lists[i].files);
        }
        free(b->lists);
        for (size_t i = 0; i < N_WORKERS; i++) {
                free(b->workers[i].recs);
                arena_free(b->workers[i].arena);
        }
        free(b->recs);
        hashmap_free(b->diversions);
        arena_free(b->arena);
        if (b->info_fd >= 0)
                close(b->info_fd);
}

static int load_diversions(Build *b) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = read_full_file_at(b->root->fd, "var/lib/dpkg/diversions", O_NOFOLLOW, LIST_MAX, &buf, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        /* groups of three lines: diverted path, where it went, the diverting package (":" for local) */
        char *lines[3];
        size_t k = 0;
        for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
                nl = memchr(p, '\n', buf + len - p);
                if (!nl)
                        nl = buf + len;
                *nl = 0;
                lines[k++] = p;
                if (k < 3)
                        continue;
                k = 0;
                Diversion *d = arena_alloc(b->arena, sizeof(Diversion));
                char *from = arena_strdup(b->arena, lines[0]);
                if (!d || !from || !(d->to = arena_strdup(b->arena, lines[1])) ||
                    !(d->by = arena_strdup(b->arena, lines[2])))
                        return -ENOMEM;
                if (hashmap_put(b->diversions, from, d, NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int cmp_list(const void *a, const void *b) {
        return strcmp(((const List *)a)->name, ((const List *)b)->name);
}

/* The names of the .list files, sorted: a package's number is its place in this order. */
static int collect_lists(Build *b) {
        int dfd = openat(b->info_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        _cleanup_(closedirp) DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t nl = strlen(de->d_name);
                if (nl <= 5 || !streq(de->d_name + nl - 5, ".list"))
                        continue;
                if (!GROW(b->lists, b->allocated_lists, b->n_lists + 1))
                        return -ENOMEM;
                b->lists[b->n_lists] = (List){.name = strndup(de->d_name, nl - 5)};
                if (!b->lists[b->n_lists++].name)
                        return -ENOMEM;
        }
        if (b->n_lists)
                qsort(b->lists, b->n_lists, sizeof(List), cmp_list);
        return 0;
}

/* A file of a package that does not own the diversion of its path lives at the diverted-to path. */
static const char *divert(const Build *b, const char *path, size_t len, const char *pkg) {
        if (hashmap_size(b->diversions) == 0)
                return path;
        const Diversion *d = hashmap_get_bytes(b->diversions, path, len);
        if (!d)
                return path;
        /* the diverting package is named without its architecture */
        size_t bl = strlen(d->by);
        if (strncmp(d->by, pkg, bl) == 0 && (pkg[bl] == 0 || pkg[bl] == ':'))
                return path;
        return d->to;
}

static const char *canonical(Worker *w, const char *path) {
        for (const char *const *a = w->b->root->aliases; a && *a; a++) {
                size_t al = strlen(*a);
                if (strncmp(path, *a, al) == 0 || (strncmp(path, *a, al - 1) == 0 && path[al - 1] == 0)) {
                        size_t n = strlen(path);
                        char *c = arena_alloc(w->arena, n + 5);
                        if (!c)
                                return NULL;
                        memcpy(c, "/usr", 4);
                        memcpy(c + 4, path, n + 1);
                        return c;
                }
        }
        return path;
}

static int worker_line(Worker *w, List *l, uint32_t pkg, const char *line, size_t ll, size_t *files_cap) {
        const char *path = divert(w->b, line, ll, l->name);
        size_t pl = path == line ? ll : strlen(path);
        if (!streq(path, "/.")) {
                if (!GROW(l->files, *files_cap, l->files_len + pl + 2))
                        return -ENOMEM;
                memcpy(l->files + l->files_len, path, pl);
                l->files_len += pl;
                l->files[l->files_len++] = '\n';
                l->files[l->files_len] = 0;
        }
        const char *c = canonical(w, path);
        if (!c)
                return -ENOMEM;
        size_t len = c == path ? pl : pl + 4;
        const char *slash = memrchr(c, '/', len);
        if (!slash || len > UINT32_MAX)
                return 0; /* not an absolute path: nothing asks for it */
        if (!GROW(w->recs, w->allocated_recs, w->n_recs + 1))
                return -ENOMEM;
        uint32_t dl = slash - c;
        w->recs[w->n_recs++] = (Rec){c, len, dl, pkg, pkg_index_shard_of(c, dl)};
        return 0;
}

static int worker_list(Worker *w, uint32_t pkg) {
        List *l = w->b->lists + pkg;
        _cleanup_free_ char *name = NULL;
        size_t len, files_cap = 0;
        if (asprintf(&name, "%s.list", l->name) < 0)
                return -ENOMEM;
        int r = read_full_file_at(w->b->info_fd, name, O_NOFOLLOW, LIST_MAX, &l->text, &len);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* an unreadable list names no files; the rest still count */
        for (char *p = l->text, *e; p < l->text + len; p = e + 1) {
                e = memchr(p, '\n', l->text + len - p);
                if (!e)
                        e = l->text + len;
                *e = 0;
                if (e > p && (r = worker_line(w, l, pkg, p, e - p, &files_cap)) < 0)
                        return r;
        }
        return 0;
}

static void *worker_run(void *userdata) {
        Worker *w = userdata;
        w->result = 0;
        for (size_t i = w->index; i < w->b->n_lists && w->result >= 0; i += N_WORKERS)
                w->result = worker_list(w, i);
        return NULL;
}

static int cmp_rec(const void *x, const void *y) {
        const Rec *a = x, *b = y;
        int c = pkg_index_cmp(a->path, a->dirlen, b->path, b->dirlen);
        if (!c)
                c = pkg_index_cmp(a->path + a->dirlen + 1, a->len - a->dirlen - 1, b->path + b->dirlen + 1,
                                  b->len - b->dirlen - 1);
        return c ? c : a->pkg < b->pkg ? -1 : a->pkg > b->pkg;
}

typedef struct SortJob {
        Build *b;
        size_t index;
} SortJob;

static void *sort_run(void *userdata) {
        SortJob *j = userdata;
        for (size_t s = j->index; s < PKG_INDEX_SHARDS; s += N_WORKERS) {
                size_t from = j->b->shard_start[s], n = j->b->shard_start[s + 1] - from;
                if (n > 1)
                        qsort(j->b->recs + from, n, sizeof(Rec), cmp_rec);
        }
        return NULL;
}

/* Run fn(arg[i]) on N_WORKERS threads: the first on ours. A thread that cannot start runs here too. */
static void run_parallel(void *(*fn)(void *), void *args, size_t size) {
        pthread_t t[N_WORKERS];
        bool started[N_WORKERS] = {};
        for (size_t i = 1; i < N_WORKERS; i++)
                started[i] = pthread_create(&t[i], NULL, fn, (char *)args + i * size) == 0;
        fn(args);
        for (size_t i = 1; i < N_WORKERS; i++)
                if (started[i])
                        pthread_join(t[i], NULL);
                else
                        fn((char *)args + i * size);
}

/* Read every .list file (two threads), then put the paths in shard order, each shard sorted. */
static int read_lists(Build *b) {
        for (size_t i = 0; i < N_WORKERS; i++) {
                b->workers[i] = (Worker){.b = b, .index = i, .arena = arena_new()};
                if (!b->workers[i].arena)
                        return -ENOMEM;
        }
        run_parallel(worker_run, b->workers, sizeof(Worker));
        size_t counts[PKG_INDEX_SHARDS] = {};
        for (size_t i = 0; i < N_WORKERS; i++) {
                if (b->workers[i].result < 0)
                        return b->workers[i].result;
                b->n_recs += b->workers[i].n_recs;
                for (size_t k = 0; k < b->workers[i].n_recs; k++)
                        counts[b->workers[i].recs[k].shard]++;
        }
        b->recs = malloc((b->n_recs ? b->n_recs : 1) * sizeof(Rec));
        if (!b->recs)
                return -ENOMEM;
        for (size_t s = 0; s < PKG_INDEX_SHARDS; s++)
                b->shard_start[s + 1] = b->shard_start[s] + counts[s];
        size_t fill[PKG_INDEX_SHARDS];
        memcpy(fill, b->shard_start, sizeof fill);
        for (size_t i = 0; i < N_WORKERS; i++)
                for (size_t k = 0; k < b->workers[i].n_recs; k++)
                        b->recs[fill[b->workers[i].recs[k].shard]++] = b->workers[i].recs[k];
        SortJob jobs[N_WORKERS];
        for (size_t i = 0; i < N_WORKERS; i++)
                jobs[i] = (SortJob){b, i};
        run_parallel(sort_run, jobs, sizeof(SortJob));
        return 0;
}

/* The image under construction. */
typedef struct Image {
        uint8_t *p;
        size_t len, cap;
} Image;

static int image_reserve(Image *m, size_t n, uint64_t *ret_off) {
        size_t at = (m->len + 7) & ~(size_t)7;
        if (!GROW(m->p, m->cap, at + n + 8))
                return -ENOMEM;
        memset(m->p + m->len, 0, at + n - m->len);
        m->len = at + n;
        *ret_off = at;
        return 0;
}

static int image_put(Image *m, const void *data, size_t n, uint64_t *ret_off) {
        if (!GROW(m->p, m->cap, m->len + n + 8))
                return -ENOMEM;
        memcpy(m->p + m->len, data, n);
        *ret_off = m->len;
        m->len += n;
        return 0;
}

static void blob_seal(Image *m, PkgBlob *blob, uint64_t start) {
        *blob = (PkgBlob){start, m->len - start, hash_bytes(m->p + start, m->len - start)};
}

/* "a, b": the packages of recs[from..to), each once. */
static int owners_text(Build *b, size_t from, size_t to, char **ret) {
        size_t cap = 0, len = 0;
        char *s = NULL;
        for (size_t i = from; i < to; i++) {
                if (i > from && b->recs[i].pkg == b->recs[i - 1].pkg)
                        continue;
                const char *name = b->lists[b->recs[i].pkg].name;
                if ((len && buf_append(&s, &len, &cap, ", ", 2) < 0) ||
                    buf_append(&s, &len, &cap, name, strlen(name)) < 0) {
                        free(s);
                        return -ENOMEM;
                }
        }
        *ret = s;
        return 0;
}

static bool same_path(const Rec *a, const Rec *b) {
        return a->len == b->len && memcmp(a->path, b->path, a->len) == 0;
}

static bool same_dir(const Rec *a, const Rec *b) {
        return a->dirlen == b->dirlen && memcmp(a->path, b->path, a->dirlen) == 0;
}

/* Owner strings are shared within a shard (a directory's files mostly have one). */
static int shard_owners(Build *b, Image *m, uint64_t start, Hashmap *seen, Arena *a, size_t from, size_t to,
                        uint32_t *ret) {
        _cleanup_free_ char *text = NULL;
        int r = owners_text(b, from, to, &text);
        if (r < 0)
                return r;
        uint64_t off = (uint64_t)(uintptr_t)hashmap_get(seen, text);
        if (!off) {
                r = image_put(m, text, strlen(text) + 1, &off);
                if (r < 0)
                        return r;
                off -= start;
                char *key = arena_strdup(a, text);
                if (!key || hashmap_put(seen, key, (void *)(uintptr_t)off, NULL) < 0)
                        return -ENOMEM;
        }
        *ret = off;
        return 0;
}

static int emit_shard(Build *b, Image *m, size_t s, PkgBlob *ret) {
        size_t from = b->shard_start[s], to = b->shard_start[s + 1], n_dirs = 0, n_files = 0;
        for (size_t i = from; i < to; i++) {
                n_dirs += i == from || !same_dir(b->recs + i, b->recs + i - 1);
                n_files += i == from || !same_path(b->recs + i, b->recs + i - 1);
        }
        uint64_t start, off;
        size_t dirs_at = sizeof(PkgShardHead), files_at = dirs_at + n_dirs * sizeof(PkgDirRec);
        int r = image_reserve(m, files_at + n_files * sizeof(PkgFileRec) + 1, &start);
        if (r < 0)
                return r;
        _cleanup_(hashmap_freep) Hashmap *seen = hashmap_new();
        _cleanup_(arena_freep) Arena *a = arena_new();
        if (!seen || !a)
                return -ENOMEM;
        *(PkgShardHead *)(m->p + start) = (PkgShardHead){n_dirs, n_files};
        size_t d = SIZE_MAX, f = 0;
        for (size_t i = from, j; i < to; i = j) {
                const Rec *rec = b->recs + i;
                for (j = i + 1; j < to && same_path(b->recs + j, rec);)
                        j++;
                if (i == from || !same_dir(rec, b->recs + i - 1)) {
                        r = image_put(m, rec->path, rec->dirlen, &off);
                        if (r < 0 || (r = image_put(m, "", 1, &(uint64_t){0})) < 0)
                                return r;
                        ((PkgDirRec *)(m->p + start + dirs_at))[++d] = (PkgDirRec){off - start, f, 0};
                }
                PkgFileRec fr;
                r = image_put(m, rec->path + rec->dirlen + 1, rec->len - rec->dirlen, &off);
                if (r < 0 || (r = shard_owners(b, m, start, seen, a, i, j, &fr.owners)) < 0)
                        return r;
                /* the base name was copied with the path's NUL */
                fr.base = off - start;
                ((PkgFileRec *)(m->p + start + files_at))[f++] = fr;
                ((PkgDirRec *)(m->p + start + dirs_at))[d].count++;
        }
        if (m->p[m->len - 1] != 0 && (r = image_put(m, "", 1, &off)) < 0)
                return r;
        blob_seal(m, ret, start);
        return 0;
}

static int emit_packages(Build *b, Image *m, PkgBlob *ret) {
        uint64_t start, off;
        int r = image_reserve(m, b->n_lists * sizeof(PkgPackageRec), &start);
        if (r < 0)
                return r;
        for (size_t i = 0; i < b->n_lists; i++) {
                r = image_put(m, b->lists[i].name, strlen(b->lists[i].name) + 1, &off);
                if (r < 0)
                        return r;
                ((PkgPackageRec *)(m->p + start))[i].name = off - start;
        }
        size_t end = m->len;
        for (size_t i = 0; i < b->n_lists; i++) {
                PkgBlob files;
                r = image_reserve(m, 0, &off);
                if (r < 0 || (r = image_put(m, b->lists[i].files ? b->lists[i].files : "",
                                            b->lists[i].files_len, &(uint64_t){0})) < 0)
                        return r;
                blob_seal(m, &files, off);
                ((PkgPackageRec *)(m->p + start))[i].files = files;
        }
        /* the table last: it holds the files' checksums */
        *ret = (PkgBlob){start, end - start, hash_bytes(m->p + start, end - start)};
        return 0;
}

/* The status file: one paragraph per package, "Field: value" lines, continuation lines start with a space. */
static const char *status_field(Arena *a, const char *para, size_t len, const char *field) {
        size_t fl = strlen(field);
        for (const char *p = para; p < para + len;) {
                const char *nl = memchr(p, '\n', para + len - p);
                const char *end = nl ? nl : para + len;
                if ((size_t)(end - p) > fl && strncmp(p, field, fl) == 0 && p[fl] == ':') {
                        /* the value with its continuation lines */
                        const char *v = p + fl + 1, *e = end;
                        while (e < para + len && e[0] == '\n' && e + 1 < para + len && e[1] == ' ') {
                                const char *n2 = memchr(e + 1, '\n', para + len - e - 1);
                                e = n2 ? n2 : para + len;
                        }
                        while (v < e && *v == ' ')
                                v++;
                        return arena_strndup(a, v, e - v);
                }
                p = end + 1;
        }
        return "";
}

typedef struct StatusEntry {
        const char *key;
        size_t data; /* index into the data blobs */
        bool native;
} StatusEntry;

typedef struct StatusSet {
        StatusEntry *entries;
        size_t n, allocated;
        char **data;
        size_t *data_len, n_data, allocated_data, allocated_len;
        Hashmap *bare; /* name -> 1 + entry index */
} StatusSet;

static void status_set_done(StatusSet *s) {
        for (size_t i = 0; i < s->n_data; i++)
                free(s->data[i]);
        free(s->data);
        free(s->data_len);
        free(s->entries);
        hashmap_free(s->bare);
}

static int status_add_key(StatusSet *s, const char *key, bool native) {
        if (!GROW(s->entries, s->allocated, s->n + 1))
                return -ENOMEM;
        s->entries[s->n++] = (StatusEntry){key, s->n_data - 1, native};
        return 0;
}

/* One installed package: its data, and the keys "name:arch" and "name" (the native architecture's wins). */
static int status_add(StatusSet *s, Arena *a, const char *p, size_t pl, const char *native_arch) {
        const char *f[7], *pre = status_field(a, p, pl, "Pre-Depends"),
                          *dep = status_field(a, p, pl, "Depends"), *src = status_field(a, p, pl, "Source");
        f[0] = status_field(a, p, pl, "Package");
        f[1] = status_field(a, p, pl, "Architecture");
        f[2] = *src ? arena_strndup(a, src, strcspn(src, " (")) : f[0];
        f[4] = status_field(a, p, pl, "Conffiles");
        f[5] = status_field(a, p, pl, "Priority");
        f[6] = streq(status_field(a, p, pl, "Essential"), "yes") ? "yes" : "";
        char *key = NULL;
        if (!f[0] || !f[1] || !f[2] || !f[4] || !f[5] || !pre || !dep ||
            asprintf(&key, "%s:%s", f[0], f[1]) < 0)
                return -ENOMEM;
        const char *k = arena_strdup(a, key);
        free(key);
        _cleanup_free_ char *deps = NULL;
        if (asprintf(&deps, "%s%s%s", pre, *pre && *dep ? ", " : "", dep) < 0)
                return -ENOMEM;
        f[3] = deps;
        size_t len = 0, cap = 0;
        char *data = NULL;
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (buf_append(&data, &len, &cap, f[i], strlen(f[i]) + 1) < 0) {
                        free(data);
                        return -ENOMEM;
                }
        if (!k || !GROW(s->data, s->allocated_data, s->n_data + 1) ||
            !GROW(s->data_len, s->allocated_len, s->n_data + 1)) {
                free(data);
                return -ENOMEM;
        }
        s->data_len[s->n_data] = len;
        s->data[s->n_data++] = data;
        bool native = streq(f[1], native_arch);
        if (status_add_key(s, k, native) < 0)
                return -ENOMEM;
        size_t at = (size_t)(uintptr_t)hashmap_get(s->bare, f[0]);
        if (!at)
                return hashmap_put(s->bare, f[0], (void *)(uintptr_t)(s->n + 1), NULL) < 0 ||
                                       status_add_key(s, f[0], native) < 0
                               ? -ENOMEM
                               : 0;
        /* a bare name seen before: the native architecture's package takes it over */
        if (native && !s->entries[at - 1].native)
                s->entries[at - 1].data = s->n_data - 1, s->entries[at - 1].native = true;
        return 0;
}

static int status_load(const PkgIndexRoot *root, Arena *a, StatusSet *s) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = read_full_file_at(root->fd, "var/lib/dpkg/status", O_NOFOLLOW, LIST_MAX, &text, &len);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (const char *p = text; p < text + len;) {
                const char *e = strstr(p, "\n\n");
                size_t pl = e ? (size_t)(e - p) + 1 : strlen(p);
                const char *st = status_field(a, p, pl, "Status");
                if (!st)
                        return -ENOMEM;
                if (strstr(st, " installed") && !strstr(st, "not-installed") &&
                    (r = status_add(s, a, p, pl, root->arch)) < 0)
                        return r;
                p += pl + (e ? 1 : 0);
        }
        return 0;
}

static int cmp_status(const void *a, const void *b) {
        return strcmp(((const StatusEntry *)a)->key, ((const StatusEntry *)b)->key);
}

static int emit_status(const PkgIndexRoot *root, Image *m, PkgBlob *ret, uint32_t *ret_n) {
        _cleanup_(status_set_done) StatusSet s = {.bare = hashmap_new()};
        _cleanup_(arena_freep) Arena *a = arena_new();
        uint64_t start, off;
        int r;
        if (!s.bare || !a)
                return -ENOMEM;
        if ((r = status_load(root, a, &s)) < 0)
                return r;
        if (s.n)
                qsort(s.entries, s.n, sizeof(StatusEntry), cmp_status);
        if ((r = image_reserve(m, s.n * sizeof(PkgStatusRec), &start)) < 0)
                return r;
        for (size_t i = 0; i < s.n; i++) {
                if ((r = image_put(m, s.entries[i].key, strlen(s.entries[i].key) + 1, &off)) < 0)
                        return r;
                ((PkgStatusRec *)(m->p + start))[i].key = off - start;
        }
        size_t end = m->len;
        /* the data once per package, each key pointing at its package's */
        _cleanup_free_ PkgBlob *data = malloc((s.n_data + 1) * sizeof(PkgBlob));
        if (!data)
                return -ENOMEM;
        for (size_t i = 0; i < s.n_data; i++) {
                if ((r = image_reserve(m, 0, &off)) < 0 ||
                    (r = image_put(m, s.data[i], s.data_len[i], &(uint64_t){0})) < 0)
                        return r;
                blob_seal(m, data + i, off);
        }
        for (size_t i = 0; i < s.n; i++)
                ((PkgStatusRec *)(m->p + start))[i].data = data[s.entries[i].data];
        *ret = (PkgBlob){start, end - start, hash_bytes(m->p + start, end - start)};
        *ret_n = s.n;
        return 0;
}

static int emit(Build *b, const PkgIndexKey *key, Image *m) {
        uint64_t head, table;
        PkgIndexHeader h = {.version = PKG_INDEX_VERSION,
                            .byte_order = PKG_INDEX_BYTE_ORDER,
                            .key = *key,
                            .n_shards = PKG_INDEX_SHARDS,
                            .n_packages = b->n_lists};
        memcpy(h.magic, PKG_INDEX_MAGIC, sizeof h.magic);
        int r = image_reserve(m, sizeof h, &head);
        if (r < 0 || (r = image_reserve(m, PKG_INDEX_SHARDS * sizeof(PkgBlob), &table)) < 0)
                return r;
        for (size_t s = 0; s < PKG_INDEX_SHARDS; s++) {
                PkgBlob blob;
                if ((r = emit_shard(b, m, s, &blob)) < 0)
                        return r;
                ((PkgBlob *)(m->p + table))[s] = blob;
        }
        h.shards = (PkgBlob){table, PKG_INDEX_SHARDS * sizeof(PkgBlob),
                             hash_bytes(m->p + table, PKG_INDEX_SHARDS * sizeof(PkgBlob))};
        if ((r = emit_packages(b, m, &h.packages)) < 0 ||
            (r = emit_status(b->root, m, &h.status, &h.n_status)) < 0)
                return r;
        h.file_size = m->len;
        h.header_sum = hash_bytes(&h, offsetof(PkgIndexHeader, header_sum));
        memcpy(m->p + head, &h, sizeof h);
        return 0;
}

int pkg_index_build(const PkgIndexRoot *root, const PkgIndexKey *key, uint8_t **ret, size_t *ret_size) {
        _cleanup_(build_done) Build b = {.root = root, .info_fd = -EBADF};
        Image m = {};
        int r;

        b.arena = arena_new();
        b.diversions = hashmap_new();
        if (!b.arena || !b.diversions)
                return -ENOMEM;
        b.info_fd = openat(root->fd, "var/lib/dpkg/info", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b.info_fd < 0)
                return -errno;
        if ((r = load_diversions(&b)) < 0 || (r = collect_lists(&b)) < 0 || (r = read_lists(&b)) < 0)
                return r;
        if ((r = emit(&b, key, &m)) < 0) {
                free(m.p);
                return r;
        }
        *ret = m.p;
        *ret_size = m.len;
        return 0;
}
