// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump info`: what a saved dump file holds, or (--area) what the area
 * holds: its header, the stub's log, the kdump image in it and the last
 * self-test report.  info.c prints; this file finds and opens what there
 * is to print.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "dmesg.h"
#include "info.h"
#include "kdumpfile.h"
#include "selftest.h"

struct info_args {
	struct area_sel sel;
	int area;		/* --area, --from or --device */
	int json;
	int full_log;		/* --log */
	int dmesg;
};

/* The area, its header and log, and the image in it when readable. */
struct area_view {
	struct area_target t;
	struct bmdump_area_header h;
	char *log;		/* NULL: none or unreadable */
	int cpu;		/* crashed CPU from the log, -1: unknown */
	uint64_t len;		/* image bytes, 0: none */
	struct bm_winsrc win;
	struct bm_src img;
	struct kd_image im;
	int have_im;
	struct bm_err im_err;	/* why the image is unreadable */
};

/* The stub log saved next to a dump file: dump.<stamp> -> bmdump-log.<stamp>. */
static char *sibling_log(const char *dump)
{
	char p[PATH_MAX], *log = NULL;
	const char *base = strrchr(dump, '/');
	size_t dirlen = base ? (size_t)(base - dump + 1) : 0;
	FILE *f;
	long n;

	base = base ? base + 1 : dump;
	if (strncmp(base, "dump.", 5))
		return NULL;
	snprintf(p, sizeof(p), "%.*sbmdump-log.%s", (int)dirlen, dump,
		 base + 5);
	f = fopen(p, "re");
	if (!f)
		return NULL;
	log = calloc(1, 1 << 20);
	if (log) {
		n = (long)fread(log, 1, (1 << 20) - 1, f);
		log[n > 0 ? n : 0] = 0;
	}
	fclose(f);
	return log;
}

static int info_dump_file(const char *path, int json, int dmesg)
{
	struct bm_fdsrc fs;
	struct bm_src src;
	struct kd_image im;
	struct bm_err e = { 0 };
	struct stat st;
	char *log;
	int fd, r, cpu = -1;
	uint64_t rip;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		bm_seterr(&e, BM_E_IO, "cannot open %s: %s", path,
			  strerror(errno));
		return cli_fail(&e);
	}
	bm_src_fd(&src, &fs, fd, 0, (uint64_t)st.st_size);
	r = kd_open(&im, &src, &e);
	if (r) {
		close(fd);
		bm_seterr(&e, r, "%s: %s", path, e.msg);
		return cli_fail(&e);
	}
	if (dmesg) {
		r = kd_dmesg(&im, stdout, &e);
		kd_close(&im);
		close(fd);
		return r ? cli_fail(&e) : 0;
	}
	log = sibling_log(path);
	if (log)
		info_log_crashed_cpu(log, &cpu, &rip);
	if (json)
		info_print_json(stdout, NULL, &im, cpu, NULL);
	else
		info_print_dump(stdout, &im, path, cpu, (uint64_t)st.st_size);
	free(log);
	kd_close(&im);
	close(fd);
	return 0;
}

/* Opens the selected area and reads its header, log and image. */
static int area_view_open(struct area_view *v, const struct area_sel *sel,
			  struct bm_err *e)
{
	struct bm_err log_err = { 0 };
	uint64_t rip, off;
	int r, incomplete;

	memset(v, 0, sizeof(*v));
	v->cpu = -1;
	r = area_sel_open(&v->t, sel, 0, e);
	if (r)
		return r;
	r = area_header_read(&v->t.src, &v->h, e);
	if (r) {
		bm_seterr(e, r, "%s: %s", v->t.label, e->msg);
		target_close(&v->t);
		return r;
	}
	if (area_read_log(&v->t.src, &v->h, 16u << 20, &v->log, &log_err))
		fprintf(stderr, "bmdump: warning: %s\n", log_err.msg);
	if (v->log)
		info_log_crashed_cpu(v->log, &v->cpu, &rip);
	/* After save the image is still there: show it too. */
	if (area_image_extent(&v->h, &off, &v->len, &incomplete) &&
	    v->h.state == BMDUMP_AREA_SAVED) {
		off = v->h.dump_offset;
		v->len = v->h.dump_bytes;
	}
	if (v->len) {
		bm_src_window(&v->img, &v->win, &v->t.src, off, v->len);
		v->have_im = kd_open(&v->im, &v->img, &v->im_err) == 0;
	}
	return 0;
}

static void area_view_close(struct area_view *v)
{
	if (v->have_im)
		kd_close(&v->im);
	free(v->log);
	target_close(&v->t);
}

/* --dmesg --area: the crashed kernel's log from the image in the area. */
static int print_area_dmesg(struct area_view *v)
{
	struct bm_err e = { 0 };

	if (!v->have_im)
		bm_seterr(&e, v->len ? BM_E_CORRUPT : BM_E_NOTFOUND,
			  "the area holds no readable dump%s%s",
			  v->len ? ": " : "", v->len ? v->im_err.msg : "");
	else
		kd_dmesg(&v->im, stdout, &e);
	return e.code ? cli_fail(&e) : 0;
}

static void print_area(struct area_view *v, const struct info_args *a)
{
	if (a->json) {
		info_print_json(stdout, &v->h, v->have_im ? &v->im : NULL,
				v->cpu, v->log);
		return;
	}
	info_print_area(stdout, &v->h, v->t.label);
	if (v->have_im)
		info_print_dump(stdout, &v->im, "(in the area)", v->cpu,
				v->len);
	else if (v->len)
		printf("dump image: unreadable: %s\n", v->im_err.msg);
	if (v->log)
		info_print_log(stdout, v->log, a->full_log ? ~0u : 20);
	selftest_print(stdout, &v->t.src, &v->h);
}

static int info_area(const struct info_args *a)
{
	struct area_view v;
	struct bm_err e = { 0 };
	int r;

	r = cli_load_config(0);
	if (r)
		return r;
	if (area_view_open(&v, &a->sel, &e))
		return cli_fail(&e);
	if (a->dmesg) {
		r = print_area_dmesg(&v);
	} else {
		print_area(&v, a);
		/* A dump that should be there but cannot be read is
		 * corruption. */
		r = v.len && !v.have_im ? EXIT_CORRUPT : 0;
	}
	area_view_close(&v);
	return r;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area", no_argument, NULL, 'a' },
		AREA_SEL_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "log", no_argument, NULL, 'l' },
		{ "dmesg", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct info_args a = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (area_sel_option(&a.sel, c, optarg)) {
			/* --from and --device name an area. */
			a.area |= c != 'p';
			continue;
		}
		switch (c) {
		case 'a':
			a.area = 1;
			break;
		case 'j':
			a.json = 1;
			break;
		case 'l':
			a.full_log = 1;
			break;
		case 'm':
			a.dmesg = 1;
			break;
		default:
			return cli_bad_option("info", argv);
		}
	}
	if (!a.area) {
		if (optind + 1 != argc)
			return cli_usage_error("info", "give one DUMPFILE or "
					       "--area");
		return info_dump_file(argv[optind], a.json, a.dmesg);
	}
	if (optind != argc)
		return cli_usage_error("info", "--area takes no DUMPFILE");
	return info_area(&a);
}
