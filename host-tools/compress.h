/* SPDX-License-Identifier: GPL-2.0 */
/* Per-page compression as makedumpfile does it: each page on its own. */
#ifndef BMDUMP_COMPRESS_H
#define BMDUMP_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum bm_comp {
	BM_COMP_NONE = 0,
	BM_COMP_ZLIB,
	BM_COMP_LZO,
	BM_COMP_ZSTD,
	BM_COMP_SNAPPY,
	BM_COMP_COUNT
};

#define BM_COMP_DEFAULT	BM_COMP_LZO

int comp_parse(const char *name);		/* -1 if unknown */
const char *comp_name(int kind);
uint32_t comp_page_flag(int kind);		/* page_desc.flags */
uint32_t comp_header_flag(int kind);		/* disk_dump_header.status */
/* Can Debian 12's makedumpfile read pages of this kind? */
int comp_makedumpfile_reads(int kind);

struct compressor {
	int kind;
	size_t page_size;
	size_t bound;		/* output buffer size comp_page needs */
	void *lzo_wrk;
	void *zstd_cctx;
};

int comp_init(struct compressor *c, int kind, size_t page_size);
void comp_free(struct compressor *c);
/* Compressed size, or 0 when not smaller than the page (store raw). */
size_t comp_page(struct compressor *c, const void *in, void *out);

struct decompressor {
	void *zstd_dctx;
};
int decomp_init(struct decompressor *d);
void decomp_free(struct decompressor *d);
/*
 * Decompress one page stored with page_desc.flags == flag into out (exactly
 * out_len bytes must come out).  0 or -1.
 */
int decomp_page(struct decompressor *d, uint32_t flag, const void *in,
		size_t in_len, void *out, size_t out_len);

#endif /* BMDUMP_COMPRESS_H */
