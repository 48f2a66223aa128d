/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LBA format an NVMe namespace is formatted with, from its Identify
 * Namespace data (NVM Express NVM Command Set Specification, figure
 * "Identify Namespace Data Structure").  One parser for both sides: the
 * stub skips a namespace whose format it cannot write, and `bmdump
 * prepare` refuses to put an area there, by the same rule.  Header-only
 * and freestanding.
 */
#ifndef BMDUMP_NVME_ID_H
#define BMDUMP_NVME_ID_H

#include "types.h"

#define NVME_ID_NS_BYTES	4096
#define NVME_ID_NS_NSZE		0
#define NVME_ID_NS_NCAP		8
#define NVME_ID_NS_NLBAF	25	/* formats - 1 */
#define NVME_ID_NS_FLBAS	26
#define  NVME_NS_FLBAS_LBA_MASK	0x0f
#define  NVME_NS_FLBAS_EXT	(1u << 4)	/* metadata inline, per LBA */
#define  NVME_NS_FLBAS_HI(f)	(((f) >> 5) & 3)	/* index bits 5:4 */
#define NVME_ID_NS_DPS		29
#define NVME_ID_NS_LBAF		128	/* 4 bytes each, up to 64 */
#define  NVME_LBAF_MS(f)	((f) & 0xffff)
#define  NVME_LBAF_LBADS(f)	(((f) >> 16) & 0xff)

struct bmdump_nvme_format {
	unsigned int index;	/* LBA format in use */
	unsigned int ms;	/* metadata bytes per block */
	unsigned int lbads;	/* log2 of the data bytes per block */
	int ext;		/* metadata inline after each block's data */
};

/* The format in use: 0, or -1 when FLBAS names a format the namespace
 * does not have (data not to be trusted). */
static inline int bmdump_nvme_ns_format(const uint8_t *id,
					struct bmdump_nvme_format *f)
{
	unsigned int flbas = id[NVME_ID_NS_FLBAS];
	unsigned int nlbaf = id[NVME_ID_NS_NLBAF];
	const uint8_t *p;
	uint32_t lbaf;

	f->index = flbas & NVME_NS_FLBAS_LBA_MASK;
	if (nlbaf >= 16)
		f->index |= NVME_NS_FLBAS_HI(flbas) << 4;
	if (f->index > nlbaf || f->index >= 64)
		return -1;
	p = id + NVME_ID_NS_LBAF + 4 * f->index;
	lbaf = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
	f->ms = NVME_LBAF_MS(lbaf);
	f->lbads = NVME_LBAF_LBADS(lbaf);
	f->ext = !!(flbas & NVME_NS_FLBAS_EXT);
	return 0;
}

/* Can the stub write to this format: no metadata, 512 to 4096 bytes? */
static inline int bmdump_nvme_format_usable(const struct bmdump_nvme_format *f)
{
	return !f->ms && f->lbads >= 9 && f->lbads <= 12;
}

#endif /* BMDUMP_NVME_ID_H */
