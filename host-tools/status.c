// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <string.h>

#include "areaio.h"
#include "bmdump/kernels.h"
#include "config.h"
#include "loadcmd.h"
#include "status.h"

static void add(struct status_report *r, int reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(struct status_report *r, int reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->message[r->nr], sizeof(r->message[0]), fmt, ap);
	va_end(ap);
	r->reason[r->nr++] = reason;
}

/* Locked down, nothing loaded: what kexec_file_load will think of the
 * stub file, as far as its bytes and /proc/keys tell. */
static void lockdown_reason(const struct status_facts *f,
			    struct status_report *r)
{
	char what[200];
	int is_signed = f->sig.state == STUB_SIG_SIGNED;

	if (is_signed && f->sig.key == STUB_KEY_PRESENT)
		return;
	add(r, R_LOCKDOWN, "the kernel is locked down (%s): "
	    "kexec_file_load accepts only a stub signed by a key the kernel "
	    "trusts, and the stub is %s: %s", lockdown_name(f->lockdown),
	    stub_sig_describe(&f->sig, what, sizeof(what)), is_signed ?
	    "enroll its certificate (mokutil --import, or the UEFI db) and "
	    "reboot" : "sign it (make sign) and enroll the certificate "
	    "(mokutil --import)");
}

void status_evaluate(const struct status_facts *f, struct status_report *r)
{
	int refused_kexec_load = f->kexec_mode == KEXEC_MODE_LOAD &&
		(f->lockdown == LOCKDOWN_INTEGRITY ||
		 f->lockdown == LOCKDOWN_CONFIDENTIALITY);

	memset(r, 0, sizeof(*r));
	if (!f->config_ok)
		add(r, R_CONFIG, "configuration: %s", f->config_error);
	else if (!f->area_configured)
		add(r, R_NO_AREA_CONFIGURED, "no AREA in the configuration: "
		    "run bmdump prepare and set AREA= to the UUID it prints");
	if (f->no_crash_support)
		add(r, R_NO_KEXEC_SUPPORT, "this kernel has no kexec crash "
		    "support (no /sys/kernel/kexec_crash_size): boot a kernel "
		    "built with CONFIG_KEXEC and CONFIG_CRASH_DUMP");
	else if (!f->crash_size)
		add(r, R_NO_CRASHKERNEL, "no crashkernel memory reserved: add "
		    "crashkernel=64M to the kernel command line and reboot");
	if (f->kernel.known && !f->kernel.supported)
		add(r, R_KERNEL_UNSUPPORTED, "kernel %s: bmdump.ko does not "
		    "know its struct page layout (it supports %s), a crash "
		    "dumps all RAM: boot a supported kernel", f->kernel.release,
		    BMDUMP_KERNELS_SUPPORTED_TEXT);
	if (!f->module_loaded && f->kernel.supported &&
	    !f->kernel.module_file[0])
		add(r, R_MODULE_MISSING, "no bmdump module is built for kernel "
		    "%s (without its bitmap a crash dumps all RAM): run dkms "
		    "autoinstall, then modprobe bmdump and bmdump load",
		    f->kernel.release);
	else if (!f->module_loaded)
		add(r, R_MODULE_MISSING, "module bmdump is not loaded (without "
		    "its bitmap a crash dumps all RAM): modprobe bmdump, then "
		    "bmdump load");
	else if (strcmp(f->module_state, "armed"))
		add(r, R_MODULE_STATE, "module bmdump is in state \"%s\", not "
		    "\"armed\": reload the module", f->module_state);
	if (!f->stub_exists)
		add(r, R_STUB_MISSING, "the stub image %s is missing: "
		    "reinstall bmdump or fix STUB=", f->stub_path);
	if (f->kexec_missing && !f->crash_loaded)
		add(r, R_KEXEC_MISSING, "KEXEC=%s is not an executable file: "
		    "install kexec-tools or fix KEXEC=", f->kexec_path);
	if (f->crash_size && !f->crash_loaded && !f->no_crash_support) {
		add(r, R_NOT_LOADED, "the stub is not loaded: run bmdump load");
	} else if (f->crash_loaded && !f->load_record) {
		add(r, R_FOREIGN_LOAD, "a crash kernel is loaded, but not by "
		    "bmdump (kdump-tools?): disable it, then bmdump load");
	} else if (f->crash_loaded) {
		if ((f->area_configured && strcmp(f->load_area, f->area_uuid)) ||
		    (f->module_loaded && f->have_desc &&
		     (!f->load_has_desc || f->load_desc != f->desc)))
			add(r, R_STALE_LOAD, "the stub was loaded with another "
			    "descriptor or area than now (module reloaded or "
			    "config changed): run bmdump load");
		if (f->load_vmci.state == VMCI_FAILED)
			add(r, R_VMCOREINFO, "bmdump load checked this "
			    "kernel's VMCOREINFO: %s; a crash would not give a "
			    "usable dump", f->load_vmci.msg);
	}
	if (f->area_configured) {
		if (f->area_duplicates > 1)
			add(r, R_AREA_DUPLICATE, "%s", f->area_duplicate_msg);
		else if (!f->area_found)
			add(r, R_AREA_MISSING, "no partition holds area %s: "
			    "check the disk, or run bmdump prepare and update "
			    "AREA=", f->area_uuid);
		else if (f->area_error)
			add(r, R_AREA_CORRUPT, "area %s on %s: %s",
			    f->area_uuid, f->area_device, f->area_error_msg);
		else if (area_has_unsaved_dump(&(struct bmdump_area_header){
				.state = f->area_state }) && !f->overwrite)
			add(r, R_AREA_UNSAVED, "area on %s holds a dump not "
			    "saved yet (state %s); the stub will not overwrite "
			    "it: run bmdump save", f->area_device,
			    area_state_name(f->area_state));
		if (f->area_found && f->area_unreachable)
			add(r, R_AREA_TRANSPORT, "area on %s: %s",
			    f->area_device, f->area_unreachable_why);
	}
	if (!f->crash_loaded && refused_kexec_load)
		add(r, R_LOCKDOWN, "the kernel is locked down (%s), which "
		    "refuses kexec_load: set KEXEC_FILE_LOAD=auto or yes "
		    "(kexec_file_load needs a signed stub)",
		    lockdown_name(f->lockdown));
	else if (!f->crash_loaded && f->kexec_mode == KEXEC_MODE_FILE &&
		 (f->lockdown == LOCKDOWN_INTEGRITY ||
		  f->lockdown == LOCKDOWN_CONFIDENTIALITY))
		lockdown_reason(f, r);
	if (!f->crash_loaded && f->kexec_load_disabled)
		add(r, R_KEXEC_DISABLED, "kexec loading is disabled "
		    "(kernel.kexec_load_disabled = 1) until reboot");
	if (f->iommu.unsupported)
		add(r, R_IOMMU_UNSUPPORTED, "%s", f->iommu.reason);
	r->armed = r->nr == 0;
}

const char *status_reason_code(int reason)
{
	switch (reason) {
	case R_CONFIG:
		return "config";
	case R_NO_AREA_CONFIGURED:
		return "no-area-configured";
	case R_NO_CRASHKERNEL:
		return "no-crashkernel";
	case R_MODULE_MISSING:
		return "module-missing";
	case R_MODULE_STATE:
		return "module-state";
	case R_STUB_MISSING:
		return "stub-missing";
	case R_NOT_LOADED:
		return "not-loaded";
	case R_FOREIGN_LOAD:
		return "foreign-crash-kernel";
	case R_STALE_LOAD:
		return "stale-load";
	case R_AREA_MISSING:
		return "area-missing";
	case R_AREA_CORRUPT:
		return "area-corrupt";
	case R_AREA_UNSAVED:
		return "area-unsaved";
	case R_LOCKDOWN:
		return "lockdown";
	case R_KEXEC_DISABLED:
		return "kexec-disabled";
	case R_IOMMU_UNSUPPORTED:
		return "iommu-unsupported";
	case R_KERNEL_UNSUPPORTED:
		return "kernel-unsupported";
	case R_AREA_DUPLICATE:
		return "area-duplicate";
	case R_AREA_TRANSPORT:
		return "area-transport";
	case R_VMCOREINFO:
		return "vmcoreinfo";
	case R_NO_KEXEC_SUPPORT:
		return "no-kexec-support";
	case R_KEXEC_MISSING:
		return "kexec-missing";
	}
	return "unknown";
}

void status_print_text(FILE *out, const struct status_facts *f,
		       const struct status_report *r)
{
	unsigned int i;
	char sz[32], io[512];

	fprintf(out, "bmdump: %s\n", r->armed ? "armed: a crash will be "
		"captured" : "NOT armed: a crash would not be captured");
	format_bytes(f->crash_size, sz, sizeof(sz));
	fprintf(out, "  crashkernel:   %s\n", f->crash_size ? sz : "none");
	fprintf(out, "  stub loaded:   %s%s%s\n", f->crash_loaded ? "yes" : "no",
		f->load_record && f->crash_loaded ? " via " : "",
		f->load_record && f->crash_loaded ? f->load_method : "");
	fprintf(out, "  module:        %s\n", f->module_loaded ?
		f->module_state : "not loaded");
	if (f->kernel.known)
		fprintf(out, "  kernel:        %s, %s by bmdump.ko, "
			"module %s\n",
			f->kernel.release, f->kernel.supported ? "supported" :
			"NOT supported", f->kernel.module_file[0] ?
			f->kernel.module_file : "not built");
	if (f->crash_loaded && f->load_record)
		fprintf(out, "  vmcoreinfo:    %s\n",
			vmci_describe(&f->load_vmci, io, sizeof(io)));
	if (f->have_desc)
		fprintf(out, "  descriptor:    0x%llx\n",
			(unsigned long long)f->desc);
	fprintf(out, "  area:          %s", f->area_configured ?
		f->area_uuid : "(not configured)");
	if (f->area_found)
		fprintf(out, " on %s, %s", f->area_device,
			f->area_error ? "corrupt" :
			area_state_name(f->area_state));
	fprintf(out, "\n  lockdown:      %s\n", lockdown_name(f->lockdown));
	if (f->selftest.state != SELFTEST_UNKNOWN) {
		const char *w = selftest_summary_warning(&f->selftest);

		selftest_summary_line(&f->selftest, io, sizeof(io));
		fprintf(out, "  self-test:     %s\n", io);
		if (w)
			fprintf(out, "  warning:       %s\n", w);
	}
	if (f->stub_exists)
		fprintf(out, "  stub:          %s\n",
			stub_sig_describe(&f->sig, io, sizeof(io)));
	iommu_describe(&f->iommu, io, sizeof(io));
	fprintf(out, "  iommu:         %s\n", io);
	if (f->capacity_warning[0])
		fprintf(out, "  warning: %s\n", f->capacity_warning);
	for (i = 0; i < r->nr; i++)
		fprintf(out, "  not armed: %s\n", r->message[i]);
}

void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* The last self-test: "selftest" is "" when the area was not read. */
static void status_json_selftest(FILE *out, const struct selftest_summary *s)
{
	char line[256];

	selftest_summary_line(s, line, sizeof(line));
	fprintf(out, ", \"selftest\": ");
	json_string(out, selftest_state_name(s->state));
	fprintf(out, ", \"selftest_run_time\": %lld, "
		"\"selftest_write_kbps\": %llu, \"selftest_error\": %d, "
		"\"selftest_line\": ", (long long)s->run_time,
		(unsigned long long)s->write_kbps, (int)s->error);
	json_string(out, s->state == SELFTEST_UNKNOWN ? "" : line);
}

void status_print_json(FILE *out, const struct status_facts *f,
		       const struct status_report *r)
{
	unsigned int i;

	fprintf(out, "{\"armed\": %s, \"crashkernel_bytes\": %llu, "
		"\"stub_loaded\": %s, \"module_loaded\": %s, "
		"\"module_state\": ", r->armed ? "true" : "false",
		(unsigned long long)f->crash_size,
		f->crash_loaded ? "true" : "false",
		f->module_loaded ? "true" : "false");
	json_string(out, f->module_loaded ? f->module_state : "");
	fprintf(out, ", \"area\": ");
	json_string(out, f->area_configured ? f->area_uuid : "");
	fprintf(out, ", \"area_device\": ");
	json_string(out, f->area_found ? f->area_device : "");
	fprintf(out, ", \"area_state\": ");
	json_string(out, f->area_found && !f->area_error ?
		    area_state_name(f->area_state) : "");
	fprintf(out, ", \"lockdown\": ");
	json_string(out, lockdown_name(f->lockdown));
	fprintf(out, ", \"stub_signed\": %s, \"stub_signer\": ",
		f->sig.state == STUB_SIG_SIGNED ? "true" : "false");
	json_string(out, f->sig.signer);
	fprintf(out, ", \"signer_key_loaded\": %s",
		f->sig.key == STUB_KEY_PRESENT ? "true" :
		f->sig.key == STUB_KEY_ABSENT ? "false" : "null");
	fprintf(out, ", \"iommu_units\": ");
	json_string(out, f->iommu.units);
	fprintf(out, ", \"iommu_supported\": %s",
		f->iommu.unsupported ? "false" : "true");
	fprintf(out, ", \"kernel\": ");
	json_string(out, f->kernel.release);
	fprintf(out, ", \"kernel_supported\": %s, \"module_file\": ",
		f->kernel.supported ? "true" : "false");
	json_string(out, f->kernel.module_file);
	fprintf(out, ", \"vmcoreinfo\": ");
	json_string(out, f->crash_loaded && f->load_record ?
		    vmci_state_name(f->load_vmci.state) : "");
	fprintf(out, ", \"vmcoreinfo_release\": ");
	json_string(out, f->load_vmci.release);
	fprintf(out, ", \"vmcoreinfo_keys\": %u, \"vmcoreinfo_message\": ",
		f->load_vmci.present);
	json_string(out, f->load_vmci.msg);
	fprintf(out, ", \"warning\": ");
	json_string(out, f->capacity_warning);
	status_json_selftest(out, &f->selftest);
	fprintf(out, ", \"reasons\": [");
	for (i = 0; i < r->nr; i++) {
		fprintf(out, "%s{\"code\": ", i ? ", " : "");
		json_string(out, status_reason_code(r->reason[i]));
		fprintf(out, ", \"message\": ");
		json_string(out, r->message[i]);
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}
