/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <unistd.h>

#include "macro.h"
#include "start-job.h"

void *start_job_run(void *userdata) {
        StartJob *j = userdata;
        j->r = manager_run_job(j->manager, "StartUnit", j->unit, j->timeout_usec, &j->result);
        if (j->r >= 0 && streq_ptr(j->result, "done")) {
                UnitStatus st = {};
                if (manager_unit_status(j->manager, j->unit, &st) >= 0)
                        j->control_group = TAKE_PTR(st.control_group);
                unit_status_done(&st);
        } else if (j->r < 0 && manager_last_error(j->manager))
                j->error = strdup(manager_last_error(j->manager));
        uint64_t one = 1;
        if (write(j->efd, &one, sizeof one) < 0) {
                /* the watching thread joins at the end anyway */
        }
        return NULL;
}

void start_job_done(StartJob *j) {
        j->result = mfree_str(j->result);
        j->control_group = mfree_str(j->control_group);
        j->error = mfree_str(j->error);
}
