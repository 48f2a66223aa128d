/* SPDX-License-Identifier: GPL-2.0 */
/* A struct blkdev backed by host memory, for tests of the dump writer. */
#ifndef TESTS_UNIT_RAMDISK_H
#define TESTS_UNIT_RAMDISK_H

#include "blkdev.h"

struct ramdisk {
	struct blkdev dev;
	uint8_t *data;
	uint64_t bytes;
	unsigned int writes;		/* submit_write calls */
	unsigned int flushes;
	unsigned int fail_write_at;	/* 1-based write that fails, 0: none */
	uint64_t max_pages_seen;
	/* set by ramdisk_gpt: the partition's bytes [part_start, part_end);
	 * a write that leaves them fails the test */
	uint64_t part_start, part_end;
};

void ramdisk_init(struct ramdisk *r, uint64_t bytes, uint32_t block_size,
		  uint32_t max_io_bytes);
void ramdisk_free(struct ramdisk *r);

/* Write a GPT with one partition [first_lba, last_lba] of type type_guid. */
void ramdisk_gpt(struct ramdisk *r, const uint8_t type_guid[16],
		 uint64_t first_lba, uint64_t last_lba);

#endif /* TESTS_UNIT_RAMDISK_H */
