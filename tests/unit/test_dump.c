// SPDX-License-Identifier: GPL-2.0
/*
 * The dump writer end to end on the host: a fake crashed kernel (ELF core
 * header, notes, RAM pages, a bmdump.ko descriptor) and a RAM-backed disk
 * with a GPT and a dump area.  The image written is read back field by
 * field: headers, both bitmaps, descriptors, every page's bytes.
 */
#define _GNU_SOURCE
#include "fakes.h"
#include "ramdisk.h"

#include <stdlib.h>
#include <string.h>

#include "dump_area.h"
#include "bitmap.h"
#include "bmdump/area.h"
#include "bmdump/crc32c.h"
#include "bmdump/desc.h"
#include "bmdump/kdump.h"
#include "dump.h"
#include "elfcore.h"
#include "errors.h"
#include "vmcoreinfo.h"

#define PG		4096ull
#define LOW_START	0x1000ull
#define LOW_END		0xa0000ull
#define BACKUP_PA	0x7000000ull	/* where kexec_load's copy lives */
#define MID_START	0x100000ull
#define MID_END		0x500000ull
#define HIGH_START	0x800000ull
#define HIGH_END	0x900000ull
#define NOTES_PA	0x200000ull	/* inside MID */
#define DESC_PA		0x300000ull	/* inside MID */
#define CHUNK_PA	0x301000ull
#define HDR_PA		0x6000000ull	/* elfcorehdr, in the "crash region" */
#define MAX_PFN		(HIGH_END / PG)
#define TEXT_START	0x180000ull	/* the kernel image, low in MID */
#define TEXT_END	0x1c0000ull

static const uint8_t area_uuid[16] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01 };
static const uint8_t type_guid[16] = BMDUMP_AREA_TYPE_GUID_GPT;

static uint8_t *mid, *high, *backup, *hdrbuf;
static struct core_info ci;
static struct vmcoreinfo vi;
static struct kdump_new_utsname uts;
static struct ramdisk rd;
static struct stub_options opt;

static const char vmcoreinfo_text[] =
	"OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\n"
	"NUMBER(phys_base)=16777216\nKERNELOFFSET=0\n";

static void put(uint8_t *p, const void *v, size_t n)
{
	memcpy(p, v, n);
}

static uint8_t *ram_ptr(uint64_t pa)
{
	if (pa >= LOW_START && pa < LOW_END)
		return backup + (pa - LOW_START);
	if (pa >= MID_START && pa < MID_END)
		return mid + (pa - MID_START);
	if (pa >= HIGH_START && pa < HIGH_END)
		return high + (pa - HIGH_START);
	return NULL;
}

/* Page contents: every third page zero, else its pfn repeated. */
static void fill_pages(void)
{
	uint64_t pfn;

	for (pfn = 0; pfn < MAX_PFN; pfn++) {
		uint8_t *p = ram_ptr(pfn * PG);
		uint64_t i;

		if (!p)
			continue;
		if (pfn % 3 == 0) {
			memset(p, 0, PG);
			continue;
		}
		for (i = 0; i < PG / 8; i++)
			memcpy(p + i * 8, &pfn, 8);
	}
}

static size_t note(uint8_t *p, const char *name, uint32_t type,
		   const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;
	size_t off = 12 + ((namesz + 3) & ~3u);

	put(p, &namesz, 4);
	put(p + 4, &descsz, 4);
	put(p + 8, &type, 4);
	memcpy(p + 12, name, namesz);
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3) & ~3u);
}

static void phdr(uint8_t *ph, uint32_t type, uint64_t off, uint64_t vaddr,
		 uint64_t paddr, uint64_t size)
{
	memset(ph, 0, 56);
	put(ph, &type, 4);
	put(ph + 8, &off, 8);
	put(ph + 16, &vaddr, 8);
	put(ph + 24, &paddr, 8);
	put(ph + 32, &size, 8);
	put(ph + 40, &size, 8);
}

/* Two CPU note buffers, the VMCOREINFO note, three RAM PT_LOADs. */
static void build_core(void)
{
	uint8_t prs[336];
	uint8_t *notes = mid + (NOTES_PA - MID_START);
	size_t n0, n1, nv;
	uint16_t v16;
	uint64_t v64, rip = 0xffffffff81234567ull;
	uint8_t *ph;

	memset(prs, 0, sizeof(prs));
	memcpy(prs + 112 + 16 * 8, &rip, 8);
	n0 = note(notes, "CORE", 1, prs, sizeof(prs));
	rip++;
	memcpy(prs + 112 + 16 * 8, &rip, 8);
	n1 = note(notes + 0x400, "CORE", 1, prs, sizeof(prs));
	nv = note(notes + 0x800, "VMCOREINFO", 0, vmcoreinfo_text,
		  sizeof(vmcoreinfo_text) - 1);

	memset(hdrbuf, 0, 4096);
	memcpy(hdrbuf, "\177ELF\2\1\1", 7);
	v16 = 4;
	put(hdrbuf + 16, &v16, 2);
	v16 = 62;
	put(hdrbuf + 18, &v16, 2);
	v64 = 64;
	put(hdrbuf + 32, &v64, 8);
	v16 = 56;
	put(hdrbuf + 54, &v16, 2);
	v16 = 7;
	put(hdrbuf + 56, &v16, 2);
	ph = hdrbuf + 64;
	phdr(ph, 4, NOTES_PA, 0, 0, n0 + 12);
	phdr(ph + 56, 4, NOTES_PA + 0x400, 0, 0, n1 + 12);
	phdr(ph + 112, 4, NOTES_PA + 0x800, 0, 0, nv);
	phdr(ph + 168, 1, BACKUP_PA, 0xffff888000000000ull + LOW_START,
	     LOW_START, LOW_END - LOW_START);
	phdr(ph + 224, 1, MID_START, 0xffff888000000000ull + MID_START,
	     MID_START, MID_END - MID_START);
	phdr(ph + 280, 1, HIGH_START, 0xffff888000000000ull + HIGH_START,
	     HIGH_START, HIGH_END - HIGH_START);
	/* the kernel image alias, as kexec-tools lists it */
	phdr(ph + 336, 1, TEXT_START, 0xffffffff81000000ull, TEXT_START,
	     TEXT_END - TEXT_START);
	assert_int_equal(elfcore_parse(hdrbuf, HDR_PA, 4096, &ci), 0);
	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_int_equal(ci.nr_cpus, 2);
	assert_int_equal(vmcoreinfo_parse(vmcoreinfo_text,
					  sizeof(vmcoreinfo_text) - 1, &vi), 0);
	memset(&uts, 0, sizeof(uts));
	strcpy(uts.sysname, "Linux");
	strcpy(uts.nodename, "testnode");
	strcpy(uts.release, "6.1.0-test");
	strcpy(uts.machine, "x86_64");
}

/* bmdump.ko's descriptor: keep odd pfns, with level 31. */
static void build_desc(int corrupt)
{
	struct bmdump_desc *d = (struct bmdump_desc *)ram_ptr(DESC_PA);
	uint8_t *bits = ram_ptr(CHUNK_PA);
	uint64_t pfn;

	memset(d, 0, BMDUMP_DESC_SIZE);
	memset(bits, 0, MAX_PFN / 8);
	for (pfn = 0; pfn < MAX_PFN; pfn++)
		if (pfn & 1)
			bits[pfn >> 3] |= 1 << (pfn & 7);
	d->magic = BMDUMP_DESC_MAGIC;
	d->version = BMDUMP_DESC_VERSION;
	d->desc_size = BMDUMP_DESC_SIZE;
	d->state = BMDUMP_DESC_DONE;
	d->dump_level = 31;
	d->max_pfn = MAX_PFN;
	d->nr_chunks = 1;
	d->tsc_khz = 2000000;			/* 2 GHz */
	d->fill_cycles = 2000000ull * 1234;	/* 1234 ms */
	d->chunk[0].phys = CHUNK_PA;
	d->chunk[0].first_pfn = 0;
	d->chunk[0].nr_pfns = MAX_PFN;
	d->bitmap_crc = bmdump_crc32c(0, bits, MAX_PFN / 8);
	d->desc_crc = bmdump_desc_crc(d, BMDUMP_DESC_SIZE);
	if (corrupt)
		bits[5] ^= 0x10;	/* after the CRCs: the bitmap lies */
}

#define PART_FIRST	2048ull	/* 1 MiB, 512-byte blocks */
#define LOG_BYTES	(64ull << 10)

static struct bmdump_area_header *disk_area(void)
{
	return (struct bmdump_area_header *)(rd.data + PART_FIRST * 512);
}

static void make_disk(uint64_t disk_bytes, uint64_t part_blocks,
		      uint32_t state)
{
	struct bmdump_area_header *h;
	uint64_t part_bytes;

	ramdisk_init(&rd, disk_bytes, 512, 128 * 1024);
	ramdisk_gpt(&rd, type_guid, PART_FIRST, PART_FIRST + part_blocks - 1);
	part_bytes = part_blocks * 512;
	h = disk_area();
	h->magic = BMDUMP_AREA_MAGIC;
	h->version = BMDUMP_AREA_VERSION;
	h->header_bytes = BMDUMP_AREA_HDR_SIZE;
	memcpy(h->area_uuid, area_uuid, 16);
	h->state = state;
	h->area_bytes = part_bytes;
	h->log_offset = 4096;
	h->log_bytes = LOG_BYTES;
	h->dump_offset = 4096 + LOG_BYTES;
	h->dump_capacity = (part_bytes - h->dump_offset) & ~4095ull;
	h->crc = bmdump_area_crc(h);
	memset(&opt, 0, sizeof(opt));
	opt.has_area = 1;
	memcpy(opt.area_uuid, area_uuid, 16);
}

static int setup(void **state)
{
	/* page aligned, as physical pages are: they go to the disk as is */
	backup = aligned_alloc(4096, LOW_END);
	mid = aligned_alloc(4096, MID_END - MID_START);
	high = aligned_alloc(4096, HIGH_END - HIGH_START);
	hdrbuf = aligned_alloc(4096, 4096);
	memset(mid, 0, MID_END - MID_START);
	fake_phys_reset();
	/* the low range's bytes live in the backup copy */
	fake_phys_add(BACKUP_PA, backup, LOW_END - LOW_START, FAKE_RAM);
	fake_phys_add(MID_START, mid, MID_END - MID_START, FAKE_RAM);
	fake_phys_add(HIGH_START, high, HIGH_END - HIGH_START, FAKE_RAM);
	fake_phys_add(HDR_PA, hdrbuf, 4096, FAKE_RAM);
	fill_pages();
	build_core();
	fake_log_reset();
	return 0;
}

static int teardown(void **state)
{
	free(backup);
	free(mid);
	free(high);
	free(hdrbuf);
	ramdisk_free(&rd);
	return 0;
}

static int bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

static int in_ram(uint64_t pfn)
{
	uint64_t pa = pfn * PG;

	return (pa >= LOW_START && pa < LOW_END) ||
	       (pa >= MID_START && pa < MID_END) ||
	       (pa >= HIGH_START && pa < HIGH_END);
}

static int page_zero(const uint8_t *p)
{
	uint64_t i;

	for (i = 0; i < PG; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Read the image back as crash/libkdumpfile would, check every page. */
static void verify_image(int hook, int expect_incomplete, uint64_t *cut)
{
	struct bmdump_area_header *h = disk_area();
	const uint8_t *img = (const uint8_t *)h + h->dump_offset;
	const struct disk_dump_header *dh = (const void *)img;
	const struct kdump_sub_header *sh = (const void *)(img + 4096);
	const uint8_t *bm1, *bm2;
	const struct page_desc *pd;
	uint64_t half, pfn, idx = 0;
	int64_t zero_off = 0, data_off = 0;
	uint64_t cut_seen = 0, first_kept_above = 0;

	assert_int_equal(bmdump_area_check(h, 0), 0);
	assert_int_equal(h->state, BMDUMP_AREA_COMPLETE);
	assert_memory_equal(dh->signature, "KDUMP   ", 8);
	assert_int_equal(dh->header_version, 6);
	assert_int_equal(dh->block_size, 4096);
	assert_int_equal(dh->nr_cpus, 2);
	assert_int_equal(dh->timestamp.tv_sec, 1700000000);
	assert_int_equal(dh->timestamp.tv_usec, 0);
	assert_string_equal(dh->utsname.release, "6.1.0-test");
	assert_string_equal(dh->utsname.machine, "x86_64");
	assert_int_equal(!!(dh->status & DUMP_DH_COMPRESSED_INCOMPLETE),
			 expect_incomplete);
	assert_int_equal(!!(h->flags & BMDUMP_AREA_F_INCOMPLETE),
			 expect_incomplete);
	assert_int_equal(!!(h->flags & BMDUMP_AREA_F_BITMAP_HOOK), hook);
	assert_int_equal(h->bitmap_source,
			 hook ? BMDUMP_SOURCE_HOOK : BMDUMP_SOURCE_FULL);
	assert_int_equal(dh->max_mapnr, MAX_PFN);
	assert_int_equal(sh->max_mapnr_64, MAX_PFN);
	assert_int_equal(sh->phys_base, 16777216);
	assert_int_equal(sh->dump_level, hook ? 31 : 1);
	assert_int_equal(sh->offset_note, 4096 + 104);
	/* the VMCOREINFO text is where the sub-header says */
	assert_int_equal(sh->size_vmcoreinfo, sizeof(vmcoreinfo_text) - 1);
	assert_memory_equal(img + sh->offset_vmcoreinfo, vmcoreinfo_text,
			    sh->size_vmcoreinfo);
	assert_int_equal(sh->size_note, ci.notes_bytes);
	/* the stub's log is in the area */
	assert_true(h->log_used > 0);
	assert_non_null(memmem((const uint8_t *)h + h->log_offset, h->log_used,
			       "dump:", 5));

	half = (dh->bitmap_blocks / 2) * 4096ull;
	bm1 = img + (1 + dh->sub_hdr_size) * 4096ull;
	bm2 = bm1 + half;
	pd = (const void *)(bm2 + half);
	for (pfn = 0; pfn < MAX_PFN; pfn++) {
		int kept = in_ram(pfn) && (!hook || (pfn & 1));

		assert_int_equal(bit(bm1, pfn), in_ram(pfn));
		if (expect_incomplete && !bit(bm2, pfn) && kept) {
			/* left out: below the cut, never the kernel image */
			assert_false(pfn >= TEXT_START / PG &&
				     pfn < TEXT_END / PG);
			assert_true(pfn > cut_seen || !cut_seen);
			kept = 0;
			cut_seen = pfn;
			assert_int_equal(first_kept_above, 0);
		}
		if (expect_incomplete && bit(bm2, pfn) && cut_seen &&
		    !first_kept_above &&
		    !(pfn >= TEXT_START / PG && pfn < TEXT_END / PG))
			first_kept_above = pfn;
		if (expect_incomplete && pfn >= TEXT_START / PG &&
		    pfn < TEXT_END / PG)
			assert_int_equal(bit(bm2, pfn), kept);
		if (!expect_incomplete)
			assert_int_equal(bit(bm2, pfn), kept);
		if (!bit(bm2, pfn))
			continue;
		assert_true(kept);
		if (zero_off)
			assert_true(data_off == 0 || data_off > zero_off);
		assert_int_equal(pd[idx].size, 4096);
		assert_int_equal(pd[idx].flags, 0);
		assert_true(pd[idx].offset % 4096 == 0);
		assert_true((uint64_t)pd[idx].offset + 4096 <= h->dump_bytes);
		assert_memory_equal(img + pd[idx].offset, ram_ptr(pfn * PG), PG);
		if (page_zero(ram_ptr(pfn * PG))) {
			/* every zero page shares one block */
			if (!zero_off)
				zero_off = pd[idx].offset;
			assert_int_equal(pd[idx].offset, zero_off);
		} else {
			assert_true(pd[idx].offset > data_off);
			data_off = pd[idx].offset;
		}
		idx++;
	}
	assert_int_equal(idx, h->pages_dumped);
	if (cut)
		*cut = cut_seen;
}

static void test_hook_bitmap_dump(void **state)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_stats st;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };

	build_desc(0);
	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_EMPTY);
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), 0);
	assert_int_equal(sel.source, BMDUMP_SOURCE_HOOK);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &st), 0);
	verify_image(1, 0, NULL);
	assert_int_equal(st.pages_dumped, st.pages_selected);
	assert_true(st.zero_pages > 0);
	assert_int_equal(st.zero_pages + st.data_pages, st.pages_dumped);
	/* one shared zero page: zero pages take no data slot */
	assert_int_equal(disk_area()->dump_bytes, st.image_bytes);
	/* the hook's fill time reaches the area header */
	assert_int_equal(sel.ready_us, 1234000);
	assert_int_equal(disk_area()->bitmap_us, 1234000);
	assert_true(rd.flushes >= 3);
	assert_true(rd.max_pages_seen > 1);	/* batched, zero copy */
}

static void test_corrupt_bitmap_full_dump(void **state)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_stats st;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };

	build_desc(1);
	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_SAVED);
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel),
			 E_DESC_BITMAP_CRC);
	assert_int_equal(sel.source, BMDUMP_SOURCE_FULL);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &st), 0);
	verify_image(0, 0, NULL);
	assert_int_equal(disk_area()->bitmap_error, E_DESC_BITMAP_CRC);
	assert_int_equal(disk_area()->bitmap_us, 0);	/* all RAM */
}

static void test_descriptor_checks(void **state)
{
	struct page_select sel;
	struct bmdump_desc *d = (struct bmdump_desc *)ram_ptr(DESC_PA);

	assert_int_equal(bitmap_select(&ci, 0, 0, &sel), E_DESC_NONE);
	assert_int_equal(bitmap_select(&ci, 1, 0x5000000, &sel), E_DESC_ADDR);
	build_desc(0);
	d->magic = 0;
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), E_DESC_MAGIC);
	build_desc(0);
	d->state = BMDUMP_DESC_FILLING;
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), E_DESC_STATE);
	build_desc(0);
	d->pages_set++;		/* any byte of the descriptor */
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), E_DESC_CRC);
	build_desc(0);
	d->version = 99;
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), E_DESC_VERSION);
	build_desc(0);
	assert_int_equal(bitmap_select(&ci, 1, DESC_PA, &sel), 0);
	assert_int_equal(bitmap_keep(&sel, 3), 1);
	assert_int_equal(bitmap_keep(&sel, 4), 0);
	assert_int_equal(bitmap_keep(&sel, MAX_PFN + 10), 1);
}

static void test_area_refusals_write_nothing(void **state)
{
	struct dump_area a;
	uint8_t *before;

	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_COMPLETE);
	before = malloc(rd.bytes);
	memcpy(before, rd.data, rd.bytes);
	/* an unsaved dump is refused, unless overwrite */
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), E_AREA_UNSAVED);
	/* another area's UUID */
	opt.area_uuid[3] ^= 1;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a),
			 E_AREA_NOT_FOUND);
	/* no bmdump.area= at all */
	opt.has_area = 0;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), E_AREA_NO_UUID);
	assert_int_equal(rd.writes, 0);
	assert_memory_equal(before, rd.data, rd.bytes);
	/* a header with a bad CRC */
	opt.has_area = 1;
	opt.area_uuid[3] ^= 1;
	disk_area()->generation++;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), E_AREA_HEADER);
	/* overwrite=1 takes the unsaved area once the header is sane */
	disk_area()->generation--;
	opt.overwrite = 1;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_true(a.overwrote);
	assert_int_equal(rd.writes, 0);
	free(before);
}

/*
 * A cloned disk: the same area on two disks (and a third disk holding
 * another area).  Every disk is scanned, the clash is logged naming both,
 * and nothing is written to any disk.  With the clone gone, the area is
 * found on whichever disk still holds it.
 */
static void test_duplicate_area_writes_nothing(void **state)
{
	struct ramdisk clone, other;
	struct blkdev devs[3];
	struct dump_area a;

	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_EMPTY);
	ramdisk_init(&other, rd.bytes, 512, 128 * 1024);
	memcpy(other.data, rd.data, rd.bytes);
	strcpy(other.dev.name, "ram1");
	((struct bmdump_area_header *)(other.data + PART_FIRST * 512))
		->area_uuid[0] ^= 1;
	((struct bmdump_area_header *)(other.data + PART_FIRST * 512))->crc =
		bmdump_area_crc((struct bmdump_area_header *)
				(other.data + PART_FIRST * 512));
	ramdisk_init(&clone, rd.bytes, 512, 128 * 1024);
	memcpy(clone.data, rd.data, rd.bytes);
	strcpy(clone.dev.name, "ram2");
	devs[0] = rd.dev;
	devs[1] = other.dev;
	devs[2] = clone.dev;
	assert_int_equal(dump_area_find(devs, 3, &opt, &a), E_AREA_DUPLICATE);
	assert_null(a.dev);
	assert_non_null(strstr(fake_log(), "ram0 partition 1 and ram2 "
				"partition 1 hold the same area"));
	assert_int_equal(rd.writes + other.writes + clone.writes, 0);
	assert_memory_equal(rd.data, clone.data, rd.bytes);
	/* The clone wiped: the area is the one left, wherever it is. */
	memset(rd.data, 0, 2 * 512);
	memset(rd.data + rd.bytes - 512, 0, 512);
	assert_int_equal(dump_area_find(devs, 3, &opt, &a), 0);
	assert_ptr_equal(a.dev, &devs[2]);
	ramdisk_free(&clone);
	ramdisk_free(&other);
}

static void test_no_gpt(void **state)
{
	struct dump_area a;

	ramdisk_init(&rd, 8 << 20, 512, 65536);
	opt.has_area = 1;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a),
			 E_AREA_NOT_FOUND);
	assert_non_null(strstr(fake_log(), "no GPT"));
}

static void test_backup_gpt_used(void **state)
{
	struct dump_area a;

	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_EMPTY);
	memset(rd.data + 512, 0, 512);	/* primary header gone */
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(a.part.first_lba, PART_FIRST);
}

static void test_small_area_incomplete(void **state)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_stats st;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };
	uint64_t cut;

	/* room for the headers and about 200 raw pages */
	make_disk(64ull << 20, (4096 + LOG_BYTES + (24 + 200) * 4096) / 512,
		  BMDUMP_AREA_EMPTY);
	bitmap_select(&ci, 0, 0, &sel);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &st), 0);
	assert_true(st.incomplete);
	assert_true(st.pages_dumped < st.pages_selected);
	verify_image(0, 1, &cut);
	/* pages were left out, from the bottom */
	assert_true(cut > 0);
	assert_true(disk_area()->dump_bytes <= disk_area()->dump_capacity);
	/* exact fit: zero pages are free, so more than 200 pages got in */
	assert_true(st.pages_dumped > 200);
}

/*
 * A fake smp_run() over FAKE_CPUS CPUs: this one first, then the others
 * in reverse order, but FAKE_STOPPED never runs (as a CPU the join stops
 * with INIT): its first piece must be counted again by CPU 0.
 */
#define FAKE_CPUS	4
#define FAKE_STOPPED	2

static unsigned int fake_starts, fake_runs, fake_parks;

static unsigned int fake_start(void)
{
	fake_starts++;
	return FAKE_CPUS;
}

static int fake_run(void (*fn)(unsigned int cpu, void *arg), void *arg,
		    uint64_t wait_ms, uint8_t *done)
{
	unsigned int cpu;

	fake_runs++;
	fn(0, arg);
	done[0] = 1;
	for (cpu = FAKE_CPUS - 1; cpu > 0; cpu--) {
		if (cpu == FAKE_STOPPED)
			continue;
		fn(cpu, arg);
		done[cpu] = 1;
	}
	return E_SMP_JOIN;
}

static uint32_t fake_apic(unsigned int cpu)
{
	return cpu * 2;
}

static void fake_park(void)
{
	fake_parks++;
}

/*
 * A cut dump's zero check spread over CPUs (in->runner): the plan, and so
 * the image, is exactly the serial one's; each CPU's share is logged.
 */
static void test_zero_check_on_cpus(void **state)
{
	static const struct dump_runner runner = {
		fake_start, fake_run, fake_apic, fake_park };
	struct page_select sel;
	struct dump_area a;
	struct dump_stats serial, par;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };
	/* room for about 900 raw pages: the cut falls in the low RAM,
	 * where the stopped CPU's first piece lies */
	uint64_t part = (4096 + LOG_BYTES + (24 + 900) * 4096) / 512;
	uint64_t cut, serial_cut;

	make_disk(64ull << 20, part, BMDUMP_AREA_EMPTY);
	bitmap_select(&ci, 0, 0, &sel);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &serial), 0);
	assert_true(serial.incomplete);
	verify_image(0, 1, &serial_cut);

	ramdisk_free(&rd);
	make_disk(64ull << 20, part, BMDUMP_AREA_EMPTY);
	fake_log_reset();
	in.runner = &runner;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &par), 0);
	assert_int_equal(fake_starts, 2);	/* start() is idempotent */
	/* the image, then waves of 4 pieces from the top to the cut */
	assert_true(fake_runs > 2);
	assert_int_equal(fake_parks, 1);
	assert_true(par.incomplete);
	assert_int_equal(par.cut_pfn, serial.cut_pfn);
	assert_int_equal(par.pages_dumped, serial.pages_dumped);
	assert_int_equal(par.zero_pages, serial.zero_pages);
	assert_int_equal(par.data_pages, serial.data_pages);
	assert_int_equal(par.image_bytes, serial.image_bytes);
	verify_image(0, 1, &cut);
	assert_int_equal(cut, serial_cut);
	/* one line per CPU, as the scan's; the stopped one's redone */
	assert_non_null(strstr(fake_log(), "zero check (cut) share of cpu 3 "
			       "(apic 6): "));
	assert_non_null(strstr(fake_log(), "zero check (cut) share of cpu 2 "
			       "(apic 4): 0 chunks"));
	assert_non_null(strstr(fake_log(), "(stopped, its chunks redone)"));
	assert_non_null(strstr(fake_log(), "zero check (image) share of "
			       "cpu 0 "));

	/* an area big enough: no zero check, the CPUs are not started */
	ramdisk_free(&rd);
	make_disk(64ull << 20, (8ull << 20) / 512, BMDUMP_AREA_EMPTY);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &par), 0);
	assert_false(par.incomplete);
	assert_int_equal(fake_starts, 2);
	assert_int_equal(fake_parks, 2);
}

static void test_area_too_small_for_headers(void **state)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_stats st;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };

	make_disk(64ull << 20, (4096 + LOG_BYTES + 2 * 4096) / 512,
		  BMDUMP_AREA_EMPTY);
	bitmap_select(&ci, 0, 0, &sel);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	assert_int_equal(dump_write(&a, &in, &st), E_AREA_TOO_SMALL);
	assert_int_equal(rd.writes, 0);
	assert_int_equal(disk_area()->state, BMDUMP_AREA_EMPTY);
}

static void test_write_error_leaves_writing(void **state)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_stats st;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };
	int err;

	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_EMPTY);
	bitmap_select(&ci, 0, 0, &sel);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	rd.fail_write_at = 5;
	err = dump_write(&a, &in, &st);
	assert_int_equal(err, E_DUMP_IO);
	dump_emergency_log(err);
	assert_int_equal(bmdump_area_check(disk_area(), 0), 0);
	assert_int_equal(disk_area()->state, BMDUMP_AREA_WRITING);
	assert_int_equal(disk_area()->stub_error, E_DUMP_IO);
	assert_true(disk_area()->log_used > 0);
}

/* Crash 2's page contents: every third page zero, else pfn ^ a tag. */
static void repaint_pages(void)
{
	uint64_t pfn, v, i;

	for (pfn = 0; pfn < MAX_PFN; pfn++) {
		uint8_t *p = ram_ptr(pfn * PG);

		if (!p || pfn % 3 == 0 || pfn == NOTES_PA / PG ||
		    (pfn >= DESC_PA / PG && pfn <= CHUNK_PA / PG))
			continue;	/* the notes and descriptor stay */
		v = pfn ^ 0x2200000000ull;
		for (i = 0; i < PG / 8; i++)
			memcpy(p + i * 8, &v, 8);
	}
}

/*
 * Walks the image as a salvage would: descriptors below the watermark
 * must point at this crash's pages; counts those past it that still show
 * the previous crash's page (what a salvage without the mark would mix in).
 */
static void check_salvage(uint64_t proven, uint64_t *old)
{
	struct bmdump_area_header *h = disk_area();
	const uint8_t *img = (const uint8_t *)h + h->dump_offset;
	const struct disk_dump_header *dh = (const void *)img;
	const uint8_t *bm2;
	const struct page_desc *pd;
	uint64_t half, pfn, idx = 0, v, first;

	half = (dh->bitmap_blocks / 2) * 4096ull;
	bm2 = img + (1 + dh->sub_hdr_size) * 4096ull + half;
	pd = (const void *)(bm2 + half);
	*old = 0;
	for (pfn = 0; pfn < MAX_PFN; pfn++) {
		if (!bit(bm2, pfn))
			continue;
		if (idx < proven) {
			assert_int_equal(pd[idx].size, 4096);
			assert_true((uint64_t)pd[idx].offset + PG <=
				    h->dump_capacity);
			assert_memory_equal(img + pd[idx].offset,
					    ram_ptr(pfn * PG), PG);
		} else if (pfn % 3 && pd[idx].size == 4096 &&
			   (uint64_t)pd[idx].offset + PG <= h->dump_capacity) {
			memcpy(&first, img + pd[idx].offset, 8);
			v = pfn;
			*old += first == v;
		}
		idx++;
	}
	assert_true(idx > proven);
}

/*
 * Crash 1 dumps in full over an empty area; crash 2, with other page
 * contents, dies 3/4 of the way in (its writes counted from crash 1's).
 * Checks what is left is a WRITING area of crash 2; its watermark.
 */
static uint64_t die_three_quarters_in(struct dump_stats *st)
{
	struct page_select sel;
	struct dump_area a;
	struct dump_input in = { &ci, &vi, &uts, &sel, 2, 0, NULL };
	struct bmdump_area_header *h;
	unsigned int full_writes;

	make_disk(64ull << 20, (48ull << 20) / 512, BMDUMP_AREA_EMPTY);
	bitmap_select(&ci, 0, 0, &sel);
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	rd.writes = 0;
	assert_int_equal(dump_write(&a, &in, st), 0);
	full_writes = rd.writes;
	repaint_pages();
	opt.overwrite = 1;
	assert_int_equal(dump_area_find(&rd.dev, 1, &opt, &a), 0);
	rd.writes = 0;
	rd.fail_write_at = full_writes * 3 / 4;
	assert_int_equal(dump_write(&a, &in, st), E_DUMP_IO);
	dump_emergency_log(E_DUMP_IO);
	h = disk_area();
	assert_int_equal(bmdump_area_check(h, 0), 0);
	assert_int_equal(h->state, BMDUMP_AREA_WRITING);
	assert_int_equal(h->generation, 2);
	print_message("salvage: %llu of %llu pages proven of crash 2\n",
		      (unsigned long long)h->descs_written,
		      (unsigned long long)st->pages_selected);
	return h->descs_written;
}

/* Issue 12 item 2: a stub that dies mid-dump over an unsaved dump. */
static void test_salvage_only_this_crash(void **state)
{
	struct dump_stats st;
	uint64_t proven, old;

	dump_progress_descs = 256;
	proven = die_three_quarters_in(&st);
	assert_true(proven > 0 && proven < st.pages_selected);
	check_salvage(proven, &old);
	print_message("salvage: %llu pages past the mark are crash 1's\n",
		      (unsigned long long)old);
	assert_true(old > 0);
}

/*
 * A device that dies before the first full DUMP_PROGRESS_DESCS (32 MiB of
 * pages) still leaves a watermark: the early ones come closer together.
 */
static void test_salvage_before_first_full_mark(void **state)
{
	struct dump_stats st;
	uint64_t proven, old;

	dump_progress_descs = DUMP_PROGRESS_DESCS;
	proven = die_three_quarters_in(&st);
	assert_true(st.pages_selected < DUMP_PROGRESS_DESCS);
	assert_true(proven > 0 && proven < st.pages_selected);
	check_salvage(proven, &old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hook_bitmap_dump, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_bitmap_full_dump,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_checks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_area_refusals_write_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_gpt, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_duplicate_area_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_gpt_used, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_small_area_incomplete,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_check_on_cpus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_area_too_small_for_headers,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error_leaves_writing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_salvage_only_this_crash,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_salvage_before_first_full_mark, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
