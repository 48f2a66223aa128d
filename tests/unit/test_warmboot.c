// SPDX-License-Identifier: GPL-2.0
/*
 * FINAL_ACTION=boot, the pure part (stub/warmboot.c, bmdump/bzimage.h):
 * the installed Debian kernel passes the bzImage check and each broken
 * header field fails with its own code; placement never lands on a
 * reserved range, outside RAM or on itself; the e820 table and the zero
 * page come out as the boot protocol says; the EFI hand-over copies a good
 * runtime map and refuses each kind of bad one with its own code.
 */
#include "fakes.h"
#include "testbuf.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "str.h"
#include "warmboot.h"

#define MiB	(1ull << 20)
#define GiB	(1ull << 30)

static int is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static uint8_t *kimg;
static size_t klen;

/* The newest /boot/vmlinuz-* (tests/install-deps.sh installs Debian's). */
static int load_kernel(void **state)
{
	glob_t g;
	FILE *f;

	if (glob("/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc)
		fail_msg("no /boot/vmlinuz-*: run tests/install-deps.sh");
	f = fopen(g.gl_pathv[g.gl_pathc - 1], "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	klen = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	kimg = malloc(klen);
	assert_int_equal(fread(kimg, 1, klen, f), klen);
	fclose(f);
	globfree(&g);
	return 0;
}

static int free_kernel(void **state)
{
	free(kimg);
	tb_free_all();
	return 0;
}

static void test_real_kernel_passes(void **state)
{
	struct bmdump_bzimage_info k;

	assert_int_equal(bmdump_bzimage_check(kimg, klen, &k), 0);
	assert_true(k.version >= 0x020c);
	assert_true(k.xloadflags & BZ_XLF_KERNEL_64);
	assert_true(k.init_size >= k.pm_bytes);
	assert_int_equal(k.pm_offset + k.pm_bytes, klen);
	assert_int_equal(k.kernel_alignment & (k.kernel_alignment - 1), 0);
	assert_true(k.cmdline_size >= 2047);
	assert_true(k.header_end >= BZ_HEADER_END_MIN);
}

/* A copy of the kernel with one field changed must fail with want. */
static void expect_broken(size_t off, unsigned int bytes, uint32_t val,
			  uint64_t len, int want, const char *what)
{
	struct bmdump_bzimage_info k;
	uint8_t *img = tb_dup(kimg, 0x4000);
	unsigned int i;
	int r;

	for (i = 0; i < bytes; i++)
		img[off + i] = (uint8_t)(val >> (8 * i));
	/* Only the first 16 KiB are copied: pretend the rest is there. */
	r = bmdump_bzimage_check(img, len ? len : klen, &k);
	if (r != want)
		fail_msg("%s: got %d, want %d", what, r, want);
}

static void test_broken_headers(void **state)
{
	uint8_t sects = kimg[BZ_SETUP_SECTS];

	expect_broken(0, 0, 0, BZ_HEADER_END_MIN - 1, E_WB_TRUNCATED,
		      "shorter than the header");
	expect_broken(BZ_BOOT_FLAG, 2, 0x55aa, 0, E_WB_BOOT_FLAG, "boot flag");
	expect_broken(BZ_HEADER, 4, 0x53726449, 0, E_WB_HDRS, "HdrS");
	expect_broken(BZ_VERSION, 2, 0x020b, 0, E_WB_PROTOCOL, "2.11");
	expect_broken(BZ_JUMP_OFFSET, 1, 0x20, 0, E_WB_TRUNCATED,
		      "header ends before init_size");
	expect_broken(BZ_JUMP_OFFSET, 1, 0xa0, 0, E_WB_TRUNCATED,
		      "header runs into edd_mbr_sig_buffer");
	expect_broken(BZ_SETUP_SECTS, 1, 0, 0x4000, 0, "0 sects means 4");
	expect_broken(BZ_SETUP_SECTS, 1, sects, (sects + 1) * 512,
		      E_WB_SETUP_SECTS, "no 64-bit code after setup");
	expect_broken(BZ_XLOADFLAGS, 2, kimg[BZ_XLOADFLAGS] & ~1u, 0,
		      E_WB_NOT_64, "XLF_KERNEL_64 clear");
	expect_broken(BZ_RELOCATABLE, 1, 0, 0, E_WB_NOT_RELOCATABLE,
		      "not relocatable");
	expect_broken(BZ_KERNEL_ALIGNMENT, 4, 0x300000, 0, E_WB_ALIGN,
		      "alignment not a power of two");
	expect_broken(BZ_KERNEL_ALIGNMENT, 4, 0x800, 0, E_WB_ALIGN,
		      "alignment below a page");
	expect_broken(BZ_INIT_SIZE, 4, 0x1000, 0, E_WB_INIT_SIZE,
		      "init_size below the payload");
}

static const struct e820_entry map_1g[] = {
	{ 0x0, 0x1000, E820_RESERVED },
	{ 0x1000, 0x9ec00, E820_RAM },
	{ 0xf0000, 0x10000, E820_RESERVED },
	{ 0x100000, 0x3fee0000, E820_RAM },
	{ 0xfffc0000, 0x40000, E820_RESERVED },
	{ 0x100000000ull, 0x40000000ull, E820_RAM },
};

static struct bmdump_bzimage_info real_info(void)
{
	struct bmdump_bzimage_info k;

	assert_int_equal(bmdump_bzimage_check(kimg, klen, &k), 0);
	return k;
}

static int overlaps(uint64_t a, uint64_t n, uint64_t s, uint64_t e)
{
	return a < e && s < a + n;
}

static int in_ram(const struct e820_entry *m, unsigned int nr, uint64_t a,
		  uint64_t n)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (m[i].type == E820_RAM && a >= m[i].addr &&
		    a + n <= m[i].addr + m[i].size)
			return 1;
	return 0;
}

/* Every placement invariant of one result. */
static void check_layout(const struct e820_entry *m, unsigned int nr,
			 const struct wb_range *r, unsigned int nr_r,
			 const struct bmdump_bzimage_info *k,
			 const struct wb_layout *l)
{
	unsigned int i;

	assert_int_equal(l->kernel_addr % k->kernel_alignment, 0);
	assert_int_equal(l->kernel_span, k->init_size);
	assert_true(l->kernel_addr >= WB_LOW_FLOOR);
	assert_true(in_ram(m, nr, l->kernel_addr, l->kernel_span));
	for (i = 0; i < nr_r; i++)
		assert_false(overlaps(l->kernel_addr, l->kernel_span,
				      r[i].start, r[i].end));
	if (!l->initrd_bytes)
		return;
	assert_int_equal(l->initrd_addr % 4096, 0);
	assert_true(l->initrd_addr >= WB_LOW_FLOOR);
	assert_true(in_ram(m, nr, l->initrd_addr, l->initrd_bytes));
	if (!(k->xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G))
		assert_true(l->initrd_addr + l->initrd_bytes <=
			    (uint64_t)k->initrd_addr_max + 1);
	assert_false(overlaps(l->initrd_addr, l->initrd_bytes, l->kernel_addr,
			      l->kernel_span));
	for (i = 0; i < nr_r; i++)
		assert_false(overlaps(l->initrd_addr, l->initrd_bytes,
				      r[i].start, r[i].end));
}

static void test_place_basic(void **state)
{
	struct bmdump_bzimage_info k = real_info();
	/* The stub's crashkernel region and the page with its zero page. */
	struct wb_range r[] = { { 0x30000000, 0x38000000 },
				{ 0x2000000, 0x2001000 } };
	struct wb_layout l;

	/* pref_address (16 MiB) is free for the kernel when nothing is in
	 * the way of init_size; then something is, and it moves. */
	assert_int_equal(warmboot_place(map_1g, 6, r, 0, &k, 35 * MiB, &l), 0);
	assert_int_equal(l.kernel_addr, k.pref_address);
	check_layout(map_1g, 6, r, 0, &k, &l);
	assert_int_equal(warmboot_place(map_1g, 6, r, 2, &k, 35 * MiB, &l), 0);
	assert_true(l.kernel_addr != k.pref_address);
	check_layout(map_1g, 6, r, 2, &k, &l);
	/* The initrd goes high: above 4 GiB when the kernel allows it. */
	if (k.xloadflags & BZ_XLF_CAN_BE_LOADED_ABOVE_4G)
		assert_int_equal(l.initrd_addr + 35 * MiB, 0x140000000ull);
	/* Without the flag, below initrd_addr_max. */
	k.xloadflags &= (uint16_t)~BZ_XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_int_equal(warmboot_place(map_1g, 6, r, 2, &k, 35 * MiB, &l), 0);
	check_layout(map_1g, 6, r, 2, &k, &l);
	assert_true(l.initrd_addr + l.initrd_bytes <= 0x3ffe0000);
	/* No initrd. */
	assert_int_equal(warmboot_place(map_1g, 6, r, 2, &k, 0, &l), 0);
	assert_int_equal(l.initrd_addr, 0);
}

static void test_place_no_room(void **state)
{
	struct bmdump_bzimage_info k = real_info();
	static const struct e820_entry small[] = {
		{ 0x1000, 0x9ec00, E820_RAM },
		{ 0x100000, 64 * MiB, E820_RAM },
	};
	struct wb_range all = { 0, 128 * MiB }, r[WB_MAX_RESERVED + 1];
	struct wb_layout l;

	k.init_size = 60 * MiB;
	k.kernel_alignment = 2 * MiB;
	assert_int_equal(warmboot_place(small, 2, &all, 1, &k, 0, &l),
			 E_WB_NO_ROOM_KERNEL);
	/* The kernel fits (at 2 MiB); a 4 MiB initrd does not beside it. */
	assert_int_equal(warmboot_place(small, 2, NULL, 0, &k, 4 * MiB, &l),
			 E_WB_NO_ROOM_INITRD);
	assert_int_equal(warmboot_place(small, 2, NULL, 0, &k, 1 * MiB, &l), 0);
	check_layout(small, 2, NULL, 0, &k, &l);
	/* Low memory below 1 MiB is never used, even when it would fit. */
	k.init_size = 64 * MiB;
	assert_int_equal(warmboot_place(small, 2, NULL, 0, &k, 0, &l),
			 E_WB_NO_ROOM_KERNEL);
	memset(r, 0, sizeof(r));
	assert_int_equal(warmboot_place(small, 2, r, WB_MAX_RESERVED + 1, &k,
					0, &l), E_WB_TOO_MANY_RANGES);
	/* Non-RAM and wrapping entries are never used. */
	{
		static const struct e820_entry odd[] = {
			{ 0x100000, 1 * GiB, E820_RESERVED },
			{ 0xfffffffffff00000ull, 2 * MiB, E820_RAM },
		};

		assert_int_equal(warmboot_place(odd, 2, NULL, 0, &k, 0, &l),
				 E_WB_NO_ROOM_KERNEL);
	}
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state % n;
}

/* Many random maps and reserved sets: every success keeps the rules. */
static void test_place_random(void **state)
{
	struct bmdump_bzimage_info k = real_info();
	unsigned int iter, ok = 0;

	for (iter = 0; iter < 3000; iter++) {
		struct e820_entry m[8];
		struct wb_range r[WB_MAX_RESERVED];
		unsigned int nr = 1 + rnd(8), nr_r = rnd(WB_MAX_RESERVED), i;
		uint64_t at = 0;
		struct wb_layout l;

		for (i = 0; i < nr; i++) {
			at += rnd(64) * MiB + rnd(16) * 4096;
			m[i].addr = at;
			m[i].size = (1 + rnd(256)) * MiB + rnd(8) * 4096;
			m[i].type = rnd(4) ? E820_RAM : E820_RESERVED;
			at += m[i].size;
		}
		for (i = 0; i < nr_r; i++) {
			r[i].start = rnd(at + 1);
			r[i].end = r[i].start + 1 + rnd(32 * MiB);
		}
		k.xloadflags = rnd(2) ? 0x7f : 0x7d;
		if (warmboot_place(m, nr, r, nr_r, &k, rnd(40 * MiB), &l))
			continue;
		check_layout(m, nr, r, nr_r, &k, &l);
		ok++;
	}
	/* Enough of them found room to mean something. */
	assert_true(ok > 300);
}

static uint64_t e820_field(const uint8_t *bp, unsigned int i, unsigned off)
{
	const uint8_t *e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE + off;
	uint64_t v = 0;
	int b;

	for (b = off == 16 ? 3 : 7; b >= 0; b--)
		v = v << 8 | e[b];
	return v;
}

static void test_e820(void **state)
{
	/* Out of order, split RAM, an empty and a wrapping entry. */
	static const struct e820_entry in[] = {
		{ 0x100000000ull, 0x40000000ull, E820_RAM },
		{ 0x100000, 0x1000000, E820_RAM },
		{ 0x1100000, 0x3ede0000, E820_RAM },
		{ 0x0, 0x1000, E820_RESERVED },
		{ 0x5000, 0, E820_RAM },
		{ 0xffffffffffff0000ull, 0x20000, E820_RAM },
		{ 0x1000, 0x9f000, E820_RAM },
		{ 0xfee00000, 0x1000, E820_RESERVED },
		{ 0xfffc0000, 0x40000, E820_RESERVED },
	};
	static const struct e820_entry want[] = {
		{ 0x0, 0x1000, E820_RESERVED },
		{ 0x1000, 0x9f000, E820_RAM },
		{ 0x100000, 0x3fde0000, E820_RAM },
		{ 0xfee00000, 0x1000, E820_RESERVED },
		{ 0xfffc0000, 0x40000, E820_RESERVED },
		{ 0x100000000ull, 0x40000000ull, E820_RAM },
	};
	static struct e820_entry many[BP_E820_MAX + 1];
	uint8_t *bp = tb_alloc(BOOT_PARAMS_SIZE);
	unsigned int i;

	assert_int_equal(warmboot_e820(bp, in, 9), 0);
	assert_int_equal(bp[BP_E820_ENTRIES], 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(e820_field(bp, i, 0), want[i].addr);
		assert_int_equal(e820_field(bp, i, 8), want[i].size);
		assert_int_equal(e820_field(bp, i, 16), want[i].type);
	}
	/* 129 separate entries do not fit boot_params; 128 do. */
	for (i = 0; i < BP_E820_MAX + 1; i++)
		many[i] = (struct e820_entry){ (uint64_t)i * 2 * MiB, MiB,
					       E820_RAM };
	assert_int_equal(warmboot_e820(bp, many, BP_E820_MAX), 0);
	assert_int_equal(bp[BP_E820_ENTRIES], BP_E820_MAX);
	assert_int_equal(warmboot_e820(bp, many, BP_E820_MAX + 1),
			 E_WB_E820_FULL);
	/* No RAM at all. */
	assert_int_equal(warmboot_e820(bp, &in[3], 1), E_WB_E820_EMPTY);
}

static void expect_cmdline(const char *staged, const char *want)
{
	char buf[64];
	uint64_t len = 0;

	memset(buf, 'z', sizeof(buf));
	memcpy(buf, staged, strlen(staged));
	assert_int_equal(warmboot_cmdline_add(buf, strlen(staged),
					      sizeof(buf), "bm.w=1", &len), 0);
	assert_string_equal(buf, want);
	assert_int_equal(len, strlen(want));
}

/* The stub's words reach the kernel: never after "--" (init's words), a
 * NUL or inside an open quote; never past the buffer. */
static void test_cmdline_add(void **state)
{
	char buf[16] = "ro\0quiet";
	uint64_t len = 99;

	expect_cmdline("", "bm.w=1");
	expect_cmdline("ro quiet", "ro quiet bm.w=1");
	expect_cmdline("ro quiet ", "ro quiet bm.w=1");
	expect_cmdline("ro -- single", "ro bm.w=1 -- single");
	expect_cmdline("-- single", "bm.w=1 -- single");
	expect_cmdline("a=\"x -- y\" --", "a=\"x -- y\" bm.w=1 --");
	assert_int_equal(warmboot_cmdline_add(buf, 8, sizeof(buf), "bm.w=1",
					      &len), E_WB_CMDLINE_BYTES);
	memcpy(buf, "a=\"b c", 6);
	assert_int_equal(warmboot_cmdline_add(buf, 6, sizeof(buf), "bm.w=1",
					      &len), E_WB_CMDLINE_BYTES);
	/* "ro quiet" + " bm.w=1" + NUL is 16 bytes: one too many */
	memcpy(buf, "ro quiet", 8);
	assert_int_equal(warmboot_cmdline_add(buf, 8, 15, "bm.w=1", &len),
			 E_WB_CMDLINE_ROOM);
	assert_int_equal(warmboot_cmdline_add(buf, 8, 16, "bm.w=1", &len), 0);
	assert_string_equal(buf, "ro quiet bm.w=1");
	assert_int_equal(warmboot_cmdline_add(buf, 16, 16, "x", &len),
			 E_WB_CMDLINE_BYTES);
}

/* The type out gives [a, b) when one entry holds all of it, else -1. */
static int map_type(const struct e820_entry *out, unsigned int n,
		    uint64_t a, uint64_t b)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (out[i].addr <= a && b <= out[i].addr + out[i].size)
			return (int)out[i].type;
	return -1;
}

static void test_map(void **state)
{
	/* What kexec gives the stub (a QEMU guest, crashkernel=64M at
	 * 0x35000000): its region as RAM but for the elfcorehdr and
	 * backup segments at the top, and firmware's ranges. */
	static const struct e820_entry e820[] = {
		{ 0x0, 0x1000, E820_RESERVED },
		{ 0x35000000, 0x3f5d000, E820_RAM },
		{ 0x3ea8a000, 0x102000, E820_RESERVED },
		{ 0x3f76c000, 0x12000, E820_ACPI },
		{ 0xb0000000, 0x10000000, E820_RESERVED },
	};
	/* The crashed kernel's RAM (its PT_LOADs). */
	static const struct wb_range ram[] = {
		{ 0x1000, 0xa0000 },
		{ 0x100000, 0x35000000 },
		{ 0x39000000, 0x3ea8a000 },
		{ 0x3eb8c000, 0x3f4ec000 },
	};
	/* The crashkernel region as the stub merged it, and one that
	 * claims a firmware range (it must stay firmware's). */
	static const struct mem_range keep[] = {
		{ 0x35000000, 0x39000000 },
		{ 0x3f700000, 0x3f780000 },
	};
	struct e820_entry out[E820_MAX];
	unsigned int n = 0;

	assert_int_equal(warmboot_map(e820, 5, ram, 4, keep, 1, out,
				      E820_MAX, &n), 0);
	/* kexec's segments at the region's top are RAM again: one range
	 * from 1 MiB to the firmware's reserved range. */
	assert_int_equal(map_type(out, n, 0x100000, 0x3ea8a000), E820_RAM);
	assert_int_equal(map_type(out, n, 0x38f5d000, 0x39000000), E820_RAM);
	assert_int_equal(map_type(out, n, 0x1000, 0xa0000), E820_RAM);
	assert_int_equal(map_type(out, n, 0x0, 0x1000), E820_RESERVED);
	assert_int_equal(map_type(out, n, 0x3ea8a000, 0x3eb8c000),
			 E820_RESERVED);
	assert_int_equal(map_type(out, n, 0xb0000000, 0xc0000000),
			 E820_RESERVED);
	/* Nothing between the last RAM and the ACPI tables appears. */
	assert_int_equal(map_type(out, n, 0x3f4ec000, 0x3f4ed000), -1);

	assert_int_equal(warmboot_map(e820, 5, ram, 4, keep, 2, out,
				      E820_MAX, &n), 0);
	assert_int_equal(map_type(out, n, 0x3f700000, 0x3f76c000), E820_RAM);
	assert_int_equal(map_type(out, n, 0x3f76c000, 0x3f77e000), E820_ACPI);
	assert_int_equal(map_type(out, n, 0x3f77e000, 0x3f780000), E820_RAM);

	/* No room for the table. */
	assert_int_equal(warmboot_map(e820, 5, ram, 4, keep, 1, out, 4, &n),
			 E_WB_MAP_FULL);
}

static void test_boot_params(void **state)
{
	struct bmdump_bzimage_info k = real_info();
	struct wb_layout l = { 0x1000000, k.init_size, 0x123456000ull,
			       0x2345678 };
	uint8_t efi[BP_EFI_INFO_BYTES], *bp = tb_alloc(BOOT_PARAMS_SIZE);
	struct wb_boot_args a = {
		.kernel = kimg, .k = &k, .map = map_1g, .nr_map = 6,
		.cmdline_addr = 0x1a0002000ull, .cmdline_len = 40, .l = &l,
		.acpi_rsdp = 0x3fb7e014, .efi_info = efi,
	};
	unsigned int i;

	for (i = 0; i < sizeof(efi); i++)
		efi[i] = (uint8_t)(0xe0 + i);
	memset(bp, 0xcc, BOOT_PARAMS_SIZE);
	assert_int_equal(warmboot_boot_params(bp, &a), 0);
	/* The kernel's own setup header, then what a loader must set. */
	assert_memory_equal(bp + BZ_HEADER, "HdrS", 4);
	assert_memory_equal(bp + BZ_SETUP_SECTS + 1,
			    kimg + BZ_SETUP_SECTS + 1, 0x210 - 0x1f2);
	assert_int_equal(bp[BZ_TYPE_OF_LOADER], 0xff);
	assert_int_equal(bp[BZ_LOADFLAGS] & BZ_LOADFLAG_CAN_USE_HEAP, 0);
	assert_int_equal(bp[BZ_LOADFLAGS] & BZ_LOADFLAG_LOADED_HIGH, 1);
	assert_int_equal(get_le32(bp + BZ_CMD_LINE_PTR), 0xa0002000);
	assert_int_equal(get_le32(bp + BP_EXT_CMD_LINE_PTR), 1);
	assert_int_equal(get_le32(bp + BZ_RAMDISK_IMAGE), 0x23456000);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_IMAGE), 1);
	assert_int_equal(get_le32(bp + BZ_RAMDISK_SIZE), 0x2345678);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_SIZE), 0);
	assert_int_equal(get_le64(bp + BP_ACPI_RSDP_ADDR), 0x3fb7e014);
	assert_memory_equal(bp + BP_EFI_INFO, efi, sizeof(efi));
	assert_int_equal(bp[BP_E820_ENTRIES], 6);
	/* Everything else zero: the sentinel, screen_info, setup_data. */
	assert_int_equal(bp[BP_SENTINEL], 0);
	assert_int_equal(get_le64(bp + BZ_SETUP_DATA), 0);
	assert_true(is_zero(bp, 0x70));
	assert_true(is_zero(bp + k.header_end, BP_E820_TABLE - k.header_end));
	/* Without EFI: zero there; a command line too long: refused. */
	a.efi_info = NULL;
	assert_int_equal(warmboot_boot_params(bp, &a), 0);
	assert_true(is_zero(bp + BP_EFI_INFO, BP_EFI_INFO_BYTES));
	a.cmdline_len = k.cmdline_size + 1;
	assert_int_equal(warmboot_boot_params(bp, &a), E_WB_CMDLINE_SIZE);
}

/* Two runtime regions above map_1g's RAM below 4 GiB, as kexec passes
 * them (the firmware's 48-byte descriptors); the system table in the
 * first. */
#define EFI_DSIZE	48
#define EFI_SYSTAB	0x3ffe1018ull

static struct bp_efi_info efi_info_good(void)
{
	return (struct bp_efi_info){
		.loader_signature = EFI_LOADER_SIG_64,
		.systab = (uint32_t)EFI_SYSTAB,
		.memdesc_size = EFI_DSIZE,
		.memdesc_version = EFI_MEMDESC_VERSION,
		.memmap = 0x5000000, .memmap_hi = 0x1,
		.memmap_size = 2 * EFI_DSIZE,
	};
}

static void efi_desc(uint8_t *map, unsigned int i, uint32_t type,
		     uint64_t pa, uint64_t va, uint64_t pages, uint64_t attr)
{
	struct efi_mem_desc d = { type, 0, pa, va, pages, attr };

	memset(map + i * EFI_DSIZE, 0xa5, EFI_DSIZE);	/* the tail kept */
	memcpy(map + i * EFI_DSIZE, &d, sizeof(d));
}

static void efi_map_good(uint8_t *map)
{
	efi_desc(map, 0, 6, 0x3ffe0000, 0xfffffffeffe00000ull, 16,
		 EFI_MEMORY_RUNTIME | 0xf);
	efi_desc(map, 1, 5, 0x3fff0000, 0xfffffffeffe10000ull, 8,
		 EFI_MEMORY_RUNTIME | 0xf);
}

static void test_efi_info(void **state)
{
	struct bp_efi_info ei = efi_info_good(), bad;
	uint64_t pa = 0;
	uint32_t bytes = 0;

	assert_int_equal(warmboot_efi_info(&ei, &pa, &bytes), 0);
	assert_int_equal(pa, 0x105000000ull);
	assert_int_equal(bytes, 2 * EFI_DSIZE);
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes), WB_EFI_NONE);
	bad = ei;
	bad.loader_signature = 0x32334c45;	/* "EL32" */
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes), E_WB_EFI_SIG);
	bad = ei;
	bad.systab = 0;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_SYSTAB);
	bad.systab_hi = 1;	/* the high half counts */
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes), 0);
	bad = ei;
	bad.memdesc_version = 2;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_VERSION);
	bad = ei;
	bad.memdesc_size = 32;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_DESC_SIZE);
	bad.memdesc_size = 44;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_DESC_SIZE);
	bad.memdesc_size = WB_EFI_MAX_DESC_SIZE + 8;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_DESC_SIZE);
	bad = ei;
	bad.memmap_size = 0;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_MAP_SIZE);
	bad.memmap_size = EFI_DSIZE + 8;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_MAP_SIZE);
	bad.memmap_size = (WB_EFI_MAX_DESC + 1) * EFI_DSIZE;
	assert_int_equal(warmboot_efi_info(&bad, &pa, &bytes),
			 E_WB_EFI_MAP_SIZE);
}

/* warmboot_efi_node() on in with map_1g: its code. */
static int efi_node(const struct wb_efi_in *in, uint8_t *node,
		    uint64_t room, struct bp_efi_info *out)
{
	return warmboot_efi_node(in, map_1g, 6, node, 0x2a000000ull, room,
				 out);
}

static void test_efi_node(void **state)
{
	struct bp_efi_info ei = efi_info_good(), out;
	struct efi_setup_data esd = { .fw_vendor = 0x3fff1000,
				      .tables = 0x3fff2000,
				      .smbios = 0x3f520000 };
	uint8_t map[2 * EFI_DSIZE], *node = tb_alloc(4096);
	struct wb_efi_in in = { &ei, 1, sizeof(esd), &esd, map };
	uint64_t bytes = warmboot_efi_node_bytes(&ei);

	efi_map_good(map);
	assert_int_equal(bytes, 16 + 96 + 2 * EFI_DSIZE);
	memset(node, 0xcc, 4096);
	assert_int_equal(efi_node(&in, node, bytes, &out), 0);
	/* setup_data: next 0, SETUP_EFI, efi_setup_data then the map. */
	assert_int_equal(get_le64(node), 0);
	assert_int_equal(get_le32(node + 8), SETUP_EFI);
	assert_int_equal(get_le32(node + 12), 96 + 2 * EFI_DSIZE);
	assert_memory_equal(node + 16, &esd, sizeof(esd));
	assert_memory_equal(node + 16 + 96, map, sizeof(map));
	assert_int_equal(node[bytes], 0xcc);
	/* efi_info: the loader's, but the map is the copy. */
	assert_int_equal(out.memmap, 0x2a000000 + 16 + 96);
	assert_int_equal(out.memmap_hi, 0);
	out.memmap = ei.memmap;
	out.memmap_hi = ei.memmap_hi;
	assert_memory_equal(&out, &ei, sizeof(ei));

	assert_int_equal(efi_node(&in, node, bytes - 1, &out), E_WB_EFI_ROOM);
	in.have_setup = 0;
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_NO_SETUP);
	in.have_setup = 1;
	in.setup_len = sizeof(esd) - 1;
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_SETUP_LEN);
	in.setup_len = sizeof(esd);
	in.setup = NULL;
	assert_int_equal(efi_node(&in, node, bytes, &out),
			 E_WB_EFI_SETUP_READ);
	in.setup = &esd;
	esd.tables = 0;
	assert_int_equal(efi_node(&in, node, bytes, &out),
			 E_WB_EFI_SETUP_DATA);
	esd.tables = 0x3fff2000;
	/* Each bad descriptor in turn: the second one. */
	efi_desc(map, 1, 5, 0x3fff0000, 0xfffffffeffe10000ull, 8, 0xf);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC);
	efi_desc(map, 1, 5, 0x3fff0800, 0xfffffffeffe10000ull, 8,
		 EFI_MEMORY_RUNTIME);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC);
	efi_desc(map, 1, 5, 0x3fff0000, 0xfffffffeffe10000ull, 0,
		 EFI_MEMORY_RUNTIME);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC);
	efi_desc(map, 1, 5, 0xfffffffffff00000ull, 0xfffffffeffe10000ull,
		 0x200, EFI_MEMORY_RUNTIME);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC);
	/* Reaching into RAM the next kernel gets, by one page. */
	efi_desc(map, 1, 5, 0xffffe000ull, 0xfffffffeffe10000ull, 3,
		 EFI_MEMORY_RUNTIME);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC_RAM);
	efi_desc(map, 1, 5, 0x3ffdf000, 0xfffffffeffe10000ull, 8,
		 EFI_MEMORY_RUNTIME);
	assert_int_equal(efi_node(&in, node, bytes, &out), E_WB_EFI_DESC_RAM);
	/* The system table outside every runtime region. */
	efi_map_good(map);
	ei.systab = 0x3ff00018;
	assert_int_equal(efi_node(&in, node, bytes, &out),
			 E_WB_EFI_SYSTAB_MAP);
	ei.systab = (uint32_t)EFI_SYSTAB;
	assert_int_equal(efi_node(&in, node, bytes, &out), 0);
}

/* The zero page with an EFI hand-over: efi_info, secure_boot and the
 * setup_data list as given. */
static void test_boot_params_efi(void **state)
{
	struct bmdump_bzimage_info k = real_info();
	struct wb_layout l = { 0x1000000, k.init_size, 0x3000000, 0x1000 };
	struct bp_efi_info ei = efi_info_good();
	uint8_t *bp = tb_alloc(BOOT_PARAMS_SIZE);
	struct wb_boot_args a = {
		.kernel = kimg, .k = &k, .map = map_1g, .nr_map = 6,
		.cmdline_addr = 0x2000, .cmdline_len = 4, .l = &l,
		.efi_info = (const uint8_t *)&ei,
		.setup_data = 0x2a000000, .secure_boot = 3,
	};

	assert_int_equal(warmboot_boot_params(bp, &a), 0);
	assert_memory_equal(bp + BP_EFI_INFO, &ei, sizeof(ei));
	assert_int_equal(get_le32(bp + BP_EFI_SYSTAB_HI), ei.systab_hi);
	assert_int_equal(get_le64(bp + BZ_SETUP_DATA), 0x2a000000);
	assert_int_equal(bp[BP_SECURE_BOOT], 3);
	/* secure_boot goes with EFI only. */
	a.efi_info = NULL;
	a.setup_data = 0;
	assert_int_equal(warmboot_boot_params(bp, &a), 0);
	assert_int_equal(bp[BP_SECURE_BOOT], 0);
	assert_int_equal(get_le64(bp + BZ_SETUP_DATA), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_kernel_passes),
		cmocka_unit_test(test_broken_headers),
		cmocka_unit_test(test_place_basic),
		cmocka_unit_test(test_place_no_room),
		cmocka_unit_test(test_place_random),
		cmocka_unit_test(test_e820),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_cmdline_add),
		cmocka_unit_test(test_efi_info),
		cmocka_unit_test(test_efi_node),
		cmocka_unit_test(test_boot_params_efi),
	};

	return cmocka_run_group_tests_name("warmboot", tests, load_kernel,
					   free_kernel);
}
