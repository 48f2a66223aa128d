// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump: prepare a dump area, arm the stub (load/unload), tell whether a
 * crash would be captured (status), save a captured dump (save), and show
 * what a dump holds (info).  See bmdump(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "areaio.h"
#include "compress.h"
#include "config.h"
#include "coredir.h"
#include "dmesg.h"
#include "info.h"
#include "kdumpfile.h"
#include "loadcmd.h"
#include "locate.h"
#include "run.h"
#include "save.h"
#include "sign.h"
#include "status.h"

#ifndef BMDUMP_VERSION
#define BMDUMP_VERSION "0.1"
#endif

static const char *config_path;
static struct bm_config cfg;
static int cfg_found;

static int fail(const struct bm_err *e)
{
	fprintf(stderr, "bmdump: error: %s\n", e->msg);
	return bm_exit_code(e->code);
}

static int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bmdump %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see bmdump help %s)\n", cmd);
	return EXIT_USAGE;
}

static int load_config(int required)
{
	struct bm_err e = { 0 };
	unsigned int i;

	if (config_load(&cfg, config_path, &cfg_found, &e))
		return fail(&e);
	for (i = 0; i < cfg.nr_warnings; i++)
		fprintf(stderr, "bmdump: warning: %s\n", cfg.warnings[i]);
	if (required && !cfg_found) {
		fprintf(stderr, "bmdump: error: %s does not exist: install it "
			"(see bmdump.conf(5))\n", config_path);
		return EXIT_USAGE;
	}
	return 0;
}

static void sys_path(char *out, size_t size, const char *p)
{
	snprintf(out, size, "%s%s", sysroot(), p);
}

static int read_sys(const char *p, char *buf, size_t size)
{
	char path[PATH_MAX];

	sys_path(path, sizeof(path), p);
	return read_text_file(path, buf, size);
}

static int read_sys_u64(const char *p, uint64_t *v)
{
	char buf[64];

	if (read_sys(p, buf, sizeof(buf)) || parse_u64(buf, v))
		return -1;
	return 0;
}

/* --- help --------------------------------------------------------------- */

static const char *const help_main =
"usage: bmdump [--config FILE] COMMAND [OPTIONS]\n"
"\n"
"Crash dumps without a capture kernel: a small stub loaded with kexec -p\n"
"writes the crashed kernel's pages to a dump area; bmdump saves them.\n"
"\n"
"commands:\n"
"  prepare PARTITION      make a partition a dump area (new UUID)\n"
"  load                   arm: load the stub with kexec -p\n"
"  unload                 disarm: kexec -p -u\n"
"  status                 armed or not, and why (exit 0 armed, 3 not)\n"
"  save                   save the area's dump to /var/crash\n"
"  info DUMPFILE|--area   what a dump or the area holds\n"
"  help [COMMAND]         this text, or a command's\n"
"\n"
"exit codes: 0 success, 1 failure, 2 usage or configuration error,\n"
"3 not armed (status), 4 corrupt or truncated area or dump.\n"
"Configuration: /etc/bmdump.conf (bmdump.conf(5)); manual: bmdump(8).\n";

static const char *help_for(const char *cmd)
{
	if (!strcmp(cmd, "prepare"))
		return
"usage: bmdump prepare PARTITION [--force] [--log-size SIZE]\n"
"       bmdump prepare --create DISK --size SIZE [--force]\n"
"       bmdump prepare --from IMAGE --partition N [--force]\n"
"\n"
"Writes a new area header (new UUID) at the start of a GPT partition and\n"
"sets bmdump's partition type GUID.  --create appends a partition of SIZE\n"
"to DISK (a GPT is created on a blank disk).  Refuses a partition that\n"
"carries a filesystem, RAID, crypto or partition-table signature, or an\n"
"area holding a dump not yet saved; --force destroys them.  Prints\n"
"AREA=<uuid> for /etc/bmdump.conf.\n";
	if (!strcmp(cmd, "load"))
		return
"usage: bmdump load [--dry-run]\n"
"\n"
"Checks crashkernel memory, the bmdump module and the area, writes\n"
"DUMP_LEVEL to the module, and loads the stub with kexec -p (kexec -s -p\n"
"when the kernel is locked down or KEXEC_FILE_LOAD=yes).  --dry-run\n"
"prints the kexec command instead of running it.\n";
	if (!strcmp(cmd, "unload"))
		return "usage: bmdump unload\n\nUnloads the stub (kexec -p -u).\n";
	if (!strcmp(cmd, "status"))
		return
"usage: bmdump status [--json]\n"
"\n"
"Tells whether a crash would be captured now, and every reason why not.\n"
"Exit 0 when armed, 3 when not.\n";
	if (!strcmp(cmd, "save"))
		return
"usage: bmdump save [--from IMAGE [--partition N] | --device PART]\n"
"                   [--dir DIR] [--compress zlib|lzo|zstd|snappy|none]\n"
"                   [--read-only] [--no-progress]\n"
"\n"
"Saves the dump in the area to DIR/<YYYYMMDDHHMM>/dump.<stamp> (written as\n"
"dump-incomplete, renamed when complete), dmesg.<stamp>, bmdump-log.<stamp>\n"
"and info.<stamp>, all mode 0600; then marks the area saved.  Nothing to\n"
"save: says so, exit 0.  --from reads an area in a disk image; --read-only\n"
"leaves the area as it is.  zstd and snappy dumps are not readable by\n"
"Debian's makedumpfile (crash and drgn read them).\n";
	if (!strcmp(cmd, "info"))
		return
"usage: bmdump info DUMPFILE [--json | --dmesg]\n"
"       bmdump info --area [--from IMAGE [--partition N] | --device PART]\n"
"                   [--json | --dmesg] [--log]\n"
"\n"
"Shows kernel release, crash time, crashed CPU and RIP, dump level, pages,\n"
"completeness, bitmap source and the stub's log (tail; --log: all).\n"
"--dmesg prints the crashed kernel's log instead.\n";
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const char *h;

	if (argc < 2) {
		fputs(help_main, stdout);
		return 0;
	}
	h = help_for(argv[1]);
	if (!h) {
		fprintf(stderr, "bmdump: no command %s\n", argv[1]);
		return EXIT_USAGE;
	}
	fputs(h, stdout);
	return 0;
}

static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

/* --- area selection shared by save and info ----------------------------- */

struct area_sel {
	const char *from;
	const char *device;
	int partno;
};

static int open_selected(struct area_target *t, const struct area_sel *s,
			 int writable, struct bm_err *e)
{
	if (s->from)
		return target_open_image(t, s->from, s->partno, writable, e);
	if (s->device)
		return target_open_device(t, s->device, writable, e);
	if (cfg.has_area)
		return target_find_uuid(t, cfg.area, writable, e);
	return bm_seterr(e, BM_E_USAGE, "no area: set AREA= in %s, or give "
			 "--device PART or --from IMAGE", config_path);
}

/* --- prepare ------------------------------------------------------------- */

static int random_uuid(uint8_t u[16])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, u, 16);
	close(fd);
	if (n != 16)
		return -1;
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return 0;
}

static int set_part_type(const char *disk, int partno)
{
	char num[16], out[4096];
	char *argv[] = { (char *)"sfdisk", (char *)"--part-type", (char *)disk,
			 num, (char *)BMDUMP_AREA_TYPE_GUID_STR, NULL };
	int rc;

	snprintf(num, sizeof(num), "%d", partno);
	rc = run_cmd(argv, NULL, out, sizeof(out));
	if (rc)
		fprintf(stderr, "bmdump: sfdisk --part-type failed (exit %d):\n"
			"%s", rc, out);
	return rc;
}

static int create_partition(const char *disk, uint64_t size, int force,
			    int *partno, struct bm_err *e)
{
	struct part_list before, after;
	char script[256], out[8192];
	char *argv[] = { (char *)"sfdisk", (char *)"--quiet", (char *)"--append",
			 (char *)disk, NULL };
	char *argv_new[] = { (char *)"sfdisk", (char *)"--quiet",
			     (char *)disk, NULL };
	int r, i, j, rc;

	r = disk_partitions(disk, &before, e);
	if (r)
		return r;
	if (before.table[0] && strcmp(before.table, "gpt"))
		return bm_seterr(e, BM_E_REFUSED, "%s has a %s partition "
				 "table; bmdump areas need GPT", disk,
				 before.table);
	r = disk_check_room(disk, &before, size, e);
	if (r)
		return r;
	if (!before.table[0]) {
		struct area_target t;
		char what[128];

		r = target_open_device(&t, disk, 1, e);
		if (r)
			return r;
		r = target_probe_signatures(&t, what, sizeof(what), e);
		if (r == 1 && !force) {
			target_close(&t);
			return bm_seterr(e, BM_E_REFUSED, "%s carries a %s "
					 "signature; refusing to put a "
					 "partition table on it (--force "
					 "destroys it)", disk, what);
		}
		if (r == 1)
			r = target_wipe_signatures(&t, e);
		target_close(&t);
		if (r < 0)
			return r;
		snprintf(script, sizeof(script), "label: gpt\nsize=%llu, "
			 "type=%s\n", (unsigned long long)(size / 512),
			 BMDUMP_AREA_TYPE_GUID_STR);
		rc = run_cmd(argv_new, script, out, sizeof(out));
	} else {
		snprintf(script, sizeof(script), "size=%llu, type=%s\n",
			 (unsigned long long)(size / 512),
			 BMDUMP_AREA_TYPE_GUID_STR);
		rc = run_cmd(argv, script, out, sizeof(out));
	}
	if (rc)
		return bm_seterr(e, BM_E_EXTERNAL, "sfdisk could not create "
				 "the partition on %s (exit %d): %s", disk, rc,
				 out);
	r = disk_partitions(disk, &after, e);
	if (r)
		return r;
	for (i = 0; i < after.nr; i++) {
		for (j = 0; j < before.nr; j++)
			if (before.partno[j] == after.partno[i])
				break;
		if (j == before.nr) {
			*partno = after.partno[i];
			return 0;
		}
	}
	return bm_seterr(e, BM_E_EXTERNAL, "sfdisk ran but no new partition "
			 "appeared on %s", disk);
}

static int prepare_target(struct area_target *t, int force,
			  uint64_t log_size, struct bm_err *e)
{
	struct bmdump_area_header h, old;
	struct bm_err ign;
	char what[128], uuid[37], sz[32];
	uint8_t u[16];
	void *zero;
	int r;

	r = area_read(&t->src, &old, &ign);
	if (r == 0 && area_has_unsaved_dump(&old) && !force) {
		bmdump_uuid_format(old.area_uuid, uuid);
		return bm_seterr(e, BM_E_REFUSED, "%s holds area %s with a "
				 "dump not saved yet (state %s): run bmdump "
				 "save first, or --force to destroy it",
				 t->label, uuid, area_state_name(old.state));
	}
	if (r != 0) {
		r = target_probe_signatures(t, what, sizeof(what), e);
		if (r < 0)
			return r;
		if (r == 1 && !force)
			return bm_seterr(e, BM_E_REFUSED, "%s carries a %s "
					 "signature; refusing to overwrite it "
					 "(--force destroys it)", t->label,
					 what);
		if (r == 1) {
			r = target_wipe_signatures(t, e);
			if (r)
				return r;
		}
	}
	if (random_uuid(u))
		return bm_seterr(e, BM_E_IO, "cannot read /dev/urandom");
	r = area_layout(&h, t->size, log_size, u, time(NULL), e);
	if (r)
		return r;
	/* Clear the log and the first image block: nothing stale remains
	 * that could pass for the stub's output. */
	zero = calloc(1, h.log_bytes);
	if (!zero)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	r = t->sink.write(t->sink.ctx, zero, h.log_bytes, h.log_offset);
	if (!r)
		r = t->sink.write(t->sink.ctx, zero, 4096, h.dump_offset);
	free(zero);
	if (r)
		return bm_seterr(e, r, "cannot write to %s: %s", t->label,
				 strerror(errno));
	r = area_write(&t->sink, &h, e);
	if (r)
		return r;
	bmdump_uuid_format(u, uuid);
	format_bytes(h.dump_capacity, sz, sizeof(sz));
	printf("bmdump: prepared area %s on %s, dump capacity %s\n", uuid,
	       t->label, sz);
	printf("AREA=%s\n", uuid);
	return 0;
}

static int cmd_prepare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "create", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "partition", required_argument, NULL, 'p' },
		{ "log-size", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *create = NULL, *from = NULL, *dev = NULL;
	uint64_t size = 0, log_size = AREA_DEFAULT_LOG_BYTES;
	struct area_target t;
	struct bm_err e = { 0 };
	int c, force = 0, partno = 0, r;

	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'c':
			create = optarg;
			break;
		case 's':
			if (parse_size(optarg, &size) || size < AREA_MIN_BYTES)
				return usage_error("prepare", "--size must be "
						   "a size of at least 4M");
			break;
		case 'F':
			from = optarg;
			break;
		case 'p':
			partno = atoi(optarg);
			if (partno <= 0)
				return usage_error("prepare", "--partition "
						   "must be a number");
			break;
		case 'l':
			if (parse_size(optarg, &log_size))
				return usage_error("prepare", "--log-size must "
						   "be a size");
			break;
		default:
			return usage_error("prepare", "unknown option");
		}
	}
	if (optind < argc)
		dev = argv[optind++];
	if (optind < argc || (!!create + !!from + !!dev) != 1)
		return usage_error("prepare", "give one PARTITION, or --create "
				   "DISK --size SIZE, or --from IMAGE");
	if (create && !size)
		return usage_error("prepare", "--create needs --size");
	if (from && !partno)
		return usage_error("prepare", "--from needs --partition N");
	/* Not while a save reads the area: the lock save takes. */
	if (coredir_lock("prepare", &e) < 0)
		return fail(&e);

	if (create) {
		struct stat st;
		char part[PATH_MAX];

		r = create_partition(create, size, force, &partno, &e);
		if (r)
			return fail(&e);
		if (stat(create, &st) == 0 && S_ISBLK(st.st_mode)) {
			r = disk_partition_device(create, partno, part,
						  sizeof(part), &e);
			if (!r)
				r = target_open_device(&t, part, 1, &e);
		} else {
			r = target_open_image(&t, create, partno, 1, &e);
		}
		if (r)
			return fail(&e);
		/* A brand-new partition: old bytes there are not data. */
		force = 1;
	} else {
		r = from ? target_open_image(&t, from, partno, 1, &e) :
			   target_open_device(&t, dev, 1, &e);
		if (r)
			return fail(&e);
		if (t.partno && !t.is_gpt) {
			target_close(&t);
			bm_seterr(&e, BM_E_REFUSED, "%s is not on a GPT disk: "
				  "the stub finds areas by GPT partition type",
				  t.label);
			return fail(&e);
		}
		if (t.partno && strcmp(t.part_type, BMDUMP_AREA_TYPE_GUID_STR)) {
			/* Checks come first: set the type only if we will
			 * write the header. */
			struct bmdump_area_header old;
			struct bm_err ign;
			char what[128];
			int sig = area_read(&t.src, &old, &ign) ?
				  target_probe_signatures(&t, what,
							  sizeof(what), &e) : 0;

			if (sig < 0) {
				target_close(&t);
				return fail(&e);
			}
			if (sig == 1 && !force) {
				target_close(&t);
				bm_seterr(&e, BM_E_REFUSED, "%s carries a %s "
					  "signature; refusing to overwrite it "
					  "(--force destroys it)", t.label,
					  what);
				return fail(&e);
			}
			if (!t.disk[0] || set_part_type(t.disk, t.partno)) {
				target_close(&t);
				bm_seterr(&e, BM_E_EXTERNAL, "cannot set the "
					  "partition type of %s", t.label);
				return fail(&e);
			}
		}
	}
	r = prepare_target(&t, force, log_size, &e);
	target_close(&t);
	return r ? fail(&e) : 0;
}

/* --- status facts -------------------------------------------------------- */

static void probe_load_record(struct status_facts *f)
{
	char path[PATH_MAX], text[8192], *line, *save = NULL;

	sys_path(path, sizeof(path), "/run/bmdump/loaded");
	if (read_text_file(path, text, sizeof(text)))
		return;
	f->load_record = 1;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "desc=", 5))
			f->load_has_desc = !parse_u64(line + 5, &f->load_desc);
		else if (!strncmp(line, "area=", 5))
			bm_strlcpy(f->load_area, line + 5, sizeof(f->load_area));
		else if (!strncmp(line, "method=", 7))
			bm_strlcpy(f->load_method, line + 7,
				   sizeof(f->load_method));
	}
}

static void probe_facts(struct status_facts *f, int config_rc,
			const char *config_err)
{
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e = { 0 };
	uint64_t v;
	char buf[256];

	memset(f, 0, sizeof(*f));
	f->config_ok = config_rc == 0;
	bm_strlcpy(f->config_error, config_err, sizeof(f->config_error));
	f->area_configured = f->config_ok && cfg.has_area;
	if (f->area_configured)
		bmdump_uuid_format(cfg.area, f->area_uuid);
	f->overwrite = cfg.overwrite;
	if (read_sys_u64("/sys/kernel/kexec_crash_size", &v) == 0)
		f->crash_size = v;
	if (read_sys_u64("/sys/kernel/kexec_crash_loaded", &v) == 0)
		f->crash_loaded = v != 0;
	if (read_sys("/sys/kernel/bmdump/state", buf, sizeof(buf)) == 0) {
		f->module_loaded = 1;
		bm_strlcpy(f->module_state, buf, sizeof(f->module_state));
	}
	if (read_sys("/sys/kernel/bmdump/descriptor", buf, sizeof(buf)) == 0 &&
	    parse_u64(buf, &f->desc) == 0)
		f->have_desc = 1;
	f->stub_exists = access(cfg.stub, R_OK) == 0;
	if (f->stub_exists)
		stub_sig_probe(cfg.stub, &f->sig);
	probe_load_record(f);
	/* No file: securityfs not mounted, or no lockdown LSM. */
	if (read_sys("/sys/kernel/security/lockdown", buf, sizeof(buf)) == 0)
		f->lockdown = lockdown_parse(buf);
	else
		f->lockdown = LOCKDOWN_UNKNOWN;
	if (read_sys_u64("/proc/sys/kernel/kexec_load_disabled", &v) == 0)
		f->kexec_load_disabled = v != 0;
	f->kexec_mode = kexec_choose_mode(cfg.kexec_mode, f->lockdown);
	iommu_probe(&f->iommu);
	kernel_probe(&f->kernel);
	if (f->area_configured &&
	    target_find_uuid(&t, cfg.area, 0, &e) == 0) {
		f->area_found = 1;
		bm_strlcpy(f->area_device, t.label, sizeof(f->area_device));
		f->area_error = area_read(&t.src, &h, &e);
		if (f->area_error)
			bm_strlcpy(f->area_error_msg, e.msg,
				   sizeof(f->area_error_msg));
		else
			f->area_state = h.state;
		target_close(&t);
	}
}

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_facts f;
	struct status_report r;
	struct bm_err e = { 0 };
	int c, json = 0, rc;
	unsigned int i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'j')
			return usage_error("status", "unknown option");
		json = 1;
	}
	rc = config_load(&cfg, config_path, &cfg_found, &e);
	if (rc)
		config_defaults(&cfg);
	else if (!cfg_found)
		bm_seterr(&e, BM_E_USAGE, "%s does not exist", config_path);
	for (i = 0; i < cfg.nr_warnings; i++)
		fprintf(stderr, "bmdump: warning: %s\n", cfg.warnings[i]);
	probe_facts(&f, rc || !cfg_found, e.msg);
	status_evaluate(&f, &r);
	if (json)
		status_print_json(stdout, &f, &r);
	else
		status_print_text(stdout, &f, &r);
	return r.armed ? EXIT_OK : EXIT_NOT_ARMED;
}

/* --- load / unload --------------------------------------------------------- */

static int write_load_record(const char *method, int have_desc,
			     uint64_t desc, const char *cmdline)
{
	char dir[PATH_MAX], path[PATH_MAX], text[8192], uuid[37];
	FILE *f;

	sys_path(dir, sizeof(dir), "/run/bmdump");
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/loaded", dir);
	bmdump_uuid_format(cfg.area, uuid);
	if (have_desc)
		snprintf(text, sizeof(text), "desc=0x%llx\n",
			 (unsigned long long)desc);
	else
		text[0] = 0;
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "%sarea=%s\nmethod=%s\nstub=%s\ncmdline=%s\ntime=%lld\n",
		text, uuid, method, cfg.stub, cmdline, (long long)time(NULL));
	return fclose(f);
}

static int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct bm_err e = { 0 };
	struct area_target t;
	struct bmdump_area_header h;
	struct kexec_argv ka;
	char cmdline[STUB_CMDLINE_MAX], buf[256], out[8192], path[PATH_MAX];
	uint8_t img[0x400];
	uint64_t v, desc = 0;
	uint32_t cl_size;
	int c, dry = 0, have_desc = 0, lockdown = LOCKDOWN_NONE, mode, rc, fd;
	int warn_module = 0, i;
	ssize_t n;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'n')
			return usage_error("load", "unknown option");
		dry = 1;
	}
	rc = load_config(1);
	if (rc)
		return rc;
	if (!cfg.has_area) {
		bm_seterr(&e, BM_E_USAGE, "no AREA in %s: run bmdump prepare "
			  "and set AREA= to the UUID it prints", config_path);
		return fail(&e);
	}
	if (read_sys_u64("/sys/kernel/kexec_crash_size", &v) || !v) {
		bm_seterr(&e, BM_E_REFUSED, "no crashkernel memory reserved: "
			  "add crashkernel=64M to the kernel command line and "
			  "reboot");
		return fail(&e);
	}
	/* The area: present, sane, and not holding an unsaved dump. */
	if (target_find_uuid(&t, cfg.area, 0, &e))
		return fail(&e);
	rc = area_read(&t.src, &h, &e);
	if (rc) {
		bm_seterr(&e, rc, "area on %s: %s", t.label, e.msg);
		target_close(&t);
		return fail(&e);
	}
	if (area_has_unsaved_dump(&h) && !cfg.overwrite) {
		bm_seterr(&e, BM_E_REFUSED, "area on %s holds a dump not saved "
			  "yet: run bmdump save first (or set OVERWRITE=yes "
			  "to let the stub replace it)", t.label);
		target_close(&t);
		return fail(&e);
	}
	target_close(&t);

	/* The module: load it if needed; without it the stub dumps all RAM. */
	if (read_sys("/sys/kernel/bmdump/state", buf, sizeof(buf)) &&
	    !dry && !*sysroot()) {
		char *mp[] = { (char *)"modprobe", cfg.module, NULL };

		if (run_cmd(mp, NULL, out, sizeof(out)))
			fprintf(stderr, "bmdump: modprobe %s failed: %s",
				cfg.module, out);
	}
	if (read_sys("/sys/kernel/bmdump/descriptor", buf, sizeof(buf)) == 0 &&
	    parse_u64(buf, &desc) == 0 && desc) {
		have_desc = 1;
		snprintf(buf, sizeof(buf), "%d\n", cfg.dump_level);
		sys_path(path, sizeof(path), "/sys/kernel/bmdump/dump_level");
		if (!dry && write_text_file(path, buf)) {
			bm_seterr(&e, BM_E_IO, "cannot set the dump level in "
				  "%s: %s", path, strerror(errno));
			return fail(&e);
		}
	} else {
		warn_module = 1;
		fprintf(stderr, "bmdump: warning: module %s is not loaded: "
			"the stub is loaded without its bitmap and a crash "
			"dumps all RAM (modprobe %s, then bmdump load)\n",
			cfg.module, cfg.module);
	}

	if (read_sys("/sys/kernel/security/lockdown", buf, sizeof(buf)) == 0)
		lockdown = lockdown_parse(buf);
	mode = kexec_choose_mode(cfg.kexec_mode, lockdown);
	if (build_stub_cmdline(&cfg, have_desc, desc, cmdline, sizeof(cmdline),
			       &e))
		return fail(&e);
	fd = open(cfg.stub, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		bm_seterr(&e, BM_E_NOTFOUND, "cannot open the stub %s: %s "
			  "(reinstall bmdump or fix STUB=)", cfg.stub,
			  strerror(errno));
		return fail(&e);
	}
	n = read(fd, img, sizeof(img));
	close(fd);
	if (stub_cmdline_size(img, n > 0 ? (size_t)n : 0, &cl_size, &e) ||
	    cmdline_fits(strlen(cmdline), cl_size, &e))
		return fail(&e);
	if (mode == KEXEC_MODE_FILE &&
	    lockdown_check_stub(cfg.stub, lockdown, &e))
		return fail(&e);
	build_kexec_load_argv(&ka, &cfg, mode, cmdline);
	if (dry) {
		for (i = 0; i < ka.argc; i++)
			printf("%s%s", i ? " " : "", ka.argv[i]);
		putchar('\n');
		return 0;
	}
	rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	if (rc && mode == KEXEC_MODE_LOAD && cfg.kexec_mode == KEXEC_MODE_AUTO &&
	    strstr(out, "Operation not permitted")) {
		/* Lockdown we could not see (securityfs not mounted): the
		 * kernel refuses kexec_load; kexec_file_load may pass. */
		fprintf(stderr, "bmdump: kexec_load refused (lockdown?), "
			"trying kexec_file_load\n");
		mode = KEXEC_MODE_FILE;
		lockdown = LOCKDOWN_INTEGRITY;
		build_kexec_load_argv(&ka, &cfg, mode, cmdline);
		rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	}
	if (rc) {
		if (lockdown == LOCKDOWN_INTEGRITY ||
		    lockdown == LOCKDOWN_CONFIDENTIALITY)
			lockdown_refusal(cfg.stub, lockdown, rc, out, &e);
		else
			bm_seterr(&e, BM_E_EXTERNAL, "kexec failed (exit %d): "
				  "%s", rc, out);
		return fail(&e);
	}
	if (read_sys_u64("/sys/kernel/kexec_crash_loaded", &v) || v != 1) {
		bm_seterr(&e, BM_E_EXTERNAL, "kexec reported success but "
			  "/sys/kernel/kexec_crash_loaded is not 1");
		return fail(&e);
	}
	write_load_record(mode == KEXEC_MODE_FILE ? "kexec_file_load" :
			  "kexec_load", have_desc, desc, cmdline);
	printf("bmdump: stub loaded with %s: %s\n", mode == KEXEC_MODE_FILE ?
	       "kexec_file_load" : "kexec_load", cmdline);
	return iommu_load_report() || warn_module ? EXIT_FAIL : 0;
}

static int cmd_unload(int argc, char **argv)
{
	struct kexec_argv ka;
	struct bm_err e = { 0 };
	char out[4096], path[PATH_MAX];
	int rc;

	if (argc > 1)
		return usage_error("unload", "takes no arguments");
	rc = load_config(0);
	if (rc)
		return rc;
	build_kexec_unload_argv(&ka, &cfg);
	rc = run_cmd(ka.argv, NULL, out, sizeof(out));
	if (rc) {
		bm_seterr(&e, BM_E_EXTERNAL, "kexec -p -u failed (exit %d): %s",
			  rc, out);
		return fail(&e);
	}
	sys_path(path, sizeof(path), "/run/bmdump/loaded");
	unlink(path);
	printf("bmdump: stub unloaded\n");
	return 0;
}

/* --- save ------------------------------------------------------------------ */

struct save_all {
	const struct save_opts *o;
	int rc;
	int found;
};

static void save_one_dev(const char *dev, void *ctx)
{
	struct save_all *s = ctx;
	struct area_target t;
	struct bm_err e = { 0 };
	char dir[PATH_MAX];
	int saved, r;

	s->found++;
	r = target_open_device(&t, dev, 1, &e);
	if (!r)
		r = save_area(&t, s->o, &saved, dir, sizeof(dir), &e);
	target_close(&t);
	if (r && r != BM_E_NOAREA) {
		int rc = fail(&e);

		if (!s->rc)
			s->rc = rc;
	}
}

static int cmd_save(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "partition", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "dir", required_argument, NULL, 'D' },
		{ "compress", required_argument, NULL, 'c' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct area_sel sel = { 0 };
	struct save_opts so = { 0 };
	struct area_target t;
	struct bm_err e = { 0 };
	char dir[PATH_MAX];
	const char *coredir = NULL;
	int c, rc, saved, compress = -1, no_progress = 0;
	uint64_t v;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			sel.from = optarg;
			break;
		case 'p':
			sel.partno = atoi(optarg);
			break;
		case 'd':
			sel.device = optarg;
			break;
		case 'D':
			coredir = optarg;
			break;
		case 'c':
			compress = comp_parse(optarg);
			if (compress < 0)
				return usage_error("save", "--compress must be "
						   "zlib, lzo, zstd, snappy or "
						   "none");
			break;
		case 'r':
			so.read_only = 1;
			break;
		case 'P':
			no_progress = 1;
			break;
		default:
			return usage_error("save", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("save", "unexpected argument %s",
				   argv[optind]);
	rc = load_config(0);
	if (rc)
		return rc;
	so.coredir = coredir ? coredir : cfg.coredir;
	so.compress = compress >= 0 ? compress : cfg.compress;
	so.keep = cfg.keep;
	so.min_free = cfg.min_free;
	so.makedumpfile = cfg.makedumpfile;
	so.progress = !no_progress && isatty(2);
	so.threads = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	/* Fault injection for the tests: die like a power cut would. */
	if (getenv("BMDUMP_TEST_ABORT_AFTER_PAGES") &&
	    !parse_u64(getenv("BMDUMP_TEST_ABORT_AFTER_PAGES"), &v))
		so.abort_after_pages = v;
	if (!sel.from && !sel.device && !cfg.has_area) {
		/* No area configured: every area partition on the system. */
		struct save_all sa = { &so, 0, 0 };

		target_scan_type(save_one_dev, &sa);
		if (!sa.found)
			printf("bmdump: nothing to save: no area configured "
			       "(AREA= in %s) and no partition of bmdump's "
			       "type found\n", config_path);
		return sa.rc;
	}
	rc = open_selected(&t, &sel, !so.read_only, &e);
	if (rc == BM_E_IO && sel.from && !so.read_only)
		rc = open_selected(&t, &sel, 0, &e);	/* read-only image */
	if (rc)
		return fail(&e);
	rc = save_area(&t, &so, &saved, dir, sizeof(dir), &e);
	target_close(&t);
	return rc ? fail(&e) : 0;
}

/* --- info ------------------------------------------------------------------ */

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
		return fail(&e);
	}
	bm_src_fd(&src, &fs, fd, 0, (uint64_t)st.st_size);
	r = kd_open(&im, &src, &e);
	if (r) {
		close(fd);
		bm_seterr(&e, r, "%s: %s", path, e.msg);
		return fail(&e);
	}
	if (dmesg) {
		r = kd_dmesg(&im, stdout, &e);
		kd_close(&im);
		close(fd);
		return r ? fail(&e) : 0;
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

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "area", no_argument, NULL, 'a' },
		{ "from", required_argument, NULL, 'F' },
		{ "partition", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "log", no_argument, NULL, 'l' },
		{ "dmesg", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct area_sel sel = { 0 };
	struct area_target t;
	struct bmdump_area_header h;
	struct bm_err e = { 0 }, e2 = { 0 };
	struct bm_winsrc win;
	struct bm_src img;
	struct kd_image im;
	int c, area = 0, json = 0, full_log = 0, r, have_im = 0, cpu = -1;
	int dmesg = 0;
	char *log = NULL;
	uint64_t rip, off, len;
	int incomplete;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			area = 1;
			break;
		case 'F':
			sel.from = optarg;
			area = 1;
			break;
		case 'p':
			sel.partno = atoi(optarg);
			break;
		case 'd':
			sel.device = optarg;
			area = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'l':
			full_log = 1;
			break;
		case 'm':
			dmesg = 1;
			break;
		default:
			return usage_error("info", "unknown option");
		}
	}
	if (!area) {
		if (optind + 1 != argc)
			return usage_error("info", "give one DUMPFILE or "
					   "--area");
		return info_dump_file(argv[optind], json, dmesg);
	}
	if (optind != argc)
		return usage_error("info", "--area takes no DUMPFILE");
	r = load_config(0);
	if (r)
		return r;
	r = open_selected(&t, &sel, 0, &e);
	if (r)
		return fail(&e);
	r = area_read(&t.src, &h, &e);
	if (r) {
		bm_seterr(&e, r, "%s: %s", t.label, e.msg);
		target_close(&t);
		return fail(&e);
	}
	if (area_read_log(&t.src, &h, 16u << 20, &log, &e2))
		fprintf(stderr, "bmdump: warning: %s\n", e2.msg);
	if (log)
		info_log_crashed_cpu(log, &cpu, &rip);
	/* After save the image is still there: show it too. */
	if (area_image_extent(&h, &off, &len, &incomplete) &&
	    h.state == BMDUMP_AREA_SAVED) {
		off = h.dump_offset;
		len = h.dump_bytes;
	}
	if (len) {
		bm_src_window(&img, &win, &t.src, off, len);
		r = kd_open(&im, &img, &e2);
		if (r == 0)
			have_im = 1;
	}
	if (dmesg) {
		e.code = 0;
		if (!have_im)
			bm_seterr(&e, len ? BM_E_CORRUPT : BM_E_NOTFOUND,
				  "the area holds no readable dump%s%s",
				  len ? ": " : "", len ? e2.msg : "");
		else
			kd_dmesg(&im, stdout, &e);
		if (have_im)
			kd_close(&im);
		free(log);
		target_close(&t);
		return e.code ? fail(&e) : 0;
	}
	if (json) {
		info_print_json(stdout, &h, have_im ? &im : NULL, cpu, log);
	} else {
		info_print_area(stdout, &h, t.label);
		if (have_im)
			info_print_dump(stdout, &im, "(in the area)", cpu, len);
		else if (len)
			printf("dump image: unreadable: %s\n", e2.msg);
		if (log)
			info_print_log(stdout, log, full_log ? ~0u : 20);
	}
	if (have_im)
		kd_close(&im);
	free(log);
	target_close(&t);
	/* A dump that should be there but cannot be read is corruption. */
	return len && !have_im ? EXIT_CORRUPT : 0;
}

/* --- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *cmd;

	config_path = getenv("BMDUMP_CONFIG");
	if (!config_path)
		config_path = CONFIG_DEFAULT_PATH;
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "--config") && argc > 2) {
			config_path = argv[2];
			argc -= 2;
			argv += 2;
		} else if (!strncmp(argv[1], "--config=", 9)) {
			config_path = argv[1] + 9;
			argc--;
			argv++;
		} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			fputs(help_main, stdout);
			return 0;
		} else if (!strcmp(argv[1], "--version")) {
			printf("bmdump %s\n", BMDUMP_VERSION);
			return 0;
		} else {
			fprintf(stderr, "bmdump: unknown option %s\n%s",
				argv[1], help_main);
			return EXIT_USAGE;
		}
	}
	if (argc < 2) {
		fputs(help_main, stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	argc--;
	argv++;
	config_defaults(&cfg);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc, argv);
	if (help_for(cmd) && wants_help(argc, argv)) {
		fputs(help_for(cmd), stdout);
		return 0;
	}
	if (!strcmp(cmd, "prepare"))
		return cmd_prepare(argc, argv);
	if (!strcmp(cmd, "load"))
		return cmd_load(argc, argv);
	if (!strcmp(cmd, "unload"))
		return cmd_unload(argc, argv);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc, argv);
	if (!strcmp(cmd, "save"))
		return cmd_save(argc, argv);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc, argv);
	fprintf(stderr, "bmdump: unknown command %s\n%s", cmd, help_main);
	return EXIT_USAGE;
}
