// SPDX-License-Identifier: GPL-2.0
#include "watchdog.h"
#include "console.h"
#include "io.h"
#include "phys.h"
#include "timer.h"

/* Locked watchdogs, reloaded until the final action. */
#define MAX_PETS	4

static struct pet {
	volatile uint8_t *esb_regs;	/* i6300esb BAR0, or NULL */
	uint16_t tco_base;		/* ICH9 TCOBASE, or 0 */
} pets[MAX_PETS];
static unsigned int nr_pets;
static uint64_t nr_petted;

/* The reload register takes writes only after the two-step unlock. */
static void esb_reload(volatile uint8_t *regs)
{
	mmio_write16(regs + ESB_RELOAD_REG, ESB_UNLOCK1);
	mmio_write16(regs + ESB_RELOAD_REG, ESB_UNLOCK2);
	mmio_write16(regs + ESB_RELOAD_REG, ESB_WDT_RELOAD);
}

static void tco_reload(uint16_t tco)
{
	outw((uint16_t)(tco + TCO_RLD), 1);
}

void watchdog_pet_all(void)
{
	unsigned int i;

	for (i = 0; i < nr_pets; i++) {
		if (pets[i].esb_regs)
			esb_reload(pets[i].esb_regs);
		else
			tco_reload(pets[i].tco_base);
	}
	nr_petted++;
}

uint64_t watchdog_pets(void)
{
	return nr_petted;
}

static int add_pet(volatile uint8_t *esb_regs, uint16_t tco_base)
{
	if (nr_pets == MAX_PETS)
		return 0;
	pets[nr_pets].esb_regs = esb_regs;
	pets[nr_pets].tco_base = tco_base;
	nr_pets++;
	return 1;
}

static int esb_stop(const struct pci_dev *d)
{
	uint64_t bar = pci_bar_mem(d, 0);
	volatile uint8_t *regs = bar ? phys_mmio(bar, 16) : NULL;
	uint8_t lock = pci_read8(d, ESB_LOCK_REG);

	if (!(lock & ESB_WDT_ENABLE))
		return 0;
	if (regs) {
		/* Memory decode on, so that the reload reaches it. */
		pci_command_set(d, PCI_COMMAND_MEMORY, 0);
		esb_reload(regs);	/* a full period, whatever follows */
	}
	if (!(lock & ESB_WDT_LOCK))
		pci_write8(d, ESB_LOCK_REG, 0);
	lock = pci_read8(d, ESB_LOCK_REG);
	bmlog("watchdog: i6300esb armed by the crashed kernel: %s",
	      !(lock & ESB_WDT_ENABLE) ? "stopped" :
	      regs && add_pet(regs, 0) ?
	      "locked (nowayout), reloaded through the capture" :
	      "locked, cannot reach it");
	return 1;
}

static int is_ich9_lpc(const struct pci_dev *d)
{
	if (d->vendor != ESB_VENDOR)
		return 0;
	switch (d->device) {
	case ICH9_LPC_ICH9:
	case ICH9_LPC_ICH9R:
	case ICH9_LPC_ICH9DH:
	case ICH9_LPC_ICH9DO:
	case ICH9_LPC_ICH9M:
	case ICH9_LPC_ICH9ME:
		return 1;
	}
	return 0;
}

/* NO_REBOOT in GCS: the timer may run on, but its expiry no longer
 * resets the machine.  1 when the bit took. */
static int tco_set_no_reboot(const struct pci_dev *d)
{
	uint32_t rcba = pci_read32(d, ICH9_RCBA);
	volatile uint8_t *cc;

	if (!(rcba & ICH9_RCBA_EN))
		return 0;
	cc = phys_mmio(rcba & ICH9_RCBA_MASK, ICH9_GCS + 4);
	if (!cc)
		return 0;
	mmio_write32(cc + ICH9_GCS,
		     mmio_read32(cc + ICH9_GCS) | ICH9_GCS_NO_REBOOT);
	return !!(mmio_read32(cc + ICH9_GCS) & ICH9_GCS_NO_REBOOT);
}

/*
 * The TCO timer runs while TCO_TMR_HLT is clear.  Halting it is what
 * Linux's iTCO_wdt does to stop it; where the halt does not take (locked
 * by the firmware), NO_REBOOT is the next best, and reloading it through
 * the capture the last resort.
 */
static int tco_stop(const struct pci_dev *d)
{
	uint16_t pmbase = pci_read16(d, ICH9_PMBASE) & ICH9_PMBASE_MASK;
	uint16_t tco = (uint16_t)(pmbase + TCO_BASE_OFF);
	uint16_t cnt;
	const char *how;

	if (!pmbase || !(pci_read8(d, ICH9_ACPI_CNTL) & ICH9_ACPI_EN))
		return 0;
	cnt = inw((uint16_t)(tco + TCO1_CNT));
	if (cnt & TCO_TMR_HLT)
		return 0;
	tco_reload(tco);	/* a full period, whatever follows */
	outw((uint16_t)(tco + TCO1_CNT), (uint16_t)(cnt | TCO_TMR_HLT));
	if (inw((uint16_t)(tco + TCO1_CNT)) & TCO_TMR_HLT)
		how = "stopped";
	else if (tco_set_no_reboot(d))
		how = "locked, reboot disabled (NO_REBOOT)";
	else if (add_pet(NULL, tco))
		how = "locked, reloaded through the capture";
	else
		how = "locked, too many to reload";
	bmlog("watchdog: iTCO (ICH9 TCO, TCOBASE 0x%x) running at the crash: "
	      "%s", tco, how);
	return 1;
}

unsigned int watchdog_stop_all(const struct pci_dev *pd, unsigned int n)
{
	unsigned int i, found = 0;

	nr_pets = 0;
	nr_petted = 0;
	for (i = 0; i < n; i++) {
		if (pd[i].vendor == ESB_VENDOR && pd[i].device == ESB_DEVICE)
			found += (unsigned int)esb_stop(&pd[i]);
		else if (is_ich9_lpc(&pd[i]))
			found += (unsigned int)tco_stop(&pd[i]);
	}
	timer_set_keepalive(nr_pets ? watchdog_pet_all : NULL,
			    WATCHDOG_PET_MS);
	return found;
}
