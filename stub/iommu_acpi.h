/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DMA remapping hardware as ACPI describes it: Intel's DMAR table
 * (VT-d spec, chapter 8: DRHD units with their register base and device
 * scope) and AMD's IVRS table (AMD I/O Virtualization Technology spec,
 * IVHD blocks of type 10h, 11h and 40h with the IOMMU's MMIO base).
 * The parsers read only the bytes they are given: firmware tables are
 * untrusted input (fuzzed in tests/fuzz).
 */
#ifndef STUB_IOMMU_ACPI_H
#define STUB_IOMMU_ACPI_H

#include "bmdump/iommu.h"
#include "bmdump/types.h"

struct acpi_info;

/* DMAR: ACPI header, then these fields, then remapping structures. */
#define DMAR_HOST_ADDR_WIDTH	36
#define DMAR_FLAGS		37
#define DMAR_STRUCTS		48
#define DMAR_FLAG_INTR_REMAP	(1u << 0)
#define DMAR_FLAG_X2APIC_OPT_OUT (1u << 1)

/* Remapping structure header: type and length, 16 bits each. */
#define DMAR_TYPE_DRHD		0
#define DMAR_TYPE_RMRR		1
#define DMAR_TYPE_ATSR		2
#define DMAR_TYPE_RHSA		3
#define DMAR_TYPE_ANDD		4
#define DMAR_TYPE_SATC		5
#define DMAR_STRUCT_HDR_LEN	4

/* DRHD: DMA Remapping Hardware Unit Definition */
#define DRHD_FLAGS		4
#define DRHD_SIZE		5
#define DRHD_SEGMENT		6
#define DRHD_REG_BASE		8
#define DRHD_SCOPE		16
#define DRHD_INCLUDE_PCI_ALL	(1u << 0)

/* Device scope entry: type, length, flags, reserved, id, bus, path */
#define SCOPE_TYPE		0
#define SCOPE_LENGTH		1
#define SCOPE_START_BUS		5
#define SCOPE_PATH		6
#define SCOPE_PATH_ENTRY	2
#define SCOPE_PCI_ENDPOINT	1
#define SCOPE_PCI_SUB_HIERARCHY	2
#define SCOPE_IOAPIC		3
#define SCOPE_HPET		4
#define SCOPE_ACPI_NAMESPACE	5

/* IVRS: ACPI header, IVinfo, reserved, then IVHD/IVMD blocks. */
#define IVRS_IVINFO		36
#define IVRS_BLOCKS		48
#define IVRS_BLOCK_HDR_LEN	4

/* IVHD: I/O Virtualization Hardware Definition */
#define IVHD_TYPE		0
#define IVHD_FLAGS		1
#define IVHD_LENGTH		2
#define IVHD_DEVICE_ID		4
#define IVHD_CAP_OFFSET		6
#define IVHD_BASE_ADDR		8
#define IVHD_SEGMENT		16
#define IVHD_TYPE_10H		0x10
#define IVHD_TYPE_11H		0x11
#define IVHD_TYPE_40H		0x40
#define IVHD_10H_LEN		24	/* up to the device entries */
#define IVHD_11H_LEN		40
#define IVMD_TYPE_ALL		0x20
#define IVMD_TYPE_SPECIFIED	0x21
#define IVMD_TYPE_RANGE		0x22

#define IOMMU_MAX_UNITS		BMDUMP_IOMMU_MAX_UNITS

enum iommu_kind {
	IOMMU_VTD = 1,		/* from a DRHD */
	IOMMU_AMDVI,		/* from an IVHD */
};

struct iommu_unit {
	int kind;
	uint64_t base;		/* registers (VT-d) / MMIO (AMD) */
	uint16_t segment;
	uint16_t devid;		/* AMD: the IOMMU's own bus/dev/fn */
	uint8_t flags;		/* DRHD flags / IVHD flags */
	uint8_t type;		/* IVHD type (AMD) */
	uint8_t size;		/* DRHD Size: 2^size pages of registers */
	uint8_t nr_scope;	/* DRHD device scope entries */
};

struct iommu_units {
	unsigned int nr;
	unsigned int dropped;	/* units past IOMMU_MAX_UNITS */
	int has_dmar, has_ivrs;	/* a table with a valid header seen */
	uint8_t haw;		/* DMAR host address width - 1 */
	uint8_t dmar_flags;
	struct iommu_unit unit[IOMMU_MAX_UNITS];
};

/*
 * Add the units a DMAR / IVRS table of len bytes describes to u (which
 * the caller zeroed).  Units found before a malformed structure are kept:
 * the error says where parsing stopped.  An IOMMU that IVRS describes in
 * several IVHD types (10h and 11h/40h) is one unit.
 */
int dmar_parse(const uint8_t *t, uint32_t len, struct iommu_units *u);
int ivrs_parse(const uint8_t *t, uint32_t len, struct iommu_units *u);

/*
 * Both tables through ACPI (each parser's result in *dmar_err, *ivrs_err:
 * E_ACPI_NO_TABLE when absent); E_ACPI_NO_TABLE if neither was usable.
 */
int iommu_find_units(const struct acpi_info *ai, struct iommu_units *u,
		     int *dmar_err, int *ivrs_err);

#endif /* STUB_IOMMU_ACPI_H */
