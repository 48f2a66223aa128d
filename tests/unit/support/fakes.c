// SPDX-License-Identifier: GPL-2.0
#include "fakes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkdev.h"
#include "io.h"
#include "phys.h"
#include "printf.h"

#define MAX_FAKE	64

static struct {
	uint64_t pa;
	uint8_t *buf;
	size_t len;
	enum fake_kind kind;
} fakes[MAX_FAKE];
static int nr_fakes;

void fake_phys_add(uint64_t pa, void *buf, size_t len, enum fake_kind kind)
{
	assert_true(nr_fakes < MAX_FAKE);
	fakes[nr_fakes].pa = pa;
	fakes[nr_fakes].buf = buf;
	fakes[nr_fakes].len = len;
	fakes[nr_fakes].kind = kind;
	nr_fakes++;
}

void fake_phys_reset(void)
{
	nr_fakes = 0;
}

static void *lookup(uint64_t pa, uint64_t len, int want_ram, int want_fw,
		    int want_mmio)
{
	int i;

	if (pa + len < pa)
		return NULL;
	for (i = 0; i < nr_fakes; i++) {
		int ok = (fakes[i].kind == FAKE_RAM && (want_ram || want_fw)) ||
			 (fakes[i].kind == FAKE_FW && want_fw) ||
			 (fakes[i].kind == FAKE_MMIO && want_mmio);

		if (ok && pa >= fakes[i].pa &&
		    pa + len <= fakes[i].pa + fakes[i].len)
			return fakes[i].buf + (pa - fakes[i].pa);
	}
	return NULL;
}

const void *phys_ram(uint64_t pa, uint64_t len)
{
	return lookup(pa, len, 1, 0, 0);
}

const void *phys_fw(uint64_t pa, uint64_t len)
{
	return lookup(pa, len, 0, 1, 0);
}

volatile void *phys_mmio(uint64_t pa, uint64_t len)
{
	return lookup(pa, len, 0, 0, 1);
}

static char log_buf[1 << 16] __attribute__((aligned(4096)));
static size_t log_len;

void bmlog(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (log_len + (size_t)n + 10 < sizeof(log_buf)) {
		memcpy(log_buf + log_len, "bmdump: ", 8);
		memcpy(log_buf + log_len + 8, line, (size_t)n);
		log_len += 8 + (size_t)n;
		log_buf[log_len++] = '\n';
		log_buf[log_len] = 0;
	}
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "bmdump: %s\n", line);
}

uint64_t console_log_pa(size_t *len)
{
	*len = log_len;
	return (uint64_t)(uintptr_t)log_buf;
}

const char *fake_log(void)
{
	return log_buf;
}

void fake_log_reset(void)
{
	log_len = 0;
	log_buf[0] = 0;
}

void fake_violation(unsigned int *count, char *why, size_t size,
		    const char *model, const char *fmt, ...)
{
	size_t len = strlen(why);
	va_list ap;

	++*count;
	if (len + 2 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(why + len, size - len - 1, fmt, ap);
	va_end(ap);
	len = strlen(why);
	if (len + 2 < size)
		strcat(why, "; ");
	if (getenv("UNIT_VERBOSE"))
		fprintf(stderr, "%s violation: %s\n", model, why);
}

uint64_t fake_tsc_step = 1000;
uint64_t fake_tsc;

uint64_t rdtsc(void)
{
	fake_tsc += fake_tsc_step;
	return fake_tsc;
}

void (*fake_cpu_relax_hook)(void);

void cpu_relax(void)
{
	if (fake_cpu_relax_hook)
		fake_cpu_relax_hook();
}

void mb(void)
{
}

void rmb(void)
{
}

void wmb(void)
{
}

uint32_t (*fake_port_read)(uint16_t port, int size);
void (*fake_port_write)(uint16_t port, uint32_t val, int size);

static uint32_t port_in(uint16_t port, int size)
{
	if (fake_port_read)
		return fake_port_read(port, size);
	return size == 1 ? 0xff : size == 2 ? 0xffff : 0xffffffffu;
}

static void port_out(uint16_t port, uint32_t val, int size)
{
	if (fake_port_write)
		fake_port_write(port, val, size);
}

uint8_t inb(uint16_t port) { return (uint8_t)port_in(port, 1); }
uint16_t inw(uint16_t port) { return (uint16_t)port_in(port, 2); }
uint32_t inl(uint16_t port) { return port_in(port, 4); }
void outb(uint16_t port, uint8_t v) { port_out(port, v, 1); }
void outw(uint16_t port, uint16_t v) { port_out(port, v, 2); }
void outl(uint16_t port, uint32_t v) { port_out(port, v, 4); }

uint64_t (*fake_mmio_read)(volatile void *addr, int size);
void (*fake_mmio_write)(volatile void *addr, uint64_t val, int size);

#define MMIO_RW(bits, type)						\
type mmio_read##bits(volatile void *a)					\
{									\
	if (fake_mmio_read)						\
		return (type)fake_mmio_read(a, bits / 8);		\
	return *(volatile type *)a;					\
}									\
void mmio_write##bits(volatile void *a, type v)				\
{									\
	if (fake_mmio_write)						\
		fake_mmio_write(a, v, bits / 8);			\
	else								\
		*(volatile type *)a = v;				\
}

MMIO_RW(8, uint8_t)
MMIO_RW(16, uint16_t)
MMIO_RW(32, uint32_t)
MMIO_RW(64, uint64_t)

/*
 * DMA memory for drivers under test: host memory, its address as
 * "physical".  Kept in a table so LeakSanitizer sees it reachable: the stub
 * never frees DMA memory either.
 */
static void *dma_blocks[4096];
static unsigned int nr_dma_blocks;
uint64_t fake_dma_allocated;
uint64_t fake_dma_budget;

uint64_t dma_alloc(uint64_t size, uint64_t align)
{
	void *p;

	if (nr_dma_blocks >= 4096)
		return 0;

	if (align < 4096)
		align = 4096;
	size = (size + align - 1) & ~(align - 1);
	if (fake_dma_budget && fake_dma_allocated + size > fake_dma_budget)
		return 0;
	fake_dma_allocated += size;
	p = aligned_alloc(align, size);
	if (!p)
		return 0;
	memset(p, 0, size);
	dma_blocks[nr_dma_blocks++] = p;
	return (uint64_t)(uintptr_t)p;
}
