/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_STUB_H
#define STUB_STUB_H

#include "bmdump/types.h"
#include "bmdump/version.h"

/* Filled by boot/entry64.asm before anything else runs. */
struct entry_state {
	uint64_t boot_params;	/* RSI at entry */
	uint64_t entry_rsp;	/* purgatory's stack */
	uint64_t entry_tsc;
	uint64_t entry_cr3;	/* kexec's identity tables */
	uint64_t entry_cr4;
	uint64_t load_addr;	/* where the protected-mode part lies */
	uint8_t entry_gdtr[10];	/* purgatory's GDT */
	uint8_t pad[6];
};

_Static_assert(sizeof(struct entry_state) == 64, "matches entry64.asm");

/* Linker symbols (linker.ld); use their addresses only. */
extern char _image_start[], _image_file_end[], _image_end[];

void stub_main(struct entry_state *es) __attribute__((noreturn));

/* Breadcrumb: the stage the stub is in, printed with any failure. */
void stage_set(const char *name);
const char *stage_get(void);

/* Log why, then do the final action (reset unless bmdump.final=halt). */
void stub_fail(int err) __attribute__((noreturn));

#endif /* STUB_STUB_H */
