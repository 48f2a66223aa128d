// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump.ko's descriptor and bitmap as the stub reads them at the crash:
 * memory of a kernel known to be broken.  Input byte 0 holds flags, the
 * rest is RAM at RAM_PA (zero-padded to whole pages), the descriptor at
 * RAM_PA plus 4 * (bits 2-4 of the flags), so misaligned addresses are
 * tried too.  Flags bit 0 and bit 1 fix up the descriptor's CRC and the
 * bitmap's CRC first (computed with the contract's own functions), so
 * mutations reach past the CRC checks.
 *
 * When the descriptor is accepted, bitmap_keep_word() must agree with
 * bitmap_keep() bit for bit around every chunk edge and around max_pfn.
 */
#include "phys.h"
#include "phys_fake.h"

#include <string.h>

#include "bitmap.h"
#include "bmdump/area.h"
#include "bmdump/crc32c.h"
#include "bmdump/desc.h"
#include "elfcore.h"
#include "errors.h"

#define RAM_PA		0x40000000ull	/* 1 GiB */
#define HOLE_BYTES	0x100000ull	/* RAM that is not served */
#define FIX_DESC_CRC	0x01
#define FIX_BITMAP_CRC	0x02
#define MAX_WORDS	4096		/* bitmap_keep_word() calls per input */

static struct core_info ci;

static void fix_crcs(uint8_t *img, uint64_t len, uint64_t off, uint8_t flags)
{
	struct bmdump_desc *d;
	uint32_t crc = 0, i;

	/* the stub refuses a misaligned descriptor before reading it */
	if (off % 8 || off + BMDUMP_DESC_SIZE > len)
		return;
	d = (struct bmdump_desc *)(img + off);
	if (flags & FIX_BITMAP_CRC && d->nr_chunks <= BMDUMP_DESC_MAX_CHUNKS) {
		for (i = 0; i < d->nr_chunks; i++) {
			const struct bmdump_chunk *c = &d->chunk[i];
			uint64_t bytes = c->nr_pfns / 8;

			if (c->phys < RAM_PA || c->phys - RAM_PA > len ||
			    bytes > len - (c->phys - RAM_PA))
				break;
			crc = bmdump_crc32c(crc, img + (c->phys - RAM_PA),
					    bytes);
		}
		if (i == d->nr_chunks)
			d->bitmap_crc = crc;
	}
	if (flags & FIX_DESC_CRC && d->desc_size >= BMDUMP_DESC_HDR_SIZE &&
	    d->desc_size <= BMDUMP_DESC_SIZE)
		d->desc_crc = bmdump_desc_crc(d, d->desc_size);
}

static void check_words(const struct page_select *sel, uint64_t from,
			uint64_t to, unsigned int *budget)
{
	uint64_t base;
	unsigned int i;

	for (base = from & ~63ull; base < to && *budget; base += 64) {
		uint64_t word = bitmap_keep_word(sel, base);

		for (i = 0; i < 64; i++)
			FZ_CHECK(((word >> i) & 1) ==
				 (uint64_t)bitmap_keep(sel, base + i));
		(*budget)--;
		if (base > ~0ull - 64)
			break;
	}
}

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? ~0ull : a + b;
}

static void check_accepted(const struct page_select *sel)
{
	const struct bmdump_desc *d = sel->desc;
	unsigned int budget = MAX_WORDS, i;

	FZ_CHECK(sel->source == BMDUMP_SOURCE_HOOK && !sel->error && d);
	FZ_CHECK(d->magic == BMDUMP_DESC_MAGIC &&
		 d->state == BMDUMP_DESC_DONE);
	FZ_CHECK(d->nr_chunks >= 1 && d->nr_chunks <= BMDUMP_DESC_MAX_CHUNKS);
	FZ_CHECK(sel->dump_level <= 31);
	/* what the hook did not cover is kept */
	FZ_CHECK(bitmap_keep(sel, d->max_pfn) == 1);
	FZ_CHECK(bitmap_keep(sel, ~0ull) == 1);
	if (d->chunk[0].first_pfn)
		FZ_CHECK(bitmap_keep(sel, d->chunk[0].first_pfn - 1) == 1);
	for (i = 0; i < d->nr_chunks; i++) {
		const struct bmdump_chunk *c = &d->chunk[i];
		uint64_t end = c->first_pfn + c->nr_pfns;

		if (i)
			FZ_CHECK(c->first_pfn >= d->chunk[i - 1].first_pfn +
				 d->chunk[i - 1].nr_pfns);
		check_words(sel, sat_sub(c->first_pfn, 128),
			    sat_add(c->first_pfn, 256), &budget);
		check_words(sel, sat_sub(end, 128), sat_add(end, 128),
			    &budget);
	}
	check_words(sel, sat_sub(d->max_pfn, 128), sat_add(d->max_pfn, 128),
		    &budget);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct page_select sel;
	uint64_t len, off;
	uint8_t *img;
	int err;

	if (size < 1)
		return 0;
	len = (size - 1 + 4095) & ~4095ull;
	if (!len)
		len = 4096;
	img = fz_alloc(len);
	memcpy(img, data + 1, size - 1);
	off = 4ull * ((data[0] >> 2) & 7);
	fix_crcs(img, len, off, data[0]);
	fz_add(RAM_PA, img, len, FZ_RAM);

	/* served RAM, then RAM the fake does not serve (core_map NULL) */
	memset(&ci, 0, sizeof(ci));
	ci.nr_ram = 2;
	ci.ram[0].start = ci.ram[0].src = RAM_PA;
	ci.ram[0].end = RAM_PA + len;
	ci.ram[1].start = ci.ram[1].src = RAM_PA + len + HOLE_BYTES;
	ci.ram[1].end = ci.ram[1].start + HOLE_BYTES;
	ci.max_pfn = ci.ram[1].end >> 12;

	FZ_CHECK(bitmap_select(&ci, 0, 0, &sel) == E_DESC_NONE);
	FZ_CHECK(sel.source == BMDUMP_SOURCE_FULL && bitmap_keep(&sel, 5));
	err = bitmap_select(&ci, 1, RAM_PA + off, &sel);
	FZ_CHECK(err == sel.error && err <= 0);
	if (err) {
		FZ_CHECK(sel.source == BMDUMP_SOURCE_FULL && !sel.desc);
		FZ_CHECK(bitmap_keep_word(&sel, 0) == ~0ull);
	} else {
		check_accepted(&sel);
	}
	fz_reset();
	return 0;
}
