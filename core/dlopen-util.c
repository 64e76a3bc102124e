/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>

#include "dlopen-util.h"
#include "macro.h"

/* one lock for every library: a load happens once per library and is short */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int fail(DlLibrary *l, const char *detail) {
        snprintf(l->detail, sizeof l->detail, "%s", detail ? detail : "unknown error");
        snprintf(l->error, sizeof l->error, "%s cannot be loaded (%s): install %s", l->soname, l->detail,
                 l->package);
        return -EOPNOTSUPP;
}

static int load(DlLibrary *l) {
        void *h = dlopen(l->soname, RTLD_NOW | RTLD_NODELETE);
        if (!h)
                return fail(l, dlerror());
        /* all or nothing: every name is looked up before any pointer is set, as a table with a hole would
         * crash later, far from the cause */
        for (const DlSym *s = l->syms; s->name; s++) {
                (void)dlerror();
                if (!dlsym(h, s->name)) {
                        int r = fail(l, dlerror());
                        dlclose(h);
                        return r;
                }
        }
        for (const DlSym *s = l->syms; s->name; s++)
                *s->ptr = dlsym(h, s->name);
        return 0;
}

int dl_library_load(DlLibrary *l) {
        pthread_mutex_lock(&load_lock);
        if (!l->tried) {
                l->r = load(l);
                l->tried = true;
        }
        int r = l->r;
        pthread_mutex_unlock(&load_lock);
        return r;
}

const char *dl_library_error(DlLibrary *l) {
        pthread_mutex_lock(&load_lock);
        const char *e = l->tried && l->r < 0 ? l->error : NULL;
        pthread_mutex_unlock(&load_lock);
        return e;
}
