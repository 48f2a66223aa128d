// SPDX-License-Identifier: GPL-2.0
/*
 * Which physical memory the stub may touch, and how.  Until the stub's own
 * page tables are live it runs on kexec's identity map, which covers RAM
 * only; reading outside it faults, and the fault handler reports and resets.
 */
#include "phys.h"
#include "io.h"
#include "paging.h"

static struct page_tables *tables;
static struct {
	uint64_t start, end;
} ram[PHYS_MAX_RAM];
static unsigned int nr_ram;

void phys_use_tables(struct page_tables *pt)
{
	tables = pt;
}

int phys_allow_ram(uint64_t start, uint64_t end)
{
	if (nr_ram >= PHYS_MAX_RAM)
		return E_PHYS_TOO_MANY;
	ram[nr_ram].start = start;
	ram[nr_ram].end = end;
	nr_ram++;
	return 0;
}

/* Inside one range the stub may read (its own, or the crashed kernel's). */
static int ram_contains(uint64_t start, uint64_t end)
{
	unsigned int i;

	if (end < start)
		return 0;
	for (i = 0; i < nr_ram; i++)
		if (start >= ram[i].start && end <= ram[i].end)
			return 1;
	return 0;
}

static int overlaps_ram(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < nr_ram; i++)
		if (start < ram[i].end && end > ram[i].start)
			return 1;
	return 0;
}

const void *phys_ram(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;

	if (end < pa || end > PT_MAX_PHYS)
		return NULL;
	if (!tables)
		return (const void *)(uintptr_t)pa;
	if (ram_contains(pa, end))
		return (const void *)(uintptr_t)pa;
	return NULL;
}

static void flush_tlb(void)
{
	write_cr3(read_cr3());
}

const void *phys_fw(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;

	if (!tables || end < pa || end > PT_MAX_PHYS)
		return NULL;
	if (!pt_is_mapped(tables, pa, end, PT_CACHE_WB)) {
		if (overlaps_ram(pa, end) && !ram_contains(pa, end))
			return NULL;	/* straddles RAM and something else */
		if (pt_map(tables, pa, end, PT_CACHE_WB))
			return NULL;
		flush_tlb();
	}
	return (const void *)(uintptr_t)pa;
}

volatile void *phys_mmio(uint64_t pa, uint64_t len)
{
	uint64_t end = pa + len;

	if (!tables || end < pa || end > PT_MAX_PHYS || overlaps_ram(pa, end))
		return NULL;
	if (!pt_is_mapped(tables, pa, end, PT_CACHE_UC)) {
		if (pt_map(tables, pa, end, PT_CACHE_UC))
			return NULL;
		flush_tlb();
	}
	return (volatile void *)(uintptr_t)pa;
}
