// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk driver against a fake modern virtio-pci device
 * (tests/unit/support/fake_virtio_blk.c) that walks descriptor chains,
 * executes them against a host buffer and posts used ring entries while
 * the CPU spins, and the storage layer on top.  The model counts every
 * spec violation; each test ends by checking that there were none.
 */
#include "blk_harness.h"
#include "fake_virtio_blk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "blkdev.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "drivers/virtio_blk.h"
#include "errors.h"
#include "timer.h"

#define BAR		0xfe000000ull
#define SECTORS		32768ull	/* 16 MiB */

static struct fake_vblk *m;
static struct fake_pci_fn *fn;
static struct acpi_info ai;
static struct blkdev devs[4];
static unsigned int ndev;
static struct virtio_blk *vb;

static void make_device(int legacy_only, uint16_t qmax)
{
	ecam_for_bus0(&ai);
	fn = fake_vblk_pci(0, 4, BAR, legacy_only);
	m = fake_vblk_new(fn, BAR, SECTORS, qmax);
}

static int setup(void **state)
{
	blk_fakes_reset();
	fake_vblk_reset_all();
	virtio_blk_forget();
	ndev = 0;
	vb = NULL;
	memset(devs, 0, sizeof(devs));
	make_device(0, 256);
	return 0;
}

static int teardown(void **state)
{
	fake_vblk_reset_all();
	blk_fakes_free();
	return 0;
}

static void no_violations(void)
{
	no_violations_in("virtio-blk", m->violations, m->why);
}

/* As storage_scan leaves it: bus mastering off before the probe. */
static int probe(void)
{
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_scan(), 0);
	pci_clear_master(pdev_at(4));
	return virtio_blk_probe(pdev_at(4), 0, devs, 4, &ndev, &vb);
}

static void probe_ok(void)
{
	probe_err_ok(probe());
	assert_int_equal(ndev, 1);
}

static void check_on_disk(uint64_t sector, const uint64_t *pages,
			  unsigned int n)
{
	check_pages_at(m->data + (sector << 9), pages, n);
}

/* n pages, every other one of a larger block: nothing adjacent. */
static void scattered(uint64_t *pages, unsigned int n, unsigned int seed)
{
	uint64_t base = pages_alloc(2 * n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		pages[i] = base + 2ull * i * PG;
		fill(pages[i], 1, seed + i);
	}
}

/* --- takeover and negotiation ------------------------------------------- */

static void test_takeover_live_device(void **state)
{
	const uint8_t want[] = { 0, VIRTIO_CONFIG_S_ACKNOWLEDGE, 0x03, 0x0b,
				 0x0f };
	uint16_t msix;
	unsigned int i;

	fake_vblk_set_live(m);
	m->reset_delay = 50;	/* status reads non-zero for a while */
	probe_ok();
	assert_string_equal(devs[0].name, "virtio0");
	assert_int_equal(devs[0].block_size, 512);
	assert_int_equal(devs[0].nr_blocks, SECTORS);
	/* 256 descriptors, four requests of 62 pages + header + status */
	assert_int_equal(devs[0].max_io_bytes, 62 * PG);
	assert_ptr_equal(virtio_blk_of(&devs[0]), vb);
	/* reset waited for, then ACK, DRIVER, FEATURES_OK, DRIVER_OK */
	assert_int_equal(m->resets, 1);
	assert_int_equal(m->nr_status, sizeof(want));
	for (i = 0; i < sizeof(want); i++)
		assert_int_equal(m->status_log[i], want[i]);
	/* only what the stub uses: not INDIRECT_DESC, not EVENT_IDX */
	assert_int_equal(m->driver_features,
			 1ull << VIRTIO_F_VERSION_1 |
			 1ull << VIRTIO_BLK_F_SEG_MAX |
			 1ull << VIRTIO_BLK_F_BLK_SIZE |
			 1ull << VIRTIO_BLK_F_FLUSH);
	assert_int_equal(m->qsize, 256);
	assert_int_equal(m->qenable, 1);
	assert_int_equal(m->qmsix, VIRTIO_MSI_NO_VECTOR);
	assert_true(m->qdesc != 0x7000000 && m->qavail && m->qused);
	assert_true(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	msix = fake_pci_r16(fn, 0x48 + PCI_MSIX_FLAGS);
	assert_false(msix & PCI_MSIX_FLAGS_ENABLE);
	assert_true(has_log("virtio0: 00:04.0 1af4:1042 status was 0x0f"));
	no_violations();
}

static void test_small_queue_and_limits(void **state)
{
	teardown(state);
	setup(state);
	fake_vblk_reset_all();
	fake_pci_reset();
	fake_phys_reset();
	make_device(0, 128 + 64);	/* not a power of two: 128 */
	m->offered |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
	m->size_max = 8192 + 512;	/* two pages per segment */
	m->seg_max = 8;
	m->blk_size = 4096;
	probe_ok();
	assert_int_equal(m->qsize, 128);
	assert_int_equal(devs[0].block_size, 4096);
	assert_int_equal(devs[0].nr_blocks, SECTORS / 8);
	assert_int_equal(devs[0].max_io_bytes, 8 * PG);
	no_violations();
}

static void test_refusals(void **state)
{
	static const struct {
		int knob;
		int err;
	} cases[] = {
		{ 0, E_VIRTIO_LEGACY_ONLY },
		{ 1, E_VIRTIO_RESET_TIMEOUT },
		{ 2, E_VIRTIO_FEATURES_OK },
		{ 3, E_VIRTIO_NO_VERSION_1 },
		{ 4, E_VIRTIO_RO },
		{ 5, E_VIRTIO_BLK_SIZE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teardown(state);
		setup(state);
		fake_vblk_reset_all();
		fake_pci_reset();
		fake_phys_reset();
		make_device(cases[i].knob == 0, 256);
		fake_vblk_set_live(m);
		if (cases[i].knob == 1) {
			m->never_reset = 1;
			fake_tsc_step = SLOW_TSC;
		}
		m->refuse_features = cases[i].knob == 2;
		if (cases[i].knob == 3)
			m->offered &= ~(1ull << VIRTIO_F_VERSION_1);
		if (cases[i].knob == 4)
			m->offered |= 1ull << VIRTIO_BLK_F_RO;
		if (cases[i].knob == 5)
			m->blk_size = 1024;
		if (probe() != cases[i].err)
			fail_msg("case %u: want %d\n%s", i, cases[i].err,
				 fake_log());
		assert_int_equal(ndev, 0);
		assert_null(vb);
		/* Whatever failed: no DMA from the device afterwards. */
		assert_false(fake_pci_r16(fn, PCI_COMMAND) &
			     PCI_COMMAND_MASTER);
		if (cases[i].knob != 1)
			no_violations();
	}
}

/* --- writes ------------------------------------------------------------- */

static void test_write_splits_into_chains(void **state)
{
	uint64_t pages[10], run;
	unsigned int i;

	m->seg_max = 4;
	probe_ok();
	assert_int_equal(devs[0].max_io_bytes, 4 * PG);
	scattered(pages, 10, 1);
	assert_int_equal(devs[0].submit_write(&devs[0], 16, pages, 10), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	/* 10 scattered pages, 4 segments each: 4 + 4 + 2 */
	assert_int_equal(fake_vblk_count(m, VIRTIO_BLK_T_OUT), 3);
	assert_int_equal(m->reqs[0].segs, 4);
	assert_int_equal(m->reqs[1].segs, 4);
	assert_int_equal(m->reqs[2].segs, 2);
	assert_int_equal(m->reqs[0].sector, 16);
	assert_int_equal(m->reqs[1].sector, 16 + 32);
	assert_int_equal(m->reqs[2].sector, 16 + 64);
	check_on_disk(16, pages, 10);

	/* 12 adjacent pages: merged into one segment, one request */
	run = pages_alloc(12);
	fill(run, 12, 77);
	for (i = 0; i < 10; i++)
		pages[i] = run + (uint64_t)i * PG;
	assert_int_equal(devs[0].submit_write(&devs[0], 1024, pages, 10), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	assert_int_equal(m->nr_reqs, 4);
	assert_int_equal(m->reqs[3].segs, 1);
	assert_int_equal(m->reqs[3].bytes, 10 * PG);
	check_on_disk(1024, pages, 10);
	no_violations();
}

static void test_size_max_splits_segments(void **state)
{
	uint64_t pages[6], run = pages_alloc(6);
	unsigned int i;

	m->offered |= 1ull << VIRTIO_BLK_F_SIZE_MAX;
	m->size_max = 2 * PG;
	m->seg_max = 2;
	probe_ok();
	fill(run, 6, 5);
	for (i = 0; i < 6; i++)
		pages[i] = run + (uint64_t)i * PG;
	assert_int_equal(devs[0].submit_write(&devs[0], 8, pages, 6), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	/* 2 segments of 2 pages per request: 4 pages, then 2 */
	assert_int_equal(m->nr_reqs, 2);
	assert_int_equal(m->reqs[0].segs, 2);
	assert_int_equal(m->reqs[0].bytes, 4 * PG);
	assert_int_equal(m->reqs[1].segs, 1);
	check_on_disk(8, pages, 6);
	no_violations();
}

/*
 * A small queue, a slow device, many single-page writes: the driver
 * fills the queue, waits for used entries, and the free-running 16-bit
 * ring indices wrap around.
 */
static void test_queue_full_wrap(void **state)
{
	uint64_t page, last;
	unsigned int i, n = 70000;

	teardown(state);
	setup(state);
	fake_vblk_reset_all();
	fake_pci_reset();
	fake_phys_reset();
	make_device(0, 8);
	m->latency = 3;
	probe_ok();
	page = pages_alloc(1);
	last = pages_alloc(1);
	fill(page, 1, 9);
	for (i = 0; i < n; i++)
		assert_int_equal(devs[0].submit_write(&devs[0], i % 64 * 8,
						      &page, 1), 0);
	fill(last, 1, 10);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &last, 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	assert_int_equal(m->total_reqs, n + 1);
	/* 8 descriptors, 3 per request: 2 in flight at most */
	assert_int_equal(m->max_inflight, 2);
	assert_true(m->used_idx == (uint16_t)(n + 1));
	check_on_disk(0, &last, 1);
	check_on_disk(8, &page, 1);
	no_violations();
}

static void test_many_in_flight(void **state)
{
	uint64_t pages[16];
	unsigned int i;

	m->latency = 1000;
	probe_ok();
	scattered(pages, 16, 3);
	for (i = 0; i < 16; i++)
		assert_int_equal(devs[0].submit_write(&devs[0], i * 8,
						      &pages[i], 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	assert_int_equal(m->max_inflight, 16);
	for (i = 0; i < 16; i++)
		check_on_disk(i * 8, &pages[i], 1);
	no_violations();
}

/* --- flush, read, shutdown ---------------------------------------------- */

static void test_flush(void **state)
{
	uint64_t pages[4];

	m->latency = 20;
	probe_ok();
	scattered(pages, 4, 11);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 4), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	assert_int_equal(m->nr_reqs, 2);
	assert_int_equal(m->reqs[1].type, VIRTIO_BLK_T_FLUSH);
	/* after every write completed */
	assert_int_equal(m->reqs[1].inflight, 0);
	assert_int_equal(devs[0].shutdown(&devs[0]), 0);
	assert_int_equal(m->status, 0);
	assert_int_equal(m->resets, 2);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 1),
			 E_VIRTIO_DEAD);
	no_violations();
}

static void test_no_flush_when_not_offered(void **state)
{
	uint64_t pages[2];

	m->offered &= ~(1ull << VIRTIO_BLK_F_FLUSH);
	probe_ok();
	scattered(pages, 2, 12);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 2), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	assert_int_equal(fake_vblk_count(m, VIRTIO_BLK_T_FLUSH), 0);
	assert_int_equal(fake_vblk_count(m, VIRTIO_BLK_T_OUT), 1);
	no_violations();
}

static void test_read(void **state)
{
	uint8_t *buf;
	uint64_t pa = pages_alloc(3);
	unsigned int i;

	probe_ok();
	for (i = 0; i < 3 * PG; i++)
		m->data[4096 + i] = (uint8_t)(i * 7 + 1);
	buf = hp(pa);
	memset(buf, 0, 3 * PG);
	assert_int_equal(devs[0].read(&devs[0], 8, pa + 512, 2 * PG), 0);
	assert_memory_equal(buf + 512, m->data + 4096, 2 * PG);
	assert_int_equal(m->reqs[0].type, VIRTIO_BLK_T_IN);
	assert_int_equal(devs[0].read(&devs[0], SECTORS, pa, 512),
			 E_VIRTIO_LBA_RANGE);
	assert_int_equal(devs[0].read(&devs[0], 0, pa, 100),
			 E_VIRTIO_IO_SIZE);
	no_violations();
}

/* --- failures ----------------------------------------------------------- */

static void test_never_completes(void **state)
{
	uint64_t pages[2];

	m->never_complete = 1;
	probe_ok();
	scattered(pages, 2, 13);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 2), 0);
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_VIRTIO_IO_TIMEOUT);
	assert_true(has_log("no progress for 30 s"));
	/* fenced: reset and no bus mastering */
	assert_int_equal(m->status, 0);
	assert_false(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_int_equal(devs[0].flush(&devs[0]), E_VIRTIO_IO_TIMEOUT);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 1),
			 E_VIRTIO_IO_TIMEOUT);
}

static void test_capture_deadline_ends_wait(void **state)
{
	uint64_t pages[1];

	m->never_complete = 1;
	probe_ok();
	scattered(pages, 1, 14);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 1), 0);
	/* the capture deadline passed: the wait ends at once */
	timer_set_capture_deadline(1);
	fake_tsc_step = SLOW_TSC;
	/* and says so: not the device's own 30 s timeout (-552) */
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_VIRTIO_IO_DEADLINE);
	timer_set_capture_deadline(0);
}

static void test_ioerr_mid_dump(void **state)
{
	uint64_t pages[12];
	unsigned int i;

	m->ioerr_at = 5;
	m->latency = 2;
	probe_ok();
	scattered(pages, 12, 15);
	for (i = 0; i < 12; i++)
		assert_int_equal(devs[0].submit_write(&devs[0], i * 8,
						      &pages[i], 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_VIRTIO_WRITE_STATUS);
	assert_true(has_log("virtio0: write of 4096 bytes at sector 32 "
			    "failed: status 1 (IOERR)"));
	/* the error is reported once; the device keeps working */
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	for (i = 0; i < 12; i++)
		if (i != 4)
			check_on_disk(i * 8, &pages[i], 1);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	no_violations();
}

static void test_bad_arguments(void **state)
{
	uint64_t page = pages_alloc(1);
	uint64_t odd = page + 512;

	probe_ok();
	assert_int_equal(devs[0].submit_write(&devs[0], SECTORS, &page, 1),
			 E_VIRTIO_LBA_RANGE);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &odd, 1),
			 E_VIRTIO_ALIGN);
	assert_int_equal(m->nr_reqs, 0);
	no_violations();
}

/* --- the storage layer -------------------------------------------------- */

static void test_storage_probe_and_quiesce(void **state)
{
	unsigned int n;

	fake_vblk_set_live(m);
	assert_int_equal(storage_probe(&ai, devs, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(devs[0].name, "virtio0");
	assert_false(has_log("no driver yet"));
	storage_quiesce_except(&devs[0]);
	assert_true(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_int_equal(m->status & VIRTIO_CONFIG_S_DRIVER_OK,
			 VIRTIO_CONFIG_S_DRIVER_OK);
	storage_quiesce_except(NULL);
	assert_int_equal(m->status, 0);
	assert_false(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	no_violations();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_takeover_live_device),
		T(test_small_queue_and_limits),
		T(test_refusals),
		T(test_write_splits_into_chains),
		T(test_size_max_splits_segments),
		T(test_queue_full_wrap),
		T(test_many_in_flight),
		T(test_flush),
		T(test_no_flush_when_not_offered),
		T(test_read),
		T(test_never_completes),
		T(test_capture_deadline_ends_wait),
		T(test_ioerr_mid_dump),
		T(test_bad_arguments),
		T(test_storage_probe_and_quiesce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
