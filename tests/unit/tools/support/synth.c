// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <bmdump/kdump.h>

#include "bmdump.h"
#include "compress.h"
#include "synth.h"

#define BS 4096u

static uint32_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

int synth_is_ram(uint64_t pfn)
{
	/* The legacy VGA/BIOS hole, as on x86. */
	return !(pfn >= 0xa0 && pfn < 0x100);
}

int synth_is_dumped(uint64_t pfn, uint32_t seed)
{
	return synth_is_ram(pfn) && mix(pfn * 7 + seed) % 4 != 0;
}

void synth_page(uint64_t pfn, uint32_t seed, uint8_t out[4096])
{
	uint32_t kind = mix(pfn ^ ((uint64_t)seed << 32)) % 5, i;

	switch (kind) {
	case 0:		/* zero page */
		memset(out, 0, BS);
		break;
	case 1:		/* incompressible */
		for (i = 0; i < BS / 4; i++) {
			uint32_t v = mix(pfn * 4096 + i + seed);

			memcpy(out + i * 4, &v, 4);
		}
		break;
	default:	/* compressible: a pattern with the pfn in it */
		for (i = 0; i < BS / 8; i++) {
			uint64_t v = (pfn << 16) | (i % 37);

			memcpy(out + i * 8, &v, 8);
		}
		break;
	}
}

static void put_note(uint8_t **p, uint32_t type, const char *name,
		     const void *desc, uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1;

	memcpy(*p, &namesz, 4);
	memcpy(*p + 4, &descsz, 4);
	memcpy(*p + 8, &type, 4);
	*p += 12;
	memcpy(*p, name, namesz);
	*p += (namesz + 3) & ~3u;
	memcpy(*p, desc, descsz);
	*p += (descsz + 3) & ~3u;
}

static const char vmcoreinfo[] =
	"OSRELEASE=" SYNTH_RELEASE "\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffffffff82e0a000\n"
	"NUMBER(phys_base)=0\n"
	"KERNELOFFSET=0\n"
	"CRASHTIME=1700000000\n";

int synth_build(struct synth *s, const struct synth_opts *o)
{
	struct kdump_layout l;
	struct disk_dump_header *h;
	struct kdump_sub_header *sub;
	struct compressor comp;
	uint64_t pfn, nd = 0, nz = 0, idx = 0, cursor;
	uint64_t note_size, vmci_desc_off;
	uint8_t page[BS], *cbuf, *p;
	int kind = BM_COMP_NONE;
	unsigned int cpu;

	memset(s, 0, sizeof(*s));
	for (pfn = 0; pfn < o->max_mapnr; pfn++) {
		if (!synth_is_dumped(pfn, o->seed))
			continue;
		nd++;
		synth_page(pfn, o->seed, page);
		for (unsigned int i = 0; i < BS; i++)
			if (page[i])
				goto nonzero;
		nz++;
nonzero:;
	}
	note_size = o->nr_cpus * (12 + 8 + 336) +
		    12 + 12 + ((sizeof(vmcoreinfo) - 1 + 3) & ~3u);
	if (kdump_layout_compute(&l, BS, o->max_mapnr, note_size, nd, nd - nz))
		return -1;
	if (o->page_flags == DUMP_DH_PAGE_ZLIB)
		kind = BM_COMP_ZLIB;
	else if (o->page_flags == DUMP_DH_PAGE_LZO)
		kind = BM_COMP_LZO;
	else if (o->page_flags == DUMP_DH_PAGE_ZSTD)
		kind = BM_COMP_ZSTD;
	else if (o->page_flags == DUMP_DH_PAGE_SNAPPY)
		kind = BM_COMP_SNAPPY;
	if (comp_init(&comp, kind, BS))
		return -1;
	s->data = calloc(1, l.total_bytes);
	cbuf = malloc(comp.bound + BS);
	if (!s->data || !cbuf) {
		free(cbuf);
		comp_free(&comp);
		return -1;
	}
	h = (struct disk_dump_header *)s->data;
	memcpy(h->signature, KDUMP_SIGNATURE, KDUMP_SIG_LEN);
	h->header_version = KDUMP_HEADER_VERSION;
	strcpy(h->utsname.sysname, "Linux");
	strcpy(h->utsname.nodename, SYNTH_NODE);
	strcpy(h->utsname.release, SYNTH_RELEASE);
	strcpy(h->utsname.version, "#1 SMP synth");
	strcpy(h->utsname.machine, "x86_64");
	h->timestamp.tv_sec = SYNTH_TIME;
	h->status = (o->incomplete ? DUMP_DH_COMPRESSED_INCOMPLETE : 0) |
		    comp_header_flag(kind);
	h->block_size = BS;
	h->sub_hdr_size = (int32_t)l.sub_hdr_blocks;
	h->bitmap_blocks = (uint32_t)l.bitmap_blocks;
	h->max_mapnr = (uint32_t)o->max_mapnr;
	h->nr_cpus = (int32_t)o->nr_cpus;

	sub = (struct kdump_sub_header *)(s->data + BS);
	sub->phys_base = 0;
	sub->dump_level = 31;
	sub->offset_note = l.note_offset;
	sub->size_note = note_size;
	sub->max_mapnr_64 = o->max_mapnr;
	p = s->data + l.note_offset;
	for (cpu = 0; cpu < o->nr_cpus; cpu++) {
		uint8_t prs[336];
		uint64_t rip = SYNTH_RIP(cpu), rsp = 0xffffc90000000000ull;
		uint32_t pid = cpu ? 0 : 1234;

		memset(prs, 0, sizeof(prs));
		memcpy(prs + 32, &pid, 4);
		memcpy(prs + 112 + 16 * 8, &rip, 8);
		memcpy(prs + 112 + 19 * 8, &rsp, 8);
		put_note(&p, 1, "CORE", prs, sizeof(prs));
	}
	vmci_desc_off = (uint64_t)(p - s->data) + 12 + 12;
	put_note(&p, 0, "VMCOREINFO", vmcoreinfo, sizeof(vmcoreinfo) - 1);
	sub->offset_vmcoreinfo = vmci_desc_off;
	sub->size_vmcoreinfo = sizeof(vmcoreinfo) - 1;

	cursor = l.data_offset + BS;	/* after the shared zero block */
	for (pfn = 0; pfn < o->max_mapnr; pfn++) {
		struct page_desc pd = { 0 };
		size_t n;

		if (synth_is_ram(pfn))
			s->data[l.bitmap_offset + pfn / 8] |=
				(uint8_t)(1u << (pfn & 7));
		if (!synth_is_dumped(pfn, o->seed))
			continue;
		s->data[l.bitmap_offset + l.bitmap_half_bytes + pfn / 8] |=
			(uint8_t)(1u << (pfn & 7));
		synth_page(pfn, o->seed, page);
		if (is_all_zero(page, BS)) {
			pd.offset = (int64_t)l.zero_page_offset;
			pd.size = BS;
		} else if (kind && (n = comp_page(&comp, page, cbuf)) != 0) {
			pd.offset = (int64_t)cursor;
			pd.size = (uint32_t)n;
			pd.flags = o->page_flags;
			memcpy(s->data + cursor, cbuf, n);
			cursor += n;
		} else {
			pd.offset = (int64_t)cursor;
			pd.size = BS;
			memcpy(s->data + cursor, page, BS);
			cursor += BS;
		}
		memcpy(s->data + l.desc_offset + idx * sizeof(pd), &pd,
		       sizeof(pd));
		idx++;
	}
	s->len = cursor;
	s->nr_dumpable = nd;
	s->nr_zero = nz;
	free(cbuf);
	comp_free(&comp);
	return 0;
}

void synth_free(struct synth *s)
{
	free(s->data);
	memset(s, 0, sizeof(*s));
}
