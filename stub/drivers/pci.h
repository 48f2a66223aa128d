/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI for the stub: configuration space through ECAM (ACPI MCFG) or the
 * CF8/CFC ports, the bus tree exactly as firmware and the crashed kernel
 * numbered it (never renumbered, BARs never sized), capability helpers, and
 * the DMA quiesce: bus mastering off everywhere except on the dump target
 * and the bridges that lead to it.
 */
#ifndef STUB_DRIVERS_PCI_H
#define STUB_DRIVERS_PCI_H

#include "bmdump/types.h"

struct acpi_info;

/* Configuration header, types 0 and 1 (PCI Local Bus 3.0, 6.1) */
#define PCI_VENDOR_ID			0x00
#define PCI_DEVICE_ID			0x02
#define PCI_COMMAND			0x04
#define  PCI_COMMAND_IO			(1u << 0)
#define  PCI_COMMAND_MEMORY		(1u << 1)
#define  PCI_COMMAND_MASTER		(1u << 2)
#define  PCI_COMMAND_INTX_DISABLE	(1u << 10)
#define PCI_STATUS			0x06
#define  PCI_STATUS_CAP_LIST		(1u << 4)
#define PCI_CLASS_REVISION		0x08	/* class << 8 | rev */
#define PCI_CACHE_LINE_SIZE		0x0c
#define PCI_LATENCY_TIMER		0x0d
#define PCI_HEADER_TYPE			0x0e
#define  PCI_HEADER_TYPE_MASK		0x7f
#define  PCI_HEADER_TYPE_NORMAL		0
#define  PCI_HEADER_TYPE_BRIDGE		1
#define  PCI_HEADER_TYPE_CARDBUS	2
#define  PCI_HEADER_MULTIFUNCTION	0x80
#define PCI_BASE_ADDRESS_0		0x10
#define  PCI_BASE_ADDRESS_SPACE_IO	0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_MASK	0x06
#define  PCI_BASE_ADDRESS_MEM_TYPE_64	0x04
#define  PCI_BASE_ADDRESS_MEM_MASK	0xfffffff0u
#define PCI_PRIMARY_BUS			0x18	/* type 1 */
#define PCI_SECONDARY_BUS		0x19
#define PCI_SUBORDINATE_BUS		0x1a
#define PCI_CAPABILITY_LIST		0x34
#define PCI_INTERRUPT_LINE		0x3c
#define PCI_STD_HEADER_SIZEOF		0x40
#define PCI_CFG_SPACE_SIZE		0x100
#define PCI_CFG_SPACE_EXP_SIZE		0x1000

#define PCI_VENDOR_ID_INVALID		0xffff

/* Capability IDs and the registers the stub uses */
#define PCI_CAP_ID_PM			0x01
#define PCI_CAP_ID_MSI			0x05
#define PCI_CAP_ID_EXP			0x10
#define PCI_CAP_ID_MSIX			0x11
#define PCI_CAP_LIST_NEXT		1
#define PCI_PM_CTRL			4	/* PMCSR */
#define  PCI_PM_CTRL_STATE_MASK		0x0003
#define  PCI_PM_CTRL_STATE_D0		0x0000
#define  PCI_PM_CTRL_NO_SOFT_RESET	0x0008
#define PCI_MSI_FLAGS			2
#define  PCI_MSI_FLAGS_ENABLE		0x0001
#define PCI_MSIX_FLAGS			2
#define  PCI_MSIX_FLAGS_MASKALL		0x4000
#define  PCI_MSIX_FLAGS_ENABLE		0x8000
#define PCI_EXP_DEVCAP			4
#define  PCI_EXP_DEVCAP_FLR		(1u << 28)
#define PCI_EXP_DEVCTL			8
#define  PCI_EXP_DEVCTL_BCR_FLR		0x8000
#define PCI_EXP_DEVSTA			0x0a
#define  PCI_EXP_DEVSTA_TRPND		0x0020
#define PCI_EXP_DEVCTL2			0x28

/* Extended capabilities (ECAM only) */
#define PCI_EXT_CAP_START		0x100
#define PCI_EXT_CAP_ID(h)		((h) & 0xffff)
#define PCI_EXT_CAP_NEXT(h)		(((h) >> 20) & 0xffc)

/* ACPI MCFG: 44-byte header, then 16-byte allocation entries */
#define MCFG_ENTRIES			44
#define MCFG_ENTRY_SIZE			16
#define MCFG_ENTRY_BASE			0
#define MCFG_ENTRY_SEGMENT		8
#define MCFG_ENTRY_START_BUS		10
#define MCFG_ENTRY_END_BUS		11

/* CF8/CFC configuration mechanism #1 */
#define PCI_CONF1_ADDRESS		0xcf8
#define PCI_CONF1_DATA			0xcfc
#define PCI_CONF1_ENABLE		0x80000000u

/* PCIe timing (PCIe base spec 6.6.2): FLR completes within 100 ms */
#define PCI_FLR_WAIT_MS			100
#define PCI_FLR_READY_MS		1000
#define PCI_TRPND_WAIT_MS		100
#define PCI_PM_D3_D0_MS			10

#define PCI_MAX_DEVS			1024
#define PCI_MAX_SEGMENTS		8
#define PCI_MAX_DEPTH			32

#define PCI_DEVFN(dev, fn)		((uint8_t)((dev) << 3 | (fn)))
#define PCI_SLOT(devfn)			((devfn) >> 3)
#define PCI_FUNC(devfn)			((devfn) & 7)

struct pci_dev {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
	uint16_t vendor;
	uint16_t device;
	uint32_t class;		/* base << 16 | sub << 8 | prog-if */
	uint8_t hdr_type;	/* without the multifunction bit */
	uint8_t secondary;	/* bridges: bus numbers as assigned */
	uint8_t subordinate;
	uint8_t pad;
	int32_t parent;		/* the bridge above (index); -1: root */
};

enum pci_access {
	PCI_ACCESS_NONE = 0,
	PCI_ACCESS_ECAM,
	PCI_ACCESS_CONF1,
};

/*
 * Choose the configuration mechanism: ECAM from MCFG when it is valid and
 * can be mapped, else CF8/CFC.  ai may be NULL (CF8/CFC only).  Returns 0
 * or E_PCI_NO_CONFIG; MCFG problems are logged as warnings.
 */
int pci_init(const struct acpi_info *ai);
int pci_access_method(void);
const char *pci_access_name(void);

uint32_t pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		      int size);
void pci_cfg_write(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		   uint32_t val, int size);

uint8_t pci_read8(const struct pci_dev *d, uint16_t reg);
uint16_t pci_read16(const struct pci_dev *d, uint16_t reg);
uint32_t pci_read32(const struct pci_dev *d, uint16_t reg);
void pci_write8(const struct pci_dev *d, uint16_t reg, uint8_t val);
void pci_write16(const struct pci_dev *d, uint16_t reg, uint16_t val);
void pci_write32(const struct pci_dev *d, uint16_t reg, uint32_t val);

/*
 * Walk every bus reachable from the root buses of each segment through the
 * bridges' secondary bus numbers, then look for further root buses (peer
 * host bridges) among the bus numbers no bridge claims.  Fills the table
 * below.  0, or a warning code (E_PCI_TOO_MANY, ...) with the table filled
 * as far as possible; E_PCI_NO_DEVICES if nothing answered.
 */
int pci_scan(void);
struct pci_dev *pci_devices(unsigned int *count);
unsigned int pci_nr_buses(void);

/* "0000:00:03.0" or "00:03.0" when on segment 0; buf of 16 bytes. */
const char *pci_name(const struct pci_dev *d, char *buf);

/* Config offset of a capability, 0 if absent. */
uint16_t pci_find_cap(const struct pci_dev *d, uint8_t id);
uint16_t pci_find_ext_cap(const struct pci_dev *d, uint16_t id);

/* Memory BAR n (64-bit BARs combined); 0 if unassigned or I/O. */
uint64_t pci_bar_mem(const struct pci_dev *d, unsigned int n);

void pci_command_set(const struct pci_dev *d, uint16_t set, uint16_t clear);

/* Put the function in D0, restoring its header if that reset it. */
int pci_set_power_d0(const struct pci_dev *d);

/* Disable MSI and MSI-X (and INTx): the stub polls, nothing may fire. */
void pci_disable_irqs(const struct pci_dev *d);

/*
 * PCIe function level reset: wait for pending transactions, initiate FLR,
 * wait 100 ms, wait for config reads to answer, restore the header
 * (BARs, command) and PCIe device control.
 */
int pci_flr(const struct pci_dev *d);

/* Is bridge b on the path from the root to d? */
int pci_is_upstream(const struct pci_dev *b, const struct pci_dev *d);

struct pci_quiesce_stats {
	unsigned int masters_cleared;	/* functions whose BME went off */
	unsigned int bridges_kept;	/* bridges above the target */
};

/*
 * Stop DMA from everything but target (NULL: from everything): clear bus
 * mastering on every function except the target and the bridges above it
 * (those get MEM and BME set, so the target's DMA still reaches memory);
 * host and other system bridges (class 06, type 0) are chipset plumbing
 * and stay as they are.  On the target: MSI, MSI-X and INTx off, MEM and
 * BME on.
 */
void pci_quiesce(const struct pci_dev *target, struct pci_quiesce_stats *st);

/*
 * Is d an endpoint whose bus mastering may go off (type 0, no host/ISA
 * bridge, no IOMMU)?  Bridges are decided by their place in the tree.
 */
int pci_may_quiesce(const struct pci_dev *d);

/* Clear bus mastering on one function. */
void pci_clear_master(const struct pci_dev *d);

#endif /* STUB_DRIVERS_PCI_H */
