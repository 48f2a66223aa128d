// SPDX-License-Identifier: GPL-2.0
/*
 * The fill: one pass over the pfns of System RAM that sets a bit for every
 * page worth dumping, at panic (from the machine_kexec hook, with the other
 * CPUs stopped) and once at load over live memory (the dry run).
 *
 * At panic this code runs in a kernel known to be broken, so it only reads
 * struct pages and writes memory allocated at load: no locks, no
 * allocation, no printk, no clock but the TSC, and every loop advances a
 * pfn that is bounded by max_pfn.
 */
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/overflow.h>
#include <linux/page-flags.h>
#include <linux/pfn.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <asm/msr.h>

#include "bmdump.h"
#include "bmdump/crc32c.h"
#include "bmdump_compat.h"
#include "bmdump/classify.h"

static inline void bm_set(unsigned long *const *bm, u64 pfn)
{
	__set_bit(pfn & (BMDUMP_CHUNK_MAX_PFNS - 1),
		  bm[pfn >> BMDUMP_CHUNK_SHIFT]);
}

/* Set bits [pfn, pfn + n), whole words where it can. */
static void bm_set_run(unsigned long *const *bm, u64 pfn, u64 n)
{
	u64 end = pfn + n;

	while (pfn < end && (pfn % BITS_PER_LONG))
		bm_set(bm, pfn++);
	/* chunks hold 2^25 bits, so a word never straddles two */
	while (end - pfn >= BITS_PER_LONG) {
		bm[pfn >> BMDUMP_CHUNK_SHIFT]
		  [(pfn & (BMDUMP_CHUNK_MAX_PFNS - 1)) / BITS_PER_LONG] = ~0UL;
		pfn += BITS_PER_LONG;
	}
	while (pfn < end)
		bm_set(bm, pfn++);
}

static inline void bm_read_view(const struct page *page, u64 pfn,
				struct bmdump_page_view *v)
{
	v->flags = READ_ONCE(page->flags);
	v->compound_head = READ_ONCE(page->compound_head);
	v->mapping = (u64)READ_ONCE(page->mapping);
	v->private = READ_ONCE(page->private);
	v->mapcount = READ_ONCE(page->page_type);
	v->next_dtor = 0;
	v->next_order = 0;
	/* page[1] lies in the same section: see bmdump_reads_next() */
	if (bmdump_reads_next(&bmdump_bits, v->flags, pfn)) {
		v->next_dtor = bmdump_next_dtor(page);
		v->next_order = bmdump_next_order(page);
	}
}

/*
 * Can the struct pages of pfn's memory section be read?  pfn_valid()
 * without its RCU markers (nothing is hot-removed under a stopped machine),
 * asked once per section rather than once per pfn: at panic the scan is the
 * whole cost of the fill.  Sections that are not online have struct pages
 * in an undefined state; a hot-plugged section is valid only in the 2 MiB
 * subsections that were added, so it is asked pfn by pfn.
 */
enum bm_section_state {
	BM_SECTION_NONE,
	BM_SECTION_ALL,
	BM_SECTION_PER_PFN,
};

static inline enum bm_section_state bm_section(u64 pfn)
{
	struct mem_section *ms;

	if (pfn_to_section_nr(pfn) >= NR_MEM_SECTIONS)
		return BM_SECTION_NONE;
	ms = __pfn_to_section(pfn);
	if (!valid_section(ms) || !online_section(ms))
		return BM_SECTION_NONE;
	return early_section(ms) ? BM_SECTION_ALL : BM_SECTION_PER_PFN;
}

static inline bool bm_page_ok(enum bm_section_state state, u64 pfn)
{
	if (state == BM_SECTION_ALL)
		return true;
	return state == BM_SECTION_PER_PFN &&
	       pfn_section_valid(__pfn_to_section(pfn), pfn);
}

void bmdump_fill(const struct bmdump_map *map, unsigned long *const *bitmap,
		 unsigned int level, bool may_sleep,
		 struct bmdump_fill_result *res)
{
	u64 start_tsc = rdtsc_ordered();
	u64 *count = res->count;
	u64 prev_end = 0;
	/* a verdict covering several pfns, possibly into the next range */
	u64 run_end = 0;
	unsigned int run_class = 0;
	int run_keep = 0;
	/* one read: memory hotplug may publish a new set meanwhile */
	const struct bmdump_ranges *ram = READ_ONCE(map->ram);
	unsigned int i;
	u32 crc = 0;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < map->nr_chunks; i++)
		memset(bitmap[i], 0, map->chunk_pfns[i] / 8);

	for (i = 0; i < ram->nr; i++) {
		u64 pfn = ram->r[i].start;
		u64 end = ram->r[i].end;
		u64 section_end = pfn;
		enum bm_section_state section = BM_SECTION_NONE;

		/* ranges are sorted, disjoint and below max_pfn */
		count[BMDUMP_CLASS_HOLE] += pfn - prev_end;
		prev_end = end;

		while (pfn < end) {
			const struct page *page;
			struct bmdump_page_view v;
			struct bmdump_verdict d;
			u64 n;

			if (pfn < run_end) {
				n = min(run_end, end) - pfn;
				count[run_class] += n;
				if (run_keep) {
					bm_set_run(bitmap, pfn, n);
					res->pages_set += n;
				}
				pfn += n;
				continue;
			}
			if (pfn >= section_end) {
				section = bm_section(pfn);
				section_end = SECTION_ALIGN_DOWN(pfn) +
					      PAGES_PER_SECTION;
				if (may_sleep)
					cond_resched();
			}
			if (!bm_page_ok(section, pfn)) {
				/* RAM we cannot classify is dumped */
				count[BMDUMP_CLASS_UNKNOWN]++;
				bm_set(bitmap, pfn);
				res->pages_set++;
				pfn++;
				continue;
			}
			page = pfn_to_page(pfn);
			bm_read_view(page, pfn, &v);
			d = bmdump_classify(&bmdump_bits, &v, level, pfn);
			n = min(d.nr, map->max_pfn - pfn);
			if (n == 1) {
				count[d.class]++;
				if (d.keep) {
					bm_set(bitmap, pfn);
					res->pages_set++;
				}
				pfn++;
				continue;
			}
			run_end = pfn + n;
			run_class = d.class;
			run_keep = d.keep;
		}
	}
	count[BMDUMP_CLASS_HOLE] += map->max_pfn - prev_end;

	for (i = 0; i < map->nr_chunks; i++)
		crc = bmdump_crc32c(crc, bitmap[i], map->chunk_pfns[i] / 8);
	res->bitmap_crc = crc;
	res->cycles = rdtsc_ordered() - start_tsc;
}

/* --- load time: which pfns are RAM ---------------------------------------- */

struct bm_ranges {
	struct bmdump_range *r;
	unsigned int nr;
	unsigned int cap;
};

static int bm_add_ram(struct resource *res, void *arg)
{
	struct bm_ranges *rs = arg;
	/* as makedumpfile maps a PT_LOAD: first pfn rounded down, end down */
	u64 start = PFN_DOWN(res->start), end = PFN_DOWN(res->end + 1);

	if (start >= end)
		return 0;
	if (rs->nr >= rs->cap)
		return -E2BIG;
	rs->r[rs->nr].start = start;
	rs->r[rs->nr].end = end;
	rs->nr++;
	return 0;
}

static int bm_count_res(struct resource *res, void *arg)
{
	(*(unsigned int *)arg)++;
	return 0;
}

/* Remove [start, end) from the set; may split one range in two. */
static int bm_cut(struct bm_ranges *rs, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < rs->nr; i++) {
		struct bmdump_range *r = &rs->r[i];

		if (end <= r->start || start >= r->end)
			continue;
		if (start > r->start && end < r->end) {
			if (rs->nr >= rs->cap)
				return -E2BIG;
			rs->r[rs->nr].start = end;
			rs->r[rs->nr].end = r->end;
			rs->nr++;
			r->end = start;
		} else if (start > r->start) {
			r->end = start;
		} else if (end < r->end) {
			r->start = end;
		} else {
			r->start = r->end;	/* emptied, dropped below */
		}
	}
	return 0;
}

static int bm_cut_crash(struct resource *res, void *arg)
{
	return bm_cut(arg, PFN_DOWN(res->start), PFN_UP(res->end + 1));
}

static int bm_cmp_range(const void *a, const void *b)
{
	const struct bmdump_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int bmdump_ram_ranges(u64 max_pfn, struct bmdump_ranges **out)
{
	const unsigned long ram = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY;
	struct bmdump_ranges *set;
	struct bm_ranges rs = { };
	unsigned int n = 0, i, j;
	int ret;

	walk_iomem_res_desc(IORES_DESC_NONE, ram, 0, -1, &n, bm_count_res);
	/* room for the crash regions splitting ranges, and for a racing add */
	rs.cap = n + 8;
	set = kvzalloc(struct_size(set, r, rs.cap), GFP_KERNEL);
	if (!set)
		return -ENOMEM;
	rs.r = set->r;
	ret = walk_iomem_res_desc(IORES_DESC_NONE, ram, 0, -1, &rs,
				  bm_add_ram);
	if (ret < 0 && ret != -EINVAL)	/* -EINVAL: nothing matched */
		goto fail;
	/*
	 * kexec leaves the crash kernel region out of the capture side's
	 * memory map: those pages are not the crashed kernel's.
	 */
	ret = walk_iomem_res_desc(IORES_DESC_CRASH_KERNEL, ram, 0, -1, &rs,
				  bm_cut_crash);
	if (ret < 0 && ret != -EINVAL)
		goto fail;

	sort(rs.r, rs.nr, sizeof(*rs.r), bm_cmp_range, NULL);
	for (i = 0, j = 0; i < rs.nr; i++) {
		struct bmdump_range r = rs.r[i];

		r.end = min(r.end, max_pfn);
		if (r.start >= r.end)
			continue;
		if (j && r.start <= rs.r[j - 1].end) {
			rs.r[j - 1].end = max(rs.r[j - 1].end, r.end);
			continue;
		}
		rs.r[j++] = r;
	}
	if (!j) {
		ret = -ENODATA;
		goto fail;
	}
	set->nr = j;
	*out = set;
	return 0;
fail:
	kvfree(set);
	return ret;
}
