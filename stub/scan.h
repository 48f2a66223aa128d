/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub's own page classification (issue 17): when bmdump.ko left no
 * valid bitmap, walk the crashed kernel's struct pages with nothing but
 * its VMCOREINFO (SPARSEMEM_EXTREME mem_section, vmemmap through the
 * kernel's page tables, struct page offsets, flag numbers, page types)
 * and decide each page with the hook's classifier (bmdump/classify.h).
 *
 * Everything read from the crashed kernel is untrusted: every address,
 * page table entry and pointer is checked against its RAM (core_map())
 * before it is read, and a page whose struct page cannot be read is kept.
 */
#ifndef STUB_SCAN_H
#define STUB_SCAN_H

#include "bmdump/classify.h"
#include "elfcore.h"

/* What VMCOREINFO says about struct page and memory sections. */
struct scan_layout {
	struct bmdump_page_bits bits;
	uint64_t page_size;		/* SIZE(page) */
	uint64_t off_flags, off_mapping, off_private, off_mapcount;
	uint64_t off_compound_head;
	/* page[1] fields of a 6.1 head; has_order 0: page[1].flags & 0xff */
	int has_order;
	uint64_t off_order, off_dtor;
	unsigned int pfn_section_shift;	/* SECTION_SIZE_BITS - 12 */
	uint64_t mem_section;		/* SYMBOL(mem_section): root array */
	uint64_t nr_roots;		/* LENGTH(mem_section) */
	uint64_t section_size;		/* SIZE(mem_section) */
	uint64_t off_section_map;
	uint64_t top_pgt_pa;		/* init_top_pgt, physical */
	int l5;
	uint64_t sme_mask;
	/* the most compound tails a share boundary moves over */
	uint64_t tail_run_max;
};

/* x86's largest page, 1 GiB, has 2^18 - 1 tails: a longer run of tails is
 * a corrupt memmap, not a page for one share to decide whole. */
#define SCAN_TAIL_RUN_MAX	(1ull << 18)

/* A cached translation: the last leaf of the kernel's page tables. */
struct scan_xlat {
	uint64_t va, size, pa;		/* size 0: empty */
};

struct scan_result {
	uint64_t count[BMDUMP_NR_CLASSES];
	uint64_t pages_set;
	uint64_t sections;		/* sections classified */
	uint64_t sections_kept;		/* sections kept whole */
};

/* Read the layout from VMCOREINFO text: 0 or E_SCAN_*. */
int scan_layout_parse(const char *text, size_t len,
		      const struct core_info *ci, struct scan_layout *l);

/* Kernel virtual address to physical through the crashed page tables. */
int scan_va_to_pa(const struct core_info *ci, const struct scan_layout *l,
		  struct scan_xlat *x, uint64_t va, uint64_t *pa);

/*
 * Classify every pfn below ci->max_pfn at dump level `level` into bm
 * (one bit per pfn, (max_pfn + 63) / 64 words, cleared first): a set bit
 * is a page to dump.  RAM pfns whose struct page cannot be read are set.
 * 0, or E_SCAN_SECTIONS when no section could be read (bm then holds
 * every RAM page).
 */
int scan_classify(const struct core_info *ci, const struct scan_layout *l,
		  unsigned int level, uint64_t *bm, struct scan_result *res);

/*
 * The same spread over CPUs (stub/smp.c): scan_clear() the bitmap once,
 * scan_split() cuts [0, max_pfn) into n shares of about equal RAM,
 * bounds[0..n] (bounds[0] 0, bounds[n] max_pfn), each boundary on a
 * section (and free-block) boundary; each CPU runs scan_classify_share()
 * on [bounds[i], bounds[i + 1]) into its own result; scan_result_add()
 * sums them, scan_holes() adds the holes.  The union of the shares' bits
 * is scan_classify()'s bitmap: a compound page crossing a boundary is
 * the earlier share's, and two shares that meet inside a bitmap word
 * set its bits atomically.
 */
void scan_clear(const struct core_info *ci, uint64_t *bm);
unsigned int scan_split(const struct core_info *ci,
			const struct scan_layout *l, unsigned int n,
			uint64_t *bounds);
int scan_classify_share(const struct core_info *ci,
			const struct scan_layout *l, unsigned int level,
			uint64_t *bm, uint64_t lo, uint64_t hi,
			struct scan_result *res);
void scan_result_add(struct scan_result *sum, const struct scan_result *r);
uint64_t scan_holes(const struct core_info *ci);

#endif /* STUB_SCAN_H */
