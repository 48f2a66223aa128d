// SPDX-License-Identifier: GPL-2.0
/*
 * The AHCI driver against a fake HBA (tests/unit/support/fake_ahci.c) that
 * runs the port state machine, fetches command headers, FISes and PRDTs
 * from memory and keeps the disk in a host buffer, and the storage layer on
 * top.  The model counts every spec violation; each test ends by checking
 * that there were none.
 */
#include "blk_harness.h"
#include "fake_ahci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "blkdev.h"
#include "drivers/ahci.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "timer.h"
#include "errors.h"

#define ABAR		0xfebf1000ull
#define SECTORS		16384ull	/* 8 MiB of 512-byte sectors */

static struct fake_ahci *m;
static struct fake_ahci_port *disk;
static struct fake_pci_fn *fn;
static struct acpi_info ai;
static struct blkdev devs[8];
static unsigned int ndev;
static struct ahci_ctrl *ctrl;
static int bme_on_at;		/* m->nr_regw when BME went on, or -1 */

static void on_cfg_write(struct fake_pci_fn *f, uint16_t reg, uint32_t val,
			 int size)
{
	if (reg == PCI_COMMAND && (val & PCI_COMMAND_MASTER) && bme_on_at < 0)
		bme_on_at = (int)m->nr_regw;
}

static int setup(void **state)
{
	blk_fakes_reset();
	fake_ahci_reset_all();
	ahci_forget();
	ndev = 0;
	ctrl = NULL;
	memset(devs, 0, sizeof(devs));
	ecam_for_bus0(&ai);
	fn = fake_ahci_pci(0, 0x1f, ABAR);
	m = fake_ahci_new(fn, ABAR);
	disk = fake_ahci_add_disk(m, 0, SECTORS, 512);
	bme_on_at = -1;
	fn->on_write = on_cfg_write;
	return 0;
}

static int teardown(void **state)
{
	fake_cpu_relax_hook = NULL;
	fake_ahci_reset_all();
	blk_fakes_free();
	return 0;
}

static void no_violations(void)
{
	no_violations_in("AHCI", m->violations, m->why);
}

static int probe(void)
{
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_scan(), 0);
	/* storage_scan turned bus mastering off everywhere before. */
	pci_clear_master(pdev_at(0x1f));
	bme_on_at = -1;
	return ahci_probe(pdev_at(0x1f), 0, devs, 8, &ndev, &ctrl);
}

static void probe_ok(void)
{
	probe_err_ok(probe());
	assert_int_equal(ndev, 1);
}

static void check_on_disk(uint64_t lba, const uint64_t *pages,
			  unsigned int n)
{
	check_pages_at(disk->data + lba * disk->sector_size, pages, n);
}

static uint32_t preg(unsigned int p, uint32_t off)
{
	return AHCI_PORT_BASE(p) + off;
}

/* --- takeover ------------------------------------------------------------ */

static void test_takeover_live_hba(void **state)
{
	int oos, ghc, stop, clb, st, i;
	unsigned int p;

	m->vs = 0x00010301;
	m->cap2 = AHCI_CAP2_BOH;
	m->bohc = AHCI_BOHC_BOS;
	fake_ahci_set_live(m);
	probe_ok();
	assert_string_equal(devs[0].name, "ahci0p0");
	assert_int_equal(devs[0].block_size, 512);
	assert_int_equal(devs[0].nr_blocks, SECTORS);
	assert_int_equal(devs[0].max_io_bytes, AHCI_MAX_IO_BYTES);
	assert_ptr_equal(ahci_ctrl_of(&devs[0]), ctrl);

	/* BIOS handoff first, then AE without IE, then the ports. */
	oos = fake_ahci_regw_find(m, AHCI_BOHC, 0);
	ghc = fake_ahci_regw_find(m, AHCI_GHC, 0);
	stop = fake_ahci_regw_find(m, preg(0, AHCI_PxCMD), 0);
	assert_true(oos >= 0 && ghc > oos && stop > ghc);
	assert_true(m->regw[oos].val & AHCI_BOHC_OOS);
	assert_false(m->bohc & AHCI_BOHC_BOS);
	assert_int_equal(m->regw[ghc].val, AHCI_GHC_AE);
	assert_false(m->regw[stop].val & AHCI_PxCMD_ST);

	/* Bus mastering only after every implemented port stopped. */
	assert_true(bme_on_at > 0);
	for (p = 0; p < FAKE_AHCI_PORTS; p++) {
		int last = -1;

		for (i = 0; i < bme_on_at; i++)
			if (m->regw[i].off == preg(p, AHCI_PxCMD))
				last = i;
		if (last < 0)
			fail_msg("port %u never stopped before BME", p);
		assert_false(m->regw[last].val & (AHCI_PxCMD_ST |
						  AHCI_PxCMD_FRE));
	}
	/* The stub's own lists, written after BME, then ST last. */
	clb = fake_ahci_regw_find(m, preg(0, AHCI_PxCLB), 0);
	assert_true(clb >= bme_on_at);	/* bme_on_at: the next write */
	assert_false(disk->clb >= FAKE_AHCI_OLD_MEM &&
		     disk->clb < FAKE_AHCI_OLD_MEM + 0x100000);
	assert_int_equal(disk->ie, 0);
	assert_false(m->ghc & AHCI_GHC_IE);
	assert_true(disk->cmd & AHCI_PxCMD_ST);
	st = -1;
	for (i = clb; i < (int)m->nr_regw; i++)
		if (m->regw[i].off == preg(0, AHCI_PxCMD) &&
		    (m->regw[i].val & AHCI_PxCMD_ST))
			st = i;
	assert_true(st > clb);
	/* Errors the old kernel left are cleared; only port 0 is used. */
	assert_int_equal(disk->serr, 0);
	assert_false(m->port[1].cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_FRE));
	assert_int_equal(fake_ahci_count(m, ATA_CMD_IDENTIFY), 1);
	assert_int_equal(disk->comresets, 0);
	assert_true(has_log("NCQ, 32 slots"));
	no_violations();
}

static void test_bios_keeps_hba(void **state)
{
	m->vs = 0x00010301;
	m->cap2 = AHCI_CAP2_BOH;
	m->bohc = AHCI_BOHC_BOS;
	m->bios_never_releases = 1;
	fake_tsc_step = SLOW_TSC;
	probe_ok();
	assert_true(has_log(stub_strerror(E_AHCI_HANDOFF)));
	no_violations();
}

static void test_port_that_does_not_stop_gets_comreset(void **state)
{
	uint64_t pg;

	fake_ahci_set_live(m);
	disk->stuck = 1;
	probe_ok();
	assert_int_equal(disk->comresets, 1);
	assert_true(has_log("does not stop"));
	/* The port works after it. */
	pg = pages_alloc(1);
	fill(pg, 1, 7);
	assert_int_equal(devs[0].submit_write(&devs[0], 8, &pg, 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(8, &pg, 1);
	no_violations();
}

static void test_busy_drive_gets_comreset(void **state)
{
	disk->tfd = ATA_STS_BSY;
	fake_tsc_step = SLOW_TSC;
	probe_ok();
	assert_int_equal(disk->comresets, 1);
	assert_true(has_log("drive busy"));
	no_violations();
}

static void test_empty_and_atapi_ports_skipped(void **state)
{
	fake_ahci_add_disk(m, 2, SECTORS, 512)->sig = AHCI_SIG_ATAPI;
	fake_ahci_add_disk(m, 3, SECTORS, 512);
	assert_int_equal(probe(), 0);
	assert_int_equal(ndev, 2);
	assert_string_equal(devs[0].name, "ahci0p0");
	assert_string_equal(devs[1].name, "ahci0p3");
	assert_int_equal(fake_ahci_count(m, ATA_CMD_IDENTIFY), 2);
	no_violations();
}

static void test_hba_without_disks_is_no_error(void **state)
{
	free(disk->data);
	memset(disk, 0, sizeof(*disk));
	disk->cmd = AHCI_PxCMD_SUD | AHCI_PxCMD_POD;
	assert_int_equal(probe(), 0);
	assert_int_equal(ndev, 0);
	assert_false(has_log("error"));
	assert_true(has_log(stub_strerror(E_AHCI_NO_DISK)));
	no_violations();
}

/* --- writes -------------------------------------------------------------- */

/* n pages, every other one from a second buffer: nothing to merge. */
static void scattered(uint64_t *pages, unsigned int n)
{
	uint64_t a = pages_alloc(n), b = pages_alloc(n);
	unsigned int i;

	for (i = 0; i < n; i++)
		pages[i] = (i & 1 ? b : a) + (uint64_t)i * PG;
}

static void test_write_split_over_prdt_and_slots(void **state)
{
	static uint64_t pages[300];
	unsigned int i;

	disk->latency = 20;
	probe_ok();
	scattered(pages, 300);
	for (i = 0; i < 300; i++)
		fill(pages[i], 1, i);
	assert_int_equal(devs[0].submit_write(&devs[0], 64, pages, 300), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(64, pages, 300);
	assert_int_equal(fake_ahci_count(m, ATA_CMD_WRITE_FPDMA), 3);
	for (i = 0; i < 3; i++) {
		const struct fake_ahci_cmd *c = &m->cmds[1 + i];

		assert_int_equal(c->command, ATA_CMD_WRITE_FPDMA);
		assert_int_equal(c->prdtl, i < 2 ? 128 : 44);
		assert_int_equal(c->count, (i < 2 ? 128 : 44) * 8);
		assert_int_equal(c->lba, 64 + i * 128 * 8);
		assert_int_equal(c->first_dba, pages[i * 128]);
	}
	assert_true(disk->max_outstanding >= 2);
	no_violations();
}

static void test_adjacent_pages_share_a_prd(void **state)
{
	uint64_t base, pages[8];
	unsigned int i;

	probe_ok();
	base = pages_alloc(8);
	for (i = 0; i < 8; i++)
		pages[i] = base + (uint64_t)i * PG;
	fill(base, 8, 3);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 8), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(0, pages, 8);
	assert_int_equal(m->cmds[1].prdtl, 1);
	assert_int_equal(m->cmds[1].bytes, 8 * PG);
	no_violations();
}

static void test_without_ncq_dma_ext_in_several_slots(void **state)
{
	static uint64_t pages[300];
	unsigned int i;

	disk->ncq = 0;
	disk->latency = 20;
	probe_ok();
	assert_true(has_log("no NCQ"));
	scattered(pages, 300);
	for (i = 0; i < 300; i++)
		fill(pages[i], 1, i + 1000);
	assert_int_equal(devs[0].submit_write(&devs[0], 8, pages, 300), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(8, pages, 300);
	assert_int_equal(fake_ahci_count(m, ATA_CMD_WRITE_FPDMA), 0);
	assert_int_equal(fake_ahci_count(m, ATA_CMD_WRITE_DMA_EXT), 3);
	assert_true(disk->max_outstanding >= 2);
	no_violations();
}

static void test_4kn_and_512e_disks(void **state)
{
	uint64_t pg;

	free(disk->data);
	disk = fake_ahci_add_disk(m, 0, SECTORS / 8, 4096);
	fake_ahci_add_disk(m, 1, SECTORS, 512)->phys_log2 = 3;
	assert_int_equal(probe(), 0);
	assert_int_equal(ndev, 2);
	assert_int_equal(devs[0].block_size, 4096);
	assert_int_equal(devs[0].nr_blocks, SECTORS / 8);
	assert_int_equal(devs[1].block_size, 512);
	assert_true(has_log("sectors of 512 bytes (physical 4096"));
	pg = pages_alloc(1);
	fill(pg, 1, 9);
	assert_int_equal(devs[0].submit_write(&devs[0], 5, &pg, 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(5, &pg, 1);
	assert_int_equal(m->cmds[m->nr_cmds - 1].count, 1);
	no_violations();
}

static void test_read_back(void **state)
{
	uint64_t pages[4], buf;
	unsigned int i;

	probe_ok();
	scattered(pages, 4);
	for (i = 0; i < 4; i++)
		fill(pages[i], 1, i + 50);
	assert_int_equal(devs[0].submit_write(&devs[0], 16, pages, 4), 0);
	buf = pages_alloc(4);
	/* The read waits for the queued writes first. */
	assert_int_equal(devs[0].read(&devs[0], 16, buf + 512, 3 * PG), 0);
	for (i = 0; i < 3; i++)
		assert_memory_equal(hp(buf + 512 + (uint64_t)i * PG),
				    hp(pages[i]), PG);
	assert_int_equal(fake_ahci_count(m, ATA_CMD_READ_DMA_EXT), 1);
	assert_int_equal(devs[0].read(&devs[0], 16, buf, 100),
			 E_AHCI_IO_SIZE);
	assert_int_equal(devs[0].read(&devs[0], SECTORS, buf, 512),
			 E_AHCI_LBA_RANGE);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &buf, 1), 0);
	buf += 8;
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &buf, 1),
			 E_AHCI_ALIGN);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	no_violations();
}

static void test_flush(void **state)
{
	uint64_t pg;
	unsigned int n;

	probe_ok();
	pg = pages_alloc(1);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pg, 1), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	n = m->nr_cmds;
	assert_int_equal(m->cmds[n - 2].command, ATA_CMD_WRITE_FPDMA);
	assert_int_equal(m->cmds[n - 1].command, ATA_CMD_FLUSH_CACHE_EXT);
	no_violations();
	/* A drive without FLUSH CACHE EXT gets FLUSH CACHE. */
	fake_ahci_reset_all();
	setup(state);
	disk->flush_ext = 0;
	probe_ok();
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	assert_int_equal(m->cmds[m->nr_cmds - 1].command, ATA_CMD_FLUSH_CACHE);
	no_violations();
}

static void test_shutdown_stops_port(void **state)
{
	probe_ok();
	assert_int_equal(devs[0].shutdown(&devs[0]), 0);
	assert_false(disk->cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_CR |
				  AHCI_PxCMD_FRE | AHCI_PxCMD_FR));
	assert_int_equal(devs[0].shutdown(&devs[0]), 0);
	no_violations();
}

/* --- failures ---------------------------------------------------------- */

static void test_device_never_completes(void **state)
{
	uint64_t pg;

	probe_ok();
	disk->hold = 1;
	fake_tsc_step = SLOW_TSC;
	pg = pages_alloc(1);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pg, 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_AHCI_IO_TIMEOUT);
	assert_true(has_log(stub_strerror(E_AHCI_IO_TIMEOUT)));
	assert_false(disk->cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_CR));
	/* Dead from now on, every call bounded. */
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pg, 1),
			 E_AHCI_IO_TIMEOUT);
	assert_int_equal(devs[0].flush(&devs[0]), E_AHCI_IO_TIMEOUT);
	no_violations();
}

/* The capture deadline, not the disk's own timeout, ended the wait: the
 * log must say which, or an operator lengthens the wrong limit. */
static void test_capture_deadline_named(void **state)
{
	uint64_t pg;

	probe_ok();
	disk->hold = 1;
	pg = pages_alloc(1);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pg, 1), 0);
	timer_set_capture_deadline(1);
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_AHCI_IO_DEADLINE);
	timer_set_capture_deadline(0);
	assert_true(has_log(stub_strerror(E_AHCI_IO_DEADLINE)));
	no_violations();
}

static void test_identify_never_completes(void **state)
{
	disk->hold = 1;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(probe(), 0);
	assert_int_equal(ndev, 0);
	assert_true(has_log(stub_strerror(E_AHCI_CMD_TIMEOUT)));
	assert_true(has_log(stub_strerror(E_AHCI_NO_DISK)));
	assert_false(disk->cmd & (AHCI_PxCMD_ST | AHCI_PxCMD_CR));
	no_violations();
}

static void test_task_file_error_mid_dump(void **state)
{
	static uint64_t pages[640];
	uint64_t pg;

	disk->latency = 5;
	disk->inject_cmd = 3;
	probe_ok();
	scattered(pages, 640);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pages, 640), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_AHCI_WRITE_TFE);
	assert_true(has_log("status 0x51 error 0x04"));
	assert_true(has_log("NCQ command 0x61 in slots 0x0000001f (lba 0 to "
			    "5119) failed"));
	/* Reported once; the port runs again for the area's log/header. */
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	pg = pages_alloc(1);
	fill(pg, 1, 77);
	assert_int_equal(devs[0].submit_write(&devs[0], 4000, &pg, 1), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	check_on_disk(4000, &pg, 1);
	no_violations();
}

static void test_read_and_flush_errors(void **state)
{
	uint64_t buf;

	disk->ncq = 0;
	disk->inject_cmd = 1;
	probe_ok();
	buf = pages_alloc(1);
	assert_int_equal(devs[0].read(&devs[0], 0, buf, PG), E_AHCI_READ_TFE);
	assert_int_equal(devs[0].read(&devs[0], 0, buf, PG), 0);
	disk->fail_flush = 1;
	assert_int_equal(devs[0].flush(&devs[0]), E_AHCI_FLUSH_TFE);
	assert_true(has_log("command 0xea"));
	disk->fail_flush = 0;
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	no_violations();
}

/* --- storage layer -------------------------------------------------------- */

static void test_storage_probe_and_quiesce(void **state)
{
	unsigned int n;

	assert_int_equal(storage_probe(&ai, devs, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(devs[0].name, "ahci0p0");
	assert_false(has_log("no driver yet"));
	storage_quiesce_except(&devs[0]);
	assert_true(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(disk->cmd & AHCI_PxCMD_ST);
	storage_quiesce_except(NULL);
	assert_false(disk->cmd & AHCI_PxCMD_ST);
	assert_false(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	no_violations();
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_takeover_live_hba),
		T(test_bios_keeps_hba),
		T(test_port_that_does_not_stop_gets_comreset),
		T(test_busy_drive_gets_comreset),
		T(test_empty_and_atapi_ports_skipped),
		T(test_hba_without_disks_is_no_error),
		T(test_write_split_over_prdt_and_slots),
		T(test_adjacent_pages_share_a_prd),
		T(test_without_ncq_dma_ext_in_several_slots),
		T(test_4kn_and_512e_disks),
		T(test_read_back),
		T(test_flush),
		T(test_shutdown_stops_port),
		T(test_device_never_completes),
		T(test_capture_deadline_named),
		T(test_identify_never_completes),
		T(test_task_file_error_mid_dump),
		T(test_read_and_flush_errors),
		T(test_storage_probe_and_quiesce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
