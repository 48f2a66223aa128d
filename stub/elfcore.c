// SPDX-License-Identifier: GPL-2.0
#include "elfcore.h"
#include "errors.h"
#include "phys.h"
#include "str.h"

#define EI_CLASS	4
#define EI_DATA		5
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_CORE		4
#define EM_X86_64	62
#define PT_LOAD		1
#define PT_NOTE		4

#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define E_TYPE		16
#define E_MACHINE	18
#define E_PHOFF		32
#define E_PHENTSIZE	54
#define E_PHNUM		56

#define P_TYPE		0
#define P_OFFSET	8
#define P_VADDR		16
#define P_PADDR		24
#define P_FILESZ	32
#define P_MEMSZ		40

#define MAX_PHYS_ADDR	(1ull << 52)

static uint32_t align4(uint32_t v)
{
	return (v + 3) & ~3u;
}

static int check_ehdr(const uint8_t *h)
{
	if (memcmp(h, "\177ELF", 4))
		return E_ELF_MAGIC;
	if (h[EI_CLASS] != ELFCLASS64 || h[EI_DATA] != ELFDATA2LSB)
		return E_ELF_CLASS;
	if (get_le16(h + E_TYPE) != ET_CORE || get_le16(h + E_MACHINE) != EM_X86_64)
		return E_ELF_TYPE;
	if (get_le16(h + E_PHENTSIZE) != PHDR_SIZE)
		return E_ELF_PHDR;
	return 0;
}

int elfcore_header_len(const uint8_t *hdr, uint64_t avail, uint64_t *len)
{
	uint64_t phoff, phnum;
	int err;

	if (avail < EHDR_SIZE)
		return E_ELF_TRUNCATED;
	err = check_ehdr(hdr);
	if (err)
		return err;
	phoff = get_le64(hdr + E_PHOFF);
	phnum = get_le16(hdr + E_PHNUM);
	if (phoff < EHDR_SIZE || phoff > CORE_MAX_HDR_BYTES ||
	    phnum == 0 || phnum > CORE_MAX_PHDRS)
		return E_ELF_PHDR;
	*len = phoff + phnum * PHDR_SIZE;
	return 0;
}

static int add_ram(struct core_info *ci, uint64_t start, uint64_t size,
		   uint64_t src, uint64_t vaddr)
{
	unsigned int i;

	/* Not necessarily page aligned: /proc/iomem has 0x1000-0x9fbff. */
	if (!size || start + size < start || start + size > MAX_PHYS_ADDR ||
	    src + size < src || src + size > MAX_PHYS_ADDR)
		return E_ELF_RANGE;
	if (ci->nr_ram >= CORE_MAX_RAM)
		return E_ELF_TOO_MANY;
	i = ci->nr_ram++;
	while (i && ci->ram[i - 1].start > start) {
		ci->ram[i] = ci->ram[i - 1];
		i--;
	}
	ci->ram[i].start = start;
	ci->ram[i].end = start + size;
	ci->ram[i].src = src;
	ci->ram[i].vaddr = vaddr;
	ci->ram_bytes += size;
	return 0;
}

/*
 * One range where PT_LOADs touch and their data does too: /proc/iomem
 * splits System RAM at byte granularity around a setup_data node (a
 * kernel booted by kexec or by the stub's warm boot has them), and page
 * by page neither piece holds the page they share, which would then be
 * left out of the dump though the kernel uses it.
 */
static void merge_touching(struct core_info *ci)
{
	unsigned int i, n = 0;

	for (i = 0; i < ci->nr_ram; i++) {
		struct core_range *p = n ? &ci->ram[n - 1] : NULL;
		const struct core_range *r = &ci->ram[i];
		uint64_t len = p ? p->end - p->start : 0;

		if (p && p->end == r->start && p->src + len == r->src &&
		    p->vaddr + len == r->vaddr)
			p->end = r->end;
		else
			ci->ram[n++] = *r;
	}
	ci->nr_ram = n;
}

int elfcore_parse(const uint8_t *hdr, uint64_t hdr_addr, uint64_t len,
		  struct core_info *ci)
{
	uint64_t need, phoff;
	unsigned int i;
	int err;

	memset(ci, 0, sizeof(*ci));
	err = elfcore_header_len(hdr, len, &need);
	if (err)
		return err;
	if (need > len)
		return E_ELF_PHDR;
	phoff = get_le64(hdr + E_PHOFF);
	ci->hdr = hdr;
	ci->hdr_addr = hdr_addr;
	ci->hdr_len = need;
	ci->phdrs = hdr + phoff;
	ci->phnum = get_le16(hdr + E_PHNUM);

	for (i = 0; i < ci->phnum; i++) {
		const uint8_t *ph = ci->phdrs + i * PHDR_SIZE;
		uint32_t type = get_le32(ph + P_TYPE);
		uint64_t off = get_le64(ph + P_OFFSET);
		uint64_t vaddr = get_le64(ph + P_VADDR);
		uint64_t paddr = get_le64(ph + P_PADDR);
		uint64_t filesz = get_le64(ph + P_FILESZ);
		uint64_t memsz = get_le64(ph + P_MEMSZ);

		if (type == PT_NOTE) {
			if (filesz > (1u << 20) || off + filesz < off ||
			    off + filesz > MAX_PHYS_ADDR)
				return E_ELF_PHDR;
			ci->nr_note_segs++;
			continue;
		}
		if (type != PT_LOAD)
			continue;
		if (filesz != memsz)
			return E_ELF_RANGE;
		if (vaddr >= BMDUMP_START_KERNEL_MAP) {
			/* The kernel-text alias duplicates RAM listed below. */
			ci->has_text = 1;
			ci->text.start = paddr;
			ci->text.end = paddr + memsz;
			ci->text.src = off;
			ci->text.vaddr = vaddr;
			continue;
		}
		err = add_ram(ci, paddr, memsz, off, vaddr);
		if (err)
			return err;
		if (!ci->page_offset_base && vaddr > paddr)
			ci->page_offset_base = vaddr - paddr;
	}
	if (!ci->nr_ram)
		return E_ELF_NO_RAM;
	for (i = 1; i < ci->nr_ram; i++)
		if (ci->ram[i].start < ci->ram[i - 1].end)
			return E_ELF_OVERLAP;
	merge_touching(ci);
	ci->max_pfn = (ci->ram[ci->nr_ram - 1].end + 4095) >> 12;
	return 0;
}

int core_ram_contains(const struct core_info *ci, uint64_t start, uint64_t end)
{
	unsigned int i;

	if (end < start)
		return 0;
	for (i = 0; i < ci->nr_ram; i++)
		if (start >= ci->ram[i].start && end <= ci->ram[i].end)
			return 1;
	return 0;
}

const void *core_map(const struct core_info *ci, uint64_t pa, uint64_t len)
{
	unsigned int i;

	if (pa + len < pa)
		return NULL;
	for (i = 0; i < ci->nr_ram; i++) {
		const struct core_range *r = &ci->ram[i];

		if (pa >= r->start && pa + len <= r->end)
			return phys_ram(r->src + (pa - r->start), len);
	}
	return NULL;
}

int elfcore_for_each_note(const struct core_info *ci,
			  int (*fn)(const struct core_note *n, void *ctx),
			  void *ctx)
{
	unsigned int i;

	for (i = 0; i < ci->phnum; i++) {
		const uint8_t *ph = ci->phdrs + i * PHDR_SIZE;
		uint64_t pa = get_le64(ph + P_OFFSET);
		uint64_t size = get_le64(ph + P_FILESZ);
		const uint8_t *seg;
		uint64_t off = 0;

		if (get_le32(ph + P_TYPE) != PT_NOTE || !size)
			continue;
		if (!core_ram_contains(ci, pa, pa + size))
			return E_NOTE_UNMAPPED;
		seg = phys_ram(pa, size);
		if (!seg)
			return E_NOTE_UNMAPPED;
		while (off < size) {
			struct core_note n;
			uint64_t total;
			int ret;

			if (size - off < 12)
				return E_NOTE_TRUNCATED;
			n.namesz = get_le32(seg + off);
			n.descsz = get_le32(seg + off + 4);
			n.type = get_le32(seg + off + 8);
			if (!n.namesz)
				break;	/* end of notes in this buffer */
			total = 12 + (uint64_t)align4(n.namesz) +
				align4(n.descsz);
			if (n.namesz > 4096 || n.descsz > (1u << 20) ||
			    total > size - off)
				return E_NOTE_LEN;
			n.name = (const char *)seg + off + 12;
			n.desc = seg + off + 12 + align4(n.namesz);
			n.desc_pa = pa + off + 12 + align4(n.namesz);
			n.raw = seg + off;
			n.raw_len = total;
			ret = fn(&n, ctx);
			if (ret)
				return ret;
			off += total;
		}
	}
	return 0;
}

static int name_is(const struct core_note *n, const char *name, uint32_t len)
{
	/* namesz counts the NUL */
	return n->namesz == len + 1 && !memcmp(n->name, name, len) &&
	       n->name[len] == 0;
}

static int count_note(const struct core_note *n, void *ctx)
{
	struct core_info *ci = ctx;

	ci->notes_bytes += n->raw_len;
	if (n->type == ELF_NT_PRSTATUS && name_is(n, "CORE", 4)) {
		if (n->descsz != PRSTATUS_DESC_SIZE)
			return E_NOTE_PRSTATUS_SIZE;
		ci->nr_cpus++;
	} else if (name_is(n, "VMCOREINFO", 10)) {
		ci->vmcoreinfo_pa = n->desc_pa;
		ci->vmcoreinfo_len = n->descsz;
	}
	return 0;
}

int elfcore_parse_notes(struct core_info *ci)
{
	int err;

	ci->nr_cpus = 0;
	ci->notes_bytes = 0;
	ci->vmcoreinfo_pa = 0;
	ci->vmcoreinfo_len = 0;
	err = elfcore_for_each_note(ci, count_note, ci);
	if (err)
		return err;
	if (!ci->nr_cpus)
		return E_NOTE_NO_PRSTATUS;
	if (!ci->vmcoreinfo_pa)
		return E_NOTE_NO_VMCOREINFO;
	return 0;
}

/*
 * kexec-tools and the kernel write one PT_NOTE per CPU, in CPU order, then
 * VMCOREINFO's.  A CPU that never saved (offline) left its buffer zero, so
 * the nth CPU is the nth buffer, not the nth NT_PRSTATUS note.
 */
const uint8_t *elfcore_prstatus(const struct core_info *ci, unsigned int cpu)
{
	unsigned int i, seen = 0;

	for (i = 0; i < ci->phnum; i++) {
		const uint8_t *ph = ci->phdrs + i * PHDR_SIZE;
		uint64_t pa = get_le64(ph + P_OFFSET);
		uint64_t size = get_le64(ph + P_FILESZ);
		const uint8_t *seg;

		if (get_le32(ph + P_TYPE) != PT_NOTE || !size)
			continue;
		if (ci->vmcoreinfo_pa >= pa && ci->vmcoreinfo_pa < pa + size)
			continue;
		if (seen++ != cpu)
			continue;
		/* Its first note, as crash_save_cpu() writes it. */
		if (size < 12 + 8 + PRSTATUS_DESC_SIZE ||
		    !core_ram_contains(ci, pa, pa + size))
			return NULL;
		seg = phys_ram(pa, 12 + 8 + PRSTATUS_DESC_SIZE);
		if (!seg || get_le32(seg) != 5 ||
		    get_le32(seg + 4) != PRSTATUS_DESC_SIZE ||
		    get_le32(seg + 8) != ELF_NT_PRSTATUS ||
		    memcmp(seg + 12, "CORE", 5))
			return NULL;
		return seg + 12 + 8;
	}
	return NULL;
}
