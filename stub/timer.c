// SPDX-License-Identifier: GPL-2.0
#include "timer.h"
#include "errors.h"
#include "io.h"

/*
 * Before calibration, assume a fast TSC: deadlines then last longer than
 * asked, never shorter.
 */
#define TSC_KHZ_GUESS		5000000ull
#define CALIBRATE_PM_TICKS	(PM_TIMER_HZ / 100)	/* 10 ms */
#define CALIBRATE_MAX_READS	5000000u

static uint64_t tsc_khz = TSC_KHZ_GUESS;
static uint64_t entry_tsc;
static int calibrated;

void timer_init(uint64_t tsc)
{
	entry_tsc = tsc;
}

static uint32_t pm_read(uint16_t port, uint32_t mask)
{
	return inl(port) & mask;
}

int timer_calibrate(uint16_t pm_port, int pm_32bit)
{
	uint32_t mask = pm_32bit ? 0xffffffffu : 0xffffffu;
	uint32_t start, now, ticks = 0;
	uint64_t t0, t1;
	unsigned int reads = 0;

	if (!pm_port)
		return E_TIMER_NO_PMTMR;
	/* Start on a tick edge so the first partial tick does not count. */
	start = pm_read(pm_port, mask);
	while ((now = pm_read(pm_port, mask)) == start)
		if (++reads > CALIBRATE_MAX_READS)
			return E_TIMER_CALIBRATE;
	t0 = rdtsc();
	start = now;
	while (ticks < CALIBRATE_PM_TICKS) {
		if (++reads > CALIBRATE_MAX_READS)
			return E_TIMER_CALIBRATE;
		now = pm_read(pm_port, mask);
		ticks = (now - start) & mask;
	}
	t1 = rdtsc();
	if (t1 <= t0)
		return E_TIMER_CALIBRATE;
	tsc_khz = (t1 - t0) * (uint64_t)PM_TIMER_HZ / ticks / 1000;
	if (!tsc_khz) {
		tsc_khz = TSC_KHZ_GUESS;
		return E_TIMER_CALIBRATE;
	}
	calibrated = 1;
	return 0;
}

uint64_t timer_tsc_khz(void)
{
	return tsc_khz;
}

int timer_calibrated(void)
{
	return calibrated;
}

uint64_t timer_us_since(uint64_t tsc)
{
	uint64_t now = rdtsc();

	return now > tsc ? (now - tsc) * 1000 / tsc_khz : 0;
}

uint64_t timer_us_since_entry(void)
{
	return timer_us_since(entry_tsc);
}

/*
 * Kept in ms after entry, not in TSC ticks: converted at each check with
 * the current tsc_khz, so calibration shortens it to what was asked.
 */
static uint64_t capture_ms;
static int capture_over;

void timer_set_capture_deadline(uint64_t ms)
{
	capture_ms = ms;
	capture_over = 0;
}

int capture_deadline_passed(void)
{
	if (capture_ms && !capture_over &&
	    timer_us_since_entry() >= capture_ms * 1000)
		capture_over = 1;
	return capture_over;
}

void capture_deadline_grace(uint64_t ms)
{
	static int granted;

	if (!capture_over || granted++)
		return;
	capture_ms = timer_us_since_entry() / 1000 + ms;
	capture_over = 0;
}

static void (*keepalive_fn)(void);
static uint64_t keepalive_ms, keepalive_last;

void timer_set_keepalive(void (*fn)(void), uint64_t period_ms)
{
	keepalive_fn = fn;
	keepalive_ms = period_ms;
	keepalive_last = rdtsc();
}

static void keepalive(void)
{
	uint64_t now;

	if (!keepalive_fn)
		return;
	now = rdtsc();
	if (now - keepalive_last < keepalive_ms * tsc_khz)
		return;
	keepalive_last = now;
	keepalive_fn();
}

struct deadline deadline_ms(uint64_t ms)
{
	struct deadline d = { rdtsc() + ms * tsc_khz };

	return d;
}

int deadline_passed(struct deadline d)
{
	keepalive();
	return rdtsc() >= d.tsc || capture_deadline_passed();
}

int wait_expired_err(int timeout_err, int deadline_err)
{
	return capture_deadline_passed() ? deadline_err : timeout_err;
}

void mdelay(uint64_t ms)
{
	struct deadline d = deadline_ms(ms);

	while (!deadline_passed(d))
		cpu_relax();
}
