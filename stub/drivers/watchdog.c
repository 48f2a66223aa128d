// SPDX-License-Identifier: GPL-2.0
#include "watchdog.h"
#include "console.h"
#include "io.h"
#include "phys.h"

/* The reload register takes writes only after the two-step unlock. */
static void esb_reload(volatile uint8_t *regs)
{
	mmio_write16(regs + ESB_RELOAD_REG, ESB_UNLOCK1);
	mmio_write16(regs + ESB_RELOAD_REG, ESB_UNLOCK2);
	mmio_write16(regs + ESB_RELOAD_REG, ESB_WDT_RELOAD);
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
	      !(lock & ESB_WDT_ENABLE) ? "stopped" : regs ?
	      "locked (nowayout), reloaded once" : "locked, cannot reach it");
	return 1;
}

unsigned int watchdog_stop_all(const struct pci_dev *pd, unsigned int n)
{
	unsigned int i, found = 0;

	for (i = 0; i < n; i++)
		if (pd[i].vendor == ESB_VENDOR && pd[i].device == ESB_DEVICE)
			found += (unsigned int)esb_stop(&pd[i]);
	return found;
}
