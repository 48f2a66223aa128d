// SPDX-License-Identifier: GPL-2.0
#include "gpt.h"
#include "dma.h"
#include "errors.h"
#include "str.h"

#define GPT_SIGNATURE		0x5452415020494645ull	/* "EFI PART" */
#define GPT_HDR_SIGNATURE	0
#define GPT_HDR_REVISION	8
#define GPT_HDR_SIZE		12
#define GPT_HDR_CRC		16
#define GPT_HDR_MY_LBA		24
#define GPT_HDR_FIRST_USABLE	40
#define GPT_HDR_LAST_USABLE	48
#define GPT_HDR_ENTRIES_LBA	72
#define GPT_HDR_NR_ENTRIES	80
#define GPT_HDR_ENTRY_SIZE	84
#define GPT_HDR_ENTRIES_CRC	88
#define GPT_HDR_MIN_SIZE	92

#define GPT_ENTRY_TYPE		0
#define GPT_ENTRY_UNIQUE	16
#define GPT_ENTRY_FIRST_LBA	32
#define GPT_ENTRY_LAST_LBA	40
#define GPT_ENTRY_MIN_SIZE	128

/* LBA 0 holds the protective MBR, LBA 1 the primary header. */
#define GPT_FIRST_DATA_LBA	2

/* Bounds that keep a corrupt header from asking for absurd reads. */
#define GPT_MAX_ENTRIES_BYTES	(1u << 20)

uint32_t gpt_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int k;

	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static int check_header(const uint8_t *hdr, uint32_t block_size,
			uint64_t hdr_lba, uint64_t nr_blocks)
{
	uint8_t tmp[512];
	uint32_t size;

	if (block_size < 512 || get_le64(hdr + GPT_HDR_SIGNATURE) != GPT_SIGNATURE)
		return E_GPT_NONE;
	size = get_le32(hdr + GPT_HDR_SIZE);
	if (size < GPT_HDR_MIN_SIZE || size > sizeof(tmp) || size > block_size)
		return E_GPT_BAD;
	memcpy(tmp, hdr, size);
	memset(tmp + GPT_HDR_CRC, 0, 4);
	if (gpt_crc32(0, tmp, size) != get_le32(hdr + GPT_HDR_CRC))
		return E_GPT_BAD;
	/*
	 * The usable range, where partitions and so the dump go, must leave
	 * out the protective MBR, both headers and (below) both entry
	 * arrays: a header claiming otherwise would let a dump overwrite
	 * the partition table.
	 */
	if (get_le64(hdr + GPT_HDR_MY_LBA) != hdr_lba || nr_blocks < 4 ||
	    get_le64(hdr + GPT_HDR_FIRST_USABLE) < GPT_FIRST_DATA_LBA ||
	    get_le64(hdr + GPT_HDR_LAST_USABLE) > nr_blocks - 2 ||
	    get_le64(hdr + GPT_HDR_FIRST_USABLE) > get_le64(hdr + GPT_HDR_LAST_USABLE))
		return E_GPT_BAD;
	return 0;
}

int gpt_entries_location(const uint8_t *hdr, uint32_t block_size,
			 uint64_t hdr_lba, uint64_t nr_blocks,
			 uint64_t *lba, uint64_t *bytes)
{
	uint64_t n, esz, total, blocks;
	int err = check_header(hdr, block_size, hdr_lba, nr_blocks);

	if (err)
		return err;
	n = get_le32(hdr + GPT_HDR_NR_ENTRIES);
	esz = get_le32(hdr + GPT_HDR_ENTRY_SIZE);
	if (esz < GPT_ENTRY_MIN_SIZE || esz % 8 || !n)
		return E_GPT_BAD;
	total = n * esz;
	if (total > GPT_MAX_ENTRIES_BYTES)
		return E_GPT_BAD;
	*lba = get_le64(hdr + GPT_HDR_ENTRIES_LBA);
	*bytes = total;
	blocks = (total + block_size - 1) / block_size;
	/* between the primary header and the backup one, outside usable */
	if (*lba < GPT_FIRST_DATA_LBA || *lba >= nr_blocks - 1 ||
	    blocks > nr_blocks - 1 - *lba ||
	    (*lba + blocks > get_le64(hdr + GPT_HDR_FIRST_USABLE) &&
	     *lba <= get_le64(hdr + GPT_HDR_LAST_USABLE)))
		return E_GPT_BAD;
	return 0;
}

int gpt_parse(const uint8_t *hdr, uint32_t block_size, uint64_t hdr_lba,
	      uint64_t nr_blocks, const uint8_t *entries, uint64_t entries_len,
	      const uint8_t type_guid[16], struct gpt_part *parts,
	      unsigned int max, unsigned int *count)
{
	uint64_t lba, bytes, esz, i, first_usable, last_usable;
	int err;

	*count = 0;
	err = gpt_entries_location(hdr, block_size, hdr_lba, nr_blocks, &lba,
				   &bytes);
	if (err)
		return err;
	if (entries_len < bytes ||
	    gpt_crc32(0, entries, bytes) != get_le32(hdr + GPT_HDR_ENTRIES_CRC))
		return E_GPT_BAD;
	esz = get_le32(hdr + GPT_HDR_ENTRY_SIZE);
	first_usable = get_le64(hdr + GPT_HDR_FIRST_USABLE);
	last_usable = get_le64(hdr + GPT_HDR_LAST_USABLE);
	for (i = 0; i < bytes / esz; i++) {
		const uint8_t *e = entries + i * esz;
		struct gpt_part *p;

		if (memcmp(e + GPT_ENTRY_TYPE, type_guid, 16))
			continue;
		if (*count >= max)
			break;
		p = &parts[*count];
		p->first_lba = get_le64(e + GPT_ENTRY_FIRST_LBA);
		p->last_lba = get_le64(e + GPT_ENTRY_LAST_LBA);
		/* A partition outside the usable area is never written. */
		if (p->first_lba < first_usable || p->last_lba > last_usable ||
		    p->first_lba > p->last_lba)
			continue;
		memcpy(p->type_guid, e + GPT_ENTRY_TYPE, 16);
		memcpy(p->unique_guid, e + GPT_ENTRY_UNIQUE, 16);
		p->index = (unsigned int)i + 1;
		(*count)++;
	}
	return 0;
}

static int read_gpt_at(struct blkdev *d, uint64_t hdr_lba, uint8_t *hdr,
		       const uint8_t type_guid[16], struct gpt_part *parts,
		       unsigned int max, unsigned int *count)
{
	uint64_t lba, bytes, rounded;
	uint64_t buf;
	int err;

	err = d->read(d, hdr_lba, (uint64_t)(uintptr_t)hdr, d->block_size);
	if (err)
		return err;
	err = gpt_entries_location(hdr, d->block_size, hdr_lba, d->nr_blocks,
				   &lba, &bytes);
	if (err)
		return err;
	rounded = (bytes + d->block_size - 1) / d->block_size * d->block_size;
	buf = dma_alloc(rounded, 4096);
	if (!buf)
		return E_MEM_EXHAUSTED;
	err = d->read(d, lba, buf, (uint32_t)rounded);
	if (err)
		return err;
	return gpt_parse(hdr, d->block_size, hdr_lba, d->nr_blocks,
			 (const uint8_t *)(uintptr_t)buf, rounded, type_guid,
			 parts, max, count);
}

int gpt_find(struct blkdev *d, const uint8_t type_guid[16],
	     struct gpt_part *parts, unsigned int max, unsigned int *count)
{
	uint64_t hdr = dma_alloc(d->block_size, 4096);
	int err;

	*count = 0;
	if (!hdr)
		return E_MEM_EXHAUSTED;
	err = read_gpt_at(d, 1, (uint8_t *)(uintptr_t)hdr, type_guid, parts,
			  max, count);
	if (err == 0 || d->nr_blocks < 2)
		return err;
	/* Primary unusable: the backup header sits in the last block. */
	if (read_gpt_at(d, d->nr_blocks - 1, (uint8_t *)(uintptr_t)hdr,
			type_guid, parts, max, count) == 0)
		return 0;
	return err;
}
