/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running kernel as `bmdump status` reports it: its release, whether
 * bmdump.ko supports it (include/bmdump/kernels.h) and whether a module
 * was built for it (dkms, make install), found as modprobe finds it.
 */
#ifndef BMDUMP_KERNEL_H
#define BMDUMP_KERNEL_H

#include <stddef.h>

struct kernel_facts {
	int known;			/* release read */
	char release[128];
	int supported;
	char module_file[256];		/* under /lib/modules/<release> */
};

/* 1 when "major.minor..." is a line bmdump.ko supports, else 0. */
int kernel_release_supported(const char *release);

/* Reads $BMDUMP_SYSROOT/proc/sys/kernel/osrelease and modules.dep. */
void kernel_probe(struct kernel_facts *k);

#endif /* BMDUMP_KERNEL_H */
