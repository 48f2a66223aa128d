/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Contract 2, stub -> disk: the dump area.
 *
 * A GPT partition whose type GUID is BMDUMP_AREA_TYPE_GUID, prepared by
 * `bmdump prepare`, which writes this header into its first 4 KiB:
 *
 *   [0, 4096)                        struct bmdump_area_header
 *   [log_offset, +log_bytes)         the stub's console log (text)
 *   [dump_offset, +dump_capacity)    the kdump-compressed image
 *   [selftest_offset, area end)      bmdump-selftest.efi's tail: its report,
 *                                    then the scratch it writes patterns to
 *
 * Which partition is "the area for UUID X" is one rule, bmdump_area_match()
 * below, which the stub and the host tools both call: bmdump's type GUID,
 * a header that passes bmdump_area_check(), and area_uuid == X.  When more
 * than one partition matches (a cloned disk), none is the area: the stub
 * writes to no disk and `bmdump status` refuses, naming both.  State
 * machine: EMPTY (prepared or saved) -> WRITING (stub started) -> COMPLETE
 * (stub flushed everything) -> SAVED (`bmdump save` copied it out).  The
 * stub refuses WRITING and COMPLETE, which hold a dump nobody saved yet,
 * unless told bmdump.overwrite=1.
 */
#ifndef BMDUMP_AREA_H
#define BMDUMP_AREA_H

#include "types.h"
#include "crc32c.h"
#include "uuid.h"		/* area_uuid: its parser and format */

#define BMDUMP_AREA_MAGIC	0x0041455241444d42ULL	/* "BMDAREA\0" */
#define BMDUMP_AREA_VERSION	1
#define BMDUMP_AREA_HDR_BYTES	4096u	/* the block the header occupies */

/* GPT partition type GUID of a bmdump area. */
#define BMDUMP_AREA_TYPE_GUID_STR "773451c3-e640-4c89-9aab-b4fe3b56a9c9"
/* The same GUID as GPT stores it (first three fields little-endian). */
#define BMDUMP_AREA_TYPE_GUID_GPT { \
	0xc3, 0x51, 0x34, 0x77, 0x40, 0xe6, 0x89, 0x4c, \
	0x9a, 0xab, 0xb4, 0xfe, 0x3b, 0x56, 0xa9, 0xc9 }

enum bmdump_area_state {
	BMDUMP_AREA_EMPTY	= 1,
	BMDUMP_AREA_WRITING	= 2,
	BMDUMP_AREA_COMPLETE	= 3,
	BMDUMP_AREA_SAVED	= 4,
};

/* flags */
#define BMDUMP_AREA_F_INCOMPLETE	0x1	/* dump did not fit */
#define BMDUMP_AREA_F_BITMAP_HOOK	0x2	/* pages chosen by bmdump.ko */
#define BMDUMP_AREA_F_OVERWROTE		0x4	/* an unsaved dump was replaced */

/* bitmap_source */
#define BMDUMP_SOURCE_NONE	0
#define BMDUMP_SOURCE_HOOK	1	/* bmdump.ko's bitmap */
#define BMDUMP_SOURCE_FULL	2	/* every RAM page */
#define BMDUMP_SOURCE_STUB	3	/* the stub's own scan (stub/scan.c) */

struct bmdump_area_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_bytes;		/* bytes covered by crc */
	uint8_t area_uuid[16];		/* RFC 4122 byte order */
	uint32_t state;			/* enum bmdump_area_state */
	uint32_t flags;			/* BMDUMP_AREA_F_* */
	uint64_t area_bytes;		/* partition size at prepare */
	uint64_t log_offset;		/* from the partition start */
	uint64_t log_bytes;		/* capacity */
	uint64_t log_used;
	uint64_t dump_offset;
	uint64_t dump_capacity;
	uint64_t dump_bytes;		/* bytes of image written */
	uint64_t generation;		/* dumps written since prepare */
	int64_t prepare_time;		/* unix seconds */
	int64_t crash_time;		/* CRASHTIME of the dump */
	int64_t save_time;
	int32_t bitmap_source;		/* BMDUMP_SOURCE_* */
	int32_t bitmap_error;		/* why not the hook's bitmap, or 0 */
	uint64_t pages_dumped;		/* 2nd-bitmap bits written */
	uint64_t zero_pages;
	uint64_t pages_planned;		/* pages that would be a full dump */
	uint64_t write_ms;		/* stub: write + flush time */
	char osrelease[65];		/* of the crashed kernel */
	char nodename[65];
	uint8_t pad[2];
	int32_t stub_error;		/* stub: error that ended the dump, or 0 */
	/*
	 * Salvage watermark: page descriptors [0, descs_written) of the image
	 * and the pages they point to, with the kdump header and bitmaps
	 * before them, are this generation's and on the disk (the stub
	 * flushes before it raises it).  Reset to 0 when the area goes
	 * WRITING; a WRITING area's salvage keeps only those pages.
	 */
	uint64_t descs_written;
	/* stub: microseconds the page bitmap it used took to make, bmdump.ko's
	 * fill at the crash or its own scan; 0: all RAM, or an older stub */
	uint32_t bitmap_us;
	uint32_t crc;			/* CRC32C of header_bytes, crc = 0 */
};

_Static_assert(sizeof(struct bmdump_area_header) == 320, "area header layout");
_Static_assert(offsetof(struct bmdump_area_header, crc) == 316, "crc last");
_Static_assert(offsetof(struct bmdump_area_header, descs_written) == 304,
	       "watermark where reserved[0..1] was: old areas read 0");

#define BMDUMP_AREA_HDR_SIZE	((uint32_t)sizeof(struct bmdump_area_header))

/* Error codes of bmdump_area_check(); see bmdump_area_strerror(). */
#define BMDUMP_AREA_E_MAGIC	(-1)
#define BMDUMP_AREA_E_VERSION	(-2)
#define BMDUMP_AREA_E_SIZE	(-3)
#define BMDUMP_AREA_E_CRC	(-4)
#define BMDUMP_AREA_E_STATE	(-5)
#define BMDUMP_AREA_E_BOUNDS	(-6)
/* ... and of bmdump_area_match(), after the header checks. */
#define BMDUMP_AREA_E_TYPE	(-7)
#define BMDUMP_AREA_E_UUID	(-8)

static inline uint32_t bmdump_area_crc(const struct bmdump_area_header *h)
{
	return bmdump_crc32c_sealed(h, sizeof(*h),
				    offsetof(struct bmdump_area_header, crc));
}

/*
 * Is this a well-formed area header for a partition of part_bytes bytes
 * (0: size unknown)?  Checks magic, version, CRC, state, and that the log
 * and dump regions lie inside the partition and after the header.
 */
static inline int bmdump_area_check(const struct bmdump_area_header *h,
				    uint64_t part_bytes)
{
	uint64_t end = part_bytes ? part_bytes : h->area_bytes;

	if (h->magic != BMDUMP_AREA_MAGIC)
		return BMDUMP_AREA_E_MAGIC;
	if (h->version != BMDUMP_AREA_VERSION)
		return BMDUMP_AREA_E_VERSION;
	if (h->header_bytes != BMDUMP_AREA_HDR_SIZE)
		return BMDUMP_AREA_E_SIZE;
	if (bmdump_area_crc(h) != h->crc)
		return BMDUMP_AREA_E_CRC;
	if (h->state < BMDUMP_AREA_EMPTY || h->state > BMDUMP_AREA_SAVED)
		return BMDUMP_AREA_E_STATE;
	if (h->area_bytes > end || h->log_offset < BMDUMP_AREA_HDR_BYTES ||
	    h->log_bytes > end || h->log_offset > end - h->log_bytes ||
	    h->log_used > h->log_bytes ||
	    h->dump_offset < h->log_offset + h->log_bytes ||
	    h->dump_capacity > end || h->dump_offset > end - h->dump_capacity ||
	    h->dump_bytes > h->dump_capacity ||
	    (h->log_offset | h->dump_offset | h->dump_capacity) % 4096)
		return BMDUMP_AREA_E_BOUNDS;
	return 0;
}

/* Is a GPT partition type GUID, in GPT's on-disk byte order, bmdump's? */
static inline int bmdump_area_type_ok(const uint8_t type_gpt[16])
{
	static const uint8_t want[16] = BMDUMP_AREA_TYPE_GUID_GPT;

	return bmdump_uuid_equal(type_gpt, want);
}

/*
 * A GUID in text form (blkid's PART_ENTRY_TYPE) in GPT's on-disk byte
 * order: the first three fields little-endian.  0, or -1 when s is no GUID
 * (an MBR type such as "0x83").
 */
static inline int bmdump_guid_parse_gpt(const char *s, size_t len,
					uint8_t out[16])
{
	uint8_t u[16];
	static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6,
					   8, 9, 10, 11, 12, 13, 14, 15 };
	int i;

	if (bmdump_uuid_parse(s, len, u))
		return -1;
	for (i = 0; i < 16; i++)
		out[i] = u[order[i]];
	return 0;
}

/*
 * THE rule: is a partition of part_bytes bytes whose GPT type GUID is
 * type_gpt and whose first bytes are h the dump area for uuid?  0 when it
 * is; else why not: BMDUMP_AREA_E_TYPE, a bmdump_area_check() code, or
 * BMDUMP_AREA_E_UUID (a valid area, another one).  Whoever calls it must
 * try every partition it can see and refuse when two match.
 */
static inline int bmdump_area_match(const uint8_t type_gpt[16],
				    const struct bmdump_area_header *h,
				    uint64_t part_bytes, const uint8_t uuid[16])
{
	int r;

	if (!bmdump_area_type_ok(type_gpt))
		return BMDUMP_AREA_E_TYPE;
	r = bmdump_area_check(h, part_bytes);
	if (r)
		return r;
	if (!bmdump_uuid_equal(h->area_uuid, uuid))
		return BMDUMP_AREA_E_UUID;
	return 0;
}

/*
 * Not a match, for messages only: a bmdump header that names uuid but
 * failed bmdump_area_match() (damaged), so the tools can say "corrupt"
 * rather than "missing".  Never written to.
 */
static inline int bmdump_area_claims(const struct bmdump_area_header *h,
				     const uint8_t uuid[16])
{
	return h->magic == BMDUMP_AREA_MAGIC &&
	       bmdump_uuid_equal(h->area_uuid, uuid);
}

/*
 * The self-test's tail: the last BMDUMP_SELFTEST_BYTES of the area (its
 * size at prepare, rounded down to 4 KiB) belong to bmdump-selftest.efi,
 * which qualifies the stub's write path there without touching a dump.
 * `bmdump prepare` ends the log and the dump before it, so the stub never
 * writes into it.  The report block comes first, the scratch after it.
 */
#define BMDUMP_SELFTEST_BYTES		(2u << 20)
#define BMDUMP_SELFTEST_REPORT_BYTES	(64u << 10)

/*
 * Where the tail starts (from the partition start), or 0 when the area has
 * none: too small, or its log or dump reach into the tail (an area prepared
 * before the self-test existed).  h must have passed bmdump_area_check().
 */
static inline uint64_t bmdump_selftest_offset(const struct bmdump_area_header *h)
{
	uint64_t end = h->area_bytes & ~4095ull, tail;

	if (end < BMDUMP_AREA_HDR_BYTES + BMDUMP_SELFTEST_BYTES)
		return 0;
	tail = end - BMDUMP_SELFTEST_BYTES;
	if (h->log_offset + h->log_bytes > tail ||
	    h->dump_offset + h->dump_capacity > tail)
		return 0;
	return tail;
}

static inline const char *bmdump_area_strerror(int err)
{
	switch (err) {
	case BMDUMP_AREA_E_MAGIC:
		return "no bmdump area header (run bmdump prepare)";
	case BMDUMP_AREA_E_VERSION:
		return "area header version unknown (update bmdump)";
	case BMDUMP_AREA_E_SIZE:
		return "area header size wrong (re-run bmdump prepare)";
	case BMDUMP_AREA_E_CRC:
		return "area header CRC mismatch (corrupt: re-run bmdump prepare)";
	case BMDUMP_AREA_E_STATE:
		return "area header state invalid (re-run bmdump prepare)";
	case BMDUMP_AREA_E_BOUNDS:
		return "area header regions outside the partition "
		       "(re-run bmdump prepare)";
	case BMDUMP_AREA_E_TYPE:
		return "not a partition of bmdump's type GUID";
	case BMDUMP_AREA_E_UUID:
		return "an area with another UUID";
	}
	return "unknown area error";
}

#endif /* BMDUMP_AREA_H */
