/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polled NVMe driver for a controller the crashed kernel was driving a
 * moment ago: reset it (CSTS.RDY=0 is the DMA fence), one admin queue, one
 * I/O queue pair with up to 63 commands in flight, zero-copy writes whose
 * PRP lists point straight at the caller's pages, orderly shutdown at the
 * end.  Names follow the NVM Express Base Specification.
 */
#ifndef STUB_DRIVERS_NVME_H
#define STUB_DRIVERS_NVME_H

#include "bmdump/types.h"

struct blkdev;
struct pci_dev;

#include "nvme_defs.h"

struct nvme_ctrl;

/* Forget every controller (storage_probe does; unit tests too). */
void nvme_forget(void);

/*
 * Take over the NVMe controller at pdev and fill one blkdev per usable
 * namespace (at most max).  index names it ("nvme<index>n<nsid>").
 */
int nvme_probe(const struct pci_dev *pdev, unsigned int index,
	       struct blkdev *devs, unsigned int max, unsigned int *count,
	       struct nvme_ctrl **ctrl);

/* The controller behind a blkdev nvme_probe filled, or NULL. */
struct nvme_ctrl *nvme_ctrl_of(const struct blkdev *d);
const struct pci_dev *nvme_pci_dev(const struct nvme_ctrl *c);

/* Stop a controller the dump does not use: CC.EN=0, wait RDY=0. */
int nvme_disable(struct nvme_ctrl *c);

void nvme_get_stats(const struct nvme_ctrl *c, struct nvme_stats *st);

#endif /* STUB_DRIVERS_NVME_H */
