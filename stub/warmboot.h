/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FINAL_ACTION=boot (issue 21), the pure part: where the next kernel and
 * its initrd go in the RAM the crashed kernel used, and the boot_params
 * ("zero page") the next kernel is entered with, per the x86 boot protocol
 * (Documentation/arch/x86/boot.rst, 64-bit boot protocol).  No I/O and no
 * jump here: the caller reads the boot set, copies the pieces to the
 * places chosen and enters the kernel; these functions only decide and
 * fill, so they are tested on the host.
 */
#ifndef STUB_WARMBOOT_H
#define STUB_WARMBOOT_H

#include "bmdump/bzimage.h"
#include "bootparams.h"
#include "mem.h"

/* boot_params fields beyond bootparams.h's (arch/x86 bootparam.h). */
#define BP_EXT_RAMDISK_IMAGE	0x0c0	/* u32, bits 63:32 */
#define BP_EXT_RAMDISK_SIZE	0x0c4	/* u32, bits 63:32 */
#define BP_SENTINEL		0x1ef	/* u8: nonzero makes Linux wipe
					 * fields a loader forgot */
#define BP_EFI_INFO_BYTES	32

/* Nothing goes below 1 MiB: the next kernel's real-mode trampoline and
 * the firmware's areas live there. */
#define WB_LOW_FLOOR		(1ull << 20)
#define WB_4G			(1ull << 32)
#define WB_MAX_RESERVED		32

struct wb_range {
	uint64_t start, end;		/* [start, end) */
};

struct wb_layout {
	uint64_t kernel_addr;		/* 64-bit entry at +0x200 */
	uint64_t kernel_span;		/* init_size: all it may use */
	uint64_t initrd_addr;		/* 0: no initrd */
	uint64_t initrd_bytes;
};

/*
 * Choose where the kernel (k, init_size bytes at a kernel_alignment
 * boundary, pref_address when it is free) and an initrd of initrd_bytes
 * (page aligned, as high as initrd_addr_max allows) go: inside the E820_RAM
 * entries of map, outside every reserved range (the stub's crashkernel
 * region, the boot_params, command line and page tables it still needs)
 * and outside each other.  0, or E_WB_NO_ROOM_KERNEL/_INITRD or
 * E_WB_TOO_MANY_RANGES.
 */
int warmboot_place(const struct e820_entry *map, unsigned int nr_map,
		   const struct wb_range *resv, unsigned int nr_resv,
		   const struct bmdump_bzimage_info *k, uint64_t initrd_bytes,
		   struct wb_layout *l);

/*
 * The map the next kernel gets, into out (room for max_out): the stub's
 * e820 (the map kexec gave it) for everything but RAM, and as RAM the
 * stub's RAM (the crashkernel region as kexec described it), the crashed
 * kernel's RAM (its PT_LOADs, which kexec left out of the stub's map) and
 * the crashkernel region(s) keep whole: kexec's segments at their top
 * (elfcorehdr, backup) are holes in the stub's map, and nothing in them
 * is needed once the dump is written.  Firmware's non-RAM ranges stay
 * what firmware said, cut out of any RAM.  0 or E_WB_MAP_FULL.
 */
int warmboot_map(const struct e820_entry *e820, unsigned int nr_e820,
		 const struct wb_range *ram, unsigned int nr_ram,
		 const struct mem_range *keep, unsigned int nr_keep,
		 struct e820_entry *out, unsigned int max_out,
		 unsigned int *nr_out);

/*
 * The e820 table of bp from map: sorted by address, empty and wrapping
 * entries dropped, touching entries of one type merged.  0, or
 * E_WB_E820_FULL (more than boot_params' 128) or E_WB_E820_EMPTY (no RAM).
 */
int warmboot_e820(uint8_t bp[BOOT_PARAMS_SIZE], const struct e820_entry *map,
		  unsigned int nr_map);

/*
 * Add the stub's words (NUL-ended) to the staged command line buf[0, n)
 * of a buffer of size bytes: before the first unquoted "--" (after it the
 * kernel hands words to init), else at the end; NUL-ended after.  0 and
 * *len, E_WB_CMDLINE_BYTES (a NUL or an open quote in the staged bytes)
 * or E_WB_CMDLINE_ROOM.
 */
int warmboot_cmdline_add(char *buf, uint64_t n, uint64_t size,
			 const char *words, uint64_t *len);

/* Descriptors the stub hands on at most: a runtime map has tens. */
#define WB_EFI_MAX_DESC		512
/* A descriptor larger than this is no EFI_MEMORY_DESCRIPTOR version 1. */
#define WB_EFI_MAX_DESC_SIZE	256
/* warmboot_efi_info(): the loader passed no EFI at all (a BIOS boot, or
 * the crashed kernel ran with noefi): not an error. */
#define WB_EFI_NONE		1

/*
 * Check the efi_info the stub was loaded with (kexec copies the crashed
 * kernel's, pointing memmap at a copy of its EFI runtime map): 0 and the
 * map's place and size, WB_EFI_NONE, or an E_WB_EFI_* code.
 */
int warmboot_efi_info(const struct bp_efi_info *ei, uint64_t *map_pa,
		      uint32_t *map_bytes);

/* What the loader gave the stub about EFI, mapped and read already. */
struct wb_efi_in {
	const struct bp_efi_info *info;	/* passed warmboot_efi_info() */
	int have_setup;			/* a SETUP_EFI node was found */
	uint32_t setup_len;		/* its length as the node says */
	/* Its payload, mapped when setup_len is long enough, else NULL. */
	const struct efi_setup_data *setup;
	const uint8_t *map;		/* info->memmap_size bytes */
};

/* The size of the setup_data node warmboot_efi_node() writes. */
uint64_t warmboot_efi_node_bytes(const struct bp_efi_info *ei);

/*
 * Build the next kernel's EFI hand-over: at node (node_pa, room bytes) a
 * setup_data SETUP_EFI node (next 0), its efi_setup_data followed by the
 * runtime map copied from in, and in *out the efi_info pointing at that
 * copy.  Every descriptor must be a runtime one, page aligned, not
 * wrapping and outside the RAM of map (the stub's own e820: its
 * crashkernel regions, where no firmware region can be); the system
 * table must lie in one of them.  0 or E_WB_EFI_*.  The caller then
 * keeps the regions out of the next kernel's RAM.
 */
int warmboot_efi_node(const struct wb_efi_in *in,
		      const struct e820_entry *map, unsigned int nr_map,
		      uint8_t *node, uint64_t node_pa, uint64_t room,
		      struct bp_efi_info *out);

struct wb_boot_args {
	const uint8_t *kernel;		/* the bzImage, checked */
	const struct bmdump_bzimage_info *k;
	const struct e820_entry *map;
	unsigned int nr_map;
	uint64_t cmdline_addr;		/* the NUL-ended line */
	uint64_t cmdline_len;		/* without the NUL */
	const struct wb_layout *l;
	uint64_t acpi_rsdp;		/* 0: let the kernel search */
	const uint8_t *efi_info;	/* 32 bytes for the kernel, or NULL */
	uint64_t setup_data;		/* the first node, 0: none */
	uint8_t secure_boot;		/* with efi_info: the loader's */
};

/* Fill the zero page the next kernel is entered with (RSI).  0 or E_WB_*. */
int warmboot_boot_params(uint8_t bp[BOOT_PARAMS_SIZE],
			 const struct wb_boot_args *a);

#endif /* STUB_WARMBOOT_H */
