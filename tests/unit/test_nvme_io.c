// SPDX-License-Identifier: GPL-2.0
/*
 * The NVMe driver's I/O queue against a fake controller (tests/unit/
 * support/fake_nvme.c) that fetches SQ entries from memory, walks PRP lists
 * and posts completions with the phase bit: writes, PRP lists, command
 * slots, I/O errors and timeouts, flush, read, shutdown.  The controller
 * side is test_nvme.c; both share nvme_harness.h.
 */
#include "nvme_harness.h"

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

/*
 * Issue 18: a controller that stops completing writes while the capture
 * deadline (bmdump.deadline=) is nearer than the driver's 30 s: the wait
 * ends there, and the log says so, not "no progress for 30 s".
 */
static void test_io_capture_deadline(void **state)
{
	uint64_t base, pa;
	unsigned int i;

	probe_ok();
	m->hold = 1;
	base = pages_alloc(64);
	for (i = 0; i < 63; i++) {
		pa = base + (uint64_t)i * PG;
		assert_int_equal(devs[0].submit_write(&devs[0], i * 8, &pa, 1),
				 0);
	}
	timer_init(fake_tsc);
	timer_set_capture_deadline(1000);
	fake_tsc_step = SLOW_TSC;
	pa = base + 63ull * PG;
	assert_int_equal(devs[0].submit_write(&devs[0], 63 * 8, &pa, 1),
			 E_NVME_IO_DEADLINE);
	assert_true(has_log("when the capture deadline (bmdump.deadline=) "
			    "passed"));
	assert_true(has_log("(63 commands outstanding)"));
	assert_false(has_log("no progress for 30 s"));
	assert_false(pci_cmd() & PCI_COMMAND_MASTER);
	assert_int_equal(devs[0].wait_idle(&devs[0]), E_NVME_IO_DEADLINE);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_prp_one_and_two_pages),
		T(test_prp_list_3_to_512),
		T(test_prp_list_chaining),
		T(test_prp_list_three_pages),
		T(test_write_split_at_max_io),
		T(test_phase_wrap),
		T(test_cid_reuse),
		T(test_queue_32_deep),
		T(test_io_timeout),
		T(test_io_capture_deadline),
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
