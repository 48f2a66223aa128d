/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmdump status`: the facts probed from the system, and the pure logic
 * that turns them into "armed" or a list of reasons why not.
 */
#ifndef BMDUMP_STATUS_H
#define BMDUMP_STATUS_H

#include <stdio.h>
#include <stdint.h>

#include "bmdump.h"
#include "iommu_probe.h"
#include "kernel.h"
#include "selftest.h"
#include "sign.h"
#include "vmcicheck.h"

enum status_reason {
	R_CONFIG,		/* config unreadable or invalid */
	R_NO_AREA_CONFIGURED,	/* AREA= not set */
	R_NO_CRASHKERNEL,	/* kexec_crash_size 0 */
	R_MODULE_MISSING,	/* /sys/kernel/bmdump absent */
	R_MODULE_STATE,		/* module not "armed" */
	R_STUB_MISSING,		/* stub file absent */
	R_NOT_LOADED,		/* kexec_crash_loaded 0 */
	R_FOREIGN_LOAD,		/* a crash kernel loaded, not by bmdump */
	R_STALE_LOAD,		/* loaded with another descriptor or area */
	R_AREA_MISSING,		/* no partition with that area UUID */
	R_AREA_CORRUPT,		/* header fails its checks */
	R_AREA_UNSAVED,		/* holds a dump not yet saved */
	R_LOCKDOWN,		/* lockdown refuses kexec_load */
	R_KEXEC_DISABLED,	/* kernel.kexec_load_disabled = 1 */
	R_IOMMU_UNSUPPORTED,	/* an IOMMU the stub cannot turn off */
	R_KERNEL_UNSUPPORTED,	/* bmdump.ko does not know this kernel */
	R_AREA_DUPLICATE,	/* two partitions hold the area (a clone) */
	R_AREA_TRANSPORT,	/* on a disk the stub has no driver for */
	R_VMCOREINFO,		/* load found VMCOREINFO lacking for the stub */
	R_NO_KEXEC_SUPPORT,	/* no kexec_crash_size: no CONFIG_CRASH_DUMP */
	R_KEXEC_MISSING,	/* KEXEC= is not an executable file */
	R_COUNT
};

struct status_facts {
	int config_ok;
	char config_error[BM_ERR_LEN];
	int area_configured;
	char area_uuid[37];
	uint64_t crash_size;		/* /sys/kernel/kexec_crash_size */
	int no_crash_support;		/* ... is not there at all */
	int crash_loaded;		/* /sys/kernel/kexec_crash_loaded */
	int module_loaded;
	char module_state[32];		/* "armed", ... */
	int have_desc;
	uint64_t desc;
	int stub_exists;
	char stub_path[512];		/* STUB= */
	int kexec_missing;		/* KEXEC= not executable */
	char kexec_path[512];
	/* The area is smaller than what a crash now would write. */
	char capacity_warning[BM_ERR_LEN];
	struct stub_sig sig;		/* the stub file's signature */
	/* What bmdump load recorded in /run/bmdump/loaded. */
	int load_record;
	int load_has_desc;
	uint64_t load_desc;
	char load_area[37];
	char load_method[16];
	struct vmci_result load_vmci;	/* load's VMCOREINFO check */
	/* The area. */
	int area_found;
	char area_device[256];
	int area_error;			/* 0, BM_E_CORRUPT */
	char area_error_msg[BM_ERR_LEN];
	uint32_t area_state;
	int area_duplicates;		/* partitions matching, when > 1 */
	char area_duplicate_msg[BM_ERR_LEN];	/* naming two of them */
	int area_unreachable;		/* no stub driver for its disk */
	char area_unreachable_why[BM_ERR_LEN];
	/* Not a reason against arming: bmdump-selftest's last word on
	 * this area (host-tools/selftest.h); state UNKNOWN when unread. */
	struct selftest_summary selftest;
	int overwrite;
	int lockdown;			/* LOCKDOWN_* */
	int kexec_load_disabled;
	int kexec_mode;			/* what load would use */
	struct iommu_facts iommu;
	struct kernel_facts kernel;	/* the running kernel */
};

struct status_report {
	int armed;
	unsigned int nr;
	int reason[R_COUNT];
	char message[R_COUNT][BM_ERR_LEN + 128];
};

void status_evaluate(const struct status_facts *f, struct status_report *r);
const char *status_reason_code(int reason);
void status_print_text(FILE *out, const struct status_facts *f,
		       const struct status_report *r);
void status_print_json(FILE *out, const struct status_facts *f,
		       const struct status_report *r);
/* JSON string escaping for any printer. */
void json_string(FILE *out, const char *s);

#endif /* BMDUMP_STATUS_H */
