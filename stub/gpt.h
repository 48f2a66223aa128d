/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GUID Partition Table (UEFI spec, chapter 5): just enough to find the
 * partitions that carry bmdump's partition type GUID.  The primary header
 * at LBA 1 is used when its CRCs hold, else the backup at the last LBA.
 */
#ifndef STUB_GPT_H
#define STUB_GPT_H

#include "blkdev.h"

#define GPT_MAX_PARTS	8

struct gpt_part {
	uint64_t first_lba;
	uint64_t last_lba;	/* inclusive */
	uint8_t type_guid[16];	/* as on disk, for bmdump_area_match() */
	uint8_t unique_guid[16];
	unsigned int index;	/* entry number, from 1 (sda1 style) */
};

/* CRC32 as GPT uses it (IEEE 802.3, zlib's crc32). */
uint32_t gpt_crc32(uint32_t crc, const void *buf, size_t len);

/*
 * Parse a GPT whose header block is hdr (one block) and whose entry array
 * is entries (entries_len bytes); collect partitions of type type_guid.
 * Pure: the caller reads the blocks.  0 or a negative code.
 */
int gpt_parse(const uint8_t *hdr, uint32_t block_size, uint64_t hdr_lba,
	      uint64_t nr_blocks, const uint8_t *entries, uint64_t entries_len,
	      const uint8_t type_guid[16], struct gpt_part *parts,
	      unsigned int max, unsigned int *count);

/* Where the entry array of the header at hdr lies: LBA and bytes. */
int gpt_entries_location(const uint8_t *hdr, uint32_t block_size,
			 uint64_t hdr_lba, uint64_t nr_blocks,
			 uint64_t *lba, uint64_t *bytes);

/* Read the GPT of a device (primary, else backup) and collect bmdump areas. */
int gpt_find(struct blkdev *d, const uint8_t type_guid[16],
	     struct gpt_part *parts, unsigned int max, unsigned int *count);

#endif /* STUB_GPT_H */
