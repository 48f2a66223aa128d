// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's identity page tables.  paging.c dereferences a table's
 * physical address as a pointer, so the tables here are host pages and
 * their host addresses stand in for physical ones.
 */
#include "fakes.h"
#include "testbuf.h"

#include <string.h>

#include "errors.h"
#include "paging.h"

#define KiB	(1ull << 10)
#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

struct pool {
	unsigned int used;
	unsigned int limit;
};

static uint64_t alloc_page(void *ctx)
{
	struct pool *p = ctx;
	uint8_t *pg;

	if (p->used >= p->limit)
		return 0;
	p->used++;
	pg = tb_alloc_pages(4096);
	/* paging.c must zero it itself: hand out garbage. */
	memset(pg, 0xa5, 4096);
	return (uint64_t)(uintptr_t)pg;
}

static struct page_tables pt;
static struct pool pool;

static void init(int levels, int gbpages)
{
	pool.used = 0;
	pool.limit = 100000;
	assert_int_equal(pt_init(&pt, levels, gbpages, alloc_page, &pool), 0);
	assert_int_equal(pt.levels, levels);
	assert_int_equal(pt.tables, 1);
}

static int teardown(void **state)
{
	tb_free_all();
	return 0;
}

/*
 * The walk the CPU does (Intel SDM vol. 3A, 4.5), written here from the
 * manual and not from paging.c, so that pt_lookup is not the only judge
 * of the tables paging.c built: 9 index bits per level, P in bit 0, PS in
 * bit 7 ends the walk at the PDPTE (1 GiB) or PDE (2 MiB), the address in
 * bits 51:12, PWT and PCD in bits 3 and 4, non-canonical addresses fault.
 */
#define HW_P		(1ull << 0)
#define HW_PWT		(1ull << 3)
#define HW_PCD		(1ull << 4)
#define HW_PS		(1ull << 7)
#define HW_ADDR		0x000ffffffffff000ull

static int hw_walk(uint64_t va, uint64_t *pa, uint64_t *size,
		   uint64_t *cache)
{
	unsigned int top = 12 + 9 * pt.levels;	/* 48 or 57 */
	uint64_t table = pt.root, high = va >> (top - 1);
	int level;

	if (high && high != (UINT64_MAX >> (top - 1)))
		return 0;
	for (level = pt.levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		const uint64_t *t = (const uint64_t *)(uintptr_t)table;
		uint64_t e = t[(va >> shift) & 511];

		if (!(e & HW_P))
			return 0;
		if (level == 1 || ((level == 2 || level == 3) && (e & HW_PS))) {
			uint64_t off = (1ull << shift) - 1;

			*pa = (e & HW_ADDR & ~off) | (va & off);
			*size = 1ull << shift;
			*cache = e & (HW_PCD | HW_PWT);
			return 1;
		}
		table = e & HW_ADDR;
		if (!table)	/* a leaf paging.c took for a table */
			return 0;
	}
	return 0;
}

/* A macro, so that a failure names the line that asked. */
#define assert_leaf(va, size, cache) do {				\
	uint64_t pa_, sz_, c_;						\
									\
	assert_true(hw_walk((va), &pa_, &sz_, &c_));			\
	assert_int_equal(pa_, (va));					\
	assert_int_equal(sz_, (size));					\
	assert_int_equal(c_, (cache));					\
	assert_true(pt_lookup(&pt, (va), &pa_, &sz_, &c_));		\
	assert_int_equal(pa_, (va));					\
	assert_int_equal(sz_, (size));					\
	assert_int_equal(c_, (cache));					\
} while (0)

static void assert_unmapped(uint64_t va)
{
	uint64_t pa, sz, c;

	assert_false(hw_walk(va, &pa, &sz, &c));
	assert_false(pt_lookup(&pt, va, &pa, &sz, &c));
}

static void test_4level_gbpages(void **state)
{
	init(4, 1);
	assert_int_equal(pt_map(&pt, 0, 4 * GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt.tables, 2);		/* PML4 + one PDPT */
	assert_int_equal(pool.used, 2);
	assert_leaf(0, GiB, PT_CACHE_WB);
	assert_leaf(0x12345678, GiB, PT_CACHE_WB);
	assert_leaf(4 * GiB - 1, GiB, PT_CACHE_WB);
	assert_unmapped(4 * GiB);
	assert_true(pt_is_mapped(&pt, 0, 4 * GiB, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 0, 4 * GiB + 1, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 0, 4096, PT_CACHE_UC));
	/* Mapping it again costs nothing. */
	assert_int_equal(pt_map(&pt, 0, 4 * GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt.tables, 2);
}

static void test_4level_2m_pages(void **state)
{
	init(4, 0);
	assert_int_equal(pt_map(&pt, 0, 4 * GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt.tables, 1 + 1 + 4);	/* PML4, PDPT, 4 PDs */
	assert_leaf(0, 2 * MiB, PT_CACHE_WB);
	assert_leaf(3 * GiB + 5 * MiB, 2 * MiB, PT_CACHE_WB);
	assert_true(pt_is_mapped(&pt, 0, 4 * GiB, PT_CACHE_WB));
	assert_unmapped(4 * GiB);
}

static void test_5level(void **state)
{
	uint64_t high = 1ull << 50;

	init(5, 1);
	assert_int_equal(pt_map(&pt, 0, 2 * GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt.tables, 3);		/* PML5, PML4, PDPT */
	assert_leaf(GiB + 1, GiB, PT_CACHE_WB);
	/* Above what 4 levels reach. */
	assert_int_equal(pt_map(&pt, high, high + 4096, PT_CACHE_UC), 0);
	assert_leaf(high, 4 * KiB, PT_CACHE_UC);
	assert_unmapped(high + 4096);
	assert_unmapped(high - 4096);
	assert_leaf(0, GiB, PT_CACHE_WB);	/* untouched */
	/* Up to the 52-bit physical limit, and not past it. */
	assert_int_equal(pt_map(&pt, PT_MAX_PHYS - 4096, PT_MAX_PHYS,
				PT_CACHE_UC), 0);
	assert_leaf(PT_MAX_PHYS - 4096, 4 * KiB, PT_CACHE_UC);
	assert_int_equal(pt_map(&pt, PT_MAX_PHYS - 4096, PT_MAX_PHYS + 1,
				PT_CACHE_UC), E_PT_RANGE);
	assert_unmapped(PT_MAX_PHYS);
}

/*
 * With 4 levels the identity map ends at 2^47 (the canonical lower
 * half): a higher request must fail, not wrap into PML4 entry 0 and
 * map something else at a low address.
 */
static void test_4level_limit(void **state)
{
	uint64_t top = 1ull << 47;

	init(4, 1);
	assert_int_equal(pt_map(&pt, top - 4096, top, PT_CACHE_UC), 0);
	assert_leaf(top - 4096, 4 * KiB, PT_CACHE_UC);
	assert_int_equal(pt_map(&pt, top, top + 4096, PT_CACHE_UC),
			 E_PT_RANGE);
	assert_int_equal(pt_map(&pt, 1ull << 48, (1ull << 48) + GiB,
				PT_CACHE_WB), E_PT_RANGE);
	assert_unmapped(0);
	assert_unmapped(GiB);
	assert_unmapped(top);
	assert_unmapped(1ull << 48);
	assert_false(pt_is_mapped(&pt, 1ull << 48, (1ull << 48) + 4096,
				  PT_CACHE_WB));
}

/* [4K, 1G + 2M + 4K): 4K edges, 2M middle, the largest pages that fit. */
static void test_ragged_range_exact(void **state)
{
	uint64_t start = 0x1000, end = GiB + 2 * MiB + 0x1000, va;

	init(4, 1);
	assert_int_equal(pt_map(&pt, start, end, PT_CACHE_WB), 0);
	assert_unmapped(0);
	assert_unmapped(0xfff);
	assert_leaf(0x1000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(0x1ff000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(0x200000, 2 * MiB, PT_CACHE_WB);
	assert_leaf(GiB - 1, 2 * MiB, PT_CACHE_WB);
	assert_leaf(GiB, 2 * MiB, PT_CACHE_WB);
	assert_leaf(GiB + 2 * MiB, 4 * KiB, PT_CACHE_WB);
	assert_unmapped(end);
	assert_unmapped(end + 2 * MiB);
	assert_true(pt_is_mapped(&pt, start, end, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, start - 1, end, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, start, end + 1, PT_CACHE_WB));
	/* Every page, exactly. */
	for (va = 0; va < end + 8 * MiB; va += 4096) {
		uint64_t pa, sz, c;
		int m = pt_lookup(&pt, va, &pa, &sz, &c);

		assert_int_equal(m, va >= start && va < end);
		if (m)
			assert_int_equal(pa, va);
	}
	/* PML4, PDPT, PD for GiB 0 (first 2M split), its PT, PD 1, its PT. */
	assert_int_equal(pt.tables, 6);

	/* Unaligned requests are rounded out to pages. */
	init(4, 0);
	assert_int_equal(pt_map(&pt, 0x5123, 0x5124, PT_CACHE_WB), 0);
	assert_leaf(0x5000, 4 * KiB, PT_CACHE_WB);
	assert_unmapped(0x4000);
	assert_unmapped(0x6000);
	/* Empty and reversed: nothing. */
	assert_int_equal(pt_map(&pt, 0x9000, 0x9000, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, 0x9000, 0x8000, PT_CACHE_WB), 0);
	assert_unmapped(0x9000);
	assert_unmapped(0x8000);
	/* The whole address space does not wrap to nothing. */
	assert_int_equal(pt_map(&pt, 0, UINT64_MAX, PT_CACHE_WB), E_PT_RANGE);
	assert_int_equal(pt_map(&pt, UINT64_MAX - 10, UINT64_MAX, PT_CACHE_WB),
			 E_PT_RANGE);
}

/* MMIO inside RAM's 1 GiB page: split down to 4K, the rest stays WB. */
static void test_uc_inside_wb_gbpage(void **state)
{
	uint64_t lapic = 0xfee00000, va;
	unsigned int n4k = 0, n2m = 0;

	init(4, 1);
	assert_int_equal(pt_map(&pt, 0, 4 * GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, lapic, lapic + 4096, PT_CACHE_UC), 0);
	assert_int_equal(pt.tables, 4);		/* + a PD and a PT */
	assert_leaf(lapic, 4 * KiB, PT_CACHE_UC);
	assert_leaf(lapic + 4096, 4 * KiB, PT_CACHE_WB);
	assert_leaf(lapic + 0x1ff000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(lapic - 4096, 2 * MiB, PT_CACHE_WB);
	assert_leaf(0xfec00000, 2 * MiB, PT_CACHE_WB);
	assert_leaf(3 * GiB, 2 * MiB, PT_CACHE_WB);
	/* The other 1 GiB pages are untouched. */
	assert_leaf(2 * GiB, GiB, PT_CACHE_WB);
	assert_leaf(0, GiB, PT_CACHE_WB);
	/* Every 4K of the split gigabyte still maps itself. */
	for (va = 3 * GiB; va < 4 * GiB; va += 4096) {
		uint64_t pa, sz, c;

		assert_true(pt_lookup(&pt, va, &pa, &sz, &c));
		assert_int_equal(pa, va);
		assert_int_equal(c, va == lapic ? PT_CACHE_UC : PT_CACHE_WB);
		n4k += sz == 4 * KiB;
		n2m += sz == 2 * MiB;
	}
	assert_int_equal(n4k, 512);
	assert_int_equal(n2m, (GiB - 2 * MiB) / 4096);
	assert_true(pt_is_mapped(&pt, lapic, lapic + 4096, PT_CACHE_UC));
	assert_false(pt_is_mapped(&pt, lapic, lapic + 4097, PT_CACHE_UC));
	assert_true(pt_is_mapped(&pt, 3 * GiB, lapic, PT_CACHE_WB));
	assert_true(pt_is_mapped(&pt, lapic + 4096, 4 * GiB, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 3 * GiB, 4 * GiB, PT_CACHE_WB));
	/* A second device in the same 2M: no new table. */
	assert_int_equal(pt_map(&pt, lapic + 0x10000, lapic + 0x12000,
				PT_CACHE_UC), 0);
	assert_int_equal(pt.tables, 4);
	assert_leaf(lapic + 0x11000, 4 * KiB, PT_CACHE_UC);
	assert_leaf(lapic + 0x12000, 4 * KiB, PT_CACHE_WB);
	/* A whole 2M UC inside the split GiB: a 2M leaf. */
	assert_int_equal(pt_map(&pt, 0xc0000000, 0xc0200000, PT_CACHE_UC), 0);
	assert_leaf(0xc0000000, 2 * MiB, PT_CACHE_UC);
	assert_leaf(0xc0200000, 2 * MiB, PT_CACHE_WB);
	assert_int_equal(pt.tables, 4);
}

static void test_uc_inside_wb_2m_page(void **state)
{
	uint64_t bar = 0x3fe01000;

	init(4, 0);
	assert_int_equal(pt_map(&pt, 0x3fe00000, 0x40000000, PT_CACHE_WB), 0);
	assert_int_equal(pt.tables, 3);
	assert_int_equal(pt_map(&pt, bar, bar + 0x3000, PT_CACHE_UC), 0);
	assert_int_equal(pt.tables, 4);
	assert_leaf(0x3fe00000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(bar, 4 * KiB, PT_CACHE_UC);
	assert_leaf(bar + 0x2000, 4 * KiB, PT_CACHE_UC);
	assert_leaf(bar + 0x3000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(0x3ffff000, 4 * KiB, PT_CACHE_WB);
	/* And back to WB over it: the pages change, nothing else. */
	assert_int_equal(pt_map(&pt, bar, bar + 0x1000, PT_CACHE_WB), 0);
	assert_leaf(bar, 4 * KiB, PT_CACHE_WB);
	assert_leaf(bar + 0x1000, 4 * KiB, PT_CACHE_UC);
}

/* A UC map that starts at the end of mapped WB does not disturb it. */
static void test_uc_next_to_wb(void **state)
{
	init(4, 1);
	assert_int_equal(pt_map(&pt, 0, GiB, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, GiB, GiB + 4096, PT_CACHE_UC), 0);
	assert_leaf(0, GiB, PT_CACHE_WB);
	assert_leaf(GiB, 4 * KiB, PT_CACHE_UC);
	assert_unmapped(GiB + 4096);
	/* The lookup reports cache bits only: W and P are set, PS on big. */
	assert_true(pt_is_mapped(&pt, 0, GiB, PT_CACHE_WB));
}

static void test_out_of_pages(void **state)
{
	pool.used = 0;
	pool.limit = 0;
	assert_int_equal(pt_init(&pt, 4, 1, alloc_page, &pool),
			 E_PT_NO_MEMORY);
	init(4, 1);
	pool.limit = 2;		/* PML4 + PDPT */
	assert_int_equal(pt_map(&pt, 0, GiB, PT_CACHE_WB), 0);
	/* Needs a PD and a PT. */
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, PT_CACHE_UC),
			 E_PT_NO_MEMORY);
	pool.limit = 3;
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, PT_CACHE_UC),
			 E_PT_NO_MEMORY);
	pool.limit = 4;
	assert_int_equal(pt_map(&pt, 0x1000, 0x2000, PT_CACHE_UC), 0);
	assert_leaf(0x1000, 4 * KiB, PT_CACHE_UC);
	assert_leaf(0x2000, 4 * KiB, PT_CACHE_WB);
	assert_leaf(0, 4 * KiB, PT_CACHE_WB);
}

static void test_lookup_edges(void **state)
{
	uint64_t pa, sz, c;

	init(4, 1);
	assert_unmapped(0);
	assert_false(pt_lookup(&pt, UINT64_MAX, &pa, &sz, &c));
	assert_false(pt_lookup(&pt, PT_MAX_PHYS, &pa, &sz, &c));
	assert_true(pt_is_mapped(&pt, 0x5000, 0x5000, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 0x5000, 0x5001, PT_CACHE_WB));
	assert_int_equal(pt_map(&pt, 0x5000, 0x6000, PT_CACHE_WB), 0);
	/* Byte ranges inside a page. */
	assert_true(pt_is_mapped(&pt, 0x5fff, 0x6000, PT_CACHE_WB));
	assert_true(pt_is_mapped(&pt, 0x5001, 0x5002, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 0x5fff, 0x6001, PT_CACHE_WB));
	assert_false(pt_is_mapped(&pt, 0x4fff, 0x5001, PT_CACHE_WB));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_4level_gbpages, teardown),
		cmocka_unit_test_teardown(test_4level_2m_pages, teardown),
		cmocka_unit_test_teardown(test_5level, teardown),
		cmocka_unit_test_teardown(test_4level_limit, teardown),
		cmocka_unit_test_teardown(test_ragged_range_exact, teardown),
		cmocka_unit_test_teardown(test_uc_inside_wb_gbpage, teardown),
		cmocka_unit_test_teardown(test_uc_inside_wb_2m_page, teardown),
		cmocka_unit_test_teardown(test_uc_next_to_wb, teardown),
		cmocka_unit_test_teardown(test_out_of_pages, teardown),
		cmocka_unit_test_teardown(test_lookup_edges, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
