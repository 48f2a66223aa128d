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
 *
 * This file is the controller: takeover, enable, admin commands, the
 * namespace scan, probe and shutdown.  It builds on nvme_io.c (register
 * and completion waits, queues, the blkdev I/O operations), which calls
 * nothing here; nvme_priv.h is the state the two share.
 */
#include "nvme_priv.h"
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

/*
 * No table of controllers or namespaces: each probe takes its state from
 * the DMA pool (a few pages per controller, the PRP lists of all but one
 * command slot only once it writes: nvme_io.c), so the number of
 * controllers and namespaces is bounded by crashkernel memory alone.
 */
void nvme_forget(void)
{
}

static int nvme_shutdown(struct blkdev *d);

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

/* --- controller state -------------------------------------------------- */

/*
 * Reset the controller: EN=0, wait RDY=0.  No shutdown notification here:
 * it would let the controller finish the crashed kernel's commands,
 * writing completions and data to memory nobody owns any more.
 */
static int ctrl_disable(struct nvme_ctrl *c)
{
	uint32_t cc, csts;
	int r;

	csts = nvme_rd32(c, NVME_REG_CSTS);
	if (csts == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	cc = nvme_rd32(c, NVME_REG_CC);
	if ((cc & NVME_CC_EN) && !(csts & NVME_CSTS_RDY)) {
		/* EN 1->0 while RDY is still 0 has undefined results. */
		r = nvme_wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY,
				   c->timeout_ms, E_NVME_RDY_TIMEOUT,
				   E_NVME_FATAL, &csts);
		if (r == E_NVME_GONE_LATER)
			return r;
		/* A fatal controller is disabled all the same. */
		if (r == E_NVME_RDY_TIMEOUT)
			bmlog("nvme%u: warning: %s", c->index,
			      stub_strerror(E_NVME_RDY_TIMEOUT));
	}
	nvme_wr32(c, NVME_REG_CC, 0);
	r = nvme_wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms,
			   E_NVME_DISABLE_TIMEOUT, 0, &csts);
	if (r)
		return r;
	if (csts & NVME_CSTS_CFS)
		return E_NVME_FATAL;
	if (csts & NVME_CSTS_NSSRO)
		nvme_wr32(c, NVME_REG_CSTS, NVME_CSTS_NSSRO);	/* RW1C */
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
	q->sq = nvme_va(q->sq_pa);
	q->cq = nvme_va(q->cq_pa);
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

	queue_reset(&c->aq);
	nvme_wr32(c, NVME_REG_AQA, NVME_AQA_ASQS(c->aq.depth) |
	     NVME_AQA_ACQS(c->aq.depth));
	nvme_wr64(c, NVME_REG_ASQ, c->aq.sq_pa);
	nvme_wr64(c, NVME_REG_ACQ, c->aq.cq_pa);
	cc = NVME_CC_EN | NVME_CC_CSS_NVM | 0u << NVME_CC_MPS_SHIFT |
	     NVME_CC_AMS_RR | 6u << NVME_CC_IOSQES_SHIFT |
	     4u << NVME_CC_IOCQES_SHIFT;
	nvme_wr32(c, NVME_REG_CC, cc);
	return nvme_wait_csts(c, NVME_CSTS_RDY, NVME_CSTS_RDY, c->timeout_ms,
			      E_NVME_ENABLE_TIMEOUT, E_NVME_ENABLE_FATAL,
			      &csts);
}

/* --- admin commands ----------------------------------------------------- */

/* Run one admin command to completion: 0 and *status, or an error. */
static int admin_cmd(struct nvme_ctrl *c, struct nvme_sqe *cmd,
		     uint16_t *status, uint32_t *dw0)
{
	struct nvme_queue *q = &c->aq;
	struct deadline dl;
	unsigned int spins = 0;
	int err;

	cmd->cid = ++c->admin_cid;
	nvme_sq_push(q, cmd);
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
			err = nvme_ctrl_check(c);
			if (err)
				return err;
		}
		if (deadline_passed(dl))
			return wait_expired_err(E_NVME_ADMIN_TIMEOUT,
						E_NVME_ADMIN_DEADLINE);
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
	uint16_t status = 0;	/* set when admin_cmd() returns 0 */
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
	const uint8_t *id = nvme_va(c->id_pa);
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
	uint16_t depth = NVME_IO_DEPTH;
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
	memset(c->slots, 0, sizeof(c->slots));
	c->nr_free = 0;
	c->nr_armed = 0;
	c->inflight = 0;
	/* Reads of the GPT and the area header need one slot; the rest get
	 * their PRP lists if this controller ever writes (the dump's). */
	err = nvme_arm_slots(c, c->list_pages ? NVME_PROBE_SLOTS :
			     c->nr_slots);
	if (err)
		return err;
	c->st.queue_depth = depth;
	return 0;
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
	struct nvme_ctrl *c = ((struct nvme_ns *)d->priv)->ctrl;
	uint32_t cc, csts, ms;
	int err, r;

	if (c->shut_down)
		return 0;
	err = nvme_io_drain(c);
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
	cc = nvme_rd32(c, NVME_REG_CC);
	nvme_wr32(c, NVME_REG_CC,
		  (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
	r = nvme_wait_csts(c, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT, ms,
			   E_NVME_SHUTDOWN_TIMEOUT, 0, &csts);
	c->shut_down = 1;
	c->dead = E_NVME_DEAD;
	return r ? r : err;
}

/* --- namespaces and probe ----------------------------------------------- */

/* Identify nsid; a usable one becomes c->ns[c->nr_ns] and a blkdev. */
static int add_namespace(struct nvme_ctrl *c, uint32_t nsid,
			 struct blkdev *devs, unsigned int max,
			 unsigned int *count)
{
	const uint8_t *id = nvme_va(c->id_pa);
	struct bmdump_nvme_format f;
	struct nvme_ns *ns;
	struct blkdev *d;
	uint64_t nsze;
	int err;

	err = identify(c, NVME_ID_CNS_NS, nsid, E_NVME_IDENTIFY_NS,
		       "identify namespace");
	if (err)
		return err;
	nsze = le64(id + NVME_ID_NS_NSZE);
	if (!nsze)
		return 0;	/* not active */
	if (bmdump_nvme_ns_format(id, &f)) {
		bmlog("nvme%un%u: %s", c->index, nsid,
		      stub_strerror(E_NVME_NS_BAD_FORMAT));
		return 0;
	}
	/* Metadata would need a buffer per write (separate) or cannot be
	 * written from whole pages at all (extended): no area there. */
	if (!bmdump_nvme_format_usable(&f)) {
		bmlog("nvme%un%u: format %u: metadata %u bytes%s, blocks of 2^%u"
		      " bytes: %s", c->index, nsid, f.index, f.ms,
		      f.ms ? (f.ext ? " inline" : " separate") : "", f.lbads,
		      stub_strerror(E_NVME_NS_FORMAT));
		return 0;
	}
	if (*count >= max) {
		bmlog("nvme%un%u: %s", c->index, nsid,
		      stub_strerror(E_STORAGE_TOO_MANY));
		return E_STORAGE_TOO_MANY;
	}
	ns = &c->ns[c->nr_ns++];
	memset(ns, 0, sizeof(*ns));
	ns->ctrl = c;
	ns->nsid = nsid;
	ns->lba_shift = f.lbads;
	ns->nsze = nsze;

	d = &devs[(*count)++];
	memset(d, 0, sizeof(*d));
	bm_snprintf(d->name, sizeof(d->name), "nvme%un%u", c->index, nsid);
	d->block_size = 1u << f.lbads;
	d->nr_blocks = nsze;
	d->max_io_bytes = nvme_ns_max_pages(ns) * NVME_PAGE_SIZE;
	nvme_set_io_ops(d);
	d->shutdown = nvme_shutdown;
	d->priv = ns;
	bmlog("%s: %llu blocks of %u bytes (%llu MiB), max I/O %u KiB",
	      d->name, (unsigned long long)nsze, d->block_size,
	      (unsigned long long)((nsze << f.lbads) >> 20),
	      d->max_io_bytes >> 10);
	return 0;
}

/*
 * The namespace IDs to identify, into c->ns[i].nsid (a table sized to
 * them): the active list, or 1..NN when the controller has none.  Their
 * number, or 0 and *err.
 */
static unsigned int list_namespaces(struct nvme_ctrl *c, int *err)
{
	const uint8_t *id = nvme_va(c->id_pa);
	unsigned int n = 0, i;
	uint64_t table;
	int from_list;

	/* The active list saves an identify per inactive namespace ID. */
	*err = identify(c, NVME_ID_CNS_NS_ACTIVE_LIST, 0, E_NVME_NS_LIST,
			"identify active namespace list");
	from_list = !*err;
	if (from_list) {
		while (n < NVME_MAX_NS && le32(id + 4 * n))
			n++;
	} else if (*err == E_NVME_NS_LIST) {
		n = c->nn < NVME_MAX_NS ? c->nn : NVME_MAX_NS;
	} else {
		return 0;
	}
	if (n == NVME_MAX_NS && c->nn > NVME_MAX_NS)
		bmlog("nvme%u: %u namespaces: %s", c->index, c->nn,
		      stub_strerror(E_NVME_TOO_MANY));
	*err = E_NVME_NO_NS;
	if (!n)
		return 0;
	table = dma_alloc((uint64_t)n * sizeof(struct nvme_ns), 8);
	if (!table) {
		*err = E_NVME_NO_MEMORY;
		return 0;
	}
	c->ns = nvme_va(table);
	for (i = 0; i < n; i++)
		c->ns[i].nsid = from_list ? le32(id + 4 * i) : i + 1;
	*err = 0;
	return n;
}

static int scan_namespaces(struct nvme_ctrl *c, struct blkdev *devs,
			   unsigned int max, unsigned int *count)
{
	unsigned int n, i;
	int err;

	n = list_namespaces(c, &err);
	if (err)
		return err;
	c->nr_ns = 0;
	for (i = 0; i < n; i++) {
		/* c->ns[i] may become the c->nr_ns-th (<= i) entry. */
		err = add_namespace(c, c->ns[i].nsid, devs, max, count);
		if (err == E_STORAGE_TOO_MANY)
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

/*
 * Registers and capabilities: is this a controller the stub can drive?
 * Nothing is written to the controller yet (SeaBIOS's
 * nvme_controller_setup() up to the reset).
 */
static int ctrl_setup(struct nvme_ctrl *c)
{
	const struct pci_dev *pdev = c->pdev;

	/* Nothing may interrupt; BME stays as it is until RDY=0. */
	pci_disable_irqs(pdev);
	pci_command_set(pdev, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE, 0);
	c->bar = pci_bar_mem(pdev, 0);
	if (!c->bar)
		return E_NVME_BAR;
	c->regs = phys_mmio(c->bar, NVME_REG_DBS);
	if (!c->regs)
		return E_NVME_MAP;
	c->csts_before = nvme_rd32(c, NVME_REG_CSTS);
	if (c->csts_before == NVME_CSTS_GONE) {
		c->regs = NULL;
		return E_NVME_GONE;
	}
	c->cap = nvme_rd64(c, NVME_REG_CAP);
	c->vs = nvme_rd32(c, NVME_REG_VS);
	c->cc_before = nvme_rd32(c, NVME_REG_CC);
	c->db_stride = 4u << NVME_CAP_DSTRD(c->cap);
	if (NVME_CAP_TO(c->cap))
		c->timeout_ms = NVME_CAP_TO(c->cap) * 500u;
	/* Doorbells of queues 0 and 1. */
	if (!phys_mmio(c->bar, NVME_REG_DBS + 4 * c->db_stride))
		return E_NVME_MAP_DB;
	if (NVME_CAP_MPSMIN(c->cap))
		return E_NVME_MPS;
	if (!(c->cap & NVME_CAP_CSS_NVM))
		return E_NVME_CSS;
	return 0;
}

/*
 * Take the controller from the crashed kernel and bring it up on the
 * stub's queues: reset (the DMA fence), bus mastering, admin queue,
 * enable, identify, the I/O queue pair (SeaBIOS's
 * nvme_controller_enable()).  *reset_us: how long the reset took.
 */
static int ctrl_start(struct nvme_ctrl *c, uint64_t t0, uint64_t *reset_us)
{
	int err;

	err = ctrl_takeover(c);
	if (err)
		return err;
	*reset_us = timer_us_since(t0);
	pci_command_set(c->pdev, PCI_COMMAND_MASTER, 0);

	err = queue_alloc(c, &c->aq, 0, NVME_ADMIN_DEPTH);
	if (err)
		return err;
	c->id_pa = dma_alloc(NVME_PAGE_SIZE, NVME_PAGE_SIZE);
	if (!c->id_pa)
		return E_NVME_NO_MEMORY;
	err = ctrl_enable(c);
	if (err)
		return err;
	err = identify_ctrl(c);
	if (err)
		return err;
	return create_io_queues(c);
}

static void log_ctrl(const struct nvme_ctrl *c, uint64_t t0,
		     uint64_t reset_us)
{
	const struct pci_dev *pdev = c->pdev;
	char name[16];

	bmlog("nvme%u: %s %04x:%04x bar 0x%llx \"%s\" sn %s fw %s, NVMe "
	      "%u.%u", c->index, pci_name(pdev, name), pdev->vendor,
	      pdev->device, (unsigned long long)c->bar, c->mn, c->sn, c->fr,
	      c->vs >> 16, (c->vs >> 8) & 0xff);
	bmlog("nvme%u: was CC 0x%08x CSTS 0x%08x (%s); reset %llu us, init "
	      "%llu us; CAP.TO %u ms, max I/O %u KiB, vwc %u, %u namespaces, "
	      "queue depth %u", c->index, c->cc_before, c->csts_before,
	      ctrl_state(c->cc_before, c->csts_before),
	      (unsigned long long)reset_us,
	      (unsigned long long)timer_us_since(t0), c->timeout_ms,
	      c->max_io_bytes >> 10, c->vwc, c->nn, c->ioq.depth);
}

int nvme_probe(const struct pci_dev *pdev, unsigned int index,
	       struct blkdev *devs, unsigned int max, unsigned int *count,
	       struct nvme_ctrl **out)
{
	struct nvme_ctrl *c;
	uint64_t t0 = rdtsc(), reset_us = 0;
	int err;

	*count = 0;
	if (out)
		*out = NULL;
	c = nvme_va(dma_alloc(sizeof(*c), 8));	/* zeroed */
	if (!c) {
		pci_clear_master(pdev);
		return E_NVME_NO_MEMORY;
	}
	c->pdev = pdev;
	c->index = index;
	c->timeout_ms = 500;

	err = pci_set_power_d0(pdev);
	if (err)
		return err;
	err = ctrl_setup(c);
	if (!err)
		err = ctrl_start(c, t0, &reset_us);
	if (!err) {
		log_ctrl(c, t0, reset_us);
		err = scan_namespaces(c, devs, max, count);
	}
	if (err)
		goto fail;
	if (out)
		*out = c;
	return 0;

fail:
	*count = 0;
	if (c->regs)
		nvme_ctrl_fence(c);	/* skips gone registers */
	else
		pci_clear_master(pdev);
	return err;
}

struct nvme_ctrl *nvme_ctrl_of(const struct blkdev *d)
{
	const struct nvme_ns *ns;

	/* Only nvme_probe() hands out blkdevs with this shutdown. */
	if (!d || d->shutdown != nvme_shutdown || !d->priv)
		return NULL;
	ns = d->priv;
	return ns->ctrl;
}

const struct pci_dev *nvme_pci_dev(const struct nvme_ctrl *c)
{
	return c->pdev;
}

int nvme_disable(struct nvme_ctrl *c)
{
	uint32_t csts;

	/* Dead controllers were fenced when they died. */
	if (c->dead)
		return 0;
	c->dead = E_NVME_DEAD;
	if (nvme_rd32(c, NVME_REG_CSTS) == NVME_CSTS_GONE)
		return E_NVME_GONE_LATER;
	nvme_wr32(c, NVME_REG_CC, 0);
	return nvme_wait_csts(c, NVME_CSTS_RDY, 0, c->timeout_ms,
			      E_NVME_DISABLE_TIMEOUT, 0, &csts);
}

void nvme_get_stats(const struct nvme_ctrl *c, struct nvme_stats *st)
{
	*st = c->st;
}
