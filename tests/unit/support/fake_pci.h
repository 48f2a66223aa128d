/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake PCI configuration space for unit tests: functions with 4 KiB of
 * config space each, write masks for the read-only fields, reachable
 * through ECAM (a fake MMIO window) and/or the CF8/CFC ports, plus an ACPI
 * XSDT with an MCFG table in fake firmware memory.
 */
#ifndef TESTS_UNIT_FAKE_PCI_H
#define TESTS_UNIT_FAKE_PCI_H

#include <stdint.h>

struct acpi_info;

struct fake_pci_fn {
	uint16_t seg;
	uint8_t bus;
	uint8_t devfn;
	uint8_t cfg[4096];
	uint8_t wmask[4096];	/* 1 bits are writable */
	/* Called after every write that reached this function. */
	void (*on_write)(struct fake_pci_fn *f, uint16_t reg, uint32_t val,
			 int size);
	void *ctx;
	uint8_t last_cap;	/* for chaining capabilities */
	uint8_t next_cap;
	unsigned int flr_count;
	unsigned int writes;
};

void fake_pci_reset(void);

/* A function with these IDs; header type may carry bit 7 (multifunction). */
struct fake_pci_fn *fake_pci_add(uint16_t seg, uint8_t bus, uint8_t dev,
				 uint8_t fn, uint16_t vendor, uint16_t device,
				 uint32_t class, uint8_t hdr_type);
struct fake_pci_fn *fake_pci_find(uint16_t seg, uint8_t bus, uint8_t devfn);

void fake_pci_set_bridge(struct fake_pci_fn *f, uint8_t secondary,
			 uint8_t subordinate);
/* Append a capability of len bytes (body writable); returns its offset. */
uint8_t fake_pci_add_cap(struct fake_pci_fn *f, uint8_t id, uint8_t len);
void fake_pci_set_bar64(struct fake_pci_fn *f, unsigned int n, uint64_t pa);
void fake_pci_set_bar32(struct fake_pci_fn *f, unsigned int n, uint32_t val);

uint16_t fake_pci_r16(const struct fake_pci_fn *f, uint16_t reg);
uint32_t fake_pci_r32(const struct fake_pci_fn *f, uint16_t reg);
void fake_pci_w16(struct fake_pci_fn *f, uint16_t reg, uint16_t v);
void fake_pci_w32(struct fake_pci_fn *f, uint16_t reg, uint32_t v);

/*
 * PCIe capability with FLR (if flr): writing DevCtl.BCR_FLR resets the
 * function's command register, BARs, MSI/MSI-X enables, then calls
 * f->on_flr (a device model's reset).
 */
uint8_t fake_pci_add_pcie(struct fake_pci_fn *f, int flr);
extern void (*fake_pci_on_flr)(struct fake_pci_fn *f);

/* Config access paths.  ECAM: base is bus 0's address in the segment. */
void fake_pci_install_ecam(uint64_t base, uint16_t seg, uint8_t start_bus,
			   uint8_t end_bus);
void fake_pci_install_conf1(void);

/*
 * MMIO outside the ECAM window goes to these (a device model's BARs);
 * with none set such an access fails the test.
 */
extern uint64_t (*fake_pci_next_mmio_read)(volatile void *a, int size);
extern void (*fake_pci_next_mmio_write)(volatile void *a, uint64_t v,
					int size);

/* The MMIO hooks: ECAM window first, then the ones above. */
uint64_t fake_pci_mmio_read(volatile void *a, int size);
void fake_pci_mmio_write(volatile void *a, uint64_t v, int size);

extern unsigned int fake_pci_ecam_accesses;
extern unsigned int fake_pci_conf1_accesses;

/*
 * An XSDT holding one MCFG with these windows (base, seg, start, end
 * each), in fake firmware memory; fills ai->sdt.  n may be 0 (no MCFG).
 */
struct fake_mcfg_entry {
	uint64_t base;
	uint16_t seg;
	uint8_t start_bus;
	uint8_t end_bus;
};

void fake_pci_acpi(struct acpi_info *ai, const struct fake_mcfg_entry *e,
		   unsigned int n);

#endif /* TESTS_UNIT_FAKE_PCI_H */
