// SPDX-License-Identifier: GPL-2.0
/* Area header handling on the host: layout, checks, states, the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "areaio.h"

static const uint8_t U[16] = { 1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12,
			       13, 14, 15, 16 };

static void test_layout(void **state)
{
	struct bmdump_area_header h;
	struct bm_err e;
	uint64_t sz = (64ull << 20) + 12345;

	assert_int_equal(area_layout(&h, sz, AREA_DEFAULT_LOG_BYTES, U, 77,
				     &e), 0);
	assert_int_equal(bmdump_area_check(&h, sz), 0);
	assert_int_equal(h.state, BMDUMP_AREA_EMPTY);
	assert_int_equal(h.log_offset, 4096);
	assert_int_equal(h.dump_offset % AREA_ALIGN, 0);
	assert_true(h.log_offset + h.log_bytes <= h.dump_offset);
	assert_true(h.log_bytes >= AREA_DEFAULT_LOG_BYTES - 4096);
	assert_int_equal(h.dump_capacity % 4096, 0);
	assert_true(h.dump_offset + h.dump_capacity <= sz);
	/* The dump ends where the self-test's tail begins. */
	assert_int_equal(bmdump_selftest_offset(&h),
			 h.dump_offset + h.dump_capacity);
	assert_int_equal(bmdump_selftest_offset(&h),
			 (sz & ~4095ull) - BMDUMP_SELFTEST_BYTES);
	assert_int_equal(h.area_bytes, sz);
	assert_int_equal(h.prepare_time, 77);
	assert_memory_equal(h.area_uuid, U, 16);
	assert_int_equal(h.dump_bytes, 0);
	assert_int_equal(h.generation, 0);

	assert_int_equal(area_layout(&h, 3 << 20, AREA_DEFAULT_LOG_BYTES, U,
				     0, &e), BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "too small"));
	assert_int_equal(area_layout(&h, sz, 1024, U, 0, &e), BM_E_USAGE);
	assert_int_equal(area_layout(&h, 8 << 20, 7 << 20, U, 0, &e),
			 BM_E_USAGE);
	/* A bigger log moves the image, still 1 MiB aligned. */
	assert_int_equal(area_layout(&h, sz, 3 << 20, U, 0, &e), 0);
	assert_int_equal(h.dump_offset, 4 << 20);
}

static void test_read_checks(void **state)
{
	uint8_t *part = calloc(1, 8 << 20);
	struct bmdump_area_header h, *ph = (void *)part, r;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_err e;

	assert_int_equal(area_layout(&h, 8 << 20, 65536, U, 1, &e), 0);
	bm_src_mem(&src, &ms, part, 8 << 20);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_NOAREA);
	assert_non_null(strstr(e.msg, "bmdump prepare"));
	memcpy(part, &h, sizeof(h));
	assert_int_equal(area_header_read(&src, &r, &e), 0);
	assert_memory_equal(&r, &h, sizeof(h));
	ph->generation = 5;		/* changed without a new CRC */
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "CRC"));
	memcpy(part, &h, sizeof(h));
	ph->version = 99;
	area_seal(ph);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	memcpy(part, &h, sizeof(h));
	ph->state = 9;
	area_seal(ph);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	memcpy(part, &h, sizeof(h));
	ph->dump_bytes = ph->dump_capacity + 4096;
	area_seal(ph);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "outside"));
	/* The partition shrank under the area. */
	memcpy(part, &h, sizeof(h));
	bm_src_mem(&src, &ms, part, 4 << 20);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	/* Truncated below the header itself. */
	bm_src_mem(&src, &ms, part, 100);
	assert_int_equal(area_header_read(&src, &r, &e), BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "truncated"));
	free(part);
}

static void test_write(void **state)
{
	struct bmdump_area_header h, r;
	struct bm_memsink m;
	struct bm_sink sink;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_err e;
	size_t i;

	assert_int_equal(area_layout(&h, 8 << 20, 65536, U, 1, &e), 0);
	bm_sink_mem(&sink, &m, 8 << 20);
	memset(&h.pad, 0, sizeof(h.pad));
	h.state = BMDUMP_AREA_SAVED;
	h.save_time = 99;
	h.crc = 0;		/* area_header_write seals */
	assert_int_equal(area_header_write(&sink, &h, &e), 0);
	assert_int_equal(m.len, 4096);
	for (i = sizeof(h); i < 4096; i++)
		assert_int_equal(m.data[i], 0);
	bm_src_mem(&src, &ms, m.data, 8 << 20);
	m.data = realloc(m.data, 8 << 20);
	memset(m.data + 4096, 0, (8 << 20) - 4096);
	bm_src_mem(&src, &ms, m.data, 8 << 20);
	assert_int_equal(area_header_read(&src, &r, &e), 0);
	assert_int_equal(r.state, BMDUMP_AREA_SAVED);
	assert_int_equal(r.save_time, 99);
	bm_memsink_free(&m);
}

static void test_states(void **state)
{
	struct bmdump_area_header h;
	struct bm_err e;
	uint64_t off, len;
	int inc;

	assert_int_equal(area_layout(&h, 8 << 20, 65536, U, 1, &e), 0);
	assert_int_equal(area_image_extent(&h, &off, &len, &inc),
			 BM_E_NOTFOUND);
	assert_false(area_has_unsaved_dump(&h));
	h.state = BMDUMP_AREA_COMPLETE;
	h.dump_bytes = 12345;
	assert_int_equal(area_image_extent(&h, &off, &len, &inc), 0);
	assert_int_equal(off, h.dump_offset);
	assert_int_equal(len, 12345);
	assert_false(inc);
	assert_true(area_has_unsaved_dump(&h));
	h.flags = BMDUMP_AREA_F_INCOMPLETE;
	assert_int_equal(area_image_extent(&h, &off, &len, &inc), 0);
	assert_true(inc);
	h.flags = 0;
	h.state = BMDUMP_AREA_WRITING;
	h.dump_bytes = 0;
	assert_int_equal(area_image_extent(&h, &off, &len, &inc), 0);
	assert_int_equal(len, h.dump_capacity);
	assert_true(inc);
	assert_true(area_has_unsaved_dump(&h));
	h.state = BMDUMP_AREA_SAVED;
	assert_int_equal(area_image_extent(&h, &off, &len, &inc),
			 BM_E_NOTFOUND);
	assert_false(area_has_unsaved_dump(&h));
	assert_string_equal(area_state_name(BMDUMP_AREA_WRITING), "writing");
	assert_string_equal(area_state_name(77), "invalid");
	assert_string_equal(area_source_name(BMDUMP_SOURCE_HOOK), "hook");
}

static void test_log(void **state)
{
	uint8_t *part = calloc(1, 8 << 20);
	struct bmdump_area_header h;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_err e;
	const char text[] = "bmdump: one\n\033[1mtwo\r\nthree";
	char *log;

	assert_int_equal(area_layout(&h, 8 << 20, 65536, U, 1, &e), 0);
	memcpy(part + h.log_offset, text, sizeof(text) - 1);
	bm_src_mem(&src, &ms, part, 8 << 20);
	h.log_used = sizeof(text) - 1;
	assert_int_equal(area_read_log(&src, &h, 1 << 20, &log, &e), 0);
	assert_string_equal(log, "bmdump: one\n?[1mtwo?\nthree");
	free(log);
	assert_int_equal(area_read_log(&src, &h, 6, &log, &e), 0);
	assert_string_equal(log, "bmdump");
	free(log);
	/* WRITING with no log_used yet: read up to the first NUL. */
	h.state = BMDUMP_AREA_WRITING;
	h.log_used = 0;
	assert_int_equal(area_read_log(&src, &h, 1 << 20, &log, &e), 0);
	assert_int_equal(strlen(log), sizeof(text) - 1);
	free(log);
	free(part);
}

static void test_uuid(void **state)
{
	char s[37];
	uint8_t u[16];

	bmdump_uuid_format(U, s);
	assert_string_equal(s, "01020304-0506-4708-890a-0b0c0d0e0f10");
	assert_int_equal(bmdump_uuid_parse(s, strlen(s), u), 0);
	assert_memory_equal(u, U, 16);
	assert_int_equal(bmdump_uuid_parse(s, 35, u), -1);
	s[8] = 'x';
	assert_int_equal(bmdump_uuid_parse(s, 36, u), -1);
}

/*
 * The one rule that makes a partition the area for a UUID (shared with
 * the stub, include/bmdump/area.h): bmdump's type GUID, a sound header,
 * the UUID.  The type as blkid and sfdisk print it (either case) reads as
 * the bytes GPT stores.
 */
static void test_match_rule(void **state)
{
	static const uint8_t gpt_type[16] = BMDUMP_AREA_TYPE_GUID_GPT;
	const char *upper = "773451C3-E640-4C89-9AAB-B4FE3B56A9C9";
	uint8_t type[16], other[16], linux_fs[16];
	struct bmdump_area_header h;
	struct bm_err e;

	assert_int_equal(bmdump_guid_parse_gpt(BMDUMP_AREA_TYPE_GUID_STR, 36,
					       type), 0);
	assert_memory_equal(type, gpt_type, 16);
	assert_int_equal(bmdump_guid_parse_gpt(upper, 36, other), 0);
	assert_memory_equal(other, gpt_type, 16);
	assert_int_equal(bmdump_guid_parse_gpt("0x83", 4, other), -1);
	assert_int_equal(bmdump_guid_parse_gpt(
		"0fc63daf-8483-4772-8e79-3d69d8477de4", 36, linux_fs), 0);

	assert_int_equal(area_layout(&h, 8 << 20, 65536, U, 1, &e), 0);
	assert_int_equal(bmdump_area_match(type, &h, 8 << 20, U), 0);
	/* The same header on a Linux filesystem partition: not the area. */
	assert_int_equal(bmdump_area_match(linux_fs, &h, 8 << 20, U),
			 BMDUMP_AREA_E_TYPE);
	/* Another area's UUID. */
	memcpy(other, U, 16);
	other[15] ^= 1;
	assert_int_equal(bmdump_area_match(type, &h, 8 << 20, other),
			 BMDUMP_AREA_E_UUID);
	assert_false(bmdump_area_claims(&h, other));
	/* A partition smaller than the header says. */
	assert_int_equal(bmdump_area_match(type, &h, 4 << 20, U),
			 BMDUMP_AREA_E_BOUNDS);
	/* Damaged: no match, but it still claims the UUID (for messages). */
	h.generation++;
	assert_int_equal(bmdump_area_match(type, &h, 8 << 20, U),
			 BMDUMP_AREA_E_CRC);
	assert_true(bmdump_area_claims(&h, U));
	assert_non_null(strstr(bmdump_area_strerror(BMDUMP_AREA_E_TYPE),
			       "type GUID"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_read_checks),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_match_rule),
	};

	return cmocka_run_group_tests_name("tools_area", tests, NULL, NULL);
}
