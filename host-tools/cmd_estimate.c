// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump estimate` (kdumpctl estimate, makedumpfile --mem-usage): what a
 * crash now would write, from bmdump.ko's dry run, against the area's
 * capacity and the crashkernel reservation.  Exit 0 when it fits, 1 when
 * the area is too small or there is no dry run to judge by.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "status.h"
#include "sysfs.h"

struct estimate {
	struct dry_run d;
	uint64_t bytes;			/* image at the module's level */
	uint64_t full_bytes;		/* every RAM page (no module) */
	int have_area;
	uint64_t capacity;
	char area[BM_ERR_LEN + 64];
	int have_crash;			/* kexec_crash_size exists */
	uint64_t crash_size;
	uint64_t stub_bytes;
};

static void estimate_area(struct estimate *est, const struct area_sel *sel)
{
	struct bmdump_area_header h;
	struct bm_err e = { 0 };
	char uuid[37], label[PATH_MAX + 32];

	if (cli_area_header(sel, &h, label, sizeof(label), &e)) {
		snprintf(est->area, sizeof(est->area), "%s", e.msg);
		return;
	}
	bmdump_uuid_format(h.area_uuid, uuid);
	snprintf(est->area, sizeof(est->area), "%s on %s", uuid, label);
	est->have_area = 1;
	est->capacity = h.dump_capacity;
}

static void estimate_print_text(const struct estimate *est)
{
	char a[32], b[32];

	format_bytes(est->bytes, a, sizeof(a));
	printf("bmdump estimate: a crash now would write %s to the area "
	       "(pages raw; save compresses): %llu of %llu pages at dump "
	       "level %u (dry run: %llu us)\n", a,
	       (unsigned long long)est->d.pages_set,
	       (unsigned long long)(est->d.max_pfn - est->d.holes),
	       est->d.dump_level, (unsigned long long)est->d.fill_us);
	if (est->d.dump_level != (unsigned int)cli_cfg.dump_level)
		printf("  note:        the module's level is %u, DUMP_LEVEL is "
		       "%d: bmdump load applies DUMP_LEVEL\n",
		       est->d.dump_level, cli_cfg.dump_level);
	format_bytes(est->capacity, b, sizeof(b));
	if (!est->have_area)
		printf("  area:        %s\n", est->area);
	else
		printf("  area:        %s, capacity %s: %s (%llu %%)\n",
		       est->area, b, est->bytes <= est->capacity ? "fits" :
		       "TOO SMALL, the dump would be INCOMPLETE",
		       (unsigned long long)(est->capacity ? est->bytes * 100 /
					    est->capacity : 0));
	format_bytes(est->crash_size, a, sizeof(a));
	format_bytes(est->stub_bytes, b, sizeof(b));
	if (!est->have_crash)
		printf("  crashkernel: this kernel has no kexec crash "
		       "support\n");
	else if (!est->crash_size)
		printf("  crashkernel: none reserved: add crashkernel=64M to "
		       "the kernel command line\n");
	else
		printf("  crashkernel: %s reserved, the stub image is %s\n",
		       a, b);
	format_bytes(est->full_bytes, a, sizeof(a));
	printf("  without the module (all RAM): %s\n", a);
}

static void estimate_print_json(const struct estimate *est)
{
	printf("{\"dump_level\": %u, \"pages\": %llu, \"ram_pages\": %llu, "
	       "\"bytes\": %llu, \"full_bytes\": %llu, \"area\": ",
	       est->d.dump_level, (unsigned long long)est->d.pages_set,
	       (unsigned long long)(est->d.max_pfn - est->d.holes),
	       (unsigned long long)est->bytes,
	       (unsigned long long)est->full_bytes);
	json_string(stdout, est->area);
	printf(", \"area_capacity\": %llu, \"fits\": %s, "
	       "\"crashkernel_bytes\": %llu, \"stub_bytes\": %llu}\n",
	       (unsigned long long)est->capacity,
	       est->have_area && est->bytes <= est->capacity ? "true" :
	       "false", (unsigned long long)est->crash_size,
	       (unsigned long long)est->stub_bytes);
}

int cmd_estimate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		AREA_SEL_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct area_sel sel = { 0 };
	struct estimate est = { 0 };
	struct stat st;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (area_sel_option(&sel, c, optarg))
			continue;
		if (c != 'j')
			return cli_bad_option("estimate", argv);
		json = 1;
	}
	rc = cli_no_args("estimate", argc, argv);
	if (!rc)
		rc = cli_load_config(0);
	if (rc)
		return rc;
	if (cli_dry_run(&est.d, 1)) {
		fprintf(stderr, "bmdump: error: no dry run to estimate from: "
			"module %s is not loaded (modprobe %s); without it a "
			"crash dumps all RAM\n", cli_cfg.module,
			cli_cfg.module);
		return EXIT_FAIL;
	}
	est.bytes = estimate_image_bytes(est.d.max_pfn, est.d.pages_set);
	est.full_bytes = estimate_image_bytes(est.d.max_pfn,
					      est.d.max_pfn - est.d.holes);
	estimate_area(&est, &sel);
	est.have_crash = sys_read_u64(SYS_CRASH_SIZE, &est.crash_size) == 0;
	if (stat(cli_cfg.stub, &st) == 0)
		est.stub_bytes = (uint64_t)st.st_size;
	if (json)
		estimate_print_json(&est);
	else
		estimate_print_text(&est);
	return est.have_area && est.bytes <= est.capacity ? 0 : EXIT_FAIL;
}
