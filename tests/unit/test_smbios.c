// SPDX-License-Identifier: GPL-2.0
/*
 * include/bmdump/smbios.h, the self-test app's SMBIOS reader: both entry
 * points with their checksums, the structure walk and its bounds, and the
 * string lookup.  Each case starts from a valid entry point or table and
 * breaks the one thing it is about.
 */
#include "fakes.h"

#include <string.h>

#include "bmdump/smbios.h"

#define TABLE_ADDR	0x7fb4c000ull

static uint8_t ep[SMBIOS_EP_MAX_LEN];

/* A type 0 (BIOS), a type 1 (system) and the end-of-table structure. */
static const uint8_t table[] = {
	0, 0x18, 0x00, 0x00, 1, 2, 0, 0xe8, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	'E', 'F', 'I', ' ', 'D', 'e', 'v', 0, '0', '.', '0', 0, 0,
	1, 0x1b, 0x00, 0x01, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0,
	'Q', 'E', 'M', 'U', 0, 'S', 't', 'a', 'n', 'd', 'a', 'r', 'd',
	' ', 'P', 'C', 0, 'p', 'c', '-', 'q', '3', '5', 0, 0,
	127, 4, 0x00, 0x02, 0, 0,
};

static void fix_csum(uint8_t *p, size_t n, size_t at)
{
	uint8_t sum = 0;
	size_t i;

	p[at] = 0;
	for (i = 0; i < n; i++)
		sum += p[i];
	p[at] = (uint8_t)-sum;
}

static void make_ep3(void)
{
	uint64_t addr = TABLE_ADDR;
	uint32_t max = sizeof(table);

	memset(ep, 0, sizeof(ep));
	memcpy(ep, "_SM3_", 5);
	ep[SMBIOS3_EP_LENGTH] = 0x18;
	ep[7] = 3;		/* version 3.0 */
	ep[10] = 1;		/* entry point revision */
	memcpy(ep + SMBIOS3_EP_MAX, &max, 4);
	memcpy(ep + SMBIOS3_EP_ADDR, &addr, 8);
	fix_csum(ep, 0x18, 5);
}

static void make_ep2(void)
{
	uint32_t addr = TABLE_ADDR;
	uint16_t len = sizeof(table), count = 3;

	memset(ep, 0, sizeof(ep));
	memcpy(ep, "_SM_", 4);
	ep[SMBIOS2_EP_LENGTH] = 0x1f;
	ep[6] = 2;		/* version 2.8 */
	ep[7] = 8;
	memcpy(ep + SMBIOS2_EP_IANCHOR, "_DMI_", 5);
	memcpy(ep + SMBIOS2_EP_LEN, &len, 2);
	memcpy(ep + SMBIOS2_EP_ADDR, &addr, 4);
	memcpy(ep + 0x1c, &count, 2);
	ep[0x1e] = 0x28;
	fix_csum(ep + SMBIOS2_EP_IANCHOR, SMBIOS2_IEP_LEN, 5);
	fix_csum(ep, 0x1f, 4);
}

static void test_smbios3_entry(void **state)
{
	struct bmdump_smbios_table t;

	make_ep3();
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t), 0);
	assert_int_equal(t.addr, TABLE_ADDR);
	assert_int_equal(t.len, sizeof(table));
	/* not a 2.x entry point, and a 3.x one only with its checksum */
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_ANCHOR);
	ep[SMBIOS3_EP_ADDR] ^= 1;
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_CSUM);
	make_ep3();
	ep[0] = '-';
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_ANCHOR);
	/* a length that would make the checksum cover too little or too
	 * much: refused before it is summed */
	make_ep3();
	ep[SMBIOS3_EP_LENGTH] = 0x10;
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_EPLEN);
	ep[SMBIOS3_EP_LENGTH] = 0xff;
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_EPLEN);
	make_ep3();
	assert_int_equal(bmdump_smbios3_entry(ep, 0x17, &t),
			 BMDUMP_SMBIOS_E_ANCHOR);
}

static void test_smbios2_entry(void **state)
{
	struct bmdump_smbios_table t;

	make_ep2();
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t), 0);
	assert_int_equal(t.addr, TABLE_ADDR);
	assert_int_equal(t.len, sizeof(table));
	assert_int_equal(bmdump_smbios3_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_ANCHOR);
	/* the outer checksum, then the intermediate ("_DMI_") one alone */
	ep[4]++;
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_CSUM);
	make_ep2();
	ep[SMBIOS2_EP_LEN]++;
	ep[4]--;		/* outer sum still 0 */
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_CSUM);
	make_ep2();
	ep[SMBIOS2_EP_IANCHOR] = 'X';
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_ANCHOR);
	make_ep2();
	ep[SMBIOS2_EP_LENGTH] = 0x10;
	assert_int_equal(bmdump_smbios2_entry(ep, sizeof(ep), &t),
			 BMDUMP_SMBIOS_E_EPLEN);
}

static void test_smbios_find_and_strings(void **state)
{
	struct bmdump_smbios_struct s;

	assert_int_equal(bmdump_smbios_find(table, sizeof(table), 1, &s), 0);
	assert_ptr_equal(s.hdr, table + 37);
	assert_string_equal(bmdump_smbios_string(&s, s.hdr[4]), "QEMU");
	assert_string_equal(bmdump_smbios_string(&s, s.hdr[5]),
			    "Standard PC");
	assert_string_equal(bmdump_smbios_string(&s, 3), "pc-q35");
	/* missing strings: none (0), and past the set */
	assert_string_equal(bmdump_smbios_string(&s, 0), "");
	assert_string_equal(bmdump_smbios_string(&s, 4), "");
	assert_string_equal(bmdump_smbios_string(&s, 255), "");
	assert_int_equal(bmdump_smbios_find(table, sizeof(table), 0, &s), 0);
	assert_string_equal(bmdump_smbios_string(&s, 2), "0.0");
	/* the end-of-table structure ends the walk, whatever follows */
	assert_int_equal(bmdump_smbios_find(table, sizeof(table), 4, &s),
			 BMDUMP_SMBIOS_E_NONE);
	assert_int_equal(bmdump_smbios_find(table, 0, 1, &s),
			 BMDUMP_SMBIOS_E_NONE);
}

static void test_smbios_empty_string_set(void **state)
{
	static const uint8_t t[] = { 1, 8, 0, 0, 1, 2, 0, 0, 0, 0 };
	struct bmdump_smbios_struct s;

	assert_int_equal(bmdump_smbios_find(t, sizeof(t), 1, &s), 0);
	assert_int_equal(s.strings_len, 2);
	assert_string_equal(bmdump_smbios_string(&s, 1), "");
	assert_string_equal(bmdump_smbios_string(&s, 2), "");
}

static void test_smbios_past_the_end(void **state)
{
	struct bmdump_smbios_struct s;
	uint8_t t[sizeof(table)];

	/* the table cut inside type 1's strings: no double NUL in reach */
	assert_int_equal(bmdump_smbios_find(table, 70, 1, &s),
			 BMDUMP_SMBIOS_E_BOUNDS);
	/* cut inside type 1's formatted part */
	assert_int_equal(bmdump_smbios_find(table, 50, 1, &s),
			 BMDUMP_SMBIOS_E_BOUNDS);
	/* a formatted length reaching past the table */
	memcpy(t, table, sizeof(t));
	t[37 + 1] = 0xf0;
	assert_int_equal(bmdump_smbios_find(t, sizeof(t), 1, &s),
			 BMDUMP_SMBIOS_E_BOUNDS);
	/* a table without its end-of-table structure ends at its length */
	assert_int_equal(bmdump_smbios_find(table, sizeof(table) - 6, 127,
					    &s), BMDUMP_SMBIOS_E_NONE);
}

static void test_smbios_zero_length_loops_not(void **state)
{
	static const uint8_t zero[64];
	struct bmdump_smbios_struct s;
	uint8_t t[sizeof(table)];

	/* an all-zero table: type 0 of length 0 would never move on */
	assert_int_equal(bmdump_smbios_find(zero, sizeof(zero), 1, &s),
			 BMDUMP_SMBIOS_E_STRUCT);
	memcpy(t, table, sizeof(t));
	t[37 + 1] = 3;
	assert_int_equal(bmdump_smbios_find(t, sizeof(t), 1, &s),
			 BMDUMP_SMBIOS_E_STRUCT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smbios3_entry),
		cmocka_unit_test(test_smbios2_entry),
		cmocka_unit_test(test_smbios_find_and_strings),
		cmocka_unit_test(test_smbios_empty_string_set),
		cmocka_unit_test(test_smbios_past_the_end),
		cmocka_unit_test(test_smbios_zero_length_loops_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
