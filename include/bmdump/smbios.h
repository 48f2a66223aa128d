/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SMBIOS (DMTF DSP0134) reading for the self-test report's "machine" line:
 * the entry point checks, the structure walk and the string lookup,
 * without any firmware call, so the host's unit tests and fuzzer run the
 * same code the UEFI app does (boot/efi/efi_main.c).  Every byte comes
 * from firmware and is checked against the lengths it came with: an
 * anchor, a checksum, a structure or a string that does not fit yields a
 * negative BMDUMP_SMBIOS_E_* (this file's vocabulary; it never goes on
 * disk: the app reports the machine as "unknown").
 */
#ifndef BMDUMP_SMBIOS_H
#define BMDUMP_SMBIOS_H

#include "types.h"

/* SMBIOS 3.x 64-bit entry point ("_SM3_", DSP0134 5.2.2) */
#define SMBIOS3_EP_LENGTH	0x06	/* u8, 0x18 */
#define SMBIOS3_EP_MAX		0x0c	/* u32: structure table maximum size */
#define SMBIOS3_EP_ADDR		0x10	/* u64: structure table address */
#define SMBIOS3_EP_MIN_LEN	0x18
/* SMBIOS 2.1+ 32-bit entry point ("_SM_", DSP0134 5.2.1) */
#define SMBIOS2_EP_LENGTH	0x05	/* u8, 0x1f (0x1e in 2.1 errata) */
#define SMBIOS2_EP_IANCHOR	0x10	/* "_DMI_" */
#define SMBIOS2_EP_LEN		0x16	/* u16: structure table length */
#define SMBIOS2_EP_ADDR		0x18	/* u32: structure table address */
#define SMBIOS2_EP_MIN_LEN	0x1e
#define SMBIOS2_IEP_LEN		0x0f	/* the intermediate ("_DMI_") part */
#define SMBIOS_EP_MAX_LEN	0x20	/* the longest entry point either way */
#define SMBIOS_HDR_LEN		4	/* type, length, handle */
#define SMBIOS_TYPE_EOT		127	/* end-of-table structure */

#define BMDUMP_SMBIOS_E_ANCHOR	(-1)	/* no "_SM3_" / "_SM_" + "_DMI_" */
#define BMDUMP_SMBIOS_E_EPLEN	(-2)	/* entry point length out of range */
#define BMDUMP_SMBIOS_E_CSUM	(-3)	/* entry point checksum not 0 */
#define BMDUMP_SMBIOS_E_STRUCT	(-4)	/* a structure shorter than its header */
#define BMDUMP_SMBIOS_E_BOUNDS	(-5)	/* a structure runs past the table */
#define BMDUMP_SMBIOS_E_NONE	(-6)	/* no structure of that type */

struct bmdump_smbios_table {
	uint64_t addr;		/* physical address of the structure table */
	uint32_t len;		/* its length (3.x: its maximum length) */
};

/* One structure: its formatted part, then its strings (each NUL ended). */
struct bmdump_smbios_struct {
	const uint8_t *hdr;	/* hdr[0] type, hdr[1] formatted length */
	const char *strings;	/* ends in the set's double NUL */
	size_t strings_len;	/* up to and with the double NUL */
};

static inline uint64_t bmdump_smbios_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static inline int bmdump_smbios_csum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return sum ? BMDUMP_SMBIOS_E_CSUM : 0;
}

static inline int bmdump_smbios_anchor(const uint8_t *p, const char *a)
{
	while (*a)
		if (*p++ != (uint8_t)*a++)
			return BMDUMP_SMBIOS_E_ANCHOR;
	return 0;
}

/* The 3.x entry point at ep (room bytes readable there). */
static inline int bmdump_smbios3_entry(const uint8_t *ep, size_t room,
				       struct bmdump_smbios_table *t)
{
	uint8_t len;

	if (room < SMBIOS3_EP_MIN_LEN || bmdump_smbios_anchor(ep, "_SM3_"))
		return BMDUMP_SMBIOS_E_ANCHOR;
	len = ep[SMBIOS3_EP_LENGTH];
	if (len < SMBIOS3_EP_MIN_LEN || len > room)
		return BMDUMP_SMBIOS_E_EPLEN;
	if (bmdump_smbios_csum(ep, len))
		return BMDUMP_SMBIOS_E_CSUM;
	t->addr = bmdump_smbios_le(ep + SMBIOS3_EP_ADDR, 8);
	t->len = (uint32_t)bmdump_smbios_le(ep + SMBIOS3_EP_MAX, 4);
	return 0;
}

/* The 2.x entry point at ep: both its checksums, the outer and "_DMI_". */
static inline int bmdump_smbios2_entry(const uint8_t *ep, size_t room,
				       struct bmdump_smbios_table *t)
{
	uint8_t len;

	if (room < SMBIOS2_EP_MIN_LEN || bmdump_smbios_anchor(ep, "_SM_") ||
	    bmdump_smbios_anchor(ep + SMBIOS2_EP_IANCHOR, "_DMI_"))
		return BMDUMP_SMBIOS_E_ANCHOR;
	len = ep[SMBIOS2_EP_LENGTH];
	if (len < SMBIOS2_EP_MIN_LEN || len > room)
		return BMDUMP_SMBIOS_E_EPLEN;
	if (bmdump_smbios_csum(ep, len) ||
	    bmdump_smbios_csum(ep + SMBIOS2_EP_IANCHOR, SMBIOS2_IEP_LEN))
		return BMDUMP_SMBIOS_E_CSUM;
	t->addr = bmdump_smbios_le(ep + SMBIOS2_EP_ADDR, 4);
	t->len = (uint32_t)bmdump_smbios_le(ep + SMBIOS2_EP_LEN, 2);
	return 0;
}

/*
 * The first structure of `type` in the len-byte table at tab.  Each step
 * moves on by at least a header and a double NUL, so a hostile table ends
 * the walk by its length; a zero or short length byte would make it loop
 * in place and is refused.  The end-of-table structure stops the walk.
 */
static inline int bmdump_smbios_find(const uint8_t *tab, size_t len,
				     uint8_t type,
				     struct bmdump_smbios_struct *out)
{
	size_t off = 0, p;

	while (len - off >= SMBIOS_HDR_LEN) {
		if (tab[off + 1] < SMBIOS_HDR_LEN)
			return BMDUMP_SMBIOS_E_STRUCT;
		p = off + tab[off + 1];
		while (p + 1 < len && (tab[p] || tab[p + 1]))
			p++;
		if (p + 1 >= len)
			return BMDUMP_SMBIOS_E_BOUNDS;
		if (tab[off] == type) {
			out->hdr = tab + off;
			out->strings = (const char *)tab + off + tab[off + 1];
			out->strings_len = p + 2 - off - tab[off + 1];
			return 0;
		}
		if (tab[off] == SMBIOS_TYPE_EOT)
			break;
		off = p + 2;
	}
	return BMDUMP_SMBIOS_E_NONE;
}

/*
 * String number n of structure s (1-based, as the formatted part names
 * it), or "" for 0 or a number past the set.  Always NUL-terminated
 * inside the table: bmdump_smbios_find() saw the set's double NUL.
 */
static inline const char *bmdump_smbios_string(
	const struct bmdump_smbios_struct *s, uint8_t n)
{
	const char *p = s->strings, *end = s->strings + s->strings_len;

	if (!n || !*p)
		return "";
	while (--n) {
		while (*p)
			p++;
		if (++p >= end || !*p)
			return "";
	}
	return p;
}

#endif /* BMDUMP_SMBIOS_H */
