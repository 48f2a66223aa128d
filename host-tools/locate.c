// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <blkid/blkid.h>
#include <linux/fs.h>

#include "locate.h"

const char *sysroot(void)
{
	const char *r = getenv("BMDUMP_SYSROOT");

	return r ? r : "";
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Does a partition type string (blkid's, GPT or MBR) name bmdump's
 * type?  Through the shared rule's own test (include/bmdump/area.h). */
static int type_is_area(const char *type)
{
	uint8_t g[16];

	return bmdump_guid_parse_gpt(type, strlen(type), g) == 0 &&
	       bmdump_area_type_ok(g);
}

static void target_init(struct area_target *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

static int target_finish(struct area_target *t, struct bm_err *e)
{
	bm_src_fd(&t->src, &t->fsrc, t->fd, t->offset, t->size);
	bm_sink_fd(&t->sink, &t->fsink, t->fd, t->offset);
	(void)e;
	return 0;
}

void target_close(struct area_target *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/* Partition number and whole disk of a partition block device. */
static void device_part_info(struct area_target *t, dev_t rdev)
{
	char p[PATH_MAX], buf[64], name[256];
	dev_t disk = 0;

	snprintf(p, sizeof(p), "%s/sys/dev/block/%u:%u/partition", sysroot(),
		 major(rdev), minor(rdev));
	if (read_text_file(p, buf, sizeof(buf)) == 0)
		t->partno = atoi(buf);
	if (blkid_devno_to_wholedisk(rdev, name, sizeof(name), &disk) == 0 &&
	    disk != rdev)
		snprintf(t->disk, sizeof(t->disk), "/dev/%s", name);
}

/* PART_ENTRY_TYPE / SCHEME of a partition device, via its parent table. */
static void device_part_type(struct area_target *t)
{
	blkid_probe pr = blkid_new_probe_from_filename(t->path);
	const char *v;

	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS);
	if (blkid_do_safeprobe(pr) == 0) {
		if (!blkid_probe_lookup_value(pr, "PART_ENTRY_TYPE", &v, NULL))
			bm_strlcpy(t->part_type, v, sizeof(t->part_type));
		if (!blkid_probe_lookup_value(pr, "PART_ENTRY_SCHEME", &v,
					      NULL))
			t->is_gpt = !strcmp(v, "gpt");
	}
	lower(t->part_type);
	blkid_free_probe(pr);
}

int target_open_device(struct area_target *t, const char *dev, int writable,
		       struct bm_err *e)
{
	struct stat st;

	target_init(t);
	bm_strlcpy(t->path, dev, sizeof(t->path));
	bm_strlcpy(t->label, dev, sizeof(t->label));
	t->writable = writable;
	t->fd = open(dev, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (t->fd < 0)
		return bm_seterr(e, errno == ENOENT ? BM_E_NOTFOUND : BM_E_IO,
				 "cannot open %s: %s", dev, strerror(errno));
	if (fstat(t->fd, &st)) {
		target_close(t);
		return bm_seterr(e, BM_E_IO, "cannot stat %s", dev);
	}
	if (S_ISBLK(st.st_mode)) {
		uint64_t sz = 0;

		if (ioctl(t->fd, BLKGETSIZE64, &sz)) {
			target_close(t);
			return bm_seterr(e, BM_E_IO, "cannot size %s: %s", dev,
					 strerror(errno));
		}
		t->size = sz;
		device_part_info(t, st.st_rdev);
		if (t->partno)
			device_part_type(t);
	} else if (S_ISREG(st.st_mode)) {
		t->size = (uint64_t)st.st_size;
	} else {
		target_close(t);
		return bm_seterr(e, BM_E_USAGE, "%s is not a block device or "
				 "a file", dev);
	}
	return target_finish(t, e);
}

int disk_partitions(const char *disk, struct part_list *pl, struct bm_err *e)
{
	blkid_probe pr;
	blkid_partlist ls;
	blkid_parttable tab;
	int i, n;

	memset(pl, 0, sizeof(*pl));
	pr = blkid_new_probe_from_filename(disk);
	if (!pr)
		return bm_seterr(e, BM_E_IO, "cannot open %s: %s", disk,
				 strerror(errno));
	ls = blkid_probe_get_partitions(pr);
	if (!ls) {
		blkid_free_probe(pr);
		return 0;	/* no partition table */
	}
	tab = blkid_partlist_get_table(ls);
	if (tab && blkid_parttable_get_type(tab))
		bm_strlcpy(pl->table, blkid_parttable_get_type(tab),
			   sizeof(pl->table));
	n = blkid_partlist_numof_partitions(ls);
	for (i = 0; i < n && pl->nr < MAX_PARTS; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		const char *type = blkid_partition_get_type_string(p);

		pl->partno[pl->nr] = blkid_partition_get_partno(p);
		bm_strlcpy(pl->type[pl->nr], type ? type : "",
			   sizeof(pl->type[0]));
		lower(pl->type[pl->nr]);
		pl->start[pl->nr] = (uint64_t)blkid_partition_get_start(p) *
				    512;
		pl->size[pl->nr] = (uint64_t)blkid_partition_get_size(p) * 512;
		pl->nr++;
	}
	blkid_free_probe(pr);
	return 0;
}

/* GPT keeps 1 MiB before the first aligned partition and a backup table at
 * the end of the disk; 2 MiB covers both for 512- and 4096-byte sectors. */
#define GPT_OVERHEAD_BYTES	(2ULL << 20)

int disk_check_room(const char *disk, const struct part_list *pl,
		    uint64_t want, struct bm_err *e)
{
	struct area_target t;
	uint64_t used = GPT_OVERHEAD_BYTES;
	char have[32], need[32];
	int i, r;

	r = target_open_device(&t, disk, 0, e);
	if (r)
		return r;
	target_close(&t);
	for (i = 0; i < pl->nr; i++)
		used += pl->size[i];
	if (t.size >= used && want <= t.size - used)
		return 0;
	format_bytes(t.size, have, sizeof(have));
	format_bytes(want, need, sizeof(need));
	/* Kernel disk names are not stable across boots or kernels (NVMe
	 * namespaces are named in probe order): say which disk we saw. */
	return bm_seterr(e, BM_E_NOSPACE, "%s is a %s disk with room for "
			 "less than --size %s; check that %s is the disk you "
			 "mean (/dev/disk/by-id names are stable)", disk, have,
			 need, disk);
}

int target_open_image(struct area_target *t, const char *image, int partno,
		      int writable, struct bm_err *e)
{
	struct part_list pl;
	int i, sel = -1, r;

	r = disk_partitions(image, &pl, e);
	if (r)
		return r;
	for (i = 0; i < pl.nr; i++) {
		if (partno ? pl.partno[i] == partno :
		    type_is_area(pl.type[i])) {
			sel = i;
			break;
		}
	}
	if (sel < 0 && partno)
		return bm_seterr(e, BM_E_NOTFOUND, "%s has no partition %d",
				 image, partno);
	if (sel < 0) {
		struct bmdump_area_header h;
		struct bm_err dummy;

		/* No table, or no area partition: is the file an area? */
		r = target_open_device(t, image, writable, e);
		if (r)
			return r;
		if (area_header_read(&t->src, &h, &dummy) == BM_E_NOAREA) {
			target_close(t);
			return bm_seterr(e, BM_E_NOTFOUND, "%s holds no "
					 "partition with bmdump's type GUID "
					 "and no area header", image);
		}
		return 0;
	}
	r = target_open_device(t, image, writable, e);
	if (r)
		return r;
	if (pl.start[sel] > t->size || pl.size[sel] > t->size - pl.start[sel]) {
		target_close(t);
		return bm_seterr(e, BM_E_CORRUPT, "partition %d lies outside "
				 "%s", pl.partno[sel], image);
	}
	t->offset = pl.start[sel];
	t->size = pl.size[sel];
	t->partno = pl.partno[sel];
	t->is_gpt = !strcmp(pl.table, "gpt");
	bm_strlcpy(t->part_type, pl.type[sel], sizeof(t->part_type));
	bm_strlcpy(t->disk, image, sizeof(t->disk));
	snprintf(t->label, sizeof(t->label), "%s partition %d", image,
		 t->partno);
	return target_finish(t, e);
}

/* Calls fn for every partition device (/dev/NAME) the system has. */
static void for_each_partition(void (*fn)(const char *dev, void *ctx),
			       void *ctx)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/sys/class/block", sysroot());
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp)) != NULL) {
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/partition", dir, d->d_name);
		if (stat(p, &st))
			continue;
		snprintf(p, sizeof(p), "/dev/%s", d->d_name);
		fn(p, ctx);
	}
	closedir(dp);
}

struct scan_ctx {
	void (*fn)(const char *dev, void *ctx);
	void *ctx;
	int count;
};

static void scan_one(const char *dev, void *vctx)
{
	struct scan_ctx *s = vctx;
	struct area_target t;
	struct bm_err e;

	if (target_open_device(&t, dev, 0, &e))
		return;
	if (t.is_gpt && type_is_area(t.part_type)) {
		s->count++;
		s->fn(dev, s->ctx);
	}
	target_close(&t);
}

int target_scan_type(void (*fn)(const char *dev, void *ctx), void *ctx)
{
	struct scan_ctx s = { fn, ctx, 0 };

	for_each_partition(scan_one, &s);
	return s.count;
}

/* The shared rule (bmdump_area_match) applied to one partition device. */
static void match_one(const char *dev, void *vctx)
{
	struct area_matches *m = vctx;
	struct bmdump_area_header h;
	struct area_target t;
	struct bm_err e;
	uint8_t type[16] = { 0 };
	int r;

	if (target_open_device(&t, dev, 0, &e))
		return;
	if (t.is_gpt)
		(void)bmdump_guid_parse_gpt(t.part_type, strlen(t.part_type),
					    type);
	r = bm_read(&t.src, &h, sizeof(h), 0, &e, "area header");
	target_close(&t);
	if (r)
		return;
	r = bmdump_area_match(type, &h, t.size, m->uuid);
	if (r == 0) {
		if (m->nr < 2)
			bm_strlcpy(m->dev[m->nr], dev, sizeof(m->dev[0]));
		m->nr++;
	} else if (r != BMDUMP_AREA_E_TYPE && bmdump_area_claims(&h, m->uuid)
		   && !m->damaged[0]) {
		bm_strlcpy(m->damaged, dev, sizeof(m->damaged));
	}
}

void area_find_matches(const uint8_t uuid[16], struct area_matches *m)
{
	memset(m, 0, sizeof(*m));
	m->uuid = uuid;
	for_each_partition(match_one, m);
}

int area_matches_error(const struct area_matches *m, struct bm_err *e)
{
	char s[37];

	bmdump_uuid_format(m->uuid, s);
	return bm_seterr(e, BM_E_REFUSED, "area %s is on %d partitions, %s "
			 "and %s (a cloned disk?): the stub writes to none of "
			 "them; give one a new UUID (bmdump prepare --force "
			 "PARTITION) or wipe the clone", s, m->nr, m->dev[0],
			 m->dev[1]);
}

int target_find_uuid(struct area_target *t, const uint8_t uuid[16],
		     int writable, struct bm_err *e)
{
	struct area_matches m;
	char s[37];

	area_find_matches(uuid, &m);
	if (m.nr > 1)
		return area_matches_error(&m, e);
	/* A damaged header that names the UUID: opened so that status and
	 * save report the damage instead of "missing". */
	if (m.nr == 1 || m.damaged[0])
		return target_open_device(t, m.nr ? m.dev[0] : m.damaged,
					  writable, e);
	bmdump_uuid_format(uuid, s);
	return bm_seterr(e, BM_E_NOTFOUND, "no partition holds area %s (is "
			 "the disk attached? was it re-prepared?)", s);
}

static blkid_probe probe_target(struct area_target *t, struct bm_err *e)
{
	blkid_probe pr = blkid_new_probe();

	if (!pr || blkid_probe_set_device(pr, t->fd, (blkid_loff_t)t->offset,
					  (blkid_loff_t)t->size)) {
		if (pr)
			blkid_free_probe(pr);
		bm_seterr(e, BM_E_IO, "cannot probe %s", t->label);
		return NULL;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE |
					  BLKID_SUBLKS_USAGE |
					  BLKID_SUBLKS_MAGIC);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC);
	return pr;
}

int target_probe_signatures(struct area_target *t, char *what, size_t size,
			    struct bm_err *e)
{
	blkid_probe pr = probe_target(t, e);
	const char *type = NULL, *usage = NULL;
	int r;

	if (!pr)
		return BM_E_IO;
	r = blkid_do_safeprobe(pr);
	if (r == -2) {
		bm_strlcpy(what, "several conflicting signatures", size);
		r = 1;
	} else if (r == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) &&
		    blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL))
			type = "unknown";
		blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
		snprintf(what, size, "%s%s%s%s", type, usage ? " (" : "",
			 usage ? usage : "", usage ? ")" : "");
		r = 1;
	} else if (r == 1) {
		r = 0;
	} else {
		r = bm_seterr(e, BM_E_IO, "cannot probe %s for signatures",
			      t->label);
	}
	blkid_free_probe(pr);
	return r;
}

int target_wipe_signatures(struct area_target *t, struct bm_err *e)
{
	blkid_probe pr = probe_target(t, e);
	int n = 0;

	if (!pr)
		return BM_E_IO;
	while (blkid_do_probe(pr) == 0 && n < 64) {
		if (blkid_do_wipe(pr, 0)) {
			blkid_free_probe(pr);
			return bm_seterr(e, BM_E_IO, "cannot wipe a signature "
					 "on %s", t->label);
		}
		n++;
	}
	blkid_free_probe(pr);
	fsync(t->fd);
	return 0;
}

int disk_partition_device(const char *disk, int partno, char *out,
			  size_t size, struct bm_err *e)
{
	const char *name = strrchr(disk, '/');
	char dir[PATH_MAX], p[PATH_MAX], buf[32];
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	int tries;

	name = name ? name + 1 : disk;
	snprintf(dir, sizeof(dir), "%s/sys/class/block/%s", sysroot(), name);
	/* The kernel and udev need a moment after sfdisk; bounded wait. */
	for (tries = 0; tries < 100; tries++) {
		DIR *dp = opendir(dir);
		struct dirent *d;

		while (dp && (d = readdir(dp)) != NULL) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s/partition", dir,
				 d->d_name);
			if (read_text_file(p, buf, sizeof(buf)) ||
			    atoi(buf) != partno)
				continue;
			snprintf(out, size, "/dev/%s", d->d_name);
			if (access(out, F_OK) == 0) {
				closedir(dp);
				return 0;
			}
		}
		if (dp)
			closedir(dp);
		nanosleep(&ts, NULL);
	}
	return bm_seterr(e, BM_E_NOTFOUND, "partition %d of %s did not "
			 "appear in /dev within 10 s", partno, disk);
}
