/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polled virtio-blk over modern virtio-pci (virtio 1.x) for a device the
 * crashed kernel was driving a moment ago: reset it (device_status = 0 is
 * the DMA fence), renegotiate, one split virtqueue in crashkernel memory
 * with interrupts suppressed, zero-copy write chains pointing straight at
 * the caller's pages, FLUSH when offered, reset at the end.  Transitional
 * devices are driven through their modern interface; legacy-only devices
 * (no virtio PCI capabilities) are refused.  Names follow the virtio 1.2
 * specification (sections 2.7, 4.1 and 5.2).
 */
#ifndef STUB_DRIVERS_VIRTIO_BLK_H
#define STUB_DRIVERS_VIRTIO_BLK_H

#include "bmdump/types.h"
#include "virtio_pci.h"

struct blkdev;
struct pci_dev;

/* Feature bits (5.2.3, 6) */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_FEATURE(bit)		(1ull << (bit))

/* struct virtio_blk_config (5.2.4) */
#define VIRTIO_BLK_CFG_CAPACITY		0x00	/* u64 sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX		0x08
#define VIRTIO_BLK_CFG_SEG_MAX		0x0c
#define VIRTIO_BLK_CFG_BLK_SIZE		0x14
#define VIRTIO_BLK_CFG_MIN_SIZE		0x18

/* Requests (5.2.6) */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2
#define VIRTIO_BLK_SECTOR_SHIFT		9	/* 512-byte units */

/* Split virtqueue (2.7) */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_DESC_ALIGN		16
#define VIRTQ_AVAIL_ALIGN		2
#define VIRTQ_USED_ALIGN		4

/* Driver limits */
#define VIRTIO_BLK_PAGE_SIZE		4096u
#define VIRTIO_BLK_QUEUE_MAX		256	/* descriptors */
#define VIRTIO_BLK_MIN_INFLIGHT		4	/* largest requests */
#define VIRTIO_BLK_SEG_BYTES_MAX	(1u << 20)	/* without SIZE_MAX */
#define VIRTIO_BLK_IO_TIMEOUT_MS	30000	/* no completion */
#define VIRTIO_STATUS_POLL_SPINS	4096	/* look at device_status */

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t ioprio;
	uint64_t sector;
};

/* The rings as laid out in memory; used_event / avail_event follow ring[]. */
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq descriptor is 16 bytes");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "used element is 8 bytes");
_Static_assert(sizeof(struct virtio_blk_outhdr) == 16,
	       "virtio-blk request header is 16 bytes");

struct virtio_blk;

/* Forget every device (storage_scan does; unit tests too). */
void virtio_blk_forget(void);

/*
 * Take over the virtio-blk device at pdev and fill one blkdev in devs
 * (if max > 0): *count 1.  index names it ("virtio<index>").
 */
int virtio_blk_probe(const struct pci_dev *pdev, unsigned int index,
		     struct blkdev *devs, unsigned int max,
		     unsigned int *count, struct virtio_blk **out);

/* The device behind a blkdev virtio_blk_probe filled, or NULL. */
struct virtio_blk *virtio_blk_of(const struct blkdev *d);

/* Stop a device the dump does not use: reset, bus mastering off. */
int virtio_blk_disable(struct virtio_blk *v);

struct virtio_blk_stats {
	uint64_t requests;
	uint64_t bytes_written;
	uint64_t bytes_read;
	unsigned int max_inflight;	/* requests */
	unsigned int queue_size;
};

void virtio_blk_get_stats(const struct virtio_blk *v,
			  struct virtio_blk_stats *st);

#endif /* STUB_DRIVERS_VIRTIO_BLK_H */
