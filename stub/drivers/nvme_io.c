// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe driver's lower half: the controller-status wait and fence, the
 * submission queue doorbell, the I/O queue's command slots (CID = slot),
 * PRPs that point straight at the caller's pages, completions, the one
 * bounded wait for them, and the blkdev write/read/flush operations.  The
 * controller's side (takeover, admin commands, namespaces, shutdown) is
 * nvme.c, which calls down into this file and never the other way;
 * nvme_priv.h is the state the two share.
 */
#include "nvme_priv.h"
#include "blkdev.h"
#include "console.h"
#include "dma.h"
#include "errors.h"
#include "io.h"
#include "pci.h"
#include "str.h"
#include "timer.h"

/* --- controller status ------------------------------------------------ */

int nvme_wait_csts(const struct nvme_ctrl *c, uint32_t mask, uint32_t want,
		   uint32_t ms, int timeout_err, int cfs_err, uint32_t *last)
{
	struct deadline dl = deadline_ms(ms);
	uint32_t csts;

	for (;;) {
		csts = nvme_rd32(c, NVME_REG_CSTS);
		*last = csts;
		if (csts == NVME_CSTS_GONE)
			return E_NVME_GONE_LATER;
		if ((csts & mask) == want)
			return 0;
		if (cfs_err && (csts & NVME_CSTS_CFS))
			return cfs_err;
		if (deadline_passed(dl))
			return timeout_err;
		cpu_relax();
	}
}

/* Stop everything after a failure: reset (bounded), no bus mastering. */
void nvme_ctrl_fence(struct nvme_ctrl *c)
{
	uint32_t csts;

	if (c->regs && nvme_rd32(c, NVME_REG_CSTS) != NVME_CSTS_GONE) {
		nvme_wr32(c, NVME_REG_CC, 0);
		nvme_wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms,
			       E_NVME_DISABLE_TIMEOUT, 0, &csts);
	}
	pci_clear_master(c->pdev);
}

/* 0, E_NVME_GONE_LATER or E_NVME_IO_FATAL: is it still sane? */
int nvme_ctrl_check(const struct nvme_ctrl *c)
{
	uint32_t csts = nvme_rd32(c, NVME_REG_CSTS);

	if (csts == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	if (csts & NVME_CSTS_CFS)
		return E_NVME_IO_FATAL;
	return 0;
}

void nvme_sq_push(struct nvme_queue *q, const struct nvme_sqe *cmd)
{
	q->sq[q->sq_tail] = *cmd;
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	wmb();
	mmio_write32(q->sq_db, q->sq_tail);
}

static int ctrl_kill(struct nvme_ctrl *c, int err)
{
	if (c->dead)
		return c->dead;
	bmlog("nvme%u: %s (%u commands outstanding)", c->index,
	      stub_strerror(err), c->inflight);
	c->dead = err;
	nvme_ctrl_fence(c);
	return err;
}

static void io_complete(struct nvme_ctrl *c, uint16_t cid, uint16_t status)
{
	struct nvme_slot *s = &c->slots[cid];

	s->status = status;
	s->done = 1;
	s->busy = 0;
	c->inflight--;
	c->free_slots[c->nr_free++] = cid;
	if (!status || s->opcode != NVME_CMD_WRITE)
		return;
	if (!s->ns->err)
		s->ns->err = E_NVME_WRITE_STATUS;
	if (c->io_errors++ < NVME_LOG_IO_ERRORS)
		bmlog("nvme%un%u: write of %u blocks at lba %llu failed: "
		      "status sct %u sc 0x%02x", c->index, s->ns->nsid, s->nlb,
		      (unsigned long long)s->slba, NVME_STATUS_SCT(status),
		      NVME_STATUS_SC(status));
}

/* Take every completion the controller posted; how many. */
static unsigned int io_reap(struct nvme_ctrl *c)
{
	struct nvme_queue *q = &c->ioq;
	unsigned int n = 0;

	for (;;) {
		volatile struct nvme_cqe *e = &q->cq[q->cq_head];
		uint16_t st = e->status, cid;

		if ((st & NVME_CQE_PHASE) != q->phase)
			break;
		rmb();
		cid = e->cid;
		if (++q->cq_head == q->depth) {
			q->cq_head = 0;
			q->phase ^= 1;
		}
		n++;
		if (cid >= c->nr_slots || !c->slots[cid].busy) {
			mmio_write32(q->cq_db, q->cq_head);
			bmlog("nvme%u: completion for command id %u, which is "
			      "not outstanding", c->index, cid);
			ctrl_kill(c, E_NVME_IO_CID);
			return n;
		}
		io_complete(c, cid, NVME_STATUS(st));
	}
	if (n)
		mmio_write32(q->cq_db, q->cq_head);
	return n;
}

/* --- the one wait on the I/O queue ------------------------------------ */

enum io_until {
	IO_UNTIL_FREE_SLOT,	/* a command slot is free */
	IO_UNTIL_IDLE,		/* nothing in flight */
	IO_UNTIL_DONE,		/* the given slot completed */
};

static int io_until_met(const struct nvme_ctrl *c, enum io_until until,
			const struct nvme_slot *s)
{
	switch (until) {
	case IO_UNTIL_FREE_SLOT:
		return c->nr_free != 0;
	case IO_UNTIL_IDLE:
		return !c->inflight;
	case IO_UNTIL_DONE:
		return s->done;
	}
	return 0;
}

/*
 * Which bound ended a wait without progress: the capture deadline
 * (bmdump.deadline=) is often the nearer one, and the log must not blame
 * 30 s the stub never waited.
 */
/*
 * Reap completions until the condition holds (SeaBIOS's nvme_wait()
 * shape): 0, or why waiting is over.  Bounded: NVME_IO_TIMEOUT_MS without
 * a completion, or the capture deadline, kills the controller, and so does
 * CSTS showing it fatal or gone.  A command that completed counts even if
 * a completion reaped with it killed the controller; for the other
 * conditions a dead controller ends the wait first.
 */
static int io_wait(struct nvme_ctrl *c, enum io_until until,
		   const struct nvme_slot *s)
{
	struct deadline dl = deadline_ms(NVME_IO_TIMEOUT_MS);
	unsigned int spins = 0;
	int err;

	if (c->dead)
		return c->dead;
	for (;;) {
		if (io_reap(c))
			dl = deadline_ms(NVME_IO_TIMEOUT_MS);
		if (until == IO_UNTIL_DONE && io_until_met(c, until, s))
			return 0;
		if (c->dead)
			return c->dead;
		if (io_until_met(c, until, s))
			return 0;
		if (++spins % NVME_CSTS_POLL_SPINS == 0) {
			err = nvme_ctrl_check(c);
			if (err)
				return ctrl_kill(c, err);
		}
		if (deadline_passed(dl))
			return ctrl_kill(c, wait_expired_err(E_NVME_IO_TIMEOUT,
							 E_NVME_IO_DEADLINE));
		cpu_relax();
	}
}

/* A free command slot; waits (reaping) while all are in flight. */
static int io_get_slot(struct nvme_ctrl *c, struct nvme_slot **out)
{
	int err = io_wait(c, IO_UNTIL_FREE_SLOT, NULL);

	if (err)
		return err;
	*out = &c->slots[c->free_slots[--c->nr_free]];
	return 0;
}

int nvme_arm_slots(struct nvme_ctrl *c, unsigned int want)
{
	uint64_t lists = 0, per = (uint64_t)c->list_pages * NVME_PAGE_SIZE;
	unsigned int i, j;

	if (want > c->nr_slots - c->nr_armed)
		want = c->nr_slots - c->nr_armed;
	while (want && per) {
		lists = dma_alloc(want * per, NVME_PAGE_SIZE);
		if (lists)
			break;
		want /= 2;
	}
	if (!want)
		return c->nr_armed ? 0 : E_NVME_NO_MEMORY;
	for (i = c->nr_armed + want; i-- > c->nr_armed;) {
		struct nvme_slot *s = &c->slots[i];

		for (j = 0; j < c->list_pages; j++)
			s->list[j] = lists + (uint64_t)(i - c->nr_armed) * per +
				     (uint64_t)j * NVME_PAGE_SIZE;
		c->free_slots[c->nr_free++] = (uint16_t)i;
	}
	c->nr_armed += want;
	return 0;
}

/* The dump writes here: every slot in flight, if the pool allows. */
static void io_grow(struct nvme_ctrl *c)
{
	unsigned int before = c->nr_armed;

	c->grown = 1;
	if (nvme_arm_slots(c, c->nr_slots) || c->nr_armed < c->nr_slots)
		bmlog("nvme%u: warning: %s: %u of %u commands in flight",
		      c->index, stub_strerror(E_NVME_NO_MEMORY), c->nr_armed,
		      c->nr_slots);
	else if (c->nr_armed != before)
		bmlog("nvme%u: PRP lists for %u commands in flight (%u KiB)",
		      c->index, c->nr_armed, (c->nr_armed - before) *
		      c->list_pages * (NVME_PAGE_SIZE >> 10));
}

int nvme_io_drain(struct nvme_ctrl *c)
{
	return io_wait(c, IO_UNTIL_IDLE, NULL);
}

/* --- commands --------------------------------------------------------- */

/*
 * Entry i of a transfer: from the page array, or (pages == NULL) the
 * pages of one buffer starting at base, which may have an offset.
 */
static uint64_t prp_entry(const uint64_t *pages, uint64_t base,
			  unsigned int i)
{
	if (pages)
		return pages[i];
	if (!i)
		return base;
	return (base & ~(uint64_t)(NVME_PAGE_SIZE - 1)) +
	       (uint64_t)i * NVME_PAGE_SIZE;
}

/*
 * PRP1 is entry 0.  Two entries: PRP2 is the second page.  More: PRP2
 * points at the slot's list; a full list page's last entry chains to the
 * next list page when more than one entry remains.
 */
static void build_prps(const struct nvme_slot *s, const uint64_t *pages,
		       uint64_t base, unsigned int n, struct nvme_sqe *cmd)
{
	uint64_t *list;
	unsigned int i, idx = 0, li = 0;

	cmd->prp1 = prp_entry(pages, base, 0);
	cmd->prp2 = 0;
	if (n == 2)
		cmd->prp2 = prp_entry(pages, base, 1);
	if (n <= 2)
		return;
	list = nvme_va(s->list[0]);
	for (i = 1; i < n; i++) {
		if (idx == NVME_PRP_PER_PAGE - 1 && n - i > 1) {
			list[idx] = s->list[++li];
			list = nvme_va(s->list[li]);
			idx = 0;
		}
		list[idx++] = prp_entry(pages, base, i);
	}
	cmd->prp2 = s->list[0];
}

static void io_submit(struct nvme_ctrl *c, struct nvme_slot *s,
		      struct nvme_sqe *cmd)
{
	cmd->cid = (uint16_t)(s - c->slots);
	s->busy = 1;
	s->done = 0;
	s->status = 0;
	s->opcode = cmd->opcode;
	c->inflight++;
	if (c->inflight > c->st.max_inflight)
		c->st.max_inflight = c->inflight;
	c->st.commands++;
	nvme_sq_push(&c->ioq, cmd);
}

/* A read or write of nlb blocks at lba in slot s; the PRPs come after. */
static void rw_cmd(struct nvme_slot *s, struct nvme_ns *ns, uint8_t opcode,
		   uint64_t lba, uint32_t nlb, struct nvme_sqe *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = opcode;
	cmd->nsid = ns->nsid;
	cmd->cdw10 = (uint32_t)lba;
	cmd->cdw11 = (uint32_t)(lba >> 32);
	cmd->cdw12 = nlb - 1;
	s->ns = ns;
	s->slba = lba;
	s->nlb = nlb;
}

static struct nvme_ns *ns_of(struct blkdev *d)
{
	return d->priv;
}

static int range_ok(const struct nvme_ns *ns, uint64_t lba, uint64_t blocks)
{
	return blocks && lba < ns->nsze && blocks <= ns->nsze - lba;
}

uint32_t nvme_ns_max_pages(const struct nvme_ns *ns)
{
	uint64_t max = ns->ctrl->max_io_bytes;

	/* NLB is 16 bits. */
	if ((65536ull << ns->lba_shift) < max)
		max = 65536ull << ns->lba_shift;
	return (uint32_t)(max / NVME_PAGE_SIZE);
}

static int nvme_submit_write(struct blkdev *d, uint64_t lba,
			     const uint64_t *pages, uint32_t nr_pages)
{
	struct nvme_ns *ns = ns_of(d);
	struct nvme_ctrl *c = ns->ctrl;
	uint32_t bpp = NVME_PAGE_SIZE >> ns->lba_shift;
	uint32_t max = nvme_ns_max_pages(ns);
	uint32_t i;
	int err;

	if (c->dead)
		return c->dead;
	if (!nr_pages)
		return 0;
	if (!c->grown)
		io_grow(c);
	if (!range_ok(ns, lba, (uint64_t)nr_pages * bpp))
		return E_NVME_LBA_RANGE;
	for (i = 0; i < nr_pages; i++)
		if (pages[i] & (NVME_PAGE_SIZE - 1))
			return E_NVME_PRP_ALIGN;
	while (nr_pages) {
		uint32_t n = nr_pages < max ? nr_pages : max;
		struct nvme_slot *s;
		struct nvme_sqe cmd;

		err = io_get_slot(c, &s);
		if (err)
			return err;
		rw_cmd(s, ns, NVME_CMD_WRITE, lba, n * bpp, &cmd);
		if (!c->vwc)
			cmd.cdw12 |= NVME_RW_FUA;
		build_prps(s, pages, 0, n, &cmd);
		io_submit(c, s, &cmd);
		c->st.bytes_written += (uint64_t)n * NVME_PAGE_SIZE;
		lba += (uint64_t)n * bpp;
		pages += n;
		nr_pages -= n;
	}
	return 0;
}

static int nvme_wait_idle(struct blkdev *d)
{
	struct nvme_ns *ns = ns_of(d);
	int err = nvme_io_drain(ns->ctrl);

	if (ns->err)
		err = ns->err;
	ns->err = 0;
	return err;
}

static int nvme_read(struct blkdev *d, uint64_t lba, uint64_t buf_pa,
		     uint32_t bytes)
{
	struct nvme_ns *ns = ns_of(d);
	struct nvme_ctrl *c = ns->ctrl;
	uint32_t bsize = 1u << ns->lba_shift;
	uint32_t max = nvme_ns_max_pages(ns) * NVME_PAGE_SIZE;
	int err;

	if (c->dead)
		return c->dead;
	if (!bytes || (bytes & (bsize - 1)))
		return E_NVME_IO_SIZE;
	if (buf_pa & 3)
		return E_NVME_PRP_ALIGN;
	if (!range_ok(ns, lba, bytes >> ns->lba_shift))
		return E_NVME_LBA_RANGE;
	while (bytes) {
		uint32_t chunk = bytes < max ? bytes : max;
		uint64_t off = buf_pa & (NVME_PAGE_SIZE - 1);
		unsigned int n = (unsigned int)((off + chunk +
						 NVME_PAGE_SIZE - 1) /
						NVME_PAGE_SIZE);
		struct nvme_slot *s;
		struct nvme_sqe cmd;

		err = io_get_slot(c, &s);
		if (err)
			return err;
		rw_cmd(s, ns, NVME_CMD_READ, lba, chunk >> ns->lba_shift, &cmd);
		build_prps(s, NULL, buf_pa, n, &cmd);
		io_submit(c, s, &cmd);
		err = io_wait(c, IO_UNTIL_DONE, s);
		if (err)
			return err;
		if (s->status) {
			bmlog("nvme%un%u: read of %u blocks at lba %llu "
			      "failed: status sct %u sc 0x%02x", c->index,
			      ns->nsid,
			      s->nlb, (unsigned long long)lba,
			      NVME_STATUS_SCT(s->status),
			      NVME_STATUS_SC(s->status));
			return E_NVME_READ_STATUS;
		}
		c->st.bytes_read += chunk;
		lba += chunk >> ns->lba_shift;
		buf_pa += chunk;
		bytes -= chunk;
	}
	return 0;
}

static int nvme_flush(struct blkdev *d)
{
	struct nvme_ns *ns = ns_of(d);
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_slot *s;
	struct nvme_sqe cmd;
	int err = nvme_wait_idle(d), ferr;

	if (c->dead)
		return err ? err : c->dead;
	/* Without a volatile write cache every write went out with FUA. */
	if (!c->vwc)
		return err;
	ferr = io_get_slot(c, &s);
	if (ferr)
		return err ? err : ferr;
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_CMD_FLUSH;
	cmd.nsid = ns->nsid;
	s->ns = ns;
	s->slba = 0;
	s->nlb = 0;
	io_submit(c, s, &cmd);
	ferr = io_wait(c, IO_UNTIL_DONE, s);
	if (!ferr && s->status) {
		bmlog("nvme%un%u: flush failed: status sct %u sc 0x%02x",
		      c->index, ns->nsid, NVME_STATUS_SCT(s->status),
		      NVME_STATUS_SC(s->status));
		ferr = E_NVME_FLUSH_STATUS;
	}
	return err ? err : ferr;
}

void nvme_set_io_ops(struct blkdev *d)
{
	d->submit_write = nvme_submit_write;
	d->wait_idle = nvme_wait_idle;
	d->read = nvme_read;
	d->flush = nvme_flush;
}
