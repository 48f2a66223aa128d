// SPDX-License-Identifier: GPL-2.0
/*
 * The DMAR table as firmware left it.  The first input byte holds flags:
 * bit 0 sets the table's length field to the input's real length, so the
 * search gets past the header check; without it the field may lie.
 */
#include "phys_fake.h"

#include <string.h>

#include "errors.h"
#include "iommu_acpi.h"
#include "str.h"

#define FLAG_FIX_LENGTH	1

static struct iommu_units u;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *t;
	unsigned int i, j;
	int err;

	if (size < 1 || size - 1 > 0xffffffffu)
		return 0;
	t = fz_dup(data + 1, size - 1);
	if ((data[0] & FLAG_FIX_LENGTH) && size - 1 >= 8) {
		uint32_t len = (uint32_t)(size - 1);

		memcpy(t + 4, &len, 4);
	}
	memset(&u, 0, sizeof(u));
	err = dmar_parse(t, (uint32_t)(size - 1), &u);
	FZ_CHECK(err <= 0);
	FZ_CHECK(u.nr <= IOMMU_MAX_UNITS);
	FZ_CHECK(u.nr + u.dropped == 0 || u.has_dmar);
	for (i = 0; i < u.nr; i++) {
		FZ_CHECK(u.unit[i].kind == IOMMU_VTD);
		for (j = 0; j < i && u.unit[i].kind == IOMMU_AMDVI; j++)
			FZ_CHECK(u.unit[j].base != u.unit[i].base ||
				 u.unit[j].segment != u.unit[i].segment);
	}
	fz_reset();
	return 0;
}
