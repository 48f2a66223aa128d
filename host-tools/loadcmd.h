/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What `bmdump load` hands to kexec: the stub's command line and the kexec
 * argument vector, and the choice between kexec_load and kexec_file_load.
 */
#ifndef BMDUMP_LOADCMD_H
#define BMDUMP_LOADCMD_H

#include "config.h"

#define LOCKDOWN_UNKNOWN	(-1)
#define LOCKDOWN_NONE		0
#define LOCKDOWN_INTEGRITY	1
#define LOCKDOWN_CONFIDENTIALITY 2

/* Bytes kexec or the kernel add to the command line (elfcorehdr=,
 * acpi_rsdp=) on top of ours, with margin. */
#define CMDLINE_LOADER_RESERVE	64
#define STUB_CMDLINE_MAX	4096	/* the stub's own buffer */

/* "none [integrity] confidentiality" -> LOCKDOWN_INTEGRITY. */
int lockdown_parse(const char *text);
const char *lockdown_name(int level);

/* KEXEC_MODE_LOAD or KEXEC_MODE_FILE for this config and lockdown level. */
int kexec_choose_mode(int cfg_mode, int lockdown);

/*
 * The stub's command line: bmdump's words, then APPEND.  bsp: the APIC
 * ID of the crashed kernel's CPU 0 for bmdump.bsp=, or -1 for none (the
 * stub then takes the first enabled CPU of the MADT).
 */
int build_stub_cmdline(const struct bm_config *c, int have_desc,
		       uint64_t desc, int64_t bsp, char *out, size_t size,
		       struct bm_err *e);

/*
 * The "apicid" of "processor : 0" in /proc/cpuinfo text (the crashed
 * kernel's CPU 0, as kexec-tools reads it for disable_cpu_apicid=): 0,
 * or -1 when processor 0 has no whole decimal apicid in its block.
 */
int cpuinfo_bsp_apicid(const char *text, uint32_t *id);

#define KEXEC_ARGV_MAX	8
struct kexec_argv {
	char *argv[KEXEC_ARGV_MAX];
	int argc;
	char append[STUB_CMDLINE_MAX + 16];
};
void build_kexec_load_argv(struct kexec_argv *a, const struct bm_config *c,
			   int mode, const char *cmdline);
void build_kexec_unload_argv(struct kexec_argv *a, const struct bm_config *c);

/*
 * From the first bytes of a bzImage: cmdline_size of its setup header.
 * 0, or BM_E_CORRUPT when it is not a bzImage the loaders accept.
 */
int stub_cmdline_size(const uint8_t *img, size_t len, uint32_t *size,
		      struct bm_err *e);
int cmdline_fits(size_t len, uint32_t cmdline_size, struct bm_err *e);

#endif /* BMDUMP_LOADCMD_H */
