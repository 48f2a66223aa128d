// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: whatever the loader and the operator put there, as
 * stub_options_parse() and the number parsers see it.
 */
#include "phys_fake.h"

#include <string.h>

#include "cmdline.h"
#include "errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stub_options o;
	const char *v;
	char *cl;
	size_t vlen;
	uint64_t a, b;
	int err;

	/* The number parsers take (pointer, length): no NUL after it. */
	if (!cmdline_parse_u64(fz_dup(data, size), size, &a) && size > 20 &&
	    memcmp(data, "0x", 2) && memcmp(data, "0X", 2))
		FZ_CHECK(data[0] == '0');	/* > 20 digits: zeros */
	cmdline_parse_memsize(fz_dup(data, size), size, &a);

	/* The command line itself: a C string, the NUL its last byte. */
	cl = fz_alloc(size + 1);
	memcpy(cl, data, size);
	err = stub_options_parse(cl, &o);
	FZ_CHECK(err <= 0);
	FZ_CHECK(o.final_action == FINAL_RESET ||
		 o.final_action == FINAL_HALT);
	FZ_CHECK(o.overwrite == 0 || o.overwrite == 1);
	if (err == 0)
		FZ_CHECK(o.elfcorehdr_addr != 0);
	if (err != E_CMD_TOO_LONG && !parse_elfcorehdr(cl, &a, &b))
		FZ_CHECK(a == o.elfcorehdr_addr && b == o.elfcorehdr_size);
	if (cmdline_find(cl, "bmdump.area", &v, &vlen))
		FZ_CHECK(v >= cl && v + vlen <= cl + size);
	if (cmdline_find(cl, "", &v, &vlen))
		FZ_CHECK(v >= cl && v + vlen <= cl + size);
	fz_reset();
	return 0;
}
