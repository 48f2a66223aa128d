/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_STR_H
#define STUB_STR_H

#include "bmdump/types.h"

#ifdef UNIT_TEST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
void *memchr(const void *s, int c, size_t n);
#endif

/* Little-endian fields of firmware tables and on-disk structures, at any
 * alignment. */
static inline uint16_t get_le16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t get_le32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get_le64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Copy src into dst[n] (n > 0), cut to fit and NUL-terminated. */
static inline void str_copy(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

#endif /* STUB_STR_H */
