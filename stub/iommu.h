/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Taking DMA remapping off, after every bus master but the disks has been
 * fenced and before the disks are driven: the crashed kernel's translation
 * tables do not map the stub's queues and buffers, so a disk's DMA through
 * them faults (NVMe then reports CSTS.CFS).  Each unit ends as firmware
 * hands it over: translation, interrupt remapping, queued invalidation
 * (VT-d) or IommuEn, command buffer and logs (AMD-Vi) off.
 */
#ifndef STUB_IOMMU_H
#define STUB_IOMMU_H

#include "bmdump/types.h"

struct acpi_info;

/* VT-d remapping unit registers (VT-d spec 10.4) */
#define DMAR_VER_REG		0x00
#define DMAR_CAP_REG		0x08
#define DMAR_ECAP_REG		0x10
#define DMAR_GCMD_REG		0x18
#define DMAR_GSTS_REG		0x1c
#define DMAR_FSTS_REG		0x34
#define DMAR_PMEN_REG		0x64
#define DMAR_IQH_REG		0x80
#define DMAR_IQT_REG		0x88
#define DMAR_REGS_LEN		0x1000

#define DMA_GCMD_TE		(1u << 31)
#define DMA_GCMD_SRTP		(1u << 30)
#define DMA_GCMD_SFL		(1u << 29)
#define DMA_GCMD_EAFL		(1u << 28)
#define DMA_GCMD_WBF		(1u << 27)
#define DMA_GCMD_QIE		(1u << 26)
#define DMA_GCMD_IRE		(1u << 25)
#define DMA_GCMD_SIRTP		(1u << 24)
#define DMA_GCMD_CFI		(1u << 23)

#define DMA_GSTS_TES		(1u << 31)
#define DMA_GSTS_RTPS		(1u << 30)
#define DMA_GSTS_FLS		(1u << 29)
#define DMA_GSTS_AFLS		(1u << 28)
#define DMA_GSTS_WBFS		(1u << 27)
#define DMA_GSTS_QIES		(1u << 26)
#define DMA_GSTS_IRES		(1u << 25)
#define DMA_GSTS_IRTPS		(1u << 24)
#define DMA_GSTS_CFIS		(1u << 23)
/*
 * GCMD is write-only and its one-shot commands (SRTP, SFL, WBF, SIRTP)
 * act on every write that has them set: a command is built from GSTS's
 * persistent bits only (VT-d spec 10.4.4).
 */
#define DMA_GSTS_ONESHOT	(DMA_GSTS_RTPS | DMA_GSTS_FLS | \
				 DMA_GSTS_WBFS | DMA_GSTS_IRTPS)
#define DMA_GSTS_PERSISTENT	(~DMA_GSTS_ONESHOT)	/* 0x96ffffff */

#define DMA_CAP_PLMR		(1ull << 5)
#define DMA_CAP_PHMR		(1ull << 6)
#define DMA_PMEN_EPM		(1u << 31)
#define DMA_PMEN_PRS		(1u << 0)
#define DMA_FSTS_PFO		(1u << 0)
#define DMA_FSTS_PPF		(1u << 1)
#define DMA_IQ_HEAD_MASK	0x7fff0u	/* QH / QT, bits 18:4 */

/* AMD-Vi MMIO registers (AMD IOMMU spec, 3.4) */
#define MMIO_CONTROL_OFFSET	0x0018
#define MMIO_CMD_HEAD_OFFSET	0x2000
#define MMIO_CMD_TAIL_OFFSET	0x2008
#define MMIO_STATUS_OFFSET	0x2020
#define AMDVI_REGS_LEN		0x4000
#define AMDVI_PTR_MASK		0x7fff0u	/* head/tail, bits 18:4 */

#define CONTROL_IOMMU_EN	(1u << 0)
#define CONTROL_EVT_LOG_EN	(1u << 2)
#define CONTROL_EVT_INT_EN	(1u << 3)
#define CONTROL_COMWAIT_EN	(1u << 4)
#define CONTROL_CMDBUF_EN	(1u << 12)
#define CONTROL_PPRLOG_EN	(1u << 13)
#define CONTROL_PPRINT_EN	(1u << 14)
#define CONTROL_GALOG_EN	(1u << 28)
#define CONTROL_GAINT_EN	(1u << 29)

#define MMIO_STATUS_EVT_RUN	(1u << 3)
#define MMIO_STATUS_CMDBUF_RUN	(1u << 4)
#define MMIO_STATUS_PPR_RUN	(1u << 7)
#define MMIO_STATUS_GALOG_RUN	(1u << 8)

/* Each register wait gives up after this long, with its own error. */
#define IOMMU_WAIT_MS		1000

/* What one unit looked like and what the stub changed. */
struct iommu_change {
	uint32_t before;	/* GSTS / control register, low half */
	uint32_t after;
	uint32_t cleared;	/* status bits the stub turned off */
	uint32_t fsts;		/* VT-d fault status as found */
	uint32_t pmen;		/* VT-d PMEN as found */
};

/*
 * Turn one unit's remapping off (regs: its mapped registers).  0, or the
 * first wait that failed; later steps that do not depend on it still run.
 */
int vtd_unit_off(volatile uint8_t *regs, struct iommu_change *c);
int amdvi_unit_off(volatile uint8_t *regs, struct iommu_change *c);

/*
 * The stage: find DMAR/IVRS units (ai may be NULL: no ACPI), turn each
 * off, log every unit and what changed.  Returns how many units were left
 * with translation on (0: DMA reaches physical memory untranslated).
 */
unsigned int iommu_quiesce(const struct acpi_info *ai);

#endif /* STUB_IOMMU_H */
