/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic kdump-compressed images for the tool tests and the fuzzer's
 * seeds, laid out with kdump_layout_compute() as the stub lays out its
 * output: raw pages, one shared zero block, block-aligned data.  Page
 * contents are a pure function of (pfn, seed) so a reader can check them.
 */
#ifndef BMDUMP_SYNTH_H
#define BMDUMP_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#define SYNTH_RELEASE	"6.1.0-synth"
#define SYNTH_NODE	"synth-node"
#define SYNTH_TIME	1700000000ll
#define SYNTH_RIP(cpu)	(0xffffffff81000000ull + (cpu) * 0x100)

struct synth_opts {
	uint64_t max_mapnr;
	unsigned int nr_cpus;
	uint32_t seed;
	int incomplete;			/* header says INCOMPLETE */
	uint32_t page_flags;		/* store pages compressed (0: raw) */
};

struct synth {
	uint8_t *data;
	size_t len;
	uint64_t nr_dumpable;
	uint64_t nr_zero;
};

/* Is pfn RAM (1st bitmap)?  Dumped (2nd)?  Its content. */
int synth_is_ram(uint64_t pfn);
int synth_is_dumped(uint64_t pfn, uint32_t seed);
void synth_page(uint64_t pfn, uint32_t seed, uint8_t out[4096]);

int synth_build(struct synth *s, const struct synth_opts *o);
void synth_free(struct synth *s);

#endif /* BMDUMP_SYNTH_H */
