// SPDX-License-Identifier: GPL-2.0
/*
 * AHCI port states (AHCI 1.3.1 sections 10.1.2, 10.4): stop, COMRESET,
 * start on the stub's own command list, and the stop for good after a
 * failure.  Below both ahci.c (the takeover) and ahci_io.c (recovery after
 * a task file error); calls neither.
 */
#include "ahci_priv.h"
#include "console.h"
#include "errors.h"
#include "timer.h"

/*
 * Poll a register until (value & mask) == want: WAIT_OK, WAIT_TIMEOUT, or
 * E_AHCI_GONE_LATER when it reads all ones.  Ends on the capture deadline
 * too (deadline_passed).
 */
int ahci_wait_reg(volatile uint8_t *base, uint32_t off, uint32_t mask,
		  uint32_t want, uint32_t ms)
{
	struct deadline dl = deadline_ms(ms);
	uint32_t v;

	for (;;) {
		v = rd(base, off);
		if (v == AHCI_REGS_GONE)
			return E_AHCI_GONE_LATER;
		if ((v & mask) == want)
			return WAIT_OK;
		if (deadline_passed(dl))
			return WAIT_TIMEOUT;
		cpu_relax();
	}
}

/* ST=0 until CR=0, then FRE=0 until FR=0: 0 or E_AHCI_PORT_STUCK. */
int ahci_port_stop(volatile uint8_t *pr)
{
	uint32_t cmd = rd(pr, AHCI_PxCMD);
	int r;

	if (cmd == AHCI_REGS_GONE)
		return E_AHCI_GONE_LATER;
	if (cmd & AHCI_PxCMD_ST)
		wr(pr, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
	r = ahci_wait_reg(pr, AHCI_PxCMD, AHCI_PxCMD_CR, 0, AHCI_STOP_MS);
	if (r)
		return r == WAIT_TIMEOUT ? E_AHCI_PORT_STUCK : r;
	cmd = rd(pr, AHCI_PxCMD);
	if (cmd & AHCI_PxCMD_FRE)
		wr(pr, AHCI_PxCMD, cmd & ~AHCI_PxCMD_FRE);
	r = ahci_wait_reg(pr, AHCI_PxCMD, AHCI_PxCMD_FR, 0, AHCI_STOP_MS);
	if (r)
		return r == WAIT_TIMEOUT ? E_AHCI_PORT_STUCK : r;
	return 0;
}

/*
 * COMRESET (section 10.4.2): SCTL.DET=1 for at least 1 ms, DET=0, then
 * wait for the link (SSTS.DET=3).  0, E_AHCI_LINK or E_AHCI_GONE_LATER.
 */
int ahci_port_comreset(volatile uint8_t *pr)
{
	uint32_t sctl = rd(pr, AHCI_PxSCTL) & ~AHCI_PxSCTL_DET_MASK;
	int r;

	wr(pr, AHCI_PxSCTL, sctl | AHCI_PxSCTL_IPM_NONE |
	   AHCI_PxSCTL_DET_COMRESET);
	mdelay(AHCI_COMRESET_HOLD_MS);
	wr(pr, AHCI_PxSCTL, sctl | AHCI_PxSCTL_IPM_NONE);
	r = ahci_wait_reg(pr, AHCI_PxSSTS, 0xf, AHCI_SSTS_DET_PHY, AHCI_LINK_MS);
	wr(pr, AHCI_PxSERR, 0xffffffffu);	/* COMRESET sets DIAG.X */
	if (r)
		return r == WAIT_TIMEOUT ? E_AHCI_LINK : r;
	return 0;
}

/* Wait until the drive is not busy; COMRESET once if it stays busy. */
static int port_wait_ready(struct ahci_port *p)
{
	uint32_t mask = ATA_STS_BSY | ATA_STS_DRQ;
	int r = ahci_wait_reg(p->regs, AHCI_PxTFD, mask, 0, AHCI_BSY_MS);

	if (r != WAIT_TIMEOUT)
		return r;
	bmlog("%s: drive busy (PxTFD 0x%08x): COMRESET", p->name,
	      rd(p->regs, AHCI_PxTFD));
	r = ahci_port_comreset(p->regs);
	if (r)
		return r;
	r = ahci_wait_reg(p->regs, AHCI_PxTFD, mask, 0, AHCI_BSY_MS);
	return r == WAIT_TIMEOUT ? E_AHCI_BUSY : r;
}

/* Phase 2, bus mastering on: own CLB/FB, FRE, drive ready, ST. */
int ahci_port_start(struct ahci_port *p)
{
	volatile uint8_t *pr = p->regs;
	uint32_t cmd;
	int err;

	wr(pr, AHCI_PxCLB, (uint32_t)p->cl_pa);
	wr(pr, AHCI_PxCLBU, (uint32_t)(p->cl_pa >> 32));
	wr(pr, AHCI_PxFB, (uint32_t)p->fis_pa);
	wr(pr, AHCI_PxFBU, (uint32_t)(p->fis_pa >> 32));
	cmd = rd(pr, AHCI_PxCMD) & ~AHCI_PxCMD_ICC_MASK;
	wr(pr, AHCI_PxCMD, cmd | AHCI_PxCMD_FRE | AHCI_PxCMD_SUD |
	   AHCI_PxCMD_POD);
	err = port_wait_ready(p);
	if (err)
		return err;
	wr(pr, AHCI_PxSERR, 0xffffffffu);
	wr(pr, AHCI_PxIS, 0xffffffffu);
	p->busy = 0;
	wr(pr, AHCI_PxCMD, rd(pr, AHCI_PxCMD) | AHCI_PxCMD_ST);
	return 0;
}

/* Stop a port for good after a failure: err is what I/O returns now. */
int ahci_port_kill(struct ahci_port *p, int err)
{
	if (p->dead)
		return p->dead;
	bmlog("%s: %s (slots 0x%08x outstanding)", p->name,
	      stub_strerror(err), p->busy);
	p->dead = err;
	p->busy = 0;
	ahci_port_stop(p->regs);
	return err;
}
