// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: everything `bmdump save` and `bmdump info` parse from
 * an area or a dump file.  The input is tried as an area (header, log,
 * image) and as a bare dump file; each readable image is converted and the
 * output must read back whole (same page count, every page readable, each
 * page's bytes equal to what the input gives for it), so the fuzzer checks
 * the writer too.  Input byte 0 bit 0 set: the area header's CRC is fixed
 * up first, so mutations reach past the CRC check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "areaio.h"
#include "dmesg.h"
#include "info.h"
#include "kdumpfile.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	return 0;
}

/*
 * Page pfn as the input and the output give it: both readable with the same
 * bytes, or unreadable in the input and dropped from the output.  A page
 * the input gives but the output lacks, or gives differently, is a writer
 * bug.
 */
static void check_page(struct kd_image *in, struct kd_image *out,
		       uint64_t pfn, uint8_t *want, uint8_t *got)
{
	struct bm_err e;
	int ri = kd_read_pfn(in, pfn, want, &e);
	int ro = kd_read_pfn(out, pfn, got, &e);

	if (ro != 0 && ro != BM_E_NOTFOUND) {
		fprintf(stderr, "pfn %llu unreadable in output: %s\n",
			(unsigned long long)pfn, e.msg);
		abort();
	}
	if ((ri == 0) != (ro == 0)) {
		fprintf(stderr, "pfn %llu: input read %d, output read %d\n",
			(unsigned long long)pfn, ri, ro);
		abort();
	}
	if (ri == 0 && memcmp(want, got, in->bs)) {
		fprintf(stderr, "pfn %llu: output bytes differ from input\n",
			(unsigned long long)pfn);
		abort();
	}
}

static void check_output(struct kd_image *in, const struct bm_memsink *m,
			 const struct kd_convert_stats *st)
{
	struct bm_memsrc ms;
	struct bm_src src;
	struct kd_image im;
	struct bm_err e;
	uint64_t pfn, n = 0;
	uint8_t *want, *got;

	bm_src_mem(&src, &ms, m->data, m->len);
	if (kd_open(&im, &src, &e)) {
		fprintf(stderr, "converted output unreadable: %s\n", e.msg);
		abort();
	}
	if (im.nr_dumpable != st->pages || im.nr_desc_avail != st->pages ||
	    im.bs != in->bs || im.max_mapnr != in->max_mapnr) {
		fprintf(stderr, "output geometry: pages %llu != %llu or "
			"page size/max_mapnr changed\n",
			(unsigned long long)im.nr_dumpable,
			(unsigned long long)st->pages);
		abort();
	}
	want = malloc(im.bs);
	got = malloc(im.bs);
	for (pfn = 0; pfn < in->max_mapnr && n < 4096; pfn++) {
		if (!kd_bit(in->bm2, pfn))
			continue;
		check_page(in, &im, pfn, want, got);
		n++;
	}
	free(want);
	free(got);
	kd_close(&im);
}

static void try_dump(const struct bm_src *src, int incomplete, int kind)
{
	struct kd_image im;
	struct bm_err e;
	struct bm_memsink m;
	struct bm_sink sink;
	struct kd_convert_opts o = { .compress = kind,
				     .mark_incomplete = incomplete };
	struct kd_convert_stats st;
	char v[128];

	if (kd_open(&im, src, &e))
		return;
	info_print_dump(devnull, &im, "fuzz", 0, src->size);
	info_print_json(devnull, NULL, &im, 1, NULL);
	kd_vmcoreinfo(&im, "OSRELEASE", v, sizeof(v));
	kd_dmesg(&im, devnull, &e);
	bm_sink_mem(&sink, &m, 64ull << 20);
	if (kd_convert(&im, &sink, &o, &st, &e) == 0)
		check_output(&im, &m, &st);
	bm_memsink_free(&m);
	kd_close(&im);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmdump_area_header h;
	struct bm_memsrc ms;
	struct bm_src src;
	struct bm_err e;
	uint8_t *copy;
	int kind;

	if (size < 1)
		return 0;
	kind = data[0] >> 1 & 7;
	if (kind >= BM_COMP_COUNT)
		kind = BM_COMP_ZLIB;
	copy = malloc(size);
	memcpy(copy, data, size);
	if ((data[0] & 1) && size >= sizeof(h)) {
		memcpy(&h, copy, sizeof(h));
		area_seal(&h);
		memcpy(copy, &h, sizeof(h));
	}
	bm_src_mem(&src, &ms, copy, size);
	if (area_header_read(&src, &h, &e) == 0) {
		struct bm_winsrc win;
		struct bm_src img;
		uint64_t off, len;
		int inc, cpu;
		uint64_t rip;
		char *log;

		info_print_area(devnull, &h, "fuzz");
		if (area_read_log(&src, &h, 1 << 20, &log, &e) == 0) {
			info_log_crashed_cpu(log, &cpu, &rip);
			info_print_log(devnull, log, 20);
			info_print_json(devnull, &h, NULL, -1, log);
			free(log);
		}
		if (area_image_extent(&h, &off, &len, &inc) == 0) {
			bm_src_window(&img, &win, &src, off, len);
			try_dump(&img, inc, kind);
		}
	}
	try_dump(&src, 0, kind);
	free(copy);
	return 0;
}
