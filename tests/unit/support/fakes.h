/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fakes for host-built unit tests of stub code: a fake physical address
 * space (test buffers served at chosen physical addresses), a captured
 * console, a fake TSC, and port/MMIO accessors tests can hook.
 */
#ifndef TESTS_UNIT_FAKES_H
#define TESTS_UNIT_FAKES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

enum fake_kind {
	FAKE_RAM,	/* served by phys_ram() and phys_fw() */
	FAKE_FW,	/* served by phys_fw() only */
	FAKE_MMIO,	/* served by phys_mmio() only */
};

/* Serve [pa, pa + len) from buf.  Regions stay until fake_phys_reset(). */
void fake_phys_add(uint64_t pa, void *buf, size_t len, enum fake_kind kind);
void fake_phys_reset(void);

/* Everything bmlog() printed since the last fake_log_reset(). */
const char *fake_log(void);
void fake_log_reset(void);

/* rdtsc() advances by this much per call (default 1000). */
/* dma_alloc(): bytes handed out so far; a non-zero budget makes it fail
 * beyond that many (a small crashkernel region). */
extern uint64_t fake_dma_allocated;
extern uint64_t fake_dma_budget;

extern uint64_t fake_tsc_step;
extern uint64_t fake_tsc;

/*
 * Port I/O hooks: when set, inb/outb and friends call them; otherwise
 * reads return all ones and writes are dropped.
 */
extern uint32_t (*fake_port_read)(uint16_t port, int size);
extern void (*fake_port_write)(uint16_t port, uint32_t val, int size);

/*
 * MMIO hooks: when set, mmio_read/write call them with the address;
 * otherwise the access goes to the memory behind the pointer.
 */
extern uint64_t (*fake_mmio_read)(volatile void *addr, int size);
extern void (*fake_mmio_write)(volatile void *addr, uint64_t val, int size);

/*
 * Called by every cpu_relax(): a device model hooked here runs "while the
 * CPU spins", so polling loops see it make progress.
 */
extern void (*fake_cpu_relax_hook)(void);

/*
 * A device model's spec violation: count it, append the reason to why
 * (size bytes, "; "-separated), echo it with UNIT_VERBOSE set.
 */
void fake_violation(unsigned int *count, char *why, size_t size,
		    const char *model, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif /* TESTS_UNIT_FAKES_H */
