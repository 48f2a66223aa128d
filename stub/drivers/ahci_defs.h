/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Polled AHCI (SATA) driver for an HBA the crashed kernel was driving a
 * moment ago: BIOS/OS handoff, every port stopped (COMRESET when it will
 * not stop), the stub's own command lists and received-FIS areas, then
 * zero-copy writes whose PRDTs point straight at the caller's pages: NCQ
 * (WRITE FPDMA QUEUED) with several slots in flight when HBA and drive
 * offer it, WRITE DMA EXT otherwise.  Names follow the Serial ATA AHCI 1.3.1
 * specification and ACS-3 (ATA commands, IDENTIFY DEVICE words).
 *
 * This file: the registers, bits, on-memory structures and driver limits;
 * ahci.h is the API the storage layer calls.
 */
#ifndef STUB_DRIVERS_AHCI_DEFS_H
#define STUB_DRIVERS_AHCI_DEFS_H

#include "bmdump/types.h"

struct blkdev;
struct pci_dev;

#define AHCI_ABAR_BAR		5	/* ABAR: BAR5, config 0x24 */

/* Generic host control (AHCI 1.3.1 section 3.1) */
#define AHCI_CAP		0x00
#define AHCI_GHC		0x04
#define AHCI_IS			0x08
#define AHCI_PI			0x0c
#define AHCI_VS			0x10
#define AHCI_CAP2		0x24
#define AHCI_BOHC		0x28

/* CAP */
#define AHCI_CAP_NP(cap)	((cap) & 0x1f)
#define AHCI_CAP_NCS(cap)	(((cap) >> 8) & 0x1f)	/* slots - 1 */
#define AHCI_CAP_SCLO		(1u << 24)
#define AHCI_CAP_SSS		(1u << 27)
#define AHCI_CAP_SNCQ		(1u << 30)
#define AHCI_CAP_S64A		(1u << 31)

/* GHC */
#define AHCI_GHC_HR		(1u << 0)
#define AHCI_GHC_IE		(1u << 1)
#define AHCI_GHC_AE		(1u << 31)

/* CAP2 */
#define AHCI_CAP2_BOH		(1u << 0)

/* BOHC */
#define AHCI_BOHC_BOS		(1u << 0)
#define AHCI_BOHC_OOS		(1u << 1)
#define AHCI_BOHC_OOC		(1u << 3)
#define AHCI_BOHC_BB		(1u << 4)

/* Port registers (section 3.3), at 0x100 + 0x80 * port */
#define AHCI_PORT_BASE(p)	(0x100u + 0x80u * (p))
#define AHCI_PORT_SIZE		0x80
#define AHCI_MAX_PORTS		32
#define AHCI_PxCLB		0x00
#define AHCI_PxCLBU		0x04
#define AHCI_PxFB		0x08
#define AHCI_PxFBU		0x0c
#define AHCI_PxIS		0x10
#define AHCI_PxIE		0x14
#define AHCI_PxCMD		0x18
#define AHCI_PxTFD		0x20
#define AHCI_PxSIG		0x24
#define AHCI_PxSSTS		0x28
#define AHCI_PxSCTL		0x2c
#define AHCI_PxSERR		0x30
#define AHCI_PxSACT		0x34
#define AHCI_PxCI		0x38

/* PxIS */
#define AHCI_PxIS_DHRS		(1u << 0)
#define AHCI_PxIS_SDBS		(1u << 3)
#define AHCI_PxIS_IFS		(1u << 27)
#define AHCI_PxIS_HBDS		(1u << 28)
#define AHCI_PxIS_HBFS		(1u << 29)
#define AHCI_PxIS_TFES		(1u << 30)
#define AHCI_PxIS_FATAL		(AHCI_PxIS_IFS | AHCI_PxIS_HBDS | \
				 AHCI_PxIS_HBFS | AHCI_PxIS_TFES)

/* PxCMD */
#define AHCI_PxCMD_ST		(1u << 0)
#define AHCI_PxCMD_SUD		(1u << 1)
#define AHCI_PxCMD_POD		(1u << 2)
#define AHCI_PxCMD_CLO		(1u << 3)
#define AHCI_PxCMD_FRE		(1u << 4)
#define AHCI_PxCMD_FR		(1u << 14)
#define AHCI_PxCMD_CR		(1u << 15)
#define AHCI_PxCMD_ICC_MASK	(0xfu << 28)
#define AHCI_PxCMD_ICC_ACTIVE	(1u << 28)

/* PxTFD: the device's Status and Error registers */
#define AHCI_PxTFD_STS(t)	((t) & 0xff)
#define AHCI_PxTFD_ERR(t)	(((t) >> 8) & 0xff)
#define ATA_STS_ERR		(1u << 0)
#define ATA_STS_DRQ		(1u << 3)
#define ATA_STS_DF		(1u << 5)
#define ATA_STS_BSY		(1u << 7)

/* PxSIG */
#define AHCI_SIG_ATA		0x00000101u
#define AHCI_SIG_ATAPI		0xeb140101u

/* PxSSTS / PxSCTL */
#define AHCI_PxSSTS_DET(s)	((s) & 0xf)
#define AHCI_SSTS_DET_PHY	3	/* device present, phy up */
#define AHCI_PxSCTL_DET_MASK	0xfu
#define AHCI_PxSCTL_DET_COMRESET 1u
#define AHCI_PxSCTL_IPM_NONE	(3u << 8)	/* no partial/slumber */

/* Command header (section 4.2.2), 32 bytes, 32 per command list */
#define AHCI_CMD_CFL(dw)	((dw) & 0x1f)	/* FIS length in dwords */
#define AHCI_CMD_WRITE		(1u << 6)
#define AHCI_CMD_PRDTL_SHIFT	16

struct ahci_cmd_hdr {
	uint32_t opts;		/* CFL, A, W, P, R, B, C, PMP, PRDTL */
	uint32_t prdbc;		/* bytes transferred */
	uint32_t ctba;
	uint32_t ctbau;
	uint32_t rsvd[4];
};

/* Physical region descriptor (section 4.2.3.3) */
#define AHCI_PRD_DBC_MAX	(4u << 20)	/* bytes per entry */
#define AHCI_PRD_I		(1u << 31)

struct ahci_prd {
	uint32_t dba;
	uint32_t dbau;
	uint32_t rsvd;
	uint32_t dbc;		/* bytes - 1, bit 0 set; I in bit 31 */
};

/* Command table: CFIS at 0, ACMD at 0x40, PRDT at 0x80 */
#define AHCI_CT_CFIS		0x00
#define AHCI_CT_PRDT		0x80

/* Register host to device FIS (SATA 3.x 10.5.6), 20 bytes */
#define SATA_FIS_TYPE_H2D	0x27
#define SATA_FIS_H2D_C		0x80	/* byte 1: command, not control */
#define SATA_FIS_H2D_LEN	20

struct sata_fis_h2d {
	uint8_t type;
	uint8_t flags;
	uint8_t command;
	uint8_t feature_lo;
	uint8_t lba0, lba1, lba2;
	uint8_t device;
	uint8_t lba3, lba4, lba5;
	uint8_t feature_hi;
	uint8_t count_lo;
	uint8_t count_hi;
	uint8_t icc;
	uint8_t control;
	uint8_t aux[4];
};

#define ATA_DEV_LBA		0x40	/* device register: LBA mode */
#define ATA_DEV_FUA		0x80	/* FPDMA: forced unit access */

/* ATA commands (ACS-3) */
#define ATA_CMD_READ_DMA_EXT	0x25
#define ATA_CMD_WRITE_DMA_EXT	0x35
#define ATA_CMD_READ_FPDMA	0x60
#define ATA_CMD_WRITE_FPDMA	0x61
#define ATA_CMD_FLUSH_CACHE	0xe7
#define ATA_CMD_FLUSH_CACHE_EXT	0xea
#define ATA_CMD_IDENTIFY	0xec

/* IDENTIFY DEVICE words */
#define ATA_ID_SERIAL		10	/* 10 words */
#define ATA_ID_FW_REV		23	/* 4 words */
#define ATA_ID_MODEL		27	/* 20 words */
#define ATA_ID_CAPABILITY	49
#define  ATA_ID_CAP_LBA		(1u << 9)
#define  ATA_ID_CAP_DMA		(1u << 8)
#define ATA_ID_LBA28		60	/* 2 words */
#define ATA_ID_QUEUE_DEPTH	75	/* bits 4:0: depth - 1 */
#define ATA_ID_SATA_CAP		76
#define  ATA_ID_SATA_NCQ	(1u << 8)
#define ATA_ID_CMDSET2		83
#define  ATA_ID_LBA48		(1u << 10)
#define  ATA_ID_FLUSH_EXT	(1u << 13)
#define ATA_ID_CFS_ENABLE2	86
#define ATA_ID_LBA48_MAX	100	/* 4 words */
#define ATA_ID_SECTOR_SIZE	106
#define  ATA_ID_SS_VALID_MASK	0xc000u
#define  ATA_ID_SS_VALID	0x4000u
#define  ATA_ID_SS_LONG_LOGICAL	(1u << 12)
#define  ATA_ID_SS_MULTI	(1u << 13)
#define  ATA_ID_SS_LOG2(w)	((w) & 0xf)
#define ATA_ID_LOGICAL_SIZE	117	/* 2 words, in words */
#define ATA_ID_WORDS		256

/* Received FIS area: 256 bytes, 256-byte aligned */
#define AHCI_RX_FIS_SIZE	256
#define AHCI_CL_SIZE		(32 * sizeof(struct ahci_cmd_hdr))

_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "AHCI command header");
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI PRD entry");
_Static_assert(sizeof(struct sata_fis_h2d) == SATA_FIS_H2D_LEN,
	       "register H2D FIS");

/* Driver limits */
#define AHCI_PAGE_SIZE		4096u
#define AHCI_PRDT_ENTRIES	128	/* per command: 512 KiB of pages */
#define AHCI_MAX_IO_BYTES	(AHCI_PRDT_ENTRIES * AHCI_PAGE_SIZE)
#define AHCI_CT_SIZE		(AHCI_CT_PRDT + \
				 AHCI_PRDT_ENTRIES * sizeof(struct ahci_prd))
#define AHCI_BOHC_MS		25	/* BOS release (AHCI 10.6.3) */
#define AHCI_BOHC_BUSY_MS	2000	/* BIOS still busy (BB) */
#define AHCI_STOP_MS		500	/* CR / FR clear (section 10.1.2) */
#define AHCI_COMRESET_HOLD_MS	1	/* DET=1 at least 1 ms */
#define AHCI_LINK_MS		1000	/* SSTS.DET=3 after COMRESET */
#define AHCI_BSY_MS		5000	/* BSY/DRQ clear before ST */
#define AHCI_CMD_MS		10000	/* IDENTIFY */
#define AHCI_IO_TIMEOUT_MS	30000	/* without any completion */

/* Figures for the stub's log. */
struct ahci_stats {
	uint64_t commands;
	uint64_t bytes_written;
	uint64_t bytes_read;
	unsigned int max_inflight;
	unsigned int slots;
	int ncq;
};

#endif /* STUB_DRIVERS_AHCI_DEFS_H */
