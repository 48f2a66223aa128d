/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log of a dump, read from the crashed kernel's printk ring
 * buffer (Linux 5.10 and later, lockless ringbuffer) with the layout
 * VMCOREINFO describes.  Used when makedumpfile cannot read the dump
 * (zstd, snappy) and by `bmdump info --dmesg`.
 */
#ifndef BMDUMP_DMESG_H
#define BMDUMP_DMESG_H

#include <stdio.h>

#include "kdumpfile.h"

/* Writes one "[seconds.micros] text" line per record; 0 or BM_E_*. */
int kd_dmesg(struct kd_image *im, FILE *out, struct bm_err *e);

#endif /* BMDUMP_DMESG_H */
