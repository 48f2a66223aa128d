/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TEST ONLY: bmdump.selftest=nvme drives the storage layer end to end for
 * tests/e2e/test_nvme.py until the dump writer takes its place.
 */
#ifndef STUB_SELFTEST_H
#define STUB_SELFTEST_H

#include "bmdump/types.h"

struct acpi_info;
struct core_info;

/* Byte offsets on the first namespace (the e2e test checks them). */
#define SELFTEST_RAM_OFFSET	(64ull << 20)
#define SELFTEST_RAM_BYTES	(64ull << 20)
#define SELFTEST_PATTERN_OFFSET	(192ull << 20)
#define SELFTEST_PATTERN_PAGES	16
#define SELFTEST_PATTERN_SEED	0x626d64756d700000ull	/* "bmdump" */

int selftest_run(const char *what, size_t len, const struct acpi_info *ai,
		 const struct core_info *ci);

#endif /* STUB_SELFTEST_H */
