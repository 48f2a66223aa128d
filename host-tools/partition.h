/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Changing a disk's partition table for `bmdump prepare`, with sfdisk:
 * appending a partition of bmdump's type (a GPT on a blank disk), and
 * setting an existing GPT partition's type.  Reading partition tables is
 * locate.c's.
 */
#ifndef BMDUMP_PARTITION_H
#define BMDUMP_PARTITION_H

#include <stdint.h>

#include "bmdump.h"

/* Appends a partition of size bytes with bmdump's type GUID to disk (a
 * disk or an image); a disk with no partition table gets a GPT, unless it
 * carries a signature and !force.  *partno: the new partition's number. */
int partition_create(const char *disk, uint64_t size, int force,
		     int *partno, struct bm_err *e);
/* Sets partition partno of disk to bmdump's type GUID; sfdisk's exit
 * status (its output printed on failure). */
int partition_set_type(const char *disk, int partno);

#endif /* BMDUMP_PARTITION_H */
