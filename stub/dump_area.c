// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's side of the dump area (contract 2, include/bmdump/area.h):
 * find the partition whose header names bmdump.area=, then write pages,
 * buffers and the header into it through the block sink.  Named dump_area
 * so it is not taken for the contract header or the tool's area_write(),
 * which seals a header on the host.
 */
#include "dump_area.h"
#include "console.h"
#include "dma.h"
#include "errors.h"
#include "str.h"

#define PAGE_SIZE	4096u
#define PAGES_PER_CALL	64

static void format_uuid(const uint8_t *u, char *out)
{
	bmdump_uuid_format(u, out);
}

int dump_area_find(struct blkdev *devs, unsigned int nr,
		   const struct stub_options *o, struct dump_area *a)
{
	static const uint8_t type_guid[16] = BMDUMP_AREA_TYPE_GUID_GPT;
	int result = E_AREA_NOT_FOUND;
	char want[37], have[37];
	unsigned int i, j;

	memset(a, 0, sizeof(*a));
	if (!o->has_area)
		return E_AREA_NO_UUID;
	format_uuid(o->area_uuid, want);
	for (i = 0; i < nr; i++) {
		struct blkdev *d = &devs[i];
		struct gpt_part parts[GPT_MAX_PARTS];
		unsigned int count;
		int err = gpt_find(d, type_guid, parts, GPT_MAX_PARTS, &count);

		if (err) {
			bmlog("area: %s: %s", d->name, stub_strerror(err));
			continue;
		}
		for (j = 0; j < count; j++) {
			struct bmdump_area_header *h;
			uint64_t bytes = (parts[j].last_lba - parts[j].first_lba
					  + 1) * d->block_size;
			uint64_t buf = dma_alloc(BMDUMP_AREA_HDR_BYTES, 4096);

			if (!buf)
				return E_MEM_EXHAUSTED;
			h = (struct bmdump_area_header *)(uintptr_t)buf;
			if ((parts[j].first_lba * d->block_size) % PAGE_SIZE) {
				bmlog("area: %s partition %u: %s", d->name,
				      parts[j].index, stub_strerror(E_AREA_ALIGN));
				continue;
			}
			err = d->read(d, parts[j].first_lba, buf,
				      BMDUMP_AREA_HDR_BYTES);
			if (!err)
				err = bmdump_area_check(h, bytes);
			if (err) {
				bmlog("area: %s partition %u: %s", d->name,
				      parts[j].index, err < -100 ?
				      stub_strerror(err) :
				      bmdump_area_strerror(err));
				if (result == E_AREA_NOT_FOUND)
					result = E_AREA_HEADER;
				continue;
			}
			format_uuid(h->area_uuid, have);
			if (memcmp(h->area_uuid, o->area_uuid, 16)) {
				bmlog("area: %s partition %u is area %s, not %s",
				      d->name, parts[j].index, have, want);
				continue;
			}
			bmlog("area: %s partition %u: area %s, %llu MiB, state %u",
			      d->name, parts[j].index, have,
			      (unsigned long long)(bytes >> 20), h->state);
			if ((h->state == BMDUMP_AREA_WRITING ||
			     h->state == BMDUMP_AREA_COMPLETE) && !o->overwrite)
				return E_AREA_UNSAVED;
			a->dev = d;
			a->part = parts[j];
			a->part_bytes = bytes;
			a->hdr = h;
			a->overwrote = h->state == BMDUMP_AREA_WRITING ||
				       h->state == BMDUMP_AREA_COMPLETE;
			return 0;
		}
	}
	return result;
}

int dump_area_write_pages(struct dump_area *a, uint64_t off,
			  const uint64_t *pages, uint32_t nr_pages)
{
	struct blkdev *d = a->dev;
	uint32_t per_io = d->max_io_bytes / PAGE_SIZE;

	/* Never a byte outside the area: a bug here must not hit the disk. */
	if (off % PAGE_SIZE || off > a->part_bytes ||
	    (uint64_t)nr_pages * PAGE_SIZE > a->part_bytes - off)
		return E_AREA_HEADER;
	if (!per_io)
		per_io = 1;
	while (nr_pages) {
		uint32_t n = nr_pages < per_io ? nr_pages : per_io;
		uint64_t lba = a->part.first_lba + off / d->block_size;
		int err = d->submit_write(d, lba, pages, n);

		if (err)
			return err;
		pages += n;
		nr_pages -= n;
		off += (uint64_t)n * PAGE_SIZE;
	}
	return 0;
}

int dump_area_write_buf(struct dump_area *a, uint64_t off, uint64_t buf_pa,
			uint64_t len)
{
	uint64_t pages[PAGES_PER_CALL];

	while (len) {
		uint32_t n = 0;
		int err;

		while (n < PAGES_PER_CALL && len) {
			pages[n++] = buf_pa;
			buf_pa += PAGE_SIZE;
			len = len > PAGE_SIZE ? len - PAGE_SIZE : 0;
		}
		err = dump_area_write_pages(a, off, pages, n);
		if (err)
			return err;
		off += (uint64_t)n * PAGE_SIZE;
	}
	return 0;
}

int dump_area_write_header(struct dump_area *a)
{
	int err;

	a->hdr->crc = bmdump_area_crc(a->hdr);
	err = dump_area_write_buf(a, 0, (uint64_t)(uintptr_t)a->hdr,
			     BMDUMP_AREA_HDR_BYTES);
	if (err)
		return err;
	/* The header buffer is reused: make sure this write went out. */
	return a->dev->wait_idle(a->dev);
}
