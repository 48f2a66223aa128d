/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classifier's page bits (classify.h) read from a kernel's VMCOREINFO,
 * the numbers the kernel exports to makedumpfile: the stub's scan
 * (stub/scan.c) takes them from the crashed kernel's note, where the hook
 * takes them from kernel headers (kernel-hook/bmdump_compat.h).  Not part
 * of the hook's build: it needs the VMCOREINFO parser.
 */
#ifndef BMDUMP_CLASSIFY_VMCI_H
#define BMDUMP_CLASSIFY_VMCI_H

#include "classify.h"
#include "vmcoreinfo.h"

/* A flag number in [0, 64), a NUMBER(...) that may be absent, ... */
static inline int bmdump_vmci_flag(const char *t, size_t len,
				   const char *key, unsigned int *bit)
{
	int64_t v;

	if (vmcoreinfo_get_dec(t, len, key, &v) || v < 0 || v >= 64)
		return -1;
	*bit = (unsigned int)v;
	return 0;
}

/* ... and a page type value (_mapcount of a typed page): 1 if present. */
static inline int bmdump_vmci_type(const char *t, size_t len,
				   const char *key, uint32_t *val)
{
	int64_t v;

	if (vmcoreinfo_get_dec(t, len, key, &v) || v < INT32_MIN ||
	    v > INT32_MAX)
		return 0;
	*val = (uint32_t)v;
	return 1;
}

/*
 * Fill b from VMCOREINFO: 0, or -1 when a number makedumpfile needs is
 * missing or implausible (then nothing can be classified).  Slab is PG_slab
 * or a page type, hugetlb a compound dtor or a page type: whichever the
 * kernel exports, as makedumpfile decides.
 */
static inline int bmdump_page_bits_from_vmci(const char *t, size_t len,
					     struct bmdump_page_bits *b)
{
	unsigned int head;
	int64_t v;

	*b = (struct bmdump_page_bits){ 0 };
	if (bmdump_vmci_flag(t, len, "NUMBER(PG_lru)", &b->pg_lru) ||
	    bmdump_vmci_flag(t, len, "NUMBER(PG_swapcache)",
			     &b->pg_swapcache) ||
	    bmdump_vmci_flag(t, len, "NUMBER(PG_private)", &b->pg_private) ||
	    bmdump_vmci_flag(t, len, "NUMBER(PG_swapbacked)",
			     &b->pg_swapbacked))
		return -1;
	if (vmcoreinfo_get_dec(t, len, "NUMBER(PG_head_mask)", &v) ||
	    v <= 0 || (v & (v - 1)))
		return -1;
	head = (unsigned int)__builtin_ctzll((uint64_t)v);
	if (head >= 64)
		return -1;
	b->head_mask = 1ull << head;
	if (!bmdump_vmci_type(t, len, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)",
			      &b->buddy_mapcount))
		return -1;
	if (vmcoreinfo_get_dec(t, len, "LENGTH(zone.free_area)", &v) ||
	    v <= 0 || v >= 64)
		return -1;
	b->max_order = (unsigned int)v;

	if (bmdump_vmci_flag(t, len, "NUMBER(PG_slab)", &b->pg_slab))
		b->pg_slab = 64;
	b->has_slab_type = bmdump_vmci_type(t, len,
		"NUMBER(PAGE_SLAB_MAPCOUNT_VALUE)", &b->slab_mapcount);
	/* a kernel with neither would have every slab page look free */
	if (b->pg_slab >= 64 && !b->has_slab_type)
		return -1;
	if (bmdump_vmci_flag(t, len, "NUMBER(PG_hwpoison)", &b->pg_hwpoison))
		b->pg_hwpoison = 64;
	b->has_offline = bmdump_vmci_type(t, len,
		"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", &b->offline_mapcount);
	b->has_hugetlb_type = bmdump_vmci_type(t, len,
		"NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)", &b->hugetlb_mapcount);
	b->hugetlb_dtor = 256;
	if (!vmcoreinfo_get_dec(t, len, "NUMBER(HUGETLB_PAGE_DTOR)", &v) &&
	    v >= 0 && v < 256)
		b->hugetlb_dtor = (unsigned int)v;
	return 0;
}

#endif /* BMDUMP_CLASSIFY_VMCI_H */
