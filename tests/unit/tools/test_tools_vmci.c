// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump load`'s check of the running kernel's VMCOREINFO (vmcicheck.c).
 * The texts are each supported kernel's own, as captured in the rig
 * (tests/unit/vmcoreinfo/, made into vmcoreinfo_kernels.h), with the lines
 * that change from boot to boot (KASLR) added as a boot writes them.  The
 * running kernel is a fake /proc/kcore and /sys/kernel/vmcoreinfo under
 * $BMDUMP_SYSROOT: an ELF core file whose RAM segment holds the note and
 * init_uts_ns where VMCOREINFO says.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bmdump/kdump.h"
#include "vmcicheck.h"
#include "vmcoreinfo_kernels.h"

#define NR_KERNELS	(sizeof(captured_vmcoreinfo) / \
			 sizeof(captured_vmcoreinfo[0]))
#define PHYS_BASE	0x12a00000ull
#define UTS_VA		0xffffffff8a813f40ull
#define UTS_PA		(UTS_VA - 0xffffffff80000000ull + PHYS_BASE)
#define RAM_PA		(UTS_PA & ~0xfffull)	/* the fake RAM */
#define NOTE_PA		(RAM_PA + 0x1400)	/* the physical note */
#define NOTE_SIZE	0x1800u
#define RAM_SIZE	0x3000u

/* A boot's VMCOREINFO: the captured text plus KASLR's lines. */
static char *boot_text(unsigned int k, const char *drop, const char *extra)
{
	static char buf[8192];
	const char *t = captured_vmcoreinfo[k].text;
	size_t o = 0;

	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) + 1 : strlen(t);

		if (!drop || strncmp(t, drop, strlen(drop)))
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%.*s",
					      (int)n, t);
		t += n;
	}
	snprintf(buf + o, sizeof(buf) - o, "%s%s%s",
		 drop && !strcmp(drop, "SYMBOL(") ? "" :
		 "SYMBOL(init_uts_ns)=ffffffff8a813f40\n",
		 drop && !strcmp(drop, "NUMBER(phys_base)") ? "" :
		 "NUMBER(phys_base)=312475648\nKERNELOFFSET=9600000\n",
		 extra ? extra : "");
	return buf;
}

/* Physical memory of the fake kernel: init_uts_ns of release rel. */
static uint8_t ram[RAM_SIZE];

static void fill_ram(const char *sysname, const char *rel)
{
	struct kdump_new_utsname u;

	memset(ram, 0, sizeof(ram));
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, sysname);
	strcpy(u.nodename, "rig");
	strcpy(u.release, rel);
	memcpy(ram + (UTS_PA - RAM_PA), &u, sizeof(u));
}

static int read_ram(void *ctx, uint64_t pa, void *buf, size_t len)
{
	if (pa < RAM_PA || pa + len > RAM_PA + RAM_SIZE)
		return -1;
	memcpy(buf, ram + (pa - RAM_PA), len);
	return 0;
}

static void check(const char *text, const char *rel, struct vmci_result *r)
{
	vmci_check_text(text, strlen(text), rel, read_ram, NULL, r);
}

static void test_each_kernel_checks(void **state)
{
	struct vmci_result r;
	char line[1024];
	const char *t;
	unsigned int k;

	assert_true(NR_KERNELS >= 2);
	for (k = 0; k < NR_KERNELS; k++) {
		const char *rel = captured_vmcoreinfo[k].release;

		fill_ram("Linux", rel);
		check(boot_text(k, NULL, NULL), rel, &r);
		if (r.state != VMCI_CHECKED)
			fail_msg("%s: %s", rel, r.msg);
		assert_string_equal(r.release, rel);
		assert_int_equal(r.present, 7);
		assert_int_equal(r.total, 7);
		assert_true(r.uts_verified);
		vmci_describe(&r, line, sizeof(line));
		assert_non_null(strstr(line, "checked for "));
		assert_non_null(strstr(line, rel));
		assert_non_null(strstr(line, "(7 of 7 keys the stub reads "
					     "present"));
		/* Memory unreadable: the keys still count, uts unverified. */
		t = boot_text(k, NULL, NULL);
		vmci_check_text(t, strlen(t), rel, NULL, NULL, &r);
		assert_int_equal(r.state, VMCI_CHECKED);
		assert_false(r.uts_verified);
	}
}

/* A needed key missing: FAILED, naming it; an optional one: counted. */
static void test_missing_keys(void **state)
{
	static const char *const needed[] = {
		"OSRELEASE", "PAGESIZE", "NUMBER(phys_base)",
	};
	struct vmci_result r;
	unsigned int k, i;

	for (k = 0; k < NR_KERNELS; k++) {
		const char *rel = captured_vmcoreinfo[k].release;

		fill_ram("Linux", rel);
		for (i = 0; i < 3; i++) {
			check(boot_text(k, needed[i], NULL), rel, &r);
			assert_int_equal(r.state, VMCI_FAILED);
			if (!strstr(r.msg, needed[i]))
				fail_msg("%s without %s: %s", rel, needed[i],
					 r.msg);
		}
		check(boot_text(k, "OFFSET(uts_namespace.name)", NULL), rel,
		      &r);
		assert_int_equal(r.state, VMCI_CHECKED);
		assert_int_equal(r.present, 6);
		assert_false(r.uts_verified);
		check(boot_text(k, "NUMBER(pgtable_l5_enabled)", NULL), rel,
		      &r);
		assert_int_equal(r.state, VMCI_CHECKED);
		assert_int_equal(r.present, 6);
	}
}

static void test_implausible(void **state)
{
	const char *rel = captured_vmcoreinfo[0].release;
	struct vmci_result r;
	char *t;

	fill_ram("Linux", rel);
	/* the stub's own verdict on PAGESIZE, in its words */
	t = boot_text(0, "PAGESIZE", "PAGESIZE=8192\n");
	check(t, rel, &r);
	assert_int_equal(r.state, VMCI_FAILED);
	assert_non_null(strstr(r.msg, "PAGESIZE is not 4096"));
	/* another kernel's VMCOREINFO */
	check(boot_text(0, NULL, NULL), "6.1.0-99-amd64", &r);
	assert_int_equal(r.state, VMCI_FAILED);
	assert_non_null(strstr(r.msg, "the running kernel is 6.1.0-99"));
	/* another release where phys_base says init_uts_ns is */
	fill_ram("Linux", "6.12.0-1-amd64");
	check(boot_text(0, NULL, NULL), rel, &r);
	assert_int_equal(r.state, VMCI_FAILED);
	assert_non_null(strstr(r.msg, "phys_base is wrong"));
	fill_ram("Linux", rel);
	/* a symbol below the kernel image */
	t = boot_text(0, "SYMBOL(", "SYMBOL(init_uts_ns)=ffff8880013f40\n");
	check(t, rel, &r);
	assert_int_equal(r.state, VMCI_FAILED);
	assert_non_null(strstr(r.msg, "not in the kernel image"));
}

/* --- the running kernel: a fake /proc/kcore -------------------------- */

static char root[256];

static void put(const char *rel, const void *data, size_t len)
{
	char path[512], *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1,
								       '/')) {
		*s = 0;
		mkdir(path, 0755);
		*s = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* One ELF note: name, type, desc; returns its size. */
static size_t note(uint8_t *p, const char *name, uint32_t type,
		   const void *desc, uint32_t dlen)
{
	Elf64_Nhdr nh = { (uint32_t)strlen(name) + 1, dlen, type };
	size_t nlen = (nh.n_namesz + 3u) & ~3u;

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + sizeof(nh), name, nh.n_namesz);
	memcpy(p + sizeof(nh) + nlen, desc, dlen);
	return sizeof(nh) + nlen + ((dlen + 3u) & ~3u);
}

/*
 * kcore as fs/proc/kcore.c lays it out: the ELF header, a PT_NOTE of
 * CORE notes then VMCOREINFO (kcore_note: kcore's own copy), a PT_LOAD of
 * RAM whose p_paddr is its physical address.  phys_note: the note at
 * NOTE_PA, where /sys/kernel/vmcoreinfo points.
 */
static void make_kcore(const char *text, int kcore_note, int phys_note)
{
	static uint8_t img[0x8000];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	uint8_t prstatus[336] = { 0 };
	size_t nsz, off = 0x200;
	char sys[64];

	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	nsz = note(img + off, "CORE", 1, prstatus, sizeof(prstatus));
	if (kcore_note)
		nsz += note(img + off + nsz, "VMCOREINFO", 0, text,
			    (uint32_t)strlen(text));
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off,
			      .p_filesz = nsz };
	ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0x2000,
			      .p_vaddr = 0xffff888000000000ull + RAM_PA,
			      .p_paddr = RAM_PA, .p_filesz = RAM_SIZE,
			      .p_memsz = RAM_SIZE };
	if (phys_note)
		note(ram + (NOTE_PA - RAM_PA), "VMCOREINFO", 0, text,
		     (uint32_t)strlen(text));
	memcpy(img + 0x2000, ram, RAM_SIZE);
	put("/proc/kcore", img, 0x2000 + RAM_SIZE);
	snprintf(sys, sizeof(sys), "0x%016llx %x\n",
		 (unsigned long long)NOTE_PA, NOTE_SIZE);
	put("/sys/kernel/vmcoreinfo", sys, strlen(sys));
}

static void test_running_kernel(void **state)
{
	const char *rel = captured_vmcoreinfo[NR_KERNELS - 1].release;
	const char *text = boot_text(NR_KERNELS - 1, NULL, NULL);
	char path[512];
	struct vmci_result r;

	snprintf(root, sizeof(root), "%s/vmci-sysroot-%d",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	mkdir(root, 0755);
	setenv("BMDUMP_SYSROOT", root, 1);

	/* the note where kexec points the stub, and kcore's copy */
	fill_ram("Linux", rel);
	make_kcore(text, 1, 1);
	vmci_check_running(rel, &r);
	if (r.state != VMCI_CHECKED)
		fail_msg("%s", r.msg);
	assert_int_equal(r.present, 7);
	assert_true(r.uts_verified);
	/* only the physical note (kcore before 4.19) */
	make_kcore(text, 0, 1);
	vmci_check_running(rel, &r);
	assert_int_equal(r.state, VMCI_CHECKED);
	/* only kcore's copy */
	fill_ram("Linux", rel);
	make_kcore(text, 1, 0);
	vmci_check_running(rel, &r);
	assert_int_equal(r.state, VMCI_CHECKED);
	assert_true(r.uts_verified);
	/* neither */
	make_kcore(text, 0, 0);
	vmci_check_running(rel, &r);
	assert_int_equal(r.state, VMCI_UNCHECKED);
	assert_non_null(strstr(r.msg, "no VMCOREINFO note"));
	/* a needed key missing in the running kernel's note */
	make_kcore(boot_text(NR_KERNELS - 1, "NUMBER(phys_base)", NULL), 1, 1);
	vmci_check_running(rel, &r);
	assert_int_equal(r.state, VMCI_FAILED);
	assert_non_null(strstr(r.msg, "NUMBER(phys_base)"));
	/* no kcore (no CONFIG_PROC_KCORE, or not root) */
	snprintf(path, sizeof(path), "%s/proc/kcore", root);
	unlink(path);
	vmci_check_running(rel, &r);
	assert_int_equal(r.state, VMCI_UNCHECKED);
	assert_non_null(strstr(r.msg, "cannot open /proc/kcore"));
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
	unsetenv("BMDUMP_SYSROOT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kernel_checks),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_implausible),
		cmocka_unit_test(test_running_kernel),
	};

	return cmocka_run_group_tests_name("tools_vmci", tests, NULL, NULL);
}
