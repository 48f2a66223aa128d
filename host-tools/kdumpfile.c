// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include "kdumpfile.h"

#define NT_PRSTATUS		1
#define PRSTATUS_SIZE		336
#define PRSTATUS_PID		32
#define PRSTATUS_REGS		112
#define PRSTATUS_REG_RIP	16
#define PRSTATUS_REG_RSP	19
#define RANK_BITS		4096
#define DESC_BATCH		4096
#define DATA_BUF_BYTES		(4u << 20)
#define GUARD_EVERY		(16ull << 20)

static uint64_t roundup_u64(uint64_t n, uint64_t a)
{
	return (n + a - 1) / a * a;
}

static uint32_t load_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void parse_notes(struct kd_image *im)
{
	const uint8_t *p = im->notes, *end = im->notes + im->notes_len;
	unsigned int n = 0;

	/* Count first so one allocation fits all. */
	for (int pass = 0; pass < 2; pass++) {
		p = im->notes;
		n = 0;
		while (end - p >= 12) {
			uint32_t namesz = load_u32(p), descsz = load_u32(p + 4);
			uint32_t type = load_u32(p + 8);
			uint64_t nlen = (namesz + 3ull) & ~3ull;
			uint64_t dlen = (descsz + 3ull) & ~3ull;
			const uint8_t *name = p + 12, *desc = name + nlen;

			if (nlen > (uint64_t)(end - name) ||
			    dlen > (uint64_t)(end - desc)) {
				if (!pass && !im->warning[0])
					snprintf(im->warning,
						 sizeof(im->warning),
						 "note list runs past its end");
				break;
			}
			if (type == NT_PRSTATUS && namesz == 5 &&
			    !memcmp(name, "CORE", 5) &&
			    descsz >= PRSTATUS_SIZE && n < KD_MAX_CPUS) {
				if (pass) {
					struct kd_cpu *c = &im->cpus[n];

					memcpy(&c->pid, desc + PRSTATUS_PID, 4);
					memcpy(&c->rip, desc + PRSTATUS_REGS +
					       PRSTATUS_REG_RIP * 8, 8);
					memcpy(&c->rsp, desc + PRSTATUS_REGS +
					       PRSTATUS_REG_RSP * 8, 8);
				}
				n++;
			}
			if (!pass && type == 0 && namesz == 11 &&
			    !memcmp(name, "VMCOREINFO", 11) && !im->vmcoreinfo) {
				im->vmcoreinfo = (const char *)desc;
				im->vmcoreinfo_len = descsz;
			}
			p = desc + dlen;
		}
		if (!pass) {
			if (!n)
				return;
			im->cpus = calloc(n, sizeof(*im->cpus));
			if (!im->cpus)
				return;
		}
	}
	im->nr_cpus = n;
}

static void count_bits(struct kd_image *im)
{
	uint64_t words = (im->max_mapnr + 63) / 64, w, sum = 0, ram = 0;

	for (w = 0; w < words; w++) {
		uint64_t a, b;

		memcpy(&a, im->bm1 + w * 8, 8);
		memcpy(&b, im->bm2 + w * 8, 8);
		if ((w + 1) * 64 > im->max_mapnr) {
			uint64_t mask = (1ull << (im->max_mapnr & 63)) - 1;

			a &= mask;
			b &= mask;
			/* Bits past max_mapnr mean nothing: drop them. */
			memcpy(im->bm1 + w * 8, &a, 8);
			memcpy(im->bm2 + w * 8, &b, 8);
		}
		if (w % (RANK_BITS / 64) == 0)
			im->rank[w / (RANK_BITS / 64)] = sum;
		sum += (uint64_t)__builtin_popcountll(b);
		ram += (uint64_t)__builtin_popcountll(a);
	}
	im->nr_dumpable = sum;
	im->nr_ram = ram;
}

int kd_open(struct kd_image *im, const struct bm_src *src, struct bm_err *e)
{
	uint8_t sig[16];
	uint64_t bs, hdr_max, bitmap_bytes;
	int r;

	memset(im, 0, sizeof(*im));
	im->src = src;
	if (decomp_init(&im->dec))
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = bm_read(src, sig, sizeof(sig), 0, e, "dump header");
	if (r)
		goto fail;
	if (!memcmp(sig, "makedumpfile", 12)) {
		r = bm_seterr(e, BM_E_CORRUPT, "this is a flattened dump "
			      "(makedumpfile -F): rebuild it first with "
			      "makedumpfile -R OUT < FILE");
		goto fail;
	}
	if (!memcmp(sig, "\177ELF", 4)) {
		r = bm_seterr(e, BM_E_CORRUPT, "this is an ELF core file, not "
			      "a kdump-compressed dump");
		goto fail;
	}
	if (memcmp(sig, KDUMP_SIGNATURE, KDUMP_SIG_LEN)) {
		r = bm_seterr(e, BM_E_CORRUPT, "no kdump-compressed dump here "
			      "(signature is not \"KDUMP   \")");
		goto fail;
	}
	r = bm_read(src, &im->hdr, sizeof(im->hdr), 0, e, "dump header");
	if (r)
		goto fail;
	if (im->hdr.header_version < 1) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump header version %d is not "
			      "supported (need 1 or later)",
			      im->hdr.header_version);
		goto fail;
	}
	bs = (uint64_t)(int64_t)im->hdr.block_size;
	if (bs < 4096 || bs > 262144 || (bs & (bs - 1))) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump block size %d is invalid",
			      im->hdr.block_size);
		goto fail;
	}
	im->bs = bs;
	if (im->hdr.sub_hdr_size < 1) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump sub-header size %d is "
			      "invalid", im->hdr.sub_hdr_size);
		goto fail;
	}
	im->head_bytes = (1 + (uint64_t)im->hdr.sub_hdr_size) * bs;
	hdr_max = KD_MAX_HEAD_BYTES < src->size ? KD_MAX_HEAD_BYTES : src->size;
	if (im->head_bytes > hdr_max) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump sub-header (%d blocks) "
			      "is larger than the dump or than %llu MiB",
			      im->hdr.sub_hdr_size,
			      (unsigned long long)(KD_MAX_HEAD_BYTES >> 20));
		goto fail;
	}
	im->head = malloc(im->head_bytes);
	im->scratch = malloc(bs);
	if (!im->head || !im->scratch) {
		r = bm_seterr(e, BM_E_NOMEM, "out of memory");
		goto fail;
	}
	r = bm_read(src, im->head, im->head_bytes, 0, e, "dump sub-header");
	if (r)
		goto fail;
	memcpy(&im->sub, im->head + bs, sizeof(im->sub));

	im->max_mapnr = im->hdr.max_mapnr;
	if (im->hdr.header_version >= 6 && im->sub.max_mapnr_64)
		im->max_mapnr = im->sub.max_mapnr_64;
	if (!im->max_mapnr || im->max_mapnr > (1ull << 52)) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump max_mapnr %llu is "
			      "invalid", (unsigned long long)im->max_mapnr);
		goto fail;
	}
	if (im->hdr.bitmap_blocks < 2 || im->hdr.bitmap_blocks % 2) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump bitmap size (%u blocks) "
			      "is invalid", im->hdr.bitmap_blocks);
		goto fail;
	}
	bitmap_bytes = (uint64_t)im->hdr.bitmap_blocks * bs;
	im->half_bytes = bitmap_bytes / 2;
	if (im->half_bytes * 8 < im->max_mapnr) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump bitmaps (%u blocks) are "
			      "too small for %llu pages", im->hdr.bitmap_blocks,
			      (unsigned long long)im->max_mapnr);
		goto fail;
	}
	im->bitmap_offset = im->head_bytes;
	if (bitmap_bytes > src->size - im->bitmap_offset) {
		r = bm_seterr(e, BM_E_CORRUPT, "dump bitmaps run past the end "
			      "of the dump: truncated");
		goto fail;
	}
	im->bm1 = malloc(im->half_bytes);
	im->bm2 = malloc(im->half_bytes);
	im->rank = calloc(im->max_mapnr / RANK_BITS + 1, sizeof(uint64_t));
	if (!im->bm1 || !im->bm2 || !im->rank) {
		r = bm_seterr(e, BM_E_NOMEM, "out of memory for the bitmaps");
		goto fail;
	}
	r = bm_read(src, im->bm1, im->half_bytes, im->bitmap_offset, e,
		    "1st bitmap");
	if (!r)
		r = bm_read(src, im->bm2, im->half_bytes,
			    im->bitmap_offset + im->half_bytes, e,
			    "2nd bitmap");
	if (r)
		goto fail;
	count_bits(im);
	im->desc_offset = im->bitmap_offset + bitmap_bytes;
	im->nr_desc_avail = (src->size - im->desc_offset) /
			    sizeof(struct page_desc);
	if (im->nr_desc_avail > im->nr_dumpable)
		im->nr_desc_avail = im->nr_dumpable;
	if (im->nr_desc_avail < im->nr_dumpable)
		snprintf(im->warning, sizeof(im->warning),
			 "only %llu of %llu page descriptors lie inside the "
			 "dump", (unsigned long long)im->nr_desc_avail,
			 (unsigned long long)im->nr_dumpable);

	if (im->hdr.header_version >= 4 && im->sub.size_note) {
		if (im->sub.offset_note >= bs + sizeof(im->sub) &&
		    im->sub.offset_note <= im->head_bytes &&
		    im->sub.size_note <= im->head_bytes - im->sub.offset_note) {
			im->notes = im->head + im->sub.offset_note;
			im->notes_len = im->sub.size_note;
			parse_notes(im);
		} else if (!im->warning[0]) {
			snprintf(im->warning, sizeof(im->warning),
				 "note offsets point outside the sub-header");
		}
	}
	if (!im->vmcoreinfo && im->hdr.header_version >= 3 &&
	    im->sub.size_vmcoreinfo &&
	    im->sub.offset_vmcoreinfo >= bs + sizeof(im->sub) &&
	    im->sub.offset_vmcoreinfo <= im->head_bytes &&
	    im->sub.size_vmcoreinfo <= im->head_bytes -
	    im->sub.offset_vmcoreinfo) {
		im->vmcoreinfo = (const char *)im->head +
				 im->sub.offset_vmcoreinfo;
		im->vmcoreinfo_len = im->sub.size_vmcoreinfo;
	}
	im->incomplete = !!(im->hdr.status & DUMP_DH_COMPRESSED_INCOMPLETE);
	return 0;
fail:
	kd_close(im);
	return r;
}

void kd_close(struct kd_image *im)
{
	free(im->head);
	free(im->bm1);
	free(im->bm2);
	free(im->rank);
	free(im->cpus);
	free(im->scratch);
	decomp_free(&im->dec);
	memset(im, 0, sizeof(*im));
}

int kd_vmcoreinfo(const struct kd_image *im, const char *key, char *out,
		  size_t size)
{
	const char *p = im->vmcoreinfo, *end;
	size_t klen = strlen(key);

	if (!p)
		return -1;
	end = p + im->vmcoreinfo_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > klen && !memcmp(p, key, klen) &&
		    p[klen] == '=') {
			size_t n = (size_t)(le - p) - klen - 1;

			if (n >= size)
				n = size - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = 0;
			/* Values are text; a NUL would hide the rest. */
			return strlen(out) == n ? 0 : -1;
		}
		p = le + 1;
	}
	return -1;
}

int kd_read_desc(struct kd_image *im, uint64_t n, struct page_desc *pd,
		 struct bm_err *e)
{
	if (n >= im->nr_desc_avail)
		return bm_seterr(e, BM_E_CORRUPT, "page descriptor %llu lies "
				 "past the end of the dump",
				 (unsigned long long)n);
	return bm_read(im->src, pd, sizeof(*pd),
		       im->desc_offset + n * sizeof(*pd), e,
		       "page descriptor");
}

int kd_read_page(struct kd_image *im, const struct page_desc *pd, void *out,
		 struct bm_err *e)
{
	uint64_t off = (uint64_t)pd->offset;
	int r;

	if (!pd->offset)
		return bm_seterr(e, BM_E_CORRUPT, "page was never written "
				 "(descriptor offset 0)");
	if (pd->offset < 0 || off < im->desc_offset || !pd->size ||
	    pd->size > im->bs)
		return bm_seterr(e, BM_E_CORRUPT, "page descriptor is invalid "
				 "(offset %lld size %u)",
				 (long long)pd->offset, pd->size);
	r = bm_read(im->src, im->scratch, pd->size, off, e, "page data");
	if (r)
		return r;
	if (decomp_page(&im->dec, pd->flags, im->scratch, pd->size, out,
			im->bs))
		return bm_seterr(e, BM_E_CORRUPT, "page data at offset %llu "
				 "does not decompress (flags 0x%x)",
				 (unsigned long long)off, pd->flags);
	return 0;
}

int kd_pfn_index(const struct kd_image *im, uint64_t pfn, uint64_t *index)
{
	uint64_t w, first, n;

	if (pfn >= im->max_mapnr || !kd_bit(im->bm2, pfn))
		return 0;
	n = im->rank[pfn / RANK_BITS];
	first = pfn / RANK_BITS * (RANK_BITS / 64);
	for (w = first; w < pfn / 64; w++) {
		uint64_t v;

		memcpy(&v, im->bm2 + w * 8, 8);
		n += (uint64_t)__builtin_popcountll(v);
	}
	if (pfn & 63) {
		uint64_t v;

		memcpy(&v, im->bm2 + (pfn / 64) * 8, 8);
		n += (uint64_t)__builtin_popcountll(v &
						    ((1ull << (pfn & 63)) - 1));
	}
	*index = n;
	return 1;
}

int kd_read_pfn(struct kd_image *im, uint64_t pfn, void *out,
		struct bm_err *e)
{
	struct page_desc pd;
	uint64_t idx;
	int r;

	if (!kd_pfn_index(im, pfn, &idx))
		return BM_E_NOTFOUND;
	r = kd_read_desc(im, idx, &pd, e);
	return r ? r : kd_read_page(im, &pd, out, e);
}

/* --- conversion ------------------------------------------------------- */

/*
 * Pages go through in batches: the main thread reads a batch's descriptors
 * and stored bytes (contiguous runs in one read), workers check, decompress
 * and compress the pages in parallel, then the main thread appends the
 * results in pfn order.  With no worker threads the main thread does it.
 */
#define BATCH_BYTES	(2u << 20)	/* page data per batch */
#define MAX_WORKERS	16

struct slot {
	uint64_t pfn;
	struct page_desc pd;	/* input */
	uint8_t *raw;		/* stored bytes (pd.size) */
	uint8_t *page;		/* decompressed */
	uint8_t *cbuf;		/* compressed, comp.bound */
	size_t csize;		/* 0: store raw */
	int bad, zero;
};

struct batch {
	struct kd_image *in;
	struct slot *slot;
	unsigned int n;
	int kind;
};

struct worker_ctx {
	struct compressor comp;
	struct decompressor dec;
};

static void work_slot(struct batch *b, struct worker_ctx *w, struct slot *s)
{
	const uint64_t bs = b->in->bs;

	if (s->bad)
		return;
	if (decomp_page(&w->dec, s->pd.flags, s->raw, s->pd.size, s->page,
			bs)) {
		s->bad = 1;
		return;
	}
	s->zero = is_all_zero(s->page, bs);
	s->csize = !s->zero && b->kind ? comp_page(&w->comp, s->page,
						   s->cbuf) : 0;
}

struct pool;

struct worker_arg {
	struct pool *p;
	unsigned int idx;
};

struct pool {
	pthread_t th[MAX_WORKERS];
	struct worker_arg args[MAX_WORKERS];
	struct worker_ctx ctx[MAX_WORKERS];
	unsigned int n;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	uint64_t gen;
	unsigned int remaining;
	int quit;
	struct batch *b;
};

static void *worker_main(void *arg)
{
	struct worker_arg *a = arg;
	struct pool *p = a->p;
	uint64_t seen = 0;

	for (;;) {
		unsigned int k;

		pthread_mutex_lock(&p->mu);
		while (p->gen == seen && !p->quit)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		seen = p->gen;
		pthread_mutex_unlock(&p->mu);
		for (k = a->idx; k < p->b->n; k += p->n)
			work_slot(p->b, &p->ctx[a->idx], &p->b->slot[k]);
		pthread_mutex_lock(&p->mu);
		if (--p->remaining == 0)
			pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

static void pool_stop(struct pool *p)
{
	unsigned int i;

	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n; i++) {
		pthread_join(p->th[i], NULL);
		comp_free(&p->ctx[i].comp);
		decomp_free(&p->ctx[i].dec);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	p->n = 0;
}

static int pool_start(struct pool *p, unsigned int n, int kind, uint64_t bs)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	if (n > MAX_WORKERS)
		n = MAX_WORKERS;
	for (i = 0; i < n; i++) {
		if (comp_init(&p->ctx[i].comp, kind, bs) ||
		    decomp_init(&p->ctx[i].dec))
			break;
		p->args[i].p = p;
		p->args[i].idx = i;
		/* p->n counts started threads; workers stride by the final n. */
		if (pthread_create(&p->th[i], NULL, worker_main,
				   &p->args[i])) {
			comp_free(&p->ctx[i].comp);
			decomp_free(&p->ctx[i].dec);
			break;
		}
		p->n++;
	}
	if (p->n < n) {
		pool_stop(p);
		return -1;
	}
	return 0;
}

static void pool_run(struct pool *p, struct batch *b)
{
	pthread_mutex_lock(&p->mu);
	p->b = b;
	p->remaining = p->n;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	while (p->remaining)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* Read the stored bytes of a batch: contiguous runs with one read each. */
static void read_batch(struct kd_image *in, struct batch *b, uint8_t *area,
		       size_t area_size)
{
	unsigned int k = 0;

	while (k < b->n) {
		struct slot *s = &b->slot[k];
		uint64_t off = (uint64_t)s->pd.offset, end;
		unsigned int m = k + 1;

		if (s->bad) {
			k++;
			continue;
		}
		end = off + s->pd.size;
		/* Extend the run while the next page follows on directly. */
		while (m < b->n && !b->slot[m].bad &&
		       (uint64_t)b->slot[m].pd.offset == end &&
		       end - off + b->slot[m].pd.size <= area_size) {
			end += b->slot[m].pd.size;
			m++;
		}
		if (end <= in->src->size &&
		    in->src->read(in->src->ctx, area, end - off, off) == 0) {
			uint64_t at = 0;

			for (; k < m; k++) {
				b->slot[k].raw = area + at;
				at += b->slot[k].pd.size;
			}
			area += at;
			area_size -= at;
			continue;
		}
		/* The run failed: each page alone decides. */
		for (; k < m; k++) {
			struct slot *t = &b->slot[k];
			uint64_t o = (uint64_t)t->pd.offset;

			if (o + t->pd.size > in->src->size ||
			    in->src->read(in->src->ctx, area, t->pd.size, o)) {
				t->bad = 1;
				continue;
			}
			t->raw = area;
			area += t->pd.size;
			area_size -= t->pd.size;
		}
	}
}

struct outbuf {
	const struct bm_sink *sink;
	uint8_t *data;
	size_t used;
	uint64_t off;			/* file offset of data[0] */
};

static int outbuf_flush(struct outbuf *b)
{
	int r = 0;

	if (b->used)
		r = b->sink->write(b->sink->ctx, b->data, b->used, b->off);
	b->off += b->used;
	b->used = 0;
	return r;
}

static int outbuf_put(struct outbuf *b, const void *p, size_t n)
{
	if (b->used + n > DATA_BUF_BYTES) {
		int r = outbuf_flush(b);

		if (r)
			return r;
	}
	memcpy(b->data + b->used, p, n);
	b->used += n;
	return 0;
}

static int write_err(struct bm_err *e, int r, const char *what)
{
	if (r == BM_E_NOSPACE)
		return bm_seterr(e, r, "no space left while writing %s", what);
	return bm_seterr(e, r ? r : BM_E_IO, "cannot write %s", what);
}

/* Is the descriptor usable at all (before reading its bytes)? */
static int desc_ok(const struct kd_image *in, const struct page_desc *pd)
{
	return pd->offset > 0 && (uint64_t)pd->offset >= in->desc_offset &&
	       pd->size && pd->size <= in->bs;
}

int kd_convert(struct kd_image *in, const struct bm_sink *out,
	       const struct kd_convert_opts *o, struct kd_convert_stats *st,
	       struct bm_err *e)
{
	const uint64_t bs = in->bs;
	struct disk_dump_header *hdr;
	struct kdump_sub_header *sub;
	struct worker_ctx self = { 0 };
	struct pool pool = { 0 };
	struct batch b = { 0 };
	struct page_desc *din = NULL, *dout = NULL;
	struct outbuf ob = { 0 };
	uint8_t *head = NULL, *bm2 = NULL, *pages = NULL, *cbufs = NULL;
	uint8_t *rawbuf = NULL, *zero = NULL;
	uint64_t i = 0, j = 0, jflush = 0, din_first = 0, din_n = 0;
	uint64_t data_off, zero_off, words, w, next_guard = GUARD_EVERY;
	unsigned int k, batch_pages = (unsigned int)(BATCH_BYTES / bs);
	uint32_t status;
	int r, use_pool = 0;

	if (!batch_pages)
		batch_pages = 1;

	memset(st, 0, sizeof(*st));
	if (comp_init(&self.comp, o->compress, bs) || decomp_init(&self.dec)) {
		comp_free(&self.comp);
		return bm_seterr(e, BM_E_NOMEM, "cannot set up %s compression",
				 comp_name(o->compress));
	}
	head = malloc(in->head_bytes);
	bm2 = malloc(in->half_bytes);
	zero = calloc(1, bs);
	b.slot = calloc(batch_pages, sizeof(*b.slot));
	pages = malloc(batch_pages * bs);
	cbufs = malloc(batch_pages * self.comp.bound);
	rawbuf = malloc(batch_pages * bs);
	din = malloc(DESC_BATCH * sizeof(*din));
	dout = malloc(DESC_BATCH * sizeof(*dout));
	ob.data = malloc(DATA_BUF_BYTES);
	if (!head || !bm2 || !zero || !b.slot || !pages || !cbufs || !rawbuf ||
	    !din || !dout || !ob.data) {
		r = bm_seterr(e, BM_E_NOMEM, "out of memory");
		goto out;
	}
	b.in = in;
	b.kind = o->compress;
	for (k = 0; k < batch_pages; k++) {
		b.slot[k].page = pages + k * bs;
		b.slot[k].cbuf = cbufs + k * self.comp.bound;
	}
	if (o->threads > 1 && in->nr_dumpable > batch_pages)
		use_pool = pool_start(&pool, o->threads, o->compress, bs) == 0;

	memcpy(head, in->head, in->head_bytes);
	memcpy(bm2, in->bm2, in->half_bytes);
	hdr = (struct disk_dump_header *)head;
	sub = (struct kdump_sub_header *)(head + bs);
	/* eraseinfo is not copied; say so in the sub-header. */
	if (hdr->header_version >= 5) {
		sub->offset_eraseinfo = 0;
		sub->size_eraseinfo = 0;
	}
	status = (in->hdr.status & DUMP_DH_EXCLUDED_VMEMMAP) |
		 comp_header_flag(o->compress);
	hdr->status = status | DUMP_DH_COMPRESSED_INCOMPLETE;
	r = out->write(out->ctx, head, in->head_bytes, 0);
	if (r) {
		r = write_err(e, r, "the dump header");
		goto out;
	}

	data_off = roundup_u64(in->desc_offset +
			       in->nr_dumpable * sizeof(struct page_desc), bs);
	zero_off = data_off;
	ob.sink = out;
	ob.off = data_off;
	r = outbuf_put(&ob, zero, bs);
	if (r)
		goto werr;

	words = (in->max_mapnr + 63) / 64;
	w = 0;
	{
		uint64_t bits = 0;
		int more = words > 0;

		if (more)
			memcpy(&bits, in->bm2, 8);
		while (more) {
			/* Gather a batch of dumped pfns with their descs. */
			b.n = 0;
			while (b.n < batch_pages && more) {
				struct slot *s;

				while (!bits && ++w < words)
					memcpy(&bits, in->bm2 + w * 8, 8);
				if (!bits) {
					more = 0;
					break;
				}
				s = &b.slot[b.n++];
				s->pfn = w * 64 + (uint64_t)__builtin_ctzll(bits);
				bits &= bits - 1;
				s->raw = NULL;
				s->csize = 0;
				s->zero = 0;
				s->bad = 1;
				if (i < in->nr_desc_avail) {
					if (i >= din_first + din_n) {
						din_first = i;
						din_n = in->nr_desc_avail - i;
						if (din_n > DESC_BATCH)
							din_n = DESC_BATCH;
						r = bm_read(in->src, din,
							    din_n * sizeof(*din),
							    in->desc_offset +
							    i * sizeof(*din), e,
							    "page descriptors");
						if (r)
							goto out;
					}
					s->pd = din[i - din_first];
					s->bad = !desc_ok(in, &s->pd);
				}
				i++;
			}
			if (!b.n)
				break;
			read_batch(in, &b, rawbuf, batch_pages * bs);
			if (use_pool)
				pool_run(&pool, &b);
			else
				for (k = 0; k < b.n; k++)
					work_slot(&b, &self, &b.slot[k]);

			for (k = 0; k < b.n; k++) {
				struct slot *s = &b.slot[k];
				struct page_desc *po;

				if (s->bad) {
					bm2[s->pfn >> 3] &=
						(uint8_t)~(1u << (s->pfn & 7));
					st->missing_pages++;
					continue;
				}
				po = &dout[j - jflush];
				po->page_flags = 0;
				if (s->zero) {
					po->offset = (int64_t)zero_off;
					po->size = (uint32_t)bs;
					po->flags = 0;
					st->zero_pages++;
				} else {
					po->offset = (int64_t)(ob.off + ob.used);
					if (s->csize) {
						po->size = (uint32_t)s->csize;
						po->flags = comp_page_flag(
							o->compress);
						r = outbuf_put(&ob, s->cbuf,
							       s->csize);
						st->compressed_pages++;
					} else {
						po->size = (uint32_t)bs;
						po->flags = 0;
						r = outbuf_put(&ob, s->page, bs);
						st->raw_pages++;
					}
					if (r)
						goto werr;
				}
				j++;
				if (j - jflush == DESC_BATCH) {
					r = out->write(out->ctx, dout,
						       DESC_BATCH * sizeof(*dout),
						       in->desc_offset +
						       jflush * sizeof(*dout));
					if (r)
						goto werr;
					jflush = j;
				}
			}
			if (o->progress)
				o->progress(o->progress_ctx, i,
					    in->nr_dumpable);
			if (o->guard && ob.off + ob.used >= next_guard) {
				next_guard = ob.off + ob.used + GUARD_EVERY;
				r = o->guard(o->guard_ctx, ob.off + ob.used);
				if (r) {
					r = bm_seterr(e, r, "stopped: the "
						      "free-space guard");
					goto out;
				}
			}
			if (o->abort_after_pages && i >= o->abort_after_pages) {
				outbuf_flush(&ob);
				_exit(99);
			}
		}
	}
	if (o->progress)
		o->progress(o->progress_ctx, in->nr_dumpable, in->nr_dumpable);
	r = outbuf_flush(&ob);
	if (!r && j > jflush)
		r = out->write(out->ctx, dout, (j - jflush) * sizeof(*dout),
			       in->desc_offset + jflush * sizeof(*dout));
	if (!r)
		r = out->write(out->ctx, in->bm1, in->half_bytes,
			       in->bitmap_offset);
	if (!r)
		r = out->write(out->ctx, bm2, in->half_bytes,
			       in->bitmap_offset + in->half_bytes);
	if (!r && out->sync)
		r = out->sync(out->ctx);
	if (r)
		goto werr;

	st->pages = j;
	st->out_bytes = ob.off;
	st->incomplete = in->incomplete || o->mark_incomplete ||
			 st->missing_pages > 0;
	/* Last: the header that says the file is whole (or flagged). */
	hdr->status = status |
		      (st->incomplete ? DUMP_DH_COMPRESSED_INCOMPLETE : 0);
	r = out->write(out->ctx, head, sizeof(*hdr), 0);
	if (!r && out->sync)
		r = out->sync(out->ctx);
	if (r)
		goto werr;
	r = 0;
	goto out;
werr:
	r = write_err(e, r, "the dump");
out:
	if (use_pool)
		pool_stop(&pool);
	comp_free(&self.comp);
	decomp_free(&self.dec);
	free(head);
	free(bm2);
	free(zero);
	free(b.slot);
	free(pages);
	free(cbufs);
	free(rawbuf);
	free(din);
	free(dout);
	free(ob.data);
	return r;
}
