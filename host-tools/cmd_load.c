// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump load` and `bmdump unload`: arm and disarm the stub.  Load's
 * phases: check crashkernel memory and the area; load bmdump.ko and pass
 * it DUMP_LEVEL (without it the stub dumps all RAM); build the stub's
 * command line and check it fits; run kexec (kexec_load, or
 * kexec_file_load under lockdown); check the kernel took it and write the
 * load record for status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bmdump/bzimage.h>

#include "bootset.h"
#include "cli.h"
#include "iommu_probe.h"
#include "kernel.h"
#include "loadcmd.h"
#include "loadrec.h"
#include "run.h"
#include "sign.h"
#include "sysfs.h"
#include "vmcicheck.h"

/* What load learns on its way and the later phases use. */
struct load_state {
	int dry;		/* --dry-run */
	int have_desc;
	uint64_t desc;		/* bmdump.ko's descriptor */
	int warn_module;	/* loaded without the module: exit 1 */
	int lockdown;		/* LOCKDOWN_* */
	int mode;		/* KEXEC_MODE_LOAD or _FILE */
	char cmdline[STUB_CMDLINE_MAX];
};

/* Crashkernel memory reserved; the area present, sane, and not holding
 * an unsaved dump. */
static int check_crash_memory_and_area(struct bm_err *e)
{
	struct area_target t;
	struct bmdump_area_header h;
	char buf[64];
	uint64_t v;
	int rc;

	if (!cli_cfg.has_area)
		return bm_seterr(e, BM_E_USAGE, "no AREA in %s: run bmdump "
				 "prepare and set AREA= to the UUID it prints",
				 cli_config_path);
	if (sys_read(SYS_CRASH_SIZE, buf, sizeof(buf)))
		return bm_seterr(e, BM_E_REFUSED, "this kernel has no kexec "
				 "crash support (no %s): boot a kernel built "
				 "with CONFIG_KEXEC and CONFIG_CRASH_DUMP",
				 SYS_CRASH_SIZE);
	if (!is_executable_file(cli_cfg.kexec))
		return bm_seterr(e, BM_E_NOTFOUND, "KEXEC=%s is not an "
				 "executable file: install kexec-tools or fix "
				 "KEXEC= in %s", cli_cfg.kexec, cli_config_path);
	if (sys_read_u64(SYS_CRASH_SIZE, &v) || !v)
		return bm_seterr(e, BM_E_REFUSED, "no crashkernel memory "
				 "reserved: add crashkernel=64M to the kernel "
				 "command line and reboot");
	rc = target_find_uuid(&t, cli_cfg.area, 0, e);
	if (rc)
		return rc;
	rc = area_header_read(&t.src, &h, e);
	if (rc)
		bm_seterr(e, rc, "area on %s: %s", t.label, e->msg);
	else if (area_has_unsaved_dump(&h) && !cli_cfg.overwrite)
		rc = bm_seterr(e, BM_E_REFUSED, "area on %s holds a dump not "
			       "saved yet: run bmdump save first (or set "
			       "OVERWRITE=yes to let the stub replace it)",
			       t.label);
	target_close(&t);
	return rc;
}

/* Larger than any kernel or initramfs a slot could hold. */
#define BOOT_FILE_MAX	(1ull << 30)

struct boot_files {
	uint8_t *kernel, *initrd;
	size_t kernel_len, initrd_len;
};

/* The kernel (checked as the stub will check it) and the initrd. */
static int read_boot_files(const struct bootset_source *src,
			   struct boot_files *f, struct bm_err *e)
{
	struct bmdump_bzimage_info ki;
	int r;

	r = bootset_read_file(src->kernel, BOOT_FILE_MAX, &f->kernel,
			      &f->kernel_len, e);
	if (r)
		return r;
	r = bmdump_bzimage_check(f->kernel, f->kernel_len, &ki);
	if (r)
		return bm_seterr(e, BM_E_REFUSED, "%s: %s", src->kernel,
				 stub_strerror(r));
	if (strlen(src->cmdline) > ki.cmdline_size)
		return bm_seterr(e, BM_E_REFUSED, "%s: %s", src->kernel,
				 stub_strerror(E_WB_CMDLINE_SIZE));
	if (src->initrd[0])
		return bootset_read_file(src->initrd, BOOT_FILE_MAX,
					 &f->initrd, &f->initrd_len, e);
	return 0;
}

/* FINAL_ACTION=boot: write the boot set into the area's slot, read it
 * back and check every CRC before the stub is told to use it. */
static int stage_boot_set(const struct load_state *s, struct bm_err *e)
{
	struct bmdump_bootset_header bh;
	struct bmdump_area_header h;
	struct bootset_source src;
	struct boot_files f = { 0 };
	struct bootset_input in = { 0 };
	struct kernel_facts k;
	struct area_target t;
	int r;

	kernel_probe(&k);
	r = bootset_source(&cli_cfg, sysroot(), k.known ? k.release : "",
			   &src, e);
	if (!r)
		r = read_boot_files(&src, &f, e);
	if (r || s->dry)
		goto out;
	r = target_find_uuid(&t, cli_cfg.area, 1, e);
	if (r)
		goto out;
	in = (struct bootset_input){ f.kernel, f.kernel_len, f.initrd,
				     f.initrd_len, src.cmdline,
				     k.known ? k.release : "", time(NULL) };
	r = area_header_read(&t.src, &h, e);
	if (!r)
		r = bootset_stage(&t.sink, &h, &in, &bh, e);
	if (!r)
		r = bootset_read(&t.src, &h, &bh, 1, e);
	target_close(&t);
out:
	if (!r)
		printf("bmdump: boot set %s: %s, initrd %s, command line: "
		       "%s%s\n", s->dry ? "to stage" : "staged", src.kernel,
		       src.initrd[0] ? src.initrd : "none", src.cmdline,
		       src.dropped ? " (unsafe words dropped)" : "");
	/* A warning, not a refusal: a one-off boot may not want it. */
	if (!r && !bootset_rearms(src.cmdline))
		fprintf(stderr, "bmdump: warning: the boot set's command line "
			"has no crashkernel=: the kernel it starts cannot "
			"re-arm bmdump, a crash there would not be captured "
			"(add crashkernel= to BOOT_CMDLINE)\n");
	free(f.kernel);
	free(f.initrd);
	return r;
}

/* bmdump.ko: loaded if needed, given the dump level; its descriptor. */
static int setup_hook_module(struct load_state *s, struct bm_err *e)
{
	char buf[256], out[8192], path[PATH_MAX];

	if (sys_read(SYS_HOOK_STATE, buf, sizeof(buf)) && !s->dry &&
	    !*sysroot()) {
		char *mp[] = { (char *)"modprobe", cli_cfg.module, NULL };

		if (run_cmd(mp, NULL, out, sizeof(out)))
			fprintf(stderr, "bmdump: modprobe %s failed: %s",
				cli_cfg.module, out);
	}
	if (sys_read_descriptor(&s->desc) || !s->desc) {
		s->desc = 0;
		s->warn_module = 1;
		fprintf(stderr, "bmdump: warning: module %s is not loaded: "
			"the stub is loaded without its bitmap and a crash "
			"dumps all RAM (modprobe %s, then bmdump load)\n",
			cli_cfg.module, cli_cfg.module);
		return 0;
	}
	s->have_desc = 1;
	snprintf(buf, sizeof(buf), "%d\n", cli_cfg.dump_level);
	sys_path(path, sizeof(path), SYS_HOOK_DUMP_LEVEL);
	if (!s->dry && write_text_file(path, buf))
		return bm_seterr(e, BM_E_IO, "cannot set the dump level in "
				 "%s: %s", path, strerror(errno));
	return 0;
}

int cli_load_cmdline(int have_desc, uint64_t desc, char *cmdline,
		     size_t size, struct bm_err *e)
{
	uint8_t img[0x400];
	uint32_t cl_size, bsp;
	int64_t bsp_word = -1;
	ssize_t n;
	int fd, r;

	if (!sys_read_bsp_apicid(&bsp))
		bsp_word = bsp;
	else
		fprintf(stderr, "bmdump: warning: no apicid of processor 0 "
			"in %s: the stub will take the first CPU of the ACPI "
			"MADT as the boot CPU\n", SYS_CPUINFO);
	r = build_stub_cmdline(&cli_cfg, have_desc, desc, bsp_word, cmdline,
			       size, e);
	if (r)
		return r;
	fd = open(cli_cfg.stub, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bm_seterr(e, BM_E_NOTFOUND, "cannot open the stub %s: "
				 "%s (reinstall bmdump or fix STUB=)",
				 cli_cfg.stub, strerror(errno));
	n = read(fd, img, sizeof(img));
	close(fd);
	r = stub_cmdline_size(img, n > 0 ? (size_t)n : 0, &cl_size, e);
	if (!r)
		r = cmdline_fits(strlen(cmdline), cl_size, e);
	return r;
}

/* kexec -p; under a lockdown we could not see, kexec_file_load. */
static int run_kexec(struct load_state *s, struct bm_err *e)
{
	struct kexec_argv ka;
	char out[8192];
	int rc;

	build_kexec_load_argv(&ka, &cli_cfg, s->mode, s->cmdline);
	rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	if (rc && s->mode == KEXEC_MODE_LOAD &&
	    cli_cfg.kexec_mode == KEXEC_MODE_AUTO &&
	    strstr(out, "Operation not permitted")) {
		/* Lockdown we could not see (securityfs not mounted): the
		 * kernel refuses kexec_load; kexec_file_load may pass. */
		fprintf(stderr, "bmdump: kexec_load refused (lockdown?), "
			"trying kexec_file_load\n");
		s->mode = KEXEC_MODE_FILE;
		s->lockdown = LOCKDOWN_INTEGRITY;
		build_kexec_load_argv(&ka, &cli_cfg, s->mode, s->cmdline);
		rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	}
	if (!rc)
		return 0;
	if (s->lockdown == LOCKDOWN_INTEGRITY ||
	    s->lockdown == LOCKDOWN_CONFIDENTIALITY) {
		/* Which key the kernel wants, and how to enroll it. */
		lockdown_refusal(cli_cfg.stub, s->lockdown, rc, out, e);
		return e->code;
	}
	return bm_seterr(e, BM_E_EXTERNAL, "kexec failed (exit %d): %s", rc,
			 out);
}

/*
 * The running kernel's VMCOREINFO as the stub will read it at crash time:
 * 0, or 1 when the stub would miss something it needs (status says so).
 */
static int check_vmcoreinfo(struct vmci_result *v)
{
	struct kernel_facts k;
	char text[BM_ERR_LEN + 128];

	kernel_probe(&k);
	vmci_check_running(k.known ? k.release : NULL, v);
	vmci_describe(v, text, sizeof(text));
	if (v->state == VMCI_FAILED) {
		fprintf(stderr, "bmdump: warning: VMCOREINFO %s: a crash on "
			"this kernel would not give a usable dump\n", text);
		return 1;
	}
	printf("bmdump: VMCOREINFO %s\n", text);
	return 0;
}

static void print_kexec_argv(const struct load_state *s)
{
	struct kexec_argv ka;
	int i;

	build_kexec_load_argv(&ka, &cli_cfg, s->mode, s->cmdline);
	for (i = 0; i < ka.argc; i++)
		printf("%s%s", i ? " " : "", ka.argv[i]);
	putchar('\n');
}

int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_state s = { .lockdown = LOCKDOWN_NONE };
	struct bm_err e = { 0 };
	struct vmci_result vc;
	const char *method;
	uint64_t v;
	int c, rc, warn_vmci;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'n')
			return cli_bad_option("load", argv);
		s.dry = 1;
	}
	rc = cli_no_args("load", argc, argv);
	if (!rc && !s.dry)
		rc = cli_need_root("load");
	if (!rc)
		rc = cli_load_config(1);
	if (rc)
		return rc;
	if (check_crash_memory_and_area(&e) || setup_hook_module(&s, &e))
		return cli_fail(&e);
	if (cli_cfg.final_action == FINAL_ACTION_BOOT &&
	    stage_boot_set(&s, &e))
		return cli_fail(&e);
	sys_read_lockdown(&s.lockdown);
	s.mode = kexec_choose_mode(cli_cfg.kexec_mode, s.lockdown);
	if (cli_load_cmdline(s.have_desc, s.desc, s.cmdline, sizeof(s.cmdline),
			     &e))
		return cli_fail(&e);
	if (s.mode == KEXEC_MODE_FILE &&
	    lockdown_check_stub(cli_cfg.stub, s.lockdown, &e))
		return cli_fail(&e);
	if (s.dry) {
		print_kexec_argv(&s);
		return 0;
	}
	if (run_kexec(&s, &e))
		return cli_fail(&e);
	if (sys_read_u64(SYS_CRASH_LOADED, &v) || v != 1) {
		bm_seterr(&e, BM_E_EXTERNAL, "kexec reported success but "
			  "/sys/kernel/kexec_crash_loaded is not 1");
		return cli_fail(&e);
	}
	method = s.mode == KEXEC_MODE_FILE ? "kexec_file_load" : "kexec_load";
	printf("bmdump: stub loaded with %s: %s\n", method, s.cmdline);
	warn_vmci = check_vmcoreinfo(&vc);
	load_record_write(method, s.have_desc, s.desc, cli_cfg.area,
			  cli_cfg.stub, s.cmdline, &vc);
	return iommu_load_report() || s.warn_module || warn_vmci ?
	       EXIT_FAIL : 0;
}

int cmd_unload(int argc, char **argv)
{
	struct kexec_argv ka;
	struct bm_err e = { 0 };
	char out[4096];
	int rc;

	if (argc > 1)
		return cli_usage_error("unload", "unexpected argument %s",
				       argv[1]);
	rc = cli_need_root("unload");
	if (!rc)
		rc = cli_load_config(0);
	if (rc)
		return rc;
	build_kexec_unload_argv(&ka, &cli_cfg);
	rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	if (rc) {
		bm_seterr(&e, BM_E_EXTERNAL, "kexec -p -u failed (exit %d): %s",
			  rc, out);
		return cli_fail(&e);
	}
	load_record_remove();
	printf("bmdump: stub unloaded\n");
	return 0;
}
