// SPDX-License-Identifier: GPL-2.0
/* The IVRS table as firmware left it (see fuzz_iommu_table.h). */
#include "fuzz_iommu_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_iommu_table(data, size, ivrs_parse, IOMMU_AMDVI);
	return 0;
}
