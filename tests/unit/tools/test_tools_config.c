// SPDX-License-Identifier: GPL-2.0
/* /etc/bmdump.conf parsing: values, quoting, defaults, errors by line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bmdump/cmdline.h>

#include "compress.h"
#include "config.h"

static const uint8_t uuid_bytes[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef,
	0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

static int parse(struct bm_config *c, const char *text, struct bm_err *e)
{
	config_defaults(c);
	return config_parse(c, text, "t.conf", e);
}

static void test_defaults(void **state)
{
	struct bm_config c;
	struct bm_err e;

	assert_int_equal(parse(&c, "", &e), 0);
	assert_false(c.has_area);
	assert_int_equal(c.dump_level, 31);
	assert_int_equal(c.final_action, FINAL_ACTION_RESET);
	assert_int_equal(c.kexec_mode, KEXEC_MODE_AUTO);
	assert_int_equal(c.compress, BM_COMP_LZO);
	assert_int_equal(c.keep, 0);
	assert_int_equal(c.min_free, 1ull << 30);
	assert_false(c.overwrite);
	assert_string_equal(c.coredir, "/var/crash");
	assert_string_equal(c.module, "bmdump");
	assert_non_null(strstr(c.stub, "bmdump.bzImage"));
}

static void test_full(void **state)
{
	struct bm_config c;
	struct bm_err e;
	const char *text =
		"# a comment\n"
		"\n"
		"AREA=12345678-9abc-4def-8123-456789abcdef\n"
		"DUMP_LEVEL=17   # trailing comment\n"
		"FINAL_ACTION=halt\n"
		"KEXEC_FILE_LOAD=yes\n"
		"OVERWRITE=yes\n"
		"COMPRESS=zstd\n"
		"KEEP=3\n"
		"MIN_FREE=512M\n"
		"STUB=/opt/bm/stub.bzImage\n"
		"COREDIR='/srv/crash dumps'\n"
		"MODULE=bmdump_test\n"
		"KEXEC=/usr/local/sbin/kexec\n"
		"MAKEDUMPFILE=\n"
		"  export APPEND=\"console=ttyS0 x=\\\"y\\\"\"\r\n";

	if (parse(&c, text, &e))
		fail_msg("%s", e.msg);
	assert_true(c.has_area);
	assert_memory_equal(c.area, uuid_bytes, 16);
	assert_int_equal(c.dump_level, 17);
	assert_int_equal(c.final_action, FINAL_ACTION_HALT);
	assert_int_equal(c.kexec_mode, KEXEC_MODE_FILE);
	assert_true(c.overwrite);
	assert_int_equal(c.compress, BM_COMP_ZSTD);
	assert_int_equal(c.keep, 3);
	assert_int_equal(c.min_free, 512ull << 20);
	assert_string_equal(c.stub, "/opt/bm/stub.bzImage");
	assert_string_equal(c.coredir, "/srv/crash dumps");
	assert_string_equal(c.module, "bmdump_test");
	assert_string_equal(c.kexec, "/usr/local/sbin/kexec");
	assert_string_equal(c.makedumpfile, "");
	assert_string_equal(c.append, "console=ttyS0 x=\"y\"");
	assert_int_equal(c.nr_warnings, 0);
}

static void test_values(void **state)
{
	struct bm_config c;
	struct bm_err e;

	assert_int_equal(parse(&c, "KEXEC_FILE_LOAD=no\nFINAL_ACTION=reboot\n"
			       "MIN_FREE=2G\nCOMPRESS=none\n", &e), 0);
	assert_int_equal(c.kexec_mode, KEXEC_MODE_LOAD);
	assert_int_equal(c.final_action, FINAL_ACTION_RESET);
	assert_int_equal(c.min_free, 2ull << 30);
	assert_int_equal(c.compress, BM_COMP_NONE);
	assert_int_equal(parse(&c, "KEXEC_FILE_LOAD=auto\nDUMP_LEVEL=0\n"
			       "AREA=\n", &e), 0);
	assert_int_equal(c.kexec_mode, KEXEC_MODE_AUTO);
	assert_int_equal(c.dump_level, 0);
	assert_false(c.has_area);
	/* Later lines win, as in a shell. */
	assert_int_equal(parse(&c, "KEEP=1\nKEEP=9\n", &e), 0);
	assert_int_equal(c.keep, 9);
}

static void test_unknown_key_warns(void **state)
{
	struct bm_config c;
	struct bm_err e;

	assert_int_equal(parse(&c, "\nFOO=bar\n", &e), 0);
	assert_int_equal(c.nr_warnings, 1);
	assert_non_null(strstr(c.warnings[0], "t.conf:2"));
	assert_non_null(strstr(c.warnings[0], "FOO"));
}

static void expect_error(const char *text, const char *line,
			 const char *words)
{
	struct bm_config c;
	struct bm_err e = { 0 };

	assert_int_equal(parse(&c, text, &e), BM_E_USAGE);
	if (!strstr(e.msg, line) || !strstr(e.msg, words))
		fail_msg("for %s: got \"%s\"", text, e.msg);
}

static void test_errors(void **state)
{
	expect_error("AREA=not-a-uuid\n", "t.conf:1", "UUID");
	expect_error("\n\nDUMP_LEVEL=32\n", "t.conf:3", "0 to 31");
	expect_error("DUMP_LEVEL=-1\n", "t.conf:1", "0 to 31");
	expect_error("DUMP_LEVEL=abc\n", "t.conf:1", "0 to 31");
	expect_error("FINAL_ACTION=poweroff\n", "t.conf:1",
		     "reset, halt or boot");
	expect_error("BOOT_KERNEL=vmlinuz\n", "t.conf:1", "absolute path");
	expect_error("BOOT_INITRD=initrd.img\n", "t.conf:1", "or none");
	expect_error("KEXEC_FILE_LOAD=maybe\n", "t.conf:1", "auto, yes");
	expect_error("OVERWRITE=sure\n", "t.conf:1", "yes or no");
	expect_error("SCAN=makedumpfile\n", "t.conf:1", "hook, auto or stub");
	expect_error("COMPRESS=gzip\n", "t.conf:1", "zlib, lzo");
	expect_error("KEEP=x\n", "t.conf:1", "number");
	expect_error("MIN_FREE=lots\n", "t.conf:1", "size");
	expect_error("STUB=\n", "t.conf:1", "path");
	expect_error("MODULE=a/b\n", "t.conf:1", "module name");
	expect_error("DUMP_LEVEL = 31\n", "t.conf:1", "KEY=value");
	expect_error("just words\n", "t.conf:1", "KEY=value");
	expect_error("APPEND=a b\n", "t.conf:1", "quote");
	expect_error("APPEND=\"a $HOME\"\n", "t.conf:1", "not expanded");
	expect_error("APPEND=$(reboot)\n", "t.conf:1", "shell syntax");
	expect_error("APPEND='open\n", "t.conf:1", "unterminated");
	expect_error("APPEND=\"open\n", "t.conf:1", "unterminated");
}

/* SCAN= is the stub's bmdump.scan=; auto unless said. */
static void test_scan_key(void **state)
{
	struct bm_config c;
	struct bm_err e;

	assert_int_equal(parse(&c, "", &e), 0);
	assert_int_equal(c.scan_mode, SCAN_MODE_AUTO);
	assert_int_equal(parse(&c, "SCAN=auto\n", &e), 0);
	assert_int_equal(c.scan_mode, SCAN_MODE_AUTO);
	assert_int_equal(parse(&c, "SCAN=stub\n", &e), 0);
	assert_int_equal(c.scan_mode, SCAN_MODE_STUB);
	assert_int_equal(parse(&c, "SCAN=stub\nSCAN=hook\n", &e), 0);
	assert_int_equal(c.scan_mode, SCAN_MODE_HOOK);
}

/* FINAL_ACTION=boot and the boot set's source (bootset.h). */
static void test_boot_keys(void **state)
{
	struct bm_config c;
	struct bm_err e;

	assert_int_equal(parse(&c, "", &e), 0);
	assert_string_equal(c.boot_kernel, "");
	assert_string_equal(c.boot_initrd, "");
	assert_false(c.boot_no_initrd);
	assert_false(c.has_boot_cmdline);
	assert_int_equal(parse(&c, "FINAL_ACTION=boot\n"
			       "BOOT_KERNEL=/boot/vmlinuz-6.1.0-9-amd64\n"
			       "BOOT_INITRD=/boot/initrd.img-6.1.0-9-amd64\n"
			       "BOOT_CMDLINE='root=/dev/sda1 ro quiet'\n",
			       &e), 0);
	assert_int_equal(c.final_action, FINAL_ACTION_BOOT);
	assert_string_equal(c.boot_kernel, "/boot/vmlinuz-6.1.0-9-amd64");
	assert_string_equal(c.boot_initrd, "/boot/initrd.img-6.1.0-9-amd64");
	assert_true(c.has_boot_cmdline);
	assert_string_equal(c.boot_cmdline, "root=/dev/sda1 ro quiet");
	assert_int_equal(c.nr_warnings, 0);
	/* none: no initrd; empty: back to the running kernel's. */
	assert_int_equal(parse(&c, "BOOT_INITRD=none\n", &e), 0);
	assert_true(c.boot_no_initrd);
	assert_int_equal(parse(&c, "BOOT_INITRD=none\nBOOT_INITRD=\n"
			       "BOOT_KERNEL=/k\nBOOT_KERNEL=\n", &e), 0);
	assert_false(c.boot_no_initrd);
	assert_string_equal(c.boot_kernel, "");
	/* An empty BOOT_CMDLINE is the default, as shipped. */
	assert_int_equal(parse(&c, "BOOT_CMDLINE=ro\nBOOT_CMDLINE=\n", &e),
			 0);
	assert_false(c.has_boot_cmdline);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/bmdump-conf-XXXXXX";
	struct bm_config c;
	struct bm_err e;
	int fd = mkstemp(path), found;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "KEEP=4\n", 7), 7);
	close(fd);
	assert_int_equal(config_load(&c, path, &found, &e), 0);
	assert_true(found);
	assert_int_equal(c.keep, 4);
	unlink(path);
	assert_int_equal(config_load(&c, path, &found, &e), 0);
	assert_false(found);
	assert_int_equal(c.keep, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_unknown_key_warns),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_scan_key),
		cmocka_unit_test(test_boot_keys),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests_name("tools_config", tests, NULL, NULL);
}
