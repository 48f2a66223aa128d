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

/*
 * Read one bmdump-typed partition's header into h and apply the area rule
 * (include/bmdump/area.h).  0: it is the area; else why not, logged.
 */
static int match_part(struct blkdev *d, const struct gpt_part *p,
		      const struct stub_options *o,
		      struct bmdump_area_header *h, uint64_t bytes)
{
	char want[37], have[37];
	int err;

	err = d->read(d, p->first_lba, (uint64_t)(uintptr_t)h,
		      BMDUMP_AREA_HDR_BYTES);
	if (err) {
		bmlog("area: %s partition %u: %s", d->name, p->index,
		      stub_strerror(err));
		return err;
	}
	err = bmdump_area_match(p->type_guid, h, bytes, o->area_uuid);
	if (err == BMDUMP_AREA_E_UUID) {
		bmdump_uuid_format(h->area_uuid, have);
		bmdump_uuid_format(o->area_uuid, want);
		bmlog("area: %s partition %u is area %s, not %s", d->name,
		      p->index, have, want);
	} else if (err) {
		bmlog("area: %s partition %u: %s", d->name, p->index,
		      bmdump_area_strerror(err));
	}
	return err;
}

/* The single match's last checks: where it lies, what it holds. */
static int accept_match(const struct stub_options *o, struct dump_area *a)
{
	struct blkdev *d = a->dev;
	char have[37];

	bmdump_uuid_format(a->hdr->area_uuid, have);
	bmlog("area: %s partition %u: area %s, %llu MiB, state %u", d->name,
	      a->part.index, have, (unsigned long long)(a->part_bytes >> 20),
	      a->hdr->state);
	if ((a->part.first_lba * d->block_size) % PAGE_SIZE)
		return E_AREA_ALIGN;
	a->overwrote = a->hdr->state == BMDUMP_AREA_WRITING ||
		       a->hdr->state == BMDUMP_AREA_COMPLETE;
	if (a->overwrote && !o->overwrite)
		return E_AREA_UNSAVED;
	return 0;
}

/*
 * Every partition of bmdump's type on every disk is tried, even after a
 * match: two partitions holding the same area (a cloned disk) mean that
 * neither may be written, since the host tools may be looking at the other.
 */
int dump_area_find(struct blkdev *devs, unsigned int nr,
		   const struct stub_options *o, struct dump_area *a)
{
	static const uint8_t type_guid[16] = BMDUMP_AREA_TYPE_GUID_GPT;
	int err, result = E_AREA_NOT_FOUND;
	unsigned int i, j, matches = 0;
	uint64_t buf = 0;

	memset(a, 0, sizeof(*a));
	if (!o->has_area)
		return E_AREA_NO_UUID;
	for (i = 0; i < nr; i++) {
		struct blkdev *d = &devs[i];
		struct gpt_part parts[GPT_MAX_PARTS];
		unsigned int count;

		err = gpt_find(d, type_guid, parts, GPT_MAX_PARTS, &count);
		if (err) {
			bmlog("area: %s: %s", d->name, stub_strerror(err));
			continue;
		}
		for (j = 0; j < count; j++) {
			uint64_t bytes = (parts[j].last_lba - parts[j].first_lba
					  + 1) * d->block_size;

			/* A matched header keeps its buffer: a fresh one. */
			if (!buf)
				buf = dma_alloc(BMDUMP_AREA_HDR_BYTES, 4096);
			if (!buf)
				return E_MEM_EXHAUSTED;
			err = match_part(d, &parts[j], o,
					 (struct bmdump_area_header *)
					 (uintptr_t)buf, bytes);
			if (err == BMDUMP_AREA_E_UUID)
				continue;
			if (err) {
				if (result == E_AREA_NOT_FOUND)
					result = E_AREA_HEADER;
				continue;
			}
			if (matches++) {
				bmlog("area: %s partition %u and %s partition "
				      "%u hold the same area: writing to "
				      "neither", a->dev->name, a->part.index,
				      d->name, parts[j].index);
				continue;
			}
			a->dev = d;
			a->part = parts[j];
			a->part_bytes = bytes;
			a->hdr = (struct bmdump_area_header *)(uintptr_t)buf;
			buf = 0;
		}
	}
	if (matches > 1) {
		memset(a, 0, sizeof(*a));
		return E_AREA_DUPLICATE;
	}
	return matches ? accept_match(o, a) : result;
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
