// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "compress.h"
#include "dmesg.h"
#include "info.h"
#include "kdumpfile.h"
#include "run.h"
#include "save.h"

#define LOG_MAX_BYTES	(16u << 20)

void save_stamp(int64_t t, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!localtime_r(&tt, &tm) || !strftime(out, 16, "%Y%m%d%H%M", &tm))
		strcpy(out, "000000000000");
}

int save_is_dump_dir_name(const char *name)
{
	int i;

	for (i = 0; i < 12; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	if (!name[12])
		return 1;
	if (name[12] != '-' || !name[13])
		return 0;
	for (i = 13; name[i]; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return i < 20;
}

static int cmp_names(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = strncmp(x, y, 12);

	if (c)
		return c;
	/* Same minute: "-N" suffixes in numeric order after the plain one. */
	return atoi(x[12] ? x + 13 : "0") - atoi(y[12] ? y + 13 : "0");
}

unsigned int save_retention_select(char **names, unsigned int n,
				   unsigned int keep)
{
	qsort(names, n, sizeof(names[0]), cmp_names);
	if (!keep || n <= keep)
		return 0;
	return n - keep;
}

static int dir_has_dump(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	int found = 0;

	while (dp && (d = readdir(dp)) != NULL)
		if (!strncmp(d->d_name, "dump.", 5) ||
		    !strncmp(d->d_name, "vmcore.", 7))
			found = 1;
	if (dp)
		closedir(dp);
	return found;
}

/* Removes the files bmdump or kdump-tools put there, then the directory. */
static int remove_dump_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *d;
	char p[PATH_MAX];

	if (!dp)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.' && (!d->d_name[1] ||
		    (d->d_name[1] == '.' && !d->d_name[2])))
			continue;
		if (path_join(p, sizeof(p), dir, d->d_name) == 0)
			unlink(p);
	}
	closedir(dp);
	return rmdir(dir);
}

int save_retention_apply(const char *coredir, unsigned int keep,
			 const char *protect, FILE *msg)
{
	char *names[4096], p[PATH_MAX];
	unsigned int n = 0, del, i;
	struct dirent *d;
	DIR *dp;

	if (!keep)
		return 0;
	dp = opendir(coredir);
	if (!dp)
		return -1;
	while ((d = readdir(dp)) != NULL && n < 4096) {
		if (!save_is_dump_dir_name(d->d_name) ||
		    path_join(p, sizeof(p), coredir, d->d_name) ||
		    !dir_has_dump(p))
			continue;
		names[n] = strdup(d->d_name);
		if (names[n])
			n++;
	}
	closedir(dp);
	del = save_retention_select(names, n, keep);
	for (i = 0; i < n; i++) {
		if (i < del && strcmp(names[i], protect) &&
		    !path_join(p, sizeof(p), coredir, names[i])) {
			if (remove_dump_dir(p) == 0)
				fprintf(msg, "bmdump: removed old dump %s "
					"(KEEP=%u)\n", p, keep);
			else
				fprintf(msg, "bmdump: warning: cannot remove "
					"%s: %s\n", p, strerror(errno));
		}
		free(names[i]);
	}
	return 0;
}

/* --- progress and guard ---------------------------------------------- */

struct progress {
	struct timespec last;
	int shown;
};

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && p->shown && (now.tv_sec - p->last.tv_sec) * 1000 +
	    (now.tv_nsec - p->last.tv_nsec) / 1000000 < 200)
		return;
	p->last = now;
	p->shown = 1;
	fprintf(stderr, "\rbmdump: saving [%5.1f %%] %llu/%llu pages",
		total ? 100.0 * (double)done / (double)total : 100.0,
		(unsigned long long)done, (unsigned long long)total);
	if (done >= total)
		fputc('\n', stderr);
	fflush(stderr);
}

struct guard {
	const char *dir;
	uint64_t min_free;
	uint64_t avail;
};

static int free_bytes(const char *dir, uint64_t *out)
{
	struct statvfs sv;

	if (statvfs(dir, &sv))
		return -1;
	*out = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

static int guard_cb(void *ctx, uint64_t written)
{
	struct guard *g = ctx;

	(void)written;
	if (free_bytes(g->dir, &g->avail) == 0 && g->avail < g->min_free)
		return BM_E_NOSPACE;
	return 0;
}

/* --- the save -------------------------------------------------------- */

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t n;

	if (fd < 0)
		return -1;
	fchmod(fd, 0600);
	n = write(fd, data, len);
	if (fsync(fd) || close(fd) || n != (ssize_t)len)
		return -1;
	return 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* The marker says which area dump a directory holds. */
static void marker_text(const struct bmdump_area_header *h, char *out,
			size_t size)
{
	char uuid[37];

	bmdump_uuid_format(h->area_uuid, uuid);
	snprintf(out, size, "area=%s\ngeneration=%llu\ncrash_time=%lld\n",
		 uuid, (unsigned long long)h->generation,
		 (long long)h->crash_time);
}

/*
 * A directory an earlier, interrupted save of this same dump left (its
 * marker matches), whatever minute it was named after; its stamp too.
 */
static int find_marked_dir(const char *coredir, const char *marker,
			   char *dir, size_t size, char stamp[16])
{
	char p[PATH_MAX], text[256];
	struct dirent *d;
	DIR *dp = opendir(coredir);
	int found = 0;

	while (dp && !found && (d = readdir(dp)) != NULL) {
		if (!save_is_dump_dir_name(d->d_name))
			continue;
		snprintf(p, sizeof(p), "%s/%s/area.%.12s", coredir, d->d_name,
			 d->d_name);
		if (read_text_file(p, text, sizeof(text)) == 0 &&
		    !strncmp(text, marker, strlen(marker) - 1)) {
			snprintf(dir, size, "%s/%s", coredir, d->d_name);
			snprintf(stamp, 16, "%.12s", d->d_name);
			found = 1;
		}
	}
	if (dp)
		closedir(dp);
	return found;
}

/*
 * Pick coredir/<stamp>[-N]: the directory an interrupted save of this dump
 * left, or a new one.
 */
static int pick_dir(const char *coredir, char stamp[16], const char *marker,
		    char *dir, size_t size, int *already, struct bm_err *e)
{
	char name[32], p[PATH_MAX];
	int n;

	*already = 0;
	if (find_marked_dir(coredir, marker, dir, size, stamp)) {
		snprintf(p, sizeof(p), "%s/dump.%s", dir, stamp);
		*already = access(p, F_OK) == 0;
		return 0;
	}
	for (n = 1; n < 100; n++) {
		if (n == 1)
			snprintf(name, sizeof(name), "%s", stamp);
		else
			snprintf(name, sizeof(name), "%s-%d", stamp, n);
		if (path_join(dir, size, coredir, name))
			return bm_seterr(e, BM_E_USAGE, "path too long");
		if (mkdir(dir, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return bm_seterr(e, BM_E_IO, "cannot create %s: %s",
					 dir, strerror(errno));
	}
	return bm_seterr(e, BM_E_IO, "too many dump directories named %s-N "
			 "in %s", stamp, coredir);
}

/* makedumpfile --dump-dmesg, as kdump-tools does; 0 when it wrote one. */
static int makedumpfile_dmesg(const char *mdf, const char *dump,
			      const char *dmesg, int compress)
{
	char *argv[] = { (char *)mdf, (char *)"--dump-dmesg", (char *)dump,
			 (char *)dmesg, NULL };
	char out[4096];
	int rc;

	if (!mdf || !*mdf || !comp_makedumpfile_reads(compress) ||
	    access(mdf, X_OK))
		return -1;
	unlink(dmesg);
	rc = run_cmd(argv, NULL, out, sizeof(out));
	if (rc || access(dmesg, F_OK)) {
		fprintf(stderr, "bmdump: makedumpfile --dump-dmesg failed "
			"(exit %d), reading the log itself: %s\n", rc, out);
		return -1;
	}
	chmod(dmesg, 0600);
	return 0;
}

/* The log straight from the ring buffer, when makedumpfile cannot. */
static void native_dmesg(struct kd_image *im, const char *dmesg)
{
	struct bm_err e = { 0 };
	int fd = open(dmesg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int r;

	if (!f) {
		fprintf(stderr, "bmdump: warning: cannot write %s\n", dmesg);
		if (fd >= 0)
			close(fd);
		return;
	}
	fchmod(fd, 0600);
	r = kd_dmesg(im, f, &e);
	if (fclose(f) || r) {
		fprintf(stderr, "bmdump: warning: no dmesg file: %s\n",
			r ? e.msg : "write failed");
		unlink(dmesg);
	}
}

int save_area(struct area_target *t, const struct save_opts *o, int *saved,
	      char *outdir, size_t outdir_size, struct bm_err *e)
{
	struct bmdump_area_header h;
	struct kd_convert_opts co = { 0 };
	struct kd_convert_stats st;
	struct progress prog = { 0 };
	struct guard g = { 0 };
	struct bm_winsrc win;
	struct bm_src img;
	struct kd_image im;
	struct bm_fdsink fsink;
	struct bm_sink sink;
	char uuid[37], stamp[16], marker[256], dir[PATH_MAX], p[PATH_MAX];
	char tmp[PATH_MAX], final[PATH_MAX], sz[32], *log = NULL;
	uint64_t off, len, avail;
	int incomplete, r, fd, lockfd, already, crashed_cpu = -1;
	uint64_t rip;
	FILE *f;

	*saved = 0;
	r = area_read(&t->src, &h, e);
	if (r)
		return bm_seterr(e, r, "%s: %s", t->label, e->msg);
	bmdump_uuid_format(h.area_uuid, uuid);
	if (area_image_extent(&h, &off, &len, &incomplete)) {
		char when[64];

		format_time(h.save_time, when, sizeof(when));
		if (h.state == BMDUMP_AREA_SAVED)
			printf("bmdump: nothing to save: the dump in area %s "
			       "(%s) was saved on %s\n", uuid, t->label, when);
		else
			printf("bmdump: nothing to save: area %s (%s) is "
			       "empty\n", uuid, t->label);
		return 0;
	}
	if (h.state == BMDUMP_AREA_WRITING)
		fprintf(stderr, "bmdump: warning: the stub started writing a "
			"dump to area %s but never finished (crash or power "
			"loss during the dump); salvaging it as INCOMPLETE\n",
			uuid);

	if (mkdir(o->coredir, 0700) && errno != EEXIST)
		return bm_seterr(e, BM_E_IO, "cannot create %s: %s",
				 o->coredir, strerror(errno));
	if (path_join(p, sizeof(p), o->coredir, ".bmdump.lock"))
		return bm_seterr(e, BM_E_USAGE, "path too long");
	lockfd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB)) {
		if (lockfd >= 0)
			close(lockfd);
		return bm_seterr(e, BM_E_REFUSED, "another bmdump save is "
				 "running (lock %s)", p);
	}

	save_stamp(h.crash_time > 0 ? h.crash_time : time(NULL), stamp);
	marker_text(&h, marker, sizeof(marker));
	r = pick_dir(o->coredir, stamp, marker, dir, sizeof(dir), &already, e);
	if (r)
		goto out;
	snprintf(outdir, outdir_size, "%s", dir);
	snprintf(p, sizeof(p), "%s/area.%s", dir, stamp);
	if (write_file(p, marker, strlen(marker))) {
		r = bm_seterr(e, BM_E_IO, "cannot write %s: %s", p,
			      strerror(errno));
		goto out;
	}
	/* The stub's log first: it is small and says what happened. */
	if (area_read_log(&t->src, &h, LOG_MAX_BYTES, &log, e) == 0 && *log) {
		snprintf(p, sizeof(p), "%s/bmdump-log.%s", dir, stamp);
		if (write_file(p, log, strlen(log)))
			fprintf(stderr, "bmdump: warning: cannot write %s\n", p);
		info_log_crashed_cpu(log, &crashed_cpu, &rip);
	}
	snprintf(final, sizeof(final), "%s/dump.%s", dir, stamp);
	if (already) {
		printf("bmdump: the dump in area %s was already saved to %s\n",
		       uuid, final);
		goto mark;
	}

	bm_src_window(&img, &win, &t->src, off, len);
	r = kd_open(&im, &img, e);
	if (r) {
		r = bm_seterr(e, r, "the dump image in area %s (%s) is "
			      "unreadable: %s. The stub's log is in %s; to "
			      "reuse the area run bmdump prepare --force %s",
			      uuid, t->label, e->msg, dir, t->label);
		goto out;
	}
	if (im.warning[0])
		fprintf(stderr, "bmdump: warning: %s\n", im.warning);

	g.dir = dir;
	g.min_free = o->min_free;
	if (free_bytes(dir, &avail) == 0 &&
	    avail < o->min_free + im.desc_offset + im.bs * 2) {
		char need[32];

		format_bytes(avail, sz, sizeof(sz));
		format_bytes(o->min_free, need, sizeof(need));
		r = bm_seterr(e, BM_E_NOSPACE, "not enough space in %s: %s "
			      "free, MIN_FREE is %s. The dump stays in the "
			      "area: free space (or lower MIN_FREE) and run "
			      "bmdump save again", o->coredir, sz, need);
		kd_close(&im);
		goto out;
	}

	snprintf(tmp, sizeof(tmp), "%s/dump-incomplete", dir);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = bm_seterr(e, BM_E_IO, "cannot create %s: %s", tmp,
			      strerror(errno));
		kd_close(&im);
		goto out;
	}
	fchmod(fd, 0600);
	bm_sink_fd(&sink, &fsink, fd, 0);
	co.compress = o->compress;
	co.mark_incomplete = incomplete;
	co.guard = guard_cb;
	co.guard_ctx = &g;
	co.abort_after_pages = o->abort_after_pages;
	co.threads = o->threads;
	if (o->progress) {
		co.progress = progress_cb;
		co.progress_ctx = &prog;
	}
	r = kd_convert(&im, &sink, &co, &st, e);
	if (r == 0 && ftruncate(fd, (off_t)st.out_bytes))
		r = bm_seterr(e, BM_E_IO, "cannot size %s", tmp);
	if (close(fd) && !r)
		r = bm_seterr(e, BM_E_IO, "cannot write %s", tmp);
	if (r) {
		if (prog.shown)
			fputc('\n', stderr);
		unlink(tmp);
		if (r == BM_E_NOSPACE) {
			format_bytes(g.avail, sz, sizeof(sz));
			r = bm_seterr(e, r, "%s: %s has %s free, below "
				      "MIN_FREE; the partial file was removed "
				      "and the dump stays in the area: free "
				      "space and run bmdump save again",
				      e->msg, o->coredir, sz);
		}
		kd_close(&im);
		goto out;
	}
	if (rename(tmp, final)) {
		r = bm_seterr(e, BM_E_IO, "cannot rename %s: %s", tmp,
			      strerror(errno));
		kd_close(&im);
		goto out;
	}
	fsync_dir(dir);

	snprintf(p, sizeof(p), "%s/info.%s", dir, stamp);
	f = fopen(p, "we");
	if (f) {
		fchmod(fileno(f), 0600);
		info_print_area(f, &h, t->label);
		info_print_dump(f, &im, final, crashed_cpu, st.out_bytes);
		fclose(f);
	}
	snprintf(p, sizeof(p), "%s/dmesg.%s", dir, stamp);
	if (makedumpfile_dmesg(o->makedumpfile, final, p, o->compress))
		native_dmesg(&im, p);
	kd_close(&im);

	format_bytes(st.out_bytes, sz, sizeof(sz));
	printf("bmdump: saved %s (%s, %s pages, %llu pages of which %llu "
	       "zero)%s\n", final, sz, comp_name(o->compress),
	       (unsigned long long)st.pages,
	       (unsigned long long)st.zero_pages,
	       st.incomplete ? ", INCOMPLETE" : "");
	if (st.missing_pages)
		fprintf(stderr, "bmdump: warning: %llu pages could not be read "
			"from the area and are missing from the dump\n",
			(unsigned long long)st.missing_pages);
	if (!comp_makedumpfile_reads(o->compress))
		fprintf(stderr, "bmdump: note: Debian's makedumpfile cannot "
			"read %s dumps; crash and drgn can\n",
			comp_name(o->compress));
mark:
	*saved = 1;
	if (o->read_only) {
		printf("bmdump: area %s left as it was (--read-only)\n", uuid);
	} else if (!t->writable) {
		fprintf(stderr, "bmdump: warning: %s is read-only: the area "
			"is not marked saved\n", t->label);
	} else {
		h.state = BMDUMP_AREA_SAVED;
		h.save_time = time(NULL);
		r = area_write(&t->sink, &h, e);
		if (r) {
			r = bm_seterr(e, r, "the dump is saved in %s, but the "
				      "area could not be marked saved: %s",
				      dir, e->msg);
			goto out;
		}
	}
	save_retention_apply(o->coredir, o->keep, strrchr(dir, '/') + 1,
			     stderr);
	r = 0;
out:
	free(log);
	close(lockfd);
	return r;
}
