/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCOREINFO: "KEY=value\n" lines the crashed kernel left for dump tools
 * (kernel/crash_core.c).  SYMBOL() and KERNELOFFSET are hex without 0x,
 * OFFSET/SIZE/LENGTH decimal, NUMBER signed decimal.
 */
#ifndef STUB_VMCOREINFO_H
#define STUB_VMCOREINFO_H

#include "bmdump/types.h"
#include "bmdump/kdump.h"

#define VMCOREINFO_MAX_BYTES	4096

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
int vmcoreinfo_find(const char *text, size_t len, const char *key,
		    const char **val, size_t *vlen);

int vmcoreinfo_get_hex(const char *text, size_t len, const char *key,
		       uint64_t *out);
int vmcoreinfo_get_dec(const char *text, size_t len, const char *key,
		       int64_t *out);

/* OSRELEASE and PAGESIZE (4096) are required; the rest is optional. */
int vmcoreinfo_parse(const char *text, size_t len, struct vmcoreinfo *vi);

/* Physical address of a kernel-image symbol: va - __START_KERNEL_map + phys_base. */
int vmcoreinfo_kimage_pa(const struct vmcoreinfo *vi, uint64_t va,
			 uint64_t *pa);

#endif /* STUB_VMCOREINFO_H */
