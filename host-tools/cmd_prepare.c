// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump prepare`: make a partition a dump area.  Phases: parse the
 * options; open the target (a partition created now with --create, else
 * an existing partition given by device or --from IMAGE --partition N,
 * its GPT type set to bmdump's); refuse to destroy a dump not saved or a
 * foreign signature without --force; write a fresh header (new UUID).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "areaio.h"
#include "bootset.h"
#include "cli.h"
#include "coredir.h"
#include "geometry.h"
#include "partition.h"

struct prepare_args {
	const char *create;	/* --create DISK */
	const char *from;	/* --from IMAGE */
	const char *dev;	/* PARTITION */
	uint64_t size;		/* --size, with --create */
	uint64_t log_size;	/* --log-size */
	uint64_t boot_slot;	/* --boot-slot, 0: none */
	int partno;		/* --partition, with --from */
	int force;
};

static int random_uuid(uint8_t u[16])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, u, 16);
	close(fd);
	if (n != 16)
		return -1;
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return 0;
}

/*
 * A target that holds no area header: refuse it when it carries a
 * filesystem, RAID, crypto or partition-table signature and !force.
 * <0 error, 0 nothing found, 1 a signature --force lets us destroy.
 */
static int check_foreign_signature(struct area_target *t, int force,
				   struct bm_err *e)
{
	char what[128];
	int r;

	r = target_probe_signatures(t, what, sizeof(what), e);
	if (r == 1 && !force)
		return bm_seterr(e, BM_E_REFUSED, "%s carries a %s signature; "
				 "refusing to overwrite it (--force destroys "
				 "it)", t->label, what);
	return r;
}

/* Clear the log and the first image block: nothing stale remains that
 * could pass for the stub's output. */
static int clear_log_and_image(struct area_target *t,
			       const struct bmdump_area_header *h,
			       struct bm_err *e)
{
	void *zero;
	int r;

	zero = calloc(1, h->log_bytes);
	if (!zero)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = t->sink.write(t->sink.ctx, zero, h->log_bytes, h->log_offset);
	if (!r)
		r = t->sink.write(t->sink.ctx, zero, 4096, h->dump_offset);
	free(zero);
	if (r)
		return bm_seterr(e, r, "cannot write to %s: %s", t->label,
				 strerror(errno));
	return 0;
}

static int prepare_target(struct area_target *t, int force,
			  uint64_t log_size, uint64_t boot_slot,
			  struct bm_err *e)
{
	struct bmdump_area_header h, old;
	char sz_warn[BM_ERR_LEN];
	struct bm_err ign;
	char uuid[37], sz[32];
	uint8_t u[16];
	int r, had_area;

	r = area_header_read(&t->src, &old, &ign);
	if (r == 0 && area_has_unsaved_dump(&old) && !force) {
		bmdump_uuid_format(old.area_uuid, uuid);
		return bm_seterr(e, BM_E_REFUSED, "%s holds area %s with a "
				 "dump not saved yet (state %s): run bmdump "
				 "save first, or --force to destroy it",
				 t->label, uuid, area_state_name(old.state));
	}
	if (r == 0)
		bmdump_uuid_format(old.area_uuid, uuid);
	had_area = r == 0;
	if (r != 0) {
		r = check_foreign_signature(t, force, e);
		if (r < 0)
			return r;
		if (r == 1) {
			r = target_wipe_signatures(t, e);
			if (r)
				return r;
		}
	}
	if (random_uuid(u))
		return bm_seterr(e, BM_E_IO, "cannot read /dev/urandom");
	r = area_layout(&h, t->size, log_size, u, time(NULL), e);
	if (!r && boot_slot)
		r = area_carve_boot_slot(&h, boot_slot, e);
	if (r)
		return r;
	r = clear_log_and_image(t, &h, e);
	if (r)
		return r;
	r = area_header_write(&t->sink, &h, e);
	if (r)
		return r;
	if (had_area)
		fprintf(stderr, "bmdump: warning: %s held area %s; its new "
			"UUID differs: set AREA= in %s to the line below and "
			"run bmdump load again\n", t->label, uuid,
			cli_config_path);
	bmdump_uuid_format(u, uuid);
	format_bytes(h.dump_capacity, sz, sizeof(sz));
	printf("bmdump: prepared area %s on %s, dump capacity %s\n", uuid,
	       t->label, sz);
	if (cli_capacity_warning(h.dump_capacity, sz_warn, sizeof(sz_warn)))
		fprintf(stderr, "bmdump: warning: %s\n", sz_warn);
	printf("AREA=%s\n", uuid);
	return 0;
}

/* 0, or the exit code of a usage error. */
static int prepare_parse_args(int argc, char **argv, struct prepare_args *a)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "create", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "partition", required_argument, NULL, 'p' },
		{ "log-size", required_argument, NULL, 'l' },
		{ "boot-slot", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->log_size = AREA_DEFAULT_LOG_BYTES;
	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->force = 1;
			break;
		case 'c':
			a->create = optarg;
			break;
		case 's':
			if (parse_size(optarg, &a->size) ||
			    a->size < AREA_MIN_BYTES)
				return cli_usage_error("prepare", "--size must "
						       "be a size of at least "
						       "4M");
			break;
		case 'F':
			a->from = optarg;
			break;
		case 'p':
			a->partno = atoi(optarg);
			if (a->partno <= 0)
				return cli_usage_error("prepare", "--partition "
						       "must be a number");
			break;
		case 'b':
			if (parse_size(optarg, &a->boot_slot) ||
			    a->boot_slot % 4096 || (a->boot_slot &&
			    a->boot_slot < BMDUMP_BOOTSET_MIN_SLOT))
				return cli_usage_error("prepare", "--boot-slot "
						       "must be 0 or a size of "
						       "at least 4M, whole KiB "
						       "pages");
			break;
		case 'l':
			if (parse_size(optarg, &a->log_size))
				return cli_usage_error("prepare", "--log-size "
						       "must be a size");
			break;
		default:
			return cli_bad_option("prepare", argv);
		}
	}
	if (optind < argc)
		a->dev = argv[optind++];
	if (optind < argc || (!!a->create + !!a->from + !!a->dev) != 1)
		return cli_usage_error("prepare", "give one PARTITION, or "
				       "--create DISK --size SIZE, or --from "
				       "IMAGE");
	if (a->create && !a->size)
		return cli_usage_error("prepare", "--create needs --size");
	if (a->from && !a->partno)
		return cli_usage_error("prepare", "--from needs --partition N");
	return 0;
}

/* Would the stub use an area on the opened target?  Before any change. */
static int check_target_geometry(const struct area_target *t,
				 struct bm_err *e)
{
	struct disk_geometry g;
	int r;

	r = geometry_read(t->fd, t->path, t->disk, t->offset, t->size, &g, e);
	return r ? r : geometry_check(&g, t->label, e);
}

/* --create: the whole disk's block size and NVMe format, before sfdisk. */
static int check_disk_geometry(const char *disk, struct bm_err *e)
{
	struct area_target t;
	int r;

	r = target_open_device(&t, disk, 0, e);
	if (r)
		return r;
	t.disk[0] = 0;		/* it is the whole disk */
	r = check_target_geometry(&t, e);
	target_close(&t);
	return r;
}

/* --create: a new partition, opened; its old bytes are not data. */
static int open_created(struct prepare_args *a, struct area_target *t,
			struct bm_err *e)
{
	struct stat st;
	char part[PATH_MAX];
	int r;

	r = check_disk_geometry(a->create, e);
	if (r)
		return r;
	r = partition_create(a->create, a->size, a->force, &a->partno, e);
	if (r)
		return r;
	if (stat(a->create, &st) == 0 && S_ISBLK(st.st_mode)) {
		r = disk_partition_device(a->create, a->partno, part,
					  sizeof(part), e);
		if (!r)
			r = target_open_device(t, part, 1, e);
	} else {
		r = target_open_image(t, a->create, a->partno, 1, e);
	}
	if (!r)
		r = check_target_geometry(t, e);
	if (r)
		return r;
	a->force = 1;
	return 0;
}

/* A GPT partition not of bmdump's type gets it, once the checks passed:
 * the type is set only if the header will be written. */
static int claim_partition_type(struct area_target *t, int force,
				struct bm_err *e)
{
	struct bmdump_area_header old;
	struct bm_err ign;
	int r;

	if (area_header_read(&t->src, &old, &ign)) {
		r = check_foreign_signature(t, force, e);
		if (r < 0)
			return r;
	}
	if (!t->disk[0] || partition_set_type(t->disk, t->partno))
		return bm_seterr(e, BM_E_EXTERNAL, "cannot set the partition "
				 "type of %s", t->label);
	return 0;
}

/*
 * PARTITION names a whole disk: a block device that is no partition, or
 * a file holding a partition table.  The stub finds areas by their GPT
 * partition type, so an area must be a partition.
 */
static int refuse_whole_disk(const struct area_target *t, struct bm_err *e)
{
	struct part_list pl;
	struct bm_err ign;
	struct stat st;

	if (t->partno || fstat(t->fd, &st))
		return 0;
	if (!S_ISBLK(st.st_mode) &&
	    (disk_partitions(t->path, &pl, &ign) || !pl.table[0]))
		return 0;
	return bm_seterr(e, BM_E_USAGE, "%s is a whole disk, not a "
			 "partition: pass one of its partitions, or bmdump "
			 "prepare --create %s --size SIZE to add one",
			 t->path, t->path);
}

/* PARTITION or --from IMAGE --partition N. */
static int open_existing(const struct prepare_args *a, struct area_target *t,
			 struct bm_err *e)
{
	int r;

	r = a->from ? target_open_image(t, a->from, a->partno, 1, e) :
		      target_open_device(t, a->dev, 1, e);
	if (r)
		return r;
	r = a->from ? 0 : refuse_whole_disk(t, e);
	if (!r && t->partno && !t->is_gpt)
		r = bm_seterr(e, BM_E_REFUSED, "%s is not on a GPT disk: the "
			      "stub finds areas by GPT partition type",
			      t->label);
	if (!r)
		r = check_target_geometry(t, e);
	if (!r && t->partno && strcmp(t->part_type, BMDUMP_AREA_TYPE_GUID_STR))
		r = claim_partition_type(t, a->force, e);
	if (r)
		target_close(t);
	return r;
}

int cmd_prepare(int argc, char **argv)
{
	struct prepare_args a;
	struct area_target t;
	struct bm_err e = { 0 };
	int r;

	r = prepare_parse_args(argc, argv, &a);
	if (r)
		return r;
	/* Not while a save reads the area: the lock save takes. */
	if (coredir_lock("prepare", &e) < 0)
		return cli_fail(&e);
	r = a.create ? open_created(&a, &t, &e) : open_existing(&a, &t, &e);
	if (r)
		return cli_fail(&e);
	r = prepare_target(&t, a.force, a.log_size, a.boot_slot, &e);
	target_close(&t);
	return r ? cli_fail(&e) : 0;
}
