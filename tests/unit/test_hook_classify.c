// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel hook's page classifier (include/bmdump/classify.h) on every
 * supported kernel.  Each kernel's flag numbers and page type values come
 * from its VMCOREINFO as captured in the rig (tests/unit/vmcoreinfo/, made
 * into vmcoreinfo_kernels.h by gen_vmcoreinfo.py, read with the stub's own
 * VMCOREINFO parser): nothing here is typed from a kernel header.
 *
 * Named cases per rule and kernel, then every combination of the inputs
 * that matter against a reference written the way upstream makedumpfile's
 * __exclude_unnecessary_pages reads (its 6.12 support, commit 72c3414),
 * one step at a time, keyed on what VMCOREINFO exports as makedumpfile
 * keys it.
 */
#include "fakes.h"

#include <string.h>

#include "vmcoreinfo.h"
#include "bmdump/classify.h"
#include "vmcoreinfo_kernels.h"

#define NR_KERNELS	(sizeof(captured_vmcoreinfo) / \
			 sizeof(captured_vmcoreinfo[0]))
#define NOT_FOUND	INT64_MIN
#define NO_TYPE		0xffffffffu	/* _mapcount -1: no type */
#define F(b)		(1ull << (b))

/* One kernel as VMCOREINFO describes it to makedumpfile. */
struct kimage {
	const char *release;
	int64_t pg_lru, pg_slab, pg_swapcache, pg_private, pg_swapbacked;
	int64_t pg_hwpoison, head_mask, buddy, offline, slab_type;
	int64_t hugetlb_type, hugetlb_dtor, free_orders;
	unsigned int pg_head;
	struct bmdump_page_bits bits;	/* what the hook must be given */
};

static int64_t number(const char *text, const char *key)
{
	int64_t v;

	if (vmcoreinfo_get_dec(text, strlen(text), key, &v))
		return NOT_FOUND;
	return v;
}

static uint32_t u32(int64_t v)
{
	return (uint32_t)v;
}

/*
 * The bmdump_page_bits the hook's compatibility header must produce for
 * this kernel, derived from the kernel's own export.
 */
static void derive_bits(struct kimage *k)
{
	struct bmdump_page_bits *b = &k->bits;

	memset(b, 0, sizeof(*b));
	b->pg_lru = k->pg_lru;
	b->pg_slab = k->pg_slab == NOT_FOUND ? 64 : k->pg_slab;
	b->pg_swapcache = k->pg_swapcache;
	b->pg_private = k->pg_private;
	b->pg_swapbacked = k->pg_swapbacked;
	b->pg_hwpoison = k->pg_hwpoison == NOT_FOUND ? 64 : k->pg_hwpoison;
	b->head_mask = (uint64_t)k->head_mask;
	b->buddy_mapcount = u32(k->buddy);
	b->has_offline = k->offline != NOT_FOUND;
	b->offline_mapcount = u32(k->offline);
	b->has_slab_type = k->slab_type != NOT_FOUND;
	b->slab_mapcount = u32(k->slab_type);
	b->hugetlb_dtor = k->hugetlb_dtor == NOT_FOUND ? 256 :
			  k->hugetlb_dtor;
	b->has_hugetlb_type = k->hugetlb_type != NOT_FOUND;
	b->hugetlb_mapcount = u32(k->hugetlb_type);
	b->max_order = k->free_orders;
}

static struct kimage load(unsigned int i)
{
	const char *t = captured_vmcoreinfo[i].text;
	struct kimage k = {
		.release = captured_vmcoreinfo[i].release,
		.pg_lru = number(t, "NUMBER(PG_lru)"),
		.pg_slab = number(t, "NUMBER(PG_slab)"),
		.pg_swapcache = number(t, "NUMBER(PG_swapcache)"),
		.pg_private = number(t, "NUMBER(PG_private)"),
		.pg_swapbacked = number(t, "NUMBER(PG_swapbacked)"),
		.pg_hwpoison = number(t, "NUMBER(PG_hwpoison)"),
		.head_mask = number(t, "NUMBER(PG_head_mask)"),
		.buddy = number(t, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"),
		.offline = number(t, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)"),
		.slab_type = number(t, "NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)"),
		.hugetlb_type = number(t,
				       "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)"),
		.hugetlb_dtor = number(t, "NUMBER(HUGETLB_PAGE_DTOR)"),
		.free_orders = number(t, "LENGTH(zone.free_area)"),
	};

	/* what every supported kernel exports, and makedumpfile needs */
	assert_true(k.pg_lru >= 0 && k.pg_lru < 64);
	assert_true(k.pg_swapcache >= 0 && k.pg_swapcache < 64);
	assert_true(k.pg_private >= 0 && k.pg_private < 64);
	assert_true(k.pg_swapbacked >= 0 && k.pg_swapbacked < 64);
	assert_true(k.head_mask > 0 && !(k.head_mask & (k.head_mask - 1)));
	assert_true(k.buddy != NOT_FOUND);
	assert_true(k.free_orders > 0 && k.free_orders < 64);
	/* slab is either a flag or a page type, hugetlb a dtor or a type */
	assert_true((k.pg_slab != NOT_FOUND) != (k.slab_type != NOT_FOUND));
	assert_true(k.hugetlb_dtor == NOT_FOUND ||
		    k.hugetlb_type == NOT_FOUND);
	k.pg_head = __builtin_ctzll((uint64_t)k.head_mask);
	derive_bits(&k);
	return k;
}

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

#define assert_verdict(d, c, k, n) do {				\
	struct bmdump_verdict d_ = (d);					\
	assert_int_equal(d_.class, (c));				\
	assert_int_equal(d_.keep, (k));					\
	assert_int_equal(d_.nr, (n));					\
} while (0)

/* A slab page of this kernel: PG_slab, or the slab page type. */
static struct bmdump_page_view slab_page(const struct kimage *k,
					 uint32_t mapcount, uint64_t mapping)
{
	if (k->slab_type != NOT_FOUND)
		return page(0, mapping, u32(k->slab_type), 0);
	return page(F(k->pg_slab), mapping, mapcount, 0);
}

static void test_hook_kernels_captured(void **state)
{
	int has_6_1 = 0, has_6_12 = 0;
	unsigned int i;

	for (i = 0; i < NR_KERNELS; i++) {
		has_6_1 |= !strncmp(captured_vmcoreinfo[i].release, "6.1.", 4);
		has_6_12 |= !strncmp(captured_vmcoreinfo[i].release, "6.12.",
				     5);
		load(i);
	}
	assert_true(has_6_1 && has_6_12);
}

static void free_blocks(const struct kimage *k)
{
	const struct bmdump_page_bits *b = &k->bits;
	uint32_t buddy = u32(k->buddy);
	struct bmdump_page_view v;

	/* a free order-3 block goes whole, not page by page */
	v = page(0, 0, buddy, 3);
	assert_verdict(bmdump_classify(b, &v, 31, 0x1000), BMDUMP_CLASS_FREE,
		       0, 8);
	/* level without 16: kept, and the block is counted as such */
	assert_verdict(bmdump_classify(b, &v, 15, 0x1000),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 8);
	/* the highest order is free, the next one is garbage: kept */
	v = page(0, 0, buddy, k->free_orders - 1);
	assert_int_equal(bmdump_classify(b, &v, 16, 0).keep, 0);
	v = page(0, 0, buddy, k->free_orders);
	assert_verdict(bmdump_classify(b, &v, 31, 0x1000),
		       BMDUMP_CLASS_UNKNOWN, 1, 1);
	/* slab pages are never free, whatever _mapcount says */
	v = slab_page(k, buddy, 0);
	assert_verdict(bmdump_classify(b, &v, 31, 0x1000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	/* the page type must match exactly, as makedumpfile compares it */
	v = page(0, 0, buddy ^ 0x100u, 3);
	assert_verdict(bmdump_classify(b, &v, 31, 0x1000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	v = page(0, 0, buddy ^ 0x1u, 3);
	assert_verdict(bmdump_classify(b, &v, 31, 0x1000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
}

static void cache_and_user(const struct kimage *k)
{
	const struct bmdump_page_bits *b = &k->bits;
	uint64_t lru = F(k->pg_lru), priv = F(k->pg_private);
	struct bmdump_page_view v;

	v = page(lru, 0xffff888000001000ull, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 2, 7), BMDUMP_CLASS_CACHE, 0, 1);
	/* with private: level 2 keeps it, level 4 drops it */
	v = page(lru | priv, 0x1000, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 2, 7),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 1);
	assert_verdict(bmdump_classify(b, &v, 4, 7),
		       BMDUMP_CLASS_CACHE_PRIVATE, 0, 1);
	/* swap cache counts only with swapbacked */
	v = page(F(k->pg_swapbacked) | F(k->pg_swapcache), 0x1000, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 2, 7), BMDUMP_CLASS_CACHE, 0, 1);
	v = page(F(k->pg_swapcache), 0x1000, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 31, 7), BMDUMP_CLASS_KERNEL, 1,
		       1);
	/* an anonymous LRU page is user data, not cache */
	v = page(lru, 0x1001, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 6, 7),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 1);
	assert_verdict(bmdump_classify(b, &v, 8, 7), BMDUMP_CLASS_USER, 0, 1);
	/* a slab's mapping word with bit 0 set is not anon */
	v = slab_page(k, NO_TYPE, 0xffff888012340001ull);
	assert_verdict(bmdump_classify(b, &v, 31, 7), BMDUMP_CLASS_KERNEL, 1,
		       1);
}

static void compound(const struct kimage *k)
{
	const struct bmdump_page_bits *b = &k->bits;
	uint64_t head = F(k->pg_head);
	struct bmdump_page_view v;

	/* anonymous THP: the head takes its 511 tails along */
	v = page(head | F(k->pg_lru), 0x2001, NO_TYPE, 0);
	v.next_order = 9;
	assert_verdict(bmdump_classify(b, &v, 31, 0x40000), BMDUMP_CLASS_USER,
		       0, 512);
	/* hugetlb: a dtor in page[1] (6.1) or the head's page type (6.12) */
	if (k->hugetlb_type != NOT_FOUND)
		v = page(head, 0, u32(k->hugetlb_type), 0);
	else
		v = page(head, 0, NO_TYPE, 0);
	v.next_order = 9;
	v.next_dtor = k->hugetlb_dtor == NOT_FOUND ? 0 : k->hugetlb_dtor;
	assert_verdict(bmdump_classify(b, &v, 8, 0x40000), BMDUMP_CLASS_USER,
		       0, 512);
	assert_verdict(bmdump_classify(b, &v, 7, 0x40000),
		       BMDUMP_CLASS_EXCLUDED_KEPT, 1, 512);
	/* an order the pfn is not aligned to counts as 0 */
	assert_verdict(bmdump_classify(b, &v, 8, 0x40100), BMDUMP_CLASS_USER,
		       0, 1);
	/* page[1] is not read for the last page of a 512-page batch */
	assert_verdict(bmdump_classify(b, &v, 8, 511), BMDUMP_CLASS_KERNEL, 1,
		       1);
	/* without PG_head page[1] and the hugetlb type mean nothing */
	v.flags = 0;
	assert_verdict(bmdump_classify(b, &v, 31, 0x40000),
		       BMDUMP_CLASS_KERNEL, 1, 1);
	/* a kept compound (a slab of order 3) covers its tails */
	v = slab_page(k, NO_TYPE, 0);
	v.flags |= head;
	v.next_order = 3;
	assert_verdict(bmdump_classify(b, &v, 31, 0x40008),
		       BMDUMP_CLASS_KERNEL, 1, 8);
	/* a tail nobody covered is kept */
	v = page(0, 0, NO_TYPE, 0);
	v.compound_head = 0xffffea0000100001ull;
	assert_verdict(bmdump_classify(b, &v, 31, 0x40001),
		       BMDUMP_CLASS_UNKNOWN, 1, 1);
}

static void always_excluded(const struct kimage *k)
{
	const struct bmdump_page_bits *b = &k->bits;
	struct bmdump_page_view v;

	/* hwpoison and offline go at every level, even 0 */
	v = page(F(k->pg_hwpoison), 0, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 0, 5), BMDUMP_CLASS_HWPOISON, 0,
		       1);
	assert_true(k->offline != NOT_FOUND);
	v = page(0, 0, u32(k->offline), 0);
	assert_verdict(bmdump_classify(b, &v, 0, 5), BMDUMP_CLASS_OFFLINE, 0,
		       1);
	/* the level decides which rule comes first: buddy + hwpoison */
	v = page(F(k->pg_hwpoison), 0, u32(k->buddy), 2);
	assert_verdict(bmdump_classify(b, &v, 16, 8), BMDUMP_CLASS_FREE, 0, 4);
	assert_verdict(bmdump_classify(b, &v, 0, 8), BMDUMP_CLASS_HWPOISON, 0,
		       1);
	/* zero pages (level 1) are not the hook's job */
	v = page(0, 0, NO_TYPE, 0);
	assert_verdict(bmdump_classify(b, &v, 1, 5), BMDUMP_CLASS_KERNEL, 1,
		       1);
}

static void test_hook_named_cases(void **state)
{
	unsigned int i;

	for (i = 0; i < NR_KERNELS; i++) {
		struct kimage k = load(i);

		print_message("%s\n", k.release);
		free_blocks(&k);
		cache_and_user(&k);
		compound(&k);
		always_excluded(&k);
	}
}

/* --- the reference -------------------------------------------------------- */

static int mdf_bit(const struct kimage *k, int64_t nr, uint64_t flags)
{
	return nr != NOT_FOUND && ((flags >> nr) & 1);
}

static int mdf_is_slab(const struct kimage *k, uint64_t flags,
		       uint32_t mapcount)
{
	if (k->slab_type != NOT_FOUND && mapcount == u32(k->slab_type))
		return 1;
	return mdf_bit(k, k->pg_slab, flags);
}

/*
 * makedumpfile's decision for one pfn, step by step.  Returns 1 and the
 * exclusion's length, or 0 when the page stays.
 */
static int mdf_excludes(const struct kimage *k,
			const struct bmdump_page_view *v, unsigned int level,
			uint64_t pfn, uint64_t *nr)
{
	uint64_t flags = v->flags;
	uint32_t mc = v->mapcount;
	unsigned int order = 0;
	int hugetlb = 0, slab = mdf_is_slab(k, flags, mc);
	int anon = (v->mapping & 1) && !slab;
	int priv = mdf_bit(k, k->pg_private, flags), is_cache;

	if ((pfn % 512) < 511 && (flags & (uint64_t)k->head_mask)) {
		order = v->next_order;
		if (k->hugetlb_type != NOT_FOUND)
			hugetlb = mc == u32(k->hugetlb_type);
		else
			hugetlb = k->hugetlb_dtor != NOT_FOUND &&
				  v->next_dtor == k->hugetlb_dtor;
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;
	}
	is_cache = mdf_bit(k, k->pg_lru, flags) ||
		   (mdf_bit(k, k->pg_swapbacked, flags) &&
		    mdf_bit(k, k->pg_swapcache, flags));
	*nr = 1ull << order;
	if (v->compound_head & 1)
		return 0;
	if ((level & 16) && !slab && mc == u32(k->buddy)) {
		if (v->private >= (uint64_t)k->free_orders)
			return 0;
		*nr = 1ull << v->private;
		return 1;
	}
	if ((level & 2) && is_cache && !priv && !anon)
		return 1;
	if ((level & 4) && is_cache && !anon)
		return 1;
	if ((level & 8) && (anon || hugetlb))
		return 1;
	if (mdf_bit(k, k->pg_hwpoison, flags))
		return 1;
	if (k->offline != NOT_FOUND && !slab && mc == u32(k->offline))
		return 1;
	return 0;
}

static unsigned long match_everywhere(const struct kimage *k)
{
	const int64_t bits[] = {
		k->pg_lru, k->pg_slab, k->pg_swapcache, k->pg_private,
		k->pg_head, k->pg_swapbacked, k->pg_hwpoison,
	};
	/* every typed value the kernel exports, and near misses */
	const uint32_t mapcounts[] = {
		NO_TYPE, u32(k->buddy), u32(k->offline), u32(k->slab_type),
		u32(k->hugetlb_type), 0, u32(k->buddy) ^ 1,
	};
	static const uint64_t privates[] = { 0, 3, 10, 11 };
	static const uint64_t pfns[] = { 0x40000, 0x40001, 0x401ff, 0x40008 };
	static const uint8_t orders[] = { 0, 3, 9, 200 };
	const uint8_t dtors[] = { 0, 1, k->hugetlb_dtor == NOT_FOUND ? 2 :
				  (uint8_t)k->hugetlb_dtor };
	unsigned long checked = 0;
	unsigned int fl, m, p, q, o, d, c, an, level, i;

	for (fl = 0; fl < (1u << 7); fl++)
	for (m = 0; m < 7; m++)
	for (p = 0; p < 4; p++)
	for (q = 0; q < 4; q++)
	for (o = 0; o < 4; o++)
	for (d = 0; d < 3; d++)
	for (c = 0; c < 2; c++)
	for (an = 0; an < 2; an++) {
		struct bmdump_page_view v = { 0 };

		for (i = 0; i < 7; i++)
			if ((fl & (1u << i)) && bits[i] != NOT_FOUND &&
			    bits[i] < 64)
				v.flags |= F(bits[i]);
		v.mapcount = mapcounts[m];
		v.private = privates[p];
		v.mapping = an ? 0xffff888012340001ull : 0xffff888012340000ull;
		v.compound_head = c ? 0xffffea0000100001ull : 0;
		v.next_order = orders[o];
		v.next_dtor = dtors[d];
		for (level = 0; level <= 31; level++) {
			struct bmdump_verdict r;
			uint64_t nr;
			int ex;

			ex = mdf_excludes(k, &v, level, pfns[q], &nr);
			r = bmdump_classify(&k->bits, &v, level, pfns[q]);
			assert_int_equal(r.keep, !ex);
			assert_true(r.nr >= 1);
			if (ex)
				assert_int_equal(r.nr, nr);
			/* kept runs only stand for a real head's pages */
			if (!ex && r.nr > 1)
				assert_true((v.flags &
					     (uint64_t)k->head_mask) ||
					    v.mapcount == u32(k->buddy));
			assert_true(r.class < BMDUMP_NR_CLASSES);
			assert_int_equal(r.class == BMDUMP_CLASS_HOLE, 0);
			checked++;
		}
	}
	return checked;
}

static void test_hook_matches_makedumpfile_everywhere(void **state)
{
	unsigned int i;

	for (i = 0; i < NR_KERNELS; i++) {
		struct kimage k = load(i);

		assert_int_equal(match_everywhere(&k),
				 128ul * 7 * 4 * 4 * 4 * 3 * 2 * 2 * 32);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_kernels_captured),
		cmocka_unit_test(test_hook_named_cases),
		cmocka_unit_test(test_hook_matches_makedumpfile_everywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
