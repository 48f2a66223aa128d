/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the block driver unit tests share (test_nvme.c and test_nvme_io.c
 * through nvme_harness.h, test_ahci.c, test_virtio_blk.c): host pages the
 * fake devices DMA to and from, one ECAM segment for bus 0, finding a probed
 * function, the captured log, page patterns and their check on the fake
 * disk, and failing a test on the fake device's spec violations.  Each test
 * binary includes it once; the helpers are static inline so a binary may
 * leave some unused.
 */
#ifndef BLK_HARNESS_H
#define BLK_HARNESS_H

#include "fakes.h"
#include "fake_pci.h"

#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "drivers/pci.h"
#include "errors.h"

#define ECAM_BASE	0xe0000000ull
#define PG		4096u
#define SLOW_TSC	10000000ull	/* 2 ms per rdtsc: deadlines pass */

#define MAX_HOST_PAGES	64

static void *host_pages[MAX_HOST_PAGES];
static unsigned int nr_host_pages;

/* n uninitialised host pages, freed by pages_free_all() at teardown. */
static inline uint64_t pages_alloc(unsigned int n)
{
	void *p = aligned_alloc(PG, (size_t)n * PG);

	assert_non_null(p);
	assert_true(nr_host_pages < MAX_HOST_PAGES);
	host_pages[nr_host_pages++] = p;
	return (uint64_t)(uintptr_t)p;
}

static inline void pages_free_all(void)
{
	unsigned int i;

	for (i = 0; i < nr_host_pages; i++)
		free(host_pages[i]);
	nr_host_pages = 0;
}

/* Setup: no physical memory, PCI functions or log; the TSC at its pace. */
static inline void blk_fakes_reset(void)
{
	fake_phys_reset();
	fake_pci_reset();
	fake_log_reset();
	fake_tsc_step = 1000;
	fake_dma_budget = 0;
	fake_dma_allocated = 0;
}

/* Teardown, after the device model went: the host pages, PCI, memory. */
static inline void blk_fakes_free(void)
{
	pages_free_all();
	fake_pci_reset();
	fake_phys_reset();
}

static inline void *hp(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* An MCFG with one ECAM window for segment 0, bus 0, installed. */
static inline void ecam_for_bus0(struct acpi_info *ai)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };

	fake_pci_acpi(ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0, 0);
}

/* Function 0 of device dev on bus 0 as pci_scan() found it, or NULL. */
static inline const struct pci_dev *pdev_at(uint8_t dev)
{
	unsigned int n, i;
	struct pci_dev *d = pci_devices(&n);

	for (i = 0; i < n; i++)
		if (d[i].devfn == PCI_DEVFN(dev, 0))
			return &d[i];
	return NULL;
}

/* Fail the test with the log unless the probe returned 0. */
static inline void probe_err_ok(int err)
{
	if (err)
		fail_msg("probe: %d %s\n%s", err, stub_strerror(err),
			 fake_log());
}

/* Fail the test on any spec violation the fake device (what) counted. */
static inline void no_violations_in(const char *what, unsigned int violations,
				    const char *why)
{
	if (violations)
		fail_msg("fake %s saw %u violations: %s\n%s", what,
			 violations, why, fake_log());
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

/* The n pages from at on the fake disk hold what pages[] do. */
static inline void check_pages_at(const uint8_t *at, const uint64_t *pages,
				  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memcmp(at + (uint64_t)i * PG, hp(pages[i]), PG))
			fail_msg("page %u of %u differs on the disk", i, n);
}

#endif /* BLK_HARNESS_H */
