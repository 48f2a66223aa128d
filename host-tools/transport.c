// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locate.h"
#include "transport.h"

#define WHAT_TO_DO "the stub drives NVMe, virtio-blk and AHCI (SATA) disks " \
	"only: put the area on a partition of such a disk (bmdump prepare)"

static int is_pci_name(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char extra;

	return sscanf(s, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &extra) == 4;
}

/* The nearest PCI function at or above the sysfs directory dir. */
static int pci_ancestor(const char *dir, char *out, size_t size)
{
	char p[PATH_MAX];
	char *slash;

	bm_strlcpy(p, dir, sizeof(p));
	while ((slash = strrchr(p, '/')) != NULL && slash != p) {
		if (is_pci_name(slash + 1)) {
			bm_strlcpy(out, p, size);
			return 0;
		}
		*slash = 0;
	}
	return -1;
}

/*
 * A multipath NVMe namespace (nvme-subsys<N>/nvme<M>n<K>) has no PCI
 * parent: its controllers are the subsystem's nvme<X> links; the first
 * one leads to a PCI function.
 */
static int subsys_pci(const char *disk, char *out, size_t size)
{
	char sub[PATH_MAX], p[PATH_MAX], real[PATH_MAX];
	struct dirent *d;
	DIR *dp;
	int r = -1;

	bm_strlcpy(sub, disk, sizeof(sub));
	if (!strrchr(sub, '/'))
		return -1;
	*strrchr(sub, '/') = 0;
	if (!strrchr(sub, '/') || strncmp(strrchr(sub, '/') + 1,
					  "nvme-subsys", 11))
		return -1;
	dp = opendir(sub);
	while (dp && r && (d = readdir(dp)) != NULL) {
		const char *num = d->d_name + 4;

		if (strncmp(d->d_name, "nvme", 4) || !*num ||
		    strspn(num, "0123456789") != strlen(num))
			continue;
		snprintf(p, sizeof(p), "%s/%s", sub, d->d_name);
		if (realpath(p, real))
			r = pci_ancestor(real, out, size);
	}
	if (dp)
		closedir(dp);
	return r;
}

/* dm and md disks list the disks they are built on in slaves/. */
static int has_slaves(const char *disk)
{
	char p[PATH_MAX];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(p, sizeof(p), "%s/slaves", disk);
	dp = opendir(p);
	while (dp && !n && (d = readdir(dp)) != NULL)
		n = d->d_name[0] != '.';
	if (dp)
		closedir(dp);
	return n;
}

static unsigned long read_hex(const char *dir, const char *name)
{
	char p[PATH_MAX], buf[32];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (read_text_file(p, buf, sizeof(buf)))
		return ~0ul;
	return strtoul(buf, NULL, 16);
}

/* Why a PCI function the stub cannot drive is not enough, in words. */
static const char *class_words(unsigned long cls)
{
	if ((cls >> 8) == 0x0c03)
		return "a USB controller: the disk is a USB disk";
	if ((cls >> 16) == 0x01)
		return "a storage controller the stub has no driver for "
		       "(SCSI, SAS, RAID, ...)";
	return "not a storage controller the stub knows";
}

int disk_transport(const char *dev, char *why, size_t size)
{
	const char *name = strrchr(dev, '/');
	char p[PATH_MAX], disk[PATH_MAX], pci[PATH_MAX];
	unsigned long cls, ven, did;
	int t;

	name = name ? name + 1 : dev;
	snprintf(p, sizeof(p), "%s/sys/class/block/%s", sysroot(), name);
	if (!realpath(p, disk)) {
		snprintf(why, size, "%s is not in /sys/class/block: cannot "
			 "tell which controller drives it; %s", dev,
			 WHAT_TO_DO);
		return BMDUMP_TRANSPORT_NONE;
	}
	snprintf(p, sizeof(p), "%s/partition", disk);
	if (access(p, F_OK) == 0 && strrchr(disk, '/'))
		*strrchr(disk, '/') = 0;	/* the whole disk */
	if (pci_ancestor(disk, pci, sizeof(pci)) &&
	    subsys_pci(disk, pci, sizeof(pci))) {
		snprintf(why, size, "%s is on %s, %s; %s", dev,
			 strrchr(disk, '/') + 1, has_slaves(disk) ?
			 "a device built on other block devices (dm, md, "
			 "...), which the stub cannot assemble" :
			 "which is on no PCI controller (virtual or "
			 "network storage)", WHAT_TO_DO);
		return BMDUMP_TRANSPORT_NONE;
	}
	cls = read_hex(pci, "class");
	ven = read_hex(pci, "vendor");
	did = read_hex(pci, "device");
	t = bmdump_pci_transport((uint32_t)cls, (uint16_t)ven, (uint16_t)did);
	if (t == BMDUMP_TRANSPORT_NONE)
		snprintf(why, size, "%s is on %s, behind PCI %s (class %06lx, "
			 "%04lx:%04lx), %s; %s", dev, strrchr(disk, '/') + 1,
			 strrchr(pci, '/') + 1, cls & 0xffffff, ven & 0xffff,
			 did & 0xffff, class_words(cls), WHAT_TO_DO);
	return t;
}
