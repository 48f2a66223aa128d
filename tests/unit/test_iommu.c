// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU stage: the DMAR and IVRS parsers (valid tables, truncated
 * ones, lying lengths), and the register sequences against fake remapping
 * units that acknowledge late, keep a bit stuck, or never acknowledge.
 * The fakes also police the spec's rules: no one-shot GCMD command is ever
 * re-issued, queued invalidation never goes off while interrupt remapping
 * is on, IommuEn never goes off before the command buffer.
 */
#include "fakes.h"
#include "testbuf.h"

#include <string.h>

#include "acpi.h"
#include "errors.h"
#include "iommu.h"
#include "iommu_acpi.h"

#define VTD_PA		0xfed90000ull
#define AMD_PA		0xfed80000ull
#define XSDT_PA		0x3f77c000ull
#define DMAR_PA		0x3f774000ull
#define IVRS_PA		0x3f773000ull
#define SLOW_TSC	10000000ull	/* 2 ms per rdtsc: deadlines pass */

static struct iommu_units units;

/* --- tables ------------------------------------------------------------ */

static uint8_t tbl[4096];
static uint32_t tbl_len;

static void tbl_start(const char *sig)
{
	memset(tbl, 0, sizeof(tbl));
	memcpy(tbl, sig, 4);
	tbl[8] = 1;
	tbl_len = 48;
}

static uint8_t *tbl_add(uint32_t len)
{
	uint8_t *p = tbl + tbl_len;

	tbl_len += len;
	return p;
}

/* The table as firmware leaves it: length field set, exact allocation. */
static uint8_t *tbl_done(void)
{
	uint8_t sum = 0;
	uint32_t i;

	tb_put32(tbl + 4, tbl_len);
	tbl[9] = 0;
	for (i = 0; i < tbl_len; i++)
		sum = (uint8_t)(sum + tbl[i]);
	tbl[9] = (uint8_t)-sum;
	return tb_dup(tbl, tbl_len);
}

static void drhd(uint64_t base, uint8_t flags, uint16_t seg,
		 unsigned int nr_scope)
{
	uint8_t *d = tbl_add(16 + 8 * nr_scope);
	unsigned int i;

	tb_put16(d, DMAR_TYPE_DRHD);
	tb_put16(d + 2, (uint16_t)(16 + 8 * nr_scope));
	d[DRHD_FLAGS] = flags;
	tb_put16(d + DRHD_SEGMENT, seg);
	tb_put64(d + DRHD_REG_BASE, base);
	for (i = 0; i < nr_scope; i++) {
		uint8_t *s = d + 16 + 8 * i;

		s[SCOPE_TYPE] = SCOPE_PCI_ENDPOINT;
		s[SCOPE_LENGTH] = 8;
		s[SCOPE_START_BUS] = 0;
		s[SCOPE_PATH] = (uint8_t)(i + 1);
	}
}

static void rmrr(void)
{
	uint8_t *r = tbl_add(24);

	tb_put16(r, DMAR_TYPE_RMRR);
	tb_put16(r + 2, 24);
}

static void dmar_start(void)
{
	tbl_start("DMAR");
	tbl[DMAR_HOST_ADDR_WIDTH] = 38;
	tbl[DMAR_FLAGS] = DMAR_FLAG_INTR_REMAP;
}

static int parse_dmar(void)
{
	memset(&units, 0, sizeof(units));
	return dmar_parse(tbl_done(), tbl_len, &units);
}

static int teardown(void **state)
{
	fake_phys_reset();
	tb_free_all();
	fake_mmio_read = NULL;
	fake_mmio_write = NULL;
	fake_cpu_relax_hook = NULL;
	fake_tsc_step = 1000;
	fake_log_reset();
	return 0;
}

static void test_dmar_valid(void **state)
{
	dmar_start();
	drhd(0xfed91000, 0, 0, 2);
	rmrr();
	drhd(VTD_PA, DRHD_INCLUDE_PCI_ALL, 0, 0);
	assert_int_equal(parse_dmar(), 0);
	assert_int_equal(units.nr, 2);
	assert_int_equal(units.haw, 38);
	assert_int_equal(units.dmar_flags, DMAR_FLAG_INTR_REMAP);
	assert_int_equal(units.unit[0].kind, IOMMU_VTD);
	assert_int_equal(units.unit[0].base, 0xfed91000);
	assert_int_equal(units.unit[0].nr_scope, 2);
	assert_int_equal(units.unit[1].base, VTD_PA);
	assert_int_equal(units.unit[1].flags, DRHD_INCLUDE_PCI_ALL);
	assert_int_equal(units.unit[1].nr_scope, 0);
}

static void test_dmar_truncated(void **state)
{
	uint8_t *t;

	dmar_start();
	drhd(VTD_PA, 1, 0, 0);
	t = tbl_done();
	memset(&units, 0, sizeof(units));
	/* shorter than the header, or than its own length field */
	assert_int_equal(dmar_parse(t, 40, &units), E_DMAR_TRUNCATED);
	assert_int_equal(dmar_parse(t, tbl_len - 1, &units), E_DMAR_TRUNCATED);
	assert_int_equal(units.nr, 0);
	/* a structure header cut off by the table's end */
	dmar_start();
	drhd(VTD_PA, 1, 0, 0);
	tbl_add(2);
	assert_int_equal(parse_dmar(), E_DMAR_STRUCT);
	assert_int_equal(units.nr, 1);
}

static void test_dmar_lying_lengths(void **state)
{
	uint8_t *second;

	/* a DRHD claiming more than the table holds: the first unit stays */
	dmar_start();
	drhd(VTD_PA, 1, 0, 0);
	second = tbl + tbl_len;
	drhd(0xfed91000, 0, 0, 1);
	tb_put16(second + 2, 200);
	assert_int_equal(parse_dmar(), E_DMAR_STRUCT);
	assert_int_equal(units.nr, 1);
	assert_int_equal(units.unit[0].base, VTD_PA);

	/* length 0 would loop for ever */
	dmar_start();
	second = tbl_add(16);
	tb_put16(second + 2, 0);
	assert_int_equal(parse_dmar(), E_DMAR_STRUCT);
	assert_int_equal(units.nr, 0);

	/* a DRHD shorter than its fixed part */
	dmar_start();
	second = tbl_add(12);
	tb_put16(second + 2, 12);
	assert_int_equal(parse_dmar(), E_DMAR_STRUCT);
	assert_int_equal(units.nr, 0);
}

static void test_dmar_bad_scope_keeps_unit(void **state)
{
	uint8_t *d;

	dmar_start();
	d = tbl + tbl_len;
	drhd(VTD_PA, 0, 0, 2);
	d[16 + 8 + SCOPE_LENGTH] = 40;	/* past the DRHD */
	drhd(0xfed91000, 1, 0, 0);
	assert_int_equal(parse_dmar(), E_DMAR_SCOPE);
	assert_int_equal(units.nr, 2);	/* it is still turned off */

	dmar_start();
	d = tbl + tbl_len;
	drhd(VTD_PA, 0, 0, 1);
	d[16 + SCOPE_LENGTH] = 7;	/* half a path entry */
	assert_int_equal(parse_dmar(), E_DMAR_SCOPE);
	assert_int_equal(units.nr, 1);
}

static void test_dmar_too_many_units(void **state)
{
	unsigned int i;

	dmar_start();
	for (i = 0; i < IOMMU_MAX_UNITS + 4; i++)
		drhd(VTD_PA + i * 0x1000, 0, 0, 0);
	assert_int_equal(parse_dmar(), 0);
	assert_int_equal(units.nr, IOMMU_MAX_UNITS);
	assert_int_equal(units.dropped, 4);
}

static void ivhd(uint8_t type, uint64_t base, uint16_t devid, uint16_t len)
{
	uint8_t *b = tbl_add(len);

	b[IVHD_TYPE] = type;
	b[IVHD_FLAGS] = 0xb0;
	tb_put16(b + IVHD_LENGTH, len);
	tb_put16(b + IVHD_DEVICE_ID, devid);
	tb_put64(b + IVHD_BASE_ADDR, base);
	if (len > IVHD_11H_LEN)		/* a device entry: select all */
		b[IVHD_11H_LEN] = 1;
}

static void ivmd(void)
{
	uint8_t *b = tbl_add(32);

	b[0] = IVMD_TYPE_ALL;
	tb_put16(b + 2, 32);
}

static int parse_ivrs(void)
{
	memset(&units, 0, sizeof(units));
	return ivrs_parse(tbl_done(), tbl_len, &units);
}

static void test_ivrs_valid(void **state)
{
	tbl_start("IVRS");
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x0010, 28);
	ivmd();
	ivhd(IVHD_TYPE_11H, AMD_PA, 0x0010, 44);
	ivhd(IVHD_TYPE_40H, 0xfd000000, 0x4002, 44);
	ivhd(0x77, 0xdead0000, 0, 8);	/* unknown type: skipped */
	assert_int_equal(parse_ivrs(), 0);
	assert_int_equal(units.nr, 2);
	assert_int_equal(units.unit[0].kind, IOMMU_AMDVI);
	assert_int_equal(units.unit[0].base, AMD_PA);
	assert_int_equal(units.unit[0].devid, 0x0010);
	assert_int_equal(units.unit[0].type, IVHD_TYPE_10H);
	assert_int_equal(units.unit[1].base, 0xfd000000);
	assert_int_equal(units.unit[1].type, IVHD_TYPE_40H);
}

static void test_ivrs_truncated(void **state)
{
	uint8_t *t;

	tbl_start("IVRS");
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x10, 24);
	t = tbl_done();
	memset(&units, 0, sizeof(units));
	assert_int_equal(ivrs_parse(t, 47, &units), E_IVRS_TRUNCATED);
	assert_int_equal(ivrs_parse(t, tbl_len - 4, &units),
			 E_IVRS_TRUNCATED);
	assert_int_equal(units.nr, 0);

	tbl_start("IVRS");
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x10, 24);
	tbl_add(3);
	assert_int_equal(parse_ivrs(), E_IVRS_BLOCK);
	assert_int_equal(units.nr, 1);
}

static void test_ivrs_lying_lengths(void **state)
{
	uint8_t *b;

	tbl_start("IVRS");
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x10, 24);
	b = tbl + tbl_len;
	ivhd(IVHD_TYPE_10H, 0xfd000000, 0x20, 24);
	tb_put16(b + IVHD_LENGTH, 400);
	assert_int_equal(parse_ivrs(), E_IVRS_BLOCK);
	assert_int_equal(units.nr, 1);

	tbl_start("IVRS");
	b = tbl + tbl_len;
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x10, 24);
	tb_put16(b + IVHD_LENGTH, 0);
	assert_int_equal(parse_ivrs(), E_IVRS_BLOCK);

	/* a 10h block of 8 bytes at the table's end: no base to read */
	tbl_start("IVRS");
	b = tbl_add(8);
	b[IVHD_TYPE] = IVHD_TYPE_10H;
	tb_put16(b + IVHD_LENGTH, 8);
	assert_int_equal(parse_ivrs(), E_IVRS_BLOCK);
	assert_int_equal(units.nr, 0);

	/* type 11h needs 40 bytes of header: 24 is a lie */
	tbl_start("IVRS");
	ivhd(IVHD_TYPE_11H, AMD_PA, 0x10, 24);
	assert_int_equal(parse_ivrs(), E_IVRS_BLOCK);
	assert_int_equal(units.nr, 0);
}

/* --- a fake VT-d remapping unit ---------------------------------------- */

static struct {
	uint8_t regs[DMAR_REGS_LEN];
	uint32_t stuck;		/* GSTS bits that never follow GCMD */
	unsigned int delay;	/* cpu_relax() calls before GSTS follows */
	unsigned int pending_ticks;
	uint32_t pending;	/* the GSTS enables to come */
	int pending_set;
	uint32_t gcmd[8];
	unsigned int nr_gcmd;
	int oneshot_reissued;	/* a write carried SRTP/SFL/WBF/SIRTP */
	int qi_off_under_ir;	/* QIE cleared while IRES was set */
	int prs_stuck;
	int iq_drains_after;	/* -1: never */
} vtd;

static uint32_t reg32(uint8_t *regs, uint32_t off)
{
	uint32_t v;

	memcpy(&v, regs + off, 4);
	return v;
}

static void set32(uint8_t *regs, uint32_t off, uint32_t v)
{
	memcpy(regs + off, &v, 4);
}

#define VTD_ENABLES	(DMA_GSTS_TES | DMA_GSTS_QIES | DMA_GSTS_IRES)

static void vtd_apply(void)
{
	uint32_t sts = reg32(vtd.regs, DMAR_GSTS_REG);
	uint32_t want = vtd.pending & VTD_ENABLES;

	sts = (sts & ~(VTD_ENABLES & ~vtd.stuck)) | (want & ~vtd.stuck);
	set32(vtd.regs, DMAR_GSTS_REG, sts);
	vtd.pending_set = 0;
}

static void vtd_write(uint32_t off, uint32_t v)
{
	uint32_t sts = reg32(vtd.regs, DMAR_GSTS_REG);

	if (off == DMAR_GCMD_REG) {
		if (vtd.nr_gcmd < 8)
			vtd.gcmd[vtd.nr_gcmd++] = v;
		if (v & (DMA_GCMD_SRTP | DMA_GCMD_SFL | DMA_GCMD_WBF |
			 DMA_GCMD_SIRTP))
			vtd.oneshot_reissued = 1;
		if ((sts & DMA_GSTS_QIES) && !(v & DMA_GCMD_QIE) &&
		    (sts & DMA_GSTS_IRES))
			vtd.qi_off_under_ir = 1;
		vtd.pending = v;
		vtd.pending_set = 1;
		vtd.pending_ticks = vtd.delay;
		if (!vtd.delay)
			vtd_apply();
		return;
	}
	if (off == DMAR_PMEN_REG) {
		uint32_t prs = vtd.prs_stuck ? reg32(vtd.regs, off) &
			       DMA_PMEN_PRS : !!(v & DMA_PMEN_EPM);

		set32(vtd.regs, off, (v & DMA_PMEN_EPM) | prs);
		return;
	}
	set32(vtd.regs, off, v);
}

static void vtd_tick(void)
{
	if (vtd.pending_set && !vtd.pending_ticks--)
		vtd_apply();
	if (vtd.iq_drains_after > 0 && !--vtd.iq_drains_after)
		set32(vtd.regs, DMAR_IQH_REG, reg32(vtd.regs, DMAR_IQT_REG));
}

/* --- a fake AMD-Vi unit -------------------------------------------------- */

static struct {
	uint8_t regs[AMDVI_REGS_LEN];
	int en_stuck;		/* IommuEn ignores writes */
	uint32_t run_stuck;	/* status run bits that never clear */
	int en_before_cmdbuf;	/* IommuEn cleared with CmdBufEn set */
	int cmd_drains_after;	/* -1: never */
	unsigned int writes;
} amd;

static void amd_write(uint32_t off, uint32_t v)
{
	uint32_t ctrl = reg32(amd.regs, MMIO_CONTROL_OFFSET), st;

	amd.writes++;
	if (off != MMIO_CONTROL_OFFSET) {
		set32(amd.regs, off, v);
		return;
	}
	if ((ctrl & CONTROL_IOMMU_EN) && !(v & CONTROL_IOMMU_EN) &&
	    (v & CONTROL_CMDBUF_EN))
		amd.en_before_cmdbuf = 1;
	if (amd.en_stuck)
		v |= ctrl & CONTROL_IOMMU_EN;
	set32(amd.regs, off, v);
	st = reg32(amd.regs, MMIO_STATUS_OFFSET);
	if (!(v & CONTROL_CMDBUF_EN))
		st &= ~(MMIO_STATUS_CMDBUF_RUN & ~amd.run_stuck);
	if (!(v & CONTROL_EVT_LOG_EN))
		st &= ~(MMIO_STATUS_EVT_RUN & ~amd.run_stuck);
	set32(amd.regs, MMIO_STATUS_OFFSET, st);
}

static void amd_tick(void)
{
	if (amd.cmd_drains_after > 0 && !--amd.cmd_drains_after)
		set32(amd.regs, MMIO_CMD_HEAD_OFFSET,
		      reg32(amd.regs, MMIO_CMD_TAIL_OFFSET));
}

/* --- the MMIO hooks: both fakes, by address ------------------------------ */

static uint8_t *unit_regs(volatile void *a, uint32_t *off, int *is_amd)
{
	uint8_t *p = (uint8_t *)(uintptr_t)a;

	if (p >= vtd.regs && p < vtd.regs + sizeof(vtd.regs)) {
		*off = (uint32_t)(p - vtd.regs);
		*is_amd = 0;
		return vtd.regs;
	}
	assert_true(p >= amd.regs && p < amd.regs + sizeof(amd.regs));
	*off = (uint32_t)(p - amd.regs);
	*is_amd = 1;
	return amd.regs;
}

static uint64_t hook_read(volatile void *a, int size)
{
	uint32_t off;
	int is_amd;
	uint8_t *r = unit_regs(a, &off, &is_amd);
	uint64_t v = 0;

	memcpy(&v, r + off, (size_t)size);
	return v;
}

static void hook_write(volatile void *a, uint64_t v, int size)
{
	uint32_t off;
	int is_amd;

	unit_regs(a, &off, &is_amd);
	assert_int_equal(size, 4);	/* the sequences write 32 bits */
	if (is_amd)
		amd_write(off, (uint32_t)v);
	else
		vtd_write(off, (uint32_t)v);
}

static void hook_tick(void)
{
	vtd_tick();
	amd_tick();
}

static int setup(void **state)
{
	memset(&vtd, 0, sizeof(vtd));
	memset(&amd, 0, sizeof(amd));
	vtd.iq_drains_after = -1;
	amd.cmd_drains_after = -1;
	fake_mmio_read = hook_read;
	fake_mmio_write = hook_write;
	fake_cpu_relax_hook = hook_tick;
	fake_tsc_step = 1000;
	fake_log_reset();
	return 0;
}

/* As Linux leaves a unit: tables set, translating, IR and QI on. */
static void vtd_as_linux_left_it(void)
{
	set32(vtd.regs, DMAR_VER_REG, 0x10);
	set32(vtd.regs, DMAR_GSTS_REG, DMA_GSTS_TES | DMA_GSTS_RTPS |
	      DMA_GSTS_QIES | DMA_GSTS_IRES | DMA_GSTS_IRTPS);
	set32(vtd.regs, DMAR_IQH_REG, 0x120);
	set32(vtd.regs, DMAR_IQT_REG, 0x120);
}

static void test_vtd_off_acknowledged(void **state)
{
	struct iommu_change c;

	vtd_as_linux_left_it();
	vtd.delay = 5;
	assert_int_equal(vtd_unit_off(vtd.regs, &c), 0);
	assert_int_equal(reg32(vtd.regs, DMAR_GSTS_REG) & VTD_ENABLES, 0);
	assert_int_equal(c.cleared, VTD_ENABLES);
	assert_false(vtd.oneshot_reissued);
	assert_false(vtd.qi_off_under_ir);
	/* TE first, then IRE, then QIE; persistent bits kept meanwhile */
	assert_int_equal(vtd.nr_gcmd, 3);
	assert_int_equal(vtd.gcmd[0], DMA_GCMD_QIE | DMA_GCMD_IRE);
	assert_int_equal(vtd.gcmd[1], DMA_GCMD_QIE);
	assert_int_equal(vtd.gcmd[2], 0);
}

static void test_vtd_already_off(void **state)
{
	struct iommu_change c;

	set32(vtd.regs, DMAR_GSTS_REG, DMA_GSTS_RTPS);
	assert_int_equal(vtd_unit_off(vtd.regs, &c), 0);
	assert_int_equal(vtd.nr_gcmd, 0);
	assert_int_equal(c.cleared, 0);
}

static void test_vtd_passthrough_keeps_nothing_on(void **state)
{
	struct iommu_change c;

	/* iommu=pt still translates (identity context entries) */
	set32(vtd.regs, DMAR_GSTS_REG, DMA_GSTS_TES | DMA_GSTS_RTPS);
	assert_int_equal(vtd_unit_off(vtd.regs, &c), 0);
	assert_int_equal(c.cleared, DMA_GSTS_TES);
	assert_int_equal(vtd.nr_gcmd, 1);
	assert_int_equal(vtd.gcmd[0], 0);
}

static void test_vtd_never_acknowledges(void **state)
{
	struct iommu_change c;

	vtd_as_linux_left_it();
	vtd.stuck = VTD_ENABLES;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(vtd_unit_off(vtd.regs, &c), E_VTD_TE_TIMEOUT);
	/* nothing more is tried on a unit that ignores its commands */
	assert_int_equal(vtd.nr_gcmd, 1);
	assert_int_equal(c.after & DMA_GSTS_TES, DMA_GSTS_TES);
}

static void test_vtd_ir_stuck_keeps_queue(void **state)
{
	struct iommu_change c;

	vtd_as_linux_left_it();
	vtd.stuck = DMA_GSTS_IRES;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(vtd_unit_off(vtd.regs, &c), E_VTD_IR_TIMEOUT);
	assert_int_equal(c.cleared, DMA_GSTS_TES);
	/* the queue must stay on while interrupt remapping is */
	assert_int_equal(c.after & DMA_GSTS_QIES, DMA_GSTS_QIES);
	assert_false(vtd.qi_off_under_ir);
}

static void test_vtd_queue_drain(void **state)
{
	struct iommu_change c;

	vtd_as_linux_left_it();
	set32(vtd.regs, DMAR_IQT_REG, 0x160);
	vtd.iq_drains_after = 20;
	assert_int_equal(vtd_unit_off(vtd.regs, &c), 0);
	assert_int_equal(c.cleared, VTD_ENABLES);

	setup(state);
	vtd_as_linux_left_it();
	set32(vtd.regs, DMAR_IQT_REG, 0x160);	/* never drains */
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(vtd_unit_off(vtd.regs, &c), E_VTD_QI_DRAIN);
	assert_int_equal(c.cleared, DMA_GSTS_TES | DMA_GSTS_IRES);
	assert_int_equal(c.after & DMA_GSTS_QIES, DMA_GSTS_QIES);
}

static void test_vtd_protected_memory(void **state)
{
	struct iommu_change c;
	uint64_t cap = DMA_CAP_PLMR;

	memcpy(vtd.regs + DMAR_CAP_REG, &cap, 8);
	set32(vtd.regs, DMAR_PMEN_REG, DMA_PMEN_EPM | DMA_PMEN_PRS);
	vtd_as_linux_left_it();
	assert_int_equal(vtd_unit_off(vtd.regs, &c), 0);
	assert_int_equal(reg32(vtd.regs, DMAR_PMEN_REG), 0);

	setup(state);
	memcpy(vtd.regs + DMAR_CAP_REG, &cap, 8);
	set32(vtd.regs, DMAR_PMEN_REG, DMA_PMEN_EPM | DMA_PMEN_PRS);
	vtd_as_linux_left_it();
	vtd.prs_stuck = 1;
	fake_tsc_step = SLOW_TSC;
	/* reported, but translation still goes off */
	assert_int_equal(vtd_unit_off(vtd.regs, &c), E_VTD_PMR_TIMEOUT);
	assert_int_equal(c.cleared, VTD_ENABLES);
}

static void test_vtd_gone(void **state)
{
	struct iommu_change c;

	memset(vtd.regs, 0xff, sizeof(vtd.regs));
	assert_int_equal(vtd_unit_off(vtd.regs, &c), E_IOMMU_GONE);
	assert_int_equal(vtd.nr_gcmd, 0);
}

static void amd_as_linux_left_it(void)
{
	set32(amd.regs, MMIO_CONTROL_OFFSET, CONTROL_IOMMU_EN |
	      CONTROL_EVT_LOG_EN | CONTROL_EVT_INT_EN | CONTROL_COMWAIT_EN |
	      CONTROL_CMDBUF_EN | (1u << 8) /* PassPW: left alone */);
	set32(amd.regs, MMIO_STATUS_OFFSET, MMIO_STATUS_CMDBUF_RUN |
	      MMIO_STATUS_EVT_RUN);
	set32(amd.regs, MMIO_CMD_HEAD_OFFSET, 0x40);
	set32(amd.regs, MMIO_CMD_TAIL_OFFSET, 0x40);
}

static void test_amdvi_off(void **state)
{
	struct iommu_change c;

	amd_as_linux_left_it();
	set32(amd.regs, MMIO_CMD_TAIL_OFFSET, 0x80);
	amd.cmd_drains_after = 10;
	assert_int_equal(amdvi_unit_off(amd.regs, &c), 0);
	assert_int_equal(reg32(amd.regs, MMIO_CONTROL_OFFSET), 1u << 8);
	assert_int_equal(reg32(amd.regs, MMIO_STATUS_OFFSET), 0);
	assert_true(c.cleared & CONTROL_IOMMU_EN);
	assert_false(amd.en_before_cmdbuf);
}

static void test_amdvi_already_off(void **state)
{
	struct iommu_change c;

	assert_int_equal(amdvi_unit_off(amd.regs, &c), 0);
	assert_int_equal(c.cleared, 0);
}

static void test_amdvi_command_buffer_stuck(void **state)
{
	static const struct {
		uint32_t tail, run_stuck;
		int err;
	} cases[] = {
		{ 0x80, 0, E_AMDVI_CMD_DRAIN },	/* never drains */
		{ 0x40, MMIO_STATUS_CMDBUF_RUN, E_AMDVI_CMD_TIMEOUT },
		{ 0x40, MMIO_STATUS_EVT_RUN, E_AMDVI_LOG_TIMEOUT },
	};
	struct iommu_change c;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup(state);
		amd_as_linux_left_it();
		set32(amd.regs, MMIO_CMD_TAIL_OFFSET, cases[i].tail);
		amd.run_stuck = cases[i].run_stuck;
		fake_tsc_step = SLOW_TSC;
		assert_int_equal(amdvi_unit_off(amd.regs, &c), cases[i].err);
		/* reported, and IommuEn still goes off */
		assert_int_equal(c.after & CONTROL_IOMMU_EN, 0);
	}
}

static void test_amdvi_never_acknowledges(void **state)
{
	struct iommu_change c;

	amd_as_linux_left_it();
	amd.en_stuck = 1;
	assert_int_equal(amdvi_unit_off(amd.regs, &c), E_AMDVI_EN_STUCK);
	assert_false(amd.en_before_cmdbuf);

	setup(state);
	memset(amd.regs, 0xff, sizeof(amd.regs));
	assert_int_equal(amdvi_unit_off(amd.regs, &c), E_IOMMU_GONE);
	assert_int_equal(amd.writes, 0);
}

/* --- the whole stage, from ACPI ------------------------------------------ */

static void stage_tables(struct acpi_info *ai)
{
	uint8_t *x = tb_alloc(36 + 16), *t;
	uint8_t sum = 0;
	unsigned int i;

	dmar_start();
	drhd(VTD_PA, DRHD_INCLUDE_PCI_ALL, 0, 1);
	t = tbl_done();
	fake_phys_add(DMAR_PA, t, tbl_len, FAKE_FW);
	tbl_start("IVRS");
	ivhd(IVHD_TYPE_10H, AMD_PA, 0x0010, 24);
	t = tbl_done();
	fake_phys_add(IVRS_PA, t, tbl_len, FAKE_FW);

	memcpy(x, "XSDT", 4);
	tb_put32(x + 4, 36 + 16);
	tb_put64(x + 36, DMAR_PA);
	tb_put64(x + 44, IVRS_PA);
	for (i = 0; i < 36 + 16; i++)
		sum = (uint8_t)(sum + x[i]);
	x[9] = (uint8_t)-sum;
	fake_phys_add(XSDT_PA, x, 36 + 16, FAKE_FW);
	fake_phys_add(VTD_PA, vtd.regs, sizeof(vtd.regs), FAKE_MMIO);
	fake_phys_add(AMD_PA, amd.regs, sizeof(amd.regs), FAKE_MMIO);
	memset(ai, 0, sizeof(*ai));
	ai->sdt = XSDT_PA;
	ai->sdt_is_xsdt = 1;
}

static void test_stage_logs_units(void **state)
{
	struct acpi_info ai;

	stage_tables(&ai);
	vtd_as_linux_left_it();
	amd_as_linux_left_it();
	assert_int_equal(iommu_quiesce(&ai), 0);
	assert_non_null(strstr(fake_log(), "iommu: dmar unit 0 base 0xfed90000 "
			       "segment 0 INCLUDE_PCI_ALL, 1 scope entries"));
	assert_non_null(strstr(fake_log(), "translation off, interrupt "
			       "remapping off, queued invalidation off"));
	assert_non_null(strstr(fake_log(), "iommu: ivhd unit 1 base "
			       "0xfed80000 type 0x10 device 00:02.0"));
	assert_non_null(strstr(fake_log(), "IommuEn off, CmdBufEn off, "
			       "EventLogEn off"));
	assert_non_null(strstr(fake_log(), "iommu: 2 units, 0 with errors, "
			       "0 still translating, in "));
}

static void test_stage_reports_unit_left_on(void **state)
{
	struct acpi_info ai;

	stage_tables(&ai);
	vtd_as_linux_left_it();
	vtd.stuck = DMA_GSTS_TES;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(iommu_quiesce(&ai), 1);
	assert_non_null(strstr(fake_log(), "translation LEFT ON"));
	assert_non_null(strstr(fake_log(), "iommu: dmar unit 0: error -611"));
	assert_non_null(strstr(fake_log(), "1 with errors, 1 still "
			       "translating"));
}

static void test_stage_without_tables(void **state)
{
	struct acpi_info ai;

	assert_int_equal(iommu_quiesce(NULL), 0);
	assert_non_null(strstr(fake_log(), "no DMAR or IVRS table"));
	/* an XSDT without either table */
	stage_tables(&ai);
	fake_phys_reset();
	assert_int_equal(iommu_quiesce(&ai), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_dmar_valid),
		T(test_dmar_truncated),
		T(test_dmar_lying_lengths),
		T(test_dmar_bad_scope_keeps_unit),
		T(test_dmar_too_many_units),
		T(test_ivrs_valid),
		T(test_ivrs_truncated),
		T(test_ivrs_lying_lengths),
		T(test_vtd_off_acknowledged),
		T(test_vtd_already_off),
		T(test_vtd_passthrough_keeps_nothing_on),
		T(test_vtd_never_acknowledges),
		T(test_vtd_ir_stuck_keeps_queue),
		T(test_vtd_queue_drain),
		T(test_vtd_protected_memory),
		T(test_vtd_gone),
		T(test_amdvi_off),
		T(test_amdvi_already_off),
		T(test_amdvi_command_buffer_stuck),
		T(test_amdvi_never_acknowledges),
		T(test_stage_logs_units),
		T(test_stage_reports_unit_left_on),
		T(test_stage_without_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
