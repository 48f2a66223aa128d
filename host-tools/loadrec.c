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

/* Load's VMCOREINFO check: one line a field, the message on one line. */
static void write_vmci(FILE *f, const struct vmci_result *v)
{
	char msg[sizeof(v->msg)], *p;

	bm_strlcpy(msg, v->msg, sizeof(msg));
	for (p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	fprintf(f, "vmcoreinfo=%s\nvmcoreinfo_release=%s\n"
		"vmcoreinfo_keys=%u/%u\nvmcoreinfo_uts=%d\n"
		"vmcoreinfo_msg=%s\n", vmci_state_name(v->state), v->release,
		v->present, v->total, v->uts_verified, msg);
}

static void read_vmci(const char *line, struct vmci_result *v)
{
	if (!strncmp(line, "vmcoreinfo=", 11))
		v->state = vmci_state_parse(line + 11);
	else if (!strncmp(line, "vmcoreinfo_release=", 19))
		bm_strlcpy(v->release, line + 19, sizeof(v->release));
	else if (!strncmp(line, "vmcoreinfo_keys=", 16) &&
		 sscanf(line + 16, "%u/%u", &v->present, &v->total) != 2)
		v->present = v->total = 0;
	else if (!strncmp(line, "vmcoreinfo_uts=", 15))
		v->uts_verified = line[15] == '1';
	else if (!strncmp(line, "vmcoreinfo_msg=", 15))
		bm_strlcpy(v->msg, line + 15, sizeof(v->msg));
}

int load_record_write(const char *method, int have_desc, uint64_t desc,
		      const uint8_t area[16], const char *stub,
		      const char *cmdline, const struct vmci_result *vmci)
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
	write_vmci(f, vmci);
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
		else
			read_vmci(line, &r->vmci);
	}
	return 0;
}

void load_record_remove(void)
{
	char path[PATH_MAX];

	sys_path(path, sizeof(path), LOAD_RECORD_PATH);
	unlink(path);
}
