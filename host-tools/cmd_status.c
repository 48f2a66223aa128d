// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump status`: probe the facts (configuration, the kernel's files,
 * the load record, the area), let status.c judge them, print the verdict.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "iommu_probe.h"
#include "kernel.h"
#include "loadcmd.h"
#include "loadrec.h"
#include "selftest.h"
#include "sign.h"
#include "status.h"
#include "sysfs.h"
#include "transport.h"

/* What the kernel says: crashkernel memory, kexec, bmdump.ko, lockdown. */
static void probe_kernel_files(struct status_facts *f)
{
	uint64_t v;
	char buf[256];

	if (sys_read_u64(SYS_CRASH_SIZE, &v) == 0)
		f->crash_size = v;
	else if (sys_read(SYS_CRASH_SIZE, buf, sizeof(buf)))
		f->no_crash_support = 1;
	if (sys_read_u64(SYS_CRASH_LOADED, &v) == 0)
		f->crash_loaded = v != 0;
	if (sys_read(SYS_HOOK_STATE, buf, sizeof(buf)) == 0) {
		f->module_loaded = 1;
		bm_strlcpy(f->module_state, buf, sizeof(f->module_state));
	}
	if (sys_read_descriptor(&f->desc) == 0)
		f->have_desc = 1;
	if (sys_read_lockdown(&f->lockdown))
		f->lockdown = LOCKDOWN_UNKNOWN;
	if (sys_read_u64(SYS_KEXEC_DISABLED, &v) == 0)
		f->kexec_load_disabled = v != 0;
}

static void probe_load_record(struct status_facts *f)
{
	struct load_record r;

	if (load_record_read(&r))
		return;
	f->load_record = 1;
	f->load_has_desc = r.has_desc;
	f->load_desc = r.desc;
	bm_strlcpy(f->load_area, r.area, sizeof(f->load_area));
	bm_strlcpy(f->load_method, r.method, sizeof(f->load_method));
	f->load_vmci = r.vmci;
}

/* The area by the stub's own rule, and whether the stub can reach it. */
static void probe_area(struct status_facts *f)
{
	struct area_matches m;
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e = { 0 };

	if (!f->area_configured)
		return;
	area_find_matches(cli_cfg.area, &m);
	if (m.nr > 1) {
		f->area_duplicates = m.nr;
		area_matches_error(&m, &e);
		bm_strlcpy(f->area_duplicate_msg, e.msg,
			   sizeof(f->area_duplicate_msg));
		return;
	}
	if (target_find_uuid(&t, cli_cfg.area, 0, &e) != 0)
		return;
	f->area_found = 1;
	bm_strlcpy(f->area_device, t.label, sizeof(f->area_device));
	f->area_error = area_header_read(&t.src, &h, &e);
	if (f->area_error)
		bm_strlcpy(f->area_error_msg, e.msg, sizeof(f->area_error_msg));
	else
		f->area_state = h.state;
	if (!f->area_error) {
		selftest_summarize(&t.src, &h, &f->selftest);
		cli_capacity_warning(h.dump_capacity, f->capacity_warning,
				     sizeof(f->capacity_warning));
	}
	target_close(&t);
	f->area_unreachable = disk_transport(f->area_device,
					     f->area_unreachable_why,
					     sizeof(f->area_unreachable_why))
			      == BMDUMP_TRANSPORT_NONE;
}

static void probe_facts(struct status_facts *f, int config_rc,
			const char *config_err)
{
	memset(f, 0, sizeof(*f));
	f->config_ok = config_rc == 0;
	bm_strlcpy(f->config_error, config_err, sizeof(f->config_error));
	f->area_configured = f->config_ok && cli_cfg.has_area;
	if (f->area_configured)
		bmdump_uuid_format(cli_cfg.area, f->area_uuid);
	f->overwrite = cli_cfg.overwrite;
	probe_kernel_files(f);
	f->stub_exists = access(cli_cfg.stub, R_OK) == 0;
	bm_strlcpy(f->stub_path, cli_cfg.stub, sizeof(f->stub_path));
	bm_strlcpy(f->kexec_path, cli_cfg.kexec, sizeof(f->kexec_path));
	f->kexec_missing = !is_executable_file(cli_cfg.kexec);
	if (f->stub_exists)
		stub_sig_probe(cli_cfg.stub, &f->sig);
	probe_load_record(f);
	f->kexec_mode = kexec_choose_mode(cli_cfg.kexec_mode, f->lockdown);
	iommu_probe(&f->iommu);
	kernel_probe(&f->kernel);
	probe_area(f);
}

void cli_status_probe(struct status_facts *f)
{
	struct bm_err e = { 0 };
	int rc;

	/* A broken configuration is one of the reasons status reports. */
	rc = config_load(&cli_cfg, cli_config_path, &cli_cfg_found, &e);
	if (rc)
		config_defaults(&cli_cfg);
	else if (!cli_cfg_found)
		bm_seterr(&e, BM_E_USAGE, "%s does not exist",
			  cli_config_path);
	cli_print_config_warnings();
	probe_facts(f, rc || !cli_cfg_found, e.msg);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_facts f;
	struct status_report r;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return cli_bad_option("status", argv);
		json = 1;
	}
	rc = cli_no_args("status", argc, argv);
	if (rc)
		return rc;
	cli_status_probe(&f);
	status_evaluate(&f, &r);
	if (json)
		status_print_json(stdout, &f, &r);
	else
		status_print_text(stdout, &f, &r);
	return r.armed ? EXIT_OK : EXIT_NOT_ARMED;
}
