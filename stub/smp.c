// SPDX-License-Identifier: GPL-2.0
/*
 * The other CPUs (smp.h).  One at a time: the trampoline page and its
 * parameter block are shared, so each CPU gets its stack and number, is
 * started, and must say it arrived before the next; only then is the page
 * given back its bytes.  All waits go through smp_wait().
 */
#include "smp.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "phys.h"
#include "str.h"
#include "timer.h"

/* IA32_APIC_BASE (SDM vol. 3, 10.4.4) */
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_EXTD		(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN		(1ull << 11)
#define APIC_BASE_ADDR		0x000ffffffffff000ull
#define MSR_IA32_EFER		0xc0000080
#define EFER_LMA		(1ull << 10)	/* read-only */

/* Local APIC registers (SDM vol. 3, 10.6.1; x2APIC: MSR 0x800 + off/16) */
#define APIC_ID			0x020
#define APIC_ID_SHIFT		24		/* xAPIC: bits 31:24 */
#define APIC_SVR		0x0f0
#define APIC_SVR_ENABLE		(1u << 8)
#define APIC_SVR_VECTOR		0xffu
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define X2APIC_MSR(off)		(0x800u + (off) / 16)
#define ICR_DM_INIT		(5u << 8)
#define ICR_DM_STARTUP		(6u << 8)
#define ICR_SEND_PENDING	(1u << 12)	/* xAPIC only */
#define ICR_LEVEL_ASSERT	(1u << 14)
#define XAPIC_MAX_ID		0xfeu		/* 0xff: broadcast */

#define CR4_PAE			(1ull << 5)
#define CR4_LA57		(1ull << 12)

/* SDM vol. 3, 8.4.4.1: INIT, 10 ms, SIPI, 200 us, SIPI */
#define SMP_INIT_MS		10
#define SMP_SIPI_US		200
#define SMP_ICR_MS		10
/*
 * The bound on starting all CPUs, one deadline for them all (not one
 * per CPU: 64 silent CPUs would add up to a minute before the watchdogs
 * are stopped); generous under TCG, where a vCPU may wait for a host
 * core.
 */
#define SMP_UP_MS		2000

#define PAGE			4096ull

/* 64-bit code, data, 32-bit code (entry64.asm's TP_SEL_*) */
#define GDT_CODE64		0x00af9a000000ffffull
#define GDT_DATA		0x00cf92000000ffffull
#define GDT_CODE32		0x00cf9a000000ffffull

enum ap_state {
	AP_OFF = 0,
	AP_ARRIVED,
};

/* go's value that sends the CPUs to halt for good (smp_park()) */
#define GO_PARK			0xffffffffu

/* One slot per CPU started; slot 0 is this one. */
struct smp_cpu {
	uint32_t apic_id;
	uint32_t state;			/* enum ap_state, atomically */
	uint32_t gen_done;		/* the last job done, atomically */
	uint64_t stack_top;
	int running;			/* arrived, not stopped */
	unsigned int share;		/* smp_run()'s cpu number */
};

/* boot/entry64.asm; hidden: reached RIP-relative, no absolute address */
#define HIDDEN __attribute__((visibility("hidden")))
extern const uint8_t trampoline_start[] HIDDEN, trampoline_end[] HIDDEN;
extern const uint32_t tramp_pm32_off HIDDEN, tramp_lm64_off HIDDEN;

void smp_ap_entry(uint64_t cpu) __attribute__((noreturn));

static struct smp_cpu cpus[SMP_MAX_CPUS];
static unsigned int nr_slots = 1, nr_cpus = 1;
static unsigned int slot_of[SMP_MAX_CPUS];	/* by cpu number */
static int x2apic;
static volatile uint8_t *xapic;
static uint8_t saved_page[PAGE];

/* the job smp_run() hands out; go: its generation, 0 none yet */
static void (*job_fn)(unsigned int cpu, void *arg);
static void *job_arg;
static uint32_t go, gen;

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
		     "d"((uint32_t)(v >> 32)) : "memory");
}

unsigned int smp_cpus(void)
{
	return nr_cpus;
}

uint32_t smp_apic_id(unsigned int cpu)
{
	return cpu < nr_cpus ? cpus[slot_of[cpu]].apic_id : 0;
}

/*
 * The one bounded wait of this file: until done(ctx) or d passes (or the
 * capture deadline).  1 if done.
 */
static int smp_wait_until(int (*done)(const void *ctx), const void *ctx,
			  struct deadline d)
{
	while (!done(ctx)) {
		if (deadline_passed(d))
			return done(ctx);
		cpu_relax();
	}
	return 1;
}

static int smp_wait(int (*done)(const void *ctx), const void *ctx,
		    uint64_t ms)
{
	return smp_wait_until(done, ctx, deadline_ms(ms));
}

static int icr_idle(const void *ctx)
{
	(void)ctx;
	return !(mmio_read32(xapic + APIC_ICR_LOW) & ICR_SEND_PENDING);
}

static int tsc_passed(const void *ctx)
{
	return rdtsc() >= *(const uint64_t *)ctx;
}

static int arrived(const void *ctx)
{
	const struct smp_cpu *c = ctx;

	return __atomic_load_n(&c->state, __ATOMIC_ACQUIRE) >= AP_ARRIVED;
}

static int finished(const void *ctx)
{
	const struct smp_cpu *c = ctx;

	return __atomic_load_n(&c->gen_done, __ATOMIC_ACQUIRE) == gen;
}

static void udelay(uint64_t us)
{
	uint64_t end = rdtsc() + timer_tsc_khz() * us / 1000;

	smp_wait(tsc_passed, &end, us / 1000 + 1);
}

/* Send an IPI (ICR low bits) to one APIC ID: 0 or E_SMP_ICR_BUSY. */
static int send_ipi(uint32_t apic_id, uint32_t low)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR_LOW), (uint64_t)apic_id << 32 | low);
		return 0;
	}
	if (!smp_wait(icr_idle, NULL, SMP_ICR_MS))
		return E_SMP_ICR_BUSY;
	mmio_write32(xapic + APIC_ICR_HIGH, apic_id << APIC_ID_SHIFT);
	mmio_write32(xapic + APIC_ICR_LOW, low);
	return smp_wait(icr_idle, NULL, SMP_ICR_MS) ? 0 : E_SMP_ICR_BUSY;
}

static int send_init(uint32_t apic_id)
{
	return send_ipi(apic_id, ICR_DM_INIT | ICR_LEVEL_ASSERT);
}

/* The local APIC as the crashed kernel left it: 0 or E_SMP_APIC_OFF. */
static int apic_init(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	uint32_t svr;

	if (!(base & APIC_BASE_EN))
		return E_SMP_APIC_OFF;
	x2apic = !!(base & APIC_BASE_EXTD);
	if (x2apic) {
		svr = (uint32_t)rdmsr(X2APIC_MSR(APIC_SVR));
		/* Linux's crash shutdown disables it; IPIs need it on */
		wrmsr(X2APIC_MSR(APIC_SVR),
		      svr | APIC_SVR_ENABLE | APIC_SVR_VECTOR);
		return 0;
	}
	xapic = phys_mmio(base & APIC_BASE_ADDR, PAGE);
	if (!xapic)
		return E_SMP_APIC_OFF;
	svr = mmio_read32(xapic + APIC_SVR);
	mmio_write32(xapic + APIC_SVR, svr | APIC_SVR_ENABLE |
		     APIC_SVR_VECTOR);
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Copy the trampoline to page and fill what every CPU shares. */
static void trampoline_fill(uint8_t *t, uint64_t page, uint64_t cr3)
{
	uint64_t cr4 = read_cr4();
	uint16_t sel;

	memcpy(t, trampoline_start, (size_t)(trampoline_end -
					     trampoline_start));
	put64(t + TP_GDT, 0);
	put64(t + TP_GDT + TP_SEL_CODE64, GDT_CODE64);
	put64(t + TP_GDT + TP_SEL_DATA, GDT_DATA);
	put64(t + TP_GDT + TP_SEL_CODE32, GDT_CODE32);
	t[TP_GDTR] = 4 * 8 - 1;
	t[TP_GDTR + 1] = 0;
	put32(t + TP_GDTR + 2, (uint32_t)(page + TP_GDT));
	put32(t + TP_JMP32, (uint32_t)(page + tramp_pm32_off));
	sel = TP_SEL_CODE32;
	memcpy(t + TP_JMP32 + 4, &sel, 2);
	put32(t + TP_JMP64, (uint32_t)(page + tramp_lm64_off));
	sel = TP_SEL_CODE64;
	memcpy(t + TP_JMP64 + 4, &sel, 2);
	put32(t + TP_CR3, (uint32_t)cr3);
	put32(t + TP_CR4, (uint32_t)(CR4_PAE | (cr4 & CR4_LA57)));
	put32(t + TP_EFER, (uint32_t)(rdmsr(MSR_IA32_EFER) & ~EFER_LMA));
	put32(t + TP_CR0, (uint32_t)read_cr0());
	put64(t + TP_ENTRY, (uint64_t)(uintptr_t)smp_ap_entry);
	put64(t + TP_CR4_FULL, cr4);
	asm volatile("sgdt %0" : "=m"(*(uint8_t (*)[10])(t + TP_SGDT)));
	asm volatile("sidt %0" : "=m"(*(uint8_t (*)[10])(t + TP_SIDT)));
}

/* INIT-SIPI-SIPI one CPU (INIT was sent): 0 once it is in C by up. */
static int start_one(uint8_t *t, uint64_t page, unsigned int i,
		     struct deadline up)
{
	struct smp_cpu *c = &cpus[i];
	uint32_t sipi = ICR_DM_STARTUP | (uint32_t)(page >> 12);
	int err;

	/* an ABI call leaves rsp 8 below a 16-byte boundary */
	put64(t + TP_STACK, c->stack_top - 8);
	put64(t + TP_ARG, i);
	mb();
	err = send_ipi(c->apic_id, sipi);
	if (err)
		return err;
	udelay(SMP_SIPI_US);
	if (!arrived(c)) {
		err = send_ipi(c->apic_id, sipi);
		if (err)
			return err;
	}
	return smp_wait_until(arrived, c, up) ? 0 : E_SMP_NO_ANSWER;
}

/* Which of ai's CPUs to start: 0, or why id is left out. */
static int eligible(uint32_t id, uint32_t me, uint32_t bsp_guess)
{
	if (id == me)
		return 1;
	if (!x2apic && id > XAPIC_MAX_ID)
		return E_SMP_X2APIC_ID;
	if (id == bsp_guess)
		return E_SMP_BSP;
	return 0;
}

static uint32_t my_apic_id(void)
{
	if (x2apic)
		return (uint32_t)rdmsr(X2APIC_MSR(APIC_ID));
	return mmio_read32(xapic + APIC_ID) >> APIC_ID_SHIFT;
}

/* Preconditions: 0 or why the stub stays on one CPU. */
static int smp_prepare(const struct acpi_info *ai, const struct boot_info *bi,
		       struct page_tables *pt, uint64_t *page)
{
	int err;

	if (!ai->nr_startable)
		return E_SMP_NO_MADT;
	err = apic_init();
	if (err)
		return err;
	if (pt->root >= (1ull << 32))
		return E_SMP_CR3_HIGH;
	*page = e820_low_page(bi->e820, bi->nr_e820);
	if (!*page)
		return E_SMP_NO_LOW_PAGE;
	return pt_map(pt, *page, *page + PAGE, PT_CACHE_WB);
}

/*
 * Pick, stack and INIT the CPUs to start, never bsp (INIT sends the boot
 * CPU to the firmware's reset vector); returns how many.
 */
static unsigned int smp_pick(const struct acpi_info *ai,
			     uint64_t (*alloc)(uint64_t, uint64_t),
			     uint32_t bsp)
{
	uint32_t me = my_apic_id();
	unsigned int i, n = 1;

	cpus[0].apic_id = me;
	cpus[0].running = 1;
	/* the CPU the stub runs on is sure to be the boot CPU */
	if (rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP)
		bsp = me;
	for (i = 0; i < ai->nr_startable; i++) {
		uint32_t id = ai->startable_id[i];
		int why = eligible(id, me, bsp);
		uint64_t stack;

		if (why) {
			if (why < 0)
				bmlog("smp: cpu apic %u left out: %s", id,
				      stub_strerror(why));
			continue;
		}
		if (n >= SMP_MAX_CPUS) {
			bmlog("smp: cpu apic %u left out: the stub uses %u "
			      "CPUs at most", id, SMP_MAX_CPUS);
			continue;
		}
		stack = alloc(SMP_STACK_SIZE, PAGE);
		if (!stack) {
			bmlog("smp: cpu apic %u left out: %s", id,
			      stub_strerror(E_SMP_NO_MEMORY));
			break;
		}
		cpus[n].apic_id = id;
		cpus[n].stack_top = stack + SMP_STACK_SIZE;
		cpus[n].state = AP_OFF;
		if (send_init(id)) {
			bmlog("smp: cpu apic %u left out: %s", id,
			      stub_strerror(E_SMP_ICR_BUSY));
			continue;
		}
		n++;
	}
	return n;
}

unsigned int smp_start(const struct acpi_info *ai, const struct boot_info *bi,
		       struct page_tables *pt,
		       uint64_t (*alloc)(uint64_t size, uint64_t align),
		       int bsp_known, uint32_t bsp)
{
	uint64_t page = 0, t0 = rdtsc();
	unsigned int i, n, up = 1;
	struct deadline up_by;
	uint8_t *t;
	int err;

	err = smp_prepare(ai, bi, pt, &page);
	if (err) {
		bmlog("smp: %s", stub_strerror(err));
		return nr_cpus = 1;
	}
	/* no boot CPU known: ~0u is no CPU's ID, so none is left out */
	n = smp_pick(ai, alloc, bsp_known ? bsp : ~0u);
	if (n == 1) {
		bmlog("smp: 1 of %u CPUs running (none other to start)",
		      ai->nr_startable);
		return nr_cpus = 1;
	}
	mdelay(SMP_INIT_MS);
	t = (uint8_t *)(uintptr_t)page;
	memcpy(saved_page, t, PAGE);
	trampoline_fill(t, page, pt->root);
	up_by = deadline_ms(SMP_UP_MS);
	for (i = 1; i < n; i++) {
		/* INIT (smp_pick()) left it waiting for a SIPI: it stays so */
		err = deadline_passed(up_by) ? E_SMP_UP_TIME :
		      start_one(t, page, i, up_by);
		if (!err) {
			cpus[i].running = 1;
			cpus[i].share = up;
			slot_of[up++] = i;
			continue;
		}
		/* stop it: it must not run on in the page given back */
		send_init(cpus[i].apic_id);
		bmlog("smp: cpu apic %u left out: %s", cpus[i].apic_id,
		      stub_strerror(err));
	}
	/* every CPU started is in C now: the page is the crash's again */
	memcpy(t, saved_page, PAGE);
	mb();
	nr_slots = n;
	nr_cpus = up;
	bmlog("smp: %u of %u CPUs running (trampoline page 0x%llx, %s, "
	      "%llu us)", up, ai->nr_startable, (unsigned long long)page,
	      x2apic ? "x2APIC" : "xAPIC",
	      (unsigned long long)timer_us_since(t0));
	return up;
}

int smp_run(void (*fn)(unsigned int cpu, void *arg), void *arg,
	    uint64_t wait_ms, uint8_t *done)
{
	uint64_t t = rdtsc(), own_ms;
	struct deadline join;
	unsigned int i;
	int err = 0;

	/* the CPUs run one job after the other (the scan, the zero check) */
	gen = gen + 1 == GO_PARK ? 1 : gen + 1;
	job_fn = fn;
	job_arg = arg;
	__atomic_store_n(&go, gen, __ATOMIC_RELEASE);
	fn(0, arg);
	done[0] = 1;
	own_ms = timer_us_since(t) / 1000;
	/* one bound for all the CPUs, not one each after the other */
	join = deadline_ms(wait_ms + 4 * own_ms);
	for (i = 1; i < nr_slots; i++) {
		struct smp_cpu *c = &cpus[i];

		if (!c->running)
			continue;
		done[c->share] = (uint8_t)smp_wait_until(finished, c, join);
		if (done[c->share])
			continue;
		/* it may still be writing: stop it before its part is redone */
		send_init(c->apic_id);
		c->running = 0;
		err = E_SMP_JOIN;
		bmlog("smp: cpu %u (apic %u) did not finish its job by the "
		      "join's deadline: stopped (INIT), its part is redone",
		      c->share, c->apic_id);
	}
	return err;
}

void smp_park(void)
{
	if (nr_slots > 1)
		__atomic_store_n(&go, GO_PARK, __ATOMIC_RELEASE);
}

/* An AP, in C on its stack: say so, do each job handed out, then halt. */
void smp_ap_entry(uint64_t i)
{
	struct smp_cpu *c = &cpus[i < SMP_MAX_CPUS ? i : 0];
	uint32_t seen = 0, g;

	__atomic_store_n(&c->state, AP_ARRIVED, __ATOMIC_RELEASE);
	for (;;) {
		/* bounded by the BSP: a new job, smp_park() or INIT */
		while ((g = __atomic_load_n(&go, __ATOMIC_ACQUIRE)) == seen)
			cpu_relax();
		if (g == GO_PARK)
			halt_forever();
		seen = g;
		job_fn(c->share, job_arg);
		__atomic_store_n(&c->gen_done, g, __ATOMIC_RELEASE);
	}
}
