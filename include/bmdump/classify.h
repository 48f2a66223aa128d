/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page classifier, one definition for bmdump.ko (at panic, fed from
 * struct page by kernel-hook/bmdump_fill.c) and for the stub (after the
 * crash, fed from the crashed kernel's struct pages through VMCOREINFO by
 * stub/scan.c when there is no valid bitmap).  Kept free of kernel and
 * libc headers so that the host unit tests (tests/unit/test_hook_classify.c,
 * test_stub_scan.c) run the very code both run.
 *
 * It decides what makedumpfile decides in __exclude_unnecessary_pages for
 * the same struct page words and the same dump level (1.7.2 on 6.1, the
 * upstream rules with the 6.9-6.12 page type changes on 6.12), so that a
 * dump the stub writes from our bitmap equals what `makedumpfile -d
 * <level>` would keep (zero pages aside: those need the page contents, the
 * stub's job).  First match wins:
 *
 *   tail page (compound_head & 1)          left to its head
 *   free: buddy page type, not slab        level 16, 1 << private pages
 *   cache: LRU, or swapbacked+swapcache;   level 2, 1 << compound order
 *          no PG_private, not anon
 *   cache with or without private, !anon   level 4
 *   user: anon mapping (not slab), or      level 8
 *         hugetlb (dtor or page type)
 *   hwpoison                               always
 *   offline page type, not slab            always
 *   anything else                          kept
 *
 * Slab is PG_slab up to 6.9 and a page type from 6.10; hugetlb is a
 * compound dtor in page[1] up to 6.8 and a page type from 6.9.
 *
 * The caller passes the raw words; `bits` holds this kernel's flag numbers
 * and magic values (the numbers VMCOREINFO exports to makedumpfile), set
 * by kernel-hook/bmdump_compat.h in the hook and from VMCOREINFO in the
 * stub.
 */
#ifndef BMDUMP_CLASSIFY_H
#define BMDUMP_CLASSIFY_H

#include "bmdump/types.h"
#include "bmdump/desc.h"

/* makedumpfile -d bits */
#define BMDUMP_DL_ZERO		1
#define BMDUMP_DL_CACHE		2
#define BMDUMP_DL_CACHE_PRI	4
#define BMDUMP_DL_USER		8
#define BMDUMP_DL_FREE		16
#define BMDUMP_DL_MAX		31

/*
 * makedumpfile reads struct pages 512 at a time and looks at page[1] of a
 * compound head only when the head is not the last of such a batch.  A real
 * head of order >= 1 is aligned, so this never hides one; mirroring it keeps
 * the decision identical even for garbage flags.
 */
#define BMDUMP_MDF_PGMM_CACHED	512

struct bmdump_page_bits {
	unsigned int pg_lru;
	unsigned int pg_slab;		/* >= 64: slab is a page type */
	unsigned int pg_swapcache;
	unsigned int pg_private;
	unsigned int pg_swapbacked;
	unsigned int pg_hwpoison;	/* >= 64: the kernel has none */
	uint64_t head_mask;		/* 1 << PG_head */
	/* page_type (_mapcount) of a typed page: ~PG_x, or PGTY_x << 24 */
	uint32_t buddy_mapcount;
	int has_offline;		/* offline_mapcount is exported */
	uint32_t offline_mapcount;
	int has_slab_type;		/* slab is a page type (6.10+) */
	uint32_t slab_mapcount;
	unsigned int hugetlb_dtor;	/* >= 256: no hugetlb dtor */
	int has_hugetlb_type;		/* hugetlb is a page type (6.9+) */
	uint32_t hugetlb_mapcount;
	unsigned int max_order;		/* free orders are below it */
};

/* The words of struct page (and page[1]) the decision depends on. */
struct bmdump_page_view {
	uint64_t flags;
	uint64_t compound_head;
	uint64_t mapping;
	uint64_t private;
	uint32_t mapcount;		/* _mapcount, i.e. page_type */
	uint8_t next_dtor;		/* page[1].compound_dtor, or 0 */
	uint8_t next_order;		/* page[1]'s compound order */
};

struct bmdump_verdict {
	unsigned int class;		/* enum bmdump_page_class */
	int keep;			/* bit set in the bitmap */
	uint64_t nr;			/* pfns this verdict covers, >= 1 */
};

static inline int bmdump_flag(uint64_t flags, unsigned int bit)
{
	return bit < 64 && ((flags >> bit) & 1);
}

/*
 * Does page[1] of this pfn get read?  Only for a compound head that is not
 * the last of a 512-page batch (see BMDUMP_MDF_PGMM_CACHED).
 */
static inline int bmdump_reads_next(const struct bmdump_page_bits *b,
				    uint64_t flags, uint64_t pfn)
{
	return (flags & b->head_mask) &&
	       (pfn % BMDUMP_MDF_PGMM_CACHED) != BMDUMP_MDF_PGMM_CACHED - 1;
}

/*
 * Classify one page.  `level` is the dump level (makedumpfile -d bits).
 * Excluded verdicts cover the whole buddy block or compound page, as
 * makedumpfile's exclude_range does; kept heads cover their compound page
 * too (its tails would be kept one by one anyway), which only speeds up the
 * loop.  The caller clips nr to what is left of memory.
 */
static inline struct bmdump_verdict
bmdump_classify(const struct bmdump_page_bits *b,
		const struct bmdump_page_view *v, unsigned int level,
		uint64_t pfn)
{
	struct bmdump_verdict r = { BMDUMP_CLASS_KERNEL, 1, 1 };
	unsigned int order = 0, dtor = 0;
	uint64_t fl = v->flags;
	int slab, cache, anon, hugetlb, buddy, buddy_ok, priv;

	/*
	 * A tail whose head did not already cover it: its head lies outside
	 * memory we scan or had an unusable order.  Dump it.
	 */
	if (v->compound_head & 1) {
		r.class = BMDUMP_CLASS_UNKNOWN;
		return r;
	}

	hugetlb = 0;
	if (bmdump_reads_next(b, fl, pfn)) {
		order = v->next_order;
		dtor = v->next_dtor;
		/* makedumpfile: an order the pfn is not aligned to is 0 */
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;
		/* makedumpfile looks for hugetlb only on a head it reads */
		hugetlb = dtor == b->hugetlb_dtor ||
			  (b->has_hugetlb_type &&
			   v->mapcount == b->hugetlb_mapcount);
	}

	slab = bmdump_flag(fl, b->pg_slab) ||
	       (b->has_slab_type && v->mapcount == b->slab_mapcount);
	cache = bmdump_flag(fl, b->pg_lru) ||
		(bmdump_flag(fl, b->pg_swapbacked) &&
		 bmdump_flag(fl, b->pg_swapcache));
	priv = bmdump_flag(fl, b->pg_private);
	/* slab reuses the mapping word; bit 0 there is not "anon" */
	anon = (v->mapping & 1) != 0 && !slab;
	buddy = !slab && v->mapcount == b->buddy_mapcount;
	buddy_ok = buddy && v->private < b->max_order;

	if ((level & BMDUMP_DL_FREE) && buddy) {
		if (!buddy_ok) {
			/* makedumpfile warns and keeps it: so do we */
			r.class = BMDUMP_CLASS_UNKNOWN;
			return r;
		}
		r.class = BMDUMP_CLASS_FREE;
		r.keep = 0;
		r.nr = 1ull << v->private;
		return r;
	}
	if ((level & BMDUMP_DL_CACHE) && cache && !priv && !anon) {
		r.class = BMDUMP_CLASS_CACHE;
		r.keep = 0;
	} else if ((level & BMDUMP_DL_CACHE_PRI) && cache && !anon) {
		r.class = priv ? BMDUMP_CLASS_CACHE_PRIVATE :
				  BMDUMP_CLASS_CACHE;
		r.keep = 0;
	} else if ((level & BMDUMP_DL_USER) && (anon || hugetlb)) {
		r.class = BMDUMP_CLASS_USER;
		r.keep = 0;
	} else if (bmdump_flag(fl, b->pg_hwpoison)) {
		r.class = BMDUMP_CLASS_HWPOISON;
		r.keep = 0;
	} else if (b->has_offline && !slab &&
		   v->mapcount == b->offline_mapcount) {
		r.class = BMDUMP_CLASS_OFFLINE;
		r.keep = 0;
	} else if (buddy_ok) {
		/* free, but the level keeps free pages: the whole block */
		r.class = BMDUMP_CLASS_EXCLUDED_KEPT;
		r.nr = 1ull << v->private;
		return r;
	} else if (cache || anon || hugetlb) {
		r.class = BMDUMP_CLASS_EXCLUDED_KEPT;
	}
	r.nr = 1ull << order;
	return r;
}

#endif /* BMDUMP_CLASSIFY_H */
