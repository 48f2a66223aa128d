// SPDX-License-Identifier: GPL-2.0
/* Block size, alignment and NVMe format checks for prepare (geometry.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/nvme_ioctl.h>

#include "geometry.h"
#include "locate.h"

#define STUB_PAGE		4096u	/* the stub writes whole pages */
#define NVME_ADMIN_IDENTIFY	0x06
#define NVME_ID_CNS_NS		0x00

int geometry_check(const struct disk_geometry *g, const char *label,
		   struct bm_err *e)
{
	if (g->nvme && !bmdump_nvme_format_usable(&g->fmt))
		return bm_seterr(e, BM_E_REFUSED, "%s is an NVMe namespace "
				 "formatted with LBA format %u: %u bytes of "
				 "metadata%s per block of %u bytes; the stub "
				 "writes only to formats without metadata "
				 "(nvme format --lbaf=N with one whose ms is "
				 "0, or another disk)", label, g->fmt.index,
				 g->fmt.ms, g->fmt.ext ? " (inline)" : "",
				 1u << (g->fmt.lbads & 31));
	if (g->lbs < 512 || g->lbs > STUB_PAGE || (g->lbs & (g->lbs - 1)))
		return bm_seterr(e, BM_E_REFUSED, "%s has %u-byte logical "
				 "blocks; the stub drives 512 to 4096", label,
				 g->lbs);
	if (g->start % STUB_PAGE)
		return bm_seterr(e, BM_E_REFUSED, "%s starts at byte %llu, "
				 "not on a 4 KiB boundary: the stub writes "
				 "whole 4 KiB pages and would refuse it (align "
				 "partitions to 1 MiB, as sfdisk and parted "
				 "do)", label, (unsigned long long)g->start);
	if (g->size % g->lbs)
		return bm_seterr(e, BM_E_REFUSED, "%s is %llu bytes, not a "
				 "whole number of %u-byte blocks", label,
				 (unsigned long long)g->size, g->lbs);
	return 0;
}

static int fd_lbs(int fd, const char *path, unsigned int *lbs,
		  struct bm_err *e)
{
	struct stat st;
	int ssz = 0;

	if (fstat(fd, &st))
		return bm_seterr(e, BM_E_IO, "cannot stat %s", path);
	*lbs = 512;	/* image files: what sfdisk and blkid assume */
	if (!S_ISBLK(st.st_mode))
		return 0;
	if (ioctl(fd, BLKSSZGET, &ssz) || ssz <= 0)
		return bm_seterr(e, BM_E_IO, "cannot read the logical block "
				 "size of %s: %s", path, strerror(errno));
	*lbs = (unsigned int)ssz;
	return 0;
}

int path_logical_block_size(const char *path, unsigned int *lbs,
			    struct bm_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return bm_seterr(e, BM_E_IO, "cannot open %s: %s", path,
				 strerror(errno));
	r = fd_lbs(fd, path, lbs, e);
	close(fd);
	return r;
}

/* A partition device's start on its disk, from sysfs (512-byte units). */
static uint64_t part_start(int fd)
{
	char p[PATH_MAX], buf[32];
	struct stat st;

	if (fstat(fd, &st) || !S_ISBLK(st.st_mode))
		return 0;
	snprintf(p, sizeof(p), "%s/sys/dev/block/%u:%u/start", sysroot(),
		 major(st.st_rdev), minor(st.st_rdev));
	if (read_text_file(p, buf, sizeof(buf)))
		return 0;	/* a whole disk */
	return strtoull(buf, NULL, 10) * 512;
}

/* Identify Namespace of the NVMe namespace at disk: 0, or -1. */
static int nvme_read_format(const char *disk, struct bmdump_nvme_format *f)
{
	static uint8_t id[NVME_ID_NS_BYTES];
	struct nvme_admin_cmd cmd;
	int fd, nsid, r = -1;

	fd = open(disk, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	nsid = ioctl(fd, NVME_IOCTL_ID);
	if (nsid > 0) {
		memset(&cmd, 0, sizeof(cmd));
		memset(id, 0, sizeof(id));
		cmd.opcode = NVME_ADMIN_IDENTIFY;
		cmd.nsid = (uint32_t)nsid;
		cmd.addr = (uint64_t)(uintptr_t)id;
		cmd.data_len = sizeof(id);
		cmd.cdw10 = NVME_ID_CNS_NS;
		if (ioctl(fd, NVME_IOCTL_ADMIN_CMD, &cmd) == 0)
			r = bmdump_nvme_ns_format(id, f);
	}
	close(fd);
	return r;
}

int geometry_read(int fd, const char *path, const char *disk,
		  uint64_t offset, uint64_t size, struct disk_geometry *g,
		  struct bm_err *e)
{
	const char *whole = disk && disk[0] ? disk : path;
	const char *base = strrchr(whole, '/');
	struct stat st;
	int r;

	memset(g, 0, sizeof(*g));
	r = fd_lbs(fd, path, &g->lbs, e);
	if (r)
		return r;
	g->start = offset + part_start(fd);
	g->size = size;
	base = base ? base + 1 : whole;
	if (fstat(fd, &st) || !S_ISBLK(st.st_mode) || strncmp(base, "nvme", 4))
		return 0;
	if (nvme_read_format(whole, &g->fmt) == 0)
		g->nvme = 1;
	else
		fprintf(stderr, "bmdump: warning: cannot read the LBA format "
			"of NVMe namespace %s (%s); a format with metadata "
			"would make the stub skip it\n", whole,
			strerror(errno));
	return 0;
}
