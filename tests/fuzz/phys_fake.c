// SPDX-License-Identifier: GPL-2.0
#include "phys_fake.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "phys.h"

#define FZ_MAX_REGIONS	8

static struct {
	uint64_t pa;
	uint8_t *buf;
	size_t len;		/* page rounded */
	enum fz_kind kind;
} regions[FZ_MAX_REGIONS];
static unsigned int nr_regions;

static void **blocks;
static size_t nr_blocks, cap_blocks;

static void *track(void *p)
{
	if (!p)
		fz_fail("out of memory");
	if (nr_blocks == cap_blocks) {
		cap_blocks = cap_blocks ? cap_blocks * 2 : 256;
		blocks = realloc(blocks, cap_blocks * sizeof(*blocks));
		if (!blocks)
			fz_fail("out of memory");
	}
	blocks[nr_blocks++] = p;
	return p;
}

void fz_fail(const char *what)
{
	fprintf(stderr, "fuzz invariant failed: %s\n", what);
	abort();
}

void *fz_alloc(size_t len)
{
	/* len 0: one past a 1-byte block, so any read is reported. */
	uint8_t *p = track(calloc(1, len ? len : 1));

	return len ? p : p + 1;
}

void *fz_dup(const void *data, size_t len)
{
	void *p = fz_alloc(len);

	if (len)
		memcpy(p, data, len);
	return p;
}

void fz_add(uint64_t pa, const void *data, size_t len, enum fz_kind kind)
{
	size_t n = (len + 4095) & ~(size_t)4095;

	if (nr_regions >= FZ_MAX_REGIONS)
		fz_fail("too many regions");
	regions[nr_regions].buf = track(calloc(1, n ? n : 1));
	memcpy(regions[nr_regions].buf, data, len);
	regions[nr_regions].pa = pa;
	regions[nr_regions].len = n;
	regions[nr_regions].kind = kind;
	nr_regions++;
}

void fz_reset(void)
{
	size_t i;

	for (i = 0; i < nr_blocks; i++)
		free(blocks[i]);
	nr_blocks = 0;
	nr_regions = 0;
}

static const void *lookup(uint64_t pa, uint64_t len, int fw)
{
	unsigned int i;

	if (pa + len < pa)
		return NULL;
	for (i = 0; i < nr_regions; i++) {
		if (regions[i].kind == FZ_FW && !fw)
			continue;
		if (pa >= regions[i].pa &&
		    pa + len <= regions[i].pa + regions[i].len) {
			return fz_dup(regions[i].buf + (pa - regions[i].pa),
				      (size_t)len);
		}
	}
	return NULL;
}

void (*fz_ram_hook)(uint64_t pa, uint64_t len);

const void *phys_ram(uint64_t pa, uint64_t len)
{
	if (fz_ram_hook)
		fz_ram_hook(pa, len);
	return lookup(pa, len, 0);
}

const void *phys_fw(uint64_t pa, uint64_t len)
{
	return lookup(pa, len, 1);
}

/* gpt_find()'s buffers: host memory, freed by fz_reset(). */
uint64_t dma_alloc(uint64_t size, uint64_t align)
{
	return (uint64_t)(uintptr_t)fz_alloc((size_t)size);
}

volatile void *phys_mmio(uint64_t pa, uint64_t len)
{
	return NULL;
}

/* The parsers do not log, but the stub's headers declare it. */
void bmlog(const char *fmt, ...)
{
}
