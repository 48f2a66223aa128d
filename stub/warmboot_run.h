/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FINAL_ACTION=boot (issue 21), the part with I/O: after the dump is
 * written and flushed, read the boot set back through the dump disk's own
 * driver, check it, put the kernel and initrd into the crashed kernel's
 * RAM (free now: its pages are on disk), build boot_params, and enter the
 * kernel at its 64-bit entry.  The pure decisions are warmboot.c's.
 * main.c calls this; no driver does.
 */
#ifndef STUB_WARMBOOT_RUN_H
#define STUB_WARMBOOT_RUN_H

#include "bootparams.h"
#include "dump_area.h"
#include "elfcore.h"
#include "mem.h"
#include "paging.h"
#include "warmboot.h"

/* The word the next kernel finds on its command line. */
#define WB_CMDLINE_WORD		"bmdump.warmboot=1"
/* Room for the words appended to the staged command line. */
#define WB_CMDLINE_EXTRA	64
/* The 64-bit entry point of a bzImage's protected-mode part (boot.rst). */
#define WB_ENTRY_64		0x200
/* The 64-bit boot protocol's segments (boot.rst: __BOOT_CS, __BOOT_DS). */
#define WB_BOOT_CS		0x10
#define WB_BOOT_DS		0x18
/* Below this the next kernel's startup code looks (BDA, EBDA, its
 * 5-level paging trampoline): mapped for it. */
#define WB_LOW_MAP_END		(1ull << 20)

struct wb_env {
	struct dump_area *area;		/* the dump is complete in it */
	const struct e820_entry *e820;	/* the map kexec gave the stub */
	unsigned int nr_e820;
	const struct core_info *ci;	/* the crashed kernel's RAM */
	const struct mem_range *keep;	/* the crashkernel region(s) */
	unsigned int nr_keep;
	struct page_tables *pt;		/* the stub's, live in CR3 */
	uint64_t acpi_rsdp;		/* 0: the kernel searches */
	const struct boot_info *boot;	/* the stub's boot_params: EFI */
	/* The stub runs on an application processor (the crash came from
	 * one): the next kernel boots there and must not send INIT to the
	 * BSP, which restarts the firmware on it (an INITed BSP does not
	 * wait for a SIPI).  on_ap, and the BSP's APIC ID when the MADT
	 * gave it (bsp_known), else the next kernel runs one CPU. */
	int on_ap;
	int bsp_known;
	uint32_t bsp_apic_id;
};

/* Step times in microseconds, for the log. */
struct wb_times {
	uint64_t header_us, kernel_us, initrd_us, cmdline_us, place_us;
	uint64_t move_us;	/* boot_params, low map, kernel moved */
};

struct wb_ready {
	uint64_t entry;			/* kernel_addr + WB_ENTRY_64 */
	uint64_t bp;			/* the zero page: RSI */
	struct wb_layout l;
	uint64_t kernel_bytes;		/* the bzImage file */
	char release[65];
	struct wb_times t;
};

/*
 * Everything up to the jump: 0 and *r ready for warmboot_enter(), or an
 * E_WB_* code (nothing the stub still needs was touched: the caller
 * resets).  Logs what it placed where.
 */
int warmboot_prepare(const struct wb_env *env, struct wb_ready *r);

/*
 * The 64-bit boot protocol's hand-over: interrupts off, a GDT with flat
 * __BOOT_CS / __BOOT_DS, the stub's identity map (it covers the kernel,
 * boot_params, command line and initrd), RSI = boot_params.  Only after
 * the dump disk was shut down.
 */
void warmboot_enter(const struct wb_ready *r) __attribute__((noreturn));

#endif /* STUB_WARMBOOT_RUN_H */
