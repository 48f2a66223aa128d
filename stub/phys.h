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
#include "errors.h"

struct page_tables;

/* The stub's own regions (main.c's MAX_REGIONS) plus CORE_MAX_RAM. */
#define PHYS_MAX_RAM	(8 + 512)

/*
 * From now on the stub runs on pt: phys_ram() checks ranges against the
 * RAM allowed below, phys_fw() and phys_mmio() map into pt on demand.
 * Before, everything runs on kexec's identity map of RAM.
 */
void phys_use_tables(struct page_tables *pt);

/*
 * Allow [start, end) as RAM: the crashkernel regions the stub lives in and
 * each PT_LOAD of the crashed kernel.  phys knows nothing of the ELF core
 * header; main.c hands the ranges over.  0 or E_PHYS_TOO_MANY.
 */
int phys_allow_ram(uint64_t start, uint64_t end);

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
