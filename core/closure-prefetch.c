/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <elf.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/xattr.h>

#include "caps.h"
#include "closure-internal.h"
#include "macro.h"

#define SHEBANG_MAX 256 /* the kernel's BINPRM_BUF_SIZE */

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

/* One file to read ahead. state: JOB_PENDING, then JOB_CLAIMED by whoever reads it (the thread ahead, or
 * the closure when it gets there first), then JOB_DONE. */
enum { JOB_PENDING, JOB_CLAIMED, JOB_DONE };

typedef struct Job {
        const char *real;
        struct stat st;
        Object object;
        int result, state;
} Job;

/* The thread reading ahead of the closure, and what it has read. */
struct ClosurePrefetch {
        FsRoot *root;
        Job *jobs;
        size_t n_jobs;
        Hashmap *by_key; /* ObjectKey -> Job */
        ObjectKey *keys;
        Arena *arena;     /* the thread's: the objects it read live there */
        size_t published; /* jobs [0, published) are ready to read (the closure's thread finds them) */
        bool chased;      /* all are: published is final */
        pthread_t thread;
        bool running;
        ClosurePrefetch *older; /* an earlier batch: objects taken from it point into its arena */
};

static bool job_claim(Job *j) {
        int pending = JOB_PENDING;
        return __atomic_compare_exchange_n(&j->state, &pending, JOB_CLAIMED, false, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE);
}

static void job_read(ClosurePrefetch *p, Job *j) {
        j->result = closure_object_read(p->root, p->arena, j->real, &j->st, &j->object);
        __atomic_store_n(&j->state, JOB_DONE, __ATOMIC_RELEASE);
}

/* While the closure's thread finds the files (chases the paths), the first ones as they come; then from
 * the last back, while the closure takes them from the first on, reading those the thread has not got to:
 * the two meet somewhere in the middle and seldom wait for each other. */
static void *prefetch_run(void *userdata) {
        ClosurePrefetch *p = userdata;
        size_t i = 0, n;
        for (;;) {
                /* all found: the closure starts from the first, so this thread turns to the last */
                bool chased = __atomic_load_n(&p->chased, __ATOMIC_ACQUIRE);
                n = __atomic_load_n(&p->published, __ATOMIC_ACQUIRE);
                if (chased)
                        break;
                if (i < n) {
                        if (job_claim(p->jobs + i))
                                job_read(p, p->jobs + i);
                        i++;
                } else
                        sched_yield();
        }
        for (size_t k = n; k > i; k--) {
                if (!job_claim(p->jobs + k - 1))
                        break; /* the closure got here: it has the rest */
                job_read(p, p->jobs + k - 1);
        }
        return NULL;
}

ClosurePrefetch *closure_prefetch_free(ClosurePrefetch *p) {
        if (!p)
                return NULL;
        if (p->running)
                pthread_join(p->thread, NULL);
        closure_prefetch_free(p->older);
        hashmap_free(p->by_key);
        free(p->jobs);
        free(p->keys);
        arena_free(p->arena);
        free(p);
        return NULL;
}

int closure_prefetch_take(ClosureContext *ctx, const ObjectKey *key, Object *o) {
        ClosurePrefetch *p = ctx->prefetch;
        Job *j = p ? hashmap_get_bytes(p->by_key, key, sizeof *key) : NULL;
        if (!j)
                return 0;
        if (job_claim(j)) /* not read yet: here and now, as without the thread */
                j->result = closure_object_read(ctx->root, ctx->arena, j->real, &j->st, &j->object);
        else /* being read, a matter of microseconds */
                while (__atomic_load_n(&j->state, __ATOMIC_ACQUIRE) != JOB_DONE)
                        sched_yield();
        if (j->result < 0)
                return j->result;
        *o = j->object;
        return 1;
}

/* The files behind paths, once each, that are not parsed yet, in the order of the paths. */
static int collect_jobs(ClosureContext *ctx, ClosurePrefetch *p, const char *const *paths, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const char *real;
                struct stat st;
                if (paths[i][0] != '/' || fs_root_chase(ctx->root, paths[i], &real, &st) < 0 ||
                    !S_ISREG(st.st_mode))
                        continue; /* closure_add_program() will say what is wrong */
                ObjectKey *k = p->keys + p->n_jobs;
                *k = (ObjectKey){st.st_dev, st.st_ino};
                if (hashmap_get_bytes(ctx->objects, k, sizeof *k) ||
                    hashmap_get_bytes(p->by_key, k, sizeof *k))
                        continue;
                p->jobs[p->n_jobs] = (Job){.real = real, .st = st};
                if (hashmap_put_bytes(p->by_key, k, sizeof *k, p->jobs + p->n_jobs, NULL) < 0)
                        return -ENOMEM;
                p->n_jobs++;
                __atomic_store_n(&p->published, p->n_jobs, __ATOMIC_RELEASE);
        }
        return 0;
}

int closure_context_prefetch(ClosureContext *ctx, const char *const *paths, size_t n) {
        ClosurePrefetch *p = calloc(1, sizeof(ClosurePrefetch));
        if (!p)
                return -ENOMEM;
        /* one batch at a time: a thread still reading the last one finishes first; what it read stays */
        if (ctx->prefetch && ctx->prefetch->running) {
                pthread_join(ctx->prefetch->thread, NULL);
                ctx->prefetch->running = false;
        }
        p->older = ctx->prefetch;
        ctx->prefetch = p;
        p->root = ctx->root;
        p->by_key = hashmap_new();
        p->arena = arena_new();
        p->jobs = calloc(n ? n : 1, sizeof(Job)); /* never moves: the thread reads it */
        p->keys = calloc(n ? n : 1, sizeof(ObjectKey));
        if (!p->by_key || !p->arena || !p->jobs || !p->keys)
                return -ENOMEM;
        /* The thread starts on the first files while the others are found. Without it, the closure reads
         * each file when it gets there, as without prefetching. */
        p->running = n > 0 && pthread_create(&p->thread, NULL, prefetch_run, p) == 0;
        int r = collect_jobs(ctx, p, paths, n);
        __atomic_store_n(&p->chased, true, __ATOMIC_RELEASE);
        return r;
}
