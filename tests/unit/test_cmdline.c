// SPDX-License-Identifier: GPL-2.0
/* The stub's command-line parsing: both elfcorehdr= forms, bmdump.* options. */
#include "fakes.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
