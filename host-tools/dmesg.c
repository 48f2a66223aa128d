// SPDX-License-Identifier: GPL-2.0
/*
 * The crashed kernel's log out of a dump (dmesg.h), as makedumpfile
 * --dump-dmesg prints it: VMCOREINFO gives the printk ring buffer's place
 * and layout, the kernel's page tables in the dump translate its virtual
 * addresses, and each committed record is printed oldest first.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bmdump/vmcoreinfo.h"
#include "dmesg.h"

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

	if (va >= BMDUMP_START_KERNEL_MAP) {
		*pa = va - BMDUMP_START_KERNEL_MAP + (uint64_t)m->phys_base;
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

static int read_virt_u64(struct vm *m, uint64_t va, uint64_t *v)
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

/* A read through the dump failed: its code, or "corrupt" when the
 * reader left none. */
static int read_failed(struct vm *m)
{
	return m->e->code ? m->e->code : BM_E_CORRUPT;
}

/* Where printk's ring buffer is and how its structures are laid out, as
 * VMCOREINFO tells (every field required). */
struct prb_layout {
	int64_t prb_sym, phys_base, pgt;
	int64_t o_desc_ring, o_text_ring;	/* in printk_ringbuffer */
	int64_t o_count_bits, o_descs, o_infos, o_head, o_tail;
	int64_t sz_desc, o_state, o_lpos;	/* prb_desc */
	int64_t o_begin, o_next;		/* prb_data_blk_lpos */
	int64_t sz_info, o_ts, o_len;		/* printk_info */
	int64_t o_size_bits, o_data;		/* prb_data_ring */
};

#define PRB_FIELD(key, hex, f) { key, hex, offsetof(struct prb_layout, f) }
static const struct {
	const char *key;
	int hex;
	size_t off;
} prb_fields[] = {
	PRB_FIELD("SYMBOL(prb)", 1, prb_sym),
	PRB_FIELD("NUMBER(phys_base)", 0, phys_base),
	PRB_FIELD("SYMBOL(init_top_pgt)", 1, pgt),
	PRB_FIELD("OFFSET(printk_ringbuffer.desc_ring)", 0, o_desc_ring),
	PRB_FIELD("OFFSET(printk_ringbuffer.text_data_ring)", 0, o_text_ring),
	PRB_FIELD("OFFSET(prb_desc_ring.count_bits)", 0, o_count_bits),
	PRB_FIELD("OFFSET(prb_desc_ring.descs)", 0, o_descs),
	PRB_FIELD("OFFSET(prb_desc_ring.infos)", 0, o_infos),
	PRB_FIELD("OFFSET(prb_desc_ring.head_id)", 0, o_head),
	PRB_FIELD("OFFSET(prb_desc_ring.tail_id)", 0, o_tail),
	PRB_FIELD("SIZE(prb_desc)", 0, sz_desc),
	PRB_FIELD("OFFSET(prb_desc.state_var)", 0, o_state),
	PRB_FIELD("OFFSET(prb_desc.text_blk_lpos)", 0, o_lpos),
	PRB_FIELD("OFFSET(prb_data_blk_lpos.begin)", 0, o_begin),
	PRB_FIELD("OFFSET(prb_data_blk_lpos.next)", 0, o_next),
	PRB_FIELD("SIZE(printk_info)", 0, sz_info),
	PRB_FIELD("OFFSET(printk_info.ts_nsec)", 0, o_ts),
	PRB_FIELD("OFFSET(printk_info.text_len)", 0, o_len),
	PRB_FIELD("OFFSET(prb_data_ring.size_bits)", 0, o_size_bits),
	PRB_FIELD("OFFSET(prb_data_ring.data)", 0, o_data),
};

static int find_layout(struct vm *m, struct prb_layout *l)
{
	size_t i;

	for (i = 0; i < sizeof(prb_fields) / sizeof(prb_fields[0]); i++)
		if (need(m, prb_fields[i].key, prb_fields[i].hex,
			 (int64_t *)((char *)l + prb_fields[i].off)))
			return m->e->code;
	return 0;
}

/* The ring's state at the crash: its descriptor and text arrays, the
 * oldest and newest record ids. */
struct prb_ring {
	uint32_t count_bits, size_bits;
	uint64_t descs, infos, head, tail, data;
};

static int read_ring(struct vm *m, const struct prb_layout *l,
		     struct prb_ring *g)
{
	uint64_t prb, dr, tr;

	if (read_virt_u64(m, (uint64_t)l->prb_sym, &prb))
		return read_failed(m);
	dr = prb + (uint64_t)l->o_desc_ring;
	tr = prb + (uint64_t)l->o_text_ring;
	if (read_virt(m, dr + (uint64_t)l->o_count_bits, &g->count_bits, 4) ||
	    read_virt_u64(m, dr + (uint64_t)l->o_descs, &g->descs) ||
	    read_virt_u64(m, dr + (uint64_t)l->o_infos, &g->infos) ||
	    read_virt_u64(m, dr + (uint64_t)l->o_head, &g->head) ||
	    read_virt_u64(m, dr + (uint64_t)l->o_tail, &g->tail) ||
	    read_virt(m, tr + (uint64_t)l->o_size_bits, &g->size_bits, 4) ||
	    read_virt_u64(m, tr + (uint64_t)l->o_data, &g->data))
		return read_failed(m);
	if (g->count_bits > 30 || g->size_bits > 40 || l->sz_desc <= 0 ||
	    l->sz_desc > 4096 || l->sz_info <= 0 || l->sz_info > 4096 ||
	    l->o_state < 0 || l->o_state + 8 > l->sz_desc ||
	    l->o_lpos < 0 || l->o_lpos + 16 > l->sz_desc ||
	    l->o_ts + 8 > l->sz_info || l->o_len + 2 > l->sz_info)
		return bm_seterr(m->e, BM_E_CORRUPT, "the printk ring buffer "
				 "description is implausible");
	g->head &= DESC_ID_MASK;
	g->tail &= DESC_ID_MASK;
	return 0;
}

/* Where record text lies in the data ring: [*bi, *ni), 0; or -1 when the
 * block holds no text. */
static int text_block(const struct prb_ring *g, uint64_t begin,
		      uint64_t next, uint64_t *bi, uint64_t *ni)
{
	uint64_t dsize = 1ull << g->size_bits;

	*bi = begin & (dsize - 1);
	*ni = next & (dsize - 1);
	/* A block that wraps starts again at the buffer's start. */
	if (begin >> g->size_bits != next >> g->size_bits)
		*bi = 0;
	if (*ni <= *bi && *ni)
		*ni = dsize;
	if (!*ni)
		*ni = dsize;
	return *bi + 8 > *ni ? -1 : 0;
}

/* Prints record id when it is committed or finalized and has text. */
static int print_record(struct vm *m, const struct prb_layout *l,
			const struct prb_ring *g, uint64_t id, uint8_t *text,
			FILE *out)
{
	uint64_t idx = id & ((1ull << g->count_bits) - 1);
	uint64_t dsc = g->descs + idx * (uint64_t)l->sz_desc;
	uint64_t inf = g->infos + idx * (uint64_t)l->sz_info;
	uint64_t sv, begin, next, ts, bi, ni, len;
	uint64_t lpos = dsc + (uint64_t)l->o_lpos;
	unsigned int state;
	uint16_t len16;

	if (read_virt_u64(m, dsc + (uint64_t)l->o_state, &sv))
		return read_failed(m);
	state = (unsigned int)(sv >> DESC_STATE_SHIFT);
	if ((sv & DESC_ID_MASK) != id ||
	    (state != DESC_COMMITTED && state != DESC_FINALIZED))
		return 0;
	if (read_virt_u64(m, lpos + (uint64_t)l->o_begin, &begin) ||
	    read_virt_u64(m, lpos + (uint64_t)l->o_next, &next) ||
	    read_virt_u64(m, inf + (uint64_t)l->o_ts, &ts) ||
	    read_virt(m, inf + (uint64_t)l->o_len, &len16, 2))
		return read_failed(m);
	len = len16;
	if (begin & LPOS_DATALESS || text_block(g, begin, next, &bi, &ni))
		return 0;
	if (len > ni - bi - 8)
		len = ni - bi - 8;
	if (len > MAX_TEXT)
		len = MAX_TEXT;
	if (read_virt(m, g->data + bi + 8, text, len))
		return read_failed(m);
	put_record(out, ts, text, len);
	return 0;
}

int kd_dmesg(struct kd_image *im, FILE *out, struct bm_err *e)
{
	struct vm m = { .im = im, .e = e, .cached_pfn = UINT64_MAX };
	struct prb_layout l;
	struct prb_ring g;
	int64_t l5 = 0, sme = 0;
	uint64_t id, n = 0;
	uint8_t *text = NULL;
	int r;

	e->code = 0;
	r = find_layout(&m, &l);
	if (r)
		return r;
	m.phys_base = l.phys_base;
	vmci_num(im, "NUMBER(pgtable_l5_enabled)", 0, &l5);
	vmci_num(im, "NUMBER(sme_mask)", 0, &sme);
	m.levels = l5 ? 5 : 4;
	m.sme_mask = (uint64_t)sme;
	m.page = malloc(im->bs);
	text = malloc(MAX_TEXT);
	if (!m.page || !text) {
		r = bm_seterr(e, BM_E_NOMEM, "out of memory");
		goto err_free;
	}
	if (v2p(&m, (uint64_t)l.pgt, &m.pgd)) {
		r = e->code;
		goto err_free;
	}
	r = read_ring(&m, &l, &g);
	if (r)
		goto err_free;
	for (id = g.tail;; id = (id + 1) & DESC_ID_MASK) {
		if (++n > MAX_RECORDS || n > (1ull << g.count_bits) + 1)
			break;
		r = print_record(&m, &l, &g, id, text, out);
		if (r || id == g.head)
			break;
	}
err_free:
	free(m.page);
	free(text);
	return r;
}
