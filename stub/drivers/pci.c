// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space, topology and DMA quiesce.  The machine was live a
 * moment ago: firmware and the crashed kernel assigned bus numbers and BARs,
 * and the stub never changes either (no renumbering, no BAR sizing, which
 * would briefly move a live device's window).
 */
#include "pci.h"
#include "acpi.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "phys.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

#define PCI_CLASS_BRIDGE_BASE	0x06
#define PCI_CLASS_IOMMU		0x0806	/* AMD-Vi is a function */

struct ecam_window {
	uint64_t base;		/* address of bus 0 of the segment */
	volatile uint8_t *map;	/* start_bus's config space, mapped UC */
	uint16_t seg;
	uint8_t start_bus;
	uint8_t end_bus;
};

static int access_method;
static struct ecam_window ecam[PCI_MAX_SEGMENTS];
static unsigned int nr_ecam;

static struct pci_dev devs[PCI_MAX_DEVS];
static unsigned int nr_devs;
static int scan_overflow;
static int scan_too_deep;
/* Buses walked, per segment slot (bit per bus). */
static uint64_t visited[PCI_MAX_SEGMENTS][4];
static unsigned int nr_buses;

/* Read MCFG; keep the windows that are sane and can be mapped. */
static int ecam_setup(const struct acpi_info *ai)
{
	const uint8_t *t;
	uint64_t pa;
	uint32_t len, off;
	int bad = 0;

	nr_ecam = 0;
	if (!ai || !ai->sdt || acpi_find_table(ai, "MCFG", &pa, &len))
		return 0;
	t = phys_fw(pa, len);
	if (!t || len < MCFG_ENTRIES) {
		bmlog("warning: %s", stub_strerror(E_PCI_MCFG));
		return E_PCI_MCFG;
	}
	for (off = MCFG_ENTRIES; off + MCFG_ENTRY_SIZE <= len;
	     off += MCFG_ENTRY_SIZE) {
		const uint8_t *e = t + off;
		struct ecam_window *w;
		uint64_t base = get_le64(e + MCFG_ENTRY_BASE), start, size;
		uint8_t sb = e[MCFG_ENTRY_START_BUS];
		uint8_t eb = e[MCFG_ENTRY_END_BUS];

		if (!base || (base & 0xfffff) || sb > eb) {
			bad = 1;
			continue;
		}
		if (nr_ecam >= PCI_MAX_SEGMENTS) {
			bad = 1;
			break;
		}
		start = base + ((uint64_t)sb << 20);
		size = (uint64_t)(eb - sb + 1) << 20;
		w = &ecam[nr_ecam];
		w->map = phys_mmio(start, size);
		if (!w->map) {
			bmlog("warning: ecam %llx-%llx: %s",
			      (unsigned long long)start,
			      (unsigned long long)(start + size - 1),
			      stub_strerror(E_PCI_ECAM_MAP));
			bad = 1;
			continue;
		}
		w->base = base;
		w->seg = get_le16(e + MCFG_ENTRY_SEGMENT);
		w->start_bus = sb;
		w->end_bus = eb;
		nr_ecam++;
	}
	if (bad && !nr_ecam)
		bmlog("warning: %s", stub_strerror(E_PCI_MCFG));
	return bad ? E_PCI_MCFG : 0;
}

/* Mechanism #1 answers if the address register reads back (SeaBIOS). */
static int conf1_present(void)
{
	uint32_t old = inl(PCI_CONF1_ADDRESS), v;

	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE);
	v = inl(PCI_CONF1_ADDRESS);
	outl(PCI_CONF1_ADDRESS, old);
	return v == PCI_CONF1_ENABLE;
}

int pci_init(const struct acpi_info *ai)
{
	access_method = PCI_ACCESS_NONE;
	ecam_setup(ai);
	if (nr_ecam)
		access_method = PCI_ACCESS_ECAM;
	else if (conf1_present())
		access_method = PCI_ACCESS_CONF1;
	else
		return E_PCI_NO_CONFIG;
	return 0;
}

int pci_access_method(void)
{
	return access_method;
}

const char *pci_access_name(void)
{
	switch (access_method) {
	case PCI_ACCESS_ECAM:
		return "ECAM";
	case PCI_ACCESS_CONF1:
		return "CF8/CFC";
	}
	return "none";
}

static volatile uint8_t *ecam_addr(uint16_t seg, uint8_t bus, uint8_t devfn,
				   uint16_t reg)
{
	unsigned int i;

	for (i = 0; i < nr_ecam; i++) {
		const struct ecam_window *w = &ecam[i];

		if (w->seg == seg && bus >= w->start_bus && bus <= w->end_bus)
			return w->map + ((uint64_t)(bus - w->start_bus) << 20 |
					 (uint64_t)devfn << 12 | reg);
	}
	return NULL;
}

/* Mechanism #1 reaches segment 0 and the first 256 bytes only. */
static int conf1_reaches(uint16_t seg, uint16_t reg)
{
	return seg == 0 && reg < PCI_CFG_SPACE_SIZE;
}

/* Point CONFIG_ADDRESS at reg; returns the CONFIG_DATA port for it. */
static uint16_t conf1_select(uint8_t bus, uint8_t devfn, uint16_t reg)
{
	outl(PCI_CONF1_ADDRESS, PCI_CONF1_ENABLE | (uint32_t)bus << 16 |
	     (uint32_t)devfn << 8 | (reg & 0xfc));
	return PCI_CONF1_DATA + (reg & 3);
}

static uint32_t all_ones(int size)
{
	return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

uint32_t pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		      int size)
{
	if (reg & (size - 1) || reg >= PCI_CFG_SPACE_EXP_SIZE)
		return all_ones(size);
	if (access_method == PCI_ACCESS_ECAM) {
		volatile uint8_t *a = ecam_addr(seg, bus, devfn, reg);

		if (!a)
			return all_ones(size);
		if (size == 1)
			return mmio_read8(a);
		if (size == 2)
			return mmio_read16(a);
		return mmio_read32(a);
	}
	if (access_method == PCI_ACCESS_CONF1 && conf1_reaches(seg, reg)) {
		uint16_t port = conf1_select(bus, devfn, reg);

		if (size == 1)
			return inb(port);
		if (size == 2)
			return inw(port);
		return inl(port);
	}
	return all_ones(size);
}

void pci_cfg_write(uint16_t seg, uint8_t bus, uint8_t devfn, uint16_t reg,
		   uint32_t val, int size)
{
	if (reg & (size - 1) || reg >= PCI_CFG_SPACE_EXP_SIZE)
		return;
	if (access_method == PCI_ACCESS_ECAM) {
		volatile uint8_t *a = ecam_addr(seg, bus, devfn, reg);

		if (!a)
			return;
		if (size == 1)
			mmio_write8(a, (uint8_t)val);
		else if (size == 2)
			mmio_write16(a, (uint16_t)val);
		else
			mmio_write32(a, val);
		return;
	}
	if (access_method == PCI_ACCESS_CONF1 && conf1_reaches(seg, reg)) {
		uint16_t port = conf1_select(bus, devfn, reg);

		if (size == 1)
			outb(port, (uint8_t)val);
		else if (size == 2)
			outw(port, (uint16_t)val);
		else
			outl(port, val);
	}
}

uint8_t pci_read8(const struct pci_dev *d, uint16_t reg)
{
	return (uint8_t)pci_cfg_read(d->seg, d->bus, d->devfn, reg, 1);
}

uint16_t pci_read16(const struct pci_dev *d, uint16_t reg)
{
	return (uint16_t)pci_cfg_read(d->seg, d->bus, d->devfn, reg, 2);
}

uint32_t pci_read32(const struct pci_dev *d, uint16_t reg)
{
	return pci_cfg_read(d->seg, d->bus, d->devfn, reg, 4);
}

void pci_write8(const struct pci_dev *d, uint16_t reg, uint8_t val)
{
	pci_cfg_write(d->seg, d->bus, d->devfn, reg, val, 1);
}

void pci_write16(const struct pci_dev *d, uint16_t reg, uint16_t val)
{
	pci_cfg_write(d->seg, d->bus, d->devfn, reg, val, 2);
}

void pci_write32(const struct pci_dev *d, uint16_t reg, uint32_t val)
{
	pci_cfg_write(d->seg, d->bus, d->devfn, reg, val, 4);
}

const char *pci_name(const struct pci_dev *d, char *buf)
{
	if (d->seg)
		bm_snprintf(buf, 16, "%04x:%02x:%02x.%x", d->seg, d->bus,
			    PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
	else
		bm_snprintf(buf, 16, "%02x:%02x.%x", d->bus,
			    PCI_SLOT(d->devfn), PCI_FUNC(d->devfn));
	return buf;
}

/* --- the bus walk ------------------------------------------------------ */

/* Segment slot for the visited map: the ECAM window's, or 0 for CF8. */
static int seg_slot(uint16_t seg)
{
	unsigned int i;

	if (access_method != PCI_ACCESS_ECAM)
		return seg == 0 ? 0 : -1;
	for (i = 0; i < nr_ecam; i++)
		if (ecam[i].seg == seg)
			return (int)i;
	return -1;
}

static int bus_visited(int slot, uint8_t bus)
{
	return !!(visited[slot][bus >> 6] & (1ull << (bus & 63)));
}

static void mark_visited(int slot, uint8_t bus)
{
	visited[slot][bus >> 6] |= 1ull << (bus & 63);
}

static int bus_in_range(uint16_t seg, uint8_t bus)
{
	unsigned int i;

	if (access_method != PCI_ACCESS_ECAM)
		return seg == 0;
	for (i = 0; i < nr_ecam; i++)
		if (ecam[i].seg == seg && bus >= ecam[i].start_bus &&
		    bus <= ecam[i].end_bus)
			return 1;
	return 0;
}

static void scan_bus(uint16_t seg, uint8_t bus, int32_t parent,
		     unsigned int depth);

static void add_function(uint16_t seg, uint8_t bus, uint8_t devfn,
			 uint16_t vendor, uint8_t hdr, int32_t parent,
			 unsigned int depth)
{
	struct pci_dev *d;
	int32_t me;

	if (nr_devs >= PCI_MAX_DEVS) {
		scan_overflow = 1;
		return;
	}
	me = (int32_t)nr_devs;
	d = &devs[nr_devs++];
	memset(d, 0, sizeof(*d));
	d->seg = seg;
	d->bus = bus;
	d->devfn = devfn;
	d->vendor = vendor;
	d->device = pci_read16(d, PCI_DEVICE_ID);
	d->class = pci_read32(d, PCI_CLASS_REVISION) >> 8;
	d->hdr_type = hdr & PCI_HEADER_TYPE_MASK;
	d->parent = parent;
	if (d->hdr_type != PCI_HEADER_TYPE_BRIDGE)
		return;
	d->secondary = pci_read8(d, PCI_SECONDARY_BUS);
	d->subordinate = pci_read8(d, PCI_SUBORDINATE_BUS);
	/*
	 * Descend only into what the bridge forwards: a secondary bus above
	 * this one and within its own subordinate range.  Anything else is
	 * an unconfigured bridge; the visited map stops loops.
	 */
	if (d->secondary > bus && d->secondary <= d->subordinate &&
	    bus_in_range(seg, d->secondary)) {
		if (depth + 1 >= PCI_MAX_DEPTH) {
			scan_too_deep = 1;
			return;
		}
		scan_bus(seg, d->secondary, me, depth + 1);
	}
}

static void scan_bus(uint16_t seg, uint8_t bus, int32_t parent,
		     unsigned int depth)
{
	int slot = seg_slot(seg);
	unsigned int dev, fn;

	if (slot < 0 || bus_visited(slot, bus))
		return;
	mark_visited(slot, bus);
	nr_buses++;
	for (dev = 0; dev < 32; dev++) {
		for (fn = 0; fn < 8; fn++) {
			uint8_t devfn = PCI_DEVFN(dev, fn);
			uint16_t vendor = (uint16_t)pci_cfg_read(seg, bus,
								 devfn, 0, 2);
			uint8_t hdr;

			if (vendor == PCI_VENDOR_ID_INVALID || vendor == 0) {
				if (fn == 0)
					break;
				continue;
			}
			hdr = (uint8_t)pci_cfg_read(seg, bus, devfn,
						    PCI_HEADER_TYPE, 1);
			add_function(seg, bus, devfn, vendor, hdr, parent,
				     depth);
			if (fn == 0 && !(hdr & PCI_HEADER_MULTIFUNCTION))
				break;
		}
	}
}

/* Is bus claimed by a bridge found so far (inside its bus range)? */
static int bus_claimed(uint16_t seg, uint8_t bus)
{
	unsigned int i;

	for (i = 0; i < nr_devs; i++)
		if (devs[i].seg == seg &&
		    devs[i].hdr_type == PCI_HEADER_TYPE_BRIDGE &&
		    devs[i].secondary <= bus && bus <= devs[i].subordinate &&
		    devs[i].secondary > devs[i].bus)
			return 1;
	return 0;
}

static int bus_has_device(uint16_t seg, uint8_t bus)
{
	unsigned int dev;

	for (dev = 0; dev < 32; dev++) {
		uint16_t v = (uint16_t)pci_cfg_read(seg, bus,
						    PCI_DEVFN(dev, 0), 0, 2);

		if (v != PCI_VENDOR_ID_INVALID && v != 0)
			return 1;
	}
	return 0;
}

/*
 * Peer root buses (several host bridges, as on multi-socket servers) are
 * known only from ACPI namespace objects the stub does not interpret; probe
 * the bus numbers no bridge claims instead, as Linux does without ACPI
 * (pcibios_fixup_peer_bridges).
 */
static void scan_segment(uint16_t seg, uint8_t first, uint8_t last)
{
	int slot = seg_slot(seg);
	unsigned int b;

	scan_bus(seg, first, -1, 0);
	for (b = first; b <= last; b++) {
		if (slot < 0 || bus_visited(slot, (uint8_t)b) ||
		    bus_claimed(seg, (uint8_t)b))
			continue;
		if (bus_has_device(seg, (uint8_t)b))
			scan_bus(seg, (uint8_t)b, -1, 0);
	}
}

int pci_scan(void)
{
	unsigned int i;

	nr_devs = 0;
	nr_buses = 0;
	scan_overflow = 0;
	scan_too_deep = 0;
	memset(visited, 0, sizeof(visited));
	if (access_method == PCI_ACCESS_ECAM) {
		for (i = 0; i < nr_ecam; i++)
			scan_segment(ecam[i].seg, ecam[i].start_bus,
				     ecam[i].end_bus);
		/* A broken MCFG that decodes nothing: try the ports. */
		if (!nr_devs && conf1_present()) {
			bmlog("warning: nothing answers through ECAM, "
			      "trying CF8/CFC");
			access_method = PCI_ACCESS_CONF1;
		}
	}
	if (access_method == PCI_ACCESS_CONF1)
		scan_segment(0, 0, 255);
	if (!nr_devs)
		return E_PCI_NO_DEVICES;
	if (scan_overflow)
		return E_PCI_TOO_MANY;
	if (scan_too_deep)
		return E_PCI_TOO_DEEP;
	return 0;
}

struct pci_dev *pci_devices(unsigned int *count)
{
	*count = nr_devs;
	return devs;
}

unsigned int pci_nr_buses(void)
{
	return nr_buses;
}

/* --- capabilities and function state ---------------------------------- */

uint16_t pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	unsigned int ttl = 48;	/* (256 - 64) / 4: a looping list ends */
	uint8_t pos;

	if (!(pci_read16(d, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = pci_read8(d, PCI_CAPABILITY_LIST) & 0xfc;
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		if (pci_read8(d, pos) == id)
			return pos;
		pos = pci_read8(d, pos + PCI_CAP_LIST_NEXT) & 0xfc;
	}
	return 0;
}

uint16_t pci_find_ext_cap(const struct pci_dev *d, uint16_t id)
{
	unsigned int ttl = (PCI_CFG_SPACE_EXP_SIZE - PCI_CFG_SPACE_SIZE) / 8;
	uint16_t pos = PCI_EXT_CAP_START;
	uint32_t h;

	if (access_method != PCI_ACCESS_ECAM)
		return 0;
	h = pci_read32(d, pos);
	if (h == 0 || h == 0xffffffffu)
		return 0;
	while (ttl--) {
		if (PCI_EXT_CAP_ID(h) == id)
			return pos;
		pos = (uint16_t)PCI_EXT_CAP_NEXT(h);
		if (pos < PCI_EXT_CAP_START)
			return 0;
		h = pci_read32(d, pos);
	}
	return 0;
}

uint64_t pci_bar_mem(const struct pci_dev *d, unsigned int n)
{
	uint16_t reg = (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * n);
	uint32_t lo = pci_read32(d, reg);
	uint64_t pa;

	if (lo == 0xffffffffu || (lo & PCI_BASE_ADDRESS_SPACE_IO))
		return 0;
	pa = lo & PCI_BASE_ADDRESS_MEM_MASK;
	if ((lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
	    PCI_BASE_ADDRESS_MEM_TYPE_64) {
		if (n >= 5)
			return 0;
		pa |= (uint64_t)pci_read32(d, reg + 4) << 32;
	}
	return pa;
}

void pci_command_set(const struct pci_dev *d, uint16_t set, uint16_t clear)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	uint16_t want = (uint16_t)((cmd & ~clear) | set);

	if (want != cmd)
		pci_write16(d, PCI_COMMAND, want);
}

void pci_clear_master(const struct pci_dev *d)
{
	pci_command_set(d, 0, PCI_COMMAND_MASTER);
}

/* The part of a type-0 header a reset loses and the stub must put back. */
struct saved_header {
	uint32_t dw[PCI_STD_HEADER_SIZEOF / 4];
	uint16_t devctl, devctl2;
	uint16_t exp;
};

static void save_header(const struct pci_dev *d, struct saved_header *s)
{
	unsigned int i;

	for (i = 0; i < PCI_STD_HEADER_SIZEOF / 4; i++)
		s->dw[i] = pci_read32(d, (uint16_t)(i * 4));
	s->exp = pci_find_cap(d, PCI_CAP_ID_EXP);
	if (s->exp) {
		s->devctl = pci_read16(d, s->exp + PCI_EXP_DEVCTL);
		s->devctl2 = pci_read16(d, s->exp + PCI_EXP_DEVCTL2);
	}
}

static void restore_header(const struct pci_dev *d,
			   const struct saved_header *s)
{
	unsigned int i;

	if (s->exp) {
		pci_write16(d, s->exp + PCI_EXP_DEVCTL,
			    s->devctl & ~PCI_EXP_DEVCTL_BCR_FLR);
		pci_write16(d, s->exp + PCI_EXP_DEVCTL2, s->devctl2);
	}
	/* BARs .. interrupt line; the command register last. */
	for (i = PCI_BASE_ADDRESS_0 / 4; i < PCI_STD_HEADER_SIZEOF / 4; i++)
		pci_write32(d, (uint16_t)(i * 4), s->dw[i]);
	/* Cache line size and latency timer; never BIST (0x0f). */
	pci_write8(d, PCI_CACHE_LINE_SIZE, (uint8_t)s->dw[0x0c / 4]);
	pci_write8(d, PCI_LATENCY_TIMER, (uint8_t)(s->dw[0x0c / 4] >> 8));
	pci_write16(d, PCI_COMMAND, (uint16_t)s->dw[PCI_COMMAND / 4]);
}

int pci_set_power_d0(const struct pci_dev *d)
{
	struct saved_header s;
	uint16_t pm = pci_find_cap(d, PCI_CAP_ID_PM), ctrl;

	if (!pm)
		return 0;
	ctrl = pci_read16(d, pm + PCI_PM_CTRL);
	if ((ctrl & PCI_PM_CTRL_STATE_MASK) == PCI_PM_CTRL_STATE_D0)
		return 0;
	save_header(d, &s);
	pci_write16(d, pm + PCI_PM_CTRL, ctrl & ~PCI_PM_CTRL_STATE_MASK);
	mdelay(PCI_PM_D3_D0_MS);
	ctrl = pci_read16(d, pm + PCI_PM_CTRL);
	if ((ctrl & PCI_PM_CTRL_STATE_MASK) != PCI_PM_CTRL_STATE_D0)
		return E_PCI_D0;
	/* D3hot -> D0 without No_Soft_Reset resets the function. */
	if (!(ctrl & PCI_PM_CTRL_NO_SOFT_RESET))
		restore_header(d, &s);
	return 0;
}

void pci_disable_irqs(const struct pci_dev *d)
{
	uint16_t pos, flags;

	pos = pci_find_cap(d, PCI_CAP_ID_MSI);
	if (pos) {
		flags = pci_read16(d, pos + PCI_MSI_FLAGS);
		if (flags & PCI_MSI_FLAGS_ENABLE)
			pci_write16(d, pos + PCI_MSI_FLAGS,
				    flags & ~PCI_MSI_FLAGS_ENABLE);
	}
	pos = pci_find_cap(d, PCI_CAP_ID_MSIX);
	if (pos) {
		flags = pci_read16(d, pos + PCI_MSIX_FLAGS);
		if (flags & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL))
			pci_write16(d, pos + PCI_MSIX_FLAGS, flags &
				    ~(PCI_MSIX_FLAGS_ENABLE |
				      PCI_MSIX_FLAGS_MASKALL));
	}
	pci_command_set(d, PCI_COMMAND_INTX_DISABLE, 0);
}

int pci_flr(const struct pci_dev *d)
{
	struct saved_header s;
	struct deadline dl;
	uint16_t exp = pci_find_cap(d, PCI_CAP_ID_EXP);

	if (!exp || !(pci_read32(d, exp + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLR))
		return E_PCI_NO_FLR;
	save_header(d, &s);
	/* Stop new requests, then give pending ones a moment (spec 6.6.2). */
	pci_clear_master(d);
	dl = deadline_ms(PCI_TRPND_WAIT_MS);
	while ((pci_read16(d, exp + PCI_EXP_DEVSTA) & PCI_EXP_DEVSTA_TRPND) &&
	       !deadline_passed(dl))
		cpu_relax();
	pci_write16(d, exp + PCI_EXP_DEVCTL,
		    pci_read16(d, exp + PCI_EXP_DEVCTL) |
		    PCI_EXP_DEVCTL_BCR_FLR);
	mdelay(PCI_FLR_WAIT_MS);
	/* A function still initialising answers with all ones (or CRS). */
	dl = deadline_ms(PCI_FLR_READY_MS);
	while (pci_read32(d, PCI_VENDOR_ID) == 0xffffffffu) {
		if (deadline_passed(dl))
			return E_PCI_FLR_TIMEOUT;
		cpu_relax();
	}
	restore_header(d, &s);
	return 0;
}

/* --- quiesce ------------------------------------------------------------ */

static int32_t index_of(const struct pci_dev *d)
{
	if (!d || d < devs || d >= devs + nr_devs)
		return -1;
	return (int32_t)(d - devs);
}

int pci_is_upstream(const struct pci_dev *b, const struct pci_dev *d)
{
	int32_t bi = index_of(b), i = index_of(d);
	unsigned int hops = 0;

	if (bi < 0 || i < 0)
		return 0;
	for (i = devs[i].parent; i >= 0 && hops++ < PCI_MAX_DEPTH;
	     i = devs[i].parent)
		if (i == bi)
			return 1;
	return 0;
}

int pci_may_quiesce(const struct pci_dev *d)
{
	/*
	 * Host and ISA bridges are chipset plumbing, and AMD's IOMMU is a
	 * PCI function that must keep fetching its tables for the target's
	 * DMA to be translated.
	 */
	if (d->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return 0;
	if (d->class >> 16 == PCI_CLASS_BRIDGE_BASE ||
	    d->class >> 8 == PCI_CLASS_IOMMU)
		return 0;
	return 1;
}

void pci_quiesce(const struct pci_dev *target, struct pci_quiesce_stats *st)
{
	unsigned int i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < nr_devs; i++) {
		const struct pci_dev *d = &devs[i];
		uint16_t cmd;

		if (d == target)
			continue;
		if (target && d->hdr_type == PCI_HEADER_TYPE_BRIDGE &&
		    pci_is_upstream(d, target)) {
			pci_command_set(d, PCI_COMMAND_MEMORY |
					PCI_COMMAND_MASTER, 0);
			st->bridges_kept++;
			continue;
		}
		if (d->hdr_type != PCI_HEADER_TYPE_BRIDGE &&
		    !pci_may_quiesce(d))
			continue;
		cmd = pci_read16(d, PCI_COMMAND);
		if (cmd == 0xffff || !(cmd & PCI_COMMAND_MASTER))
			continue;
		pci_write16(d, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
		st->masters_cleared++;
	}
	if (target) {
		pci_disable_irqs(target);
		pci_command_set(target, PCI_COMMAND_MEMORY |
				PCI_COMMAND_MASTER, 0);
	}
}
