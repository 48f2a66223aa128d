// SPDX-License-Identifier: GPL-2.0
#include "reset.h"
#include "console.h"
#include "io.h"
#include "phys.h"
#include "timer.h"

#define PORT_RST_CNT		0xcf9	/* PIIX/ICH reset control */
#define RST_CNT_SYS_RST		0x02
#define RST_CNT_RST_CPU		0x04
#define PORT_KBC_STATUS		0x64
#define PORT_KBC_CMD		0x64
#define KBC_STATUS_IBF		0x02
#define KBC_CMD_PULSE_RESET	0xfe
#define PCI_CONF_ADDR		0xcf8
#define PCI_CONF_DATA		0xcfc
#define RESET_SETTLE_MS		100

static struct acpi_gas reset_reg;
static uint8_t reset_value;
static int have_reset_reg;

void reset_use_acpi(const struct acpi_info *ai)
{
	if (!ai->has_reset_reg)
		return;
	reset_reg = ai->reset_reg;
	reset_value = ai->reset_value;
	have_reset_reg = 1;
}

static void acpi_reset(void)
{
	volatile void *mmio;
	uint64_t a = reset_reg.address;

	switch (reset_reg.space_id) {
	case ACPI_GAS_IO:
		if (a <= 0xffff)
			outb((uint16_t)a, reset_value);
		break;
	case ACPI_GAS_MEMORY:
		mmio = phys_mmio(a, 1);
		if (mmio)
			mmio_write8(mmio, reset_value);
		break;
	case ACPI_GAS_PCI_CONFIG:
		/* bus 0; device, function, offset packed in the address */
		outl(PCI_CONF_ADDR, 0x80000000u |
		     (uint32_t)((a >> 32) & 0x1f) << 11 |
		     (uint32_t)((a >> 16) & 0x7) << 8 | (uint32_t)(a & 0xfc));
		outb((uint16_t)(PCI_CONF_DATA + (a & 3)), reset_value);
		break;
	}
}

extern void idt_load(void);

void machine_reset(void)
{
	static const uint8_t null_idt[10];
	unsigned int spins;

	asm volatile("cli");
	if (have_reset_reg) {
		acpi_reset();
		mdelay(RESET_SETTLE_MS);
	}
	outb(PORT_RST_CNT, RST_CNT_SYS_RST);
	outb(PORT_RST_CNT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
	mdelay(RESET_SETTLE_MS);
	for (spins = 0; spins < 100000; spins++)
		if (!(inb(PORT_KBC_STATUS) & KBC_STATUS_IBF))
			break;
	outb(PORT_KBC_CMD, KBC_CMD_PULSE_RESET);
	mdelay(RESET_SETTLE_MS);
	bmlog("reset did not happen; forcing a triple fault");
	asm volatile("lidt %0; int3" : : "m"(null_idt));
	halt_forever();
}

void machine_halt(void)
{
	halt_forever();
}
