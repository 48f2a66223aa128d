/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot set from the host side (include/bmdump/bootset.h): carving the
 * boot slot at prepare, filtering the command line, laying out and
 * writing the set at load, reading it back for status and tests.  I/O
 * only through bm_src/bm_sink, as areaio.c, so the tests use memory.
 */
#ifndef BMDUMP_HOST_BOOTSET_H
#define BMDUMP_HOST_BOOTSET_H

#include <bmdump/bootset.h>

#include "areaio.h"
#include "config.h"

/*
 * Shrink the dump region of a freshly laid out area (area_layout()) so
 * that slot_bytes (4 KiB multiple, at least BMDUMP_BOOTSET_MIN_SLOT) lie
 * between the dump and the self-test's tail, and reseal h.
 */
int area_carve_boot_slot(struct bmdump_area_header *h, uint64_t slot_bytes,
			 struct bm_err *e);

/*
 * The command line for the next kernel: in minus the words that must not
 * reach a kernel the stub starts (see bootset.c), space separated.  Each
 * dropped word is counted in *dropped (may be NULL).  0, or BM_E_USAGE
 * when the result does not fit size or the BMDUMP_BOOTSET_CMDLINE_MAX.
 */
int bootset_filter_cmdline(const char *in, char *out, size_t size,
			   unsigned int *dropped, struct bm_err *e);

/* What is to be staged: whole files in memory. */
struct bootset_input {
	const uint8_t *kernel;
	size_t kernel_len;
	const uint8_t *initrd;		/* NULL: none */
	size_t initrd_len;
	const char *cmdline;		/* filtered */
	const char *release;		/* for messages; may be "" */
	int64_t now;
};

/* Lay out h for a slot of slot_bytes: kernel, cmdline, initrd, CRCs. */
int bootset_layout(struct bmdump_bootset_header *h, const uint8_t uuid[16],
		   uint64_t slot_bytes, const struct bootset_input *in,
		   struct bm_err *e);

/*
 * Write the set into the area's slot: the header block is zeroed first
 * and written last, after a sync, so that a staging cut short leaves no
 * set rather than a mixed one.  ah must have passed bmdump_area_check().
 */
int bootset_stage(const struct bm_sink *part,
		  const struct bmdump_area_header *ah,
		  const struct bootset_input *in,
		  struct bmdump_bootset_header *h, struct bm_err *e);

/*
 * Read the set back and check it with the shared check; with verify,
 * also read every blob and check its CRC.  BM_E_NOTFOUND: no slot or no
 * set; BM_E_CORRUPT: a set that fails a check.
 */
int bootset_read(const struct bm_src *part,
		 const struct bmdump_area_header *ah,
		 struct bmdump_bootset_header *h, int verify,
		 struct bm_err *e);

/*
 * 1 when the kernel's words of cmdline (before "--") hold crashkernel=:
 * the kernel a warm boot starts reserves the memory `bmdump load` needs
 * to re-arm, so a crash there is captured too.  0: it cannot re-arm.
 */
int bootset_rearms(const char *cmdline);

/*
 * Where the boot set comes from under root ("" or $BMDUMP_SYSROOT):
 * BOOT_KERNEL, else root/boot/vmlinuz-<release>; BOOT_INITRD, else
 * root/boot/initrd.img-<release> when it exists ("" for BOOT_INITRD=none
 * or no default initrd); BOOT_CMDLINE, else root/proc/cmdline; filtered.
 */
struct bootset_source {
	char kernel[CONFIG_PATH_MAX + 64];
	char initrd[CONFIG_PATH_MAX + 64];
	char cmdline[BMDUMP_BOOTSET_CMDLINE_MAX];
	unsigned int dropped;		/* words the filter removed */
};
int bootset_source(const struct bm_config *c, const char *root,
		   const char *release, struct bootset_source *s,
		   struct bm_err *e);

/* A whole file of at most max bytes into a malloc'ed buffer. */
int bootset_read_file(const char *path, size_t max, uint8_t **buf,
		      size_t *len, struct bm_err *e);

#endif /* BMDUMP_HOST_BOOTSET_H */
