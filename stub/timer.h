/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time for deadlines and stage figures: the TSC, calibrated against the
 * ACPI PM timer (3.579545 MHz), the one clock Linux leaves alone at a crash
 * (HPET and the LAPIC timer are off).
 */
#ifndef STUB_TIMER_H
#define STUB_TIMER_H

#include "bmdump/types.h"

#define PM_TIMER_HZ	3579545u

void timer_init(uint64_t entry_tsc);
/* Calibrate for ~10 ms; on failure keep the conservative guess. */
int timer_calibrate(uint16_t pm_port, int pm_32bit);
uint64_t timer_tsc_khz(void);
int timer_calibrated(void);
uint64_t timer_us_since_entry(void);
uint64_t timer_us_since(uint64_t tsc);

struct deadline {
	uint64_t tsc;
};

/*
 * One deadline for the whole capture, in ms after the stub's entry (0:
 * none), from bmdump.deadline=.  Every bounded wait also ends when it has
 * passed, so the capture ends in the logged final action.
 */
void timer_set_capture_deadline(uint64_t ms);
int capture_deadline_passed(void);
/* After it passed: ms more, once, to record the error in the area. */
void capture_deadline_grace(uint64_t ms);

/*
 * A keepalive, fn (NULL: none), called from the bounded waits at most
 * every period_ms: how a locked hardware watchdog is reloaded through the
 * capture without its driver knowing who waits.
 */
void timer_set_keepalive(void (*fn)(void), uint64_t period_ms);

struct deadline deadline_ms(uint64_t ms);
int deadline_passed(struct deadline d);
/*
 * The error of a bounded wait that gave up: deadline_err when the capture
 * deadline cut it short, else the wait's own timeout_err.  The operator
 * must tell a device that hung from a bmdump.deadline= that was too short.
 */
int wait_expired_err(int timeout_err, int deadline_err);
void mdelay(uint64_t ms);

#endif /* STUB_TIMER_H */
