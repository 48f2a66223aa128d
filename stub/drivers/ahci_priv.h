/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What ahci.c (HBA takeover, disks), ahci_io.c (command slots, PRDTs, the
 * blkdev operations) and ahci_port.c (port states) share.
 */
#ifndef STUB_DRIVERS_AHCI_PRIV_H
#define STUB_DRIVERS_AHCI_PRIV_H

#include "ahci_defs.h"
#include "io.h"

struct blkdev;

/* Failed I/O is logged this many times per disk, then only counted. */
#define AHCI_LOG_IO_ERRORS	8
#define AHCI_REGS_GONE		0xffffffffu
#define AHCI_SIG_PMP		0x96690101u

enum { WAIT_OK = 0, WAIT_TIMEOUT = 1 };

struct ahci_slot {
	uint8_t command;	/* ATA command, for the log */
	uint32_t count;		/* sectors */
	uint64_t lba;
};

struct ahci_port {
	struct ahci_ctrl *c;
	unsigned int num;
	volatile uint8_t *regs;
	char name[32];

	struct ahci_cmd_hdr *cl;
	uint64_t cl_pa, fis_pa, ct_pa, id_pa;
	unsigned int nr_slots;
	uint32_t busy;		/* slots issued and not yet complete */
	struct ahci_slot slots[32];
	int ncq;

	uint32_t sector_shift;
	uint32_t phys_shift;	/* physical sector = logical << this */
	uint64_t sectors;
	int flush_ext;

	int dead;		/* why no more I/O is possible, or 0 */
	unsigned int io_errors;
	struct ahci_stats st;
};

struct ahci_ctrl {
	const struct pci_dev *pdev;
	unsigned int index;
	uint64_t abar;
	volatile uint8_t *regs;
	uint32_t cap, cap2, vs, pi;
	uint32_t stopped;	/* ports stopped by the takeover */
	int disabled;
	struct ahci_port *ports[AHCI_MAX_PORTS];	/* disks in use */
};

static inline volatile uint8_t *port_regs(const struct ahci_ctrl *c,
					   unsigned int n)
{
	return c->regs + AHCI_PORT_BASE(n);
}

static inline uint32_t rd(volatile uint8_t *pr, uint32_t off)
{
	return mmio_read32(pr + off);
}

static inline void wr(volatile uint8_t *pr, uint32_t off, uint32_t v)
{
	mmio_write32(pr + off, v);
}

static inline void *va(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* Can the HBA reach [pa, pa + len)?  Without CAP.S64A: below 4 GiB. */
static inline int dma_reachable(const struct ahci_port *p, uint64_t pa,
				uint64_t len)
{
	return (p->c->cap & AHCI_CAP_S64A) || pa + len <= (1ull << 32);
}

/* Bits set in a slot mask (no libgcc in the stub). */
static inline unsigned int slot_count(uint32_t m)
{
	unsigned int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

/* ahci_port.c: port states */
int ahci_wait_reg(volatile uint8_t *base, uint32_t off, uint32_t mask,
		  uint32_t want, uint32_t ms);
int ahci_port_stop(volatile uint8_t *pr);
int ahci_port_comreset(volatile uint8_t *pr);
int ahci_port_start(struct ahci_port *p);
int ahci_port_kill(struct ahci_port *p, int err);

/* ahci_io.c: commands and the blkdev */
int ahci_run_sync(struct ahci_port *p, uint8_t command, uint64_t lba,
		  uint32_t count, uint64_t buf, uint32_t bytes, int write);
void ahci_fill_blkdev(struct ahci_port *p, struct blkdev *d);
/* The port behind a blkdev ahci_fill_blkdev() filled, or NULL. */
struct ahci_port *ahci_port_of_blkdev(const struct blkdev *d);

#endif /* STUB_DRIVERS_AHCI_PRIV_H */
