/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables the stub needs: FADT (reset register, PM timer), MADT (which
 * CPU is which), MCFG (PCI ECAM), DMAR/IVRS (IOMMUs).  Found through the
 * RSDP in Linux's get_rsdp_addr() order: acpi_rsdp=, boot_params, the EFI
 * system table, then the BIOS areas.
 */
#ifndef STUB_ACPI_H
#define STUB_ACPI_H

#include "bmdump/types.h"

#define ACPI_MAX_CPUS	1024

enum acpi_rsdp_source {
	RSDP_NONE = 0,
	RSDP_CMDLINE,
	RSDP_BOOT_PARAMS,
	RSDP_EFI,
	RSDP_BIOS,
};

/* ACPI Generic Address Structure */
struct acpi_gas {
	uint8_t space_id;	/* 0 memory, 1 I/O, 2 PCI config */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
};

#define ACPI_GAS_MEMORY		0
#define ACPI_GAS_IO		1
#define ACPI_GAS_PCI_CONFIG	2

struct acpi_info {
	uint64_t rsdp;
	int rsdp_source;
	uint64_t sdt;		/* XSDT, or RSDT if no XSDT */
	int sdt_is_xsdt;
	/* FADT */
	int has_fadt;
	int has_reset_reg;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t pm_tmr_port;	/* 0: none */
	int pm_tmr_32bit;
	/* MADT: enabled CPUs in table order */
	unsigned int nr_cpus;
	uint32_t apic_id[ACPI_MAX_CPUS];
	/*
	 * MADT: the CPUs the stub may start (stub/smp.c): enabled (not
	 * online capable only: hot-plug slots, mostly empty), a valid APIC
	 * ID, each ID once (firmware lists a CPU below 255 in both a LAPIC
	 * and an x2APIC entry), in table order.
	 */
	unsigned int nr_startable;
	uint32_t startable_id[ACPI_MAX_CPUS];
};

const char *acpi_rsdp_source_name(int source);

/* Locate and validate the RSDP, then the RSDT/XSDT. */
int acpi_init(struct acpi_info *ai, uint64_t cmdline_rsdp, uint64_t bp_rsdp,
	      uint64_t efi_systab);

/* Physical address and length of the first table with this signature. */
int acpi_find_table(const struct acpi_info *ai, const char sig[4],
		    uint64_t *pa, uint32_t *len);

int acpi_parse_fadt(struct acpi_info *ai);
int acpi_parse_madt(struct acpi_info *ai);

/* Where the boot CPU's APIC ID came from (acpi_boot_cpu()). */
enum acpi_bsp_source {
	BSP_UNKNOWN = 0,	/* no bmdump.bsp= and no MADT */
	BSP_CMDLINE,		/* bmdump.bsp= (bmdump load: cpuinfo) */
	BSP_MADT,		/* the first enabled CPU of the MADT */
};

/*
 * The one rule for "which CPU is the boot CPU": bmdump.bsp= when given
 * (has_given, given: the crashed kernel's CPU 0, where Linux's CPU
 * numbers start), else the first enabled MADT entry, where firmware lists
 * its boot CPU (the one INIT would restart in the firmware; callers that
 * mean that one pass has_given 0: after a warm boot on an AP the two
 * differ).  Returns an enum acpi_bsp_source; *id only when not
 * BSP_UNKNOWN.
 */
int acpi_boot_cpu(const struct acpi_info *ai, int has_given, uint32_t given,
		  uint32_t *id);
const char *acpi_bsp_source_name(int source);

/* Linux's logical CPU number of the CPU with this APIC ID, or -1. */
int acpi_cpu_index(const struct acpi_info *ai, uint32_t apic_id,
		   uint32_t bsp_apic_id);

#endif /* STUB_ACPI_H */
