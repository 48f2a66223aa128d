// SPDX-License-Identifier: GPL-2.0
#include "fakes.h"
#include "ramdisk.h"

#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "gpt.h"

static int rd_submit(struct blkdev *d, uint64_t lba, const uint64_t *pages,
		     uint32_t n)
{
	struct ramdisk *r = d->priv;
	uint64_t off = lba * d->block_size;
	uint32_t i;

	r->writes++;
	if (r->fail_write_at && r->writes == r->fail_write_at)
		return -5;	/* an errno-style code: the writer maps it */
	assert_true((uint64_t)n * 4096 <= d->max_io_bytes);
	assert_true(off % 4096 == 0);
	assert_true(off + (uint64_t)n * 4096 <= r->bytes);
	if (r->part_end) {
		assert_in_range(off, r->part_start, r->part_end - 1);
		assert_in_range(off + (uint64_t)n * 4096, r->part_start + 1,
				r->part_end);
	}
	if (n > r->max_pages_seen)
		r->max_pages_seen = n;
	for (i = 0; i < n; i++) {
		assert_true(pages[i] % 4096 == 0);
		memcpy(r->data + off + i * 4096ull,
		       (const void *)(uintptr_t)pages[i], 4096);
	}
	return 0;
}

static int rd_wait(struct blkdev *d)
{
	return 0;
}

static int rd_read(struct blkdev *d, uint64_t lba, uint64_t buf, uint32_t len)
{
	struct ramdisk *r = d->priv;
	uint64_t off = lba * d->block_size;

	assert_true(off + len <= r->bytes);
	memcpy((void *)(uintptr_t)buf, r->data + off, len);
	return 0;
}

static int rd_flush(struct blkdev *d)
{
	struct ramdisk *r = d->priv;

	r->flushes++;
	return 0;
}

static int rd_shutdown(struct blkdev *d)
{
	return 0;
}

void ramdisk_init(struct ramdisk *r, uint64_t bytes, uint32_t block_size,
		  uint32_t max_io_bytes)
{
	memset(r, 0, sizeof(*r));
	r->data = calloc(1, bytes);
	assert_non_null(r->data);
	r->bytes = bytes;
	strcpy(r->dev.name, "ram0");
	r->dev.block_size = block_size;
	r->dev.nr_blocks = bytes / block_size;
	r->dev.max_io_bytes = max_io_bytes;
	r->dev.submit_write = rd_submit;
	r->dev.wait_idle = rd_wait;
	r->dev.read = rd_read;
	r->dev.flush = rd_flush;
	r->dev.shutdown = rd_shutdown;
	r->dev.priv = r;
}

void ramdisk_free(struct ramdisk *r)
{
	free(r->data);
	r->data = NULL;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Primary and backup GPT, 128 entries of 128 bytes. */
void ramdisk_gpt(struct ramdisk *r, const uint8_t type_guid[16],
		 uint64_t first_lba, uint64_t last_lba)
{
	uint32_t bs = r->dev.block_size;
	uint64_t nb = r->dev.nr_blocks, ents_blocks = 16384 / bs;
	uint8_t ents[16384], hdr[512];
	int backup;

	memset(ents, 0, sizeof(ents));
	memcpy(ents, type_guid, 16);
	memset(ents + 16, 0xab, 16);
	put64(ents + 32, first_lba);
	put64(ents + 40, last_lba);
	r->part_start = first_lba * bs;
	r->part_end = (last_lba + 1) * bs;
	for (backup = 0; backup < 2; backup++) {
		uint64_t my = backup ? nb - 1 : 1;
		uint64_t el = backup ? nb - 1 - ents_blocks : 2;

		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, "EFI PART", 8);
		put32(hdr + 8, 0x00010000);
		put32(hdr + 12, 92);
		put64(hdr + 24, my);
		put64(hdr + 32, backup ? 1 : nb - 1);
		put64(hdr + 40, 2 + ents_blocks);
		put64(hdr + 48, nb - 2 - ents_blocks);
		put64(hdr + 72, el);
		put32(hdr + 80, 128);
		put32(hdr + 84, 128);
		put32(hdr + 88, gpt_crc32(0, ents, sizeof(ents)));
		put32(hdr + 16, gpt_crc32(0, hdr, 92));
		memcpy(r->data + my * bs, hdr, 512);
		memcpy(r->data + el * bs, ents, sizeof(ents));
	}
}
