/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boot_params ("zero page") as kexec fills it for a bzImage64: offsets from
 * arch/x86/include/uapi/asm/bootparam.h.
 */
#ifndef STUB_BOOTPARAMS_H
#define STUB_BOOTPARAMS_H

#include "bmdump/types.h"
#include "bmdump/bzimage.h"
#include "cmdline.h"

#define BOOT_PARAMS_SIZE	4096

#define BP_ACPI_RSDP_ADDR	0x070	/* u64 */
#define BP_EXT_CMD_LINE_PTR	0x0c8	/* u32, bits 63:32 */
#define BP_EFI_INFO		0x1c0	/* struct bp_efi_info */
#define BP_EFI_LOADER_SIG	(BP_EFI_INFO + 0x00)
#define BP_EFI_SYSTAB		(BP_EFI_INFO + 0x04)
#define BP_EFI_SYSTAB_HI	(BP_EFI_INFO + 0x18)
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_SECURE_BOOT		0x1ec	/* u8: efi_secureboot_mode */
/* The setup header at 0x1f1 (BZ_* offsets): one definition, shared
 * with the bzImage checks in bmdump/bzimage.h. */
#define BP_E820_TABLE		0x2d0	/* 128 x {u64 addr, u64 size, u32 type} */
#define BP_E820_MAX		128
#define BP_E820_ENTRY_SIZE	20

#define SETUP_E820_EXT		1
#define SETUP_EFI		4
#define SETUP_DATA_MAX_NODES	64
#define SETUP_DATA_HDR		16	/* u64 next, u32 type, len */

/*
 * struct efi_info of bootparam.h: where the firmware's EFI system table
 * and memory map are.  x86 is little-endian: read and written as is.
 */
struct bp_efi_info {
	uint32_t loader_signature;	/* "EL64": a 64-bit EFI loader */
	uint32_t systab;
	uint32_t memdesc_size;
	uint32_t memdesc_version;
	uint32_t memmap;
	uint32_t memmap_size;
	uint32_t systab_hi;
	uint32_t memmap_hi;
};
_Static_assert(sizeof(struct bp_efi_info) == 32, "bootparam.h efi_info");

#define EFI_LOADER_SIG_64	0x34364c45u	/* "EL64" */

/*
 * The payload of setup_data SETUP_EFI (arch/x86/include/asm/efi.h): the
 * physical addresses the first kernel saved before SetVirtualAddressMap
 * turned the system table's pointers virtual.  A kernel finding it maps
 * the EFI runtime regions at the virtual addresses of the memory map it
 * is given (kexec_enter_virtual_mode) instead of calling
 * SetVirtualAddressMap, which the firmware allows once.
 */
struct efi_setup_data {
	uint64_t fw_vendor;
	uint64_t unused;
	uint64_t tables;	/* the configuration tables */
	uint64_t smbios;
	uint64_t reserved[8];
};
_Static_assert(sizeof(struct efi_setup_data) == 96, "asm/efi.h");

/* efi_memory_desc_t (UEFI 2.x, EFI_MEMORY_DESCRIPTOR version 1). */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_addr;
	uint64_t virt_addr;
	uint64_t num_pages;	/* 4 KiB EFI pages */
	uint64_t attribute;
};
_Static_assert(sizeof(struct efi_mem_desc) == 40, "efi_memory_desc_t");

#define EFI_MEMDESC_VERSION	1
#define EFI_PAGE_SHIFT		12
#define EFI_MEMORY_RUNTIME	(1ull << 63)

enum e820_type {
	E820_RAM	= 1,
	E820_RESERVED	= 2,
	E820_ACPI	= 3,
	E820_NVS	= 4,
	E820_UNUSABLE	= 5,
	E820_PMEM	= 7,
	E820_PRAM	= 12,
};

#define E820_MAX	256

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct setup_data_range {
	uint64_t addr;
	uint64_t len;		/* header + payload */
};

struct boot_info {
	uint64_t bp_addr;
	uint16_t protocol;
	uint8_t type_of_loader;
	struct e820_entry e820[E820_MAX];	/* sorted by address */
	unsigned int nr_e820;
	uint64_t cmdline_addr;
	size_t cmdline_len;
	char cmdline[CMDLINE_MAX + 1];
	uint64_t acpi_rsdp;
	uint64_t efi_systab;
	uint32_t efi_loader_sig;
	struct bp_efi_info efi;		/* as the loader left it */
	uint8_t secure_boot;
	uint64_t efi_setup;		/* SETUP_EFI payload, 0: none */
	uint32_t efi_setup_len;
	struct setup_data_range setup_data[SETUP_DATA_MAX_NODES];
	unsigned int nr_setup_data;
};

/* Parse the 4096-byte boot_params at bp (physical bp_addr). */
/*
 * The highest 4 KiB page of e820 RAM in [4 KiB, 640 KiB), or 0: where
 * stub/smp.c puts the other CPUs' real-mode start (page 0 holds the
 * real-mode vectors and BIOS data; SIPI reaches only the first 1 MiB).
 */
uint64_t e820_low_page(const struct e820_entry *e820, unsigned int n);

int bootparams_parse(const uint8_t *bp, uint64_t bp_addr, struct boot_info *bi);

#endif /* STUB_BOOTPARAMS_H */
