/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The storage layer between the dump writer and the drivers: enumerate PCI,
 * take over every supported controller, hand out one blkdev per usable
 * namespace or disk; after the writer picked its target, stop DMA from
 * everything else.
 */
#ifndef STUB_DRIVERS_STORAGE_H
#define STUB_DRIVERS_STORAGE_H

#include "bmdump/transport.h"
#include "bmdump/types.h"

struct acpi_info;
struct blkdev;
struct pci_dev;

/*
 * The storage layer's tables, sized so that no server reaches them (PCI
 * tracks at most 1024 functions; a 24-NVMe server with 32 namespaces each
 * has 768 namespaces).  The drivers keep no tables of their own: their
 * state comes from the DMA pool per controller, a few pages each.
 */
#define STORAGE_MAX_CTRLS	256
#define STORAGE_MAX_BLKDEVS	1024	/* namespaces and disks, all kinds */

/* The rule is shared with `bmdump status`: include/bmdump/transport.h. */
enum storage_kind {
	STORAGE_NONE = BMDUMP_TRANSPORT_NONE,
	STORAGE_NVME = BMDUMP_TRANSPORT_NVME,
	STORAGE_VIRTIO_BLK = BMDUMP_TRANSPORT_VIRTIO_BLK,
	STORAGE_AHCI = BMDUMP_TRANSPORT_AHCI,
};

/* What kind of storage controller a PCI function is. */
int storage_kind(const struct pci_dev *d);

/*
 * Enumerate PCI (ai may be NULL: CF8/CFC only) and turn bus mastering off
 * on every endpoint, disks included, so that nothing DMAs while the IOMMU
 * stage runs.  0, or the error that leaves no PCI device to drive.
 */
int storage_scan(const struct acpi_info *ai);

/*
 * After storage_scan(): bring up every supported controller, return one
 * blkdev per usable namespace in devs[0..*count).  0 if at least one
 * blkdev is usable, else the error.
 */
int storage_probe_scanned(struct blkdev *devs, unsigned int max,
			  unsigned int *count);

/* Both at once (no IOMMU stage between them). */
int storage_probe(const struct acpi_info *ai, struct blkdev *devs,
		  unsigned int max, unsigned int *count);

/*
 * After the writer picked target (NULL: none): disable every other
 * controller, bus mastering off on every function but the target and the
 * bridges above it, MSI/MSI-X/INTx off on the target.
 */
void storage_quiesce_except(const struct blkdev *target);

/* The PCI function behind a blkdev of the storage layer, or NULL. */
const struct pci_dev *storage_pdev_of(const struct blkdev *d);

/* How long the last storage_probe() spent walking PCI and bringing up
 * the controllers, in microseconds. */
void storage_times(uint64_t *pci_us, uint64_t *init_us);

#endif /* STUB_DRIVERS_STORAGE_H */
