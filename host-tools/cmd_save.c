// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump save`: options into save_opts, then save.c's save_area on the
 * selected area, or (no area configured or given) on every partition of
 * bmdump's type.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compress.h"
#include "coredir.h"
#include "offbox.h"
#include "save.h"

struct save_all {
	const struct save_opts *o;
	int rc;
	int found;
	int saved;
	char dir[PATH_MAX];
};

/* `bmdump test --crash` left a marker: say whether the drill's crash
 * made it to COREDIR, then forget the drill. */
static void report_crash_test(const char *coredir, int saved,
			      const char *dir)
{
	char text[128], when[64];
	long long t = 0;
	int cfd;

	cfd = open(coredir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0)
		return;
	if (coredir_read_own_file(cfd, CRASH_TEST_MARKER, text,
				  sizeof(text))) {
		close(cfd);
		return;
	}
	if (sscanf(text, "time=%lld", &t) != 1)
		t = 0;
	format_time(t, when, sizeof(when));
	if (saved)
		printf("bmdump: crash test of %s: PASSED: the crash was "
		       "captured and saved to %s\n", when, dir);
	else
		printf("bmdump: crash test of %s: FAILED: the area holds no "
		       "dump of it; see the stub's log (bmdump info --area "
		       "--log) and the console\n", when);
	unlinkat(cfd, CRASH_TEST_MARKER, 0);
	close(cfd);
}

/* The off-box copy of a dump just saved; 0 or an exit code. */
static int copy_off_box(const char *coredir, const char *dir)
{
	struct bm_err e = { 0 };
	const char *name = strrchr(dir, '/');
	int cfd, r;

	if (!cli_cfg.ssh[0] && !cli_cfg.nfs[0])
		return 0;
	cfd = coredir_open(coredir, &e);
	if (cfd < 0)
		return cli_fail(&e);
	r = offbox_copy(&cli_cfg, cfd, coredir, name ? name + 1 : dir, &e);
	close(cfd);
	return r ? cli_fail(&e) : 0;
}

static void save_one_dev(const char *dev, void *ctx)
{
	struct save_all *s = ctx;
	struct area_target t;
	struct bm_err e = { 0 };
	char dir[PATH_MAX];
	int saved, r;

	s->found++;
	r = target_open_device(&t, dev, 1, &e);
	if (!r)
		r = save_area(&t, s->o, &saved, dir, sizeof(dir), &e);
	target_close(&t);
	if (r && r != BM_E_NOAREA) {
		int rc = cli_fail(&e);

		if (!s->rc)
			s->rc = rc;
	}
	if (!r && saved) {
		int rc = copy_off_box(s->o->coredir, dir);

		s->saved = 1;
		bm_strlcpy(s->dir, dir, sizeof(s->dir));
		if (rc && !s->rc)
			s->rc = rc;
	}
}

/* 0, or the exit code of a usage error. */
static int save_parse_args(int argc, char **argv, struct area_sel *sel,
		      struct save_opts *so, const char **coredir,
		      int *compress, int *no_progress)
{
	static const struct option opts[] = {
		AREA_SEL_OPTIONS,
		{ "dir", required_argument, NULL, 'D' },
		{ "compress", required_argument, NULL, 'c' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ "progress", no_argument, NULL, 'G' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (area_sel_option(sel, c, optarg))
			continue;
		switch (c) {
		case 'D':
			*coredir = optarg;
			break;
		case 'c':
			*compress = comp_parse(optarg);
			if (*compress < 0)
				return cli_usage_error("save", "--compress "
						       "must be zlib, lzo, "
						       "zstd, snappy or none");
			break;
		case 'r':
			so->read_only = 1;
			break;
		case 'P':
			*no_progress = 1;
			break;
		case 'G':
			*no_progress = -1;	/* even when not a terminal */
			break;
		default:
			return cli_bad_option("save", argv);
		}
	}
	return cli_no_args("save", argc, argv);
}

int cmd_save(int argc, char **argv)
{
	struct area_sel sel = { 0 };
	struct save_opts so = { 0 };
	struct area_target t;
	struct bm_err e = { 0 };
	char dir[PATH_MAX] = "";
	const char *coredir = NULL;
	int rc, saved = 0, compress = -1, no_progress = 0;
	uint64_t v;

	rc = save_parse_args(argc, argv, &sel, &so, &coredir, &compress,
			&no_progress);
	if (rc)
		return rc;
	rc = cli_load_config(0);
	if (rc)
		return rc;
	so.coredir = coredir ? coredir : cli_cfg.coredir;
	so.compress = compress >= 0 ? compress : cli_cfg.compress;
	so.keep = cli_cfg.keep;
	so.min_free = cli_cfg.min_free;
	so.makedumpfile = cli_cfg.makedumpfile;
	so.progress = no_progress < 0 || (!no_progress && isatty(2));
	so.threads = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	/* Fault injection for the tests: die like a power cut would. */
	if (getenv("BMDUMP_TEST_ABORT_AFTER_PAGES") &&
	    !parse_u64(getenv("BMDUMP_TEST_ABORT_AFTER_PAGES"), &v))
		so.abort_after_pages = v;
	if (!sel.from && !sel.device && !cli_cfg.has_area) {
		/* No area configured: every area partition on the system. */
		struct save_all sa = { .o = &so };

		target_scan_type(save_one_dev, &sa);
		if (!sa.found)
			printf("bmdump: nothing to save: no area configured "
			       "(AREA= in %s) and no partition of bmdump's "
			       "type found\n", cli_config_path);
		report_crash_test(so.coredir, sa.saved, sa.dir);
		return sa.rc;
	}
	rc = area_sel_open(&t, &sel, !so.read_only, &e);
	if (rc == BM_E_IO && sel.from && !so.read_only)
		rc = area_sel_open(&t, &sel, 0, &e);	/* read-only image */
	if (rc)
		return cli_fail(&e);
	rc = save_area(&t, &so, &saved, dir, sizeof(dir), &e);
	target_close(&t);
	if (rc)
		return cli_fail(&e);
	if (!so.read_only)
		report_crash_test(so.coredir, saved, dir);
	return saved ? copy_off_box(so.coredir, dir) : 0;
}
