// SPDX-License-Identifier: GPL-2.0
/*
 * Which physical memory the stub may touch, and how.  Until the stub's own
 * page tables are live it runs on kexec's identity map, which covers RAM
 * only; reading outside it faults, and the fault handler reports and resets.
 */
#include "phys.h"
#include "elfcore.h"
#include "io.h"
#include "paging.h"

#define OWN_MAX	8

static struct page_tables *tables;
static const struct core_info *core;
static struct {
	uint64_t start, end;
} own[OWN_MAX];
static unsigned int nr_own;

void phys_use_tables(struct page_tables *pt);
void phys_set_core(const struct core_info *ci);
int phys_add_own(uint64_t start, uint64_t end);

void phys_use_tables(struct page_tables *pt)
{
	tables = pt;
}

void phys_set_core(const struct core_info *ci)
{
	core = ci;
}

int phys_add_own(uint64_t start, uint64_t end)
{
	if (nr_own >= OWN_MAX)
		return -1;
	own[nr_own].start = start;
	own[nr_own].end = end;
	nr_own++;
	return 0;
}

static int in_own(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < nr_own; i++)
		if (start >= own[i].start && end <= own[i].end)
			return 1;
	return 0;
}

static int overlaps_ram(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < nr_own; i++)
		if (start < own[i].end && end > own[i].start)
			return 1;
	if (core)
		for (i = 0; i < core->nr_ram; i++)
			if (start < core->ram[i].end &&
			    end > core->ram[i].start)
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
	if (in_own(pa, end) || (core && core_ram_contains(core, pa, end)))
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
		if (overlaps_ram(pa, end) &&
		    !(in_own(pa, end) ||
		      (core && core_ram_contains(core, pa, end))))
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
