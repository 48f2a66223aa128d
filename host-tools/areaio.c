// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "areaio.h"

int area_layout(struct bmdump_area_header *h, uint64_t part_bytes,
		uint64_t log_reserve, const uint8_t uuid[16], int64_t now,
		struct bm_err *e)
{
	uint64_t dump_off;

	if (part_bytes < AREA_MIN_BYTES)
		return bm_seterr(e, BM_E_REFUSED,
				 "partition too small: %llu bytes, bmdump needs "
				 "at least %llu MiB",
				 (unsigned long long)part_bytes,
				 (unsigned long long)(AREA_MIN_BYTES >> 20));
	if (log_reserve < 64 * 1024 || log_reserve > part_bytes / 2)
		return bm_seterr(e, BM_E_USAGE,
				 "log size must be between 64 KiB and half the "
				 "partition");
	dump_off = (BMDUMP_AREA_HDR_BYTES + log_reserve + AREA_ALIGN - 1) /
		   AREA_ALIGN * AREA_ALIGN;
	/* The self-test's tail (area.h) is never the dump's. */
	if (dump_off + AREA_ALIGN + BMDUMP_SELFTEST_BYTES > part_bytes)
		return bm_seterr(e, BM_E_REFUSED,
				 "partition too small for the log and a dump");
	memset(h, 0, sizeof(*h));
	h->magic = BMDUMP_AREA_MAGIC;
	h->version = BMDUMP_AREA_VERSION;
	h->header_bytes = BMDUMP_AREA_HDR_SIZE;
	memcpy(h->area_uuid, uuid, 16);
	h->state = BMDUMP_AREA_EMPTY;
	h->area_bytes = part_bytes;
	h->log_offset = BMDUMP_AREA_HDR_BYTES;
	h->log_bytes = dump_off - BMDUMP_AREA_HDR_BYTES;
	h->dump_offset = dump_off;
	h->dump_capacity = (part_bytes & ~4095ull) - BMDUMP_SELFTEST_BYTES -
			   dump_off;
	h->prepare_time = now;
	area_seal(h);
	return 0;
}

void area_seal(struct bmdump_area_header *h)
{
	h->crc = bmdump_area_crc(h);
}

int area_header_read(const struct bm_src *part,
		     struct bmdump_area_header *h, struct bm_err *e)
{
	int r;

	r = bm_read(part, h, sizeof(*h), 0, e, "area header");
	if (r)
		return r;
	r = bmdump_area_check(h, part->size);
	if (r == BMDUMP_AREA_E_MAGIC)
		return bm_seterr(e, BM_E_NOAREA, "%s",
				 bmdump_area_strerror(r));
	if (r)
		return bm_seterr(e, BM_E_CORRUPT, "%s", bmdump_area_strerror(r));
	return 0;
}

int area_header_write(const struct bm_sink *part,
		      struct bmdump_area_header *h, struct bm_err *e)
{
	uint8_t block[BMDUMP_AREA_HDR_BYTES];
	int r;

	area_seal(h);
	memset(block, 0, sizeof(block));
	memcpy(block, h, sizeof(*h));
	r = part->write(part->ctx, block, sizeof(block), 0);
	if (!r && part->sync)
		r = part->sync(part->ctx);
	if (r)
		return bm_seterr(e, r, "cannot write the area header");
	return 0;
}

const char *area_state_name(uint32_t state)
{
	switch (state) {
	case BMDUMP_AREA_EMPTY:
		return "empty";
	case BMDUMP_AREA_WRITING:
		return "writing";
	case BMDUMP_AREA_COMPLETE:
		return "complete";
	case BMDUMP_AREA_SAVED:
		return "saved";
	}
	return "invalid";
}

int area_has_unsaved_dump(const struct bmdump_area_header *h)
{
	return h->state == BMDUMP_AREA_WRITING ||
	       h->state == BMDUMP_AREA_COMPLETE;
}

const char *area_source_name(int32_t source)
{
	switch (source) {
	case BMDUMP_SOURCE_NONE:
		return "none";
	case BMDUMP_SOURCE_HOOK:
		return "hook";
	case BMDUMP_SOURCE_FULL:
		return "full";
	case BMDUMP_SOURCE_STUB:
		return "stub";
	}
	return "unknown";
}

int area_image_extent(const struct bmdump_area_header *h, uint64_t *off,
		      uint64_t *len, int *incomplete)
{
	*off = h->dump_offset;
	*incomplete = !!(h->flags & BMDUMP_AREA_F_INCOMPLETE);
	switch (h->state) {
	case BMDUMP_AREA_COMPLETE:
		*len = h->dump_bytes;
		return 0;
	case BMDUMP_AREA_WRITING:
		/* The stub never finished: take all it may have written. */
		*len = h->dump_capacity;
		*incomplete = 1;
		return 0;
	}
	*len = 0;
	return BM_E_NOTFOUND;
}

int area_read_log(const struct bm_src *part, const struct bmdump_area_header *h,
		  size_t max, char **out, struct bm_err *e)
{
	uint64_t n = h->log_used;
	size_t i;
	char *buf;
	int r;

	/* WRITING: log_used may not be final; read to the first NUL. */
	if (h->state == BMDUMP_AREA_WRITING && !n)
		n = h->log_bytes;
	if (n > max)
		n = max;
	buf = malloc(n + 1);
	if (!buf)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = bm_read(part, buf, n, h->log_offset, e, "stub log");
	if (r) {
		free(buf);
		return r;
	}
	buf[n] = 0;
	n = strnlen(buf, n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 32 && c != '\n' && c != '\t') || c == 127)
			buf[i] = '?';
	}
	buf[n] = 0;
	*out = buf;
	return 0;
}
