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
#define BP_EFI_INFO		0x1c0	/* struct efi_info, 32 bytes */
#define BP_EFI_LOADER_SIG	(BP_EFI_INFO + 0x00)
#define BP_EFI_SYSTAB		(BP_EFI_INFO + 0x04)
#define BP_EFI_SYSTAB_HI	(BP_EFI_INFO + 0x14)
#define BP_E820_ENTRIES		0x1e8	/* u8 */
/* The setup header at 0x1f1 (BZ_* offsets): one definition, shared
 * with the bzImage checks in bmdump/bzimage.h. */
#define BP_E820_TABLE		0x2d0	/* 128 x {u64 addr, u64 size, u32 type} */
#define BP_E820_MAX		128
#define BP_E820_ENTRY_SIZE	20

#define SETUP_E820_EXT		1
#define SETUP_DATA_MAX_NODES	64

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
