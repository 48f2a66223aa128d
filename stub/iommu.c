// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU stage.  Why translation off rather than an identity mapping of
 * the stub's own: see "IOMMU" in README.md.  Order per VT-d unit:
 * protected memory regions, translation, interrupt remapping, then queued
 * invalidation once drained (interrupt-entry-cache invalidation needs the
 * queue while interrupt remapping is on, so the queue goes last).  Per
 * AMD-Vi unit: command buffer once drained, the logs, then IommuEn.
 */
#include "iommu.h"
#include "iommu_acpi.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "phys.h"
#include "str.h"
#include "timer.h"

static uint32_t rd32(volatile uint8_t *r, uint32_t off)
{
	return mmio_read32(r + off);
}

static void wr32(volatile uint8_t *r, uint32_t off, uint32_t v)
{
	mmio_write32(r + off, v);
}

/* Wait until (reg & mask) == want, at most IOMMU_WAIT_MS. */
static int wait_reg(volatile uint8_t *r, uint32_t off, uint32_t mask,
		    uint32_t want, int err)
{
	struct deadline d = deadline_ms(IOMMU_WAIT_MS);

	while ((rd32(r, off) & mask) != want) {
		if (deadline_passed(d))
			return err;
		cpu_relax();
	}
	return 0;
}

/* Clear one GCMD enable and wait for its GSTS status to follow. */
static int vtd_gcmd_off(volatile uint8_t *r, uint32_t bit, int err,
			struct iommu_change *c)
{
	uint32_t sts = rd32(r, DMAR_GSTS_REG);

	if (!(sts & bit))
		return 0;
	wr32(r, DMAR_GCMD_REG, (sts & DMA_GSTS_PERSISTENT) & ~bit);
	err = wait_reg(r, DMAR_GSTS_REG, bit, 0, err);
	if (!err)
		c->cleared |= bit;
	return err;
}

static int vtd_pmr_off(volatile uint8_t *r, struct iommu_change *c)
{
	uint64_t cap = mmio_read64(r + DMAR_CAP_REG);

	if (!(cap & (DMA_CAP_PLMR | DMA_CAP_PHMR)))
		return 0;
	c->pmen = rd32(r, DMAR_PMEN_REG);
	if (!(c->pmen & DMA_PMEN_PRS))
		return 0;
	wr32(r, DMAR_PMEN_REG, c->pmen & ~DMA_PMEN_EPM);
	return wait_reg(r, DMAR_PMEN_REG, DMA_PMEN_PRS, 0, E_VTD_PMR_TIMEOUT);
}

static int vtd_qi_off(volatile uint8_t *r, struct iommu_change *c)
{
	struct deadline d = deadline_ms(IOMMU_WAIT_MS);

	if (!(rd32(r, DMAR_GSTS_REG) & DMA_GSTS_QIES))
		return 0;
	/* Descriptors already queued must finish first (spec 6.5.2). */
	while ((rd32(r, DMAR_IQH_REG) & DMA_IQ_HEAD_MASK) !=
	       (rd32(r, DMAR_IQT_REG) & DMA_IQ_HEAD_MASK)) {
		if (deadline_passed(d))
			return E_VTD_QI_DRAIN;
		cpu_relax();
	}
	return vtd_gcmd_off(r, DMA_GCMD_QIE, E_VTD_QI_TIMEOUT, c);
}

int vtd_unit_off(volatile uint8_t *r, struct iommu_change *c)
{
	int err, first;

	c->before = rd32(r, DMAR_GSTS_REG);
	c->fsts = rd32(r, DMAR_FSTS_REG);
	c->cleared = 0;
	c->pmen = 0;
	if (c->before == 0xffffffffu)
		return E_IOMMU_GONE;
	first = vtd_pmr_off(r, c);
	err = vtd_gcmd_off(r, DMA_GCMD_TE, E_VTD_TE_TIMEOUT, c);
	if (!err) {
		/* No interrupt remapping without the queue to invalidate. */
		err = vtd_gcmd_off(r, DMA_GCMD_IRE, E_VTD_IR_TIMEOUT, c);
		if (!err)
			err = vtd_qi_off(r, c);
	}
	c->after = rd32(r, DMAR_GSTS_REG);
	return first ? first : err;
}

static void amdvi_clear(volatile uint8_t *r, uint32_t bits)
{
	wr32(r, MMIO_CONTROL_OFFSET, rd32(r, MMIO_CONTROL_OFFSET) & ~bits);
}

static int amdvi_cmdbuf_off(volatile uint8_t *r)
{
	struct deadline d = deadline_ms(IOMMU_WAIT_MS);
	int drain = 0;

	while ((rd32(r, MMIO_CMD_HEAD_OFFSET) & AMDVI_PTR_MASK) !=
	       (rd32(r, MMIO_CMD_TAIL_OFFSET) & AMDVI_PTR_MASK)) {
		if (deadline_passed(d)) {
			drain = E_AMDVI_CMD_DRAIN;
			break;
		}
		cpu_relax();
	}
	amdvi_clear(r, CONTROL_CMDBUF_EN | CONTROL_COMWAIT_EN);
	if (wait_reg(r, MMIO_STATUS_OFFSET, MMIO_STATUS_CMDBUF_RUN, 0, 1))
		return E_AMDVI_CMD_TIMEOUT;
	return drain;
}

int amdvi_unit_off(volatile uint8_t *r, struct iommu_change *c)
{
	uint32_t run = MMIO_STATUS_EVT_RUN | MMIO_STATUS_PPR_RUN |
		       MMIO_STATUS_GALOG_RUN;
	int err = 0, e;

	c->before = rd32(r, MMIO_CONTROL_OFFSET);
	c->fsts = rd32(r, MMIO_STATUS_OFFSET);
	c->pmen = 0;
	if (c->before == 0xffffffffu)
		return E_IOMMU_GONE;
	if (c->before & CONTROL_CMDBUF_EN)
		err = amdvi_cmdbuf_off(r);
	amdvi_clear(r, CONTROL_EVT_LOG_EN | CONTROL_EVT_INT_EN |
		    CONTROL_PPRLOG_EN | CONTROL_PPRINT_EN | CONTROL_GALOG_EN |
		    CONTROL_GAINT_EN);
	e = wait_reg(r, MMIO_STATUS_OFFSET, run, 0, E_AMDVI_LOG_TIMEOUT);
	if (!err)
		err = e;
	/* Translation off last: nothing fetches the logs' memory now. */
	amdvi_clear(r, CONTROL_IOMMU_EN);
	c->after = rd32(r, MMIO_CONTROL_OFFSET);
	c->cleared = c->before & ~c->after;
	if (c->after & CONTROL_IOMMU_EN)
		return E_AMDVI_EN_STUCK;
	return err;
}

/* What became of one enable bit: "off", "already off" or "LEFT ON". */
static const char *fate(const struct iommu_change *c, uint32_t bit)
{
	if (c->cleared & bit)
		return "off";
	return c->after & bit ? "LEFT ON" : "already off";
}

static void vtd_log(const struct iommu_unit *u, unsigned int i,
		    volatile uint8_t *r, const struct iommu_change *c)
{
	bmlog("iommu: dmar unit %u base 0x%llx segment %u%s, %u scope "
	      "entries: ver 0x%x GSTS 0x%08x -> 0x%08x FSTS 0x%x%s: "
	      "translation %s, interrupt remapping %s, queued invalidation %s",
	      i, (unsigned long long)u->base, u->segment,
	      u->flags & DRHD_INCLUDE_PCI_ALL ? " INCLUDE_PCI_ALL" : "",
	      u->nr_scope, rd32(r, DMAR_VER_REG), c->before, c->after,
	      c->fsts, c->pmen & DMA_PMEN_PRS ? " PMEN was on" : "",
	      fate(c, DMA_GSTS_TES), fate(c, DMA_GSTS_IRES),
	      fate(c, DMA_GSTS_QIES));
}

static void amdvi_log(const struct iommu_unit *u, unsigned int i,
		      const struct iommu_change *c)
{
	bmlog("iommu: ivhd unit %u base 0x%llx type 0x%x device %02x:%02x.%u "
	      "segment %u: control 0x%08x -> 0x%08x status 0x%x: IommuEn "
	      "%s, CmdBufEn %s, EventLogEn %s", i,
	      (unsigned long long)u->base, u->type, u->devid >> 8,
	      (u->devid >> 3) & 0x1f, u->devid & 7, u->segment, c->before,
	      c->after, c->fsts, fate(c, CONTROL_IOMMU_EN),
	      fate(c, CONTROL_CMDBUF_EN), fate(c, CONTROL_EVT_LOG_EN));
}

static volatile uint8_t *unit_regs(const struct iommu_unit *u)
{
	return phys_mmio(u->base, u->kind == IOMMU_VTD ? DMAR_REGS_LEN :
			 AMDVI_REGS_LEN);
}

static int unit_stage(const struct iommu_unit *u, unsigned int i)
{
	const char *name = u->kind == IOMMU_VTD ? "dmar" : "ivhd";
	volatile uint8_t *r = unit_regs(u);
	struct iommu_change c;
	int err;

	if (!r) {
		bmlog("iommu: %s unit %u base 0x%llx: %s", name, i,
		      (unsigned long long)u->base, stub_strerror(E_IOMMU_MAP));
		return E_IOMMU_MAP;
	}
	if (u->kind == IOMMU_VTD) {
		err = vtd_unit_off(r, &c);
		vtd_log(u, i, r, &c);
	} else {
		err = amdvi_unit_off(r, &c);
		amdvi_log(u, i, &c);
	}
	if (err)
		bmlog("iommu: %s unit %u: error %d: %s", name, i, err,
		      stub_strerror(err));
	return err;
}

/* Is translation still on?  Read again: the error may be a later step. */
static int still_translating(const struct iommu_unit *u)
{
	volatile uint8_t *r = unit_regs(u);

	if (!r)
		return 1;
	if (u->kind == IOMMU_VTD)
		return !!(rd32(r, DMAR_GSTS_REG) & DMA_GSTS_TES);
	return !!(rd32(r, MMIO_CONTROL_OFFSET) & CONTROL_IOMMU_EN);
}

static void log_tables(const struct iommu_units *u, int dmar_err,
		       int ivrs_err)
{
	if (u->has_dmar)
		bmlog("iommu: DMAR host address width %u, flags 0x%x%s%s",
		      u->haw + 1, u->dmar_flags,
		      u->dmar_flags & DMAR_FLAG_INTR_REMAP ? " INTR_REMAP" : "",
		      u->dmar_flags & DMAR_FLAG_X2APIC_OPT_OUT ?
		      " X2APIC_OPT_OUT" : "");
	if (dmar_err && dmar_err != E_ACPI_NO_TABLE)
		bmlog("iommu: warning: DMAR: %s", stub_strerror(dmar_err));
	if (ivrs_err && ivrs_err != E_ACPI_NO_TABLE)
		bmlog("iommu: warning: IVRS: %s", stub_strerror(ivrs_err));
	if (u->dropped)
		bmlog("iommu: warning: %u units: %s", u->dropped,
		      stub_strerror(E_IOMMU_TOO_MANY));
}

unsigned int iommu_quiesce(const struct acpi_info *ai)
{
	static struct iommu_units units;
	uint64_t t0 = rdtsc();
	unsigned int i, failed = 0, left_on = 0;
	int dmar_err, ivrs_err;

	memset(&units, 0, sizeof(units));
	dmar_err = ivrs_err = E_ACPI_NO_TABLE;
	if (ai)
		iommu_find_units(ai, &units, &dmar_err, &ivrs_err);
	log_tables(&units, dmar_err, ivrs_err);
	if (!units.has_dmar && !units.has_ivrs) {
		bmlog("iommu: no DMAR or IVRS table: no remapping hardware, "
		      "nothing to do in %llu us",
		      (unsigned long long)timer_us_since(t0));
		return 0;
	}
	for (i = 0; i < units.nr; i++) {
		const struct iommu_unit *u = &units.unit[i];
		int err = unit_stage(u, i);

		if (err)
			failed++;
		if (err && still_translating(u))
			left_on++;
	}
	bmlog("iommu: %u units, %u with errors, %u still translating, in "
	      "%llu us", units.nr, failed, left_on + units.dropped,
	      (unsigned long long)timer_us_since(t0));
	return left_on + units.dropped;
}
