// SPDX-License-Identifier: GPL-2.0
/*
 * boot_params as kexec_load and kexec_file_load fill them: the HdrS check,
 * e820 (sorted and unsorted), SETUP_E820_EXT through setup_data, EFI
 * (efi_info, SETUP_EFI), the command line.  Every buffer ends where its
 * allocation ends (ASan).
 */
#include "fakes.h"
#include "testbuf.h"

#include <string.h>

#include "bootparams.h"
#include "errors.h"

/* Where kexec_load put them in the rig. */
#define BP_PA		0x3ef52000ull
#define CMDLINE_PA	0x3ef53000ull
#define SETUP_PA	0x33001000ull

static const char kexec_load_cmdline[] =
	"console=ttyS0 bmdump.area=773451c3-e640-4c89-9aab-b4fe3b56a9c9 "
	"acpi_rsdp=0xf59d0 elfcorehdr=1031540K";

static uint8_t *new_bp(void)
{
	uint8_t *bp = tb_alloc(BOOT_PARAMS_SIZE);

	memcpy(bp + BZ_HEADER, "HdrS", 4);
	tb_put16(bp + BZ_VERSION, 0x020f);
	bp[BZ_TYPE_OF_LOADER] = 0xd0;
	return bp;
}

static void put_e820(uint8_t *ent, uint64_t addr, uint64_t size, uint32_t type)
{
	tb_put64(ent, addr);
	tb_put64(ent + 8, size);
	tb_put32(ent + 16, type);
}

static void bp_e820(uint8_t *bp, unsigned int i, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	put_e820(bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE, addr, size, type);
}

/*
 * Serve the command line at pa from a buffer running to the end of its
 * page, as the loader's parameter block does.
 */
static void serve_cmdline(uint8_t *bp, uint64_t pa, const char *s)
{
	size_t room = 4096 - (pa & 4095);
	char *buf = tb_alloc(room);

	assert_true(strlen(s) < room);
	memcpy(buf, s, strlen(s) + 1);
	fake_phys_add(pa, buf, room, FAKE_RAM);
	tb_put32(bp + BZ_CMD_LINE_PTR, (uint32_t)pa);
	tb_put32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(pa >> 32));
}

/* The 9-entry, sorted table kexec_load gave a 1 GiB OVMF guest. */
static void kexec_load_e820(uint8_t *bp)
{
	bp_e820(bp, 0, 0x0, 0x1000, E820_RESERVED);
	bp_e820(bp, 1, 0x1000, 0x9ec00, E820_RAM);
	bp_e820(bp, 2, 0x9fc00, 0x400, E820_RESERVED);
	bp_e820(bp, 3, 0xf0000, 0x10000, E820_RESERVED);
	bp_e820(bp, 4, 0x33000000, 0xbf5d000, E820_RAM);
	bp_e820(bp, 5, 0x3efffc00, 0x400, E820_RAM);
	bp_e820(bp, 6, 0x3ffe0000, 0x20000, E820_RESERVED);
	bp_e820(bp, 7, 0xfffc0000, 0x40000, E820_RESERVED);
	bp_e820(bp, 8, 0xfd00000000ull, 0x300000000ull, E820_RESERVED);
	bp[BP_E820_ENTRIES] = 9;
}

static int teardown(void **state)
{
	fake_phys_reset();
	tb_free_all();
	return 0;
}

static void assert_sorted(const struct boot_info *bi)
{
	unsigned int i;

	for (i = 1; i < bi->nr_e820; i++)
		assert_true(bi->e820[i - 1].addr <= bi->e820[i].addr);
}

static void test_kexec_load_params(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	kexec_load_e820(bp);
	tb_put64(bp + BP_ACPI_RSDP_ADDR, 0xf59d0);
	tb_put32(bp + BP_EFI_LOADER_SIG, 0x34364c45);	/* "EL64" */
	tb_put32(bp + BP_EFI_SYSTAB, 0x3f8ee018);
	tb_put32(bp + BP_EFI_SYSTAB_HI, 0x1);
	serve_cmdline(bp, CMDLINE_PA, kexec_load_cmdline);

	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.bp_addr, BP_PA);
	assert_int_equal(bi.protocol, 0x020f);
	assert_int_equal(bi.type_of_loader, 0xd0);
	assert_int_equal(bi.acpi_rsdp, 0xf59d0);
	assert_int_equal(bi.efi_loader_sig, 0x34364c45);
	assert_int_equal(bi.efi_systab, 0x13f8ee018ull);
	assert_int_equal(bi.nr_e820, 9);
	assert_sorted(&bi);
	assert_int_equal(bi.e820[4].addr, 0x33000000);
	assert_int_equal(bi.e820[4].size, 0xbf5d000);
	assert_int_equal(bi.e820[4].type, E820_RAM);
	assert_int_equal(bi.e820[8].addr, 0xfd00000000ull);
	assert_int_equal(bi.cmdline_addr, CMDLINE_PA);
	assert_int_equal(bi.cmdline_len, strlen(kexec_load_cmdline));
	assert_string_equal(bi.cmdline, kexec_load_cmdline);
	assert_int_equal(bi.nr_setup_data, 0);
}

/* kexec_file_load: the table is not sorted; we must sort it. */
static void test_kexec_file_unsorted_e820(void **state)
{
	static const struct e820_entry in[] = {
		{ 0x1000, 0x9ec00, E820_RAM },
		{ 0x0, 0x1000, E820_RESERVED },
		{ 0x9fc00, 0x400, E820_RESERVED },
		{ 0xf0000, 0x10000, E820_RESERVED },
		{ 0x3ffe0000, 0x20000, E820_RESERVED },
		{ 0xfffc0000, 0x40000, E820_RESERVED },
		{ 0xfd00000000ull, 0x300000000ull, E820_RESERVED },
		{ 0x33001000, 0xbfff000, E820_RAM },
	};
	uint8_t *bp = new_bp();
	struct boot_info bi;
	unsigned int i, j, seen[8] = { 0 };

	for (i = 0; i < 8; i++)
		bp_e820(bp, i, in[i].addr, in[i].size, in[i].type);
	bp[BP_E820_ENTRIES] = 8;
	serve_cmdline(bp, 0x3eff9000, "elfcorehdr=0x33000000 console=ttyS0");

	assert_int_equal(bootparams_parse(bp, 0x3eff8000, &bi), 0);
	assert_int_equal(bi.nr_e820, 8);
	assert_sorted(&bi);
	/* A permutation of the input: nothing lost, nothing invented. */
	for (i = 0; i < 8; i++) {
		for (j = 0; j < 8; j++)
			if (!seen[j] && bi.e820[i].addr == in[j].addr &&
			    bi.e820[i].size == in[j].size &&
			    bi.e820[i].type == in[j].type)
				break;
		assert_true(j < 8);
		seen[j] = 1;
	}
	assert_int_equal(bi.e820[0].addr, 0);
	assert_int_equal(bi.e820[5].addr, 0x3ffe0000);
	assert_int_equal(bi.e820[4].addr, 0x33001000);
	assert_string_equal(bi.cmdline, "elfcorehdr=0x33000000 console=ttyS0");
}

static void test_e820_reverse_order_128(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;
	unsigned int i;

	for (i = 0; i < BP_E820_MAX; i++)
		bp_e820(bp, i, (uint64_t)(BP_E820_MAX - i) << 20, 0x1000,
			i & 1 ? E820_RAM : E820_RESERVED);
	bp[BP_E820_ENTRIES] = BP_E820_MAX;
	serve_cmdline(bp, CMDLINE_PA, "");
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.nr_e820, BP_E820_MAX);
	for (i = 0; i < BP_E820_MAX; i++)
		assert_int_equal(bi.e820[i].addr, (uint64_t)(i + 1) << 20);
	assert_int_equal(bi.cmdline_len, 0);
	assert_string_equal(bi.cmdline, "");
}

static void test_e820_empty_and_wrapping_ignored(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	bp_e820(bp, 0, 0x100000, 0, E820_RAM);		/* empty */
	bp_e820(bp, 1, 0xfffffffffffff000ull, 0x2000, E820_RAM); /* wraps */
	bp_e820(bp, 2, 0x33000000, 0x1000000, E820_RAM);
	bp_e820(bp, 3, 1, UINT64_MAX, E820_RESERVED);		/* wraps */
	bp_e820(bp, 4, 0xfffffffffffff000ull, 0x1000, E820_RESERVED);
	bp[BP_E820_ENTRIES] = 5;
	serve_cmdline(bp, CMDLINE_PA, "x");
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	/* Ending exactly at 2^64 counts as wrapping: its end is not a u64. */
	assert_int_equal(bi.nr_e820, 1);
	assert_int_equal(bi.e820[0].addr, 0x33000000);
	assert_int_equal(bi.e820[0].size, 0x1000000);
}

static void test_e820_count_over_128_rejected(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	kexec_load_e820(bp);
	serve_cmdline(bp, CMDLINE_PA, "x");
	bp[BP_E820_ENTRIES] = 129;
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_E820_COUNT);
	bp[BP_E820_ENTRIES] = 255;
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_E820_COUNT);
}

static void test_e820_without_ram(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	serve_cmdline(bp, CMDLINE_PA, "x");
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_E820_EMPTY);
	bp_e820(bp, 0, 0, 0x1000, E820_RESERVED);
	/* Empty: does not count. */
	bp_e820(bp, 1, 0x100000, 0, E820_RAM);
	bp[BP_E820_ENTRIES] = 2;
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_E820_EMPTY);
}

static void test_hdrs_check(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	kexec_load_e820(bp);
	serve_cmdline(bp, CMDLINE_PA, "x");
	assert_int_equal(bootparams_parse(NULL, BP_PA, &bi), E_BP_NULL);
	memcpy(bp + BZ_HEADER, "HdrT", 4);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_MAGIC);
	memset(bp + BZ_HEADER, 0, 4);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_MAGIC);
	memcpy(bp + BZ_HEADER, "HdrS", 4);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
}

/* A setup_data node: {u64 next, u32 type, u32 len, data}. */
static uint8_t *setup_node(uint64_t pa, uint64_t next, uint32_t type,
			   uint32_t len, size_t room)
{
	uint8_t *n = tb_alloc(room);

	assert_true(room >= 16);
	tb_put64(n, next);
	tb_put32(n + 8, type);
	tb_put32(n + 12, len);
	fake_phys_add(pa, n, room, FAKE_RAM);
	return n;
}

static void test_setup_data_e820_ext(void **state)
{
	uint8_t *bp = new_bp(), *ext;
	struct boot_info bi;
	unsigned int i, ram = 0;

	/* 128 in boot_params, 40 more (unsorted) in SETUP_E820_EXT. */
	for (i = 0; i < BP_E820_MAX; i++)
		bp_e820(bp, i, (uint64_t)i << 32, 0x10000000, E820_RESERVED);
	bp[BP_E820_ENTRIES] = BP_E820_MAX;
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	/* An RNG seed node first, as kexec-tools adds one. */
	setup_node(SETUP_PA, SETUP_PA + 0x1000, 9, 32, 16 + 32);
	ext = setup_node(SETUP_PA + 0x1000, 0, SETUP_E820_EXT,
			 40 * BP_E820_ENTRY_SIZE, 16 + 40 * BP_E820_ENTRY_SIZE);
	for (i = 0; i < 40; i++)
		put_e820(ext + 16 + i * BP_E820_ENTRY_SIZE,
			 ((uint64_t)(39 - i) << 32) + 0x20000000, 0x1000,
			 E820_RAM);
	serve_cmdline(bp, CMDLINE_PA, kexec_load_cmdline);

	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.nr_e820, BP_E820_MAX + 40);
	assert_sorted(&bi);
	for (i = 0; i < bi.nr_e820; i++)
		ram += bi.e820[i].type == E820_RAM;
	assert_int_equal(ram, 40);
	assert_int_equal(bi.e820[1].addr, 0x20000000);
	assert_int_equal(bi.e820[1].type, E820_RAM);
	/* Both nodes recorded, so the allocator keeps its hands off them. */
	assert_int_equal(bi.nr_setup_data, 2);
	assert_int_equal(bi.setup_data[0].addr, SETUP_PA);
	assert_int_equal(bi.setup_data[0].len, 16 + 32);
	assert_int_equal(bi.setup_data[1].addr, SETUP_PA + 0x1000);
	assert_int_equal(bi.setup_data[1].len, 16 + 40 * BP_E820_ENTRY_SIZE);
}

static void test_setup_data_e820_ext_overflow(void **state)
{
	uint8_t *bp = new_bp(), *ext;
	struct boot_info bi;
	unsigned int i, n = E820_MAX - BP_E820_MAX + 1;

	for (i = 0; i < BP_E820_MAX; i++)
		bp_e820(bp, i, (uint64_t)i << 32, 0x1000, E820_RAM);
	bp[BP_E820_ENTRIES] = BP_E820_MAX;
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	ext = setup_node(SETUP_PA, 0, SETUP_E820_EXT, n * BP_E820_ENTRY_SIZE,
			 16 + n * BP_E820_ENTRY_SIZE);
	for (i = 0; i < n; i++)
		put_e820(ext + 16 + i * BP_E820_ENTRY_SIZE,
			 ((uint64_t)i << 32) + 0x10000, 0x1000, E820_RAM);
	serve_cmdline(bp, CMDLINE_PA, "x");
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_E820_FULL);
	/* One fewer fits exactly. */
	tb_put32(ext + 12, (n - 1) * BP_E820_ENTRY_SIZE);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.nr_e820, E820_MAX);
}

static void test_setup_data_loops(void **state)
{
	uint8_t *bp = new_bp(), *a;
	struct boot_info bi;

	kexec_load_e820(bp);
	serve_cmdline(bp, CMDLINE_PA, "x");
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	/* A node pointing at itself. */
	a = setup_node(SETUP_PA, SETUP_PA, 9, 0, 16);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* A two-node cycle through an E820_EXT node. */
	setup_node(SETUP_PA + 0x100, SETUP_PA, SETUP_E820_EXT,
		   BP_E820_ENTRY_SIZE, 16 + BP_E820_ENTRY_SIZE);
	tb_put64(a, SETUP_PA + 0x100);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* The cycle broken: one node. */
	tb_put64(a, 0);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.nr_setup_data, 1);
}

static void test_setup_data_long_chain(void **state)
{
	unsigned int i, n = SETUP_DATA_MAX_NODES;
	uint8_t *bp = new_bp(), *nodes = tb_alloc((n + 1) * 16);
	struct boot_info bi;

	kexec_load_e820(bp);
	serve_cmdline(bp, CMDLINE_PA, "x");
	fake_phys_add(SETUP_PA, nodes, (n + 1) * 16, FAKE_RAM);
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	for (i = 0; i < n; i++) {
		tb_put64(nodes + i * 16, SETUP_PA + (i + 1) * 16);
		tb_put32(nodes + i * 16 + 8, 9);
	}
	tb_put64(nodes + (n - 1) * 16, 0);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.nr_setup_data, n);
	assert_int_equal(bi.setup_data[n - 1].addr, SETUP_PA + (n - 1) * 16);
	/* One more node than we keep track of: refused, not overrun. */
	tb_put64(nodes + (n - 1) * 16, SETUP_PA + n * 16);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
}

static void test_setup_data_outside_memory(void **state)
{
	uint8_t *bp = new_bp(), *n;
	struct boot_info bi;

	kexec_load_e820(bp);
	serve_cmdline(bp, CMDLINE_PA, "x");
	/* Nothing at all there. */
	tb_put64(bp + BZ_SETUP_DATA, 0xdead0000);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* Near the top of the address space: pa + 16 wraps. */
	tb_put64(bp + BZ_SETUP_DATA, 0xfffffffffffffff8ull);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* A header cut short by the end of memory. */
	n = tb_alloc(12);
	fake_phys_add(SETUP_PA, n, 12, FAKE_RAM);
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	fake_phys_reset();
	serve_cmdline(bp, CMDLINE_PA, "x");
	/* An E820_EXT payload longer than the memory behind it. */
	setup_node(SETUP_PA, 0, SETUP_E820_EXT, 2 * BP_E820_ENTRY_SIZE,
		   16 + BP_E820_ENTRY_SIZE);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* Payload length not a whole number of entries. */
	fake_phys_reset();
	serve_cmdline(bp, CMDLINE_PA, "x");
	setup_node(SETUP_PA, 0, SETUP_E820_EXT, BP_E820_ENTRY_SIZE + 1,
		   16 + BP_E820_ENTRY_SIZE + 1);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_SETUP_DATA);
	/* Huge length on a node that is not E820_EXT: recorded, not read. */
	fake_phys_reset();
	serve_cmdline(bp, CMDLINE_PA, "x");
	setup_node(SETUP_PA, 0, 4, 0xffffffffu, 16);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.setup_data[0].len, 16 + 0xffffffffull);
}

static void test_cmdline_across_page_boundary(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;
	const char *s = kexec_load_cmdline;
	size_t len = strlen(s), first = 21;
	uint64_t pa = CMDLINE_PA + 4096 - first;
	char *a = tb_alloc(first), *b = tb_alloc(4096);

	/* Two pages from two unrelated host buffers: read page by page. */
	memcpy(a, s, first);
	memcpy(b, s + first, len - first + 1);
	fake_phys_add(pa, a, first, FAKE_RAM);
	fake_phys_add(CMDLINE_PA + 4096, b, 4096, FAKE_RAM);
	kexec_load_e820(bp);
	tb_put32(bp + BZ_CMD_LINE_PTR, (uint32_t)pa);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_string_equal(bi.cmdline, s);
	assert_int_equal(bi.cmdline_len, len);
	assert_int_equal(bi.cmdline_addr, pa);

	/* NUL as the very last byte of the first page. */
	memcpy(a, "abcdefghijklmnopqrst", first);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_string_equal(bi.cmdline, "abcdefghijklmnopqrst");

	/* The second page is not there: a clean error, not a read. */
	memset(a, 'x', first);
	fake_phys_reset();
	fake_phys_add(pa, a, first, FAKE_RAM);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_CMDLINE_NULL);
}

static void test_cmdline_missing(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;

	kexec_load_e820(bp);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_CMDLINE_NULL);
	tb_put32(bp + BZ_CMD_LINE_PTR, 0x12345000);	/* unmapped */
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_CMDLINE_NULL);
	/* ext_cmd_line_ptr supplies bits 63:32. */
	serve_cmdline(bp, 0x1bef53000ull, "high=1");
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_string_equal(bi.cmdline, "high=1");
	assert_int_equal(bi.cmdline_addr, 0x1bef53000ull);
	tb_put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_BP_CMDLINE_NULL);
}

static void test_cmdline_too_long(void **state)
{
	uint8_t *bp = new_bp();
	struct boot_info bi;
	char *p1 = tb_alloc(4096), *p2 = tb_alloc(4096);

	kexec_load_e820(bp);
	/* CMDLINE_MAX bytes with no NUL, the NUL one byte later. */
	memset(p1, 'a', 4096);
	memset(p2, 'b', 4096);
	p2[0] = 0;
	fake_phys_add(CMDLINE_PA, p1, 4096, FAKE_RAM);
	fake_phys_add(CMDLINE_PA + 4096, p2, 4096, FAKE_RAM);
	tb_put32(bp + BZ_CMD_LINE_PTR, (uint32_t)CMDLINE_PA);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_CMD_TOO_LONG);
	/* One shorter fits, and the copy is terminated. */
	p1[4095] = 0;
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.cmdline_len, 4095);
	assert_int_equal(bi.cmdline[4095], 0);
	/* Unaligned start: the limit holds across the page boundary. */
	p1[4095] = 'a';
	memset(p2, 'b', 4096);
	tb_put32(bp + BZ_CMD_LINE_PTR, (uint32_t)CMDLINE_PA + 100);
	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), E_CMD_TOO_LONG);
}

/*
 * The page the other CPUs start in (stub/smp.c): the highest whole
 * 4 KiB page of RAM below 640 KiB, never page 0, never reserved memory.
 */
static void test_e820_low_page(void **state)
{
	struct e820_entry q35[] = {
		{ 0, 0x9fc00, E820_RAM },		/* EBDA above */
		{ 0x9fc00, 0x400, E820_RESERVED },
		{ 0xf0000, 0x10000, E820_RESERVED },
		{ 0x100000, 0x7ff00000, E820_RAM },
	};
	struct e820_entry odd[] = {
		{ 0x500, 0xc00, E820_RAM },		/* no whole page >= 4K */
		{ 0x8000, 0x1800, E820_RESERVED },
		{ 0x10800, 0x2000, E820_RAM },		/* one whole: 0x11000 */
		{ 0x9f000, 0x2000, E820_RESERVED },
	};
	struct e820_entry none[] = {
		{ 0, 0x1000, E820_RAM },		/* page 0 only */
		{ 0xa0000, 0x60000, E820_RAM },		/* above 640 KiB */
		{ ~0ull - 0xfff, 0x2000, E820_RAM },	/* wraps */
	};

	assert_int_equal(e820_low_page(q35, 4), 0x9e000);
	assert_int_equal(e820_low_page(odd, 4), 0x11000);
	assert_int_equal(e820_low_page(odd, 1), 0);
	assert_int_equal(e820_low_page(none, 3), 0);
	assert_int_equal(e820_low_page(NULL, 0), 0);
}

/*
 * EFI as kexec_load passes it: efi_info (bootparam.h's layout: the
 * system table's high half at +0x18, after the memory map's size) and
 * the crashed kernel's runtime addresses in setup_data SETUP_EFI.
 */
static void test_efi_info_and_setup_efi(void **state)
{
	struct bp_efi_info ei = {
		.loader_signature = EFI_LOADER_SIG_64,
		.systab = 0x3f8ee018, .systab_hi = 0x1,
		.memdesc_size = 48, .memdesc_version = 1,
		.memmap = 0x33002000, .memmap_size = 0x2d0,
	};
	uint8_t *bp = new_bp();
	struct boot_info bi;

	kexec_load_e820(bp);
	memcpy(bp + BP_EFI_INFO, &ei, sizeof(ei));
	bp[BP_SECURE_BOOT] = 3;
	tb_put64(bp + BZ_SETUP_DATA, SETUP_PA);
	setup_node(SETUP_PA, SETUP_PA + 0x1000, 9, 32, 16 + 32);
	setup_node(SETUP_PA + 0x1000, 0, SETUP_EFI,
		   sizeof(struct efi_setup_data),
		   16 + sizeof(struct efi_setup_data));
	serve_cmdline(bp, CMDLINE_PA, kexec_load_cmdline);

	assert_int_equal(bootparams_parse(bp, BP_PA, &bi), 0);
	assert_int_equal(bi.efi_systab, 0x13f8ee018ull);
	assert_memory_equal(&bi.efi, &ei, sizeof(ei));
	assert_int_equal(bi.secure_boot, 3);
	assert_int_equal(bi.efi_setup, SETUP_PA + 0x1000 + 16);
	assert_int_equal(bi.efi_setup_len, sizeof(struct efi_setup_data));
	assert_int_equal(bi.nr_setup_data, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kexec_load_params, teardown),
		cmocka_unit_test_teardown(test_kexec_file_unsorted_e820,
					  teardown),
		cmocka_unit_test_teardown(test_e820_reverse_order_128,
					  teardown),
		cmocka_unit_test_teardown(test_e820_empty_and_wrapping_ignored,
					  teardown),
		cmocka_unit_test_teardown(test_e820_count_over_128_rejected,
					  teardown),
		cmocka_unit_test_teardown(test_e820_without_ram, teardown),
		cmocka_unit_test_teardown(test_hdrs_check, teardown),
		cmocka_unit_test_teardown(test_setup_data_e820_ext, teardown),
		cmocka_unit_test_teardown(test_efi_info_and_setup_efi,
					  teardown),
		cmocka_unit_test_teardown(test_setup_data_e820_ext_overflow,
					  teardown),
		cmocka_unit_test_teardown(test_setup_data_loops, teardown),
		cmocka_unit_test_teardown(test_setup_data_long_chain, teardown),
		cmocka_unit_test_teardown(test_setup_data_outside_memory,
					  teardown),
		cmocka_unit_test_teardown(test_cmdline_across_page_boundary,
					  teardown),
		cmocka_unit_test_teardown(test_cmdline_missing, teardown),
		cmocka_unit_test_teardown(test_cmdline_too_long, teardown),
		cmocka_unit_test_teardown(test_e820_low_page, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
