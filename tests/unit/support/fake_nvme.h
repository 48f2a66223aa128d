/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake NVMe controller for unit tests: a small state machine behind a
 * fake BAR0 that reacts to register and doorbell writes, fetches SQ
 * entries from host memory, walks PRPs and PRP lists as the spec says,
 * keeps namespace data in host buffers and posts CQ entries with the
 * phase bit.  It runs "while the CPU spins" (fake_cpu_relax_hook), so
 * completions can lag behind submissions like on hardware.  Everything the
 * host does wrong by the spec is counted as a violation with a reason.
 */
#ifndef TESTS_UNIT_FAKE_NVME_H
#define TESTS_UNIT_FAKE_NVME_H

#include <stdint.h>

#include "drivers/nvme.h"

struct fake_pci_fn;

#define FAKE_NVME_MAX_NS	40
#define FAKE_NVME_LOG		8192
#define FAKE_NVME_TRACE		(1u << 17)
#define FAKE_NVME_REGLOG	512
#define FAKE_NVME_PEND		4096

struct fake_nvme_cmd {
	uint16_t qid;
	struct nvme_sqe sqe;
	uint16_t status;		/* posted SCT | SC */
	unsigned int prp_start;		/* its data pages in trace[] */
	unsigned int nr_prps;
	unsigned int list_pages;	/* PRP list pages walked */
	uint64_t fetched_at;
};

struct fake_nvme_ns {
	uint32_t nsid;
	uint64_t nsze;
	uint8_t lbads;
	uint16_t ms;
	uint8_t flbas;		/* 0: format 1, the one above */
	uint8_t *data;
};

struct fake_nvme_sq {
	uint64_t base;
	uint16_t size, head, tail, cqid;
	int valid;
};

struct fake_nvme_cq {
	uint64_t base;
	uint16_t size, head, tail, phase;
	int valid;
};

struct fake_nvme_pend {
	uint16_t sqid, cid, status;
	uint64_t due;
};

struct fake_nvme {
	struct fake_pci_fn *pci;
	uint64_t bar;
	/* registers */
	uint64_t cap;
	uint32_t vs, cc, csts, aqa;
	uint64_t asq, acq;
	/* identify data */
	uint8_t mdts, vwc;
	uint32_t nn, rtd3e;
	int no_active_list;
	struct fake_nvme_ns ns[FAKE_NVME_MAX_NS];
	unsigned int nr_ns;
	/* behaviour knobs */
	unsigned int ready_delay;	/* ticks from EN=1 to RDY=1 */
	int never_ready;
	int rdy_stuck;			/* RDY stuck at 1 (to FLR) */
	int cfs_sticky;			/* CFS survives EN=0 (to FLR) */
	int cfs_on_enable;
	int gone;
	int never_shutdown;
	int hold;			/* I/O completions wait for release */
	unsigned int io_latency;	/* ticks per I/O completion */
	unsigned int inject_cmd;	/* fail the Nth I/O command (1-based) */
	uint16_t inject_status;
	int inject_bad_cid;
	unsigned int cfs_after_io;	/* CFS after this many I/Os */
	/* state */
	uint64_t now;
	int pending_ready;
	uint64_t ready_at;
	struct fake_nvme_sq sq[2];
	struct fake_nvme_cq cq[2];
	struct fake_nvme_pend pend[FAKE_NVME_PEND];
	unsigned int nr_pend;
	uint64_t last_due;
	unsigned int io_fetched;
	uint8_t outstanding[2][65536 / 8];	/* CIDs per SQ */
	/* records */
	struct fake_nvme_cmd cmds[FAKE_NVME_LOG];
	unsigned int nr_cmds;
	struct {
		uint32_t off;
		uint64_t val;
	} regw[FAKE_NVME_REGLOG];
	unsigned int nr_regw;
	unsigned int io_outstanding, max_outstanding;
	unsigned int completions;
	unsigned int violations;
	char why[512];
};

extern uint64_t fake_nvme_trace[FAKE_NVME_TRACE];
extern unsigned int fake_nvme_trace_len;

void fake_nvme_reset_all(void);

/*
 * A controller behind pci (a function made by fake_nvme_pci()) with its
 * BAR0 at bar, defaults like QEMU's (MQES 0x7ff, CQR, TO 1, mdts 7,
 * vwc 1), disabled; fake_nvme_set_live() makes it look like the crashed
 * kernel's.
 */
struct fake_nvme *fake_nvme_new(struct fake_pci_fn *pci, uint64_t bar);

/* A PCI function for it: 1b36:0010, class 01:08:02, PM, MSI-X (enabled),
 * PCIe (with FLR if flr), MEM and BME on, BAR0 64-bit at bar. */
struct fake_pci_fn *fake_nvme_pci(uint8_t bus, uint8_t dev, uint64_t bar,
				  int flr);

struct fake_nvme_ns *fake_nvme_add_ns(struct fake_nvme *m, uint32_t nsid,
				      uint64_t nsze, uint8_t lbads,
				      uint16_t ms);

/* As the crashed kernel left it: enabled and ready on queues of its own. */
void fake_nvme_set_live(struct fake_nvme *m);

/* Post up to n held I/O completions now. */
void fake_nvme_release(struct fake_nvme *m, unsigned int n);

/* Advance every model by one tick (also the cpu_relax hook). */
void fake_nvme_tick(void);

/* Commands of one queue, by opcode (-1: any), in order. */
unsigned int fake_nvme_count(const struct fake_nvme *m, int qid, int opcode);
const struct fake_nvme_cmd *fake_nvme_nth(const struct fake_nvme *m, int qid,
					  int opcode, unsigned int n);

/* Index of the first register write to off at or after from, or -1. */
int fake_nvme_regw_find(const struct fake_nvme *m, uint32_t off,
			unsigned int from);

#endif /* TESTS_UNIT_FAKE_NVME_H */
