/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which disks the stub can write a dump to: the PCI functions it has a
 * driver for.  One rule for the stub, which picks the controllers it
 * takes over (stub/drivers/storage.c), and `bmdump status`, which refuses
 * an area on a disk behind anything else (USB, SCSI HBAs, dm, md, ...).
 */
#ifndef BMDUMP_TRANSPORT_H
#define BMDUMP_TRANSPORT_H

#include "types.h"

#define PCI_CLASS_STORAGE_NVME		0x010802
#define PCI_CLASS_STORAGE_AHCI		0x010601
#define PCI_VENDOR_ID_REDHAT_QUMRANET	0x1af4
#define PCI_DEVICE_ID_VIRTIO_BLK_LEGACY	0x1001
#define PCI_DEVICE_ID_VIRTIO_BLK_MODERN	0x1042

enum bmdump_transport {
	BMDUMP_TRANSPORT_NONE = 0,
	BMDUMP_TRANSPORT_NVME,		/* class 01:08:02 */
	BMDUMP_TRANSPORT_VIRTIO_BLK,	/* 1af4:1001 / 1af4:1042 */
	BMDUMP_TRANSPORT_AHCI,		/* class 01:06:01 */
};

/* The stub's driver for a PCI function (24-bit class code), or NONE. */
static inline int bmdump_pci_transport(uint32_t class, uint16_t vendor,
				       uint16_t device)
{
	if (class == PCI_CLASS_STORAGE_NVME)
		return BMDUMP_TRANSPORT_NVME;
	if (vendor == PCI_VENDOR_ID_REDHAT_QUMRANET &&
	    (device == PCI_DEVICE_ID_VIRTIO_BLK_LEGACY ||
	     device == PCI_DEVICE_ID_VIRTIO_BLK_MODERN))
		return BMDUMP_TRANSPORT_VIRTIO_BLK;
	if (class == PCI_CLASS_STORAGE_AHCI)
		return BMDUMP_TRANSPORT_AHCI;
	return BMDUMP_TRANSPORT_NONE;
}

static inline const char *bmdump_transport_name(int t)
{
	switch (t) {
	case BMDUMP_TRANSPORT_NVME:
		return "nvme";
	case BMDUMP_TRANSPORT_VIRTIO_BLK:
		return "virtio-blk";
	case BMDUMP_TRANSPORT_AHCI:
		return "ahci";
	}
	return "?";
}

#endif /* BMDUMP_TRANSPORT_H */
