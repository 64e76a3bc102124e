/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "journal.h"
#include "service-source.h"

/* apply --try: write the drop-in, reload, restart the service, hold it for some seconds and keep the
 * drop-in only if the service stayed up (and the operator's check passed); otherwise bring the previous
 * drop-in (or none) and the previous state back, and read the journal of the failed attempt for what was
 * missing. For the command line and the screens alike: nothing is printed, everything is in the result. */

#define TRY_DEFAULT_SECONDS 10u
#define TRY_CHECK_TIMEOUT_MS 60000u
#define TRY_JOURNAL_MAX 200u

typedef struct TryOptions {
        unsigned seconds;  /* how long the service must hold */
        const char *check; /* run through /bin/sh on the host at the end, must exit 0; NULL: none */
        bool runtime;      /* the drop-in below /run */
        volatile sig_atomic_t
                *interrupted; /* set by a signal (Ctrl-C): roll back at the next step; may be NULL */
} TryOptions;

typedef struct TryResult {
        bool kept;            /* the new drop-in stays */
        char *summary;        /* kept: what was done and what held, in words */
        char *failure;        /* rolled back: why, in words */
        char *rollback;       /* rolled back: what the rollback did */
        bool rollback_failed; /* something of the previous state could not be brought back: rollback says what
                               */
        char *check_output;   /* the end of the check's output */
        char **journal;       /* the unit's journal lines from the failed attempt */
        char *journal_error;  /* why they could not be read */
        JournalSuggestion *suggestions;
        size_t n_suggestions;
        char *stored;      /* the file the path suggestions are kept in for --suggested */
        char *store_error; /* why they could not be kept */
        char *since;       /* the moment before the restart, as journalctl --since takes it */
        char *error;       /* returned < 0: why the try could not start (nothing was changed) */
} TryResult;

/* 0 when the try ran (kept or rolled back: see ret->kept); < 0 with ret->error when it could not start,
 * nothing changed. */
int confine_try(ServiceSource *src, int root_fd, const char *unit, const char *text, const TryOptions *o,
                TryResult *ret);
void try_result_done(TryResult *r);
