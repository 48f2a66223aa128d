// SPDX-License-Identifier: GPL-2.0
/* The stub's command-line parsing: both elfcorehdr= forms, bmdump.* options. */
#include "fakes.h"
#include "testbuf.h"

#include <string.h>

#include "cmdline.h"
#include "errors.h"

static void test_elfcorehdr_kexec_load_form(void **state)
{
	uint64_t addr, size;

	assert_int_equal(parse_elfcorehdr(
		"bmdump.final=reset acpi_rsdp=0x3f77d014 elfcorehdr=900468K",
		&addr, &size), 0);
	assert_int_equal(addr, 900468ull << 10);
	assert_int_equal(size, 0);
}

static void test_elfcorehdr_kexec_file_form(void **state)
{
	uint64_t addr, size;

	assert_int_equal(parse_elfcorehdr("elfcorehdr=0x33000000 foo=bar",
					  &addr, &size), 0);
	assert_int_equal(addr, 0x33000000);
}

static void test_elfcorehdr_size_at_addr(void **state)
{
	uint64_t addr, size;

	assert_int_equal(parse_elfcorehdr("elfcorehdr=64K@0x1000000", &addr,
					  &size), 0);
	assert_int_equal(addr, 0x1000000);
	assert_int_equal(size, 64 << 10);
}

static void test_elfcorehdr_missing_and_garbage(void **state)
{
	uint64_t addr, size;

	assert_int_equal(parse_elfcorehdr("console=ttyS0", &addr, &size),
			 E_CMD_NO_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("", &addr, &size),
			 E_CMD_NO_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=", &addr, &size),
			 E_CMD_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=12Q", &addr, &size),
			 E_CMD_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=0x", &addr, &size),
			 E_CMD_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=@", &addr, &size),
			 E_CMD_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=0", &addr, &size),
			 E_CMD_ELFCOREHDR);
	/* 2^64 overflows */
	assert_int_equal(parse_elfcorehdr("elfcorehdr=18446744073709551616",
					  &addr, &size), E_CMD_ELFCOREHDR);
	assert_int_equal(parse_elfcorehdr("elfcorehdr=17179869184G", &addr,
					  &size), E_CMD_ELFCOREHDR);
}

static void test_find_last_wins_and_quotes(void **state)
{
	const char *v;
	size_t len;

	assert_true(cmdline_find("a=1 b=\"x y\" a=2", "a", &v, &len));
	assert_int_equal(len, 1);
	assert_memory_equal(v, "2", 1);
	assert_true(cmdline_find("a=1 b=\"x y\" a=2", "b", &v, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(v, "x y", 3);
	assert_false(cmdline_find("ab=1", "a", &v, &len));
	assert_false(cmdline_find("xa=1", "a", &v, &len));
}

static void test_options(void **state)
{
	struct stub_options o;

	assert_int_equal(stub_options_parse(
		"elfcorehdr=0x1000 bmdump.final=halt bmdump.desc=0x2a000 "
		"bmdump.area=773451c3-e640-4c89-9aab-b4fe3b56a9c9 "
		"bmdump.overwrite=1 acpi_rsdp=0xf59d0", &o), 0);
	assert_int_equal(o.final_action, FINAL_HALT);
	assert_true(o.has_desc);
	assert_int_equal(o.desc_addr, 0x2a000);
	assert_true(o.has_area);
	assert_int_equal(o.area_uuid[0], 0x77);
	assert_int_equal(o.area_uuid[15], 0xc9);
	assert_int_equal(o.overwrite, 1);
	assert_int_equal(o.acpi_rsdp, 0xf59d0);
}

/* bmdump.scan=: auto (the default), hook or stub; a typo keeps auto. */
static void test_scan_option(void **state)
{
	static const struct {
		const char *cl;
		int err, mode;
	} cases[] = {
		{ "elfcorehdr=4K", 0, SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan=stub", 0, SCAN_MODE_STUB },
		{ "elfcorehdr=4K bmdump.scan=auto", 0, SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan=hook", 0, SCAN_MODE_HOOK },
		{ "bmdump.scan=stub elfcorehdr=4K bmdump.scan=auto", 0,
		  SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan=stubs", E_SCAN_OPTION,
		  SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan=", E_SCAN_OPTION, SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan", E_SCAN_OPTION, SCAN_MODE_AUTO },
		{ "elfcorehdr=4K bmdump.scan=STUB", E_SCAN_OPTION,
		  SCAN_MODE_AUTO },
	};
	struct stub_options o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(stub_options_parse(cases[i].cl, &o),
				 cases[i].err);
		assert_int_equal(o.scan_mode, cases[i].mode);
		assert_int_equal(o.elfcorehdr_addr, 4096);
	}
}

/* bmdump.smp=: 1 (the default) or 0; anything else keeps the default. */
static void test_smp_option(void **state)
{
	static const struct {
		const char *cl;
		int err, smp;
	} cases[] = {
		{ "elfcorehdr=4K", 0, BMDUMP_SMP_DEFAULT },
		{ "elfcorehdr=4K bmdump.smp=0", 0, 0 },
		{ "elfcorehdr=4K bmdump.smp=1", 0, 1 },
		{ "bmdump.smp=0 elfcorehdr=4K bmdump.smp=1", 0, 1 },
		{ "elfcorehdr=4K bmdump.smp=2", E_SMP_OPTION,
		  BMDUMP_SMP_DEFAULT },
		{ "elfcorehdr=4K bmdump.smp=", E_SMP_OPTION,
		  BMDUMP_SMP_DEFAULT },
		{ "elfcorehdr=4K bmdump.smp=off", E_SMP_OPTION,
		  BMDUMP_SMP_DEFAULT },
	};
	struct stub_options o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(stub_options_parse(cases[i].cl, &o),
				 cases[i].err);
		assert_int_equal(o.smp, cases[i].smp);
		assert_int_equal(o.elfcorehdr_addr, 4096);
	}
}

/* bmdump.bsp=: a number below 2^32; a bad one is as none. */
static void test_bsp_option(void **state)
{
	static const struct {
		const char *cl;
		int err, has;
		uint32_t id;
	} cases[] = {
		{ "elfcorehdr=4K", 0, 0, 0 },
		{ "elfcorehdr=4K bmdump.bsp=0", 0, 1, 0 },
		{ "elfcorehdr=4K bmdump.bsp=6", 0, 1, 6 },
		{ "bmdump.bsp=1 elfcorehdr=4K bmdump.bsp=0x100", 0, 1, 0x100 },
		{ "elfcorehdr=4K bmdump.bsp=4294967295", 0, 1, 0xffffffffu },
		{ "elfcorehdr=4K bmdump.bsp=4294967296", E_SMP_BSP_OPTION,
		  0, 0 },
		{ "elfcorehdr=4K bmdump.bsp=", E_SMP_BSP_OPTION, 0, 0 },
		{ "elfcorehdr=4K bmdump.bsp", E_SMP_BSP_OPTION, 0, 0 },
		{ "elfcorehdr=4K bmdump.bsp=-1", E_SMP_BSP_OPTION, 0, 0 },
	};
	struct stub_options o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(stub_options_parse(cases[i].cl, &o),
				 cases[i].err);
		assert_int_equal(o.has_bsp, cases[i].has);
		assert_int_equal(o.bsp_apic_id, cases[i].id);
		assert_int_equal(o.elfcorehdr_addr, 4096);
	}
}

/* bmdump.level=: the stub scan's dump level, 0-31; a bad one keeps 31. */
static void test_level_option(void **state)
{
	static const struct {
		const char *cl;
		int err;
		unsigned int level;
	} cases[] = {
		{ "elfcorehdr=4K", 0, 31 },
		{ "elfcorehdr=4K bmdump.level=17", 0, 17 },
		{ "elfcorehdr=4K bmdump.level=0", 0, 0 },
		{ "elfcorehdr=4K bmdump.level=0x1f", 0, 31 },
		{ "elfcorehdr=4K bmdump.level=32", E_SCAN_LEVEL, 31 },
		{ "elfcorehdr=4K bmdump.level=-1", E_SCAN_LEVEL, 31 },
		{ "elfcorehdr=4K bmdump.level=", E_SCAN_LEVEL, 31 },
		{ "elfcorehdr=4K bmdump.level=4294967313", E_SCAN_LEVEL, 31 },
		{ "bmdump.level=zz elfcorehdr=4K bmdump.scan=stub", E_SCAN_LEVEL,
		  31 },
	};
	struct stub_options o;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(stub_options_parse(cases[i].cl, &o),
				 cases[i].err);
		assert_int_equal(o.dump_level, cases[i].level);
		assert_int_equal(o.elfcorehdr_addr, 4096);
	}
}

static void test_bad_options_keep_safe_defaults(void **state)
{
	struct stub_options o;

	assert_int_equal(stub_options_parse(
		"elfcorehdr=4K bmdump.final=explode bmdump.area=nope "
		"bmdump.desc=zz bmdump.overwrite=yes", &o), E_CMD_FINAL);
	assert_int_equal(o.final_action, FINAL_RESET);
	assert_false(o.has_area);
	assert_false(o.has_desc);
	assert_int_equal(o.overwrite, 0);
	assert_int_equal(o.elfcorehdr_addr, 4096);
}

static void test_overlong_cmdline(void **state)
{
	static char cl[CMDLINE_MAX + 10];
	struct stub_options o;

	memset(cl, 'a', sizeof(cl) - 1);
	assert_int_equal(stub_options_parse(cl, &o), E_CMD_TOO_LONG);
}

static int teardown(void **state)
{
	tb_free_all();
	return 0;
}

/* s without its NUL, at the end of an allocation. */
static const char *raw(const char *s)
{
	return tb_dup(s, strlen(s));
}

/* s with its NUL as the last byte of its allocation. */
static const char *raw_str(const char *s)
{
	return tb_dup(s, strlen(s) + 1);
}

static int memsize(const char *s, uint64_t *v)
{
	return cmdline_parse_memsize(raw(s), strlen(s), v);
}

static int u64(const char *s, uint64_t *v)
{
	return cmdline_parse_u64(raw(s), strlen(s), v);
}

static void test_memsize_suffixes(void **state)
{
	uint64_t v;

	assert_int_equal(memsize("1K", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(memsize("1k", &v), 0);
	assert_int_equal(v, 1024);
	assert_int_equal(memsize("2M", &v), 0);
	assert_int_equal(v, 2ull << 20);
	assert_int_equal(memsize("3g", &v), 0);
	assert_int_equal(v, 3ull << 30);
	assert_int_equal(memsize("1T", &v), 0);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(memsize("0x10K", &v), 0);
	assert_int_equal(v, 16 << 10);
	/* A trailing hex digit is a digit, not a suffix. */
	assert_int_equal(memsize("0x1e", &v), 0);
	assert_int_equal(v, 0x1e);
	assert_int_equal(memsize("16", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(memsize("17179869183G", &v), 0);
	assert_int_equal(v, 17179869183ull << 30);
	v = 77;
	assert_int_equal(memsize("", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("K", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("1KK", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("0xG", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("1E", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("-1K", &v), E_CMD_NUMBER);
	assert_int_equal(memsize("16777216T", &v), E_CMD_NUMBER); /* 2^64 */
	assert_int_equal(memsize("18014398509481984K", &v), E_CMD_NUMBER);
	assert_int_equal(v, 77);
}

static void test_u64(void **state)
{
	uint64_t v;

	assert_int_equal(u64("18446744073709551615", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(u64("0xffffffffffffffff", &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(u64("0X1f", &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(u64("007", &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(u64("18446744073709551616", &v), E_CMD_NUMBER);
	assert_int_equal(u64("0x10000000000000000", &v), E_CMD_NUMBER);
	assert_int_equal(u64("0x", &v), E_CMD_NUMBER);
	assert_int_equal(u64("", &v), E_CMD_NUMBER);
	assert_int_equal(u64("12 ", &v), E_CMD_NUMBER);
	assert_int_equal(u64("-1", &v), E_CMD_NUMBER);
	assert_int_equal(u64("1a", &v), E_CMD_NUMBER);
	assert_int_equal(u64("0x1g", &v), E_CMD_NUMBER);
}

static void test_real_command_lines(void **state)
{
	static const char kexec_load[] =
		"BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-amd64 "
		"root=UUID=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 ro quiet "
		"bmdump.area=773451c3-e640-4c89-9aab-b4fe3b56a9c9 "
		"bmdump.desc=0x1f3a2000 acpi_rsdp=0x3f77d014 "
		"elfcorehdr=1031540K";
	static const char kexec_file[] =
		"elfcorehdr=0x33000000 "
		"bmdump.area=773451c3-e640-4c89-9aab-b4fe3b56a9c9 "
		"bmdump.final=halt";
	struct stub_options o;

	assert_int_equal(stub_options_parse(raw_str(kexec_load), &o), 0);
	assert_int_equal(o.elfcorehdr_addr, 1031540ull << 10);
	assert_int_equal(o.elfcorehdr_size, 0);
	assert_int_equal(o.acpi_rsdp, 0x3f77d014);
	assert_true(o.has_desc);
	assert_int_equal(o.desc_addr, 0x1f3a2000);
	assert_true(o.has_area);
	assert_int_equal(o.final_action, FINAL_RESET);
	assert_int_equal(o.overwrite, 0);

	assert_int_equal(stub_options_parse(raw_str(kexec_file), &o), 0);
	assert_int_equal(o.elfcorehdr_addr, 0x33000000);
	assert_int_equal(o.acpi_rsdp, 0);
	assert_false(o.has_desc);
	assert_true(o.has_area);
	assert_int_equal(o.final_action, FINAL_HALT);
}

static void test_separators(void **state)
{
	const char *v;
	size_t len;

	assert_true(cmdline_find("a=1\tb=2\nc=3\r d=4", "c", &v, &len));
	assert_int_equal(len, 1);
	assert_memory_equal(v, "3", 1);
	assert_true(cmdline_find("   lead=x   ", "lead", &v, &len));
	assert_int_equal(len, 1);
	assert_true(cmdline_find("q=\"a b\"c d=1", "d", &v, &len));
	assert_memory_equal(v, "1", 1);
	/* An unterminated quote runs to the end. */
	assert_true(cmdline_find("x=\"open ended", "x", &v, &len));
	assert_int_equal(len, 10);
	assert_memory_equal(v, "open ended", 10);
	assert_true(cmdline_find("x=\"", "x", &v, &len));
	assert_int_equal(len, 0);
	/* Bare key. */
	assert_true(cmdline_find("quiet ro", "quiet", &v, &len));
	assert_int_equal(len, 0);
	assert_false(cmdline_find("", "quiet", &v, &len));
	assert_false(cmdline_find("     ", "quiet", &v, &len));
}

static void test_empty_values(void **state)
{
	struct stub_options o;

	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.final", &o),
			 E_CMD_FINAL);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.final=",
					    &o), E_CMD_FINAL);
	assert_int_equal(stub_options_parse("elfcorehdr=4K acpi_rsdp=", &o),
			 E_CMD_NUMBER);
	assert_int_equal(o.acpi_rsdp, 0);
	assert_int_equal(stub_options_parse("elfcorehdr=4K acpi_rsdp=0xzz",
					    &o), E_CMD_NUMBER);
	assert_int_equal(o.acpi_rsdp, 0);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.desc=", &o),
			 E_CMD_NUMBER);
	assert_false(o.has_desc);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.overwrite=",
					    &o), E_CMD_OVERWRITE);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.area=", &o),
			 E_CMD_UUID);
	/* The first error is returned; later options still count. */
	assert_int_equal(stub_options_parse("elfcorehdr=4K acpi_rsdp=bad "
					    "bmdump.final=halt", &o),
			 E_CMD_NUMBER);
	assert_int_equal(o.final_action, FINAL_HALT);
	/* FINAL_ACTION=boot (issue 21). */
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.final=boot",
					    &o), 0);
	assert_int_equal(o.final_action, FINAL_BOOT);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.final=booty",
					    &o), E_CMD_FINAL);
	assert_int_equal(o.final_action, FINAL_RESET);
	/* No elfcorehdr= outranks the rest. */
	assert_int_equal(stub_options_parse("bmdump.final=x", &o),
			 E_CMD_NO_ELFCOREHDR);
	assert_int_equal(o.final_action, FINAL_RESET);
	/* A quoted UUID. */
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.area="
			"\"773451c3-e640-4c89-9aab-b4fe3b56a9c9\"", &o), 0);
	assert_true(o.has_area);
	/* One character short, one too many. */
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.area="
			"773451c3-e640-4c89-9aab-b4fe3b56a9c", &o), E_CMD_UUID);
	assert_int_equal(stub_options_parse("elfcorehdr=4K bmdump.area="
			"773451c3-e640-4c89-9aab-b4fe3b56a9c9a", &o),
			 E_CMD_UUID);
}

static void test_cmdline_max_exactly(void **state)
{
	char *cl = tb_alloc(CMDLINE_MAX + 1);
	struct stub_options o;

	memset(cl, 'a', CMDLINE_MAX);
	memcpy(cl, "elfcorehdr=4K ", 14);
	cl[CMDLINE_MAX] = 0;
	assert_int_equal(stub_options_parse(cl, &o), 0);
	assert_int_equal(o.elfcorehdr_addr, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elfcorehdr_kexec_load_form),
		cmocka_unit_test(test_elfcorehdr_kexec_file_form),
		cmocka_unit_test(test_elfcorehdr_size_at_addr),
		cmocka_unit_test(test_elfcorehdr_missing_and_garbage),
		cmocka_unit_test(test_find_last_wins_and_quotes),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_bad_options_keep_safe_defaults),
		cmocka_unit_test(test_overlong_cmdline),
		cmocka_unit_test_teardown(test_memsize_suffixes, teardown),
		cmocka_unit_test_teardown(test_u64, teardown),
		cmocka_unit_test_teardown(test_real_command_lines, teardown),
		cmocka_unit_test_teardown(test_separators, teardown),
		cmocka_unit_test_teardown(test_empty_values, teardown),
		cmocka_unit_test_teardown(test_cmdline_max_exactly, teardown),
		cmocka_unit_test_teardown(test_scan_option, teardown),
		cmocka_unit_test_teardown(test_smp_option, teardown),
		cmocka_unit_test_teardown(test_bsp_option, teardown),
		cmocka_unit_test_teardown(test_level_option, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
