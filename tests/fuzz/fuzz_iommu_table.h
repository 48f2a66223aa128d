/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One body for fuzz_dmar and fuzz_ivrs.  The first input byte holds
 * flags: bit 0 sets the table's length field to the input's real length,
 * so the search gets past the header check; without it the field may lie.
 */
#ifndef TESTS_FUZZ_IOMMU_TABLE_H
#define TESTS_FUZZ_IOMMU_TABLE_H

#include "phys_fake.h"

#include <string.h>

#include "iommu_acpi.h"

#define FLAG_FIX_LENGTH	1

static inline void fuzz_iommu_table(const uint8_t *data, size_t size,
				    int (*parse)(const uint8_t *, uint32_t,
						 struct iommu_units *),
				    int kind)
{
	static struct iommu_units u;
	unsigned int i, j;
	uint8_t *t;
	int err;

	if (size < 1 || size - 1 > 0xffffffffu)
		return;
	t = fz_dup(data + 1, size - 1);
	if ((data[0] & FLAG_FIX_LENGTH) && size - 1 >= 8) {
		uint32_t len = (uint32_t)(size - 1);

		memcpy(t + 4, &len, 4);
	}
	memset(&u, 0, sizeof(u));
	err = parse(t, (uint32_t)(size - 1), &u);
	FZ_CHECK(err <= 0);
	FZ_CHECK(u.nr <= IOMMU_MAX_UNITS);
	FZ_CHECK(u.nr + u.dropped == 0 || u.has_dmar || u.has_ivrs);
	for (i = 0; i < u.nr; i++) {
		FZ_CHECK(u.unit[i].kind == kind);
		/* IVRS: one unit per IOMMU, however many IVHD types */
		for (j = 0; j < i && kind == IOMMU_AMDVI; j++)
			FZ_CHECK(u.unit[j].base != u.unit[i].base ||
				 u.unit[j].segment != u.unit[i].segment);
	}
	fz_reset();
}

#endif /* TESTS_FUZZ_IOMMU_TABLE_H */
