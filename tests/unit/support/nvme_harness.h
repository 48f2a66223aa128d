/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The NVMe unit tests' shared harness (tests/unit/test_nvme.c: takeover,
 * admin queue, storage layer; tests/unit/test_nvme_io.c: writes, PRPs,
 * I/O errors, shutdown): one fake controller on bus 0 behind ECAM, setup
 * and teardown, probe and disk-content helpers.  Each test binary includes
 * it once; the helpers are static inline so a binary may leave some unused.
 */
#ifndef NVME_HARNESS_H
#define NVME_HARNESS_H

#include "blk_harness.h"
#include "fake_nvme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "blkdev.h"
#include "drivers/nvme.h"
#include "timer.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "errors.h"

#define BAR		0xfe000000ull
#define BAR2		0xfe100000ull
#define NS_BLOCKS	32768ull	/* 16 MiB of 512-byte blocks */

static struct fake_nvme *m;
static struct fake_pci_fn *fn;
static struct acpi_info ai;
static struct blkdev devs[48];
static unsigned int ndev;
static struct nvme_ctrl *ctrl;

static inline int setup(void **state)
{
	blk_fakes_reset();
	timer_set_capture_deadline(0);	/* none left by a failed test */
	fake_nvme_reset_all();
	nvme_forget();
	ndev = 0;
	ctrl = NULL;
	memset(devs, 0, sizeof(devs));
	ecam_for_bus0(&ai);
	fn = fake_nvme_pci(0, 3, BAR, 1);
	m = fake_nvme_new(fn, BAR);
	fake_nvme_add_ns(m, 1, NS_BLOCKS, 9, 0);
	return 0;
}

static inline int teardown(void **state)
{
	fake_nvme_reset_all();
	blk_fakes_free();
	return 0;
}

static inline void no_violations(void)
{
	no_violations_in("NVMe", m->violations, m->why);
}

static inline int probe(void)
{
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_scan(), 0);
	return nvme_probe(pdev_at(3), 0, devs, 48, &ndev, &ctrl);
}

static inline void probe_ok(void)
{
	probe_err_ok(probe());
	assert_true(ndev >= 1);
}

static inline uint16_t pci_cmd(void)
{
	return fake_pci_r16(fn, PCI_COMMAND);
}

static inline void no_flr(void)
{
	uint8_t pos = fn->cfg[PCI_CAPABILITY_LIST];

	while (pos && fn->cfg[pos] != PCI_CAP_ID_EXP)
		pos = fn->cfg[pos + 1];
	assert_true(pos);
	fake_pci_w32(fn, pos + PCI_EXP_DEVCAP, 0);
}

static inline const struct fake_nvme_cmd *
cmd_at(const struct fake_nvme *mm, int qid, int opcode, unsigned int n)
{
	const struct fake_nvme_cmd *c = fake_nvme_nth(mm, qid, opcode, n);

	if (!c)
		fail_msg("no command %u (queue %d, opcode %d)", n, qid, opcode);
	return c;
}

static inline void check_on_disk(uint64_t lba, const uint64_t *pages,
				 unsigned int n)
{
	check_pages_at(m->ns[0].data + (lba << 9), pages, n);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif /* NVME_HARNESS_H */
