// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe driver against a fake controller (tests/unit/support/
 * fake_nvme.c) that fetches SQ entries from memory, walks PRP lists and
 * posts completions with the phase bit, and the storage layer on top.
 * The model counts every spec violation; each test ends by checking that
 * there were none.
 */
#include "fakes.h"
#include "fake_nvme.h"
#include "fake_pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "blkdev.h"
#include "drivers/nvme.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "errors.h"

#define ECAM_BASE	0xe0000000ull
#define BAR		0xfe000000ull
#define BAR2		0xfe100000ull
#define NS_BLOCKS	32768ull	/* 16 MiB of 512-byte blocks */
#define PG		4096u
#define SLOW_TSC	10000000ull	/* 2 ms per rdtsc: deadlines pass */

static struct fake_nvme *m;
static struct fake_pci_fn *fn;
static struct acpi_info ai;
static struct blkdev devs[48];
static unsigned int ndev;
static struct nvme_ctrl *ctrl;

static void *host_pages[64];
static unsigned int nr_host_pages;

static uint64_t pages_alloc(unsigned int n)
{
	void *p = aligned_alloc(PG, (size_t)n * PG);

	assert_non_null(p);
	assert_true(nr_host_pages < 64);
	host_pages[nr_host_pages++] = p;
	return (uint64_t)(uintptr_t)p;
}

static void *hp(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static void ecam_for_bus0(void)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };

	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0, 0);
}

static int setup(void **state)
{
	fake_phys_reset();
	fake_pci_reset();
	fake_nvme_reset_all();
	fake_log_reset();
	fake_tsc_step = 1000;
	nvme_forget();
	ndev = 0;
	ctrl = NULL;
	memset(devs, 0, sizeof(devs));
	ecam_for_bus0();
	fn = fake_nvme_pci(0, 3, BAR, 1);
	m = fake_nvme_new(fn, BAR);
	fake_nvme_add_ns(m, 1, NS_BLOCKS, 9, 0);
	return 0;
}

static int teardown(void **state)
{
	unsigned int i;

	for (i = 0; i < nr_host_pages; i++)
		free(host_pages[i]);
	nr_host_pages = 0;
	fake_nvme_reset_all();
	fake_pci_reset();
	fake_phys_reset();
	return 0;
}

static void no_violations(void)
{
	if (m->violations)
		fail_msg("fake NVMe saw %u violations: %s", m->violations,
			 m->why);
}

static const struct pci_dev *pdev_at(uint8_t dev)
{
	unsigned int n, i;
	struct pci_dev *d = pci_devices(&n);

	for (i = 0; i < n; i++)
		if (d[i].devfn == PCI_DEVFN(dev, 0))
			return &d[i];
	return NULL;
}

static int probe(void)
{
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_scan(), 0);
	return nvme_probe(pdev_at(3), 0, devs, 48, &ndev, &ctrl);
}

static void probe_ok(void)
{
	int err = probe();

	if (err)
		fail_msg("probe: %d %s\n%s", err, stub_strerror(err),
			 fake_log());
	assert_true(ndev >= 1);
}

static uint16_t pci_cmd(void)
{
	return fake_pci_r16(fn, PCI_COMMAND);
}

static void no_flr(void)
{
	uint8_t pos = fn->cfg[PCI_CAPABILITY_LIST];

	while (pos && fn->cfg[pos] != PCI_CAP_ID_EXP)
		pos = fn->cfg[pos + 1];
	assert_true(pos);
	fake_pci_w32(fn, pos + PCI_EXP_DEVCAP, 0);
}

static const struct fake_nvme_cmd *cmd_at(const struct fake_nvme *mm,
					 int qid, int opcode, unsigned int n)
{
	const struct fake_nvme_cmd *c = fake_nvme_nth(mm, qid, opcode, n);

	if (!c)
		fail_msg("no command %u (queue %d, opcode %d)", n, qid, opcode);
	return c;
}

static int has_log(const char *s)
{
	return strstr(fake_log(), s) != NULL;
}

/* Fill n pages with bytes nobody else uses: page i of call seed. */
static void fill(uint64_t pa, unsigned int n, unsigned int seed)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		uint32_t *w = hp(pa + (uint64_t)i * PG);

		for (j = 0; j < PG / 4; j++)
			w[j] = seed << 24 ^ i << 12 ^ j;
	}
}

static void check_on_disk(uint64_t lba, const uint64_t *pages,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (memcmp(m->ns[0].data + (lba << 9) + (uint64_t)i * PG,
			   hp(pages[i]), PG))
			fail_msg("page %u of %u differs on the disk", i, n);
}

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

/* --- writes and PRPs ------------------------------------------------------ */

/*
 * Write n pages, every other page of a bigger allocation and in reverse
 * order, so that nothing is contiguous; check the data on the disk, and
 * that the PRPs named exactly the caller's pages (zero copy).
 */
static void write_scattered(unsigned int n, uint64_t lba,
			    unsigned int expect_cmds,
			    unsigned int expect_lists)
{
	uint64_t *pages = calloc(n, sizeof(*pages));
	uint64_t base = pages_alloc(2 * n);
	unsigned int before = fake_nvme_count(m, 1, NVME_CMD_WRITE), i, k = 0;
	const struct fake_nvme_cmd *c;

	assert_non_null(pages);
	for (i = 0; i < n; i++)
		pages[i] = base + (uint64_t)(2 * (n - 1 - i)) * PG;
	for (i = 0; i < n; i++)
		fill(pages[i], 1, n + i);
	assert_int_equal(devs[0].submit_write(&devs[0], lba, pages, n), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	check_on_disk(lba, pages, n);
	assert_int_equal(fake_nvme_count(m, 1, NVME_CMD_WRITE) - before,
			 expect_cmds);
	for (i = 0; i < expect_cmds; i++) {
		unsigned int j;

		c = cmd_at(m, 1, NVME_CMD_WRITE, before + i);
		assert_int_equal(c->status, 0);
		assert_int_equal(c->sqe.prp1, pages[k]);
		if (c->nr_prps == 1)
			assert_int_equal(c->sqe.prp2, 0);
		if (c->nr_prps == 2)
			assert_int_equal(c->sqe.prp2, pages[k + 1]);
		for (j = 0; j < c->nr_prps; j++)
			assert_int_equal(fake_nvme_trace[c->prp_start + j],
					 pages[k + j]);
		if (expect_cmds == 1)
			assert_int_equal(c->list_pages, expect_lists);
		assert_int_equal((uint64_t)c->sqe.cdw11 << 32 | c->sqe.cdw10,
				 lba + (uint64_t)k * 8);
		assert_int_equal((c->sqe.cdw12 & 0xffff) + 1, c->nr_prps * 8);
		k += c->nr_prps;
	}
	assert_int_equal(k, n);
	free(pages);
}

static void big_mdts(void)
{
	m->mdts = 10;				/* 4 MiB */
	probe_ok();
	assert_int_equal(devs[0].max_io_bytes, 4u << 20);
}

static void test_prp_one_and_two_pages(void **state)
{
	probe_ok();
	write_scattered(1, 0, 1, 0);
	write_scattered(2, 8, 1, 0);
	no_violations();
}

static void test_prp_list_3_to_512(void **state)
{
	big_mdts();
	write_scattered(3, 100, 1, 1);
	write_scattered(17, 200, 1, 1);
	write_scattered(511, 1000, 1, 1);
	write_scattered(512, 6000, 1, 1);	/* 511 entries */
	no_violations();
}

/* 513 pages: 512 entries fill one list page; 514 needs a chained one. */
static void test_prp_list_chaining(void **state)
{
	big_mdts();
	write_scattered(513, 0, 1, 1);
	write_scattered(514, 8000, 1, 2);
	write_scattered(1023, 0, 1, 2);
	write_scattered(1024, 8192, 1, 2);
	no_violations();
}

/* 4 MiB into a buffer that is not page aligned: 1025 PRPs, 3 lists. */
static void test_prp_list_three_pages(void **state)
{
	const struct fake_nvme_cmd *c;
	uint64_t buf;
	unsigned int i;

	big_mdts();
	for (i = 0; i < (4u << 20); i++)
		m->ns[0].data[i] = (uint8_t)(i ^ i >> 9);
	buf = pages_alloc(1025);
	assert_int_equal(devs[0].read(&devs[0], 0, buf + 64, 4u << 20), 0);
	c = cmd_at(m, 1, NVME_CMD_READ, 0);
	assert_int_equal(c->nr_prps, 1025);
	assert_int_equal(c->list_pages, 3);
	assert_memory_equal(hp(buf + 64), m->ns[0].data, 4u << 20);
	no_violations();
}

static void test_write_split_at_max_io(void **state)
{
	const struct fake_nvme_cmd *c;

	probe_ok();				/* mdts 7: 128 pages */
	write_scattered(300, 64, 3, 0);
	c = cmd_at(m, 1, NVME_CMD_WRITE, 2);
	assert_int_equal(c->nr_prps, 44);
	assert_int_equal(c->sqe.cdw10, 64 + 256 * 8);
	no_violations();
}

static void write_single_pages(unsigned int n, uint64_t first_lba)
{
	uint64_t base = pages_alloc(n);
	unsigned int i;

	fill(base, n, 77);
	for (i = 0; i < n; i++) {
		uint64_t pa = base + (uint64_t)i * PG;
		int err = devs[0].submit_write(&devs[0], first_lba + i * 8,
					       &pa, 1);

		if (err)
			fail_msg("write %u: %d %s", i, err,
				 stub_strerror(err));
	}
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	for (i = 0; i < n; i++)
		assert_memory_equal(m->ns[0].data + ((first_lba + i * 8) << 9),
				    hp(base + (uint64_t)i * PG), PG);
}

/* A 4-entry queue wraps its completion queue (and phase) many times. */
static void test_phase_wrap(void **state)
{
	m->cap = (m->cap & ~0xffffull) | 3;
	probe_ok();
	write_single_pages(41, 0);
	assert_true(m->completions > 41);	/* the 4-entry CQ wrapped */
	/* and with completions that lag behind the doorbell */
	m->io_latency = 7;
	write_single_pages(23, 4000);
	assert_int_equal(fake_nvme_count(m, 1, NVME_CMD_WRITE), 64);
	no_violations();
}

static void test_cid_reuse(void **state)
{
	unsigned int i, seen = 0;
	uint32_t mask = 0;

	m->cap = (m->cap & ~0xffffull) | 3;
	m->io_latency = 5;
	probe_ok();
	write_single_pages(30, 0);
	for (i = 0; i < 30; i++) {
		const struct fake_nvme_cmd *c =
			cmd_at(m, 1, NVME_CMD_WRITE, i);

		assert_true(c->sqe.cid < 3);	/* one CID per slot */
		mask |= 1u << c->sqe.cid;
	}
	for (i = 0; i < 3; i++)
		seen += !!(mask & (1u << i));
	assert_int_equal(seen, 3);
	assert_int_equal(m->max_outstanding, 3);
	no_violations();		/* never a CID twice in flight */
}

static void test_queue_32_deep(void **state)
{
	struct nvme_stats st;
	uint64_t base;
	unsigned int i, done;

	m->io_latency = 50;
	probe_ok();
	write_single_pages(200, 0);
	assert_int_equal(m->max_outstanding, 63);
	nvme_get_stats(ctrl, &st);
	assert_int_equal(st.max_inflight, 63);
	assert_int_equal(st.queue_depth, 64);

	/* submitting never waits for completions while slots are free */
	m->io_latency = 0;
	m->hold = 1;
	done = m->completions;
	base = pages_alloc(63);
	for (i = 0; i < 63; i++) {
		uint64_t pa = base + (uint64_t)i * PG;

		assert_int_equal(devs[0].submit_write(&devs[0], 9000 + i * 8,
						      &pa, 1), 0);
	}
	assert_int_equal(m->completions, done);
	assert_int_equal(m->io_outstanding, 63);
	fake_nvme_release(m, 63);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	no_violations();
}

static void test_io_timeout(void **state)
{
	uint64_t base, pa;
	unsigned int i;
	int last_cc;

	probe_ok();
	m->hold = 1;
	base = pages_alloc(64);
	for (i = 0; i < 63; i++) {
		pa = base + (uint64_t)i * PG;
		assert_int_equal(devs[0].submit_write(&devs[0], i * 8, &pa, 1),
				 0);
	}
	fake_tsc_step = SLOW_TSC;
	pa = base + 63ull * PG;
	assert_int_equal(devs[0].submit_write(&devs[0], 63 * 8, &pa, 1),
			 E_NVME_IO_TIMEOUT);
	assert_true(has_log("no progress for 30 s"));
	assert_true(has_log("(63 commands outstanding)"));
	/* fenced, and it stays dead */
	last_cc = -1;
	for (i = 0; i < m->nr_regw; i++)
		if (m->regw[i].off == NVME_REG_CC)
			last_cc = (int)i;
	assert_int_equal(m->regw[last_cc].val & NVME_CC_EN, 0);
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_IO_TIMEOUT);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1),
			 E_NVME_IO_TIMEOUT);
	no_violations();
}

static void test_write_error_status(void **state)
{
	uint64_t base;
	unsigned int i;

	probe_ok();
	m->inject_cmd = 3;
	m->inject_status = 0x06;		/* internal error */
	base = pages_alloc(5);
	for (i = 0; i < 5; i++) {
		uint64_t pa = base + (uint64_t)i * PG;

		assert_int_equal(devs[0].submit_write(&devs[0], 16 * i, &pa,
						      1), 0);
	}
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_WRITE_STATUS);
	assert_true(has_log("nvme0n1: write of 8 blocks at lba 32 failed: "
			    "status sct 0 sc 0x06"));
	/* reported once; the queue keeps working */
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	write_single_pages(3, 1000);
	/* an error is also reported by flush() */
	m->inject_cmd = m->io_fetched + 1;
	m->inject_status = 0x280;		/* SCT 2: write fault */
	{
		uint64_t pa = base;

		assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1), 0);
	}
	assert_int_equal(devs[0].flush(&devs[0]), E_NVME_WRITE_STATUS);
	assert_true(has_log("status sct 2 sc 0x80"));
	no_violations();
}

static void test_read_and_flush_errors(void **state)
{
	uint64_t buf;

	probe_ok();
	buf = pages_alloc(1);
	m->inject_cmd = 1;
	m->inject_status = 0x281;		/* unrecovered read error */
	assert_int_equal(devs[0].read(&devs[0], 0, buf, 4096),
			 E_NVME_READ_STATUS);
	assert_true(has_log("read of 8 blocks at lba 0 failed: status sct 2 "
			    "sc 0x81"));
	m->inject_cmd = 2;
	m->inject_status = 0x06;
	assert_int_equal(devs[0].flush(&devs[0]), E_NVME_FLUSH_STATUS);
	assert_int_equal(cmd_at(m, 1, -1, 1)->sqe.opcode,
			 NVME_CMD_FLUSH);
	no_violations();
}

static void test_unknown_cid_kills(void **state)
{
	uint64_t pa;

	probe_ok();
	pa = pages_alloc(1);
	m->inject_bad_cid = 1;
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_IO_CID);
	assert_true(has_log("completion for command id 30583"));
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1),
			 E_NVME_IO_CID);
	no_violations();
}

static void test_fatal_status_during_io(void **state)
{
	uint64_t base;
	unsigned int i;

	probe_ok();
	m->hold = 1;
	m->cfs_after_io = 2;
	base = pages_alloc(3);
	for (i = 0; i < 3; i++) {
		uint64_t pa = base + (uint64_t)i * PG;

		assert_int_equal(devs[0].submit_write(&devs[0], 8 * i, &pa, 1),
				 0);
	}
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_IO_FATAL);
	assert_true(has_log("fatal error (CSTS.CFS) during I/O"));
	no_violations();
}

static void test_gone_during_io(void **state)
{
	uint64_t pa;

	probe_ok();
	m->hold = 1;
	pa = pages_alloc(1);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1), 0);
	m->gone = 1;				/* surprise removal */
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_GONE_LATER);
	assert_true(has_log("stopped answering"));
	assert_int_equal(devs[0].read(&devs[0], 0, pa, 512),
			 E_NVME_GONE_LATER);
	no_violations();
}

static void test_flush_or_fua(void **state)
{
	const struct fake_nvme_cmd *c;

	probe_ok();				/* vwc 1 */
	write_single_pages(2, 0);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	c = cmd_at(m, 1, NVME_CMD_FLUSH, 0);
	assert_non_null(c);
	assert_int_equal(c->sqe.nsid, 1);
	assert_int_equal(cmd_at(m, 1, NVME_CMD_WRITE, 0)->sqe.cdw12 &
			 NVME_RW_FUA, 0);

	/* no volatile cache: FUA on every write, no flush command */
	m->vwc = 0;
	nvme_forget();
	probe_ok();
	write_single_pages(2, 100);
	assert_int_equal(devs[0].flush(&devs[0]), 0);
	assert_int_equal(fake_nvme_count(m, 1, NVME_CMD_FLUSH), 1);
	c = cmd_at(m, 1, NVME_CMD_WRITE, 2);
	assert_true(c->sqe.cdw12 & NVME_RW_FUA);
	no_violations();
}

static void test_read_into_unaligned_buffer(void **state)
{
	const struct fake_nvme_cmd *c;
	uint64_t buf;
	unsigned int i;

	probe_ok();
	for (i = 0; i < 64 * 1024; i++)
		m->ns[0].data[512 * 40 + i] = (uint8_t)(i * 7 + i / 4096);
	buf = pages_alloc(20);
	memset(hp(buf), 0, 20 * PG);
	/* 3 pages and a half, starting 512 bytes into a page: 4 PRPs */
	assert_int_equal(devs[0].read(&devs[0], 40, buf + 512, 28 * 512), 0);
	assert_memory_equal(hp(buf + 512), m->ns[0].data + 512 * 40,
			    28 * 512);
	assert_int_equal(((uint8_t *)hp(buf))[511], 0);
	assert_int_equal(((uint8_t *)hp(buf))[512 + 28 * 512], 0);
	c = cmd_at(m, 1, NVME_CMD_READ, 0);
	assert_int_equal(c->sqe.prp1, buf + 512);
	assert_int_equal(c->nr_prps, 4);
	assert_int_equal(c->list_pages, 1);
	/* 64 KiB at an odd dword offset */
	assert_int_equal(devs[0].read(&devs[0], 40, buf + 4, 64 * 1024), 0);
	assert_memory_equal(hp(buf + 4), m->ns[0].data + 512 * 40, 64 * 1024);
	no_violations();
}

static void test_bounds_and_alignment(void **state)
{
	uint64_t pa, buf;
	unsigned int before;

	probe_ok();
	pa = pages_alloc(2);
	buf = pa + PG;
	before = m->nr_cmds;
	assert_int_equal(devs[0].submit_write(&devs[0], NS_BLOCKS - 4, &pa, 1),
			 E_NVME_LBA_RANGE);
	assert_int_equal(devs[0].submit_write(&devs[0], UINT64_MAX - 2, &pa,
					      1), E_NVME_LBA_RANGE);
	pa += 8;
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1),
			 E_NVME_PRP_ALIGN);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 0), 0);
	assert_int_equal(devs[0].read(&devs[0], 0, buf, 100), E_NVME_IO_SIZE);
	assert_int_equal(devs[0].read(&devs[0], 0, buf + 2, 512),
			 E_NVME_PRP_ALIGN);
	assert_int_equal(devs[0].read(&devs[0], NS_BLOCKS, buf, 512),
			 E_NVME_LBA_RANGE);
	assert_int_equal(m->nr_cmds, before);	/* nothing reached it */
	/* the last block is fine */
	assert_int_equal(devs[0].read(&devs[0], NS_BLOCKS - 1, buf, 512), 0);
	no_violations();
}

static void test_4k_block_namespace(void **state)
{
	const struct fake_nvme_cmd *c;
	uint64_t base, pages[3];
	unsigned int i;

	m->ns[0].lbads = 12;
	m->ns[0].nsze = NS_BLOCKS / 8;
	probe_ok();
	assert_int_equal(devs[0].block_size, 4096);
	base = pages_alloc(3);
	fill(base, 3, 5);
	for (i = 0; i < 3; i++)
		pages[i] = base + (uint64_t)i * PG;
	assert_int_equal(devs[0].submit_write(&devs[0], 10, pages, 3), 0);
	assert_int_equal(devs[0].wait_idle(&devs[0]), 0);
	c = cmd_at(m, 1, NVME_CMD_WRITE, 0);
	assert_int_equal(c->sqe.cdw12 & 0xffff, 2);
	assert_memory_equal(m->ns[0].data + 10 * 4096, hp(base), 3 * PG);
	no_violations();
}

static void test_shutdown(void **state)
{
	const struct fake_nvme_cmd *c;
	uint64_t pa;
	unsigned int n;

	probe_ok();
	write_single_pages(4, 0);
	n = fake_nvme_count(m, 0, -1);
	assert_int_equal(devs[0].shutdown(&devs[0]), 0);
	c = cmd_at(m, 0, -1, n);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_DELETE_SQ);
	assert_int_equal(c->sqe.cdw10, 1);
	c = cmd_at(m, 0, -1, n + 1);
	assert_int_equal(c->sqe.opcode, NVME_ADMIN_DELETE_CQ);
	assert_int_equal(m->cc & NVME_CC_SHN_MASK, NVME_CC_SHN_NORMAL);
	assert_int_equal(m->csts & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	/* done for good */
	pa = pages_alloc(1);
	assert_int_equal(devs[0].submit_write(&devs[0], 0, &pa, 1),
			 E_NVME_DEAD);
	assert_int_equal(devs[0].shutdown(&devs[0]), 0);
	no_violations();
}

static void test_shutdown_timeout(void **state)
{
	probe_ok();
	m->never_shutdown = 1;
	fake_tsc_step = SLOW_TSC;
	assert_int_equal(devs[0].shutdown(&devs[0]), E_NVME_SHUTDOWN_TIMEOUT);
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
	ecam_for_bus0();
	assert_int_equal(storage_probe(&ai, devs, 8, &n), E_PCI_NO_DEVICES);
}

static void test_storage_table_full(void **state)
{
	unsigned int n;

	fake_nvme_add_ns(m, 2, 64, 9, 0);
	fake_nvme_add_ns(m, 3, 64, 9, 0);
	assert_int_equal(storage_probe(&ai, devs, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_true(has_log("nvme0n3: more namespaces than the dump writer's "
			    "table"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

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
		T(test_prp_one_and_two_pages),
		T(test_prp_list_3_to_512),
		T(test_prp_list_chaining),
		T(test_prp_list_three_pages),
		T(test_write_split_at_max_io),
		T(test_phase_wrap),
		T(test_cid_reuse),
		T(test_queue_32_deep),
		T(test_io_timeout),
		T(test_write_error_status),
		T(test_read_and_flush_errors),
		T(test_unknown_cid_kills),
		T(test_fatal_status_during_io),
		T(test_gone_during_io),
		T(test_flush_or_fua),
		T(test_read_into_unaligned_buffer),
		T(test_bounds_and_alignment),
		T(test_4k_block_namespace),
		T(test_shutdown),
		T(test_shutdown_timeout),
		T(test_storage_probe_and_quiesce),
		T(test_storage_skips_broken_controller),
		T(test_storage_none),
		T(test_storage_table_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
