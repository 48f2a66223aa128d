/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_CMDLINE_H
#define STUB_CMDLINE_H

#include "bmdump/types.h"

#define CMDLINE_MAX	4096

enum final_action {
	FINAL_RESET = 0,
	FINAL_HALT,
};

struct stub_options {
	uint64_t elfcorehdr_addr;
	uint64_t elfcorehdr_size;	/* 0: not given */
	uint64_t acpi_rsdp;		/* 0: not given */
	int final_action;
	int has_desc;
	uint64_t desc_addr;
	int has_area;
	uint8_t area_uuid[16];
	int overwrite;
};

/*
 * Find the last "key=value" (or bare "key") word of a kernel command line.
 * Words are separated by spaces; double quotes group, as the kernel's
 * next_arg() does.  Returns 1 and the value (quotes stripped) if found.
 */
int cmdline_find(const char *cl, const char *key, const char **val,
		 size_t *vlen);

/* Whole-string unsigned number: decimal, or hex with 0x.  0 or -E_CMD_*. */
int parse_u64(const char *s, size_t len, uint64_t *out);

/* Like the kernel's memparse(): a number with an optional K/M/G/T suffix. */
int parse_memsize(const char *s, size_t len, uint64_t *out);

/* elfcorehdr=[size@]addr: both "NNNK" (kexec_load), "0x..." (kexec_file). */
int parse_elfcorehdr(const char *cl, uint64_t *addr, uint64_t *size);

/* Everything the stub takes from its command line. */
int stub_options_parse(const char *cl, struct stub_options *o);

#endif /* STUB_CMDLINE_H */
