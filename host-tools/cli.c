// SPDX-License-Identifier: GPL-2.0
/*
 * What every `bmdump COMMAND` shares (cli.h): the chosen configuration,
 * error and usage printing, and the area selection options.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

const char *cli_config_path;
struct bm_config cli_cfg;
int cli_cfg_found;

int cli_fail(const struct bm_err *e)
{
	fprintf(stderr, "bmdump: error: %s\n", e->msg);
	return bm_exit_code(e->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bmdump %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see bmdump help %s)\n", cmd);
	return EXIT_USAGE;
}

void cli_print_config_warnings(void)
{
	unsigned int i;

	for (i = 0; i < cli_cfg.nr_warnings; i++)
		fprintf(stderr, "bmdump: warning: %s\n", cli_cfg.warnings[i]);
}

int cli_load_config(int required)
{
	struct bm_err e = { 0 };

	if (config_load(&cli_cfg, cli_config_path, &cli_cfg_found, &e))
		return cli_fail(&e);
	cli_print_config_warnings();
	if (required && !cli_cfg_found) {
		fprintf(stderr, "bmdump: error: %s does not exist: install it "
			"(see bmdump.conf(5))\n", cli_config_path);
		return EXIT_USAGE;
	}
	return 0;
}

int area_sel_option(struct area_sel *s, int c, const char *arg)
{
	switch (c) {
	case 'F':
		s->from = arg;
		return 1;
	case 'p':
		s->partno = atoi(arg);
		return 1;
	case 'd':
		s->device = arg;
		return 1;
	}
	return 0;
}

int area_sel_open(struct area_target *t, const struct area_sel *s,
		  int writable, struct bm_err *e)
{
	if (s->from)
		return target_open_image(t, s->from, s->partno, writable, e);
	if (s->device)
		return target_open_device(t, s->device, writable, e);
	if (cli_cfg.has_area)
		return target_find_uuid(t, cli_cfg.area, writable, e);
	return bm_seterr(e, BM_E_USAGE, "no area: set AREA= in %s, or give "
			 "--device PART or --from IMAGE", cli_config_path);
}
