/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The other CPUs (issue 17): the crashed kernel stopped them at the crash
 * (NMI, then a halt loop with interrupts off).  smp_start() resets them
 * with INIT and starts them with SIPI (Intel SDM vol. 3, "MP
 * initialization") through a real-mode trampoline (boot/entry64.asm) in a
 * page below 1 MiB whose bytes it saves first and puts back once every
 * CPU has left it, so the dump holds that page as the crash left it.
 * Each CPU lands in C on its own stack, on the stub's page tables, and
 * runs each job smp_run() hands out until smp_park() halts it.  A CPU
 * that does not answer in time is stopped with INIT again and left out,
 * with a log line; no wait is without bound.
 */
#ifndef STUB_SMP_H
#define STUB_SMP_H

#include "acpi.h"
#include "bootparams.h"
#include "paging.h"

/* CPUs the stub uses at most, its own included */
#define SMP_MAX_CPUS		64
#define SMP_STACK_SIZE		(16ull << 10)

/* The trampoline's parameter block (mirrored in boot/entry64.asm) */
#define TP_GDTR			0xf00
#define TP_JMP32		0xf08
#define TP_JMP64		0xf10
#define TP_CR3			0xf18
#define TP_CR4			0xf1c
#define TP_EFER			0xf20
#define TP_CR0			0xf24
#define TP_STACK		0xf28
#define TP_ENTRY		0xf30
#define TP_ARG			0xf38
#define TP_SGDT			0xf40
#define TP_SIDT			0xf50
#define TP_CR4_FULL		0xf60
#define TP_GDT			0xf80
#define TP_SEL_CODE64		0x08
#define TP_SEL_DATA		0x10
#define TP_SEL_CODE32		0x18

/*
 * Start the CPUs ai lists as enabled but this one and
 * the boot CPU (bsp, when bsp_known: acpi_boot_cpu()), at most
 * SMP_MAX_CPUS in all; stacks from alloc.  Returns how many CPUs run (1:
 * only this one; every CPU left out is logged, with why).
 */
unsigned int smp_start(const struct acpi_info *ai, const struct boot_info *bi,
		       struct page_tables *pt,
		       uint64_t (*alloc)(uint64_t size, uint64_t align),
		       int bsp_known, uint32_t bsp);

/*
 * Run fn(cpu, arg) on every running CPU (cpu 0: this one, first), then
 * wait for the others, all of them together at most wait_ms (+ what this
 * CPU's own call took, four times).  done[cpu] 1 for each CPU whose call
 * returned; a CPU that did not is stopped with INIT (and logged), and
 * stays stopped.  0, or E_SMP_JOIN.
 */
int smp_run(void (*fn)(unsigned int cpu, void *arg), void *arg,
	    uint64_t wait_ms, uint8_t *done);

/*
 * After the last smp_run(): the CPUs halt for good, so that none spins
 * on in the stub's memory once the next kernel is entered (and none
 * takes a host core from the others under a hypervisor).
 */
void smp_park(void);

unsigned int smp_cpus(void);
uint32_t smp_apic_id(unsigned int cpu);

#endif /* STUB_SMP_H */
