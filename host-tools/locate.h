/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding and opening a dump area: a partition block device, a partition
 * inside a disk image (GPT read with libblkid), or a file that is an area
 * by itself; by path or by area UUID.
 */
#ifndef BMDUMP_LOCATE_H
#define BMDUMP_LOCATE_H

#include <limits.h>

#include "areaio.h"

struct area_target {
	char path[PATH_MAX];		/* device or image file */
	char label[PATH_MAX + 32];	/* for messages */
	char disk[PATH_MAX];		/* whole disk or image, for sfdisk */
	int partno;			/* GPT partition number, 0: none */
	int is_gpt;
	char part_type[40];		/* GPT type GUID, lower case */
	int fd;
	int writable;
	uint64_t offset, size;		/* the partition inside path */
	struct bm_fdsrc fsrc;
	struct bm_src src;
	struct bm_fdsink fsink;
	struct bm_sink sink;
};

const char *sysroot(void);	/* $BMDUMP_SYSROOT or "" */

/* A partition device, or a regular file holding one area. */
int target_open_device(struct area_target *t, const char *dev, int writable,
		       struct bm_err *e);
/* partno 0: the partition with bmdump's type GUID, else the file itself
 * when it starts with an area header. */
int target_open_image(struct area_target *t, const char *image, int partno,
		      int writable, struct bm_err *e);
/*
 * The partitions that are the area for uuid by the rule the stub uses
 * (bmdump_area_match, include/bmdump/area.h): every partition the system
 * has is tried.  More than one match is a refusal for all commands.
 */
struct area_matches {
	const uint8_t *uuid;
	int nr;				/* partitions that match */
	char dev[2][PATH_MAX];		/* the first two of them */
	char damaged[PATH_MAX];		/* names uuid, fails the checks */
};
void area_find_matches(const uint8_t uuid[16], struct area_matches *m);
/* BM_E_REFUSED with a message naming two matches and what to do. */
int area_matches_error(const struct area_matches *m, struct bm_err *e);
/* Open the area with this UUID: the one match, else a damaged header that
 * names it (for its error), else BM_E_NOTFOUND; two matches refused. */
int target_find_uuid(struct area_target *t, const uint8_t uuid[16],
		     int writable, struct bm_err *e);
/* Every partition carrying bmdump's type GUID: calls fn(dev, ctx). */
int target_scan_type(void (*fn)(const char *dev, void *ctx), void *ctx);
void target_close(struct area_target *t);

/* Signatures (filesystem, RAID, crypto, partition table) inside the target;
 * the first one's name in what.  1 found, 0 none, <0 error. */
int target_probe_signatures(struct area_target *t, char *what, size_t size,
			    struct bm_err *e);
int target_wipe_signatures(struct area_target *t, struct bm_err *e);

/* The partition table type of a whole disk or image ("gpt", "dos", "" when
 * none) and its partition numbers with their types. */
#define MAX_PARTS 128
struct part_list {
	char table[16];
	int nr;
	int partno[MAX_PARTS];
	char type[MAX_PARTS][40];
	uint64_t start[MAX_PARTS], size[MAX_PARTS];	/* bytes */
};
int disk_partitions(const char *disk, struct part_list *pl, struct bm_err *e);
/* 0 when a new partition of want bytes can fit on DISK next to pl's. */
int disk_check_room(const char *disk, const struct part_list *pl,
		    uint64_t want, struct bm_err *e);
/* The partition device of DISK's partition partno (waits for udev). */
int disk_partition_device(const char *disk, int partno, char *out,
			  size_t size, struct bm_err *e);

#endif /* BMDUMP_LOCATE_H */
