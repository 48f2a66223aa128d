// SPDX-License-Identifier: GPL-2.0
/* The host's reading of bmdump-selftest.efi's report (selftest.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "areaio.h"
#include "selftest.h"

#define PART_BYTES	(8u << 20)

static const uint8_t U[16] = { 1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12,
			       13, 14, 15, 16 };

struct fixture {
	uint8_t *part;
	struct bmdump_area_header h;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bmdump_selftest_report *r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bm_err e;

	f->part = calloc(1, PART_BYTES);
	assert_int_equal(area_layout(&f->h, PART_BYTES, 65536, U, 1, &e), 0);
	memcpy(f->part, &f->h, sizeof(f->h));
	bm_src_mem(&f->src, &f->ms, f->part, PART_BYTES);
	f->r = (void *)(f->part + bmdump_selftest_offset(&f->h));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->part);
	free(f);
	return 0;
}

/* A report as the app leaves it. */
static void put_report(struct fixture *f, int32_t verdict, const char *text)
{
	memset(f->r, 0, sizeof(*f->r));
	f->r->magic = BMDUMP_REPORT_MAGIC;
	f->r->version = BMDUMP_REPORT_VERSION;
	f->r->header_bytes = sizeof(*f->r);
	memcpy(f->r->area_uuid, U, 16);
	f->r->verdict = verdict;
	f->r->text_bytes = (uint32_t)strlen(text);
	memcpy((uint8_t *)f->r + BMDUMP_REPORT_TEXT_OFF, text, strlen(text));
	bmdump_report_seal(f->r);
}

static void test_never_qualified(void **state)
{
	struct fixture *f = *state;
	struct bmdump_selftest_report r;
	struct bm_err e;
	char *text;

	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 BM_E_NOTFOUND);
	assert_non_null(strstr(e.msg, "never qualified"));
	assert_null(text);
	assert_non_null(strstr(selftest_status_warning(&f->src, &f->h),
			       "never qualified"));
}

static void test_pass_and_fail(void **state)
{
	struct fixture *f = *state;
	struct bmdump_selftest_report r;
	struct bm_err e;
	char *text;

	put_report(f, BMDUMP_VERDICT_PASS, "verdict: pass\n\x1b[2J\n");
	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 0);
	assert_int_equal(r.verdict, BMDUMP_VERDICT_PASS);
	/* Control characters from the disk never reach the terminal. */
	assert_string_equal(text, "verdict: pass\n?[2J\n");
	free(text);
	assert_null(selftest_status_warning(&f->src, &f->h));

	put_report(f, BMDUMP_VERDICT_FAIL, "verdict: FAIL\n");
	assert_non_null(strstr(selftest_status_warning(&f->src, &f->h),
			       "FAILED"));
	f->r->area_uuid[0] ^= 1;
	bmdump_report_seal(f->r);
	assert_non_null(strstr(selftest_status_warning(&f->src, &f->h),
			       "another area"));
}

static void test_torn(void **state)
{
	struct fixture *f = *state;
	struct bmdump_selftest_report r;
	struct bm_err e;
	char *text;

	put_report(f, BMDUMP_VERDICT_PASS, "verdict: pass\n");
	((uint8_t *)f->r)[BMDUMP_REPORT_TEXT_OFF] ^= 1;	/* text changed */
	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 BM_E_CORRUPT);
	put_report(f, BMDUMP_VERDICT_PASS, "verdict: pass\n");
	f->r->text_bytes = BMDUMP_REPORT_TEXT_MAX + 1;	/* past the block */
	f->r->crc = bmdump_report_crc(f->r);
	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 BM_E_CORRUPT);
	put_report(f, 7, "verdict: ?\n");
	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 BM_E_CORRUPT);
}

/* An area laid out before the self-test existed has no tail to read. */
static void test_old_area(void **state)
{
	struct fixture *f = *state;
	struct bmdump_selftest_report r;
	struct bm_err e;
	char *text;

	f->h.dump_capacity = (PART_BYTES - f->h.dump_offset) & ~4095ull;
	assert_int_equal(bmdump_selftest_offset(&f->h), 0);
	assert_int_equal(selftest_report_read(&f->src, &f->h, &r, &text, &e),
			 BM_E_NOTFOUND);
	assert_non_null(strstr(e.msg, "older bmdump"));
}

/* What `bmdump info --area` prints of the report, of none, of a torn one. */
static char *printed(struct fixture *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	selftest_print(out, &f->src, &f->h);
	fclose(out);
	return buf;
}

static void test_info_print(void **state)
{
	struct fixture *f = *state;
	char *s;

	s = printed(f);
	assert_string_equal(s, "self-test: no self-test report: this area "
			    "was never qualified (run bmdump selftest)\n");
	free(s);
	put_report(f, BMDUMP_VERDICT_FAIL, "verdict: FAIL\nerror -313\x01");
	f->h.generation = f->r->generation + 2;
	s = printed(f);
	assert_string_equal(s, "self-test: last report of bmdump-selftest.efi"
			    ", verdict FAIL (the area wrote 2 dumps since):\n"
			    "  verdict: FAIL\n  error -313?\n");
	free(s);
	((uint8_t *)f->r)[BMDUMP_REPORT_TEXT_OFF] ^= 1;
	s = printed(f);
	assert_non_null(strstr(s, "self-test: the self-test report is torn"));
	free(s);
}

/* What `bmdump status` shows: the verdict, when, how fast. */
static void test_status_summary(void **state)
{
	struct fixture *f = *state;
	struct selftest_summary s;
	char line[256];

	selftest_summarize(&f->src, &f->h, &s);
	assert_int_equal(s.state, SELFTEST_NEVER);
	selftest_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "never run");
	assert_string_equal(selftest_state_name(s.state), "never");

	put_report(f, BMDUMP_VERDICT_PASS, "verdict: pass\n");
	f->r->run_time = 1796655060;		/* 2026-12-07 14:51 UTC */
	f->r->write_kbps = 2267703;		/* 2322 MB/s */
	bmdump_report_seal(f->r);
	selftest_summarize(&f->src, &f->h, &s);
	assert_int_equal(s.state, SELFTEST_PASS);
	assert_null(selftest_summary_warning(&s));
	selftest_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "pass on 2026-12-07 14:51 UTC (2322.1 MB/s),"
			    " bmdump-selftest.efi");

	put_report(f, BMDUMP_VERDICT_FAIL, "verdict: FAIL\n");
	f->r->error = -313;
	f->r->run_time = 0;		/* the clock did not answer */
	bmdump_report_seal(f->r);
	selftest_summarize(&f->src, &f->h, &s);
	assert_int_equal(s.state, SELFTEST_FAIL);
	assert_string_equal(selftest_state_name(s.state), "fail");
	selftest_summary_line(&s, line, sizeof(line));
	assert_true(!strncmp(line, "FAIL (error -313: ", 18));
	assert_non_null(strstr(line, ") on an unknown date, "
			       "bmdump-selftest.efi"));
	assert_non_null(strstr(selftest_summary_warning(&s), "FAILED"));

	((uint8_t *)f->r)[BMDUMP_REPORT_TEXT_OFF] ^= 1;
	selftest_summarize(&f->src, &f->h, &s);
	assert_int_equal(s.state, SELFTEST_UNREADABLE);
	selftest_summary_line(&s, line, sizeof(line));
	assert_string_equal(line, "the last report is unreadable");
}

/*
 * `efibootmgr -v` as efibootmgr 17 (Debian 12) printed it under OVMF in
 * tests/e2e/test_selftest.py's loop, after two runs of the bmdump that
 * made an entry each time: label, a tab, the device path, the optional
 * data (UCS-2 shown with dots) straight after it.
 */
#define HDP "HD(1,GPT,09ed759c-f11d-4885-867f-4c20a214c390,0x800,0x2f7df)"
static const char efi_two[] =
	"BootNext: 0003\n"
	"Timeout: 0 seconds\n"
	"BootOrder: 0001,0000\n"
	"Boot0000* UiApp\tFvVol(7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1)/FvFile("
	"462caa21-7614-4503-836e-8ab6f4662331)\n"
	"Boot0001* rig-os\t" HDP "/File(\\EFI\\rig\\vmlinuz.efi)i.n.i.t.r.d"
	".=.\\.E.F.I.\\.r.i.g.\\.i.n.i.t.r.d...i.m.g. .r.i.g...p.h.a.s.e.=."
	"r.e.p.o.r.t.\n"
	"Boot0002* bmdump selftest\t" HDP
	"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
	"Boot0003* bmdump selftest\t" HDP
	"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n";

static void test_boot_entries_duplicates(void **state)
{
	uint16_t num[4] = { 0 };

	assert_int_equal(selftest_boot_entries(efi_two, num, 4), 2);
	assert_int_equal(num[0], 2);
	assert_int_equal(num[1], 3);
	/* More than the caller has room for: all counted, max filled. */
	num[1] = 0xffff;
	assert_int_equal(selftest_boot_entries(efi_two, num, 1), 2);
	assert_int_equal(num[0], 2);
	assert_int_equal(num[1], 0xffff);
}

/* Only an entry both named and pointing as bmdump's is bmdump's. */
static void test_boot_entries_strict(void **state)
{
	static const char out[] =
		"BootCurrent: 0001\n"
		/* Not bmdump's label exactly. */
		"Boot0004* bmdump selftest old\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		"Boot0005* Bmdump selftest\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		/* Our label, someone else's loader. */
		"Boot0006* bmdump selftest\t" HDP
		"/File(\\EFI\\debian\\shimx64.efi)\n"
		"Boot0007* bmdump selftest\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi.bak)\n"
		/* Not a Boot#### line, or a malformed one. */
		"Driver0008* bmdump selftest\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		"Boot00G9* bmdump selftest\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		"Boot000A*bmdump selftest\t" HDP
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		/* Without -v: no path, so not known to be ours. */
		"Boot000B* bmdump selftest\n"
		/* The path on the next line does not count. */
		"Boot000C* bmdump selftest\t" HDP "\n"
		"/File(\\EFI\\bmdump\\bmdump-selftest.efi)\n"
		/* Inactive (space), FAT's case: ours; a last line unended. */
		"Boot00ab  bmdump selftest\t" HDP
		"/File(\\efi\\BMDUMP\\bmdump-selftest.EFI)";
	uint16_t num[4] = { 0 };

	assert_int_equal(selftest_boot_entries(out, num, 4), 1);
	assert_int_equal(num[0], 0xab);
	assert_int_equal(selftest_boot_entries("", num, 4), 0);
	assert_int_equal(selftest_boot_entries("Boot\n\n\tBoot0001* ", num,
					       4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_never_qualified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pass_and_fail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_torn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_area, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_info_print, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_summary, setup,
						teardown),
		cmocka_unit_test(test_boot_entries_duplicates),
		cmocka_unit_test(test_boot_entries_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
