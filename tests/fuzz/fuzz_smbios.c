// SPDX-License-Identifier: GPL-2.0
/*
 * SMBIOS as the self-test app reads it from firmware (include/bmdump/
 * smbios.h): the input's first SMBIOS_EP_MAX_LEN bytes are tried as a 3.x
 * and as a 2.x entry point, the rest is the structure table.  Input byte 0
 * bit 0 fixes up the entry points' checksums, so the walk is reached.
 * Each piece is a separate copy, so ASan sees a read one byte past it.
 *
 * Whatever the input, a structure found lies inside the table, and every
 * string the app may copy ends inside it.
 */
#include "phys_fake.h"

#include <string.h>

#include "bmdump/smbios.h"

#define FIX_CSUM	0x01

static void fix_csum(uint8_t *p, size_t n, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	if (n <= at || n > SMBIOS_EP_MAX_LEN)
		return;
	p[at] = 0;
	for (i = 0; i < n; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

static void check_struct(const uint8_t *tab, size_t len, uint8_t type)
{
	struct bmdump_smbios_struct s;
	const char *str;
	unsigned int n;

	if (bmdump_smbios_find(tab, len, type, &s))
		return;
	FZ_CHECK(s.hdr >= tab && s.hdr[0] == type && s.hdr[1] >= 4);
	FZ_CHECK((const uint8_t *)s.strings == s.hdr + s.hdr[1]);
	FZ_CHECK((const uint8_t *)s.strings + s.strings_len <= tab + len);
	for (n = 0; n < 256; n++) {
		str = bmdump_smbios_string(&s, (uint8_t)n);
		FZ_CHECK(!*str || (str >= s.strings &&
				   str + strlen(str) < s.strings +
				   s.strings_len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmdump_smbios_table t;
	uint8_t *ep, *tab;
	size_t len;

	if (size < 1 + SMBIOS_EP_MAX_LEN)
		return 0;
	ep = fz_dup(data + 1, SMBIOS_EP_MAX_LEN);
	if (data[0] & FIX_CSUM) {
		fix_csum(ep, ep[SMBIOS3_EP_LENGTH], 5);
		if (!bmdump_smbios3_entry(ep, SMBIOS_EP_MAX_LEN, &t))
			FZ_CHECK(t.len == *(uint32_t *)(ep + SMBIOS3_EP_MAX));
		ep = fz_dup(data + 1, SMBIOS_EP_MAX_LEN);
		fix_csum(ep + SMBIOS2_EP_IANCHOR, SMBIOS2_IEP_LEN, 5);
		fix_csum(ep, ep[SMBIOS2_EP_LENGTH], 4);
	} else {
		bmdump_smbios3_entry(ep, SMBIOS_EP_MAX_LEN, &t);
	}
	if (!bmdump_smbios2_entry(ep, SMBIOS_EP_MAX_LEN, &t))
		FZ_CHECK(t.len <= 0xffff);
	len = size - 1 - SMBIOS_EP_MAX_LEN;
	tab = fz_dup(data + 1 + SMBIOS_EP_MAX_LEN, len);
	check_struct(tab, len, 1);
	check_struct(tab, len, data[0] >> 1);
	fz_reset();
	return 0;
}
