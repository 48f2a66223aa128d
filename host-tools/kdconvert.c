// SPDX-License-Identifier: GPL-2.0
/*
 * Rewriting a kdump-compressed image with per-page compression
 * (kd_convert, kdumpfile.h): what `bmdump save` writes.  Phases: set up
 * the compressors, buffers and worker pool; write the header flagged
 * INCOMPLETE; convert the pages batch by batch; write the descriptors,
 * bitmaps and last the header that says the file is whole.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kdumpfile.h"

#define DESC_BATCH		4096
#define DATA_BUF_BYTES		(4u << 20)
#define GUARD_EVERY		(16ull << 20)

static uint64_t roundup_u64(uint64_t n, uint64_t a)
{
	return (n + a - 1) / a * a;
}

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

/* One conversion's state, shared by its phases. */
struct conv {
	struct kd_image *in;
	const struct bm_sink *out;
	const struct kd_convert_opts *o;
	struct kd_convert_stats *st;
	struct bm_err *e;
	uint64_t bs;
	struct worker_ctx self;
	struct pool pool;
	int use_pool;
	struct batch b;
	unsigned int batch_pages;
	uint8_t *head, *bm2, *pages, *cbufs, *rawbuf, *zero;
	struct disk_dump_header *hdr;	/* inside head */
	uint32_t status;		/* the output's, but INCOMPLETE */
	struct outbuf ob;		/* page data */
	uint64_t zero_off;		/* the zero page all zero pages share */
	uint64_t next_guard;
	/* Input descriptors: din[0] is number din_first, din_n of them. */
	struct page_desc *din;
	uint64_t i, din_first, din_n;	/* i: the next input descriptor */
	/* Output descriptors: dout[0] is number jflush; j written so far. */
	struct page_desc *dout;
	uint64_t j, jflush;
	/* The walk over the 2nd bitmap: word w, its bits not yet taken. */
	uint64_t words, w, bits;
	int more;
};

/* Compressors, buffers, the worker pool. */
static int conv_setup(struct conv *c)
{
	const uint64_t bs = c->bs;
	unsigned int k;

	c->batch_pages = (unsigned int)(BATCH_BYTES / bs);
	if (!c->batch_pages)
		c->batch_pages = 1;
	if (comp_init(&c->self.comp, c->o->compress, bs) ||
	    decomp_init(&c->self.dec)) {
		comp_free(&c->self.comp);
		return bm_seterr(c->e, BM_E_NOMEM, "cannot set up %s "
				 "compression", comp_name(c->o->compress));
	}
	c->head = malloc(c->in->head_bytes);
	c->bm2 = malloc(c->in->half_bytes);
	c->zero = calloc(1, bs);
	c->b.slot = calloc(c->batch_pages, sizeof(*c->b.slot));
	c->pages = malloc(c->batch_pages * bs);
	c->cbufs = malloc(c->batch_pages * c->self.comp.bound);
	c->rawbuf = malloc(c->batch_pages * bs);
	c->din = malloc(DESC_BATCH * sizeof(*c->din));
	c->dout = malloc(DESC_BATCH * sizeof(*c->dout));
	c->ob.data = malloc(DATA_BUF_BYTES);
	if (!c->head || !c->bm2 || !c->zero || !c->b.slot || !c->pages ||
	    !c->cbufs || !c->rawbuf || !c->din || !c->dout || !c->ob.data)
		return bm_seterr(c->e, BM_E_NOMEM, "out of memory");
	c->b.in = c->in;
	c->b.kind = c->o->compress;
	for (k = 0; k < c->batch_pages; k++) {
		c->b.slot[k].page = c->pages + k * bs;
		c->b.slot[k].cbuf = c->cbufs + k * c->self.comp.bound;
	}
	if (c->o->threads > 1 && c->in->nr_dumpable > c->batch_pages)
		c->use_pool = pool_start(&c->pool, c->o->threads,
					 c->o->compress, bs) == 0;
	return 0;
}

static void conv_free(struct conv *c)
{
	if (c->use_pool)
		pool_stop(&c->pool);
	comp_free(&c->self.comp);
	decomp_free(&c->self.dec);
	free(c->head);
	free(c->bm2);
	free(c->zero);
	free(c->b.slot);
	free(c->pages);
	free(c->cbufs);
	free(c->rawbuf);
	free(c->din);
	free(c->dout);
	free(c->ob.data);
}

/* The input's header and sub-header, flagged INCOMPLETE until the end;
 * then the zero page at the start of the page data. */
static int conv_write_head(struct conv *c)
{
	struct kd_image *in = c->in;
	struct kdump_sub_header *sub;
	uint64_t data_off;
	int r;

	memcpy(c->head, in->head, in->head_bytes);
	memcpy(c->bm2, in->bm2, in->half_bytes);
	c->hdr = (struct disk_dump_header *)c->head;
	sub = (struct kdump_sub_header *)(c->head + c->bs);
	/* eraseinfo is not copied; say so in the sub-header. */
	if (c->hdr->header_version >= 5) {
		sub->offset_eraseinfo = 0;
		sub->size_eraseinfo = 0;
	}
	c->status = (in->hdr.status & DUMP_DH_EXCLUDED_VMEMMAP) |
		    comp_header_flag(c->o->compress);
	c->hdr->status = c->status | DUMP_DH_COMPRESSED_INCOMPLETE;
	r = c->out->write(c->out->ctx, c->head, in->head_bytes, 0);
	if (r)
		return write_err(c->e, r, "the dump header");
	data_off = roundup_u64(in->desc_offset +
			       in->nr_dumpable * sizeof(struct page_desc),
			       c->bs);
	c->zero_off = data_off;
	c->ob.sink = c->out;
	c->ob.off = data_off;
	r = outbuf_put(&c->ob, c->zero, c->bs);
	if (r)
		return write_err(c->e, r, "the dump");
	return 0;
}

/* Input descriptor c->i for slot s, reading the next DESC_BATCH of them
 * when needed; past the descriptors the source holds the page is bad. */
static int conv_take_desc(struct conv *c, struct slot *s)
{
	struct kd_image *in = c->in;
	int r;

	s->bad = 1;
	if (c->i >= in->nr_desc_avail)
		return 0;
	if (c->i >= c->din_first + c->din_n) {
		c->din_first = c->i;
		c->din_n = in->nr_desc_avail - c->i;
		if (c->din_n > DESC_BATCH)
			c->din_n = DESC_BATCH;
		r = bm_read(in->src, c->din, c->din_n * sizeof(*c->din),
			    in->desc_offset + c->i * sizeof(*c->din), c->e,
			    "page descriptors");
		if (r)
			return r;
	}
	s->pd = c->din[c->i - c->din_first];
	s->bad = !desc_ok(in, &s->pd);
	return 0;
}

/* Gathers the next batch of dumped pfns (2nd bitmap) with their
 * descriptors; b.n 0 when none is left. */
static int conv_gather(struct conv *c)
{
	struct batch *b = &c->b;
	int r;

	b->n = 0;
	while (b->n < c->batch_pages && c->more) {
		struct slot *s;

		while (!c->bits && ++c->w < c->words)
			memcpy(&c->bits, c->in->bm2 + c->w * 8, 8);
		if (!c->bits) {
			c->more = 0;
			break;
		}
		s = &b->slot[b->n++];
		s->pfn = c->w * 64 + (uint64_t)__builtin_ctzll(c->bits);
		c->bits &= c->bits - 1;
		s->raw = NULL;
		s->csize = 0;
		s->zero = 0;
		r = conv_take_desc(c, s);
		if (r)
			return r;
		c->i++;
	}
	return 0;
}

/* Slot s's page into the page data; its descriptor into po. */
static int conv_put_page(struct conv *c, struct slot *s, struct page_desc *po)
{
	struct kd_convert_stats *st = c->st;

	po->page_flags = 0;
	if (s->zero) {
		po->offset = (int64_t)c->zero_off;
		po->size = (uint32_t)c->bs;
		po->flags = 0;
		st->zero_pages++;
		return 0;
	}
	po->offset = (int64_t)(c->ob.off + c->ob.used);
	if (s->csize) {
		po->size = (uint32_t)s->csize;
		po->flags = comp_page_flag(c->o->compress);
		st->compressed_pages++;
		return outbuf_put(&c->ob, s->cbuf, s->csize);
	}
	po->size = (uint32_t)c->bs;
	po->flags = 0;
	st->raw_pages++;
	return outbuf_put(&c->ob, s->page, c->bs);
}

/* The batch's results in pfn order: a bad page leaves the 2nd bitmap, a
 * good one gets its data and descriptor. */
static int conv_emit(struct conv *c)
{
	struct kd_image *in = c->in;
	unsigned int k;
	int r;

	for (k = 0; k < c->b.n; k++) {
		struct slot *s = &c->b.slot[k];

		if (s->bad) {
			c->bm2[s->pfn >> 3] &= (uint8_t)~(1u << (s->pfn & 7));
			c->st->missing_pages++;
			continue;
		}
		r = conv_put_page(c, s, &c->dout[c->j - c->jflush]);
		if (r)
			return r;
		c->j++;
		if (c->j - c->jflush == DESC_BATCH) {
			r = c->out->write(c->out->ctx, c->dout,
					  DESC_BATCH * sizeof(*c->dout),
					  in->desc_offset +
					  c->jflush * sizeof(*c->dout));
			if (r)
				return r;
			c->jflush = c->j;
		}
	}
	return 0;
}

/* Between batches: progress, the free-space guard, the tests' abort. */
static int conv_checkpoint(struct conv *c)
{
	const struct kd_convert_opts *o = c->o;
	uint64_t written = c->ob.off + c->ob.used;
	int r;

	if (o->progress)
		o->progress(o->progress_ctx, c->i, c->in->nr_dumpable);
	if (o->guard && written >= c->next_guard) {
		c->next_guard = written + GUARD_EVERY;
		r = o->guard(o->guard_ctx, written);
		if (r)
			return bm_seterr(c->e, r, "stopped: the free-space "
					 "guard");
	}
	if (o->abort_after_pages && c->i >= o->abort_after_pages) {
		outbuf_flush(&c->ob);
		_exit(99);
	}
	return 0;
}

/* Every batch: gather, read, decompress and compress, emit. */
static int conv_pages(struct conv *c)
{
	unsigned int k;
	int r;

	c->words = (c->in->max_mapnr + 63) / 64;
	c->w = 0;
	c->bits = 0;
	c->more = c->words > 0;
	if (c->more)
		memcpy(&c->bits, c->in->bm2, 8);
	while (c->more) {
		r = conv_gather(c);
		if (r)
			return r;
		if (!c->b.n)
			break;
		read_batch(c->in, &c->b, c->rawbuf, c->batch_pages * c->bs);
		if (c->use_pool)
			pool_run(&c->pool, &c->b);
		else
			for (k = 0; k < c->b.n; k++)
				work_slot(&c->b, &c->self, &c->b.slot[k]);
		r = conv_emit(c);
		if (r)
			return write_err(c->e, r, "the dump");
		r = conv_checkpoint(c);
		if (r)
			return r;
	}
	return 0;
}

/* The rest of the data and descriptors, both bitmaps, and last the
 * header that says the file is whole (or flagged INCOMPLETE). */
static int conv_finish(struct conv *c)
{
	struct kd_image *in = c->in;
	const struct bm_sink *out = c->out;
	struct kd_convert_stats *st = c->st;
	int r;

	if (c->o->progress)
		c->o->progress(c->o->progress_ctx, in->nr_dumpable,
			       in->nr_dumpable);
	r = outbuf_flush(&c->ob);
	if (!r && c->j > c->jflush)
		r = out->write(out->ctx, c->dout,
			       (c->j - c->jflush) * sizeof(*c->dout),
			       in->desc_offset + c->jflush * sizeof(*c->dout));
	if (!r)
		r = out->write(out->ctx, in->bm1, in->half_bytes,
			       in->bitmap_offset);
	if (!r)
		r = out->write(out->ctx, c->bm2, in->half_bytes,
			       in->bitmap_offset + in->half_bytes);
	if (!r && out->sync)
		r = out->sync(out->ctx);
	if (r)
		return write_err(c->e, r, "the dump");
	st->pages = c->j;
	st->out_bytes = c->ob.off;
	st->incomplete = in->incomplete || c->o->mark_incomplete ||
			 st->missing_pages > 0;
	c->hdr->status = c->status |
			 (st->incomplete ? DUMP_DH_COMPRESSED_INCOMPLETE : 0);
	r = out->write(out->ctx, c->head, sizeof(*c->hdr), 0);
	if (!r && out->sync)
		r = out->sync(out->ctx);
	if (r)
		return write_err(c->e, r, "the dump");
	return 0;
}

int kd_convert(struct kd_image *in, const struct bm_sink *out,
	       const struct kd_convert_opts *o, struct kd_convert_stats *st,
	       struct bm_err *e)
{
	struct conv c = {
		.in = in, .out = out, .o = o, .st = st, .e = e, .bs = in->bs,
		.next_guard = GUARD_EVERY,
	};
	int r;

	memset(st, 0, sizeof(*st));
	r = conv_setup(&c);
	if (r)
		goto err_free;
	r = conv_write_head(&c);
	if (r)
		goto err_free;
	r = conv_pages(&c);
	if (r)
		goto err_free;
	r = conv_finish(&c);
err_free:
	conv_free(&c);
	return r;
}
