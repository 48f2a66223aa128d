// SPDX-License-Identifier: GPL-2.0
/*
 * boot_params, e820, setup_data and the command line.  The input is the
 * loader's parameter block: boot_params (4096 bytes) at BP_PA, followed by
 * whatever the loader put after it (command line, setup_data nodes),
 * served as RAM from BP_PA on, zero-padded to whole pages.
 */
#include "phys.h"
#include "phys_fake.h"

#include <string.h>

#include "bootparams.h"
#include "cmdline.h"
#include "errors.h"

#define BP_PA	0x3ef52000ull	/* any page-aligned address will do */

static struct boot_info bi;

static void check_e820(void)
{
	unsigned int i;

	FZ_CHECK(bi.nr_e820 <= E820_MAX);
	for (i = 0; i < bi.nr_e820; i++) {
		FZ_CHECK(bi.e820[i].size != 0);
		FZ_CHECK(bi.e820[i].addr + bi.e820[i].size > bi.e820[i].addr);
		if (i)
			FZ_CHECK(bi.e820[i - 1].addr <= bi.e820[i].addr);
	}
	FZ_CHECK(bi.nr_setup_data <= SETUP_DATA_MAX_NODES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *bp;
	struct stub_options o;
	int err;

	fz_add(BP_PA, data, size, FZ_RAM);
	/* As stub_main() does: map 4096 bytes at the address in RSI. */
	bp = phys_ram(BP_PA, BOOT_PARAMS_SIZE);
	err = bootparams_parse(bp, BP_PA, &bi);
	FZ_CHECK(err <= 0);
	if (err == 0) {
		check_e820();
		FZ_CHECK(bi.cmdline_len <= CMDLINE_MAX);
		FZ_CHECK(bi.cmdline[bi.cmdline_len] == 0);
		FZ_CHECK(strlen(bi.cmdline) == bi.cmdline_len);
		stub_options_parse(bi.cmdline, &o);
	}
	fz_reset();
	return 0;
}
