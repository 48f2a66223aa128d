// SPDX-License-Identifier: GPL-2.0
/*
 * bitmap_keep_word() answers for 64 pfns exactly what bitmap_keep() answers
 * for each: inside a chunk, across chunk ends, in gaps between chunks,
 * below the first chunk, around a max_pfn that is not a multiple of 64,
 * for a full dump and for the stub scan's bitmap.  The dump writer's loops rely on it.
 */
#include "fakes.h"

#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "bmdump/area.h"
#include "bmdump/desc.h"

#define NR_CHUNKS	3

static struct {
	struct bmdump_desc d;
	struct bmdump_chunk c[NR_CHUNKS];
} desc;
static uint8_t *bits[NR_CHUNKS];
static struct page_select sel;

/* Chunks at pfn 128 (200 pfns), 328 (64 pfns, adjacent), 520 (808 pfns,
 * after a gap); max_pfn 1300 ends inside the last chunk's byte range. */
static const uint64_t first[NR_CHUNKS] = { 128, 328, 520 };
static const uint64_t nr[NR_CHUNKS] = { 200, 64, 808 };

static void build(unsigned int seed, uint64_t max_pfn)
{
	unsigned int i, j;

	srand(seed);
	memset(&desc, 0, sizeof(desc));
	desc.d.max_pfn = max_pfn;
	desc.d.nr_chunks = NR_CHUNKS;
	memset(&sel, 0, sizeof(sel));
	sel.source = BMDUMP_SOURCE_HOOK;
	sel.desc = &desc.d;
	for (i = 0; i < NR_CHUNKS; i++) {
		free(bits[i]);
		/* exactly nr / 8 bytes: ASan catches a read past the end */
		bits[i] = malloc(nr[i] / 8);
		for (j = 0; j < nr[i] / 8; j++)
			bits[i][j] = (uint8_t)rand();
		desc.c[i].first_pfn = first[i];
		desc.c[i].nr_pfns = nr[i];
		sel.chunk_bits[i] = bits[i];
	}
}

static void check_all(void)
{
	uint64_t base, i;

	for (base = 0; base < 1600; base += 64) {
		uint64_t w = bitmap_keep_word(&sel, base);

		for (i = 0; i < 64; i++)
			if (((w >> i) & 1) != (uint64_t)bitmap_keep(&sel,
								    base + i))
				fail_msg("pfn %llu: word says %llu",
					 (unsigned long long)(base + i),
					 (unsigned long long)((w >> i) & 1));
	}
}

static void test_word_matches_pfn_by_pfn(void **state)
{
	unsigned int seed;

	for (seed = 1; seed <= 20; seed++) {
		build(seed, 1300);
		check_all();
		build(seed, 1328);	/* the end of the last chunk */
		check_all();
		build(seed, 130);	/* inside the first chunk's first word */
		check_all();
	}
}

static void test_word_known_values(void **state)
{
	build(7, 1300);
	memset(bits[0], 0, nr[0] / 8);
	memset(bits[2], 0xff, nr[2] / 8);
	/* below the first chunk: kept */
	assert_true(bitmap_keep_word(&sel, 64) == ~0ull);
	/* inside chunk 0, all clear */
	assert_true(bitmap_keep_word(&sel, 128) == 0);
	/* the gap 392..519 is kept; 512..519 of word 512 too */
	assert_true(bitmap_keep_word(&sel, 448) == ~0ull);
	/* max_pfn 1300: pfns 1300.. kept whatever the bits say */
	memset(bits[2], 0, nr[2] / 8);
	assert_true(bitmap_keep_word(&sel, 1280) == ~0ull << 20);
	sel.source = BMDUMP_SOURCE_FULL;
	assert_true(bitmap_keep_word(&sel, 1280) == ~0ull);
}

/*
 * The stub scan's bitmap: one word per 64 pfns, exactly (max_pfn + 63) /
 * 64 words so ASan catches a read past it; from max_pfn on, kept.  It
 * replaces a hook bitmap (error 0) or keeps why there was none.
 */
static void test_word_stub_scan(void **state)
{
	uint64_t max, *w;
	unsigned int seed, i;

	for (seed = 1; seed <= 20; seed++) {
		srand(seed);
		max = 1 + (uint64_t)rand() % 1500;
		w = malloc((max + 63) / 64 * 8);
		for (i = 0; i < (max + 63) / 64; i++)
			w[i] = (uint64_t)rand() << 33 ^ (uint64_t)rand();
		build(seed, 1300);
		sel.error = seed & 1 ? -150 : 0;
		if (seed & 1)
			sel.source = BMDUMP_SOURCE_FULL;
		bitmap_use_scan(&sel, w, max, 31, 0);
		assert_int_equal(sel.source, BMDUMP_SOURCE_STUB);
		assert_int_equal(sel.error, seed & 1 ? -150 : 0);
		assert_int_equal(sel.dump_level, 31);
		check_all();
		for (i = 0; i < max; i++)
			assert_int_equal(bitmap_keep(&sel, i),
					 (w[i / 64] >> (i % 64)) & 1);
		assert_true(bitmap_keep(&sel, max));
		free(w);
	}
}

static int teardown(void **state)
{
	unsigned int i;

	for (i = 0; i < NR_CHUNKS; i++) {
		free(bits[i]);
		bits[i] = NULL;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_word_matches_pfn_by_pfn,
					  teardown),
		cmocka_unit_test_teardown(test_word_known_values, teardown),
		cmocka_unit_test_teardown(test_word_stub_scan, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
