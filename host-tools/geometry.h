/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Can the stub write an area where `bmdump prepare` is about to put one?
 * The stub writes whole 4 KiB pages at (partition start + offset) /
 * logical block size, drives blocks of 512 B to 4 KiB, and skips NVMe
 * namespaces formatted with metadata (bmdump/nvme_id.h).  prepare checks
 * the same before it touches the disk, so that an area it prepares is one
 * the stub will use.
 */
#ifndef BMDUMP_GEOMETRY_H
#define BMDUMP_GEOMETRY_H

#include <stdint.h>

#include <bmdump/nvme_id.h>

#include "bmdump.h"

struct disk_geometry {
	unsigned int lbs;	/* logical block size in bytes */
	uint64_t start;		/* partition start on its disk, bytes */
	uint64_t size;		/* bytes */
	int nvme;		/* fmt below was read from the namespace */
	struct bmdump_nvme_format fmt;
};

/* 0 when the stub can write an area there, else BM_E_REFUSED and why. */
int geometry_check(const struct disk_geometry *g, const char *label,
		   struct bm_err *e);

/* Logical block size of a block device or image file (512). */
int path_logical_block_size(const char *path, unsigned int *lbs,
			    struct bm_err *e);

/*
 * Fill g for a partition or whole disk: fd open on it, disk the whole disk
 * ("" when path is the whole disk), offset its start inside an image file
 * (0 for devices).  An NVMe namespace's format is read with an Identify
 * Namespace through the kernel (needs CAP_SYS_ADMIN); g->nvme stays 0 when
 * that is not possible, with a warning on stderr.
 */
int geometry_read(int fd, const char *path, const char *disk,
		  uint64_t offset, uint64_t size, struct disk_geometry *g,
		  struct bm_err *e);

#endif /* BMDUMP_GEOMETRY_H */
