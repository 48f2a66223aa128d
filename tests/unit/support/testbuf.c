// SPDX-License-Identifier: GPL-2.0
#include "testbuf.h"
#include "fakes.h"

#include <stdlib.h>
#include <string.h>

#define TB_MAX	4096

static void *blocks[TB_MAX];
static unsigned int nr_blocks;

static void *track(void *p)
{
	assert_non_null(p);
	assert_true(nr_blocks < TB_MAX);
	blocks[nr_blocks++] = p;
	return p;
}

void *tb_alloc(size_t len)
{
	/* malloc(len) exactly: ASan poisons the byte after the last one. */
	void *p = track(malloc(len ? len : 1));

	memset(p, 0, len);
	return len ? p : (uint8_t *)p + 1;
}

void *tb_dup(const void *p, size_t len)
{
	void *d = tb_alloc(len);

	if (len)
		memcpy(d, p, len);
	return d;
}

void *tb_alloc_pages(size_t len)
{
	size_t n = (len + 4095) & ~(size_t)4095;
	void *p = track(aligned_alloc(4096, n ? n : 4096));

	memset(p, 0, n ? n : 4096);
	return p;
}

void tb_free_all(void)
{
	while (nr_blocks)
		free(blocks[--nr_blocks]);
}
