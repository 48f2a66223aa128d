// SPDX-License-Identifier: GPL-2.0
/* Partition creation and typing with sfdisk (partition.h). */
#include <stdio.h>
#include <string.h>

#include <bmdump/area.h>

#include "geometry.h"
#include "locate.h"
#include "partition.h"
#include "run.h"

int partition_set_type(const char *disk, int partno)
{
	char num[16], out[4096];
	char *argv[] = { (char *)"sfdisk", (char *)"--part-type", (char *)disk,
			 num, (char *)BMDUMP_AREA_TYPE_GUID_STR, NULL };
	int rc;

	snprintf(num, sizeof(num), "%d", partno);
	rc = run_cmd(argv, NULL, out, sizeof(out));
	if (rc)
		fprintf(stderr, "bmdump: sfdisk --part-type failed (exit %d):\n"
			"%s", rc, out);
	return rc;
}

/* A disk with no partition table: refuse or wipe what it carries. */
static int clear_blank_disk(const char *disk, int force, struct bm_err *e)
{
	struct area_target t;
	char what[128];
	int r;

	r = target_open_device(&t, disk, 1, e);
	if (r)
		return r;
	r = target_probe_signatures(&t, what, sizeof(what), e);
	if (r == 1 && !force) {
		target_close(&t);
		return bm_seterr(e, BM_E_REFUSED, "%s carries a %s signature; "
				 "refusing to put a partition table on it "
				 "(--force destroys it)", disk, what);
	}
	if (r == 1)
		r = target_wipe_signatures(&t, e);
	target_close(&t);
	return r < 0 ? r : 0;
}

/* sfdisk: a new GPT holding the partition, or the partition appended. */
static int run_sfdisk(const char *disk, uint64_t size, int new_table,
		      struct bm_err *e)
{
	char script[256], out[8192];
	unsigned int lbs;
	char *argv[] = { (char *)"sfdisk", (char *)"--quiet", (char *)"--append",
			 (char *)disk, NULL };
	char *argv_new[] = { (char *)"sfdisk", (char *)"--quiet",
			     (char *)disk, NULL };
	int rc;

	/* sfdisk counts size= in the disk's own logical blocks: 4096 bytes
	 * on a 4Kn disk, 512 on an image file. */
	rc = path_logical_block_size(disk, &lbs, e);
	if (rc)
		return rc;
	if (size % lbs)
		return bm_seterr(e, BM_E_USAGE, "--size must be a multiple of "
				 "%s's %u-byte logical blocks", disk, lbs);
	snprintf(script, sizeof(script), "%ssize=%llu, type=%s\n",
		 new_table ? "label: gpt\n" : "",
		 (unsigned long long)(size / lbs), BMDUMP_AREA_TYPE_GUID_STR);
	rc = run_cmd(new_table ? argv_new : argv, script, out, sizeof(out));
	if (rc)
		return bm_seterr(e, BM_E_EXTERNAL, "sfdisk could not create "
				 "the partition on %s (exit %d): %s", disk, rc,
				 out);
	return 0;
}

/* The partition number in after that is not in before. */
static int new_partno(const char *disk, const struct part_list *before,
		      const struct part_list *after, int *partno,
		      struct bm_err *e)
{
	int i, j;

	for (i = 0; i < after->nr; i++) {
		for (j = 0; j < before->nr; j++)
			if (before->partno[j] == after->partno[i])
				break;
		if (j == before->nr) {
			*partno = after->partno[i];
			return 0;
		}
	}
	return bm_seterr(e, BM_E_EXTERNAL, "sfdisk ran but no new partition "
			 "appeared on %s", disk);
}

int partition_create(const char *disk, uint64_t size, int force,
		     int *partno, struct bm_err *e)
{
	struct part_list before, after;
	int r;

	r = disk_partitions(disk, &before, e);
	if (r)
		return r;
	if (before.table[0] && strcmp(before.table, "gpt"))
		return bm_seterr(e, BM_E_REFUSED, "%s has a %s partition "
				 "table; bmdump areas need GPT", disk,
				 before.table);
	r = disk_check_room(disk, &before, size, e);
	if (r)
		return r;
	if (!before.table[0]) {
		r = clear_blank_disk(disk, force, e);
		if (r)
			return r;
	}
	r = run_sfdisk(disk, size, !before.table[0], e);
	if (r)
		return r;
	r = disk_partitions(disk, &after, e);
	if (r)
		return r;
	return new_partno(disk, &before, &after, partno, e);
}
