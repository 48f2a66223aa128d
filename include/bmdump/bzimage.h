/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86 boot protocol's setup header of a bzImage, as far as bmdump
 * starts one itself (FINAL_ACTION=boot, issue 21): offsets and flags from
 * the Linux boot protocol (Documentation/arch/x86/boot.rst), and the one
 * check the host runs at `bmdump load` (refuse a kernel the stub would
 * refuse) and the stub runs again on what it read back.  Freestanding;
 * never trusts a field before checking it against the image length.
 */
#ifndef BMDUMP_BZIMAGE_H
#define BMDUMP_BZIMAGE_H

#include "types.h"
#include "errors.h"

/* Setup header fields (offsets in the image and in boot_params alike). */
#define BZ_SETUP_SECTS		0x1f1	/* u8; 0 means 4 */
#define BZ_SYSSIZE		0x1f4	/* u32, 16-byte units */
#define BZ_BOOT_FLAG		0x1fe	/* u16 */
/* A short jump over the header: its offset byte ends the header at
 * 0x202 + that byte. */
#define BZ_JUMP_OFFSET		0x201	/* u8 */
#define BZ_HEADER		0x202	/* "HdrS" */
#define BZ_VERSION		0x206	/* u16 */
#define BZ_TYPE_OF_LOADER	0x210	/* u8 */
#define BZ_LOADFLAGS		0x211	/* u8 */
#define BZ_RAMDISK_IMAGE	0x218	/* u32 */
#define BZ_RAMDISK_SIZE		0x21c	/* u32 */
#define BZ_CMD_LINE_PTR		0x228	/* u32 */
#define BZ_INITRD_ADDR_MAX	0x22c	/* u32 */
#define BZ_KERNEL_ALIGNMENT	0x230	/* u32 */
#define BZ_RELOCATABLE		0x234	/* u8 */
#define BZ_XLOADFLAGS		0x236	/* u16, protocol 2.12 */
#define BZ_CMDLINE_SIZE		0x238	/* u32, protocol 2.06 */
#define BZ_SETUP_DATA		0x250	/* u64, protocol 2.09 */
#define BZ_PREF_ADDRESS		0x258	/* u64, protocol 2.10 */
#define BZ_INIT_SIZE		0x260	/* u32, protocol 2.10 */
/* The header up to handover_offset (2.11), all 2.12 fields. */
#define BZ_HEADER_END_MIN	0x268
/* The setup header ends at most here: boot_params' edd_mbr_sig_buffer
 * follows at 0x290, which a longer copy would overwrite. */
#define BZ_HEADER_END_MAX	0x290

#define BZ_BOOT_FLAG_MAGIC	0xaa55
#define BZ_HDRS_MAGIC		0x53726448	/* "HdrS" */
/* 2.12 brought xloadflags, ext_ramdisk_image and ext_cmd_line_ptr:
 * what a 64-bit entry with everything above 4 GiB needs. */
#define BZ_PROTOCOL_MIN		0x020c

#define BZ_LOADFLAG_LOADED_HIGH	0x01
#define BZ_LOADFLAG_CAN_USE_HEAP 0x80
#define BZ_XLF_KERNEL_64	0x0001	/* 64-bit entry at +0x200 */
#define BZ_XLF_CAN_BE_LOADED_ABOVE_4G 0x0002
#define BZ_TYPE_OF_LOADER_UNDEF	0xff	/* no assigned loader ID */

struct bmdump_bzimage_info {
	uint16_t version;
	uint16_t xloadflags;
	uint32_t setup_bytes;		/* boot sector and real-mode code */
	uint32_t header_end;		/* 0x202 + byte 0x201 */
	uint64_t pm_offset;		/* the 64-bit kernel in the file */
	uint64_t pm_bytes;
	uint32_t kernel_alignment;
	uint32_t init_size;		/* memory it needs from its start */
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;		/* without the NUL */
	uint64_t pref_address;
};

static inline uint32_t bz_get(const uint8_t *img, uint32_t off, unsigned bytes)
{
	uint32_t v = 0;

	while (bytes--)
		v = v << 8 | img[off + bytes];
	return v;
}

/* The structural checks, each failure its own code. */
static inline int bmdump_bzimage_header(const uint8_t *img, uint64_t len,
					struct bmdump_bzimage_info *k)
{
	uint32_t sects;

	if (len < BZ_HEADER_END_MIN)
		return E_WB_TRUNCATED;
	if (bz_get(img, BZ_BOOT_FLAG, 2) != BZ_BOOT_FLAG_MAGIC)
		return E_WB_BOOT_FLAG;
	if (bz_get(img, BZ_HEADER, 4) != BZ_HDRS_MAGIC)
		return E_WB_HDRS;
	k->version = (uint16_t)bz_get(img, BZ_VERSION, 2);
	if (k->version < BZ_PROTOCOL_MIN)
		return E_WB_PROTOCOL;
	k->header_end = 0x202u + img[BZ_JUMP_OFFSET];
	if (k->header_end < BZ_HEADER_END_MIN ||
	    k->header_end > BZ_HEADER_END_MAX || k->header_end > len)
		return E_WB_TRUNCATED;
	sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	k->setup_bytes = (sects + 1) * 512;
	if (k->setup_bytes < k->header_end || k->setup_bytes >= len)
		return E_WB_SETUP_SECTS;
	k->pm_offset = k->setup_bytes;
	k->pm_bytes = len - k->setup_bytes;
	return 0;
}

/*
 * Can the stub start this bzImage of len bytes at its 64-bit entry,
 * anywhere in RAM?  0 and *k filled, or an E_WB_* code.
 */
static inline int bmdump_bzimage_check(const uint8_t *img, uint64_t len,
				       struct bmdump_bzimage_info *k)
{
	int err = bmdump_bzimage_header(img, len, k);

	if (err)
		return err;
	k->xloadflags = (uint16_t)bz_get(img, BZ_XLOADFLAGS, 2);
	if (!(k->xloadflags & BZ_XLF_KERNEL_64))
		return E_WB_NOT_64;
	/* Only a relocatable kernel may run where the crashed one's RAM
	 * happens to be free rather than at its compiled-in address. */
	if (!img[BZ_RELOCATABLE])
		return E_WB_NOT_RELOCATABLE;
	k->kernel_alignment = bz_get(img, BZ_KERNEL_ALIGNMENT, 4);
	if (k->kernel_alignment < 4096 ||
	    (k->kernel_alignment & (k->kernel_alignment - 1)))
		return E_WB_ALIGN;
	k->init_size = bz_get(img, BZ_INIT_SIZE, 4);
	if (k->init_size < k->pm_bytes)
		return E_WB_INIT_SIZE;
	k->initrd_addr_max = bz_get(img, BZ_INITRD_ADDR_MAX, 4);
	k->cmdline_size = bz_get(img, BZ_CMDLINE_SIZE, 4);
	k->pref_address = (uint64_t)bz_get(img, BZ_PREF_ADDRESS + 4, 4) << 32 |
			  bz_get(img, BZ_PREF_ADDRESS, 4);
	return 0;
}

#endif /* BMDUMP_BZIMAGE_H */
