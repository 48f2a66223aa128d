/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory the stub hands to devices for DMA (queues, PRP lists, the dump
 * writer's page buffers, GPT and area header reads).  It sits below the
 * drivers and the dump layer, like FreeBSD's dumper layer owning its
 * buffers: main.c gives it the allocator once the stub runs on its own page
 * tables, and nothing that allocates calls up into main.c.
 */
#ifndef STUB_DMA_H
#define STUB_DMA_H

#include "bmdump/types.h"
#include "mem.h"

/*
 * From now on dma_alloc() takes from pool.  Only once every page the pool
 * can hand out is identity mapped in the stub's own page tables.
 */
void dma_init(struct mem_allocator *pool);

/*
 * Zeroed memory from the crashkernel region, identity mapped, aligned to
 * align (at least 4096), never freed.  0 when exhausted or before
 * dma_init().
 */
uint64_t dma_alloc(uint64_t size, uint64_t align);

#endif /* STUB_DMA_H */
