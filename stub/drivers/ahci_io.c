// SPDX-License-Identifier: GPL-2.0
/*
 * AHCI command slots and the blkdev operations: a command table per slot
 * (register H2D FIS + PRDT), NCQ or plain DMA, completion by PxCI/PxSACT
 * bits clearing, task file errors reported once and the port restarted.
 */
#include "ahci_priv.h"
#include "blkdev.h"
#include "console.h"
#include "errors.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

/* --- commands ------------------------------------------------------------ */

static uint32_t slot_mask(const struct ahci_port *p)
{
	return p->nr_slots == 32 ? 0xffffffffu : (1u << p->nr_slots) - 1;
}

static uint8_t *slot_table(const struct ahci_port *p, unsigned int s)
{
	return va(p->ct_pa + (uint64_t)s * AHCI_CT_SIZE);
}

static void prd_set(struct ahci_prd *e, uint64_t pa, uint32_t bytes)
{
	e->dba = (uint32_t)pa;
	e->dbau = (uint32_t)(pa >> 32);
	e->rsvd = 0;
	e->dbc = bytes - 1;
}

/* PRDT from whole pages, physically adjacent pages merged. */
static unsigned int prdt_pages(struct ahci_prd *prdt, const uint64_t *pages,
			       uint32_t n)
{
	unsigned int e = 0;
	uint32_t i, len = 0;
	uint64_t start = 0;

	for (i = 0; i < n; i++) {
		if (len && pages[i] == start + len &&
		    len + AHCI_PAGE_SIZE <= AHCI_PRD_DBC_MAX) {
			len += AHCI_PAGE_SIZE;
			continue;
		}
		if (len)
			prd_set(&prdt[e++], start, len);
		start = pages[i];
		len = AHCI_PAGE_SIZE;
	}
	if (len)
		prd_set(&prdt[e++], start, len);
	return e;
}

static void fis_lba(struct sata_fis_h2d *f, uint64_t lba)
{
	f->lba0 = (uint8_t)lba;
	f->lba1 = (uint8_t)(lba >> 8);
	f->lba2 = (uint8_t)(lba >> 16);
	f->lba3 = (uint8_t)(lba >> 24);
	f->lba4 = (uint8_t)(lba >> 32);
	f->lba5 = (uint8_t)(lba >> 40);
}

/*
 * Command FIS of slot s.  FPDMA commands carry the count in FEATURES and
 * the tag in COUNT 7:3 (ACS-3 7.21); the others carry the count in COUNT.
 */
static void build_fis(struct ahci_port *p, unsigned int s, uint8_t command,
		      uint64_t lba, uint32_t count)
{
	struct sata_fis_h2d *f = (void *)(slot_table(p, s) + AHCI_CT_CFIS);

	memset(f, 0, sizeof(*f));
	f->type = SATA_FIS_TYPE_H2D;
	f->flags = SATA_FIS_H2D_C;
	f->command = command;
	if (command == ATA_CMD_IDENTIFY || command == ATA_CMD_FLUSH_CACHE ||
	    command == ATA_CMD_FLUSH_CACHE_EXT)
		return;
	fis_lba(f, lba);
	f->device = ATA_DEV_LBA;
	if (command == ATA_CMD_WRITE_FPDMA || command == ATA_CMD_READ_FPDMA) {
		f->feature_lo = (uint8_t)count;
		f->feature_hi = (uint8_t)(count >> 8);
		f->count_lo = (uint8_t)(s << 3);
	} else {
		f->count_lo = (uint8_t)count;
		f->count_hi = (uint8_t)(count >> 8);
	}
}

/* Fill slot s's header and hand it to the HBA. */
static void issue(struct ahci_port *p, unsigned int s, uint8_t command,
		  uint64_t lba, uint32_t count, unsigned int prdtl, int write)
{
	struct ahci_cmd_hdr *h = &p->cl[s];
	uint64_t ct = p->ct_pa + (uint64_t)s * AHCI_CT_SIZE;
	int queued = command == ATA_CMD_WRITE_FPDMA ||
		     command == ATA_CMD_READ_FPDMA;

	build_fis(p, s, command, lba, count);
	h->opts = SATA_FIS_H2D_LEN / 4 | (write ? AHCI_CMD_WRITE : 0) |
		  (uint32_t)prdtl << AHCI_CMD_PRDTL_SHIFT;
	h->prdbc = 0;
	h->ctba = (uint32_t)ct;
	h->ctbau = (uint32_t)(ct >> 32);
	p->slots[s].command = command;
	p->slots[s].lba = lba;
	p->slots[s].count = count;
	p->busy |= 1u << s;
	p->st.commands++;
	if (slot_count(p->busy) > p->st.max_inflight)
		p->st.max_inflight = slot_count(p->busy);
	wmb();
	if (queued)	/* SACT before CI (section 5.6.4) */
		wr(p->regs, AHCI_PxSACT, 1u << s);
	wr(p->regs, AHCI_PxCI, 1u << s);
}

static int tfe_code(uint8_t command)
{
	switch (command) {
	case ATA_CMD_WRITE_DMA_EXT:
	case ATA_CMD_WRITE_FPDMA:
		return E_AHCI_WRITE_TFE;
	case ATA_CMD_FLUSH_CACHE:
	case ATA_CMD_FLUSH_CACHE_EXT:
		return E_AHCI_FLUSH_TFE;
	case ATA_CMD_IDENTIFY:
		return E_AHCI_IDENTIFY;
	}
	return E_AHCI_READ_TFE;
}

/* Say which command failed: CCS names it, except under NCQ. */
static void log_error(struct ahci_port *p, uint32_t is, unsigned int s)
{
	uint32_t tfd = rd(p->regs, AHCI_PxTFD), serr = rd(p->regs, AHCI_PxSERR);
	uint64_t lo = UINT64_MAX, hi = 0;
	unsigned int i;

	if (!p->ncq || !(p->busy & ~(1u << s))) {
		bmlog("%s: command 0x%02x of %u sectors at lba %llu failed: "
		      "PxIS 0x%08x status 0x%02x error 0x%02x PxSERR 0x%08x",
		      p->name, p->slots[s].command, p->slots[s].count,
		      (unsigned long long)p->slots[s].lba, is,
		      AHCI_PxTFD_STS(tfd), AHCI_PxTFD_ERR(tfd), serr);
		return;
	}
	for (i = 0; i < 32; i++) {
		const struct ahci_slot *sl = &p->slots[i];

		if (!(p->busy & (1u << i)))
			continue;
		if (sl->lba < lo)
			lo = sl->lba;
		if (sl->lba + sl->count > hi)
			hi = sl->lba + sl->count;
	}
	bmlog("%s: NCQ command 0x%02x in slots 0x%08x (lba %llu to %llu) "
	      "failed: PxIS 0x%08x status 0x%02x error 0x%02x PxSERR 0x%08x",
	      p->name, p->slots[s].command, p->busy, (unsigned long long)lo,
	      (unsigned long long)(hi - 1), is, AHCI_PxTFD_STS(tfd),
	      AHCI_PxTFD_ERR(tfd), serr);
}

/*
 * The port stopped on an error (PxIS.TFES, HBFS, HBDS or IFS): log it,
 * fail every outstanding slot, restart the port (AHCI 1.3.1 6.2.2.1).
 * Returns the error code of the failure.
 */
static int port_error(struct ahci_port *p, uint32_t is)
{
	unsigned int s = (rd(p->regs, AHCI_PxCMD) >> 8) & 0x1f;	/* CCS */
	int err, r;

	if (!(p->busy & (1u << s)))
		s = p->busy ? (unsigned int)__builtin_ctz(p->busy) : 0;
	err = is & AHCI_PxIS_TFES ? tfe_code(p->slots[s].command) :
	      E_AHCI_HOST_ERROR;
	if (p->io_errors++ < AHCI_LOG_IO_ERRORS)
		log_error(p, is, s);
	p->busy = 0;
	r = ahci_port_stop(p->regs);
	if (r == E_AHCI_PORT_STUCK && !ahci_port_comreset(p->regs))
		r = ahci_port_stop(p->regs);
	if (!r)
		r = ahci_port_start(p);
	if (r) {
		bmlog("%s: restart after the error: %s", p->name,
		      stub_strerror(r));
		ahci_port_kill(p, E_AHCI_RECOVER);
	}
	return err;
}

/*
 * Take every completion: slots whose CI (and SACT) bits cleared.  Returns
 * how many completed, or a negative error of a failed command.
 */
static int reap(struct ahci_port *p)
{
	uint32_t ci, sact, is, done;

	if (!p->busy)
		return 0;
	ci = rd(p->regs, AHCI_PxCI);
	sact = p->ncq ? rd(p->regs, AHCI_PxSACT) : 0;
	is = rd(p->regs, AHCI_PxIS);
	if (ci == AHCI_REGS_GONE || is == AHCI_REGS_GONE)
		return ahci_port_kill(p, E_AHCI_GONE_LATER);
	done = p->busy & ~(ci | sact);
	p->busy &= ~done;
	if (is & AHCI_PxIS_FATAL)
		return port_error(p, is);
	if (done)
		wr(p->regs, AHCI_PxIS, is);	/* DHRS, SDBS, DPS: RW1C */
	return (int)slot_count(done);
}

/*
 * Reap until none of mask is busy (need_free: until a slot is free):
 * 0, or the error; no progress for ms kills the port with tmo.
 */
static int poll_slots(struct ahci_port *p, uint32_t mask, int need_free,
		      uint32_t ms, int tmo)
{
	struct deadline dl = deadline_ms(ms);
	int r;

	for (;;) {
		if (p->dead)
			return p->dead;
		r = reap(p);
		if (r < 0)
			return r;
		if (need_free ? (~p->busy & slot_mask(p)) != 0 :
		    !(p->busy & mask))
			return 0;
		if (r > 0)
			dl = deadline_ms(ms);
		if (deadline_passed(dl))
			return ahci_port_kill(p, wait_expired_err(tmo,
							E_AHCI_IO_DEADLINE));
		cpu_relax();
	}
}

static int wait_slots(struct ahci_port *p, uint32_t mask)
{
	return poll_slots(p, mask, 0, AHCI_IO_TIMEOUT_MS, E_AHCI_IO_TIMEOUT);
}

/* A free slot, reaping (and waiting) while all are in flight. */
static int get_slot(struct ahci_port *p, unsigned int *slot)
{
	int err = poll_slots(p, 0, 1, AHCI_IO_TIMEOUT_MS, E_AHCI_IO_TIMEOUT);

	if (!err)
		*slot = (unsigned int)__builtin_ctz(~p->busy & slot_mask(p));
	return err;
}

/* A non-queued command without data, or with one buffer, to the end. */
int ahci_run_sync(struct ahci_port *p, uint8_t command, uint64_t lba,
		    uint32_t count, uint64_t buf, uint32_t bytes, int write)
{
	unsigned int s, prdtl = 0;
	int err = wait_slots(p, 0xffffffffu);	/* no NCQ mixed in */

	if (err)
		return err;
	err = get_slot(p, &s);
	if (err)
		return err;
	if (bytes) {
		prd_set((void *)(slot_table(p, s) + AHCI_CT_PRDT), buf, bytes);
		prdtl = 1;
	}
	issue(p, s, command, lba, count, prdtl, write);
	if (command == ATA_CMD_IDENTIFY)
		return poll_slots(p, 1u << s, 0, AHCI_CMD_MS,
				  E_AHCI_CMD_TIMEOUT);
	return wait_slots(p, 1u << s);
}

/* --- blkdev operations ------------------------------------------------- */

static struct ahci_port *port_of(struct blkdev *d)
{
	return d->priv;
}

static int range_ok(const struct ahci_port *p, uint64_t lba, uint64_t n)
{
	return n && lba < p->sectors && n <= p->sectors - lba;
}

static int ahci_submit_write(struct blkdev *d, uint64_t lba,
			     const uint64_t *pages, uint32_t nr_pages)
{
	struct ahci_port *p = port_of(d);
	uint32_t spp = AHCI_PAGE_SIZE >> p->sector_shift, i;
	uint8_t command = p->ncq ? ATA_CMD_WRITE_FPDMA : ATA_CMD_WRITE_DMA_EXT;
	int err;

	if (p->dead)
		return p->dead;
	if (!nr_pages)
		return 0;
	if (!range_ok(p, lba, (uint64_t)nr_pages * spp))
		return E_AHCI_LBA_RANGE;
	for (i = 0; i < nr_pages; i++) {
		if (pages[i] & (AHCI_PAGE_SIZE - 1))
			return E_AHCI_ALIGN;
		if (!dma_reachable(p, pages[i], AHCI_PAGE_SIZE))
			return E_AHCI_DMA_HIGH;
	}
	while (nr_pages) {
		uint32_t n = nr_pages < AHCI_PRDT_ENTRIES ? nr_pages :
			     AHCI_PRDT_ENTRIES;
		struct ahci_prd *prdt;
		unsigned int s, prdtl;

		err = get_slot(p, &s);
		if (err)
			return err;
		prdt = (void *)(slot_table(p, s) + AHCI_CT_PRDT);
		prdtl = prdt_pages(prdt, pages, n);
		issue(p, s, command, lba, n * spp, prdtl, 1);
		p->st.bytes_written += (uint64_t)n * AHCI_PAGE_SIZE;
		lba += (uint64_t)n * spp;
		pages += n;
		nr_pages -= n;
	}
	return 0;
}

/*
 * A failed queued write is reported once, by whichever call reaps it
 * (this, submit_write or flush); the port runs again after it.
 */
static int ahci_wait_idle(struct blkdev *d)
{
	return wait_slots(port_of(d), 0xffffffffu);
}

static int ahci_read(struct blkdev *d, uint64_t lba, uint64_t buf_pa,
		     uint32_t bytes)
{
	struct ahci_port *p = port_of(d);
	uint32_t bsize = 1u << p->sector_shift;
	int err;

	if (p->dead)
		return p->dead;
	if (!bytes || (bytes & (bsize - 1)))
		return E_AHCI_IO_SIZE;
	if (buf_pa & 1)
		return E_AHCI_ALIGN;
	if (!dma_reachable(p, buf_pa, bytes))
		return E_AHCI_DMA_HIGH;
	if (!range_ok(p, lba, bytes >> p->sector_shift))
		return E_AHCI_LBA_RANGE;
	/* Queued writes first: a write error must not pass as a read's. */
	err = ahci_wait_idle(d);
	if (err)
		return err;
	while (bytes) {
		uint32_t chunk = bytes < AHCI_MAX_IO_BYTES ? bytes :
				 AHCI_MAX_IO_BYTES;

		err = ahci_run_sync(p, ATA_CMD_READ_DMA_EXT, lba,
			       chunk >> p->sector_shift, buf_pa, chunk, 0);
		if (err)
			return err;
		p->st.bytes_read += chunk;
		lba += chunk >> p->sector_shift;
		buf_pa += chunk;
		bytes -= chunk;
	}
	return 0;
}

static int ahci_flush(struct blkdev *d)
{
	struct ahci_port *p = port_of(d);
	int err = ahci_wait_idle(d), ferr;

	if (p->dead)
		return err ? err : p->dead;
	ferr = ahci_run_sync(p, p->flush_ext ? ATA_CMD_FLUSH_CACHE_EXT :
			ATA_CMD_FLUSH_CACHE, 0, 0, 0, 0, 0);
	return err ? err : ferr;
}

static int ahci_shutdown(struct blkdev *d)
{
	struct ahci_port *p = port_of(d);
	int err;

	if (p->dead)
		return p->dead == E_AHCI_DEAD ? 0 : p->dead;
	err = wait_slots(p, 0xffffffffu);
	if (p->dead)
		return p->dead;
	p->dead = E_AHCI_DEAD;
	if (ahci_port_stop(p->regs))
		return E_AHCI_PORT_STUCK;
	return err;
}

struct ahci_port *ahci_port_of_blkdev(const struct blkdev *d)
{
	/* Only ahci_fill_blkdev() hands out blkdevs with this shutdown. */
	return d && d->shutdown == ahci_shutdown ? d->priv : NULL;
}

void ahci_fill_blkdev(struct ahci_port *p, struct blkdev *d)
{
	memset(d, 0, sizeof(*d));
	bm_snprintf(d->name, sizeof(d->name), "%s", p->name);
	d->block_size = 1u << p->sector_shift;
	d->nr_blocks = p->sectors;
	d->max_io_bytes = AHCI_MAX_IO_BYTES;
	d->submit_write = ahci_submit_write;
	d->wait_idle = ahci_wait_idle;
	d->read = ahci_read;
	d->flush = ahci_flush;
	d->shutdown = ahci_shutdown;
	d->priv = p;
}
