// SPDX-License-Identifier: GPL-2.0
/* The page allocator over the crashkernel RAM. */
#include "fakes.h"

#include <string.h>

#include "errors.h"
#include "mem.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

static struct mem_allocator m;

/* Free list is sorted, disjoint, page aligned, not touching, non-empty. */
static void check_invariants(const struct mem_allocator *a)
{
	unsigned int i;

	assert_true(a->nr_free <= MEM_MAX_RANGES);
	for (i = 0; i < a->nr_free; i++) {
		assert_true(a->free[i].start < a->free[i].end);
		assert_int_equal(a->free[i].start & 4095, 0);
		assert_int_equal(a->free[i].end & 4095, 0);
		if (i)
			assert_true(a->free[i - 1].end < a->free[i].start);
	}
}

static void assert_free(unsigned int i, uint64_t start, uint64_t end)
{
	assert_true(i < m.nr_free);
	assert_int_equal(m.free[i].start, start);
	assert_int_equal(m.free[i].end, end);
}

static void test_add_rounds_inward(void **state)
{
	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x1001, 0x5fff), 0);
	assert_int_equal(m.nr_free, 1);
	assert_free(0, 0x2000, 0x5000);
	/* Less than a page after rounding: nothing. */
	assert_int_equal(mem_add(&m, 0x10001, 0x10fff), 0);
	assert_int_equal(mem_add(&m, 0x20000, 0x20000), 0);
	assert_int_equal(mem_add(&m, 0x30000, 0x20000), 0); /* reversed */
	/* The 640 KiB low range, as e820 gives it: 0x1000-0x9fbff. */
	assert_int_equal(mem_add(&m, 0x9000, 0x9fc00), 0);
	assert_int_equal(m.nr_free, 2);
	assert_free(1, 0x9000, 0x9f000);
	assert_int_equal(mem_free_bytes(&m), 0x3000 + 0x96000);
	check_invariants(&m);
}

static void test_add_merges(void **state)
{
	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33000000, 0x34000000), 0);
	assert_int_equal(mem_add(&m, 0x35000000, 0x36000000), 0);
	/* Touching on both sides: one range. */
	assert_int_equal(mem_add(&m, 0x34000000, 0x35000000), 0);
	assert_int_equal(m.nr_free, 1);
	assert_free(0, 0x33000000, 0x36000000);
	/* Overlapping and twice: harmless. */
	assert_int_equal(mem_add(&m, 0x32000000, 0x33800000), 0);
	assert_int_equal(mem_add(&m, 0x32000000, 0x33800000), 0);
	assert_int_equal(mem_add(&m, 0x34000000, 0x34001000), 0);
	assert_int_equal(mem_add(&m, 0x35fff000, 0x37000000), 0);
	assert_int_equal(m.nr_free, 1);
	assert_free(0, 0x32000000, 0x37000000);
	/* Covering several ranges at once. */
	assert_int_equal(mem_add(&m, 0x40000000, 0x41000000), 0);
	assert_int_equal(mem_add(&m, 0x42000000, 0x43000000), 0);
	assert_int_equal(mem_add(&m, 0x31000000, 0x44000000), 0);
	assert_int_equal(m.nr_free, 1);
	assert_free(0, 0x31000000, 0x44000000);
	assert_int_equal(mem_free_bytes(&m), 0x13000000);
	check_invariants(&m);
}

static void test_add_out_of_order(void **state)
{
	static const uint64_t starts[] = { 7, 1, 5, 3, 9, 0, 8, 2, 6, 4 };
	unsigned int i;

	mem_init(&m);
	for (i = 0; i < 10; i++)
		assert_int_equal(mem_add(&m, starts[i] * 2 * MiB,
					 starts[i] * 2 * MiB + MiB), 0);
	assert_int_equal(m.nr_free, 10);
	for (i = 0; i < 10; i++)
		assert_free(i, i * 2 * MiB, i * 2 * MiB + MiB);
	check_invariants(&m);
}

static void test_reserve(void **state)
{
	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33000000, 0x3f000000), 0);
	/* The middle: a split. */
	assert_int_equal(mem_reserve(&m, 0x3ef52000, 0x3ef53000), 0);
	assert_int_equal(m.nr_free, 2);
	assert_free(0, 0x33000000, 0x3ef52000);
	assert_free(1, 0x3ef53000, 0x3f000000);
	/* Rounded outward to pages: one byte costs a page each side. */
	assert_int_equal(mem_reserve(&m, 0x3ef54fff, 0x3ef55001), 0);
	assert_int_equal(m.nr_free, 3);
	assert_free(1, 0x3ef53000, 0x3ef54000);
	assert_free(2, 0x3ef56000, 0x3f000000);
	/* Head and tail trims. */
	assert_int_equal(mem_reserve(&m, 0x32000000, 0x33001000), 0);
	assert_free(0, 0x33001000, 0x3ef52000);
	assert_int_equal(mem_reserve(&m, 0x3eff0000, 0x40000000), 0);
	assert_free(2, 0x3ef56000, 0x3eff0000);
	/* Whole range, and across several. */
	assert_int_equal(mem_reserve(&m, 0x3ef53000, 0x3ef54000), 0);
	assert_int_equal(m.nr_free, 2);
	assert_int_equal(mem_reserve(&m, 0x3ef00000, 0x3ef60000), 0);
	assert_int_equal(m.nr_free, 2);
	assert_free(0, 0x33001000, 0x3ef00000);
	assert_free(1, 0x3ef60000, 0x3eff0000);
	/* Nothing there, empty, reversed: no-ops. */
	assert_int_equal(mem_reserve(&m, 0x1000, 0x2000), 0);
	assert_int_equal(mem_reserve(&m, 0x34000000, 0x34000000), 0);
	assert_int_equal(mem_reserve(&m, 0x35000000, 0x34000000), 0);
	assert_int_equal(m.nr_free, 2);
	/* Up to the end of the address space does not wrap. */
	assert_int_equal(mem_reserve(&m, 0x3ef70000, UINT64_MAX), 0);
	assert_int_equal(m.nr_free, 2);
	assert_free(1, 0x3ef60000, 0x3ef70000);
	assert_int_equal(mem_reserve(&m, 0, UINT64_MAX), 0);
	assert_int_equal(m.nr_free, 0);
	assert_int_equal(mem_free_bytes(&m), 0);
	check_invariants(&m);
}

static void test_alloc_lowest_fit(void **state)
{
	uint64_t a, b, c;

	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x100000, 0x103000), 0);
	assert_int_equal(mem_add(&m, 0x200000, 0x210000), 0);
	a = mem_alloc(&m, 4096, 4096);
	assert_int_equal(a, 0x100000);
	/* Does not fit in what is left of the first range. */
	b = mem_alloc(&m, 0x3000, 4096);
	assert_int_equal(b, 0x200000);
	/* Size rounded up to a page. */
	c = mem_alloc(&m, 1, 4096);
	assert_int_equal(c, 0x101000);
	assert_int_equal(mem_alloc(&m, 4096, 4096), 0x102000);
	assert_int_equal(m.nr_free, 1);
	assert_free(0, 0x203000, 0x210000);
	assert_int_equal(m.allocated, 4 * 4096 + 0x3000 - 4096);
	check_invariants(&m);
}

static void test_alloc_alignment_splits(void **state)
{
	uint64_t a;

	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33001000, 0x33801000), 0);
	/* 2 MiB aligned inside: head and tail stay free. */
	a = mem_alloc(&m, 0x1000, 2 * MiB);
	assert_int_equal(a, 0x33200000);
	assert_int_equal(m.nr_free, 2);
	assert_free(0, 0x33001000, 0x33200000);
	assert_free(1, 0x33201000, 0x33801000);
	/* Aligned allocation ending exactly at the range's end: no split. */
	a = mem_alloc(&m, 0x401000, 2 * MiB);
	assert_int_equal(a, 0x33400000);
	assert_int_equal(m.nr_free, 2);
	assert_free(1, 0x33201000, 0x33400000);
	/* No 2 MiB boundary left with room. */
	assert_int_equal(mem_alloc(&m, 0x1000, 2 * MiB), 0);
	/* 1 GiB alignment beyond every range. */
	assert_int_equal(mem_alloc(&m, 0x1000, GiB), 0);
	/* The largest power of two does not overflow. */
	assert_int_equal(mem_alloc(&m, 0x1000, 1ull << 63), 0);
	/* Bad requests. */
	assert_int_equal(mem_alloc(&m, 0, 4096), 0);
	assert_int_equal(mem_alloc(&m, 4096, 0), 0);
	assert_int_equal(mem_alloc(&m, 4096, 2048), 0);
	assert_int_equal(mem_alloc(&m, 4096, 3 * 4096), 0);
	check_invariants(&m);
}

static void test_alloc_exhaustion(void **state)
{
	uint64_t before, a;
	unsigned int n = 0;

	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33000000, 0x33010000), 0);
	assert_int_equal(mem_add(&m, 0x34000000, 0x34004000), 0);
	before = mem_free_bytes(&m);
	while ((a = mem_alloc(&m, 4096, 4096)) != 0) {
		assert_true((a >= 0x33000000 && a < 0x33010000) ||
			    (a >= 0x34000000 && a < 0x34004000));
		n++;
	}
	assert_int_equal(n, 20);
	assert_int_equal(m.nr_free, 0);
	assert_int_equal(m.allocated, before);
	assert_int_equal(mem_free_bytes(&m), 0);
	/* Larger than anything there. */
	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33000000, 0x33010000), 0);
	assert_int_equal(mem_alloc(&m, 0x10001, 4096), 0);
	assert_int_equal(mem_alloc(&m, 0x10000, 4096), 0x33000000);
}

static void test_alloc_huge_size(void **state)
{
	mem_init(&m);
	assert_int_equal(mem_add(&m, 0x33000000, 0x3f000000), 0);
	/*
	 * A size that rounds up past 2^64 must fail, not wrap to 0 and hand
	 * out an address with nothing reserved behind it.
	 */
	assert_int_equal(mem_alloc(&m, UINT64_MAX, 4096), 0);
	assert_int_equal(mem_alloc(&m, UINT64_MAX - 4094, 4096), 0);
	assert_int_equal(mem_alloc(&m, 1ull << 63, 4096), 0);
	assert_int_equal(m.allocated, 0);
	assert_int_equal(mem_free_bytes(&m), 0xc000000);
	assert_int_equal(mem_alloc(&m, 0xc000000, 4096), 0x33000000);
	assert_int_equal(m.nr_free, 0);
}

static void test_range_count_limit(void **state)
{
	unsigned int i;
	uint64_t a;

	mem_init(&m);
	for (i = 0; i < MEM_MAX_RANGES; i++)
		assert_int_equal(mem_add(&m, (i + 1) * 2 * MiB,
					 (i + 1) * 2 * MiB + 0x3000), 0);
	assert_int_equal(m.nr_free, MEM_MAX_RANGES);
	assert_int_equal(mem_add(&m, 1 * GiB, 1 * GiB + 0x1000),
			 E_MEM_TOO_MANY);
	/* Merging into a neighbour needs no new slot. */
	assert_int_equal(mem_add(&m, 2 * MiB + 0x3000, 2 * MiB + 0x4000), 0);
	assert_free(0, 2 * MiB, 2 * MiB + 0x4000);
	assert_int_equal(mem_add(&m, 4 * MiB - 0x1000, 4 * MiB), 0);
	assert_free(1, 4 * MiB - 0x1000, 4 * MiB + 0x3000);
	/* Nor does adding what is already there. */
	assert_int_equal(mem_add(&m, 6 * MiB + 0x1000, 6 * MiB + 0x2000), 0);
	assert_free(2, 6 * MiB, 6 * MiB + 0x3000);
	assert_int_equal(m.nr_free, MEM_MAX_RANGES);
	/* Bridging two ranges frees a slot. */
	assert_int_equal(mem_add(&m, 8 * MiB + 0x3000, 10 * MiB), 0);
	assert_int_equal(m.nr_free, MEM_MAX_RANGES - 1);
	assert_free(3, 8 * MiB, 10 * MiB + 0x3000);
	assert_int_equal(mem_add(&m, 1 * GiB, 1 * GiB + 0x1000), 0);
	assert_int_equal(m.nr_free, MEM_MAX_RANGES);
	/* A reserve that splits needs one: refused. */
	assert_int_equal(mem_reserve(&m, 6 * MiB + 0x1000, 6 * MiB + 0x2000),
			 E_MEM_RESERVE);
	/* Trimming needs none. */
	assert_int_equal(mem_reserve(&m, 4 * MiB - 0x1000, 4 * MiB + 0x1000),
			 0);
	assert_free(1, 4 * MiB + 0x1000, 4 * MiB + 0x3000);
	/* An allocation that starts a range needs no slot. */
	a = mem_alloc(&m, 0x1000, 0x2000);
	assert_int_equal(a, 2 * MiB);
	/*
	 * Range 0 is now [2M+4K, 2M+16K): an 8K-aligned page there would
	 * split it, and there is no slot, so the next range is used, where
	 * the page ends the range.
	 */
	a = mem_alloc(&m, 0x1000, 0x2000);
	assert_int_equal(a, 4 * MiB + 0x2000);
	a = mem_alloc(&m, 0x1000, 0x2000);
	assert_int_equal(a, 6 * MiB);
	assert_int_equal(m.nr_free, MEM_MAX_RANGES);
	check_invariants(&m);
}

/* Random operations against a page bitmap model of the same memory. */
#define MODEL_PAGES	1024
static uint8_t model[MODEL_PAGES];

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static void model_check(void)
{
	unsigned int p, i;

	check_invariants(&m);
	for (p = 0; p < MODEL_PAGES; p++) {
		uint64_t a = 0x100000 + (uint64_t)p * 4096;
		int in = 0;

		for (i = 0; i < m.nr_free; i++)
			if (a >= m.free[i].start && a < m.free[i].end)
				in = 1;
		assert_int_equal(in, model[p]);
	}
}

static void test_random_against_model(void **state)
{
	unsigned int step, p;

	mem_init(&m);
	memset(model, 0, sizeof(model));
	for (step = 0; step < 3000; step++) {
		uint64_t s = 0x100000 + rnd() % (MODEL_PAGES * 4096ull);
		uint64_t e = s + rnd() % (64 * 4096);
		unsigned int op = rnd() % 3;

		if (e > 0x100000 + MODEL_PAGES * 4096ull)
			e = 0x100000 + MODEL_PAGES * 4096ull;
		if (op == 0) {
			uint64_t ps = (s + 4095) & ~4095ull, pe = e & ~4095ull;

			if (mem_add(&m, s, e))
				continue;
			for (p = 0; ps < pe && p < MODEL_PAGES; p++)
				if (0x100000 + p * 4096ull >= ps &&
				    0x100000 + p * 4096ull < pe)
					model[p] = 1;
		} else if (op == 1) {
			uint64_t ps = s & ~4095ull, pe = (e + 4095) & ~4095ull;

			if (mem_reserve(&m, s, e))
				continue;
			for (p = 0; s < e && p < MODEL_PAGES; p++)
				if (0x100000 + p * 4096ull >= ps &&
				    0x100000 + p * 4096ull < pe)
					model[p] = 0;
		} else {
			uint64_t size = 4096 * (1 + rnd() % 8);
			uint64_t align = 4096ull << (rnd() % 4);
			uint64_t a = mem_alloc(&m, size, align);
			unsigned int first;

			if (!a)
				continue;
			assert_int_equal(a & (align - 1), 0);
			first = (unsigned int)((a - 0x100000) / 4096);
			for (p = first; p < first + size / 4096; p++) {
				assert_int_equal(model[p], 1);
				model[p] = 0;
			}
		}
		model_check();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_rounds_inward),
		cmocka_unit_test(test_add_merges),
		cmocka_unit_test(test_add_out_of_order),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_alloc_lowest_fit),
		cmocka_unit_test(test_alloc_alignment_splits),
		cmocka_unit_test(test_alloc_exhaustion),
		cmocka_unit_test(test_alloc_huge_size),
		cmocka_unit_test(test_range_count_limit),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
