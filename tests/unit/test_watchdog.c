// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 item 3: an i6300esb the crashed kernel armed is stopped by the
 * stub's storage probe (after the reload its datasheet asks for); a
 * locked one (nowayout) is reloaded once and left enabled.
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

#define ECAM_BASE	0xb0000000ull
#define ESB_BAR		0xfe000000ull

static struct acpi_info ai;
static uint16_t reload_writes[8];
static unsigned int nr_reload_writes;

static void esb_mmio_write(volatile void *a, uint64_t v, int size)
{
	if ((uint64_t)(uintptr_t)a == ESB_BAR + ESB_RELOAD_REG && size == 2 &&
	    nr_reload_writes < 8)
		reload_writes[nr_reload_writes++] = (uint16_t)v;
}

static uint64_t esb_mmio_read(volatile void *a, int size)
{
	return 0;
}

static struct fake_pci_fn *esb(uint8_t lock)
{
	struct fake_mcfg_entry e = { ECAM_BASE, 0, 0, 0 };
	struct fake_pci_fn *f;

	fake_phys_reset();
	fake_pci_reset();
	fake_log_reset();
	nr_reload_writes = 0;
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

static void probe(void)
{
	struct blkdev devs[4];
	unsigned int n;

	storage_probe(&ai, devs, 4, &n);
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

static void test_locked_esb_reloaded(void **state)
{
	struct fake_pci_fn *f = esb(ESB_WDT_ENABLE | ESB_WDT_LOCK);

	probe();
	assert_true(f->cfg[ESB_LOCK_REG] & ESB_WDT_ENABLE);
	assert_int_equal(nr_reload_writes, 3);
	assert_non_null(strstr(fake_log(), "nowayout"));
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
		cmocka_unit_test(test_locked_esb_reloaded),
		cmocka_unit_test(test_idle_esb_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
