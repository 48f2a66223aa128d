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

#include "fakes.h"
#include "fake_nvme.h"
#include "fake_pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "blkdev.h"
#include "drivers/nvme.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "errors.h"

#define ECAM_BASE	0xe0000000ull
#define BAR		0xfe000000ull
#define BAR2		0xfe100000ull
#define NS_BLOCKS	32768ull	/* 16 MiB of 512-byte blocks */
#define PG		4096u
#define SLOW_TSC	10000000ull	/* 2 ms per rdtsc: deadlines pass */

static struct fake_nvme *m;
static struct fake_pci_fn *fn;
static struct acpi_info ai;
static struct blkdev devs[48];
static unsigned int ndev;
static struct nvme_ctrl *ctrl;

static void *host_pages[64];
static unsigned int nr_host_pages;

static inline uint64_t pages_alloc(unsigned int n)
{
	void *p = aligned_alloc(PG, (size_t)n * PG);

	assert_non_null(p);
	assert_true(nr_host_pages < 64);
	host_pages[nr_host_pages++] = p;
	return (uint64_t)(uintptr_t)p;
}

static inline void *hp(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline void ecam_for_bus0(void)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };

	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0, 0);
}

static inline int setup(void **state)
{
	fake_phys_reset();
	fake_pci_reset();
	fake_nvme_reset_all();
	fake_log_reset();
	fake_tsc_step = 1000;
	nvme_forget();
	ndev = 0;
	ctrl = NULL;
	memset(devs, 0, sizeof(devs));
	ecam_for_bus0();
	fn = fake_nvme_pci(0, 3, BAR, 1);
	m = fake_nvme_new(fn, BAR);
	fake_nvme_add_ns(m, 1, NS_BLOCKS, 9, 0);
	return 0;
}

static inline int teardown(void **state)
{
	unsigned int i;

	for (i = 0; i < nr_host_pages; i++)
		free(host_pages[i]);
	nr_host_pages = 0;
	fake_nvme_reset_all();
	fake_pci_reset();
	fake_phys_reset();
	return 0;
}

static inline void no_violations(void)
{
	if (m->violations)
		fail_msg("fake NVMe saw %u violations: %s", m->violations,
			 m->why);
}

static inline const struct pci_dev *pdev_at(uint8_t dev)
{
	unsigned int n, i;
	struct pci_dev *d = pci_devices(&n);

	for (i = 0; i < n; i++)
		if (d[i].devfn == PCI_DEVFN(dev, 0))
			return &d[i];
	return NULL;
}

static inline int probe(void)
{
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_scan(), 0);
	return nvme_probe(pdev_at(3), 0, devs, 48, &ndev, &ctrl);
}

static inline void probe_ok(void)
{
	int err = probe();

	if (err)
		fail_msg("probe: %d %s\n%s", err, stub_strerror(err),
			 fake_log());
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

static inline int has_log(const char *s)
{
	return strstr(fake_log(), s) != NULL;
}

/* Fill n pages with bytes nobody else uses: page i of call seed. */
static inline void fill(uint64_t pa, unsigned int n, unsigned int seed)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		uint32_t *w = hp(pa + (uint64_t)i * PG);

		for (j = 0; j < PG / 4; j++)
			w[j] = seed << 24 ^ i << 12 ^ j;
	}
}

static inline void check_on_disk(uint64_t lba, const uint64_t *pages,
				 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memcmp(m->ns[0].data + (lba << 9) + (uint64_t)i * PG,
			   hp(pages[i]), PG))
			fail_msg("page %u of %u differs on the disk", i, n);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

#endif /* NVME_HARNESS_H */
