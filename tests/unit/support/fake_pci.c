// SPDX-License-Identifier: GPL-2.0
#include "fakes.h"
#include "fake_pci.h"

#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "drivers/pci.h"

#define MAX_FNS		64
#define FAKE_ACPI_PA	0x000e0000ull

static struct fake_pci_fn *fns[MAX_FNS];
static unsigned int nr_fns;

static uint64_t ecam_base;
static uint16_t ecam_seg;
static uint8_t ecam_start, ecam_end;
static int ecam_on;
static int conf1_on;
static uint32_t conf1_addr;

static uint8_t acpi_mem[8192];

uint64_t (*fake_pci_next_mmio_read)(volatile void *a, int size);
void (*fake_pci_next_mmio_write)(volatile void *a, uint64_t v, int size);
void (*fake_pci_on_flr)(struct fake_pci_fn *f);
unsigned int fake_pci_ecam_accesses;
unsigned int fake_pci_conf1_accesses;

void fake_pci_reset(void)
{
	unsigned int i;

	for (i = 0; i < nr_fns; i++)
		free(fns[i]);
	nr_fns = 0;
	ecam_on = 0;
	conf1_on = 0;
	conf1_addr = 0;
	fake_pci_next_mmio_read = NULL;
	fake_pci_next_mmio_write = NULL;
	fake_pci_on_flr = NULL;
	fake_pci_ecam_accesses = 0;
	fake_pci_conf1_accesses = 0;
	fake_mmio_read = NULL;
	fake_mmio_write = NULL;
	fake_port_read = NULL;
	fake_port_write = NULL;
}

uint16_t fake_pci_r16(const struct fake_pci_fn *f, uint16_t reg)
{
	return (uint16_t)(f->cfg[reg] | f->cfg[reg + 1] << 8);
}

uint32_t fake_pci_r32(const struct fake_pci_fn *f, uint16_t reg)
{
	return (uint32_t)fake_pci_r16(f, reg) |
	       (uint32_t)fake_pci_r16(f, reg + 2) << 16;
}

void fake_pci_w16(struct fake_pci_fn *f, uint16_t reg, uint16_t v)
{
	f->cfg[reg] = (uint8_t)v;
	f->cfg[reg + 1] = (uint8_t)(v >> 8);
}

void fake_pci_w32(struct fake_pci_fn *f, uint16_t reg, uint32_t v)
{
	fake_pci_w16(f, reg, (uint16_t)v);
	fake_pci_w16(f, reg + 2, (uint16_t)(v >> 16));
}

static void set_mask(struct fake_pci_fn *f, uint16_t reg, unsigned int len,
		     uint8_t m)
{
	memset(f->wmask + reg, m, len);
}

struct fake_pci_fn *fake_pci_add(uint16_t seg, uint8_t bus, uint8_t dev,
				 uint8_t fn, uint16_t vendor, uint16_t device,
				 uint32_t class, uint8_t hdr_type)
{
	struct fake_pci_fn *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_true(nr_fns < MAX_FNS);
	fns[nr_fns++] = f;
	f->seg = seg;
	f->bus = bus;
	f->devfn = PCI_DEVFN(dev, fn);
	fake_pci_w16(f, PCI_VENDOR_ID, vendor);
	fake_pci_w16(f, PCI_DEVICE_ID, device);
	fake_pci_w32(f, PCI_CLASS_REVISION, class << 8 | 0x01);
	f->cfg[PCI_HEADER_TYPE] = hdr_type;
	/* command: IO, MEM, BME, INTx disable */
	fake_pci_w16(f, PCI_COMMAND, 0);
	f->wmask[PCI_COMMAND] = 0x07;
	f->wmask[PCI_COMMAND + 1] = 0x04;
	set_mask(f, PCI_CACHE_LINE_SIZE, 2, 0xff);
	set_mask(f, PCI_INTERRUPT_LINE, 1, 0xff);
	if ((hdr_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_TYPE_BRIDGE)
		set_mask(f, PCI_PRIMARY_BUS, 3, 0xff);
	else
		set_mask(f, PCI_BASE_ADDRESS_0, 24, 0xff);
	return f;
}

struct fake_pci_fn *fake_pci_find(uint16_t seg, uint8_t bus, uint8_t devfn)
{
	unsigned int i;

	for (i = 0; i < nr_fns; i++)
		if (fns[i]->seg == seg && fns[i]->bus == bus &&
		    fns[i]->devfn == devfn)
			return fns[i];
	return NULL;
}

void fake_pci_set_bridge(struct fake_pci_fn *f, uint8_t secondary,
			 uint8_t subordinate)
{
	f->cfg[PCI_PRIMARY_BUS] = f->bus;
	f->cfg[PCI_SECONDARY_BUS] = secondary;
	f->cfg[PCI_SUBORDINATE_BUS] = subordinate;
}

uint8_t fake_pci_add_cap(struct fake_pci_fn *f, uint8_t id, uint8_t len)
{
	uint8_t pos;

	if (!f->last_cap) {
		pos = 0x40;
		f->cfg[PCI_CAPABILITY_LIST] = pos;
		fake_pci_w16(f, PCI_STATUS, fake_pci_r16(f, PCI_STATUS) |
			     PCI_STATUS_CAP_LIST);
	} else {
		pos = f->next_cap;
		f->cfg[f->last_cap + 1] = pos;
	}
	assert_true(pos + len <= 0x100);
	f->cfg[pos] = id;
	f->cfg[pos + 1] = 0;
	set_mask(f, pos + 2, len - 2, 0xff);
	f->last_cap = pos;
	f->next_cap = (uint8_t)((pos + len + 3) & 0xfc);
	return pos;
}

void fake_pci_set_bar64(struct fake_pci_fn *f, unsigned int n, uint64_t pa)
{
	fake_pci_w32(f, PCI_BASE_ADDRESS_0 + 4 * n,
		     (uint32_t)pa | PCI_BASE_ADDRESS_MEM_TYPE_64);
	fake_pci_w32(f, PCI_BASE_ADDRESS_0 + 4 * (n + 1),
		     (uint32_t)(pa >> 32));
}

void fake_pci_set_bar32(struct fake_pci_fn *f, unsigned int n, uint32_t val)
{
	fake_pci_w32(f, PCI_BASE_ADDRESS_0 + 4 * n, val);
}

static uint8_t pcie_pos(const struct fake_pci_fn *f)
{
	uint8_t pos = f->cfg[PCI_CAPABILITY_LIST];
	unsigned int ttl = 48;

	while (pos && ttl--) {
		if (f->cfg[pos] == PCI_CAP_ID_EXP)
			return pos;
		pos = f->cfg[pos + 1];
	}
	return 0;
}

uint8_t fake_pci_add_pcie(struct fake_pci_fn *f, int flr)
{
	uint8_t pos = fake_pci_add_cap(f, PCI_CAP_ID_EXP, 0x3c);

	fake_pci_w32(f, pos + PCI_EXP_DEVCAP, flr ? PCI_EXP_DEVCAP_FLR : 0);
	set_mask(f, pos + PCI_EXP_DEVCAP, 4, 0);
	return pos;
}

static void do_flr(struct fake_pci_fn *f)
{
	uint8_t pos = f->cfg[PCI_CAPABILITY_LIST];
	unsigned int ttl = 48;

	f->flr_count++;
	fake_pci_w16(f, PCI_COMMAND, 0);
	memset(f->cfg + PCI_BASE_ADDRESS_0, 0, 24);
	while (pos && ttl--) {
		if (f->cfg[pos] == PCI_CAP_ID_MSI)
			f->cfg[pos + 2] &= (uint8_t)~PCI_MSI_FLAGS_ENABLE;
		if (f->cfg[pos] == PCI_CAP_ID_MSIX)
			f->cfg[pos + 3] &= 0x3f;
		if (f->cfg[pos] == PCI_CAP_ID_EXP)
			fake_pci_w16(f, pos + PCI_EXP_DEVCTL, 0);
		pos = f->cfg[pos + 1];
	}
	if (fake_pci_on_flr)
		fake_pci_on_flr(f);
}

static uint32_t fn_read(uint16_t seg, uint8_t bus, uint8_t devfn,
			uint16_t reg, int size)
{
	struct fake_pci_fn *f = fake_pci_find(seg, bus, devfn);
	uint32_t v = 0;
	int i;

	if (!f)
		return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
	for (i = 0; i < size; i++)
		v |= (uint32_t)f->cfg[reg + i] << (8 * i);
	return v;
}

static void fn_write(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		     uint32_t val, int size)
{
	struct fake_pci_fn *f = fake_pci_find(seg, bus, devfn);
	uint8_t exp;
	int i;

	if (!f)
		return;
	f->writes++;
	for (i = 0; i < size; i++) {
		uint8_t m = f->wmask[reg + i], b = (uint8_t)(val >> (8 * i));

		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~m) | (b & m));
	}
	exp = pcie_pos(f);
	if (exp && reg <= exp + PCI_EXP_DEVCTL + 1 &&
	    reg + size > exp + PCI_EXP_DEVCTL &&
	    (fake_pci_r16(f, exp + PCI_EXP_DEVCTL) & PCI_EXP_DEVCTL_BCR_FLR) &&
	    (fake_pci_r32(f, exp + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR))
		do_flr(f);
	if (f->on_write)
		f->on_write(f, reg, val, size);
}

uint64_t fake_pci_mmio_read(volatile void *a, int size)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;

	if (ecam_on && pa >= ecam_base + ((uint64_t)ecam_start << 20) &&
	    pa < ecam_base + ((uint64_t)(ecam_end + 1) << 20)) {
		uint64_t off = pa - ecam_base;

		fake_pci_ecam_accesses++;
		assert_true(size <= 4);
		return fn_read(ecam_seg, (uint8_t)(off >> 20),
			       (uint8_t)(off >> 12), off & 0xfff, size);
	}
	assert_non_null(fake_pci_next_mmio_read);
	return fake_pci_next_mmio_read(a, size);
}

void fake_pci_mmio_write(volatile void *a, uint64_t v, int size)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;

	if (ecam_on && pa >= ecam_base + ((uint64_t)ecam_start << 20) &&
	    pa < ecam_base + ((uint64_t)(ecam_end + 1) << 20)) {
		uint64_t off = pa - ecam_base;

		fake_pci_ecam_accesses++;
		assert_true(size <= 4);
		fn_write(ecam_seg, (uint8_t)(off >> 20), (uint8_t)(off >> 12),
			 off & 0xfff, (uint32_t)v, size);
		return;
	}
	assert_non_null(fake_pci_next_mmio_write);
	fake_pci_next_mmio_write(a, v, size);
}

void fake_pci_install_ecam(uint64_t base, uint16_t seg, uint8_t start_bus,
			   uint8_t end_bus)
{
	uint64_t start = base + ((uint64_t)start_bus << 20);

	ecam_base = base;
	ecam_seg = seg;
	ecam_start = start_bus;
	ecam_end = end_bus;
	ecam_on = 1;
	/* Never dereferenced: every access goes through the hooks. */
	fake_phys_add(start, (void *)(uintptr_t)start,
		      (size_t)(end_bus - start_bus + 1) << 20, FAKE_MMIO);
	fake_mmio_read = fake_pci_mmio_read;
	fake_mmio_write = fake_pci_mmio_write;
}

static uint32_t conf1_read(uint16_t port, int size)
{
	if (port == PCI_CONF1_ADDRESS && size == 4)
		return conf1_addr;
	if (port >= PCI_CONF1_DATA && port < PCI_CONF1_DATA + 4 &&
	    (conf1_addr & PCI_CONF1_ENABLE)) {
		uint16_t reg = (uint16_t)((conf1_addr & 0xfc) |
					  (port - PCI_CONF1_DATA));

		fake_pci_conf1_accesses++;
		assert_true((port - PCI_CONF1_DATA) % size == 0);
		return fn_read(0, (uint8_t)(conf1_addr >> 16),
			       (uint8_t)(conf1_addr >> 8), reg, size);
	}
	return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

static void conf1_write(uint16_t port, uint32_t val, int size)
{
	if (port == PCI_CONF1_ADDRESS && size == 4) {
		/* Only the bits mechanism #1 defines stick. */
		conf1_addr = val & 0x80fffffc;
		return;
	}
	if (port >= PCI_CONF1_DATA && port < PCI_CONF1_DATA + 4 &&
	    (conf1_addr & PCI_CONF1_ENABLE)) {
		uint16_t reg = (uint16_t)((conf1_addr & 0xfc) |
					  (port - PCI_CONF1_DATA));

		fake_pci_conf1_accesses++;
		fn_write(0, (uint8_t)(conf1_addr >> 16),
			 (uint8_t)(conf1_addr >> 8), reg, val, size);
	}
}

void fake_pci_install_conf1(void)
{
	conf1_on = 1;
	fake_port_read = conf1_read;
	fake_port_write = conf1_write;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	memcpy(t + 4, &len, 4);
	t[8] = 1;
	memcpy(t + 10, "BMDUMP", 6);
	t[9] = (uint8_t)-sum(t, len);
}

void fake_pci_acpi(struct acpi_info *ai, const struct fake_mcfg_entry *e,
		   unsigned int n)
{
	uint8_t *xsdt = acpi_mem, *mcfg = acpi_mem + 4096;
	uint64_t mcfg_pa = FAKE_ACPI_PA + 4096;
	uint32_t xlen = 36 + (n ? 8 : 0), mlen = 44 + 16 * n;
	unsigned int i;

	memset(acpi_mem, 0, sizeof(acpi_mem));
	memset(ai, 0, sizeof(*ai));
	if (n) {
		memcpy(xsdt + 36, &mcfg_pa, 8);
		for (i = 0; i < n; i++) {
			uint8_t *m = mcfg + 44 + 16 * i;

			memcpy(m, &e[i].base, 8);
			memcpy(m + 8, &e[i].seg, 2);
			m[10] = e[i].start_bus;
			m[11] = e[i].end_bus;
		}
		sdt_header(mcfg, "MCFG", mlen);
	}
	sdt_header(xsdt, "XSDT", xlen);
	fake_phys_add(FAKE_ACPI_PA, acpi_mem, sizeof(acpi_mem), FAKE_FW);
	ai->sdt = FAKE_ACPI_PA;
	ai->sdt_is_xsdt = 1;
}
