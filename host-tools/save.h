/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bmdump save`: the area's image to /var/crash/<stamp>/dump.<stamp> (first
 * written as dump-incomplete), with dmesg.<stamp>, the stub's log and an
 * info file, retention and a free-space guard; then the area is SAVED.
 */
#ifndef BMDUMP_SAVE_H
#define BMDUMP_SAVE_H

#include <stdio.h>

#include "locate.h"

struct save_opts {
	const char *coredir;
	int compress;
	unsigned int keep;		/* 0: keep all */
	uint64_t min_free;		/* bytes that must stay free */
	int read_only;			/* do not mark the area SAVED */
	const char *makedumpfile;	/* "" or NULL: no dmesg */
	int progress;			/* draw a bar on stderr */
	uint64_t abort_after_pages;	/* testing only */
	unsigned int threads;		/* compression threads */
};

/* 0 (saved, or nothing to save: *saved tells) or a BM_E_* code. */
int save_area(struct area_target *t, const struct save_opts *o, int *saved,
	      char *outdir, size_t outdir_size, struct bm_err *e);

/* The progress text for done of total pages after secs seconds:
 * percentage, pages, rate and (before the end) the time left. */
void save_progress_line(char *out, size_t size, uint64_t done,
			uint64_t total, double secs);

/* "YYYYMMDDHHMM" of t in local time. */
void save_stamp(int64_t t, char out[16]);
/* Is name a dump directory bmdump (or kdump-tools) made? */
int save_is_dump_dir_name(const char *name);
/*
 * Of n dump directory names, which to delete to keep `keep`: sorts names
 * (oldest first) and returns how many of the first ones go (0 if keep is 0
 * or n <= keep).
 */
unsigned int save_retention_select(char **names, unsigned int n,
				   unsigned int keep);

#endif /* BMDUMP_SAVE_H */
