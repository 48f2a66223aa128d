/* SPDX-License-Identifier: GPL-2.0 */
/*
 * UUIDs as text: bmdump.area= on the stub's command line, area= in
 * bmdump.conf, and the area UUID the tools print.  Header-only and
 * freestanding, for the stub and the host tools alike.
 */
#ifndef BMDUMP_UUID_H
#define BMDUMP_UUID_H

#include "types.h"

/* The value of one hex digit, or -1. */
static inline int bmdump_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (exactly 36 characters, then
 * the end of the string or a space) into RFC 4122 byte order.
 */
static inline int bmdump_uuid_parse(const char *s, size_t len, uint8_t out[16])
{
	size_t i, o = 0;

	if (len != 36)
		return -1;
	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		hi = bmdump_hexval(s[i]);
		lo = bmdump_hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[o++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	return o == 16 ? 0 : -1;
}

/* Byte-equal?  (No memcmp: this header is freestanding.) */
static inline int bmdump_uuid_equal(const uint8_t a[16], const uint8_t b[16])
{
	int i;

	for (i = 0; i < 16; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* out must hold 37 bytes. */
static inline void bmdump_uuid_format(const uint8_t u[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = 0;
}

#endif /* BMDUMP_UUID_H */
