// SPDX-License-Identifier: GPL-2.0
/* `bmdump status`: which facts make which "not armed" reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "areaio.h"
#include "config.h"
#include "loadcmd.h"
#include "status.h"

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
		cmocka_unit_test(test_vmcoreinfo),
	};

	return cmocka_run_group_tests_name("tools_status", tests, NULL, NULL);
}
