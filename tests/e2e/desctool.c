// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: check a bmdump.ko descriptor and its bitmap as copied out of a
 * vmcore (tests/e2e/hooktest: the 4 KiB descriptor page, then each chunk's
 * bitmap padded to 4 KiB), with the one definition of the contract
 * (include/bmdump/desc.h, crc32c.h).  Prints JSON for the oracle test:
 * every header field, the chunk table with each chunk's file offset, and
 * whether both CRCs hold.  With --table the file may end after the
 * descriptor: the chunk table is printed, no bitmap is read (how the
 * memory oracle learns where the bitmap lies in the crashed kernel's RAM
 * before it copies it out), and bitmap_crc_ok is false.
 *
 * --write makes a descriptor page for the tests that feed one to a reader
 * (tests/unit/test_bench.py): magic, version and state DONE by default,
 * the fields given as NAME=VALUE, chunk=PHYS:FIRST_PFN:NR_PFNS as often as
 * needed, desc_size and desc_crc as bmdump.ko sets them.
 *
 *   desctool [--table] FILE
 *   desctool --write FILE [NAME=VALUE | chunk=PHYS:FIRST:NR] ...
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmdump/crc32c.h"
#include "bmdump/desc.h"

/* NAME=VALUE into the descriptor; 0, or -1 for an unknown name. */
static int set_field(struct bmdump_desc *d, const char *arg)
{
	static const struct {
		const char *name;
		size_t off, size;
	} fields[] = {
#define F(f) { #f, offsetof(struct bmdump_desc, f),			\
	       sizeof(((struct bmdump_desc *)0)->f) }
		F(magic), F(version), F(state), F(dump_level), F(max_pfn),
		F(flags), F(tsc_khz), F(fill_start_tsc), F(fill_cycles),
		F(fill_count), F(pages_set), F(bitmap_crc),
#undef F
	};
	const char *eq = strchr(arg, '=');
	unsigned long long v;
	unsigned int i;

	if (!eq)
		return -1;
	v = strtoull(eq + 1, NULL, 0);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].name) != (size_t)(eq - arg) ||
		    strncmp(fields[i].name, arg, (size_t)(eq - arg)))
			continue;
		if (fields[i].size == 8) {
			uint64_t v64 = v;

			memcpy((char *)d + fields[i].off, &v64, 8);
		} else {
			uint32_t v32 = (uint32_t)v;

			memcpy((char *)d + fields[i].off, &v32, 4);
		}
		return 0;
	}
	return -1;
}

static int write_desc(int argc, char **argv)
{
	static uint8_t page[BMDUMP_DESC_SIZE];
	struct bmdump_desc *d = (void *)page;
	unsigned long long phys, first, nr;
	FILE *f;
	int i;

	d->magic = BMDUMP_DESC_MAGIC;
	d->version = BMDUMP_DESC_VERSION;
	d->state = BMDUMP_DESC_DONE;
	for (i = 3; i < argc; i++) {
		if (sscanf(argv[i], "chunk=%lli:%lli:%lli", &phys, &first,
			   &nr) == 3 && d->nr_chunks < BMDUMP_DESC_MAX_CHUNKS) {
			d->chunk[d->nr_chunks].phys = phys;
			d->chunk[d->nr_chunks].first_pfn = first;
			d->chunk[d->nr_chunks].nr_pfns = nr;
			d->nr_chunks++;
		} else if (set_field(d, argv[i])) {
			fprintf(stderr, "desctool: bad field %s\n", argv[i]);
			return 2;
		}
	}
	d->desc_size = BMDUMP_DESC_HDR_SIZE +
		       d->nr_chunks * sizeof(struct bmdump_chunk);
	d->desc_crc = bmdump_desc_crc(d, d->desc_size);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(page, 1, sizeof(page), f) != sizeof(page) ||
	    fclose(f)) {
		fprintf(stderr, "desctool: cannot write %s\n", argv[2]);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t page[BMDUMP_DESC_SIZE];
	const struct bmdump_desc *d = (const void *)page;
	uint32_t crc, bitmap_crc = 0, n;
	long pos = BMDUMP_DESC_SIZE;
	unsigned int i;
	int table_only = argc == 3 && !strcmp(argv[1], "--table");
	FILE *f;

	if (argc >= 3 && !strcmp(argv[1], "--write"))
		return write_desc(argc, argv);
	if (argc != 2 + table_only || !(f = fopen(argv[argc - 1], "rb"))) {
		fprintf(stderr, "usage: desctool [--table] FILE\n"
			"       desctool --write FILE [NAME=VALUE] ...\n");
		return 2;
	}
	if (fread(page, 1, sizeof(page), f) != sizeof(page)) {
		fprintf(stderr, "desctool: short file\n");
		return 1;
	}
	n = d->desc_size <= BMDUMP_DESC_SIZE &&
	    d->desc_size >= BMDUMP_DESC_HDR_SIZE ?
	    d->desc_size : BMDUMP_DESC_SIZE;
	crc = bmdump_desc_crc(d, n);
	printf("{\"magic\": %llu, \"version\": %u, \"desc_size\": %u, "
	       "\"state\": %u, \"dump_level\": %u, \"max_pfn\": %llu, "
	       "\"nr_chunks\": %u, \"flags\": %u, \"tsc_khz\": %llu, "
	       "\"fill_start\": %llu, \"fill_cycles\": %llu, "
	       "\"fill_count\": %llu, \"pages_set\": %llu, \"counts\": [",
	       (unsigned long long)d->magic, d->version, d->desc_size,
	       d->state, d->dump_level, (unsigned long long)d->max_pfn,
	       d->nr_chunks, d->flags, (unsigned long long)d->tsc_khz,
	       (unsigned long long)d->fill_start_tsc,
	       (unsigned long long)d->fill_cycles,
	       (unsigned long long)d->fill_count,
	       (unsigned long long)d->pages_set);
	for (i = 0; i < BMDUMP_DESC_MAX_CLASSES; i++)
		printf("%s%llu", i ? ", " : "",
		       (unsigned long long)d->count[i]);
	printf("], \"desc_crc_ok\": %s, \"chunks\": [",
	       crc == d->desc_crc ? "true" : "false");
	for (i = 0; i < d->nr_chunks && i < BMDUMP_DESC_MAX_CHUNKS; i++) {
		const struct bmdump_chunk *c = &d->chunk[i];
		size_t bytes = c->nr_pfns / 8;
		uint8_t *buf = malloc(bytes ? bytes : 1);

		if (!buf)
			return 1;
		if (!table_only && (fseek(f, pos, SEEK_SET) ||
				    fread(buf, 1, bytes, f) != bytes)) {
			fprintf(stderr, "desctool: chunk %u past the file\n", i);
			return 1;
		}
		if (!table_only)
			bitmap_crc = bmdump_crc32c(bitmap_crc, buf, bytes);
		free(buf);
		printf("%s{\"phys\": %llu, \"first_pfn\": %llu, "
		       "\"nr_pfns\": %llu, \"file_offset\": %ld}", i ? ", " : "",
		       (unsigned long long)c->phys,
		       (unsigned long long)c->first_pfn,
		       (unsigned long long)c->nr_pfns, pos);
		pos += (long)((bytes + 4095) / 4096 * 4096);
	}
	printf("], \"bitmap_crc_ok\": %s, \"chunk_max_pfns\": %llu, "
	       "\"hdr_size\": %u, \"magic_expected\": %llu, "
	       "\"version_expected\": %u, \"state_done\": %u, "
	       "\"flag_crash_fill\": %u}\n",
	       !table_only && bitmap_crc == d->bitmap_crc ? "true" : "false",
	       (unsigned long long)BMDUMP_CHUNK_MAX_PFNS,
	       BMDUMP_DESC_HDR_SIZE, (unsigned long long)BMDUMP_DESC_MAGIC,
	       BMDUMP_DESC_VERSION, BMDUMP_DESC_DONE,
	       BMDUMP_DESC_F_CRASH_FILL);
	fclose(f);
	return 0;
}
