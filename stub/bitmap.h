/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which pages to dump: bmdump.ko's bitmap (contract 1) when it passes every
 * check, or the stub's own scan (scan.h) as bmdump.scan= says, else every
 * RAM page.  The stub never writes the first kernel's memory, so the
 * hook's bitmap is read in place.
 */
#ifndef STUB_BITMAP_H
#define STUB_BITMAP_H

#include "bmdump/desc.h"
#include "elfcore.h"

struct page_select {
	int source;			/* BMDUMP_SOURCE_HOOK, _STUB or _FULL */
	int error;			/* why not the hook's bitmap, or 0 */
	uint32_t dump_level;		/* for the kdump sub-header */
	uint64_t ready_us;		/* making it took: the hook's fill at
					 * the crash or the stub's scan */
	const struct bmdump_desc *desc;
	const uint8_t *chunk_bits[BMDUMP_DESC_MAX_CHUNKS];
	const uint64_t *scan_bits;	/* the stub's scan: a bit per pfn */
	uint64_t scan_max_pfn;		/* ... below this one */
};

/*
 * Validate the descriptor at desc_pa (has_desc 0: none given) against the
 * crashed kernel's RAM; fill sel either way.  Returns sel->error.
 */
int bitmap_select(const struct core_info *ci, int has_desc, uint64_t desc_pa,
		  struct page_select *sel);

/*
 * Use the stub scan's bitmap (bits for pfns below max_pfn, at dump level
 * `level`, made in scan_us) instead of whatever bitmap_select() chose;
 * sel->error keeps why
 * the hook's was not used, if it was not.
 */
void bitmap_use_scan(struct page_select *sel, const uint64_t *bits,
		     uint64_t max_pfn, uint32_t level, uint64_t scan_us);

/* Does the selection keep this pfn?  (RAM membership is checked apart.) */
int bitmap_keep(const struct page_select *sel, uint64_t pfn);

/*
 * bitmap_keep() for the 64 pfns from base (a multiple of 64) at once: bit i
 * answers for pfn base + i.  Lets the writer skip what the hook left out 64
 * pages at a time instead of asking page by page.
 */
uint64_t bitmap_keep_word(const struct page_select *sel, uint64_t base);

#endif /* STUB_BITMAP_H */
