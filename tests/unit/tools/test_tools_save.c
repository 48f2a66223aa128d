// SPDX-License-Identifier: GPL-2.0
/* Save-time naming and retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "info.h"
#include "save.h"

static void test_stamp(void **state)
{
	char s[16];

	setenv("TZ", "UTC", 1);
	tzset();
	save_stamp(1700000000, s);
	assert_string_equal(s, "202311142213");
	save_stamp(0, s);
	assert_string_equal(s, "197001010000");
}

static void test_dir_names(void **state)
{
	assert_true(save_is_dump_dir_name("202311142213"));
	assert_true(save_is_dump_dir_name("202311142213-2"));
	assert_true(save_is_dump_dir_name("202311142213-17"));
	assert_false(save_is_dump_dir_name("20231114221"));
	assert_false(save_is_dump_dir_name("2023111422130"));
	assert_false(save_is_dump_dir_name("202311142213-"));
	assert_false(save_is_dump_dir_name("202311142213-x"));
	assert_false(save_is_dump_dir_name("kdump_lock"));
	assert_false(save_is_dump_dir_name(".bmdump.lock"));
	assert_false(save_is_dump_dir_name("202311142213-12345678"));
}

static void test_retention(void **state)
{
	char *n[] = { "202401010000-2", "202312312359", "202401010000-10",
		      "202401010000", "202402020202" };
	unsigned int del;

	del = save_retention_select(n, 5, 2);
	assert_int_equal(del, 3);
	assert_string_equal(n[0], "202312312359");
	assert_string_equal(n[1], "202401010000");
	assert_string_equal(n[2], "202401010000-2");
	assert_string_equal(n[3], "202401010000-10");
	assert_string_equal(n[4], "202402020202");
	assert_int_equal(save_retention_select(n, 5, 0), 0);
	assert_int_equal(save_retention_select(n, 5, 5), 0);
	assert_int_equal(save_retention_select(n, 5, 9), 0);
	assert_int_equal(save_retention_select(n, 5, 1), 4);
}

static void test_log_crashed_cpu(void **state)
{
	int cpu = -5;
	uint64_t rip = 0;

	assert_int_equal(info_log_crashed_cpu("bmdump: kernel 6.1 node x, 2 "
		"cpus, crashed cpu 1 rip ffffffff8112abcd, 7 ram ranges\n",
		&cpu, &rip), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(rip, 0xffffffff8112abcdull);
	assert_int_equal(info_log_crashed_cpu("crashed cpu -1 rip 0\n", &cpu,
					      &rip), -1);
	assert_int_equal(info_log_crashed_cpu("nothing", &cpu, &rip), -1);
	assert_int_equal(info_log_crashed_cpu(NULL, &cpu, &rip), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_dir_names),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_log_crashed_cpu),
	};

	return cmocka_run_group_tests_name("tools_save", tests, NULL, NULL);
}
