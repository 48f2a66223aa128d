// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 item 3: one deadline for the whole capture.  A wait as long as
 * an NVMe CAP.TO of 127.5 s (and the uncalibrated 5 GHz TSC guess makes
 * waits longer still) must end when the capture deadline passes.  Time is
 * the fake TSC, not the wall clock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"
#include "fakes.h"
#include "timer.h"

/* The TSC guess before calibration: 5 GHz, 5e6 ticks per ms. */
#define TICKS_PER_MS	5000000ull

static uint64_t wait_ms(uint64_t ms)
{
	struct deadline d = deadline_ms(ms);
	uint64_t t0 = fake_tsc;

	while (!deadline_passed(d))
		;
	return (fake_tsc - t0) / TICKS_PER_MS;
}

static void test_long_wait_ends_at_capture_deadline(void **state)
{
	struct stub_options o;
	uint64_t took;

	fake_tsc_step = 1000000;	/* 0.2 ms of the guess per read */
	timer_init(fake_tsc);
	assert_int_equal(stub_options_parse("elfcorehdr=0x1000000 "
					    "bmdump.deadline=2", &o), 0);
	assert_int_equal(o.deadline_ms, 2000);
	timer_set_capture_deadline(o.deadline_ms);
	assert_false(capture_deadline_passed());
	took = wait_ms(127500);
	assert_true(took >= 1999 && took <= 2001);
	assert_true(capture_deadline_passed());
	/* Later waits end at once: the capture is over... */
	assert_true(wait_ms(1000) <= 1);
	/* ...but for one grace period to record the error. */
	capture_deadline_grace(500);
	took = wait_ms(60000);
	assert_true(took >= 499 && took <= 501);
}

static void test_deadline_option(void **state)
{
	struct stub_options o;

	assert_int_equal(stub_options_parse("elfcorehdr=0x1000000", &o), 0);
	assert_int_equal(o.deadline_ms, BMDUMP_DEADLINE_DEFAULT_S * 1000ull);
	assert_int_equal(stub_options_parse("elfcorehdr=0x1000000 "
					    "bmdump.deadline=0", &o), 0);
	assert_int_equal(o.deadline_ms, 0);	/* 0: no deadline */
	assert_int_equal(stub_options_parse("elfcorehdr=0x1000000 "
					    "bmdump.deadline=5m", &o),
			 E_CMD_DEADLINE);
	assert_int_equal(o.deadline_ms, BMDUMP_DEADLINE_DEFAULT_S * 1000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_wait_ends_at_capture_deadline),
		cmocka_unit_test(test_deadline_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
