/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels bmdump.ko supports, in one place:
 * the fill loop (bmdump_fill.c) and the classifier it shares with the stub
 * (include/bmdump/classify.h) have no version test of their own.
 *
 *                          6.1                      6.12
 *   typed page value       ~PG_buddy, ~PG_offline   PGTY_x << 24
 *   slab                   PG_slab in flags         PGTY_slab page type
 *   hugetlb                page[1].compound_dtor    PGTY_hugetlb page type
 *   compound order         page[1].compound_order   page[1].flags & 0xff
 *                                                   (folio->_flags_1)
 *   free orders            < MAX_ORDER              < NR_PAGE_ORDERS
 *
 * The values are those the kernel's VMCOREINFO gives makedumpfile
 * (PAGE_*_MAPCOUNT_VALUE, PG_*, HUGETLB_PAGE_DTOR, LENGTH(zone.free_area));
 * tests/unit/test_hook_classify.c checks the classifier against each
 * kernel's VMCOREINFO as captured in the rig.
 *
 * The kernels in between changed the same fields step by step (folio order
 * in 6.4 and 6.6, MAX_ORDER in 6.4, hugetlb type in 6.9, slab type in
 * 6.10, one page type per page in 6.12) and are not tested: the build
 * refuses them rather than classify with a guessed layout.
 */
#ifndef BMDUMP_COMPAT_H
#define BMDUMP_COMPAT_H

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/version.h>

#include "bmdump/kernels.h"
#include "bmdump/classify.h"

#define BMDUMP_KMAJOR	(LINUX_VERSION_CODE >> 16)
#define BMDUMP_KMINOR	((LINUX_VERSION_CODE >> 8) & 0xff)

#if !BMDUMP_KERNEL_SUPPORTED(BMDUMP_KMAJOR, BMDUMP_KMINOR)
#error "bmdump: this kernel's struct page layout is not verified (supported: 6.1, 6.12); see kernel-hook/bmdump_compat.h"
#elif BMDUMP_KMINOR == 1
#define BMDUMP_LAYOUT_6_1	1
#else
#define BMDUMP_LAYOUT_6_12	1
#endif

#ifdef CONFIG_MEMORY_FAILURE
#define BMDUMP_PG_HWPOISON	PG_hwpoison
#else
#define BMDUMP_PG_HWPOISON	64
#endif

#ifdef BMDUMP_LAYOUT_6_1
static const struct bmdump_page_bits bmdump_bits = {
	.pg_lru		= PG_lru,
	.pg_slab	= PG_slab,
	.pg_swapcache	= PG_swapcache,
	.pg_private	= PG_private,
	.pg_swapbacked	= PG_swapbacked,
	.pg_hwpoison	= BMDUMP_PG_HWPOISON,
	.head_mask	= 1ull << PG_head,
	.buddy_mapcount	= (u32)~PG_buddy,
#ifdef CONFIG_HUGETLB_PAGE
	/*
	 * 6.1 exports PAGE_OFFLINE_MAPCOUNT_VALUE only with hugetlb; without
	 * it makedumpfile never sees offline pages.
	 */
	.has_offline	= 1,
	.offline_mapcount = (u32)~PG_offline,
	.hugetlb_dtor	= HUGETLB_PAGE_DTOR,
#else
	.has_offline	= 0,
	.hugetlb_dtor	= 256,
#endif
	.max_order	= MAX_ORDER,
};

/* page[1] of a compound head: its order and destructor */
static inline u8 bmdump_next_order(const struct page *head)
{
	return READ_ONCE(head[1].compound_order);
}

static inline u8 bmdump_next_dtor(const struct page *head)
{
	return READ_ONCE(head[1].compound_dtor);
}
#endif /* BMDUMP_LAYOUT_6_1 */

#ifdef BMDUMP_LAYOUT_6_12
#define BMDUMP_PAGE_TYPE(t)	((u32)(t) << 24)

static const struct bmdump_page_bits bmdump_bits = {
	.pg_lru		= PG_lru,
	.pg_slab	= 64,		/* a page type now */
	.pg_swapcache	= PG_swapcache,
	.pg_private	= PG_private,
	.pg_swapbacked	= PG_swapbacked,
	.pg_hwpoison	= BMDUMP_PG_HWPOISON,
	.head_mask	= 1ull << PG_head,
	.buddy_mapcount	= BMDUMP_PAGE_TYPE(PGTY_buddy),
	.has_offline	= 1,
	.offline_mapcount = BMDUMP_PAGE_TYPE(PGTY_offline),
	.has_slab_type	= 1,
	.slab_mapcount	= BMDUMP_PAGE_TYPE(PGTY_slab),
	.hugetlb_dtor	= 256,		/* no dtor: a page type */
#ifdef CONFIG_HUGETLB_PAGE
	.has_hugetlb_type = 1,
	.hugetlb_mapcount = BMDUMP_PAGE_TYPE(PGTY_hugetlb),
#endif
	.max_order	= NR_PAGE_ORDERS,
};

/* the folio's order is the low byte of page[1].flags (folio->_flags_1) */
static inline u8 bmdump_next_order(const struct page *head)
{
	return READ_ONCE(head[1].flags) & 0xff;
}

static inline u8 bmdump_next_dtor(const struct page *head)
{
	return 0;
}
#endif /* BMDUMP_LAYOUT_6_12 */

#endif /* BMDUMP_COMPAT_H */
