// SPDX-License-Identifier: GPL-2.0
/*
 * TEST ONLY.  bmdump.selftest=nvme: probe storage, read LBA 0-7 of the
 * first namespace, write 64 MiB of the crashed kernel's RAM (zero copy)
 * and a known pattern at fixed offsets, flush, read the pattern back, shut
 * the controller down.  tests/e2e/test_nvme.py checks the disk image on
 * the host.  The dump writer replaces this; do not build on it.
 */
#include "selftest.h"
#include "bmdump/crc32c.h"
#include "blkdev.h"
#include "console.h"
#include "drivers/nvme.h"
#include "drivers/storage.h"
#include "elfcore.h"
#include "errors.h"
#include "io.h"
#include "phys.h"
#include "str.h"
#include "timer.h"

#define SELFTEST_MAX_DEVS	16
#define SELFTEST_BATCH_PAGES	256	/* 1 MiB: a likely batch */
#define PAGE			4096ull

static struct blkdev devs[SELFTEST_MAX_DEVS];

static uint64_t pattern_word(unsigned int page, unsigned int word)
{
	return SELFTEST_PATTERN_SEED ^ ((uint64_t)page << 32 | word);
}

static void fill_pattern(uint64_t pa)
{
	unsigned int p, w;

	for (p = 0; p < SELFTEST_PATTERN_PAGES; p++) {
		uint64_t *q = (uint64_t *)(uintptr_t)(pa + p * PAGE);

		for (w = 0; w < PAGE / 8; w++)
			q[w] = pattern_word(p, w);
	}
}

/* The largest stretch of crashed-kernel RAM above 1 MiB, capped. */
static uint64_t pick_ram(const struct core_info *ci, uint64_t bytes)
{
	unsigned int i;

	for (i = 0; i < ci->nr_ram; i++) {
		uint64_t s = ci->ram[i].start, e = ci->ram[i].end;

		if (s < (1ull << 20))
			s = 1ull << 20;
		s = (s + PAGE - 1) & ~(PAGE - 1);
		if (e > s && e - s >= bytes &&
		    ci->ram[i].src == ci->ram[i].start)
			return s;
	}
	return 0;
}

static int write_ram(struct blkdev *d, const struct core_info *ci)
{
	uint64_t ram, list_pa, lba, us, t0, i;
	uint64_t n = SELFTEST_RAM_BYTES / PAGE;
	const void *src;
	uint64_t *list;
	struct nvme_stats st;
	uint32_t crc;
	int err;

	ram = pick_ram(ci, SELFTEST_RAM_BYTES);
	src = ram ? phys_ram(ram, SELFTEST_RAM_BYTES) : NULL;
	if (!src)
		return E_SELFTEST_NO_RAM;
	list_pa = dma_alloc(n * sizeof(uint64_t), PAGE);
	if (!list_pa)
		return E_SELFTEST_MEMORY;
	list = (uint64_t *)(uintptr_t)list_pa;
	for (i = 0; i < n; i++)
		list[i] = ram + i * PAGE;
	crc = bmdump_crc32c(0, src, SELFTEST_RAM_BYTES);

	lba = SELFTEST_RAM_OFFSET / d->block_size;
	t0 = rdtsc();
	for (i = 0; i < n; i += SELFTEST_BATCH_PAGES) {
		err = d->submit_write(d, lba + i * PAGE / d->block_size,
				      list + i, SELFTEST_BATCH_PAGES);
		if (err)
			return err;
	}
	err = d->wait_idle(d);
	if (err)
		return err;
	us = timer_us_since(t0);
	nvme_get_stats(nvme_ctrl_of(d), &st);
	bmlog("selftest: wrote %llu MiB of RAM at 0x%llx to %s in %llu us: "
	      "%llu MB/s, max %u commands in flight, crc32c %08x",
	      (unsigned long long)(SELFTEST_RAM_BYTES >> 20),
	      (unsigned long long)ram, d->name, (unsigned long long)us,
	      (unsigned long long)(us ? SELFTEST_RAM_BYTES / us : 0),
	      st.max_inflight, crc);
	return 0;
}

static int write_pattern(struct blkdev *d, uint64_t buf)
{
	uint64_t pages[SELFTEST_PATTERN_PAGES], lba, back;
	unsigned int i;
	int err;

	fill_pattern(buf);
	for (i = 0; i < SELFTEST_PATTERN_PAGES; i++)
		pages[i] = buf + i * PAGE;
	lba = SELFTEST_PATTERN_OFFSET / d->block_size;
	/* PRP1 only, PRP1 + PRP2, PRP1 + a list. */
	err = d->submit_write(d, lba, pages, 1);
	if (!err)
		err = d->submit_write(d, lba + PAGE / d->block_size,
				      pages + 1, 2);
	if (!err)
		err = d->submit_write(d, lba + 3 * PAGE / d->block_size,
				      pages + 3, SELFTEST_PATTERN_PAGES - 3);
	if (!err)
		err = d->flush(d);
	if (err)
		return err;
	back = buf + SELFTEST_PATTERN_PAGES * PAGE;
	err = d->read(d, lba, back, SELFTEST_PATTERN_PAGES * PAGE);
	if (err)
		return err;
	bmlog("selftest: pattern at byte %llu of %s, %u pages, read back %s",
	      (unsigned long long)SELFTEST_PATTERN_OFFSET, d->name,
	      SELFTEST_PATTERN_PAGES,
	      memcmp((void *)(uintptr_t)buf, (void *)(uintptr_t)back,
		     SELFTEST_PATTERN_PAGES * PAGE) ? "DIFFERENT" : "equal");
	return 0;
}

int selftest_run(const char *what, size_t len, const struct acpi_info *ai,
		 const struct core_info *ci)
{
	struct blkdev *d;
	unsigned int count;
	uint64_t buf, t0;
	int err;

	if (len != 4 || memcmp(what, "nvme", 4))
		return E_SELFTEST_UNKNOWN;
	bmlog("selftest: TEST ONLY, writes to the first disk without any "
	      "dump area");
	err = storage_probe(ai, devs, SELFTEST_MAX_DEVS, &count);
	if (err)
		return err;
	d = &devs[0];
	if (d->nr_blocks * d->block_size < SELFTEST_PATTERN_OFFSET +
	    SELFTEST_PATTERN_PAGES * PAGE)
		return E_SELFTEST_SMALL;
	storage_quiesce_except(d);

	buf = dma_alloc(2 * SELFTEST_PATTERN_PAGES * PAGE, PAGE);
	if (!buf)
		return E_SELFTEST_MEMORY;
	err = d->read(d, 0, buf, 8 * d->block_size);
	if (err)
		return err;
	bmlog("selftest: %s lba 0-7 (%u bytes) crc32c %08x", d->name,
	      8 * d->block_size,
	      bmdump_crc32c(0, (void *)(uintptr_t)buf, 8 * d->block_size));

	err = write_ram(d, ci);
	if (err)
		return err;
	err = write_pattern(d, buf);
	if (err)
		return err;
	t0 = rdtsc();
	err = d->shutdown(d);
	if (err)
		return err;
	bmlog("selftest: %s shut down in %llu us; done", d->name,
	      (unsigned long long)timer_us_since(t0));
	return 0;
}
