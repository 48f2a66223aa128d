/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Contract 5, host -> stub: the boot set for bmdump.final=boot.
 *
 * The kernel, initramfs and command line the stub starts after the dump
 * instead of resetting (issue 21), staged by `bmdump load` into the boot
 * slot of the dump area:
 *
 *   [dump_offset, +dump_capacity)    the kdump-compressed image
 *   [slot, selftest_offset)          THE BOOT SLOT:
 *       [slot, +4096)                  struct bmdump_bootset_header
 *       [slot + kernel.offset, ...)    bzImage, cmdline, initrd (4 KiB
 *                                      aligned, in any order)
 *   [selftest_offset, area end)      bmdump-selftest.efi's tail
 *
 * Why there: the slot is the gap `bmdump prepare` leaves between the end
 * of the dump region and the self-test's tail (area.h).  The area header
 * already bounds every stub write to [log) and [dump_offset,
 * +dump_capacity), and the self-test writes only in its tail, so nothing
 * but the host's staging ever writes the gap: a dump can never overwrite
 * the kernel the stub is about to start, and staging can never touch a
 * dump.  It needs no new field in the area header (version stays 1): the
 * slot is where the dump ends, and an area whose dump reaches the tail
 * (prepared without a slot, or before this existed) simply has none.
 *
 * The header is written last and sealed with CRC32C; each blob carries its
 * own CRC32C.  Offsets are from the slot start.  Nothing read from the
 * disk is trusted: bmdump_bootset_check() bounds every offset and length
 * against the slot without an overflow, and the stub checks each blob's
 * CRC after reading it, before it places anything in memory.
 */
#ifndef BMDUMP_BOOTSET_H
#define BMDUMP_BOOTSET_H

#include "types.h"
#include "area.h"
#include "crc32c.h"
#include "uuid.h"

/* "BOOTBSET" in the first 8 bytes of the slot */
#define BMDUMP_BOOTSET_MAGIC	0x54455342544f4f42ULL
#define BMDUMP_BOOTSET_VERSION	1
/* The header has a block to itself; blob offsets are whole blocks. */
#define BMDUMP_BOOTSET_HDR_BYTES 4096u
#define BMDUMP_BOOTSET_ALIGN	4096u
/* The smallest slot worth having: the header and a small kernel. */
#define BMDUMP_BOOTSET_MIN_SLOT	(4ull << 20)
/* What `bmdump prepare` carves when asked for one without a size:
 * a Debian kernel (12 MiB) and a MODULES=most initramfs (35-70 MiB),
 * with room to grow across kernel upgrades. */
#define BMDUMP_BOOTSET_DEFAULT_SLOT (256ull << 20)
/* The command line the stub hands the new kernel: the boot protocol's
 * cmdline_size of any 2.06+ kernel is at least this (x86: 2048). */
#define BMDUMP_BOOTSET_CMDLINE_MAX 2048u

struct bmdump_bootset_blob {
	uint64_t offset;		/* from the slot start */
	uint64_t bytes;
	uint32_t crc;			/* CRC32C of the bytes */
	uint32_t reserved;
};

_Static_assert(sizeof(struct bmdump_bootset_blob) == 24, "blob layout");

struct bmdump_bootset_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_bytes;		/* bytes covered by crc */
	uint8_t area_uuid[16];		/* the area it was staged into */
	uint64_t slot_bytes;		/* slot size when staged */
	int64_t stage_time;		/* unix seconds */
	struct bmdump_bootset_blob kernel;	/* bzImage */
	struct bmdump_bootset_blob initrd;	/* bytes 0: none */
	struct bmdump_bootset_blob cmdline;	/* no NUL; bytes 0: empty */
	char release[65];		/* the kernel's, for messages */
	uint8_t pad[7];
	uint32_t flags;			/* none defined: must be 0 */
	uint32_t crc;			/* CRC32C, crc taken as 0 */
};

_Static_assert(sizeof(struct bmdump_bootset_header) == 200,
	       "boot set header layout");
_Static_assert(offsetof(struct bmdump_bootset_header, kernel) == 48,
	       "blobs after the fixed fields");
_Static_assert(offsetof(struct bmdump_bootset_header, crc) == 196,
	       "crc last");
_Static_assert(sizeof(struct bmdump_bootset_header) <=
	       BMDUMP_BOOTSET_HDR_BYTES, "header fits its block");

#define BMDUMP_BOOTSET_HDR_SIZE ((uint32_t)sizeof(struct bmdump_bootset_header))

/* Error codes of the checks below; see bmdump_bootset_strerror(). */
#define BMDUMP_BOOTSET_E_NOSLOT		(-1)
#define BMDUMP_BOOTSET_E_MAGIC		(-2)
#define BMDUMP_BOOTSET_E_VERSION	(-3)
#define BMDUMP_BOOTSET_E_SIZE		(-4)
#define BMDUMP_BOOTSET_E_CRC		(-5)
#define BMDUMP_BOOTSET_E_UUID		(-6)
#define BMDUMP_BOOTSET_E_BOUNDS		(-7)
#define BMDUMP_BOOTSET_E_OVERLAP	(-8)
#define BMDUMP_BOOTSET_E_CMDLINE	(-9)
#define BMDUMP_BOOTSET_E_BLOB_CRC	(-10)
#define BMDUMP_BOOTSET_E_CMDLINE_BYTES	(-11)

static inline uint32_t bmdump_bootset_crc(const struct bmdump_bootset_header *h)
{
	return bmdump_crc32c_sealed(h, sizeof(*h),
				    offsetof(struct bmdump_bootset_header,
					     crc));
}

/*
 * Where the boot slot lies in an area whose header passed
 * bmdump_area_check(): 0 and *off, *bytes (from the partition start), or
 * BMDUMP_BOOTSET_E_NOSLOT when the dump reaches the self-test's tail or
 * the gap is smaller than BMDUMP_BOOTSET_MIN_SLOT.  The area check bounds
 * dump_offset + dump_capacity by the partition, so the sum cannot wrap.
 */
static inline int bmdump_bootset_slot(const struct bmdump_area_header *h,
				      uint64_t *off, uint64_t *bytes)
{
	uint64_t tail = bmdump_selftest_offset(h);
	uint64_t start = h->dump_offset + h->dump_capacity;

	if (!tail || start > tail || tail - start < BMDUMP_BOOTSET_MIN_SLOT ||
	    start % BMDUMP_BOOTSET_ALIGN)
		return BMDUMP_BOOTSET_E_NOSLOT;
	*off = start;
	*bytes = tail - start;
	return 0;
}

/* Does blob b lie after the header block and inside a slot of slot_bytes?
 * Written so that no sum of on-disk numbers can wrap. */
static inline int
bmdump_bootset_blob_inside(const struct bmdump_bootset_blob *b,
			   uint64_t slot_bytes)
{
	if (!b->bytes)
		return !b->offset;	/* absent: offset 0 too */
	return b->offset >= BMDUMP_BOOTSET_HDR_BYTES &&
	       b->offset % BMDUMP_BOOTSET_ALIGN == 0 &&
	       b->bytes <= slot_bytes && b->offset <= slot_bytes - b->bytes;
}

/* Do two blobs, both inside the slot, share a byte? */
static inline int
bmdump_bootset_blobs_overlap(const struct bmdump_bootset_blob *a,
			     const struct bmdump_bootset_blob *b)
{
	if (!a->bytes || !b->bytes)
		return 0;
	return a->offset < b->offset + b->bytes &&
	       b->offset < a->offset + a->bytes;
}

/*
 * THE check, on the host before it reports a set staged and in the stub
 * before it reads a blob: is h a sealed boot set for the area uuid, every
 * blob inside a slot of slot_bytes (the size bmdump_bootset_slot() gave,
 * never the header's own slot_bytes), none overlapping another, a kernel
 * present and the command line short enough?  0 or a BMDUMP_BOOTSET_E_*.
 */
static inline int bmdump_bootset_check(const struct bmdump_bootset_header *h,
				       uint64_t slot_bytes,
				       const uint8_t uuid[16])
{
	if (h->magic != BMDUMP_BOOTSET_MAGIC)
		return BMDUMP_BOOTSET_E_MAGIC;
	if (h->version != BMDUMP_BOOTSET_VERSION)
		return BMDUMP_BOOTSET_E_VERSION;
	if (h->header_bytes != BMDUMP_BOOTSET_HDR_SIZE || h->flags)
		return BMDUMP_BOOTSET_E_SIZE;
	if (bmdump_bootset_crc(h) != h->crc)
		return BMDUMP_BOOTSET_E_CRC;
	if (!bmdump_uuid_equal(h->area_uuid, uuid))
		return BMDUMP_BOOTSET_E_UUID;
	if (h->slot_bytes != slot_bytes || !h->kernel.bytes ||
	    !bmdump_bootset_blob_inside(&h->kernel, slot_bytes) ||
	    !bmdump_bootset_blob_inside(&h->initrd, slot_bytes) ||
	    !bmdump_bootset_blob_inside(&h->cmdline, slot_bytes))
		return BMDUMP_BOOTSET_E_BOUNDS;
	if (bmdump_bootset_blobs_overlap(&h->kernel, &h->initrd) ||
	    bmdump_bootset_blobs_overlap(&h->kernel, &h->cmdline) ||
	    bmdump_bootset_blobs_overlap(&h->initrd, &h->cmdline))
		return BMDUMP_BOOTSET_E_OVERLAP;
	if (h->cmdline.bytes >= BMDUMP_BOOTSET_CMDLINE_MAX)
		return BMDUMP_BOOTSET_E_CMDLINE;
	return 0;
}

/*
 * A blob's bytes as read back against the CRC the checked header gives:
 * 0 or BMDUMP_BOOTSET_E_BLOB_CRC.  crc is bmdump_crc32c() over all of
 * them, which a reader may compute piecewise as it reads.
 */
static inline int
bmdump_bootset_blob_verify(const struct bmdump_bootset_blob *b, uint32_t crc)
{
	return crc == b->crc ? 0 : BMDUMP_BOOTSET_E_BLOB_CRC;
}

/* The kernel's isspace() as its command-line parser (next_arg()) uses it. */
static inline int bmdump_bootset_cmdline_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/*
 * Where the stub may add its own words (bmdump.warmboot=1, ...) to a
 * staged command line of n bytes: 0 and *at, the offset of the first
 * unquoted "--" word (the kernel hands every word after it to init, so
 * words added at the end would never reach the kernel), or n.
 * BMDUMP_BOOTSET_E_CMDLINE_BYTES when the bytes hold a NUL (the kernel
 * stops reading there, so the added words would be lost) or leave a quote
 * open (the added words would become part of the last value).
 */
static inline int bmdump_bootset_cmdline_tail(const char *s, uint64_t n,
					      uint64_t *at)
{
	int quoted = 0;
	uint64_t i;

	*at = n;
	for (i = 0; i < n; i++) {
		if (!s[i])
			return BMDUMP_BOOTSET_E_CMDLINE_BYTES;
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && *at == n && s[i] == '-' && i + 1 < n &&
			 s[i + 1] == '-' &&
			 (!i || bmdump_bootset_cmdline_space(s[i - 1])) &&
			 (i + 2 == n || bmdump_bootset_cmdline_space(s[i + 2])))
			*at = i;
	}
	return quoted ? BMDUMP_BOOTSET_E_CMDLINE_BYTES : 0;
}

static inline const char *bmdump_bootset_strerror(int err)
{
	switch (err) {
	case BMDUMP_BOOTSET_E_NOSLOT:
		return "the area has no boot slot (re-run bmdump prepare "
		       "with FINAL_ACTION=boot after saving any dump)";
	case BMDUMP_BOOTSET_E_MAGIC:
		return "no boot set staged (run bmdump load)";
	case BMDUMP_BOOTSET_E_VERSION:
		return "boot set version unknown (update bmdump, re-run "
		       "bmdump load)";
	case BMDUMP_BOOTSET_E_SIZE:
		return "boot set header size or flags wrong (re-run bmdump "
		       "load)";
	case BMDUMP_BOOTSET_E_CRC:
		return "boot set header CRC mismatch (corrupt: re-run bmdump "
		       "load)";
	case BMDUMP_BOOTSET_E_UUID:
		return "boot set staged for another area (copied disk?): "
		       "re-run bmdump load";
	case BMDUMP_BOOTSET_E_BOUNDS:
		return "boot set kernel, initrd or command line outside the "
		       "boot slot (re-run bmdump load)";
	case BMDUMP_BOOTSET_E_OVERLAP:
		return "boot set kernel, initrd and command line overlap "
		       "(re-run bmdump load)";
	case BMDUMP_BOOTSET_E_CMDLINE:
		return "boot set command line too long (shorten BOOT_CMDLINE)";
	case BMDUMP_BOOTSET_E_BLOB_CRC:
		return "boot set kernel, initrd or command line CRC mismatch "
		       "(corrupt: re-run bmdump load)";
	case BMDUMP_BOOTSET_E_CMDLINE_BYTES:
		return "boot set command line holds a NUL byte or an unclosed "
		       "quote (fix BOOT_CMDLINE, re-run bmdump load)";
	}
	return "unknown boot set error";
}

#endif /* BMDUMP_BOOTSET_H */
