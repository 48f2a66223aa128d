/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmdump load` checks the running kernel's VMCOREINFO with the stub's own
 * parser (include/bmdump/vmcoreinfo.h): the keys the stub reads are there
 * and plausible, and init_uts_ns is where phys_base says, so that a crash
 * on this kernel gives the stub what it needs.  The note is read where
 * kexec will point the stub at it, the physical address in
 * /sys/kernel/vmcoreinfo, through /proc/kcore's RAM segments; else the
 * copy /proc/kcore carries as a note of its own.  The result goes into the
 * load record (loadrec.h) and `bmdump status` reports it.
 */
#ifndef BMDUMP_VMCICHECK_H
#define BMDUMP_VMCICHECK_H

#include <stddef.h>
#include <stdint.h>

#include "bmdump.h"

enum vmci_state {
	VMCI_UNCHECKED = 0,	/* could not read it (msg says why) */
	VMCI_CHECKED,		/* the stub finds what it needs */
	VMCI_FAILED,		/* a needed key missing or implausible */
};

struct vmci_result {
	int state;
	char release[65];	/* its OSRELEASE */
	unsigned int present;	/* keys the stub reads found */
	unsigned int total;
	int uts_verified;	/* init_uts_ns read back through phys_base */
	char msg[BM_ERR_LEN];	/* FAILED: why; UNCHECKED: why not */
};

/* Reads len bytes of physical memory at pa: 0, or -1. */
typedef int (*vmci_read_phys)(void *ctx, uint64_t pa, void *buf,
			      size_t len);

/*
 * Checks a VMCOREINFO text as the stub will read it, for the kernel
 * running_release; rd (may be NULL) reads memory to find init_uts_ns.
 */
void vmci_check_text(const char *text, size_t len,
		     const char *running_release, vmci_read_phys rd,
		     void *ctx, struct vmci_result *r);

/* The same on the running kernel: $BMDUMP_SYSROOT/sys/kernel/vmcoreinfo
 * and $BMDUMP_SYSROOT/proc/kcore. */
void vmci_check_running(const char *running_release, struct vmci_result *r);

/* One line for status and load: "checked for <release> (...)". */
const char *vmci_describe(const struct vmci_result *r, char *buf,
			  size_t size);
const char *vmci_state_name(int state);
int vmci_state_parse(const char *s);

#endif /* BMDUMP_VMCICHECK_H */
