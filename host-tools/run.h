/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BMDUMP_RUN_H
#define BMDUMP_RUN_H

#include <stddef.h>

/*
 * Runs argv[0] (searched in PATH) with stdin_text on its standard input
 * (NULL: /dev/null), its stdout and stderr captured into out (may be NULL).
 * Returns its exit status, 127 if it could not start, 128+N on signal N.
 */
int run_cmd(char *const argv[], const char *stdin_text, char *out,
	    size_t out_size);

#endif /* BMDUMP_RUN_H */
