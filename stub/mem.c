// SPDX-License-Identifier: GPL-2.0
#include "mem.h"
#include "errors.h"
#include "str.h"

#define PAGE_MASK_LOW	4095ull

void mem_init(struct mem_allocator *m)
{
	memset(m, 0, sizeof(*m));
}

static int insert_at(struct mem_allocator *m, unsigned int i, uint64_t start,
		     uint64_t end)
{
	if (m->nr_free >= MEM_MAX_RANGES)
		return E_MEM_TOO_MANY;
	memmove(&m->free[i + 1], &m->free[i],
		(m->nr_free - i) * sizeof(m->free[0]));
	m->free[i].start = start;
	m->free[i].end = end;
	m->nr_free++;
	return 0;
}

static void remove_at(struct mem_allocator *m, unsigned int i)
{
	memmove(&m->free[i], &m->free[i + 1],
		(m->nr_free - i - 1) * sizeof(m->free[0]));
	m->nr_free--;
}

int mem_add(struct mem_allocator *m, uint64_t start, uint64_t end)
{
	unsigned int i, j;

	if (end < start)
		return 0;
	start = (start + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	end &= ~PAGE_MASK_LOW;
	if (start >= end)
		return 0;
	/*
	 * Ranges i..j-1 overlap or touch [start, end): fold them into slot
	 * i, so that only a range touching nothing takes a new slot (the
	 * table may be full; adding a range twice stays harmless).
	 */
	for (i = 0; i < m->nr_free && m->free[i].end < start; i++)
		;
	for (j = i; j < m->nr_free && m->free[j].start <= end; j++)
		;
	if (i == j)
		return insert_at(m, i, start, end);
	if (m->free[i].start < start)
		start = m->free[i].start;
	if (m->free[j - 1].end > end)
		end = m->free[j - 1].end;
	m->free[i].start = start;
	m->free[i].end = end;
	memmove(&m->free[i + 1], &m->free[j],
		(m->nr_free - j) * sizeof(m->free[0]));
	m->nr_free -= j - i - 1;
	return 0;
}

int mem_reserve(struct mem_allocator *m, uint64_t start, uint64_t end)
{
	unsigned int i;

	if (end <= start)
		return 0;
	start &= ~PAGE_MASK_LOW;
	end = end > UINT64_MAX - PAGE_MASK_LOW ? ~PAGE_MASK_LOW :
	      (end + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	for (i = 0; i < m->nr_free; i++) {
		struct mem_range *r = &m->free[i];

		if (r->end <= start || r->start >= end)
			continue;
		if (r->start >= start && r->end <= end) {
			remove_at(m, i);
			i--;
		} else if (r->start < start && r->end > end) {
			int err = insert_at(m, i + 1, end, r->end);

			if (err)
				return E_MEM_RESERVE;
			m->free[i].end = start;
			i++;
		} else if (r->start < start) {
			r->end = start;
		} else {
			r->start = end;
		}
	}
	return 0;
}

uint64_t mem_alloc(struct mem_allocator *m, uint64_t size, uint64_t align)
{
	unsigned int i;

	/* A size within a page of 2^64 would round up to 0. */
	if (!size || size > ~PAGE_MASK_LOW || align < 4096 ||
	    (align & (align - 1)))
		return 0;
	size = (size + PAGE_MASK_LOW) & ~PAGE_MASK_LOW;
	for (i = 0; i < m->nr_free; i++) {
		struct mem_range *r = &m->free[i];
		uint64_t a = (r->start + align - 1) & ~(align - 1);

		if (a < r->start || a >= r->end || r->end - a < size)
			continue;
		if (a == r->start) {
			r->start += size;
			if (r->start == r->end)
				remove_at(m, i);
		} else if (a + size == r->end) {
			r->end = a;
		} else if (insert_at(m, i + 1, a + size, r->end)) {
			continue;
		} else {
			m->free[i].end = a;
		}
		m->allocated += size;
		return a;
	}
	return 0;
}

uint64_t mem_free_bytes(const struct mem_allocator *m)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < m->nr_free; i++)
		n += m->free[i].end - m->free[i].start;
	return n;
}
