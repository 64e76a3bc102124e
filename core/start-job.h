/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdint.h>

#include "manager.h"

/* Learning starts a unit that is not running in a thread of its own: meanwhile every open of the manager
 * and of the service waits for the watching thread's answer (fanotify), so that thread never waits on the
 * manager itself. The command line and the screen share it. */
typedef struct StartJob {
        Manager *manager;
        const char *unit;
        uint64_t timeout_usec;
        int efd; /* written once when the job has finished */
        int r;
        char *result;        /* "done", "failed"... */
        char *control_group; /* once started */
        char *error;         /* the manager's words when r < 0 */
} StartJob;

/* The thread's function (pthread_create(..., start_job_run, job)). */
void *start_job_run(void *userdata);
void start_job_done(StartJob *j);
