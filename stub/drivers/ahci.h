/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polled AHCI (SATA) driver: what the storage layer calls.  The driver is
 * ahci.c (HBA takeover, disks) over ahci_io.c (command slots, PRDTs, the
 * blkdev operations) over ahci_port.c (port states: stop, COMRESET,
 * start); ahci_defs.h has the registers and structures.
 */
#ifndef STUB_DRIVERS_AHCI_H
#define STUB_DRIVERS_AHCI_H

#include "ahci_defs.h"

struct blkdev;
struct pci_dev;

struct ahci_ctrl;

/* Forget every HBA (storage_scan does; unit tests too). */
void ahci_forget(void);

/*
 * Take over the AHCI HBA at pdev and fill one blkdev per ATA disk on its
 * ports (at most max).  index names them ("ahci<index>p<port>").
 */
int ahci_probe(const struct pci_dev *pdev, unsigned int index,
	       struct blkdev *devs, unsigned int max, unsigned int *count,
	       struct ahci_ctrl **ctrl);

/* The HBA behind a blkdev ahci_probe filled, or NULL. */
struct ahci_ctrl *ahci_ctrl_of(const struct blkdev *d);

/* Stop every port of an HBA the dump does not use. */
int ahci_disable(struct ahci_ctrl *c);

void ahci_get_stats(const struct blkdev *d, struct ahci_stats *st);

#endif /* STUB_DRIVERS_AHCI_H */
