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
#include "coredir.h"
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

/* --- progress and guard ---------------------------------------------- */

struct progress {
	struct timespec start;
	struct timespec last;
	int shown;
	int finished;			/* the 100 % line is out */
};

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* "[ 42.0 %] 1234/5678 pages, 56.7 MiB/s, 0:12 left" on one line. */
void save_progress_line(char *out, size_t size, uint64_t done,
			uint64_t total, double secs)
{
	double rate = secs > 0 ? (double)done * 4096.0 / secs : 0;
	char left[32] = "";

	if (done < total && rate > 0) {
		uint64_t s = (uint64_t)((double)(total - done) * 4096.0 /
					rate + 0.5);

		snprintf(left, sizeof(left), ", %llu:%02llu left",
			 (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	}
	snprintf(out, size, "[%5.1f %%] %llu/%llu pages, %.1f MiB/s%s",
		 total ? 100.0 * (double)done / (double)total : 100.0,
		 (unsigned long long)done, (unsigned long long)total,
		 rate / 1048576.0, left);
}

static void progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct progress *p = ctx;
	struct timespec now;
	char line[128];

	if (p->finished)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total && p->shown && seconds_between(&p->last, &now) < 0.2)
		return;
	p->last = now;
	p->shown = 1;
	save_progress_line(line, sizeof(line), done, total,
			   seconds_between(&p->start, &now));
	/* \033[K: a shorter line leaves no tail of the longer one. */
	fprintf(stderr, "\rbmdump: saving %s\033[K", line);
	if (done >= total) {
		fputc('\n', stderr);
		p->finished = 1;
	}
	fflush(stderr);
}

struct guard {
	int dirfd;
	uint64_t min_free;
	uint64_t avail;
};

static int free_bytes(int dirfd, uint64_t *out)
{
	struct statvfs sv;

	if (fstatvfs(dirfd, &sv))
		return -1;
	*out = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

static int guard_cb(void *ctx, uint64_t written)
{
	struct guard *g = ctx;

	(void)written;
	if (free_bytes(g->dirfd, &g->avail) == 0 && g->avail < g->min_free)
		return BM_E_NOSPACE;
	return 0;
}

/* --- the save -------------------------------------------------------- */

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
 * A complete dump.<stamp> we wrote: our own regular file that opens as a
 * dump.  Anything else (an empty file a user planted) is not "saved".
 */
static int dump_file_valid(int dfd, const char *name)
{
	struct bm_err e = { 0 };
	struct bm_fdsrc fs;
	struct bm_src src;
	struct kd_image im;
	struct stat st;
	int fd, ok = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && st.st_size > 0) {
		bm_src_fd(&src, &fs, fd, 0, (uint64_t)st.st_size);
		if (kd_open(&im, &src, &e) == 0) {
			ok = 1;
			kd_close(&im);
		}
	}
	close(fd);
	return ok;
}

/*
 * A directory an earlier, interrupted save of this same dump left (our
 * own, 0700, its marker matches), whatever minute it was named after: its
 * fd and name, or -1.
 */
static int find_marked_dir(int cfd, const char *marker, char name[32])
{
	char p[32], text[256];
	struct dirent *d;
	DIR *dp;
	int fd = dup(cfd), dfd = -1;

	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dp);
	while (dfd < 0 && (d = readdir(dp)) != NULL) {
		if (!save_is_dump_dir_name(d->d_name))
			continue;
		dfd = coredir_open_own_dir(cfd, d->d_name);
		if (dfd < 0)
			continue;
		snprintf(p, sizeof(p), "area.%.12s", d->d_name);
		if (coredir_read_own_file(dfd, p, text, sizeof(text)) == 0 &&
		    !strncmp(text, marker, strlen(marker) - 1)) {
			snprintf(name, 32, "%s", d->d_name);
		} else {
			close(dfd);
			dfd = -1;
		}
	}
	closedir(dp);
	return dfd;
}

/*
 * Pick coredir/<stamp>[-N]: the directory an interrupted save of this dump
 * left, or a new one. Returns its fd; its name in name, stamp updated.
 */
static int pick_dir(int cfd, const char *coredir, char stamp[16],
		    const char *marker, char name[32], int *already,
		    struct bm_err *e)
{
	char p[48];
	int n, dfd;

	*already = 0;
	dfd = find_marked_dir(cfd, marker, name);
	if (dfd >= 0) {
		snprintf(stamp, 16, "%.12s", name);
		snprintf(p, sizeof(p), "dump.%s", stamp);
		*already = dump_file_valid(dfd, p);
		return dfd;
	}
	for (n = 1; n < 100; n++) {
		if (n == 1)
			snprintf(name, 32, "%s", stamp);
		else
			snprintf(name, 32, "%s-%d", stamp, n);
		dfd = coredir_make_dir(cfd, name);
		if (dfd >= 0)
			return dfd;
		if (errno != EEXIST)
			return bm_seterr(e, BM_E_IO, "cannot create %s/%s: %s",
					 coredir, name, strerror(errno));
	}
	return bm_seterr(e, BM_E_IO, "too many dump directories named %s-N "
			 "in %s", stamp, coredir);
}

/*
 * makedumpfile --dump-dmesg, as kdump-tools does; 0 when it wrote one.
 * It is given a path: dir is our own 0700 directory in a COREDIR only we
 * can write, so nobody can swap what the path names.
 */
static int makedumpfile_dmesg(const char *mdf, int dfd, const char *dir,
			      const char *stamp, int compress)
{
	char dump[PATH_MAX], dmesg[PATH_MAX], name[32], out[4096];
	char *argv[] = { (char *)mdf, (char *)"--dump-dmesg", dump, dmesg,
			 NULL };
	int rc, fd;

	if (!mdf || !*mdf || !comp_makedumpfile_reads(compress) ||
	    access(mdf, X_OK))
		return -1;
	snprintf(name, sizeof(name), "dmesg.%s", stamp);
	snprintf(dump, sizeof(dump), "%s/dump.%s", dir, stamp);
	snprintf(dmesg, sizeof(dmesg), "%s/%s", dir, name);
	unlinkat(dfd, name, 0);
	rc = run_cmd(argv, NULL, out, sizeof(out));
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (rc || fd < 0) {
		fprintf(stderr, "bmdump: makedumpfile --dump-dmesg failed "
			"(exit %d), reading the log itself: %s\n", rc, out);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fchmod(fd, 0600);
	close(fd);
	return 0;
}

/* The log straight from the ring buffer, when makedumpfile cannot. */
static void native_dmesg(struct kd_image *im, int dfd, const char *stamp)
{
	struct bm_err e = { 0 };
	char name[32];
	int fd, r;
	FILE *f;

	snprintf(name, sizeof(name), "dmesg.%s", stamp);
	fd = coredir_create(dfd, name);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "bmdump: warning: cannot write %s\n", name);
		if (fd >= 0)
			close(fd);
		return;
	}
	r = kd_dmesg(im, f, &e);
	if (fclose(f) || r) {
		fprintf(stderr, "bmdump: warning: no dmesg file: %s\n",
			r ? e.msg : "write failed");
		unlinkat(dfd, name, 0);
	}
}

/* Where one save writes: COREDIR's fd, the dump directory's fd and name. */
struct save_dir {
	int cfd;
	int dfd;
	char name[32];
	char stamp[16];
	char path[PATH_MAX];
};

/* dump-incomplete, converted from the area's image, renamed dump.<stamp>. */
static int save_convert(struct kd_image *im, const struct save_opts *o,
			int incomplete, struct save_dir *sd,
			struct kd_convert_stats *st, struct bm_err *e)
{
	struct kd_convert_opts co = { 0 };
	struct progress prog = { 0 };
	struct guard g = { sd->dfd, o->min_free, 0 };
	struct bm_fdsink fsink;
	struct bm_sink sink;
	char final[32], sz[32];
	uint64_t avail;
	int r, fd;

	if (free_bytes(sd->dfd, &avail) == 0 &&
	    avail < o->min_free + im->desc_offset + im->bs * 2) {
		char need[32];

		format_bytes(avail, sz, sizeof(sz));
		format_bytes(o->min_free, need, sizeof(need));
		return bm_seterr(e, BM_E_NOSPACE, "not enough space in %s: %s "
				 "free, MIN_FREE is %s. The dump stays in the "
				 "area: free space (or lower MIN_FREE) and run "
				 "bmdump save again", o->coredir, sz, need);
	}
	fd = coredir_create(sd->dfd, "dump-incomplete");
	if (fd < 0)
		return bm_seterr(e, BM_E_IO, "cannot create %s/dump-incomplete:"
				 " %s", sd->path, strerror(errno));
	bm_sink_fd(&sink, &fsink, fd, 0);
	co.compress = o->compress;
	co.mark_incomplete = incomplete;
	co.guard = guard_cb;
	co.guard_ctx = &g;
	co.abort_after_pages = o->abort_after_pages;
	co.threads = o->threads;
	if (o->progress) {
		clock_gettime(CLOCK_MONOTONIC, &prog.start);
		co.progress = progress_cb;
		co.progress_ctx = &prog;
	}
	r = kd_convert(im, &sink, &co, st, e);
	if (r == 0 && ftruncate(fd, (off_t)st->out_bytes))
		r = bm_seterr(e, BM_E_IO, "cannot size dump-incomplete");
	if (fsync(fd) && !r)
		r = bm_seterr(e, BM_E_IO, "cannot write dump-incomplete");
	if (close(fd) && !r)
		r = bm_seterr(e, BM_E_IO, "cannot write dump-incomplete");
	if (r) {
		if (prog.shown && !prog.finished)
			fputc('\n', stderr);
		unlinkat(sd->dfd, "dump-incomplete", 0);
		if (r == BM_E_NOSPACE) {
			format_bytes(g.avail, sz, sizeof(sz));
			r = bm_seterr(e, r, "%s: %s has %s free, below "
				      "MIN_FREE; the partial file was removed "
				      "and the dump stays in the area: free "
				      "space and run bmdump save again",
				      e->msg, o->coredir, sz);
		}
		return r;
	}
	snprintf(final, sizeof(final), "dump.%s", sd->stamp);
	if (renameat(sd->dfd, "dump-incomplete", sd->dfd, final))
		return bm_seterr(e, BM_E_IO, "cannot rename %s/dump-incomplete:"
				 " %s", sd->path, strerror(errno));
	fsync(sd->dfd);
	return 0;
}

/* The dump file, then info.<stamp> and dmesg.<stamp> next to it. */
static int save_dump(struct area_target *t, const struct bmdump_area_header *h,
		     const struct save_opts *o, struct save_dir *sd,
		     int crashed_cpu, struct bm_err *e)
{
	struct kd_convert_stats st;
	struct bm_winsrc win;
	struct bm_src img;
	struct kd_image im;
	char uuid[37], final[PATH_MAX], name[32], sz[32];
	uint64_t off, len;
	int incomplete, r, fd;
	FILE *f;

	bmdump_uuid_format(h->area_uuid, uuid);
	area_image_extent(h, &off, &len, &incomplete);
	bm_src_window(&img, &win, &t->src, off, len);
	r = kd_open(&im, &img, e);
	if (r == BM_E_NOTDUMP)
		r = BM_E_CORRUPT;	/* in an area, it is damage */
	if (r)
		return bm_seterr(e, r, "the dump image in area %s (%s) is "
				 "unreadable: %s. The stub's log is in %s; to "
				 "reuse the area run bmdump prepare --force %s",
				 uuid, t->label, e->msg, sd->path, t->label);
	if (im.warning[0])
		fprintf(stderr, "bmdump: warning: %s\n", im.warning);
	/* A WRITING area may still hold an older dump's descriptors past
	 * what the stub proved written for this crash: leave them out. */
	if (h->state == BMDUMP_AREA_WRITING &&
	    im.nr_desc_avail > h->descs_written)
		im.nr_desc_avail = h->descs_written;
	r = save_convert(&im, o, incomplete, sd, &st, e);
	if (r) {
		kd_close(&im);
		return r;
	}
	snprintf(final, sizeof(final), "%s/dump.%s", sd->path, sd->stamp);
	snprintf(name, sizeof(name), "info.%s", sd->stamp);
	fd = coredir_create(sd->dfd, name);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f) {
		info_print_area(f, h, t->label);
		info_print_dump(f, &im, final, crashed_cpu, st.out_bytes);
		fclose(f);
	} else if (fd >= 0) {
		close(fd);
	}
	if (makedumpfile_dmesg(o->makedumpfile, sd->dfd, sd->path, sd->stamp,
			       o->compress))
		native_dmesg(&im, sd->dfd, sd->stamp);
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
	return 0;
}

/* Marks the area SAVED (unless told not to), then applies KEEP. */
static int save_mark(struct area_target *t, struct bmdump_area_header *h,
		     const struct save_opts *o, struct save_dir *sd,
		     struct bm_err *e)
{
	char uuid[37];
	int r;

	bmdump_uuid_format(h->area_uuid, uuid);
	if (o->read_only) {
		printf("bmdump: area %s left as it was (--read-only)\n", uuid);
	} else if (!t->writable) {
		fprintf(stderr, "bmdump: warning: %s is read-only: the area "
			"is not marked saved\n", t->label);
	} else {
		h->state = BMDUMP_AREA_SAVED;
		h->save_time = time(NULL);
		r = area_header_write(&t->sink, h, e);
		if (r)
			return bm_seterr(e, r, "the dump is saved in %s, but "
					 "the area could not be marked saved: "
					 "%s", sd->path, e->msg);
	}
	coredir_retention(sd->cfd, o->coredir, o->keep, sd->name, stderr);
	return 0;
}

/* The marker, the stub's log, the dump; the directory is sd's. */
static int save_into(struct area_target *t, struct bmdump_area_header *h,
		     const struct save_opts *o, struct save_dir *sd,
		     int *saved, struct bm_err *e)
{
	char marker[256], uuid[37], name[48], *log = NULL;
	int r, already, crashed_cpu = -1;
	uint64_t rip;

	marker_text(h, marker, sizeof(marker));
	sd->dfd = pick_dir(sd->cfd, o->coredir, sd->stamp, marker, sd->name,
			   &already, e);
	if (sd->dfd < 0)
		return sd->dfd;
	snprintf(sd->path, sizeof(sd->path), "%s/%s", o->coredir, sd->name);
	snprintf(name, sizeof(name), "area.%s", sd->stamp);
	if (coredir_write_file(sd->dfd, name, marker, strlen(marker)))
		return bm_seterr(e, BM_E_IO, "cannot write %s/%s: %s",
				 sd->path, name, strerror(errno));
	/* The stub's log first: it is small and says what happened. */
	if (area_read_log(&t->src, h, LOG_MAX_BYTES, &log, e) == 0 && *log) {
		snprintf(name, sizeof(name), "bmdump-log.%s", sd->stamp);
		if (coredir_write_file(sd->dfd, name, log, strlen(log)))
			fprintf(stderr, "bmdump: warning: cannot write %s/%s\n",
				sd->path, name);
		info_log_crashed_cpu(log, &crashed_cpu, &rip);
	}
	free(log);
	bmdump_uuid_format(h->area_uuid, uuid);
	if (already)
		printf("bmdump: the dump in area %s was already saved to "
		       "%s/dump.%s\n", uuid, sd->path, sd->stamp);
	if (!already && h->state == BMDUMP_AREA_WRITING &&
	    !h->descs_written) {
		/* Headers, bitmaps and pages may all be an older dump's. */
		fprintf(stderr, "bmdump: warning: the stub died before it "
			"proved any page of this crash written: no page is "
			"saved, only the stub's log in %s\n", sd->path);
		already = 1;
	}
	r = already ? 0 : save_dump(t, h, o, sd, crashed_cpu, e);
	if (r)
		return r;
	*saved = 1;
	return save_mark(t, h, o, sd, e);
}

int save_area(struct area_target *t, const struct save_opts *o, int *saved,
	      char *outdir, size_t outdir_size, struct bm_err *e)
{
	struct bmdump_area_header h;
	struct save_dir sd = { .cfd = -1, .dfd = -1 };
	char uuid[37];
	uint64_t off, len;
	int incomplete, r, lockfd;

	*saved = 0;
	r = area_header_read(&t->src, &h, e);
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

	lockfd = coredir_lock("save", e);
	if (lockfd < 0)
		return lockfd;
	sd.cfd = coredir_open(o->coredir, e);
	if (sd.cfd < 0) {
		close(lockfd);
		return sd.cfd;
	}
	save_stamp(h.crash_time > 0 ? h.crash_time : time(NULL), sd.stamp);
	r = save_into(t, &h, o, &sd, saved, e);
	if (sd.dfd >= 0) {
		snprintf(outdir, outdir_size, "%s", sd.path);
		close(sd.dfd);
	}
	close(sd.cfd);
	close(lockfd);
	return r;
}
