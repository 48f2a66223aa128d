// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump-testarea: test helper that puts a kdump image into a prepared
 * area the way the stub leaves one, so `bmdump save` and `info` can be
 * tested on the host.  Never installed; the end-to-end cycle test uses the
 * real stub instead.
 *
 *   bmdump-testarea synth OUT PAGES [SEED] [incomplete]
 *   bmdump-testarea inject IMAGE PARTNO KDUMP [STATE]
 *                          [area-incomplete|proven=N]
 *   bmdump-testarea set-state IMAGE PARTNO STATE
 *   bmdump-testarea header IMAGE PARTNO     (prints key=value lines)
 *   bmdump-testarea poison IMAGE PARTNO     (terminal escapes in the
 *                                            area's strings and log)
 *   bmdump-testarea bootset-flip IMAGE PARTNO  (one byte of the staged
 *                                            kernel flipped on the disk)
 *   (PARTNO 0: the partition with bmdump's type, or a bare area file;
 *    IMAGE may also be a partition block device)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootset.h"
#include "kdumpfile.h"
#include "locate.h"
#include "synth.h"

static int die(const char *msg)
{
	fprintf(stderr, "bmdump-testarea: %s\n", msg);
	return 1;
}

static int open_target(struct area_target *t, const char *path, int partno)
{
	struct stat st;
	struct bm_err e;
	int r;

	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		r = target_open_device(t, path, 1, &e);
	else
		r = target_open_image(t, path, partno, 1, &e);
	if (r)
		fprintf(stderr, "bmdump-testarea: %s\n", e.msg);
	return r;
}

static int parse_state(const char *s)
{
	if (!strcmp(s, "empty"))
		return BMDUMP_AREA_EMPTY;
	if (!strcmp(s, "writing"))
		return BMDUMP_AREA_WRITING;
	if (!strcmp(s, "complete"))
		return BMDUMP_AREA_COMPLETE;
	if (!strcmp(s, "saved"))
		return BMDUMP_AREA_SAVED;
	return -1;
}

static int cmd_synth(int argc, char **argv)
{
	struct synth_opts o = { .nr_cpus = 2 };
	struct synth s;
	FILE *f;

	if (argc < 4)
		return die("synth OUT PAGES [SEED] [incomplete]");
	o.max_mapnr = strtoull(argv[3], NULL, 0);
	o.seed = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 1;
	o.incomplete = argc > 5 && !strcmp(argv[5], "incomplete");
	if (synth_build(&s, &o))
		return die("synth_build failed");
	f = fopen(argv[2], "wb");
	if (!f || fwrite(s.data, 1, s.len, f) != s.len || fclose(f))
		return die("cannot write output");
	printf("pages=%" PRIu64 " zero=%" PRIu64 " bytes=%zu\n",
	       s.nr_dumpable, s.nr_zero, s.len);
	synth_free(&s);
	return 0;
}

static int cmd_inject(int argc, char **argv)
{
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_fdsrc fs;
	struct bm_src src;
	struct kd_image im;
	struct bm_err e;
	struct stat st;
	char log[1024];
	uint8_t *buf;
	uint64_t len, done;
	int fd, state = BMDUMP_AREA_COMPLETE, flags = 0;
	uint64_t proven = ~0ull;

	if (argc < 5)
		return die("inject IMAGE PARTNO KDUMP [STATE] "
			   "[area-incomplete|proven=N]");
	if (argc > 5 && (state = parse_state(argv[5])) < 0)
		return die("bad state");
	if (argc > 6 && !strcmp(argv[6], "area-incomplete"))
		flags |= BMDUMP_AREA_F_INCOMPLETE;
	/* WRITING: how many descriptors the stub proved written */
	if (argc > 6 && !strncmp(argv[6], "proven=", 7))
		proven = strtoull(argv[6] + 7, NULL, 0);
	if (open_target(&t, argv[2], atoi(argv[3])))
		return 1;
	if (area_header_read(&t.src, &h, &e))
		return die(e.msg);
	fd = open(argv[4], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return die("cannot open the kdump file");
	len = (uint64_t)st.st_size;
	bm_src_fd(&src, &fs, fd, 0, len);
	if (kd_open(&im, &src, &e))
		return die(e.msg);
	if (len > h.dump_capacity) {
		/* What the stub does when the area is too small. */
		len = h.dump_capacity;
		flags |= BMDUMP_AREA_F_INCOMPLETE;
	}
	buf = malloc(1 << 20);
	for (done = 0; done < len;) {
		size_t n = len - done > (1 << 20) ? 1 << 20 :
			   (size_t)(len - done);

		if (pread(fd, buf, n, (off_t)done) != (ssize_t)n ||
		    t.sink.write(t.sink.ctx, buf, n, h.dump_offset + done))
			return die("copy failed");
		done += n;
	}
	free(buf);
	snprintf(log, sizeof(log), "bmdump: kernel %.64s node %.64s, %u cpus, "
		 "crashed cpu %d rip %016" PRIx64 ", test injection\n"
		 "bmdump: done, resetting\n", im.hdr.utsname.release,
		 im.hdr.utsname.nodename, im.nr_cpus, im.nr_cpus > 1 ? 1 : 0,
		 im.nr_cpus > 1 ? im.cpus[1].rip :
		 im.nr_cpus ? im.cpus[0].rip : 0);
	t.sink.write(t.sink.ctx, log, strlen(log) + 1, h.log_offset);
	h.log_used = strlen(log);
	h.state = (uint32_t)state;
	h.flags = (uint32_t)flags;
	h.dump_bytes = state == BMDUMP_AREA_WRITING ? 0 : len;
	h.generation++;
	h.descs_written = proven != ~0ull ? proven : im.nr_dumpable;
	h.crash_time = im.hdr.timestamp.tv_sec;
	h.bitmap_source = BMDUMP_SOURCE_FULL;
	h.pages_dumped = im.nr_dumpable;
	h.pages_planned = im.nr_ram;
	memcpy(h.osrelease, im.hdr.utsname.release, sizeof(h.osrelease));
	memcpy(h.nodename, im.hdr.utsname.nodename, sizeof(h.nodename));
	h.osrelease[64] = h.nodename[64] = 0;
	kd_close(&im);
	close(fd);
	if (area_header_write(&t.sink, &h, &e))
		return die(e.msg);
	target_close(&t);
	printf("injected %" PRIu64 " bytes at %" PRIu64 "\n", len,
	       h.dump_offset);
	return 0;
}

static int cmd_set_state(int argc, char **argv)
{
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e;
	int state;

	if (argc < 5 || (state = parse_state(argv[4])) < 0)
		return die("set-state IMAGE PARTNO empty|writing|complete|saved");
	if (open_target(&t, argv[2], atoi(argv[3])))
		return 1;
	if (area_header_read(&t.src, &h, &e))
		return die(e.msg);
	h.state = (uint32_t)state;
	if (area_header_write(&t.sink, &h, &e))
		return die(e.msg);
	target_close(&t);
	return 0;
}

static int cmd_header(int argc, char **argv)
{
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e;
	char uuid[37];

	if (argc < 4)
		return die("header IMAGE PARTNO");
	if (open_target(&t, argv[2], atoi(argv[3])))
		return 1;
	if (area_header_read(&t.src, &h, &e))
		return die(e.msg);
	bmdump_uuid_format(h.area_uuid, uuid);
	printf("uuid=%s\nstate=%s\nflags=%u\noffset=%" PRIu64 "\nsize=%"
	       PRIu64 "\ndump_offset=%" PRIu64 "\ndump_capacity=%" PRIu64
	       "\ndump_bytes=%" PRIu64 "\nsave_time=%lld\ngeneration=%" PRIu64
	       "\ncrash_time=%lld\n", uuid, area_state_name(h.state), h.flags, t.offset, t.size,
	       h.dump_offset, h.dump_capacity, h.dump_bytes,
	       (long long)h.save_time, h.generation,
	       (long long)h.crash_time);
	target_close(&t);
	return 0;
}

/* What a hostile or broken crashed kernel could leave in an area. */
static int cmd_poison(int argc, char **argv)
{
	static const char log[] = "bmdump: kernel \033]0;owned\007 booted\n"
				  "bmdump: \033[2J\033[Hcleared\rover\n";
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e;

	if (argc < 4)
		return die("poison IMAGE PARTNO");
	if (open_target(&t, argv[2], atoi(argv[3])))
		return 1;
	if (area_header_read(&t.src, &h, &e))
		return die(e.msg);
	snprintf(h.osrelease, sizeof(h.osrelease), "6.1\033[31mred");
	snprintf(h.nodename, sizeof(h.nodename), "node\rX\177");
	if (t.sink.write(t.sink.ctx, log, sizeof(log), h.log_offset))
		return die("cannot write the log");
	h.log_used = sizeof(log) - 1;
	if (area_header_write(&t.sink, &h, &e))
		return die(e.msg);
	target_close(&t);
	return 0;
}

/* A boot set gone bad on the disk after bmdump load staged it: the
 * middle byte of the kernel, so only its CRC can tell. */
static int cmd_bootset_flip(int argc, char **argv)
{
	struct bmdump_bootset_header bh;
	struct bmdump_area_header h;
	struct area_target t;
	struct bm_err e;
	uint64_t slot, bytes, off;
	uint8_t b;

	if (argc < 4)
		return die("bootset-flip IMAGE PARTNO");
	if (open_target(&t, argv[2], atoi(argv[3])))
		return 1;
	if (area_header_read(&t.src, &h, &e) ||
	    bootset_read(&t.src, &h, &bh, 0, &e))
		return die(e.msg);
	if (bmdump_bootset_slot(&h, &slot, &bytes))
		return die("no boot slot");
	off = slot + bh.kernel.offset + bh.kernel.bytes / 2;
	if (t.src.read(t.src.ctx, &b, 1, off))
		return die("cannot read the kernel");
	b ^= 0x01;
	if (t.sink.write(t.sink.ctx, &b, 1, off))
		return die("cannot write the kernel");
	printf("flipped=%" PRIu64 "\n", off);
	target_close(&t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return die("synth|inject|set-state|header ...");
	if (!strcmp(argv[1], "synth"))
		return cmd_synth(argc, argv);
	if (!strcmp(argv[1], "inject"))
		return cmd_inject(argc, argv);
	if (!strcmp(argv[1], "set-state"))
		return cmd_set_state(argc, argv);
	if (!strcmp(argv[1], "header"))
		return cmd_header(argc, argv);
	if (!strcmp(argv[1], "poison"))
		return cmd_poison(argc, argv);
	if (!strcmp(argv[1], "bootset-flip"))
		return cmd_bootset_flip(argc, argv);
	return die("unknown command");
}
