// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel hook's page classifier (kernel-hook/classify.h), with the flag
 * numbers and magic values of Debian's 6.1 amd64 kernel (what its
 * VMCOREINFO exports).  Named cases per rule, then every combination of the
 * inputs that matter against a reference written the way makedumpfile
 * 1.7.2's __exclude_unnecessary_pages reads, one step at a time.
 */
#include "fakes.h"

#include <string.h>

#include "../../kernel-hook/classify.h"

#define PG_LRU		4
#define PG_SLAB		9
#define PG_SWAPCACHE	10
#define PG_PRIVATE	13
#define PG_HEAD		16
#define PG_SWAPBACKED	19
#define PG_HWPOISON	23
#define BUDDY		0xffffff7fu	/* PAGE_BUDDY_MAPCOUNT_VALUE */
#define OFFLINE		0xfffffeffu	/* ..._OFFLINE_MAPCOUNT_VALUE */
#define NO_TYPE		0xffffffffu	/* _mapcount -1 */
#define HUGETLB_DTOR	2

static const struct bmdump_page_bits deb = {
	.pg_lru = PG_LRU,
	.pg_slab = PG_SLAB,
	.pg_swapcache = PG_SWAPCACHE,
	.pg_private = PG_PRIVATE,
	.pg_swapbacked = PG_SWAPBACKED,
	.pg_hwpoison = PG_HWPOISON,
	.head_mask = 1ull << PG_HEAD,
	.buddy_mapcount = BUDDY,
	.has_offline = 1,
	.offline_mapcount = OFFLINE,
	.hugetlb_dtor = HUGETLB_DTOR,
	.max_order = 11,
};

#define F(b) (1ull << (b))

static struct bmdump_page_view page(uint64_t flags, uint64_t mapping,
				    uint32_t mapcount, uint64_t private)
{
	struct bmdump_page_view v = {
		.flags = flags,
		.mapping = mapping,
		.mapcount = mapcount,
		.private = private,
	};
	return v;
}

static struct bmdump_verdict cls(struct bmdump_page_view v,
				 unsigned int level, uint64_t pfn)
{
	return bmdump_classify(&deb, &v, level, pfn);
}

#define assert_verdict(d, c, k, n) do {				\
	struct bmdump_verdict d_ = (d);					\
	assert_int_equal(d_.class, (c));				\
	assert_int_equal(d_.keep, (k));					\
	assert_int_equal(d_.nr, (n));					\
} while (0)

static void test_hook_free_blocks(void **state)
{
	/* a free order-3 block goes whole, not page by page */
	assert_verdict(cls(page(0, 0, BUDDY, 3), 31, 0x1000),
		       BMDUMP_CLASS_FREE, 0, 8);
	assert_verdict(cls(page(0, 0, BUDDY, 0), 16, 0x1001),
		       BMDUMP_CLASS_FREE, 0, 1);
	/* level without 16: kept, and the block is counted as such */
	assert_verdict(cls(page(0, 0, BUDDY, 3), 15, 0x1000),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 8);
	/* slab pages are never free, whatever _mapcount says */
	assert_verdict(cls(page(F(PG_SLAB), 0, BUDDY, 3), 31, 0x1000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	/* an order makedumpfile rejects: kept, one page */
	assert_verdict(cls(page(0, 0, BUDDY, 11), 31, 0x1000),
		       BMDUMP_CLASS_UNKNOWN, 1, 1);
	assert_verdict(cls(page(0, 0, BUDDY, ~0ull), 31, 0x1000),
		       BMDUMP_CLASS_UNKNOWN, 1, 1);
	/* page type must match exactly, as makedumpfile compares it */
	assert_verdict(cls(page(0, 0, BUDDY & ~0x100u, 3), 31, 0x1000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
}

static void test_hook_cache(void **state)
{
	uint64_t lru = F(PG_LRU);

	assert_verdict(cls(page(lru, 0xffff888000001000ull, NO_TYPE, 0), 2,
			   7), BMDUMP_CLASS_CACHE, 0, 1);
	assert_verdict(cls(page(lru, 0xffff888000001000ull, NO_TYPE, 0), 4,
			   7), BMDUMP_CLASS_CACHE, 0, 1);
	/* with private: level 2 keeps it, level 4 drops it */
	assert_verdict(cls(page(lru | F(PG_PRIVATE), 0x1000, NO_TYPE, 0), 2,
			   7), BMDUMP_CLASS_EXCLUDED_KEPT, 1, 1);
	assert_verdict(cls(page(lru | F(PG_PRIVATE), 0x1000, NO_TYPE, 0), 4,
			   7), BMDUMP_CLASS_CACHE_PRIVATE, 0, 1);
	assert_verdict(cls(page(lru | F(PG_PRIVATE), 0x1000, NO_TYPE, 0), 31,
			   7), BMDUMP_CLASS_CACHE_PRIVATE, 0, 1);
	/* swap cache counts only with swapbacked */
	assert_verdict(cls(page(F(PG_SWAPBACKED) | F(PG_SWAPCACHE), 0x1000,
				NO_TYPE, 0), 2, 7), BMDUMP_CLASS_CACHE, 0, 1);
	assert_verdict(cls(page(F(PG_SWAPCACHE), 0x1000, NO_TYPE, 0), 31, 7),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	/* an anonymous LRU page is user data, not cache */
	assert_verdict(cls(page(lru, 0x1001, NO_TYPE, 0), 6, 7),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 1);
	assert_verdict(cls(page(lru, 0x1001, NO_TYPE, 0), 8, 7),
		       BMDUMP_CLASS_USER, 0, 1);
}

static void test_hook_compound(void **state)
{
	struct bmdump_page_view v;

	/* anonymous THP: the head takes its 511 tails along */
	v = page(F(PG_HEAD) | F(PG_LRU), 0x2001, NO_TYPE, 0);
	v.next_order = 9;
	assert_verdict(cls(v, 31, 0x40000), BMDUMP_CLASS_USER, 0, 512);
	/* hugetlb, known by the dtor in page[1] */
	v = page(F(PG_HEAD), 0, NO_TYPE, 0);
	v.next_order = 9;
	v.next_dtor = HUGETLB_DTOR;
	assert_verdict(cls(v, 8, 0x40000), BMDUMP_CLASS_USER, 0, 512);
	assert_verdict(cls(v, 7, 0x40000), BMDUMP_CLASS_EXCLUDED_KEPT, 1,
		       512);
	/* an order the pfn is not aligned to counts as 0 */
	assert_verdict(cls(v, 8, 0x40100), BMDUMP_CLASS_USER, 0, 1);
	v.next_order = 64;
	assert_verdict(cls(v, 8, 0), BMDUMP_CLASS_USER, 0, 1);
	/* page[1] is not read for the last page of a 512-page batch */
	v.next_order = 0;
	assert_verdict(cls(v, 8, 511), BMDUMP_CLASS_KERNEL, 1, 1);
	/* without PG_head page[1] means nothing */
	v = page(0, 0, NO_TYPE, 0);
	v.next_order = 9;
	v.next_dtor = HUGETLB_DTOR;
	assert_verdict(cls(v, 31, 0x40000), BMDUMP_CLASS_KERNEL, 1, 1);
	/* a kept compound (say a slab of order 3) covers its tails */
	v = page(F(PG_HEAD) | F(PG_SLAB), 0, NO_TYPE, 0);
	v.next_order = 3;
	assert_verdict(cls(v, 31, 0x40008), BMDUMP_CLASS_KERNEL, 1, 8);
	/* a tail nobody covered is kept */
	v = page(0, 0, NO_TYPE, 0);
	v.compound_head = 0xffffea0000100001ull;
	assert_verdict(cls(v, 31, 0x40001), BMDUMP_CLASS_UNKNOWN, 1, 1);
}

static void test_hook_always_excluded(void **state)
{
	/* hwpoison and offline go at every level, even 0 */
	assert_verdict(cls(page(F(PG_HWPOISON), 0, NO_TYPE, 0), 0, 5),
		       BMDUMP_CLASS_HWPOISON, 0, 1);
	assert_verdict(cls(page(0, 0, OFFLINE, 0), 0, 5),
		       BMDUMP_CLASS_OFFLINE, 0, 1);
	assert_verdict(cls(page(F(PG_SLAB), 0, OFFLINE, 0), 0, 5),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	/* the level decides which rule comes first: buddy + hwpoison */
	assert_verdict(cls(page(F(PG_HWPOISON), 0, BUDDY, 2), 16, 8),
		       BMDUMP_CLASS_FREE, 0, 4);
	assert_verdict(cls(page(F(PG_HWPOISON), 0, BUDDY, 2), 0, 8),
		       BMDUMP_CLASS_HWPOISON, 0, 1);
	/* a kernel without offline pages in VMCOREINFO */
	{
		struct bmdump_page_bits b = deb;
		struct bmdump_page_view v = page(0, 0, OFFLINE, 0);

		b.has_offline = 0;
		assert_int_equal(bmdump_classify(&b, &v, 31, 5).keep, 1);
	}
	/* zero pages (level 1) are not the hook's job */
	assert_verdict(cls(page(0, 0, NO_TYPE, 0), 1, 5),
		       BMDUMP_CLASS_KERNEL, 1, 1);
}

/*
 * Reference: makedumpfile 1.7.2's decision for one pfn, step by step.
 * Returns 1 and the exclusion's length, or 0 when the page stays.
 */
static int mdf_excludes(uint64_t flags, uint64_t chead, uint64_t mapping,
			uint32_t mapcount, uint64_t private, uint8_t dtor1,
			uint8_t order1, unsigned int level, uint64_t pfn,
			uint64_t *nr)
{
	unsigned int order = 0, dtor = 0;
	int lru = (flags >> PG_LRU) & 1, slab = (flags >> PG_SLAB) & 1;
	int is_cache, priv = (flags >> PG_PRIVATE) & 1, anon = mapping & 1;

	if ((pfn % 512) < 511 && (flags & F(PG_HEAD))) {
		order = order1;
		dtor = dtor1;
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;
	}
	is_cache = lru || (((flags >> PG_SWAPBACKED) & 1) &&
			   ((flags >> PG_SWAPCACHE) & 1));
	*nr = 1ull << order;
	if (chead & 1)
		return 0;
	if ((level & 16) && !slab && mapcount == BUDDY) {
		if (private >= 11)
			return 0;
		*nr = 1ull << private;
		return 1;
	}
	if ((level & 2) && is_cache && !priv && !anon)
		return 1;
	if ((level & 4) && is_cache && !anon)
		return 1;
	if ((level & 8) && (anon || dtor == HUGETLB_DTOR))
		return 1;
	if ((flags >> PG_HWPOISON) & 1)
		return 1;
	if (!slab && mapcount == OFFLINE)
		return 1;
	return 0;
}

static void test_hook_matches_makedumpfile_everywhere(void **state)
{
	static const unsigned int bits[] = {
		PG_LRU, PG_SLAB, PG_SWAPCACHE, PG_PRIVATE, PG_HEAD,
		PG_SWAPBACKED, PG_HWPOISON,
	};
	static const uint32_t mapcounts[] = { NO_TYPE, BUDDY, OFFLINE, 0 };
	static const uint64_t privates[] = { 0, 3, 10, 11 };
	static const uint64_t pfns[] = { 0x40000, 0x40001, 0x401ff, 0x40008 };
	static const uint8_t orders[] = { 0, 3, 9, 200 };
	unsigned long checked = 0;
	unsigned int fl, m, p, q, o, d, c, an, level;

	for (fl = 0; fl < (1u << 7); fl++)
	for (m = 0; m < 4; m++)
	for (p = 0; p < 4; p++)
	for (q = 0; q < 4; q++)
	for (o = 0; o < 4; o++)
	for (d = 0; d < 3; d++)
	for (c = 0; c < 2; c++)
	for (an = 0; an < 2; an++) {
		struct bmdump_page_view v = { 0 };
		unsigned int i;

		for (i = 0; i < 7; i++)
			if (fl & (1u << i))
				v.flags |= F(bits[i]);
		v.mapcount = mapcounts[m];
		v.private = privates[p];
		v.mapping = an ? 0xffff888012340001ull : 0xffff888012340000ull;
		v.compound_head = c ? 0xffffea0000100001ull : 0;
		v.next_order = orders[o];
		v.next_dtor = d;
		for (level = 0; level <= 31; level++) {
			struct bmdump_verdict r;
			uint64_t nr;
			int ex;

			ex = mdf_excludes(v.flags, v.compound_head, v.mapping,
					  v.mapcount, v.private, v.next_dtor,
					  v.next_order, level, pfns[q], &nr);
			r = bmdump_classify(&deb, &v, level, pfns[q]);
			assert_int_equal(r.keep, !ex);
			assert_true(r.nr >= 1);
			if (ex)
				assert_int_equal(r.nr, nr);
			/* kept runs only stand for a real head's pages */
			if (!ex && r.nr > 1)
				assert_true((v.flags & F(PG_HEAD)) ||
					    v.mapcount == BUDDY);
			assert_true(r.class < BMDUMP_NR_CLASSES);
			assert_int_equal(r.class == BMDUMP_CLASS_HOLE, 0);
			checked++;
		}
	}
	assert_int_equal(checked, 128ul * 4 * 4 * 4 * 4 * 3 * 2 * 2 * 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_free_blocks),
		cmocka_unit_test(test_hook_cache),
		cmocka_unit_test(test_hook_compound),
		cmocka_unit_test(test_hook_always_excluded),
		cmocka_unit_test(test_hook_matches_makedumpfile_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
