/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Access to physical memory.  The stub runs identity mapped, so a mapped
 * physical address is its own pointer; these functions decide whether a
 * range may be touched, and map it first where that is allowed.  Unit tests
 * replace them with fakes that serve test buffers at fake addresses.
 */
#ifndef STUB_PHYS_H
#define STUB_PHYS_H

#include "bmdump/types.h"

/*
 * RAM the stub may read: the crashed kernel's RAM (the elfcorehdr PT_LOADs,
 * at their physical addresses, not translated through the backup copy) and
 * the crashkernel region the stub lives in.  NULL if any byte is outside.
 */
const void *phys_ram(uint64_t pa, uint64_t len);

/* Firmware tables (ACPI, EFI): mapped write-back on demand. */
const void *phys_fw(uint64_t pa, uint64_t len);

/* Device registers: mapped uncached on demand. */
volatile void *phys_mmio(uint64_t pa, uint64_t len);

#endif /* STUB_PHYS_H */
