// SPDX-License-Identifier: GPL-2.0
#define FAKE_MODEL	"fake_nvme"
#include "fake_dev.h"
#include "fake_nvme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/pci.h"

#define MAX_MODELS	32
#define BAR_SIZE	0x4000
#define PAGE		4096u
#define HELD		UINT64_MAX

/* Status codes the model posts (SCT 0 generic, SCT 1 command specific) */
#define SC_INVALID_OPCODE	0x01
#define SC_INVALID_FIELD	0x02
#define SC_INVALID_NS		0x0b
#define SC_PRP_OFFSET		0x13
#define SC_LBA_RANGE		0x80
#define SCT1(sc)		(0x100 | (sc))
#define SC_CQ_INVALID		0x00
#define SC_QID_INVALID		0x01
#define SC_QSIZE_INVALID	0x02
#define SC_QDELETE_INVALID	0x0c

static struct fake_nvme *models[MAX_MODELS];
static unsigned int nr_models;

uint64_t fake_nvme_trace[FAKE_NVME_TRACE];
unsigned int fake_nvme_trace_len;

static uint32_t mqes(const struct fake_nvme *m)
{
	return (uint32_t)(m->cap & 0xffff);
}

/* --- queues and completions -------------------------------------------- */

static void queues_reset(struct fake_nvme *m)
{
	memset(m->sq, 0, sizeof(m->sq));
	memset(m->cq, 0, sizeof(m->cq));
	m->nr_pend = 0;
	m->last_due = 0;
	m->io_outstanding = 0;
	memset(m->outstanding, 0, sizeof(m->outstanding));
}

static void post(struct fake_nvme *m, uint16_t sqid, uint16_t cid,
		 uint16_t status, uint32_t dw0)
{
	struct fake_nvme_sq *sq = &m->sq[sqid];
	struct fake_nvme_cq *cq;
	struct nvme_cqe *e;
	uint16_t next;

	if (!sq->valid || !m->cq[sq->cqid].valid) {
		violation(m, "completion for a deleted queue %u", sqid);
		return;
	}
	cq = &m->cq[sq->cqid];
	next = (uint16_t)((cq->tail + 1) % cq->size);
	if (next == cq->head) {
		violation(m, "CQ %u overflow (host did not free entries)",
			  sq->cqid);
		return;
	}
	if (!dma_ok(m, "completion"))
		return;
	if (m->inject_bad_cid && sqid) {
		cid = 0x7777;
		m->inject_bad_cid = 0;
	}
	e = (struct nvme_cqe *)host(cq->base) + cq->tail;
	e->dw0 = dw0;
	e->dw1 = 0;
	e->sq_head = sq->head;
	e->sq_id = sqid;
	e->cid = cid;
	e->status = (uint16_t)(status << 1 | cq->phase);
	cq->tail = next;
	if (!cq->tail)
		cq->phase ^= 1;
	m->completions++;
	if (sqid) {
		m->outstanding[sqid][cid / 8] &= (uint8_t)~(1u << (cid % 8));
		m->io_outstanding--;
	}
}

/* --- PRPs ---------------------------------------------------------------- */

/*
 * Walk the PRPs of a transfer of len bytes, as the spec defines them;
 * copy to (write) or from (read) buf.  0 or a status code.
 */
static uint16_t prp_walk(struct fake_nvme *m, struct fake_nvme_cmd *rec,
			 uint64_t prp1, uint64_t prp2, uint64_t len,
			 uint8_t *buf, int to_device)
{
	uint64_t done = 0, chunk, *list;
	unsigned int idx;

	rec->prp_start = fake_nvme_trace_len;
	if (!dma_ok(m, "data"))
		return SC_INVALID_FIELD;
	if (prp1 & 3)
		return SC_PRP_OFFSET;

#define DATA(pa, n) do {						\
		if (fake_nvme_trace_len < FAKE_NVME_TRACE)		\
			fake_nvme_trace[fake_nvme_trace_len++] = (pa);	\
		rec->nr_prps++;						\
		if (to_device)						\
			memcpy(buf + done, host(pa), (n));		\
		else							\
			memcpy(host(pa), buf + done, (n));		\
		done += (n);						\
	} while (0)

	chunk = PAGE - (prp1 & (PAGE - 1));
	if (chunk > len)
		chunk = len;
	DATA(prp1, chunk);
	if (done == len)
		return 0;
	if (len - done <= PAGE) {
		if (prp2 & (PAGE - 1))
			return SC_PRP_OFFSET;
		DATA(prp2, len - done);
		return 0;
	}
	if (prp2 & 7)
		return SC_PRP_OFFSET;
	list = host(prp2 & ~(uint64_t)(PAGE - 1));
	idx = (unsigned int)((prp2 & (PAGE - 1)) / 8);
	rec->list_pages = 1;
	while (done < len) {
		uint64_t e = list[idx];

		if (idx == PAGE / 8 - 1 && len - done > PAGE) {
			if (e & (PAGE - 1))
				return SC_PRP_OFFSET;
			list = host(e);
			idx = 0;
			rec->list_pages++;
			continue;
		}
		if (e & (PAGE - 1))
			return SC_PRP_OFFSET;
		chunk = len - done < PAGE ? len - done : PAGE;
		DATA(e, chunk);
		idx++;
	}
#undef DATA
	return 0;
}

/* --- commands ------------------------------------------------------------ */

static struct fake_nvme_ns *find_ns(struct fake_nvme *m, uint32_t nsid)
{
	unsigned int i;

	for (i = 0; i < m->nr_ns; i++)
		if (m->ns[i].nsid == nsid)
			return &m->ns[i];
	return NULL;
}

static void put_str(uint8_t *p, const char *s, size_t n)
{
	size_t l = strlen(s);

	memset(p, ' ', n);
	memcpy(p, s, l < n ? l : n);
}

static uint16_t identify(struct fake_nvme *m, struct fake_nvme_cmd *rec)
{
	uint8_t page[PAGE];
	const struct nvme_sqe *c = &rec->sqe;
	uint32_t cns = c->cdw10 & 0xff;
	unsigned int i, n = 0;

	memset(page, 0, sizeof(page));
	if (cns == NVME_ID_CNS_CTRL) {
		uint16_t vid = 0x1b36;

		memcpy(page + NVME_ID_CTRL_VID, &vid, 2);
		put_str(page + NVME_ID_CTRL_SN, "FAKE0001", 20);
		put_str(page + NVME_ID_CTRL_MN, "bmdump fake NVMe", 40);
		put_str(page + NVME_ID_CTRL_FR, "1.0", 8);
		page[NVME_ID_CTRL_MDTS] = m->mdts;
		memcpy(page + NVME_ID_CTRL_RTD3E, &m->rtd3e, 4);
		memcpy(page + NVME_ID_CTRL_NN, &m->nn, 4);
		page[NVME_ID_CTRL_VWC] = m->vwc;
	} else if (cns == NVME_ID_CNS_NS) {
		struct fake_nvme_ns *ns = find_ns(m, c->nsid);
		uint32_t lbaf;

		if (!c->nsid || c->nsid > m->nn)
			return SC_INVALID_NS;
		if (ns) {
			memcpy(page + NVME_ID_NS_NSZE, &ns->nsze, 8);
			memcpy(page + NVME_ID_NS_NCAP, &ns->nsze, 8);
			/* format 0: 512 bytes plain; format 1: the real one */
			page[NVME_ID_NS_NLBAF] = 1;
			page[NVME_ID_NS_FLBAS] = ns->flbas ? ns->flbas : 1;
			lbaf = 9u << 16;
			memcpy(page + NVME_ID_NS_LBAF, &lbaf, 4);
			lbaf = (uint32_t)ns->lbads << 16 | ns->ms;
			memcpy(page + NVME_ID_NS_LBAF + 4, &lbaf, 4);
		}
	} else if (cns == NVME_ID_CNS_NS_ACTIVE_LIST) {
		if (m->no_active_list)
			return SC_INVALID_FIELD;
		for (i = 0; i < m->nr_ns; i++)
			if (m->ns[i].nsid > c->nsid)
				memcpy(page + 4 * n++, &m->ns[i].nsid, 4);
	} else {
		return SC_INVALID_FIELD;
	}
	return prp_walk(m, rec, c->prp1, c->prp2, PAGE, page, 0);
}

static uint16_t admin(struct fake_nvme *m, struct fake_nvme_cmd *rec,
		      uint32_t *dw0)
{
	const struct nvme_sqe *c = &rec->sqe;
	uint16_t qid = (uint16_t)(c->cdw10 & 0xffff);
	uint32_t size = (c->cdw10 >> 16) + 1;

	switch (c->opcode) {
	case NVME_ADMIN_IDENTIFY:
		return identify(m, rec);
	case NVME_ADMIN_SET_FEATURES:
		if ((c->cdw10 & 0xff) != NVME_FEAT_NUM_QUEUES)
			return SC_INVALID_FIELD;
		*dw0 = 0;
		return 0;
	case NVME_ADMIN_CREATE_CQ:
		if (qid != 1 || m->cq[1].valid)
			return SCT1(SC_QID_INVALID);
		if (size < 2 || size > mqes(m) + 1)
			return SCT1(SC_QSIZE_INVALID);
		if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) ||
		    (c->cdw11 & NVME_CQ_IRQ_ENABLED) || (c->prp1 & (PAGE - 1)))
			violation(m, "create CQ: cdw11 %x prp1 %llx", c->cdw11,
				  (unsigned long long)c->prp1);
		m->cq[1].base = c->prp1;
		m->cq[1].size = (uint16_t)size;
		m->cq[1].head = m->cq[1].tail = 0;
		m->cq[1].phase = 1;
		m->cq[1].valid = 1;
		return 0;
	case NVME_ADMIN_CREATE_SQ:
		if (qid != 1 || m->sq[1].valid)
			return SCT1(SC_QID_INVALID);
		if (size < 2 || size > mqes(m) + 1)
			return SCT1(SC_QSIZE_INVALID);
		if ((c->cdw11 >> 16) != 1 || !m->cq[1].valid)
			return SCT1(SC_CQ_INVALID);
		if (!(c->cdw11 & NVME_QUEUE_PHYS_CONTIG) ||
		    (c->prp1 & (PAGE - 1)))
			violation(m, "create SQ: cdw11 %x", c->cdw11);
		m->sq[1].base = c->prp1;
		m->sq[1].size = (uint16_t)size;
		m->sq[1].head = m->sq[1].tail = 0;
		m->sq[1].cqid = 1;
		m->sq[1].valid = 1;
		return 0;
	case NVME_ADMIN_DELETE_SQ:
		if (qid != 1 || !m->sq[1].valid)
			return SCT1(SC_QID_INVALID);
		if (m->io_outstanding)
			violation(m, "delete SQ with %u commands outstanding",
				  m->io_outstanding);
		m->sq[1].valid = 0;
		return 0;
	case NVME_ADMIN_DELETE_CQ:
		if (qid != 1 || !m->cq[1].valid)
			return SCT1(SC_QID_INVALID);
		if (m->sq[1].valid)
			return SCT1(SC_QDELETE_INVALID);
		m->cq[1].valid = 0;
		return 0;
	}
	return SC_INVALID_OPCODE;
}

static uint16_t io(struct fake_nvme *m, struct fake_nvme_cmd *rec)
{
	const struct nvme_sqe *c = &rec->sqe;
	struct fake_nvme_ns *ns = find_ns(m, c->nsid);
	uint64_t slba = (uint64_t)c->cdw11 << 32 | c->cdw10;
	uint32_t nlb = (c->cdw12 & 0xffff) + 1;

	if (m->inject_cmd && m->io_fetched == m->inject_cmd)
		return m->inject_status;
	if (!ns)
		return SC_INVALID_NS;
	switch (c->opcode) {
	case NVME_CMD_FLUSH:
		return 0;
	case NVME_CMD_WRITE:
	case NVME_CMD_READ:
		if (slba >= ns->nsze || nlb > ns->nsze - slba)
			return SC_LBA_RANGE;
		return prp_walk(m, rec, c->prp1, c->prp2,
				(uint64_t)nlb << ns->lbads,
				ns->data + (slba << ns->lbads),
				c->opcode == NVME_CMD_WRITE);
	}
	return SC_INVALID_OPCODE;
}

static struct fake_nvme_cmd *record(struct fake_nvme *m, uint16_t qid,
				    const struct nvme_sqe *sqe)
{
	static struct fake_nvme_cmd overflow;
	struct fake_nvme_cmd *rec = m->nr_cmds < FAKE_NVME_LOG ?
		&m->cmds[m->nr_cmds++] : &overflow;

	memset(rec, 0, sizeof(*rec));
	rec->qid = qid;
	rec->sqe = *sqe;
	rec->fetched_at = m->now;
	return rec;
}

/* Fetch and run what the host queued on SQ qid. */
static void process_sq(struct fake_nvme *m, uint16_t qid)
{
	struct fake_nvme_sq *sq = &m->sq[qid];

	while (sq->valid && sq->head != sq->tail &&
	       (m->csts & NVME_CSTS_RDY) && !(m->csts & NVME_CSTS_CFS)) {
		struct nvme_sqe sqe;
		struct fake_nvme_cmd *rec;
		uint32_t dw0 = 0;

		if (!dma_ok(m, "SQ fetch"))
			return;
		sqe = ((struct nvme_sqe *)host(sq->base))[sq->head];
		sq->head = (uint16_t)((sq->head + 1) % sq->size);
		rec = record(m, qid, &sqe);
		if (!qid) {
			rec->status = admin(m, rec, &dw0);
			post(m, 0, sqe.cid, rec->status, dw0);
			continue;
		}
		if (m->outstanding[qid][sqe.cid / 8] & (1u << (sqe.cid % 8)))
			violation(m, "CID %u reused while outstanding",
				  sqe.cid);
		m->outstanding[qid][sqe.cid / 8] |=
			(uint8_t)(1u << (sqe.cid % 8));
		m->io_outstanding++;
		if (m->io_outstanding > m->max_outstanding)
			m->max_outstanding = m->io_outstanding;
		m->io_fetched++;
		rec->status = io(m, rec);
		if (m->cfs_after_io && m->io_fetched >= m->cfs_after_io)
			m->csts |= NVME_CSTS_CFS;
		if (!m->hold && !m->io_latency) {
			post(m, qid, sqe.cid, rec->status, 0);
			continue;
		}
		assert_true(m->nr_pend < FAKE_NVME_PEND);
		m->pend[m->nr_pend].sqid = qid;
		m->pend[m->nr_pend].cid = sqe.cid;
		m->pend[m->nr_pend].status = rec->status;
		if (m->hold) {
			m->pend[m->nr_pend].due = HELD;
		} else {
			if (m->last_due < m->now)
				m->last_due = m->now;
			m->last_due += m->io_latency;
			m->pend[m->nr_pend].due = m->last_due;
		}
		m->nr_pend++;
	}
}

static void post_due(struct fake_nvme *m, unsigned int max_held)
{
	unsigned int i = 0;

	while (i < m->nr_pend) {
		struct fake_nvme_pend *p = &m->pend[i];

		if (p->due == HELD ? max_held == 0 : p->due > m->now) {
			i++;
			continue;
		}
		if (m->csts & NVME_CSTS_CFS)
			return;
		if (p->due == HELD)
			max_held--;
		post(m, p->sqid, p->cid, p->status, 0);
		memmove(p, p + 1, (m->nr_pend - i - 1) * sizeof(*p));
		m->nr_pend--;
	}
}

void fake_nvme_release(struct fake_nvme *m, unsigned int n)
{
	post_due(m, n);
}

/* --- registers ------------------------------------------------------------ */

static void power_on(struct fake_nvme *m)
{
	m->cc = 0;
	m->csts = 0;
	m->aqa = 0;
	m->asq = m->acq = 0;
	m->pending_ready = 0;
	queues_reset(m);
}

static void write_cc(struct fake_nvme *m, uint32_t val)
{
	uint32_t old = m->cc;

	m->cc = val;
	if ((old & NVME_CC_EN) && !(val & NVME_CC_EN)) {
		if (!(m->csts & NVME_CSTS_RDY) && !m->gone)
			violation(m, "CC.EN cleared while CSTS.RDY=0");
		queues_reset(m);
		m->pending_ready = 0;
		m->csts &= ~NVME_CSTS_SHST_MASK;
		if (!m->cfs_sticky)
			m->csts &= ~NVME_CSTS_CFS;
		if (!m->rdy_stuck)
			m->csts &= ~NVME_CSTS_RDY;
		return;
	}
	if (!(old & NVME_CC_EN) && (val & NVME_CC_EN)) {
		if (m->csts & NVME_CSTS_RDY)
			violation(m, "CC.EN set while CSTS.RDY=1");
		if (((val >> NVME_CC_IOSQES_SHIFT) & 0xf) != 6 ||
		    ((val >> NVME_CC_IOCQES_SHIFT) & 0xf) != 4 ||
		    ((val >> NVME_CC_MPS_SHIFT) & 0xf) != 0 ||
		    (val & NVME_CC_SHN_MASK))
			violation(m, "CC 0x%08x at enable", val);
		if (!m->asq || !m->acq || (m->asq & (PAGE - 1)) ||
		    (m->acq & (PAGE - 1)))
			violation(m, "enable without aligned admin queues");
		queues_reset(m);
		m->sq[0].base = m->asq;
		m->sq[0].size = (uint16_t)((m->aqa & 0xfff) + 1);
		m->sq[0].valid = 1;
		m->cq[0].base = m->acq;
		m->cq[0].size = (uint16_t)(((m->aqa >> 16) & 0xfff) + 1);
		m->cq[0].phase = 1;
		m->cq[0].valid = 1;
		if (m->cfs_on_enable)
			m->csts |= NVME_CSTS_CFS;
		else if (m->never_ready)
			;
		else if (m->ready_delay) {
			m->pending_ready = 1;
			m->ready_at = m->now + m->ready_delay;
		} else {
			m->csts |= NVME_CSTS_RDY;
		}
		return;
	}
	if ((val & NVME_CC_EN) && (val & NVME_CC_SHN_MASK) &&
	    !(old & NVME_CC_SHN_MASK) && !m->never_shutdown) {
		if (m->io_outstanding)
			violation(m, "shutdown with %u I/Os outstanding",
				  m->io_outstanding);
		m->csts = (m->csts & ~NVME_CSTS_SHST_MASK) |
			  NVME_CSTS_SHST_CMPLT;
	}
}

static void write_doorbell(struct fake_nvme *m, uint32_t off, uint32_t val)
{
	uint32_t stride = 4u << ((m->cap >> 32) & 0xf);
	uint32_t n = (off - NVME_REG_DBS) / stride;
	uint16_t qid = (uint16_t)(n / 2);

	if ((off - NVME_REG_DBS) % stride || qid > 1) {
		violation(m, "doorbell write at 0x%x", off);
		return;
	}
	if (n % 2 == 0) {
		if (!m->sq[qid].valid || val >= m->sq[qid].size) {
			violation(m, "SQ %u tail %u invalid", qid, val);
			return;
		}
		m->sq[qid].tail = (uint16_t)val;
		process_sq(m, qid);
	} else {
		if (!m->cq[qid].valid || val >= m->cq[qid].size) {
			violation(m, "CQ %u head %u invalid", qid, val);
			return;
		}
		m->cq[qid].head = (uint16_t)val;
	}
}

static struct fake_nvme *model_at(uint64_t pa)
{
	return fake_model_at(models, nr_models, pa, BAR_SIZE);
}

static uint64_t reg_read(volatile void *a, int size)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;
	struct fake_nvme *m = model_at(pa);
	uint32_t off;
	uint64_t v;

	assert_non_null(m);
	off = (uint32_t)(pa - m->bar);
	if (m->gone || !mem_decode(m))
		return size == 8 ? UINT64_MAX : 0xffffffffu;
	switch (off) {
	case NVME_REG_CAP:
		v = m->cap;
		break;
	case NVME_REG_CAP + 4:
		v = m->cap >> 32;
		break;
	case NVME_REG_VS:
		v = m->vs;
		break;
	case NVME_REG_CC:
		v = m->cc;
		break;
	case NVME_REG_CSTS:
		v = m->csts;
		break;
	case NVME_REG_AQA:
		v = m->aqa;
		break;
	case NVME_REG_ASQ:
		v = m->asq;
		break;
	case NVME_REG_ACQ:
		v = m->acq;
		break;
	default:
		v = 0;
	}
	if (size == 4)
		v &= 0xffffffffu;
	return v;
}

static void reg_write(volatile void *a, uint64_t v, int size)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;
	struct fake_nvme *m = model_at(pa);
	uint32_t off;

	assert_non_null(m);
	off = (uint32_t)(pa - m->bar);
	if (m->nr_regw < FAKE_NVME_REGLOG) {
		m->regw[m->nr_regw].off = off;
		m->regw[m->nr_regw].val = v;
		m->nr_regw++;
	}
	if (m->gone || !mem_decode(m))
		return;
	if ((off == NVME_REG_AQA || off == NVME_REG_ASQ ||
	     off == NVME_REG_ACQ) && (m->cc & NVME_CC_EN))
		violation(m, "admin queue register 0x%x written while enabled",
			  off);
	switch (off) {
	case NVME_REG_CC:
		write_cc(m, (uint32_t)v);
		return;
	case NVME_REG_CSTS:
		m->csts &= ~((uint32_t)v & NVME_CSTS_NSSRO);
		return;
	case NVME_REG_AQA:
		m->aqa = (uint32_t)v;
		return;
	case NVME_REG_ASQ:
		m->asq = size == 8 ? v : (m->asq & ~0xffffffffull) | v;
		return;
	case NVME_REG_ASQ + 4:
		m->asq = (m->asq & 0xffffffffull) | v << 32;
		return;
	case NVME_REG_ACQ:
		m->acq = size == 8 ? v : (m->acq & ~0xffffffffull) | v;
		return;
	case NVME_REG_ACQ + 4:
		m->acq = (m->acq & 0xffffffffull) | v << 32;
		return;
	}
	if (off >= NVME_REG_DBS) {
		write_doorbell(m, off, (uint32_t)v);
		return;
	}
	violation(m, "write to register 0x%x", off);
}

static void flr(struct fake_pci_fn *f)
{
	unsigned int i;

	for (i = 0; i < nr_models; i++) {
		if (models[i]->pci != f)
			continue;
		models[i]->rdy_stuck = 0;
		models[i]->cfs_sticky = 0;
		power_on(models[i]);
		/* FLR zeroed the BAR; the host must restore it. */
	}
}

void fake_nvme_tick(void)
{
	unsigned int i;

	for (i = 0; i < nr_models; i++) {
		struct fake_nvme *m = models[i];

		m->now++;
		if (m->pending_ready && m->now >= m->ready_at) {
			m->pending_ready = 0;
			m->csts |= NVME_CSTS_RDY;
		}
		post_due(m, 0);
	}
}

/* --- setup ------------------------------------------------------------ */

void fake_nvme_reset_all(void)
{
	unsigned int i, j;

	for (i = 0; i < nr_models; i++) {
		for (j = 0; j < models[i]->nr_ns; j++)
			free(models[i]->ns[j].data);
		free(models[i]);
	}
	nr_models = 0;
	fake_nvme_trace_len = 0;
	fake_cpu_relax_hook = NULL;
}

struct fake_nvme *fake_nvme_new(struct fake_pci_fn *pci, uint64_t bar)
{
	struct fake_nvme *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	assert_true(nr_models < MAX_MODELS);
	models[nr_models++] = m;
	m->pci = pci;
	m->bar = bar;
	m->cap = 0x7ffull | NVME_CAP_CQR | 1ull << 24 | NVME_CAP_CSS_NVM |
		 4ull << 52;
	m->vs = 0x00010400;
	m->mdts = 7;
	m->vwc = 1;
	power_on(m);
	fake_phys_add(bar, (void *)(uintptr_t)bar, BAR_SIZE, FAKE_MMIO);
	fake_pci_next_mmio_read = reg_read;
	fake_pci_next_mmio_write = reg_write;
	fake_mmio_read = fake_pci_mmio_read;
	fake_mmio_write = fake_pci_mmio_write;
	fake_pci_on_flr = flr;
	fake_cpu_relax_hook = fake_nvme_tick;
	return m;
}

struct fake_pci_fn *fake_nvme_pci(uint8_t bus, uint8_t dev, uint64_t bar,
				  int flr_cap)
{
	struct fake_pci_fn *f = fake_pci_add(0, bus, dev, 0, 0x1b36, 0x0010,
					     0x010802, 0);
	uint8_t pm, msix;

	fake_pci_set_bar64(f, 0, bar);
	pm = fake_pci_add_cap(f, PCI_CAP_ID_PM, 8);
	fake_pci_w16(f, pm + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET);
	msix = fake_pci_add_cap(f, PCI_CAP_ID_MSIX, 12);
	fake_pci_w16(f, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | 63);
	fake_pci_add_pcie(f, flr_cap);
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return f;
}

struct fake_nvme_ns *fake_nvme_add_ns(struct fake_nvme *m, uint32_t nsid,
				      uint64_t nsze, uint8_t lbads,
				      uint16_t ms)
{
	struct fake_nvme_ns *ns;

	assert_true(m->nr_ns < FAKE_NVME_MAX_NS);
	ns = &m->ns[m->nr_ns++];
	ns->nsid = nsid;
	ns->nsze = nsze;
	ns->lbads = lbads;
	ns->ms = ms;
	ns->data = calloc(1, (size_t)(nsze << lbads));
	assert_non_null(ns->data);
	if (nsid > m->nn)
		m->nn = nsid;
	return ns;
}

void fake_nvme_set_live(struct fake_nvme *m)
{
	m->asq = 0x7000000;	/* the crashed kernel's queues, never used */
	m->acq = 0x7001000;
	m->aqa = 31u << 16 | 31u;
	m->cc = NVME_CC_EN | 6u << NVME_CC_IOSQES_SHIFT |
		4u << NVME_CC_IOCQES_SHIFT;
	m->csts = NVME_CSTS_RDY;
}

unsigned int fake_nvme_count(const struct fake_nvme *m, int qid, int opcode)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr_cmds; i++)
		if (m->cmds[i].qid == qid &&
		    (opcode < 0 || m->cmds[i].sqe.opcode == opcode))
			n++;
	return n;
}

const struct fake_nvme_cmd *fake_nvme_nth(const struct fake_nvme *m, int qid,
					  int opcode, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < m->nr_cmds; i++)
		if (m->cmds[i].qid == qid &&
		    (opcode < 0 || m->cmds[i].sqe.opcode == opcode) && !n--)
			return &m->cmds[i];
	return NULL;
}

int fake_nvme_regw_find(const struct fake_nvme *m, uint32_t off,
			unsigned int from)
{
	unsigned int i;

	for (i = from; i < m->nr_regw; i++)
		if (m->regw[i].off == off)
			return (int)i;
	return -1;
}
