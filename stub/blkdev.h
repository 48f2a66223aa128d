/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block sink between the dump writer and the storage drivers, after
 * FreeBSD's struct dumperinfo: the writer knows block size, capacity and the
 * largest I/O, and nothing about NVMe, virtio or AHCI.
 *
 * Writes are zero-copy and asynchronous: the caller hands over the physical
 * addresses of whole 4 KiB pages (the crashed kernel's own pages, or stub
 * buffers) that go to consecutive blocks; the driver builds its own
 * descriptors (PRP lists, SG tables) from them, so the array may be reused
 * as soon as submit_write() returns.  The pages themselves must stay
 * untouched until wait_idle() or flush() has returned.  Errors of
 * asynchronous writes are reported by the next wait_idle() or flush().
 */
#ifndef STUB_BLKDEV_H
#define STUB_BLKDEV_H

#include "bmdump/types.h"
#include "dma.h"		/* the drivers' queues and descriptors */

struct blkdev {
	char name[32];		/* "nvme0n1" */
	uint32_t block_size;	/* bytes per block (LBA): 512 or 4096 */
	uint64_t nr_blocks;
	uint32_t max_io_bytes;	/* largest single write, a multiple of 4096 */

	/* Queue a write of nr_pages * 4096 bytes at lba; may block while
	 * the queue is full.  lba * block_size must be 4096-aligned. */
	int (*submit_write)(struct blkdev *d, uint64_t lba,
			    const uint64_t *pages, uint32_t nr_pages);
	/* Wait for every queued write; the first error, or 0. */
	int (*wait_idle)(struct blkdev *d);
	/* Synchronous read into a stub buffer (physical address). */
	int (*read)(struct blkdev *d, uint64_t lba, uint64_t buf_pa,
		    uint32_t bytes);
	/* wait_idle(), then make the data durable (FLUSH or FUA writes). */
	int (*flush)(struct blkdev *d);
	/* Orderly shutdown of the controller (NVMe CC.SHN, ...). */
	int (*shutdown)(struct blkdev *d);

	void *priv;		/* the driver's controller / namespace state */
};

#endif /* STUB_BLKDEV_H */
