// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmdump.h"
#include "bmdump/kernels.h"
#include "kernel.h"
#include "locate.h"

int kernel_release_supported(const char *release)
{
	char *end;
	long major, minor;

	major = strtol(release, &end, 10);
	if (end == release || *end != '.')
		return 0;
	release = end + 1;
	minor = strtol(release, &end, 10);
	if (end == release)
		return 0;
	return BMDUMP_KERNEL_SUPPORTED(major, minor);
}

/*
 * The line of modules.dep naming bmdump.ko (compressed or not), wherever
 * dkms (updates/dkms/) or make install put it: the module modprobe loads.
 */
static void find_module(struct kernel_facts *k)
{
	char path[PATH_MAX], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lib/modules/%s/modules.dep",
		 sysroot(), k->release);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = 0;
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		if (!strncmp(base, "bmdump.ko", 9) &&
		    (!base[9] || base[9] == '.')) {
			bm_strlcpy(k->module_file, line,
				   sizeof(k->module_file));
			break;
		}
	}
	fclose(f);
}

void kernel_probe(struct kernel_facts *k)
{
	char path[PATH_MAX];

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease",
		 sysroot());
	if (read_text_file(path, k->release, sizeof(k->release)) ||
	    !k->release[0] || strchr(k->release, '/'))
		return;
	k->known = 1;
	k->supported = kernel_release_supported(k->release);
	find_module(k);
}
