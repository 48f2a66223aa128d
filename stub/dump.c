// SPDX-License-Identifier: GPL-2.0
/*
 * Order of writes, so that any prefix of them leaves something readable:
 *   1. area header WRITING, flushed
 *   2. kdump header (status INCOMPLETE), sub-header, notes
 *   3. 1st bitmap (RAM), 2nd bitmap (dumped)
 *   4. page descriptors and page data, streamed in pfn order; page data
 *      goes to the disk straight from the crashed kernel's pages; after
 *      512, 1024, 2048, ... descriptors and then every DUMP_PROGRESS_DESCS,
 *      once all that is on the disk and flushed, the area header's
 *      descs_written says so (the salvage watermark; 0 until the first)
 *   5. the shared zero page, flush
 *   6. kdump header again without INCOMPLETE (unless the area was too
 *      small), the stub's log, area header COMPLETE, flush
 */
#include "dump.h"
#include "console.h"
#include "dma.h"
#include "errors.h"
#include "io.h"
#include "str.h"
#include "timer.h"

#define PAGE_SIZE		4096u
#define DESC_PER_BUF		512u	/* 512 * 24 bytes = 3 pages */
#define DESC_BUF_BYTES		(DESC_PER_BUF * sizeof(struct page_desc))
#define DESC_BUFS		16u
#define BITMAP_BUF_BYTES	(256u << 10)	/* 8 GiB of pfns per write */
#define MAX_BATCH_PAGES		1024u

_Static_assert(DESC_BUF_BYTES % PAGE_SIZE == 0, "descriptor buffers in pages");

uint64_t dump_progress_descs = DUMP_PROGRESS_DESCS;
int dump_fault_drill;

/* The dump in progress, for dump_emergency_log(). */
static struct dump_area *active_area;

struct writer {
	struct dump_area *a;
	const struct dump_input *in;
	struct dump_stats *st;
	struct kdump_layout lay;
	uint64_t base;			/* image offset in the area */
	uint64_t cut_pfn;		/* pfns < cut_pfn are left out... */
	int image_first;		/* ...but for the kernel image's */
	int zero_level;			/* dump level bit 1: share zero pages */
	/* descriptor streaming */
	struct page_desc *desc_buf[DESC_BUFS];
	unsigned int desc_cur;
	unsigned int desc_fill;
	uint64_t desc_index;		/* descriptors emitted so far */
	uint64_t desc_marked;		/* ...the area header vouches for */
	uint64_t fault_at;		/* dump_fault_drill: fault here */
	/* page-data streaming: consecutive data slots, one I/O */
	uint64_t batch[MAX_BATCH_PAGES];
	uint32_t batch_len;
	uint32_t batch_max;
	uint64_t batch_slot;		/* data slot of batch[0] */
	uint64_t data_slots;		/* non-zero pages emitted so far */
	uint64_t sink_cycles;		/* spent inside the block sink */
};

/*
 * A block-sink result as the dump's error: the driver's own code (every
 * stub code is below -100), or E_DUMP_IO for anything else it returned.
 */
static int sink_error(int err)
{
	return err ? (err < -100 ? err : E_DUMP_IO) : 0;
}

/*
 * The block sink, timed: what the writer spends submitting and waiting for
 * the device apart from its own work (the figures show both).
 */
static int w_write(struct writer *w, uint64_t off, const uint64_t *pages,
		   uint32_t nr_pages)
{
	uint64_t t = rdtsc();
	int err = dump_area_write_pages(w->a, off, pages, nr_pages);

	w->sink_cycles += rdtsc() - t;
	return err;
}

static int w_write_buf(struct writer *w, uint64_t off, uint64_t buf_pa,
		       uint64_t len)
{
	uint64_t t = rdtsc();
	int err = dump_area_write_buf(w->a, off, buf_pa, len);

	w->sink_cycles += rdtsc() - t;
	return err;
}

static int w_wait(struct writer *w)
{
	uint64_t t = rdtsc();
	int err = w->a->dev->wait_idle(w->a->dev);

	w->sink_cycles += rdtsc() - t;
	return err;
}

static uint64_t cycles_us(uint64_t cycles)
{
	uint64_t khz = timer_tsc_khz();

	return khz ? cycles * 1000 / khz : 0;
}

typedef int ram_chunk_fn(uint64_t lo, uint64_t hi, void *arg);

/*
 * Call fn(lo, hi, arg) for each RAM range of the crashed kernel as the pfns
 * [lo, hi) of its whole pages, in address order or from the top down;
 * ranges without a whole page are skipped.  Stops at the first non-zero
 * return and passes it back (FreeBSD's dumpsys_foreach_chunk()).
 */
static int foreach_ram_chunk(const struct core_info *ci, int top_down,
			     ram_chunk_fn *fn, void *arg)
{
	unsigned int n = ci->nr_ram, i;
	int ret;

	for (i = 0; i < n; i++) {
		const struct core_range *r = &ci->ram[top_down ? n - 1 - i : i];
		uint64_t lo = (r->start + PAGE_SIZE - 1) / PAGE_SIZE;
		uint64_t hi = r->end / PAGE_SIZE;

		if (hi <= lo)
			continue;
		ret = fn(lo, hi, arg);
		if (ret)
			return ret;
	}
	return 0;
}

static const uint8_t *page_ptr(const struct core_info *ci, uint64_t pfn)
{
	return core_map(ci, pfn * PAGE_SIZE, PAGE_SIZE);
}

static int page_is_zero(const uint8_t *p)
{
	const uint64_t *q = (const uint64_t *)p;
	unsigned int i;

	/* one branch per 64 bytes: this reads every zero page whole */
	for (i = 0; i < PAGE_SIZE / 8; i += 8)
		if (q[i] | q[i + 1] | q[i + 2] | q[i + 3] |
		    q[i + 4] | q[i + 5] | q[i + 6] | q[i + 7])
			return 0;
	return 1;
}

/* Bits of the 64-pfn word at base that fall in [lo, hi). */
static uint64_t word_mask(uint64_t base, uint64_t lo, uint64_t hi)
{
	uint64_t m = ~0ull;

	if (hi <= base || lo >= base + 64)
		return 0;
	if (lo > base)
		m &= ~0ull << (lo - base);
	if (hi - base < 64)
		m &= (1ull << (hi - base)) - 1;
	return m;
}

/* No libgcc: __builtin_popcountll may call out to it. */
static unsigned int popcount64(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((x * 0x0101010101010101ull) >> 56);
}

/* The kernel image (text, data, bss: the printk buffer, init_top_pgt). */
static int in_kernel_image(const struct writer *w, uint64_t pfn)
{
	const struct core_info *ci = w->in->ci;

	return w->image_first && ci->has_text &&
	       pfn >= ci->text.start / PAGE_SIZE &&
	       pfn < (ci->text.end + PAGE_SIZE - 1) / PAGE_SIZE;
}

/*
 * Does pfn go into this dump: selected by the bitmap and not left out by
 * the cut (pfns below cut_pfn, but for the kernel image when it goes first)?
 */
static int in_dump(const struct writer *w, uint64_t pfn)
{
	return (pfn >= w->cut_pfn || in_kernel_image(w, pfn)) &&
	       bitmap_keep(w->in->sel, pfn);
}

/*
 * in_dump() for the 64 pfns of the word at base (a multiple of 64): the
 * loops over all of RAM go a word at a time, which at -d 31 skips most of
 * memory without looking at it page by page.
 */
static uint64_t in_dump_word(const struct writer *w, uint64_t base)
{
	const struct core_info *ci = w->in->ci;
	uint64_t allow = word_mask(base, w->cut_pfn, UINT64_MAX);

	if (w->image_first && ci->has_text)
		allow |= word_mask(base, ci->text.start / PAGE_SIZE,
				   (ci->text.end + PAGE_SIZE - 1) / PAGE_SIZE);
	return allow ? allow & bitmap_keep_word(w->in->sel, base) : 0;
}

struct note_copy {
	uint8_t *dst;
	uint64_t len;
	uint64_t vmcoreinfo_off;	/* of the VMCOREINFO desc in the blob */
	uint64_t vmcoreinfo_size;
};

static int copy_note(const struct core_note *n, void *ctx)
{
	struct note_copy *c = ctx;

	if (n->namesz == 11 && !memcmp(n->name, "VMCOREINFO", 11)) {
		c->vmcoreinfo_off = c->len + (uint64_t)(n->desc - n->raw);
		c->vmcoreinfo_size = n->descsz;
	}
	memcpy(c->dst + c->len, n->raw, n->raw_len);
	c->len += n->raw_len;
	return 0;
}

/* Block 0 and the sub-header blocks, in one page-aligned buffer. */
static int build_headers(struct writer *w, uint8_t *buf, int incomplete)
{
	const struct dump_input *in = w->in;
	struct disk_dump_header *dh = (struct disk_dump_header *)buf;
	struct kdump_sub_header *sh =
		(struct kdump_sub_header *)(buf + PAGE_SIZE);
	struct note_copy c = { (uint8_t *)(sh + 1), 0, 0, 0 };
	int err;

	memset(buf, 0, (1 + w->lay.sub_hdr_blocks) * PAGE_SIZE);
	memcpy(dh->signature, KDUMP_SIGNATURE, KDUMP_SIG_LEN);
	dh->header_version = KDUMP_HEADER_VERSION;
	dh->utsname = *in->uts;
	dh->timestamp.tv_sec = in->vi->has_crashtime ? in->vi->crashtime : 0;
	dh->timestamp.tv_usec = 0;
	dh->status = incomplete ? DUMP_DH_COMPRESSED_INCOMPLETE : 0;
	dh->block_size = PAGE_SIZE;
	dh->sub_hdr_size = (int32_t)w->lay.sub_hdr_blocks;
	dh->bitmap_blocks = (uint32_t)w->lay.bitmap_blocks;
	dh->max_mapnr = w->lay.max_mapnr > UINT32_MAX ? UINT32_MAX :
			(uint32_t)w->lay.max_mapnr;
	dh->nr_cpus = in->nr_cpus;
	dh->current_cpu = in->crashed_cpu > 0 ? (uint32_t)in->crashed_cpu : 0;

	err = elfcore_for_each_note(in->ci, copy_note, &c);
	if (err)
		return err;
	if (c.len != w->lay.note_size)
		return E_DUMP_NOTES;
	sh->phys_base = in->vi->has_phys_base ? (uint64_t)in->vi->phys_base : 0;
	sh->dump_level = (int32_t)in->sel->dump_level;
	sh->offset_note = w->lay.note_offset;
	sh->size_note = c.len;
	sh->offset_vmcoreinfo = w->lay.note_offset + c.vmcoreinfo_off;
	sh->size_vmcoreinfo = c.vmcoreinfo_size;
	sh->max_mapnr_64 = w->lay.max_mapnr;
	return 0;
}

static int write_headers(struct writer *w, int incomplete)
{
	uint64_t bytes = (1 + w->lay.sub_hdr_blocks) * PAGE_SIZE;
	uint64_t buf = dma_alloc(bytes, PAGE_SIZE);
	int err;

	if (!buf)
		return E_DUMP_NO_MEMORY;
	err = build_headers(w, (uint8_t *)(uintptr_t)buf, incomplete);
	if (err)
		return err;
	err = w_write_buf(w, w->base, buf, bytes);
	if (err)
		return sink_error(err);
	return sink_error(w_wait(w));
}

/* One buffer of a bitmap: the pfns [first, last), first % 64 == 0. */
struct bitmap_fill {
	const struct writer *w;
	uint64_t *words;
	uint64_t first, last;
	int dumped;		/* the second bitmap: what the dump holds */
};

static int fill_bitmap_chunk(uint64_t lo, uint64_t hi, void *arg)
{
	struct bitmap_fill *f = arg;
	uint64_t base, m;

	if (lo < f->first)
		lo = f->first;
	if (hi > f->last)
		hi = f->last;
	for (base = lo & ~63ull; base < hi; base += 64) {
		m = word_mask(base, lo, hi);
		if (f->dumped)
			m &= in_dump_word(f->w, base);
		f->words[(base - f->first) / 64] |= m;
	}
	return 0;
}

/* Both bitmaps, a buffer at a time: bit = pfn, LSB first. */
static int write_bitmaps(struct writer *w)
{
	const struct core_info *ci = w->in->ci;
	struct bitmap_fill f = { .w = w };
	uint64_t buf = dma_alloc(BITMAP_BUF_BYTES, PAGE_SIZE);
	uint8_t *bits = (uint8_t *)(uintptr_t)buf;
	uint64_t half = w->lay.bitmap_half_bytes, off;
	int second, err;

	if (!buf)
		return E_DUMP_NO_MEMORY;
	if (half % 8)
		return E_DUMP_BITMAP_SIZE;	/* the layout rounds to blocks */
	for (second = 0; second < 2; second++) {
		for (off = 0; off < half; off += BITMAP_BUF_BYTES) {
			uint64_t len = half - off < BITMAP_BUF_BYTES ?
				       half - off : BITMAP_BUF_BYTES;

			/* first % 64 == 0 and len % 8 == 0: whole words */
			memset(bits, 0, len);
			f.words = (uint64_t *)(uintptr_t)buf;
			f.first = off * 8;
			f.last = (off + len) * 8;
			f.dumped = second;
			foreach_ram_chunk(ci, 0, fill_bitmap_chunk, &f);
			err = w_write_buf(w, w->base +
					  w->lay.bitmap_offset +
					  second * half + off, buf, len);
			if (!err)
				err = w_wait(w);
			if (err)
				return sink_error(err);
		}
	}
	return 0;
}

static int flush_batch(struct writer *w)
{
	uint64_t off;
	int err;

	if (!w->batch_len)
		return 0;
	off = w->base + w->lay.data_offset + (1 + w->batch_slot) * PAGE_SIZE;
	err = w_write(w, off, w->batch, w->batch_len);
	w->batch_slot += w->batch_len;
	w->batch_len = 0;
	return sink_error(err);
}

/*
 * The salvage watermark: once every descriptor written so far and the
 * pages it points to are on the disk (submitted, completed, flushed), the
 * area header says how many there are.  A stub that dies later leaves an
 * area whose salvage keeps those and nothing of an older dump.
 */
static int mark_progress(struct writer *w)
{
	int err = flush_batch(w);

	if (!err)
		err = sink_error(w_wait(w));
	if (!err)
		err = sink_error(w->a->dev->flush(w->a->dev));
	if (err)
		return err;
	w->desc_marked = w->desc_index - w->desc_fill;
	w->a->hdr->descs_written = w->desc_marked;
	return sink_error(dump_area_write_header(w->a));
}

/*
 * Descriptors until the next watermark: from one descriptor buffer, then
 * doubling, up to dump_progress_descs.  A device that dies in the first
 * 32 MiB of pages then still leaves a prefix to salvage, for a handful of
 * extra flushes on a dump of any size.
 */
static uint64_t progress_gap(uint64_t marked)
{
	uint64_t gap = marked > DESC_PER_BUF ? marked : DESC_PER_BUF;

	return gap < dump_progress_descs ? gap : dump_progress_descs;
}

static int flush_descs(struct writer *w)
{
	uint64_t first = w->desc_index - w->desc_fill, off, bytes;
	int err;

	if (!w->desc_fill)
		return 0;
	off = w->base + w->lay.desc_offset + first * sizeof(struct page_desc);
	bytes = ((uint64_t)w->desc_fill * sizeof(struct page_desc) +
		 PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	err = w_write_buf(w, off,
			  (uint64_t)(uintptr_t)w->desc_buf[w->desc_cur], bytes);
	if (err)
		return sink_error(err);
	w->desc_fill = 0;
	w->desc_cur = (w->desc_cur + 1) % DESC_BUFS;
	if (w->desc_index - w->desc_marked >= progress_gap(w->desc_marked)) {
		err = mark_progress(w);
		if (err)
			return err;
	} else if (!w->desc_cur) {
		/* Every buffer is in flight: let them land before reuse. */
		err = w_wait(w);
		if (err)
			return sink_error(err);
	}
	memset(w->desc_buf[w->desc_cur], 0, DESC_BUF_BYTES);
	return 0;
}

static int emit(struct writer *w, const uint8_t *p)
{
	struct page_desc *d;
	int err;

	d = &w->desc_buf[w->desc_cur][w->desc_fill++];
	d->size = PAGE_SIZE;
	d->flags = 0;
	d->page_flags = 0;
	if (w->zero_level && page_is_zero(p)) {
		d->offset = (int64_t)w->lay.zero_page_offset;
		w->st->zero_pages++;
	} else {
		d->offset = (int64_t)(w->lay.data_offset +
				      (1 + w->data_slots) * PAGE_SIZE);
		if (w->batch_len == w->batch_max) {
			err = flush_batch(w);
			if (err)
				return err;
		}
		/* Zero copy: the device reads the crashed kernel's page. */
		w->batch[w->batch_len++] = (uint64_t)(uintptr_t)p;
		w->data_slots++;
		w->st->data_pages++;
	}
	w->desc_index++;
	w->st->pages_dumped++;
	if (w->desc_index == w->fault_at) {
		bmlog("fault drill: reading an unmapped address after %llu "
		      "page descriptors", (unsigned long long)w->fault_at);
		(void)*(volatile uint64_t *)(uintptr_t)0x7ead00000000ull;
	}
	if (w->desc_fill == DESC_PER_BUF)
		return flush_descs(w);
	return 0;
}

/* Emit every page of the chunk that goes into the dump, in pfn order. */
static int emit_chunk(uint64_t lo, uint64_t hi, void *arg)
{
	struct writer *w = arg;
	const uint8_t *ram;
	uint64_t base, m;
	int err;

	ram = core_map(w->in->ci, lo * PAGE_SIZE, (hi - lo) * PAGE_SIZE);
	if (!ram)
		return E_DUMP_IO;	/* RAM we cannot map: a bug */
	for (base = lo & ~63ull; base < hi; base += 64) {
		m = in_dump_word(w, base) & word_mask(base, lo, hi);
		while (m) {
			uint64_t pfn = base + __builtin_ctzll(m);

			m &= m - 1;
			err = emit(w, ram + (pfn - lo) * PAGE_SIZE);
			if (err)
				return err;
		}
	}
	return 0;
}

static int write_pages(struct writer *w)
{
	uint64_t zero = dma_alloc(PAGE_SIZE, PAGE_SIZE);
	unsigned int i;
	int err;

	if (!zero)
		return E_DUMP_NO_MEMORY;
	for (i = 0; i < DESC_BUFS; i++) {
		uint64_t b = dma_alloc(DESC_BUF_BYTES, PAGE_SIZE);

		if (!b)
			return E_DUMP_NO_MEMORY;
		w->desc_buf[i] = (struct page_desc *)(uintptr_t)b;
	}
	w->batch_max = w->a->dev->max_io_bytes / PAGE_SIZE;
	if (w->batch_max > MAX_BATCH_PAGES)
		w->batch_max = MAX_BATCH_PAGES;
	if (!w->batch_max)
		w->batch_max = 1;

	err = w_write_buf(w, w->base + w->lay.zero_page_offset, zero,
			  PAGE_SIZE);
	if (err)
		return sink_error(err);
	err = foreach_ram_chunk(w->in->ci, 0, emit_chunk, w);
	if (!err)
		err = flush_batch(w);
	if (!err)
		err = flush_descs(w);
	if (err)
		return err;
	return sink_error(w_wait(w));
}

static int layout(struct writer *w, uint64_t dumpable, uint64_t nonzero)
{
	if (kdump_layout_compute(&w->lay, PAGE_SIZE, w->in->ci->max_pfn,
				 w->in->ci->notes_bytes, dumpable, nonzero))
		return E_DUMP_NOTES;
	return 0;
}

/* What plan() has counted so far. */
struct plan_tally {
	struct writer *w;
	uint64_t ram;		/* pages of RAM */
	uint64_t kept;		/* pages in the dump */
	uint64_t nonzero;	/* ...of which take a data slot */
};

/* Would p take a data slot (unreadable pages count as data)? */
static int takes_slot(const struct writer *w, const uint8_t *p)
{
	return !(p && w->zero_level && page_is_zero(p));
}

/* Every page the selection keeps, a word at a time. */
static int count_selected(uint64_t lo, uint64_t hi, void *arg)
{
	struct plan_tally *t = arg;
	uint64_t base;

	t->ram += hi - lo;
	for (base = lo & ~63ull; base < hi; base += 64)
		t->kept += popcount64(bitmap_keep_word(t->w->in->sel, base) &
				      word_mask(base, lo, hi));
	return 0;
}

/* Every page in_dump() takes, reading each to know if it is zero. */
static int count_in_dump(uint64_t lo, uint64_t hi, void *arg)
{
	struct plan_tally *t = arg;
	const struct core_info *ci = t->w->in->ci;
	uint64_t pfn;

	for (pfn = lo; pfn < hi; pfn++) {
		if (!in_dump(t->w, pfn))
			continue;
		t->kept++;
		t->nonzero += takes_slot(t->w, page_ptr(ci, pfn));
	}
	return 0;
}

/*
 * The zero check of the cut plan (count_in_dump() over the kernel image,
 * then count_cut_pages() from the top of RAM down to the cut), which
 * reads every page it counts, spread over the CPUs in->runner gives: the
 * RAM ranges cut into pieces, ZC_CHUNKS_PER_CPU per CPU, each counted
 * whole by whichever CPU takes it next; the sums are exactly the serial
 * count's.  A fixed table in .bss: nothing that grows with RAM.
 */
#define ZC_CHUNKS_PER_CPU	8
#define ZC_MAX_CHUNKS		1024	/* >= CORE_MAX_RAM */
#define ZC_MAX_CPUS		64	/* smp.h's SMP_MAX_CPUS */
#define ZC_JOIN_MS		2000	/* + 4x this CPU's share */

_Static_assert(ZC_MAX_CHUNKS >= CORE_MAX_RAM, "one piece per range fits");

struct zc_job {
	struct writer *w;
	ram_chunk_fn *count;		/* count_in_dump, count_cut_pages */
	const char *what;
	unsigned int nr, cpus;
	unsigned int first, end;	/* the pieces of this run */
	uint64_t step;			/* pfns per piece at most */
	uint32_t next;			/* next piece to take, atomically */
	uint64_t lo[ZC_MAX_CHUNKS], hi[ZC_MAX_CHUNKS];
	uint64_t kept[ZC_MAX_CHUNKS], nonzero[ZC_MAX_CHUNKS];
	uint32_t done[ZC_MAX_CHUNKS];	/* set once kept/nonzero are */
	uint8_t owner[ZC_MAX_CHUNKS];
	uint64_t us[ZC_MAX_CPUS];
	uint8_t cpu_ok[ZC_MAX_CPUS];	/* finished every run */
	uint8_t cpu_done[ZC_MAX_CPUS];	/* ...this run */
};

/* one table for both passes, one after the other */
static struct zc_job zc_job;

static int zc_add_range(uint64_t lo, uint64_t hi, void *arg)
{
	struct zc_job *j = arg;

	for (; lo < hi; lo += j->step) {
		if (j->nr == ZC_MAX_CHUNKS)
			return 1;
		j->lo[j->nr] = lo;
		j->hi[j->nr++] = hi - lo > j->step ? lo + j->step : hi;
	}
	return 0;
}

/*
 * A new job of count over RAM cut into about cpus * ZC_CHUNKS_PER_CPU
 * pieces that fit the table, on the CPUs the runner starts.
 */
static void zc_init(struct zc_job *j, struct writer *w, ram_chunk_fn *count,
		    const char *what)
{
	const struct dump_runner *r = w->in->runner;
	unsigned int n = r && r->start ? r->start() : 1;
	uint64_t want;

	memset(j, 0, sizeof(*j));
	j->w = w;
	j->count = count;
	j->what = what;
	j->cpus = n < 1 ? 1 : n > ZC_MAX_CPUS ? ZC_MAX_CPUS : n;
	memset(j->cpu_ok, 1, sizeof(j->cpu_ok));
	want = (uint64_t)j->cpus * ZC_CHUNKS_PER_CPU;
	j->step = (w->st->pages_ram + want - 1) / want;
	if (j->step < 64)
		j->step = 64;
	for (;;) {
		j->nr = 0;
		if (!foreach_ram_chunk(w->in->ci, 0, zc_add_range, j))
			return;
		j->step *= 2;
	}
}

static void zc_chunk(struct zc_job *j, unsigned int k, unsigned int cpu)
{
	struct plan_tally t = { .w = j->w };

	j->owner[k] = (uint8_t)cpu;
	j->count(j->lo[k], j->hi[k], &t);
	j->kept[k] = t.kept;
	j->nonzero[k] = t.nonzero;
	__atomic_store_n(&j->done[k], 1, __ATOMIC_RELEASE);
}

/* One CPU's share of a run: its own first piece, then the next free. */
static void zc_share(unsigned int cpu, void *arg)
{
	struct zc_job *j = arg;
	uint64_t t = rdtsc();
	uint32_t k;

	if (j->first + cpu < j->end)
		zc_chunk(j, j->first + cpu, cpu);
	while ((k = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	       j->end)
		zc_chunk(j, k, cpu);
	if (cpu < ZC_MAX_CPUS)
		j->us[cpu] += timer_us_since(t);
}

/* Count pieces [first, end) on every CPU; any not done: on this one. */
static void zc_run(struct zc_job *j, unsigned int first, unsigned int end)
{
	const struct dump_runner *r = j->w->in->runner;
	unsigned int k;

	j->first = first;
	j->end = end;
	/* pieces first .. first + cpus - 1 are the CPUs' first */
	j->next = first + j->cpus < end ? first + j->cpus : end;
	memset(j->cpu_done, 0, sizeof(j->cpu_done));
	if (j->cpus == 1 || !r->run) {
		zc_share(0, j);
		j->cpu_done[0] = 1;
	} else if (r->run(zc_share, j, ZC_JOIN_MS, j->cpu_done)) {
		bmlog("dump: %s", stub_strerror(E_DUMP_ZC_JOIN));
	}
	for (k = 0; k < j->cpus; k++)
		j->cpu_ok[k] &= j->cpu_done[k];
	/* a stopped CPU's pieces (and any never taken): on this one */
	for (k = first; k < end; k++)
		if (!__atomic_load_n(&j->done[k], __ATOMIC_ACQUIRE))
			zc_chunk(j, k, 0);
}

static void zc_sum(const struct zc_job *j, struct plan_tally *t)
{
	unsigned int k;

	for (k = 0; k < j->nr; k++) {
		t->kept += j->kept[k];
		t->nonzero += j->nonzero[k];
	}
}

/* One line per CPU, as the scan's: its pieces, pages, time. */
static void zc_log(const struct zc_job *j)
{
	const struct dump_runner *r = j->w->in->runner;
	unsigned int k, cpu, chunks;
	uint64_t kept, nonzero;

	for (cpu = 0; cpu < j->cpus; cpu++) {
		kept = nonzero = 0;
		chunks = 0;
		for (k = 0; k < j->nr; k++) {
			if (!j->done[k] || j->owner[k] != cpu)
				continue;
			kept += j->kept[k];
			nonzero += j->nonzero[k];
			chunks++;
		}
		bmlog("dump: zero check (%s) share of cpu %u (apic %u): %u "
		      "chunks, %llu pages read, %llu not zero, in %llu us%s",
		      j->what, cpu, r && r->apic_id ? r->apic_id(cpu) : 0,
		      chunks, (unsigned long long)kept,
		      (unsigned long long)nonzero,
		      (unsigned long long)j->us[cpu],
		      j->cpu_ok[cpu] ? "" : " (stopped, its chunks redone)");
	}
}

/*
 * Add selected pages from the top down until the image outgrows the area;
 * then set cut_pfn above the first page that did not fit and return 1.
 */
static int find_cut(uint64_t lo, uint64_t hi, void *arg)
{
	struct plan_tally *t = arg;
	struct writer *w = t->w;
	uint64_t pfn, nz;
	int err;

	for (pfn = hi; pfn-- > lo;) {
		if (in_kernel_image(w, pfn) || !bitmap_keep(w->in->sel, pfn))
			continue;
		nz = t->nonzero + takes_slot(w, page_ptr(w->in->ci, pfn));
		err = layout(w, t->kept + 1, nz);
		if (err)
			return err;
		if (w->lay.total_bytes > w->a->hdr->dump_capacity) {
			w->cut_pfn = pfn + 1;
			return 1;
		}
		t->kept++;
		t->nonzero = nz;
	}
	return 0;
}

/* What find_cut() would add for all of [lo, hi): its pages, its slots. */
static int count_cut_pages(uint64_t lo, uint64_t hi, void *arg)
{
	struct plan_tally *t = arg;
	struct writer *w = t->w;
	uint64_t pfn;

	for (pfn = lo; pfn < hi; pfn++) {
		if (in_kernel_image(w, pfn) || !bitmap_keep(w->in->sel, pfn))
			continue;
		t->kept++;
		t->nonzero += takes_slot(w, page_ptr(w->in->ci, pfn));
	}
	return 0;
}

/*
 * find_cut() from the top of RAM down, its reading of the pages done
 * first on all CPUs, cpus pieces at a time (zc_run()), so that no more
 * than one such wave is read past the cut.  The image only grows with
 * pages and slots, so the cut lies in the first piece, from the top,
 * whose whole count outgrows the area: find_cut() runs on that piece
 * alone, and finds exactly the serial cut.  1 (cut set), 0 or an error.
 */
static int find_cut_on_cpus(struct writer *w, struct plan_tally *t)
{
	struct zc_job *j = &zc_job;
	unsigned int k, end, first;
	int err = 0;

	zc_init(j, w, count_cut_pages, "cut");
	for (end = j->nr; end > 0 && !err; end = first) {
		first = end > j->cpus ? end - j->cpus : 0;
		zc_run(j, first, end);
		for (k = end; k-- > first;) {
			err = layout(w, t->kept + j->kept[k],
				     t->nonzero + j->nonzero[k]);
			if (err)
				break;
			if (w->lay.total_bytes > w->a->hdr->dump_capacity) {
				err = find_cut(j->lo[k], j->hi[k], t);
				break;
			}
			t->kept += j->kept[k];
			t->nonzero += j->nonzero[k];
		}
	}
	zc_log(j);
	return err;
}

/*
 * Count what the selection keeps.  If the image cannot fit even with every
 * page raw, keep what fits exactly (reading pages to know which are zero)
 * and leave the rest out: an incomplete but readable dump beats none.
 * First the kernel image, then RAM from the top down: Linux's early
 * allocations (mem_section, vmemmap, per-CPU areas, page tables), which
 * every reader needs to open a dump, come from the top of RAM.
 */
static int plan(struct writer *w)
{
	const struct core_info *ci = w->in->ci;
	uint64_t cap = w->a->hdr->dump_capacity;
	struct plan_tally t = { .w = w };
	int err;

	w->cut_pfn = 0;
	foreach_ram_chunk(ci, 0, count_selected, &t);
	w->st->pages_ram = t.ram;
	w->st->pages_selected = t.kept;
	err = layout(w, t.kept, t.kept);
	if (err)
		return err;
	if (w->lay.total_bytes <= cap)
		return 0;

	err = layout(w, 0, 0);
	if (err)
		return err;
	if (w->lay.total_bytes > cap)
		return E_AREA_TOO_SMALL;
	/*
	 * The kernel image goes in first: with it crash and makedumpfile
	 * can still read the log and symbols of a cut dump.  Then the rest
	 * in pfn order, as far as it fits.
	 */
	t.kept = t.nonzero = 0;
	w->image_first = 1;
	w->cut_pfn = UINT64_MAX;
	zc_init(&zc_job, w, count_in_dump, "image");
	zc_run(&zc_job, 0, zc_job.nr);
	zc_sum(&zc_job, &t);
	zc_log(&zc_job);
	err = layout(w, t.kept, t.nonzero);
	if (err)
		return err;
	if (w->lay.total_bytes > cap) {
		/* Not even the image fits: plain pfn order then. */
		w->image_first = 0;
		t.kept = t.nonzero = 0;
	}
	w->cut_pfn = 0;
	err = find_cut_on_cpus(w, &t);
	if (err < 0)
		return err;
	/* Zero pages take no room: everything may fit after all. */
	w->st->incomplete = w->cut_pfn != 0;
	w->st->cut_pfn = w->cut_pfn;
	return layout(w, t.kept, t.nonzero);
}

static int write_log(struct dump_area *a)
{
	size_t len;
	uint64_t pa = console_log_pa(&len), bytes;

	bytes = (len + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	if (bytes > a->hdr->log_bytes) {
		bytes = a->hdr->log_bytes;
		len = bytes;
	}
	a->hdr->log_used = len;
	if (!bytes)
		return 0;
	return dump_area_write_buf(a, a->hdr->log_offset, pa, bytes);
}

int dump_write(struct dump_area *a, const struct dump_input *in,
	       struct dump_stats *st)
{
	struct bmdump_area_header *h = a->hdr;
	static struct writer w;
	uint64_t t0, t1;
	int err;

	memset(&w, 0, sizeof(w));
	memset(st, 0, sizeof(*st));
	w.a = a;
	w.in = in;
	w.st = st;
	w.base = h->dump_offset;
	w.zero_level = in->sel->dump_level & 1;
	t0 = rdtsc();
	err = plan(&w);
	st->plan_us = timer_us_since(t0);
	/* the runner's last job: its CPUs halt now */
	if (in->runner && in->runner->park)
		in->runner->park();
	if (err)
		return err;
	if (dump_fault_drill)
		w.fault_at = st->pages_selected * 3 / 4;

	t0 = rdtsc();
	h->state = BMDUMP_AREA_WRITING;
	h->flags = (in->sel->source == BMDUMP_SOURCE_HOOK ?
		    BMDUMP_AREA_F_BITMAP_HOOK : 0) |
		   (a->overwrote ? BMDUMP_AREA_F_OVERWROTE : 0) |
		   (st->incomplete ? BMDUMP_AREA_F_INCOMPLETE : 0);
	h->dump_bytes = 0;
	h->log_used = 0;
	h->descs_written = 0;	/* nothing of this generation proven yet */
	h->generation++;
	h->crash_time = in->vi->has_crashtime ? in->vi->crashtime : 0;
	h->save_time = 0;
	h->bitmap_source = in->sel->source;
	h->bitmap_error = in->sel->error;
	h->bitmap_us = in->sel->ready_us > UINT32_MAX ? UINT32_MAX :
		       (uint32_t)in->sel->ready_us;
	h->stub_error = 0;
	h->pages_planned = st->pages_selected;
	h->pages_dumped = 0;
	h->zero_pages = 0;
	h->write_ms = 0;
	str_copy(h->osrelease, in->uts->release, sizeof(h->osrelease));
	str_copy(h->nodename, in->uts->nodename, sizeof(h->nodename));
	err = dump_area_write_header(a);
	if (!err)
		err = a->dev->flush(a->dev);
	if (err)
		return sink_error(err);
	active_area = a;

	err = write_headers(&w, 1);
	if (!err)
		err = write_bitmaps(&w);
	t1 = rdtsc();
	st->meta_us = timer_us_since(t0);
	if (!err)
		err = write_pages(&w);
	if (err)
		return err;
	st->pages_us = timer_us_since(t1);
	st->sink_us = cycles_us(w.sink_cycles);
	st->image_bytes = w.lay.data_offset + (1 + w.data_slots) * PAGE_SIZE;
	st->write_us = timer_us_since(t0);

	t0 = rdtsc();
	err = sink_error(a->dev->flush(a->dev));
	/* Only now may the image say it is whole. */
	if (!err && !st->incomplete)
		err = write_headers(&w, 0);
	if (err)
		return err;
	h->state = BMDUMP_AREA_COMPLETE;
	h->descs_written = w.desc_index;
	h->dump_bytes = st->image_bytes;
	h->pages_dumped = st->pages_dumped;
	h->zero_pages = st->zero_pages;
	h->write_ms = (st->write_us + timer_us_since(t0)) / 1000;
	bmlog("dump: %llu pages (%llu zero) in %llu bytes, area %s",
	      (unsigned long long)st->pages_dumped,
	      (unsigned long long)st->zero_pages,
	      (unsigned long long)st->image_bytes,
	      st->incomplete ? "INCOMPLETE" : "complete");
	bmlog("dump: plan %llu us; write: area header, kdump headers and "
	      "bitmaps %llu us, pages %llu us; %llu us of the write in the "
	      "block sink",
	      (unsigned long long)st->plan_us,
	      (unsigned long long)st->meta_us,
	      (unsigned long long)st->pages_us,
	      (unsigned long long)st->sink_us);
	err = sink_error(write_log(a));
	if (!err)
		err = sink_error(a->dev->wait_idle(a->dev));
	if (!err)
		err = sink_error(dump_area_write_header(a));
	if (!err)
		err = sink_error(a->dev->flush(a->dev));
	st->flush_us = timer_us_since(t0);
	active_area = NULL;
	return err;
}

int dump_log_rewrite(struct dump_area *a)
{
	int err = write_log(a);

	if (!err)
		err = a->dev->wait_idle(a->dev);
	if (!err)
		err = dump_area_write_header(a);
	if (!err)
		err = a->dev->flush(a->dev);
	return err;
}

void dump_emergency_log(int err)
{
	struct dump_area *a = active_area;

	if (!a)
		return;
	active_area = NULL;	/* once: a failure in here must not loop */
	a->hdr->stub_error = err;
	if (a->dev->wait_idle(a->dev) || write_log(a) ||
	    a->dev->wait_idle(a->dev) || dump_area_write_header(a) ||
	    a->dev->flush(a->dev))
		bmlog("could not record the error in the area either");
	else
		bmlog("error and log recorded in the area (state WRITING)");
}
