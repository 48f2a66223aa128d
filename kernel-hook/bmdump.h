/* SPDX-License-Identifier: GPL-2.0 */
/* bmdump.ko internals shared by bmdump_main.c and bmdump_fill.c. */
#ifndef BMDUMP_KMOD_H
#define BMDUMP_KMOD_H

#include <linux/types.h>

#include "bmdump/desc.h"

/* pfns [start, end) the kernel calls System RAM, outside the crash region */
struct bmdump_range {
	u64 start;
	u64 end;
};

/* Bit b of a chunk is pfn (chunk index << BMDUMP_CHUNK_SHIFT) + b. */
#define BMDUMP_CHUNK_SHIFT	25
_Static_assert((1ull << BMDUMP_CHUNK_SHIFT) == BMDUMP_CHUNK_MAX_PFNS,
	       "chunk shift matches the contract");

/* Everything the fill reads; built once at load, never changed after. */
struct bmdump_map {
	u64 max_pfn;
	unsigned int nr_chunks;
	u64 chunk_pfns[BMDUMP_DESC_MAX_CHUNKS];	/* multiple of 8 */
	const struct bmdump_range *ranges;	/* sorted, disjoint */
	unsigned int nr_ranges;
};

struct bmdump_fill_result {
	u64 count[BMDUMP_NR_CLASSES];
	u64 pages_set;
	u32 bitmap_crc;
	u64 cycles;
};

/*
 * Clear the bitmap, classify every pfn below max_pfn into it, count and
 * checksum.  bitmap[i] is chunk i's virtual address.  With may_sleep (the
 * dry run over live memory) it yields now and then; at panic it runs
 * straight through: no locks, no allocation, no printk, bounded by max_pfn.
 */
void bmdump_fill(const struct bmdump_map *map, unsigned long *const *bitmap,
		 unsigned int level, bool may_sleep,
		 struct bmdump_fill_result *res);

/*
 * System RAM minus the crash kernel region(s), as pfn ranges clipped to
 * max_pfn: the memory the capture side finds in its elfcorehdr.  Returns
 * the number of ranges (kvfree the array), or a negative errno.
 */
int bmdump_ram_ranges(u64 max_pfn, struct bmdump_range **out);

#endif /* BMDUMP_KMOD_H */
