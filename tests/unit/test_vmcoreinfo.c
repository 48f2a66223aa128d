// SPDX-License-Identifier: GPL-2.0
/*
 * VMCOREINFO as a Debian 6.1 kernel writes it, and broken variants.  The
 * text is never NUL-terminated and always ends where its allocation ends.
 */
#include "fakes.h"
#include "testbuf.h"

#include <stdio.h>
#include <string.h>

#include "elfcore.h"
#include "errors.h"
#include "vmcoreinfo.h"

/* Shaped like kernel/crash_core.c + arch/x86/kernel/crash_core_64.c output. */
static const char vmci_61[] =
	"OSRELEASE=6.1.0-56-amd64\n"
	"BUILD-ID=5d8e1f0c4b9a7e3f2d1c0b9a8f7e6d5c4b3a2918\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_uts_ns)=ffffffffa6a13f40\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SYMBOL(node_online_map)=ffffffffa6b1a5a8\n"
	"SYMBOL(swapper_pg_dir)=ffffffffa6a0a000\n"
	"SYMBOL(_stext)=ffffffffa4e00000\n"
	"SYMBOL(vmap_area_list)=ffffffffa6a7c9b0\n"
	"SYMBOL(mem_section)=ffff8f3b7ffd3000\n"
	"LENGTH(mem_section)=2048\n"
	"SIZE(mem_section)=32\n"
	"OFFSET(mem_section.section_mem_map)=0\n"
	"NUMBER(SECTION_SIZE_BITS)=27\n"
	"NUMBER(MAX_PHYSMEM_BITS)=46\n"
	"SIZE(page)=64\n"
	"SIZE(pglist_data)=174784\n"
	"SIZE(zone)=1600\n"
	"SIZE(free_area)=104\n"
	"SIZE(list_head)=16\n"
	"SIZE(nodemask_t)=128\n"
	"OFFSET(page.flags)=0\n"
	"OFFSET(page._refcount)=52\n"
	"OFFSET(page.mapping)=24\n"
	"OFFSET(page.lru)=8\n"
	"OFFSET(page._mapcount)=48\n"
	"OFFSET(page.private)=40\n"
	"OFFSET(page.compound_dtor)=16\n"
	"OFFSET(page.compound_order)=17\n"
	"OFFSET(page.compound_head)=8\n"
	"OFFSET(zone.free_area)=192\n"
	"OFFSET(free_area.free_list)=0\n"
	"LENGTH(zone.free_area)=11\n"
	"SYMBOL(prb)=ffffffffa6a4f5e0\n"
	"SYMBOL(printk_rb_static)=ffffffffa6a4f600\n"
	"SYMBOL(clear_seq)=ffffffffa72c1e40\n"
	"SIZE(printk_ringbuffer)=80\n"
	"LENGTH(free_area.free_list)=6\n"
	"NUMBER(NR_FREE_PAGES)=0\n"
	"NUMBER(PG_lru)=4\n"
	"NUMBER(PG_private)=13\n"
	"NUMBER(PG_swapcache)=10\n"
	"NUMBER(PG_swapbacked)=19\n"
	"NUMBER(PG_slab)=9\n"
	"NUMBER(PG_hwpoison)=23\n"
	"NUMBER(PG_head_mask)=65536\n"
	"NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
	"NUMBER(HUGETLB_PAGE_DTOR)=2\n"
	"NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
	"NUMBER(phys_base)=-601882624\n"
	"SYMBOL(init_top_pgt)=ffffffffa6a0a000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"SYMBOL(node_data)=ffffffffa6b17ae0\n"
	"LENGTH(node_data)=1024\n"
	"KERNELOFFSET=24e00000\n"
	"NUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
	"NUMBER(sme_mask)=0\n"
	"CRASHTIME=1764103831\n";

static int teardown(void **state)
{
	tb_free_all();
	return 0;
}

/* The text without its NUL, at the end of its allocation. */
static const char *text(const char *s, size_t *len)
{
	*len = strlen(s);
	return tb_dup(s, *len);
}

static int parse(const char *s, struct vmcoreinfo *vi)
{
	size_t len;
	const char *t = text(s, &len);

	return vmcoreinfo_parse(t, len, vi);
}

static int dec(const char *s, const char *key, int64_t *out)
{
	size_t len;
	const char *t = text(s, &len);

	return vmcoreinfo_get_dec(t, len, key, out);
}

static int hex(const char *s, const char *key, uint64_t *out)
{
	size_t len;
	const char *t = text(s, &len);

	return vmcoreinfo_get_hex(t, len, key, out);
}

static void test_debian_61(void **state)
{
	struct vmcoreinfo vi;
	uint64_t pa, u;
	int64_t d;

	assert_int_equal(parse(vmci_61, &vi), 0);
	assert_string_equal(vi.osrelease, "6.1.0-56-amd64");
	assert_int_equal(vi.pagesize, 4096);
	assert_true(vi.has_crashtime);
	assert_int_equal(vi.crashtime, 1764103831);
	assert_true(vi.has_phys_base);
	assert_int_equal(vi.phys_base, -0x23e00000ll);
	assert_int_equal(vi.kerneloffset, 0x24e00000);
	assert_true(vi.has_uts);
	assert_int_equal(vi.sym_init_uts_ns, 0xffffffffa6a13f40ull);
	assert_int_equal(vi.off_uts_name, 0);
	assert_int_equal(vi.pgtable_l5_enabled, 0);
	/* Text at phys 16 MiB, virt 0xffffffffa4e00000: phys_base < 0. */
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, vi.sym_init_uts_ns +
					      vi.off_uts_name, &pa), 0);
	assert_int_equal(pa, 0x2c13f40);
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, 0xffffffffa4e00000ull,
					      &pa), 0);
	assert_int_equal(pa, 0x1000000);

	assert_int_equal(dec(vmci_61, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", &d),
			 0);
	assert_int_equal(d, -129);
	assert_int_equal(dec(vmci_61, "SIZE(page)", &d), 0);
	assert_int_equal(d, 64);
	assert_int_equal(dec(vmci_61, "OFFSET(page._refcount)", &d), 0);
	assert_int_equal(d, 52);
	assert_int_equal(hex(vmci_61, "SYMBOL(mem_section)", &u), 0);
	assert_int_equal(u, 0xffff8f3b7ffd3000ull);
	/* A hex key read as decimal is garbage, not a wrong number. */
	assert_int_equal(dec(vmci_61, "SYMBOL(prb)", &d), E_VMCI_NUMBER);
}

static void test_la57_and_positive_phys_base(void **state)
{
	static const char t[] =
		"OSRELEASE=6.1.0-56-amd64\nPAGESIZE=4096\n"
		"SYMBOL(init_uts_ns)=ffffffff82613f40\n"
		"OFFSET(uts_namespace.name)=4\n"
		"NUMBER(phys_base)=2147483648\n"
		"NUMBER(pgtable_l5_enabled)=1\n";
	struct vmcoreinfo vi;
	uint64_t pa;

	assert_int_equal(parse(t, &vi), 0);
	assert_int_equal(vi.pgtable_l5_enabled, 1);
	assert_int_equal(vi.phys_base, 2147483648ll);
	assert_int_equal(vi.off_uts_name, 4);
	assert_false(vi.has_crashtime);
	assert_int_equal(vi.kerneloffset, 0);
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, vi.sym_init_uts_ns +
					      vi.off_uts_name, &pa), 0);
	assert_int_equal(pa, 0x82613f44);
}

static void test_phys_base_most_negative_32bit(void **state)
{
	static const char t[] =
		"OSRELEASE=6.1.0\nPAGESIZE=4096\n"
		"NUMBER(phys_base)=-2147483648\n"
		"SYMBOL(init_uts_ns)=ffffffff82613f40\n"
		"OFFSET(uts_namespace.name)=0\n";
	struct vmcoreinfo vi;
	uint64_t pa = 1;

	assert_int_equal(parse(t, &vi), 0);
	assert_int_equal(vi.phys_base, -2147483648ll);
	assert_true(vi.has_uts);
	/* Below physical 0: no address, not a wrapped one. */
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, 0xffffffff82613f40ull, &pa),
			 E_VMCI_UTS);
	assert_int_equal(pa, 1);
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, 0xffffffff80000000ull, &pa),
			 E_VMCI_UTS);
	/* The highest kernel-image address is 2 GiB - 1 above the base. */
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, UINT64_MAX, &pa),
			 E_VMCI_UTS);
	vi.phys_base = -0x7fffffffll;
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, UINT64_MAX, &pa), 0);
	assert_int_equal(pa, 0);
	vi.phys_base = INT64_MAX;
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, UINT64_MAX, &pa),
			 E_VMCI_UTS);
}

static void test_missing_required_keys(void **state)
{
	struct vmcoreinfo vi;

	assert_int_equal(parse("PAGESIZE=4096\n", &vi), E_VMCI_KEY);
	assert_int_equal(parse("OSRELEASE=\nPAGESIZE=4096\n", &vi),
			 E_VMCI_KEY);
	assert_int_equal(parse("OSRELEASE=6.1.0\n", &vi), E_VMCI_KEY);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=\n", &vi),
			 E_VMCI_NUMBER);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4k\n", &vi),
			 E_VMCI_NUMBER);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=65536\n", &vi),
			 E_VMCI_PAGESIZE);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=0\n", &vi),
			 E_VMCI_PAGESIZE);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=-4096\n", &vi),
			 E_VMCI_PAGESIZE);
	assert_int_equal(parse("", &vi), E_VMCI_KEY);
	assert_int_equal(parse("\n\n\n", &vi), E_VMCI_KEY);
	/* "OSRELEASE" alone, with no '=', is not the key. */
	assert_int_equal(parse("OSRELEASE\nPAGESIZE=4096\n", &vi),
			 E_VMCI_KEY);
}

static void test_osrelease_length(void **state)
{
	char t[200];
	struct vmcoreinfo vi;

	/* new_utsname.release holds 64 characters and a NUL. */
	snprintf(t, sizeof(t), "OSRELEASE=%064d\nPAGESIZE=4096\n", 7);
	assert_int_equal(parse(t, &vi), 0);
	assert_int_equal(strlen(vi.osrelease), 64);
	snprintf(t, sizeof(t), "OSRELEASE=%065d\nPAGESIZE=4096\n", 7);
	assert_int_not_equal(parse(t, &vi), 0);
}

static void test_missing_optional_keys(void **state)
{
	struct vmcoreinfo vi;
	uint64_t pa;

	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n", &vi), 0);
	assert_false(vi.has_crashtime);
	assert_false(vi.has_phys_base);
	assert_false(vi.has_uts);
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, 0xffffffff81000000ull,
					      &pa), E_VMCI_UTS);
	/* init_uts_ns without phys_base cannot be located. */
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			       "SYMBOL(init_uts_ns)=ffffffff82613f40\n"
			       "OFFSET(uts_namespace.name)=0\n", &vi), 0);
	assert_false(vi.has_uts);
	/* ... nor without the offset, nor with an absurd one. */
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			       "NUMBER(phys_base)=0\n"
			       "SYMBOL(init_uts_ns)=ffffffff82613f40\n", &vi),
			 0);
	assert_false(vi.has_uts);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			       "NUMBER(phys_base)=0\n"
			       "SYMBOL(init_uts_ns)=ffffffff82613f40\n"
			       "OFFSET(uts_namespace.name)=4096\n", &vi), 0);
	assert_false(vi.has_uts);
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			       "NUMBER(phys_base)=0\n"
			       "SYMBOL(init_uts_ns)=ffffffff82613f40\n"
			       "OFFSET(uts_namespace.name)=-8\n", &vi), 0);
	assert_false(vi.has_uts);
	/* Garbage in an optional key: left out, not fatal. */
	assert_int_equal(parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n"
			       "CRASHTIME=soon\nNUMBER(phys_base)=0x0\n"
			       "KERNELOFFSET=zz\n", &vi), 0);
	assert_false(vi.has_crashtime);
	assert_false(vi.has_phys_base);
	assert_int_equal(vi.kerneloffset, 0);
	/* A kernel-image address must be one. */
	assert_int_equal(parse(vmci_61, &vi), 0);
	assert_int_equal(vmcoreinfo_kimage_pa(&vi, 0xffff8f3b7ffd3000ull, &pa),
			 E_VMCI_UTS);
}

static void test_garbage_numbers(void **state)
{
	static const char *const bad_dec[] = {
		"", "-", "+1", " 1", "1 ", "0x10", "12a", "--1", "1-", "1.5",
		"\t1", "1\r",
	};
	static const char *const bad_hex[] = {
		"", "0x10", "g", "ffffffffa6a13f40 ", "-1", " 1", "1\r",
		"ffffffff_a6a13f40",
	};
	char t[128];
	unsigned int i;
	int64_t d = 12345;
	uint64_t u = 12345;

	for (i = 0; i < sizeof(bad_dec) / sizeof(bad_dec[0]); i++) {
		snprintf(t, sizeof(t), "A=1\nNUMBER(x)=%s\nB=2\n", bad_dec[i]);
		assert_int_equal(dec(t, "NUMBER(x)", &d), E_VMCI_NUMBER);
	}
	for (i = 0; i < sizeof(bad_hex) / sizeof(bad_hex[0]); i++) {
		snprintf(t, sizeof(t), "A=1\nSYMBOL(x)=%s\nB=2\n", bad_hex[i]);
		assert_int_equal(hex(t, "SYMBOL(x)", &u), E_VMCI_NUMBER);
	}
	/* Untouched on error. */
	assert_int_equal(d, 12345);
	assert_int_equal(u, 12345);
	assert_int_equal(dec("A=1\n", "NUMBER(x)", &d), E_VMCI_KEY);
	assert_int_equal(hex("A=1\n", "SYMBOL(x)", &u), E_VMCI_KEY);
	assert_int_equal(hex("SYMBOL(x)=DeadBeef\n", "SYMBOL(x)", &u), 0);
	assert_int_equal(u, 0xdeadbeef);
	assert_int_equal(dec("NUMBER(x)=-0\n", "NUMBER(x)", &d), 0);
	assert_int_equal(d, 0);
}

static void test_overflow(void **state)
{
	int64_t d;
	uint64_t u;

	assert_int_equal(dec("N=9223372036854775807", "N", &d), 0);
	assert_int_equal(d, INT64_MAX);
	assert_int_equal(dec("N=9223372036854775808", "N", &d), E_VMCI_NUMBER);
	assert_int_equal(dec("N=-9223372036854775808", "N", &d), 0);
	assert_int_equal(d, INT64_MIN);
	assert_int_equal(dec("N=-9223372036854775809", "N", &d), E_VMCI_NUMBER);
	assert_int_equal(dec("N=18446744073709551615", "N", &d), E_VMCI_NUMBER);
	assert_int_equal(dec("N=18446744073709551616", "N", &d), E_VMCI_NUMBER);
	assert_int_equal(dec("N=99999999999999999999", "N", &d), E_VMCI_NUMBER);
	assert_int_equal(dec("N=999999999999999999999999", "N", &d),
			 E_VMCI_NUMBER);
	assert_int_equal(hex("S=ffffffffffffffff", "S", &u), 0);
	assert_int_equal(u, UINT64_MAX);
	assert_int_equal(hex("S=10000000000000000", "S", &u), E_VMCI_NUMBER);
	assert_int_equal(hex("S=0000000000000000f", "S", &u), E_VMCI_NUMBER);
}

static void test_key_prefix_of_another(void **state)
{
	static const char t[] =
		"SYMBOL(init_uts_ns_extra)=1111\n"
		"XOSRELEASE=wrong\n"
		"PAGESIZE_HUGE=2097152\n"
		"FOO=OSRELEASE=wrong\n"
		"SYMBOL(init_uts_ns)=2222\n"
		"OSRELEASE=6.1.0-right\n"
		"PAGESIZE=4096\n"
		"OSRELEASE=later-duplicate\n";
	struct vmcoreinfo vi;
	uint64_t u;

	assert_int_equal(hex(t, "SYMBOL(init_uts_ns)", &u), 0);
	assert_int_equal(u, 0x2222);
	assert_int_equal(hex(t, "SYMBOL(init_uts_ns_extra)", &u), 0);
	assert_int_equal(u, 0x1111);
	/* A prefix of a key is not the key. */
	assert_int_equal(hex(t, "SYMBOL(init", &u), E_VMCI_KEY);
	assert_int_equal(parse(t, &vi), 0);
	assert_string_equal(vi.osrelease, "6.1.0-right");
	assert_int_equal(vi.pagesize, 4096);
}

static void test_no_trailing_newline(void **state)
{
	struct vmcoreinfo vi;
	const char *full = "OSRELEASE=6.1.0\nPAGESIZE=4096\nCRASHTIME=12345";
	size_t len;
	const char *t = text(full, &len);
	char *cut;
	int64_t d;

	assert_int_equal(vmcoreinfo_parse(t, len, &vi), 0);
	assert_true(vi.has_crashtime);
	assert_int_equal(vi.crashtime, 12345);
	/* The length given is the end, whatever lies behind it. */
	assert_int_equal(vmcoreinfo_get_dec(t, len - 3, "CRASHTIME", &d), 0);
	assert_int_equal(d, 12);
	assert_int_equal(vmcoreinfo_get_dec(t, len - 5, "CRASHTIME", &d),
			 E_VMCI_NUMBER);
	assert_int_equal(vmcoreinfo_get_dec(t, len - 6, "CRASHTIME", &d),
			 E_VMCI_KEY);
	/* Everything cut off at each possible length: never past the end. */
	for (len = 0; len <= strlen(full); len++) {
		cut = tb_dup(full, len);
		vmcoreinfo_parse(cut, len, &vi);
		vmcoreinfo_get_dec(cut, len, "CRASHTIME", &d);
		vmcoreinfo_get_dec(cut, len, "PAGESIZE", &d);
	}
	/* OSRELEASE as the last, unterminated line. */
	assert_int_equal(parse("PAGESIZE=4096\nOSRELEASE=6.1.0-x", &vi), 0);
	assert_string_equal(vi.osrelease, "6.1.0-x");
}

static void test_embedded_nul_and_crlf(void **state)
{
	static const char t[] = "OSRELEASE=6.1.0\nJUNK\0=1\nPAGESIZE=4096\n";
	struct vmcoreinfo vi;
	const char *p = tb_dup(t, sizeof(t) - 1);

	assert_int_equal(vmcoreinfo_parse(p, sizeof(t) - 1, &vi), 0);
	assert_int_equal(vi.pagesize, 4096);
	/* CR is part of the value: the kernel never writes one. */
	assert_int_equal(parse("OSRELEASE=6.1.0\r\nPAGESIZE=4096\r\n", &vi),
			 E_VMCI_NUMBER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_debian_61, teardown),
		cmocka_unit_test_teardown(test_la57_and_positive_phys_base,
					  teardown),
		cmocka_unit_test_teardown(test_phys_base_most_negative_32bit,
					  teardown),
		cmocka_unit_test_teardown(test_missing_required_keys, teardown),
		cmocka_unit_test_teardown(test_osrelease_length, teardown),
		cmocka_unit_test_teardown(test_missing_optional_keys, teardown),
		cmocka_unit_test_teardown(test_garbage_numbers, teardown),
		cmocka_unit_test_teardown(test_overflow, teardown),
		cmocka_unit_test_teardown(test_key_prefix_of_another, teardown),
		cmocka_unit_test_teardown(test_no_trailing_newline, teardown),
		cmocka_unit_test_teardown(test_embedded_nul_and_crlf, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
