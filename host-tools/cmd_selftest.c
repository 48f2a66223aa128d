// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump selftest`: qualify this machine's dump path with
 * bmdump-selftest.efi (boot/efi/) without crashing it.  The command puts
 * the app and its options on the EFI system partition and makes it the
 * firmware's next boot (BootNext, one shot, via efibootmgr); after the
 * reboot `bmdump selftest --report` shows what the app found, read from
 * the area (selftest.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"
#include "selftest.h"
#include "sign.h"
#include "sysfs.h"

#define ESP_DIR		"EFI/bmdump"
#define ESP_APP		"bmdump-selftest.efi"
#define ESP_CONF	"selftest.conf"
#define EFI_GLOBAL	"8be4df61-93ca-11d0-aa0d-00e098032b8c"

struct selftest_args {
	struct area_sel sel;
	int report;
	int reset;
	const char *esp;
	const char *app;
};

static int print_report(const struct selftest_args *a)
{
	struct area_target t;
	struct bmdump_area_header h;
	struct bmdump_selftest_report r;
	struct bm_err e = { 0 };
	char *text;
	int rc;

	rc = cli_load_config(0);
	if (rc)
		return rc;
	if (area_sel_open(&t, &a->sel, 0, &e))
		return cli_fail(&e);
	rc = area_header_read(&t.src, &h, &e);
	if (!rc)
		rc = selftest_report_read(&t.src, &h, &r, &text, &e);
	target_close(&t);
	if (rc)
		return cli_fail(&e);
	fputs(text, stdout);
	free(text);
	if (r.generation != h.generation)
		printf("note: the area wrote %llu dumps since this report\n",
		       (unsigned long long)(h.generation - r.generation));
	return r.verdict == BMDUMP_VERDICT_PASS ? 0 : EXIT_FAILURE;
}

/* The mount point of the vfat ESP: /boot/efi or /efi, from mountinfo. */
static int find_esp(char *dir, size_t size, char *dev, size_t dsize)
{
	char path[PATH_MAX], line[4096];
	FILE *f;
	int found = 0;

	sys_path(path, sizeof(path), "/proc/self/mountinfo");
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char mnt[1024], fs[64], src[1024];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s %1023s", fs, src) != 2)
			continue;
		if (strcmp(fs, "vfat") ||
		    (strcmp(mnt, "/boot/efi") && strcmp(mnt, "/efi")))
			continue;
		snprintf(dir, size, "%s", mnt);
		snprintf(dev, dsize, "%s", src);
		found = 1;
	}
	fclose(f);
	return found;
}

static int secure_boot_on(void)
{
	char path[PATH_MAX];
	unsigned char v[5];
	ssize_t n;
	int fd;

	sys_path(path, sizeof(path), "/sys/firmware/efi/efivars/SecureBoot-"
		 EFI_GLOBAL);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, v, sizeof(v));
	close(fd);
	return n == 5 && v[4] == 1;	/* 4 attribute bytes, then the value */
}

/* Writes name in dirfd from buf: a fresh file, then renamed over. */
static int write_at(int dirfd, const char *name, const void *buf, size_t len,
		    struct bm_err *e)
{
	char tmp[256];
	int fd;

	snprintf(tmp, sizeof(tmp), ".%s.new", name);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
	if (fd < 0)
		return bm_seterr(e, BM_E_IO, "cannot create %s on the ESP: %s",
				 tmp, strerror(errno));
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd)) {
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return bm_seterr(e, BM_E_IO, "cannot write %s on the ESP",
				 name);
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name))
		return bm_seterr(e, BM_E_IO, "cannot rename %s on the ESP: %s",
				 name, strerror(errno));
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len,
		     struct bm_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 ||
	    st.st_size > (64 << 20)) {
		if (fd >= 0)
			close(fd);
		return bm_seterr(e, BM_E_NOTFOUND, "cannot read the self-test "
				 "app %s (make builds build/bmdump-selftest"
				 ".efi; give --app FILE)", path);
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len);
	if (!*buf || read(fd, *buf, *len) != (ssize_t)*len) {
		close(fd);
		free(*buf);
		return bm_seterr(e, BM_E_IO, "cannot read %s", path);
	}
	close(fd);
	return 0;
}

/* The app and its options into <esp>/EFI/bmdump, no symlink followed. */
static int install_app(const char *esp, const char *app, int reset,
		       struct bm_err *e)
{
	char conf[128], uuid[37], *img = NULL;
	size_t len = 0;
	int efd, dfd, rc;

	rc = read_file(app, &img, &len, e);
	if (rc)
		return rc;
	efd = open(esp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (efd < 0) {
		free(img);
		return bm_seterr(e, BM_E_IO, "cannot open the ESP %s: %s", esp,
				 strerror(errno));
	}
	mkdirat(efd, "EFI", 0755);
	dfd = openat(efd, "EFI", O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		     O_CLOEXEC);
	close(efd);
	if (dfd >= 0) {
		mkdirat(dfd, "bmdump", 0755);
		efd = openat(dfd, "bmdump", O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		dfd = efd;
	}
	if (dfd < 0) {
		free(img);
		return bm_seterr(e, BM_E_IO, "cannot create %s/" ESP_DIR ": %s",
				 esp, strerror(errno));
	}
	bmdump_uuid_format(cli_cfg.area, uuid);
	snprintf(conf, sizeof(conf), "bmdump.area=%s%s\n", uuid,
		 reset ? " bmdump.selftest_final=reset" : "");
	rc = write_at(dfd, ESP_APP, img, len, e);
	if (!rc)
		rc = write_at(dfd, ESP_CONF, conf, strlen(conf), e);
	free(img);
	close(dfd);
	return rc;
}

/* The disk and partition number of a partition device (/dev/sda1). */
static int esp_disk(const char *dev, char *disk, size_t size, int *partno)
{
	char p[PATH_MAX], buf[64], link[PATH_MAX];
	const char *name = strrchr(dev, '/');
	ssize_t n;

	name = name ? name + 1 : dev;
	snprintf(p, sizeof(p), "/sys/class/block/%s/partition", name);
	if (sys_read(p, buf, sizeof(buf)))
		return -1;
	*partno = atoi(buf);
	snprintf(p, sizeof(p), "/sys/class/block/%s", name);
	sys_path(link, sizeof(link), p);
	n = readlink(link, p, sizeof(p) - 1);
	if (n <= 0)
		return -1;
	p[n] = 0;
	*strrchr(p, '/') = 0;		/* .../sda/sda1 -> .../sda */
	snprintf(disk, size, "/dev/%s", strrchr(p, '/') + 1);
	return 0;
}

/* Room for a full `efibootmgr -v` listing; a longer one is refused. */
#define EFI_LIST_BYTES	(256 << 10)
#define EFI_MAX_OURS	32

/* Our Boot#### entries now, from `efibootmgr -v` (selftest.c parses). */
static int list_ours(char *out, uint16_t *num, unsigned int *nr,
		     struct bm_err *e)
{
	char *list[] = { "efibootmgr", "-v", NULL };

	if (run_cmd(list, NULL, out, EFI_LIST_BYTES))
		return bm_seterr(e, BM_E_EXTERNAL, "efibootmgr -v failed: "
				 "%.200s", out);
	if (strlen(out) >= EFI_LIST_BYTES - 1)
		return bm_seterr(e, BM_E_EXTERNAL, "efibootmgr -v printed more "
				 "than %d KiB: too many boot entries to tell "
				 "bmdump's", EFI_LIST_BYTES >> 10);
	*nr = selftest_boot_entries(out, num, EFI_MAX_OURS);
	return 0;
}

/* A new entry for the app, not in BootOrder (-C). */
static int create_entry(const char *dev, char *out, struct bm_err *e)
{
	char disk[PATH_MAX], part[16];
	char *create[] = { "efibootmgr", "-C", "-d", disk, "-p", part, "-L",
			   SELFTEST_BOOT_LABEL, "-l", SELFTEST_BOOT_LOADER,
			   NULL };
	int partno;

	if (esp_disk(dev, disk, sizeof(disk), &partno))
		return bm_seterr(e, BM_E_NOTFOUND, "cannot tell the disk of "
				 "the ESP %s", dev);
	snprintf(part, sizeof(part), "%d", partno);
	if (run_cmd(create, NULL, out, EFI_LIST_BYTES))
		return bm_seterr(e, BM_E_EXTERNAL, "efibootmgr -C failed: "
				 "%.200s", out);
	return 0;
}

/* Every run before this one made an entry: keep the first, drop others. */
static void drop_duplicates(const uint16_t *num, unsigned int nr, char *out)
{
	char hex[5];
	char *del[] = { "efibootmgr", "-b", hex, "-B", NULL };
	unsigned int i;

	for (i = 1; i < nr && i < EFI_MAX_OURS; i++) {
		snprintf(hex, sizeof(hex), "%04X", num[i]);
		if (run_cmd(del, NULL, out, EFI_LIST_BYTES))
			printf("warning: could not remove the duplicate boot "
			       "entry Boot%s\n", hex);
		else
			printf("removed the duplicate boot entry Boot%s\n",
			       hex);
	}
}

/*
 * bmdump's boot entry for the app (reused: firmware NVRAM is small and
 * each run made a new one), and BootNext pointing at it (one shot).
 */
static int set_boot_next(const char *dev, struct bm_err *e)
{
	uint16_t num[EFI_MAX_OURS];
	unsigned int nr;
	char hex[5], *out = malloc(EFI_LIST_BYTES);
	char *next[] = { "efibootmgr", "-n", hex, NULL };
	int rc, created = 0;

	if (!out)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	rc = list_ours(out, num, &nr, e);
	if (!rc && !nr) {
		created = 1;
		rc = create_entry(dev, out, e);
		if (!rc)
			rc = list_ours(out, num, &nr, e);
		if (!rc && !nr)
			rc = bm_seterr(e, BM_E_EXTERNAL, "efibootmgr did not "
				       "show the new boot entry");
	} else if (!rc) {
		drop_duplicates(num, nr, out);
	}
	if (rc)
		goto out;
	snprintf(hex, sizeof(hex), "%04X", num[0]);
	if (run_cmd(next, NULL, out, EFI_LIST_BYTES)) {
		rc = bm_seterr(e, BM_E_EXTERNAL, "efibootmgr -n %s failed: "
			       "%.200s", hex, out);
		goto out;
	}
	printf("BootNext set to Boot%s (" SELFTEST_BOOT_LABEL ", one boot "
	       "only%s)\n", hex, created ? "" : ", the existing entry");
out:
	free(out);
	return rc;
}

static int install(const struct selftest_args *a)
{
	char esp[PATH_MAX], dev[PATH_MAX], path[PATH_MAX];
	const char *app = a->app ? a->app : BMDUMP_SELFTEST_PATH;
	struct stub_sig sig;
	struct bm_err e = { 0 };
	int rc = cli_load_config(1);

	if (rc)
		return rc;
	if (!cli_cfg.has_area)
		return cli_usage_error("selftest", "set AREA= in %s first",
				       cli_config_path);
	sys_path(path, sizeof(path), "/sys/firmware/efi");
	if (access(path, F_OK)) {
		bm_seterr(&e, BM_E_REFUSED, "this machine did not boot with "
			  "UEFI (no /sys/firmware/efi): the self-test is a "
			  "UEFI application");
		return cli_fail(&e);
	}
	dev[0] = 0;
	if (a->esp)
		snprintf(esp, sizeof(esp), "%s", a->esp);
	else if (!find_esp(esp, sizeof(esp), dev, sizeof(dev))) {
		bm_seterr(&e, BM_E_NOTFOUND, "no EFI system partition mounted "
			  "(vfat on /boot/efi or /efi): mount it, or give "
			  "--esp DIR");
		return cli_fail(&e);
	}
	stub_sig_probe(app, &sig);
	if (secure_boot_on() && sig.state != STUB_SIG_SIGNED) {
		bm_seterr(&e, BM_E_REFUSED, "Secure Boot is on and %s is not "
			  "signed: the firmware would refuse it; sign it like "
			  "the stub (sbsign with a key in db or MOK) and give "
			  "--app SIGNED.efi", app);
		return cli_fail(&e);
	}
	if (install_app(esp, app, a->reset, &e))
		return cli_fail(&e);
	printf("installed %s as %s/" ESP_DIR "/" ESP_APP "\n", app, esp);
	if (!dev[0]) {
		printf("set the next boot to \\EFI\\bmdump\\" ESP_APP " in the "
		       "firmware's boot menu (--esp: no boot entry made)\n");
	} else if (set_boot_next(dev, &e)) {
		return cli_fail(&e);
	}
	printf("reboot now: the self-test runs once, then the boot goes on; "
	       "afterwards run: bmdump selftest --report\n");
	return 0;
}

int cmd_selftest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "report", no_argument, NULL, 'r' },
		AREA_SEL_OPTIONS,
		{ "esp", required_argument, NULL, 'e' },
		{ "app", required_argument, NULL, 'a' },
		{ "reset", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct selftest_args a = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (area_sel_option(&a.sel, c, optarg))
			continue;
		switch (c) {
		case 'r':
			a.report = 1;
			break;
		case 'e':
			a.esp = optarg;
			break;
		case 'a':
			a.app = optarg;
			break;
		case 'R':
			a.reset = 1;
			break;
		default:
			return cli_usage_error("selftest", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("selftest", "takes no arguments");
	if (!a.report && (a.sel.from || a.sel.device))
		return cli_usage_error("selftest", "--from and --device go "
				       "with --report");
	return a.report ? print_report(&a) : install(&a);
}
