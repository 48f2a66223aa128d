// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump test` (kdumpctl test): every check status and load make, all
 * reported at once, exit non-zero if any fails.  `--crash` then crashes
 * the machine for real (sysrq c) after a confirmation, leaving a marker in
 * COREDIR so that the next boot's `bmdump save` reports the drill's
 * result (cmd_save.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "coredir.h"
#include "loadcmd.h"
#include "status.h"
#include "sysfs.h"

/* The checks load makes that status does not: the command line fits the
 * stub, COREDIR is one save will accept.  Each failure is one line. */
static int load_checks(const struct status_facts *f)
{
	struct bm_err e = { 0 };
	char cmdline[STUB_CMDLINE_MAX];
	struct stat st;
	int failed = 0;

	if (f->config_ok && f->area_configured && f->stub_exists &&
	    cli_load_cmdline(f->have_desc, f->desc, cmdline, sizeof(cmdline),
			     &e)) {
		printf("  FAILED: stub command line: %s\n", e.msg);
		failed++;
	}
	if (stat(cli_cfg.coredir, &st) == 0 &&
	    (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	     (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		printf("  FAILED: COREDIR=%s is not a directory only this "
		       "user can write: save would refuse it\n",
		       cli_cfg.coredir);
		failed++;
	}
	return failed;
}

static int confirm_crash(void)
{
	char line[32];

	fprintf(stderr, "bmdump test --crash crashes this machine NOW "
		"(echo c > /proc/sysrq-trigger): running programs die and "
		"unsaved data is lost.  The next boot's bmdump save reports "
		"whether the dump was captured.\nType yes to crash: ");
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	line[strcspn(line, "\n")] = 0;
	return !strcmp(line, "yes");
}

/* The marker save looks for, then the crash itself. */
static int crash_drill(void)
{
	struct bm_err e = { 0 };
	char text[64], path[PATH_MAX];
	int cfd;

	cfd = coredir_open(cli_cfg.coredir, &e);
	if (cfd < 0)
		return cli_fail(&e);
	snprintf(text, sizeof(text), "time=%lld\n", (long long)time(NULL));
	if (coredir_write_file(cfd, CRASH_TEST_MARKER, text, strlen(text))) {
		close(cfd);
		bm_seterr(&e, BM_E_IO, "cannot write %s/%s: %s",
			  cli_cfg.coredir, CRASH_TEST_MARKER, strerror(errno));
		return cli_fail(&e);
	}
	close(cfd);
	printf("bmdump test: crashing now; after the reboot, bmdump save "
	       "reports the result\n");
	fflush(stdout);
	sync();
	sys_path(path, sizeof(path), SYS_SYSRQ_TRIGGER);
	if (write_text_file(path, "c")) {
		bm_seterr(&e, BM_E_IO, "cannot write %s: %s", path,
			  strerror(errno));
		return cli_fail(&e);
	}
	/* Still here: the kernel did not crash (or a test's fake /proc). */
	fprintf(stderr, "bmdump: error: the machine did not crash after "
		"writing c to %s\n", path);
	return EXIT_FAIL;
}

int cmd_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "crash", no_argument, NULL, 'c' },
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_facts f;
	struct status_report r;
	int c, crash = 0, yes = 0, failed, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'c')
			crash = 1;
		else if (c == 'y')
			yes = 1;
		else
			return cli_bad_option("test", argv);
	}
	rc = cli_no_args("test", argc, argv);
	if (!rc && crash)
		rc = cli_need_root("test --crash");
	if (rc)
		return rc;
	cli_status_probe(&f);
	status_evaluate(&f, &r);
	status_print_text(stdout, &f, &r);
	failed = (int)r.nr + load_checks(&f);
	if (failed) {
		printf("bmdump test: FAILED: %d check%s failed (above)\n",
		       failed, failed == 1 ? "" : "s");
		if (crash)
			fprintf(stderr, "bmdump: not crashing: a crash now "
				"would not be captured\n");
		return r.armed ? EXIT_FAIL : EXIT_NOT_ARMED;
	}
	printf("bmdump test: PASSED: every check passed\n");
	if (!crash)
		return 0;
	if (!yes && !confirm_crash()) {
		fprintf(stderr, "bmdump: not confirmed: no crash\n");
		return EXIT_FAIL;
	}
	return crash_drill();
}
