// SPDX-License-Identifier: GPL-2.0
#define FAKE_MODEL	"fake_ahci"
#include "fake_dev.h"
#include "fake_ahci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS	2
#define ABAR_SIZE	0x1100
#define HELD		UINT64_MAX
#define TFD_READY	0x50		/* DRDY | DSC */
#define TFD_ABORT	(0x51 | 0x04 << 8)	/* ERR, error ABRT */
#define TFD_IDNF	(0x51 | 0x10 << 8)	/* ERR, error IDNF */
#define SSTS_UP		0x113		/* DET 3, Gen1, IPM active */

static struct fake_ahci *models[MAX_MODELS];
static unsigned int nr_models;

static int old_mem(uint64_t pa)
{
	return pa >= FAKE_AHCI_OLD_MEM && pa < FAKE_AHCI_OLD_MEM + 0x100000;
}

static unsigned int bits(uint32_t v)
{
	return (unsigned int)__builtin_popcount(v);
}

/* --- IDENTIFY DEVICE ------------------------------------------------------ */

static void put_id_string(uint16_t *id, unsigned int word, const char *s,
			  unsigned int words)
{
	unsigned int i;

	for (i = 0; i < 2 * words; i++) {
		char ch = i < strlen(s) ? s[i] : ' ';

		if (i & 1)
			id[word + i / 2] |= (uint8_t)ch;
		else
			id[word + i / 2] = (uint16_t)((uint8_t)ch << 8);
	}
}

static void identify(const struct fake_ahci_port *d, uint16_t *id)
{
	unsigned int i;

	memset(id, 0, 512);
	put_id_string(id, ATA_ID_SERIAL, "FAKE0001", 10);
	put_id_string(id, ATA_ID_FW_REV, "1.0", 4);
	put_id_string(id, ATA_ID_MODEL, "FAKE AHCI DISK", 20);
	id[ATA_ID_CAPABILITY] = ATA_ID_CAP_LBA | ATA_ID_CAP_DMA;
	id[ATA_ID_LBA28] = (uint16_t)(d->sectors > 0x0fffffff ? 0x0fffffff :
				      d->sectors);
	id[ATA_ID_QUEUE_DEPTH] = (uint16_t)(d->qdepth - 1);
	id[ATA_ID_SATA_CAP] = d->ncq ? ATA_ID_SATA_NCQ : 0;
	id[ATA_ID_CMDSET2] = (uint16_t)(1u << 14 | ATA_ID_LBA48 |
					(d->flush_ext ? ATA_ID_FLUSH_EXT : 0));
	id[ATA_ID_CFS_ENABLE2] = id[ATA_ID_CMDSET2];
	for (i = 0; i < 4; i++)
		id[ATA_ID_LBA48_MAX + i] = (uint16_t)(d->sectors >> (16 * i));
	id[ATA_ID_SECTOR_SIZE] = ATA_ID_SS_VALID;
	if (d->phys_log2)
		id[ATA_ID_SECTOR_SIZE] |= ATA_ID_SS_MULTI | d->phys_log2;
	if (d->sector_size != 512) {
		id[ATA_ID_SECTOR_SIZE] |= ATA_ID_SS_LONG_LOGICAL;
		id[ATA_ID_LOGICAL_SIZE] = (uint16_t)(d->sector_size / 2);
		id[ATA_ID_LOGICAL_SIZE + 1] = 0;
	}
}

/* --- commands ------------------------------------------------------------ */

static int is_ncq(uint8_t c)
{
	return c == ATA_CMD_READ_FPDMA || c == ATA_CMD_WRITE_FPDMA;
}

static int is_data(uint8_t c)
{
	return is_ncq(c) || c == ATA_CMD_READ_DMA_EXT ||
	       c == ATA_CMD_WRITE_DMA_EXT;
}

static int is_write(uint8_t c)
{
	return c == ATA_CMD_WRITE_FPDMA || c == ATA_CMD_WRITE_DMA_EXT;
}

/* Move bytes between the disk at off and the PRDT's buffers. */
static void prdt_copy(struct fake_ahci *m, const struct ahci_prd *prdt,
		      unsigned int n, uint8_t *disk, int to_disk)
{
	unsigned int i;
	uint64_t off = 0;

	for (i = 0; i < n; i++) {
		uint64_t pa = prdt[i].dba | (uint64_t)prdt[i].dbau << 32;
		uint32_t len = (prdt[i].dbc & 0x3fffff) + 1;

		if (to_disk)
			memcpy(disk + off, host(pa), len);
		else
			memcpy(host(pa), disk + off, len);
		off += len;
	}
}

static uint32_t prdt_bytes(struct fake_ahci *m, const struct ahci_prd *prdt,
			   unsigned int n, struct fake_ahci_cmd *rec)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t len = (prdt[i].dbc & 0x3fffff) + 1;

		if ((len & 1) || (prdt[i].dba & 1))
			violation(m, "PRD %u: odd byte count or address", i);
		if (!prdt[i].dba && !prdt[i].dbau)
			violation(m, "PRD %u: null address", i);
		sum += len;
	}
	rec->first_dba = n ? (prdt[0].dba | (uint64_t)prdt[0].dbau << 32) : 0;
	return sum;
}

/* Run one command: 0, or the TFD value of its failure. */
static uint32_t execute(struct fake_ahci *m, struct fake_ahci_port *d,
			struct fake_ahci_cmd *rec, const struct ahci_prd *prdt,
			int write_bit)
{
	uint16_t id[256];
	uint8_t c = rec->command;

	if (c == ATA_CMD_IDENTIFY) {
		if (rec->bytes < 512) {
			violation(m, "IDENTIFY with %u PRD bytes", rec->bytes);
			return TFD_ABORT;
		}
		identify(d, id);
		prdt_copy(m, prdt, 1, (uint8_t *)id, 0);
		return 0;
	}
	if (c == ATA_CMD_FLUSH_CACHE_EXT || c == ATA_CMD_FLUSH_CACHE)
		return d->fail_flush ? TFD_ABORT : 0;
	if (!is_data(c))
		return TFD_ABORT;
	if (is_write(c) != write_bit)
		violation(m, "command 0x%02x with header W=%d", c, write_bit);
	if (rec->bytes != rec->count * d->sector_size)
		violation(m, "command 0x%02x: %u sectors but %u PRD bytes", c,
			  rec->count, rec->bytes);
	if (d->inject_cmd && ++d->data_cmds == d->inject_cmd)
		return TFD_ABORT;
	if (rec->lba + rec->count > d->sectors)
		return TFD_IDNF;
	if (rec->bytes == rec->count * d->sector_size)
		prdt_copy(m, prdt, rec->prdtl,
			  d->data + rec->lba * d->sector_size, is_write(c));
	return 0;
}

static void decode_fis(struct fake_ahci *m, unsigned int slot,
		       const struct sata_fis_h2d *f, struct fake_ahci_cmd *rec)
{
	rec->command = f->command;
	rec->lba = f->lba0 | (uint64_t)f->lba1 << 8 | (uint64_t)f->lba2 << 16 |
		   (uint64_t)f->lba3 << 24 | (uint64_t)f->lba4 << 32 |
		   (uint64_t)f->lba5 << 40;
	if (f->type != SATA_FIS_TYPE_H2D || !(f->flags & SATA_FIS_H2D_C))
		violation(m, "slot %u: not a register H2D command FIS", slot);
	if (is_ncq(f->command)) {
		rec->count = f->feature_lo | (uint32_t)f->feature_hi << 8;
		if ((unsigned int)(f->count_lo >> 3) != slot)
			violation(m, "slot %u: NCQ tag %u", slot,
				  f->count_lo >> 3);
	} else {
		rec->count = f->count_lo | (uint32_t)f->count_hi << 8;
	}
	if (is_data(f->command) && !rec->count)
		rec->count = 65536;
	if (is_data(f->command) && !(f->device & ATA_DEV_LBA))
		violation(m, "slot %u: device register without LBA", slot);
}

static void tf_error(struct fake_ahci_port *d, uint32_t tfd)
{
	d->tfd = tfd;
	d->is |= AHCI_PxIS_TFES;
	d->error = 1;
}

/* Take slot from CI: fetch header, FIS, PRDT; do the transfer. */
static void fetch(struct fake_ahci *m, struct fake_ahci_port *d,
		  unsigned int pn, unsigned int slot)
{
	struct ahci_cmd_hdr *h = (struct ahci_cmd_hdr *)host(d->clb) + slot;
	struct fake_ahci_cmd *rec;
	uint64_t ct;
	uint32_t tfd;

	if (!dma_ok(m, "command fetch"))
		return;
	ct = h->ctba | (uint64_t)h->ctbau << 32;
	if (ct & 0x7f)
		violation(m, "port %u slot %u: CTBA 0x%llx not 128-byte "
			  "aligned", pn, slot, (unsigned long long)ct);
	if (AHCI_CMD_CFL(h->opts) != 5)
		violation(m, "port %u slot %u: CFL %u", pn, slot,
			  AHCI_CMD_CFL(h->opts));
	assert_true(m->nr_cmds < FAKE_AHCI_LOG);
	rec = &m->cmds[m->nr_cmds++];
	memset(rec, 0, sizeof(*rec));
	rec->port = pn;
	rec->slot = slot;
	decode_fis(m, slot, host(ct + AHCI_CT_CFIS), rec);
	rec->prdtl = h->opts >> AHCI_CMD_PRDTL_SHIFT;
	rec->bytes = prdt_bytes(m, host(ct + AHCI_CT_PRDT), rec->prdtl, rec);
	if (is_ncq(rec->command)) {
		if (!d->ncq)
			violation(m, "NCQ command to a drive without NCQ");
		if (!(d->sact & (1u << slot)))
			violation(m, "slot %u: NCQ without PxSACT", slot);
		if (d->fetched & ~d->sact)
			violation(m, "NCQ command while a non-queued one runs");
	} else if (d->sact) {
		violation(m, "non-queued command 0x%02x while NCQ commands "
			  "run (SACT 0x%08x)", rec->command, d->sact);
	}
	tfd = execute(m, d, rec, host(ct + AHCI_CT_PRDT),
		      !!(h->opts & AHCI_CMD_WRITE));
	if (tfd) {
		rec->failed = 1;
		d->cmd = (d->cmd & ~(0x1fu << 8)) | slot << 8;	/* CCS */
		tf_error(d, tfd);
		return;
	}
	h->prdbc = rec->bytes;
	d->fetched |= 1u << slot;
	if (is_ncq(rec->command))
		d->ci &= ~(1u << slot);
	d->due[slot] = d->hold ? HELD : m->now + d->latency;
	if (bits(d->fetched) > d->max_outstanding)
		d->max_outstanding = bits(d->fetched);
}

static void complete(struct fake_ahci *m, struct fake_ahci_port *d,
		     unsigned int slot)
{
	uint32_t bit = 1u << slot;

	d->fetched &= ~bit;
	if (!dma_ok(m, "received FIS"))
		return;
	if (d->sact & bit) {
		d->sact &= ~bit;
		d->is |= AHCI_PxIS_SDBS;
		if (d->cmd & AHCI_PxCMD_FRE)
			*(uint8_t *)host(d->fb + 0x58) = 0xa1;
	} else {
		d->ci &= ~bit;
		d->is |= AHCI_PxIS_DHRS;
		if (d->cmd & AHCI_PxCMD_FRE)
			*(uint8_t *)host(d->fb + 0x40) = 0x34;
	}
	d->tfd = TFD_READY;
}

static void port_tick(struct fake_ahci *m, struct fake_ahci_port *d,
		      unsigned int pn)
{
	unsigned int s;

	if (d->st_stop_pending) {
		d->st_stop_pending = 0;
		d->cmd &= ~AHCI_PxCMD_CR;
		d->ci = d->sact = d->fetched = 0;
		d->error = 0;
	}
	if (d->fre_stop_pending) {
		d->fre_stop_pending = 0;
		d->cmd &= ~AHCI_PxCMD_FR;
	}
	if (!(d->cmd & AHCI_PxCMD_CR) || d->error || old_mem(d->clb))
		return;
	for (s = 0; s < 32 && !d->error; s++)
		if (d->ci & ~d->fetched & (1u << s))
			fetch(m, d, pn, s);
	for (s = 0; s < 32 && !d->error; s++)
		if ((d->fetched & (1u << s)) && d->due[s] != HELD &&
		    d->due[s] <= m->now)
			complete(m, d, s);
}

/* --- registers ------------------------------------------------------------ */

static struct fake_ahci *model_at(uint64_t pa)
{
	return fake_model_at(models, nr_models, pa, ABAR_SIZE);
}

static uint32_t port_read(struct fake_ahci_port *d, uint32_t off)
{
	switch (off) {
	case AHCI_PxCLB: return (uint32_t)d->clb;
	case AHCI_PxCLBU: return (uint32_t)(d->clb >> 32);
	case AHCI_PxFB: return (uint32_t)d->fb;
	case AHCI_PxFBU: return (uint32_t)(d->fb >> 32);
	case AHCI_PxIS: return d->is;
	case AHCI_PxIE: return d->ie;
	case AHCI_PxCMD: return d->cmd;
	case AHCI_PxTFD: return d->tfd;
	case AHCI_PxSIG: return d->sig;
	case AHCI_PxSSTS: return d->ssts;
	case AHCI_PxSCTL: return d->sctl;
	case AHCI_PxSERR: return d->serr;
	case AHCI_PxSACT: return d->sact;
	case AHCI_PxCI: return d->ci;
	}
	return 0;
}

/* The model a 32-bit register access goes to, and its offset in the ABAR. */
static struct fake_ahci *decode(volatile void *a, int size, uint32_t *off)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;
	struct fake_ahci *m = model_at(pa);

	assert_non_null(m);
	assert_int_equal(size, 4);
	*off = (uint32_t)(pa - m->bar);
	return m;
}

/* The port whose registers hold off: 1 and *pn, or 0 for the HBA's. */
static int port_of(uint32_t off, unsigned int *pn)
{
	if (off < AHCI_PORT_BASE(0))
		return 0;
	*pn = (off - AHCI_PORT_BASE(0)) / AHCI_PORT_SIZE;
	return 1;
}

static int port_implemented(const struct fake_ahci *m, unsigned int pn)
{
	return pn < FAKE_AHCI_PORTS && (m->pi & (1u << pn));
}

static uint64_t reg_read(volatile void *a, int size)
{
	uint32_t off;
	struct fake_ahci *m = decode(a, size, &off);
	unsigned int p;

	if (!mem_decode(m))
		return 0xffffffffu;
	if (port_of(off, &p))
		return port_implemented(m, p) ?
		       port_read(&m->port[p], off & (AHCI_PORT_SIZE - 1)) : 0;
	switch (off) {
	case AHCI_CAP: return m->cap;
	case AHCI_GHC: return m->ghc;
	case AHCI_PI: return m->pi;
	case AHCI_VS: return m->vs;
	case AHCI_CAP2: return m->cap2;
	case AHCI_BOHC: return m->bohc;
	}
	return 0;
}

static void write_cmd(struct fake_ahci *m, struct fake_ahci_port *d,
		      unsigned int pn, uint32_t v)
{
	uint32_t old = d->cmd, keep = AHCI_PxCMD_CR | AHCI_PxCMD_FR;
	uint32_t rw = AHCI_PxCMD_ST | AHCI_PxCMD_FRE | AHCI_PxCMD_SUD |
		      AHCI_PxCMD_POD | AHCI_PxCMD_ICC_MASK;

	d->cmd = (old & keep) | (v & rw & ~AHCI_PxCMD_ICC_MASK);
	if ((old & AHCI_PxCMD_ST) && !(v & AHCI_PxCMD_ST) && !d->stuck)
		d->st_stop_pending = 1;
	if (!(old & AHCI_PxCMD_ST) && (v & AHCI_PxCMD_ST)) {
		if (!(d->cmd & AHCI_PxCMD_FR))
			violation(m, "port %u: ST set without FRE/FR", pn);
		if (d->tfd & (ATA_STS_BSY | ATA_STS_DRQ))
			violation(m, "port %u: ST set while BSY/DRQ", pn);
		if (old_mem(d->clb) || (d->clb & 0x3ff))
			violation(m, "port %u: ST on command list 0x%llx", pn,
				  (unsigned long long)d->clb);
		if (d->ie || (m->ghc & AHCI_GHC_IE))
			violation(m, "port %u: started with interrupts on", pn);
		if (d->cmd & AHCI_PxCMD_CR)
			violation(m, "port %u: ST set while CR still set", pn);
		d->cmd |= AHCI_PxCMD_CR;
		d->st_stop_pending = 0;
	}
	if ((old & AHCI_PxCMD_FRE) && !(v & AHCI_PxCMD_FRE)) {
		if (old & AHCI_PxCMD_ST || (d->cmd & AHCI_PxCMD_CR))
			violation(m, "port %u: FRE cleared while running", pn);
		d->fre_stop_pending = 1;
	}
	if (!(old & AHCI_PxCMD_FRE) && (v & AHCI_PxCMD_FRE)) {
		if (old_mem(d->fb) || (d->fb & 0xff))
			violation(m, "port %u: FRE on FIS area 0x%llx", pn,
				  (unsigned long long)d->fb);
		d->cmd |= AHCI_PxCMD_FR;
		d->fre_stop_pending = 0;
	}
}

static void write_sctl(struct fake_ahci *m, struct fake_ahci_port *d,
		       unsigned int pn, uint32_t v)
{
	uint32_t old = d->sctl;

	d->sctl = v;
	if ((v & 0xf) == 1 && (old & 0xf) != 1) {
		if (d->cmd & AHCI_PxCMD_ST)
			violation(m, "port %u: COMRESET while ST=1", pn);
		d->comresets++;
		d->ssts = 0;
		d->tfd = 0x80;
	}
	if ((v & 0xf) == 0 && (old & 0xf) == 1) {
		d->stuck = 0;
		if (!(d->cmd & AHCI_PxCMD_ST) && (d->cmd & AHCI_PxCMD_CR))
			d->st_stop_pending = 1;
		if (d->data) {
			d->ssts = SSTS_UP;
			d->tfd = TFD_READY;
			d->sig = AHCI_SIG_ATA;
		}
	}
}

/* A 64-bit address register written as two 32-bit halves. */
static void set_half(uint64_t *r, int hi, uint32_t v)
{
	if (hi)
		*r = (*r & 0xffffffffull) | (uint64_t)v << 32;
	else
		*r = (*r & ~0xffffffffull) | v;
}

static void port_write(struct fake_ahci *m, unsigned int pn, uint32_t off,
		       uint32_t v)
{
	struct fake_ahci_port *d = &m->port[pn];

	switch (off) {
	case AHCI_PxCLB:
	case AHCI_PxCLBU:
		if (d->cmd & AHCI_PxCMD_CR)
			violation(m, "port %u: CLB written while CR", pn);
		set_half(&d->clb, off == AHCI_PxCLBU, v);
		return;
	case AHCI_PxFB:
	case AHCI_PxFBU:
		if (d->cmd & AHCI_PxCMD_FR)
			violation(m, "port %u: FB written while FR", pn);
		set_half(&d->fb, off == AHCI_PxFBU, v);
		return;
	case AHCI_PxIS:
		d->is &= ~v;
		return;
	case AHCI_PxIE:
		d->ie = v;
		return;
	case AHCI_PxCMD:
		write_cmd(m, d, pn, v);
		return;
	case AHCI_PxSCTL:
		write_sctl(m, d, pn, v);
		return;
	case AHCI_PxSERR:
		d->serr &= ~v;
		return;
	case AHCI_PxSACT:
		if (!(d->cmd & AHCI_PxCMD_ST))
			violation(m, "port %u: SACT written with ST=0", pn);
		d->sact |= v;
		return;
	case AHCI_PxCI:
		if (!(d->cmd & AHCI_PxCMD_ST))
			violation(m, "port %u: CI written with ST=0", pn);
		d->ci |= v;
		return;
	}
	violation(m, "port %u: write to register 0x%x", pn, off);
}

static void reg_write(volatile void *a, uint64_t v, int size)
{
	uint32_t off;
	struct fake_ahci *m = decode(a, size, &off);
	unsigned int p;

	if (m->nr_regw < FAKE_AHCI_REGLOG) {
		m->regw[m->nr_regw].off = off;
		m->regw[m->nr_regw].val = (uint32_t)v;
		m->nr_regw++;
	}
	if (!mem_decode(m))
		return;
	if (port_of(off, &p)) {
		if (!port_implemented(m, p))
			violation(m, "write to unimplemented port %u", p);
		else
			port_write(m, p, off & (AHCI_PORT_SIZE - 1),
				   (uint32_t)v);
		return;
	}
	switch (off) {
	case AHCI_GHC:
		m->ghc = (uint32_t)v & (AHCI_GHC_AE | AHCI_GHC_IE);
		return;
	case AHCI_IS:
		return;
	case AHCI_BOHC:
		if ((v & AHCI_BOHC_OOS) && (m->bohc & AHCI_BOHC_BOS) &&
		    !m->bios_never_releases && !m->bios_release_at)
			m->bios_release_at = (unsigned int)m->now + 3;
		m->bohc = (m->bohc & ~(AHCI_BOHC_OOS | AHCI_BOHC_OOC)) |
			  ((uint32_t)v & AHCI_BOHC_OOS);
		return;
	}
	violation(m, "write to HBA register 0x%x", off);
}

/* --- setup ------------------------------------------------------------ */

void fake_ahci_tick(void)
{
	unsigned int i, p;

	for (i = 0; i < nr_models; i++) {
		struct fake_ahci *m = models[i];

		m->now++;
		if (m->bios_release_at && m->now >= m->bios_release_at) {
			m->bohc &= ~AHCI_BOHC_BOS;
			m->bios_release_at = 0;
		}
		for (p = 0; p < FAKE_AHCI_PORTS; p++)
			if (m->pi & (1u << p))
				port_tick(m, &m->port[p], p);
	}
}

void fake_ahci_reset_all(void)
{
	unsigned int i, p;

	for (i = 0; i < nr_models; i++) {
		for (p = 0; p < FAKE_AHCI_PORTS; p++)
			free(models[i]->port[p].data);
		free(models[i]);
	}
	nr_models = 0;
}

struct fake_ahci *fake_ahci_new(struct fake_pci_fn *pci, uint64_t bar)
{
	struct fake_ahci *m = calloc(1, sizeof(*m));
	unsigned int p;

	assert_non_null(m);
	assert_true(nr_models < MAX_MODELS);
	models[nr_models++] = m;
	m->pci = pci;
	m->bar = bar;
	m->cap = AHCI_CAP_S64A | AHCI_CAP_SNCQ | AHCI_CAP_SSS |
		 31u << 8 | (FAKE_AHCI_PORTS - 1);
	m->ghc = AHCI_GHC_AE;
	m->pi = (1u << FAKE_AHCI_PORTS) - 1;
	m->vs = 0x00010000;
	for (p = 0; p < FAKE_AHCI_PORTS; p++)
		m->port[p].cmd = AHCI_PxCMD_SUD | AHCI_PxCMD_POD;
	fake_phys_add(bar, host(bar), ABAR_SIZE, FAKE_MMIO);
	fake_pci_next_mmio_read = reg_read;
	fake_pci_next_mmio_write = reg_write;
	fake_mmio_read = fake_pci_mmio_read;
	fake_mmio_write = fake_pci_mmio_write;
	fake_cpu_relax_hook = fake_ahci_tick;
	return m;
}

struct fake_pci_fn *fake_ahci_pci(uint8_t bus, uint8_t dev, uint64_t bar)
{
	struct fake_pci_fn *f = fake_pci_add(0, bus, dev, 0, 0x8086, 0x2922,
					     0x010601, 0);
	uint8_t msi;

	fake_pci_set_bar32(f, AHCI_ABAR_BAR, (uint32_t)bar);
	msi = fake_pci_add_cap(f, PCI_CAP_ID_MSI, 14);
	fake_pci_w16(f, msi + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return f;
}

struct fake_ahci_port *fake_ahci_add_disk(struct fake_ahci *m, unsigned int p,
					  uint64_t sectors,
					  unsigned int sector_size)
{
	struct fake_ahci_port *d = &m->port[p];

	assert_true(p < FAKE_AHCI_PORTS);
	d->sectors = sectors;
	d->sector_size = sector_size;
	d->data = calloc(1, (size_t)(sectors * sector_size));
	assert_non_null(d->data);
	d->ncq = 1;
	d->flush_ext = 1;
	d->qdepth = 32;
	d->ssts = SSTS_UP;
	d->tfd = TFD_READY;
	d->sig = AHCI_SIG_ATA;
	return d;
}

void fake_ahci_set_live(struct fake_ahci *m)
{
	unsigned int p;

	m->ghc = AHCI_GHC_AE | AHCI_GHC_IE;
	for (p = 0; p < FAKE_AHCI_PORTS; p++) {
		struct fake_ahci_port *d = &m->port[p];

		d->clb = FAKE_AHCI_OLD_MEM + 0x1000 * p;
		d->fb = FAKE_AHCI_OLD_MEM + 0x1000 * p + 0x400;
		d->ie = 0x7d40007f;
		d->cmd = AHCI_PxCMD_SUD | AHCI_PxCMD_POD | AHCI_PxCMD_FRE |
			 AHCI_PxCMD_FR | AHCI_PxCMD_ICC_ACTIVE;
		if (d->data)
			d->cmd |= AHCI_PxCMD_ST | AHCI_PxCMD_CR;
		d->serr = 0x04050002;
		d->is = AHCI_PxIS_DHRS;
	}
}

int fake_ahci_regw_find(const struct fake_ahci *m, uint32_t off,
			unsigned int from)
{
	unsigned int i;

	for (i = from; i < m->nr_regw; i++)
		if (m->regw[i].off == off)
			return (int)i;
	return -1;
}

unsigned int fake_ahci_count(const struct fake_ahci *m, int command)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr_cmds; i++)
		if (command < 0 || m->cmds[i].command == command)
			n++;
	return n;
}
