// SPDX-License-Identifier: GPL-2.0
/*
 * Polled virtio-blk for the crash path, after SeaBIOS src/hw/virtio-*.c.
 * The device was live a moment ago with the crashed kernel's virtqueues,
 * so the first thing the stub does is a device reset (device_status = 0,
 * then wait until it reads back 0, as virtio 1.2 4.1.4.3.2 asks): after
 * that the device uses no old ring and writes nothing to memory.  Bus
 * mastering goes back on only then.
 *
 * One split virtqueue, interrupts suppressed (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * no MSI-X vector), polled through the used ring.  A request is a chain:
 * header, the caller's pages (physically adjacent pages merged into one
 * segment up to size_max, at most seg_max segments), status byte.  Header
 * and status byte live in per-head slots, so as many requests are in
 * flight as the ring has descriptors for.
 */
#include "virtio_blk.h"
#include "blkdev.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "pci.h"
#include "phys.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

/* Failed I/O is logged this many times per device, then counted. */
#define VIRTIO_LOG_IO_ERRORS	8
#define VIRTIO_CFG_READ_TRIES	8

struct vblk_req {
	uint8_t busy;
	uint8_t done;
	uint8_t type;
	uint8_t status;		/* VIRTIO_BLK_S_* once done */
	uint16_t ndesc;
	uint32_t bytes;
	uint64_t sector;
};

struct virtio_blk {
	struct virtio_pci vp;
	unsigned int index;
	uint8_t status_before;
	uint64_t offered;
	uint64_t features;		/* negotiated */

	uint16_t qsize;
	struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint64_t desc_pa, avail_pa, used_pa;
	struct virtio_blk_outhdr *hdrs;	/* one per head descriptor */
	volatile uint8_t *status;	/* one per head descriptor */
	uint64_t hdrs_pa, status_pa;
	uint16_t next_free[VIRTIO_BLK_QUEUE_MAX];
	uint16_t free_head;
	uint16_t nr_free;
	uint16_t avail_idx;		/* free running, as the spec wants */
	uint16_t used_idx;
	struct vblk_req reqs[VIRTIO_BLK_QUEUE_MAX];
	unsigned int inflight;

	uint64_t capacity;		/* 512-byte sectors */
	uint32_t block_size;
	uint32_t seg_max;		/* data segments per request */
	uint32_t seg_bytes;		/* bytes per segment */

	int err;			/* first write error since wait_idle */
	int dead;			/* why no more I/O is possible, or 0 */
	unsigned int io_errors;
	struct virtio_blk_stats st;
};

/* No table of devices: each probe takes its state from the DMA pool, so
 * crashkernel memory alone bounds how many there are. */
void virtio_blk_forget(void)
{
}

static void *va(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* --- device state ------------------------------------------------------- */

/* Stop everything after a failure: reset (bounded), no bus mastering. */
static void dev_fence(struct virtio_blk *v)
{
	if (v->vp.common)
		vp_reset(&v->vp, E_VIRTIO_RESET_TIMEOUT);
	pci_clear_master(v->vp.pdev);
}

static int dev_kill(struct virtio_blk *v, int err)
{
	if (v->dead)
		return v->dead;
	bmlog("virtio%u: %s (%u requests outstanding)", v->index,
	      stub_strerror(err), v->inflight);
	v->dead = err;
	dev_fence(v);
	return err;
}

/* Accept VERSION_1 and the few block features the stub uses (3.1.1). */
static int negotiate(struct virtio_blk *v)
{
	const uint64_t want = VIRTIO_FEATURE(VIRTIO_F_VERSION_1) |
			      VIRTIO_FEATURE(VIRTIO_BLK_F_SIZE_MAX) |
			      VIRTIO_FEATURE(VIRTIO_BLK_F_SEG_MAX) |
			      VIRTIO_FEATURE(VIRTIO_BLK_F_BLK_SIZE) |
			      VIRTIO_FEATURE(VIRTIO_BLK_F_FLUSH);

	vp_set_status(&v->vp, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vp_set_status(&v->vp, VIRTIO_CONFIG_S_DRIVER);
	v->offered = vp_read_features(&v->vp);
	if (!(v->offered & VIRTIO_FEATURE(VIRTIO_F_VERSION_1)))
		return E_VIRTIO_NO_VERSION_1;
	if (v->offered & VIRTIO_FEATURE(VIRTIO_BLK_F_RO))
		return E_VIRTIO_RO;
	v->features = v->offered & want;
	vp_write_features(&v->vp, v->features);
	vp_set_status(&v->vp, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vp_status(&v->vp) & VIRTIO_CONFIG_S_FEATURES_OK))
		return E_VIRTIO_FEATURES_OK;
	return 0;
}

static int has(const struct virtio_blk *v, unsigned int bit)
{
	return !!(v->features & VIRTIO_FEATURE(bit));
}

static uint32_t dc32(const struct virtio_blk *v, uint32_t off)
{
	return vp_cfg_read32(&v->vp, off);
}

/* Device config, read until config_generation is stable (4.1.4.3.1). */
static void read_config(struct virtio_blk *v, uint32_t *size_max,
			uint32_t *seg_max, uint32_t *blk_size)
{
	unsigned int tries = VIRTIO_CFG_READ_TRIES;
	uint8_t gen;

	do {
		gen = vp_read8(&v->vp, VIRTIO_PCI_COMMON_CFGGENERATION);
		v->capacity = dc32(v, VIRTIO_BLK_CFG_CAPACITY) |
			      (uint64_t)dc32(v, VIRTIO_BLK_CFG_CAPACITY + 4)
			      << 32;
		*size_max = dc32(v, VIRTIO_BLK_CFG_SIZE_MAX);
		*seg_max = dc32(v, VIRTIO_BLK_CFG_SEG_MAX);
		*blk_size = dc32(v, VIRTIO_BLK_CFG_BLK_SIZE);
	} while (gen != vp_read8(&v->vp, VIRTIO_PCI_COMMON_CFGGENERATION) &&
		 --tries);
}

/* Block size, segment limits; after the queue size is known. */
static int apply_limits(struct virtio_blk *v)
{
	uint32_t size_max, seg_max, blk_size, cap;

	read_config(v, &size_max, &seg_max, &blk_size);
	v->block_size = 512;
	if (has(v, VIRTIO_BLK_F_BLK_SIZE) && blk_size != 512) {
		if (blk_size != 4096)
			return E_VIRTIO_BLK_SIZE;
		v->block_size = 4096;
	}
	v->seg_bytes = VIRTIO_BLK_SEG_BYTES_MAX;
	if (has(v, VIRTIO_BLK_F_SIZE_MAX) && size_max < v->seg_bytes)
		v->seg_bytes = size_max & ~(VIRTIO_BLK_PAGE_SIZE - 1);
	/* Header and status byte take two descriptors of each chain; keep
	 * room for a few requests of the largest size at once. */
	cap = v->qsize / VIRTIO_BLK_MIN_INFLIGHT;
	cap = cap > 2 ? cap - 2 : v->qsize - 2u;
	v->seg_max = cap;
	if (has(v, VIRTIO_BLK_F_SEG_MAX) && seg_max < v->seg_max)
		v->seg_max = seg_max;
	if (!v->seg_bytes || !v->seg_max)
		return E_VIRTIO_SEG_LIMITS;
	return 0;
}

/* --- the virtqueue ------------------------------------------------------ */

static int queue_alloc(struct virtio_blk *v)
{
	uint64_t q = v->qsize;

	v->desc_pa = dma_alloc(q * sizeof(struct virtq_desc), 4096);
	v->avail_pa = dma_alloc(4 + 2 * q + 2, 4096);
	v->used_pa = dma_alloc(4 + 8 * q + 2, 4096);
	v->hdrs_pa = dma_alloc(q * sizeof(struct virtio_blk_outhdr), 4096);
	v->status_pa = dma_alloc(q, 4096);
	if (!v->desc_pa || !v->avail_pa || !v->used_pa || !v->hdrs_pa ||
	    !v->status_pa)
		return E_VIRTIO_NO_MEMORY;
	v->desc = va(v->desc_pa);
	v->avail = va(v->avail_pa);
	v->used = va(v->used_pa);
	v->hdrs = va(v->hdrs_pa);
	v->status = va(v->status_pa);
	return 0;
}

static void queue_reset(struct virtio_blk *v)
{
	unsigned int i;

	memset(v->desc, 0, v->qsize * sizeof(struct virtq_desc));
	memset((void *)v->avail, 0, 4 + 2u * v->qsize + 2);
	memset((void *)v->used, 0, 4 + 8u * v->qsize + 2);
	memset(v->reqs, 0, sizeof(v->reqs));
	for (i = 0; i < v->qsize; i++)
		v->next_free[i] = (uint16_t)(i + 1);
	v->free_head = 0;
	v->nr_free = v->qsize;
	v->avail_idx = 0;
	v->used_idx = 0;
	v->inflight = 0;
	/* Polled: the device need not interrupt (2.7.7). */
	v->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
}

/* Queue 0: size (a power of two up to 256), rings, no vector, enable. */
static int setup_queue(struct virtio_blk *v)
{
	uint16_t max, size = VIRTIO_BLK_QUEUE_MAX;
	int err;

	vp_write16(&v->vp, VIRTIO_PCI_COMMON_Q_SELECT, 0);
	max = vp_read16(&v->vp, VIRTIO_PCI_COMMON_Q_SIZE);
	if (max < 4 || vp_read16(&v->vp, VIRTIO_PCI_COMMON_Q_ENABLE))
		return E_VIRTIO_QUEUE;
	while (size > max)
		size >>= 1;
	v->qsize = size;
	err = queue_alloc(v);
	if (err)
		return err;
	queue_reset(v);
	vp_write16(&v->vp, VIRTIO_PCI_COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
	vp_write16(&v->vp, VIRTIO_PCI_COMMON_Q_SIZE, size);
	vp_write16(&v->vp, VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	vp_write64(&v->vp, VIRTIO_PCI_COMMON_Q_DESCLO, v->desc_pa);
	vp_write64(&v->vp, VIRTIO_PCI_COMMON_Q_AVAILLO, v->avail_pa);
	vp_write64(&v->vp, VIRTIO_PCI_COMMON_Q_USEDLO, v->used_pa);
	vp_write16(&v->vp, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
	v->st.queue_size = size;
	return 0;
}

/* --- requests ----------------------------------------------------------- */

static void req_done(struct virtio_blk *v, uint16_t head)
{
	struct vblk_req *r = &v->reqs[head];
	uint16_t i, d = head;

	r->status = v->status[head];
	r->done = 1;
	r->busy = 0;
	v->inflight--;
	for (i = 0; i + 1 < r->ndesc; i++)
		d = v->desc[d].next;
	v->next_free[d] = v->free_head;
	v->free_head = head;
	v->nr_free = (uint16_t)(v->nr_free + r->ndesc);
	if (r->status == VIRTIO_BLK_S_OK || r->type != VIRTIO_BLK_T_OUT)
		return;
	if (!v->err)
		v->err = E_VIRTIO_WRITE_STATUS;
	if (v->io_errors++ < VIRTIO_LOG_IO_ERRORS)
		bmlog("virtio%u: write of %u bytes at sector %llu failed: "
		      "status %u (%s)", v->index, r->bytes,
		      (unsigned long long)r->sector, r->status,
		      r->status == VIRTIO_BLK_S_IOERR ? "IOERR" :
		      r->status == VIRTIO_BLK_S_UNSUPP ? "UNSUPP" : "?");
}

/* Take every used element the device posted; how many. */
static unsigned int reap(struct virtio_blk *v)
{
	unsigned int n = 0;

	while (v->used_idx != v->used->idx) {
		uint32_t id;

		rmb();
		id = v->used->ring[v->used_idx % v->qsize].id;
		v->used_idx++;
		n++;
		if (id >= v->qsize || !v->reqs[id].busy) {
			bmlog("virtio%u: used ring names descriptor %u, which "
			      "heads no request in flight", v->index, id);
			dev_kill(v, E_VIRTIO_USED_ID);
			return n;
		}
		req_done(v, (uint16_t)id);
	}
	return n;
}

/* One spin of a wait on the queue: 0, or why waiting is over. */
static int wait_step(struct virtio_blk *v, struct deadline *dl,
		     unsigned int *spins)
{
	if (++*spins % VIRTIO_STATUS_POLL_SPINS == 0) {
		uint8_t st = vp_status(&v->vp);

		if (st == VIRTIO_STATUS_GONE)
			return dev_kill(v, E_VIRTIO_GONE);
		if (st & VIRTIO_CONFIG_S_NEEDS_RESET)
			return dev_kill(v, E_VIRTIO_NEEDS_RESET);
	}
	if (deadline_passed(*dl))
		return dev_kill(v, wait_expired_err(E_VIRTIO_IO_TIMEOUT,
						    E_VIRTIO_IO_DEADLINE));
	cpu_relax();
	return 0;
}

/*
 * Wait (reaping) until cond holds: at least want free descriptors
 * (want > 0), no request in flight (want == 0), or *done set (done).
 */
static int wait_queue(struct virtio_blk *v, unsigned int want,
		      const uint8_t *done)
{
	struct deadline dl = deadline_ms(VIRTIO_BLK_IO_TIMEOUT_MS);
	unsigned int spins = 0;
	int err;

	for (;;) {
		if (reap(v))
			dl = deadline_ms(VIRTIO_BLK_IO_TIMEOUT_MS);
		if (done && *done)
			return 0;
		if (v->dead)
			return v->dead;
		if (!done && (want ? v->nr_free >= want : !v->inflight))
			return 0;
		err = wait_step(v, &dl, &spins);
		if (err)
			return err;
	}
}

static uint16_t desc_get(struct virtio_blk *v, uint64_t addr, uint32_t len,
			 uint16_t flags)
{
	uint16_t d = v->free_head;

	v->free_head = v->next_free[d];
	v->nr_free--;
	v->desc[d].addr = addr;
	v->desc[d].len = len;
	v->desc[d].flags = flags;
	v->desc[d].next = 0;
	return d;
}

/* A chain being built: its head and the descriptor to link after. */
struct chain {
	uint16_t head;
	uint16_t tail;
	uint16_t n;
};

static void chain_add(struct virtio_blk *v, struct chain *c, uint64_t addr,
		      uint32_t len, uint16_t flags)
{
	uint16_t d = desc_get(v, addr, len, flags);

	v->desc[c->tail].flags |= VIRTQ_DESC_F_NEXT;
	v->desc[c->tail].next = d;
	c->tail = d;
	c->n++;
}

/* Take descriptors for the header; the caller adds data segments. */
static void chain_start(struct virtio_blk *v, struct chain *c, uint32_t type,
			uint64_t sector)
{
	c->head = desc_get(v, 0, sizeof(struct virtio_blk_outhdr), 0);
	c->tail = c->head;
	c->n = 1;
	v->desc[c->head].addr = v->hdrs_pa +
				c->head * sizeof(struct virtio_blk_outhdr);
	v->hdrs[c->head].type = type;
	v->hdrs[c->head].ioprio = 0;
	v->hdrs[c->head].sector = sector;
}

/* Status byte, then publish the chain and notify (2.7.13). */
static struct vblk_req *chain_submit(struct virtio_blk *v, struct chain *c,
				     uint32_t bytes)
{
	struct vblk_req *r = &v->reqs[c->head];

	v->status[c->head] = 0xff;
	chain_add(v, c, v->status_pa + c->head, 1, VIRTQ_DESC_F_WRITE);
	r->busy = 1;
	r->done = 0;
	r->type = (uint8_t)v->hdrs[c->head].type;
	r->sector = v->hdrs[c->head].sector;
	r->bytes = bytes;
	r->ndesc = c->n;
	v->avail->ring[v->avail_idx % v->qsize] = c->head;
	wmb();
	v->avail->idx = ++v->avail_idx;
	mb();
	vp_notify(&v->vp);
	v->inflight++;
	if (v->inflight > v->st.max_inflight)
		v->st.max_inflight = v->inflight;
	v->st.requests++;
	return r;
}

/* --- blkdev operations -------------------------------------------------- */

static struct virtio_blk *vblk_of(struct blkdev *d)
{
	return d->priv;
}

static int range_ok(const struct virtio_blk *v, uint64_t sector,
		    uint64_t bytes)
{
	uint64_t n = bytes >> VIRTIO_BLK_SECTOR_SHIFT;

	return n && sector < v->capacity && n <= v->capacity - sector;
}

/* How many of pages[0..n) one request carries; *segs its segments. */
static uint32_t pages_per_req(const struct virtio_blk *v,
			      const uint64_t *pages, uint32_t n,
			      unsigned int *segs)
{
	uint32_t i, len = 0;
	unsigned int s = 0;

	for (i = 0; i < n; i++) {
		if (s && pages[i] == pages[i - 1] + VIRTIO_BLK_PAGE_SIZE &&
		    len + VIRTIO_BLK_PAGE_SIZE <= v->seg_bytes) {
			len += VIRTIO_BLK_PAGE_SIZE;
			continue;
		}
		if (s == v->seg_max)
			break;
		s++;
		len = VIRTIO_BLK_PAGE_SIZE;
	}
	*segs = s;
	return i;
}

static void add_data(struct virtio_blk *v, struct chain *c,
		     const uint64_t *pages, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		uint64_t start = pages[i];
		uint32_t len = VIRTIO_BLK_PAGE_SIZE;

		for (i++; i < n && pages[i] == start + len &&
		     len + VIRTIO_BLK_PAGE_SIZE <= v->seg_bytes; i++)
			len += VIRTIO_BLK_PAGE_SIZE;
		chain_add(v, c, start, len, 0);
	}
}

static int vblk_submit_write(struct blkdev *d, uint64_t lba,
			     const uint64_t *pages, uint32_t nr_pages)
{
	struct virtio_blk *v = vblk_of(d);
	uint64_t sector = lba * (v->block_size >> VIRTIO_BLK_SECTOR_SHIFT);
	uint32_t i;
	int err;

	if (v->dead)
		return v->dead;
	if (!nr_pages)
		return 0;
	if (!range_ok(v, sector, (uint64_t)nr_pages * VIRTIO_BLK_PAGE_SIZE))
		return E_VIRTIO_LBA_RANGE;
	for (i = 0; i < nr_pages; i++)
		if (pages[i] & (VIRTIO_BLK_PAGE_SIZE - 1))
			return E_VIRTIO_ALIGN;
	while (nr_pages) {
		unsigned int segs;
		uint32_t n = pages_per_req(v, pages, nr_pages, &segs);
		struct chain c;

		err = wait_queue(v, segs + 2, NULL);
		if (err)
			return err;
		chain_start(v, &c, VIRTIO_BLK_T_OUT, sector);
		add_data(v, &c, pages, n);
		chain_submit(v, &c, n * VIRTIO_BLK_PAGE_SIZE);
		v->st.bytes_written += (uint64_t)n * VIRTIO_BLK_PAGE_SIZE;
		sector += (uint64_t)n * (VIRTIO_BLK_PAGE_SIZE >>
					 VIRTIO_BLK_SECTOR_SHIFT);
		pages += n;
		nr_pages -= n;
	}
	return 0;
}

static int vblk_wait_idle(struct blkdev *d)
{
	struct virtio_blk *v = vblk_of(d);
	int err = v->dead ? v->dead : wait_queue(v, 0, NULL);

	if (v->err)
		err = v->err;
	v->err = 0;
	return err;
}

/* One request of up to seg_bytes into a contiguous buffer, waited for. */
static int read_chunk(struct virtio_blk *v, uint64_t sector, uint64_t buf_pa,
		      uint32_t bytes)
{
	struct vblk_req *r;
	struct chain c;
	int err;

	err = wait_queue(v, 3, NULL);
	if (err)
		return err;
	chain_start(v, &c, VIRTIO_BLK_T_IN, sector);
	chain_add(v, &c, buf_pa, bytes, VIRTQ_DESC_F_WRITE);
	r = chain_submit(v, &c, bytes);
	err = wait_queue(v, 0, &r->done);
	if (err)
		return err;
	if (r->status != VIRTIO_BLK_S_OK) {
		bmlog("virtio%u: read of %u bytes at sector %llu failed: "
		      "status %u", v->index, bytes,
		      (unsigned long long)sector, r->status);
		return E_VIRTIO_READ_STATUS;
	}
	v->st.bytes_read += bytes;
	return 0;
}

static int vblk_read(struct blkdev *d, uint64_t lba, uint64_t buf_pa,
		     uint32_t bytes)
{
	struct virtio_blk *v = vblk_of(d);
	uint64_t sector = lba * (v->block_size >> VIRTIO_BLK_SECTOR_SHIFT);
	int err;

	if (v->dead)
		return v->dead;
	if (!bytes || (bytes & (v->block_size - 1)))
		return E_VIRTIO_IO_SIZE;
	if (!range_ok(v, sector, bytes))
		return E_VIRTIO_LBA_RANGE;
	while (bytes) {
		uint32_t chunk = bytes < v->seg_bytes ? bytes : v->seg_bytes;

		err = read_chunk(v, sector, buf_pa, chunk);
		if (err)
			return err;
		sector += chunk >> VIRTIO_BLK_SECTOR_SHIFT;
		buf_pa += chunk;
		bytes -= chunk;
	}
	return 0;
}

static int vblk_flush(struct blkdev *d)
{
	struct virtio_blk *v = vblk_of(d);
	int err = vblk_wait_idle(d), ferr;
	struct vblk_req *r;
	struct chain c;

	if (v->dead)
		return err ? err : v->dead;
	/* Without VIRTIO_BLK_F_FLUSH the device writes through. */
	if (!has(v, VIRTIO_BLK_F_FLUSH))
		return err;
	ferr = wait_queue(v, 2, NULL);
	if (ferr)
		return err ? err : ferr;
	chain_start(v, &c, VIRTIO_BLK_T_FLUSH, 0);
	r = chain_submit(v, &c, 0);
	ferr = wait_queue(v, 0, &r->done);
	if (!ferr && r->status != VIRTIO_BLK_S_OK) {
		bmlog("virtio%u: flush failed: status %u", v->index,
		      r->status);
		ferr = E_VIRTIO_FLUSH_STATUS;
	}
	return err ? err : ferr;
}

/* After the flush: a reset is all the orderly shutdown virtio has. */
static int vblk_shutdown(struct blkdev *d)
{
	struct virtio_blk *v = vblk_of(d);
	int err;

	if (v->dead)
		return v->dead == E_VIRTIO_DEAD ? 0 : v->dead;
	err = wait_queue(v, 0, NULL);
	if (v->dead)
		return v->dead;
	v->dead = E_VIRTIO_DEAD;
	if (vp_reset(&v->vp, E_VIRTIO_SHUTDOWN_TIMEOUT))
		return E_VIRTIO_SHUTDOWN_TIMEOUT;
	return err;
}

/* --- probe ---------------------------------------------------------------- */

static void fill_blkdev(struct virtio_blk *v, struct blkdev *d)
{
	memset(d, 0, sizeof(*d));
	bm_snprintf(d->name, sizeof(d->name), "virtio%u", v->index);
	d->block_size = v->block_size;
	d->nr_blocks = v->capacity / (v->block_size >> VIRTIO_BLK_SECTOR_SHIFT);
	d->max_io_bytes = v->seg_max * VIRTIO_BLK_PAGE_SIZE;
	d->submit_write = vblk_submit_write;
	d->wait_idle = vblk_wait_idle;
	d->read = vblk_read;
	d->flush = vblk_flush;
	d->shutdown = vblk_shutdown;
	d->priv = v;
}

/* Reset, then renegotiate and set up the queue: DRIVER_OK at the end. */
static int bring_up(struct virtio_blk *v)
{
	int err;

	err = vp_reset(&v->vp, E_VIRTIO_RESET_TIMEOUT);
	if (err)
		return err;
	/* The reset fenced the old rings: DMA may start again. */
	pci_command_set(v->vp.pdev, PCI_COMMAND_MASTER, 0);
	err = negotiate(v);
	if (!err)
		err = setup_queue(v);
	if (!err)
		err = apply_limits(v);
	if (err)
		return err;
	vp_set_status(&v->vp, VIRTIO_CONFIG_S_DRIVER_OK);
	if (vp_status(&v->vp) & (VIRTIO_CONFIG_S_NEEDS_RESET |
			     VIRTIO_CONFIG_S_FAILED))
		return E_VIRTIO_DRIVER_OK;
	return 0;
}

static int take_over(struct virtio_blk *v)
{
	int err = pci_set_power_d0(v->vp.pdev);

	if (err)
		return err;
	/* Nothing may interrupt; BME stays off until the reset is done. */
	pci_disable_irqs(v->vp.pdev);
	pci_command_set(v->vp.pdev, PCI_COMMAND_MEMORY |
			PCI_COMMAND_INTX_DISABLE, 0);
	err = vp_find_caps(&v->vp, VIRTIO_BLK_CFG_MIN_SIZE);
	if (err)
		return err;
	v->status_before = vp_status(&v->vp);
	if (v->status_before == VIRTIO_STATUS_GONE &&
	    vp_read16(&v->vp, VIRTIO_PCI_COMMON_NUMQ) == 0xffff)
		return E_VIRTIO_GONE;
	return bring_up(v);
}

int virtio_blk_probe(const struct pci_dev *pdev, unsigned int index,
		     struct blkdev *devs, unsigned int max,
		     unsigned int *count, struct virtio_blk **out)
{
	uint64_t t0 = rdtsc();
	struct virtio_blk *v;
	char name[16];
	int err;

	*count = 0;
	if (out)
		*out = NULL;
	v = (struct virtio_blk *)(uintptr_t)dma_alloc(sizeof(*v), 8);
	if (!v) {
		pci_clear_master(pdev);
		return E_VIRTIO_NO_MEMORY;
	}
	v->vp.pdev = pdev;
	v->index = index;
	err = take_over(v);
	if (err) {
		dev_fence(v);
		return err;
	}
	if (!max) {
		bmlog("virtio%u: %s", index, stub_strerror(E_STORAGE_TOO_MANY));
		dev_fence(v);
		return E_STORAGE_TOO_MANY;
	}
	fill_blkdev(v, &devs[0]);
	*count = 1;
	if (out)
		*out = v;
	bmlog("virtio%u: %s %04x:%04x status was 0x%02x; features offered "
	      "0x%llx, taken 0x%llx; init %llu us", index, pci_name(pdev, name),
	      pdev->vendor, pdev->device, v->status_before,
	      (unsigned long long)v->offered, (unsigned long long)v->features,
	      (unsigned long long)timer_us_since(t0));
	bmlog("virtio%u: %llu blocks of %u bytes (%llu MiB), queue %u, "
	      "%u segments of up to %u KiB per request, flush %s", index,
	      (unsigned long long)devs[0].nr_blocks, v->block_size,
	      (unsigned long long)(v->capacity >> 11), v->qsize, v->seg_max,
	      v->seg_bytes >> 10, has(v, VIRTIO_BLK_F_FLUSH) ? "yes" : "no");
	return 0;
}

struct virtio_blk *virtio_blk_of(const struct blkdev *d)
{
	/* Only virtio_blk_probe() hands out blkdevs with this shutdown. */
	if (!d || d->shutdown != vblk_shutdown)
		return NULL;
	return d->priv;
}

int virtio_blk_disable(struct virtio_blk *v)
{
	int err;

	/* Dead devices were fenced when they died. */
	if (v->dead)
		return 0;
	v->dead = E_VIRTIO_DEAD;
	err = vp_reset(&v->vp, E_VIRTIO_RESET_TIMEOUT);
	pci_clear_master(v->vp.pdev);
	return err;
}

void virtio_blk_get_stats(const struct virtio_blk *v,
			  struct virtio_blk_stats *st)
{
	*st = v->st;
}
