/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware watchdogs the crashed kernel may have armed: stopped before the
 * long waits of the capture, so the machine is not reset mid-write.
 */
#ifndef STUB_WATCHDOG_H
#define STUB_WATCHDOG_H

#include "pci.h"

/* Intel 6300ESB watchdog (QEMU -device i6300esb), datasheet section 16. */
#define ESB_VENDOR		0x8086
#define ESB_DEVICE		0x25ab
#define ESB_LOCK_REG		0x68	/* config space */
#define ESB_WDT_LOCK		0x01	/* set: cannot be stopped (nowayout) */
#define ESB_WDT_ENABLE		0x02
#define ESB_RELOAD_REG		0x0c	/* BAR0 MMIO */
#define ESB_UNLOCK1		0x80
#define ESB_UNLOCK2		0x86
#define ESB_WDT_RELOAD		0x100

/*
 * Stops (or, when locked, reloads) every enabled i6300esb among the n
 * functions; returns how many it found running.
 */
unsigned int watchdog_stop_all(const struct pci_dev *pd, unsigned int n);

#endif /* STUB_WATCHDOG_H */
