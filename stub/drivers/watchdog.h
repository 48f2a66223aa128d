/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware watchdogs the crashed kernel may have armed: stopped before the
 * long waits of the capture, so the machine is not reset mid-write.  One
 * that is locked running is reloaded through the whole capture instead,
 * from the timer's bounded waits (timer_set_keepalive()).
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
 * Intel ICH9 TCO timer (iTCO version 2; QEMU q35's LPC bridge), ICH9
 * datasheet: LPC configuration (PMBASE, ACPI_CNTL, RCBA), chipset
 * configuration (GCS) and the TCO I/O registers.
 */
#define ICH9_LPC_ICH9		0x2918	/* QEMU's ICH9-LPC */
#define ICH9_LPC_ICH9R		0x2916
#define ICH9_LPC_ICH9DH		0x2912
#define ICH9_LPC_ICH9DO		0x2914
#define ICH9_LPC_ICH9M		0x2919
#define ICH9_LPC_ICH9ME		0x2917
#define ICH9_PMBASE		0x40	/* config: ACPI I/O base */
#define ICH9_PMBASE_MASK	0xff80
#define ICH9_ACPI_CNTL		0x44
#define ICH9_ACPI_EN		0x80	/* PMBASE (and TCO) decoded */
#define ICH9_RCBA		0xf0	/* config: root complex base */
#define ICH9_RCBA_EN		0x01
#define ICH9_RCBA_MASK		0xffffc000u
#define ICH9_GCS		0x3410	/* RCBA MMIO, 32 bit */
#define ICH9_GCS_NO_REBOOT	0x20
#define TCO_BASE_OFF		0x60	/* TCOBASE = PMBASE + 0x60 */
#define TCO_RLD			0x00	/* any write reloads */
#define TCO1_CNT		0x08
#define TCO_TMR_HLT		0x0800
#define TCO_LOCK		0x1000

/* How often a locked watchdog is reloaded: well inside the shortest
 * period either device can be set to (i6300esb 1 s, iTCO 2.4 s). */
#define WATCHDOG_PET_MS		100u

/*
 * Stops (or, when locked, keeps reloading) every running i6300esb and
 * ICH9 TCO timer among the n functions; returns how many it found
 * running.
 */
unsigned int watchdog_stop_all(const struct pci_dev *pd, unsigned int n);

/* Reloads every locked watchdog now; how many times so far. */
void watchdog_pet_all(void);
uint64_t watchdog_pets(void);

#endif /* STUB_WATCHDOG_H */
