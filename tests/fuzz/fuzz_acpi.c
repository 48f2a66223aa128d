// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables as firmware left them: the input is served as firmware
 * memory at FW_PA and passed both as acpi_rsdp= and as the EFI system
 * table, so an input starting with an RSDP or with "IBI SYST" is followed.
 */
#include "phys_fake.h"

#include <string.h>

#include "acpi.h"
#include "errors.h"

#define FW_PA	0x3f770000ull

static struct acpi_info ai;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t pa;
	uint32_t len;
	unsigned int i;

	fz_add(FW_PA, data, size, FZ_FW);
	if (acpi_init(&ai, FW_PA, 0, FW_PA))
		goto out;
	FZ_CHECK(ai.rsdp_source == RSDP_CMDLINE ||
		 ai.rsdp_source == RSDP_EFI);
	acpi_find_table(&ai, "MCFG", &pa, &len);
	if (!acpi_parse_fadt(&ai))
		FZ_CHECK(ai.has_fadt);
	if (!acpi_parse_madt(&ai)) {
		FZ_CHECK(ai.nr_cpus <= ACPI_MAX_CPUS);
		for (i = 0; i < ai.nr_cpus && i < 16; i++)
			FZ_CHECK(acpi_cpu_index(&ai, ai.apic_id[i],
						ai.apic_id[0]) >= 0);
	}
out:
	fz_reset();
	return 0;
}
