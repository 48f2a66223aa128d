// SPDX-License-Identifier: GPL-2.0
/*
 * Seed corpus for fuzz_tools: small synthetic dumps, raw and compressed,
 * and small areas holding them in each state (a compact layout: log at
 * 4 KiB, image at 8 KiB, so seeds stay under 128 KiB).
 */
#include <stdio.h>
#include <string.h>

#include "areaio.h"
#include "kdumpfile.h"
#include "synth.h"

static int put(const char *dir, const char *name, const void *d, size_t n)
{
	char p[4096];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f))
		return -1;
	return 0;
}

static int area_seed(const char *dir, const char *name,
		     const struct synth *s, uint32_t state, uint32_t flags)
{
	static uint8_t buf[256 * 1024];
	struct bmdump_area_header h;
	const char log[] = "bmdump: kernel 6.1.0-synth node synth-node, 2 cpus, "
			   "crashed cpu 1 rip ffffffff81000100\n";
	size_t total = 8192 + s->len;

	if (total > sizeof(buf))
		return -1;
	memset(buf, 0, sizeof(buf));
	memset(&h, 0, sizeof(h));
	h.magic = BMDUMP_AREA_MAGIC;
	h.version = BMDUMP_AREA_VERSION;
	h.header_bytes = BMDUMP_AREA_HDR_SIZE;
	h.state = state;
	h.flags = flags;
	h.area_bytes = total;
	h.log_offset = 4096;
	h.log_bytes = 4096;
	h.log_used = sizeof(log) - 1;
	h.dump_offset = 8192;
	h.dump_capacity = (s->len + 4095) & ~4095ull;
	h.area_bytes = h.dump_offset + h.dump_capacity;
	h.dump_bytes = state == BMDUMP_AREA_COMPLETE ? s->len : 0;
	h.generation = 1;
	h.crash_time = SYNTH_TIME;
	h.bitmap_source = BMDUMP_SOURCE_HOOK;
	area_seal(&h);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + 4096, log, sizeof(log) - 1);
	memcpy(buf + 8192, s->data, s->len);
	/* Byte 0 of the magic is 'B' (0x42): bit 0 clear, CRC as is. */
	return put(dir, name, buf, h.area_bytes);
}

int main(int argc, char **argv)
{
	static const uint32_t flags[] = { 0, DUMP_DH_PAGE_ZLIB,
		DUMP_DH_PAGE_LZO, DUMP_DH_PAGE_ZSTD, DUMP_DH_PAGE_SNAPPY };
	static const char *const names[] = { "raw", "zlib", "lzo", "zstd",
					     "snappy" };
	struct synth_opts o = { .max_mapnr = 24, .nr_cpus = 2, .seed = 4 };
	struct synth s;
	char name[64];
	unsigned int i;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds_tools DIR\n");
		return 2;
	}
	for (i = 0; i < 5; i++) {
		o.page_flags = flags[i];
		if (synth_build(&s, &o))
			return 1;
		snprintf(name, sizeof(name), "dump-%s", names[i]);
		if (put(argv[1], name, s.data, s.len))
			return 1;
		synth_free(&s);
	}
	o.page_flags = 0;
	if (synth_build(&s, &o) ||
	    area_seed(argv[1], "area-complete", &s, BMDUMP_AREA_COMPLETE, 0) ||
	    area_seed(argv[1], "area-writing", &s, BMDUMP_AREA_WRITING, 0) ||
	    area_seed(argv[1], "area-incomplete", &s, BMDUMP_AREA_COMPLETE,
		      BMDUMP_AREA_F_INCOMPLETE) ||
	    area_seed(argv[1], "area-saved", &s, BMDUMP_AREA_SAVED, 0))
		return 1;
	synth_free(&s);
	o.incomplete = 1;
	o.max_mapnr = 40;
	if (synth_build(&s, &o) ||
	    put(argv[1], "dump-incomplete", s.data, s.len))
		return 1;
	synth_free(&s);
	return 0;
}
