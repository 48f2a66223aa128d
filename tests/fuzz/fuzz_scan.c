// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's own page scan (stub/scan.c): the crashed kernel's VMCOREINFO
 * and the memory it points into (page tables, mem_section, struct pages),
 * all untrusted.  Input: a flags byte, the VMCOREINFO length (2 bytes,
 * little endian), the text, then RAM at RAM_PA (zero-padded to whole
 * pages, at most MAX_RAM_PAGES).  Flags bit 0 leaves one page of that RAM
 * (bits 1-4: which) out of the crashed kernel's RAM while still serving
 * it, so a read there would succeed if the scan skipped its range check.
 *
 * Checked: every phys_ram() request lies in the crashed kernel's RAM; bits
 * are set for RAM pfns only and are counted right; the classes add up to
 * max_pfn; a scan that read no section keeps every RAM page.
 */
#include "phys_fake.h"

#include <string.h>

#include "elfcore.h"
#include "errors.h"
#include "scan.h"

#define RAM_PA		0x40000000ull	/* as tests/fuzz/make_corpus.py */
#define MAX_RAM_PAGES	32
#define MAX_PFN		((RAM_PA >> 12) + MAX_RAM_PAGES)
#define SPLIT_RAM	0x01

static struct core_info ci;
static uint64_t bm[(MAX_PFN + 63) / 64];

static int in_ram(uint64_t pa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < ci.nr_ram; i++)
		if (pa >= ci.ram[i].start && pa <= ci.ram[i].end &&
		    len <= ci.ram[i].end - pa)
			return 1;
	return 0;
}

static void check_read(uint64_t pa, uint64_t len)
{
	FZ_CHECK(in_ram(pa, len));
}

static void add_range(uint64_t start, uint64_t end)
{
	if (start >= end)
		return;
	ci.ram[ci.nr_ram].start = start;
	ci.ram[ci.nr_ram].end = end;
	ci.ram[ci.nr_ram].src = start;
	ci.nr_ram++;
}

static void check_result(int err, const struct scan_result *res)
{
	uint64_t pfn, set = 0, sum = 0;
	unsigned int i;

	for (i = 0; i < BMDUMP_NR_CLASSES; i++)
		sum += res->count[i];
	FZ_CHECK(sum == ci.max_pfn);
	for (pfn = 0; pfn < ci.max_pfn; pfn++) {
		int kept = (bm[pfn / 64] >> (pfn % 64)) & 1;
		int ram = in_ram(pfn << 12, 1);

		FZ_CHECK(!kept || ram);
		FZ_CHECK(!(err && ram && !kept));
		set += kept;
	}
	FZ_CHECK(set == res->pages_set);
	FZ_CHECK(err == 0 || err == E_SCAN_SECTIONS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_layout lay;
	struct scan_result res;
	const char *text;
	uint64_t pages, hole;
	size_t tlen;
	uint8_t flags;
	int err;

	if (size < 3)
		return 0;
	flags = data[0];
	tlen = data[1] | (size_t)data[2] << 8;
	if (tlen > size - 3)
		tlen = size - 3;
	text = fz_dup(data + 3, tlen);		/* not NUL-terminated */
	data += 3 + tlen;
	size -= 3 + tlen;
	pages = (size + 4095) / 4096;
	if (pages > MAX_RAM_PAGES) {
		pages = MAX_RAM_PAGES;
		size = pages * 4096;
	}
	if (!pages)
		pages = 1;
	fz_add(RAM_PA, data, size, FZ_RAM);

	memset(&ci, 0, sizeof(ci));
	hole = (flags & SPLIT_RAM) ? (flags >> 1) % pages : pages;
	add_range(RAM_PA, RAM_PA + hole * 4096);
	add_range(RAM_PA + (hole + 1) * 4096, RAM_PA + pages * 4096);
	ci.max_pfn = (RAM_PA >> 12) + pages;

	fz_ram_hook = check_read;
	err = scan_layout_parse(text, tlen, &ci, &lay);
	if (!err) {
		err = scan_classify(&ci, &lay, BMDUMP_DL_MAX, bm, &res);
		check_result(err, &res);
	}
	fz_ram_hook = NULL;
	fz_reset();
	return 0;
}
