/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Contract 3: the kdump-compressed ("diskdump") format, header version 6,
 * as makedumpfile 1.7 writes it and crash, libkdumpfile/drgn and makedumpfile
 * read it.  The stub writes it into the dump area; `bmdump save` copies it
 * (optionally compressing pages) to /var/crash; `bmdump info` reads it.
 *
 * Layout (block = page size):
 *   block 0                      struct disk_dump_header
 *   block 1 .. sub_hdr_blocks    struct kdump_sub_header, then the notes
 *   bitmap_offset                1st bitmap (RAM), 2nd bitmap (dumped)
 *   desc_offset                  struct page_desc[one per 2nd-bitmap bit]
 *   data_offset                  the shared zero page, then page data
 * bmdump aligns data_offset to a block so page data stays LBA aligned;
 * readers follow page_desc.offset and do not care.
 */
#ifndef BMDUMP_KDUMP_H
#define BMDUMP_KDUMP_H

#include "types.h"

#define KDUMP_SIGNATURE		"KDUMP   "
#define KDUMP_SIG_LEN		8
#define KDUMP_HEADER_VERSION	6
#define KDUMP_UTSNAME_LEN	65

/* disk_dump_header.status */
#define DUMP_DH_COMPRESSED_ZLIB		0x1
#define DUMP_DH_COMPRESSED_LZO		0x2
#define DUMP_DH_COMPRESSED_SNAPPY	0x4
#define DUMP_DH_COMPRESSED_INCOMPLETE	0x8
#define DUMP_DH_EXCLUDED_VMEMMAP	0x10
#define DUMP_DH_COMPRESSED_ZSTD		0x20

/* page_desc.flags */
#define DUMP_DH_PAGE_ZLIB	0x1
#define DUMP_DH_PAGE_LZO	0x2
#define DUMP_DH_PAGE_SNAPPY	0x4
#define DUMP_DH_PAGE_ZSTD	0x20

struct kdump_new_utsname {
	char sysname[KDUMP_UTSNAME_LEN];
	char nodename[KDUMP_UTSNAME_LEN];
	char release[KDUMP_UTSNAME_LEN];
	char version[KDUMP_UTSNAME_LEN];
	char machine[KDUMP_UTSNAME_LEN];
	char domainname[KDUMP_UTSNAME_LEN];
};

struct kdump_timeval {
	int64_t tv_sec;
	int64_t tv_usec;	/* keep 0: libkdumpfile probes i386 first */
};

struct disk_dump_header {
	char signature[KDUMP_SIG_LEN];
	int32_t header_version;
	struct kdump_new_utsname utsname;
	char pad[6];
	struct kdump_timeval timestamp;
	uint32_t status;
	int32_t block_size;
	int32_t sub_hdr_size;		/* blocks */
	uint32_t bitmap_blocks;		/* both bitmaps */
	uint32_t max_mapnr;		/* min(max_mapnr, UINT32_MAX) */
	uint32_t total_ram_blocks;
	uint32_t device_blocks;
	uint32_t written_blocks;
	uint32_t current_cpu;
	int32_t nr_cpus;
};

struct kdump_sub_header {
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn;
	uint64_t end_pfn;
	uint64_t offset_vmcoreinfo;
	uint64_t size_vmcoreinfo;
	uint64_t offset_note;
	uint64_t size_note;
	uint64_t offset_eraseinfo;
	uint64_t size_eraseinfo;
	uint64_t start_pfn_64;
	uint64_t end_pfn_64;
	uint64_t max_mapnr_64;
};

struct page_desc {
	int64_t offset;		/* absolute file offset of the data */
	uint32_t size;		/* bytes stored; == block_size when raw */
	uint32_t flags;		/* DUMP_DH_PAGE_*, 0 when raw */
	uint64_t page_flags;	/* 0 */
};

_Static_assert(sizeof(struct kdump_new_utsname) == 390, "utsname");
_Static_assert(offsetof(struct disk_dump_header, timestamp) == 408, "ts");
_Static_assert(offsetof(struct disk_dump_header, status) == 424, "status");
_Static_assert(offsetof(struct disk_dump_header, nr_cpus) == 460, "nr_cpus");
_Static_assert(sizeof(struct disk_dump_header) == 464, "disk_dump_header");
_Static_assert(sizeof(struct kdump_sub_header) == 104, "kdump_sub_header");
_Static_assert(sizeof(struct page_desc) == 24, "page_desc");

/* Where everything lies, derived from four numbers; used by writer and readers. */
struct kdump_layout {
	uint64_t block_size;
	uint64_t max_mapnr;
	uint64_t note_size;
	uint64_t nr_dumpable;		/* 2nd-bitmap bits, incl. zero pages */
	uint64_t sub_hdr_blocks;
	uint64_t bitmap_blocks;		/* both halves */
	uint64_t bitmap_offset;		/* 1st bitmap; 2nd follows */
	uint64_t bitmap_half_bytes;
	uint64_t note_offset;
	uint64_t desc_offset;
	uint64_t zero_page_offset;	/* == data_offset */
	uint64_t data_offset;
	uint64_t total_bytes;		/* if every non-zero page is raw */
};

static inline uint64_t kdump_div_round_up(uint64_t n, uint64_t d)
{
	return (n + d - 1) / d;
}

/*
 * nr_nonzero: pages stored raw after the shared zero page.  Returns 0, or
 * -1 when the numbers cannot describe a file (block size not a power of two
 * in [4096, 262144], overflow).
 */
static inline int kdump_layout_compute(struct kdump_layout *l,
				       uint64_t block_size, uint64_t max_mapnr,
				       uint64_t note_size, uint64_t nr_dumpable,
				       uint64_t nr_nonzero)
{
	uint64_t bs = block_size;

	if (bs < 4096 || bs > 262144 || (bs & (bs - 1)))
		return -1;
	if (max_mapnr > (1ull << 52) || note_size > (1ull << 32) ||
	    nr_dumpable > max_mapnr || nr_nonzero > nr_dumpable)
		return -1;
	l->block_size = bs;
	l->max_mapnr = max_mapnr;
	l->note_size = note_size;
	l->nr_dumpable = nr_dumpable;
	l->sub_hdr_blocks = kdump_div_round_up(
		sizeof(struct kdump_sub_header) + note_size, bs);
	l->bitmap_half_bytes = kdump_div_round_up(
		kdump_div_round_up(max_mapnr, 8), bs) * bs;
	l->bitmap_blocks = 2 * l->bitmap_half_bytes / bs;
	l->note_offset = bs + sizeof(struct kdump_sub_header);
	l->bitmap_offset = (1 + l->sub_hdr_blocks) * bs;
	l->desc_offset = l->bitmap_offset + 2 * l->bitmap_half_bytes;
	l->data_offset = kdump_div_round_up(l->desc_offset +
			 nr_dumpable * sizeof(struct page_desc), bs) * bs;
	l->zero_page_offset = l->data_offset;
	l->total_bytes = l->data_offset + bs + nr_nonzero * bs;
	return 0;
}

#endif /* BMDUMP_KDUMP_H */
