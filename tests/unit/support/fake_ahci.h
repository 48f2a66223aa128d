/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake AHCI HBA for unit tests: ABAR registers with the port state
 * machine of AHCI 1.3.1 (ST/CR, FRE/FR, COMRESET through PxSCTL.DET, BIOS/OS
 * handoff), command headers and tables fetched from host memory, PRDTs
 * walked into a disk held in a host buffer, NCQ (PxSACT, SDB) and
 * non-queued commands, task file errors on request.  It runs "while the
 * CPU spins" (fake_cpu_relax_hook).  Everything the host does wrong by the
 * spec is counted as a violation with a reason.
 */
#ifndef TESTS_UNIT_FAKE_AHCI_H
#define TESTS_UNIT_FAKE_AHCI_H

#include <stdint.h>

#include "drivers/ahci.h"

struct fake_pci_fn;

#define FAKE_AHCI_PORTS		6
#define FAKE_AHCI_LOG		4096
#define FAKE_AHCI_REGLOG	1024
#define FAKE_AHCI_OLD_MEM	0x7000000ull	/* the crashed kernel's lists */

struct fake_ahci_cmd {
	unsigned int port, slot;
	uint8_t command;
	uint64_t lba;
	uint32_t count;		/* sectors */
	unsigned int prdtl;
	uint32_t bytes;		/* sum of the PRD byte counts */
	uint64_t first_dba;
	int failed;
};

struct fake_ahci_port {
	/* registers */
	uint64_t clb, fb;
	uint32_t is, ie, cmd, tfd, sig, ssts, sctl, serr, sact, ci;
	/* the disk */
	uint8_t *data;
	uint64_t sectors;
	unsigned int sector_size;	/* logical: 512 or 4096 */
	unsigned int phys_log2;		/* logical sectors per physical */
	int ncq, flush_ext;
	unsigned int qdepth;
	/* behaviour knobs */
	int stuck;		/* CR stays set until a COMRESET */
	int hold;		/* commands never complete */
	unsigned int latency;	/* ticks per completion */
	unsigned int inject_cmd;	/* fail the Nth data command (from 1) */
	int fail_flush;
	/* state */
	uint32_t fetched;	/* slots taken from CI, not yet complete */
	uint64_t due[32];
	int error;		/* stopped on a task file error */
	int st_stop_pending, fre_stop_pending;
	unsigned int data_cmds;
	unsigned int comresets;
	unsigned int max_outstanding;
};

struct fake_ahci {
	struct fake_pci_fn *pci;
	uint64_t bar;
	uint32_t cap, ghc, pi, vs, cap2, bohc;
	int bios_never_releases;
	unsigned int bios_release_at;	/* tick at which BOS clears */
	struct fake_ahci_port port[FAKE_AHCI_PORTS];
	uint64_t now;
	struct fake_ahci_cmd cmds[FAKE_AHCI_LOG];
	unsigned int nr_cmds;
	struct {
		uint32_t off;
		uint32_t val;
	} regw[FAKE_AHCI_REGLOG];
	unsigned int nr_regw;
	unsigned int violations;
	char why[512];
};

void fake_ahci_reset_all(void);

/* A PCI function for it: 8086:2922, class 01:06:01, MSI (enabled), MEM
 * and BME on, ABAR in BAR5 (32-bit) at bar. */
struct fake_pci_fn *fake_ahci_pci(uint8_t bus, uint8_t dev, uint64_t bar);

/* An HBA like QEMU's ich9-ahci (6 ports, 32 slots, NCQ, 64-bit), idle. */
struct fake_ahci *fake_ahci_new(struct fake_pci_fn *pci, uint64_t bar);

/* A disk on port p: sectors of sector_size bytes, NCQ on, FLUSH EXT on. */
struct fake_ahci_port *fake_ahci_add_disk(struct fake_ahci *m, unsigned int p,
					  uint64_t sectors,
					  unsigned int sector_size);

/* As the crashed kernel left it: AE and IE on, every port running on
 * command lists and FIS areas in memory the stub does not own. */
void fake_ahci_set_live(struct fake_ahci *m);

void fake_ahci_tick(void);

/* Index of the first register write to off at or after from, or -1. */
int fake_ahci_regw_find(const struct fake_ahci *m, uint32_t off,
			unsigned int from);
unsigned int fake_ahci_count(const struct fake_ahci *m, int command);

#endif /* TESTS_UNIT_FAKE_AHCI_H */
