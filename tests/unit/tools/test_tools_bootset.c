// SPDX-License-Identifier: GPL-2.0
/*
 * The boot set for FINAL_ACTION=boot (include/bmdump/bootset.h): the slot
 * prepare carves, staging into an area image in memory, the shared check
 * against corrupt and hostile headers, the command-line filter, and where
 * the files come from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bootset.h"

#define PART_BYTES	(16ull << 20)
#define SLOT_BYTES	(4ull << 20)

static const uint8_t U[16] = { 1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12,
			       13, 14, 15, 16 };
static const uint8_t OTHER[16] = { 9, 9, 9, 9, 9, 9, 0x49, 9, 0x89, 9, 9,
				   9, 9, 9, 9, 9 };

/* An area image in memory, written through a sink that counts syncs. */
struct fake_part {
	uint8_t *data;
	struct bmdump_area_header h;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_sink sink;
	unsigned int syncs;
	uint64_t fail_at;	/* a write over this offset fails; 0: none */
};

static int part_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct fake_part *p = ctx;

	if (off > PART_BYTES || len > PART_BYTES - off)
		return BM_E_NOSPACE;
	if (p->fail_at && p->fail_at >= off && p->fail_at < off + len)
		return BM_E_IO;
	memcpy(p->data + off, buf, len);
	return 0;
}

static int part_sync(void *ctx)
{
	((struct fake_part *)ctx)->syncs++;
	return 0;
}

static struct fake_part *part_new(uint64_t slot)
{
	struct fake_part *p = calloc(1, sizeof(*p));
	struct bm_err e;

	p->data = calloc(1, PART_BYTES);
	assert_int_equal(area_layout(&p->h, PART_BYTES, 65536, U, 1, &e), 0);
	if (slot)
		assert_int_equal(area_carve_boot_slot(&p->h, slot, &e), 0);
	memcpy(p->data, &p->h, sizeof(p->h));
	bm_src_mem(&p->src, &p->ms, p->data, PART_BYTES);
	p->sink.write = part_write;
	p->sink.sync = part_sync;
	p->sink.ctx = p;
	return p;
}

static void part_free(struct fake_part *p)
{
	free(p->data);
	free(p);
}

static uint8_t kernel[300000], initrd[123457];

static struct bootset_input input(void)
{
	size_t i;

	for (i = 0; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(initrd); i++)
		initrd[i] = (uint8_t)(i * 13 + 5);
	return (struct bootset_input){ kernel, sizeof(kernel), initrd,
				       sizeof(initrd), "root=/dev/vda1 ro",
				       "6.1.0-test", 1234 };
}

/* The slot lies between the dump and the self-test's tail; neither
 * region moves into it. */
static void test_carve_slot(void **state)
{
	struct fake_part *p = part_new(SLOT_BYTES), *q = part_new(0);
	uint64_t off, bytes, tail;
	struct bm_err e;

	tail = bmdump_selftest_offset(&p->h);
	assert_int_equal(bmdump_area_check(&p->h, PART_BYTES), 0);
	assert_int_equal(tail, (PART_BYTES & ~4095ull) - BMDUMP_SELFTEST_BYTES);
	assert_int_equal(bmdump_bootset_slot(&p->h, &off, &bytes), 0);
	assert_int_equal(off, p->h.dump_offset + p->h.dump_capacity);
	assert_int_equal(off + bytes, tail);
	assert_int_equal(bytes, SLOT_BYTES);
	assert_int_equal(q->h.dump_capacity, p->h.dump_capacity + SLOT_BYTES);
	/* An area without a slot (the dump reaches the tail) has none. */
	assert_int_equal(bmdump_bootset_slot(&q->h, &off, &bytes),
			 BMDUMP_BOOTSET_E_NOSLOT);
	/* Sizes: too small, unaligned, more than the dump can give. */
	assert_int_equal(area_carve_boot_slot(&q->h, 1 << 20, &e), BM_E_USAGE);
	assert_int_equal(area_carve_boot_slot(&q->h, SLOT_BYTES + 1, &e),
			 BM_E_USAGE);
	assert_int_equal(area_carve_boot_slot(&q->h, (12ull << 20) + 4096, &e),
			 BM_E_REFUSED);
	/* Twice: the dump no longer ends at the tail. */
	assert_int_equal(area_carve_boot_slot(&p->h, SLOT_BYTES, &e),
			 BM_E_REFUSED);
	part_free(p);
	part_free(q);
}

static void test_stage_and_read(void **state)
{
	struct fake_part *p = part_new(SLOT_BYTES);
	struct bootset_input in = input();
	struct bmdump_bootset_header h, r;
	uint64_t slot, bytes;
	struct bm_err e;

	assert_int_equal(bootset_stage(&p->sink, &p->h, &in, &h, &e), 0);
	assert_true(p->syncs >= 2);
	assert_int_equal(bmdump_bootset_slot(&p->h, &slot, &bytes), 0);
	assert_int_equal(h.kernel.offset, BMDUMP_BOOTSET_HDR_BYTES);
	assert_memory_equal(p->data + slot + h.kernel.offset, kernel,
			    sizeof(kernel));
	assert_memory_equal(p->data + slot + h.initrd.offset, initrd,
			    sizeof(initrd));
	assert_memory_equal(p->data + slot + h.cmdline.offset,
			    "root=/dev/vda1 ro", 17);
	assert_int_equal(h.cmdline.bytes, 17);
	assert_int_equal(h.kernel.crc, bmdump_crc32c(0, kernel,
						     sizeof(kernel)));
	assert_string_equal(h.release, "6.1.0-test");
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 1, &e), 0);
	assert_memory_equal(&r, &h, sizeof(h));
	/* Nothing outside the slot was written: the dump and the tail are
	 * as prepare left them (zero). */
	assert_true(is_all_zero(p->data + p->h.dump_offset,
				p->h.dump_capacity));
	assert_true(is_all_zero(p->data + slot + bytes,
				PART_BYTES - slot - bytes));
	/* A corrupt kernel byte: the header still checks, the blob not. */
	p->data[slot + h.kernel.offset + 4242] ^= 1;
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 0, &e), 0);
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 1, &e),
			 BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "kernel"));
	assert_non_null(strstr(e.msg, "CRC"));
	p->data[slot + h.kernel.offset + 4242] ^= 1;
	p->data[slot + h.initrd.offset + h.initrd.bytes - 1] ^= 0x80;
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 1, &e),
			 BM_E_CORRUPT);
	assert_non_null(strstr(e.msg, "initrd"));
	part_free(p);
}

/* A staging cut short leaves no set, never a mix of old and new. */
static void test_stage_interrupted(void **state)
{
	struct fake_part *p = part_new(SLOT_BYTES);
	struct bootset_input in = input();
	struct bmdump_bootset_header h, r;
	uint64_t slot, bytes;
	struct bm_err e;

	assert_int_equal(bootset_stage(&p->sink, &p->h, &in, &h, &e), 0);
	assert_int_equal(bmdump_bootset_slot(&p->h, &slot, &bytes), 0);
	p->fail_at = slot + h.initrd.offset + 10;
	assert_int_equal(bootset_stage(&p->sink, &p->h, &in, &h, &e), BM_E_IO);
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 0, &e),
			 BM_E_NOTFOUND);
	part_free(p);
}

static void test_stage_refusals(void **state)
{
	struct fake_part *p = part_new(0), *q = part_new(SLOT_BYTES);
	struct bootset_input in = input();
	struct bmdump_bootset_header h, r;
	static uint8_t big[SLOT_BYTES];
	struct bm_err e;

	assert_int_equal(bootset_stage(&p->sink, &p->h, &in, &h, &e),
			 BM_E_REFUSED);
	assert_non_null(strstr(e.msg, "boot slot"));
	assert_int_equal(bootset_read(&p->src, &p->h, &r, 0, &e),
			 BM_E_NOTFOUND);
	/* Kernel + initrd larger than the slot. */
	in.initrd = big;
	in.initrd_len = sizeof(big);
	assert_int_equal(bootset_stage(&q->sink, &q->h, &in, &h, &e),
			 BM_E_NOSPACE);
	assert_non_null(strstr(e.msg, "--boot-slot"));
	assert_true(is_all_zero(q->data + q->h.dump_offset + q->h.dump_capacity,
				SLOT_BYTES));
	in = input();
	in.kernel_len = 0;
	assert_int_equal(bootset_stage(&q->sink, &q->h, &in, &h, &e),
			 BM_E_USAGE);
	part_free(p);
	part_free(q);
}

/* A sealed, otherwise valid header to break one field at a time. */
static struct bmdump_bootset_header good_header(void)
{
	struct bootset_input in = input();
	struct bmdump_bootset_header h;
	struct bm_err e;

	assert_int_equal(bootset_layout(&h, U, SLOT_BYTES, &in, &e), 0);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U), 0);
	return h;
}

#define RESEAL(h)	((h).crc = bmdump_bootset_crc(&(h)))

static void test_check_rejects(void **state)
{
	struct bmdump_bootset_header g = good_header(), h;

	h = g;
	h.magic++;
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_MAGIC);
	h = g;
	h.version = 2;
	RESEAL(h);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_VERSION);
	h = g;
	h.header_bytes = 4096;
	RESEAL(h);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_SIZE);
	h = g;
	h.flags = 1;
	RESEAL(h);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_SIZE);
	/* Corrupt CRC: any field changed without resealing. */
	h = g;
	h.initrd.bytes--;
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_CRC);
	h = g;
	h.crc ^= 0x100;
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_CRC);
	h = g;
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, OTHER),
			 BMDUMP_BOOTSET_E_UUID);
	/* The slot the area gives rules, not the header's own claim. */
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES * 2, U),
			 BMDUMP_BOOTSET_E_BOUNDS);
	h = g;
	h.cmdline.bytes = BMDUMP_BOOTSET_CMDLINE_MAX;
	RESEAL(h);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_CMDLINE);
	h = g;
	h.kernel.bytes = 0;
	h.kernel.offset = 0;
	RESEAL(h);
	assert_int_equal(bmdump_bootset_check(&h, SLOT_BYTES, U),
			 BMDUMP_BOOTSET_E_BOUNDS);
}

/* Blob at byte field of a copy of h set to (off, bytes), resealed. */
static void expect_bounds(struct bmdump_bootset_header h, size_t field,
			  uint64_t off, uint64_t bytes, int want,
			  const char *what)
{
	struct bmdump_bootset_blob *b = (void *)((uint8_t *)&h + field);
	int r;

	b->offset = off;
	b->bytes = bytes;
	RESEAL(h);
	r = bmdump_bootset_check(&h, SLOT_BYTES, U);
	if (r != want)
		fail_msg("%s (blob at %zu): got %d, want %d", what, field, r,
			 want);
}

#define KERNEL	offsetof(struct bmdump_bootset_header, kernel)
#define INITRD	offsetof(struct bmdump_bootset_header, initrd)
#define CMDLINE	offsetof(struct bmdump_bootset_header, cmdline)

/* Lengths past the slot, sums that wrap, overlaps: every blob. */
static void test_check_bounds(void **state)
{
	struct bmdump_bootset_header g = good_header();
	const size_t field[3] = { KERNEL, INITRD, CMDLINE };
	const int E = BMDUMP_BOOTSET_E_BOUNDS;
	int i;

	for (i = 0; i < 3; i++) {
		size_t f = field[i];

		expect_bounds(g, f, SLOT_BYTES - 4096, 4097, E, "1 byte past");
		expect_bounds(g, f, SLOT_BYTES, 1, E, "at the end");
		expect_bounds(g, f, 4096, SLOT_BYTES, E, "longer than slot");
		expect_bounds(g, f, 0xfffffffffffff000ull, 0x2000, E,
			      "offset + bytes wraps");
		expect_bounds(g, f, 8192, UINT64_MAX, E, "bytes wraps");
		expect_bounds(g, f, UINT64_MAX - 4095, 4096, E,
			      "offset near 2^64");
		expect_bounds(g, f, 0, 100, E, "over the header");
		expect_bounds(g, f, 4097, 100, E, "unaligned");
		expect_bounds(g, f, 4096 * 3, 0, E, "absent with an offset");
	}
	/* initrd inside the kernel; cmdline on the initrd. */
	expect_bounds(g, INITRD, g.kernel.offset + 8192, g.initrd.bytes,
		      BMDUMP_BOOTSET_E_OVERLAP, "initrd in the kernel");
	expect_bounds(g, CMDLINE, g.initrd.offset, g.cmdline.bytes,
		      BMDUMP_BOOTSET_E_OVERLAP, "cmdline on the initrd");
	/* Up to the last byte of the slot is fine; so is no initrd. */
	expect_bounds(g, KERNEL, SLOT_BYTES - 4096, 4096, 0, "to the end");
	expect_bounds(g, INITRD, 0, 0, 0, "no initrd");
}

static void expect_filter(const char *in, const char *want, unsigned dropped)
{
	char out[BMDUMP_BOOTSET_CMDLINE_MAX];
	unsigned int n;
	struct bm_err e;

	assert_int_equal(bootset_filter_cmdline(in, out, sizeof(out), &n, &e),
			 0);
	if (strcmp(out, want) || n != dropped)
		fail_msg("filter \"%s\": got \"%s\" (%u dropped), want \"%s\" "
			 "(%u)", in, out, n, want, dropped);
}

static void test_filter_cmdline(void **state)
{
	char out[BMDUMP_BOOTSET_CMDLINE_MAX], longer[3000];
	struct bm_err e;

	expect_filter("BOOT_IMAGE=/vmlinuz root=UUID=abc ro quiet\n",
		      "BOOT_IMAGE=/vmlinuz root=UUID=abc ro quiet", 0);
	/* crashkernel= stays: the next kernel must reserve it to re-arm. */
	expect_filter("root=/dev/sda1 crashkernel=256M elfcorehdr=0x1000 "
		      "bmdump.warmboot=1 bmdump.final=boot  quiet",
		      "root=/dev/sda1 crashkernel=256M quiet", 3);
	expect_filter("elfcorehdr elfcorehdrx=1 ro", "elfcorehdrx=1 ro", 1);
	/* Quotes group; after "--" the words are init's. */
	expect_filter("dyndbg=\"file x.c +p\" -- elfcorehdr=1 bmdump.x",
		      "dyndbg=\"file x.c +p\" -- elfcorehdr=1 bmdump.x", 0);
	expect_filter("  \t ", "", 0);
	/* An open quote would swallow the words the stub adds. */
	assert_int_equal(bootset_filter_cmdline("ro dyndbg=\"x +p", out,
						sizeof(out), NULL, &e),
			 BM_E_USAGE);
	assert_non_null(strstr(e.msg, "quote"));
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	assert_int_equal(bootset_filter_cmdline(longer, out, sizeof(out), NULL,
						&e), BM_E_USAGE);
	assert_non_null(strstr(e.msg, "BOOT_CMDLINE"));
}

static void test_rearms(void **state)
{
	assert_int_equal(bootset_rearms("root=/dev/sda1 crashkernel=64M"), 1);
	assert_int_equal(bootset_rearms("crashkernel=1G-:256M quiet"), 1);
	assert_int_equal(bootset_rearms("root=/dev/sda1 quiet"), 0);
	assert_int_equal(bootset_rearms(""), 0);
	/* Empty, a prefix, in quotes or init's: no reservation. */
	assert_int_equal(bootset_rearms("crashkernel= ro"), 0);
	assert_int_equal(bootset_rearms("xcrashkernel=64M"), 0);
	assert_int_equal(bootset_rearms("a=\"b crashkernel=64M\""), 0);
	assert_int_equal(bootset_rearms("ro -- crashkernel=64M"), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_tail_n(const char *s, size_t n, int err, uint64_t at)
{
	uint64_t got = 12345;

	assert_int_equal(bmdump_bootset_cmdline_tail(s, n, &got), err);
	if (!err)
		assert_int_equal(got, at);
}

static void expect_tail(const char *s, int err, uint64_t at)
{
	expect_tail_n(s, strlen(s), err, at);
}

/* Where the stub puts its words: before the kernel's "--", never after
 * a NUL or inside an open quote. */
static void test_cmdline_tail(void **state)
{
	static const char nul[] = "ro\0quiet";

	expect_tail("", 0, 0);
	expect_tail("ro quiet", 0, 8);
	expect_tail("ro -- single", 0, 3);
	expect_tail("--", 0, 0);
	expect_tail("ro\t--\nx -- y", 0, 3);
	/* not a "--" word: part of a value, a longer word, or quoted */
	expect_tail("a=-- b", 0, 6);
	expect_tail("ro --x", 0, 6);
	expect_tail("x=\"a -- b\" -- i", 0, 11);
	expect_tail_n(nul, sizeof(nul) - 1, BMDUMP_BOOTSET_E_CMDLINE_BYTES, 0);
	expect_tail("x=\"a b", BMDUMP_BOOTSET_E_CMDLINE_BYTES, 0);
	assert_non_null(strstr(bmdump_bootset_strerror(
		BMDUMP_BOOTSET_E_CMDLINE_BYTES), "quote"));
}

/* Defaults from the (fake) root; BOOT_* override each. */
static void test_source(void **state)
{
	char root[] = "/tmp/bmdump-bootset-XXXXXX", path[600];
	struct bootset_source s;
	struct bm_config c;
	struct bm_err e;
	uint8_t *buf;
	size_t len;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/boot", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	write_file(path, "BOOT_IMAGE=/vmlinuz-9.9 crashkernel=64M "
		   "elfcorehdr=5K ro\n");
	config_defaults(&c);
	assert_int_equal(bootset_source(&c, root, "9.9", &s, &e), 0);
	snprintf(path, sizeof(path), "%s/boot/vmlinuz-9.9", root);
	assert_string_equal(s.kernel, path);
	assert_string_equal(s.initrd, "");	/* none on disk */
	assert_string_equal(s.cmdline, "BOOT_IMAGE=/vmlinuz-9.9 "
			    "crashkernel=64M ro");
	assert_int_equal(s.dropped, 1);
	snprintf(path, sizeof(path), "%s/boot/initrd.img-9.9", root);
	write_file(path, "initrd");
	assert_int_equal(bootset_source(&c, root, "9.9", &s, &e), 0);
	assert_string_equal(s.initrd, path);
	assert_int_equal(bootset_read_file(path, 1 << 20, &buf, &len, &e), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "initrd", 6);
	free(buf);
	assert_int_equal(bootset_read_file(path, 5, &buf, &len, &e),
			 BM_E_USAGE);
	/* Unknown release and no BOOT_KERNEL: refused, saying what to set. */
	assert_int_equal(bootset_source(&c, root, "", &s, &e), BM_E_NOTFOUND);
	assert_non_null(strstr(e.msg, "BOOT_KERNEL"));
	assert_int_equal(config_parse(&c, "BOOT_KERNEL=/k\nBOOT_INITRD=none\n"
				      "BOOT_CMDLINE='root=/dev/vdb "
				      "bmdump.final=halt'\n", "t", &e), 0);
	assert_int_equal(bootset_source(&c, root, "", &s, &e), 0);
	assert_string_equal(s.kernel, "/k");
	assert_string_equal(s.initrd, "");
	assert_string_equal(s.cmdline, "root=/dev/vdb");
	unlink(path);
	snprintf(path, sizeof(path), "%s/proc/cmdline", root);
	unlink(path);
	config_defaults(&c);
	assert_int_equal(bootset_source(&c, root, "9.9", &s, &e), BM_E_IO);
	snprintf(path, sizeof(path), "%s/proc", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/boot", root);
	rmdir(path);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_carve_slot),
		cmocka_unit_test(test_stage_and_read),
		cmocka_unit_test(test_stage_interrupted),
		cmocka_unit_test(test_stage_refusals),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_check_bounds),
		cmocka_unit_test(test_filter_cmdline),
		cmocka_unit_test(test_cmdline_tail),
		cmocka_unit_test(test_rearms),
		cmocka_unit_test(test_source),
	};

	return cmocka_run_group_tests_name("tools_bootset", tests, NULL, NULL);
}
