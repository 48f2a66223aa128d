// SPDX-License-Identifier: GPL-2.0
/*
 * The kdump reader and the save-time rewrite: a synthetic raw image laid
 * out with kdump_layout_compute (as the stub writes it) is converted with
 * every compression and read back page by page.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kdumpfile.h"
#include "synth.h"

#define MAPNR	3000

static void build(struct synth *s, uint32_t seed, uint32_t flags,
		  int incomplete)
{
	struct synth_opts o = { .max_mapnr = MAPNR, .nr_cpus = 3,
				.seed = seed, .incomplete = incomplete,
				.page_flags = flags };

	assert_int_equal(synth_build(s, &o), 0);
	assert_true(s->nr_zero > 0);
	assert_true(s->nr_dumpable > s->nr_zero);
}

/* Every pfn: dumped exactly when the synth says, with the synth's bytes,
 * except those in `missing` (dropped by the conversion). */
static void verify(struct kd_image *im, uint32_t seed, const uint8_t *missing)
{
	uint8_t want[4096], got[4096];
	struct bm_err e;
	uint64_t pfn, n = 0;

	for (pfn = 0; pfn < MAPNR; pfn++) {
		int dumped = synth_is_dumped(pfn, seed) &&
			     !(missing && missing[pfn]);
		int r = kd_read_pfn(im, pfn, got, &e);

		assert_int_equal(kd_bit(im->bm1, pfn), synth_is_ram(pfn));
		if (!dumped) {
			assert_int_equal(r, BM_E_NOTFOUND);
			continue;
		}
		if (r)
			fail_msg("pfn %llu: %s", (unsigned long long)pfn,
				 e.msg);
		synth_page(pfn, seed, want);
		assert_memory_equal(got, want, 4096);
		n++;
	}
	assert_int_equal(n, im->nr_dumpable);
}

static unsigned int nthreads;

static void convert(struct synth *s, int kind, struct bm_memsink *m,
		    struct kd_convert_stats *st, size_t src_len)
{
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_sink sink;
	struct kd_image in;
	struct kd_convert_opts o = { .compress = kind, .threads = nthreads };
	struct bm_err e;

	bm_src_mem(&src, &ms, s->data, src_len);
	if (kd_open(&in, &src, &e))
		fail_msg("kd_open: %s", e.msg);
	bm_sink_mem(&sink, m, 1ull << 30);
	if (kd_convert(&in, &sink, &o, st, &e))
		fail_msg("kd_convert: %s", e.msg);
	kd_close(&in);
}

static void roundtrip(int kind, uint32_t in_flags)
{
	struct synth s;
	struct bm_memsink m;
	struct bm_memsrc ms;
	struct bm_src src;
	struct kd_image out;
	struct kd_convert_stats st;
	struct bm_err e;
	char v[64];

	build(&s, 11, in_flags, 0);
	convert(&s, kind, &m, &st, s.len);
	assert_int_equal(st.pages, s.nr_dumpable);
	assert_int_equal(st.zero_pages, s.nr_zero);
	assert_int_equal(st.missing_pages, 0);
	assert_false(st.incomplete);
	if (kind == BM_COMP_NONE)
		assert_int_equal(st.compressed_pages, 0);
	else
		assert_true(st.compressed_pages > 0 && st.raw_pages > 0);
	assert_int_equal(st.out_bytes, m.len);

	bm_src_mem(&src, &ms, m.data, m.len);
	if (kd_open(&out, &src, &e))
		fail_msg("reopen: %s", e.msg);
	assert_int_equal(out.hdr.status, comp_header_flag(kind));
	assert_false(out.incomplete);
	assert_int_equal(out.nr_cpus, 3);
	assert_int_equal(out.cpus[2].rip, SYNTH_RIP(2));
	assert_int_equal(out.sub.dump_level, 31);
	assert_int_equal(kd_vmcoreinfo(&out, "OSRELEASE", v, sizeof(v)), 0);
	assert_string_equal(v, SYNTH_RELEASE);
	assert_string_equal(out.hdr.utsname.release, SYNTH_RELEASE);
	verify(&out, 11, NULL);
	if (kind != BM_COMP_NONE && !in_flags)
		assert_true(m.len < s.len);
	kd_close(&out);
	bm_memsink_free(&m);
	synth_free(&s);
}

static void test_roundtrip_none(void **st) { roundtrip(BM_COMP_NONE, 0); }
static void test_roundtrip_zlib(void **st) { roundtrip(BM_COMP_ZLIB, 0); }
static void test_roundtrip_lzo(void **st) { roundtrip(BM_COMP_LZO, 0); }
static void test_roundtrip_zstd(void **st) { roundtrip(BM_COMP_ZSTD, 0); }
static void test_roundtrip_snappy(void **st) { roundtrip(BM_COMP_SNAPPY, 0); }

/* Worker threads compress in parallel; the file comes out the same. */
static void test_threads_same_output(void **state)
{
	struct synth s;
	struct bm_memsink m1, m4;
	struct kd_convert_stats st1, st4;
	int kind;

	build(&s, 13, 0, 0);
	for (kind = BM_COMP_NONE; kind < BM_COMP_COUNT; kind++) {
		nthreads = 0;
		convert(&s, kind, &m1, &st1, s.len);
		nthreads = 4;
		convert(&s, kind, &m4, &st4, s.len - 5 * 4096);
		nthreads = 0;
		assert_int_equal(st4.missing_pages, 5);
		bm_memsink_free(&m4);
		nthreads = 3;
		convert(&s, kind, &m4, &st4, s.len);
		nthreads = 0;
		assert_int_equal(m1.len, m4.len);
		assert_memory_equal(m1.data, m4.data, m1.len);
		assert_int_equal(st1.compressed_pages, st4.compressed_pages);
		bm_memsink_free(&m1);
		bm_memsink_free(&m4);
	}
	synth_free(&s);
}

/* Inputs already compressed (a makedumpfile file) are recompressed. */
static void test_recompress_lzo_to_zstd(void **st)
{
	roundtrip(BM_COMP_ZSTD, DUMP_DH_PAGE_LZO);
}

static void test_recompress_zlib_to_none(void **st)
{
	roundtrip(BM_COMP_NONE, DUMP_DH_PAGE_ZLIB);
}

static void test_recompress_snappy_to_lzo(void **st)
{
	roundtrip(BM_COMP_LZO, DUMP_DH_PAGE_SNAPPY);
}

static void test_incomplete_header_kept(void **state)
{
	struct synth s;
	struct bm_memsink m;
	struct kd_convert_stats st;

	build(&s, 5, 0, 1);
	convert(&s, BM_COMP_ZLIB, &m, &st, s.len);
	assert_true(st.incomplete);
	assert_true(((struct disk_dump_header *)m.data)->status &
		    DUMP_DH_COMPRESSED_INCOMPLETE);
	bm_memsink_free(&m);
	synth_free(&s);
}

static uint64_t desc_off(const struct synth *s)
{
	const struct disk_dump_header *h = (const void *)s->data;

	return (1 + (uint64_t)h->sub_hdr_size + h->bitmap_blocks) * 4096;
}

/* Pages never written (offset 0) or pointing outside are dropped from the
 * 2nd bitmap; the rest survives and the file says INCOMPLETE. */
static void test_missing_pages_dropped(void **state)
{
	struct synth s;
	struct bm_memsink m;
	struct bm_memsrc ms;
	struct bm_src src;
	struct kd_image out;
	struct kd_convert_stats st;
	struct bm_err e;
	uint8_t missing[MAPNR] = { 0 };
	uint64_t pfn, idx = 0, dropped = 0;

	build(&s, 7, 0, 0);
	for (pfn = 0; pfn < MAPNR; pfn++) {
		struct page_desc *pd;

		if (!synth_is_dumped(pfn, 7))
			continue;
		pd = (struct page_desc *)(s.data + desc_off(&s) +
					  idx * sizeof(*pd));
		if (idx % 50 == 3) {
			pd->offset = 0;
			missing[pfn] = 1;
			dropped++;
		} else if (idx % 50 == 4) {
			pd->offset = (int64_t)s.len + 4096;
			missing[pfn] = 1;
			dropped++;
		} else if (idx % 50 == 5) {
			pd->size = 8192;
			missing[pfn] = 1;
			dropped++;
		}
		idx++;
	}
	convert(&s, BM_COMP_LZO, &m, &st, s.len);
	assert_int_equal(st.missing_pages, dropped);
	assert_true(st.incomplete);
	bm_src_mem(&src, &ms, m.data, m.len);
	if (kd_open(&out, &src, &e))
		fail_msg("reopen: %s", e.msg);
	assert_true(out.incomplete);
	assert_int_equal(out.nr_dumpable, s.nr_dumpable - dropped);
	verify(&out, 7, missing);
	kd_close(&out);
	bm_memsink_free(&m);
	synth_free(&s);
}

/* A source cut in the page data keeps every page that is whole. */
static void test_truncated_data(void **state)
{
	struct synth s;
	struct bm_memsink m;
	struct kd_convert_stats st;

	build(&s, 3, 0, 0);
	convert(&s, BM_COMP_ZLIB, &m, &st, s.len - 10 * 4096 - 100);
	assert_int_equal(st.missing_pages, 11);
	assert_true(st.incomplete);
	bm_memsink_free(&m);
	synth_free(&s);
}

static int open_err(const void *data, size_t len, struct bm_err *e)
{
	struct bm_memsrc ms;
	struct bm_src src;
	struct kd_image im;
	int r;

	bm_src_mem(&src, &ms, data, len);
	r = kd_open(&im, &src, e);
	if (!r)
		kd_close(&im);
	return r;
}

static void test_corrupt_headers(void **state)
{
	struct synth s;
	struct disk_dump_header *h;
	struct bm_err e;
	uint8_t *copy;

	build(&s, 1, 0, 0);
	copy = malloc(s.len);
	h = (struct disk_dump_header *)copy;

#define RESET() memcpy(copy, s.data, s.len)
	RESET();
	assert_int_equal(open_err(copy, s.len, &e), 0);
	/* Cut inside the header, the bitmaps, the descriptors. */
	assert_int_equal(open_err(copy, 100, &e), BM_E_CORRUPT);
	assert_int_equal(open_err(copy, 3 * 4096, &e), BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "truncated"));
	assert_int_equal(open_err(copy, desc_off(&s) + 24 * 10, &e), 0);
	RESET();
	memcpy(copy, "DISKDUMQ", 8);
	/* Another kind of file, not a damaged dump. */
	assert_int_equal(open_err(copy, s.len, &e), BM_E_NOTDUMP);
	assert_non_null(strstr(e.msg, "not a dump file"));
	RESET();
	memcpy(copy, "makedumpfile\0\0\0\0", 16);
	assert_int_equal(open_err(copy, s.len, &e), BM_E_NOTDUMP);
	assert_non_null(strstr(e.msg, "makedumpfile -R"));
	RESET();
	memcpy(copy, "\177ELF\2\1\1\0", 8);
	assert_int_equal(open_err(copy, s.len, &e), BM_E_NOTDUMP);
	assert_non_null(strstr(e.msg, "ELF"));
	RESET();
	h->block_size = 1000;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	h->block_size = -4096;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	h->header_version = 0;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	h->sub_hdr_size = 0x7fffffff;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	h->bitmap_blocks = 1;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	h->bitmap_blocks = 0xfffffffe;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	RESET();
	((struct kdump_sub_header *)(copy + 4096))->max_mapnr_64 = 1ull << 40;
	assert_int_equal(open_err(copy, s.len, &e), BM_E_CORRUPT);
	/* Notes pointing outside the sub-header: a warning, not an error. */
	RESET();
	((struct kdump_sub_header *)(copy + 4096))->offset_note = 1ull << 60;
	assert_int_equal(open_err(copy, s.len, &e), 0);
#undef RESET
	free(copy);
	synth_free(&s);
}

static void test_pfn_index_matches_popcount(void **state)
{
	struct synth s;
	struct bm_memsrc ms;
	struct bm_src src;
	struct kd_image im;
	struct bm_err e;
	uint64_t pfn, n = 0, idx;

	build(&s, 9, 0, 0);
	bm_src_mem(&src, &ms, s.data, s.len);
	assert_int_equal(kd_open(&im, &src, &e), 0);
	for (pfn = 0; pfn < MAPNR + 10; pfn++) {
		int in = kd_pfn_index(&im, pfn, &idx);

		assert_int_equal(in, pfn < MAPNR && synth_is_dumped(pfn, 9));
		if (in)
			assert_int_equal(idx, n++);
	}
	kd_close(&im);
	synth_free(&s);
}

static void test_compression_names(void **state)
{
	int k;

	for (k = 0; k < BM_COMP_COUNT; k++)
		assert_int_equal(comp_parse(comp_name(k)), k);
	assert_int_equal(comp_parse("gzip"), -1);
	assert_true(comp_makedumpfile_reads(BM_COMP_LZO));
	assert_false(comp_makedumpfile_reads(BM_COMP_ZSTD));
	assert_false(comp_makedumpfile_reads(BM_COMP_SNAPPY));
}

/* The sink fills up: a clear error, not a crash. */
static void test_sink_full(void **state)
{
	struct synth s;
	struct bm_memsink m;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_sink sink;
	struct kd_image in;
	struct kd_convert_opts o = { .compress = BM_COMP_NONE };
	struct kd_convert_stats st;
	struct bm_err e;

	build(&s, 2, 0, 0);
	bm_src_mem(&src, &ms, s.data, s.len);
	assert_int_equal(kd_open(&in, &src, &e), 0);
	bm_sink_mem(&sink, &m, 64 * 1024);
	assert_int_equal(kd_convert(&in, &sink, &o, &st, &e), BM_E_NOSPACE);
	assert_non_null(strstr(e.msg, "no space"));
	kd_close(&in);
	bm_memsink_free(&m);
	synth_free(&s);
}

static int guard_calls;

static int guard_full(void *ctx, uint64_t written)
{
	guard_calls++;
	assert_true(written >= (16ull << 20));
	return BM_E_NOSPACE;
}

/* The free-space guard is asked every 16 MiB and can stop the rewrite. */
static void test_guard_stops(void **state)
{
	struct synth s;
	struct synth_opts so = { .max_mapnr = 8000, .nr_cpus = 1, .seed = 1 };
	struct bm_memsink m;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_sink sink;
	struct kd_image in;
	struct kd_convert_opts o = { .compress = BM_COMP_NONE,
				     .guard = guard_full };
	struct kd_convert_stats st;
	struct bm_err e;

	assert_int_equal(synth_build(&s, &so), 0);
	assert_true(s.len > (17u << 20));
	bm_src_mem(&src, &ms, s.data, s.len);
	assert_int_equal(kd_open(&in, &src, &e), 0);
	bm_sink_mem(&sink, &m, 1ull << 30);
	guard_calls = 0;
	assert_int_equal(kd_convert(&in, &sink, &o, &st, &e), BM_E_NOSPACE);
	assert_int_equal(guard_calls, 1);
	assert_non_null(strstr(e.msg, "free-space guard"));
	/* The header written so far still says INCOMPLETE. */
	assert_true(((struct disk_dump_header *)m.data)->status &
		    DUMP_DH_COMPRESSED_INCOMPLETE);
	kd_close(&in);
	bm_memsink_free(&m);
	synth_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_none),
		cmocka_unit_test(test_roundtrip_zlib),
		cmocka_unit_test(test_roundtrip_lzo),
		cmocka_unit_test(test_roundtrip_zstd),
		cmocka_unit_test(test_roundtrip_snappy),
		cmocka_unit_test(test_threads_same_output),
		cmocka_unit_test(test_recompress_lzo_to_zstd),
		cmocka_unit_test(test_recompress_zlib_to_none),
		cmocka_unit_test(test_recompress_snappy_to_lzo),
		cmocka_unit_test(test_incomplete_header_kept),
		cmocka_unit_test(test_missing_pages_dropped),
		cmocka_unit_test(test_truncated_data),
		cmocka_unit_test(test_corrupt_headers),
		cmocka_unit_test(test_pfn_index_matches_popcount),
		cmocka_unit_test(test_compression_names),
		cmocka_unit_test(test_sink_full),
		cmocka_unit_test(test_guard_stops),
	};

	return cmocka_run_group_tests_name("tools_kdump", tests, NULL, NULL);
}
