// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's page scan (scan.h).  How a pfn's struct page is found, as
 * makedumpfile finds it on x86-64 from VMCOREINFO alone:
 *
 *   SYMBOL(mem_section)     the root array (SPARSEMEM_EXTREME): LENGTH
 *                           pointers to arrays of PAGE_SIZE / SIZE(
 *                           mem_section) sections
 *   section_mem_map         mem_map - first pfn of the section (i.e. the
 *                           vmemmap base), flag bits below bit 6
 *   struct page of pfn      (section_mem_map & ~0x3f) + pfn * SIZE(page)
 *
 * Both the root array (direct map) and vmemmap are kernel virtual
 * addresses: they are translated through the crashed kernel's own page
 * tables, from SYMBOL(init_top_pgt) placed by phys_base.  Every table
 * entry, root pointer, section and struct page is read with core_map(),
 * which refuses anything outside the crashed kernel's RAM; what cannot be
 * read is dumped.
 */
#include "scan.h"
#include "bmdump/classify_vmci.h"
#include "bmdump/kernels.h"
#include "errors.h"

/* section_mem_map flags (include/linux/mmzone.h, 6.1 and 6.12) */
#define SECTION_MARKED_PRESENT	(1ull << 0)
#define SECTION_HAS_MEM_MAP	(1ull << 1)
#define SECTION_IS_ONLINE	(1ull << 2)
#define SECTION_IS_EARLY	(1ull << 3)
/* SECTION_MAP_LAST_BIT is at most 6 (ZONE_DEVICE + vmemmap optimization) */
#define SECTION_MAP_MASK	(~0x3full)
/*
 * A section the stub classifies: present, with a mem_map, online (the
 * struct pages of an offline section are undefined) and early: a
 * hot-plugged section is valid only in the subsections that were added,
 * and the subsection map is not in VMCOREINFO, so it is dumped whole.
 */
#define SECTION_SCANNABLE	(SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP | \
				 SECTION_IS_ONLINE | SECTION_IS_EARLY)

/* x86-64 page table entries (SDM vol. 3, 4.5) */
#define PTE_PRESENT		(1ull << 0)
#define PTE_PSE			(1ull << 7)	/* 1 GiB / 2 MiB leaf */
#define PTE_ADDR_MASK		0x000ffffffffff000ull
#define PT_ENTRIES		512

#define SCAN_PAGE_SHIFT		12
#define SCAN_PAGE_SIZE		(1ull << SCAN_PAGE_SHIFT)
/* struct page is 64 bytes on every x86-64 kernel; allow debug growth */
#define SCAN_PAGE_MIN		40
#define SCAN_PAGE_MAX		512
#define SCAN_MAX_ROOTS		(1ull << 20)

/* Little-endian load of n <= 8 bytes. */
static uint64_t ld(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* --- layout from VMCOREINFO ---------------------------------------------- */

static int get_off(const char *t, size_t len, const char *key,
		   uint64_t width, uint64_t size, uint64_t *off)
{
	int64_t v;

	if (vmcoreinfo_get_dec(t, len, key, &v) || v < 0 ||
	    (uint64_t)v + width > size)
		return -1;
	*off = (uint64_t)v;
	return 0;
}

static int get_range(const char *t, size_t len, const char *key,
		     int64_t lo, int64_t hi, uint64_t *out)
{
	int64_t v;

	if (vmcoreinfo_get_dec(t, len, key, &v) || v < lo || v > hi)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* "6.12.117+deb12-amd64": is 6.12 a line whose layout we verified? */
static int kernel_known(const char *rel)
{
	unsigned int major = 0, minor = 0, i = 0;

	while (rel[i] >= '0' && rel[i] <= '9' && major < 1000)
		major = major * 10 + (unsigned int)(rel[i++] - '0');
	if (!i || rel[i++] != '.')
		return 0;
	if (rel[i] < '0' || rel[i] > '9')
		return 0;
	while (rel[i] >= '0' && rel[i] <= '9' && minor < 1000)
		minor = minor * 10 + (unsigned int)(rel[i++] - '0');
	return BMDUMP_KERNEL_SUPPORTED(major, minor);
}

static int parse_page(const char *t, size_t len, struct scan_layout *l)
{
	uint64_t s;

	if (get_range(t, len, "SIZE(page)", SCAN_PAGE_MIN, SCAN_PAGE_MAX, &s))
		return E_SCAN_LAYOUT;
	l->page_size = s;
	if (get_off(t, len, "OFFSET(page.flags)", 8, s, &l->off_flags) ||
	    get_off(t, len, "OFFSET(page.mapping)", 8, s, &l->off_mapping) ||
	    get_off(t, len, "OFFSET(page.private)", 8, s, &l->off_private) ||
	    get_off(t, len, "OFFSET(page._mapcount)", 4, s,
		    &l->off_mapcount) ||
	    get_off(t, len, "OFFSET(page.compound_head)", 8, s,
		    &l->off_compound_head))
		return E_SCAN_LAYOUT;
	/*
	 * 6.1 exports page[1]'s compound_order and compound_dtor; from 6.6
	 * the order is the low byte of page[1].flags (folio->_flags_1) and
	 * hugetlb a page type, as makedumpfile reads them.
	 */
	l->has_order = !get_off(t, len, "OFFSET(page.compound_order)", 1, s,
				&l->off_order);
	if (l->has_order &&
	    get_off(t, len, "OFFSET(page.compound_dtor)", 1, s, &l->off_dtor))
		return E_SCAN_LAYOUT;
	return 0;
}

static int parse_sections(const char *t, size_t len, struct scan_layout *l)
{
	uint64_t bits;

	if (get_range(t, len, "NUMBER(SECTION_SIZE_BITS)", 15, 40, &bits) ||
	    vmcoreinfo_get_hex(t, len, "SYMBOL(mem_section)",
			       &l->mem_section) ||
	    get_range(t, len, "LENGTH(mem_section)", 1, SCAN_MAX_ROOTS,
		      &l->nr_roots) ||
	    get_range(t, len, "SIZE(mem_section)", 8, SCAN_PAGE_SIZE,
		      &l->section_size) ||
	    (SCAN_PAGE_SIZE % l->section_size) ||
	    get_off(t, len, "OFFSET(mem_section.section_mem_map)", 8,
		    l->section_size, &l->off_section_map))
		return E_SCAN_LAYOUT;
	l->pfn_section_shift = (unsigned int)bits - SCAN_PAGE_SHIFT;
	return 0;
}

static int parse_pgtable(const char *t, size_t len,
			 const struct vmcoreinfo *vi,
			 const struct core_info *ci, struct scan_layout *l)
{
	uint64_t sym, sme = 0;
	int64_t v;

	if (vmcoreinfo_get_hex(t, len, "SYMBOL(init_top_pgt)", &sym))
		return E_SCAN_LAYOUT;
	if (vmcoreinfo_kimage_pa(vi, sym, &l->top_pgt_pa) ||
	    l->top_pgt_pa % SCAN_PAGE_SIZE ||
	    !core_map(ci, l->top_pgt_pa, SCAN_PAGE_SIZE))
		return E_SCAN_PGTABLE;
	if (!vmcoreinfo_get_dec(t, len, "NUMBER(sme_mask)", &v))
		sme = (uint64_t)v;
	l->sme_mask = sme;
	l->l5 = vi->pgtable_l5_enabled;
	return 0;
}

int scan_layout_parse(const char *text, size_t len,
		      const struct core_info *ci, struct scan_layout *l)
{
	struct vmcoreinfo vi;
	int err;

	*l = (struct scan_layout){ 0 };
	if (vmcoreinfo_parse(text, len, &vi))
		return E_SCAN_LAYOUT;
	if (!kernel_known(vi.osrelease))
		return E_SCAN_KERNEL;
	if (bmdump_page_bits_from_vmci(text, len, &l->bits))
		return E_SCAN_LAYOUT;
	err = parse_page(text, len, l);
	if (!err)
		err = parse_sections(text, len, l);
	if (!err)
		err = parse_pgtable(text, len, &vi, ci, l);
	l->tail_run_max = SCAN_TAIL_RUN_MAX;
	return err;
}

/* --- kernel virtual addresses -------------------------------------------- */

int scan_va_to_pa(const struct core_info *ci, const struct scan_layout *l,
		  struct scan_xlat *x, uint64_t va, uint64_t *pa)
{
	uint64_t table = l->top_pgt_pa;
	unsigned int shift = l->l5 ? 48 : 39;

	if (x->size && va - x->va < x->size) {
		*pa = x->pa + (va - x->va);
		return 1;
	}
	for (;;) {
		uint64_t idx = (va >> shift) & (PT_ENTRIES - 1);
		const uint8_t *e = core_map(ci, table + idx * 8, 8);
		uint64_t ent, size = 1ull << shift;

		if (!e)
			return 0;
		ent = ld(e, 8) & ~l->sme_mask;
		if (!(ent & PTE_PRESENT))
			return 0;
		if (shift == SCAN_PAGE_SHIFT ||
		    ((shift == 21 || shift == 30) && (ent & PTE_PSE))) {
			x->va = va & ~(size - 1);
			x->size = size;
			x->pa = ent & PTE_ADDR_MASK & ~(size - 1);
			*pa = x->pa + (va - x->va);
			return 1;
		}
		if (shift == 48 || shift == 39) {
			/* PSE is reserved above the PUD: a corrupt entry */
			if (ent & PTE_PSE)
				return 0;
		}
		table = ent & PTE_ADDR_MASK;
		shift -= 9;
	}
}

/* len bytes at kernel virtual va, within one leaf mapping, or NULL. */
static const uint8_t *map_va(const struct core_info *ci,
			     const struct scan_layout *l, struct scan_xlat *x,
			     uint64_t va, uint64_t len)
{
	uint64_t pa;

	if (!scan_va_to_pa(ci, l, x, va, &pa))
		return NULL;
	if (va - x->va > x->size - len)
		return NULL;
	return core_map(ci, pa, len);
}

/* --- sections and struct pages ------------------------------------------- */

struct scan_ctx {
	const struct core_info *ci;
	const struct scan_layout *l;
	struct scan_xlat dmap;		/* mem_section arrays */
	struct scan_xlat vmemmap;	/* struct pages */
	uint64_t *bm;
	struct scan_result *res;
};

/* The mem_map base of section nr, or 0 when it is not to be scanned. */
static uint64_t section_memmap(struct scan_ctx *c, uint64_t nr)
{
	const struct scan_layout *l = c->l;
	uint64_t per_root = SCAN_PAGE_SIZE / l->section_size;
	uint64_t root = nr / per_root, arr, map;
	const uint8_t *p;

	if (root >= l->nr_roots)
		return 0;
	p = map_va(c->ci, l, &c->dmap, l->mem_section + root * 8, 8);
	if (!p)
		return 0;
	arr = ld(p, 8);
	if (!arr)
		return 0;
	p = map_va(c->ci, l, &c->dmap, arr + (nr % per_root) *
		   l->section_size + l->off_section_map, 8);
	if (!p)
		return 0;
	map = ld(p, 8);
	if ((map & SECTION_SCANNABLE) != SECTION_SCANNABLE)
		return 0;
	return map & SECTION_MAP_MASK;
}

/* The words of pfn's struct page (and page[1]) into v: 0 if unreadable. */
static int read_view(struct scan_ctx *c, uint64_t memmap, uint64_t pfn,
		     struct bmdump_page_view *v)
{
	const struct scan_layout *l = c->l;
	uint64_t va = memmap + pfn * l->page_size;
	const uint8_t *p = map_va(c->ci, l, &c->vmemmap, va, l->page_size);

	if (!p)
		return 0;
	*v = (struct bmdump_page_view){ 0 };
	v->flags = ld(p + l->off_flags, 8);
	v->compound_head = ld(p + l->off_compound_head, 8);
	v->mapping = ld(p + l->off_mapping, 8);
	v->private = ld(p + l->off_private, 8);
	v->mapcount = (uint32_t)ld(p + l->off_mapcount, 4);
	if (!bmdump_reads_next(&l->bits, v->flags, pfn))
		return 1;
	p = map_va(c->ci, l, &c->vmemmap, va + l->page_size, l->page_size);
	if (!p)
		return 0;
	if (l->has_order) {
		v->next_order = p[l->off_order];
		v->next_dtor = p[l->off_dtor];
	} else {
		v->next_order = (uint8_t)ld(p + l->off_flags, 1);
	}
	return 1;
}

/*
 * A word only partly inside [pfn, pfn + n) may be shared with another
 * CPU's share (scan_split()): its bits are set with an atomic or.  A
 * whole word lies in one share, so a plain store is enough.
 */
static void bm_set_bit(uint64_t *bm, uint64_t pfn)
{
	__atomic_fetch_or(&bm[pfn / 64], 1ull << (pfn % 64),
			  __ATOMIC_RELAXED);
}

static void bm_set_run(uint64_t *bm, uint64_t pfn, uint64_t n)
{
	uint64_t end = pfn + n;

	for (; pfn < end && (pfn % 64); pfn++)
		bm_set_bit(bm, pfn);
	for (; end - pfn >= 64; pfn += 64)
		bm[pfn / 64] = ~0ull;
	for (; pfn < end; pfn++)
		bm_set_bit(bm, pfn);
}

static void account(struct scan_ctx *c, uint64_t pfn, uint64_t n,
		    unsigned int class, int keep)
{
	c->res->count[class] += n;
	if (keep) {
		bm_set_run(c->bm, pfn, n);
		c->res->pages_set += n;
	}
}

/* A verdict covering several pfns, possibly into the next range. */
struct scan_run {
	uint64_t end;
	unsigned int class;
	int keep;
};

/* pfns [pfn, end) of one RAM range; returns nothing, fills bm. */
static void scan_range(struct scan_ctx *c, uint64_t pfn, uint64_t end,
		       unsigned int level, struct scan_run *run)
{
	uint64_t max_pfn = c->ci->max_pfn, section_end = pfn, memmap = 0;
	unsigned int shift = c->l->pfn_section_shift;

	while (pfn < end) {
		struct bmdump_page_view v;
		struct bmdump_verdict d;
		uint64_t n;

		if (pfn < run->end) {
			n = (run->end < end ? run->end : end) - pfn;
			account(c, pfn, n, run->class, run->keep);
			pfn += n;
			continue;
		}
		if (pfn >= section_end) {
			memmap = section_memmap(c, pfn >> shift);
			section_end = ((pfn >> shift) + 1) << shift;
			if (memmap)
				c->res->sections++;
			else
				c->res->sections_kept++;
		}
		if (!memmap || !read_view(c, memmap, pfn, &v)) {
			/* RAM we cannot classify is dumped */
			n = (memmap ? pfn + 1 : section_end < end ?
			     section_end : end) - pfn;
			account(c, pfn, n, BMDUMP_CLASS_UNKNOWN, 1);
			pfn += n;
			continue;
		}
		d = bmdump_classify(&c->l->bits, &v, level, pfn);
		n = d.nr < max_pfn - pfn ? d.nr : max_pfn - pfn;
		if (n == 1) {
			account(c, pfn, 1, d.class, d.keep);
			pfn++;
			continue;
		}
		run->end = pfn + n;
		run->class = d.class;
		run->keep = d.keep;
	}
}

/*
 * Where a share that nominally starts at pfn b really starts: the first
 * pfn from b on that is not the tail of a compound page (a gigantic page
 * may cross b; the share before b covers it with its head's verdict, as
 * one CPU would).  A pfn that cannot be read ends the search: one CPU
 * keeps it as unreadable too.  So does a run of tails longer than any
 * page: poisoned struct pages must not make every boundary in them walk
 * to the end of RAM.
 */
static uint64_t handover(struct scan_ctx *c, uint64_t b)
{
	unsigned int shift = c->l->pfn_section_shift;
	uint64_t memmap = 0, section = ~0ull, end = c->ci->max_pfn;

	if (!b)
		return 0;
	if (b >= end)
		return end;
	if (end - b > c->l->tail_run_max)
		end = b + c->l->tail_run_max;
	for (; b < end; b++) {
		struct bmdump_page_view v;

		if (b >> shift != section) {
			section = b >> shift;
			memmap = section_memmap(c, section);
		}
		if (!memmap || !read_view(c, memmap, b, &v) ||
		    !(v.compound_head & 1))
			return b;
	}
	return end;
}

int scan_classify_share(const struct core_info *ci,
			const struct scan_layout *l, unsigned int level,
			uint64_t *bm, uint64_t lo, uint64_t hi,
			struct scan_result *res)
{
	struct scan_ctx c = { .ci = ci, .l = l, .bm = bm, .res = res };
	struct scan_run run = { 0 };
	uint64_t i;

	*res = (struct scan_result){ 0 };
	lo = handover(&c, lo);
	hi = hi >= ci->max_pfn ? ci->max_pfn : handover(&c, hi);
	for (i = 0; i < ci->nr_ram && lo < hi; i++) {
		uint64_t pfn = ci->ram[i].start >> SCAN_PAGE_SHIFT;
		/* a partial page at either end is RAM too: dump it if kept */
		uint64_t end = (ci->ram[i].end + SCAN_PAGE_SIZE - 1) >>
			       SCAN_PAGE_SHIFT;

		if (pfn < lo)
			pfn = lo;
		if (end > hi)
			end = hi;
		if (pfn >= end)
			continue;
		scan_range(&c, pfn, end, level, &run);
		/* RAM ranges overlap at partial pages: scan each pfn once */
		lo = end;
	}
	return 0;
}

/*
 * RAM range i as pfns [*pfn, *end), clipped to max_pfn and to what the
 * ranges before it (ending at prev_end) did not already cover; 0 when
 * nothing is left of it.
 */
static int ram_span(const struct core_info *ci, uint64_t i,
		    uint64_t prev_end, uint64_t *pfn, uint64_t *end)
{
	*pfn = ci->ram[i].start >> SCAN_PAGE_SHIFT;
	*end = (ci->ram[i].end + SCAN_PAGE_SIZE - 1) >> SCAN_PAGE_SHIFT;
	if (*end > ci->max_pfn)
		*end = ci->max_pfn;
	if (*pfn < prev_end)
		*pfn = prev_end;
	return *pfn < *end;
}

uint64_t scan_holes(const struct core_info *ci)
{
	uint64_t prev_end = 0, holes = 0, pfn, end, i;

	for (i = 0; i < ci->nr_ram; i++) {
		if (!ram_span(ci, i, prev_end, &pfn, &end))
			continue;
		holes += pfn - prev_end;
		prev_end = end;
	}
	return holes + ci->max_pfn - prev_end;
}

/* RAM pfns below max_pfn, each counted once. */
static uint64_t ram_pfns(const struct core_info *ci)
{
	return ci->max_pfn - scan_holes(ci);
}

/* The pfn at which RAM pfn number k (0-based, in address order) lies. */
static uint64_t nth_ram_pfn(const struct core_info *ci, uint64_t k)
{
	uint64_t prev_end = 0, pfn, end, i;

	for (i = 0; i < ci->nr_ram; i++) {
		if (!ram_span(ci, i, prev_end, &pfn, &end))
			continue;
		if (k < end - pfn)
			return pfn + k;
		k -= end - pfn;
		prev_end = end;
	}
	return ci->max_pfn;
}

unsigned int scan_split(const struct core_info *ci,
			const struct scan_layout *l, unsigned int n,
			uint64_t *bounds)
{
	uint64_t align = 1ull << l->pfn_section_shift, total, prev = 0;
	unsigned int i;

	/* free blocks never cross a section: nor does a share boundary */
	if (l->bits.max_order < 40 && (1ull << l->bits.max_order) > align)
		align = 1ull << l->bits.max_order;
	if (!n)
		n = 1;
	total = ram_pfns(ci);
	bounds[0] = 0;
	for (i = 1; i < n; i++) {
		uint64_t b = nth_ram_pfn(ci, total / n * i) / align * align;

		bounds[i] = b < prev ? prev : b;
		prev = bounds[i];
	}
	bounds[n] = ci->max_pfn;
	return n;
}

void scan_result_add(struct scan_result *sum, const struct scan_result *r)
{
	unsigned int i;

	for (i = 0; i < BMDUMP_NR_CLASSES; i++)
		sum->count[i] += r->count[i];
	sum->pages_set += r->pages_set;
	sum->sections += r->sections;
	sum->sections_kept += r->sections_kept;
}

void scan_clear(const struct core_info *ci, uint64_t *bm)
{
	uint64_t i;

	for (i = 0; i < (ci->max_pfn + 63) / 64; i++)
		bm[i] = 0;
}

int scan_classify(const struct core_info *ci, const struct scan_layout *l,
		  unsigned int level, uint64_t *bm, struct scan_result *res)
{
	scan_clear(ci, bm);
	scan_classify_share(ci, l, level, bm, 0, ci->max_pfn, res);
	res->count[BMDUMP_CLASS_HOLE] += scan_holes(ci);
	return res->sections ? 0 : E_SCAN_SECTIONS;
}
