// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bmdump/iommu.h"
#include "iommu_probe.h"
#include "locate.h"

static int table_present(const char *sig)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/sys/firmware/acpi/tables/%s",
		 sysroot(), sig);
	return access(path, F_OK) == 0;
}

/* Is this /sys/class/iommu entry one the stub turns off? */
static int unit_supported(const struct iommu_facts *f, const char *name)
{
	if (!strncmp(name, "dmar", 4))
		return f->dmar;
	if (!strncmp(name, "ivhd", 4))
		return f->ivrs;
	return 0;
}

static void judge(struct iommu_facts *f, const char *first_foreign)
{
	if (first_foreign) {
		f->unsupported = 1;
		snprintf(f->reason, sizeof(f->reason), "IOMMU %s is neither a "
			 "VT-d unit (ACPI DMAR) nor an AMD-Vi unit (IVRS)%s: "
			 "the stub cannot turn it off and the dump disk's DMA "
			 "would fault; turn that IOMMU off", first_foreign,
			 f->viot ? ", it is a virtio-iommu (VIOT)" : "");
	} else if (f->nr_units > BMDUMP_IOMMU_MAX_UNITS) {
		f->unsupported = 1;
		snprintf(f->reason, sizeof(f->reason), "%u IOMMU units, the "
			 "stub turns off at most %u: DMA through the others "
			 "would fault", f->nr_units, BMDUMP_IOMMU_MAX_UNITS);
	}
}

void iommu_probe(struct iommu_facts *f)
{
	char path[4096], foreign[64] = "";
	struct dirent *d;
	size_t used = 0;
	DIR *dir;

	memset(f, 0, sizeof(*f));
	f->dmar = table_present("DMAR");
	f->ivrs = table_present("IVRS");
	f->viot = table_present("VIOT");
	snprintf(path, sizeof(path), "%s/sys/class/iommu", sysroot());
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		f->nr_units++;
		if (!unit_supported(f, d->d_name) && !foreign[0])
			snprintf(foreign, sizeof(foreign), "%s", d->d_name);
		if (used + strlen(d->d_name) + 2 < sizeof(f->units))
			used += snprintf(f->units + used, sizeof(f->units) -
					 used, "%s%s", used ? " " : "",
					 d->d_name);
	}
	if (dir)
		closedir(dir);
	judge(f, foreign[0] ? foreign : NULL);
}

void iommu_describe(const struct iommu_facts *f, char *buf, size_t size)
{
	const char *tables = f->dmar && f->ivrs ? "DMAR, IVRS" :
			     f->dmar ? "DMAR" :
			     f->ivrs ? "IVRS" : "no DMAR/IVRS";

	if (!f->nr_units)
		snprintf(buf, size, "off (%s): nothing for the stub to do",
			 tables);
	else if (!f->unsupported)
		snprintf(buf, size, "%s (%s): on; the stub turns remapping "
			 "off at a crash", f->units, tables);
	else
		snprintf(buf, size, "%s (%s): NOT supported by the stub",
			 f->units, tables);
}

int iommu_load_report(void)
{
	struct iommu_facts f;
	char buf[512];

	iommu_probe(&f);
	iommu_describe(&f, buf, sizeof(buf));
	printf("bmdump: iommu: %s\n", buf);
	if (!f.unsupported)
		return 0;
	fprintf(stderr, "bmdump: warning: %s\n", f.reason);
	return 1;
}
