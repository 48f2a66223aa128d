// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dmesg.h"

#define START_KERNEL_MAP	0xffffffff80000000ull
#define PTE_PRESENT		0x1ull
#define PTE_LARGE		0x80ull
#define PTE_ADDR_MASK		0x000ffffffffff000ull
#define DESC_STATE_SHIFT	62
#define DESC_ID_MASK		(~(3ull << DESC_STATE_SHIFT))
#define DESC_COMMITTED		1
#define DESC_FINALIZED		2
#define LPOS_DATALESS		1ull
#define MAX_TEXT		(64u << 10)
#define MAX_RECORDS		(1u << 24)

struct vm {
	struct kd_image *im;
	struct bm_err *e;
	int64_t phys_base;
	uint64_t pgd;			/* physical address of init_top_pgt */
	int levels;
	uint64_t sme_mask;
	uint64_t cached_pfn;
	uint8_t *page;
};

static int vmci_num(struct kd_image *im, const char *key, int hex,
		    int64_t *v)
{
	char buf[64], *end;

	if (kd_vmcoreinfo(im, key, buf, sizeof(buf)) || !buf[0])
		return -1;
	*v = hex ? (int64_t)strtoull(buf, &end, 16) : strtoll(buf, &end, 10);
	return *end ? -1 : 0;
}

static int need(struct vm *m, const char *key, int hex, int64_t *v)
{
	if (vmci_num(m->im, key, hex, v))
		return bm_seterr(m->e, BM_E_NOTFOUND, "VMCOREINFO has no %s: "
				 "cannot find the kernel log", key);
	return 0;
}

static int read_phys(struct vm *m, uint64_t pa, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t pfn = pa / m->im->bs, off = pa % m->im->bs;
		size_t n = m->im->bs - off < len ? m->im->bs - off : len;

		if (pfn != m->cached_pfn) {
			int r = kd_read_pfn(m->im, pfn, m->page, m->e);

			if (r) {
				m->cached_pfn = UINT64_MAX;
				return bm_seterr(m->e, r == BM_E_NOTFOUND ?
						 BM_E_NOTFOUND : r,
						 "physical address 0x%" PRIx64
						 " of the kernel log is not in "
						 "the dump", pa);
			}
			m->cached_pfn = pfn;
		}
		memcpy(p, m->page + off, n);
		p += n;
		pa += n;
		len -= n;
	}
	return 0;
}

/* Kernel virtual to physical: the kernel image mapping, else a walk of the
 * kernel's own page tables (direct map, vmalloc). */
static int v2p(struct vm *m, uint64_t va, uint64_t *pa)
{
	uint64_t table = m->pgd, entry, mask = PTE_ADDR_MASK & ~m->sme_mask;
	int level, shift;

	if (va >= START_KERNEL_MAP) {
		*pa = va - START_KERNEL_MAP + (uint64_t)m->phys_base;
		return 0;
	}
	for (level = m->levels; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (read_phys(m, table + ((va >> shift) & 511) * 8, &entry, 8))
			return -1;
		if (!(entry & PTE_PRESENT))
			return bm_seterr(m->e, BM_E_NOTFOUND, "kernel address "
					 "0x%" PRIx64 " is not mapped", va);
		if (level <= 3 && level >= 2 && (entry & PTE_LARGE)) {
			uint64_t size = 1ull << shift;

			*pa = (entry & mask & ~(size - 1)) | (va & (size - 1));
			return 0;
		}
		table = entry & mask;
	}
	*pa = table | (va & 4095);
	return 0;
}

static int read_virt(struct vm *m, uint64_t va, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t pa, off = va & 4095;
		size_t n = 4096 - off < len ? 4096 - off : len;

		if (v2p(m, va, &pa) || read_phys(m, pa, p, n))
			return -1;
		p += n;
		va += n;
		len -= n;
	}
	return 0;
}

static int rd64(struct vm *m, uint64_t va, uint64_t *v)
{
	return read_virt(m, va, v, 8);
}

/* As makedumpfile --dump-dmesg prints a record: continuation lines are
 * indented under the text, unprintable bytes escaped.  Unlike makedumpfile,
 * carriage returns, vertical tabs and form feeds are escaped too: the log
 * of a crashed, maybe hostile kernel must not move the operator's cursor
 * (only newline and tab reach the terminal, as for `info`). */
static void put_record(FILE *out, uint64_t ts, const uint8_t *text,
		       size_t len)
{
	char prefix[48];
	int plen;
	size_t i;

	plen = snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ",
			(unsigned long long)(ts / 1000000000u),
			(unsigned long long)(ts % 1000000000u / 1000));
	fputs(prefix, out);
	for (i = 0; i < len; i++) {
		int c = text[i];

		if (c == '\n')
			fprintf(out, "\n%*s", plen, "");
		else if (isprint(c) || c == '\t' || c == ' ')
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
	fputc('\n', out);
}

int kd_dmesg(struct kd_image *im, FILE *out, struct bm_err *e)
{
	struct vm m = { .im = im, .e = e, .cached_pfn = UINT64_MAX };
	int64_t prb_sym, pgt, l5 = 0, sme = 0, o_desc_ring, o_text_ring;
	int64_t o_count_bits, o_descs, o_infos, o_head, o_tail, sz_desc;
	int64_t o_state, o_lpos, o_begin, o_next, sz_info, o_ts, o_len;
	int64_t o_size_bits, o_data;
	uint64_t prb, dr, tr, descs, infos, head, tail, data, id, n = 0;
	uint32_t count_bits = 0, size_bits = 0;
	uint8_t *text = NULL;
	int r = 0;

	e->code = 0;
	if (need(&m, "SYMBOL(prb)", 1, &prb_sym) ||
	    need(&m, "NUMBER(phys_base)", 0, &m.phys_base) ||
	    need(&m, "SYMBOL(init_top_pgt)", 1, &pgt) ||
	    need(&m, "OFFSET(printk_ringbuffer.desc_ring)", 0, &o_desc_ring) ||
	    need(&m, "OFFSET(printk_ringbuffer.text_data_ring)", 0,
		 &o_text_ring) ||
	    need(&m, "OFFSET(prb_desc_ring.count_bits)", 0, &o_count_bits) ||
	    need(&m, "OFFSET(prb_desc_ring.descs)", 0, &o_descs) ||
	    need(&m, "OFFSET(prb_desc_ring.infos)", 0, &o_infos) ||
	    need(&m, "OFFSET(prb_desc_ring.head_id)", 0, &o_head) ||
	    need(&m, "OFFSET(prb_desc_ring.tail_id)", 0, &o_tail) ||
	    need(&m, "SIZE(prb_desc)", 0, &sz_desc) ||
	    need(&m, "OFFSET(prb_desc.state_var)", 0, &o_state) ||
	    need(&m, "OFFSET(prb_desc.text_blk_lpos)", 0, &o_lpos) ||
	    need(&m, "OFFSET(prb_data_blk_lpos.begin)", 0, &o_begin) ||
	    need(&m, "OFFSET(prb_data_blk_lpos.next)", 0, &o_next) ||
	    need(&m, "SIZE(printk_info)", 0, &sz_info) ||
	    need(&m, "OFFSET(printk_info.ts_nsec)", 0, &o_ts) ||
	    need(&m, "OFFSET(printk_info.text_len)", 0, &o_len) ||
	    need(&m, "OFFSET(prb_data_ring.size_bits)", 0, &o_size_bits) ||
	    need(&m, "OFFSET(prb_data_ring.data)", 0, &o_data))
		return e->code;
	vmci_num(im, "NUMBER(pgtable_l5_enabled)", 0, &l5);
	vmci_num(im, "NUMBER(sme_mask)", 0, &sme);
	m.levels = l5 ? 5 : 4;
	m.sme_mask = (uint64_t)sme;
	m.page = malloc(im->bs);
	text = malloc(MAX_TEXT);
	if (!m.page || !text) {
		r = bm_seterr(e, BM_E_NOMEM, "out of memory");
		goto out;
	}
	if (v2p(&m, (uint64_t)pgt, &m.pgd)) {
		r = e->code;
		goto out;
	}
	dr = 0;
	if (rd64(&m, (uint64_t)prb_sym, &prb))
		goto fail;
	dr = prb + (uint64_t)o_desc_ring;
	tr = prb + (uint64_t)o_text_ring;
	if (read_virt(&m, dr + (uint64_t)o_count_bits, &count_bits, 4) ||
	    rd64(&m, dr + (uint64_t)o_descs, &descs) ||
	    rd64(&m, dr + (uint64_t)o_infos, &infos) ||
	    rd64(&m, dr + (uint64_t)o_head, &head) ||
	    rd64(&m, dr + (uint64_t)o_tail, &tail) ||
	    read_virt(&m, tr + (uint64_t)o_size_bits, &size_bits, 4) ||
	    rd64(&m, tr + (uint64_t)o_data, &data))
		goto fail;
	if (count_bits > 30 || size_bits > 40 || sz_desc <= 0 ||
	    sz_desc > 4096 || sz_info <= 0 || sz_info > 4096 ||
	    o_state < 0 || o_state + 8 > sz_desc ||
	    o_lpos < 0 || o_lpos + 16 > sz_desc || o_ts + 8 > sz_info ||
	    o_len + 2 > sz_info) {
		r = bm_seterr(e, BM_E_CORRUPT, "the printk ring buffer "
			      "description is implausible");
		goto out;
	}
	head &= DESC_ID_MASK;
	tail &= DESC_ID_MASK;
	for (id = tail;; id = (id + 1) & DESC_ID_MASK) {
		uint64_t idx = id & ((1ull << count_bits) - 1);
		uint64_t dsc = descs + idx * (uint64_t)sz_desc, sv, begin, next;
		uint64_t inf = infos + idx * (uint64_t)sz_info, ts, dsize;
		uint64_t bi, ni;
		uint16_t len16;
		uint64_t len;
		unsigned int state;

		if (++n > MAX_RECORDS || n > (1ull << count_bits) + 1)
			break;
		if (rd64(&m, dsc + (uint64_t)o_state, &sv))
			goto fail;
		state = (unsigned int)(sv >> DESC_STATE_SHIFT);
		if ((sv & DESC_ID_MASK) != id ||
		    (state != DESC_COMMITTED && state != DESC_FINALIZED))
			goto next;
		if (rd64(&m, dsc + (uint64_t)(o_lpos + o_begin), &begin) ||
		    rd64(&m, dsc + (uint64_t)(o_lpos + o_next), &next) ||
		    rd64(&m, inf + (uint64_t)o_ts, &ts) ||
		    read_virt(&m, inf + (uint64_t)o_len, &len16, 2))
			goto fail;
		len = len16;
		if (begin & LPOS_DATALESS)
			goto next;
		dsize = 1ull << size_bits;
		bi = begin & (dsize - 1);
		ni = next & (dsize - 1);
		/* A block that wraps starts again at the buffer's start. */
		if (begin >> size_bits != next >> size_bits)
			bi = 0;
		if (ni <= bi && ni)
			ni = dsize;
		if (!ni)
			ni = dsize;
		if (bi + 8 > ni)
			goto next;
		if (len > ni - bi - 8)
			len = ni - bi - 8;
		if (len > MAX_TEXT)
			len = MAX_TEXT;
		if (read_virt(&m, data + bi + 8, text, len))
			goto fail;
		put_record(out, ts, text, len);
next:
		if (id == head)
			break;
	}
	goto out;
fail:
	r = e->code ? e->code : BM_E_CORRUPT;
out:
	free(m.page);
	free(text);
	return r;
}
