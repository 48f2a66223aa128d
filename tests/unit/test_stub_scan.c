// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's own page scan (stub/scan.c) over a crashed kernel's memory
 * built on the host: page tables, the mem_section root and section arrays
 * and a vmemmap of struct pages, laid out with the offsets, flag numbers
 * and page types of each supported kernel's real VMCOREINFO (captured in
 * the rig, tests/unit/vmcoreinfo/).  Only the boot-dependent keys the
 * capture leaves out (SYMBOL(mem_section), SYMBOL(init_top_pgt),
 * phys_base) are added here, pointing into the image.
 */
#include "fakes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "vmcoreinfo_kernels.h"

#define NR_KERNELS	(sizeof(captured_vmcoreinfo) / \
			 sizeof(captured_vmcoreinfo[0]))
#define F(b)		(1ull << (b))

/* The image: 8 MiB of RAM at physical 0 */
#define RAM_SIZE	(8ull << 20)
#define NR_PFN		(RAM_SIZE >> 12)
#define DMAP		0xffff888000000000ull	/* direct map */
#define VMEMMAP		0xffffea0000000000ull
#define KMAP		0xffffffff80000000ull	/* __START_KERNEL_map */
#define PGT_PA		0x100000ull	/* init_top_pgt */
#define DM_PDPT		0x101000ull
#define VM_PDPT		0x103000ull
#define VM_PD		0x104000ull
#define VM_PT		0x105000ull
#define ROOT_PA		0x110000ull	/* mem_section roots (4096 x 8) */
#define SECT_PA		0x118000ull	/* section array of root 0 */
#define MEMMAP_PA	0x200000ull	/* struct pages, 2 MiB aligned */
#define MEMMAP_FRAMES	32		/* 2048 pfns x 64 bytes */
#define SECTION_OK	0xfull		/* present, mem_map, online, early */
#define PTE		3ull		/* present, writable */
#define PSE		(1ull << 7)
#define NO_TYPE		0xffffffffu

static uint8_t *ram;
static struct core_info ci;
static struct scan_layout lay;
static char vmci[8192];
static size_t vmci_len;
static uint64_t bm[NR_PFN / 64];
static struct scan_result res;
static const char *kernel_text;

static void put64(uint64_t pa, uint64_t v)
{
	memcpy(ram + pa, &v, 8);
}

static uint64_t idx(uint64_t va, unsigned int shift)
{
	return (va >> shift) & 511;
}

static void set_vmci(const char *text, uint64_t mem_section,
		     uint64_t top_pgt)
{
	int n = snprintf(vmci, sizeof(vmci), "%sSYMBOL(mem_section)=%llx\n"
			 "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n",
			 text, (unsigned long long)mem_section,
			 (unsigned long long)top_pgt);

	assert_true(n > 0 && (size_t)n < sizeof(vmci));
	vmci_len = (size_t)n;
}

/* Page tables, mem_section and an all-zero vmemmap; vmemmap in 4 KiB
 * pages, or one 2 MiB page when pmd_leaf. */
static void image(const char *text, int pmd_leaf)
{
	unsigned int i;

	fake_phys_reset();
	memset(ram, 0, RAM_SIZE);
	put64(PGT_PA + idx(DMAP, 39) * 8, DM_PDPT | PTE);
	put64(DM_PDPT, 0 | PSE | PTE);			/* 1 GiB leaf */
	put64(PGT_PA + idx(VMEMMAP, 39) * 8, VM_PDPT | PTE);
	put64(VM_PDPT + idx(VMEMMAP, 30) * 8, VM_PD | PTE);
	if (pmd_leaf) {
		put64(VM_PD + idx(VMEMMAP, 21) * 8, MEMMAP_PA | PSE | PTE);
	} else {
		put64(VM_PD + idx(VMEMMAP, 21) * 8, VM_PT | PTE);
		for (i = 0; i < MEMMAP_FRAMES; i++)
			put64(VM_PT + i * 8, (MEMMAP_PA + i * 4096ull) | PTE);
	}
	put64(ROOT_PA, DMAP + SECT_PA);
	put64(SECT_PA, VMEMMAP | SECTION_OK);
	fake_phys_add(0, ram, RAM_SIZE, FAKE_RAM);

	memset(&ci, 0, sizeof(ci));
	ci.nr_ram = 1;
	ci.ram[0].start = 0;
	ci.ram[0].end = RAM_SIZE;
	ci.ram[0].src = 0;
	ci.max_pfn = NR_PFN;
	kernel_text = text;
	set_vmci(text, DMAP + ROOT_PA, KMAP + PGT_PA);
	assert_int_equal(scan_layout_parse(vmci, vmci_len, &ci, &lay), 0);
}

static uint8_t *spage(uint64_t pfn)
{
	return ram + MEMMAP_PA + pfn * lay.page_size;
}

static void set_page(uint64_t pfn, uint64_t flags, uint64_t mapping,
		     uint32_t mapcount, uint64_t private)
{
	uint8_t *p = spage(pfn);

	memcpy(p + lay.off_flags, &flags, 8);
	memcpy(p + lay.off_mapping, &mapping, 8);
	memcpy(p + lay.off_mapcount, &mapcount, 4);
	memcpy(p + lay.off_private, &private, 8);
}

/* A compound page: head with flags, page[1] with the order, tails. */
static void set_compound(uint64_t pfn, unsigned int order, uint64_t flags,
			 uint64_t mapping, uint32_t mapcount)
{
	uint64_t i, head = (VMEMMAP + pfn * lay.page_size) | 1;

	set_page(pfn, flags | lay.bits.head_mask, mapping, mapcount, 0);
	for (i = 1; i < (1ull << order); i++)
		memcpy(spage(pfn + i) + lay.off_compound_head, &head, 8);
	if (lay.has_order)
		spage(pfn + 1)[lay.off_order] = (uint8_t)order;
	else
		spage(pfn + 1)[lay.off_flags] = (uint8_t)order;
}

static int kept(uint64_t pfn)
{
	return (bm[pfn / 64] >> (pfn % 64)) & 1;
}

static void run(int want)
{
	assert_int_equal(scan_classify(&ci, &lay, BMDUMP_DL_MAX, bm, &res),
			 want);
}

/* Every class of makedumpfile -d 31 on this kernel. */
static void classes(int pmd_leaf)
{
	const struct bmdump_page_bits *b = &lay.bits;
	uint64_t lru = F(b->pg_lru), slab_flags = 0, pfn;
	uint32_t slab_type = NO_TYPE;

	if (b->has_slab_type)
		slab_type = b->slab_mapcount;
	else
		slab_flags = F(b->pg_slab);

	set_page(1024, 0, 0, b->buddy_mapcount, 3);	/* free, order 3 */
	set_page(1040, 0, 0, b->buddy_mapcount, 0);
	set_page(1100, lru, DMAP + 0x5000, NO_TYPE, 0);
	set_page(1101, lru, DMAP + 0x5001, NO_TYPE, 0);	/* anon */
	set_page(1102, lru | F(b->pg_private), DMAP + 0x5000, NO_TYPE, 0);
	set_page(1104, F(b->pg_hwpoison), 0, NO_TYPE, 0);
	set_page(1105, 0, 0, b->offline_mapcount, 0);
	set_compound(1112, 3, slab_flags, DMAP + 0x7001, slab_type);
	set_compound(1120, 3, lru, DMAP + 0x6001, NO_TYPE);	/* anon THP */
	/* a tail whose head pointer is garbage: never followed, kept */
	set_page(1200, 0, 0, NO_TYPE, 0);
	memcpy(spage(1200) + lay.off_compound_head,
	       &(uint64_t){ 0xdead000000000001ull }, 8);
	/* a free order the kernel cannot have: kept, as makedumpfile does */
	set_page(1300, 0, 0, b->buddy_mapcount, b->max_order);

	run(0);
	assert_int_equal(res.sections, 1);
	assert_int_equal(res.count[BMDUMP_CLASS_FREE], 9);
	assert_int_equal(res.count[BMDUMP_CLASS_CACHE], 1);
	assert_int_equal(res.count[BMDUMP_CLASS_CACHE_PRIVATE], 1);
	assert_int_equal(res.count[BMDUMP_CLASS_USER], 9);
	assert_int_equal(res.count[BMDUMP_CLASS_HWPOISON], 1);
	assert_int_equal(res.count[BMDUMP_CLASS_OFFLINE], 1);
	assert_int_equal(res.count[BMDUMP_CLASS_UNKNOWN], 2);
	assert_int_equal(res.count[BMDUMP_CLASS_HOLE], 0);
	assert_int_equal(res.count[BMDUMP_CLASS_KERNEL], NR_PFN - 24);
	assert_int_equal(res.pages_set, NR_PFN - 22);
	for (pfn = 0; pfn < NR_PFN; pfn++) {
		int out = (pfn >= 1024 && pfn < 1032) || pfn == 1040 ||
			  (pfn >= 1100 && pfn <= 1105 && pfn != 1103) ||
			  (pfn >= 1120 && pfn < 1128);

		if (kept(pfn) == out)
			fail_msg("%s pmd_leaf %d: pfn %llu kept %d",
				 kernel_text, pmd_leaf,
				 (unsigned long long)pfn, kept(pfn));
	}
	assert_true(kept(1112) && kept(1119) && kept(1200) && kept(1300));
}

static void test_scan_classes(void **state)
{
	unsigned int i;

	assert_true(NR_KERNELS >= 2);
	for (i = 0; i < NR_KERNELS; i++) {
		image(captured_vmcoreinfo[i].text, 0);
		classes(0);
		image(captured_vmcoreinfo[i].text, 1);
		classes(1);
	}
}

/* Nothing classified: every RAM page kept. */
static void assert_all_kept(void)
{
	uint64_t pfn;

	run(E_SCAN_SECTIONS);
	assert_int_equal(res.sections, 0);
	assert_int_equal(res.count[BMDUMP_CLASS_UNKNOWN], NR_PFN);
	assert_int_equal(res.pages_set, NR_PFN);
	for (pfn = 0; pfn < NR_PFN; pfn++)
		assert_true(kept(pfn));
}

static void free_everywhere(void)
{
	uint64_t pfn;

	for (pfn = 0; pfn < NR_PFN; pfn++)
		set_page(pfn, 0, 0, lay.bits.buddy_mapcount, 0);
}

static void test_scan_bad_mem_section(void **state)
{
	unsigned int i;

	for (i = 0; i < NR_KERNELS; i++) {
		const char *t = captured_vmcoreinfo[i].text;

		/* SYMBOL(mem_section) past the end of RAM (in a mapped 1G) */
		image(t, 0);
		free_everywhere();
		set_vmci(t, DMAP + RAM_SIZE + 0x1000, KMAP + PGT_PA);
		assert_int_equal(scan_layout_parse(vmci, vmci_len, &ci, &lay),
				 0);
		assert_all_kept();
		/* ... at an address the page tables do not map */
		set_vmci(t, 0xffffc90000000000ull, KMAP + PGT_PA);
		assert_int_equal(scan_layout_parse(vmci, vmci_len, &ci, &lay),
				 0);
		assert_all_kept();
		/* a root pointing outside RAM */
		image(t, 0);
		free_everywhere();
		put64(ROOT_PA, DMAP + (64ull << 30));
		assert_all_kept();
		/* a section that is not early (hot-plugged): dumped whole */
		image(t, 0);
		free_everywhere();
		put64(SECT_PA, VMEMMAP | (SECTION_OK & ~8ull));
		assert_all_kept();
		assert_int_equal(res.sections_kept, 1);
	}
}

/*
 * RAM with a hole at [6 MiB, 6.5 MiB): a vmemmap page table entry that
 * points into the hole must not be read, though the bytes there (free
 * pages) are in the test's buffer; nor may a page table page in the hole.
 */
static void test_scan_no_read_outside_ram(void **state)
{
	unsigned int i;
	uint64_t pfn, hole = 0x600000, hole_end = 0x680000;

	for (i = 0; i < NR_KERNELS; i++) {
		image(captured_vmcoreinfo[i].text, 0);
		ci.nr_ram = 2;
		ci.ram[0].end = hole;
		ci.ram[1].start = hole_end;
		ci.ram[1].end = RAM_SIZE;
		ci.ram[1].src = hole_end;
		free_everywhere();
		/* frame 20 holds the struct pages of pfns 1280..1343 */
		memcpy(ram + hole, spage(1280), 4096);
		put64(VM_PT + 20 * 8, hole | PTE);
		run(0);
		for (pfn = 0; pfn < NR_PFN; pfn++) {
			int in_hole = pfn >= hole >> 12 && pfn < hole_end >> 12;
			int want = !in_hole && pfn >= 1280 && pfn < 1344;

			if (kept(pfn) != want)
				fail_msg("pfn %llu kept %d",
					 (unsigned long long)pfn, kept(pfn));
		}
		assert_int_equal(res.count[BMDUMP_CLASS_UNKNOWN], 64);
		assert_int_equal(res.count[BMDUMP_CLASS_HOLE], 128);
		assert_int_equal(res.count[BMDUMP_CLASS_FREE],
				 NR_PFN - 128 - 64);

		/* the vmemmap's page table itself in the hole */
		put64(VM_PD + idx(VMEMMAP, 21) * 8, hole | PTE);
		memcpy(ram + hole, ram + VM_PT, 4096);
		put64(VM_PT + 20 * 8, (MEMMAP_PA + 20 * 4096) | PTE);
		run(0);
		assert_int_equal(res.count[BMDUMP_CLASS_UNKNOWN], NR_PFN - 128);
		assert_int_equal(res.count[BMDUMP_CLASS_FREE], 0);
	}
}

/* A page table entry without its present bit maps nothing, whatever
 * address it holds. */
static void test_scan_not_present(void **state)
{
	unsigned int i;
	uint64_t pfn;

	for (i = 0; i < NR_KERNELS; i++) {
		image(captured_vmcoreinfo[i].text, 0);
		free_everywhere();
		put64(VM_PT + 21 * 8, MEMMAP_PA + 21 * 4096);
		run(0);
		for (pfn = 0; pfn < NR_PFN; pfn++)
			assert_int_equal(kept(pfn), pfn >= 1344 && pfn < 1408);
		/* the same one level up: the whole vmemmap */
		put64(VM_PD + idx(VMEMMAP, 21) * 8, VM_PT);
		run(0);
		assert_int_equal(res.pages_set, NR_PFN);
	}
}

static void parse_error(const char *text, int want)
{
	size_t len = strlen(text);

	assert_int_equal(scan_layout_parse(text, len, &ci, &lay), want);
}

/* text with the line starting with `key` removed */
static const char *without(const char *key)
{
	static char buf[8192];
	const char *p = strstr(vmci, key);
	const char *eol = strchr(p, '\n');

	assert_non_null(p);
	snprintf(buf, sizeof(buf), "%.*s%s", (int)(p - vmci), vmci, eol + 1);
	return buf;
}

static void test_scan_layout_errors(void **state)
{
	static char buf[8192];
	unsigned int i;

	for (i = 0; i < NR_KERNELS; i++) {
		const char *t = captured_vmcoreinfo[i].text;

		image(t, 0);
		parse_error(without("SIZE(page)="), E_SCAN_LAYOUT);
		parse_error(without("OFFSET(page._mapcount)="), E_SCAN_LAYOUT);
		parse_error(without("NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)="),
			    E_SCAN_LAYOUT);
		parse_error(without("SYMBOL(mem_section)="), E_SCAN_LAYOUT);
		parse_error(without("SYMBOL(init_top_pgt)="), E_SCAN_LAYOUT);
		/* an unverified kernel line */
		snprintf(buf, sizeof(buf), "OSRELEASE=6.8.0-1-amd64\n%s",
			 strchr(vmci, '\n') + 1);
		parse_error(buf, E_SCAN_KERNEL);
		/* init_top_pgt outside RAM, or not page aligned */
		set_vmci(t, DMAP + ROOT_PA, KMAP + RAM_SIZE);
		parse_error(vmci, E_SCAN_PGTABLE);
		set_vmci(t, DMAP + ROOT_PA, KMAP + PGT_PA + 8);
		parse_error(vmci, E_SCAN_PGTABLE);
	}
}

/*
 * The scan spread over n CPUs (scan_split(), scan_classify_share()):
 * the union of the shares' bitmaps and the sum of their counts equal one
 * CPU's scan, pfn for pfn, for every n; a compound page crossing a share
 * boundary is decided once, by its head's share (the shares cut at 512
 * for n = 3, 5, 6: inside it).  Sections are shrunk
 * to 512 pfns (and free blocks below 2^9) so 8 MiB holds four shares.
 */
#define SPLIT_SHIFT	9
#define SPLIT_MAX	6

static uint64_t bm1[NR_PFN / 64];

static void split_image(const char *text)
{
	const struct bmdump_page_bits *b;
	uint64_t i;

	image(text, 0);
	lay.pfn_section_shift = SPLIT_SHIFT;
	lay.bits.max_order = SPLIT_SHIFT;
	for (i = 0; i < NR_PFN >> SPLIT_SHIFT; i++)
		put64(SECT_PA + i * lay.section_size + lay.off_section_map,
		      VMEMMAP | SECTION_OK);
	/* a hole: pfns 640-767 are not RAM */
	ci.nr_ram = 2;
	ci.ram[0].end = 640ull << 12;
	ci.ram[1].start = 768ull << 12;
	ci.ram[1].end = RAM_SIZE;
	ci.ram[1].src = ci.ram[1].start;
	b = &lay.bits;
	/* an anon page of order 10 across the boundary at 512 and the hole */
	set_compound(0, 10, F(b->pg_lru), DMAP + 0x6001, NO_TYPE);
	set_page(1104, 0, 0, b->buddy_mapcount, 3);	/* free, order 3 */
	set_page(1100, F(b->pg_lru), DMAP + 0x5000, NO_TYPE, 0);
	/* a tail on a boundary whose head is elsewhere: kept, once */
	set_page(1536, 0, 0, NO_TYPE, 0);
	memcpy(spage(1536) + lay.off_compound_head,
	       &(uint64_t){ (VMEMMAP + 4 * lay.page_size) | 1 }, 8);
	set_page(2047, F(b->pg_lru), DMAP + 0x5001, NO_TYPE, 0);
}

static void split_run(unsigned int n, struct scan_result *sum)
{
	uint64_t bounds[SPLIT_MAX + 1];
	struct scan_result r;
	unsigned int i;

	assert_int_equal(scan_split(&ci, &lay, n, bounds), n);
	assert_int_equal(bounds[0], 0);
	assert_int_equal(bounds[n], NR_PFN);
	*sum = (struct scan_result){ 0 };
	scan_clear(&ci, bm);
	/* last to first: no share may rely on the one before it running */
	for (i = n; i-- > 0;) {
		assert_true(bounds[i] <= bounds[i + 1]);
		assert_int_equal(bounds[i] % (1u << SPLIT_SHIFT), 0);
		assert_int_equal(scan_classify_share(&ci, &lay, BMDUMP_DL_MAX,
						     bm, bounds[i],
						     bounds[i + 1], &r), 0);
		scan_result_add(sum, &r);
	}
	sum->count[BMDUMP_CLASS_HOLE] += scan_holes(&ci);
}

static void test_scan_split_equal(void **state)
{
	struct scan_result sum;
	uint64_t bounds[SPLIT_MAX + 1];
	unsigned int k, n, c;

	for (k = 0; k < NR_KERNELS; k++) {
		split_image(captured_vmcoreinfo[k].text);
		run(0);
		memcpy(bm1, bm, sizeof(bm));
		assert_int_equal(res.count[BMDUMP_CLASS_HOLE], 128);
		assert_int_equal(res.count[BMDUMP_CLASS_USER], 897);
		assert_int_equal(res.count[BMDUMP_CLASS_UNKNOWN], 1);
		assert_int_equal(res.count[BMDUMP_CLASS_FREE], 8);
		for (n = 1; n <= SPLIT_MAX; n++) {
			split_run(n, &sum);
			if (memcmp(bm, bm1, sizeof(bm)))
				fail_msg("%s: %u shares: bitmap differs",
					 kernel_text, n);
			for (c = 0; c < BMDUMP_NR_CLASSES; c++)
				assert_int_equal(sum.count[c], res.count[c]);
			assert_int_equal(sum.pages_set, res.pages_set);
		}
		/* 4 shares of about equal RAM: 1920 RAM pfns, 512 apart */
		scan_split(&ci, &lay, 4, bounds);
		assert_int_equal(bounds[1], 0);
		assert_int_equal(bounds[2], 1024);
		assert_int_equal(bounds[3], 1536);
	}
}

/*
 * Poisoned struct pages, every one a tail: each share boundary moves over
 * at most tail_run_max of them, and no pfn is lost or counted twice.
 */
static void test_scan_split_tail_run_bounded(void **state)
{
	struct scan_result r, sum = { 0 };
	uint64_t i, bounds[] = { 0, 512, 1024, NR_PFN }, total;
	unsigned int c;

	split_image(captured_vmcoreinfo[0].text);
	for (i = 1; i < NR_PFN; i++)
		memcpy(spage(i) + lay.off_compound_head,
		       &(uint64_t){ (VMEMMAP + 4 * lay.page_size) | 1 }, 8);
	lay.tail_run_max = 100;
	scan_clear(&ci, bm);
	for (i = 0; i < 3; i++) {
		assert_int_equal(scan_classify_share(&ci, &lay, BMDUMP_DL_MAX,
						     bm, bounds[i],
						     bounds[i + 1], &r), 0);
		scan_result_add(&sum, &r);
		for (total = 0, c = 0; c < BMDUMP_NR_CLASSES; c++)
			total += r.count[c];
		/* [0, 612), [612, 1124), [1124, 2048); 640-767 a hole */
		if (i == 1)
			assert_int_equal(total, 512 - 128);
	}
	for (total = 0, c = 0; c < BMDUMP_NR_CLASSES; c++)
		total += sum.count[c];
	assert_int_equal(total, NR_PFN - 128);
}

static int setup(void **state)
{
	ram = aligned_alloc(4096, RAM_SIZE);
	return ram ? 0 : -1;
}

static int teardown(void **state)
{
	fake_phys_reset();
	free(ram);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_classes),
		cmocka_unit_test(test_scan_bad_mem_section),
		cmocka_unit_test(test_scan_no_read_outside_ram),
		cmocka_unit_test(test_scan_not_present),
		cmocka_unit_test(test_scan_layout_errors),
		cmocka_unit_test(test_scan_split_equal),
		cmocka_unit_test(test_scan_split_tail_run_bounded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
