/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page allocator over the crashkernel RAM.  Add the usable ranges first,
 * then reserve everything that must never be handed out (the stub image,
 * boot_params, command line, elfcorehdr, backup copy, purgatory, the
 * crashed kernel's RAM, the low 1 MiB).  Nothing is ever freed: the stub
 * runs once.
 */
#ifndef STUB_MEM_H
#define STUB_MEM_H

#include "bmdump/types.h"

#define MEM_MAX_RANGES	128

struct mem_range {
	uint64_t start;
	uint64_t end;		/* exclusive */
};

struct mem_allocator {
	struct mem_range free[MEM_MAX_RANGES];	/* sorted, disjoint */
	unsigned int nr_free;
	uint64_t allocated;
};

void mem_init(struct mem_allocator *m);
/* Add usable RAM; page-rounded inward. */
int mem_add(struct mem_allocator *m, uint64_t start, uint64_t end);
/* Remove [start, end) from what can be handed out; page-rounded outward. */
int mem_reserve(struct mem_allocator *m, uint64_t start, uint64_t end);
/* Lowest fitting address, aligned to align (a power of two >= 4096), or 0. */
uint64_t mem_alloc(struct mem_allocator *m, uint64_t size, uint64_t align);
uint64_t mem_free_bytes(const struct mem_allocator *m);

#endif /* STUB_MEM_H */
