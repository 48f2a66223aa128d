// SPDX-License-Identifier: GPL-2.0
#include "vmcoreinfo.h"
#include "elfcore.h"
#include "errors.h"
#include "str.h"
#include "bmdump/uuid.h"	/* bmdump_hexval() */

#define KIMAGE_MAX_PHYS	(1ull << 52)

int vmcoreinfo_find(const char *text, size_t len, const char *key,
		    const char **val, size_t *vlen)
{
	size_t klen = strlen(key), pos = 0;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;

		if (llen > klen && !memcmp(line, key, klen) &&
		    line[klen] == '=') {
			*val = line + klen + 1;
			*vlen = llen - klen - 1;
			return 1;
		}
		pos += llen + 1;
	}
	return 0;
}

int vmcoreinfo_get_hex(const char *text, size_t len, const char *key,
		       uint64_t *out)
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

int vmcoreinfo_get_dec(const char *text, size_t len, const char *key,
		       int64_t *out)
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

int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo *vi)
{
	const char *v;
	size_t n;
	int64_t d;
	int err;

	memset(vi, 0, sizeof(*vi));
	if (!vmcoreinfo_find(text, len, "OSRELEASE", &v, &n) || !n)
		return E_VMCI_KEY;
	if (n >= sizeof(vi->osrelease))
		return E_VMCI_NUMBER;
	memcpy(vi->osrelease, v, n);
	vi->osrelease[n] = 0;

	err = vmcoreinfo_get_dec(text, len, "PAGESIZE", &d);
	if (err)
		return err;
	if (d != 4096)
		return E_VMCI_PAGESIZE;
	vi->pagesize = (uint64_t)d;

	if (!vmcoreinfo_get_dec(text, len, "CRASHTIME", &vi->crashtime))
		vi->has_crashtime = 1;
	if (!vmcoreinfo_get_dec(text, len, "NUMBER(phys_base)",
				&vi->phys_base))
		vi->has_phys_base = 1;
	vmcoreinfo_get_hex(text, len, "KERNELOFFSET", &vi->kerneloffset);
	if (!vmcoreinfo_get_dec(text, len, "NUMBER(pgtable_l5_enabled)", &d))
		vi->pgtable_l5_enabled = d != 0;
	if (!vmcoreinfo_get_hex(text, len, "SYMBOL(init_uts_ns)",
				&vi->sym_init_uts_ns) &&
	    !vmcoreinfo_get_dec(text, len, "OFFSET(uts_namespace.name)", &d) &&
	    d >= 0 && d < 4096) {
		vi->off_uts_name = (uint64_t)d;
		vi->has_uts = vi->has_phys_base;
	}
	return 0;
}

int vmcoreinfo_kimage_pa(const struct vmcoreinfo *vi, uint64_t va,
			 uint64_t *pa)
{
	uint64_t p;

	if (!vi->has_phys_base || va < KERNEL_TEXT_VBASE)
		return E_VMCI_UTS;
	/*
	 * phys_base may be negative.  A result below 0 wraps to 2^63 or more
	 * (va - __START_KERNEL_map < 2^31), so one bound catches it too.
	 */
	p = va - KERNEL_TEXT_VBASE + (uint64_t)vi->phys_base;
	if (p >= KIMAGE_MAX_PHYS)
		return E_VMCI_UTS;
	*pa = p;
	return 0;
}
