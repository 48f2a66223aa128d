/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stub can do with an IOMMU, for the host tool to judge a
 * machine before a crash: the stub turns off remapping units that ACPI
 * describes in DMAR (Intel VT-d) or IVRS (AMD-Vi), up to this many.
 */
#ifndef BMDUMP_IOMMU_H
#define BMDUMP_IOMMU_H

#define BMDUMP_IOMMU_MAX_UNITS	16

#endif /* BMDUMP_IOMMU_H */
