// SPDX-License-Identifier: GPL-2.0
/*
 * What every `bmdump COMMAND` shares (cli.h): the chosen configuration,
 * error and usage printing, and the area selection options.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sysfs.h"

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

int cli_bad_option(const char *cmd, char **argv)
{
	/* getopt's own message is off (opterr = 0): one line, our prefix. */
	const char *opt = optind > 0 ? argv[optind - 1] : "?";

	if (optopt && optopt != '?' && strlen(opt) > 1 && opt[0] == '-' &&
	    opt[1] == '-')
		return cli_usage_error(cmd, "option %s needs an argument", opt);
	return cli_usage_error(cmd, "unknown option %s", opt);
}

int cli_no_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument %s",
				       argv[optind]);
	return 0;
}

int cli_need_root(const char *cmd)
{
	/* The tests point BMDUMP_SYSROOT at a fake /sys and /proc. */
	if (geteuid() == 0 || getenv("BMDUMP_SYSROOT"))
		return 0;
	fprintf(stderr, "bmdump %s: must be run as root (sudo bmdump %s)\n",
		cmd, cmd);
	return EXIT_FAIL;
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

int cli_area_header(const struct area_sel *s, struct bmdump_area_header *h,
		    char *label, size_t size, struct bm_err *e)
{
	struct area_target t;
	int r;

	if (!s->from && !s->device && !cli_cfg.has_area)
		return bm_seterr(e, BM_E_USAGE, "not configured (AREA= in %s)",
				 cli_config_path);
	r = area_sel_open(&t, s, 0, e);
	if (r)
		return r;
	bm_strlcpy(label, t.label, size);
	r = area_header_read(&t.src, h, e);
	if (r)
		bm_seterr(e, r, "%s: %s", t.label, e->msg);
	target_close(&t);
	return r;
}

void cli_area_state(const struct area_sel *s, char *out, size_t size)
{
	struct bmdump_area_header h;
	struct bm_err e = { 0 };
	char uuid[37], label[PATH_MAX + 32];

	if (cli_area_header(s, &h, label, sizeof(label), &e)) {
		snprintf(out, size, "%s", e.msg);
		return;
	}
	bmdump_uuid_format(h.area_uuid, uuid);
	snprintf(out, size, "%s on %s, %s%s", uuid, label,
		 area_state_name(h.state), area_has_unsaved_dump(&h) ?
		 " (holds a dump not saved yet: run bmdump save)" : "");
}

int cli_dry_run(struct dry_run *d, int refresh)
{
	char buf[1024], path[PATH_MAX];

	/* Writing the level in force again re-runs the hook's dry run
	 * (scratch bitmap; the armed one is not touched): counts of now,
	 * not of when the module was loaded. */
	if (refresh && geteuid() == 0 &&
	    sys_read(SYS_HOOK_DUMP_LEVEL, buf, sizeof(buf)) == 0) {
		sys_path(path, sizeof(path), SYS_HOOK_DUMP_LEVEL);
		write_text_file(path, buf);
	}
	if (sys_read(SYS_HOOK_DRY_RUN, buf, sizeof(buf)))
		return -1;
	return dry_run_parse(buf, d);
}

int cli_capacity_warning(uint64_t capacity, char *out, size_t size)
{
	struct dry_run d;
	uint64_t need;
	char a[32], b[32];

	if (cli_dry_run(&d, 0))
		return 0;
	need = estimate_image_bytes(d.max_pfn, d.pages_set);
	if (!need || need <= capacity)
		return 0;
	format_bytes(need, a, sizeof(a));
	format_bytes(capacity, b, sizeof(b));
	snprintf(out, size, "the area is too small: a crash now would write "
		 "%s at dump level %u, the area holds %s, so the dump would "
		 "be INCOMPLETE (raise DUMP_LEVEL, or prepare a larger area; "
		 "see bmdump estimate)", a, d.dump_level, b);
	return 1;
}
