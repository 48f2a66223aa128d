// SPDX-License-Identifier: GPL-2.0
/*
 * gpt_parse(): which partitions the stub may write a dump into.  Every
 * header here is valid but for the one field a case changes, with its CRCs
 * recomputed, so each rejection is pinned to the check it is about.
 */
#include "fakes.h"

#include <string.h>

#include "bmdump/area.h"
#include "errors.h"
#include "gpt.h"
#include "str.h"

#define BS		512u
#define NR_BLOCKS	(64ull << 11)	/* 64 MiB */
#define NR_ENTRIES	128u
#define ENTRY_SIZE	128u
#define ENT_BLOCKS	(NR_ENTRIES * ENTRY_SIZE / BS)	/* 32 */
#define FIRST_USABLE	(2 + ENT_BLOCKS)
#define LAST_USABLE	(NR_BLOCKS - 2 - ENT_BLOCKS)

static const uint8_t type_guid[16] = BMDUMP_AREA_TYPE_GUID_GPT;
static uint8_t hdr[BS];
static uint8_t ents[NR_ENTRIES * ENTRY_SIZE];

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void seal(void)
{
	put32(hdr + 88, gpt_crc32(0, ents, sizeof(ents)));
	put32(hdr + 16, 0);
	put32(hdr + 16, gpt_crc32(0, hdr, 92));
}

static void entry(unsigned int i, const uint8_t *type, uint64_t first,
		  uint64_t last)
{
	uint8_t *e = ents + i * ENTRY_SIZE;

	memcpy(e, type, 16);
	memset(e + 16, 0x40 + i, 16);
	put64(e + 32, first);
	put64(e + 40, last);
}

/* A primary header at LBA 1 with one bmdump partition, entry 2. */
static int setup(void **state)
{
	static const uint8_t linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f };

	memset(hdr, 0, sizeof(hdr));
	memset(ents, 0, sizeof(ents));
	memcpy(hdr, "EFI PART", 8);
	put32(hdr + 8, 0x00010000);
	put32(hdr + 12, 92);
	put64(hdr + 24, 1);
	put64(hdr + 32, NR_BLOCKS - 1);
	put64(hdr + 40, FIRST_USABLE);
	put64(hdr + 48, LAST_USABLE);
	put64(hdr + 72, 2);
	put32(hdr + 80, NR_ENTRIES);
	put32(hdr + 84, ENTRY_SIZE);
	entry(0, linux_fs, 2048, 4095);
	entry(1, type_guid, 4096, 8191);
	seal();
	return 0;
}

static int parse(struct gpt_part *parts, unsigned int *count)
{
	return gpt_parse(hdr, BS, 1, NR_BLOCKS, ents, sizeof(ents), type_guid,
			 parts, GPT_MAX_PARTS, count);
}

static void test_gpt_finds_the_area(void **state)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count;

	assert_int_equal(parse(parts, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(parts[0].first_lba, 4096);
	assert_int_equal(parts[0].last_lba, 8191);
	assert_int_equal(parts[0].index, 2);
	assert_int_equal(parts[0].unique_guid[0], 0x41);
}

static void test_gpt_crc_checked(void **state)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count;

	ents[ENTRY_SIZE + 32] ^= 1;	/* entries changed after sealing */
	assert_int_equal(parse(parts, &count), E_GPT_BAD);
	setup(state);
	hdr[40] ^= 1;			/* header changed after sealing */
	assert_int_equal(parse(parts, &count), E_GPT_BAD);
	setup(state);
	hdr[0] = 'X';
	assert_int_equal(parse(parts, &count), E_GPT_NONE);
}

/* A usable range over the MBR, a header or an entry array is refused. */
static void test_gpt_usable_range_spares_the_table(void **state)
{
	static const struct {
		uint64_t first, last;
	} bad[] = {
		{ 0, LAST_USABLE },		/* protective MBR */
		{ 1, LAST_USABLE },		/* primary header */
		{ 2, LAST_USABLE },		/* primary entries */
		{ FIRST_USABLE - 1, LAST_USABLE },
		{ FIRST_USABLE, NR_BLOCKS - 1 },	/* backup header */
		{ FIRST_USABLE, NR_BLOCKS },
		{ 8192, 4096 },			/* empty */
	};
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(state);
		put64(hdr + 40, bad[i].first);
		put64(hdr + 48, bad[i].last);
		seal();
		assert_int_equal(parse(parts, &count), E_GPT_BAD);
		assert_int_equal(count, 0);
	}
	/* the backup's entries just below its header, outside usable */
	setup(state);
	put64(hdr + 72, NR_BLOCKS - 1 - ENT_BLOCKS);
	seal();
	assert_int_equal(parse(parts, &count), 0);
	assert_int_equal(count, 1);
}

static void test_gpt_entries_placement(void **state)
{
	static const uint64_t bad[] = {
		0, 1,				/* MBR, primary header */
		FIRST_USABLE - ENT_BLOCKS + 1,	/* reaches into usable */
		LAST_USABLE,			/* inside usable */
		NR_BLOCKS - ENT_BLOCKS,		/* over the backup header */
		NR_BLOCKS - 1, NR_BLOCKS, ~0ull,
	};
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup(state);
		put64(hdr + 72, bad[i]);
		seal();
		assert_int_equal(parse(parts, &count), E_GPT_BAD);
	}
	setup(state);
	put32(hdr + 80, 0);		/* no entries */
	seal();
	assert_int_equal(parse(parts, &count), E_GPT_BAD);
	setup(state);
	put32(hdr + 84, 100);		/* entry size below 128 */
	seal();
	assert_int_equal(parse(parts, &count), E_GPT_BAD);
	setup(state);
	put32(hdr + 80, 0x10000);	/* 8 MiB of entries */
	seal();
	assert_int_equal(parse(parts, &count), E_GPT_BAD);
}

/* Partitions outside the usable range are skipped, not clipped. */
static void test_gpt_partition_bounds(void **state)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count, i;

	entry(1, type_guid, 1, 8191);			/* over the header */
	entry(2, type_guid, 4096, LAST_USABLE + 1);	/* past usable */
	entry(3, type_guid, 9000, 8999);		/* reversed */
	entry(4, type_guid, LAST_USABLE, LAST_USABLE);	/* one block */
	seal();
	assert_int_equal(parse(parts, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(parts[0].index, 5);
	/* more areas than slots: the first GPT_MAX_PARTS are kept */
	for (i = 0; i < GPT_MAX_PARTS + 2; i++)
		entry(i, type_guid, 4096 + i * 8, 4096 + i * 8 + 7);
	seal();
	assert_int_equal(parse(parts, &count), 0);
	assert_int_equal(count, GPT_MAX_PARTS);
	assert_int_equal(parts[GPT_MAX_PARTS - 1].index, GPT_MAX_PARTS);
}

static void test_gpt_header_needs_its_lba(void **state)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count;

	/* a valid primary header read from the last block is not a backup */
	assert_int_equal(gpt_parse(hdr, BS, NR_BLOCKS - 1, NR_BLOCKS, ents,
				   sizeof(ents), type_guid, parts,
				   GPT_MAX_PARTS, &count), E_GPT_BAD);
	/* short entry buffer */
	assert_int_equal(gpt_parse(hdr, BS, 1, NR_BLOCKS, ents,
				   sizeof(ents) - 1, type_guid, parts,
				   GPT_MAX_PARTS, &count), E_GPT_BAD);
	/* tiny disk */
	assert_int_equal(gpt_parse(hdr, BS, 1, 3, ents, sizeof(ents),
				   type_guid, parts, GPT_MAX_PARTS, &count),
			 E_GPT_BAD);
}

/*
 * Known answer: the primary header and first entry sgdisk 1.0.9 wrote to an
 * 8 MiB image (sgdisk -U 11111111-2222-3333-4444-555555555555 -n
 * 1:2048:10239 -t 1:773451C3-E640-4C89-9AAB-B4FE3B56A9C9 -u
 * 1:5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a40 -c 1:bmdump), CRCs and all: the
 * stub's CRC and parser must accept what an independent tool sealed.
 */
static const uint8_t sgdisk_hdr[92] = {
	0x45, 0x46, 0x49, 0x20, 0x50, 0x41, 0x52, 0x54,
	0x00, 0x00, 0x01, 0x00, 0x5c, 0x00, 0x00, 0x00,
	0xad, 0x66, 0x46, 0xf8, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xde, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x33, 0x33,
	0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
	0x62, 0x11, 0xfd, 0xcd,
};

static const uint8_t sgdisk_entry[128] = {
	0xc3, 0x51, 0x34, 0x77, 0x40, 0xe6, 0x89, 0x4c,
	0x9a, 0xab, 0xb4, 0xfe, 0x3b, 0x56, 0xa9, 0xc9,
	0x3e, 0x2d, 0x1c, 0x5b, 0x50, 0x4f, 0x61, 0x4a,
	0x8b, 0x72, 0x9c, 0x8d, 0x7e, 0x6f, 0x5a, 0x40,
	0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0x27, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x62, 0x00, 0x6d, 0x00, 0x64, 0x00, 0x75, 0x00,
	0x6d, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_gpt_sgdisk_known_answer(void **state)
{
	struct gpt_part parts[GPT_MAX_PARTS];
	unsigned int count;

	/* the CRC-32 check value of "123456789" (ISO 3309, as UEFI uses) */
	assert_int_equal(gpt_crc32(0, "123456789", 9), 0xcbf43926u);
	memset(hdr, 0, sizeof(hdr));
	memset(ents, 0, sizeof(ents));
	memcpy(hdr, sgdisk_hdr, sizeof(sgdisk_hdr));
	memcpy(ents, sgdisk_entry, sizeof(sgdisk_entry));
	assert_int_equal(gpt_parse(hdr, BS, 1, 16384, ents, sizeof(ents),
				   type_guid, parts, GPT_MAX_PARTS, &count), 0);
	assert_int_equal(count, 1);
	assert_int_equal(parts[0].first_lba, 2048);
	assert_int_equal(parts[0].last_lba, 10239);
	assert_int_equal(parts[0].index, 1);
	assert_int_equal(parts[0].unique_guid[0], 0x3e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_gpt_finds_the_area, setup),
		cmocka_unit_test_setup(test_gpt_crc_checked, setup),
		cmocka_unit_test_setup(test_gpt_usable_range_spares_the_table,
				       setup),
		cmocka_unit_test_setup(test_gpt_entries_placement, setup),
		cmocka_unit_test_setup(test_gpt_partition_bounds, setup),
		cmocka_unit_test_setup(test_gpt_header_needs_its_lba, setup),
		cmocka_unit_test(test_gpt_sgdisk_known_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
