// SPDX-License-Identifier: GPL-2.0
/*
 * What the stub's main.c provides to the objects below it, for life under
 * UEFI boot services: DMA memory (dma.h) from AllocatePages, and physical
 * access (phys.h) through the firmware's identity map of RAM and MMIO,
 * where the stub builds its own page tables.  Built like the stub; the
 * drivers, ACPI and area code link against these unchanged.
 */
#include "dma.h"
#include "phys.h"
#include "selftest.h"

void dma_init(struct mem_allocator *pool)
{
	(void)pool;	/* the firmware owns memory here */
}

uint64_t dma_alloc(uint64_t size, uint64_t align)
{
	/* Whole pages: 4 KiB aligned, all the drivers ask for. */
	if (align > 4096 || !size)
		return 0;
	return efi_alloc_pages(size);
}

void phys_use_tables(struct page_tables *pt)
{
	(void)pt;
}

int phys_allow_ram(uint64_t start, uint64_t end)
{
	(void)start;
	(void)end;
	return 0;
}

/* Boot services run identity mapped: a physical address is a pointer. */
const void *phys_ram(uint64_t pa, uint64_t len)
{
	return pa + len < pa ? NULL : (const void *)(uintptr_t)pa;
}

const void *phys_fw(uint64_t pa, uint64_t len)
{
	return phys_ram(pa, len);
}

volatile void *phys_mmio(uint64_t pa, uint64_t len)
{
	return pa + len < pa ? NULL : (volatile void *)(uintptr_t)pa;
}
