/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bmdump-selftest.efi: the seam between its two halves.
 *
 * efi_main.c is the only file that sees UEFI (GNU-EFI headers, boot
 * services): it reads the options, learns what the firmware knows (vendor,
 * machine, clock, Secure Boot), takes the storage controllers away from the
 * firmware's drivers and gives them back.  qualify.c is built like the stub
 * and links the stub's own objects: it runs the stub's storage path on
 * those controllers and judges it.  Plain C types only here, so that both
 * halves include it.
 */
#ifndef BOOT_EFI_SELFTEST_H
#define BOOT_EFI_SELFTEST_H

#include <stdint.h>
#include <stddef.h>

#define SELFTEST_OPTIONS_MAX	1024

/* What the firmware side found out before the test. */
struct selftest_fw {
	char vendor[64];		/* EFI_SYSTEM_TABLE.FirmwareVendor */
	uint32_t revision;
	char machine[128];		/* SMBIOS type 1 maker and product */
	int secure_boot;		/* 1 on, 0 off, -1 unknown */
	int64_t now;			/* unix seconds, 0 if unknown */
	uint64_t systab;		/* for the stub's ACPI lookup */
	char options[SELFTEST_OPTIONS_MAX];	/* "bmdump.area=<uuid> ..." */
	unsigned int released;		/* controllers taken from firmware */
	int release_err;		/* a controller it would not give up */
};

/* The outcome, for the console and the final action. */
struct selftest_out {
	const char *text;		/* the report, NUL-terminated */
	int32_t verdict;		/* enum bmdump_selftest_verdict */
	int reset;			/* bmdump.selftest_final=reset */
};

/* qualify.c: the whole test; never returns an error, out says it all. */
void selftest_run(const struct selftest_fw *fw, struct selftest_out *out);

/* qualify.c: is this PCI function a controller the stub drives? */
int selftest_is_storage(uint16_t vendor, uint16_t device, uint32_t class,
			uint8_t hdr_type);

/* efi_main.c: zeroed pages from boot services (the app's DMA memory). */
uint64_t efi_alloc_pages(uint64_t bytes);

#endif /* BOOT_EFI_SELFTEST_H */
