/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding the dump area (contract 2) among the disks the drivers found: the
 * GPT partition with bmdump's type GUID whose header names the UUID given
 * as bmdump.area=.  Nothing is written anywhere unless every check passed.
 * The header's layout is the contract include/bmdump/area.h; this is the
 * stub's handle on one area and its writes.
 */
#ifndef STUB_DUMP_AREA_H
#define STUB_DUMP_AREA_H

#include "blkdev.h"
#include "bmdump/area.h"
#include "cmdline.h"
#include "gpt.h"

struct dump_area {
	struct blkdev *dev;
	struct gpt_part part;
	uint64_t part_bytes;
	struct bmdump_area_header *hdr;	/* a 4 KiB DMA buffer */
	int overwrote;			/* it held an unsaved dump */
};

/* 0 and *a filled when a writable area was found; else why not (logged). */
int dump_area_find(struct blkdev *devs, unsigned int nr,
		   const struct stub_options *o, struct dump_area *a);

/* Write [off, off + pages*4096) of the area from page-aligned buffers. */
int dump_area_write_pages(struct dump_area *a, uint64_t off,
			  const uint64_t *pages, uint32_t nr_pages);

/* Write a contiguous page-aligned buffer of len bytes (a multiple of 4 KiB). */
int dump_area_write_buf(struct dump_area *a, uint64_t off, uint64_t buf_pa,
			uint64_t len);

/* Rewrite the header block (fresh CRC). */
int dump_area_write_header(struct dump_area *a);

#endif /* STUB_DUMP_AREA_H */
