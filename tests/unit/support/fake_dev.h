/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fake PCI device models share (fake_ahci.c, fake_nvme.c,
 * fake_virtio_blk.c): the host address behind a DMA address, the PCI
 * command bits a device obeys, and recording a spec violation.  Each
 * model's struct has pci, violations and why[]; its file defines
 * FAKE_MODEL, the name its violations are echoed under, before including
 * this.  Macros where the model's own struct type goes in.
 */
#ifndef FAKE_DEV_H
#define FAKE_DEV_H

#include "fakes.h"
#include "fake_pci.h"

#include "drivers/pci.h"

/* The fakes' DMA addresses are host addresses (pages_alloc()). */
static inline void *host(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline int fake_command_bit(const struct fake_pci_fn *pci, uint16_t bit)
{
	return !!(fake_pci_r16(pci, PCI_COMMAND) & bit);
}

#define bus_master(m)	fake_command_bit((m)->pci, PCI_COMMAND_MASTER)
#define mem_decode(m)	fake_command_bit((m)->pci, PCI_COMMAND_MEMORY)

/* The model in models[0..nr) whose BAR of size bytes holds pa, or NULL. */
#define fake_model_at(models, nr, pa, size) ({ \
	__typeof__((models)[0]) found_ = NULL; \
	unsigned int i_; \
	for (i_ = 0; i_ < (nr) && !found_; i_++) \
		if ((pa) >= (models)[i_]->bar && \
		    (pa) < (models)[i_]->bar + (size)) \
			found_ = (models)[i_]; \
	found_; \
})

#define violation(m, ...) \
	fake_violation(&(m)->violations, (m)->why, sizeof((m)->why), \
		       FAKE_MODEL, __VA_ARGS__)

/* 1 when the device may DMA now, else a violation and 0. */
#define dma_ok(m, what) \
	(bus_master(m) || \
	 (violation(m, "DMA (%s) with bus mastering off", (what)), 0))

#endif /* FAKE_DEV_H */
