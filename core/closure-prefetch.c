/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/xattr.h>

#include "caps.h"
#include "closure-internal.h"
#include "macro.h"

#define SHEBANG_MAX 256 /* the kernel's BINPRM_BUF_SIZE */
#define N_THREADS 2

/* A script's #! line, or the class and machine of an ELF file too corrupt to parse: the loader skips an
 * object of another class or machine before it looks any further. */
static int object_fallback(int fd, Arena *arena, int r, Object *o) {
        if (r < 0 && o->elf_error == ELF_ERROR_NOT_ELF) {
                char buf[SHEBANG_MAX + 1];
                ssize_t n = pread(fd, buf, SHEBANG_MAX, 0);
                if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
                        buf[n] = 0;
                        char *nl = strchr(buf, '\n');
                        if (nl)
                                *nl = 0;
                        o->shebang = arena_strdup(arena, buf + 2);
                        if (!o->shebang)
                                return -ENOMEM;
                }
        } else if (r < 0) {
                uint8_t h[20];
                if (pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h) {
                        o->has_ident = true;
                        o->ident_class = h[EI_CLASS];
                        o->ident_machine = h[EI_DATA] == ELFDATA2MSB ? (uint16_t)(h[18] << 8 | h[19])
                                                                     : (uint16_t)(h[19] << 8 | h[18]);
                }
        }
        return 0;
}

int closure_object_read(FsRoot *root, Arena *arena, const char *real, const struct stat *st, Object *o) {
        *o = (Object){};
        _cleanup_close_ int fd = fs_root_open(root, real, O_RDONLY);
        if (fd < 0) {
                o->error = fd;
                return 0;
        }
        char *caps = NULL;
        /* nearly no file has capabilities: one system call says so, without libcap's three */
        if (fgetxattr(fd, "security.capability", NULL, 0) >= 0 && caps_of_fd(fd, &caps) >= 0 && caps) {
                o->caps = arena_strdup(arena, caps);
                free(caps);
                if (!o->caps)
                        return -ENOMEM;
        }
        ElfInfo *info = NULL;
        int r = elf_parse_fd(fd, st->st_size, arena, &info, &o->elf_error, &o->elf_error_offset);
        o->parsed = true;
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                o->info = info;
        else if (o->elf_error != ELF_ERROR_NOT_ELF && r != -EINVAL && r != -ENOEXEC)
                o->error = r;
        return object_fallback(fd, arena, r, o);
}

/* One file to read ahead. */
typedef struct Job {
        const char *real;
        struct stat st;
        Object object;
        int result;
} Job;

typedef struct Worker {
        FsRoot *root;
        Job *jobs;
        size_t n_jobs, *next; /* the next job to take, shared */
        Arena *arena;
} Worker;

static void *worker_run(void *userdata) {
        Worker *w = userdata;
        for (size_t i; (i = __atomic_fetch_add(w->next, 1, __ATOMIC_RELAXED)) < w->n_jobs;)
                w->jobs[i].result = closure_object_read(w->root, w->arena, w->jobs[i].real, &w->jobs[i].st,
                                                        &w->jobs[i].object);
        return NULL;
}

/* The files behind paths, once each, that are not parsed yet. */
static int collect_jobs(ClosureContext *ctx, const char *const *paths, size_t n, Job **ret, size_t *ret_n) {
        _cleanup_(hashmap_freep) Hashmap *seen = hashmap_new();
        _cleanup_free_ Job *jobs = calloc(n ? n : 1, sizeof(Job));
        _cleanup_free_ ObjectKey *keys = calloc(n ? n : 1, sizeof(ObjectKey));
        size_t k = 0;
        if (!seen || !jobs || !keys)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const char *real;
                struct stat st;
                if (paths[i][0] != '/' || fs_root_chase(ctx->root, paths[i], &real, &st) < 0 ||
                    !S_ISREG(st.st_mode))
                        continue; /* closure_add_program() will say what is wrong */
                keys[k] = (ObjectKey){st.st_dev, st.st_ino};
                if (hashmap_get_bytes(ctx->objects, keys + k, sizeof(ObjectKey)) ||
                    hashmap_get_bytes(seen, keys + k, sizeof(ObjectKey)))
                        continue;
                if (hashmap_put_bytes(seen, keys + k, sizeof(ObjectKey), (void *)1, NULL) < 0)
                        return -ENOMEM;
                jobs[k++] = (Job){.real = real, .st = st};
        }
        *ret = TAKE_PTR(jobs);
        *ret_n = k;
        return 0;
}

/* The results, in the order of the paths: the context is the same as if they had been read one by one. */
static int adopt(ClosureContext *ctx, Job *jobs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (jobs[i].result < 0)
                        return jobs[i].result;
                Object *o = arena_alloc(ctx->arena, sizeof(Object));
                ObjectKey *k = arena_alloc(ctx->arena, sizeof(ObjectKey));
                if (!o || !k)
                        return -ENOMEM;
                *o = jobs[i].object;
                *k = (ObjectKey){jobs[i].st.st_dev, jobs[i].st.st_ino};
                ctx->n_parsed += o->parsed;
                if (hashmap_put_bytes(ctx->objects, k, sizeof *k, o, NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int closure_context_prefetch(ClosureContext *ctx, const char *const *paths, size_t n) {
        _cleanup_free_ Job *jobs = NULL;
        size_t n_jobs, next = 0;
        int r = collect_jobs(ctx, paths, n, &jobs, &n_jobs);
        if (r < 0 || n_jobs == 0)
                return r;
        if (!GROW(ctx->arenas, ctx->allocated_arenas, ctx->n_arenas + N_THREADS))
                return -ENOMEM;
        Worker w[N_THREADS];
        for (size_t i = 0; i < N_THREADS; i++) {
                w[i] = (Worker){ctx->root, jobs, n_jobs, &next, arena_new()};
                if (!w[i].arena)
                        return -ENOMEM;
                ctx->arenas[ctx->n_arenas++] = w[i].arena;
        }
        /* the other threads beside ours; when one cannot start, ours does its share */
        pthread_t t[N_THREADS];
        bool started[N_THREADS] = {};
        for (size_t i = 1; i < N_THREADS; i++)
                started[i] = pthread_create(&t[i], NULL, worker_run, &w[i]) == 0;
        worker_run(&w[0]);
        for (size_t i = 1; i < N_THREADS; i++)
                if (started[i])
                        pthread_join(t[i], NULL);
        return adopt(ctx, jobs, n_jobs);
}
