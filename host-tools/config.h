/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/bmdump.conf: shell-variable style, one KEY=value a line, values
 * optionally in '...' or "..." quotes, # comments.  Every key is optional
 * but AREA, which load and status need.  See bmdump.conf(5).
 */
#ifndef BMDUMP_CONFIG_H
#define BMDUMP_CONFIG_H

#include <stdint.h>

#include "bmdump.h"

#ifndef BMDUMP_STUB_PATH
#define BMDUMP_STUB_PATH	"/usr/local/lib/bmdump/bmdump.bzImage"
#endif

#ifndef BMDUMP_SYSCONFDIR
#define BMDUMP_SYSCONFDIR	"/etc"
#endif

/* SYSCONFDIR of the build (make install SYSCONFDIR=...). */
#define CONFIG_DEFAULT_PATH	BMDUMP_SYSCONFDIR "/bmdump.conf"
#define CONFIG_PATH_MAX		512
#define CONFIG_APPEND_MAX	1024
#define CONFIG_MAX_WARNINGS	8

/* FINAL_ACTION_BOOT: the stub starts the staged boot set (bootset.h). */
enum final_action { FINAL_ACTION_RESET, FINAL_ACTION_HALT, FINAL_ACTION_BOOT };
enum kexec_mode { KEXEC_MODE_AUTO, KEXEC_MODE_LOAD, KEXEC_MODE_FILE };

struct bm_config {
	int has_area;
	uint8_t area[16];
	int dump_level;			/* 0..31 */
	int final_action;
	int kexec_mode;
	int overwrite;
	int scan_mode;			/* SCAN=: enum stub_scan_mode */
	int compress;			/* enum bm_comp */
	unsigned int keep;		/* 0: keep all */
	uint64_t min_free;		/* bytes */
	char stub[CONFIG_PATH_MAX];
	char coredir[CONFIG_PATH_MAX];
	char module[64];
	char kexec[CONFIG_PATH_MAX];
	char makedumpfile[CONFIG_PATH_MAX];
	char append[CONFIG_APPEND_MAX];
	/* The boot set for FINAL_ACTION=boot; "" each: the running kernel's
	 * (/boot/vmlinuz-$(uname -r), its initrd.img, /proc/cmdline). */
	char boot_kernel[CONFIG_PATH_MAX];
	char boot_initrd[CONFIG_PATH_MAX];
	int boot_no_initrd;		/* BOOT_INITRD=none */
	int has_boot_cmdline;		/* BOOT_CMDLINE= given, not "" */
	char boot_cmdline[CONFIG_APPEND_MAX];
	/* Off-box copy after save (offbox.c): kdump-tools' SSH= and NFS=. */
	char ssh[256];			/* user@host, "" none */
	char ssh_key[CONFIG_PATH_MAX];
	char ssh_path[CONFIG_PATH_MAX];	/* remote directory */
	unsigned int ssh_port;		/* 0: ssh's default */
	char nfs[CONFIG_PATH_MAX];	/* server:/export, "" none */
	int keep_local;			/* keep COREDIR's copy after one */
	unsigned int nr_warnings;
	char warnings[CONFIG_MAX_WARNINGS][160];
};

void config_defaults(struct bm_config *c);
/* Parse text (NUL-terminated); name is used in messages ("file:line: ..."). */
int config_parse(struct bm_config *c, const char *text, const char *name,
		 struct bm_err *e);
/* Defaults, then the file if it exists (missing file: defaults, rc 0 and
 * *found = 0). */
int config_load(struct bm_config *c, const char *path, int *found,
		struct bm_err *e);

#endif /* BMDUMP_CONFIG_H */
