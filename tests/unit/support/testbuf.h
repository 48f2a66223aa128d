/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test buffers that end exactly where their heap allocation ends, so that
 * AddressSanitizer reports any read one byte past them.  Tracked, so that
 * tb_free_all() (call it in teardown) keeps LeakSanitizer quiet.
 */
#ifndef TESTS_UNIT_TESTBUF_H
#define TESTS_UNIT_TESTBUF_H

#include <stddef.h>
#include <stdint.h>

/* len zeroed bytes, nothing after them. */
void *tb_alloc(size_t len);
/* A copy of p[0..len), nothing after it. */
void *tb_dup(const void *p, size_t len);
/* 4 KiB aligned, zeroed, len rounded up to 4 KiB. */
void *tb_alloc_pages(size_t len);
void tb_free_all(void);

/* Little-endian stores into byte buffers. */
static inline void tb_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

static inline void tb_put32(void *p, uint32_t v)
{
	tb_put16(p, (uint16_t)v);
	tb_put16((uint8_t *)p + 2, (uint16_t)(v >> 16));
}

static inline void tb_put64(void *p, uint64_t v)
{
	tb_put32(p, (uint32_t)v);
	tb_put32((uint8_t *)p + 4, (uint32_t)(v >> 32));
}

#endif /* TESTS_UNIT_TESTBUF_H */
