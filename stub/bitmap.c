// SPDX-License-Identifier: GPL-2.0
#include "bitmap.h"
#include "bmdump/area.h"
#include "bmdump/crc32c.h"
#include "errors.h"
#include "str.h"

/* Dump level of a full dump: everything, zero pages shared (lossless). */
#define FULL_DUMP_LEVEL	1

/* pfns of a 52-bit physical address space */
#define BITMAP_MAX_PFN	(1ull << (52 - 12))

static int check_desc(const struct core_info *ci, uint64_t pa,
		      struct page_select *sel)
{
	const struct bmdump_desc *d;
	uint64_t next_pfn = 0, i;
	uint32_t crc;

	if (pa % 8 || !core_ram_contains(ci, pa, pa + BMDUMP_DESC_HDR_SIZE))
		return E_DESC_ADDR;
	d = core_map(ci, pa, BMDUMP_DESC_HDR_SIZE);
	if (!d)
		return E_DESC_ADDR;
	if (d->magic != BMDUMP_DESC_MAGIC)
		return E_DESC_MAGIC;
	if (d->version != BMDUMP_DESC_VERSION)
		return E_DESC_VERSION;
	if (d->desc_size < BMDUMP_DESC_HDR_SIZE ||
	    d->desc_size > BMDUMP_DESC_SIZE ||
	    d->nr_chunks > BMDUMP_DESC_MAX_CHUNKS ||
	    BMDUMP_DESC_HDR_SIZE + d->nr_chunks * sizeof(struct bmdump_chunk) >
	    d->desc_size)
		return E_DESC_CHUNKS;
	if (!core_ram_contains(ci, pa, pa + d->desc_size))
		return E_DESC_ADDR;
	d = core_map(ci, pa, d->desc_size);
	if (!d)
		return E_DESC_ADDR;
	if (d->state != BMDUMP_DESC_DONE)
		return E_DESC_STATE;
	if (bmdump_desc_crc(d, d->desc_size) != d->desc_crc)
		return E_DESC_CRC;
	/* max_pfn within x86-64's 52-bit physical space: no sum overflows */
	if (d->dump_level > 31 || !d->nr_chunks || !d->max_pfn ||
	    d->max_pfn > BITMAP_MAX_PFN)
		return E_DESC_CHUNKS;
	/*
	 * Chunks in pfn order, not overlapping.  A gap (a hole the hook did
	 * not cover) is allowed: pages there are dumped.
	 */
	crc = 0;
	for (i = 0; i < d->nr_chunks; i++) {
		const struct bmdump_chunk *c = &d->chunk[i];
		uint64_t bytes = c->nr_pfns / 8;

		if (c->first_pfn < next_pfn || c->first_pfn % 8 ||
		    c->first_pfn >= d->max_pfn || !c->nr_pfns ||
		    c->nr_pfns % 8 || c->nr_pfns > BMDUMP_CHUNK_MAX_PFNS ||
		    c->phys % 4096 ||
		    !core_ram_contains(ci, c->phys, c->phys + bytes))
			return E_DESC_CHUNKS;
		sel->chunk_bits[i] = core_map(ci, c->phys, bytes);
		if (!sel->chunk_bits[i])
			return E_DESC_CHUNKS;
		crc = bmdump_crc32c(crc, sel->chunk_bits[i], bytes);
		next_pfn = c->first_pfn + c->nr_pfns;
	}
	if (crc != d->bitmap_crc)
		return E_DESC_BITMAP_CRC;
	sel->desc = d;
	return 0;
}

int bitmap_select(const struct core_info *ci, int has_desc, uint64_t desc_pa,
		  struct page_select *sel)
{
	int err;

	memset(sel, 0, sizeof(*sel));
	err = has_desc ? check_desc(ci, desc_pa, sel) : E_DESC_NONE;
	if (err) {
		memset(sel, 0, sizeof(*sel));
		sel->source = BMDUMP_SOURCE_FULL;
		sel->error = err;
		sel->dump_level = FULL_DUMP_LEVEL;
		return err;
	}
	sel->source = BMDUMP_SOURCE_HOOK;
	sel->dump_level = sel->desc->dump_level;
	if (sel->desc->tsc_khz)
		sel->ready_us = sel->desc->fill_cycles * 1000 /
				sel->desc->tsc_khz;
	return 0;
}

void bitmap_use_scan(struct page_select *sel, const uint64_t *bits,
		     uint64_t max_pfn, uint32_t level, uint64_t scan_us)
{
	int error = sel->source == BMDUMP_SOURCE_HOOK ? 0 : sel->error;

	memset(sel, 0, sizeof(*sel));
	sel->source = BMDUMP_SOURCE_STUB;
	sel->error = error;
	sel->dump_level = level;
	sel->scan_bits = bits;
	sel->scan_max_pfn = max_pfn;
	sel->ready_us = scan_us;
}

/* The scan's bit for pfn; beyond what it covered: keep. */
static int scan_keep(const struct page_select *sel, uint64_t pfn)
{
	if (pfn >= sel->scan_max_pfn)
		return 1;
	return (sel->scan_bits[pfn / 64] >> (pfn % 64)) & 1;
}

static uint64_t scan_keep_word(const struct page_select *sel, uint64_t base)
{
	uint64_t word = 0;
	unsigned int i;

	if (!(base % 64) && base < sel->scan_max_pfn &&
	    sel->scan_max_pfn - base >= 64)
		return sel->scan_bits[base / 64];
	for (i = 0; i < 64; i++)
		word |= (uint64_t)scan_keep(sel, base + i) << i;
	return word;
}

/* The chunk whose range starts at or below pfn (chunks are sorted). */
static uint32_t chunk_of(const struct bmdump_desc *d, uint64_t pfn)
{
	uint32_t lo = 0, hi = d->nr_chunks;

	while (lo + 1 < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (d->chunk[mid].first_pfn <= pfn)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int bitmap_keep(const struct page_select *sel, uint64_t pfn)
{
	const struct bmdump_desc *d = sel->desc;
	uint32_t lo;

	if (sel->source == BMDUMP_SOURCE_STUB)
		return scan_keep(sel, pfn);
	if (sel->source != BMDUMP_SOURCE_HOOK)
		return 1;
	if (pfn >= d->max_pfn)
		return 1;	/* beyond what the hook saw: keep */
	if (pfn < d->chunk[0].first_pfn)
		return 1;
	lo = chunk_of(d, pfn);
	pfn -= d->chunk[lo].first_pfn;
	if (pfn >= d->chunk[lo].nr_pfns)
		return 1;	/* in a gap between chunks: keep */
	return (sel->chunk_bits[lo][pfn >> 3] >> (pfn & 7)) & 1;
}

/* The 8 pfns from pfn8 (a multiple of 8), as bitmap_keep() sees them. */
static uint8_t keep_byte(const struct page_select *sel, uint64_t pfn8)
{
	const struct bmdump_desc *d = sel->desc;
	uint64_t rel;
	uint32_t c;
	uint8_t b;

	if (pfn8 >= d->max_pfn || pfn8 < d->chunk[0].first_pfn)
		return 0xff;
	c = chunk_of(d, pfn8);
	rel = pfn8 - d->chunk[c].first_pfn;	/* first_pfn % 8 == 0 */
	if (rel >= d->chunk[c].nr_pfns)
		return 0xff;			/* a gap between chunks */
	b = sel->chunk_bits[c][rel >> 3];
	if (d->max_pfn - pfn8 < 8)		/* from max_pfn on: keep */
		b |= (uint8_t)(0xff << (d->max_pfn - pfn8));
	return b;
}

uint64_t bitmap_keep_word(const struct page_select *sel, uint64_t base)
{
	const struct bmdump_desc *d = sel->desc;
	uint64_t word = 0, rel;
	unsigned int i;
	uint32_t c;

	if (sel->source == BMDUMP_SOURCE_STUB)
		return scan_keep_word(sel, base);
	if (sel->source != BMDUMP_SOURCE_HOOK)
		return ~0ull;
	if (base >= d->chunk[0].first_pfn && base < d->max_pfn &&
	    d->max_pfn - base >= 64) {
		c = chunk_of(d, base);
		rel = base - d->chunk[c].first_pfn;
		/* the whole word inside one chunk: its 8 bytes as they are */
		if (rel < d->chunk[c].nr_pfns &&
		    d->chunk[c].nr_pfns - rel >= 64) {
			memcpy(&word, sel->chunk_bits[c] + (rel >> 3), 8);
			return word;
		}
	}
	for (i = 0; i < 8; i++)
		word |= (uint64_t)keep_byte(sel, base + 8 * i) << (8 * i);
	return word;
}
