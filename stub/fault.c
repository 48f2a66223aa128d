// SPDX-License-Identifier: GPL-2.0
/*
 * Every CPU exception lands here (boot/entry64.asm).  Report it with the
 * stage breadcrumb, then take the final action: a fault must never hang
 * the machine.  NMIs are counted and ignored: Linux leaves the CPU in
 * virtual-wire mode, so LINT1 NMIs can still arrive.
 */
#include "console.h"
#include "io.h"
#include "reset.h"
#include "errors.h"
#include "stub.h"

struct fault_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct fault_frame) == 22 * 8, "matches isr_common");

#define VEC_NMI	2

static const char *vector_name(uint64_t v)
{
	switch (v) {
	case 0: return "#DE divide error";
	case 1: return "#DB debug";
	case 2: return "NMI";
	case 3: return "#BP breakpoint";
	case 4: return "#OF overflow";
	case 5: return "#BR bound range";
	case 6: return "#UD invalid opcode";
	case 7: return "#NM device not available";
	case 8: return "#DF double fault";
	case 10: return "#TS invalid TSS";
	case 11: return "#NP segment not present";
	case 12: return "#SS stack fault";
	case 13: return "#GP general protection";
	case 14: return "#PF page fault";
	case 16: return "#MF x87 error";
	case 17: return "#AC alignment check";
	case 18: return "#MC machine check";
	case 19: return "#XM SIMD exception";
	case 20: return "#VE virtualization";
	case 21: return "#CP control protection";
	}
	return "interrupt";
}

static unsigned int nmi_count;

void fault_entry(struct fault_frame *f);

void fault_entry(struct fault_frame *f)
{
	static int depth;

	if (f->vector == VEC_NMI) {
		if (!nmi_count++)
			bmlog("NMI received at rip %016llx (ignored)",
			      (unsigned long long)f->rip);
		return;
	}
	if (depth++) {
		/* A fault while reporting a fault: no more words, reset. */
		machine_reset();
	}
	bmlog("FAULT vector %llu (%s) error %llx in stage %s",
	      (unsigned long long)f->vector, vector_name(f->vector),
	      (unsigned long long)f->error, stage_get());
	bmlog("rip %016llx cs %llx rflags %llx rsp %016llx ss %llx cr2 %016llx",
	      (unsigned long long)f->rip, (unsigned long long)f->cs,
	      (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	      (unsigned long long)f->ss, (unsigned long long)read_cr2());
	bmlog("rax %016llx rbx %016llx rcx %016llx rdx %016llx",
	      (unsigned long long)f->rax, (unsigned long long)f->rbx,
	      (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	bmlog("rsi %016llx rdi %016llx rbp %016llx r8  %016llx",
	      (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	      (unsigned long long)f->rbp, (unsigned long long)f->r8);
	bmlog("r9  %016llx r10 %016llx r11 %016llx r12 %016llx",
	      (unsigned long long)f->r9, (unsigned long long)f->r10,
	      (unsigned long long)f->r11, (unsigned long long)f->r12);
	bmlog("r13 %016llx r14 %016llx r15 %016llx",
	      (unsigned long long)f->r13, (unsigned long long)f->r14,
	      (unsigned long long)f->r15);
	bmlog("stub loaded at %p", (void *)_image_start);
	stub_fail(E_FAULT);
}
