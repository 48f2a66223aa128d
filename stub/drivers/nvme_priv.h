/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two halves of the NVMe driver share: the controller, queue,
 * command slot and namespace state, register access, and the few calls
 * across.  nvme.c owns the controller (takeover, enable, admin commands,
 * namespaces, shutdown); nvme_io.c the I/O queue (command slots, PRPs,
 * completions, the one bounded wait) and the blkdev operations.
 * Nothing outside stub/drivers/nvme*.c includes this.
 */
#ifndef STUB_DRIVERS_NVME_PRIV_H
#define STUB_DRIVERS_NVME_PRIV_H

#include "nvme_defs.h"
#include "io.h"

struct blkdev;
struct pci_dev;

/* Failed I/O is logged this many times per controller, then counted. */
#define NVME_LOG_IO_ERRORS	8

struct nvme_queue {
	struct nvme_sqe *sq;
	volatile struct nvme_cqe *cq;
	uint64_t sq_pa;
	uint64_t cq_pa;
	volatile uint32_t *sq_db;
	volatile uint32_t *cq_db;
	uint16_t depth;
	uint16_t sq_tail;
	uint16_t cq_head;
	uint16_t qid;
	uint16_t phase;
};

struct nvme_ns;

struct nvme_slot {
	uint8_t busy;
	uint8_t done;
	uint8_t opcode;
	uint16_t status;	/* SCT | SC of the completion */
	struct nvme_ns *ns;
	uint64_t slba;
	uint32_t nlb;
	uint64_t list[NVME_MAX_LIST_PAGES];	/* this slot's PRP lists */
};

struct nvme_ns {
	struct nvme_ctrl *ctrl;
	uint32_t nsid;
	uint32_t lba_shift;
	uint64_t nsze;
	int err;		/* first write error since wait_idle() */
};

struct nvme_ctrl {
	const struct pci_dev *pdev;
	unsigned int index;
	uint64_t bar;
	volatile uint8_t *regs;
	uint64_t cap;
	uint32_t vs;
	uint32_t timeout_ms;	/* CAP.TO */
	uint32_t db_stride;
	uint32_t cc_before, csts_before;

	struct nvme_queue aq;
	uint16_t admin_cid;
	struct nvme_queue ioq;
	struct nvme_slot slots[NVME_IO_DEPTH];
	uint16_t free_slots[NVME_IO_DEPTH];
	unsigned int nr_slots;
	unsigned int nr_armed;		/* slots 0..nr_armed-1 have lists */
	int grown;			/* the writer's arm was tried */
	unsigned int nr_free;
	unsigned int inflight;
	unsigned int list_pages;	/* per slot */
	uint64_t id_pa;			/* 4 KiB identify buffer */

	uint32_t max_io_bytes;
	uint8_t mdts;
	uint8_t vwc;
	uint32_t nn;
	uint32_t rtd3e;
	char mn[41];
	char sn[21];
	char fr[9];

	struct nvme_ns *ns;	/* usable namespaces, from the DMA pool */
	unsigned int nr_ns;

	int dead;		/* why no more I/O is possible, or 0 */
	int shut_down;
	unsigned int io_errors;
	struct nvme_stats st;
};

static inline uint32_t nvme_rd32(const struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read32(c->regs + off);
}

static inline uint64_t nvme_rd64(const struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read64(c->regs + off);
}

static inline void nvme_wr32(const struct nvme_ctrl *c, uint32_t off,
			     uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

static inline void nvme_wr64(const struct nvme_ctrl *c, uint32_t off,
			     uint64_t v)
{
	mmio_write64(c->regs + off, v);
}

static inline void *nvme_va(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* nvme_io.c: nvme.c calls down into it, never the other way. */

/*
 * Poll CSTS until (CSTS & mask) == want, at most ms: 0, else
 * E_NVME_GONE_LATER, timeout_err, or (if non-zero) cfs_err as soon as
 * CSTS.CFS shows.  *last gets the last value read.
 */
int nvme_wait_csts(const struct nvme_ctrl *c, uint32_t mask, uint32_t want,
		   uint32_t ms, int timeout_err, int cfs_err, uint32_t *last);
/* Stop everything after a failure: reset (bounded), no bus mastering. */
void nvme_ctrl_fence(struct nvme_ctrl *c);
/* 0, E_NVME_GONE_LATER or E_NVME_IO_FATAL: is it still sane? */
int nvme_ctrl_check(const struct nvme_ctrl *c);
/* Queue a command and ring the submission doorbell. */
void nvme_sq_push(struct nvme_queue *q, const struct nvme_sqe *cmd);
/*
 * Give up to want more command slots their PRP lists (one DMA block) and
 * free them for use; on a short pool, fewer.  0, or E_NVME_NO_MEMORY when
 * not even one slot is usable.
 */
int nvme_arm_slots(struct nvme_ctrl *c, unsigned int want);
/* Wait until no I/O is in flight: 0, or why the controller died. */
int nvme_io_drain(struct nvme_ctrl *c);
/* The largest I/O on ns, in 4 KiB pages. */
uint32_t nvme_ns_max_pages(const struct nvme_ns *ns);
/* The I/O operations of a namespace's blkdev (all but shutdown). */
void nvme_set_io_ops(struct blkdev *d);

#endif /* STUB_DRIVERS_NVME_PRIV_H */
