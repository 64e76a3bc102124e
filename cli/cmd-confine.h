/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "options.h"
#include "service-source.h"

/* The verbs that compute, write and carry a confinement. Each returns the exit status. */
int cmd_preview(CliOptions *o);
int cmd_diff(CliOptions *o);
int cmd_apply(CliOptions *o);
int cmd_revert(CliOptions *o);
int cmd_export(CliOptions *o); /* cmd-export.c */
int cmd_import(CliOptions *o);

/* What these verbs share: the service source and the root directory the drop-ins go below. */
typedef struct CliSession {
        ServiceSource src;
        int root_fd; /* borrowed from src, or own_fd */
        int own_fd;
} CliSession;

/* Opens the source; writes: the verb writes, so refuse without the privileges (nothing is written). The
 * reason is printed. */
int cli_session_open(CliOptions *o, bool writes, CliSession *ret);
void cli_session_close(CliSession *s);

/* Settings -> plan -> drop-in text for unit (confine_compute), with its notes on stderr. */
int cli_render(CliOptions *o, ServiceSource *src, const char *unit, char **ret_text);

/* apply --try (cmd-try.c): the outcome in words; returns the exit status: 0 kept, 3 rolled back, 1 an
 * error. */
int cli_try(CliOptions *o, CliSession *s, const char *unit, const char *text);
/* Refuse to restart, untried, the unit this command runs under (the operator's SSH session). */
int cli_lockout_guard(ServiceSource *src, const char *unit);
