// SPDX-License-Identifier: GPL-2.0
/* The DMAR table as firmware left it (see fuzz_iommu_table.h). */
#include "fuzz_iommu_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_iommu_table(data, size, dmar_parse, IOMMU_VTD);
	return 0;
}
