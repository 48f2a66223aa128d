/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel lines whose struct page layout bmdump.ko knows: the hook's
 * compatibility header (kernel-hook/bmdump_compat.h) refuses to build for
 * any other, and `bmdump status` names the running kernel unsupported.
 * A line is added here together with its layout there and its VMCOREINFO
 * in tests/unit/vmcoreinfo/.
 */
#ifndef BMDUMP_KERNELS_H
#define BMDUMP_KERNELS_H

/* usable in #if as well as in C */
#define BMDUMP_KERNEL_SUPPORTED(major, minor) \
	((major) == 6 && ((minor) == 1 || (minor) == 12))

#define BMDUMP_KERNELS_SUPPORTED_TEXT	"6.1 and 6.12"

#endif /* BMDUMP_KERNELS_H */
