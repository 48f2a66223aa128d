// SPDX-License-Identifier: GPL-2.0
/* `bmdump status`: which facts make which "not armed" reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "areaio.h"
#include "config.h"
#include "loadcmd.h"
#include "locate.h"
#include "status.h"
#include "transport.h"

static void armed(struct status_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->config_ok = 1;
	f->area_configured = 1;
	strcpy(f->area_uuid, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0");
	f->crash_size = 64 << 20;
	f->crash_loaded = 1;
	f->module_loaded = 1;
	strcpy(f->module_state, "armed");
	f->have_desc = 1;
	f->desc = 0x1234000;
	f->stub_exists = 1;
	f->load_record = 1;
	f->load_has_desc = 1;
	f->load_desc = 0x1234000;
	strcpy(f->load_area, f->area_uuid);
	strcpy(f->load_method, "kexec_load");
	f->area_found = 1;
	strcpy(f->area_device, "/dev/nvme0n1p2");
	f->area_state = BMDUMP_AREA_EMPTY;
	f->lockdown = LOCKDOWN_NONE;
	f->kexec_mode = KEXEC_MODE_LOAD;
}

static void expect_only(const struct status_facts *f, int reason)
{
	struct status_report r;

	status_evaluate(f, &r);
	assert_false(r.armed);
	if (r.nr != 1 || r.reason[0] != reason)
		fail_msg("want only %s, got %u reasons, first %s: %s",
			 status_reason_code(reason), r.nr,
			 status_reason_code(r.reason[0]), r.message[0]);
}

static void test_armed(void **state)
{
	struct status_facts f;
	struct status_report r;

	armed(&f);
	status_evaluate(&f, &r);
	assert_true(r.armed);
	assert_int_equal(r.nr, 0);
	/* A saved area is as good as an empty one. */
	f.area_state = BMDUMP_AREA_SAVED;
	status_evaluate(&f, &r);
	assert_true(r.armed);
	/* An unsaved dump is fine when the operator allows overwriting. */
	f.area_state = BMDUMP_AREA_COMPLETE;
	f.overwrite = 1;
	status_evaluate(&f, &r);
	assert_true(r.armed);
	/* Locked down but loaded through kexec_file_load: armed. */
	armed(&f);
	f.lockdown = LOCKDOWN_INTEGRITY;
	f.kexec_mode = KEXEC_MODE_FILE;
	status_evaluate(&f, &r);
	assert_true(r.armed);
}

static void test_each_reason(void **state)
{
	struct status_facts f;

	armed(&f);
	f.config_ok = 0;
	f.area_configured = 0;
	strcpy(f.config_error, "t.conf:3: KEEP must be a number");
	expect_only(&f, R_CONFIG);

	armed(&f);
	f.area_configured = 0;
	strcpy(f.load_area, "");
	expect_only(&f, R_NO_AREA_CONFIGURED);

	armed(&f);
	f.crash_size = 0;
	f.crash_loaded = 0;
	f.load_record = 0;
	expect_only(&f, R_NO_CRASHKERNEL);

	armed(&f);
	f.module_loaded = 0;
	f.have_desc = 0;
	expect_only(&f, R_MODULE_MISSING);

	armed(&f);
	strcpy(f.module_state, "done");
	expect_only(&f, R_MODULE_STATE);

	armed(&f);
	f.stub_exists = 0;
	expect_only(&f, R_STUB_MISSING);

	armed(&f);
	f.crash_loaded = 0;
	expect_only(&f, R_NOT_LOADED);

	armed(&f);
	f.load_record = 0;
	expect_only(&f, R_FOREIGN_LOAD);

	armed(&f);
	f.desc = 0x9999000;		/* module reloaded since load */
	expect_only(&f, R_STALE_LOAD);

	armed(&f);
	strcpy(f.load_area, "00000000-0000-4000-8000-000000000000");
	expect_only(&f, R_STALE_LOAD);

	armed(&f);
	f.area_found = 0;
	expect_only(&f, R_AREA_MISSING);

	armed(&f);
	f.area_error = BM_E_CORRUPT;
	strcpy(f.area_error_msg, "area header CRC mismatch");
	expect_only(&f, R_AREA_CORRUPT);

	armed(&f);
	f.area_state = BMDUMP_AREA_COMPLETE;
	expect_only(&f, R_AREA_UNSAVED);
	f.area_state = BMDUMP_AREA_WRITING;
	expect_only(&f, R_AREA_UNSAVED);

	armed(&f);
	f.crash_loaded = 0;
	f.load_record = 0;
	f.kexec_load_disabled = 1;
	{
		struct status_report r;

		status_evaluate(&f, &r);
		assert_int_equal(r.nr, 2);
		assert_int_equal(r.reason[0], R_NOT_LOADED);
		assert_int_equal(r.reason[1], R_KEXEC_DISABLED);
	}
}

static void test_lockdown(void **state)
{
	struct status_facts f;
	struct status_report r;

	armed(&f);
	f.crash_loaded = 0;
	f.load_record = 0;
	f.lockdown = LOCKDOWN_INTEGRITY;
	f.kexec_mode = KEXEC_MODE_LOAD;	/* KEXEC_FILE_LOAD=no */
	status_evaluate(&f, &r);
	assert_int_equal(r.nr, 2);
	assert_int_equal(r.reason[1], R_LOCKDOWN);
	assert_non_null(strstr(r.message[1], "refuses kexec_load"));
	f.kexec_mode = KEXEC_MODE_FILE;
	f.lockdown = LOCKDOWN_CONFIDENTIALITY;
	status_evaluate(&f, &r);
	assert_int_equal(r.reason[1], R_LOCKDOWN);
	assert_non_null(strstr(r.message[1], "signed"));
}

/* status_print_text or _json into a string (free it). */
static char *printed(const struct status_facts *f,
		     const struct status_report *r, int json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (json)
		status_print_json(out, f, r);
	else
		status_print_text(out, f, r);
	fclose(out);
	return buf;
}

static void test_many_reasons_and_json(void **state)
{
	struct status_facts f;
	struct status_report r;
	char *buf;

	memset(&f, 0, sizeof(f));
	f.config_ok = 1;
	f.area_configured = 1;
	strcpy(f.area_uuid, "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0");
	status_evaluate(&f, &r);
	assert_false(r.armed);
	/* no crashkernel, no module, no stub, no area */
	assert_int_equal(r.nr, 4);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "\"armed\": false"));
	assert_non_null(strstr(buf, "\"code\": \"no-crashkernel\""));
	assert_non_null(strstr(buf, "\"code\": \"module-missing\""));
	assert_non_null(strstr(buf, "\"code\": \"area-missing\""));
	free(buf);
	strcpy(f.config_error, "quote\" and \\ and \n");
	f.config_ok = 0;
	status_evaluate(&f, &r);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "quote\\\" and \\\\ and \\u000a"));
	free(buf);
	buf = printed(&f, &r, 0);
	assert_non_null(strstr(buf, "NOT armed"));
	free(buf);
}

/* The last self-test, in words and in JSON; no line when the area is unread. */
static void test_selftest_line(void **state)
{
	struct status_facts f;
	struct status_report r;
	char *buf;

	armed(&f);
	status_evaluate(&f, &r);
	buf = printed(&f, &r, 0);
	assert_null(strstr(buf, "self-test:"));
	free(buf);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "\"selftest\": \"\", "));
	free(buf);

	f.selftest.state = SELFTEST_PASS;
	f.selftest.run_time = 1796655060;	/* 2026-12-07 14:51 UTC */
	f.selftest.write_kbps = 2267703;
	status_evaluate(&f, &r);
	assert_true(r.armed);		/* never a reason against arming */
	buf = printed(&f, &r, 0);
	assert_non_null(strstr(buf, "\n  self-test:     pass on 2026-12-07 "
			       "14:51 UTC (2322.1 MB/s), "
			       "bmdump-selftest.efi\n"));
	assert_null(strstr(buf, "warning:"));
	free(buf);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "\"selftest\": \"pass\", "
			       "\"selftest_run_time\": 1796655060, "
			       "\"selftest_write_kbps\": 2267703, "
			       "\"selftest_error\": 0, \"selftest_line\": "
			       "\"pass on 2026-12-07 14:51 UTC"));
	free(buf);

	f.selftest.state = SELFTEST_FAIL;
	f.selftest.error = -313;
	buf = printed(&f, &r, 0);
	assert_non_null(strstr(buf, "  self-test:     FAIL (error -313: "));
	assert_non_null(strstr(buf, "  warning:       the last self-test "
			       "FAILED"));
	free(buf);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "\"selftest\": \"fail\", "));
	assert_non_null(strstr(buf, "\"selftest_error\": -313, "));
	free(buf);

	memset(&f.selftest, 0, sizeof(f.selftest));
	f.selftest.state = SELFTEST_NEVER;
	buf = printed(&f, &r, 0);
	assert_non_null(strstr(buf, "  self-test:     never run\n  warning:"
			       "       the dump path was never qualified"));
	free(buf);
	buf = printed(&f, &r, 1);
	assert_non_null(strstr(buf, "\"selftest\": \"never\", "));
	free(buf);
}

/* Two partitions with the area's UUID: refused, both named, what to do. */
static void test_duplicate_area(void **state)
{
	static const uint8_t u[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a,
				       0x49, 0x78, 0x86, 0x95, 0xa4, 0xb3,
				       0xc2, 0xd1, 0xe0, 0xf0 };
	struct area_matches m = { u, 2, { "/dev/nvme0n1p2", "/dev/sdb2" },
				  "" };
	struct status_facts f;
	struct status_report r;
	struct bm_err e;

	armed(&f);
	f.area_found = 0;
	f.area_duplicates = 2;
	assert_int_equal(area_matches_error(&m, &e), BM_E_REFUSED);
	strcpy(f.area_duplicate_msg, e.msg);
	expect_only(&f, R_AREA_DUPLICATE);
	status_evaluate(&f, &r);
	assert_string_equal(status_reason_code(r.reason[0]), "area-duplicate");
	assert_non_null(strstr(r.message[0], f.area_uuid));
	assert_non_null(strstr(r.message[0], "/dev/nvme0n1p2 and /dev/sdb2"));
	assert_non_null(strstr(r.message[0], "prepare --force"));
	assert_non_null(strstr(r.message[0], "wipe the clone"));
}

static char sysroot_dir[256];

/* A file (text) or a symlink (link) under the fake root, with its dirs. */
static void put(const char *rel, const char *text, const char *link)
{
	char p[1024], cmd[1100];
	char *slash;
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", sysroot_dir, rel);
	slash = strrchr(p, '/');
	*slash = 0;
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	if (link) {
		assert_int_equal(symlink(link, p), 0);
		return;
	}
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A PCI function, and a partition below it whose /sys/class/block link
 * points there. */
static void pci_fn(const char *fn, const char *cls, const char *ven,
		   const char *dev)
{
	const char *file[3] = { "class", "vendor", "device" };
	const char *text[3] = { cls, ven, dev };
	char p[256];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "sys/devices/pci0000:00/%s/%s", fn,
			 file[i]);
		put(p, text[i], NULL);
	}
}

static void part(const char *name, const char *below_devices)
{
	char p[512], l[512];

	snprintf(p, sizeof(p), "sys/devices/%s/%s/partition", below_devices,
		 name);
	put(p, "1\n", NULL);
	snprintf(p, sizeof(p), "sys/class/block/%s", name);
	snprintf(l, sizeof(l), "../../devices/%s/%s", below_devices, name);
	put(p, NULL, l);
}

static int transport_of(const char *dev, char *why)
{
	why[0] = 0;
	return disk_transport(dev, why, 512);
}

/*
 * status finds the controller under an area's disk through /sys and asks
 * the stub's rule about it: NVMe (also behind a multipath head),
 * virtio-blk and AHCI pass; USB, a SCSI HBA and md are refused with why.
 */
static void test_transport_fake_sysfs(void **state)
{
	char why[512], cmd[300];

	strcpy(sysroot_dir, "/tmp/bmdump-sysfs-XXXXXX");
	assert_non_null(mkdtemp(sysroot_dir));
	setenv("BMDUMP_SYSROOT", sysroot_dir, 1);
	pci_fn("0000:00:03.0", "0x010802\n", "0x1b36\n", "0x0010\n");
	part("nvme0n1p1", "pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1");
	pci_fn("0000:00:04.0", "0x010000\n", "0x1af4\n", "0x1001\n");
	part("vda2", "pci0000:00/0000:00:04.0/virtio1/block/vda");
	pci_fn("0000:00:1f.2", "0x010601\n", "0x8086\n", "0x2922\n");
	part("sdc1", "pci0000:00/0000:00:1f.2/ata1/host2/target2:0:0/"
	     "2:0:0:0/block/sdc");
	pci_fn("0000:00:14.0", "0x0c0330\n", "0x8086\n", "0x31a8\n");
	part("sda1", "pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host0/"
	     "target0:0:0/0:0:0:0/block/sda");
	pci_fn("0000:00:05.0", "0x010000\n", "0x1af4\n", "0x1004\n");
	part("sdb1", "pci0000:00/0000:00:05.0/virtio2/host1/target1:0:0/"
	     "1:0:0:0/block/sdb");
	part("md0p1", "virtual/block/md0");
	put("sys/devices/virtual/block/md0/slaves/sda1", NULL,
	    "../../../../pci0000:00/0000:00:14.0/usb1/1-1/1-1:1.0/host0/"
	    "target0:0:0/0:0:0:0/block/sda/sda1");
	part("nvme1n1p3", "virtual/nvme-subsystem/nvme-subsys1/nvme1n1");
	put("sys/devices/virtual/nvme-subsystem/nvme-subsys1/nvme1", NULL,
	    "../../../pci0000:00/0000:00:03.0/nvme/nvme1");
	put("sys/devices/pci0000:00/0000:00:03.0/nvme/nvme1/dev", "1\n",
	    NULL);

	assert_int_equal(transport_of("/dev/nvme0n1p1", why),
			 BMDUMP_TRANSPORT_NVME);
	assert_int_equal(transport_of("/dev/nvme1n1p3", why),
			 BMDUMP_TRANSPORT_NVME);
	assert_int_equal(transport_of("/dev/vda2", why),
			 BMDUMP_TRANSPORT_VIRTIO_BLK);
	assert_int_equal(transport_of("/dev/sdc1", why),
			 BMDUMP_TRANSPORT_AHCI);
	assert_int_equal(transport_of("/dev/sda1", why),
			 BMDUMP_TRANSPORT_NONE);
	assert_non_null(strstr(why, "USB disk"));
	assert_non_null(strstr(why, "0000:00:14.0"));
	assert_int_equal(transport_of("/dev/sdb1", why),
			 BMDUMP_TRANSPORT_NONE);
	assert_non_null(strstr(why, "SCSI"));
	assert_non_null(strstr(why, "1af4:1004"));
	assert_int_equal(transport_of("/dev/md0p1", why),
			 BMDUMP_TRANSPORT_NONE);
	assert_non_null(strstr(why, "md0"));
	assert_non_null(strstr(why, "dm, md"));
	assert_int_equal(transport_of("/dev/nosuch1", why),
			 BMDUMP_TRANSPORT_NONE);
	assert_non_null(strstr(why, "cannot tell"));
	unsetenv("BMDUMP_SYSROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sysroot_dir);
	assert_int_equal(system(cmd), 0);
}

/* An area the stub cannot reach is a reason of its own, with the why. */
static void test_transport_reason(void **state)
{
	struct status_facts f;
	struct status_report r;

	armed(&f);
	f.area_unreachable = 1;
	strcpy(f.area_unreachable_why, "/dev/sda1 is on sda, a USB disk");
	expect_only(&f, R_AREA_TRANSPORT);
	status_evaluate(&f, &r);
	assert_string_equal(status_reason_code(r.reason[0]), "area-transport");
	assert_non_null(strstr(r.message[0], "a USB disk"));
}

/* What load found of VMCOREINFO (its load record): a line, or a reason. */
static void test_vmcoreinfo(void **state)
{
	struct status_facts f;
	struct status_report r;
	char *text;

	armed(&f);
	f.load_vmci = (struct vmci_result){ .state = VMCI_CHECKED,
		.release = "6.12.117+deb12-amd64", .present = 7, .total = 7,
		.uts_verified = 1 };
	status_evaluate(&f, &r);
	assert_true(r.armed);
	text = printed(&f, &r, 0);
	assert_non_null(strstr(text, "  vmcoreinfo:    checked for "
			       "6.12.117+deb12-amd64 (7 of 7 keys the stub "
			       "reads present, init_uts_ns found through "
			       "phys_base)\n"));
	free(text);

	f.load_vmci.state = VMCI_FAILED;
	strcpy(f.load_vmci.msg, "VMCOREINFO PAGESIZE is not 4096");
	expect_only(&f, R_VMCOREINFO);
	status_evaluate(&f, &r);
	assert_string_equal(status_reason_code(r.reason[0]), "vmcoreinfo");
	assert_non_null(strstr(r.message[0], "PAGESIZE is not 4096"));
	text = printed(&f, &r, 1);
	assert_non_null(strstr(text, "\"vmcoreinfo\": \"failed\""));
	assert_non_null(strstr(text, "\"code\": \"vmcoreinfo\""));
	free(text);

	/* not read (no /proc/kcore): said, not a reason */
	f.load_vmci = (struct vmci_result){ .msg = "cannot open /proc/kcore" };
	status_evaluate(&f, &r);
	assert_true(r.armed);
	text = printed(&f, &r, 0);
	assert_non_null(strstr(text, "vmcoreinfo:    not checked: cannot "
			       "open /proc/kcore"));
	free(text);
	/* nothing loaded: no line */
	f.crash_loaded = 0;
	status_evaluate(&f, &r);
	text = printed(&f, &r, 0);
	assert_null(strstr(text, "vmcoreinfo:"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_armed),
		cmocka_unit_test(test_each_reason),
		cmocka_unit_test(test_lockdown),
		cmocka_unit_test(test_many_reasons_and_json),
		cmocka_unit_test(test_duplicate_area),
		cmocka_unit_test(test_selftest_line),
		cmocka_unit_test(test_transport_fake_sysfs),
		cmocka_unit_test(test_transport_reason),
		cmocka_unit_test(test_vmcoreinfo),
	};

	return cmocka_run_group_tests_name("tools_status", tests, NULL, NULL);
}
