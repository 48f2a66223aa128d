// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump list` (coredumpctl list, crashinfo): one line per dump `bmdump
 * save` left in COREDIR, and the area's state.  Only directories save
 * made are read (coredir_is_save_dir: our own 0700 directory with our
 * marker); what their files say is text anyone's crashed kernel wrote,
 * so it is read bounded, from the tail, and cleaned of control bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "coredir.h"
#include "save.h"
#include "status.h"

#define LIST_MAX_DUMPS		4096
#define LIST_TAIL_BYTES		(64u << 10)	/* of dmesg.<stamp> */
#define LIST_FIELD		160

struct list_entry {
	char name[32];			/* <stamp>[-N] */
	char stamp[16];
	char kernel[LIST_FIELD];
	char reason[LIST_FIELD];
	int complete;			/* 1, 0 INCOMPLETE, -1 no file */
	uint64_t bytes;
};

/* Up to size - 1 bytes of the end of our own regular file dir/name. */
static int read_own_tail(int dfd, const char *name, char *buf, size_t size)
{
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int fd = coredir_open_own_file(dfd, name, &st);

	if (fd < 0)
		return -1;
	if (st.st_size > (off_t)(size - 1))
		off = st.st_size - (off_t)(size - 1);
	n = pread(fd, buf, size - 1, off);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/* The line of text starting at p, control bytes made '?', at most
 * size - 1 bytes. */
static void clean_line(char *out, size_t size, const char *p)
{
	size_t i;

	for (i = 0; i + 1 < size && p[i] && p[i] != '\n'; i++)
		out[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' :
			 p[i];
	while (i && out[i - 1] == ' ')
		i--;
	out[i] = 0;
}

/* Why the kernel died, from the end of its log: the panic line, else
 * the last oops or sysrq crash line. */
static void panic_reason(const char *log, char *out, size_t size)
{
	static const char *const keys[] = {
		"Kernel panic - not syncing: ", "sysrq: Trigger a crash",
		"BUG: ", "Oops: ", "general protection fault",
	};
	const char *best = NULL;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && !best; i++) {
		const char *p = log, *q;

		while ((q = strstr(p, keys[i])) != NULL) {
			best = i == 0 ? q + strlen(keys[i]) : q;
			p = q + 1;
		}
	}
	clean_line(out, size, best ? best : "unknown");
}

/* The value after "  key:" in the dump section of info.<stamp>. */
static void info_field(const char *info, const char *key, char *out,
		       size_t size)
{
	const char *dump = strstr(info, "\ndump ");
	const char *p = dump ? strstr(dump, key) : NULL;

	if (!p) {
		clean_line(out, size, "?");
		return;
	}
	p += strlen(key);
	while (*p == ' ')
		p++;
	clean_line(out, size, p);
}

static void list_read_entry(int cfd, const char *name, struct list_entry *le)
{
	char file[48], complete[LIST_FIELD], *text;
	struct stat st;
	int dfd;

	memset(le, 0, sizeof(*le));
	bm_strlcpy(le->name, name, sizeof(le->name));
	snprintf(le->stamp, sizeof(le->stamp), "%.12s", name);
	bm_strlcpy(le->kernel, "?", sizeof(le->kernel));
	bm_strlcpy(le->reason, "unknown", sizeof(le->reason));
	le->complete = -1;
	dfd = coredir_open_own_dir(cfd, name);
	text = malloc(LIST_TAIL_BYTES);
	if (dfd < 0 || !text)
		goto out;
	snprintf(file, sizeof(file), "dump.%s", le->stamp);
	if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && st.st_uid == geteuid()) {
		le->bytes = (uint64_t)st.st_size;
		le->complete = 1;
	}
	snprintf(file, sizeof(file), "info.%s", le->stamp);
	if (coredir_read_own_file(dfd, file, text, 16384) == 0) {
		info_field(text, "  kernel:", le->kernel, sizeof(le->kernel));
		/* "6.1.0-57-amd64 (x86_64)": the release is enough. */
		le->kernel[strcspn(le->kernel, " ")] = 0;
		info_field(text, "  complete:", complete, sizeof(complete));
		if (le->complete == 1 && strncmp(complete, "yes", 3))
			le->complete = 0;
	}
	snprintf(file, sizeof(file), "dmesg.%s", le->stamp);
	if (read_own_tail(dfd, file, text, LIST_TAIL_BYTES) == 0)
		panic_reason(text, le->reason, sizeof(le->reason));
out:
	free(text);
	if (dfd >= 0)
		close(dfd);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct list_entry *)a)->name,
		      ((const struct list_entry *)b)->name);
}

/* The dumps in COREDIR, oldest first; *n of them.  NULL: none or error. */
static struct list_entry *list_scan(const char *coredir, unsigned int *n,
				    struct bm_err *e)
{
	struct list_entry *v;
	struct dirent *d;
	DIR *dp;
	int cfd;

	*n = 0;
	cfd = open(coredir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfd < 0) {
		if (errno != ENOENT)
			bm_seterr(e, BM_E_IO, "cannot read COREDIR %s: %s",
				  coredir, strerror(errno));
		return NULL;
	}
	v = calloc(LIST_MAX_DUMPS, sizeof(*v));
	dp = v ? fdopendir(dup(cfd)) : NULL;
	while (dp && (d = readdir(dp)) != NULL && *n < LIST_MAX_DUMPS)
		if (coredir_is_save_dir(cfd, d->d_name))
			list_read_entry(cfd, d->d_name, &v[(*n)++]);
	if (dp)
		closedir(dp);
	close(cfd);
	qsort(v, *n, sizeof(*v), cmp_entry);
	return v;
}

static const char *complete_word(int c)
{
	return c == 1 ? "complete" : c == 0 ? "INCOMPLETE" : "no-dump-file";
}

static void list_print_text(const struct list_entry *v, unsigned int n,
			    const char *coredir, const char *area)
{
	unsigned int i;
	char sz[32];

	if (!n)
		printf("No dumps in %s.\n", coredir);
	else
		printf("%-16s %-24s %-12s %10s  %s\n", "DUMP", "KERNEL",
		       "COMPLETE", "SIZE", "REASON");
	for (i = 0; i < n; i++) {
		format_bytes(v[i].bytes, sz, sizeof(sz));
		printf("%-16s %-24s %-12s %10s  %s\n", v[i].name,
		       v[i].kernel, complete_word(v[i].complete),
		       v[i].complete >= 0 ? sz : "-", v[i].reason);
	}
	printf("area: %s\n", area);
}

static void list_print_json(const struct list_entry *v, unsigned int n,
			    const char *coredir, const char *area)
{
	unsigned int i;

	printf("{\"coredir\": ");
	json_string(stdout, coredir);
	printf(", \"area\": ");
	json_string(stdout, area);
	printf(", \"dumps\": [");
	for (i = 0; i < n; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_string(stdout, v[i].name);
		printf(", \"kernel\": ");
		json_string(stdout, v[i].kernel);
		printf(", \"reason\": ");
		json_string(stdout, v[i].reason);
		printf(", \"complete\": %s, \"size_bytes\": %llu}",
		       v[i].complete == 1 ? "true" : "false",
		       (unsigned long long)v[i].bytes);
	}
	printf("]}\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		AREA_SEL_OPTIONS,
		{ "dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct area_sel sel = { 0 };
	struct list_entry *v;
	struct bm_err e = { 0 };
	const char *coredir = NULL;
	char area[BM_ERR_LEN + 64];
	unsigned int n;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (area_sel_option(&sel, c, optarg))
			continue;
		if (c == 'j')
			json = 1;
		else if (c == 'D')
			coredir = optarg;
		else
			return cli_bad_option("list", argv);
	}
	rc = cli_no_args("list", argc, argv);
	if (!rc)
		rc = cli_load_config(0);
	if (rc)
		return rc;
	if (!coredir)
		coredir = cli_cfg.coredir;
	v = list_scan(coredir, &n, &e);
	if (e.code) {
		free(v);
		return cli_fail(&e);
	}
	cli_area_state(&sel, area, sizeof(area));
	if (json)
		list_print_json(v, n, coredir, area);
	else
		list_print_text(v, n, coredir, area);
	free(v);
	return 0;
}
