// SPDX-License-Identifier: GPL-2.0
/* The stub's command line, the kexec invocation and the loader choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <bmdump/cmdline.h>

#include "loadcmd.h"

static void cfg_with_area(struct bm_config *c)
{
	struct bm_err e;

	config_defaults(c);
	assert_int_equal(config_parse(c, "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0\n"
				      "STUB=/lib/bm/stub\nKEXEC=/sbin/kexec\n",
				      "t", &e), 0);
}

static void test_lockdown_parse(void **state)
{
	assert_int_equal(lockdown_parse("[none] integrity confidentiality"),
			 LOCKDOWN_NONE);
	assert_int_equal(lockdown_parse("none [integrity] confidentiality"),
			 LOCKDOWN_INTEGRITY);
	assert_int_equal(lockdown_parse("none integrity [confidentiality]"),
			 LOCKDOWN_CONFIDENTIALITY);
	assert_int_equal(lockdown_parse("none integrity"), LOCKDOWN_UNKNOWN);
	assert_int_equal(lockdown_parse("[bogus]"), LOCKDOWN_UNKNOWN);
	assert_int_equal(lockdown_parse(""), LOCKDOWN_UNKNOWN);
}

static void test_choose_mode(void **state)
{
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_AUTO, LOCKDOWN_NONE),
			 KEXEC_MODE_LOAD);
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_AUTO, LOCKDOWN_UNKNOWN),
			 KEXEC_MODE_LOAD);
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_AUTO,
					   LOCKDOWN_INTEGRITY),
			 KEXEC_MODE_FILE);
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_AUTO,
					   LOCKDOWN_CONFIDENTIALITY),
			 KEXEC_MODE_FILE);
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_FILE, LOCKDOWN_NONE),
			 KEXEC_MODE_FILE);
	assert_int_equal(kexec_choose_mode(KEXEC_MODE_LOAD,
					   LOCKDOWN_INTEGRITY),
			 KEXEC_MODE_LOAD);
}

static void test_cmdline_basic(void **state)
{
	struct bm_config c;
	struct bm_err e;
	char out[512];

	cfg_with_area(&c);
	assert_int_equal(build_stub_cmdline(&c, 1, 0x12345000, -1, out,
					    sizeof(out), &e), 0);
	assert_string_equal(out, "bmdump.desc=0x12345000 "
			    "bmdump.area=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0 "
			    "bmdump.final=reset");
	c.final_action = FINAL_ACTION_HALT;
	c.overwrite = 1;
	strcpy(c.append, "  console=ttyS1  ");
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_string_equal(out, "bmdump.area=0f1e2d3c-4b5a-4978-8695-"
			    "a4b3c2d1e0f0 bmdump.final=halt "
			    "bmdump.overwrite=1 console=ttyS1");
	/* FINAL_ACTION=boot reaches the stub, whose parser takes it. */
	c.final_action = FINAL_ACTION_BOOT;
	c.overwrite = 0;
	c.append[0] = 0;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_string_equal(out, "bmdump.area=0f1e2d3c-4b5a-4978-8695-"
			    "a4b3c2d1e0f0 bmdump.final=boot");
	/* SCAN= reaches the stub as bmdump.scan=, auto (its default) as
	 * nothing. */
	c.final_action = FINAL_ACTION_RESET;
	c.scan_mode = SCAN_MODE_AUTO;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_null(strstr(out, "bmdump.scan="));
	c.scan_mode = SCAN_MODE_HOOK;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_string_equal(out, "bmdump.area=0f1e2d3c-4b5a-4978-8695-"
			    "a4b3c2d1e0f0 bmdump.final=reset bmdump.scan=hook");
	c.scan_mode = SCAN_MODE_STUB;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_non_null(strstr(out, " bmdump.scan=stub"));
	assert_null(strstr(out, "bmdump.level="));
	/* DUMP_LEVEL reaches the stub's scan as bmdump.level=; with
	 * SCAN=hook the module has it (sysfs) and the stub never scans. */
	c.dump_level = 17;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_string_equal(out, "bmdump.area=0f1e2d3c-4b5a-4978-8695-"
			    "a4b3c2d1e0f0 bmdump.final=reset bmdump.scan=stub "
			    "bmdump.level=17");
	c.scan_mode = SCAN_MODE_HOOK;
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out,
					    sizeof(out), &e),
			 0);
	assert_null(strstr(out, "bmdump.level="));
}

/* bmdump.bsp=: the crashed kernel's CPU 0, checked by the stub's parser */
static void test_cmdline_bsp(void **state)
{
	struct bm_config c;
	struct bm_err e = { 0 };
	char out[512];

	cfg_with_area(&c);
	strcpy(c.append, "console=ttyS0");
	assert_int_equal(build_stub_cmdline(&c, 0, 0, 6, out, sizeof(out),
					    &e), 0);
	assert_string_equal(out, "bmdump.area=0f1e2d3c-4b5a-4978-8695-"
			    "a4b3c2d1e0f0 bmdump.final=reset bmdump.bsp=6 "
			    "console=ttyS0");
	assert_int_equal(build_stub_cmdline(&c, 0, 0, 4294967295ll, out,
					    sizeof(out), &e), 0);
	assert_non_null(strstr(out, " bmdump.bsp=4294967295 "));
	/* bmdump sets it: APPEND may not */
	strcpy(c.append, "bmdump.bsp=2");
	assert_int_equal(build_stub_cmdline(&c, 0, 0, 6, out, sizeof(out),
					    &e), BM_E_USAGE);
	assert_int_equal(build_stub_cmdline(&c, 0, 0, -1, out, sizeof(out),
					    &e), BM_E_USAGE);
}

/* /proc/cpuinfo: processor 0's apicid, wherever its block is. */
static void test_cpuinfo_bsp(void **state)
{
	uint32_t id = 77;

	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\nvendor_id\t: GenuineIntel\n"
		"initial apicid\t: 9\napicid\t\t: 4\n\n"
		"processor\t: 1\napicid\t\t: 0\n", &id), 0);
	assert_int_equal(id, 4);
	/* processor 0 listed second; CRLF; a big x2APIC ID */
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 1\r\napicid\t\t: 2\r\n\r\n"
		"processor : 0\r\napicid :  4294967295 \r\n", &id), 0);
	assert_int_equal(id, 4294967295u);
	/* processor 10 and 00 are not processor 0 ... */
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 10\napicid\t\t: 3\n", &id), -1);
	/* ... apicid must be in processor 0's own block */
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\nflags\t\t: fpu\n\napicid\t\t: 3\n",
		&id), -1);
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\nprocessor\t: 1\napicid\t\t: 3\n",
		&id), -1);
	/* malformed or too big: none rather than a wrong one */
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\napicid\t\t: 0x4\n", &id), -1);
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\napicid\t\t: 4294967296\n", &id), -1);
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\napicid\t\t:\n", &id), -1);
	assert_int_equal(cpuinfo_bsp_apicid("", &id), -1);
	/* not x86: no apicid at all */
	assert_int_equal(cpuinfo_bsp_apicid(
		"processor\t: 0\nBogoMIPS\t: 50.00\n", &id), -1);
	assert_int_equal(id, 4294967295u);
}

static void test_cmdline_errors(void **state)
{
	struct bm_config c;
	struct bm_err e = { 0 };
	char out[512];

	config_defaults(&c);
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "bmdump prepare"));
	cfg_with_area(&c);
	strcpy(c.append, "foo bmdump.area=1234");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "bmdump.area"));
	strcpy(c.append, "bmdump.scan=stub");	/* SCAN= says it */
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "bmdump.scan"));
	strcpy(c.append, "bmdump.level=3");	/* DUMP_LEVEL says it */
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	strcpy(c.append, "elfcorehdr=0x1000");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	strcpy(c.append, "x\ty");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	strcpy(c.append, "bmdump.areas=ok");	/* only exact keys are ours */
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 0);
	memset(c.append, 'a', 600);
	c.append[600] = 0;
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "shorten APPEND"));
}

/*
 * The stub reads its command line with quotes (as the kernel does): an
 * unbalanced quote in APPEND would swallow the elfcorehdr= kexec adds and
 * stop every dump.  load checks APPEND with the stub's own parser.
 */
static void test_cmdline_stub_parser(void **state)
{
	struct bm_config c;
	struct bm_err e = { 0 };
	char out[512];

	cfg_with_area(&c);
	strcpy(c.append, "console=\"ttyS0,115200");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "elfcorehdr"));
	assert_non_null(strstr(e.msg, "APPEND"));
	strcpy(c.append, "x=\"a b\" y=1");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 0);
	strcpy(c.append, "bmdump.fault_drill=1 \"");
	assert_int_equal(build_stub_cmdline(&c, 1, 1, -1, out,
					    sizeof(out), &e),
			 BM_E_USAGE);
}

static void test_kexec_argv(void **state)
{
	struct bm_config c;
	struct kexec_argv a;

	cfg_with_area(&c);
	build_kexec_load_argv(&a, &c, KEXEC_MODE_LOAD, "x=1 y=2");
	assert_int_equal(a.argc, 4);
	assert_string_equal(a.argv[0], "/sbin/kexec");
	assert_string_equal(a.argv[1], "-p");
	assert_string_equal(a.argv[2], "/lib/bm/stub");
	assert_string_equal(a.argv[3], "--append=x=1 y=2");
	assert_null(a.argv[4]);
	build_kexec_load_argv(&a, &c, KEXEC_MODE_FILE, "x=1");
	assert_int_equal(a.argc, 5);
	assert_string_equal(a.argv[1], "-s");
	assert_string_equal(a.argv[2], "-p");
	build_kexec_unload_argv(&a, &c);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[1], "-p");
	assert_string_equal(a.argv[2], "-u");
}

static void test_stub_header(void **state)
{
	uint8_t img[0x400] = { 0 };
	uint32_t size = 0;
	uint16_t v = 0x20f;
	uint32_t cl = 2048;
	struct bm_err e;

	assert_int_equal(stub_cmdline_size(img, sizeof(img), &size, &e),
			 BM_E_CORRUPT);
	memcpy(img + 0x202, "HdrS", 4);
	memcpy(img + 0x206, &v, 2);
	memcpy(img + 0x238, &cl, 4);
	assert_int_equal(stub_cmdline_size(img, sizeof(img), &size, &e), 0);
	assert_int_equal(size, 2048);
	assert_int_equal(stub_cmdline_size(img, 0x100, &size, &e),
			 BM_E_CORRUPT);
	assert_int_equal(cmdline_fits(100, 2048, &e), 0);
	assert_int_equal(cmdline_fits(2048 - CMDLINE_LOADER_RESERVE, 2048, &e),
			 0);
	assert_int_equal(cmdline_fits(2048 - CMDLINE_LOADER_RESERVE + 1, 2048,
				      &e), BM_E_USAGE);
	/* The stub's own buffer caps a generous header. */
	assert_int_equal(cmdline_fits(4090, 1 << 20, &e), BM_E_USAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockdown_parse),
		cmocka_unit_test(test_choose_mode),
		cmocka_unit_test(test_cmdline_basic),
		cmocka_unit_test(test_cmdline_errors),
		cmocka_unit_test(test_cmdline_stub_parser),
		cmocka_unit_test(test_cmdline_bsp),
		cmocka_unit_test(test_cpuinfo_bsp),
		cmocka_unit_test(test_kexec_argv),
		cmocka_unit_test(test_stub_header),
	};

	return cmocka_run_group_tests_name("tools_loadcmd", tests, NULL, NULL);
}
