/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NVMe as the NVM Express Base Specification defines it (controller
 * registers, admin and NVM commands, identify data, queue entries), plus
 * the driver's own limits and figures.  No code: shared by the driver
 * (nvme.c, nvme_io.c), its users and the unit tests' fake controller.
 */
#ifndef STUB_DRIVERS_NVME_DEFS_H
#define STUB_DRIVERS_NVME_DEFS_H

#include "bmdump/types.h"
#include "bmdump/nvme_id.h"

/* Controller registers (BAR0) */
#define NVME_REG_CAP		0x0000	/* 64-bit */
#define NVME_REG_VS		0x0008
#define NVME_REG_INTMS		0x000c
#define NVME_REG_INTMC		0x0010
#define NVME_REG_CC		0x0014
#define NVME_REG_CSTS		0x001c
#define NVME_REG_NSSR		0x0020
#define NVME_REG_AQA		0x0024
#define NVME_REG_ASQ		0x0028	/* 64-bit */
#define NVME_REG_ACQ		0x0030	/* 64-bit */
#define NVME_REG_DBS		0x1000	/* doorbells */

/* CAP */
#define NVME_CAP_MQES(cap)	((uint32_t)((cap) & 0xffff))
#define NVME_CAP_CQR		(1ull << 16)
#define NVME_CAP_TO(cap)	((uint32_t)(((cap) >> 24) & 0xff))
#define NVME_CAP_DSTRD(cap)	((uint32_t)(((cap) >> 32) & 0xf))
#define NVME_CAP_NSSRS		(1ull << 36)
#define NVME_CAP_CSS_NVM	(1ull << 37)
#define NVME_CAP_MPSMIN(cap)	((uint32_t)(((cap) >> 48) & 0xf))
#define NVME_CAP_MPSMAX(cap)	((uint32_t)(((cap) >> 52) & 0xf))

/* CC */
#define NVME_CC_EN		(1u << 0)
#define NVME_CC_CSS_NVM		(0u << 4)
#define NVME_CC_MPS_SHIFT	7
#define NVME_CC_AMS_RR		(0u << 11)
#define NVME_CC_SHN_MASK	(3u << 14)
#define NVME_CC_SHN_NORMAL	(1u << 14)
#define NVME_CC_SHN_ABRUPT	(2u << 14)
#define NVME_CC_IOSQES_SHIFT	16
#define NVME_CC_IOCQES_SHIFT	20

/* CSTS */
#define NVME_CSTS_RDY		(1u << 0)
#define NVME_CSTS_CFS		(1u << 1)
#define NVME_CSTS_SHST_MASK	(3u << 2)
#define NVME_CSTS_SHST_NORMAL	(0u << 2)
#define NVME_CSTS_SHST_OCCUR	(1u << 2)
#define NVME_CSTS_SHST_CMPLT	(2u << 2)
#define NVME_CSTS_NSSRO		(1u << 4)
#define NVME_CSTS_PP		(1u << 5)
#define NVME_CSTS_GONE		0xffffffffu

/* AQA */
#define NVME_AQA_ASQS(n)	((uint32_t)((n) - 1))
#define NVME_AQA_ACQS(n)	((uint32_t)((n) - 1) << 16)

/* Admin command set opcodes */
#define NVME_ADMIN_DELETE_SQ	0x00
#define NVME_ADMIN_CREATE_SQ	0x01
#define NVME_ADMIN_DELETE_CQ	0x04
#define NVME_ADMIN_CREATE_CQ	0x05
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ADMIN_SET_FEATURES	0x09

/* NVM command set opcodes */
#define NVME_CMD_FLUSH		0x00
#define NVME_CMD_WRITE		0x01
#define NVME_CMD_READ		0x02

/* Identify CNS values */
#define NVME_ID_CNS_NS		0x00
#define NVME_ID_CNS_CTRL	0x01
#define NVME_ID_CNS_NS_ACTIVE_LIST 0x02

/* Set Features */
#define NVME_FEAT_NUM_QUEUES	0x07

/* Create I/O queue dwords */
#define NVME_QUEUE_PHYS_CONTIG	(1u << 0)
#define NVME_CQ_IRQ_ENABLED	(1u << 1)

/* Read/Write CDW12 */
#define NVME_RW_FUA		(1u << 30)
#define NVME_RW_LR		(1u << 31)

/* Identify Controller data structure offsets */
#define NVME_ID_CTRL_VID	0
#define NVME_ID_CTRL_SN		4	/* 20 bytes */
#define NVME_ID_CTRL_MN		24	/* 40 bytes */
#define NVME_ID_CTRL_FR		64	/* 8 bytes */
#define NVME_ID_CTRL_MDTS	77
#define NVME_ID_CTRL_VER	80
#define NVME_ID_CTRL_RTD3E	88
#define NVME_ID_CTRL_NN		516
#define NVME_ID_CTRL_VWC	525
#define  NVME_CTRL_VWC_PRESENT	(1u << 0)

/* Identify Namespace: bmdump/nvme_id.h (shared with the host tools) */

/* Completion queue entry status (DW3 31:16) */
#define NVME_CQE_PHASE		0x0001
/* SCT | SC */
#define NVME_STATUS(st)		(((st) >> 1) & 0x7ff)
#define NVME_STATUS_SC(s)	((s) & 0xff)
#define NVME_STATUS_SCT(s)	(((s) >> 8) & 0x7)
#define NVME_STATUS_DNR		(1u << 15)

/* Driver limits */
#define NVME_PAGE_SIZE		4096u
#define NVME_PRP_PER_PAGE	(NVME_PAGE_SIZE / 8)	/* 512 */
#define NVME_ADMIN_DEPTH	16
#define NVME_IO_DEPTH		64	/* 63 commands in flight */
#define NVME_MAX_IO_BYTES	(4u << 20)
#define NVME_MAX_IO_PAGES	(NVME_MAX_IO_BYTES / NVME_PAGE_SIZE)
/* PRP list pages one command needs: 1024 + 1 pages -> 3 lists at most. */
#define NVME_MAX_LIST_PAGES	3
#define NVME_MDTS_UNLIMITED_BYTES (1u << 20)	/* MDTS = 0: be modest */
/* Active namespaces read per controller: one Identify list page. */
#define NVME_MAX_NS		1024
/* Command slots with PRP lists from the probe on (the GPT and header
 * reads); the others are armed at the controller's first write. */
#define NVME_PROBE_SLOTS	1
#define NVME_ADMIN_TIMEOUT_MS	10000
#define NVME_IO_TIMEOUT_MS	30000	/* without any completion */
#define NVME_SHUTDOWN_MIN_MS	5000	/* Linux's default */
#define NVME_SHUTDOWN_MAX_MS	60000
#define NVME_CSTS_POLL_SPINS	4096	/* look at CSTS while waiting */

struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr;
	uint64_t prp1;
	uint64_t prp2;
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};

struct nvme_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;	/* phase in bit 0 */
};

_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe SQ entry is 64 bytes");
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe CQ entry is 16 bytes");

/* What one controller did, for the dump statistics. */
struct nvme_stats {
	uint64_t commands;
	uint64_t bytes_written;
	uint64_t bytes_read;
	unsigned int max_inflight;
	unsigned int queue_depth;
};

#endif /* STUB_DRIVERS_NVME_DEFS_H */
