/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a kdump-compressed image (the stub's raw one in the area, or any
 * file makedumpfile or bmdump wrote) and rewriting it with per-page
 * compression.  Nothing in the input is trusted: every offset and size is
 * checked against the source before use, allocations are bounded by the
 * source's size, unreadable pages are dropped from the 2nd bitmap and the
 * output is flagged INCOMPLETE instead of failing the whole save.
 */
#ifndef BMDUMP_KDUMPFILE_H
#define BMDUMP_KDUMPFILE_H

#include <bmdump/kdump.h>

#include "bmdump.h"
#include "compress.h"

#define KD_MAX_HEAD_BYTES	(64ull << 20)	/* header + sub-header + notes */
#define KD_MAX_CPUS		8192

struct kd_cpu {
	uint32_t pid;
	uint64_t rip;
	uint64_t rsp;
};

struct kd_image {
	const struct bm_src *src;
	struct disk_dump_header hdr;
	struct kdump_sub_header sub;	/* zero when header_version < 1 */
	uint64_t bs;
	uint64_t max_mapnr;
	uint64_t head_bytes;		/* blocks 0 .. sub_hdr_size */
	uint8_t *head;
	uint64_t bitmap_offset;
	uint64_t half_bytes;
	uint8_t *bm1, *bm2;
	uint64_t *rank;			/* 2nd-bitmap bits before each 4096 */
	uint64_t nr_dumpable;		/* bits set in 2nd bitmap */
	uint64_t nr_ram;		/* bits set in 1st bitmap */
	uint64_t desc_offset;
	uint64_t nr_desc_avail;		/* descriptors inside the source */
	const uint8_t *notes;		/* inside head, or NULL */
	uint64_t notes_len;
	const char *vmcoreinfo;		/* inside head, or NULL */
	uint64_t vmcoreinfo_len;
	struct kd_cpu *cpus;
	unsigned int nr_cpus;
	int incomplete;			/* header says INCOMPLETE */
	char warning[256];		/* first non-fatal oddity */
	struct decompressor dec;
	uint8_t *scratch;		/* bs bytes */
};

int kd_open(struct kd_image *im, const struct bm_src *src, struct bm_err *e);
void kd_close(struct kd_image *im);

/* The value of KEY= in VMCOREINFO, copied into out; 0 or -1. */
int kd_vmcoreinfo(const struct kd_image *im, const char *key, char *out,
		  size_t size);

/* Page descriptor n (0-based, pfn order). */
int kd_read_desc(struct kd_image *im, uint64_t n, struct page_desc *pd,
		 struct bm_err *e);
/* Read and decompress the page a descriptor points at into out (bs). */
int kd_read_page(struct kd_image *im, const struct page_desc *pd,
		 void *out, struct bm_err *e);
/* Is pfn in the dump (2nd bitmap)?  Then its descriptor index. */
int kd_pfn_index(const struct kd_image *im, uint64_t pfn, uint64_t *index);
/* Read page pfn: 0, BM_E_NOTFOUND if not dumped, or an error. */
int kd_read_pfn(struct kd_image *im, uint64_t pfn, void *out,
		struct bm_err *e);
static inline int kd_bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

struct kd_convert_opts {
	int compress;			/* enum bm_comp */
	int mark_incomplete;		/* e.g. the area said INCOMPLETE */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
	/* Called every few MiB of output; nonzero stops with that code. */
	int (*guard)(void *ctx, uint64_t written);
	void *guard_ctx;
	uint64_t abort_after_pages;	/* testing: _exit(99) after N pages */
	unsigned int threads;		/* compression threads; <= 1: none */
};

struct kd_convert_stats {
	uint64_t pages;			/* descriptors written */
	uint64_t zero_pages;
	uint64_t compressed_pages;
	uint64_t raw_pages;
	uint64_t missing_pages;		/* dropped: unreadable or unwritten */
	uint64_t out_bytes;
	int incomplete;
};

int kd_convert(struct kd_image *in, const struct bm_sink *out,
	       const struct kd_convert_opts *o, struct kd_convert_stats *st,
	       struct bm_err *e);

#endif /* BMDUMP_KDUMPFILE_H */
