// SPDX-License-Identifier: GPL-2.0
/*
 * Modern virtio-pci, after SeaBIOS src/hw/virtio-pci.c: the vendor
 * capabilities name a BAR, an offset and a length for each configuration
 * structure; the stub maps the three it needs uncached.  Transitional
 * devices carry the same capabilities next to their legacy I/O BAR, which
 * the stub never touches.
 */
#include "virtio_pci.h"
#include "errors.h"
#include "io.h"
#include "pci.h"
#include "phys.h"
#include "timer.h"

uint8_t vp_read8(const struct virtio_pci *vp, uint32_t off)
{
	return mmio_read8(vp->common + off);
}

uint16_t vp_read16(const struct virtio_pci *vp, uint32_t off)
{
	return mmio_read16(vp->common + off);
}

uint32_t vp_read32(const struct virtio_pci *vp, uint32_t off)
{
	return mmio_read32(vp->common + off);
}

void vp_write8(const struct virtio_pci *vp, uint32_t off, uint8_t val)
{
	mmio_write8(vp->common + off, val);
}

void vp_write16(const struct virtio_pci *vp, uint32_t off, uint16_t val)
{
	mmio_write16(vp->common + off, val);
}

void vp_write32(const struct virtio_pci *vp, uint32_t off, uint32_t val)
{
	mmio_write32(vp->common + off, val);
}

void vp_write64(const struct virtio_pci *vp, uint32_t off, uint64_t val)
{
	vp_write32(vp, off, (uint32_t)val);
	vp_write32(vp, off + 4, (uint32_t)(val >> 32));
}

uint32_t vp_cfg_read32(const struct virtio_pci *vp, uint32_t off)
{
	return mmio_read32(vp->devcfg + off);
}

uint8_t vp_status(const struct virtio_pci *vp)
{
	return vp_read8(vp, VIRTIO_PCI_COMMON_STATUS);
}

void vp_set_status(const struct virtio_pci *vp, uint8_t bits)
{
	vp_write8(vp, VIRTIO_PCI_COMMON_STATUS,
		  (uint8_t)(vp_status(vp) | bits));
}

/*
 * Until device_status reads 0 the device may still be working through the
 * crashed kernel's rings (4.1.4.3.2: the driver waits for the 0).
 */
int vp_reset(const struct virtio_pci *vp, int timeout_err)
{
	struct deadline dl = deadline_ms(VIRTIO_RESET_TIMEOUT_MS);
	uint8_t st;

	vp_write8(vp, VIRTIO_PCI_COMMON_STATUS, 0);
	for (;;) {
		st = vp_status(vp);
		if (!st)
			return 0;
		if (st == VIRTIO_STATUS_GONE)
			return E_VIRTIO_GONE;
		if (deadline_passed(dl))
			return wait_expired_err(timeout_err,
						E_VIRTIO_RESET_DEADLINE);
		cpu_relax();
	}
}

uint64_t vp_read_features(const struct virtio_pci *vp)
{
	uint64_t f;

	vp_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 0);
	f = vp_read32(vp, VIRTIO_PCI_COMMON_DF);
	vp_write32(vp, VIRTIO_PCI_COMMON_DFSELECT, 1);
	return f | (uint64_t)vp_read32(vp, VIRTIO_PCI_COMMON_DF) << 32;
}

void vp_write_features(const struct virtio_pci *vp, uint64_t f)
{
	vp_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 0);
	vp_write32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)f);
	vp_write32(vp, VIRTIO_PCI_COMMON_GFSELECT, 1);
	vp_write32(vp, VIRTIO_PCI_COMMON_GF, (uint32_t)(f >> 32));
}

void vp_notify(const struct virtio_pci *vp)
{
	mmio_write16(vp->notify, 0);
}

/* Map the window one virtio capability at cap describes. */
static volatile uint8_t *map_cap(const struct virtio_pci *vp, uint16_t cap,
				 uint32_t *len)
{
	uint8_t bar = pci_read8(vp->pdev, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read32(vp->pdev, cap + VIRTIO_PCI_CAP_OFFSET);
	uint64_t pa;

	*len = pci_read32(vp->pdev, cap + VIRTIO_PCI_CAP_LENGTH);
	if (bar > 5 || !*len)
		return NULL;
	pa = pci_bar_mem(vp->pdev, bar);
	if (!pa)
		return NULL;
	return phys_mmio(pa + off, *len);
}

/* Queue 0's register: notify base + queue_notify_off * multiplier. */
static int map_notify(struct virtio_pci *vp, uint16_t cap)
{
	uint32_t mult, len, at;
	volatile uint8_t *base;
	uint16_t noff;

	if (pci_read8(vp->pdev, cap + VIRTIO_PCI_CAP_LEN) <
	    VIRTIO_PCI_NOTIFY_CAP_SIZE)
		return E_VIRTIO_CAPS;
	mult = pci_read32(vp->pdev, cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
	base = map_cap(vp, cap, &len);
	if (!base)
		return E_VIRTIO_MAP;
	vp_write16(vp, VIRTIO_PCI_COMMON_Q_SELECT, 0);
	noff = vp_read16(vp, VIRTIO_PCI_COMMON_Q_NOFF);
	at = (uint32_t)noff * mult;
	if (at > len || len - at < 2)
		return E_VIRTIO_CAPS;
	vp->notify = base + at;
	return 0;
}

/* The first capability of each type counts (4.1.4.1). */
static void walk_caps(const struct virtio_pci *vp, uint16_t *common,
		      uint16_t *notify, uint16_t *device)
{
	unsigned int ttl = VIRTIO_CAP_TTL;
	uint16_t pos = 0;

	*common = *notify = *device = 0;
	if (pci_read16(vp->pdev, PCI_STATUS) & PCI_STATUS_CAP_LIST)
		pos = pci_read8(vp->pdev, PCI_CAPABILITY_LIST) & 0xfc;
	while (pos >= PCI_STD_HEADER_SIZEOF && ttl--) {
		if (pci_read8(vp->pdev, pos) == PCI_CAP_ID_VNDR &&
		    pci_read8(vp->pdev, pos + VIRTIO_PCI_CAP_LEN) >=
		    VIRTIO_PCI_CAP_SIZE) {
			uint8_t type = pci_read8(vp->pdev,
						 pos + VIRTIO_PCI_CAP_CFG_TYPE);

			if (type == VIRTIO_PCI_CAP_COMMON_CFG && !*common)
				*common = pos;
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !*notify)
				*notify = pos;
			if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !*device)
				*device = pos;
		}
		pos = pci_read8(vp->pdev, pos + PCI_CAP_LIST_NEXT) & 0xfc;
	}
}

int vp_find_caps(struct virtio_pci *vp, uint32_t devcfg_min)
{
	uint16_t common, notify, device;
	volatile uint8_t *c;
	uint32_t len;

	walk_caps(vp, &common, &notify, &device);
	if (!common && !notify && !device)
		return E_VIRTIO_LEGACY_ONLY;
	if (!common || !notify || !device)
		return E_VIRTIO_CAPS;
	c = map_cap(vp, common, &len);
	if (!c)
		return E_VIRTIO_MAP;
	if (len < VIRTIO_PCI_COMMON_CFG_SIZE)
		return E_VIRTIO_CAPS;
	vp->common = c;
	vp->devcfg = map_cap(vp, device, &vp->devcfg_len);
	if (!vp->devcfg)
		return E_VIRTIO_MAP;
	if (vp->devcfg_len < devcfg_min)
		return E_VIRTIO_CAPS;
	return map_notify(vp, notify);
}
