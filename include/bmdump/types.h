/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types for the contracts in include/bmdump/, which are compiled
 * in three worlds: the kernel module (linux/types.h provides uint64_t and
 * friends), the freestanding stub and the host tools (the compiler's own
 * <stdint.h>/<stddef.h>, which are freestanding headers).
 */
#ifndef BMDUMP_TYPES_H
#define BMDUMP_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/stddef.h>
#else
#include <stdint.h>
#include <stddef.h>
#endif

#define BMDUMP_PAGE_SHIFT	12
#define BMDUMP_PAGE_SIZE	4096u

#endif /* BMDUMP_TYPES_H */
