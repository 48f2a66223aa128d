/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's side of bmdump-selftest.efi's report (contract
 * include/bmdump/selftest.h): reading it out of the area's self-test tail
 * for `bmdump selftest --report` and `bmdump status`.  Through bm_src, so
 * the unit tests use memory.  Nothing read from the disk is trusted: the
 * text is bounded, CRC-checked and cleaned of control characters.
 */
#ifndef BMDUMP_HOST_SELFTEST_H
#define BMDUMP_HOST_SELFTEST_H

#include <stdio.h>

#include <bmdump/selftest.h>

#include "bmdump.h"

/*
 * The last report of the area whose (checked) header is h.  0 with *r and
 * *text (NUL-terminated, caller frees); BM_E_NOTFOUND when the area was
 * never qualified (no report, or an area without a self-test tail);
 * BM_E_CORRUPT when the block is torn; BM_E_IO.
 */
int selftest_report_read(const struct bm_src *part,
			 const struct bmdump_area_header *h,
			 struct bmdump_selftest_report *r, char **text,
			 struct bm_err *e);

/* What `bmdump status` shows of the last report. */
enum selftest_state {
	SELFTEST_UNKNOWN,		/* not looked at: the area unread */
	SELFTEST_NEVER,			/* no report: never run here */
	SELFTEST_PASS,
	SELFTEST_FAIL,
	SELFTEST_UNREADABLE,		/* torn, corrupt, or an I/O error */
	SELFTEST_OTHER_AREA,		/* of another area's UUID */
};

struct selftest_summary {
	int state;			/* enum selftest_state */
	int32_t error;			/* the report's first error */
	int64_t run_time;		/* unix seconds, firmware clock; 0 */
	uint64_t write_kbps;
};

void selftest_summarize(const struct bm_src *part,
			const struct bmdump_area_header *h,
			struct selftest_summary *s);
/* "pass", "fail", "never", "unreadable", "other-area"; "" unknown. */
const char *selftest_state_name(int state);
/* The status line after "self-test:", e.g. "pass on DATE (N MB/s), ...". */
void selftest_summary_line(const struct selftest_summary *s, char *buf,
			   size_t size);
/* NULL when the last report passed on this area, else a warning. */
const char *selftest_summary_warning(const struct selftest_summary *s);

/*
 * What status says about qualification: NULL when the last report passed
 * on this area's current generation, else a warning (static string).
 */
const char *selftest_status_warning(const struct bm_src *part,
				    const struct bmdump_area_header *h);

/*
 * `bmdump info --area`: the last report under the area's own log, or why
 * there is none, so one command shows everything the area records.
 */
void selftest_print(FILE *out, const struct bm_src *part,
		    const struct bmdump_area_header *h);

/* The firmware boot entry `bmdump selftest` makes, and the app it loads. */
#define SELFTEST_BOOT_LABEL	"bmdump selftest"
#define SELFTEST_BOOT_LOADER	"\\EFI\\bmdump\\bmdump-selftest.efi"

/*
 * bmdump's own entries in `efibootmgr -v` output (efibootmgr 17: lines
 * "Boot####* LABEL<tab>DEVICE-PATH"): the label exactly
 * SELFTEST_BOOT_LABEL and the path's File() exactly SELFTEST_BOOT_LOADER
 * (case-insensitive, as FAT is).  Fills num[] with the first max entry
 * numbers in the order listed; returns how many there are in all, so more
 * than max is seen.  out is untrusted text: only read, never copied, each
 * line bounded by its newline or the NUL.
 */
unsigned int selftest_boot_entries(const char *out, uint16_t *num,
				   unsigned int max);

#endif /* BMDUMP_HOST_SELFTEST_H */
