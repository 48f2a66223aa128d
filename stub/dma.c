// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA buffer allocator (see dma.h): a thin owner of the allocator that
 * main.c hands over once the stub's own page tables are live.  The unit
 * tests and fuzz targets replace this file with host memory
 * (tests/unit/support/fakes.c, tests/fuzz/phys_fake.c).
 */
#include "dma.h"
#include "str.h"

#define DMA_MIN_ALIGN	4096ull

static struct mem_allocator *dma_pool;

void dma_init(struct mem_allocator *pool)
{
	dma_pool = pool;
}

uint64_t dma_alloc(uint64_t size, uint64_t align)
{
	uint64_t pa;

	if (!dma_pool)
		return 0;	/* not before the stub's own page tables */
	if (align < DMA_MIN_ALIGN)
		align = DMA_MIN_ALIGN;
	pa = mem_alloc(dma_pool, size, align);
	if (pa)
		memset((void *)(uintptr_t)pa, 0,
		       (size + DMA_MIN_ALIGN - 1) & ~(DMA_MIN_ALIGN - 1));
	return pa;
}
