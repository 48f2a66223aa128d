// SPDX-License-Identifier: GPL-2.0
#define FAKE_MODEL	"fake_vblk"
#include "fake_dev.h"
#include "fake_virtio_blk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_SIZE	0x4000
#define OFF_COMMON	0x0000
#define OFF_ISR		0x1000
#define OFF_DEVICE	0x2000
#define DEVICE_LEN	0x40
#define OFF_NOTIFY	0x3000
#define NOTIFY_MULT	4
#define HELD		UINT64_MAX
#define F(bit)		(1ull << (bit))
#define F_INDIRECT_DESC	28
#define F_EVENT_IDX	29

static struct fake_vblk *model;

static int negotiated(const struct fake_vblk *m, unsigned int bit)
{
	return !!(m->driver_features & F(bit));
}

/* --- the queue ------------------------------------------------------------ */

static void device_reset(struct fake_vblk *m)
{
	m->status = 0;
	m->driver_features = 0;
	m->dfsel = m->gfsel = 0;
	m->qsel = 0;
	m->qsize = m->qmax;
	m->qenable = 0;
	m->qmsix = m->cfg_msix = VIRTIO_MSI_NO_VECTOR;
	m->qdesc = m->qavail = m->qused = 0;
	m->last_avail = m->used_idx = 0;
	m->nr_pend = 0;
	m->inflight = 0;
	memset(m->desc_busy, 0, sizeof(m->desc_busy));
	m->resets++;
}

static void post(struct fake_vblk *m, const struct fake_vblk_pend *p)
{
	struct virtq_used *used = host(m->qused);
	unsigned int i;

	if (!bus_master(m)) {
		violation(m, "completion DMA with bus mastering off");
		return;
	}
	*(uint8_t *)host(p->status_pa) = p->status;
	used->ring[m->used_idx % m->qsize].id = p->head;
	used->ring[m->used_idx % m->qsize].len = p->len;
	used->idx = ++m->used_idx;
	for (i = 0; i < p->ndesc; i++)
		m->desc_busy[p->descs[i]] = 0;
	m->inflight--;
}

static void post_due(struct fake_vblk *m)
{
	while (m->nr_pend && m->pend[0].due <= m->now) {
		post(m, &m->pend[0]);
		m->nr_pend--;
		memmove(&m->pend[0], &m->pend[1],
			m->nr_pend * sizeof(m->pend[0]));
	}
}

/* Walk a chain from head; 0 and the descriptors, or a violation. */
static int walk_chain(struct fake_vblk *m, uint16_t head,
		      struct fake_vblk_pend *p)
{
	const struct virtq_desc *desc = host(m->qdesc);
	uint16_t d = head;

	p->ndesc = 0;
	for (;;) {
		if (d >= m->qsize) {
			violation(m, "descriptor %u beyond queue size", d);
			return -1;
		}
		if (m->desc_busy[d]) {
			violation(m, "descriptor %u reused while in flight", d);
			return -1;
		}
		if (p->ndesc >= FAKE_VBLK_PEND || p->ndesc >= m->qsize) {
			violation(m, "descriptor chain loops");
			return -1;
		}
		p->descs[p->ndesc++] = d;
		if (!(desc[d].flags & VIRTQ_DESC_F_NEXT))
			break;
		d = desc[d].next;
	}
	if (p->ndesc < 2) {
		violation(m, "chain of %u descriptors", p->ndesc);
		return -1;
	}
	return 0;
}

/* Check the data descriptors of a request; bytes, or -1. */
static int64_t check_data(struct fake_vblk *m, const struct fake_vblk_pend *p,
			  int device_writes)
{
	const struct virtq_desc *desc = host(m->qdesc);
	unsigned int i, segs = p->ndesc - 2;
	int64_t bytes = 0;

	if (negotiated(m, VIRTIO_BLK_F_SEG_MAX) && segs > m->seg_max) {
		violation(m, "%u segments, seg_max %u", segs, m->seg_max);
		return -1;
	}
	for (i = 1; i + 1 < p->ndesc; i++) {
		const struct virtq_desc *e = &desc[p->descs[i]];

		if (!!(e->flags & VIRTQ_DESC_F_WRITE) != device_writes) {
			violation(m, "data descriptor WRITE flag wrong");
			return -1;
		}
		if (negotiated(m, VIRTIO_BLK_F_SIZE_MAX) &&
		    e->len > m->size_max) {
			violation(m, "segment of %u bytes, size_max %u",
				  e->len, m->size_max);
			return -1;
		}
		if (!e->len || (e->len & 511)) {
			violation(m, "segment of %u bytes", e->len);
			return -1;
		}
		bytes += e->len;
	}
	return bytes;
}

/* Move the data between the disk and the segments. */
static void copy_data(struct fake_vblk *m, const struct fake_vblk_pend *p,
		      uint64_t sector, int to_disk)
{
	const struct virtq_desc *desc = host(m->qdesc);
	uint8_t *disk = m->data + (sector << 9);
	unsigned int i;

	for (i = 1; i + 1 < p->ndesc; i++) {
		const struct virtq_desc *e = &desc[p->descs[i]];

		if (to_disk)
			memcpy(disk, host(e->addr), e->len);
		else
			memcpy(host(e->addr), disk, e->len);
		disk += e->len;
	}
}

static void record(struct fake_vblk *m, uint32_t type, uint64_t sector,
		   uint32_t bytes, unsigned int segs, uint8_t status)
{
	struct fake_vblk_req *r;

	m->total_reqs++;
	if (m->nr_reqs >= FAKE_VBLK_LOG)
		return;
	r = &m->reqs[m->nr_reqs++];
	r->type = type;
	r->sector = sector;
	r->bytes = bytes;
	r->segs = segs;
	r->status = status;
	r->inflight = m->inflight;
}

/* Execute one request; its status. */
static uint8_t execute(struct fake_vblk *m, const struct fake_vblk_pend *p,
		       uint32_t type, uint64_t sector, uint32_t *len)
{
	int64_t bytes;

	*len = 1;
	if (type == VIRTIO_BLK_T_FLUSH) {
		if (!negotiated(m, VIRTIO_BLK_F_FLUSH))
			violation(m, "FLUSH without VIRTIO_BLK_F_FLUSH");
		if (p->ndesc != 2)
			violation(m, "FLUSH with data");
		return VIRTIO_BLK_S_OK;
	}
	if (type != VIRTIO_BLK_T_OUT && type != VIRTIO_BLK_T_IN)
		return VIRTIO_BLK_S_UNSUPP;
	bytes = check_data(m, p, type == VIRTIO_BLK_T_IN);
	if (bytes < 0)
		return VIRTIO_BLK_S_IOERR;
	if (sector > m->capacity || (uint64_t)bytes / 512 >
	    m->capacity - sector) {
		violation(m, "I/O beyond capacity at sector %llu",
			  (unsigned long long)sector);
		return VIRTIO_BLK_S_IOERR;
	}
	if (type == VIRTIO_BLK_T_OUT && ++m->writes == m->ioerr_at)
		return VIRTIO_BLK_S_IOERR;
	copy_data(m, p, sector, type == VIRTIO_BLK_T_OUT);
	if (type == VIRTIO_BLK_T_IN)
		*len += (uint32_t)bytes;
	return VIRTIO_BLK_S_OK;
}

static void process_request(struct fake_vblk *m, uint16_t head)
{
	const struct virtq_desc *desc = host(m->qdesc);
	const struct virtio_blk_outhdr *h;
	struct fake_vblk_pend *p;
	const struct virtq_desc *st;
	unsigned int i;

	if (m->nr_pend >= FAKE_VBLK_PEND) {
		violation(m, "more requests than the model holds");
		return;
	}
	p = &m->pend[m->nr_pend];
	if (walk_chain(m, head, p))
		return;
	if (desc[head].flags & VIRTQ_DESC_F_WRITE ||
	    desc[head].len < sizeof(*h)) {
		violation(m, "request header not a 16-byte readable buffer");
		return;
	}
	st = &desc[p->descs[p->ndesc - 1]];
	if (!(st->flags & VIRTQ_DESC_F_WRITE) || st->len < 1) {
		violation(m, "status descriptor not device-writable");
		return;
	}
	h = host(desc[head].addr);
	p->head = head;
	p->status_pa = st->addr;
	p->status = execute(m, p, h->type, h->sector, &p->len);
	record(m, h->type, h->sector, p->len > 1 ? p->len - 1 :
	       (uint32_t)check_data(m, p, 0), p->ndesc - 2, p->status);
	for (i = 0; i < p->ndesc; i++)
		m->desc_busy[p->descs[i]] = 1;
	m->inflight++;
	if (m->inflight > m->max_inflight)
		m->max_inflight = m->inflight;
	p->due = m->never_complete ? HELD : m->now + m->latency;
	m->nr_pend++;
}

static void notify(struct fake_vblk *m)
{
	const struct virtq_avail *avail = host(m->qavail);

	if (!(m->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		violation(m, "notify before DRIVER_OK");
		return;
	}
	if (!bus_master(m)) {
		violation(m, "notify with bus mastering off");
		return;
	}
	if (!(avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT))
		violation(m, "interrupts not suppressed");
	while (m->last_avail != avail->idx) {
		process_request(m, avail->ring[m->last_avail % m->qsize]);
		m->last_avail++;
	}
	post_due(m);
}

/* --- registers ---------------------------------------------------------- */

static uint32_t common_read(struct fake_vblk *m, uint32_t off)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		return m->dfsel;
	case VIRTIO_PCI_COMMON_DF:
		return m->dfsel == 0 ? (uint32_t)m->offered :
		       m->dfsel == 1 ? (uint32_t)(m->offered >> 32) : 0;
	case VIRTIO_PCI_COMMON_GFSELECT:
		return m->gfsel;
	case VIRTIO_PCI_COMMON_GF:
		return (uint32_t)(m->driver_features >> (32 * m->gfsel));
	case VIRTIO_PCI_COMMON_MSIX:
		return m->cfg_msix;
	case VIRTIO_PCI_COMMON_NUMQ:
		return 1;
	case VIRTIO_PCI_COMMON_STATUS:
		return m->resetting ? m->status_old : m->status;
	case VIRTIO_PCI_COMMON_CFGGENERATION:
		return 0;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		return m->qsel;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		return m->qsel ? 0 : m->qsize;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		return m->qmsix;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		return m->qsel ? 0 : m->qenable;
	case VIRTIO_PCI_COMMON_Q_NOFF:
		return 0;
	}
	violation(m, "read of common config 0x%x", off);
	return 0;
}

static void write_status(struct fake_vblk *m, uint8_t v)
{
	if (m->nr_status < FAKE_VBLK_STATUS_LOG)
		m->status_log[m->nr_status++] = v;
	if (!v) {
		m->status_old = m->status;
		if (m->never_reset || m->reset_delay) {
			m->resetting = 1;
			m->reset_at = m->now + m->reset_delay;
			return;
		}
		device_reset(m);
		return;
	}
	if (m->resetting)
		violation(m, "status 0x%02x written before the reset ended",
			  v);
	if ((v & m->status) != m->status)
		violation(m, "status bits cleared: 0x%02x -> 0x%02x",
			  m->status, v);
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(m->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		if (m->driver_features & ~m->offered)
			violation(m, "features not offered taken");
		if (!negotiated(m, VIRTIO_F_VERSION_1))
			violation(m, "VERSION_1 not taken");
		if (m->refuse_features)
			v &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((v & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(m->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    (!(v & VIRTIO_CONFIG_S_FEATURES_OK) || !m->qenable))
		violation(m, "DRIVER_OK without FEATURES_OK or a queue");
	m->status = v;
}

static void common_write(struct fake_vblk *m, uint32_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		m->dfsel = v;
		return;
	case VIRTIO_PCI_COMMON_GFSELECT:
		m->gfsel = v;
		return;
	case VIRTIO_PCI_COMMON_GF:
		if (m->status & VIRTIO_CONFIG_S_FEATURES_OK)
			violation(m, "features written after FEATURES_OK");
		if (m->gfsel < 2) {
			m->driver_features &= ~(0xffffffffull <<
						(32 * m->gfsel));
			m->driver_features |= (uint64_t)v << (32 * m->gfsel);
		}
		return;
	case VIRTIO_PCI_COMMON_MSIX:
		m->cfg_msix = (uint16_t)v;
		return;
	case VIRTIO_PCI_COMMON_STATUS:
		write_status(m, (uint8_t)v);
		return;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		m->qsel = (uint16_t)v;
		return;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (!v || v > m->qmax || (v & (v - 1)))
			violation(m, "queue size %u (max %u)", v, m->qmax);
		m->qsize = (uint16_t)v;
		return;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		m->qmsix = (uint16_t)v;
		return;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		if (v != 1 || !m->qdesc || !m->qavail || !m->qused)
			violation(m, "queue_enable %u with rings %llx %llx "
				  "%llx", v, (unsigned long long)m->qdesc,
				  (unsigned long long)m->qavail,
				  (unsigned long long)m->qused);
		m->qenable = (uint16_t)v;
		return;
	}
	if (off >= VIRTIO_PCI_COMMON_Q_DESCLO &&
	    off < VIRTIO_PCI_COMMON_CFG_SIZE) {
		uint64_t *q = off < VIRTIO_PCI_COMMON_Q_AVAILLO ? &m->qdesc :
			      off < VIRTIO_PCI_COMMON_Q_USEDLO ? &m->qavail :
			      &m->qused;
		int hi = (off & 4) != 0;

		if (m->qenable)
			violation(m, "ring address written while enabled");
		*q &= hi ? 0xffffffffull : ~0xffffffffull;
		*q |= (uint64_t)v << (hi ? 32 : 0);
		return;
	}
	violation(m, "write of common config 0x%x", off);
}

static uint32_t device_read(struct fake_vblk *m, uint32_t off)
{
	switch (off) {
	case VIRTIO_BLK_CFG_CAPACITY:
		return (uint32_t)m->capacity;
	case VIRTIO_BLK_CFG_CAPACITY + 4:
		return (uint32_t)(m->capacity >> 32);
	case VIRTIO_BLK_CFG_SIZE_MAX:
		return m->size_max;
	case VIRTIO_BLK_CFG_SEG_MAX:
		return m->seg_max;
	case VIRTIO_BLK_CFG_BLK_SIZE:
		return m->blk_size;
	}
	return 0;
}

static uint64_t reg_read(volatile void *a, int size)
{
	struct fake_vblk *m = model;
	uint64_t pa = (uint64_t)(uintptr_t)a;
	uint32_t off;

	if (!m || pa < m->bar || pa >= m->bar + BAR_SIZE)
		fail_msg("MMIO read outside any device: %llx",
			 (unsigned long long)pa);
	off = (uint32_t)(pa - m->bar);
	if (!mem_decode(m))
		return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
	if (off < OFF_ISR)
		return common_read(m, off - OFF_COMMON);
	if (off >= OFF_DEVICE && off < OFF_DEVICE + DEVICE_LEN)
		return device_read(m, off - OFF_DEVICE);
	violation(m, "read at BAR offset 0x%x", off);
	return 0;
}

static void reg_write(volatile void *a, uint64_t v, int size)
{
	struct fake_vblk *m = model;
	uint64_t pa = (uint64_t)(uintptr_t)a;
	uint32_t off;

	if (!m || pa < m->bar || pa >= m->bar + BAR_SIZE)
		fail_msg("MMIO write outside any device: %llx",
			 (unsigned long long)pa);
	off = (uint32_t)(pa - m->bar);
	if (!mem_decode(m)) {
		violation(m, "MMIO write with memory decode off");
		return;
	}
	if (off < OFF_ISR) {
		common_write(m, off - OFF_COMMON, (uint32_t)v);
		return;
	}
	if (off == OFF_NOTIFY && size == 2) {
		if (v != 0)
			violation(m, "notify of queue %u", (unsigned int)v);
		notify(m);
		return;
	}
	violation(m, "write at BAR offset 0x%x", off);
}

/* Bus mastering must wait until the reset fenced the old rings. */
static void pci_written(struct fake_pci_fn *f, uint16_t reg, uint32_t val,
			int size)
{
	struct fake_vblk *m = model;
	int was = m ? m->bme : 0;

	if (!m || reg != PCI_COMMAND)
		return;
	m->bme = !!(val & PCI_COMMAND_MASTER);
	if (!was && m->bme && (m->status || m->resetting))
		violation(m, "bus mastering on with device_status 0x%02x",
			  m->resetting ? m->status_old : m->status);
}

/* --- setup -------------------------------------------------------------- */

void fake_vblk_tick(void)
{
	struct fake_vblk *m = model;

	if (!m)
		return;
	m->now++;
	if (m->resetting && !m->never_reset && m->now >= m->reset_at) {
		m->resetting = 0;
		device_reset(m);
	}
	if (m->status & VIRTIO_CONFIG_S_DRIVER_OK)
		post_due(m);
}

void fake_vblk_reset_all(void)
{
	if (model) {
		free(model->data);
		free(model);
	}
	model = NULL;
	fake_cpu_relax_hook = NULL;
}

static void add_vcap(struct fake_pci_fn *f, uint8_t type, uint32_t off,
		     uint32_t len)
{
	uint8_t clen = type == VIRTIO_PCI_CAP_NOTIFY_CFG ?
		       VIRTIO_PCI_NOTIFY_CAP_SIZE : VIRTIO_PCI_CAP_SIZE;
	uint8_t pos = fake_pci_add_cap(f, PCI_CAP_ID_VNDR, clen);

	f->cfg[pos + VIRTIO_PCI_CAP_LEN] = clen;
	f->cfg[pos + VIRTIO_PCI_CAP_CFG_TYPE] = type;
	f->cfg[pos + VIRTIO_PCI_CAP_BAR] = 4;
	fake_pci_w32(f, pos + VIRTIO_PCI_CAP_OFFSET, off);
	fake_pci_w32(f, pos + VIRTIO_PCI_CAP_LENGTH, len);
	if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
		fake_pci_w32(f, pos + VIRTIO_PCI_NOTIFY_CAP_MULT, NOTIFY_MULT);
}

struct fake_pci_fn *fake_vblk_pci(uint8_t bus, uint8_t dev, uint64_t bar,
				  int legacy_only)
{
	struct fake_pci_fn *f = fake_pci_add(0, bus, dev, 0, 0x1af4,
					     legacy_only ? 0x1001 : 0x1042,
					     0x010000, 0);
	uint8_t pm, msix;

	fake_pci_set_bar32(f, 0, 0xc001);	/* legacy I/O BAR */
	pm = fake_pci_add_cap(f, PCI_CAP_ID_PM, 8);
	fake_pci_w16(f, pm + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RESET);
	msix = fake_pci_add_cap(f, PCI_CAP_ID_MSIX, 12);
	fake_pci_w16(f, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE | 1);
	if (!legacy_only) {
		fake_pci_set_bar64(f, 4, bar);
		add_vcap(f, VIRTIO_PCI_CAP_COMMON_CFG, OFF_COMMON, 0x1000);
		add_vcap(f, VIRTIO_PCI_CAP_ISR_CFG, OFF_ISR, 0x1000);
		add_vcap(f, VIRTIO_PCI_CAP_DEVICE_CFG, OFF_DEVICE, DEVICE_LEN);
		add_vcap(f, VIRTIO_PCI_CAP_NOTIFY_CFG, OFF_NOTIFY, 0x1000);
	}
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		     PCI_COMMAND_MASTER);
	f->on_write = pci_written;
	return f;
}

struct fake_vblk *fake_vblk_new(struct fake_pci_fn *pci, uint64_t bar,
				uint64_t capacity, uint16_t qmax)
{
	struct fake_vblk *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	assert_null(model);
	model = m;
	m->pci = pci;
	m->bar = bar;
	m->capacity = capacity;
	m->qmax = qmax;
	m->seg_max = 254;
	m->blk_size = 512;
	m->size_max = 0;
	m->offered = F(VIRTIO_F_VERSION_1) | F(VIRTIO_BLK_F_SEG_MAX) |
		     F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_FLUSH) |
		     F(F_INDIRECT_DESC) | F(F_EVENT_IDX);
	m->data = calloc(1, (size_t)(capacity << 9));
	assert_non_null(m->data);
	device_reset(m);
	m->resets = 0;
	m->bme = bus_master(m);
	fake_phys_add(bar, (void *)(uintptr_t)bar, BAR_SIZE, FAKE_MMIO);
	fake_pci_next_mmio_read = reg_read;
	fake_pci_next_mmio_write = reg_write;
	fake_mmio_read = fake_pci_mmio_read;
	fake_mmio_write = fake_pci_mmio_write;
	fake_cpu_relax_hook = fake_vblk_tick;
	return m;
}

void fake_vblk_set_live(struct fake_vblk *m)
{
	m->driver_features = m->offered & ~F(F_EVENT_IDX);
	m->status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		    VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	m->qdesc = 0x7000000;	/* the old kernel's rings */
	m->qavail = 0x7001000;
	m->qused = 0x7002000;
	m->qenable = 1;
	m->qmsix = 1;
	m->cfg_msix = 0;
}

unsigned int fake_vblk_count(const struct fake_vblk *m, int type)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr_reqs; i++)
		if (type < 0 || m->reqs[i].type == (uint32_t)type)
			n++;
	return n;
}
