// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 item 3: an i6300esb or ICH9 TCO timer the crashed kernel armed
 * is stopped by the stub's storage probe (after a reload, so a full period
 * is left whatever follows); a locked one (nowayout) is left enabled and
 * reloaded from every bounded wait of the capture.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acpi.h"
#include "blkdev.h"
#include "fake_pci.h"
#include "fakes.h"
#include "drivers/storage.h"
#include "drivers/watchdog.h"
#include "timer.h"

#define ECAM_BASE	0xb0000000ull
#define ESB_BAR		0xfe000000ull
#define RCBA		0xfed1c000ull
#define PMBASE		0x600
#define TCO		(PMBASE + TCO_BASE_OFF)

static struct acpi_info ai;
static uint16_t reload_writes[8];
static unsigned int nr_reload_writes, nr_esb_reloads;

/* The ICH9 model: TCO1_CNT, TCO_RLD and GCS, each lockable. */
static uint16_t tco1_cnt;
static unsigned int tco_reloads;
static int hlt_locked;
static uint32_t gcs;
static int gcs_locked;

static void esb_mmio_write(volatile void *a, uint64_t v, int size)
{
	uint64_t pa = (uint64_t)(uintptr_t)a;

	if (pa == ESB_BAR + ESB_RELOAD_REG && size == 2) {
		if (nr_reload_writes < 8)
			reload_writes[nr_reload_writes++] = (uint16_t)v;
		nr_esb_reloads += v == ESB_WDT_RELOAD;
	}
	if (pa == RCBA + ICH9_GCS && size == 4 && !gcs_locked)
		gcs = (uint32_t)v;
}

static uint64_t esb_mmio_read(volatile void *a, int size)
{
	if ((uint64_t)(uintptr_t)a == RCBA + ICH9_GCS && size == 4)
		return gcs;
	return 0;
}

static uint32_t tco_port_read(uint16_t port, int size)
{
	return port == TCO + TCO1_CNT && size == 2 ? tco1_cnt : 0xffffffffu;
}

static void tco_port_write(uint16_t port, uint32_t val, int size)
{
	if (port == TCO + TCO_RLD && size == 2)
		tco_reloads++;
	if (port == TCO + TCO1_CNT && size == 2 && !hlt_locked)
		tco1_cnt = (uint16_t)val;
}

static struct fake_pci_fn *esb(uint8_t lock)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };
	struct fake_pci_fn *f;

	fake_phys_reset();
	fake_pci_reset();
	fake_log_reset();
	nr_reload_writes = 0;
	nr_esb_reloads = 0;
	f = fake_pci_add(0, 0, 9, 0, ESB_VENDOR, ESB_DEVICE, 0x088000, 0);
	fake_pci_set_bar32(f, 0, (uint32_t)ESB_BAR);
	f->cfg[ESB_LOCK_REG] = lock;
	f->wmask[ESB_LOCK_REG] = lock & ESB_WDT_LOCK ? 0 : 0xff;
	fake_phys_add(ESB_BAR, (void *)(uintptr_t)ESB_BAR, 4096, FAKE_MMIO);
	fake_pci_next_mmio_write = esb_mmio_write;
	fake_pci_next_mmio_read = esb_mmio_read;
	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0, 0);
	return f;
}

/* An ICH9 LPC bridge alone: TCO1_CNT as the crashed kernel left it. */
static struct fake_pci_fn *ich9(uint16_t cnt, int lock_hlt, int lock_gcs)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };
	struct fake_pci_fn *f;

	fake_phys_reset();
	fake_pci_reset();
	fake_log_reset();
	tco1_cnt = cnt;
	tco_reloads = 0;
	hlt_locked = lock_hlt;
	gcs = 0;
	gcs_locked = lock_gcs;
	f = fake_pci_add(0, 0, 31, 0, ESB_VENDOR, ICH9_LPC_ICH9, 0x060100, 0);
	f->cfg[ICH9_PMBASE] = PMBASE & 0xff;
	f->cfg[ICH9_PMBASE + 1] = PMBASE >> 8;
	f->cfg[ICH9_ACPI_CNTL] = ICH9_ACPI_EN;
	f->cfg[ICH9_RCBA] = (uint8_t)(RCBA | ICH9_RCBA_EN);
	f->cfg[ICH9_RCBA + 1] = (uint8_t)(RCBA >> 8);
	f->cfg[ICH9_RCBA + 2] = (uint8_t)(RCBA >> 16);
	f->cfg[ICH9_RCBA + 3] = (uint8_t)(RCBA >> 24);
	fake_phys_add(RCBA, (void *)(uintptr_t)RCBA, 0x4000, FAKE_MMIO);
	fake_pci_next_mmio_write = esb_mmio_write;
	fake_pci_next_mmio_read = esb_mmio_read;
	fake_pci_acpi(&ai, &e, 1);
	fake_pci_install_ecam(ECAM_BASE, 0, 0, 0);
	fake_port_read = tco_port_read;
	fake_port_write = tco_port_write;
	return f;
}

static void probe(void)
{
	struct blkdev devs[4];
	unsigned int n;

	storage_probe(&ai, devs, 4, &n);
}

/* The capture waiting for a device for a second after the probe. */
static void wait_one_second(void)
{
	uint64_t step = fake_tsc_step;

	fake_tsc_step = timer_tsc_khz() * 10;	/* 10 ms per rdtsc() */
	mdelay(1000);
	fake_tsc_step = step;
}

static void test_armed_esb_stopped(void **state)
{
	struct fake_pci_fn *f = esb(ESB_WDT_ENABLE);

	probe();
	assert_int_equal(f->cfg[ESB_LOCK_REG] & ESB_WDT_ENABLE, 0);
	assert_int_equal(nr_reload_writes, 3);
	assert_int_equal(reload_writes[0], ESB_UNLOCK1);
	assert_int_equal(reload_writes[1], ESB_UNLOCK2);
	assert_int_equal(reload_writes[2], ESB_WDT_RELOAD);
	assert_non_null(strstr(fake_log(), "i6300esb"));
	assert_non_null(strstr(fake_log(), "stopped"));
}

static void test_locked_esb_reloaded_through_the_capture(void **state)
{
	struct fake_pci_fn *f = esb(ESB_WDT_ENABLE | ESB_WDT_LOCK);

	probe();
	assert_true(f->cfg[ESB_LOCK_REG] & ESB_WDT_ENABLE);
	assert_int_equal(nr_reload_writes, 3);
	assert_non_null(strstr(fake_log(), "nowayout"));
	/* Every WATCHDOG_PET_MS of waiting: 9 or 10 more in a second. */
	wait_one_second();
	assert_in_range(nr_esb_reloads, 1 + 900 / WATCHDOG_PET_MS,
			1 + 1000 / WATCHDOG_PET_MS);
	assert_int_equal(watchdog_pets(), nr_esb_reloads - 1);
}

static void test_running_tco_stopped(void **state)
{
	ich9(0, 0, 0);
	probe();
	assert_true(tco1_cnt & TCO_TMR_HLT);
	assert_int_equal(tco_reloads, 1);
	assert_int_equal(gcs, 0);	/* halted: NO_REBOOT not needed */
	assert_non_null(strstr(fake_log(), "iTCO"));
	assert_non_null(strstr(fake_log(), "stopped"));
	wait_one_second();
	assert_int_equal(tco_reloads, 1);
	assert_int_equal(watchdog_pets(), 0);
}

static void test_tco_halt_locked_no_reboot_set(void **state)
{
	ich9(TCO_LOCK, 1, 0);
	probe();
	assert_int_equal(tco1_cnt & TCO_TMR_HLT, 0);
	assert_true(gcs & ICH9_GCS_NO_REBOOT);
	assert_non_null(strstr(fake_log(), "NO_REBOOT"));
	wait_one_second();
	assert_int_equal(tco_reloads, 1);
}

static void test_locked_tco_reloaded_through_the_capture(void **state)
{
	ich9(TCO_LOCK, 1, 1);
	probe();
	assert_int_equal(tco1_cnt & TCO_TMR_HLT, 0);
	assert_int_equal(gcs, 0);
	assert_non_null(strstr(fake_log(), "reloaded through the capture"));
	wait_one_second();
	assert_in_range(tco_reloads, 1 + 900 / WATCHDOG_PET_MS,
			1 + 1000 / WATCHDOG_PET_MS);
}

static void test_halted_tco_untouched(void **state)
{
	ich9(TCO_TMR_HLT, 0, 0);
	probe();
	assert_int_equal(tco1_cnt, TCO_TMR_HLT);
	assert_int_equal(tco_reloads, 0);
	assert_null(strstr(fake_log(), "iTCO"));
}

static void test_idle_esb_untouched(void **state)
{
	struct fake_pci_fn *f = esb(0);

	probe();
	assert_int_equal(f->cfg[ESB_LOCK_REG], 0);
	assert_int_equal(nr_reload_writes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_armed_esb_stopped),
		cmocka_unit_test(test_locked_esb_reloaded_through_the_capture),
		cmocka_unit_test(test_idle_esb_untouched),
		cmocka_unit_test(test_running_tco_stopped),
		cmocka_unit_test(test_tco_halt_locked_no_reboot_set),
		cmocka_unit_test(test_locked_tco_reloaded_through_the_capture),
		cmocka_unit_test(test_halted_tco_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
