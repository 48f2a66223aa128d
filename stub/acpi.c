// SPDX-License-Identifier: GPL-2.0
#include "acpi.h"
#include "errors.h"
#include "phys.h"
#include "str.h"

#define RSDP_V1_LEN		20
#define RSDP_REVISION		15
#define RSDP_RSDT		16
#define RSDP_LENGTH		20
#define RSDP_XSDT		24
#define RSDP_V2_LEN		36

#define SDT_HDR_LEN		36
#define SDT_LENGTH		4
#define SDT_MAX_LEN		(1u << 20)

#define FADT_PM_TMR_BLK		76
#define FADT_PM_TMR_LEN		91
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_X_PM_TMR_BLK	208
#define FADT_F_TMR_VAL_EXT	(1u << 8)
#define FADT_F_RESET_REG_SUP	(1u << 10)

#define MADT_ENTRIES		44
#define MADT_LAPIC		0
#define MADT_X2APIC		9
#define MADT_ENABLED		(1u << 0)
#define MADT_ONLINE_CAPABLE	(1u << 1)	/* ACPI 6.3: not started */
#define MADT_LAPIC_NO_ID	0xffu		/* not a processor */
#define MADT_X2APIC_NO_ID	0xffffffffu

/* EFI system table (64-bit) and configuration table entries */
#define EFI_SYSTAB_SIGNATURE	0x5453595320494249ull	/* "IBI SYST" */
#define EFI_SYSTAB_NR_TABLES	104
#define EFI_SYSTAB_TABLES	112
#define EFI_CONFIG_ENTRY	24

static const uint8_t efi_acpi20_guid[16] = {
	0x71, 0xe8, 0x68, 0x88, 0xf1, 0xe4, 0xd3, 0x11,
	0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81 };
static const uint8_t efi_acpi10_guid[16] = {
	0x30, 0x2d, 0x9d, 0xeb, 0x88, 0x2d, 0xd3, 0x11,
	0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d };

static uint8_t checksum(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

const char *acpi_rsdp_source_name(int source)
{
	switch (source) {
	case RSDP_CMDLINE:
		return "acpi_rsdp=";
	case RSDP_BOOT_PARAMS:
		return "boot_params";
	case RSDP_EFI:
		return "EFI system table";
	case RSDP_BIOS:
		return "BIOS area scan";
	}
	return "none";
}

static int rsdp_valid(uint64_t pa)
{
	const uint8_t *p = phys_fw(pa, RSDP_V1_LEN);

	if (!p || memcmp(p, "RSD PTR ", 8) || checksum(p, RSDP_V1_LEN))
		return 0;
	if (p[RSDP_REVISION] >= 2) {
		uint32_t len;

		/* The length lies beyond the 20 bytes mapped so far. */
		p = phys_fw(pa, RSDP_V2_LEN);
		if (!p)
			return 0;
		len = get_le32(p + RSDP_LENGTH);
		if (len < RSDP_V2_LEN || len > 4096)
			return 0;
		p = phys_fw(pa, len);
		if (!p || checksum(p, len))
			return 0;
	}
	return 1;
}

static uint64_t rsdp_from_efi(uint64_t systab)
{
	const uint8_t *st, *tables;
	uint64_t n, i, found = 0;

	if (!systab)
		return 0;
	st = phys_fw(systab, EFI_SYSTAB_TABLES + 8);
	if (!st || get_le64(st) != EFI_SYSTAB_SIGNATURE)
		return 0;
	n = get_le64(st + EFI_SYSTAB_NR_TABLES);
	if (!n || n > 1024)
		return 0;
	tables = phys_fw(get_le64(st + EFI_SYSTAB_TABLES), n * EFI_CONFIG_ENTRY);
	if (!tables)
		return 0;
	for (i = 0; i < n; i++) {
		const uint8_t *e = tables + i * EFI_CONFIG_ENTRY;

		/* Prefer ACPI 2.0+; table order varies between firmwares. */
		if (!memcmp(e, efi_acpi20_guid, 16))
			return get_le64(e + 16);
		if (!memcmp(e, efi_acpi10_guid, 16))
			found = get_le64(e + 16);
	}
	return found;
}

static uint64_t rsdp_scan(uint64_t start, uint64_t len)
{
	const uint8_t *p = phys_fw(start, len);
	uint64_t off;

	if (!p)
		return 0;
	for (off = 0; off + RSDP_V1_LEN <= len; off += 16)
		if (!memcmp(p + off, "RSD PTR ", 8) && rsdp_valid(start + off))
			return start + off;
	return 0;
}

static uint64_t rsdp_from_bios(void)
{
	const uint8_t *bda = phys_fw(0x40e, 2);
	uint64_t ebda, pa;

	if (bda) {
		ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;
		if (ebda >= 0x80000 && ebda < 0xa0000) {
			pa = rsdp_scan(ebda, 1024);
			if (pa)
				return pa;
		}
	}
	return rsdp_scan(0xe0000, 0x20000);
}

/* Map a whole table after checking its header and checksum. */
static const uint8_t *map_sdt(uint64_t pa, uint32_t *len)
{
	const uint8_t *h = phys_fw(pa, SDT_HDR_LEN);
	uint32_t l;

	if (!h)
		return NULL;
	l = get_le32(h + SDT_LENGTH);
	if (l < SDT_HDR_LEN || l > SDT_MAX_LEN)
		return NULL;
	h = phys_fw(pa, l);
	if (!h || checksum(h, l))
		return NULL;
	*len = l;
	return h;
}

int acpi_init(struct acpi_info *ai, uint64_t cmdline_rsdp, uint64_t bp_rsdp,
	      uint64_t efi_systab)
{
	const uint8_t *r, *sdt;
	uint64_t cand;
	uint32_t len;

	memset(ai, 0, sizeof(*ai));
	if (cmdline_rsdp && rsdp_valid(cmdline_rsdp)) {
		ai->rsdp = cmdline_rsdp;
		ai->rsdp_source = RSDP_CMDLINE;
	} else if (bp_rsdp && rsdp_valid(bp_rsdp)) {
		ai->rsdp = bp_rsdp;
		ai->rsdp_source = RSDP_BOOT_PARAMS;
	} else if ((cand = rsdp_from_efi(efi_systab)) && rsdp_valid(cand)) {
		ai->rsdp = cand;
		ai->rsdp_source = RSDP_EFI;
	} else if ((cand = rsdp_from_bios())) {
		ai->rsdp = cand;
		ai->rsdp_source = RSDP_BIOS;
	} else {
		return E_ACPI_NO_RSDP;
	}
	/* A revision 0 RSDP is 20 bytes long: read no further than that. */
	r = phys_fw(ai->rsdp, RSDP_V1_LEN);
	if (r && r[RSDP_REVISION] >= 2)
		r = phys_fw(ai->rsdp, RSDP_V2_LEN);
	if (!r)
		return E_ACPI_RSDP_CSUM;
	if (r[RSDP_REVISION] >= 2 && get_le64(r + RSDP_XSDT)) {
		ai->sdt = get_le64(r + RSDP_XSDT);
		ai->sdt_is_xsdt = 1;
	} else {
		ai->sdt = get_le32(r + RSDP_RSDT);
	}
	sdt = map_sdt(ai->sdt, &len);
	if (!sdt || memcmp(sdt, ai->sdt_is_xsdt ? "XSDT" : "RSDT", 4))
		return E_ACPI_SDT;
	return 0;
}

int acpi_find_table(const struct acpi_info *ai, const char sig[4],
		    uint64_t *pa, uint32_t *len)
{
	unsigned int esz = ai->sdt_is_xsdt ? 8 : 4;
	const uint8_t *sdt;
	uint32_t sdt_len, i;

	sdt = map_sdt(ai->sdt, &sdt_len);
	if (!sdt)
		return E_ACPI_SDT;
	for (i = SDT_HDR_LEN; i + esz <= sdt_len; i += esz) {
		uint64_t t = esz == 8 ? get_le64(sdt + i) : get_le32(sdt + i);
		const uint8_t *h = phys_fw(t, SDT_HDR_LEN);

		if (!h || memcmp(h, sig, 4))
			continue;
		if (!map_sdt(t, len))
			return E_ACPI_TABLE;
		*pa = t;
		return 0;
	}
	return E_ACPI_NO_TABLE;
}

static void read_gas(const uint8_t *p, struct acpi_gas *g)
{
	g->space_id = p[0];
	g->bit_width = p[1];
	g->bit_offset = p[2];
	g->access_size = p[3];
	g->address = get_le64(p + 4);
}

int acpi_parse_fadt(struct acpi_info *ai)
{
	const uint8_t *f;
	uint64_t pa;
	uint32_t len, flags;
	int err;

	err = acpi_find_table(ai, "FACP", &pa, &len);
	if (err)
		return err;
	f = phys_fw(pa, len);
	if (!f || len < FADT_FLAGS + 4)
		return E_ACPI_TABLE;
	ai->has_fadt = 1;
	flags = get_le32(f + FADT_FLAGS);
	if (len >= FADT_RESET_VALUE + 1 && (flags & FADT_F_RESET_REG_SUP)) {
		read_gas(f + FADT_RESET_REG, &ai->reset_reg);
		ai->reset_value = f[FADT_RESET_VALUE];
		ai->has_reset_reg = ai->reset_reg.address != 0 &&
			ai->reset_reg.space_id <= ACPI_GAS_PCI_CONFIG;
	}
	ai->pm_tmr_32bit = !!(flags & FADT_F_TMR_VAL_EXT);
	if (len >= FADT_X_PM_TMR_BLK + 12) {
		struct acpi_gas g;

		read_gas(f + FADT_X_PM_TMR_BLK, &g);
		if (g.space_id == ACPI_GAS_IO && g.address &&
		    g.address <= 0xfffc)
			ai->pm_tmr_port = (uint16_t)g.address;
	}
	if (!ai->pm_tmr_port && f[FADT_PM_TMR_LEN] == 4) {
		uint32_t port = get_le32(f + FADT_PM_TMR_BLK);

		if (port && port <= 0xfffc)
			ai->pm_tmr_port = (uint16_t)port;
	}
	return 0;
}

/* One MADT processor entry into the list of CPUs the stub may start. */
static void madt_startable(struct acpi_info *ai, uint8_t type, uint32_t id,
			   uint32_t flags)
{
	unsigned int i;

	/*
	 * Enabled only: an online-capable entry (MADT_ONLINE_CAPABLE, from
	 * MADT revision 5) is a hot-plug slot that usually holds no CPU,
	 * and each would cost a full arrival timeout before the watchdogs
	 * are stopped.
	 */
	if (!(flags & MADT_ENABLED))
		return;
	if ((type == MADT_LAPIC && id == MADT_LAPIC_NO_ID) ||
	    (type == MADT_X2APIC && id == MADT_X2APIC_NO_ID))
		return;
	for (i = 0; i < ai->nr_startable; i++)
		if (ai->startable_id[i] == id)
			return;
	if (ai->nr_startable < ACPI_MAX_CPUS)
		ai->startable_id[ai->nr_startable++] = id;
}

int acpi_parse_madt(struct acpi_info *ai)
{
	const uint8_t *m;
	uint64_t pa;
	uint32_t len, off;
	int err;

	err = acpi_find_table(ai, "APIC", &pa, &len);
	if (err)
		return err;
	m = phys_fw(pa, len);
	if (!m || len < MADT_ENTRIES)
		return E_ACPI_TABLE;
	ai->nr_cpus = 0;
	ai->nr_startable = 0;
	for (off = MADT_ENTRIES; off + 2 <= len;) {
		uint8_t type = m[off], elen = m[off + 1];
		uint32_t id, flags;

		if (elen < 2 || elen > len - off)
			return E_ACPI_TABLE;
		if (type == MADT_LAPIC && elen >= 8) {
			id = m[off + 3];
			flags = get_le32(m + off + 4);
		} else if (type == MADT_X2APIC && elen >= 16) {
			id = get_le32(m + off + 4);
			flags = get_le32(m + off + 8);
		} else {
			off += elen;
			continue;
		}
		off += elen;
		madt_startable(ai, type, id, flags);
		/* Linux numbers only enabled CPUs, in table order. */
		if (!(flags & MADT_ENABLED) || ai->nr_cpus >= ACPI_MAX_CPUS)
			continue;
		ai->apic_id[ai->nr_cpus++] = id;
	}
	return 0;
}

int acpi_cpu_index(const struct acpi_info *ai, uint32_t apic_id,
		   uint32_t bsp_apic_id)
{
	unsigned int i;
	int n = 1;

	/*
	 * Linux gives the boot CPU number 0 and the others 1, 2, ... in MADT
	 * order (generic_processor_info()).
	 */
	if (apic_id == bsp_apic_id)
		return 0;
	for (i = 0; i < ai->nr_cpus; i++) {
		if (ai->apic_id[i] == bsp_apic_id)
			continue;
		if (ai->apic_id[i] == apic_id)
			return n;
		n++;
	}
	return -1;
}

int acpi_boot_cpu(const struct acpi_info *ai, int has_given, uint32_t given,
		  uint32_t *id)
{
	if (has_given) {
		*id = given;
		return BSP_CMDLINE;
	}
	if (!ai->nr_cpus)
		return BSP_UNKNOWN;
	*id = ai->apic_id[0];
	return BSP_MADT;
}

const char *acpi_bsp_source_name(int source)
{
	switch (source) {
	case BSP_CMDLINE:
		return "bmdump.bsp=";
	case BSP_MADT:
		return "the first enabled CPU of the MADT";
	}
	return "unknown";
}
