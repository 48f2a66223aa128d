/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The small kernel files bmdump reads and writes under /sys and /proc
 * (below $BMDUMP_SYSROOT for the tests): one place that knows their paths,
 * among them /sys/kernel/bmdump/descriptor, where bmdump.ko publishes the
 * descriptor's physical address (contract 1, include/bmdump/desc.h).
 */
#ifndef BMDUMP_SYSFS_H
#define BMDUMP_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#define SYS_CRASH_SIZE		"/sys/kernel/kexec_crash_size"
#define SYS_CRASH_LOADED	"/sys/kernel/kexec_crash_loaded"
#define SYS_HOOK_STATE		"/sys/kernel/bmdump/state"
#define SYS_HOOK_DESCRIPTOR	"/sys/kernel/bmdump/descriptor"
#define SYS_HOOK_DUMP_LEVEL	"/sys/kernel/bmdump/dump_level"
#define SYS_HOOK_DRY_RUN	"/sys/kernel/bmdump/dry_run"
#define SYS_SYSRQ_TRIGGER	"/proc/sysrq-trigger"
#define SYS_LOCKDOWN		"/sys/kernel/security/lockdown"
#define SYS_KEXEC_DISABLED	"/proc/sys/kernel/kexec_load_disabled"
#define SYS_CPUINFO		"/proc/cpuinfo"

/* out = sysroot + p. */
void sys_path(char *out, size_t size, const char *p);
/* Reads a whole small file (NUL-terminated); 0 or -1. */
int sys_read(const char *p, char *buf, size_t size);
/* Reads a file holding one number (decimal or 0x hex); 0 or -1. */
int sys_read_u64(const char *p, uint64_t *v);
/* The descriptor's physical address bmdump.ko publishes; 0 when the file
 * is there and holds a number (which may be 0: no descriptor), else -1. */
int sys_read_descriptor(uint64_t *desc);
/* The kernel's lockdown level (LOCKDOWN_*); -1 when there is no file:
 * securityfs is not mounted, or no lockdown LSM. */
int sys_read_lockdown(int *lockdown);
/* The APIC ID of the kernel's CPU 0 (cpuinfo_bsp_apicid()); 0 or -1. */
int sys_read_bsp_apicid(uint32_t *id);

#endif /* BMDUMP_SYSFS_H */
