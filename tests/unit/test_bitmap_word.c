// SPDX-License-Identifier: GPL-2.0
/*
 * bitmap_keep_word() answers for 64 pfns exactly what bitmap_keep() answers
 * for each: inside a chunk, across chunk ends, in gaps between chunks,
 * below the first chunk, around a max_pfn that is not a multiple of 64,
 * and for a full dump.  The dump writer's loops rely on it.
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
