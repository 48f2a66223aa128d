/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load record, /run/bmdump/loaded: what `bmdump load` armed (the
 * descriptor, the area, the kexec method, the stub and its command line),
 * so that `bmdump status` can tell a stale or foreign load from its own.
 * Text, one key=value a line; written by load, removed by unload.
 */
#ifndef BMDUMP_LOADREC_H
#define BMDUMP_LOADREC_H

#include <stdint.h>

#include "vmcicheck.h"

#define LOAD_RECORD_DIR		"/run/bmdump"
#define LOAD_RECORD_PATH	LOAD_RECORD_DIR "/loaded"

struct load_record {
	int has_desc;
	uint64_t desc;		/* desc= */
	char area[37];		/* area=, the UUID as text */
	char method[16];	/* method=, kexec_load or kexec_file_load */
	struct vmci_result vmci;	/* vmcoreinfo*=: load's check */
};

/* 0 and r filled when a record exists, else -1 and r zeroed. */
int load_record_read(struct load_record *r);
/* 0, or -1 with errno set. */
int load_record_write(const char *method, int have_desc, uint64_t desc,
		      const uint8_t area[16], const char *stub,
		      const char *cmdline, const struct vmci_result *vmci);
void load_record_remove(void);

#endif /* BMDUMP_LOADREC_H */
