/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Physical memory for the fuzz targets.  Regions are page granular (the
 * fuzz input, zero-padded to whole pages, as real memory is).  Every
 * phys_ram()/phys_fw() call returns a fresh copy of exactly the bytes
 * asked for, so ASan reports any read past what the caller mapped, even
 * inside the region.  fz_reset() frees everything: call it per input.
 */
#ifndef TESTS_FUZZ_PHYS_FAKE_H
#define TESTS_FUZZ_PHYS_FAKE_H

#include <stddef.h>
#include <stdint.h>

enum fz_kind {
	FZ_RAM,		/* phys_ram() and phys_fw() */
	FZ_FW,		/* phys_fw() only */
};

void fz_add(uint64_t pa, const void *data, size_t len, enum fz_kind kind);
void fz_reset(void);

/*
 * Called with every phys_ram() request, served or not, when set: a target
 * checks there that the code under test asks only for what it may read.
 */
extern void (*fz_ram_hook)(uint64_t pa, uint64_t len);

/* len zeroed bytes with nothing after them (freed by fz_reset()). */
void *fz_alloc(size_t len);
/* A copy of data[0..len) with nothing after it (freed by fz_reset()). */
void *fz_dup(const void *data, size_t len);

/* abort() with a message: an invariant of the code under test broke. */
void fz_fail(const char *what) __attribute__((noreturn));
#define FZ_CHECK(cond) do { if (!(cond)) fz_fail(#cond); } while (0)

#endif /* TESTS_FUZZ_PHYS_FAKE_H */
