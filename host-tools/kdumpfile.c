// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a kdump-compressed image (kdumpfile.h): kd_open checks the
 * header, sub-header and bitmaps, then pages are read by pfn.  Rewriting
 * one is kdconvert.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmdump/vmcoreinfo.h"
#include "kdumpfile.h"

#define NT_PRSTATUS		1
#define PRSTATUS_SIZE		336
#define PRSTATUS_PID		32
#define PRSTATUS_REGS		112
#define PRSTATUS_REG_RIP	16
#define PRSTATUS_REG_RSP	19
#define RANK_BITS		4096

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

/* What the file is, by its first 16 bytes: only kdump-compressed passes;
 * anything else is BM_E_NOTDUMP (not a damaged dump: another file). */
static int check_signature(const struct bm_src *src, struct bm_err *e)
{
	uint8_t sig[16] = { 0 };
	int r;

	if (src->size < KDUMP_SIG_LEN)
		return bm_seterr(e, BM_E_NOTDUMP, "not a dump file: %llu "
				 "bytes, shorter than a dump's signature",
				 (unsigned long long)src->size);
	r = bm_read(src, sig, src->size < sizeof(sig) ? KDUMP_SIG_LEN :
		    sizeof(sig), 0, e, "dump header");
	if (r)
		return r;
	if (!memcmp(sig, "makedumpfile", 12))
		return bm_seterr(e, BM_E_NOTDUMP, "this is a flattened dump "
				 "(makedumpfile -F): rebuild it first with "
				 "makedumpfile -R OUT < FILE");
	if (!memcmp(sig, "\177ELF", 4))
		return bm_seterr(e, BM_E_NOTDUMP, "this is an ELF core file, "
				 "not a kdump-compressed dump");
	if (!memcmp(sig, "BMDAREA", 8))
		return bm_seterr(e, BM_E_NOTDUMP, "this is a bmdump area, not "
				 "a dump file: bmdump info --area --from FILE "
				 "shows it");
	if (memcmp(sig, KDUMP_SIGNATURE, KDUMP_SIG_LEN))
		return bm_seterr(e, BM_E_NOTDUMP, "not a dump file (no "
				 "kdump-compressed signature \"KDUMP   \")");
	return 0;
}

/* The header block and the sub-header blocks after it, into im->head. */
static int read_head(struct kd_image *im, struct bm_err *e)
{
	const struct bm_src *src = im->src;
	uint64_t bs, hdr_max;
	int r;

	r = bm_read(src, &im->hdr, sizeof(im->hdr), 0, e, "dump header");
	if (r)
		return r;
	if (im->hdr.header_version < 1)
		return bm_seterr(e, BM_E_CORRUPT, "dump header version %d is "
				 "not supported (need 1 or later)",
				 im->hdr.header_version);
	bs = (uint64_t)(int64_t)im->hdr.block_size;
	if (bs < 4096 || bs > 262144 || (bs & (bs - 1)))
		return bm_seterr(e, BM_E_CORRUPT, "dump block size %d is "
				 "invalid", im->hdr.block_size);
	im->bs = bs;
	if (im->hdr.sub_hdr_size < 1)
		return bm_seterr(e, BM_E_CORRUPT, "dump sub-header size %d is "
				 "invalid", im->hdr.sub_hdr_size);
	im->head_bytes = (1 + (uint64_t)im->hdr.sub_hdr_size) * bs;
	hdr_max = KD_MAX_HEAD_BYTES < src->size ? KD_MAX_HEAD_BYTES : src->size;
	if (im->head_bytes > hdr_max)
		return bm_seterr(e, BM_E_CORRUPT, "dump sub-header (%d blocks) "
				 "is larger than the dump or than %llu MiB",
				 im->hdr.sub_hdr_size,
				 (unsigned long long)(KD_MAX_HEAD_BYTES >> 20));
	im->head = malloc(im->head_bytes);
	im->scratch = malloc(bs);
	if (!im->head || !im->scratch)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = bm_read(src, im->head, im->head_bytes, 0, e, "dump sub-header");
	if (r)
		return r;
	memcpy(&im->sub, im->head + bs, sizeof(im->sub));
	return 0;
}

/* Both bitmaps, checked against max_mapnr and the source's size. */
static int read_bitmaps(struct kd_image *im, struct bm_err *e)
{
	const struct bm_src *src = im->src;
	uint64_t bitmap_bytes;
	int r;

	im->max_mapnr = im->hdr.max_mapnr;
	if (im->hdr.header_version >= 6 && im->sub.max_mapnr_64)
		im->max_mapnr = im->sub.max_mapnr_64;
	if (!im->max_mapnr || im->max_mapnr > (1ull << 52))
		return bm_seterr(e, BM_E_CORRUPT, "dump max_mapnr %llu is "
				 "invalid", (unsigned long long)im->max_mapnr);
	if (im->hdr.bitmap_blocks < 2 || im->hdr.bitmap_blocks % 2)
		return bm_seterr(e, BM_E_CORRUPT, "dump bitmap size (%u "
				 "blocks) is invalid", im->hdr.bitmap_blocks);
	bitmap_bytes = (uint64_t)im->hdr.bitmap_blocks * im->bs;
	im->half_bytes = bitmap_bytes / 2;
	if (im->half_bytes * 8 < im->max_mapnr)
		return bm_seterr(e, BM_E_CORRUPT, "dump bitmaps (%u blocks) "
				 "are too small for %llu pages",
				 im->hdr.bitmap_blocks,
				 (unsigned long long)im->max_mapnr);
	im->bitmap_offset = im->head_bytes;
	if (bitmap_bytes > src->size - im->bitmap_offset)
		return bm_seterr(e, BM_E_CORRUPT, "dump bitmaps run past the "
				 "end of the dump: truncated");
	im->bm1 = malloc(im->half_bytes);
	im->bm2 = malloc(im->half_bytes);
	im->rank = calloc(im->max_mapnr / RANK_BITS + 1, sizeof(uint64_t));
	if (!im->bm1 || !im->bm2 || !im->rank)
		return bm_seterr(e, BM_E_NOMEM, "out of memory for the "
				 "bitmaps");
	r = bm_read(src, im->bm1, im->half_bytes, im->bitmap_offset, e,
		    "1st bitmap");
	if (!r)
		r = bm_read(src, im->bm2, im->half_bytes,
			    im->bitmap_offset + im->half_bytes, e,
			    "2nd bitmap");
	if (r)
		return r;
	count_bits(im);
	im->desc_offset = im->bitmap_offset + bitmap_bytes;
	return 0;
}

/* How many page descriptors the source holds: a truncated dump is read
 * as far as it goes, with a warning. */
static void count_descs(struct kd_image *im)
{
	im->nr_desc_avail = (im->src->size - im->desc_offset) /
			    sizeof(struct page_desc);
	if (im->nr_desc_avail > im->nr_dumpable)
		im->nr_desc_avail = im->nr_dumpable;
	if (im->nr_desc_avail < im->nr_dumpable)
		snprintf(im->warning, sizeof(im->warning),
			 "only %llu of %llu page descriptors lie inside the "
			 "dump", (unsigned long long)im->nr_desc_avail,
			 (unsigned long long)im->nr_dumpable);
}

/* The ELF notes and VMCOREINFO inside the sub-header, where they point
 * inside it; else a warning, not a failure. */
static void find_notes(struct kd_image *im)
{
	uint64_t bs = im->bs;

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
}

int kd_open(struct kd_image *im, const struct bm_src *src, struct bm_err *e)
{
	int r;

	memset(im, 0, sizeof(*im));
	im->src = src;
	if (decomp_init(&im->dec))
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = check_signature(src, e);
	if (r)
		goto err_close;
	r = read_head(im, e);
	if (r)
		goto err_close;
	r = read_bitmaps(im, e);
	if (r)
		goto err_close;
	count_descs(im);
	find_notes(im);
	im->incomplete = !!(im->hdr.status & DUMP_DH_COMPRESSED_INCOMPLETE);
	return 0;
err_close:
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
	const char *v;
	size_t n;

	if (!im->vmcoreinfo || !vmcoreinfo_find(im->vmcoreinfo,
						 im->vmcoreinfo_len, key,
						 &v, &n))
		return -1;
	if (n >= size)
		n = size - 1;
	memcpy(out, v, n);
	out[n] = 0;
	/* Values are text; a NUL would hide the rest. */
	return strlen(out) == n ? 0 : -1;
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
