/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_RESET_H
#define STUB_RESET_H

#include "acpi.h"

/* Use the FADT reset register first, when the ACPI tables gave one. */
void reset_use_acpi(const struct acpi_info *ai);

/*
 * Reset the machine: FADT reset register, then 0xCF9, then the keyboard
 * controller, then a triple fault.  Never returns.
 */
void machine_reset(void) __attribute__((noreturn));

/* Stop here, interrupts off, for an operator who asked bmdump.final=halt. */
void machine_halt(void) __attribute__((noreturn));

#endif /* STUB_RESET_H */
