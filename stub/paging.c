// SPDX-License-Identifier: GPL-2.0
#include "paging.h"
#include "errors.h"
#include "str.h"

/* The stub is identity mapped: a table's physical address is its pointer. */
static uint64_t *table_at(uint64_t pa)
{
	return (uint64_t *)(uintptr_t)pa;
}

static unsigned int level_shift(int level)
{
	return 12 + 9 * (unsigned int)(level - 1);
}

static uint64_t new_table(struct page_tables *pt)
{
	uint64_t pa = pt->alloc_page(pt->alloc_ctx);

	if (pa) {
		memset(table_at(pa), 0, 4096);
		pt->tables++;
	}
	return pa;
}

int pt_init(struct page_tables *pt, int levels, int gbpages,
	    uint64_t (*alloc_page)(void *ctx), void *ctx)
{
	memset(pt, 0, sizeof(*pt));
	pt->levels = levels == 5 ? 5 : 4;
	pt->gbpages = gbpages;
	pt->alloc_page = alloc_page;
	pt->alloc_ctx = ctx;
	pt->root = new_table(pt);
	return pt->root ? 0 : E_PT_NO_MEMORY;
}

static int can_be_leaf(const struct page_tables *pt, int level)
{
	return level == 1 || level == 2 || (level == 3 && pt->gbpages);
}

/* Replace a large leaf by a table of next-level leaves, same attributes. */
static int split_leaf(struct page_tables *pt, uint64_t *entry, int level)
{
	uint64_t base = *entry & PTE_ADDR_MASK & ~((1ull << level_shift(level)) - 1);
	uint64_t attrs = *entry & (PTE_W | PT_CACHE_MASK);
	uint64_t child_size = 1ull << level_shift(level - 1);
	uint64_t t = new_table(pt);
	uint64_t *c;
	unsigned int i;

	if (!t)
		return E_PT_NO_MEMORY;
	c = table_at(t);
	for (i = 0; i < 512; i++)
		c[i] = (base + i * child_size) | PTE_P | attrs |
		       (level - 1 > 1 ? PTE_PS : 0);
	*entry = t | PTE_P | PTE_W;
	return 0;
}

static int map_level(struct page_tables *pt, uint64_t table, int level,
		     uint64_t start, uint64_t end, uint64_t cache)
{
	uint64_t size = 1ull << level_shift(level);
	uint64_t *t = table_at(table);

	while (start < end) {
		unsigned int idx = (start >> level_shift(level)) & 511;
		uint64_t block = start & ~(size - 1);
		uint64_t chunk_end = block + size < end ? block + size : end;
		uint64_t *e = &t[idx];
		int err;

		if (can_be_leaf(pt, level) && start == block &&
		    chunk_end == block + size &&
		    (!(*e & PTE_P) || level == 1 || (*e & PTE_PS))) {
			*e = start | PTE_P | PTE_W | cache |
			     (level > 1 ? PTE_PS : 0);
		} else if (level == 1) {
			return E_PT_RANGE;	/* unreachable: 4K aligned */
		} else {
			if ((*e & PTE_P) && (*e & PTE_PS)) {
				if ((*e & PT_CACHE_MASK) == cache) {
					start = chunk_end;
					continue;	/* already mapped */
				}
				err = split_leaf(pt, e, level);
				if (err)
					return err;
			} else if (!(*e & PTE_P)) {
				uint64_t n = new_table(pt);

				if (!n)
					return E_PT_NO_MEMORY;
				*e = n | PTE_P | PTE_W;
			}
			err = map_level(pt, *e & PTE_ADDR_MASK, level - 1,
					start, chunk_end, cache);
			if (err)
				return err;
		}
		start = chunk_end;
	}
	return 0;
}

/*
 * An identity map reaches as far as the virtual address space: the
 * canonical lower half, 2^47, with 4 levels (an index above it would wrap
 * into PML4 entry 0), the 52-bit physical limit with 5.
 */
static uint64_t map_limit(const struct page_tables *pt)
{
	return pt->levels == 5 ? PT_MAX_PHYS : 1ull << 47;
}

int pt_map(struct page_tables *pt, uint64_t start, uint64_t end,
	   uint64_t cache)
{
	if (end <= start)
		return 0;
	/* Checked before rounding, which would wrap an end near 2^64. */
	if (end > map_limit(pt))
		return E_PT_RANGE;
	start &= ~4095ull;
	end = (end + 4095) & ~4095ull;
	return map_level(pt, pt->root, pt->levels, start, end,
			 cache & PT_CACHE_MASK);
}

int pt_lookup(const struct page_tables *pt, uint64_t va, uint64_t *pa,
	      uint64_t *page_size, uint64_t *cache)
{
	uint64_t table = pt->root;
	int level;

	if (va >= map_limit(pt))
		return 0;
	for (level = pt->levels; level >= 1; level--) {
		uint64_t e = table_at(table)[(va >> level_shift(level)) & 511];
		uint64_t size = 1ull << level_shift(level);

		if (!(e & PTE_P))
			return 0;
		if (level == 1 || (e & PTE_PS)) {
			*pa = (e & PTE_ADDR_MASK & ~(size - 1)) |
			      (va & (size - 1));
			*page_size = size;
			*cache = e & PT_CACHE_MASK;
			return 1;
		}
		table = e & PTE_ADDR_MASK;
	}
	return 0;
}

int pt_is_mapped(const struct page_tables *pt, uint64_t start, uint64_t end,
		 uint64_t cache)
{
	uint64_t va = start & ~4095ull;

	while (va < end) {
		uint64_t pa, size, c;

		if (!pt_lookup(pt, va, &pa, &size, &c) || pa != va ||
		    c != cache)
			return 0;
		va = (va & ~(size - 1)) + size;
		if (!va)
			break;
	}
	return 1;
}
