// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF core header and everything reached through it, in stub_main()'s
 * order: header, PT_LOADs, notes, CPU registers, VMCOREINFO, utsname.  The
 * input is served as RAM at HDR_PA (zero-padded to whole pages); the seeds
 * list a PT_LOAD covering it, so the notes they point at can be inside.
 */
#include "phys.h"
#include "phys_fake.h"

#include <string.h>

#include "elfcore.h"
#include "errors.h"
#include "vmcoreinfo.h"

#define HDR_PA	0x1000000ull	/* 16 MiB, page aligned */

static struct core_info ci;

static void check_core(uint64_t len)
{
	uint64_t bytes = 0;
	unsigned int i;

	FZ_CHECK(ci.nr_ram >= 1 && ci.nr_ram <= CORE_MAX_RAM);
	FZ_CHECK(ci.hdr_len <= len);
	for (i = 0; i < ci.nr_ram; i++) {
		const struct core_range *r = &ci.ram[i];

		FZ_CHECK(r->start < r->end && r->end <= (1ull << 52));
		FZ_CHECK(r->src + (r->end - r->start) > r->src);
		if (i)
			FZ_CHECK(ci.ram[i - 1].end <= r->start);
		bytes += r->end - r->start;
	}
	FZ_CHECK(bytes == ci.ram_bytes);
	FZ_CHECK(ci.max_pfn << 12 >= ci.ram[ci.nr_ram - 1].end);
}

static void after_notes(void)
{
	struct vmcoreinfo vi;
	const uint8_t *prs;
	const char *text;
	uint64_t pa;
	unsigned int i, saved = 0;

	FZ_CHECK(ci.nr_cpus >= 1 && ci.vmcoreinfo_pa);
	/* Every CPU slot, and one past: never more CPUs than notes. */
	for (i = 0; i <= ci.nr_note_segs && i < 64; i++) {
		prs = elfcore_prstatus(&ci, i);
		if (prs) {
			uint64_t rip;

			memcpy(&rip, prs + PRSTATUS_REGS +
			       PRSTATUS_REG_RIP * 8, 8);
			(void)rip;
			saved++;
		}
	}
	FZ_CHECK(saved <= ci.nr_cpus);
	text = core_map(&ci, ci.vmcoreinfo_pa, ci.vmcoreinfo_len);
	if (!text)
		text = phys_ram(ci.vmcoreinfo_pa, ci.vmcoreinfo_len);
	FZ_CHECK(text != NULL);	/* the note walk read it already */
	if (vmcoreinfo_parse(text, ci.vmcoreinfo_len, &vi))
		return;
	if (vi.has_uts && !vmcoreinfo_kimage_pa(&vi, vi.sym_init_uts_ns +
						vi.off_uts_name, &pa)) {
		const char *uts = core_map(&ci, pa, 6 * 65);

		if (uts)
			(void)strnlen(uts + 65, 65);	/* nodename */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *h;
	uint64_t len;
	unsigned int i;
	int err;

	fz_add(HDR_PA, data, size, FZ_RAM);
	/* As read_elfcorehdr(): the Ehdr, then as much as it says. */
	if (size < 64) {
		h = fz_dup(data, size);
		FZ_CHECK(elfcore_header_len(h, size, &len) == E_ELF_TRUNCATED);
		goto out;
	}
	h = phys_ram(HDR_PA, 64);
	if (elfcore_header_len(h, 64, &len))
		goto out;
	/* e_phoff and e_phnum are each bounded, not their sum. */
	FZ_CHECK(len >= 64 && len <= CORE_MAX_HDR_BYTES + CORE_MAX_PHDRS * 56);
	h = phys_ram(HDR_PA, len);
	if (!h)
		goto out;
	err = elfcore_parse(h, HDR_PA, len, &ci);
	FZ_CHECK(err <= 0);
	if (err)
		goto out;
	check_core(len);
	for (i = 0; i < ci.nr_ram && i < 8; i++) {
		core_map(&ci, ci.ram[i].start, 64);
		core_map(&ci, ci.ram[i].end - 1, 1);
		core_map(&ci, ci.ram[i].end - 1, 2);
	}
	err = elfcore_parse_notes(&ci);
	FZ_CHECK(err <= 0);
	if (!err)
		after_notes();
out:
	fz_reset();
	return 0;
}
