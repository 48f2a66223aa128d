// SPDX-License-Identifier: GPL-2.0
/*
 * Storage discovery: which PCI functions are disks the stub can drive, the
 * probe of each, and the final DMA quiesce once the writer chose a target.
 * A driver slots in with a case in storage_kind() and probe_ctrl() and one
 * in disable_ctrl().
 */
#include "storage.h"
#include "ahci.h"
#include "blkdev.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "nvme.h"
#include "pci.h"
#include "timer.h"
#include "virtio_blk.h"
#include "watchdog.h"

struct storage_ctrl {
	int kind;
	const struct pci_dev *pdev;
	struct nvme_ctrl *nvme;
	struct virtio_blk *vblk;
	struct ahci_ctrl *ahci;
};

static struct storage_ctrl ctrls[STORAGE_MAX_CTRLS];
static unsigned int nr_ctrls;

int storage_kind(const struct pci_dev *d)
{
	if (d->hdr_type != PCI_HEADER_TYPE_NORMAL)
		return STORAGE_NONE;
	return bmdump_pci_transport(d->class, d->vendor, d->device);
}

static const char *kind_name(int kind)
{
	return bmdump_transport_name(kind);
}

/* Does the stub have a driver for this kind? */
static int kind_supported(int kind)
{
	switch (kind) {
	case STORAGE_NVME:
	case STORAGE_VIRTIO_BLK:
	case STORAGE_AHCI:
		return 1;
	}
	return 0;
}

static int probe_ctrl(struct storage_ctrl *sc, unsigned int index,
		      struct blkdev *devs, unsigned int max,
		      unsigned int *count)
{
	switch (sc->kind) {
	case STORAGE_NVME:
		return nvme_probe(sc->pdev, index, devs, max, count,
				  &sc->nvme);
	case STORAGE_VIRTIO_BLK:
		return virtio_blk_probe(sc->pdev, index, devs, max, count,
					&sc->vblk);
	case STORAGE_AHCI:
		return ahci_probe(sc->pdev, index, devs, max, count,
				  &sc->ahci);
	}
	*count = 0;
	return 0;
}

static int disable_ctrl(struct storage_ctrl *sc)
{
	switch (sc->kind) {
	case STORAGE_NVME:
		return sc->nvme ? nvme_disable(sc->nvme) : 0;
	case STORAGE_VIRTIO_BLK:
		return sc->vblk ? virtio_blk_disable(sc->vblk) : 0;
	case STORAGE_AHCI:
		return sc->ahci ? ahci_disable(sc->ahci) : 0;
	}
	return 0;
}

static const struct pci_dev *target_pdev(const struct blkdev *target,
					 const struct storage_ctrl **tc)
{
	struct nvme_ctrl *nc = target ? nvme_ctrl_of(target) : NULL;
	struct virtio_blk *vb = target ? virtio_blk_of(target) : NULL;
	struct ahci_ctrl *ac = target ? ahci_ctrl_of(target) : NULL;
	unsigned int i;

	*tc = NULL;
	for (i = 0; i < nr_ctrls; i++)
		if ((nc && ctrls[i].nvme == nc) ||
		    (vb && ctrls[i].vblk == vb) ||
		    (ac && ctrls[i].ahci == ac)) {
			*tc = &ctrls[i];
			return ctrls[i].pdev;
		}
	return NULL;
}

const struct pci_dev *storage_pdev_of(const struct blkdev *d)
{
	const struct storage_ctrl *tc;

	return target_pdev(d, &tc);
}

static uint64_t pci_us, init_us;

void storage_times(uint64_t *pci, uint64_t *init)
{
	*pci = pci_us;
	*init = init_us;
}

static uint64_t scan_tsc;

int storage_scan(const struct acpi_info *ai)
{
	struct pci_dev *pd;
	unsigned int n, i, fenced = 0, disks = 0;
	char name[16];
	int err;

	scan_tsc = rdtsc();
	nr_ctrls = 0;
	nvme_forget();
	virtio_blk_forget();
	ahci_forget();
	err = pci_init(ai);
	if (err) {
		bmlog("pci: %s", stub_strerror(err));
		return err;
	}
	err = pci_scan();
	pd = pci_devices(&n);
	if (err)
		bmlog("%s: pci: %s", err == E_PCI_NO_DEVICES ? "error" :
		      "warning", stub_strerror(err));
	if (err == E_PCI_NO_DEVICES)
		return err;
	pci_us = timer_us_since(scan_tsc);
	bmlog("pci: %u functions on %u buses via %s in %llu us", n,
	      pci_nr_buses(), pci_access_name(), (unsigned long long)pci_us);
	/* Before any long wait: a watchdog must not reset us mid-write. */
	watchdog_stop_all(pd, n);

	/*
	 * No device may DMA while the IOMMU stage changes translation under
	 * it: bus mastering off on every endpoint, the disks included (their
	 * drivers turn it on again after resetting the controller).
	 */
	for (i = 0; i < n; i++) {
		int kind = storage_kind(&pd[i]);

		if (kind != STORAGE_NONE && !kind_supported(kind))
			bmlog("pci %s %s %04x:%04x: no driver yet, unused",
			      pci_name(&pd[i], name), kind_name(kind),
			      pd[i].vendor, pd[i].device);
		if (pci_may_quiesce(&pd[i]) &&
		    (pci_read16(&pd[i], PCI_COMMAND) & PCI_COMMAND_MASTER)) {
			pci_clear_master(&pd[i]);
			fenced++;
			disks += kind_supported(kind);
		}
	}
	if (fenced)
		bmlog("pci: bus mastering off on %u functions (%u of them "
		      "disks the stub drives)", fenced, disks);
	return 0;
}

int storage_probe_scanned(struct blkdev *devs, unsigned int max,
			  unsigned int *count)
{
	uint64_t t1 = rdtsc();
	struct pci_dev *pd;
	unsigned int n, i;
	unsigned int index[STORAGE_AHCI + 1] = { 0 };
	char name[16];
	int err;

	*count = 0;
	pd = pci_devices(&n);
	for (i = 0; i < n; i++) {
		struct storage_ctrl *sc;
		unsigned int got = 0;
		int kind = storage_kind(&pd[i]);

		if (!kind_supported(kind))
			continue;
		bmlog("pci %s %s %04x:%04x class %06x", pci_name(&pd[i], name),
		      kind_name(kind), pd[i].vendor, pd[i].device,
		      pd[i].class);
		if (nr_ctrls >= STORAGE_MAX_CTRLS) {
			bmlog("pci %s: %s", name,
			      stub_strerror(E_STORAGE_TOO_MANY_CTRLS));
			pci_clear_master(&pd[i]);
			continue;
		}
		sc = &ctrls[nr_ctrls];
		sc->kind = kind;
		sc->pdev = &pd[i];
		sc->nvme = NULL;
		sc->vblk = NULL;
		sc->ahci = NULL;
		/* Each kind numbers its controllers: nvme0, virtio0, ahci0. */
		err = probe_ctrl(sc, index[kind]++, devs + *count,
				 max - *count, &got);
		if (err) {
			bmlog("pci %s: error %d: %s; controller unused", name,
			      err, stub_strerror(err));
			continue;
		}
		nr_ctrls++;
		*count += got;
	}
	init_us = timer_us_since(t1);
	if (!*count) {
		bmlog("error: %s", stub_strerror(E_STORAGE_NONE));
		return E_STORAGE_NONE;
	}
	bmlog("storage: %u block devices on %u controllers in %llu us", *count,
	      nr_ctrls, (unsigned long long)timer_us_since(scan_tsc));
	return 0;
}

int storage_probe(const struct acpi_info *ai, struct blkdev *devs,
		  unsigned int max, unsigned int *count)
{
	int err = storage_scan(ai);

	*count = 0;
	return err ? err : storage_probe_scanned(devs, max, count);
}

void storage_quiesce_except(const struct blkdev *target)
{
	const struct storage_ctrl *tc;
	const struct pci_dev *tp = target_pdev(target, &tc);
	struct pci_quiesce_stats st;
	unsigned int i, disabled = 0;
	char name[16];
	int err;

	if (target && !tp)
		bmlog("warning: quiesce: %s is no device of the storage layer",
		      target->name);
	for (i = 0; i < nr_ctrls; i++) {
		if (&ctrls[i] == tc)
			continue;
		err = disable_ctrl(&ctrls[i]);
		if (err)
			bmlog("warning: pci %s: %s", pci_name(ctrls[i].pdev,
			      name), stub_strerror(err));
		disabled++;
	}
	pci_quiesce(tp, &st);
	bmlog("quiesce: %u other controllers disabled, bus mastering off on "
	      "%u functions, kept on %u bridges above %s", disabled,
	      st.masters_cleared, st.bridges_kept,
	      tp ? pci_name(tp, name) : "(no target)");
}
