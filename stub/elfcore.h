/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ELF core header the loader built for the crash kernel (elfcorehdr=):
 * the crashed kernel's RAM (PT_LOAD), every CPU's registers (NT_PRSTATUS)
 * and VMCOREINFO.  Layout as kexec-tools' crashdump-elf.c and the kernel's
 * crash_prepare_elf64_headers() write it.
 */
#ifndef STUB_ELFCORE_H
#define STUB_ELFCORE_H

#include "bmdump/types.h"
#include "bmdump/vmcoreinfo.h"

#define CORE_MAX_RAM		512
#define CORE_MAX_PHDRS		8192
#define CORE_MAX_HDR_BYTES	(64 + CORE_MAX_PHDRS * 56)

#define ELF_NT_PRSTATUS		1
#define PRSTATUS_DESC_SIZE	336
#define PRSTATUS_PID		32
#define PRSTATUS_REGS		112
#define PRSTATUS_REG_RSP	19
#define PRSTATUS_REG_RIP	16

/* One PT_LOAD of RAM. */
struct core_range {
	uint64_t start;		/* physical; not always page aligned */
	uint64_t end;		/* exclusive */
	uint64_t src;		/* where the bytes are now (kexec_load backup) */
	uint64_t vaddr;
};

struct core_info {
	const uint8_t *hdr;
	uint64_t hdr_addr;
	uint64_t hdr_len;	/* ehdr + phdrs */
	const uint8_t *phdrs;
	unsigned int phnum;
	struct core_range ram[CORE_MAX_RAM];	/* sorted, disjoint */
	unsigned int nr_ram;
	uint64_t ram_bytes;
	uint64_t max_pfn;	/* pfn after the highest RAM page */
	int has_text;
	struct core_range text;	/* kernel text alias, not RAM */
	uint64_t page_offset_base;
	unsigned int nr_note_segs;
	/* filled by elfcore_parse_notes() */
	unsigned int nr_cpus;
	uint64_t vmcoreinfo_pa;	/* the text, i.e. the note's desc */
	uint32_t vmcoreinfo_len;
	uint64_t notes_bytes;	/* size of the merged note blob */
};

/* Bytes of header to read: needs the first 64 bytes at hdr. */
int elfcore_header_len(const uint8_t *hdr, uint64_t avail, uint64_t *len);

/* Validate the header and phdrs in [hdr, hdr + len); collect RAM ranges. */
int elfcore_parse(const uint8_t *hdr, uint64_t hdr_addr, uint64_t len,
		  struct core_info *ci);

/* Walk every PT_NOTE (via phys_ram): count CPUs, find VMCOREINFO. */
int elfcore_parse_notes(struct core_info *ci);

struct core_note {
	uint32_t type;
	const char *name;	/* namesz bytes */
	uint32_t namesz;
	uint64_t desc_pa;
	const uint8_t *desc;
	uint32_t descsz;
	const uint8_t *raw;	/* the whole note, for merging */
	uint64_t raw_len;
};

/*
 * Call fn for every real note in phdr order (empty CPU buffers skipped);
 * stops at the first non-zero return and passes it back.
 */
int elfcore_for_each_note(const struct core_info *ci,
			  int (*fn)(const struct core_note *n, void *ctx),
			  void *ctx);

/*
 * CPU cpu's NT_PRSTATUS desc: the cpu-th per-CPU PT_NOTE buffer (Linux CPU
 * numbers, in the order kexec-tools and the kernel list them), or NULL if
 * that CPU never saved its registers.  Call after elfcore_parse_notes().
 */
const uint8_t *elfcore_prstatus(const struct core_info *ci, unsigned int cpu);

/* Map [pa, pa + len) of the crashed kernel's RAM, honouring the backup. */
const void *core_map(const struct core_info *ci, uint64_t pa, uint64_t len);

/* Is [start, end) inside the crashed kernel's RAM? */
int core_ram_contains(const struct core_info *ci, uint64_t start,
		      uint64_t end);

#endif /* STUB_ELFCORE_H */
