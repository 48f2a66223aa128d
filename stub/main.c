// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's flow, from kexec's jump to the final reset.  Each stage leaves
 * a breadcrumb; any failure is logged with its code and ends in the final
 * action, never in a hang.
 */
#include "acpi.h"
#include "dump_area.h"
#include "bitmap.h"
#include "blkdev.h"
#include "bootparams.h"
#include "cmdline.h"
#include "dma.h"
#include "drivers/storage.h"
#include "drivers/watchdog.h"
#include "dump.h"
#include "console.h"
#include "elfcore.h"
#include "errors.h"
#include "io.h"
#include "iommu.h"
#include "mem.h"
#include "paging.h"
#include "phys.h"
#include "reset.h"
#include "scan.h"
#include "smp.h"
#include "str.h"
#include "stub.h"
#include "timer.h"
#include "vmcoreinfo.h"
#include "warmboot_run.h"
#include "drivers/pci.h"

#define LOW_MEMORY_END		0x100000ull
#define PURGATORY_WINDOW	(64ull << 10)	/* below its stack top */
#define KEXEC_ELFCOREHDR_MIN	(16ull << 10)	/* kexec-tools' memsz */
#define PT_POOL_PAGES		16
#define MAX_REGIONS		8

#define CR4_LA57		(1ull << 12)
#define CPUID_EXT_PDPE1GB	(1u << 26)
#define MSR_IA32_APIC_BASE	0x1b
#define APIC_BASE_BSP		(1ull << 8)

_Static_assert(MAX_REGIONS + CORE_MAX_RAM <= PHYS_MAX_RAM,
	       "phys.c's table holds every region and PT_LOAD");

static struct entry_state *entry;
static const char *stage;	/* NULL: "entry" (no static pointers) */
static int final_action = FINAL_RESET;

static struct boot_info bi;
static struct stub_options opt;
static struct core_info ci;
static struct vmcoreinfo vi;
static const char *vmci;		/* its text, in the crashed kernel's RAM */
static struct acpi_info ai;
static struct mem_allocator crash_ram;	/* crashkernel RAM, as e820 says */
static struct mem_allocator alloc;	/* what the stub may hand out */
static struct mem_range regions[MAX_REGIONS];
static unsigned int nr_regions;
static struct page_tables pt;
static uint8_t pt_pool[PT_POOL_PAGES][4096] __attribute__((aligned(4096)));
static unsigned int pt_pool_used;

void stage_set(const char *name)
{
	stage = name;
}

const char *stage_get(void)
{
	return stage ? stage : "entry";
}

/* bmdump.final=boot: ready to enter the staged kernel once the dump
 * disk is shut down (warm_ready), or why not (warm_err). */
static struct wb_ready warm;
static int warm_ready;
static int warm_err = E_WB_NO_DUMP;

static void __attribute__((noreturn)) finish(void)
{
	/* no CPU of the stub's may run on into the next kernel's memory */
	smp_park();
	if (final_action == FINAL_BOOT && warm_ready) {
		bmlog("done, entering the staged kernel at 0x%llx",
		      (unsigned long long)warm.entry);
		/* a fault in its first instructions, under the stub's IDT,
		 * comes back through stub_fail(): then reset, never again */
		warm_ready = 0;
		warm_err = E_WB_FAULT_AFTER;
		warmboot_enter(&warm);
	}
	/* why: warm_prepare() logged any other error with its message */
	if (final_action == FINAL_BOOT && warm_err == E_WB_NO_DUMP)
		bmlog("warm boot: %s", stub_strerror(warm_err));
	else if (final_action == FINAL_BOOT)
		bmlog("warm boot: not started (error %d): resetting instead",
		      warm_err);
	if (final_action == FINAL_HALT) {
		bmlog("done, halting (bmdump.final=halt)");
		machine_halt();
	}
	bmlog("done, resetting");
	machine_reset();
}

void stub_fail(int err)
{
	static int failing;

	bmlog("error %d in stage %s: %s", err, stage_get(), stub_strerror(err));
	if (capture_deadline_passed()) {
		bmlog("the capture deadline (bmdump.deadline=%llu s) passed",
		      (unsigned long long)(opt.deadline_ms / 1000));
		capture_deadline_grace(5000);	/* to record it */
	}
	if (!failing++)
		dump_emergency_log(err);
	/* a fault after warm_prepare(): the disk may not be shut down, so
	 * the staged kernel is not entered */
	if (warm_ready) {
		warm_ready = 0;
		warm_err = E_WB_FAULT_AFTER;
	}
	finish();
}

static void check(int err)
{
	if (err)
		stub_fail(err);
}

static uint64_t image_bytes(void)
{
	return (uint64_t)(_image_end - _image_start);
}

/* Page-table pages before the allocator exists: a pool in .bss. */
static uint64_t pool_page(void *ctx)
{
	(void)ctx;
	if (pt_pool_used >= PT_POOL_PAGES)
		return 0;
	return (uint64_t)(uintptr_t)pt_pool[pt_pool_used++];
}

static uint64_t alloc_page(void *ctx)
{
	return mem_alloc(ctx, 4096, 4096);
}

static int e820_covers_any(uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < bi.nr_e820; i++)
		if (start < bi.e820[i].addr + bi.e820[i].size &&
		    end > bi.e820[i].addr)
			return 1;
	for (i = 0; i < ci.nr_ram; i++)
		if (start < ci.ram[i].end && end > ci.ram[i].start)
			return 1;
	return 0;
}

static void read_elfcorehdr(void)
{
	const uint8_t *h;
	uint64_t len;
	unsigned int i;

	stage_set("elfcorehdr");
	/* It must not sit on firmware-reserved or ACPI memory. */
	for (i = 0; i < bi.nr_e820; i++) {
		const struct e820_entry *e = &bi.e820[i];

		if (e->type != E820_RAM && opt.elfcorehdr_addr < e->addr + e->size &&
		    opt.elfcorehdr_addr + 64 > e->addr)
			check(E_ELF_ADDR);
	}
	if (opt.elfcorehdr_addr < LOW_MEMORY_END)
		check(E_ELF_ADDR);
	h = phys_ram(opt.elfcorehdr_addr, 64);
	if (!h)
		check(E_ELF_ADDR);
	check(elfcore_header_len(h, 64, &len));
	h = phys_ram(opt.elfcorehdr_addr, len);
	if (!h)
		check(E_ELF_ADDR);
	check(elfcore_parse(h, opt.elfcorehdr_addr, len, &ci));
}

static void add_region(uint64_t start, uint64_t end)
{
	struct mem_allocator tmp;
	unsigned int i;

	/* Reuse the allocator's range merging for the region list. */
	mem_init(&tmp);
	for (i = 0; i < nr_regions; i++)
		mem_add(&tmp, regions[i].start, regions[i].end);
	mem_add(&tmp, start & ~4095ull, (end + 4095) & ~4095ull);
	nr_regions = 0;
	for (i = 0; i < tmp.nr_free && i < MAX_REGIONS; i++)
		regions[nr_regions++] = tmp.free[i];
}

/*
 * The crashkernel region(s): e820 RAM above 1 MiB that is not the crashed
 * kernel's RAM, plus the loader's segments that e820 leaves out (the
 * elfcorehdr, the backup copy), merged across gaps nobody else claims.
 */
static void find_crash_regions(void)
{
	unsigned int i;

	stage_set("memory map");
	mem_init(&crash_ram);
	for (i = 0; i < bi.nr_e820; i++)
		if (bi.e820[i].type == E820_RAM)
			check(mem_add(&crash_ram, bi.e820[i].addr,
				      bi.e820[i].addr + bi.e820[i].size));
	check(mem_reserve(&crash_ram, 0, LOW_MEMORY_END));
	for (i = 0; i < ci.nr_ram; i++)
		check(mem_reserve(&crash_ram, ci.ram[i].start, ci.ram[i].end));
	if (!crash_ram.nr_free)
		check(E_MEM_NO_CRASH_RANGE);

	nr_regions = 0;
	for (i = 0; i < crash_ram.nr_free; i++)
		add_region(crash_ram.free[i].start, crash_ram.free[i].end);
	add_region(ci.hdr_addr, ci.hdr_addr + ci.hdr_len);
	for (i = 0; i < ci.nr_ram; i++)
		if (ci.ram[i].src != ci.ram[i].start)
			add_region(ci.ram[i].src,
				   ci.ram[i].src + ci.ram[i].end -
				   ci.ram[i].start);
	for (i = 0; i + 1 < nr_regions;) {
		if (!e820_covers_any(regions[i].end, regions[i + 1].start)) {
			regions[i].end = regions[i + 1].end;
			memmove(&regions[i + 1], &regions[i + 2],
				(nr_regions - i - 2) * sizeof(regions[0]));
			nr_regions--;
		} else {
			i++;
		}
	}
}

static void reserve(uint64_t start, uint64_t end)
{
	check(mem_reserve(&alloc, start, end));
}

static void setup_allocator(void)
{
	uint64_t gdt_base, hdr_end, efi_map, rsp = entry->entry_rsp;
	unsigned int i;

	stage_set("allocator");
	alloc = crash_ram;
	reserve(entry->load_addr, entry->load_addr + image_bytes());
	reserve(bi.bp_addr, bi.bp_addr + 4096);
	reserve(bi.cmdline_addr, bi.cmdline_addr + bi.cmdline_len + 1);
	for (i = 0; i < bi.nr_setup_data; i++)
		reserve(bi.setup_data[i].addr,
			bi.setup_data[i].addr + bi.setup_data[i].len);
	/* kexec-tools' copy of the EFI runtime map is a segment of its
	 * own, not setup_data: kept for the warm boot to hand on.  Only as
	 * much as the warm boot accepts: the size is the loader's word. */
	efi_map = bi.efi.memmap | (uint64_t)bi.efi.memmap_hi << 32;
	if (bi.efi.memmap_size <= WB_EFI_MAX_DESC * WB_EFI_MAX_DESC_SIZE)
		reserve(efi_map, efi_map + bi.efi.memmap_size);
	hdr_end = ci.hdr_addr + ci.hdr_len;
	if (opt.elfcorehdr_size && ci.hdr_addr + opt.elfcorehdr_size > hdr_end)
		hdr_end = ci.hdr_addr + opt.elfcorehdr_size;
	if (hdr_end < ci.hdr_addr + KEXEC_ELFCOREHDR_MIN)
		hdr_end = ci.hdr_addr + KEXEC_ELFCOREHDR_MIN;
	reserve(ci.hdr_addr, hdr_end);
	for (i = 0; i < ci.nr_ram; i++)
		if (ci.ram[i].src != ci.ram[i].start)
			reserve(ci.ram[i].src, ci.ram[i].src +
				ci.ram[i].end - ci.ram[i].start);
	/* Purgatory: its stack and GDT are in its own data. */
	reserve(rsp > PURGATORY_WINDOW ? rsp - PURGATORY_WINDOW : 0,
		rsp + 4096);
	memcpy(&gdt_base, entry->entry_gdtr + 2, sizeof(gdt_base));
	reserve(gdt_base, gdt_base + 4096);
}

static void setup_paging(void)
{
	uint32_t a, b, c, d;
	int gbpages = 0, levels;
	unsigned int i;

	stage_set("page tables");
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		gbpages = !!(d & CPUID_EXT_PDPE1GB);
	}
	levels = (entry->entry_cr4 & CR4_LA57) ? 5 : 4;
	check(pt_init(&pt, levels, gbpages, pool_page, NULL));
	/* Everything the stub runs on lies in the crashkernel region(s). */
	for (i = 0; i < nr_regions; i++) {
		int err = pt_map(&pt, regions[i].start, regions[i].end,
				 PT_CACHE_WB);

		check(err == E_PT_NO_MEMORY ? E_PT_POOL : err);
	}
	write_cr3(pt.root);
	/* kexec's tables are dead now; the allocator may hand them out. */
	pt.alloc_page = alloc_page;
	pt.alloc_ctx = &alloc;
	dma_init(&alloc);	/* the regions are identity mapped now */
	phys_use_tables(&pt);
	for (i = 0; i < nr_regions; i++)
		check(phys_allow_ram(regions[i].start, regions[i].end));
	for (i = 0; i < ci.nr_ram; i++)
		check(phys_allow_ram(ci.ram[i].start, ci.ram[i].end));
	for (i = 0; i < ci.nr_ram; i++)
		check(pt_map(&pt, ci.ram[i].start, ci.ram[i].end,
			     PT_CACHE_WB));
	write_cr3(pt.root);
	bmlog("page tables: %d levels, %s pages, %u table pages",
	      levels, gbpages ? "1G" : "2M", pt.tables);
}

static uint32_t current_apic_id(void)
{
	uint32_t a, b, c, d, max;

	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= 0xb) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		if (b)
			return d;	/* x2APIC ID */
	}
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

/*
 * Two CPUs, both by acpi_boot_cpu()'s rule, once the MADT is read:
 * bsp_*, the crashed kernel's CPU 0 (bmdump.bsp=, else the MADT), where
 * its CPU numbers start; fw_bsp_*, the firmware's boot CPU (the MADT's
 * first), which INIT would send back to the firmware.  They differ in a
 * kernel warm-booted on an AP: its CPU 0 is that AP.
 */
static int bsp_source = BSP_UNKNOWN;
static uint32_t bsp_apic_id;
static int fw_bsp_known;
static uint32_t fw_bsp_apic_id;

static void find_boot_cpu(void)
{
	bsp_source = acpi_boot_cpu(&ai, opt.has_bsp, opt.bsp_apic_id,
				   &bsp_apic_id);
	fw_bsp_known = acpi_boot_cpu(&ai, 0, 0, &fw_bsp_apic_id) !=
		       BSP_UNKNOWN;
	if (bsp_source == BSP_UNKNOWN)
		bmlog("boot cpu: unknown (no bmdump.bsp=, no MADT)");
	else
		bmlog("boot cpu: apic %u (from %s)", bsp_apic_id,
		      acpi_bsp_source_name(bsp_source));
	if (fw_bsp_known && fw_bsp_apic_id != bsp_apic_id)
		bmlog("boot cpu: the firmware's is apic %u (the MADT's first)",
		      fw_bsp_apic_id);
}

static int crashed_cpu_index(uint32_t *apic_id)
{
	uint32_t me = current_apic_id();

	*apic_id = me;
	if (bsp_source == BSP_UNKNOWN)
		return -1;
	return acpi_cpu_index(&ai, me, bsp_apic_id);
}

static struct kdump_new_utsname uts;	/* the crashed kernel's */
static int crashed_cpu = -1;

static void report_summary(void)
{
	const struct kdump_new_utsname *u = NULL;
	const uint8_t *prs = NULL;
	uint64_t pa, rip = 0, ck_start = 0, ck_size = 0;
	char release[KDUMP_UTSNAME_LEN], node[KDUMP_UTSNAME_LEN];
	uint32_t apic;
	unsigned int i;
	int cpu;

	stage_set("summary");
	memset(&uts, 0, sizeof(uts));
	if (vi.has_uts &&
	    !vmcoreinfo_kimage_pa(&vi, vi.sym_init_uts_ns + vi.off_uts_name,
				  &pa))
		u = core_map(&ci, pa, sizeof(*u));
	if (u) {
		uts = *u;
	} else {
		/* What VMCOREINFO says is enough for the dump header. */
		bmlog("warning: %s", stub_strerror(E_VMCI_UTS));
		str_copy(uts.sysname, "Linux", sizeof(uts.sysname));
		str_copy(uts.release, vi.osrelease, sizeof(uts.release));
		str_copy(uts.machine, "x86_64", sizeof(uts.machine));
	}
	str_copy(release, u ? uts.release : vi.osrelease, sizeof(release));
	str_copy(node, u ? uts.nodename : "?", sizeof(node));

	cpu = crashed_cpu_index(&apic);
	crashed_cpu = cpu;
	if (cpu < 0)
		bmlog("warning: %s (apic id %u)", stub_strerror(E_CPU_UNKNOWN),
		      apic);
	else
		prs = elfcore_prstatus(&ci, (unsigned int)cpu);
	if (prs)
		memcpy(&rip, prs + PRSTATUS_REGS + PRSTATUS_REG_RIP * 8, 8);

	for (i = 0; i < ci.nr_ram; i++)
		bmlog("ram %016llx-%016llx%s", (unsigned long long)ci.ram[i].start,
		      (unsigned long long)ci.ram[i].end - 1,
		      ci.ram[i].src != ci.ram[i].start ? " (from backup)" : "");
	for (i = 0; i < nr_regions; i++) {
		bmlog("crashkernel region %016llx-%016llx",
		      (unsigned long long)regions[i].start,
		      (unsigned long long)regions[i].end - 1);
		if (entry->load_addr >= regions[i].start &&
		    entry->load_addr < regions[i].end) {
			ck_start = regions[i].start;
			ck_size = regions[i].end - regions[i].start;
		}
	}
	bmlog("kernel %s node %s, %u cpus, crashed cpu %d rip %016llx, "
	      "%u ram ranges %llu MiB, crashkernel 0x%llx size %llu MiB",
	      release, node, ci.nr_cpus, cpu, (unsigned long long)rip,
	      ci.nr_ram, (unsigned long long)(ci.ram_bytes >> 20),
	      (unsigned long long)ck_start, (unsigned long long)(ck_size >> 20));
}

/*
 * bmdump.fault_drill=1: take a page fault on purpose, so that an operator
 * (and the rig) can see on real hardware that exceptions are reported and
 * end in a reset, before trusting the stub with a real crash.
 * bmdump.fault_drill=write: the same, in the middle of the dump write.
 * bmdump.fault_drill=stall: wait DRILL_STALL_MS before the write, as a
 * slow device would (the rig's watchdog rows need a capture that outlasts
 * the watchdog's period).
 */
#define DRILL_STALL_MS	8000u

static int drill_stall;

static void fault_drill(void)
{
	const char *v;
	size_t len;

	if (!cmdline_find(bi.cmdline, "bmdump.fault_drill", &v, &len))
		return;
	if (len == 5 && !memcmp(v, "write", 5))
		dump_fault_drill = 1;
	if (len == 5 && !memcmp(v, "stall", 5))
		drill_stall = 1;
	if (len != 1 || v[0] != '1')
		return;
	stage_set("fault drill");
	bmlog("fault drill: reading an unmapped address");
	(void)*(volatile uint64_t *)(uintptr_t)0x7ead00000000ull;
}

/*
 * The stub's scan as one job on every CPU (smp.h): the pfn range cut in
 * SCAN_CHUNKS_PER_CPU chunks per CPU (scan_split(), empty ones dropped).
 * CPU i takes chunk i first, then the rest one by one until none is
 * left, so a CPU whose memory is mostly allocated (struct pages read one
 * by one) does not hold up the others, and each CPU does a part even
 * when a host leaves a virtual CPU waiting.
 */
#define SCAN_CHUNKS_PER_CPU	8
#define SCAN_MAX_CHUNKS		(SMP_MAX_CPUS * SCAN_CHUNKS_PER_CPU)
/* The join's bound on top of four times the stub's own share's time */
#define SCAN_JOIN_MS		2000

struct scan_job {
	const struct scan_layout *lay;
	uint64_t *bm;
	unsigned int nr_chunks;
	uint32_t next;			/* the next chunk to take, atomically */
	uint64_t bounds[SCAN_MAX_CHUNKS + 1];
	struct scan_result res[SCAN_MAX_CHUNKS];
	uint32_t done[SCAN_MAX_CHUNKS];	/* set once res[] is complete */
	uint8_t owner[SCAN_MAX_CHUNKS];
	uint64_t us[SMP_MAX_CPUS];
	uint8_t cpu_done[SMP_MAX_CPUS];
};

static void scan_chunk(struct scan_job *j, unsigned int k, unsigned int cpu)
{
	j->owner[k] = (uint8_t)cpu;
	scan_classify_share(&ci, j->lay, opt.dump_level, j->bm, j->bounds[k],
			    j->bounds[k + 1], &j->res[k]);
	__atomic_store_n(&j->done[k], 1, __ATOMIC_RELEASE);
}

static void scan_share(unsigned int cpu, void *arg)
{
	struct scan_job *j = arg;
	uint64_t t = rdtsc();
	uint32_t k;

	if (cpu < j->nr_chunks)
		scan_chunk(j, cpu, cpu);
	while ((k = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED)) <
	       j->nr_chunks)
		scan_chunk(j, k, cpu);
	j->us[cpu] = timer_us_since(t);
}

/* The APs' stacks; a function of this file: its address is RIP-relative */
static uint64_t smp_stack_alloc(uint64_t size, uint64_t align)
{
	return dma_alloc(size, align);
}

/* The CPUs for the scan and the dump's zero check, started once. */
static unsigned int scan_cpus(void)
{
	static unsigned int up;

	if (up)
		return up;
	if (!opt.smp) {
		bmlog("smp: off (bmdump.smp=0): the stub scans on one CPU");
		return up = 1;
	}
	return up = smp_start(&ai, &bi, &pt, smp_stack_alloc,
			      fw_bsp_known, fw_bsp_apic_id);
}

/*
 * dump.c's way to the CPUs (dump.h): it does not call up into this file.
 * Filled at run time with this file's functions: a static initializer,
 * or another file's function, would be an absolute address.
 */
static int cpus_run(void (*fn)(unsigned int cpu, void *arg), void *arg,
		    uint64_t wait_ms, uint8_t *done)
{
	return smp_run(fn, arg, wait_ms, done);
}

static uint32_t cpus_apic_id(unsigned int cpu)
{
	return smp_apic_id(cpu);
}

static void cpus_park(void)
{
	smp_park();
}

/* functions of this file only: their addresses are RIP-relative */
static const struct dump_runner *dump_cpus(void)
{
	static struct dump_runner r;

	r.start = scan_cpus;
	r.run = cpus_run;
	r.apic_id = cpus_apic_id;
	r.park = cpus_park;
	return &r;
}

/* One line per CPU: what it classified, its chunks, its time. */
static void scan_log_cpu(const struct scan_job *j, unsigned int cpu)
{
	uint64_t pages = 0, kept = 0, lo = ~0ull, hi = 0;
	unsigned int k, c, chunks = 0;

	for (k = 0; k < j->nr_chunks; k++) {
		if (j->owner[k] != cpu || j->bounds[k] == j->bounds[k + 1])
			continue;
		for (c = 0; c < BMDUMP_NR_CLASSES; c++)
			pages += j->res[k].count[c];
		kept += j->res[k].pages_set;
		lo = j->bounds[k] < lo ? j->bounds[k] : lo;
		hi = j->bounds[k + 1] > hi ? j->bounds[k + 1] : hi;
		chunks++;
	}
	bmlog("bitmap: scan share of cpu %u (apic %u): %u chunks in pfns "
	      "0x%llx-0x%llx, %llu pages classified, %llu kept, in %llu us%s",
	      cpu, smp_apic_id(cpu), chunks,
	      (unsigned long long)(chunks ? lo : 0),
	      (unsigned long long)hi, (unsigned long long)pages,
	      (unsigned long long)kept, (unsigned long long)j->us[cpu],
	      j->cpu_done[cpu] ? "" : " (stopped, its chunks redone)");
}

/* Bounds without empty chunks; returns how many chunks are left. */
static unsigned int drop_empty(uint64_t *bounds, unsigned int n)
{
	unsigned int i, m = 0;

	for (i = 1; i <= n; i++)
		if (bounds[i] != bounds[m])
			bounds[++m] = bounds[i];
	return m ? m : 1;
}

/* Classify on n CPUs into j->bm; the sum of the chunks into r. */
static int scan_all(struct scan_job *j, unsigned int n,
		    struct scan_result *r)
{
	unsigned int k;

	scan_clear(&ci, j->bm);
	j->nr_chunks = drop_empty(j->bounds,
				  scan_split(&ci, j->lay, n == 1 ? 1 :
					     n * SCAN_CHUNKS_PER_CPU,
					     j->bounds));
	/* chunks 0 .. n - 1 are the CPUs' first */
	j->next = n < j->nr_chunks ? n : j->nr_chunks;
	if (n == 1) {
		scan_share(0, j);
		j->cpu_done[0] = 1;
	} else if (smp_run(scan_share, j, SCAN_JOIN_MS, j->cpu_done)) {
		bmlog("bitmap: %s", stub_strerror(E_SMP_JOIN));
	}
	/* a stopped CPU's chunks (and any it never took): on this one */
	for (k = 0; k < j->nr_chunks; k++)
		if (!__atomic_load_n(&j->done[k], __ATOMIC_ACQUIRE))
			scan_chunk(j, k, 0);
	for (k = 0; k < j->nr_chunks; k++)
		scan_result_add(r, &j->res[k]);
	r->count[BMDUMP_CLASS_HOLE] += scan_holes(&ci);
	return r->sections ? 0 : E_SCAN_SECTIONS;
}

static void scan_log(const struct scan_result *r, uint64_t us)
{
	bmlog("bitmap: the stub's scan of the crashed kernel's struct pages, "
	      "dump level %u, %llu of %llu pages kept in %llu us",
	      opt.dump_level, (unsigned long long)r->pages_set,
	      (unsigned long long)ci.max_pfn, (unsigned long long)us);
	bmlog("bitmap: scan excluded %llu free, %llu cache, %llu cache "
	      "private, %llu user, %llu hwpoison, %llu offline pages; kept "
	      "%llu unreadable; %llu sections scanned, %llu kept whole",
	      (unsigned long long)r->count[BMDUMP_CLASS_FREE],
	      (unsigned long long)r->count[BMDUMP_CLASS_CACHE],
	      (unsigned long long)r->count[BMDUMP_CLASS_CACHE_PRIVATE],
	      (unsigned long long)r->count[BMDUMP_CLASS_USER],
	      (unsigned long long)r->count[BMDUMP_CLASS_HWPOISON],
	      (unsigned long long)r->count[BMDUMP_CLASS_OFFLINE],
	      (unsigned long long)r->count[BMDUMP_CLASS_UNKNOWN],
	      (unsigned long long)r->sections,
	      (unsigned long long)r->sections_kept);
}

/*
 * The stub's own classification of the crashed kernel's pages (scan.h),
 * into a bitmap in the crashkernel region, on every CPU (smp.h).  On
 * failure sel stays as bitmap_select() left it (bmdump.ko's bitmap or
 * every RAM page).
 */
static void stub_scan(struct page_select *sel)
{
	static struct scan_layout lay;
	static struct scan_job job;
	struct scan_result r = { 0 };
	uint64_t bytes = (ci.max_pfn + 63) / 64 * 8, bm_pa = 0, t = rdtsc();
	uint64_t us = 0, t_up = t, cls_us = 0;
	unsigned int n = 1, i;
	int err;

	err = scan_layout_parse(vmci, ci.vmcoreinfo_len, &ci, &lay);
	if (!err) {
		bm_pa = dma_alloc(bytes, 4096);
		if (!bm_pa)
			err = E_SCAN_MEMORY;
	}
	if (!err) {
		job.lay = &lay;
		job.bm = (uint64_t *)(uintptr_t)bm_pa;
		n = scan_cpus();
		t_up = rdtsc();
		err = scan_all(&job, n, &r);
		cls_us = timer_us_since(t_up);
		us = timer_us_since(t);
	}
	if (err) {
		bmlog("bitmap: stub scan failed: %s; %s", stub_strerror(err),
		      sel->source == BMDUMP_SOURCE_HOOK ?
		      "bmdump.ko's bitmap is used" : "dumping all RAM");
		if (sel->source != BMDUMP_SOURCE_HOOK)
			sel->error = err;
		return;
	}
	/* logged after the clock stopped: the serial line is slow */
	for (i = 0; i < n; i++)
		scan_log_cpu(&job, i);
	bmlog("bitmap: scan on %u CPUs: %llu us to classify, %llu us before "
	      "(layout, starting the CPUs)", n, (unsigned long long)cls_us,
	      (unsigned long long)(us - cls_us));
	/* why: the hook's error was logged above with its own message */
	if (opt.scan_mode == SCAN_MODE_STUB)
		bmlog("bitmap: the stub scans, as bmdump.scan=stub asks");
	else
		bmlog("bitmap: the stub scans instead of bmdump.ko (error %d "
		      "above), as bmdump.scan=auto asks", sel->error);
	scan_log(&r, us);
	bitmap_use_scan(sel, (const uint64_t *)(uintptr_t)bm_pa, ci.max_pfn,
			opt.dump_level, us);
}

/* Read, check and place the boot set while the dump disk still runs. */
static void warm_prepare(struct dump_area *area)
{
	struct wb_env env = {
		.area = area,
		.e820 = bi.e820,
		.nr_e820 = bi.nr_e820,
		.ci = &ci,
		.keep = regions,
		.nr_keep = nr_regions,
		.pt = &pt,
		.acpi_rsdp = ai.rsdp,
		.boot = &bi,
		.on_ap = !(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_BSP),
		/* the same boot CPU as smp.c: the one INIT must not reach */
		.bsp_known = fw_bsp_known,
		.bsp_apic_id = fw_bsp_apic_id,
	};
	uint64_t t = rdtsc();

	stage_set("warm boot");
	warm_err = warmboot_prepare(&env, &warm);
	warm_ready = !warm_err;
	bmlog("warm boot: times: boot set header and kernel header %llu us, "
	      "placement %llu us, kernel %llu bytes %llu us, initrd %llu "
	      "bytes %llu us, command line %llu us, boot_params and kernel "
	      "move %llu us, all %llu us",
	      (unsigned long long)warm.t.header_us,
	      (unsigned long long)warm.t.place_us,
	      (unsigned long long)warm.kernel_bytes,
	      (unsigned long long)warm.t.kernel_us,
	      (unsigned long long)warm.l.initrd_bytes,
	      (unsigned long long)warm.t.initrd_us,
	      (unsigned long long)warm.t.cmdline_us,
	      (unsigned long long)warm.t.move_us,
	      (unsigned long long)timer_us_since(t));
	if (warm_err)
		bmlog("warm boot: error %d: %s", warm_err,
		      stub_strerror(warm_err));
}

/* Which final action runs, in the area's log too (bmdump info --area). */
static void record_final_action(struct dump_area *area)
{
	int err;

	if (final_action == FINAL_BOOT && warm_ready)
		bmlog("final action: boot (the staged kernel, no reset)");
	else if (final_action == FINAL_BOOT)
		bmlog("final action: reset (bmdump.final=boot failed: error "
		      "%d)", warm_err);
	else
		bmlog("final action: %s", final_action == FINAL_HALT ?
		      "halt" : "reset");
	err = dump_log_rewrite(area);
	if (err)
		bmlog("warning: the final action's log: %s",
		      stub_strerror(err));
}

/* After the controller's shutdown: no DMA from it into the next kernel's
 * memory until its own driver takes the device over. */
static void quiesce_target(struct blkdev *dev)
{
	const struct pci_dev *p = storage_pdev_of(dev);

	if (p)
		pci_clear_master(p);
}

/*
 * The capture: choose the pages, find the disks and the area, write the
 * dump.  Returns normally when there was nothing to write to (all logged);
 * I/O failures go through stub_fail(), which records them in the area.
 */
static void capture(void)
{
	static struct blkdev devs[STORAGE_MAX_BLKDEVS];
	static struct page_select sel;
	static struct dump_area area;
	struct dump_input in = { &ci, &vi, &uts, &sel, (int)ci.nr_cpus,
				 crashed_cpu, dump_cpus() };
	uint64_t pci_us, init_us, start_us, t;
	struct dump_stats st;
	unsigned int n;
	int err;

	start_us = timer_us_since_entry();
	stage_set("bitmap");
	err = bitmap_select(&ci, opt.has_desc, opt.desc_addr, &sel);
	if (err) {
		/* what replaces it: stub_scan() logs its own failure */
		bmlog("bitmap: %s: %s", stub_strerror(err),
		      opt.scan_mode == SCAN_MODE_HOOK ? "dumping all RAM" :
		      "the stub scans the struct pages itself");
	} else {
		const struct bmdump_desc *d = sel.desc;

		bmlog("bitmap: bmdump.ko's, dump level %u, %llu of %llu pages "
		      "kept, filled in %llu us at the crash", d->dump_level,
		      (unsigned long long)d->pages_set,
		      (unsigned long long)d->max_pfn,
		      (unsigned long long)sel.ready_us);
	}
	if (opt.scan_mode == SCAN_MODE_STUB ||
	    (err && opt.scan_mode == SCAN_MODE_AUTO))
		stub_scan(&sel);

	stage_set("pci");
	err = storage_scan(&ai);
	if (err) {
		bmlog("nothing written: %s", stub_strerror(err));
		return;
	}
	stage_set("iommu");
	iommu_quiesce(ai.sdt ? &ai : NULL);
	stage_set("storage");
	err = storage_probe_scanned(devs, sizeof(devs) / sizeof(devs[0]), &n);
	storage_times(&pci_us, &init_us);
	if (err) {
		bmlog("nothing written: %s", stub_strerror(err));
		return;
	}
	stage_set("area");
	err = dump_area_find(devs, n, &opt, &area);
	if (err) {
		bmlog("area: %s", stub_strerror(err));
		storage_quiesce_except(NULL);
		return;
	}
	storage_quiesce_except(area.dev);
	if (drill_stall) {
		bmlog("fault drill: stalling %u ms before the write",
		      DRILL_STALL_MS);
		mdelay(DRILL_STALL_MS);
	}

	stage_set("write");
	err = dump_write(&area, &in, &st);
	if (err)
		stub_fail(err);
	if (watchdog_pets())
		bmlog("watchdog: locked watchdogs reloaded %llu times",
		      (unsigned long long)watchdog_pets());
	if (final_action == FINAL_BOOT)
		warm_prepare(&area);
	record_final_action(&area);
	stage_set("shutdown");
	t = rdtsc();
	err = area.dev->shutdown(area.dev);
	if (err)
		bmlog("warning: %s", stub_strerror(err));
	if (warm_ready)
		quiesce_target(area.dev);
	bmlog("figures: %llu pages dumped (%llu zero, %llu raw) of %llu RAM "
	      "pages, %llu bytes, source %s%s",
	      (unsigned long long)st.pages_dumped,
	      (unsigned long long)st.zero_pages,
	      (unsigned long long)st.data_pages,
	      (unsigned long long)st.pages_ram,
	      (unsigned long long)st.image_bytes,
	      sel.source == BMDUMP_SOURCE_HOOK ? "bmdump.ko" :
	      sel.source == BMDUMP_SOURCE_STUB ? "stub scan" : "full",
	      st.incomplete ? ", INCOMPLETE" : "");
	bmlog("figures: stage entry %llu us, pci %llu us, storage init %llu us, "
	      "write %llu us, flush %llu us, shutdown %llu us, %llu MB/s",
	      (unsigned long long)start_us, (unsigned long long)pci_us,
	      (unsigned long long)init_us, (unsigned long long)st.write_us,
	      (unsigned long long)st.flush_us,
	      (unsigned long long)timer_us_since(t),
	      (unsigned long long)(st.write_us ?
				   st.image_bytes / st.write_us : 0));
}

void stub_main(struct entry_state *es)
{
	int err;

	entry = es;
	timer_init(es->entry_tsc);
	console_init();
	bmlog("bmdump " BMDUMP_VERSION " entered at 0x%llx, boot_params 0x%llx",
	      (unsigned long long)es->load_addr,
	      (unsigned long long)es->boot_params);

	stage_set("boot_params");
	check(bootparams_parse(phys_ram(es->boot_params, BOOT_PARAMS_SIZE),
			       es->boot_params, &bi));
	bmlog("command line: %s", bi.cmdline);
	err = stub_options_parse(bi.cmdline, &opt);
	final_action = opt.final_action;
	timer_set_capture_deadline(opt.deadline_ms);
	if (err == E_CMD_NO_ELFCOREHDR || err == E_CMD_ELFCOREHDR ||
	    err == E_CMD_TOO_LONG)
		check(err);
	if (err)
		bmlog("warning: %s (option ignored)", stub_strerror(err));

	read_elfcorehdr();
	find_crash_regions();
	setup_allocator();
	setup_paging();

	stage_set("notes");
	check(elfcore_parse_notes(&ci));
	vmci = core_map(&ci, ci.vmcoreinfo_pa, ci.vmcoreinfo_len);
	if (!vmci)
		vmci = phys_ram(ci.vmcoreinfo_pa, ci.vmcoreinfo_len);
	if (!vmci)
		check(E_NOTE_UNMAPPED);
	check(vmcoreinfo_parse(vmci, ci.vmcoreinfo_len, &vi));

	stage_set("acpi");
	err = acpi_init(&ai, opt.acpi_rsdp, bi.acpi_rsdp, bi.efi_systab);
	if (err) {
		bmlog("warning: %s", stub_strerror(err));
	} else {
		bmlog("acpi: rsdp 0x%llx from %s",
		      (unsigned long long)ai.rsdp,
		      acpi_rsdp_source_name(ai.rsdp_source));
		err = acpi_parse_fadt(&ai);
		if (err)
			bmlog("warning: FADT: %s", stub_strerror(err));
		reset_use_acpi(&ai);
		err = acpi_parse_madt(&ai);
		if (err)
			bmlog("warning: MADT: %s", stub_strerror(err));
	}

	find_boot_cpu();

	stage_set("timer");
	err = timer_calibrate(ai.pm_tmr_port, ai.pm_tmr_32bit);
	if (err)
		bmlog("warning: %s", stub_strerror(err));
	else
		bmlog("tsc %llu kHz (PM timer port 0x%x)",
		      (unsigned long long)timer_tsc_khz(), ai.pm_tmr_port);

	report_summary();
	fault_drill();
	bmlog("memory: %llu KiB free in the crashkernel region, image %llu KiB",
	      (unsigned long long)(mem_free_bytes(&alloc) >> 10),
	      (unsigned long long)(image_bytes() >> 10));

	capture();
	finish();
}
