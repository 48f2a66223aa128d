/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Contract 1, hook -> stub: the bitmap descriptor.
 *
 * bmdump.ko allocates this block (physically contiguous, page aligned) and
 * the bitmap chunks it points to when it loads, and publishes the block's
 * physical address in /sys/kernel/bmdump/descriptor.  `bmdump load` passes
 * it to the stub as bmdump.desc=0x....  At panic the hook sets state
 * FILLING, fills the bitmap (bit set = page worth dumping), stores counts,
 * fill time and both CRCs, then sets state DONE.
 *
 * The stub trusts none of it: it checks magic, version, sizes, state DONE,
 * the chunk table against the crashed kernel's RAM, and both CRCs, and falls
 * back to a full dump when anything is off.
 *
 * All fields little-endian, naturally aligned; the layout is fixed by the
 * _Static_asserts below.  Bit numbering inside a chunk is LSB first, as in
 * the kdump-compressed bitmaps: pfn p is bit ((p - first_pfn) & 7) of byte
 * (p - first_pfn) >> 3.
 */
#ifndef BMDUMP_DESC_H
#define BMDUMP_DESC_H

#include "types.h"
#include "crc32c.h"

#define BMDUMP_DESC_MAGIC	0x4353454450444d42ULL	/* "BMDPDESC" */
#define BMDUMP_DESC_VERSION	1

/* Largest descriptor the stub accepts, and the size bmdump.ko allocates. */
#define BMDUMP_DESC_SIZE	4096u

/* Each chunk is one __get_free_pages() block: at most 4 MiB of bitmap. */
#define BMDUMP_CHUNK_MAX_BYTES	(4u << 20)
#define BMDUMP_CHUNK_MAX_PFNS	((uint64_t)BMDUMP_CHUNK_MAX_BYTES * 8)

enum bmdump_desc_state {
	BMDUMP_DESC_ARMED	= 0x41524d44,	/* "DMRA": allocated, cleared */
	BMDUMP_DESC_FILLING	= 0x46494c4c,	/* hook started the fill */
	BMDUMP_DESC_DONE	= 0x444f4e45,	/* hook finished, CRCs valid */
};

/*
 * Per-class page counts, in pages.  Every pfn from 0 to max_pfn - 1 lands in
 * exactly one class, so the counts add up to max_pfn.
 */
enum bmdump_page_class {
	BMDUMP_CLASS_HOLE = 0,		/* not RAM, or no struct page */
	BMDUMP_CLASS_FREE,		/* buddy free (dump level 16) */
	BMDUMP_CLASS_CACHE,		/* page cache, no private (2) */
	BMDUMP_CLASS_CACHE_PRIVATE,	/* page cache with private (4) */
	BMDUMP_CLASS_USER,		/* anonymous or hugetlb (8) */
	BMDUMP_CLASS_HWPOISON,		/* always excluded */
	BMDUMP_CLASS_OFFLINE,		/* always excluded */
	BMDUMP_CLASS_KERNEL,		/* kept: kernel pages */
	BMDUMP_CLASS_UNKNOWN,		/* kept: could not classify */
	BMDUMP_CLASS_EXCLUDED_KEPT,	/* kept: class not in dump level */
	BMDUMP_NR_CLASSES
};

#define BMDUMP_DESC_MAX_CLASSES	16

struct bmdump_chunk {
	uint64_t phys;		/* bitmap bytes, page aligned */
	uint64_t first_pfn;	/* pfn of bit 0; a multiple of 8 */
	uint64_t nr_pfns;	/* bits in this chunk; bytes = nr_pfns / 8 */
};

struct bmdump_desc {
	uint64_t magic;
	uint32_t version;
	uint32_t desc_size;	/* bytes covered by desc_crc */
	uint32_t state;		/* enum bmdump_desc_state */
	uint32_t dump_level;	/* makedumpfile -d bits */
	uint64_t max_pfn;	/* pfns 0..max_pfn-1 are covered */
	uint32_t nr_chunks;
	uint32_t flags;		/* BMDUMP_DESC_F_* */
	uint64_t tsc_khz;
	uint64_t fill_start_tsc;
	uint64_t fill_cycles;	/* TSC cycles spent in the fill */
	uint64_t fill_count;	/* crash-time fills (0 before a crash) */
	uint64_t pages_set;	/* bits set in the bitmap */
	uint64_t count[BMDUMP_DESC_MAX_CLASSES];
	uint32_t bitmap_crc;	/* CRC32C over all chunks, in table order */
	uint32_t desc_crc;	/* CRC32C over desc_size bytes, this field 0 */
	uint64_t reserved[5];
	struct bmdump_chunk chunk[];
};

#define BMDUMP_DESC_F_CRASH_FILL	0x1	/* filled at panic */

#define BMDUMP_DESC_HDR_SIZE	256u
#define BMDUMP_DESC_MAX_CHUNKS \
	((BMDUMP_DESC_SIZE - BMDUMP_DESC_HDR_SIZE) / sizeof(struct bmdump_chunk))

_Static_assert(sizeof(struct bmdump_chunk) == 24, "chunk layout");
_Static_assert(sizeof(struct bmdump_desc) == BMDUMP_DESC_HDR_SIZE,
	       "descriptor header layout");
_Static_assert(BMDUMP_NR_CLASSES <= BMDUMP_DESC_MAX_CLASSES, "classes fit");

/*
 * desc_crc: CRC32C over the first size bytes of the descriptor (desc_size,
 * checked by the caller to lie in [BMDUMP_DESC_HDR_SIZE, BMDUMP_DESC_SIZE])
 * with the desc_crc field itself taken as 0.  Computed without writing to
 * d, so the stub can check a descriptor it must not modify.
 */
static inline uint32_t bmdump_desc_crc(const struct bmdump_desc *d,
				       uint32_t size)
{
	return bmdump_crc32c_sealed(d, size,
				    offsetof(struct bmdump_desc, desc_crc));
}

#endif /* BMDUMP_DESC_H */
