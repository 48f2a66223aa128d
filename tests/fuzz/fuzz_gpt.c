// SPDX-License-Identifier: GPL-2.0
/*
 * The GPT of a disk the stub is about to write a dump to: gpt_find() on a
 * disk whose first blocks are the input (zero beyond it), primary header
 * first, then the backup in the last block.  Input byte 0 holds flags:
 * bit 0 fixes up both headers' CRCs and bit 1 both entry arrays' CRCs
 * (with the stub's gpt_crc32, after the entries fix-up), bit 2 picks
 * 4096-byte blocks; byte 1 sets the disk's size in blocks beyond the input.
 *
 * Whatever the input, an accepted partition must lie in the header's
 * usable range, away from LBA 0 and 1 and the last block, and away from
 * the entry array it was read from: the dump never lands on the table.
 */
#include "phys_fake.h"

#include <string.h>

#include "blkdev.h"
#include "bmdump/area.h"
#include "errors.h"
#include "gpt.h"
#include "str.h"

#define FIX_HDR_CRC	0x01
#define FIX_ENTRIES_CRC	0x02
#define BLOCK_4K	0x04
#define E_FAKE_READ	(-9999)
#define MAX_ENTRIES	(1u << 20)

static const uint8_t type_guid[16] = BMDUMP_AREA_TYPE_GUID_GPT;

struct fake_disk {
	const uint8_t *img;
	uint64_t len;
	unsigned int reads;
};

static int disk_read(struct blkdev *d, uint64_t lba, uint64_t buf_pa,
		     uint32_t bytes)
{
	struct fake_disk *f = d->priv;
	uint8_t *buf = (uint8_t *)(uintptr_t)buf_pa;
	uint64_t off, n;

	FZ_CHECK(bytes && bytes % d->block_size == 0);
	if (lba >= d->nr_blocks || bytes / d->block_size > d->nr_blocks - lba)
		return E_FAKE_READ;
	FZ_CHECK(++f->reads <= 4);
	memset(buf, 0, bytes);
	off = lba * d->block_size;
	if (off < f->len) {
		n = f->len - off < bytes ? f->len - off : bytes;
		memcpy(buf, f->img + off, n);
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Make the header at lba (and its entries) pass the CRC checks. */
static void fix_crcs(uint8_t *img, uint64_t len, uint32_t bs, uint64_t lba,
		     uint8_t flags)
{
	uint8_t *h;
	uint64_t ents, bytes;
	uint32_t size;

	if (lba >= len / bs)
		return;
	h = img + lba * bs;
	ents = get_le64(h + 72);
	bytes = (uint64_t)get_le32(h + 80) * get_le32(h + 84);
	if (flags & FIX_ENTRIES_CRC && bytes <= MAX_ENTRIES &&
	    ents < len / bs && bytes <= len - ents * bs)
		put32(h + 88, gpt_crc32(0, img + ents * bs, bytes));
	size = get_le32(h + 12);
	if (flags & FIX_HDR_CRC && size >= 92 && size <= 512) {
		put32(h + 16, 0);
		put32(h + 16, gpt_crc32(0, h, size));
	}
}

static void check_parts(const struct blkdev *d,
			const struct gpt_part *parts, unsigned int count)
{
	unsigned int i;

	FZ_CHECK(count <= GPT_MAX_PARTS);
	for (i = 0; i < count; i++) {
		const struct gpt_part *p = &parts[i];

		FZ_CHECK(p->first_lba >= 2 && p->first_lba <= p->last_lba);
		FZ_CHECK(p->last_lba <= d->nr_blocks - 2);
		FZ_CHECK(p->index >= 1);
		if (i)
			FZ_CHECK(p->index > parts[i - 1].index);
	}
}

/* Block lba of the image, zero beyond it, as the disk reads it. */
static void image_blocks(const struct fake_disk *f, uint64_t lba,
			 uint64_t bytes, uint32_t bs, uint8_t *out)
{
	uint64_t off = lba * bs;

	memset(out, 0, bytes);
	if (off < f->len)
		memcpy(out, f->img + off,
		       f->len - off < bytes ? f->len - off : bytes);
}

/*
 * Re-check from the image against the table at hdr_lba: 1 when that table
 * is valid (and then the partitions found obey it), 0 when it is not.
 */
static int check_against_table(const struct fake_disk *f,
			       const struct blkdev *d, uint64_t hdr_lba,
			       const struct gpt_part *parts,
			       unsigned int count)
{
	struct gpt_part again[GPT_MAX_PARTS];
	uint64_t lba, bytes, blocks, first, last;
	unsigned int n, i;
	uint8_t *hdr, *ents;

	hdr = fz_alloc(d->block_size);
	image_blocks(f, hdr_lba, d->block_size, d->block_size, hdr);
	if (gpt_entries_location(hdr, d->block_size, hdr_lba, d->nr_blocks,
				 &lba, &bytes))
		return 0;
	blocks = (bytes + d->block_size - 1) / d->block_size;
	ents = fz_alloc(blocks * d->block_size);
	image_blocks(f, lba, blocks * d->block_size, d->block_size, ents);
	if (gpt_parse(hdr, d->block_size, hdr_lba, d->nr_blocks, ents,
		      blocks * d->block_size, type_guid, again, GPT_MAX_PARTS,
		      &n))
		return 0;
	first = get_le64(hdr + 40);
	last = get_le64(hdr + 48);
	FZ_CHECK(lba >= 2 && lba + blocks <= d->nr_blocks - 1);
	FZ_CHECK(lba + blocks <= first || lba > last);
	FZ_CHECK(n == count);
	for (i = 0; i < count; i++) {
		FZ_CHECK(parts[i].first_lba >= first &&
			 parts[i].last_lba <= last);
		FZ_CHECK(again[i].first_lba == parts[i].first_lba &&
			 again[i].last_lba == parts[i].last_lba &&
			 again[i].index == parts[i].index &&
			 !memcmp(again[i].unique_guid, parts[i].unique_guid,
				 16));
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	struct fake_disk f;
	struct blkdev d;
	unsigned int count = 0;
	uint8_t *img;
	uint32_t bs;
	int err;

	if (size < 2)
		return 0;
	bs = data[0] & BLOCK_4K ? 4096 : 512;
	memset(&d, 0, sizeof(d));
	memset(&f, 0, sizeof(f));
	f.len = size - 2;
	img = fz_dup(data + 2, f.len);
	f.img = img;
	d.block_size = bs;
	d.nr_blocks = (f.len + bs - 1) / bs + data[1];
	d.read = disk_read;
	d.priv = &f;
	fix_crcs(img, f.len, bs, 1, data[0]);
	if (d.nr_blocks)
		fix_crcs(img, f.len, bs, d.nr_blocks - 1, data[0]);

	err = gpt_find(&d, type_guid, parts, GPT_MAX_PARTS, &count);
	FZ_CHECK(err <= 0);
	if (err) {
		FZ_CHECK(err == E_GPT_NONE || err == E_GPT_BAD ||
			 err == E_FAKE_READ);
	} else {
		check_parts(&d, parts, count);
		/* the primary when it is valid, else the backup */
		FZ_CHECK(check_against_table(&f, &d, 1, parts, count) ||
			 check_against_table(&f, &d, d.nr_blocks - 1, parts,
					     count));
	}
	fz_reset();
	return 0;
}
