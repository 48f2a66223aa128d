/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dump area from the host side: laying out a new header (prepare),
 * reading and checking one, deciding what part of it holds an image, state
 * changes (save marks SAVED).  No device handling here: everything goes
 * through bm_src/bm_sink so unit tests and the fuzzer use memory.
 */
#ifndef BMDUMP_AREAIO_H
#define BMDUMP_AREAIO_H

#include <bmdump/area.h>

#include "bmdump.h"

#define AREA_DEFAULT_LOG_BYTES	(1ull << 20)
#define AREA_ALIGN		(1ull << 20)	/* dump_offset alignment */
#define AREA_MIN_BYTES		(4ull << 20)

/*
 * Fill h for a fresh EMPTY area of part_bytes: header block, the log from
 * 4 KiB to log_reserve (rounded so the image starts 1 MiB aligned), the
 * image in the rest (4 KiB multiple) up to the self-test's tail.
 */
int area_layout(struct bmdump_area_header *h, uint64_t part_bytes,
		uint64_t log_reserve, const uint8_t uuid[16], int64_t now,
		struct bm_err *e);
void area_seal(struct bmdump_area_header *h);

/* Reads and checks the header at offset 0 of part. */
int area_header_read(const struct bm_src *part,
		     struct bmdump_area_header *h, struct bm_err *e);
/* Writes h (sealed) as the whole first 4 KiB block. */
int area_header_write(const struct bm_sink *part,
		      struct bmdump_area_header *h, struct bm_err *e);

const char *area_state_name(uint32_t state);
int area_has_unsaved_dump(const struct bmdump_area_header *h);
const char *area_source_name(int32_t source);

/*
 * Where the image lies: COMPLETE -> dump_bytes; WRITING (the stub did not
 * finish) -> the whole capacity, salvaged as incomplete.  Returns 0, or
 * BM_E_NOTFOUND when the state holds no dump.
 */
int area_image_extent(const struct bmdump_area_header *h, uint64_t *off,
		      uint64_t *len, int *incomplete);

/* The stub's log (log_used bytes, at most max), NUL-terminated, cleaned of
 * control characters but newlines.  Caller frees. */
int area_read_log(const struct bm_src *part, const struct bmdump_area_header *h,
		  size_t max, char **out, struct bm_err *e);

#endif /* BMDUMP_AREAIO_H */
