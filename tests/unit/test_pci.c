// SPDX-License-Identifier: GPL-2.0
/*
 * PCI: configuration access through ECAM (MCFG) and CF8/CFC, the bus walk
 * across bridges and peer root buses, capabilities, FLR, power state, and
 * the quiesce that keeps the target's upstream bridges mastering.
 */
#include "fakes.h"
#include "fake_pci.h"

#include <string.h>

#include "acpi.h"
#include "drivers/pci.h"
#include "errors.h"

#define ECAM_BASE	0xe0000000ull

static struct acpi_info ai;

static int setup(void **state)
{
	fake_phys_reset();
	fake_pci_reset();
	fake_log_reset();
	fake_tsc_step = 1000;
	return 0;
}

static int teardown(void **state)
{
	fake_pci_reset();
	fake_phys_reset();
	return 0;
}

static void use_ecam(uint8_t start, uint8_t end)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, start, end };

	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, start, end);
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_access_method(), PCI_ACCESS_ECAM);
}

static struct pci_dev *find(uint8_t bus, uint8_t dev, uint8_t fn)
{
	unsigned int n, i;
	struct pci_dev *d = pci_devices(&n);

	for (i = 0; i < n; i++)
		if (d[i].bus == bus && d[i].devfn == PCI_DEVFN(dev, fn))
			return &d[i];
	return NULL;
}

static void test_ecam_config_access(void **state)
{
	struct fake_pci_fn *f;

	f = fake_pci_add(0, 3, 4, 5, 0x8086, 0x1234, 0x020000, 0);
	fake_pci_w32(f, 0x100, 0xabcd0001);
	use_ecam(0, 7);
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 5), 0, 4),
			 0x12348086);
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 5), 2, 2), 0x1234);
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 5), 0x0b, 1), 0x02);
	/* extended config space is reachable through ECAM only */
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 5), 0x100, 4),
			 0xabcd0001);
	/* absent function, bus outside the window, misaligned: all ones */
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 6), 0, 4),
			 0xffffffffu);
	assert_int_equal(pci_cfg_read(0, 9, PCI_DEVFN(0, 0), 0, 2), 0xffff);
	assert_int_equal(pci_cfg_read(0, 3, PCI_DEVFN(4, 5), 1, 2), 0xffff);
	pci_cfg_write(0, 3, PCI_DEVFN(4, 5), PCI_COMMAND,
		      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	assert_int_equal(fake_pci_r16(f, PCI_COMMAND),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* read-only fields stay */
	pci_cfg_write(0, 3, PCI_DEVFN(4, 5), PCI_VENDOR_ID, 0, 2);
	assert_int_equal(fake_pci_r16(f, PCI_VENDOR_ID), 0x8086);
	assert_true(fake_pci_ecam_accesses > 0);
	assert_int_equal(fake_pci_conf1_accesses, 0);
}

/* MCFG's base is bus 0's address even when the window starts later. */
static void test_ecam_window_not_at_bus_0(void **state)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0x10, 0x1f };

	fake_pci_add(0, 0x12, 0, 0, 0x1af4, 0x1042, 0x010000, 0);
	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0x10, 0x1f);
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_cfg_read(0, 0x12, 0, 0, 4), 0x10421af4);
	assert_int_equal(pci_scan(), 0);
	assert_non_null(find(0x12, 0, 0));
}

static uint32_t last_cf8;

static void spy_port_write(uint16_t port, uint32_t val, int size)
{
	if (port == PCI_CONF1_ADDRESS)
		last_cf8 = val;
}

static void (*real_port_write)(uint16_t port, uint32_t val, int size);

static void chained_port_write(uint16_t port, uint32_t val, int size)
{
	spy_port_write(port, val, size);
	real_port_write(port, val, size);
}

static void test_conf1_fallback_without_mcfg(void **state)
{
	struct fake_pci_fn *f;

	f = fake_pci_add(0, 2, 0x1f, 3, 0x8086, 0x2930, 0x0c0500, 0);
	fake_pci_acpi(&ai, NULL, 0);		/* an XSDT without MCFG */
	fake_pci_install_conf1();
	real_port_write = fake_port_write;
	fake_port_write = chained_port_write;
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_access_method(), PCI_ACCESS_CONF1);
	assert_string_equal(pci_access_name(), "CF8/CFC");

	assert_int_equal(pci_cfg_read(0, 2, PCI_DEVFN(0x1f, 3), 0x0a, 2),
			 0x0c05);
	assert_int_equal(last_cf8, 0x80000000u | 2u << 16 | 0x1fu << 11 |
			 3u << 8 | 0x08);
	assert_int_equal(pci_cfg_read(0, 2, PCI_DEVFN(0x1f, 3), 0x0b, 1),
			 0x0c);
	pci_cfg_write(0, 2, PCI_DEVFN(0x1f, 3), PCI_COMMAND + 1, 0x04, 1);
	assert_int_equal(fake_pci_r16(f, PCI_COMMAND),
			 PCI_COMMAND_INTX_DISABLE);
	/* no extended space and no other segment through the ports */
	assert_int_equal(pci_cfg_read(0, 2, PCI_DEVFN(0x1f, 3), 0x100, 4),
			 0xffffffffu);
	assert_int_equal(pci_cfg_read(1, 2, PCI_DEVFN(0x1f, 3), 0, 4),
			 0xffffffffu);
	assert_true(fake_pci_conf1_accesses > 0);
	assert_int_equal(fake_pci_ecam_accesses, 0);

	/* without any ACPI at all, the same */
	assert_int_equal(pci_init(NULL), 0);
	assert_int_equal(pci_access_method(), PCI_ACCESS_CONF1);
}

static void test_bad_mcfg_falls_back(void **state)
{
	struct fake_mcfg_entry e = { 0, 0, 0, 255 };	/* no base */

	fake_pci_add(0, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);
	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_conf1();
	assert_int_equal(pci_init(&ai), 0);
	assert_int_equal(pci_access_method(), PCI_ACCESS_CONF1);
	assert_non_null(strstr(fake_log(), "MCFG table is malformed"));
	assert_int_equal(pci_scan(), 0);
	assert_non_null(find(0, 0, 0));
}

static void test_no_config_access(void **state)
{
	fake_pci_acpi(&ai, NULL, 0);
	assert_int_equal(pci_init(&ai), E_PCI_NO_CONFIG);
	assert_int_equal(pci_init(NULL), E_PCI_NO_CONFIG);
}

/*
 * bus 0: host bridge 00:00.0, device 00:02.0 (single function; a decoy
 *        answers at 00:02.1), root port 00:1c.0 -> bus 2..4,
 *        multifunction 00:1f.0/.2/.3
 * bus 2: switch upstream port 02:00.0 -> bus 3..4
 * bus 3: switch downstream port 03:01.0 -> bus 4
 * bus 4: NVMe 04:00.0
 * bus 7: unconfigured bridge 00:1d.0 with secondary 0 (never walked)
 * bus 0x80: a peer root bus no bridge claims, with 80:00.0
 */
static struct fake_pci_fn *hb, *rp, *usp, *dsp, *nvme, *lpc, *sata, *smb,
	*gpu, *bad, *peer;

static void build_tree(void)
{
	hb = fake_pci_add(0, 0, 0, 0, 0x8086, 0x29c0, 0x060000, 0);
	gpu = fake_pci_add(0, 0, 2, 0, 0x1234, 0x1111, 0x030000, 0);
	fake_pci_add(0, 0, 2, 1, 0x1234, 0x1112, 0x040300, 0);
	rp = fake_pci_add(0, 0, 0x1c, 0, 0x8086, 0x2940, 0x060400, 1);
	fake_pci_set_bridge(rp, 2, 4);
	bad = fake_pci_add(0, 0, 0x1d, 0, 0x8086, 0x2942, 0x060400, 1);
	fake_pci_set_bridge(bad, 0, 0);
	lpc = fake_pci_add(0, 0, 0x1f, 0, 0x8086, 0x2918, 0x060100, 0x80);
	sata = fake_pci_add(0, 0, 0x1f, 2, 0x8086, 0x2922, 0x010601, 0);
	smb = fake_pci_add(0, 0, 0x1f, 3, 0x8086, 0x2930, 0x0c0500, 0);
	usp = fake_pci_add(0, 2, 0, 0, 0x10b5, 0x8747, 0x060400, 1);
	fake_pci_set_bridge(usp, 3, 4);
	dsp = fake_pci_add(0, 3, 1, 0, 0x10b5, 0x8747, 0x060400, 1);
	fake_pci_set_bridge(dsp, 4, 4);
	nvme = fake_pci_add(0, 4, 0, 0, 0x144d, 0xa808, 0x010802, 0);
	peer = fake_pci_add(0, 0x80, 0, 0, 0x15b3, 0x1017, 0x020000, 0);
}

static void test_bus_walk_behind_bridges(void **state)
{
	struct pci_dev *d, *n;
	unsigned int count;

	build_tree();
	use_ecam(0, 255);
	assert_int_equal(pci_scan(), 0);
	d = pci_devices(&count);
	assert_int_equal(count, 11);
	/* the decoy function of a single-function device is not listed */
	assert_null(find(0, 2, 1));
	assert_non_null(find(0, 0x1f, 2));
	assert_non_null(find(0, 0x1f, 3));

	n = find(4, 0, 0);
	assert_non_null(n);
	assert_int_equal(n->vendor, 0x144d);
	assert_int_equal(n->device, 0xa808);
	assert_int_equal(n->class, 0x010802);
	assert_int_equal(n->hdr_type, PCI_HEADER_TYPE_NORMAL);
	/* parent chain: 03:01.0, 02:00.0, 00:1c.0, root */
	assert_ptr_equal(&d[n->parent], find(3, 1, 0));
	assert_ptr_equal(&d[d[n->parent].parent], find(2, 0, 0));
	assert_ptr_equal(&d[d[d[n->parent].parent].parent], find(0, 0x1c, 0));
	assert_int_equal(find(0, 0x1c, 0)->parent, -1);
	assert_int_equal(find(0, 0x1c, 0)->secondary, 2);
	assert_int_equal(find(0, 0x1c, 0)->subordinate, 4);
	assert_true(pci_is_upstream(find(0, 0x1c, 0), n));
	assert_false(pci_is_upstream(find(0, 0x1d, 0), n));

	/* the peer root bus is found, as a root */
	assert_non_null(find(0x80, 0, 0));
	assert_int_equal(find(0x80, 0, 0)->parent, -1);
	assert_int_equal(pci_nr_buses(), 5);	/* 0, 2, 3, 4, 0x80 */
}

static void test_bus_walk_through_conf1(void **state)
{
	unsigned int count;

	build_tree();
	fake_pci_install_conf1();
	assert_int_equal(pci_init(NULL), 0);
	assert_int_equal(pci_scan(), 0);
	pci_devices(&count);
	assert_int_equal(count, 11);
	assert_non_null(find(4, 0, 0));
	assert_non_null(find(0x80, 0, 0));
}

/* Bridges pointing backwards or at visited buses do not loop. */
static void test_bus_walk_survives_loops(void **state)
{
	struct fake_pci_fn *a, *b;
	unsigned int count;

	a = fake_pci_add(0, 0, 1, 0, 0x8086, 0x1, 0x060400, 1);
	fake_pci_set_bridge(a, 1, 2);
	b = fake_pci_add(0, 1, 0, 0, 0x8086, 0x2, 0x060400, 1);
	fake_pci_set_bridge(b, 1, 1);		/* points at its own bus */
	fake_pci_add(0, 1, 1, 0, 0x8086, 0x3, 0x060400, 1);
	fake_pci_set_bridge(fake_pci_find(0, 1, PCI_DEVFN(1, 0)), 0, 255);
	use_ecam(0, 3);
	assert_int_equal(pci_scan(), 0);
	pci_devices(&count);
	assert_int_equal(count, 3);
}

static void test_capabilities(void **state)
{
	struct fake_pci_fn *f;
	struct pci_dev *d;
	uint8_t pm, msi, exp;

	f = fake_pci_add(0, 0, 3, 0, 0x1b36, 0x0010, 0x010802, 0);
	pm = fake_pci_add_cap(f, PCI_CAP_ID_PM, 8);
	msi = fake_pci_add_cap(f, PCI_CAP_ID_MSI, 24);
	exp = fake_pci_add_pcie(f, 1);
	fake_pci_w32(f, 0x100, 1u << 16 | 0x0001);	/* AER, last */
	use_ecam(0, 0);
	assert_int_equal(pci_scan(), 0);
	d = find(0, 3, 0);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_PM), pm);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSI), msi);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_EXP), exp);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX), 0);
	assert_int_equal(pci_find_ext_cap(d, 0x0001), 0x100);
	assert_int_equal(pci_find_ext_cap(d, 0x0010), 0);

	/* a list that loops back on itself ends */
	f->cfg[exp + 1] = pm;
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_MSIX), 0);
	/* no capability list bit: nothing */
	fake_pci_w16(f, PCI_STATUS, 0);
	assert_int_equal(pci_find_cap(d, PCI_CAP_ID_PM), 0);
}

static void test_bars(void **state)
{
	struct fake_pci_fn *f;
	struct pci_dev *d;

	f = fake_pci_add(0, 0, 3, 0, 0x1b36, 0x0010, 0x010802, 0);
	fake_pci_set_bar64(f, 0, 0x380000004000ull);
	fake_pci_set_bar32(f, 2, 0xfebf1000);
	fake_pci_set_bar32(f, 3, 0xc001);	/* I/O */
	use_ecam(0, 0);
	pci_scan();
	d = find(0, 3, 0);
	assert_int_equal(pci_bar_mem(d, 0), 0x380000004000ull);
	assert_int_equal(pci_bar_mem(d, 2), 0xfebf1000);
	assert_int_equal(pci_bar_mem(d, 3), 0);
	assert_int_equal(pci_bar_mem(d, 4), 0);
}

static void test_disable_irqs(void **state)
{
	struct fake_pci_fn *f;
	struct pci_dev *d;
	uint8_t msi, msix;

	f = fake_pci_add(0, 0, 3, 0, 0x1b36, 0x0010, 0x010802, 0);
	msi = fake_pci_add_cap(f, PCI_CAP_ID_MSI, 24);
	msix = fake_pci_add_cap(f, PCI_CAP_ID_MSIX, 12);
	fake_pci_w16(f, msi + PCI_MSI_FLAGS, 0x0081);
	fake_pci_w16(f, msix + PCI_MSIX_FLAGS, 0xc03f);
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY);
	use_ecam(0, 0);
	pci_scan();
	d = find(0, 3, 0);
	pci_disable_irqs(d);
	assert_int_equal(fake_pci_r16(f, msi + PCI_MSI_FLAGS), 0x0080);
	assert_int_equal(fake_pci_r16(f, msix + PCI_MSIX_FLAGS), 0x003f);
	assert_int_equal(fake_pci_r16(f, PCI_COMMAND),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
}

static void test_flr_restores_header(void **state)
{
	struct fake_pci_fn *f, *g;
	struct pci_dev *d;
	uint8_t exp;

	f = fake_pci_add(0, 0, 3, 0, 0x1b36, 0x0010, 0x010802, 0);
	fake_pci_set_bar64(f, 0, 0xfe000000);
	exp = fake_pci_add_pcie(f, 1);
	fake_pci_w16(f, exp + PCI_EXP_DEVCTL, 0x2810);	/* MRRS, MPS... */
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	g = fake_pci_add(0, 0, 4, 0, 0x1b36, 0x0010, 0x010802, 0);
	fake_pci_add_pcie(g, 0);
	use_ecam(0, 0);
	pci_scan();
	d = find(0, 3, 0);
	assert_int_equal(pci_flr(d), 0);
	assert_int_equal(f->flr_count, 1);
	assert_int_equal(pci_bar_mem(d, 0), 0xfe000000);
	assert_int_equal(fake_pci_r16(f, exp + PCI_EXP_DEVCTL), 0x2810);
	assert_int_equal(fake_pci_r16(f, PCI_COMMAND),
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* no FLR capability: refused, nothing written */
	assert_int_equal(pci_flr(find(0, 4, 0)), E_PCI_NO_FLR);
	assert_int_equal(g->flr_count, 0);
}

/* D3hot -> D0 without No_Soft_Reset loses the BARs; they come back. */
static void d3_reset_on_write(struct fake_pci_fn *f, uint16_t reg,
			      uint32_t val, int size)
{
	if (reg == 0x44 && (f->cfg[0x44] & 3) == 0 && f->ctx) {
		memset(f->cfg + PCI_BASE_ADDRESS_0, 0, 24);
		fake_pci_w16(f, PCI_COMMAND, 0);
		f->ctx = NULL;
	}
}

static void test_power_d3_to_d0(void **state)
{
	struct fake_pci_fn *f;
	struct pci_dev *d;
	int marker;
	uint8_t pm;

	f = fake_pci_add(0, 0, 3, 0, 0x1b36, 0x0010, 0x010802, 0);
	pm = fake_pci_add_cap(f, PCI_CAP_ID_PM, 8);
	assert_int_equal(pm, 0x40);
	fake_pci_w16(f, pm + PCI_PM_CTRL, 3);		/* D3hot */
	fake_pci_set_bar64(f, 0, 0xfe000000);
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY);
	f->ctx = &marker;
	f->on_write = d3_reset_on_write;
	use_ecam(0, 0);
	pci_scan();
	d = find(0, 3, 0);
	fake_tsc_step = 5000000;
	assert_int_equal(pci_set_power_d0(d), 0);
	assert_int_equal(fake_pci_r16(f, pm + PCI_PM_CTRL) & 3, 0);
	assert_null(f->ctx);			/* the reset happened */
	assert_int_equal(pci_bar_mem(d, 0), 0xfe000000);
	assert_int_equal(fake_pci_r16(f, PCI_COMMAND), PCI_COMMAND_MEMORY);
}

static void set_master(struct fake_pci_fn *f)
{
	fake_pci_w16(f, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static int master(const struct fake_pci_fn *f)
{
	return !!(fake_pci_r16(f, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

static void test_quiesce_keeps_target_path(void **state)
{
	struct pci_quiesce_stats st;
	struct fake_pci_fn *iommu;
	uint8_t msix;

	build_tree();
	iommu = fake_pci_add(0, 0, 0x14, 0, 0x1022, 0x1481, 0x080600, 0);
	msix = fake_pci_add_cap(nvme, PCI_CAP_ID_MSIX, 12);
	fake_pci_w16(nvme, msix + PCI_MSIX_FLAGS, PCI_MSIX_FLAGS_ENABLE);
	set_master(hb);
	set_master(gpu);
	set_master(rp);
	fake_pci_w16(usp, PCI_COMMAND, 0);	/* off: quiesce turns it on */
	set_master(dsp);
	set_master(nvme);
	set_master(lpc);
	set_master(sata);
	set_master(peer);
	set_master(bad);
	set_master(iommu);
	use_ecam(0, 255);
	assert_int_equal(pci_scan(), 0);

	pci_quiesce(find(4, 0, 0), &st);
	/* the target and every bridge above it */
	assert_true(master(nvme));
	assert_true(master(dsp));
	assert_true(master(usp));
	assert_true(fake_pci_r16(usp, PCI_COMMAND) & PCI_COMMAND_MEMORY);
	assert_true(master(rp));
	assert_int_equal(st.bridges_kept, 3);
	/* the target polls: no MSI-X, no INTx */
	assert_int_equal(fake_pci_r16(nvme, msix + PCI_MSIX_FLAGS) &
			 PCI_MSIX_FLAGS_ENABLE, 0);
	assert_true(fake_pci_r16(nvme, PCI_COMMAND) &
		    PCI_COMMAND_INTX_DISABLE);
	/* everything else that could DMA is off */
	assert_false(master(gpu));
	assert_false(master(sata));
	assert_false(master(peer));
	assert_false(master(bad));		/* a bridge off the path */
	assert_int_equal(st.masters_cleared, 4);
	/* chipset plumbing and the IOMMU are left alone */
	assert_true(master(hb));
	assert_true(master(lpc));
	assert_true(master(iommu));
}

static void test_quiesce_without_target(void **state)
{
	struct pci_quiesce_stats st;

	build_tree();
	set_master(rp);
	set_master(usp);
	set_master(nvme);
	set_master(hb);
	use_ecam(0, 255);
	assert_int_equal(pci_scan(), 0);
	pci_quiesce(NULL, &st);
	assert_false(master(nvme));
	assert_false(master(rp));
	assert_false(master(usp));
	assert_true(master(hb));
	assert_int_equal(st.bridges_kept, 0);
	assert_int_equal(st.masters_cleared, 3);
}

static void test_name(void **state)
{
	struct pci_dev d = {
		.seg = 0, .bus = 0x3a, .devfn = PCI_DEVFN(0x1f, 7)
	};
	char buf[16];

	assert_string_equal(pci_name(&d, buf), "3a:1f.7");
	d.seg = 0x10;
	assert_string_equal(pci_name(&d, buf), "0010:3a:1f.7");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ecam_config_access),
		T(test_ecam_window_not_at_bus_0),
		T(test_conf1_fallback_without_mcfg),
		T(test_bad_mcfg_falls_back),
		T(test_no_config_access),
		T(test_bus_walk_behind_bridges),
		T(test_bus_walk_through_conf1),
		T(test_bus_walk_survives_loops),
		T(test_capabilities),
		T(test_bars),
		T(test_disable_irqs),
		T(test_flr_restores_header),
		T(test_power_d3_to_d0),
		T(test_quiesce_keeps_target_path),
		T(test_quiesce_without_target),
		cmocka_unit_test(test_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
