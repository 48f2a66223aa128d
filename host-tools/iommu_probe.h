/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IOMMU as the running kernel sees it (/sys/class/iommu, the ACPI
 * tables under /sys/firmware/acpi/tables), and whether the stub can take
 * its remapping off at a crash (DMAR and IVRS units only).
 */
#ifndef BMDUMP_IOMMU_PROBE_H
#define BMDUMP_IOMMU_PROBE_H

#include <stdio.h>

struct iommu_facts {
	int dmar, ivrs, viot;		/* ACPI tables present */
	unsigned int nr_units;		/* /sys/class/iommu entries */
	char units[256];		/* their names, space separated */
	int unsupported;		/* the stub cannot turn one off */
	char reason[256];		/* why */
};

void iommu_probe(struct iommu_facts *f);
/* One line: "dmar0 (DMAR): the stub turns translation off". */
void iommu_describe(const struct iommu_facts *f, char *buf, size_t size);

/* For bmdump load: print the state; 1 (and a warning) if unsupported. */
int iommu_load_report(void);

#endif /* BMDUMP_IOMMU_PROBE_H */
