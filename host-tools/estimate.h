/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a crash now would write: bmdump.ko's dry run (the fill loop run
 * into a scratch bitmap at load and at every dump level change, exposed
 * in /sys/kernel/bmdump/dry_run), turned into the size of the stub's
 * kdump image (contract 3's layout) and held against the area.
 */
#ifndef BMDUMP_ESTIMATE_H
#define BMDUMP_ESTIMATE_H

#include <stdint.h>

/* Room the estimate leaves for the notes (every CPU's NT_PRSTATUS and
 * VMCOREINFO): 8192 CPUs' worth would be more, 64 KiB covers hundreds. */
#define ESTIMATE_NOTE_BYTES	(64u << 10)

struct dry_run {
	uint64_t pages_set;		/* pages the bitmap would mark */
	uint64_t max_pfn;
	uint64_t holes;			/* pfns that are not RAM */
	uint64_t fill_us;
	unsigned int dump_level;
	unsigned int seen;		/* keys found (DRY_*) */
};

#define DRY_PAGES	0x1
#define DRY_MAX_PFN	0x2
#define DRY_LEVEL	0x4
#define DRY_NEEDED	(DRY_PAGES | DRY_MAX_PFN | DRY_LEVEL)

/* Parses the dry_run text ("key value" lines); 0 when it holds what
 * the estimate needs and its numbers agree, else -1. */
int dry_run_parse(const char *text, struct dry_run *d);

/* Bytes of the stub's image for `pages` pages out of max_pfn, every
 * page stored raw (the stub does not compress); 0 when impossible. */
uint64_t estimate_image_bytes(uint64_t max_pfn, uint64_t pages);

#endif /* BMDUMP_ESTIMATE_H */
