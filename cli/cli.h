/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The batch command line: sdconfine VERB [OPTIONS...] ARGS. argv[1] is the verb. */
int cli_main(int argc, char **argv);
