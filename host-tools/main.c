// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump: prepare a dump area, arm the stub (load/unload), tell whether a
 * crash would be captured (status), save a captured dump (save), and show
 * what a dump holds (info).  See bmdump(8).
 *
 * This file takes the global options (--config, --help, --version) and
 * hands the rest to the command; each command is in cmd_<name>.c, what
 * they share in cli.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <getopt.h>

#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "prepare", cmd_prepare },
	{ "load", cmd_load },
	{ "unload", cmd_unload },
	{ "status", cmd_status },
	{ "save", cmd_save },
	{ "info", cmd_info },
	{ "selftest", cmd_selftest },
	{ "list", cmd_list },
	{ "estimate", cmd_estimate },
	{ "test", cmd_test },
};

static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

/* Options before the command.  Returns -1 to go on, else an exit code. */
static int global_options(int *argc, char ***argv)
{
	char **av = *argv;
	int ac = *argc;

	while (ac > 1 && av[1][0] == '-') {
		if (!strcmp(av[1], "--config") && ac > 2) {
			cli_config_path = av[2];
			ac -= 2;
			av += 2;
		} else if (!strcmp(av[1], "--config")) {
			fprintf(stderr, "bmdump: --config needs a FILE "
				"argument (bmdump --config FILE COMMAND)\n");
			return EXIT_USAGE;
		} else if (!strncmp(av[1], "--config=", 9)) {
			cli_config_path = av[1] + 9;
			ac--;
			av++;
		} else if (!strcmp(av[1], "--help") || !strcmp(av[1], "-h")) {
			fputs(help_main, stdout);
			return 0;
		} else if (!strcmp(av[1], "--version")) {
			printf("bmdump %s\n", BMDUMP_VERSION);
			return 0;
		} else {
			fprintf(stderr, "bmdump: unknown option %s\n%s",
				av[1], help_main);
			return EXIT_USAGE;
		}
	}
	*argc = ac;
	*argv = av;
	return -1;
}

int main(int argc, char **argv)
{
	const char *cmd;
	size_t i;
	int rc;

	opterr = 0;	/* cli_bad_option() prints the one message */
	cli_config_path = getenv("BMDUMP_CONFIG");
	if (!cli_config_path)
		cli_config_path = CONFIG_DEFAULT_PATH;
	rc = global_options(&argc, &argv);
	if (rc >= 0)
		return rc;
	if (argc < 2) {
		fputs(help_main, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	argc--;
	argv++;
	config_defaults(&cli_cfg);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc, argv);
	if (help_for(cmd) && wants_help(argc, argv)) {
		fputs(help_for(cmd), stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].fn(argc, argv);
	fprintf(stderr, "bmdump: unknown command %s\n%s", cmd, help_main);
	return EXIT_USAGE;
}
