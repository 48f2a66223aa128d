// SPDX-License-Identifier: GPL-2.0
/* VMCOREINFO text as the crashed kernel left it (or did not). */
#include "phys_fake.h"

#include <string.h>

#include "elfcore.h"
#include "errors.h"
#include "vmcoreinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmcoreinfo vi;
	const char *t = fz_dup(data, size);	/* not NUL-terminated */
	const char *v;
	size_t vlen;
	uint64_t u, pa;
	int64_t d;

	if (vmcoreinfo_parse(t, size, &vi) == 0) {
		FZ_CHECK(vi.pagesize == 4096);
		FZ_CHECK(memchr(vi.osrelease, 0, sizeof(vi.osrelease)));
		if (vi.has_uts) {
			FZ_CHECK(vi.has_phys_base && vi.off_uts_name < 4096);
			if (!vmcoreinfo_kimage_pa(&vi, vi.sym_init_uts_ns +
						  vi.off_uts_name, &pa))
				FZ_CHECK(pa < (1ull << 52));
		}
	}
	if (vmcoreinfo_find(t, size, "SYMBOL(init_uts_ns)", &v, &vlen))
		FZ_CHECK(v >= t && v + vlen <= t + size);
	vmcoreinfo_get_hex(t, size, "KERNELOFFSET", &u);
	vmcoreinfo_get_dec(t, size, "NUMBER(phys_base)", &d);
	vmcoreinfo_get_dec(t, size, "", &d);
	fz_reset();
	return 0;
}
