// SPDX-License-Identifier: GPL-2.0
/* The load record /run/bmdump/loaded: its writer and its reader (loadrec.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bmdump/area.h>

#include "bmdump.h"
#include "loadrec.h"
#include "sysfs.h"

int load_record_write(const char *method, int have_desc, uint64_t desc,
		      const uint8_t area[16], const char *stub,
		      const char *cmdline)
{
	char dir[PATH_MAX], path[PATH_MAX], text[8192], uuid[37];
	FILE *f;

	sys_path(dir, sizeof(dir), LOAD_RECORD_DIR);
	mkdir(dir, 0755);
	sys_path(path, sizeof(path), LOAD_RECORD_PATH);
	bmdump_uuid_format(area, uuid);
	if (have_desc)
		snprintf(text, sizeof(text), "desc=0x%llx\n",
			 (unsigned long long)desc);
	else
		text[0] = 0;
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%sarea=%s\nmethod=%s\nstub=%s\ncmdline=%s\ntime=%lld\n",
		text, uuid, method, stub, cmdline, (long long)time(NULL));
	return fclose(f);
}

int load_record_read(struct load_record *r)
{
	char text[8192], *line, *save = NULL;

	memset(r, 0, sizeof(*r));
	if (sys_read(LOAD_RECORD_PATH, text, sizeof(text)))
		return -1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "desc=", 5))
			r->has_desc = !parse_u64(line + 5, &r->desc);
		else if (!strncmp(line, "area=", 5))
			bm_strlcpy(r->area, line + 5, sizeof(r->area));
		else if (!strncmp(line, "method=", 7))
			bm_strlcpy(r->method, line + 7, sizeof(r->method));
	}
	return 0;
}

void load_record_remove(void)
{
	char path[PATH_MAX];

	sys_path(path, sizeof(path), LOAD_RECORD_PATH);
	unlink(path);
}
