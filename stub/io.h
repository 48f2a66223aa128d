/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU, port I/O and MMIO accessors.  In unit tests (UNIT_TEST) they are
 * plain functions that the test provides, so that register sequences can be
 * checked against mocks, libpayload style.
 */
#ifndef STUB_IO_H
#define STUB_IO_H

#include "bmdump/types.h"

#ifdef UNIT_TEST

uint8_t inb(uint16_t port);
uint16_t inw(uint16_t port);
uint32_t inl(uint16_t port);
void outb(uint16_t port, uint8_t val);
void outw(uint16_t port, uint16_t val);
void outl(uint16_t port, uint32_t val);
uint32_t mmio_read32(volatile void *addr);
void mmio_write32(volatile void *addr, uint32_t val);
uint64_t mmio_read64(volatile void *addr);
void mmio_write64(volatile void *addr, uint64_t val);
uint8_t mmio_read8(volatile void *addr);
void mmio_write8(volatile void *addr, uint8_t val);
uint16_t mmio_read16(volatile void *addr);
void mmio_write16(volatile void *addr, uint16_t val);
uint64_t rdtsc(void);
void cpu_relax(void);
void wmb(void);
void rmb(void);
void mb(void);

#else

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t mmio_read8(volatile void *a)
{
	return *(volatile uint8_t *)a;
}

static inline uint16_t mmio_read16(volatile void *a)
{
	return *(volatile uint16_t *)a;
}

static inline uint32_t mmio_read32(volatile void *a)
{
	return *(volatile uint32_t *)a;
}

static inline void mmio_write8(volatile void *a, uint8_t v)
{
	*(volatile uint8_t *)a = v;
}

static inline void mmio_write16(volatile void *a, uint16_t v)
{
	*(volatile uint16_t *)a = v;
}

static inline void mmio_write32(volatile void *a, uint32_t v)
{
	*(volatile uint32_t *)a = v;
}

/* 64-bit registers as two 32-bit accesses, low first (Linux lo_hi). */
static inline uint64_t mmio_read64(volatile void *a)
{
	uint64_t lo = mmio_read32(a);
	uint64_t hi = mmio_read32((volatile uint8_t *)a + 4);

	return lo | hi << 32;
}

static inline void mmio_write64(volatile void *a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32((volatile uint8_t *)a + 4, (uint32_t)(v >> 32));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

static inline void mb(void)
{
	asm volatile("mfence" ::: "memory");
}

static inline void wmb(void)
{
	asm volatile("sfence" ::: "memory");
}

static inline void rmb(void)
{
	asm volatile("lfence" ::: "memory");
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			 uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt");
}

#endif /* UNIT_TEST */

#endif /* STUB_IO_H */
