// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <bmdump/kdump.h>

#include "compress.h"

int comp_parse(const char *name)
{
	int k;

	for (k = 0; k < BM_COMP_COUNT; k++)
		if (!strcmp(name, comp_name(k)))
			return k;
	return -1;
}

const char *comp_name(int kind)
{
	switch (kind) {
	case BM_COMP_NONE:
		return "none";
	case BM_COMP_ZLIB:
		return "zlib";
	case BM_COMP_LZO:
		return "lzo";
	case BM_COMP_ZSTD:
		return "zstd";
	case BM_COMP_SNAPPY:
		return "snappy";
	}
	return "?";
}

uint32_t comp_page_flag(int kind)
{
	switch (kind) {
	case BM_COMP_ZLIB:
		return DUMP_DH_PAGE_ZLIB;
	case BM_COMP_LZO:
		return DUMP_DH_PAGE_LZO;
	case BM_COMP_ZSTD:
		return DUMP_DH_PAGE_ZSTD;
	case BM_COMP_SNAPPY:
		return DUMP_DH_PAGE_SNAPPY;
	}
	return 0;
}

uint32_t comp_header_flag(int kind)
{
	switch (kind) {
	case BM_COMP_ZLIB:
		return DUMP_DH_COMPRESSED_ZLIB;
	case BM_COMP_LZO:
		return DUMP_DH_COMPRESSED_LZO;
	case BM_COMP_ZSTD:
		return DUMP_DH_COMPRESSED_ZSTD;
	case BM_COMP_SNAPPY:
		return DUMP_DH_COMPRESSED_SNAPPY;
	}
	return 0;
}

int comp_makedumpfile_reads(int kind)
{
	return kind == BM_COMP_NONE || kind == BM_COMP_ZLIB ||
	       kind == BM_COMP_LZO;
}

int comp_init(struct compressor *c, int kind, size_t page_size)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->page_size = page_size;
	switch (kind) {
	case BM_COMP_NONE:
		c->bound = page_size;
		break;
	case BM_COMP_ZLIB:
		c->bound = compressBound(page_size);
		break;
	case BM_COMP_LZO:
		if (lzo_init() != LZO_E_OK)
			return -1;
		c->lzo_wrk = malloc(LZO1X_1_MEM_COMPRESS);
		if (!c->lzo_wrk)
			return -1;
		c->bound = page_size + page_size / 16 + 64 + 3;
		break;
	case BM_COMP_ZSTD:
		c->zstd_cctx = ZSTD_createCCtx();
		if (!c->zstd_cctx)
			return -1;
		c->bound = ZSTD_compressBound(page_size);
		break;
	case BM_COMP_SNAPPY:
		c->bound = snappy_max_compressed_length(page_size);
		break;
	default:
		return -1;
	}
	return 0;
}

void comp_free(struct compressor *c)
{
	free(c->lzo_wrk);
	if (c->zstd_cctx)
		ZSTD_freeCCtx(c->zstd_cctx);
	memset(c, 0, sizeof(*c));
}

size_t comp_page(struct compressor *c, const void *in, void *out)
{
	size_t n = 0;

	switch (c->kind) {
	case BM_COMP_ZLIB: {
		uLongf dl = c->bound;

		if (compress2(out, &dl, in, c->page_size, Z_BEST_SPEED) == Z_OK)
			n = dl;
		break;
	}
	case BM_COMP_LZO: {
		lzo_uint dl = c->bound;

		if (lzo1x_1_compress(in, c->page_size, out, &dl,
				     c->lzo_wrk) == LZO_E_OK)
			n = dl;
		break;
	}
	case BM_COMP_ZSTD:
		n = ZSTD_compressCCtx(c->zstd_cctx, out, c->bound, in,
				      c->page_size, 1);
		if (ZSTD_isError(n))
			n = 0;
		break;
	case BM_COMP_SNAPPY: {
		size_t dl = c->bound;

		if (snappy_compress(in, c->page_size, out, &dl) == SNAPPY_OK)
			n = dl;
		break;
	}
	}
	return n < c->page_size ? n : 0;
}

int decomp_init(struct decompressor *d)
{
	d->zstd_dctx = ZSTD_createDCtx();
	return d->zstd_dctx ? 0 : -1;
}

void decomp_free(struct decompressor *d)
{
	if (d->zstd_dctx)
		ZSTD_freeDCtx(d->zstd_dctx);
	d->zstd_dctx = NULL;
}

int decomp_page(struct decompressor *d, uint32_t flag, const void *in,
		size_t in_len, void *out, size_t out_len)
{
	switch (flag) {
	case 0:
		if (in_len != out_len)
			return -1;
		memcpy(out, in, out_len);
		return 0;
	case DUMP_DH_PAGE_ZLIB: {
		uLongf dl = out_len;

		if (uncompress(out, &dl, in, in_len) != Z_OK || dl != out_len)
			return -1;
		return 0;
	}
	case DUMP_DH_PAGE_LZO: {
		lzo_uint dl = out_len;

		if (lzo_init() != LZO_E_OK ||
		    lzo1x_decompress_safe(in, in_len, out, &dl, NULL) !=
		    LZO_E_OK || dl != out_len)
			return -1;
		return 0;
	}
	case DUMP_DH_PAGE_SNAPPY: {
		size_t dl = out_len;

		if (snappy_uncompressed_length(in, in_len, &dl) != SNAPPY_OK ||
		    dl != out_len)
			return -1;
		dl = out_len;
		if (snappy_uncompress(in, in_len, out, &dl) != SNAPPY_OK ||
		    dl != out_len)
			return -1;
		return 0;
	}
	case DUMP_DH_PAGE_ZSTD: {
		size_t n = ZSTD_decompressDCtx(d->zstd_dctx, out, out_len, in,
					       in_len);

		if (ZSTD_isError(n) || n != out_len)
			return -1;
		return 0;
	}
	}
	return -1;
}
