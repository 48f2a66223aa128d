/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dump writer (contract 3): a kdump-compressed image, header version 6,
 * as makedumpfile writes it, into the dump area.  It knows the block sink
 * (struct blkdev through struct dump_area) and nothing about the drivers.
 */
#ifndef STUB_DUMP_H
#define STUB_DUMP_H

#include "dump_area.h"
#include "bitmap.h"
#include "bmdump/kdump.h"
#include "elfcore.h"
#include "vmcoreinfo.h"

/*
 * How the dump writer spreads a job over CPUs, given by its caller
 * (main.c: smp.h) so that dump.c does not call up.  start() returns how
 * many CPUs take part (starting them if needed; 1: this one only);
 * run() is smp_run(): fn(cpu, arg) on each, done[cpu] set for each that
 * finished, 0 or an error; apic_id() names a CPU in the log; park()
 * after the last job.  No runner: everything on this CPU.
 */
struct dump_runner {
	unsigned int (*start)(void);
	int (*run)(void (*fn)(unsigned int cpu, void *arg), void *arg,
		   uint64_t wait_ms, uint8_t *done);
	uint32_t (*apic_id)(unsigned int cpu);
	void (*park)(void);
};

struct dump_input {
	const struct core_info *ci;
	const struct vmcoreinfo *vi;
	const struct kdump_new_utsname *uts;
	const struct page_select *sel;
	int nr_cpus;
	int crashed_cpu;
	const struct dump_runner *runner;	/* NULL: one CPU */
};

/*
 * Page descriptors between two salvage watermarks (the area header's
 * descs_written): each costs a device flush and a header write.  The unit
 * tests lower it to see marks in a small dump.
 */
#define DUMP_PROGRESS_DESCS	8192u	/* 32 MiB of pages */
extern uint64_t dump_progress_descs;

/*
 * bmdump.fault_drill=write (a test knob): the writer takes a page fault
 * once 3/4 of the planned page descriptors are out, as a stub dying
 * mid-write would; the rig then checks what `bmdump save` salvages.
 */
extern int dump_fault_drill;

struct dump_stats {
	uint64_t pages_ram;		/* 1st bitmap bits */
	uint64_t pages_selected;	/* what the selection keeps */
	uint64_t pages_dumped;		/* 2nd bitmap bits */
	uint64_t zero_pages;
	uint64_t data_pages;		/* raw pages written */
	uint64_t image_bytes;
	int incomplete;
	uint64_t cut_pfn;		/* incomplete: pfns below left out */
	uint64_t write_us;		/* headers, bitmaps, pages */
	uint64_t flush_us;
	/* where the time goes, for the figures */
	uint64_t plan_us;		/* counting, before write_us */
	uint64_t meta_us;		/* area header, headers, bitmaps */
	uint64_t pages_us;		/* descriptors and page data */
	uint64_t sink_us;		/* of write_us: submitting, waiting */
};

/*
 * Write the whole dump into the area, flush, and mark the area COMPLETE.
 * The area header goes WRITING first, COMPLETE only after everything else
 * is durable.
 */
int dump_write(struct dump_area *a, const struct dump_input *in,
	       struct dump_stats *st);

/*
 * After dump_write() succeeded: write the console log again, with what
 * came since (the final action and its times), and the header whose
 * log_used says how much of it there is.  0 or the device's error.
 */
int dump_log_rewrite(struct dump_area *a);

/*
 * After a failure once the area is WRITING: put the console log and the
 * error code into the area, best effort.  Safe to call at any time.
 */
void dump_emergency_log(int err);

#endif /* STUB_DUMP_H */
