// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's vsnprintf, checked against the host C library for the
 * conversions both define the same way, and on its own for the rest.
 */
#include "fakes.h"
#include "testbuf.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "printf.h"

static int teardown(void **state)
{
	tb_free_all();
	return 0;
}

/* Same text and same return value as the C library. */
#define SAME(...) do {							\
	char a_[256], b_[256];						\
	int ra_ = bm_snprintf(a_, sizeof(a_), __VA_ARGS__);		\
	int rb_ = snprintf(b_, sizeof(b_), __VA_ARGS__);		\
									\
	assert_string_equal(a_, b_);					\
	assert_int_equal(ra_, rb_);					\
} while (0)

#define IS(want, ...) do {						\
	char a_[256];							\
	int ra_ = bm_snprintf(a_, sizeof(a_), __VA_ARGS__);		\
									\
	assert_string_equal(a_, want);					\
	assert_int_equal(ra_, (int)strlen(want));			\
} while (0)

static void test_integers(void **state)
{
	SAME("%d", 0);
	SAME("%d %d %d", 1, -1, 42);
	SAME("%d %d", INT_MAX, INT_MIN);
	SAME("%i", -12345);
	SAME("%u %u", 0u, UINT_MAX);
	SAME("%x %X", 0xdeadbeefu, 0xdeadbeefu);
	SAME("%x", 0u);
	SAME("%ld %lu %lx", -5L, 5UL, 0xffffffffffUL);
	SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
	SAME("%llx", 0xffffffff8100000ull);
	SAME("%lld", LLONG_MAX);
	SAME("%zu %zx", (size_t)123456789, (size_t)0xabc);
	SAME("%hd %hu %hx", (short)-2, (unsigned short)65535,
	     (unsigned short)0xbeef);
	SAME("%hhd %hhu %hhx", (signed char)-3, (unsigned char)255,
	     (unsigned char)0x7f);
	/* Truncated to the length modifier's type, as C does. */
	SAME("%hhx %hx", 0x1234, 0x12345);
}

static void test_widths_and_flags(void **state)
{
	SAME("[%5d]", 42);
	SAME("[%-5d]", 42);
	SAME("[%05d]", 42);
	SAME("[%05d]", -42);
	SAME("[%5d]", -42);
	SAME("[%-5d]", -42);
	SAME("[%2d]", 12345);
	SAME("[%016llx]", 0xffffffffa5123456ull);
	SAME("[%016llx]", 0ull);
	SAME("[%016llx-%016llx]", 0x1000ull, 0x9fbffull);
	SAME("[%08x]", 0xcf9u);
	SAME("[%-8x]", 0xcf9u);
	SAME("[%*d]", 6, 7);
	SAME("[%*d]", -6, 7);
	SAME("[%-*d]", 6, 7);
	SAME("[%.3d]", 7);
	SAME("[%8.3d]", -7);
	SAME("[%.0d]", 5);
	SAME("[%3u%%]", 99u);
}

static void test_strings_and_chars(void **state)
{
	const char *node = "rig-x";

	SAME("%s", "");
	SAME("kernel %s node %s", "6.1.0-56-amd64", node);
	SAME("[%10s]", node);
	SAME("[%-10s]", node);
	SAME("[%.3s]", node);
	SAME("[%.*s]", 2, node);
	SAME("[%.*s]", 0, node);
	SAME("[%.*s]", 99, node);
	SAME("[%8.2s]", node);
	SAME("[%c%c%c]", 'a', 'b', 'c');
	SAME("[%3c]", 'x');
	SAME("[%-3c]", 'x');
	SAME("100%%");
	SAME("%%d");
	/* Only the precision is read of an unterminated string. */
	{
		char *raw = tb_alloc(4);

		memcpy(raw, "abcd", 4);
		IS("[ab]", "[%.*s]", 2, raw);
		IS("[abcd]", "[%.4s]", raw);
	}
}

static void test_pointer_and_null(void **state)
{
	char b[64];

	IS("0x0", "%p", (void *)0);
	IS("0x1000", "%p", (void *)0x1000);
	bm_snprintf(b, sizeof(b), "%p", (void *)b);
	{
		char want[64];

		snprintf(want, sizeof(want), "0x%lx", (unsigned long)b);
		assert_string_equal(b, want);
	}
	{
		/* Hidden from the compiler, which rejects a literal NULL. */
		const char *volatile nul = NULL;

		IS("(null)", "%s", nul);
		IS("[  (null)]", "[%8s]", nul);
	}
}

/* Formats the compiler rightly warns about: that is the point here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_stub_specific(void **state)
{
	/* '-' beats '0', as in C. */
	SAME("[%-05d]", 3);
	/* Unknown conversions are printed as they stand. */
	IS("%q", "%q");
	IS("a%yb", "a%yb");
	/* A lone '%' at the end prints nothing and stops there. */
	{
		static const char f[] = "end%";
		/* Its NUL is the last byte of the allocation. */
		char *fmt = tb_dup(f, sizeof(f));
		char b[16];

		assert_int_equal(bm_snprintf(b, sizeof(b), fmt, 0), 3);
		assert_string_equal(b, "end");
	}
	/* Precision larger than the digit buffer does not overrun it. */
	{
		char b[64];
		int n = bm_snprintf(b, sizeof(b), "%.40d", 1);

		assert_true(n > 0 && n <= 40);
		assert_int_equal((int)strlen(b), n);
		assert_int_equal(b[n - 1], '1');
	}
}
#pragma GCC diagnostic pop

static void test_truncation(void **state)
{
	const char *s = "bmdump: done, resetting";
	char *b;
	size_t size;

	/* Every buffer size: NUL-terminated, never past the end. */
	for (size = 1; size <= strlen(s) + 2; size++) {
		b = tb_alloc(size);
		assert_int_equal(bm_snprintf(b, size, "%s", s),
				 (int)strlen(s));
		assert_int_equal(strlen(b), size - 1 < strlen(s) ?
				 size - 1 : strlen(s));
		assert_memory_equal(b, s, strlen(b));
	}
	/* Size 0: nothing written, length still returned. */
	assert_int_equal(bm_snprintf(NULL, 0, "%d-%s", 12345, s),
			 6 + (int)strlen(s));
	b = tb_alloc(1);
	b[0] = 'z';
	assert_int_equal(bm_snprintf(b, 0, "abc"), 3);
	assert_int_equal(b[0], 'z');
	/* Wide padding into a small buffer. */
	b = tb_alloc(8);
	assert_int_equal(bm_snprintf(b, 8, "%300d", 5), 300);
	assert_string_equal(b, "       ");
	b = tb_alloc(8);
	assert_int_equal(bm_snprintf(b, 8, "%-300d|", 5), 301);
	assert_string_equal(b, "5      ");
	b = tb_alloc(4);
	assert_int_equal(bm_snprintf(b, 4, "%016llx", 0x1234ull), 16);
	assert_string_equal(b, "000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_integers, teardown),
		cmocka_unit_test_teardown(test_widths_and_flags, teardown),
		cmocka_unit_test_teardown(test_strings_and_chars, teardown),
		cmocka_unit_test_teardown(test_pointer_and_null, teardown),
		cmocka_unit_test_teardown(test_stub_specific, teardown),
		cmocka_unit_test_teardown(test_truncation, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
