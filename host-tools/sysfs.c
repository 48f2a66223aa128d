// SPDX-License-Identifier: GPL-2.0
/* The kernel's small files under /sys and /proc (sysfs.h). */
#include <limits.h>
#include <stdio.h>

#include "bmdump.h"
#include "loadcmd.h"
#include "locate.h"
#include "sysfs.h"

void sys_path(char *out, size_t size, const char *p)
{
	snprintf(out, size, "%s%s", sysroot(), p);
}

int sys_read(const char *p, char *buf, size_t size)
{
	char path[PATH_MAX];

	sys_path(path, sizeof(path), p);
	return read_text_file(path, buf, size);
}

int sys_read_u64(const char *p, uint64_t *v)
{
	char buf[64];

	if (sys_read(p, buf, sizeof(buf)) || parse_u64(buf, v))
		return -1;
	return 0;
}

int sys_read_descriptor(uint64_t *desc)
{
	char buf[256];

	if (sys_read(SYS_HOOK_DESCRIPTOR, buf, sizeof(buf)) ||
	    parse_u64(buf, desc))
		return -1;
	return 0;
}

int sys_read_lockdown(int *lockdown)
{
	char buf[256];

	if (sys_read(SYS_LOCKDOWN, buf, sizeof(buf)))
		return -1;
	*lockdown = lockdown_parse(buf);
	return 0;
}

int sys_read_bsp_apicid(uint32_t *id)
{
	/* processor 0 comes first: its block fits, whatever follows */
	static char buf[16384];

	if (sys_read(SYS_CPUINFO, buf, sizeof(buf)))
		return -1;
	return cpuinfo_bsp_apicid(buf, id);
}
