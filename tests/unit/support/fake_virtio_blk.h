/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake modern virtio-blk PCI device for unit tests: vendor capabilities
 * pointing into BAR4 (common config, ISR, device config, notify), a
 * device_status state machine with a reset that may lag, feature
 * negotiation, one split virtqueue whose avail ring it reads on notify,
 * descriptor chains it walks and executes against a host buffer, and used
 * ring entries it posts "while the CPU spins" (fake_cpu_relax_hook).
 * Everything the driver does wrong by the spec is counted as a violation
 * with a reason.
 */
#ifndef TESTS_UNIT_FAKE_VIRTIO_BLK_H
#define TESTS_UNIT_FAKE_VIRTIO_BLK_H

#include <stdint.h>

#include "drivers/virtio_blk.h"

struct fake_pci_fn;

#define FAKE_VBLK_LOG		4096
#define FAKE_VBLK_PEND		256
#define FAKE_VBLK_STATUS_LOG	32

struct fake_vblk_req {
	uint32_t type;
	uint64_t sector;
	uint32_t bytes;
	unsigned int segs;
	uint8_t status;			/* what the device answered */
	unsigned int inflight;		/* in flight when it came */
};

struct fake_vblk_pend {
	uint16_t head;
	uint8_t status;
	uint32_t len;
	uint64_t status_pa;
	uint64_t due;
	unsigned int ndesc;
	uint16_t descs[FAKE_VBLK_PEND];
};

struct fake_vblk {
	struct fake_pci_fn *pci;
	uint64_t bar;
	/* device side */
	uint64_t offered;
	uint64_t capacity;		/* 512-byte sectors */
	uint32_t size_max, seg_max, blk_size;
	uint16_t qmax;
	uint8_t *data;
	/* behaviour knobs */
	unsigned int reset_delay;	/* ticks until status reads 0 */
	int never_reset;
	int refuse_features;
	int never_complete;
	unsigned int latency;		/* ticks per completion */
	unsigned int ioerr_at;		/* IOERR for write N (1-based) */
	/* registers */
	uint8_t status, status_old;
	uint32_t dfsel, gfsel;
	uint64_t driver_features;
	uint16_t qsel, qsize, qmsix, qenable, cfg_msix;
	uint64_t qdesc, qavail, qused;
	/* state */
	uint64_t now;
	int resetting;
	uint64_t reset_at;
	unsigned int resets;
	int bme;			/* bus mastering as last written */
	uint16_t last_avail, used_idx;
	uint8_t desc_busy[1024];
	struct fake_vblk_pend pend[FAKE_VBLK_PEND];
	unsigned int nr_pend;
	unsigned int writes;
	/* records */
	struct fake_vblk_req reqs[FAKE_VBLK_LOG];
	unsigned int nr_reqs;		/* recorded (log may be full) */
	unsigned long total_reqs;
	uint8_t status_log[FAKE_VBLK_STATUS_LOG];
	unsigned int nr_status;
	unsigned int inflight, max_inflight;
	unsigned int violations;
	char why[512];
};

void fake_vblk_reset_all(void);

/*
 * A PCI function 1af4:1042 (class 01:00:00) with PM, MSI-X (enabled) and
 * the four virtio capabilities into BAR4 (64-bit at bar), MEM and BME on;
 * legacy_only: no virtio capabilities, I/O BAR0 only.
 */
struct fake_pci_fn *fake_vblk_pci(uint8_t bus, uint8_t dev, uint64_t bar,
				  int legacy_only);

/*
 * The device behind it: capacity sectors, QEMU-like features (VERSION_1,
 * SEG_MAX 254, BLK_SIZE 512, FLUSH, plus INDIRECT_DESC and EVENT_IDX the
 * driver must not take), queue size up to qmax.
 */
struct fake_vblk *fake_vblk_new(struct fake_pci_fn *pci, uint64_t bar,
				uint64_t capacity, uint16_t qmax);

/* As the crashed kernel left it: DRIVER_OK with rings of its own. */
void fake_vblk_set_live(struct fake_vblk *m);

/* Advance the model by one tick (also the cpu_relax hook). */
void fake_vblk_tick(void);

/* Recorded requests of this type (-1: any). */
unsigned int fake_vblk_count(const struct fake_vblk *m, int type);

#endif /* TESTS_UNIT_FAKE_VIRTIO_BLK_H */
