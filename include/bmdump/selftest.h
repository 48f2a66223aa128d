/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmdump-selftest.efi -> host: the self-test report.
 *
 * The UEFI app (boot/efi/) writes one report block at the start of the
 * area's self-test tail (area.h, bmdump_selftest_offset()):
 *
 *   [0, 512)                            struct bmdump_selftest_report
 *   [512, 512 + text_bytes)             the report as the console showed it
 *
 * `bmdump selftest --report` and `bmdump status` read it back.  The text is
 * for people; the struct carries what the host decides on (verdict, first
 * error, the area generation it qualified).
 */
#ifndef BMDUMP_SELFTEST_H
#define BMDUMP_SELFTEST_H

#include "area.h"

#define BMDUMP_REPORT_MAGIC	0x54464c4553444d42ULL	/* "BMDSELFT" */
#define BMDUMP_REPORT_VERSION	1
#define BMDUMP_REPORT_TEXT_OFF	512u
#define BMDUMP_REPORT_TEXT_MAX	(BMDUMP_SELFTEST_REPORT_BYTES - \
				 BMDUMP_REPORT_TEXT_OFF)

enum bmdump_selftest_verdict {
	BMDUMP_VERDICT_PASS = 1,
	BMDUMP_VERDICT_FAIL = 2,
};

struct bmdump_selftest_report {
	uint64_t magic;
	uint32_t version;
	uint32_t header_bytes;		/* sizeof, covered by crc */
	uint8_t area_uuid[16];		/* the area it ran on */
	int32_t verdict;		/* enum bmdump_selftest_verdict */
	int32_t error;			/* the first error (errors.h), or 0 */
	uint64_t generation;		/* the area's at the time */
	uint64_t write_kbps;		/* write throughput, KiB/s */
	uint64_t write_bytes;		/* bytes written to measure it */
	int64_t run_time;		/* unix seconds, firmware clock */
	uint32_t text_bytes;		/* after BMDUMP_REPORT_TEXT_OFF */
	uint32_t text_crc;		/* CRC32C of the text */
	uint32_t reserved[3];
	uint32_t crc;			/* CRC32C of header_bytes, crc = 0 */
};

_Static_assert(sizeof(struct bmdump_selftest_report) == 96,
	       "selftest report layout");
_Static_assert(sizeof(struct bmdump_selftest_report) <= BMDUMP_REPORT_TEXT_OFF,
	       "report struct before its text");

#define BMDUMP_REPORT_E_MAGIC	(-1)
#define BMDUMP_REPORT_E_CRC	(-2)
#define BMDUMP_REPORT_E_TEXT	(-3)

static inline uint32_t bmdump_report_crc(const struct bmdump_selftest_report *r)
{
	return bmdump_crc32c_sealed(r, sizeof(*r),
				    offsetof(struct bmdump_selftest_report,
					     crc));
}

/* Fill in both CRCs of a report block whose struct and text are in place. */
static inline void bmdump_report_seal(void *block)
{
	struct bmdump_selftest_report *r = block;

	r->text_crc = bmdump_crc32c(0, (const uint8_t *)block +
				    BMDUMP_REPORT_TEXT_OFF, r->text_bytes);
	r->crc = bmdump_report_crc(r);
}

/*
 * Is block (BMDUMP_SELFTEST_REPORT_BYTES long) a report?  0, or
 * BMDUMP_REPORT_E_MAGIC (never written: the area was not qualified yet),
 * _CRC or _TEXT (torn or corrupt).
 */
static inline int bmdump_report_check(const void *block)
{
	const struct bmdump_selftest_report *r = block;

	if (r->magic != BMDUMP_REPORT_MAGIC ||
	    r->version != BMDUMP_REPORT_VERSION ||
	    r->header_bytes != sizeof(*r))
		return BMDUMP_REPORT_E_MAGIC;
	if (bmdump_report_crc(r) != r->crc ||
	    (r->verdict != BMDUMP_VERDICT_PASS &&
	     r->verdict != BMDUMP_VERDICT_FAIL))
		return BMDUMP_REPORT_E_CRC;
	if (r->text_bytes > BMDUMP_REPORT_TEXT_MAX ||
	    bmdump_crc32c(0, (const uint8_t *)block + BMDUMP_REPORT_TEXT_OFF,
			  r->text_bytes) != r->text_crc)
		return BMDUMP_REPORT_E_TEXT;
	return 0;
}

static inline const char *bmdump_verdict_name(int32_t verdict)
{
	return verdict == BMDUMP_VERDICT_PASS ? "pass" :
	       verdict == BMDUMP_VERDICT_FAIL ? "FAIL" : "unknown";
}

#endif /* BMDUMP_SELFTEST_H */
