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

/* One path to find and read ahead. state: JOB_PENDING, then JOB_CLAIMED by whoever takes it (the thread
 * ahead, or the closure when it gets there first), then JOB_DONE. */
enum { JOB_PENDING, JOB_CLAIMED, JOB_DONE };

typedef struct Job {
        const char *path;
        int chased; /* fs_root_chase() in the thread's root: 0 or -errno */
        const char *real;
        struct stat st;
        ObjectKey key; /* of st, for by_key */
        Object object;
        const Object *same; /* the object of an earlier job: the same file named twice */
        int result, state;
} Job;

/* The thread finding and reading the programs ahead of the closure, in the order it asks for them. */
struct ClosurePrefetch {
        FsRoot *root;    /* the thread's own: what it finds is remembered there, never shared */
        Arena *arena;    /* the thread's: the objects it read live there */
        Hashmap *by_key; /* the thread's: ObjectKey -> Job it read */
        Job *jobs;
        size_t n_jobs;
        size_t next; /* the closure's side: the job it asks for next */
        pthread_t thread;
        bool running;
        ClosurePrefetch *older; /* an earlier batch: objects taken from it point into its arena */
};

static bool job_claim(Job *j) {
        int pending = JOB_PENDING;
        return __atomic_compare_exchange_n(&j->state, &pending, JOB_CLAIMED, false, __ATOMIC_ACQ_REL,
                                           __ATOMIC_ACQUIRE);
}

static void job_run(ClosurePrefetch *p, Job *j) {
        j->chased = fs_root_chase(p->root, j->path, &j->real, &j->st);
        if (j->chased >= 0 && S_ISREG(j->st.st_mode)) {
                j->key = (ObjectKey){j->st.st_dev, j->st.st_ino};
                Job *earlier = hashmap_get_bytes(p->by_key, &j->key, sizeof j->key);
                if (earlier)
                        j->same = &earlier->object;
                else {
                        j->result = closure_object_read(p->root, p->arena, j->real, &j->st, &j->object);
                        if (j->result >= 0 &&
                            hashmap_put_bytes(p->by_key, &j->key, sizeof j->key, j, NULL) < 0)
                                j->result = -ENOMEM;
                }
        }
        __atomic_store_n(&j->state, JOB_DONE, __ATOMIC_RELEASE);
}

/* The paths in the closure's order: it asks for each soon after, and seldom catches up. */
static void *prefetch_run(void *userdata) {
        ClosurePrefetch *p = userdata;
        for (size_t i = 0; i < p->n_jobs; i++)
                if (job_claim(p->jobs + i))
                        job_run(p, p->jobs + i);
        return NULL;
}

ClosurePrefetch *closure_prefetch_free(ClosurePrefetch *p) {
        if (!p)
                return NULL;
        if (p->running)
                pthread_join(p->thread, NULL);
        closure_prefetch_free(p->older);
        fs_root_free(p->root);
        hashmap_free(p->by_key);
        free(p->jobs);
        arena_free(p->arena);
        free(p);
        return NULL;
}

int closure_prefetch_chase(ClosureContext *ctx, const char *path, const char **ret_real, struct stat *ret_st,
                           const Object **ret_object) {
        ClosurePrefetch *p = ctx->prefetch;
        if (!p || p->next >= p->n_jobs || !streq(p->jobs[p->next].path, path))
                return 0;
        Job *j = p->jobs + p->next++;
        if (job_claim(j)) /* not started: the closure finds and reads it, as without the thread */
                return 0;
        while (__atomic_load_n(&j->state, __ATOMIC_ACQUIRE) != JOB_DONE)
                sched_yield(); /* being read, a matter of microseconds */
        if (j->chased < 0 || !S_ISREG(j->st.st_mode))
                return 0; /* the closure's own look says what is wrong */
        if (j->result < 0)
                return j->result;
        *ret_real = j->real;
        *ret_st = j->st;
        *ret_object = j->same ? j->same : &j->object;
        return 1;
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
        p->by_key = hashmap_new();
        p->arena = arena_new();
        p->jobs = calloc(n ? n : 1, sizeof(Job)); /* never moves: by_key's keys live in it */
        if (!p->by_key || !p->arena || !p->jobs)
                return -ENOMEM;
        int r = fs_root_new(fs_root_path(ctx->root), &p->root);
        if (r < 0)
                return r == -ENOMEM ? r : 0; /* no thread: the closure finds every file itself */
        /* absolute paths, in order: the closure asks for them in this order (closure_prefetch_chase()) */
        for (size_t i = 0; i < n; i++)
                if (paths[i][0] == '/')
                        p->jobs[p->n_jobs++] = (Job){.path = paths[i]};
        /* On the other cores from the start: left to the scheduler, a new thread often waits on ours for a
         * balancing tick (2-4 ms here, a third of the run), and the closure catches up with it. */
        pthread_attr_t attr;
        cpu_set_t set;
        int cpu = sched_getcpu();
        bool attr_ok = pthread_attr_init(&attr) == 0;
        if (attr_ok && cpu >= 0 && sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(cpu, &set) &&
            CPU_COUNT(&set) > 1) {
                CPU_CLR(cpu, &set);
                (void)pthread_attr_setaffinity_np(&attr, sizeof set, &set);
        }
        p->running =
                p->n_jobs > 0 && pthread_create(&p->thread, attr_ok ? &attr : NULL, prefetch_run, p) == 0;
        if (attr_ok)
                pthread_attr_destroy(&attr);
        if (!p->running)
                p->n_jobs = 0;
        return 0;
}
