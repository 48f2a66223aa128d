/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The modern virtio-pci transport (virtio 1.2, 4.1): the vendor
 * capabilities that locate common, notify and device configuration in the
 * BARs, the device status and feature registers, and the reset that fences
 * a device a crashed kernel was driving.  Queue 0 only: the stub's drivers
 * use one queue each.
 */
#ifndef STUB_DRIVERS_VIRTIO_PCI_H
#define STUB_DRIVERS_VIRTIO_PCI_H

#include "bmdump/types.h"

struct pci_dev;

/* Virtio PCI capability (4.1.4): vendor-specific capability 0x09 */
#define PCI_CAP_ID_VNDR			0x09
#define VIRTIO_PCI_CAP_LEN		2
#define VIRTIO_PCI_CAP_CFG_TYPE		3
#define VIRTIO_PCI_CAP_BAR		4
#define VIRTIO_PCI_CAP_OFFSET		8
#define VIRTIO_PCI_CAP_LENGTH		12
#define VIRTIO_PCI_NOTIFY_CAP_MULT	16
#define VIRTIO_PCI_CAP_SIZE		16
#define VIRTIO_PCI_NOTIFY_CAP_SIZE	20
#define  VIRTIO_PCI_CAP_COMMON_CFG	1
#define  VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define  VIRTIO_PCI_CAP_ISR_CFG		3
#define  VIRTIO_PCI_CAP_DEVICE_CFG	4
#define  VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_common_cfg (4.1.4.3) */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* device_feature_sel */
#define VIRTIO_PCI_COMMON_DF		0x04	/* device_feature */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* driver_feature_sel */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* config msix */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* num_queues */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* device_status, 8 bit */
#define VIRTIO_PCI_COMMON_CFGGENERATION	0x15
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* queue_notify_off */
#define VIRTIO_PCI_COMMON_Q_DESCLO	0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI	0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO	0x28	/* queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI	0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO	0x30	/* queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI	0x34
#define VIRTIO_PCI_COMMON_CFG_SIZE	0x38
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* Device status (2.1) */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE	0x01
#define VIRTIO_CONFIG_S_DRIVER		0x02
#define VIRTIO_CONFIG_S_DRIVER_OK	0x04
#define VIRTIO_CONFIG_S_FEATURES_OK	0x08
#define VIRTIO_CONFIG_S_NEEDS_RESET	0x40
#define VIRTIO_CONFIG_S_FAILED		0x80
#define VIRTIO_STATUS_GONE		0xff	/* all ones: no device */

#define VIRTIO_RESET_TIMEOUT_MS		1000
#define VIRTIO_CAP_TTL			48	/* (256 - 64) / 4 */

struct virtio_pci {
	const struct pci_dev *pdev;
	volatile uint8_t *common;	/* NULL until vp_find_caps() */
	volatile uint8_t *devcfg;
	volatile uint8_t *notify;	/* queue 0's notify register */
	uint32_t devcfg_len;
};

/*
 * Find and map common, notify (queue 0) and device configuration.
 * E_VIRTIO_LEGACY_ONLY when the device has no virtio capability at all.
 */
int vp_find_caps(struct virtio_pci *vp, uint32_t devcfg_min);

uint8_t vp_read8(const struct virtio_pci *vp, uint32_t off);
uint16_t vp_read16(const struct virtio_pci *vp, uint32_t off);
uint32_t vp_read32(const struct virtio_pci *vp, uint32_t off);
void vp_write8(const struct virtio_pci *vp, uint32_t off, uint8_t val);
void vp_write16(const struct virtio_pci *vp, uint32_t off, uint16_t val);
void vp_write32(const struct virtio_pci *vp, uint32_t off, uint32_t val);
/* 64-bit fields as two 32-bit writes, low half first (4.1.3.1). */
void vp_write64(const struct virtio_pci *vp, uint32_t off, uint64_t val);
uint32_t vp_cfg_read32(const struct virtio_pci *vp, uint32_t off);

uint8_t vp_status(const struct virtio_pci *vp);
void vp_set_status(const struct virtio_pci *vp, uint8_t bits);
/*
 * device_status = 0, then wait (bounded, and by the capture deadline)
 * until it reads 0: 0, E_VIRTIO_GONE or timeout_err.
 */
int vp_reset(const struct virtio_pci *vp, int timeout_err);

uint64_t vp_read_features(const struct virtio_pci *vp);
void vp_write_features(const struct virtio_pci *vp, uint64_t f);
/* Tell the device queue 0 has new buffers. */
void vp_notify(const struct virtio_pci *vp);

#endif /* STUB_DRIVERS_VIRTIO_PCI_H */
