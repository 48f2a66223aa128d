// SPDX-License-Identifier: GPL-2.0
/*
 * Polled NVMe for the crash path.  The controller was live a moment ago and
 * may still be working through the crashed kernel's queues, so the first
 * thing the stub does is a controller reset (CC.EN=0, then CSTS.RDY=0):
 * after that the controller fetches nothing from the old queues and writes
 * nothing to memory.  A shutdown notification is sent only at the very end,
 * on the stub's own queues.
 *
 * One admin queue and one I/O queue pair; a command slot per CID, so up to
 * 63 writes are in flight while the caller keeps submitting.  Write PRPs
 * point straight at the caller's pages; only the PRP lists are the
 * driver's own memory.
 */
#include "nvme.h"
#include "blkdev.h"
#include "console.h"
#include "dma.h"
#include "errors.h"
#include "io.h"
#include "pci.h"
#include "phys.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

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

	int dead;		/* why no more I/O is possible, or 0 */
	int shut_down;
	unsigned int io_errors;
	struct nvme_stats st;
};

static struct nvme_ctrl ctrls[NVME_MAX_CTRLS];
static unsigned int nr_ctrls;
static struct nvme_ns nss[NVME_MAX_NS];
static unsigned int nr_nss;

void nvme_forget(void)
{
	nr_ctrls = 0;
	nr_nss = 0;
}

static uint32_t rd32(const struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read32(c->regs + off);
}

static uint64_t rd64(const struct nvme_ctrl *c, uint32_t off)
{
	return mmio_read64(c->regs + off);
}

static void wr32(const struct nvme_ctrl *c, uint32_t off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

static void wr64(const struct nvme_ctrl *c, uint32_t off, uint64_t v)
{
	mmio_write64(c->regs + off, v);
}

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void *va(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* --- controller state -------------------------------------------------- */

enum { WAIT_OK = 0, WAIT_TIMEOUT = 1, WAIT_CFS = 2 };

/*
 * Poll CSTS until (CSTS & mask) == want: WAIT_OK, WAIT_TIMEOUT, WAIT_CFS
 * (only with stop_cfs) or E_NVME_GONE_LATER.  *last gets the last value.
 */
static int wait_csts(const struct nvme_ctrl *c, uint32_t mask, uint32_t want,
		     uint32_t ms, int stop_cfs, uint32_t *last)
{
	struct deadline dl = deadline_ms(ms);
	uint32_t csts;

	for (;;) {
		csts = rd32(c, NVME_REG_CSTS);
		*last = csts;
		if (csts == NVME_CSTS_GONE)
			return E_NVME_GONE_LATER;
		if ((csts & mask) == want)
			return WAIT_OK;
		if (stop_cfs && (csts & NVME_CSTS_CFS))
			return WAIT_CFS;
		if (deadline_passed(dl))
			return WAIT_TIMEOUT;
		cpu_relax();
	}
}

/*
 * Reset the controller: EN=0, wait RDY=0.  No shutdown notification here:
 * it would let the controller finish the crashed kernel's commands,
 * writing completions and data to memory nobody owns any more.
 */
static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc, csts;
	int r;

	csts = rd32(c, NVME_REG_CSTS);
	if (csts == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	cc = rd32(c, NVME_REG_CC);
	if ((cc & NVME_CC_EN) && !(csts & NVME_CSTS_RDY)) {
		/* EN 1->0 while RDY is still 0 has undefined results. */
		r = wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY, c->timeout_ms, 1,
			      &csts);
		if (r == E_NVME_GONE_LATER)
			return r;
		if (r == WAIT_TIMEOUT)
			bmlog("nvme%u: warning: %s", c->index,
			      stub_strerror(E_NVME_RDY_TIMEOUT));
	}
	wr32(c, NVME_REG_CC, 0);
	r = wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms, 0, &csts);
	if (r == E_NVME_GONE_LATER)
		return r;
	if (r != WAIT_OK)
		return E_NVME_DISABLE_TIMEOUT;
	if (csts & NVME_CSTS_CFS)
		return E_NVME_FATAL;
	if (csts & NVME_CSTS_NSSRO)
		wr32(c, NVME_REG_CSTS, NVME_CSTS_NSSRO);	/* RW1C */
	return 0;
}

/* Reset; if the controller will not stop or stays fatal, FLR and retry. */
static int ctrl_takeover(struct nvme_ctrl *c)
{
	char name[16];
	int err, ferr;

	err = ctrl_disable(c);
	if (!err || err == E_NVME_GONE_LATER)
		return err;
	bmlog("nvme%u: %s; trying a function level reset of %s", c->index,
	      stub_strerror(err), pci_name(c->pdev, name));
	ferr = pci_flr(c->pdev);
	if (ferr) {
		bmlog("nvme%u: %s", c->index, stub_strerror(ferr));
		return err;
	}
	/* The restored command register may have BME: not before RDY=0. */
	pci_command_set(c->pdev, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE,
			PCI_COMMAND_MASTER);
	return ctrl_disable(c);
}

/* Stop everything after a failure: reset (bounded), no bus mastering. */
static void ctrl_fence(struct nvme_ctrl *c)
{
	uint32_t csts;

	if (c->regs && rd32(c, NVME_REG_CSTS) != NVME_CSTS_GONE) {
		wr32(c, NVME_REG_CC, 0);
		wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms, 0, &csts);
	}
	pci_clear_master(c->pdev);
}

static int ctrl_kill(struct nvme_ctrl *c, int err)
{
	if (c->dead)
		return c->dead;
	bmlog("nvme%u: %s (%u commands outstanding)", c->index,
	      stub_strerror(err), c->inflight);
	c->dead = err;
	ctrl_fence(c);
	return err;
}

static void queue_reset(struct nvme_queue *q)
{
	memset(q->sq, 0, (size_t)q->depth * sizeof(struct nvme_sqe));
	memset((void *)q->cq, 0, (size_t)q->depth * sizeof(struct nvme_cqe));
	q->sq_tail = 0;
	q->cq_head = 0;
	q->phase = 1;
}

static int queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q,
		       uint16_t qid, uint16_t depth)
{
	q->sq_pa = dma_alloc((uint64_t)depth * sizeof(struct nvme_sqe), 4096);
	q->cq_pa = dma_alloc((uint64_t)depth * sizeof(struct nvme_cqe), 4096);
	if (!q->sq_pa || !q->cq_pa)
		return E_NVME_NO_MEMORY;
	q->sq = va(q->sq_pa);
	q->cq = va(q->cq_pa);
	q->depth = depth;
	q->qid = qid;
	q->sq_db = (volatile uint32_t *)(c->regs + NVME_REG_DBS +
					 (2u * qid) * c->db_stride);
	q->cq_db = (volatile uint32_t *)(c->regs + NVME_REG_DBS +
					 (2u * qid + 1) * c->db_stride);
	queue_reset(q);
	return 0;
}

static int ctrl_enable(struct nvme_ctrl *c)
{
	uint32_t cc, csts;
	int r;

	queue_reset(&c->aq);
	wr32(c, NVME_REG_AQA, NVME_AQA_ASQS(c->aq.depth) |
	     NVME_AQA_ACQS(c->aq.depth));
	wr64(c, NVME_REG_ASQ, c->aq.sq_pa);
	wr64(c, NVME_REG_ACQ, c->aq.cq_pa);
	cc = NVME_CC_EN | NVME_CC_CSS_NVM | 0u << NVME_CC_MPS_SHIFT |
	     NVME_CC_AMS_RR | 6u << NVME_CC_IOSQES_SHIFT |
	     4u << NVME_CC_IOCQES_SHIFT;
	wr32(c, NVME_REG_CC, cc);
	r = wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY, c->timeout_ms, 1, &csts);
	if (r == E_NVME_GONE_LATER)
		return r;
	if (r == WAIT_CFS)
		return E_NVME_ENABLE_FATAL;
	if (r != WAIT_OK)
		return E_NVME_ENABLE_TIMEOUT;
	return 0;
}

/* 0, E_NVME_GONE_LATER or E_NVME_IO_FATAL: is it still sane? */
static int ctrl_check(const struct nvme_ctrl *c)
{
	uint32_t csts = rd32(c, NVME_REG_CSTS);

	if (csts == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	if (csts & NVME_CSTS_CFS)
		return E_NVME_IO_FATAL;
	return 0;
}

/* --- admin commands ----------------------------------------------------- */

static void sq_push(struct nvme_queue *q, const struct nvme_sqe *cmd)
{
	q->sq[q->sq_tail] = *cmd;
	if (++q->sq_tail == q->depth)
		q->sq_tail = 0;
	wmb();
	mmio_write32(q->sq_db, q->sq_tail);
}

/* Run one admin command to completion: 0 and *status, or an error. */
static int admin_cmd(struct nvme_ctrl *c, struct nvme_sqe *cmd,
		     uint16_t *status, uint32_t *dw0)
{
	struct nvme_queue *q = &c->aq;
	struct deadline dl;
	unsigned int spins = 0;
	int err;

	cmd->cid = ++c->admin_cid;
	sq_push(q, cmd);
	dl = deadline_ms(NVME_ADMIN_TIMEOUT_MS);
	for (;;) {
		volatile struct nvme_cqe *e = &q->cq[q->cq_head];
		uint16_t st = e->status;

		if ((st & NVME_CQE_PHASE) == q->phase) {
			uint16_t cid;

			rmb();
			cid = e->cid;
			if (dw0)
				*dw0 = e->dw0;
			if (++q->cq_head == q->depth) {
				q->cq_head = 0;
				q->phase ^= 1;
			}
			mmio_write32(q->cq_db, q->cq_head);
			if (cid != cmd->cid)
				return E_NVME_ADMIN_CID;
			*status = NVME_STATUS(st);
			return 0;
		}
		if (++spins % NVME_CSTS_POLL_SPINS == 0) {
			err = ctrl_check(c);
			if (err)
				return err;
		}
		if (deadline_passed(dl))
			return E_NVME_ADMIN_TIMEOUT;
		cpu_relax();
	}
}

/*
 * An admin command whose failure has its own code: err on a bad status
 * (logged with the status), the transport error otherwise.
 */
static int admin_run(struct nvme_ctrl *c, struct nvme_sqe *cmd, int err,
		     const char *what, uint32_t *dw0)
{
	uint16_t status;
	int r = admin_cmd(c, cmd, &status, dw0);

	if (r) {
		bmlog("nvme%u: %s: %s", c->index, what, stub_strerror(r));
		return r;
	}
	if (status) {
		bmlog("nvme%u: %s failed: status sct %u sc 0x%02x", c->index,
		      what, NVME_STATUS_SCT(status), NVME_STATUS_SC(status));
		return err;
	}
	return 0;
}

static int identify(struct nvme_ctrl *c, uint32_t cns, uint32_t nsid,
		    int err, const char *what)
{
	struct nvme_sqe cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_IDENTIFY;
	cmd.nsid = nsid;
	cmd.prp1 = c->id_pa;
	cmd.cdw10 = cns;
	return admin_run(c, &cmd, err, what, NULL);
}

static void copy_id_string(char *dst, const uint8_t *src, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		char ch = (char)src[i];

		dst[i] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
		if (ch != ' ' && ch != 0)
			len = i + 1;
	}
	dst[len] = 0;
}

static int identify_ctrl(struct nvme_ctrl *c)
{
	const uint8_t *id = va(c->id_pa);
	uint64_t lim;
	int err;

	err = identify(c, NVME_ID_CNS_CTRL, 0, E_NVME_IDENTIFY_CTRL,
		       "identify controller");
	if (err)
		return err;
	copy_id_string(c->sn, id + NVME_ID_CTRL_SN, 20);
	copy_id_string(c->mn, id + NVME_ID_CTRL_MN, 40);
	copy_id_string(c->fr, id + NVME_ID_CTRL_FR, 8);
	c->mdts = id[NVME_ID_CTRL_MDTS];
	c->rtd3e = le32(id + NVME_ID_CTRL_RTD3E);
	c->nn = le32(id + NVME_ID_CTRL_NN);
	c->vwc = id[NVME_ID_CTRL_VWC] & NVME_CTRL_VWC_PRESENT;
	/* MDTS counts in CAP.MPSMIN pages, which is 4 KiB here. */
	lim = NVME_MAX_IO_BYTES;
	if (!c->mdts)
		lim = NVME_MDTS_UNLIMITED_BYTES;
	else if (c->mdts < 20 && ((uint64_t)NVME_PAGE_SIZE << c->mdts) < lim)
		lim = (uint64_t)NVME_PAGE_SIZE << c->mdts;
	c->max_io_bytes = (uint32_t)lim;
	return 0;
}

/* PRP list pages for a command with this many entries after PRP1. */
static unsigned int prp_list_pages(unsigned int entries)
{
	unsigned int n = 1;

	if (entries <= 1)
		return 0;
	while (entries > NVME_PRP_PER_PAGE) {
		entries -= NVME_PRP_PER_PAGE - 1;
		n++;
	}
	return n;
}

static int create_io_queues(struct nvme_ctrl *c)
{
	struct nvme_queue *q = &c->ioq;
	struct nvme_sqe cmd;
	uint64_t lists;
	uint16_t depth = NVME_IO_DEPTH;
	unsigned int i, j;
	int err;

	if (NVME_CAP_MQES(c->cap) + 1 < depth)
		depth = (uint16_t)(NVME_CAP_MQES(c->cap) + 1);
	if (depth < 2)
		depth = 2;
	err = queue_alloc(c, q, 1, depth);
	if (err)
		return err;

	/* One queue pair is all the stub wants; a refusal is harmless. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_SET_FEATURES;
	cmd.cdw10 = NVME_FEAT_NUM_QUEUES;
	cmd.cdw11 = 0;
	err = admin_run(c, &cmd, 0, "set features (number of queues)", NULL);
	if (err)
		return err;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_CREATE_CQ;
	cmd.prp1 = q->cq_pa;
	cmd.cdw10 = (uint32_t)(depth - 1) << 16 | q->qid;
	cmd.cdw11 = NVME_QUEUE_PHYS_CONTIG;
	err = admin_run(c, &cmd, E_NVME_CREATE_CQ, "create I/O CQ", NULL);
	if (err)
		return err;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_CREATE_SQ;
	cmd.prp1 = q->sq_pa;
	cmd.cdw10 = (uint32_t)(depth - 1) << 16 | q->qid;
	cmd.cdw11 = (uint32_t)q->qid << 16 | NVME_QUEUE_PHYS_CONTIG;
	err = admin_run(c, &cmd, E_NVME_CREATE_SQ, "create I/O SQ", NULL);
	if (err)
		return err;

	/*
	 * Command slots: CID = slot index.  A buffer not page aligned spans
	 * one page more than its length, hence max pages + 1 entries.
	 */
	c->nr_slots = depth - 1u;
	c->list_pages = prp_list_pages(c->max_io_bytes / NVME_PAGE_SIZE);
	lists = 0;
	if (c->list_pages) {
		lists = dma_alloc((uint64_t)c->nr_slots * c->list_pages *
				  NVME_PAGE_SIZE, 4096);
		if (!lists)
			return E_NVME_NO_MEMORY;
	}
	c->nr_free = 0;
	for (i = c->nr_slots; i-- > 0;) {
		struct nvme_slot *s = &c->slots[i];

		memset(s, 0, sizeof(*s));
		for (j = 0; j < c->list_pages; j++)
			s->list[j] = lists + ((uint64_t)i * c->list_pages + j) *
				     NVME_PAGE_SIZE;
		c->free_slots[c->nr_free++] = (uint16_t)i;
	}
	c->inflight = 0;
	c->st.queue_depth = depth;
	return 0;
}

/* --- I/O queue ------------------------------------------------------------ */

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

/* One spin of a wait on the I/O queue: 0, or why waiting is over. */
static int io_wait_step(struct nvme_ctrl *c, struct deadline *dl,
			unsigned int *spins)
{
	int err;

	if (++*spins % NVME_CSTS_POLL_SPINS == 0) {
		err = ctrl_check(c);
		if (err)
			return ctrl_kill(c, err);
	}
	if (deadline_passed(*dl))
		return ctrl_kill(c, E_NVME_IO_TIMEOUT);
	cpu_relax();
	return 0;
}

/* A free command slot; waits (reaping) while all are in flight. */
static int io_get_slot(struct nvme_ctrl *c, struct nvme_slot **out)
{
	struct deadline dl = deadline_ms(NVME_IO_TIMEOUT_MS);
	unsigned int spins = 0;
	int err;

	for (;;) {
		if (c->dead)
			return c->dead;
		if (io_reap(c))
			dl = deadline_ms(NVME_IO_TIMEOUT_MS);
		if (c->dead)
			return c->dead;
		if (c->nr_free) {
			*out = &c->slots[c->free_slots[--c->nr_free]];
			return 0;
		}
		err = io_wait_step(c, &dl, &spins);
		if (err)
			return err;
	}
}

static int io_wait_all(struct nvme_ctrl *c)
{
	struct deadline dl = deadline_ms(NVME_IO_TIMEOUT_MS);
	unsigned int spins = 0;
	int err;

	for (;;) {
		if (c->dead)
			return c->dead;
		if (io_reap(c))
			dl = deadline_ms(NVME_IO_TIMEOUT_MS);
		if (c->dead)
			return c->dead;
		if (!c->inflight)
			return 0;
		err = io_wait_step(c, &dl, &spins);
		if (err)
			return err;
	}
}

static int io_wait_slot(struct nvme_ctrl *c, struct nvme_slot *s)
{
	struct deadline dl = deadline_ms(NVME_IO_TIMEOUT_MS);
	unsigned int spins = 0;
	int err;

	for (;;) {
		if (io_reap(c))
			dl = deadline_ms(NVME_IO_TIMEOUT_MS);
		if (s->done)
			return 0;
		if (c->dead)
			return c->dead;
		err = io_wait_step(c, &dl, &spins);
		if (err)
			return err;
	}
}

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
	list = va(s->list[0]);
	for (i = 1; i < n; i++) {
		if (idx == NVME_PRP_PER_PAGE - 1 && n - i > 1) {
			list[idx] = s->list[++li];
			list = va(s->list[li]);
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
	sq_push(&c->ioq, cmd);
}

static struct nvme_ns *ns_of(struct blkdev *d)
{
	return d->priv;
}

static int range_ok(const struct nvme_ns *ns, uint64_t lba, uint64_t blocks)
{
	return blocks && lba < ns->nsze && blocks <= ns->nsze - lba;
}

static uint32_t ns_max_pages(const struct nvme_ns *ns)
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
	uint32_t bpp = NVME_PAGE_SIZE >> ns->lba_shift, max = ns_max_pages(ns);
	uint32_t i;
	int err;

	if (c->dead)
		return c->dead;
	if (!nr_pages)
		return 0;
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
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = NVME_CMD_WRITE;
		cmd.nsid = ns->nsid;
		build_prps(s, pages, 0, n, &cmd);
		cmd.cdw10 = (uint32_t)lba;
		cmd.cdw11 = (uint32_t)(lba >> 32);
		cmd.cdw12 = (n * bpp - 1) | (c->vwc ? 0 : NVME_RW_FUA);
		s->ns = ns;
		s->slba = lba;
		s->nlb = n * bpp;
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
	int err = io_wait_all(ns->ctrl);

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
	uint32_t max = ns_max_pages(ns) * NVME_PAGE_SIZE;
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
		memset(&cmd, 0, sizeof(cmd));
		cmd.opcode = NVME_CMD_READ;
		cmd.nsid = ns->nsid;
		build_prps(s, NULL, buf_pa, n, &cmd);
		cmd.cdw10 = (uint32_t)lba;
		cmd.cdw11 = (uint32_t)(lba >> 32);
		cmd.cdw12 = (chunk >> ns->lba_shift) - 1;
		s->ns = ns;
		s->slba = lba;
		s->nlb = chunk >> ns->lba_shift;
		io_submit(c, s, &cmd);
		err = io_wait_slot(c, s);
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
	ferr = io_wait_slot(c, s);
	if (!ferr && s->status) {
		bmlog("nvme%un%u: flush failed: status sct %u sc 0x%02x",
		      c->index, ns->nsid, NVME_STATUS_SCT(s->status),
		      NVME_STATUS_SC(s->status));
		ferr = E_NVME_FLUSH_STATUS;
	}
	return err ? err : ferr;
}

static int delete_io_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe cmd;
	int err, e2;

	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_DELETE_SQ;
	cmd.cdw10 = c->ioq.qid;
	err = admin_run(c, &cmd, E_NVME_DELETE_QUEUE, "delete I/O SQ", NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.opcode = NVME_ADMIN_DELETE_CQ;
	cmd.cdw10 = c->ioq.qid;
	e2 = admin_run(c, &cmd, E_NVME_DELETE_QUEUE, "delete I/O CQ", NULL);
	return err ? err : e2;
}

static int nvme_shutdown(struct blkdev *d)
{
	struct nvme_ctrl *c = ns_of(d)->ctrl;
	uint32_t cc, csts, ms;
	int err, r;

	if (c->shut_down)
		return 0;
	err = io_wait_all(c);
	if (c->dead)
		return c->dead;
	/* Spec order: I/O queues go first, then the notification. */
	if (delete_io_queues(c))
		bmlog("nvme%u: warning: %s", c->index,
		      stub_strerror(E_NVME_DELETE_QUEUE));
	ms = (c->rtd3e + 999) / 1000;
	if (ms < NVME_SHUTDOWN_MIN_MS)
		ms = NVME_SHUTDOWN_MIN_MS;
	if (ms > NVME_SHUTDOWN_MAX_MS)
		ms = NVME_SHUTDOWN_MAX_MS;
	cc = rd32(c, NVME_REG_CC);
	wr32(c, NVME_REG_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
	r = wait_csts(c, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT, ms, 0,
		      &csts);
	c->shut_down = 1;
	c->dead = E_NVME_DEAD;
	if (r == E_NVME_GONE_LATER)
		return r;
	if (r != WAIT_OK)
		return E_NVME_SHUTDOWN_TIMEOUT;
	return err;
}

/* --- namespaces and probe ----------------------------------------------- */

static int add_namespace(struct nvme_ctrl *c, uint32_t nsid,
			 struct blkdev *devs, unsigned int max,
			 unsigned int *count)
{
	const uint8_t *id = va(c->id_pa);
	struct nvme_ns *ns;
	struct blkdev *d;
	uint64_t nsze;
	uint32_t lbaf, ms, lbads;
	unsigned int fmt;
	int err;

	err = identify(c, NVME_ID_CNS_NS, nsid, E_NVME_IDENTIFY_NS,
		       "identify namespace");
	if (err)
		return err;
	nsze = le64(id + NVME_ID_NS_NSZE);
	if (!nsze)
		return 0;	/* not active */
	fmt = id[NVME_ID_NS_FLBAS] & NVME_NS_FLBAS_LBA_MASK;
	if (id[NVME_ID_NS_NLBAF] >= 16)
		fmt |= (unsigned int)((id[NVME_ID_NS_FLBAS] >> 5) & 3) << 4;
	lbaf = le32(id + NVME_ID_NS_LBAF + 4 * fmt);
	ms = NVME_LBAF_MS(lbaf);
	lbads = NVME_LBAF_LBADS(lbaf);
	if (ms || lbads < 9 || lbads > 12) {
		bmlog("nvme%un%u: format %u: metadata %u bytes, blocks of 2^%u"
		      " bytes: %s", c->index, nsid, fmt, ms, lbads,
		      stub_strerror(E_NVME_NS_FORMAT));
		return 0;
	}
	if (nr_nss >= NVME_MAX_NS) {
		bmlog("nvme%un%u: %s", c->index, nsid,
		      stub_strerror(E_NVME_TOO_MANY));
		return E_NVME_TOO_MANY;
	}
	if (*count >= max) {
		bmlog("nvme%un%u: %s", c->index, nsid,
		      stub_strerror(E_STORAGE_TOO_MANY));
		return E_STORAGE_TOO_MANY;
	}
	ns = &nss[nr_nss++];
	memset(ns, 0, sizeof(*ns));
	ns->ctrl = c;
	ns->nsid = nsid;
	ns->lba_shift = lbads;
	ns->nsze = nsze;

	d = &devs[(*count)++];
	memset(d, 0, sizeof(*d));
	bm_snprintf(d->name, sizeof(d->name), "nvme%un%u", c->index, nsid);
	d->block_size = 1u << lbads;
	d->nr_blocks = nsze;
	d->max_io_bytes = ns_max_pages(ns) * NVME_PAGE_SIZE;
	d->submit_write = nvme_submit_write;
	d->wait_idle = nvme_wait_idle;
	d->read = nvme_read;
	d->flush = nvme_flush;
	d->shutdown = nvme_shutdown;
	d->priv = ns;
	bmlog("%s: %llu blocks of %u bytes (%llu MiB), max I/O %u KiB",
	      d->name, (unsigned long long)nsze, d->block_size,
	      (unsigned long long)((nsze << lbads) >> 20),
	      d->max_io_bytes >> 10);
	return 0;
}

static int scan_namespaces(struct nvme_ctrl *c, struct blkdev *devs,
			   unsigned int max, unsigned int *count)
{
	uint32_t ids[NVME_MAX_NS];
	unsigned int n = 0, i;
	int err;

	/* The active list saves an identify per inactive namespace ID. */
	err = identify(c, NVME_ID_CNS_NS_ACTIVE_LIST, 0, E_NVME_NS_LIST,
		       "identify active namespace list");
	if (!err) {
		const uint8_t *id = va(c->id_pa);

		for (i = 0; i < 1024 && n < NVME_MAX_NS; i++) {
			uint32_t nsid = le32(id + 4 * i);

			if (!nsid)
				break;
			ids[n++] = nsid;
		}
	} else if (err == E_NVME_NS_LIST) {
		for (i = 1; i <= c->nn && n < NVME_MAX_NS; i++)
			ids[n++] = i;
	} else {
		return err;
	}
	for (i = 0; i < n; i++) {
		err = add_namespace(c, ids[i], devs, max, count);
		if (err == E_NVME_TOO_MANY || err == E_STORAGE_TOO_MANY)
			break;
		if (err == E_NVME_IDENTIFY_NS)
			continue;
		if (err)
			return err;
	}
	return *count ? 0 : E_NVME_NO_NS;
}

static const char *ctrl_state(uint32_t cc, uint32_t csts)
{
	if (csts & NVME_CSTS_CFS)
		return "fatal";
	if ((csts & NVME_CSTS_SHST_MASK) == NVME_CSTS_SHST_CMPLT)
		return "shut down";
	if ((cc & NVME_CC_EN) && (csts & NVME_CSTS_RDY))
		return "enabled, ready";
	if (cc & NVME_CC_EN)
		return "enabled, not ready";
	if (csts & NVME_CSTS_RDY)
		return "disabling";
	return "disabled";
}

int nvme_probe(const struct pci_dev *pdev, unsigned int index,
	       struct blkdev *devs, unsigned int max, unsigned int *count,
	       struct nvme_ctrl **out)
{
	struct nvme_ctrl *c;
	uint64_t t0 = rdtsc(), t_reset;
	char name[16];
	int err;

	*count = 0;
	if (out)
		*out = NULL;
	if (nr_ctrls >= NVME_MAX_CTRLS)
		return E_NVME_TOO_MANY;
	c = &ctrls[nr_ctrls];
	memset(c, 0, sizeof(*c));
	c->pdev = pdev;
	c->index = index;
	c->timeout_ms = 500;

	err = pci_set_power_d0(pdev);
	if (err)
		return err;
	/* Nothing may interrupt; BME stays as it is until RDY=0. */
	pci_disable_irqs(pdev);
	pci_command_set(pdev, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE, 0);
	c->bar = pci_bar_mem(pdev, 0);
	if (!c->bar) {
		err = E_NVME_BAR;
		goto fail;
	}
	c->regs = phys_mmio(c->bar, NVME_REG_DBS);
	if (!c->regs) {
		err = E_NVME_MAP;
		goto fail;
	}
	c->csts_before = rd32(c, NVME_REG_CSTS);
	if (c->csts_before == NVME_CSTS_GONE) {
		c->regs = NULL;
		err = E_NVME_GONE;
		goto fail;
	}
	c->cap = rd64(c, NVME_REG_CAP);
	c->vs = rd32(c, NVME_REG_VS);
	c->cc_before = rd32(c, NVME_REG_CC);
	c->db_stride = 4u << NVME_CAP_DSTRD(c->cap);
	if (NVME_CAP_TO(c->cap))
		c->timeout_ms = NVME_CAP_TO(c->cap) * 500u;
	/* Doorbells of queues 0 and 1. */
	if (!phys_mmio(c->bar, NVME_REG_DBS + 4 * c->db_stride)) {
		err = E_NVME_MAP_DB;
		goto fail;
	}
	if (NVME_CAP_MPSMIN(c->cap)) {
		err = E_NVME_MPS;
		goto fail;
	}
	if (!(c->cap & NVME_CAP_CSS_NVM)) {
		err = E_NVME_CSS;
		goto fail;
	}

	err = ctrl_takeover(c);
	if (err)
		goto fail;
	t_reset = timer_us_since(t0);
	pci_command_set(pdev, PCI_COMMAND_MASTER, 0);

	err = queue_alloc(c, &c->aq, 0, NVME_ADMIN_DEPTH);
	if (err)
		goto fail;
	c->id_pa = dma_alloc(NVME_PAGE_SIZE, NVME_PAGE_SIZE);
	if (!c->id_pa) {
		err = E_NVME_NO_MEMORY;
		goto fail;
	}
	err = ctrl_enable(c);
	if (err)
		goto fail;
	err = identify_ctrl(c);
	if (err)
		goto fail;
	err = create_io_queues(c);
	if (err)
		goto fail;
	bmlog("nvme%u: %s %04x:%04x bar 0x%llx \"%s\" sn %s fw %s, NVMe "
	      "%u.%u", index, pci_name(pdev, name), pdev->vendor, pdev->device,
	      (unsigned long long)c->bar, c->mn, c->sn, c->fr, c->vs >> 16,
	      (c->vs >> 8) & 0xff);
	bmlog("nvme%u: was CC 0x%08x CSTS 0x%08x (%s); reset %llu us, init "
	      "%llu us; CAP.TO %u ms, max I/O %u KiB, vwc %u, %u namespaces, "
	      "queue depth %u", index, c->cc_before, c->csts_before,
	      ctrl_state(c->cc_before, c->csts_before),
	      (unsigned long long)t_reset,
	      (unsigned long long)timer_us_since(t0), c->timeout_ms,
	      c->max_io_bytes >> 10, c->vwc, c->nn, c->ioq.depth);
	err = scan_namespaces(c, devs, max, count);
	if (err)
		goto fail;
	nr_ctrls++;
	if (out)
		*out = c;
	return 0;

fail:
	*count = 0;
	if (c->regs)
		ctrl_fence(c);	/* skips the registers if they are gone */
	else
		pci_clear_master(pdev);
	return err;
}

struct nvme_ctrl *nvme_ctrl_of(const struct blkdev *d)
{
	const struct nvme_ns *ns = d ? d->priv : NULL;

	if (!ns || ns < nss || ns >= nss + nr_nss)
		return NULL;
	return ns->ctrl;
}

const struct pci_dev *nvme_pci_dev(const struct nvme_ctrl *c)
{
	return c->pdev;
}

int nvme_disable(struct nvme_ctrl *c)
{
	uint32_t csts;
	int r;

	/* Dead controllers were fenced when they died. */
	if (c->dead)
		return 0;
	c->dead = E_NVME_DEAD;
	if (rd32(c, NVME_REG_CSTS) == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	wr32(c, NVME_REG_CC, 0);
	r = wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms, 0, &csts);
	if (r == E_NVME_GONE_LATER)
		return r;
	return r == WAIT_OK ? 0 : E_NVME_DISABLE_TIMEOUT;
}

void nvme_get_stats(const struct nvme_ctrl *c, struct nvme_stats *st)
{
	*st = c->st;
}
