// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI: finding the RSDP (acpi_rsdp=, boot_params, the EFI system table,
 * the BIOS areas), RSDT/XSDT, the FADT's reset register and PM timer, the
 * MADT's CPUs.  Tables are served as firmware memory (FAKE_FW), each in an
 * allocation of exactly its length.
 */
#include "fakes.h"
#include "testbuf.h"

#include <stdio.h>
#include <string.h>

#include "acpi.h"
#include "errors.h"

#define RSDP_PA		0x3f77d014ull
#define RSDP2_PA	0x3f77e014ull
#define XSDT_PA		0x3f77c0e8ull
#define RSDT_PA		0x3f77c074ull
#define FADT_PA		0x3f779000ull
#define MADT_PA		0x3f778000ull
#define SYSTAB_PA	0x3f8ee018ull
#define CFGTAB_PA	0x3f8ef000ull

static struct acpi_info ai;

static int teardown(void **state)
{
	fake_phys_reset();
	tb_free_all();
	return 0;
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

/* "8868e871-e4f1-11d3-bc22-0080c73c8881" in EFI_GUID memory order. */
static void guid(uint8_t out[16], const char *s)
{
	unsigned int f[11];

	assert_int_equal(sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x",
				&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6],
				&f[7], &f[8], &f[9], &f[10]), 11);
	tb_put32(out, f[0]);
	tb_put16(out + 4, (uint16_t)f[1]);
	tb_put16(out + 6, (uint16_t)f[2]);
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)f[3 + i];
}

#define GUID_ACPI20	"8868e871-e4f1-11d3-bc22-0080c73c8881"
#define GUID_ACPI10	"eb9d2d30-2d88-11d3-9a16-0090273fc14d"
#define GUID_SMBIOS3	"f2fd1544-9794-4a2c-992e-e5bbcf20e394"

/* An RSDP of revision rev; v1 is 20 bytes long, v2 36. */
static uint8_t *rsdp(uint64_t pa, int rev, uint32_t rsdt, uint64_t xsdt)
{
	size_t len = rev >= 2 ? 36 : 20;
	uint8_t *r = tb_alloc(len);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = (uint8_t)rev;
	tb_put32(r + 16, rsdt);
	if (rev >= 2) {
		tb_put32(r + 20, 36);
		tb_put64(r + 24, xsdt);
	}
	r[8] = (uint8_t)-sum(r, 20);
	if (rev >= 2)
		r[32] = (uint8_t)-sum(r, 36);
	if (pa)
		fake_phys_add(pa, r, len, FAKE_FW);
	return r;
}

static uint8_t *sdt(const char *sig, uint32_t len)
{
	uint8_t *t = tb_alloc(len);

	memcpy(t, sig, 4);
	tb_put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "BOCHS ", 6);
	memcpy(t + 16, "BXPC    ", 8);
	return t;
}

static void fix(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = (uint8_t)-sum(t, len);
}

static void serve(uint64_t pa, uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	fix(t);
	fake_phys_add(pa, t, len, FAKE_FW);
}

/* XSDT (8-byte entries) or RSDT (4-byte) listing the given tables. */
static uint8_t *root_table(uint64_t pa, int xsdt, const uint64_t *tables,
			   unsigned int n)
{
	unsigned int esz = xsdt ? 8 : 4, i;
	uint8_t *t = sdt(xsdt ? "XSDT" : "RSDT", 36 + n * esz);

	for (i = 0; i < n; i++) {
		if (xsdt)
			tb_put64(t + 36 + i * 8, tables[i]);
		else
			tb_put32(t + 36 + i * 4, (uint32_t)tables[i]);
	}
	serve(pa, t);
	return t;
}

#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_PM_TMR_BLK		76
#define FADT_PM_TMR_LEN		91
#define FADT_X_PM_TMR_BLK	208
#define F_TMR_VAL_EXT		(1u << 8)
#define F_RESET_REG_SUP		(1u << 10)

static void gas(uint8_t *p, uint8_t space, uint8_t width, uint64_t addr)
{
	p[0] = space;
	p[1] = width;
	p[2] = 0;
	p[3] = 1;
	tb_put64(p + 4, addr);
}

/* QEMU q35's FADT (revision 3, 244 bytes): PM timer at 0x608. */
static uint8_t *q35_fadt(uint32_t len)
{
	uint8_t *f = sdt("FACP", len);

	tb_put32(f + FADT_PM_TMR_BLK, 0x608);
	f[FADT_PM_TMR_LEN] = 4;
	if (len >= FADT_FLAGS + 4)
		tb_put32(f + FADT_FLAGS, F_RESET_REG_SUP | F_TMR_VAL_EXT |
			 0xa5);
	if (len >= FADT_RESET_VALUE + 1) {
		gas(f + FADT_RESET_REG, ACPI_GAS_IO, 8, 0xcf9);
		f[FADT_RESET_VALUE] = 0x0f;
	}
	if (len >= FADT_X_PM_TMR_BLK + 12)
		gas(f + FADT_X_PM_TMR_BLK, ACPI_GAS_IO, 32, 0x608);
	return f;
}

static void madt_lapic(uint8_t *e, uint8_t uid, uint8_t id, uint32_t flags)
{
	e[0] = 0;
	e[1] = 8;
	e[2] = uid;
	e[3] = id;
	tb_put32(e + 4, flags);
}

static void madt_x2apic(uint8_t *e, uint32_t id, uint32_t flags, uint32_t uid)
{
	e[0] = 9;
	e[1] = 16;
	tb_put32(e + 4, id);
	tb_put32(e + 8, flags);
	tb_put32(e + 12, uid);
}

/*
 * LAPIC 0, LAPIC 2, LAPIC 4 (disabled), IOAPIC, LAPIC 6, x2APIC 0x100,
 * x2APIC 0x101 (disabled), LAPIC NMI.
 */
static uint8_t *standard_madt(void)
{
	uint32_t len = 44 + 8 * 4 + 12 + 16 * 2 + 6;
	uint8_t *m = sdt("APIC", len), *e = m + 44;

	tb_put32(m + 36, 0xfee00000);
	tb_put32(m + 40, 1);
	madt_lapic(e, 0, 0, 1), e += 8;
	madt_lapic(e, 1, 2, 1), e += 8;
	madt_lapic(e, 2, 4, 0), e += 8;
	e[0] = 1, e[1] = 12, tb_put32(e + 4, 0xfec00000), e += 12;
	madt_lapic(e, 3, 6, 1), e += 8;
	madt_x2apic(e, 0x100, 1, 4), e += 16;
	madt_x2apic(e, 0x101, 0, 5), e += 16;
	e[0] = 4, e[1] = 6, e[2] = 0xff;
	return m;
}

/* RSDP v2 at RSDP_PA -> XSDT -> FADT, MADT. */
static void standard_tables(void)
{
	uint64_t t[2] = { FADT_PA, MADT_PA };

	rsdp(RSDP_PA, 2, (uint32_t)RSDT_PA, XSDT_PA);
	root_table(XSDT_PA, 1, t, 2);
	root_table(RSDT_PA, 0, t, 2);
	serve(FADT_PA, q35_fadt(244));
	serve(MADT_PA, standard_madt());
}

static void test_rsdp_from_cmdline(void **state)
{
	standard_tables();
	rsdp(RSDP2_PA, 2, (uint32_t)RSDT_PA, XSDT_PA);
	assert_int_equal(acpi_init(&ai, RSDP_PA, RSDP2_PA, 0), 0);
	assert_int_equal(ai.rsdp, RSDP_PA);
	assert_int_equal(ai.rsdp_source, RSDP_CMDLINE);
	assert_string_equal(acpi_rsdp_source_name(ai.rsdp_source),
			    "acpi_rsdp=");
	assert_true(ai.sdt_is_xsdt);
	assert_int_equal(ai.sdt, XSDT_PA);
}

static void test_rsdp_from_boot_params(void **state)
{
	standard_tables();
	assert_int_equal(acpi_init(&ai, 0, RSDP_PA, 0), 0);
	assert_int_equal(ai.rsdp_source, RSDP_BOOT_PARAMS);
	assert_string_equal(acpi_rsdp_source_name(ai.rsdp_source),
			    "boot_params");
	/* A bad acpi_rsdp= falls through to boot_params. */
	assert_int_equal(acpi_init(&ai, 0x12340000, RSDP_PA, 0), 0);
	assert_int_equal(ai.rsdp_source, RSDP_BOOT_PARAMS);
	assert_int_equal(ai.rsdp, RSDP_PA);
}

/* A 64-bit EFI system table with the given configuration table. */
static void efi_systab(const char *const *guids, const uint64_t *ptrs,
		       unsigned int n)
{
	uint8_t *st = tb_alloc(120);
	uint8_t *ct = tb_alloc(n * 24 + (n ? 0 : 1));
	unsigned int i;

	tb_put64(st, 0x5453595320494249ull);	/* "IBI SYST" */
	tb_put32(st + 8, (2 << 16) | 70);
	tb_put64(st + 104, n);
	tb_put64(st + 112, CFGTAB_PA);
	for (i = 0; i < n; i++) {
		guid(ct + i * 24, guids[i]);
		tb_put64(ct + i * 24 + 16, ptrs[i]);
	}
	fake_phys_add(SYSTAB_PA, st, 120, FAKE_FW);
	fake_phys_add(CFGTAB_PA, ct, n * 24, FAKE_FW);
}

static void test_rsdp_from_efi_prefers_acpi20(void **state)
{
	static const char *const order1[] = { GUID_ACPI10, GUID_SMBIOS3,
					      GUID_ACPI20 };
	static const char *const order2[] = { GUID_ACPI20, GUID_ACPI10 };
	static const char *const only10[] = { GUID_SMBIOS3, GUID_ACPI10 };
	uint64_t p1[] = { RSDP2_PA, 0xf0000, RSDP_PA };
	uint64_t p2[] = { RSDP_PA, RSDP2_PA };
	uint64_t p3[] = { 0xf0000, RSDP2_PA };

	standard_tables();
	rsdp(RSDP2_PA, 0, (uint32_t)RSDT_PA, 0);	/* the 1.0 one */
	/* 1.0 listed first: 2.0 still wins. */
	efi_systab(order1, p1, 3);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), 0);
	assert_int_equal(ai.rsdp_source, RSDP_EFI);
	assert_string_equal(acpi_rsdp_source_name(ai.rsdp_source),
			    "EFI system table");
	assert_int_equal(ai.rsdp, RSDP_PA);
	assert_true(ai.sdt_is_xsdt);
	fake_phys_reset();
	standard_tables();
	rsdp(RSDP2_PA, 0, (uint32_t)RSDT_PA, 0);
	efi_systab(order2, p2, 2);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), 0);
	assert_int_equal(ai.rsdp, RSDP_PA);
	/* Only 1.0: taken, with the RSDT. */
	fake_phys_reset();
	standard_tables();
	rsdp(RSDP2_PA, 0, (uint32_t)RSDT_PA, 0);
	efi_systab(only10, p3, 2);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), 0);
	assert_int_equal(ai.rsdp, RSDP2_PA);
	assert_false(ai.sdt_is_xsdt);
	assert_int_equal(ai.sdt, RSDT_PA);
}

static void test_efi_systab_malformed(void **state)
{
	static const char *const g[] = { GUID_ACPI20 };
	uint64_t p[] = { RSDP_PA };
	uint8_t *st;

	standard_tables();
	/* No systab, and one that is not there. */
	assert_int_equal(acpi_init(&ai, 0, 0, 0), E_ACPI_NO_RSDP);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
	efi_systab(g, p, 1);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), 0);
	assert_int_equal(ai.rsdp_source, RSDP_EFI);

	fake_phys_reset();
	standard_tables();
	st = tb_alloc(120);
	fake_phys_add(SYSTAB_PA, st, 120, FAKE_FW);
	/* Wrong signature. */
	tb_put64(st, 0x5453595320494248ull);
	tb_put64(st + 104, 1);
	tb_put64(st + 112, CFGTAB_PA);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
	/* No entries, or absurdly many. */
	tb_put64(st, 0x5453595320494249ull);
	tb_put64(st + 104, 0);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
	tb_put64(st + 104, 1ull << 60);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
	/* The configuration table is not there. */
	tb_put64(st + 104, 1);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
	/* An entry whose RSDP is bad. */
	{
		uint8_t *ct = tb_alloc(24);

		guid(ct, GUID_ACPI20);
		tb_put64(ct + 16, XSDT_PA);	/* not an RSDP */
		fake_phys_add(CFGTAB_PA, ct, 24, FAKE_FW);
		assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA),
				 E_ACPI_NO_RSDP);
	}
	/* A systab cut short by the end of its memory. */
	fake_phys_reset();
	standard_tables();
	fake_phys_add(SYSTAB_PA, tb_alloc(100), 100, FAKE_FW);
	assert_int_equal(acpi_init(&ai, 0, 0, SYSTAB_PA), E_ACPI_NO_RSDP);
}

/* BDA at 0x40e -> EBDA, then 0xe0000-0xfffff, 16-byte steps. */
static void test_rsdp_bios_scan(void **state)
{
	uint8_t *bda = tb_alloc(2), *ebda = tb_alloc(1024);
	uint8_t *bios = tb_alloc(0x20000), *r;
	uint64_t t[2] = { FADT_PA, MADT_PA };

	root_table(RSDT_PA, 0, t, 2);
	serve(FADT_PA, q35_fadt(244));
	fake_phys_add(0x40e, bda, 2, FAKE_FW);
	fake_phys_add(0x9fc00, ebda, 1024, FAKE_FW);
	fake_phys_add(0xe0000, bios, 0x20000, FAKE_FW);
	tb_put16(bda, 0x9fc0);
	/* A decoy with a bad checksum first, then the real one. */
	r = rsdp(0, 0, (uint32_t)RSDT_PA, 0);
	memcpy(bios + 0x1000, r, 20);
	bios[0x1000 + 8] ^= 1;
	memcpy(bios + 0x159d0, r, 20);
	/* An unaligned copy is not found by a 16-byte scan. */
	memcpy(bios + 0x8008, r, 20);
	assert_int_equal(acpi_init(&ai, 0, 0, 0), 0);
	assert_int_equal(ai.rsdp_source, RSDP_BIOS);
	assert_string_equal(acpi_rsdp_source_name(ai.rsdp_source),
			    "BIOS area scan");
	assert_int_equal(ai.rsdp, 0xf59d0);
	assert_false(ai.sdt_is_xsdt);
	/* The EBDA is searched first. */
	memcpy(ebda + 0x40, r, 20);
	assert_int_equal(acpi_init(&ai, 0, 0, 0), 0);
	assert_int_equal(ai.rsdp, 0x9fc40);
	/* An EBDA pointer outside 0x80000-0x9ffff is not followed. */
	tb_put16(bda, 0x0040);
	assert_int_equal(acpi_init(&ai, 0, 0, 0), 0);
	assert_int_equal(ai.rsdp, 0xf59d0);
	/* The last slot of the area: 0xfffe0..0xffff3. */
	memset(bios + 0x159d0, 0, 20);
	memset(bios + 0x1000, 0, 20);
	memcpy(bios + 0x1ffe0, r, 20);
	assert_int_equal(acpi_init(&ai, 0, 0, 0), 0);
	assert_int_equal(ai.rsdp, 0xfffe0);
	/* Nothing anywhere. */
	memset(bios + 0x1ffe0, 0, 20);
	assert_int_equal(acpi_init(&ai, 0, 0, 0), E_ACPI_NO_RSDP);
	assert_string_equal(acpi_rsdp_source_name(RSDP_NONE), "none");
}

static void test_rsdp_checksums(void **state)
{
	uint8_t *r;

	standard_tables();
	r = rsdp(RSDP2_PA, 2, (uint32_t)RSDT_PA, XSDT_PA);
	/* First 20 bytes fine, extended checksum wrong. */
	r[32] ^= 0x40;
	assert_int_equal(acpi_init(&ai, 0, RSDP2_PA, 0), E_ACPI_NO_RSDP);
	r[32] ^= 0x40;
	assert_int_equal(acpi_init(&ai, 0, RSDP2_PA, 0), 0);
	/* v1 checksum wrong. */
	r[8] ^= 1;
	assert_int_equal(acpi_init(&ai, 0, RSDP2_PA, 0), E_ACPI_NO_RSDP);
	r[8] ^= 1;
	/* Wrong signature. */
	r[0] = 'r';
	r[8] = (uint8_t)(r[8] + 'R' - 'r');
	r[32] = (uint8_t)(r[32] + 'R' - 'r');
	assert_int_equal(acpi_init(&ai, 0, RSDP2_PA, 0), E_ACPI_NO_RSDP);
	/* Revision 2 claimed, but only the 20 bytes of version 1 there. */
	r = rsdp(0, 2, (uint32_t)RSDT_PA, XSDT_PA);
	fake_phys_add(0x51000, tb_dup(r, 20), 20, FAKE_FW);
	assert_int_equal(acpi_init(&ai, 0, 0x51000, 0), E_ACPI_NO_RSDP);
	/* A length that runs past the memory behind it, or is absurd. */
	r = rsdp(0, 2, (uint32_t)RSDT_PA, XSDT_PA);
	tb_put32(r + 20, 40);
	r[8] = 0;
	r[8] = (uint8_t)-sum(r, 20);
	r[32] = 0;
	r[32] = (uint8_t)-sum(r, 36);
	fake_phys_add(0x50000, r, 36, FAKE_FW);
	assert_int_equal(acpi_init(&ai, 0, 0x50000, 0), E_ACPI_NO_RSDP);
	tb_put32(r + 20, 20);
	r[8] = 0;
	r[8] = (uint8_t)-sum(r, 20);
	assert_int_equal(acpi_init(&ai, 0, 0x50000, 0), E_ACPI_NO_RSDP);
	tb_put32(r + 20, 0xffffffffu);
	r[8] = 0;
	r[8] = (uint8_t)-sum(r, 20);
	assert_int_equal(acpi_init(&ai, 0, 0x50000, 0), E_ACPI_NO_RSDP);
}

/* An ACPI 1.0 RSDP is 20 bytes: nothing after it may be needed. */
static void test_rsdp_v1_exactly_20_bytes(void **state)
{
	uint64_t t[1] = { FADT_PA };

	root_table(RSDT_PA, 0, t, 1);
	serve(FADT_PA, q35_fadt(244));
	rsdp(RSDP_PA, 0, (uint32_t)RSDT_PA, 0);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_int_equal(ai.rsdp, RSDP_PA);
	assert_false(ai.sdt_is_xsdt);
	assert_int_equal(ai.sdt, RSDT_PA);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_int_equal(ai.pm_tmr_port, 0x608);
}

static void test_xsdt_vs_rsdt(void **state)
{
	uint64_t t[2] = { FADT_PA, MADT_PA };
	uint64_t pa;
	uint32_t len;
	uint8_t *x;

	serve(FADT_PA, q35_fadt(244));
	serve(MADT_PA, standard_madt());
	root_table(RSDT_PA, 0, t, 2);
	x = root_table(XSDT_PA, 1, t, 2);
	/* Revision 2 with an XSDT: the XSDT. */
	rsdp(RSDP_PA, 2, (uint32_t)RSDT_PA, XSDT_PA);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_true(ai.sdt_is_xsdt);
	assert_int_equal(acpi_find_table(&ai, "APIC", &pa, &len), 0);
	assert_int_equal(pa, MADT_PA);
	/* Revision 2 without one: the RSDT. */
	rsdp(RSDP2_PA, 2, (uint32_t)RSDT_PA, 0);
	assert_int_equal(acpi_init(&ai, RSDP2_PA, 0, 0), 0);
	assert_false(ai.sdt_is_xsdt);
	assert_int_equal(ai.sdt, RSDT_PA);
	assert_int_equal(acpi_find_table(&ai, "APIC", &pa, &len), 0);
	assert_int_equal(pa, MADT_PA);
	assert_int_equal(acpi_find_table(&ai, "FACP", &pa, &len), 0);
	assert_int_equal(pa, FADT_PA);
	assert_int_equal(len, 244);
	/* XSDT with a bad checksum, or the wrong signature. */
	x[9] ^= 1;
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), E_ACPI_SDT);
	x[9] ^= 1;
	memcpy(x, "RSDT", 4);
	fix(x);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), E_ACPI_SDT);
	memcpy(x, "XSDT", 4);
	/* Length shorter than a header, or longer than the memory. */
	tb_put32(x + 4, 35);
	fix(x);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), E_ACPI_SDT);
	tb_put32(x + 4, 36 + 16 + 1);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), E_ACPI_SDT);
	/* Pointing at nothing. */
	rsdp(0x60000, 2, 0, 0x7fff0000);
	assert_int_equal(acpi_init(&ai, 0x60000, 0, 0), E_ACPI_SDT);
}

static void test_find_table(void **state)
{
	uint64_t t[4] = { 0x7fff0000, FADT_PA, MADT_PA, 0x3f770000 };
	uint8_t *mcfg = sdt("MCFG", 60), *x;
	uint64_t pa = 0;
	uint32_t len = 0;

	serve(FADT_PA, q35_fadt(244));
	serve(MADT_PA, standard_madt());
	serve(0x3f770000, mcfg);
	rsdp(RSDP_PA, 2, 0, XSDT_PA);
	/* An entry pointing at nothing is skipped. */
	x = root_table(XSDT_PA, 1, t, 4);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_int_equal(acpi_find_table(&ai, "MCFG", &pa, &len), 0);
	assert_int_equal(pa, 0x3f770000);
	assert_int_equal(len, 60);
	assert_int_equal(acpi_find_table(&ai, "DMAR", &pa, &len),
			 E_ACPI_NO_TABLE);
	/* Found but broken. */
	mcfg[20] ^= 0xff;
	assert_int_equal(acpi_find_table(&ai, "MCFG", &pa, &len),
			 E_ACPI_TABLE);
	/* A trailing partial entry is not read. */
	tb_put32(x + 4, 36 + 3 * 8 + 4);
	fix(x);
	assert_int_equal(acpi_find_table(&ai, "APIC", &pa, &len), 0);
	assert_int_equal(acpi_find_table(&ai, "MCFG", &pa, &len),
			 E_ACPI_NO_TABLE);
	/* The root table went bad after init. */
	x[9] ^= 1;
	assert_int_equal(acpi_find_table(&ai, "APIC", &pa, &len), E_ACPI_SDT);
}

static void init_with_fadt(uint8_t *f)
{
	uint64_t t[1] = { FADT_PA };

	fake_phys_reset();
	rsdp(RSDP_PA, 2, 0, XSDT_PA);
	root_table(XSDT_PA, 1, t, 1);
	serve(FADT_PA, f);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
}

static void test_fadt_reset_and_pm_timer(void **state)
{
	uint8_t *f = q35_fadt(276);

	/* X_PM_TMR_BLK preferred over PM_TMR_BLK. */
	gas(f + FADT_X_PM_TMR_BLK, ACPI_GAS_IO, 32, 0xb008);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_true(ai.has_fadt);
	assert_true(ai.has_reset_reg);
	assert_int_equal(ai.reset_reg.space_id, ACPI_GAS_IO);
	assert_int_equal(ai.reset_reg.bit_width, 8);
	assert_int_equal(ai.reset_reg.address, 0xcf9);
	assert_int_equal(ai.reset_value, 0x0f);
	assert_int_equal(ai.pm_tmr_port, 0xb008);
	assert_true(ai.pm_tmr_32bit);

	/* No X_PM_TMR_BLK: the legacy block; 24-bit without TMR_VAL_EXT. */
	gas(f + FADT_X_PM_TMR_BLK, 0, 0, 0);
	tb_put32(f + FADT_FLAGS, F_RESET_REG_SUP);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_int_equal(ai.pm_tmr_port, 0x608);
	assert_false(ai.pm_tmr_32bit);

	/* X_PM_TMR_BLK in memory space, or past the port range: legacy. */
	gas(f + FADT_X_PM_TMR_BLK, ACPI_GAS_MEMORY, 32, 0xfed00000);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_int_equal(ai.pm_tmr_port, 0x608);
	gas(f + FADT_X_PM_TMR_BLK, ACPI_GAS_IO, 32, 0x10000);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_int_equal(ai.pm_tmr_port, 0x608);

	/* PM_TMR_LEN not 4: no timer (hardware-reduced ACPI). */
	f[FADT_PM_TMR_LEN] = 0;
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_int_equal(ai.pm_tmr_port, 0);
	f[FADT_PM_TMR_LEN] = 4;

	/* RESET_REG_SUP clear: the register is not used. */
	tb_put32(f + FADT_FLAGS, F_TMR_VAL_EXT);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_false(ai.has_reset_reg);
	/* Address 0, or an address space we cannot write. */
	tb_put32(f + FADT_FLAGS, F_RESET_REG_SUP);
	gas(f + FADT_RESET_REG, ACPI_GAS_IO, 8, 0);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_false(ai.has_reset_reg);
	gas(f + FADT_RESET_REG, 3, 8, 0xcf9);	/* embedded controller */
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_false(ai.has_reset_reg);
	gas(f + FADT_RESET_REG, ACPI_GAS_MEMORY, 8, 0xfed80000);
	init_with_fadt(f);
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_true(ai.has_reset_reg);
	assert_int_equal(ai.reset_reg.space_id, ACPI_GAS_MEMORY);
}

static void test_fadt_short(void **state)
{
	/* ACPI 1.0: 116 bytes, no reset register, no X_ blocks. */
	init_with_fadt(q35_fadt(116));
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_true(ai.has_fadt);
	assert_false(ai.has_reset_reg);
	assert_int_equal(ai.pm_tmr_port, 0x608);
	/* Long enough for the reset register, not for X_PM_TMR_BLK. */
	init_with_fadt(q35_fadt(129));
	assert_int_equal(acpi_parse_fadt(&ai), 0);
	assert_true(ai.has_reset_reg);
	assert_int_equal(ai.pm_tmr_port, 0x608);
	/* Too short to hold the flags. */
	init_with_fadt(q35_fadt(115));
	assert_int_equal(acpi_parse_fadt(&ai), E_ACPI_TABLE);
	assert_false(ai.has_fadt);
	/* No FADT at all. */
	fake_phys_reset();
	{
		uint64_t t[1] = { MADT_PA };

		rsdp(RSDP_PA, 2, 0, XSDT_PA);
		root_table(XSDT_PA, 1, t, 1);
		serve(MADT_PA, standard_madt());
	}
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_int_equal(acpi_parse_fadt(&ai), E_ACPI_NO_TABLE);
}

static void test_madt_cpus(void **state)
{
	standard_tables();
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	/* Enabled only, table order, LAPIC and x2APIC alike. */
	assert_int_equal(ai.nr_cpus, 4);
	assert_int_equal(ai.apic_id[0], 0);
	assert_int_equal(ai.apic_id[1], 2);
	assert_int_equal(ai.apic_id[2], 6);
	assert_int_equal(ai.apic_id[3], 0x100);
	/* Linux numbering: the boot CPU is 0, the rest in table order. */
	assert_int_equal(acpi_cpu_index(&ai, 0, 0), 0);
	assert_int_equal(acpi_cpu_index(&ai, 2, 0), 1);
	assert_int_equal(acpi_cpu_index(&ai, 6, 0), 2);
	assert_int_equal(acpi_cpu_index(&ai, 0x100, 0), 3);
	assert_int_equal(acpi_cpu_index(&ai, 4, 0), -1);	/* disabled */
	assert_int_equal(acpi_cpu_index(&ai, 0x101, 0), -1);
	assert_int_equal(acpi_cpu_index(&ai, 99, 0), -1);
	/* Booted on APIC 6 (not listed first). */
	assert_int_equal(acpi_cpu_index(&ai, 6, 6), 0);
	assert_int_equal(acpi_cpu_index(&ai, 0, 6), 1);
	assert_int_equal(acpi_cpu_index(&ai, 2, 6), 2);
	assert_int_equal(acpi_cpu_index(&ai, 0x100, 6), 3);
}

static void madt_init(uint8_t *m)
{
	uint64_t t[1] = { MADT_PA };

	fake_phys_reset();
	rsdp(RSDP_PA, 2, 0, XSDT_PA);
	root_table(XSDT_PA, 1, t, 1);
	serve(MADT_PA, m);
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
}

/*
 * The CPUs the stub may start (stub/smp.c): enabled ones, LAPIC and
 * x2APIC alike, each APIC ID once, none with the "not a processor" IDs,
 * none disabled, none only online capable (an empty hot-plug slot would
 * cost an arrival timeout).
 */
static void test_madt_startable(void **state)
{
	uint32_t len = 44 + 8 * 5 + 16 * 4;
	uint8_t *m = sdt("APIC", len), *e = m + 44;

	madt_lapic(e, 0, 0, 1), e += 8;
	madt_lapic(e, 1, 1, 2), e += 8;		/* online capable */
	madt_lapic(e, 2, 2, 0), e += 8;		/* disabled */
	madt_lapic(e, 3, 0xff, 1), e += 8;	/* no processor */
	madt_lapic(e, 4, 3, 3), e += 8;
	madt_x2apic(e, 0, 1, 0), e += 16;	/* LAPIC 0 again */
	madt_x2apic(e, 0x100, 2, 5), e += 16;	/* online capable */
	madt_x2apic(e, 0x101, 0, 6), e += 16;	/* disabled */
	madt_x2apic(e, 0xffffffffu, 1, 7);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_startable, 2);
	assert_int_equal(ai.startable_id[0], 0);
	assert_int_equal(ai.startable_id[1], 3);
	/* Linux's numbering is of the enabled ones only, as before */
	assert_int_equal(ai.nr_cpus, 5);
	assert_int_equal(ai.apic_id[1], 0xff);
	/* parsing again starts over */
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_startable, 2);
	/* the standard table (served afresh: the first table served at an
	 * address wins): x2APIC 0x101 is disabled */
	fake_phys_reset();
	standard_tables();
	assert_int_equal(acpi_init(&ai, RSDP_PA, 0, 0), 0);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_startable, 4);
	assert_int_equal(ai.startable_id[3], 0x100);
}

/* The boot CPU: bmdump.bsp= when given, else the first enabled CPU. */
static void test_boot_cpu(void **state)
{
	uint32_t len = 44 + 8 * 3, id = 99;
	uint8_t *m = sdt("APIC", len), *e = m + 44;

	madt_lapic(e, 0, 5, 2), e += 8;		/* online capable only */
	madt_lapic(e, 1, 3, 0), e += 8;		/* disabled */
	madt_lapic(e, 2, 7, 1);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(acpi_boot_cpu(&ai, 0, 0, &id), BSP_MADT);
	assert_int_equal(id, 7);
	assert_int_equal(acpi_boot_cpu(&ai, 1, 3, &id), BSP_CMDLINE);
	assert_int_equal(id, 3);
	/* Linux's numbers follow that choice */
	assert_int_equal(acpi_cpu_index(&ai, 7, id), 1);
	/* no MADT: only the command line knows */
	ai.nr_cpus = 0;
	id = 99;
	assert_int_equal(acpi_boot_cpu(&ai, 0, 0, &id), BSP_UNKNOWN);
	assert_int_equal(id, 99);
	assert_int_equal(acpi_boot_cpu(&ai, 1, 0, &id), BSP_CMDLINE);
	assert_int_equal(id, 0);
}

static void test_madt_malformed(void **state)
{
	uint8_t *m;

	/* An entry of length 0 must not loop forever. */
	m = sdt("APIC", 44 + 8 + 8);
	madt_lapic(m + 44, 0, 0, 1);
	m[52] = 0;
	m[53] = 0;
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), E_ACPI_TABLE);
	/* Length 1, and past the end of the table. */
	m[53] = 1;
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), E_ACPI_TABLE);
	m[53] = 9;
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), E_ACPI_TABLE);
	/* A LAPIC entry too short to hold its fields: skipped. */
	m = sdt("APIC", 44 + 8 + 4);
	madt_lapic(m + 44, 0, 0, 1);
	m[52] = 0;
	m[53] = 4;
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_cpus, 1);
	/* An x2APIC entry too short: skipped. */
	m = sdt("APIC", 44 + 12);
	m[44] = 9;
	m[45] = 12;
	tb_put32(m + 48, 7);
	tb_put32(m + 52, 1);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_cpus, 0);
	/* A lone trailing byte is not an entry. */
	m = sdt("APIC", 44 + 8 + 1);
	madt_lapic(m + 44, 0, 3, 1);
	m[52] = 9;
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.apic_id[0], 3);
	/* Shorter than the MADT header. */
	m = sdt("APIC", 40);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), E_ACPI_TABLE);
	/* Empty, but well formed. */
	m = sdt("APIC", 44);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_cpus, 0);
	assert_int_equal(acpi_cpu_index(&ai, 0, 0), 0);
	assert_int_equal(acpi_cpu_index(&ai, 1, 0), -1);
}

static void test_madt_more_cpus_than_kept(void **state)
{
	unsigned int n = ACPI_MAX_CPUS + 50, i;
	uint8_t *m = sdt("APIC", 44 + n * 16);

	for (i = 0; i < n; i++)
		madt_x2apic(m + 44 + i * 16, i * 2, 1, i);
	madt_init(m);
	assert_int_equal(acpi_parse_madt(&ai), 0);
	assert_int_equal(ai.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(ai.apic_id[ACPI_MAX_CPUS - 1],
			 (ACPI_MAX_CPUS - 1) * 2);
	assert_int_equal(acpi_cpu_index(&ai, (ACPI_MAX_CPUS - 1) * 2, 0),
			 ACPI_MAX_CPUS - 1);
	assert_int_equal(acpi_cpu_index(&ai, ACPI_MAX_CPUS * 2, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rsdp_from_cmdline, teardown),
		cmocka_unit_test_teardown(test_rsdp_from_boot_params, teardown),
		cmocka_unit_test_teardown(test_rsdp_from_efi_prefers_acpi20,
					  teardown),
		cmocka_unit_test_teardown(test_efi_systab_malformed, teardown),
		cmocka_unit_test_teardown(test_rsdp_bios_scan, teardown),
		cmocka_unit_test_teardown(test_rsdp_checksums, teardown),
		cmocka_unit_test_teardown(test_rsdp_v1_exactly_20_bytes,
					  teardown),
		cmocka_unit_test_teardown(test_xsdt_vs_rsdt, teardown),
		cmocka_unit_test_teardown(test_find_table, teardown),
		cmocka_unit_test_teardown(test_fadt_reset_and_pm_timer,
					  teardown),
		cmocka_unit_test_teardown(test_fadt_short, teardown),
		cmocka_unit_test_teardown(test_madt_cpus, teardown),
		cmocka_unit_test_teardown(test_madt_startable, teardown),
		cmocka_unit_test_teardown(test_boot_cpu, teardown),
		cmocka_unit_test_teardown(test_madt_malformed, teardown),
		cmocka_unit_test_teardown(test_madt_more_cpus_than_kept,
					  teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
