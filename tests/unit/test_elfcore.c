// SPDX-License-Identifier: GPL-2.0
/*
 * The ELF core header as kexec-tools (kexec_load) and the kernel
 * (kexec_file_load) build it, and malformed variants: each must give its
 * own error code and never read past a buffer.  Every header and note
 * buffer ends where its heap allocation ends, so ASan sees any overread.
 */
#include "fakes.h"
#include "testbuf.h"

#include <string.h>

#include "elfcore.h"
#include "errors.h"

#define PT_LOAD		1
#define PT_NOTE		4
/* note_buf_t: one NT_PRSTATUS and the final empty note */
#define NOTE_BUF_SIZE	368
#define VMCI_NOTE_SIZE	4132	/* VMCOREINFO_NOTE_SIZE */

/* A 1 GiB guest, crashkernel=192M at 0x33000000, as in the rig. */
#define HDR_PA		0x3ef5d000ull
#define BACKUP_PA	0x3ef61000ull
#define LOW_START	0x1000ull
#define LOW_END		0x9fc00ull
#define PAGE_OFFSET	0xffff8f3b40000000ull
#define TEXT_PA		0x24e00000ull
#define TEXT_VA		0xffffffffa4e00000ull
#define TEXT_SIZE	0x2000000ull
#define NOTE_PA(cpu)	(0x3fa1b2c0ull + (cpu) * 0x40000ull)
#define VMCI_PA		0x2e5a1000ull

static const char vmcoreinfo_text[] =
	"OSRELEASE=6.1.0-56-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffffa6a13f40\n"
	"OFFSET(uts_namespace.name)=0\n"
	"NUMBER(phys_base)=0\n"
	"KERNELOFFSET=24e00000\n"
	"CRASHTIME=1764103831\n";

struct ph {
	uint32_t type;
	uint64_t off, vaddr, paddr, filesz, memsz;
};

struct core {
	struct ph ph[600];
	unsigned int n;
};

static int teardown(void **state)
{
	fake_phys_reset();
	tb_free_all();
	return 0;
}

static void add_ph(struct core *c, uint32_t type, uint64_t off, uint64_t vaddr,
		   uint64_t paddr, uint64_t size)
{
	assert_true(c->n < 600);
	c->ph[c->n].type = type;
	c->ph[c->n].off = off;
	c->ph[c->n].vaddr = vaddr;
	c->ph[c->n].paddr = paddr;
	c->ph[c->n].filesz = size;
	c->ph[c->n].memsz = size;
	c->n++;
}

static void add_note(struct core *c, uint64_t pa, uint64_t size)
{
	add_ph(c, PT_NOTE, pa, 0, pa, size);
}

static void add_ram(struct core *c, uint64_t start, uint64_t end)
{
	add_ph(c, PT_LOAD, start, PAGE_OFFSET + start, start, end - start);
}

/* Ehdr + phdrs, in a buffer of exactly that size. */
static uint8_t *build(const struct core *c, size_t *len)
{
	size_t n = 64 + (size_t)c->n * 56;
	uint8_t *h = tb_alloc(n);
	unsigned int i;

	memcpy(h, "\177ELF", 4);
	h[4] = 2;	/* ELFCLASS64 */
	h[5] = 1;	/* ELFDATA2LSB */
	h[6] = 1;	/* EV_CURRENT */
	tb_put16(h + 16, 4);	/* ET_CORE */
	tb_put16(h + 18, 62);	/* EM_X86_64 */
	tb_put32(h + 20, 1);
	tb_put64(h + 32, 64);	/* e_phoff */
	tb_put16(h + 52, 64);
	tb_put16(h + 54, 56);
	tb_put16(h + 56, (uint16_t)c->n);
	for (i = 0; i < c->n; i++) {
		uint8_t *p = h + 64 + i * 56;

		tb_put32(p, c->ph[i].type);
		tb_put64(p + 8, c->ph[i].off);
		tb_put64(p + 16, c->ph[i].vaddr);
		tb_put64(p + 24, c->ph[i].paddr);
		tb_put64(p + 32, c->ph[i].filesz);
		tb_put64(p + 40, c->ph[i].memsz);
	}
	*len = n;
	return h;
}

static void put_note_hdr(uint8_t *p, uint32_t namesz, uint32_t descsz,
			 uint32_t type, const char *name)
{
	tb_put32(p, namesz);
	tb_put32(p + 4, descsz);
	tb_put32(p + 8, type);
	memcpy(p + 12, name, namesz);
}

/* A CPU's crash_notes buffer after crash_save_cpu(), served at pa. */
static uint8_t *serve_prstatus(uint64_t pa, uint32_t pid, uint64_t rip,
			       uint64_t rsp)
{
	uint8_t *b = tb_alloc(NOTE_BUF_SIZE);
	uint8_t *desc = b + 20;

	put_note_hdr(b, 5, PRSTATUS_DESC_SIZE, ELF_NT_PRSTATUS, "CORE");
	tb_put32(desc + PRSTATUS_PID, pid);
	tb_put64(desc + PRSTATUS_REGS + PRSTATUS_REG_RIP * 8, rip);
	tb_put64(desc + PRSTATUS_REGS + PRSTATUS_REG_RSP * 8, rsp);
	fake_phys_add(pa, b, NOTE_BUF_SIZE, FAKE_RAM);
	return b;
}

/* A CPU that never saved: all zero. */
static void serve_zero_cpu(uint64_t pa)
{
	fake_phys_add(pa, tb_alloc(NOTE_BUF_SIZE), NOTE_BUF_SIZE, FAKE_RAM);
}

static uint8_t *serve_vmcoreinfo(uint64_t pa, const char *text)
{
	uint8_t *b = tb_alloc(VMCI_NOTE_SIZE);
	size_t len = strlen(text);

	assert_true(len <= 4096);
	put_note_hdr(b, 11, (uint32_t)len, 0, "VMCOREINFO");
	memcpy(b + 24, text, len);
	fake_phys_add(pa, b, VMCI_NOTE_SIZE, FAKE_RAM);
	return b;
}

/*
 * kexec-tools 2.0.25: one PT_NOTE per configured CPU (CPU 1 never saved),
 * VMCOREINFO, kernel text, then RAM with the low range from the backup.
 */
static void kexec_load_core(struct core *c)
{
	memset(c, 0, sizeof(*c));
	add_note(c, NOTE_PA(0), NOTE_BUF_SIZE);
	add_note(c, NOTE_PA(1), NOTE_BUF_SIZE);
	add_note(c, NOTE_PA(2), NOTE_BUF_SIZE);
	add_note(c, VMCI_PA, VMCI_NOTE_SIZE);
	add_ph(c, PT_LOAD, TEXT_PA, TEXT_VA & ~0xfffffull, TEXT_PA, TEXT_SIZE);
	add_ph(c, PT_LOAD, BACKUP_PA, PAGE_OFFSET + LOW_START, LOW_START,
	       LOW_END - LOW_START);
	add_ram(c, 0x100000, 0x33000000);
	add_ram(c, 0x3f000000, 0x3ffe0000);
}

static void serve_kexec_load_notes(void)
{
	serve_prstatus(NOTE_PA(0), 1, 0xffffffffa5123456ull,
		       0xffffb5e2c0a3fd58ull);
	serve_zero_cpu(NOTE_PA(1));
	serve_prstatus(NOTE_PA(2), 0, 0xffffffffa5000abcull,
		       0xffffb5e2c0003e80ull);
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
}

/* Parse from a buffer that ends exactly at the header's end. */
static int parse(const struct core *c, struct core_info *ci)
{
	uint64_t len;
	size_t n;
	const uint8_t *h = build(c, &n);
	int err = elfcore_header_len(h, n, &len);

	if (err)
		return err;
	assert_int_equal(len, n);
	return elfcore_parse(h, HDR_PA, len, ci);
}

static struct core_info ci;	/* big: keep it off the stack */
static struct core c;

static void test_kexec_load_layout(void **state)
{
	const uint8_t *prs;
	uint64_t v;
	size_t vlen = strlen(vmcoreinfo_text);

	kexec_load_core(&c);
	serve_kexec_load_notes();
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.hdr_addr, HDR_PA);
	assert_int_equal(ci.hdr_len, 64 + 8 * 56);
	assert_int_equal(ci.phnum, 8);
	assert_int_equal(ci.nr_note_segs, 4);
	assert_int_equal(ci.nr_ram, 3);
	assert_int_equal(ci.ram[0].start, LOW_START);
	assert_int_equal(ci.ram[0].end, LOW_END);
	assert_int_equal(ci.ram[0].src, BACKUP_PA);
	assert_int_equal(ci.ram[1].start, 0x100000);
	assert_int_equal(ci.ram[1].src, 0x100000);
	assert_int_equal(ci.ram[1].end, 0x33000000);
	assert_int_equal(ci.ram[2].start, 0x3f000000);
	assert_int_equal(ci.ram[2].end, 0x3ffe0000);
	assert_int_equal(ci.ram[2].vaddr, PAGE_OFFSET + 0x3f000000);
	assert_int_equal(ci.ram_bytes, (LOW_END - LOW_START) +
			 (0x33000000 - 0x100000) + (0x3ffe0000 - 0x3f000000));
	assert_int_equal(ci.max_pfn, 0x3ffe0);
	assert_int_equal(ci.page_offset_base, PAGE_OFFSET);
	/* The text alias is kept apart: it is not RAM of its own. */
	assert_true(ci.has_text);
	assert_int_equal(ci.text.start, TEXT_PA);
	assert_int_equal(ci.text.end, TEXT_PA + TEXT_SIZE);
	assert_int_equal(ci.text.vaddr, TEXT_VA & ~0xfffffull);

	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_int_equal(ci.nr_cpus, 2);	/* CPU 1's buffer is empty */
	assert_int_equal(ci.vmcoreinfo_pa, VMCI_PA + 24);
	assert_int_equal(ci.vmcoreinfo_len, vlen);
	assert_int_equal(ci.notes_bytes, 2 * (12 + 8 + 336) +
			 12 + 12 + ((vlen + 3) & ~3ull));

	prs = elfcore_prstatus(&ci, 0);
	assert_non_null(prs);
	memcpy(&v, prs + PRSTATUS_REGS + PRSTATUS_REG_RIP * 8, 8);
	assert_int_equal(v, 0xffffffffa5123456ull);
	memcpy(&v, prs + PRSTATUS_REGS + PRSTATUS_REG_RSP * 8, 8);
	assert_int_equal(v, 0xffffb5e2c0a3fd58ull);
	/* CPU 1 never saved: no registers, and CPU 2 keeps its number. */
	assert_null(elfcore_prstatus(&ci, 1));
	prs = elfcore_prstatus(&ci, 2);
	assert_non_null(prs);
	memcpy(&v, prs + PRSTATUS_REGS + PRSTATUS_REG_RIP * 8, 8);
	assert_int_equal(v, 0xffffffffa5000abcull);
	/* The VMCOREINFO segment is no CPU. */
	assert_null(elfcore_prstatus(&ci, 3));
	assert_null(elfcore_prstatus(&ci, 1000));
}

/* CPU n's registers come from the nth per-CPU buffer, whatever is empty. */
static void test_prstatus_by_cpu_number(void **state)
{
	uint64_t v;
	const uint8_t *prs;
	unsigned int cpu;
	uint8_t *b;

	memset(&c, 0, sizeof(c));
	for (cpu = 0; cpu < 4; cpu++) {
		add_note(&c, NOTE_PA(cpu), NOTE_BUF_SIZE);
		if (cpu == 0 || cpu == 2)
			serve_zero_cpu(NOTE_PA(cpu));	/* offline */
		else
			serve_prstatus(NOTE_PA(cpu), 100 + cpu, 0x1000 + cpu,
				       0);
	}
	add_note(&c, VMCI_PA, VMCI_NOTE_SIZE);
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	add_ram(&c, 0x100000, 0x33000000);
	add_ram(&c, 0x3f000000, 0x3ffe0000);
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_int_equal(ci.nr_cpus, 2);
	for (cpu = 0; cpu < 4; cpu++) {
		prs = elfcore_prstatus(&ci, cpu);
		if (cpu == 0 || cpu == 2) {
			assert_null(prs);
			continue;
		}
		assert_non_null(prs);
		memcpy(&v, prs + PRSTATUS_REGS + PRSTATUS_REG_RIP * 8, 8);
		assert_int_equal(v, 0x1000 + cpu);
	}
	assert_null(elfcore_prstatus(&ci, 4));
	/* A buffer whose first note is not a CPU's: no registers. */
	fake_phys_reset();
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	for (cpu = 0; cpu < 4; cpu++) {
		b = serve_prstatus(NOTE_PA(cpu), cpu, 0x2000 + cpu, 0);
		if (cpu == 1)
			tb_put32(b + 8, 2);	/* NT_PRFPREG */
	}
	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_null(elfcore_prstatus(&ci, 1));
	assert_non_null(elfcore_prstatus(&ci, 3));
	/* A CPU buffer shorter than its note: no registers, no overread. */
	c.ph[3].filesz = c.ph[3].memsz = 100;
	assert_int_equal(parse(&c, &ci), 0);
	assert_null(elfcore_prstatus(&ci, 3));
	assert_non_null(elfcore_prstatus(&ci, 2));
}

/* The kernel's crash_prepare_elf64_headers(): no low 1 MiB, no backup. */
static void test_kexec_file_layout(void **state)
{
	memset(&c, 0, sizeof(c));
	add_note(&c, NOTE_PA(0), NOTE_BUF_SIZE);
	add_note(&c, NOTE_PA(1), NOTE_BUF_SIZE);
	add_note(&c, VMCI_PA, VMCI_NOTE_SIZE);
	add_ph(&c, PT_LOAD, TEXT_PA, TEXT_VA, TEXT_PA, 0x2a3c000);
	add_ram(&c, 0x100000, 0x33000000);
	add_ram(&c, 0x3f000000, 0x3ffe0000);
	serve_prstatus(NOTE_PA(0), 1, 1, 2);
	serve_prstatus(NOTE_PA(1), 77, 3, 4);
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);

	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_ram, 2);
	assert_int_equal(ci.ram[0].start, 0x100000);
	assert_int_equal(ci.ram[0].src, 0x100000);
	assert_true(ci.has_text);
	assert_int_equal(ci.text.vaddr, TEXT_VA);
	assert_int_equal(ci.page_offset_base, PAGE_OFFSET);
	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_int_equal(ci.nr_cpus, 2);
	assert_int_equal(ci.vmcoreinfo_pa, VMCI_PA + 24);
	assert_false(core_ram_contains(&ci, 0x1000, 0x2000));
	assert_null(core_map(&ci, 0x1000, 8));
}

/* RAM PT_LOADs in any order come out sorted. */
static void test_ram_sorted(void **state)
{
	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x100000000ull, 0x140000000ull);
	add_ram(&c, 0x3f000000, 0x3ffe0000);
	add_ram(&c, 0x100000, 0x33000000);
	add_ph(&c, 0, 0, 0, 0, 0);		/* PT_NULL: ignored */
	add_ph(&c, 6, 1, 2, 3, 4);		/* PT_PHDR: ignored */
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_ram, 3);
	assert_int_equal(ci.ram[0].start, 0x100000);
	assert_int_equal(ci.ram[1].start, 0x3f000000);
	assert_int_equal(ci.ram[2].start, 0x100000000ull);
	assert_int_equal(ci.max_pfn, 0x140000);
	assert_false(ci.has_text);
	assert_int_equal(ci.nr_note_segs, 0);
	/* Touching ranges are not overlapping: they become one. */
	add_ram(&c, 0x33000000, 0x34000000);
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_ram, 3);
	assert_int_equal(ci.ram[0].end, 0x34000000);
}

/* /proc/iomem around a setup_data node splits RAM inside a page: the
 * page they share is RAM, whole, in one range; touching ranges whose
 * data is elsewhere (the backup copy of low memory) stay apart. */
static void test_ram_split_inside_page(void **state)
{
	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x900000, 0x320e0000);
	add_ram(&c, 0x320e0160, 0x38000000);
	add_ram(&c, 0x320e0000, 0x320e0160);
	add_ph(&c, PT_LOAD, BACKUP_PA, PAGE_OFFSET, 0x0, 0x900000);
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_ram, 2);
	assert_int_equal(ci.ram[0].start, 0x0);
	assert_int_equal(ci.ram[0].src, BACKUP_PA);
	assert_int_equal(ci.ram[1].start, 0x900000);
	assert_int_equal(ci.ram[1].end, 0x38000000);
	assert_int_equal(ci.ram[1].src, 0x900000);
	assert_int_equal(ci.ram_bytes, 0x38000000);
}

static void test_core_map_reads_backup(void **state)
{
	uint8_t *orig = tb_alloc(LOW_END - LOW_START);
	uint8_t *backup = tb_alloc(LOW_END - LOW_START);
	uint8_t *high = tb_alloc(0x1000);
	const uint8_t *p;

	kexec_load_core(&c);
	memset(orig, 'O', LOW_END - LOW_START);
	memset(backup, 'B', LOW_END - LOW_START);
	backup[0x2000 - LOW_START] = 'x';
	backup[LOW_END - LOW_START - 1] = 'z';
	memset(high, 'H', 0x1000);
	fake_phys_add(LOW_START, orig, LOW_END - LOW_START, FAKE_RAM);
	fake_phys_add(BACKUP_PA, backup, LOW_END - LOW_START, FAKE_RAM);
	fake_phys_add(0x100000, high, 0x1000, FAKE_RAM);
	assert_int_equal(parse(&c, &ci), 0);

	p = core_map(&ci, 0x2000, 16);
	assert_non_null(p);
	assert_int_equal(p[0], 'x');
	assert_int_equal(p[1], 'B');
	p = core_map(&ci, LOW_START, LOW_END - LOW_START);
	assert_ptr_equal(p, backup);
	p = core_map(&ci, LOW_END - 1, 1);
	assert_non_null(p);
	assert_int_equal(p[0], 'z');
	/* Other ranges are read in place. */
	p = core_map(&ci, 0x100000, 0x1000);
	assert_ptr_equal(p, high);
	/* Past the range's end, in a hole, across ranges, wrapping. */
	assert_null(core_map(&ci, LOW_END - 8, 16));
	assert_null(core_map(&ci, 0xa0000, 1));
	assert_null(core_map(&ci, 0x0, 16));
	assert_null(core_map(&ci, 0x32fff000, 0x2000));
	assert_null(core_map(&ci, 0x2000, UINT64_MAX));
	assert_null(core_map(&ci, UINT64_MAX, 2));
	/* In RAM but nothing behind it: phys_ram says no. */
	assert_null(core_map(&ci, 0x200000, 8));

	assert_true(core_ram_contains(&ci, 0x1000, 0x9fc00));
	assert_true(core_ram_contains(&ci, 0x3f000000, 0x3ffe0000));
	assert_false(core_ram_contains(&ci, 0x9f000, 0xa0000));
	assert_false(core_ram_contains(&ci, 0x32fff000, 0x3f001000));
	assert_false(core_ram_contains(&ci, 0x3ffe0000, 0x3ffe0001));
	assert_false(core_ram_contains(&ci, 0x2000, 0x1000));
}

static void test_truncated_elf(void **state)
{
	uint8_t *full, *h;
	uint64_t len;
	size_t n, i;

	kexec_load_core(&c);
	full = build(&c, &n);
	/* Shorter than an Elf64_Ehdr: every length from 0 to 63. */
	for (i = 0; i < 64; i++) {
		h = tb_dup(full, i);
		assert_int_equal(elfcore_header_len(h, i, &len),
				 E_ELF_TRUNCATED);
		assert_int_equal(elfcore_parse(h, HDR_PA, i, &ci),
				 E_ELF_TRUNCATED);
	}
	/* The Ehdr alone: the length says how much more to read. */
	h = tb_dup(full, 64);
	assert_int_equal(elfcore_header_len(h, 64, &len), 0);
	assert_int_equal(len, n);
	assert_int_equal(elfcore_parse(h, HDR_PA, 64, &ci), E_ELF_PHDR);
	/* Cut anywhere inside the phdrs. */
	for (i = 65; i < n; i += 13) {
		h = tb_dup(full, i);
		assert_int_equal(elfcore_parse(h, HDR_PA, i, &ci), E_ELF_PHDR);
	}
	h = tb_dup(full, n - 1);
	assert_int_equal(elfcore_parse(h, HDR_PA, n - 1, &ci), E_ELF_PHDR);
}

struct ehdr_case {
	size_t off;
	int width;
	uint64_t val;
	int err;
};

static void test_bad_ehdr(void **state)
{
	static const struct ehdr_case cases[] = {
		{ 0, 1, 0x7e, E_ELF_MAGIC },
		{ 3, 1, 'f', E_ELF_MAGIC },
		{ 4, 1, 1, E_ELF_CLASS },		/* ELFCLASS32 */
		{ 4, 1, 0, E_ELF_CLASS },
		{ 5, 1, 2, E_ELF_CLASS },		/* big endian */
		{ 16, 2, 2, E_ELF_TYPE },		/* ET_EXEC */
		{ 16, 2, 3, E_ELF_TYPE },		/* ET_DYN */
		{ 18, 2, 3, E_ELF_TYPE },		/* EM_386 */
		{ 18, 2, 183, E_ELF_TYPE },		/* EM_AARCH64 */
		{ 54, 2, 32, E_ELF_PHDR },		/* e_phentsize */
		{ 54, 2, 0, E_ELF_PHDR },
		{ 56, 2, 0, E_ELF_PHDR },		/* e_phnum = 0 */
		{ 56, 2, 9, E_ELF_PHDR },		/* one too many */
		{ 56, 2, 0xffff, E_ELF_PHDR },
		{ 32, 8, 0, E_ELF_PHDR },		/* inside the Ehdr */
		{ 32, 8, 63, E_ELF_PHDR },
		{ 32, 8, 72, E_ELF_PHDR },		/* phdrs run past */
		{ 32, 8, 64 + 8 * 56, E_ELF_PHDR },	/* at the end */
		{ 32, 8, 1ull << 20, E_ELF_PHDR },
		{ 32, 8, 1ull << 63, E_ELF_PHDR },
		{ 32, 8, UINT64_MAX, E_ELF_PHDR },
		{ 32, 8, UINT64_MAX - 447, E_ELF_PHDR }, /* sum wraps */
	};
	unsigned int i;
	size_t n;
	uint8_t *h;

	kexec_load_core(&c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ehdr_case *k = &cases[i];

		h = build(&c, &n);
		if (k->width == 1)
			h[k->off] = (uint8_t)k->val;
		else if (k->width == 2)
			tb_put16(h + k->off, (uint16_t)k->val);
		else
			tb_put64(h + k->off, k->val);
		print_message("case %u\n", i);
		assert_int_equal(elfcore_parse(h, HDR_PA, n, &ci), k->err);
	}
	/* Unaligned e_phoff that fits is fine (memcpy reads). */
	h = build(&c, &n);
	{
		uint8_t *u = tb_alloc(n + 3);

		memcpy(u, h, 64);
		memcpy(u + 67, h + 64, n - 64);
		tb_put64(u + 32, 67);
		assert_int_equal(elfcore_parse(u, HDR_PA, n + 3, &ci), 0);
		assert_int_equal(ci.nr_ram, 3);
	}
}

static void test_phnum_limit(void **state)
{
	uint64_t len;
	size_t n = 64 + (size_t)(CORE_MAX_PHDRS + 1) * 56;
	uint8_t *h = tb_alloc(n);

	memcpy(h, "\177ELF\2\1\1", 7);
	tb_put16(h + 16, 4);
	tb_put16(h + 18, 62);
	tb_put64(h + 32, 64);
	tb_put16(h + 54, 56);
	tb_put16(h + 56, CORE_MAX_PHDRS + 1);
	assert_int_equal(elfcore_header_len(h, n, &len), E_ELF_PHDR);
	assert_int_equal(elfcore_parse(h, HDR_PA, n, &ci), E_ELF_PHDR);
	/* At the limit: all PT_NULL, so no RAM. */
	tb_put16(h + 56, CORE_MAX_PHDRS);
	assert_int_equal(elfcore_header_len(h, n, &len), 0);
	assert_int_equal(len, n - 56);
	assert_int_equal(elfcore_parse(h, HDR_PA, n, &ci), E_ELF_NO_RAM);
}

static void test_overlapping_loads(void **state)
{
	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x100000, 0x33000000);
	add_ram(&c, 0x32fff000, 0x34000000);
	assert_int_equal(parse(&c, &ci), E_ELF_OVERLAP);

	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x100000, 0x200000);
	add_ram(&c, 0x100000, 0x200000);		/* twice */
	assert_int_equal(parse(&c, &ci), E_ELF_OVERLAP);

	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x40000000, 0x80000000);
	add_ram(&c, 0x100000, 0x200000);
	add_ram(&c, 0x50000000, 0x50001000);	/* inside the first */
	assert_int_equal(parse(&c, &ci), E_ELF_OVERLAP);
}

struct range_case {
	uint64_t off, paddr, filesz, memsz;
	int err;
};

static void test_bad_ranges(void **state)
{
	static const struct range_case cases[] = {
		{ 0x1000, 0x1000, 0, 0, E_ELF_RANGE },	/* empty */
		{ 0xfffffffffffff000ull, 0xfffffffffffff000ull, 0x2000,
		  0x2000, E_ELF_RANGE },			/* wraps */
		{ 0x1000, UINT64_MAX, 1, 1, E_ELF_RANGE },
		{ 0x1000, 0x1000, UINT64_MAX, UINT64_MAX, E_ELF_RANGE },
		{ 0xffffffffff000ull, 0xffffffffff000ull, 0x2000, 0x2000,
		  E_ELF_RANGE },				/* past 2^52 */
		{ UINT64_MAX - 0xfff, 0x1000, 0x2000, 0x2000,
		  E_ELF_RANGE },			/* source wraps */
		{ 0x10000000000000ull, 0x1000, 0x1000, 0x1000,
		  E_ELF_RANGE },			/* source past 2^52 */
		{ 0x1000, 0x1000, 0x1000, 0x2000, E_ELF_RANGE }, /* filesz */
		{ 0x1000, 0x1000, 0x2000, 0x1000, E_ELF_RANGE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&c, 0, sizeof(c));
		add_ram(&c, 0x100000, 0x200000);
		add_ph(&c, PT_LOAD, cases[i].off, PAGE_OFFSET + 0x1000,
		       cases[i].paddr, cases[i].filesz);
		c.ph[1].memsz = cases[i].memsz;
		print_message("case %u\n", i);
		assert_int_equal(parse(&c, &ci), cases[i].err);
	}
	/* Ending exactly at 2^52 is fine. */
	memset(&c, 0, sizeof(c));
	add_ram(&c, (1ull << 52) - 0x1000, 1ull << 52);
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.max_pfn, 1ull << 40);
}

static void test_no_ram(void **state)
{
	memset(&c, 0, sizeof(c));
	add_note(&c, NOTE_PA(0), NOTE_BUF_SIZE);
	add_note(&c, VMCI_PA, VMCI_NOTE_SIZE);
	assert_int_equal(parse(&c, &ci), E_ELF_NO_RAM);
	/* The text alias alone is not RAM. */
	add_ph(&c, PT_LOAD, TEXT_PA, TEXT_VA, TEXT_PA, TEXT_SIZE);
	assert_int_equal(parse(&c, &ci), E_ELF_NO_RAM);
}

static void test_too_many_ranges(void **state)
{
	unsigned int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < CORE_MAX_RAM; i++)
		add_ram(&c, (uint64_t)(i + 1) << 21,
			((uint64_t)(i + 1) << 21) + 0x1000);
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_ram, CORE_MAX_RAM);
	add_ram(&c, 0x1000, 0x2000);
	assert_int_equal(parse(&c, &ci), E_ELF_TOO_MANY);
}

static void test_bad_note_phdr(void **state)
{
	memset(&c, 0, sizeof(c));
	add_ram(&c, 0x100000, 0x200000);
	add_note(&c, 0x100000, (1u << 20) + 1);		/* > 1 MiB */
	assert_int_equal(parse(&c, &ci), E_ELF_PHDR);
	c.ph[1].filesz = 0x100;
	c.ph[1].off = UINT64_MAX - 0x80;		/* wraps */
	assert_int_equal(parse(&c, &ci), E_ELF_PHDR);
	c.ph[1].off = (1ull << 52) - 0x80;		/* past 2^52 */
	assert_int_equal(parse(&c, &ci), E_ELF_PHDR);
	c.ph[1].off = 0x100000;
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(ci.nr_note_segs, 1);
}

/* Parse a header of one RAM range plus the given note segments. */
static int notes_of(const uint64_t *pa, const uint64_t *size, unsigned int n)
{
	unsigned int i;
	int err;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		add_note(&c, pa[i], size[i]);
	add_ram(&c, 0x100000, 0x33000000);
	add_ram(&c, 0x3f000000, 0x3ffe0000);
	err = parse(&c, &ci);
	assert_int_equal(err, 0);
	return elfcore_parse_notes(&ci);
}

static void test_note_lengths_past_segment(void **state)
{
	uint64_t pa[2] = { NOTE_PA(0), VMCI_PA };
	uint64_t size[2] = { NOTE_BUF_SIZE, VMCI_NOTE_SIZE };
	uint8_t *b;

	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	b = serve_prstatus(NOTE_PA(0), 1, 2, 3);
	assert_int_equal(notes_of(pa, size, 2), 0);

	tb_put32(b + 4, NOTE_BUF_SIZE);			/* descsz */
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	/* 12 + 8 + align4(349) = 372: four bytes over. */
	tb_put32(b + 4, NOTE_BUF_SIZE - 20 + 1);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	/* 348 fills the segment exactly: read, then refused for its size. */
	tb_put32(b + 4, NOTE_BUF_SIZE - 20);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_PRSTATUS_SIZE);
	tb_put32(b + 4, 0xffffffffu);		/* would wrap align4 */
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	tb_put32(b + 4, 336);
	tb_put32(b, NOTE_BUF_SIZE);			/* namesz */
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	tb_put32(b, 0xfffffffdu);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	tb_put32(b, 0xffffffffu);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
	tb_put32(b, 5);
	assert_int_equal(notes_of(pa, size, 2), 0);

	/* The segment is shorter than the buffer behind it says. */
	size[0] = 300;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_LEN);
}

static void test_note_header_truncated(void **state)
{
	uint64_t pa[2] = { NOTE_PA(0), VMCI_PA };
	uint64_t size[2] = { NOTE_BUF_SIZE, VMCI_NOTE_SIZE };
	unsigned int cut;

	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	serve_prstatus(NOTE_PA(0), 1, 2, 3);
	/* The segment ends inside the final note's header. */
	for (cut = 1; cut < 12; cut++) {
		size[0] = NOTE_BUF_SIZE - 12 + cut;
		assert_int_equal(notes_of(pa, size, 2), E_NOTE_TRUNCATED);
	}
	/* ... or inside the first one. */
	for (cut = 1; cut < 12; cut++) {
		size[0] = cut;
		assert_int_equal(notes_of(pa, size, 2), E_NOTE_TRUNCATED);
	}
	/* Ending right after a note, without a final empty note, is fine. */
	size[0] = NOTE_BUF_SIZE - 12;
	assert_int_equal(notes_of(pa, size, 2), 0);
	assert_int_equal(ci.nr_cpus, 1);

	/* A segment of exactly the buffer, ending at its allocation. */
	fake_phys_reset();
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	fake_phys_add(NOTE_PA(0), tb_alloc(5), 5, FAKE_RAM);
	size[0] = 5;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_TRUNCATED);
}

static void test_prstatus_wrong_size(void **state)
{
	uint64_t pa[2] = { NOTE_PA(0), VMCI_PA };
	uint64_t size[2] = { NOTE_BUF_SIZE, VMCI_NOTE_SIZE };
	uint8_t *b;

	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	b = serve_prstatus(NOTE_PA(0), 1, 2, 3);
	tb_put32(b + 4, 332);	/* a 32-bit elf_prstatus would be 144 */
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_PRSTATUS_SIZE);
	tb_put32(b + 4, 0);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_PRSTATUS_SIZE);
	/* Not "CORE": some other owner's type 1, not a CPU. */
	tb_put32(b + 4, 332);
	memcpy(b + 12, "LINUX", 5);
	tb_put32(b, 6);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_NO_PRSTATUS);
	/* "CORE" without its NUL is another name. */
	memcpy(b + 12, "CORE\0", 5);
	tb_put32(b, 4);
	tb_put32(b + 4, 336);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_NO_PRSTATUS);
}

static void test_no_vmcoreinfo(void **state)
{
	uint64_t pa[2] = { NOTE_PA(0), VMCI_PA };
	uint64_t size[2] = { NOTE_BUF_SIZE, VMCI_NOTE_SIZE };
	uint8_t *v;

	serve_prstatus(NOTE_PA(0), 1, 2, 3);
	assert_int_equal(notes_of(pa, size, 1), E_NOTE_NO_VMCOREINFO);
	v = serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	assert_int_equal(notes_of(pa, size, 2), 0);
	/* namesz without the NUL: not the VMCOREINFO note. */
	tb_put32(v, 10);
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_NO_VMCOREINFO);
	tb_put32(v, 11);
	v[12] = 'v';
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_NO_VMCOREINFO);
	/* An empty segment is skipped. */
	v[12] = 'V';
	size[1] = 0;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_NO_VMCOREINFO);
}

static void test_no_cpu_saved(void **state)
{
	uint64_t pa[3] = { NOTE_PA(0), NOTE_PA(1), VMCI_PA };
	uint64_t size[3] = { NOTE_BUF_SIZE, NOTE_BUF_SIZE, VMCI_NOTE_SIZE };

	serve_zero_cpu(NOTE_PA(0));
	serve_zero_cpu(NOTE_PA(1));
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	assert_int_equal(notes_of(pa, size, 3), E_NOTE_NO_PRSTATUS);
	assert_int_equal(ci.nr_cpus, 0);
}

static void test_notes_outside_ram(void **state)
{
	uint64_t pa[2] = { NOTE_PA(0), VMCI_PA };
	uint64_t size[2] = { NOTE_BUF_SIZE, VMCI_NOTE_SIZE };

	serve_prstatus(NOTE_PA(0), 1, 2, 3);
	serve_vmcoreinfo(VMCI_PA, vmcoreinfo_text);
	/* In the crash region, which is not the crashed kernel's RAM. */
	serve_prstatus(0x34000000, 1, 2, 3);
	pa[0] = 0x34000000;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_UNMAPPED);
	/* Straddling the end of a RAM range. */
	pa[0] = 0x33000000 - 100;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_UNMAPPED);
	/* In RAM, but nothing can be read there. */
	pa[0] = 0x200000;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_UNMAPPED);
	/* The fake serves less than the segment. */
	pa[0] = NOTE_PA(0);
	size[0] = NOTE_BUF_SIZE + 4;
	assert_int_equal(notes_of(pa, size, 2), E_NOTE_UNMAPPED);
}

struct walk {
	unsigned int calls;
	unsigned int stop_at;
	uint64_t bytes;
};

static int walk_fn(const struct core_note *n, void *ctx)
{
	struct walk *w = ctx;

	assert_true(n->raw_len >= 12);
	assert_ptr_equal(n->name, (const char *)n->raw + 12);
	w->bytes += n->raw_len;
	if (++w->calls == w->stop_at)
		return 42;
	return 0;
}

static void test_for_each_note(void **state)
{
	struct walk w = { 0 };

	kexec_load_core(&c);
	serve_kexec_load_notes();
	assert_int_equal(parse(&c, &ci), 0);
	assert_int_equal(elfcore_for_each_note(&ci, walk_fn, &w), 0);
	assert_int_equal(w.calls, 3);	/* 2 CPUs + VMCOREINFO */
	assert_int_equal(elfcore_parse_notes(&ci), 0);
	assert_int_equal(w.bytes, ci.notes_bytes);
	memset(&w, 0, sizeof(w));
	w.stop_at = 2;
	assert_int_equal(elfcore_for_each_note(&ci, walk_fn, &w), 42);
	assert_int_equal(w.calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kexec_load_layout, teardown),
		cmocka_unit_test_teardown(test_kexec_file_layout, teardown),
		cmocka_unit_test_teardown(test_prstatus_by_cpu_number,
					  teardown),
		cmocka_unit_test_teardown(test_ram_sorted, teardown),
		cmocka_unit_test_teardown(test_ram_split_inside_page, teardown),
		cmocka_unit_test_teardown(test_core_map_reads_backup, teardown),
		cmocka_unit_test_teardown(test_truncated_elf, teardown),
		cmocka_unit_test_teardown(test_bad_ehdr, teardown),
		cmocka_unit_test_teardown(test_phnum_limit, teardown),
		cmocka_unit_test_teardown(test_overlapping_loads, teardown),
		cmocka_unit_test_teardown(test_bad_ranges, teardown),
		cmocka_unit_test_teardown(test_no_ram, teardown),
		cmocka_unit_test_teardown(test_too_many_ranges, teardown),
		cmocka_unit_test_teardown(test_bad_note_phdr, teardown),
		cmocka_unit_test_teardown(test_note_lengths_past_segment,
					  teardown),
		cmocka_unit_test_teardown(test_note_header_truncated, teardown),
		cmocka_unit_test_teardown(test_prstatus_wrong_size, teardown),
		cmocka_unit_test_teardown(test_no_vmcoreinfo, teardown),
		cmocka_unit_test_teardown(test_no_cpu_saved, teardown),
		cmocka_unit_test_teardown(test_notes_outside_ram, teardown),
		cmocka_unit_test_teardown(test_for_each_note, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
