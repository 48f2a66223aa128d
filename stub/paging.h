/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub's own identity page tables: RAM write-back with the largest
 * pages that fit exactly (1 GiB where the CPU has them, else 2 MiB, else
 * 4 KiB), device registers uncached (PCD|PWT: PAT entry 3, UC both at
 * power-on and in Linux's PAT layout), added on demand.  4 or 5 levels,
 * as the crashed kernel left CR4.LA57.
 */
#ifndef STUB_PAGING_H
#define STUB_PAGING_H

#include "bmdump/types.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

#define PT_CACHE_WB	0ull
#define PT_CACHE_UC	(PTE_PCD | PTE_PWT)
#define PT_CACHE_MASK	(PTE_PCD | PTE_PWT)

#define PT_MAX_PHYS	(1ull << 52)

struct page_tables {
	uint64_t root;		/* physical address of PML4 or PML5 */
	int levels;		/* 4 or 5 */
	int gbpages;		/* 1 GiB leaves allowed */
	/* Returns a zeroed, 4 KiB aligned page, or 0. */
	uint64_t (*alloc_page)(void *ctx);
	void *alloc_ctx;
	unsigned int tables;	/* table pages in use */
};

int pt_init(struct page_tables *pt, int levels, int gbpages,
	    uint64_t (*alloc_page)(void *ctx), void *ctx);

/*
 * Identity-map [start, end), rounded out to 4 KiB, with cache bits.
 * E_PT_RANGE past 2^47 with 4 levels, past 2^52 with 5.
 */
int pt_map(struct page_tables *pt, uint64_t start, uint64_t end,
	   uint64_t cache);

/*
 * Translate va: returns 1 and the physical address, leaf size and cache
 * bits if mapped, 0 if not.
 */
int pt_lookup(const struct page_tables *pt, uint64_t va, uint64_t *pa,
	      uint64_t *page_size, uint64_t *cache);

/* Is every byte of [start, end) mapped with these cache bits? */
int pt_is_mapped(const struct page_tables *pt, uint64_t start, uint64_t end,
		 uint64_t cache);

#endif /* STUB_PAGING_H */
