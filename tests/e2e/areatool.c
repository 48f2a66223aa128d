// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only: read and write dump-area headers inside a disk image, using
 * the one definition in include/bmdump/area.h.  The e2e tests use it to
 * set up areas and to copy a dump out of an image; `bmdump save --from`
 * is the operator's tool for the same job.
 *
 *   areatool init IMAGE OFFSET BYTES UUID [LOG_BYTES]
 *   areatool show IMAGE OFFSET          (key=value lines)
 *   areatool state IMAGE OFFSET STATE   (1 EMPTY .. 4 SAVED)
 *   areatool extract IMAGE OFFSET OUT   (the kdump image)
 *   areatool log IMAGE OFFSET           (the stub's log)
 */
#define _FILE_OFFSET_BITS 64
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmdump/area.h"

static int fd;

static void die(const char *what)
{
	fprintf(stderr, "areatool: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void rd(struct bmdump_area_header *h, off_t off)
{
	if (pread(fd, h, sizeof(*h), off) != sizeof(*h))
		die("read header");
}

static void wr(struct bmdump_area_header *h, off_t off)
{
	h->crc = bmdump_area_crc(h);
	if (pwrite(fd, h, sizeof(*h), off) != sizeof(*h))
		die("write header");
}

int main(int argc, char **argv)
{
	struct bmdump_area_header h;
	off_t off;
	char uuid[37];

	if (argc < 4) {
		fprintf(stderr, "usage: see the comment in areatool.c\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0)
		die(argv[2]);
	off = strtoll(argv[3], NULL, 0);
	if (!strcmp(argv[1], "init") && argc >= 6) {
		uint64_t bytes = strtoull(argv[4], NULL, 0);
		uint64_t log = argc > 6 ? strtoull(argv[6], NULL, 0) : 256 << 10;

		memset(&h, 0, sizeof(h));
		h.magic = BMDUMP_AREA_MAGIC;
		h.version = BMDUMP_AREA_VERSION;
		h.header_bytes = BMDUMP_AREA_HDR_SIZE;
		if (bmdump_uuid_parse(argv[5], strlen(argv[5]), h.area_uuid)) {
			fprintf(stderr, "areatool: bad uuid\n");
			return 2;
		}
		h.state = BMDUMP_AREA_EMPTY;
		h.area_bytes = bytes;
		h.log_offset = BMDUMP_AREA_HDR_BYTES;
		h.log_bytes = log;
		h.dump_offset = h.log_offset + log;
		/* The self-test's tail stays out of the dump (area.h). */
		h.dump_capacity = (bytes & ~4095ull) - BMDUMP_SELFTEST_BYTES -
				  h.dump_offset;
		wr(&h, off);
		return 0;
	}
	rd(&h, off);
	if (!strcmp(argv[1], "show")) {
		bmdump_uuid_format(h.area_uuid, uuid);
		printf("check=%d\nuuid=%s\nstate=%u\nflags=%u\n"
		       "dump_offset=%llu\ndump_capacity=%llu\ndump_bytes=%llu\n"
		       "log_used=%llu\ngeneration=%llu\nbitmap_source=%d\n"
		       "bitmap_error=%d\nstub_error=%d\npages_dumped=%llu\n"
		       "zero_pages=%llu\npages_planned=%llu\nwrite_ms=%llu\n"
		       "osrelease=%s\nnodename=%s\ncrash_time=%lld\n"
		       "descs_written=%llu\nselftest_offset=%llu\n"
		       "bitmap_us=%u\n",
		       bmdump_area_check(&h, 0), uuid, h.state, h.flags,
		       (unsigned long long)h.dump_offset,
		       (unsigned long long)h.dump_capacity,
		       (unsigned long long)h.dump_bytes,
		       (unsigned long long)h.log_used,
		       (unsigned long long)h.generation, h.bitmap_source,
		       h.bitmap_error, h.stub_error,
		       (unsigned long long)h.pages_dumped,
		       (unsigned long long)h.zero_pages,
		       (unsigned long long)h.pages_planned,
		       (unsigned long long)h.write_ms, h.osrelease, h.nodename,
		       (long long)h.crash_time,
		       (unsigned long long)h.descs_written,
		       (unsigned long long)bmdump_selftest_offset(&h),
		       h.bitmap_us);
		return 0;
	}
	if (bmdump_area_check(&h, 0)) {
		fprintf(stderr, "areatool: %s\n",
			bmdump_area_strerror(bmdump_area_check(&h, 0)));
		return 1;
	}
	if (!strcmp(argv[1], "state") && argc >= 5) {
		h.state = (uint32_t)strtoul(argv[4], NULL, 0);
		wr(&h, off);
		return 0;
	}
	if (!strcmp(argv[1], "extract") && argc >= 5) {
		int out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		static char buf[1 << 20];
		uint64_t done = 0;

		if (out < 0)
			die(argv[4]);
		while (done < h.dump_bytes) {
			size_t n = h.dump_bytes - done < sizeof(buf) ?
				   h.dump_bytes - done : sizeof(buf);

			if (pread(fd, buf, n, off + h.dump_offset + done) !=
			    (ssize_t)n || write(out, buf, n) != (ssize_t)n)
				die("copy");
			done += n;
		}
		close(out);
		return 0;
	}
	if (!strcmp(argv[1], "log")) {
		char *buf = malloc(h.log_used + 1);

		if (!buf || pread(fd, buf, h.log_used, off + h.log_offset) !=
		    (ssize_t)h.log_used)
			die("log");
		fwrite(buf, 1, h.log_used, stdout);
		return 0;
	}
	fprintf(stderr, "areatool: unknown command %s\n", argv[1]);
	return 2;
}
