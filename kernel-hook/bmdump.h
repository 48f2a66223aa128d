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

/* The RAM ranges in one block, so that one pointer store replaces them. */
struct bmdump_ranges {
	unsigned int nr;
	struct bmdump_range r[];	/* sorted, disjoint, below max_pfn */
};

/*
 * Everything the fill reads.  The bitmap is sized once at load; ram is
 * rebuilt on memory hotplug and replaced whole (WRITE_ONCE), so a crash
 * on any CPU finds either the old set or the new one, never a mix.
 */
struct bmdump_map {
	u64 max_pfn;
	unsigned int nr_chunks;
	u64 chunk_pfns[BMDUMP_DESC_MAX_CHUNKS];	/* multiple of 8 */
	const struct bmdump_ranges *ram;
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
 * 0 and the set in *out (kvfree it), or a negative errno.
 */
int bmdump_ram_ranges(u64 max_pfn, struct bmdump_ranges **out);

#endif /* BMDUMP_KMOD_H */
