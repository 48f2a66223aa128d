/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCOREINFO: "KEY=value\n" lines the crashed kernel left for dump tools
 * (kernel/crash_core.c).  SYMBOL() and KERNELOFFSET are hex without 0x,
 * OFFSET/SIZE/LENGTH decimal, NUMBER signed decimal.
 *
 * The parser the stub runs on the crashed kernel's note, shared with
 * `bmdump load` so that the running kernel's VMCOREINFO is checked at load
 * time by the very code that will read it at crash time.  Header-only and
 * freestanding: no libc, no stub headers.
 */
#ifndef BMDUMP_VMCOREINFO_H
#define BMDUMP_VMCOREINFO_H

#include "types.h"
#include "kdump.h"
#include "errors.h"
#include "uuid.h"	/* bmdump_hexval() */

#define VMCOREINFO_MAX_BYTES	4096
#define BMDUMP_START_KERNEL_MAP	0xffffffff80000000ull	/* x86-64 */
#define VMCOREINFO_KIMAGE_MAX_PHYS	(1ull << 52)

struct vmcoreinfo {
	char osrelease[KDUMP_UTSNAME_LEN];
	uint64_t pagesize;
	int has_crashtime;
	int64_t crashtime;
	int has_phys_base;
	int64_t phys_base;
	uint64_t kerneloffset;
	int has_uts;
	uint64_t sym_init_uts_ns;
	uint64_t off_uts_name;
	int pgtable_l5_enabled;
};

/* Find "key=" at the start of a line; value up to the newline. */
static inline int vmcoreinfo_find(const char *text, size_t len,
				  const char *key, const char **val,
				  size_t *vlen)
{
	size_t pos = 0;

	while (pos < len) {
		size_t end = pos, k = 0;

		while (end < len && text[end] != '\n')
			end++;
		while (key[k] && pos + k < end && text[pos + k] == key[k])
			k++;
		if (k && !key[k] && pos + k < end && text[pos + k] == '=') {
			*val = text + pos + k + 1;
			*vlen = end - pos - k - 1;
			return 1;
		}
		pos = end + 1;
	}
	return 0;
}

static inline int vmcoreinfo_get_hex(const char *text, size_t len,
				     const char *key, uint64_t *out)
{
	const char *v;
	size_t n, i;
	uint64_t x = 0;

	if (!vmcoreinfo_find(text, len, key, &v, &n))
		return E_VMCI_KEY;
	if (!n || n > 16)
		return E_VMCI_NUMBER;
	for (i = 0; i < n; i++) {
		int d = bmdump_hexval(v[i]);

		if (d < 0)
			return E_VMCI_NUMBER;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return 0;
}

static inline int vmcoreinfo_get_dec(const char *text, size_t len,
				     const char *key, int64_t *out)
{
	const char *v;
	size_t n, i = 0;
	uint64_t x = 0;
	int neg = 0;

	if (!vmcoreinfo_find(text, len, key, &v, &n))
		return E_VMCI_KEY;
	if (n && v[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n || n > 20)
		return E_VMCI_NUMBER;
	for (; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return E_VMCI_NUMBER;
		if (x > (UINT64_MAX - 9) / 10)
			return E_VMCI_NUMBER;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > (uint64_t)INT64_MAX + neg)
		return E_VMCI_NUMBER;
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/*
 * The keys the stub reads.  OSRELEASE and PAGESIZE (4096) are required:
 * without them the stub writes no dump.  The rest is optional: CRASHTIME
 * exists only once the kernel crashed, and without phys_base or the
 * utsname keys the dump header lacks the node name.
 */
#define VMCI_OSRELEASE		"OSRELEASE"
#define VMCI_PAGESIZE		"PAGESIZE"
#define VMCI_CRASHTIME		"CRASHTIME"
#define VMCI_PHYS_BASE		"NUMBER(phys_base)"
#define VMCI_KERNELOFFSET	"KERNELOFFSET"
#define VMCI_PGTABLE_L5		"NUMBER(pgtable_l5_enabled)"
#define VMCI_INIT_UTS_NS	"SYMBOL(init_uts_ns)"
#define VMCI_UTS_NAME		"OFFSET(uts_namespace.name)"

static inline int vmcoreinfo_parse(const char *text, size_t len,
				   struct vmcoreinfo *vi)
{
	const char *v;
	size_t n, i;
	int64_t d;
	int err;

	*vi = (struct vmcoreinfo){ 0 };
	if (!vmcoreinfo_find(text, len, VMCI_OSRELEASE, &v, &n) || !n)
		return E_VMCI_KEY;
	if (n >= sizeof(vi->osrelease))
		return E_VMCI_NUMBER;
	for (i = 0; i < n; i++)
		vi->osrelease[i] = v[i];

	err = vmcoreinfo_get_dec(text, len, VMCI_PAGESIZE, &d);
	if (err)
		return err;
	if (d != 4096)
		return E_VMCI_PAGESIZE;
	vi->pagesize = (uint64_t)d;

	if (!vmcoreinfo_get_dec(text, len, VMCI_CRASHTIME, &vi->crashtime))
		vi->has_crashtime = 1;
	if (!vmcoreinfo_get_dec(text, len, VMCI_PHYS_BASE, &vi->phys_base))
		vi->has_phys_base = 1;
	vmcoreinfo_get_hex(text, len, VMCI_KERNELOFFSET, &vi->kerneloffset);
	if (!vmcoreinfo_get_dec(text, len, VMCI_PGTABLE_L5, &d))
		vi->pgtable_l5_enabled = d != 0;
	if (!vmcoreinfo_get_hex(text, len, VMCI_INIT_UTS_NS,
				&vi->sym_init_uts_ns) &&
	    !vmcoreinfo_get_dec(text, len, VMCI_UTS_NAME, &d) &&
	    d >= 0 && d < 4096) {
		vi->off_uts_name = (uint64_t)d;
		vi->has_uts = vi->has_phys_base;
	}
	return 0;
}

/* Physical address of a kernel-image symbol: va - __START_KERNEL_map + phys_base. */
static inline int vmcoreinfo_kimage_pa(const struct vmcoreinfo *vi,
				       uint64_t va, uint64_t *pa)
{
	uint64_t p;

	if (!vi->has_phys_base || va < BMDUMP_START_KERNEL_MAP)
		return E_VMCI_UTS;
	/*
	 * phys_base may be negative.  A result below 0 wraps to 2^63 or more
	 * (va - __START_KERNEL_map < 2^31), so one bound catches it too.
	 */
	p = va - BMDUMP_START_KERNEL_MAP + (uint64_t)vi->phys_base;
	if (p >= VMCOREINFO_KIMAGE_MAX_PHYS)
		return E_VMCI_UTS;
	*pa = p;
	return 0;
}

#endif /* BMDUMP_VMCOREINFO_H */
