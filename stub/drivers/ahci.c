// SPDX-License-Identifier: GPL-2.0
/*
 * Polled AHCI for the crash path.  The HBA was live a moment ago: its
 * ports may still be fetching the crashed kernel's command lists and
 * writing received FISes into the crashed kernel's memory.  So the stub
 * first asks the BIOS to let go (BOHC), then stops every implemented port
 * (PxCMD.ST=0 until CR=0, FRE=0 until FR=0; a COMRESET when a port will not
 * stop) and only then turns bus mastering on and points each port at
 * command lists and FIS areas of its own.
 *
 * One blkdev per ATA disk.  Writes go out as NCQ (WRITE FPDMA QUEUED, a
 * tag per slot, PxSACT then PxCI) when both HBA (CAP.SNCQ) and drive
 * (IDENTIFY word 76) offer it, else as WRITE DMA EXT in as many slots as
 * the HBA has (it runs them in order).  The PRDT entries point straight at
 * the caller's pages, adjacent pages merged.  A task file error stops the
 * port; the driver reports it once, restarts the port (COMRESET if the
 * drive stays busy) so the area's log and header can still be written.
 */
#include "ahci.h"
#include "ahci_priv.h"
#include "blkdev.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "pci.h"
#include "phys.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

/* No table of HBAs or disks: each takes its state from the DMA pool, so
 * crashkernel memory alone bounds how many there are. */
void ahci_forget(void)
{
}

static uint32_t hba_rd(const struct ahci_ctrl *c, uint32_t off)
{
	return mmio_read32(c->regs + off);
}

static void hba_wr(const struct ahci_ctrl *c, uint32_t off, uint32_t v)
{
	mmio_write32(c->regs + off, v);
}

/* --- HBA and port state (AHCI 1.3.1 sections 10.1.2, 10.4, 10.6) ------- */

/* Ask the BIOS to give the HBA up; a refusal is logged, not fatal. */
static void hba_handoff(struct ahci_ctrl *c)
{
	int r;

	if (!(c->cap2 & AHCI_CAP2_BOH))
		return;
	hba_wr(c, AHCI_BOHC, hba_rd(c, AHCI_BOHC) | AHCI_BOHC_OOS);
	r = ahci_wait_reg(c->regs, AHCI_BOHC, AHCI_BOHC_BOS, 0, AHCI_BOHC_MS);
	if (r == WAIT_TIMEOUT && (hba_rd(c, AHCI_BOHC) & AHCI_BOHC_BB))
		r = ahci_wait_reg(c->regs, AHCI_BOHC, AHCI_BOHC_BOS, 0,
			     AHCI_BOHC_BUSY_MS);
	if (r != WAIT_OK)
		bmlog("ahci%u: warning: %s", c->index,
		      stub_strerror(E_AHCI_HANDOFF));
	/* OOC is RW1C: the stub polls, no SMI/interrupt wanted. */
	hba_wr(c, AHCI_BOHC, AHCI_BOHC_OOS | AHCI_BOHC_OOC);
}

/* Phase 1 of the takeover, bus mastering still off: stop port n. */
static int port_quiesce(struct ahci_ctrl *c, unsigned int n)
{
	volatile uint8_t *pr = port_regs(c, n);
	uint32_t cmd = rd(pr, AHCI_PxCMD);
	int err;

	wr(pr, AHCI_PxIE, 0);
	err = ahci_port_stop(pr);
	if (err == E_AHCI_PORT_STUCK) {
		bmlog("ahci%u: port %u: does not stop (PxCMD 0x%08x -> 0x%08x);"
		      " COMRESET", c->index, n, cmd, rd(pr, AHCI_PxCMD));
		ahci_port_comreset(pr);
		err = ahci_port_stop(pr);
	}
	wr(pr, AHCI_PxSERR, 0xffffffffu);
	wr(pr, AHCI_PxIS, 0xffffffffu);
	if (!err)
		c->stopped |= 1u << n;
	return err;
}

/* Stop every port the stub took over, then no more bus mastering. */
static void ctrl_fence(struct ahci_ctrl *c)
{
	unsigned int n;

	if (c->regs && hba_rd(c, AHCI_CAP) != AHCI_REGS_GONE)
		for (n = 0; n < AHCI_MAX_PORTS; n++)
			if (c->pi & (1u << n))
				ahci_port_stop(port_regs(c, n));
	pci_clear_master(c->pdev);
}

/* --- disks ------------------------------------------------------------- */

/* An ATA string: bytes swapped in each word, blanks at the end. */
static void id_string(char *dst, const uint16_t *id, unsigned int word,
		      unsigned int words)
{
	unsigned int i, len = 0;

	for (i = 0; i < 2 * words; i++) {
		uint16_t w = id[word + i / 2];
		char ch = (char)(i & 1 ? w & 0xff : w >> 8);

		dst[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
		if (ch != ' ' && ch)
			len = i + 1;
	}
	dst[len] = 0;
}

/* Capacity, sector sizes, NCQ and FLUSH from IDENTIFY DEVICE. */
static int parse_identify(struct ahci_port *p, char *model)
{
	const uint16_t *id = va(p->id_pa);
	uint16_t ss = id[ATA_ID_SECTOR_SIZE];
	uint32_t bytes = 512;
	unsigned int i;

	if (!(id[ATA_ID_CAPABILITY] & ATA_ID_CAP_DMA) ||
	    !(id[ATA_ID_CMDSET2] & ATA_ID_LBA48))
		return E_AHCI_NO_LBA48;
	p->sectors = 0;
	for (i = 0; i < 4; i++)
		p->sectors |= (uint64_t)id[ATA_ID_LBA48_MAX + i] << (16 * i);
	p->phys_shift = 0;
	if ((ss & ATA_ID_SS_VALID_MASK) == ATA_ID_SS_VALID) {
		if (ss & ATA_ID_SS_LONG_LOGICAL)
			bytes = 2u * ((uint32_t)id[ATA_ID_LOGICAL_SIZE] |
				      (uint32_t)id[ATA_ID_LOGICAL_SIZE + 1] <<
				      16);
		if (ss & ATA_ID_SS_MULTI)
			p->phys_shift = ATA_ID_SS_LOG2(ss);
	}
	if (bytes != 512 && bytes != 4096)
		return E_AHCI_SECTOR_SIZE;
	p->sector_shift = bytes == 512 ? 9 : 12;
	if (!p->sectors)
		return E_AHCI_NO_LBA48;
	p->flush_ext = !!(id[ATA_ID_CMDSET2] & ATA_ID_FLUSH_EXT);
	p->ncq = (p->c->cap & AHCI_CAP_SNCQ) &&
		 (id[ATA_ID_SATA_CAP] & ATA_ID_SATA_NCQ);
	if (p->ncq && (id[ATA_ID_QUEUE_DEPTH] & 0x1f) + 1u < p->nr_slots)
		p->nr_slots = (id[ATA_ID_QUEUE_DEPTH] & 0x1f) + 1u;
	id_string(model, id, ATA_ID_MODEL, 20);
	return 0;
}

static int port_alloc(struct ahci_port *p)
{
	p->cl_pa = dma_alloc(AHCI_CL_SIZE, 1024);
	p->fis_pa = dma_alloc(AHCI_RX_FIS_SIZE, 256);
	p->ct_pa = dma_alloc((uint64_t)p->nr_slots * AHCI_CT_SIZE, 128);
	p->id_pa = dma_alloc(ATA_ID_WORDS * 2, 2);
	if (!p->cl_pa || !p->fis_pa || !p->ct_pa || !p->id_pa)
		return E_AHCI_NO_MEMORY;
	if (!dma_reachable(p, p->cl_pa, AHCI_CL_SIZE) ||
	    !dma_reachable(p, p->fis_pa, AHCI_RX_FIS_SIZE) ||
	    !dma_reachable(p, p->ct_pa, (uint64_t)p->nr_slots * AHCI_CT_SIZE) ||
	    !dma_reachable(p, p->id_pa, ATA_ID_WORDS * 2))
		return E_AHCI_DMA_HIGH;
	p->cl = va(p->cl_pa);
	return 0;
}

/* Bring up the disk on port n of c: 0 (with *d filled), or why not. */
static int add_disk(struct ahci_ctrl *c, unsigned int n, struct blkdev *d)
{
	volatile uint8_t *pr = port_regs(c, n);
	struct ahci_port *p;
	char model[41];
	uint32_t sig = rd(pr, AHCI_PxSIG);
	int err;

	if (sig == AHCI_SIG_ATAPI || sig == AHCI_SIG_PMP)
		return 1;	/* not a disk: skipped quietly */
	p = va(dma_alloc(sizeof(*p), 8));	/* zeroed */
	if (!p)
		return E_AHCI_NO_MEMORY;
	p->c = c;
	p->num = n;
	p->regs = pr;
	p->nr_slots = AHCI_CAP_NCS(c->cap) + 1;
	bm_snprintf(p->name, sizeof(p->name), "ahci%up%u", c->index, n);
	err = port_alloc(p);
	if (!err)
		err = ahci_port_start(p);
	if (!err)
		err = ahci_run_sync(p, ATA_CMD_IDENTIFY, 0, 0, p->id_pa,
			       ATA_ID_WORDS * 2, 0);
	if (!err)
		err = parse_identify(p, model);
	if (err) {
		ahci_port_stop(pr);
		return err;
	}
	c->ports[n] = p;
	p->st.slots = p->ncq ? p->nr_slots : AHCI_CAP_NCS(c->cap) + 1;
	p->st.ncq = p->ncq;
	ahci_fill_blkdev(p, d);
	bmlog("%s: \"%s\" %llu sectors of %u bytes (physical %u, %llu MiB), "
	      "%s, %u slots, flush%s", p->name, model,
	      (unsigned long long)p->sectors, d->block_size,
	      d->block_size << p->phys_shift,
	      (unsigned long long)((p->sectors << p->sector_shift) >> 20),
	      p->ncq ? "NCQ" : "no NCQ", p->nr_slots,
	      p->flush_ext ? " ext" : "");
	return 0;
}

static int scan_ports(struct ahci_ctrl *c, struct blkdev *devs,
		      unsigned int max, unsigned int *count)
{
	unsigned int n;
	int err;

	for (n = 0; n < AHCI_MAX_PORTS; n++) {
		uint32_t ssts;

		if (!(c->stopped & (1u << n)))
			continue;
		ssts = rd(port_regs(c, n), AHCI_PxSSTS);
		if (AHCI_PxSSTS_DET(ssts) != AHCI_SSTS_DET_PHY)
			continue;	/* empty port */
		if (*count >= max) {
			bmlog("ahci%u: port %u: %s", c->index, n,
			      stub_strerror(E_STORAGE_TOO_MANY));
			break;
		}
		err = add_disk(c, n, &devs[*count]);
		if (err < 0)
			bmlog("ahci%u: port %u: error %d: %s", c->index, n,
			      err, stub_strerror(err));
		if (!err)
			(*count)++;
	}
	/* q35 always has an HBA; without disks it is no error. */
	if (!*count)
		bmlog("ahci%u: %s", c->index, stub_strerror(E_AHCI_NO_DISK));
	return 0;
}

/* Map ABAR and read the capabilities: 0 or why the HBA is unusable. */
static int ctrl_map(struct ahci_ctrl *c)
{
	c->abar = pci_bar_mem(c->pdev, AHCI_ABAR_BAR);
	if (!c->abar)
		return E_AHCI_BAR;
	c->regs = phys_mmio(c->abar, AHCI_PORT_BASE(AHCI_MAX_PORTS));
	if (!c->regs)
		return E_AHCI_MAP;
	c->cap = hba_rd(c, AHCI_CAP);
	if (c->cap == AHCI_REGS_GONE) {
		c->regs = NULL;
		return E_AHCI_GONE;
	}
	c->vs = hba_rd(c, AHCI_VS);
	c->cap2 = c->vs >= 0x00010200 ? hba_rd(c, AHCI_CAP2) : 0;
	return 0;
}

/* Handoff, AE, every implemented port stopped: no DMA of the old kernel. */
static void ctrl_takeover(struct ahci_ctrl *c)
{
	unsigned int n;
	int err;

	hba_handoff(c);
	hba_wr(c, AHCI_GHC, AHCI_GHC_AE);	/* AE on, IE off */
	c->pi = hba_rd(c, AHCI_PI);
	for (n = 0; n < AHCI_MAX_PORTS; n++) {
		if (!(c->pi & (1u << n)))
			continue;
		err = port_quiesce(c, n);
		if (err)
			bmlog("ahci%u: port %u: %s", c->index, n,
			      stub_strerror(err));
	}
	hba_wr(c, AHCI_IS, 0xffffffffu);
}

int ahci_probe(const struct pci_dev *pdev, unsigned int index,
	       struct blkdev *devs, unsigned int max, unsigned int *count,
	       struct ahci_ctrl **out)
{
	struct ahci_ctrl *c;
	uint64_t t0 = rdtsc();
	uint32_t ghc;
	char name[16];
	int err;

	*count = 0;
	if (out)
		*out = NULL;
	c = va(dma_alloc(sizeof(*c), 8));	/* zeroed */
	if (!c) {
		pci_clear_master(pdev);
		return E_AHCI_NO_MEMORY;
	}
	c->pdev = pdev;
	c->index = index;
	err = pci_set_power_d0(pdev);
	if (err)
		return err;
	/* Nothing may interrupt; bus mastering stays off until ports stop. */
	pci_disable_irqs(pdev);
	pci_command_set(pdev, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE, 0);
	err = ctrl_map(c);
	if (err)
		goto fail;
	ghc = hba_rd(c, AHCI_GHC);
	ctrl_takeover(c);
	pci_command_set(pdev, PCI_COMMAND_MASTER, 0);
	bmlog("ahci%u: %s %04x:%04x abar 0x%llx AHCI %u.%u, CAP 0x%08x CAP2 "
	      "0x%x, was GHC 0x%08x; ports 0x%08x, stopped 0x%08x", index,
	      pci_name(pdev, name), pdev->vendor, pdev->device,
	      (unsigned long long)c->abar, c->vs >> 16, (c->vs >> 8) & 0xff,
	      c->cap, c->cap2, ghc, c->pi, c->stopped);
	err = scan_ports(c, devs, max, count);
	if (err)
		goto fail;
	bmlog("ahci%u: %u disks in %llu us", index, *count,
	      (unsigned long long)timer_us_since(t0));
	if (out)
		*out = c;
	return 0;

fail:
	*count = 0;
	ctrl_fence(c);
	return err;
}

struct ahci_ctrl *ahci_ctrl_of(const struct blkdev *d)
{
	const struct ahci_port *p = ahci_port_of_blkdev(d);

	return p ? p->c : NULL;
}

int ahci_disable(struct ahci_ctrl *c)
{
	unsigned int i;
	int err = 0;

	if (c->disabled)
		return 0;
	c->disabled = 1;
	if (hba_rd(c, AHCI_CAP) == AHCI_REGS_GONE)
		return E_AHCI_GONE_LATER;
	for (i = 0; i < AHCI_MAX_PORTS; i++) {
		struct ahci_port *p = c->ports[i];

		if (!p)
			continue;
		if (!p->dead)
			p->dead = E_AHCI_DEAD;
		if (ahci_port_stop(p->regs) && !err)
			err = E_AHCI_PORT_STUCK;
	}
	return err;
}

void ahci_get_stats(const struct blkdev *d, struct ahci_stats *st)
{
	*st = ((const struct ahci_port *)d->priv)->st;
}
