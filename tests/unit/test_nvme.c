// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe driver's controller side against a fake controller (tests/unit/
 * support/fake_nvme.c): takeover of a live controller, enable, the admin
 * queue, namespaces, and the storage layer on top.  The writes, PRPs, I/O
 * errors and shutdown are test_nvme_io.c; both share nvme_harness.h.  The
 * model counts every spec violation; each test ends by checking that there
 * were none.
 */
#include "nvme_harness.h"

/* --- takeover ------------------------------------------------------------ */

static void test_takeover_live_controller(void **state)
{
	int cc0, aqa, asq, acq, cc1;
	unsigned int i;
	uint8_t pos;

	fake_nvme_set_live(m);
	probe_ok();
	assert_int_equal(ndev, 1);
	assert_string_equal(devs[0].name, "nvme0n1");
	assert_int_equal(devs[0].block_size, 512);
	assert_int_equal(devs[0].nr_blocks, NS_BLOCKS);
	assert_int_equal(devs[0].max_io_bytes, 512 * 1024);	/* mdts 7 */
	assert_non_null(devs[0].submit_write);
	assert_ptr_equal(nvme_ctrl_of(&devs[0]), ctrl);

	/* first a plain reset (no shutdown notification), then setup */
	cc0 = fake_nvme_regw_find(m, NVME_REG_CC, 0);
	assert_true(cc0 >= 0);
	assert_int_equal(m->regw[cc0].val, 0);
	aqa = fake_nvme_regw_find(m, NVME_REG_AQA, 0);
	asq = fake_nvme_regw_find(m, NVME_REG_ASQ, 0);
	acq = fake_nvme_regw_find(m, NVME_REG_ACQ, 0);
	assert_true(aqa > cc0 && asq > cc0 && acq > cc0);
	assert_int_equal(m->regw[aqa].val, 15u << 16 | 15u);
	cc1 = fake_nvme_regw_find(m, NVME_REG_CC, cc0 + 1);
	assert_true(cc1 > acq && cc1 > asq && cc1 > aqa);
	assert_int_equal(m->regw[cc1].val, NVME_CC_EN | 6u << 16 | 4u << 20);
	for (i = 0; i < m->nr_regw; i++)
		if (m->regw[i].off == NVME_REG_CC)
			assert_int_equal(m->regw[i].val & NVME_CC_SHN_MASK, 0);

	/* polled: no MSI-X, no INTx; decoding and mastering on */
	assert_int_equal(pci_cmd(), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			 PCI_COMMAND_INTX_DISABLE);
	pos = fn->cfg[PCI_CAPABILITY_LIST];
	while (fn->cfg[pos] != PCI_CAP_ID_MSIX)
		pos = fn->cfg[pos + 1];
	assert_int_equal(fake_pci_r16(fn, pos + PCI_MSIX_FLAGS) &
			 PCI_MSIX_FLAGS_ENABLE, 0);
	assert_true(has_log("was CC 0x00460001 CSTS 0x00000001 "
			    "(enabled, ready)"));
	assert_true(has_log("nvme0n1: 32768 blocks of 512 bytes (16 MiB)"));
	no_violations();
}

/* EN=1 but RDY=0: clearing EN now is undefined; wait for RDY first. */
static void test_takeover_waits_for_ready(void **state)
{
	fake_nvme_set_live(m);
	m->csts = 0;
	m->pending_ready = 1;
	m->ready_at = 200;
	probe_ok();
	assert_true(has_log("(enabled, not ready)"));
	assert_true(m->now >= 200);
	no_violations();
}

static void test_takeover_rdy_stuck_uses_flr(void **state)
{
	fake_nvme_set_live(m);
	m->rdy_stuck = 1;
	fake_tsc_step = SLOW_TSC;
	probe_ok();
	assert_int_equal(fn->flr_count, 1);
	assert_true(has_log("did not stop within CAP.TO"));
	assert_true(has_log("trying a function level reset of 00:03.0"));
	/* the header came back after FLR zeroed it */
	assert_int_equal(pci_bar_mem(pdev_at(3), 0), BAR);
	assert_true(pci_cmd() & PCI_COMMAND_MASTER);
	no_violations();
}

static void test_takeover_rdy_stuck_without_flr(void **state)
{
	fake_nvme_set_live(m);
	m->rdy_stuck = 1;
	no_flr();
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(probe(), E_NVME_DISABLE_TIMEOUT);
	assert_int_equal(ndev, 0);
	assert_int_equal(fn->flr_count, 0);
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	no_violations();
}

static void test_takeover_cfs_cleared_by_reset(void **state)
{
	fake_nvme_set_live(m);
	m->csts |= NVME_CSTS_CFS;
	probe_ok();
	assert_int_equal(fn->flr_count, 0);
	assert_true(has_log("(fatal)"));
	no_violations();
}

static void test_takeover_cfs_sticky_uses_flr(void **state)
{
	fake_nvme_set_live(m);
	m->csts |= NVME_CSTS_CFS;
	m->cfs_sticky = 1;
	probe_ok();
	assert_int_equal(fn->flr_count, 1);
	assert_true(has_log("fatal error (CSTS.CFS) that a controller reset"));
	no_violations();
}

static void test_takeover_cfs_sticky_without_flr(void **state)
{
	fake_nvme_set_live(m);
	m->csts |= NVME_CSTS_CFS;
	m->cfs_sticky = 1;
	no_flr();
	assert_int_equal(probe(), E_NVME_FATAL);
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	no_violations();
}

static void test_takeover_gone(void **state)
{
	fake_nvme_set_live(m);
	m->gone = 1;
	assert_int_equal(probe(), E_NVME_GONE);
	assert_int_equal(m->nr_regw, 0);
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	no_violations();
}

static void test_enable_failures(void **state)
{
	m->never_ready = 1;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(probe(), E_NVME_ENABLE_TIMEOUT);
	/* fenced: disabled again, no bus mastering */
	assert_int_equal(m->cc & NVME_CC_EN, 0);
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	/* the fence cannot wait for a RDY that never comes */
	assert_int_equal(m->violations, 1);
	assert_non_null(strstr(m->why, "CC.EN cleared while CSTS.RDY=0"));
	m->violations = 0;
	m->why[0] = 0;

	m->never_ready = 0;
	m->cfs_on_enable = 1;
	assert_int_equal(probe(), E_NVME_ENABLE_FATAL);
	assert_int_equal(m->cc & NVME_CC_EN, 0);
	assert_int_equal(m->violations, 1);
}

static void test_unsupported_controllers(void **state)
{
	unsigned int n;

	fake_nvme_set_live(m);
	m->cap |= 1ull << 48;			/* MPSMIN 8 KiB */
	assert_int_equal(probe(), E_NVME_MPS);
	m->cap &= ~(0xfull << 48);
	m->cap &= ~NVME_CAP_CSS_NVM;
	assert_int_equal(probe(), E_NVME_CSS);
	m->cap |= NVME_CAP_CSS_NVM;
	/* (both were reset, to stop whatever they were doing) */
	assert_int_equal(m->cc, 0);
	n = m->nr_regw;
	fake_pci_set_bar64(fn, 0, 0);
	assert_int_equal(probe(), E_NVME_BAR);
	assert_int_equal(m->nr_regw, n);
	no_violations();
}

/* --- admin queue -------------------------------------------------------- */

static void test_queue_creation_commands(void **state)
{
	const struct fake_nvme_cmd *c;

	probe_ok();
	c = cmd_at(m, 0, -1, 0);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_IDENTIFY);
	assert_int_equal(c->sqe.cdw10, NVME_ID_CNS_CTRL);
	c = cmd_at(m, 0, -1, 1);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_SET_FEATURES);
	assert_int_equal(c->sqe.cdw10, NVME_FEAT_NUM_QUEUES);
	assert_int_equal(c->sqe.cdw11, 0);
	c = cmd_at(m, 0, -1, 2);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_CREATE_CQ);
	assert_int_equal(c->sqe.cdw10, 63u << 16 | 1);
	assert_int_equal(c->sqe.cdw11, NVME_QUEUE_PHYS_CONTIG); /* no IEN */
	assert_int_equal(c->sqe.prp1 & (PG - 1), 0);
	assert_int_equal(c->status, 0);
	c = cmd_at(m, 0, -1, 3);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_CREATE_SQ);
	assert_int_equal(c->sqe.cdw10, 63u << 16 | 1);
	assert_int_equal(c->sqe.cdw11, 1u << 16 | NVME_QUEUE_PHYS_CONTIG);
	assert_int_equal(c->status, 0);
	c = cmd_at(m, 0, -1, 4);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_IDENTIFY);
	assert_int_equal(c->sqe.cdw10, NVME_ID_CNS_NS_ACTIVE_LIST);
	c = cmd_at(m, 0, -1, 5);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_IDENTIFY);
	assert_int_equal(c->sqe.cdw10, NVME_ID_CNS_NS);
	assert_int_equal(c->sqe.nsid, 1);
	assert_int_equal(fake_nvme_count(m, 0, -1), 6);
	assert_true(has_log("queue depth 64"));
	no_violations();
}

static void test_queue_depth_follows_mqes(void **state)
{
	const struct fake_nvme_cmd *c;

	m->cap = (m->cap & ~0xffffull) | 15;
	probe_ok();
	c = cmd_at(m, 0, NVME_ADMIN_CREATE_SQ, 0);
	assert_int_equal(c->sqe.cdw10, 15u << 16 | 1);
	c = cmd_at(m, 0, NVME_ADMIN_CREATE_CQ, 0);
	assert_int_equal(c->sqe.cdw10, 15u << 16 | 1);
	no_violations();
}

/* 20 namespaces: more admin commands than the admin queue has entries. */
static void test_namespaces_and_admin_wrap(void **state)
{
	unsigned int i;

	for (i = 2; i <= 20; i++)
		fake_nvme_add_ns(m, i, 64, i % 2 ? 12 : 9, 0);
	probe_ok();
	assert_int_equal(ndev, 20);
	assert_true(fake_nvme_count(m, 0, -1) > 16);
	for (i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "nvme0n%u", i + 1);
		assert_string_equal(devs[i].name, name);
	}
	assert_int_equal(devs[2].block_size, 4096);
	assert_int_equal(devs[2].nr_blocks, 64);
	assert_int_equal(devs[3].block_size, 512);
	no_violations();
}

static void test_namespace_formats(void **state)
{
	fake_nvme_add_ns(m, 2, 64, 9, 8);	/* 8 bytes of metadata */
	fake_nvme_add_ns(m, 3, 64, 12, 0);
	fake_nvme_add_ns(m, 5, 64, 13, 0);	/* 8 KiB blocks */
	m->nn = 6;				/* 4 and 6 inactive */
	probe_ok();
	assert_int_equal(ndev, 2);
	assert_string_equal(devs[0].name, "nvme0n1");
	assert_string_equal(devs[1].name, "nvme0n3");
	assert_int_equal(devs[1].block_size, 4096);
	assert_true(has_log("nvme0n2: format 1: metadata 8 bytes"));
	assert_true(has_log("nvme0n5: format 1: metadata 0 bytes, blocks of "
			    "2^13"));

	/* without the active list the driver asks for every ID */
	m->no_active_list = 1;
	nvme_forget();
	fake_log_reset();
	probe_ok();
	assert_int_equal(ndev, 2);
	assert_string_equal(devs[1].name, "nvme0n3");
	assert_true(has_log("identify active namespace list failed"));
	no_violations();
}

/* More namespaces than the old table of 32 held: every one is usable. */
static void test_namespaces_beyond_32(void **state)
{
	unsigned int i;

	for (i = 2; i <= FAKE_NVME_MAX_NS - 1; i++)
		fake_nvme_add_ns(m, i, 64, 9, 0);
	probe_ok();
	assert_int_equal(ndev, FAKE_NVME_MAX_NS - 1);
	assert_string_equal(devs[38].name, "nvme0n39");
	assert_ptr_equal(nvme_ctrl_of(&devs[38]), ctrl);
	assert_false(has_log(stub_strerror(E_NVME_TOO_MANY)));
	no_violations();
}

/* Identify data naming a format the namespace lacks, or one with inline
 * metadata: skipped, each with its reason; the shared parser agrees. */
static void test_namespace_bad_and_inline_formats(void **state)
{
	struct bmdump_nvme_format f;
	uint8_t id[NVME_ID_NS_BYTES] = { 0 };

	fake_nvme_add_ns(m, 2, 64, 9, 0);
	m->ns[1].flbas = 5;			/* NLBAF says 2 formats */
	fake_nvme_add_ns(m, 3, 64, 12, 8);
	m->ns[2].flbas = 1 | NVME_NS_FLBAS_EXT;
	probe_ok();
	assert_int_equal(ndev, 1);
	assert_true(has_log("nvme0n2: NVMe Identify Namespace names an LBA "
			    "format"));
	assert_true(has_log("nvme0n3: format 1: metadata 8 bytes inline, "
			    "blocks of 2^12"));

	/* NLBAF >= 16: FLBAS bits 6:5 are the index's bits 5:4 */
	id[NVME_ID_NS_NLBAF] = 19;
	id[NVME_ID_NS_FLBAS] = 0x22;		/* index 0x12 */
	id[NVME_ID_NS_LBAF + 4 * 0x12 + 2] = 12;
	assert_int_equal(bmdump_nvme_ns_format(id, &f), 0);
	assert_int_equal(f.index, 0x12);
	assert_int_equal(f.lbads, 12);
	assert_true(bmdump_nvme_format_usable(&f));
	id[NVME_ID_NS_NLBAF] = 17;		/* then 0x12 is out of range */
	assert_int_equal(bmdump_nvme_ns_format(id, &f), -1);
	no_violations();
}

/* Four consecutive host pages, as the writer hands them over. */
static void four_pages(uint64_t *pa, unsigned int seed)
{
	unsigned int i;

	pa[0] = pages_alloc(4);
	fill(pa[0], 4, seed);
	for (i = 1; i < 4; i++)
		pa[i] = pa[0] + i * PG;
}

/* A short pool at the first write: fewer commands in flight, no error. */
static void test_prp_lists_short_pool(void **state)
{
	uint64_t pa[4];

	probe_ok();
	fake_dma_budget = fake_dma_allocated + 8 * PG;
	four_pages(pa, 3);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pa, 4), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	check_on_disk(0, pa, 4);
	assert_true(has_log("nvme0: warning: no DMA memory for NVMe queues "
			    "and PRP lists: increase crashkernel=: 8 of 63 "
			    "commands in flight"));
	/* nothing left at all: the probe slot still carries the dump */
	teardown(state);
	setup(state);
	probe_ok();
	fake_dma_budget = fake_dma_allocated;
	four_pages(pa, 4);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, pa, 4), 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	check_on_disk(0, pa, 4);
	assert_true(has_log("1 of 63 commands in flight"));
	no_violations();
}

/* --- storage layer ------------------------------------------------------- */

static void test_storage_probe_and_quiesce(void **state)
{
	struct fake_pci_fn *fn2, *nic, *sata, *hb;
	struct fake_nvme *m2;
	unsigned int n;
	uint64_t pa;
	uint8_t pos;

	hb = fake_pci_add(0, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);
	fake_pci_w16(hb, PCI_COMMAND, PCI_COMMAND_MASTER);
	fn2 = fake_nvme_pci(0, 4, BAR2, 1);
	m2 = fake_nvme_new(fn2, BAR2);
	fake_nvme_add_ns(m2, 1, 2048, 12, 0);
	fake_nvme_add_ns(m2, 2, 2048, 9, 0);
	fake_nvme_set_live(m);
	fake_nvme_set_live(m2);
	nic = fake_pci_add(0, 0, 5, 0, 0x8086, 0x10d3, 0x020000, 0);
	fake_pci_w16(nic, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	sata = fake_pci_add(0, 0, 0x1f, 2, 0x8086, 0x2922, 0x010601, 0);
	fake_pci_w16(sata, PCI_COMMAND, PCI_COMMAND_MASTER);
	fake_pci_add(0, 0, 0x1f, 0, 0x8086, 0x2918, 0x060100, 0x80);

	assert_int_equal(storage_probe(&ai, devs, 8, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(devs[0].name, "nvme0n1");
	assert_string_equal(devs[1].name, "nvme1n1");
	assert_string_equal(devs[2].name, "nvme1n2");
	assert_int_equal(devs[1].block_size, 4096);
	assert_true(has_log("pci 00:03.0 nvme 1b36:0010 class 010802"));
	assert_true(has_log("pci 00:04.0 nvme 1b36:0010"));
	/* the AHCI driver tries it; without an ABAR it stays unused */
	assert_true(has_log("pci 00:1f.2 ahci 8086:2922 class 010601"));
	assert_true(has_log(stub_strerror(E_AHCI_BAR)));
	assert_true(has_log("via ECAM"));
	/* what is no disk stopped mastering at once */
	assert_false(fake_pci_r16(nic, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_false(fake_pci_r16(sata, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(fake_pci_r16(hb, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(fake_pci_r16(fn2, PCI_COMMAND) & PCI_COMMAND_MASTER);

	/* the writer picked nvme1n2: nvme0 is disabled and fenced */
	storage_quiesce_except(&devs[2]);
	assert_int_equal(m->cc & NVME_CC_EN, 0);
	assert_false(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(fake_pci_r16(fn2, PCI_COMMAND) & PCI_COMMAND_MASTER);
	assert_true(m2->cc & NVME_CC_EN);
	pos = fn2->cfg[PCI_CAPABILITY_LIST];
	while (fn2->cfg[pos] != PCI_CAP_ID_MSIX)
		pos = fn2->cfg[pos + 1];
	assert_int_equal(fake_pci_r16(fn2, pos + PCI_MSIX_FLAGS) &
			 PCI_MSIX_FLAGS_ENABLE, 0);
	assert_true(has_log("quiesce: 1 other controllers disabled, bus "
			    "mastering off on 1 functions, kept on 0 bridges "
			    "above 00:04.0"));
	/* the target still works */
	pa = pages_alloc(1);
	fill(pa, 1, 9);
	assert_int_equal(devs[2].submit_write(&devs[2], 8, &pa, 1), 0);
	assert_int_equal(devs[2].flush(&devs[2]), 0);
	assert_memory_equal(m2->ns[1].data + 8 * 512, hp(pa), PG);
	no_violations();
	m = m2;
	no_violations();
}

static void test_storage_skips_broken_controller(void **state)
{
	struct fake_pci_fn *fn2;
	struct fake_nvme *m2;
	unsigned int n;

	fn2 = fake_nvme_pci(0, 4, BAR2, 1);
	m2 = fake_nvme_new(fn2, BAR2);
	fake_nvme_add_ns(m2, 1, 2048, 9, 0);
	m->gone = 1;
	assert_int_equal(storage_probe(&ai, devs, 8, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(devs[0].name, "nvme1n1");
	assert_true(has_log("pci 00:03.0: error -422"));
	assert_false(fake_pci_r16(fn, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

static void test_storage_none(void **state)
{
	unsigned int n;

	m->gone = 1;
	assert_int_equal(storage_probe(&ai, devs, 8, &n), E_STORAGE_NONE);
	assert_int_equal(n, 0);
	/* nothing answers at all */
	fake_pci_reset();
	fake_phys_reset();
	fake_log_reset();
	ecam_for_bus0(&ai);
	assert_int_equal(storage_probe(&ai, devs, 8, &n), E_PCI_NO_DEVICES);
}

static void test_storage_table_full(void **state)
{
	unsigned int n;

	fake_nvme_add_ns(m, 2, 64, 9, 0);
	fake_nvme_add_ns(m, 3, 64, 9, 0);
	assert_int_equal(storage_probe(&ai, devs, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_true(has_log("nvme0n3: more namespaces and disks than the "
			    "storage table holds"));
}

#define MANY_CTRLS	24

/*
 * A 24-NVMe server: every controller is driven, each for a few pages of
 * DMA memory; the PRP lists of all command slots come only with the first
 * write, on the controller the dump goes to.
 */
static void test_storage_24_controllers(void **state)
{
	struct fake_nvme *ms[MANY_CTRLS];
	struct nvme_stats st;
	uint64_t before, pa;
	unsigned int i, n;

	ms[0] = m;
	for (i = 1; i < MANY_CTRLS; i++) {
		struct fake_pci_fn *f = fake_nvme_pci(0, 3 + i, BAR + i *
						      0x100000ull, 1);

		ms[i] = fake_nvme_new(f, BAR + i * 0x100000ull);
		fake_nvme_add_ns(ms[i], 1, 2048, i % 2 ? 12 : 9, 0);
		fake_nvme_set_live(ms[i]);
	}
	assert_int_equal(storage_probe(&ai, devs, 48, &n), 0);
	assert_int_equal(n, MANY_CTRLS);
	assert_string_equal(devs[23].name, "nvme23n1");
	assert_true(has_log("storage: 24 block devices on 24 controllers"));
	assert_true(fake_dma_allocated / MANY_CTRLS <= 16 * PG);

	before = fake_dma_allocated;
	pa = pages_alloc(1);
	fill(pa, 1, 5);
	assert_int_equal(devs[23].submit_write(&devs[23], 0, &pa, 1), 0);
	assert_int_equal(devs[23].flush(&devs[23]), 0);
	/* mdts 7: 512 KiB, 128 entries, one list page per slot */
	assert_int_equal(fake_dma_allocated - before, 62 * PG);
	assert_true(has_log("nvme23: PRP lists for 63 commands in flight"));
	nvme_get_stats(nvme_ctrl_of(&devs[23]), &st);
	assert_int_equal(st.queue_depth, 64);
	for (i = 0; i < MANY_CTRLS; i++) {
		m = ms[i];
		no_violations();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_takeover_live_controller),
		T(test_takeover_waits_for_ready),
		T(test_takeover_rdy_stuck_uses_flr),
		T(test_takeover_rdy_stuck_without_flr),
		T(test_takeover_cfs_cleared_by_reset),
		T(test_takeover_cfs_sticky_uses_flr),
		T(test_takeover_cfs_sticky_without_flr),
		T(test_takeover_gone),
		T(test_enable_failures),
		T(test_unsupported_controllers),
		T(test_queue_creation_commands),
		T(test_queue_depth_follows_mqes),
		T(test_namespaces_and_admin_wrap),
		T(test_namespace_formats),
		T(test_namespaces_beyond_32),
		T(test_namespace_bad_and_inline_formats),
		T(test_prp_lists_short_pool),
		T(test_storage_probe_and_quiesce),
		T(test_storage_skips_broken_controller),
		T(test_storage_none),
		T(test_storage_table_full),
		T(test_storage_24_controllers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
