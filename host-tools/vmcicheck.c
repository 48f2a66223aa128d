// SPDX-License-Identifier: GPL-2.0
/* The running kernel's VMCOREINFO, checked as the stub reads it (vmcicheck.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmdump/vmcoreinfo.h"
#include "locate.h"
#include "vmcicheck.h"

#define KCORE_MAX_NOTES		(1u << 20)
#define NOTE_NAME		"VMCOREINFO"

/*
 * What the stub reads of VMCOREINFO (vmcoreinfo_parse), but CRASHTIME,
 * which the kernel adds only when it crashes.  The first three it needs:
 * without OSRELEASE or PAGESIZE it writes no dump; without phys_base the
 * dump's header sends crash and makedumpfile to the wrong addresses.
 */
static const struct {
	const char *key;
	int hex;
	int needed;
} stub_keys[] = {
	{ VMCI_OSRELEASE, 0, 1 },
	{ VMCI_PAGESIZE, 0, 1 },
	{ VMCI_PHYS_BASE, 0, 1 },
	{ VMCI_KERNELOFFSET, 1, 0 },
	{ VMCI_PGTABLE_L5, 0, 0 },
	{ VMCI_INIT_UTS_NS, 1, 0 },
	{ VMCI_UTS_NAME, 0, 0 },
};
#define NR_STUB_KEYS	(sizeof(stub_keys) / sizeof(stub_keys[0]))

static void fail(struct vmci_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct vmci_result *r, const char *fmt, ...)
{
	va_list ap;

	r->state = VMCI_FAILED;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

static int key_present(const char *text, size_t len, unsigned int i)
{
	uint64_t h;
	int64_t d;
	const char *v;
	size_t n;

	if (!strcmp(stub_keys[i].key, VMCI_OSRELEASE))
		return vmcoreinfo_find(text, len, VMCI_OSRELEASE, &v, &n) && n;
	if (stub_keys[i].hex)
		return !vmcoreinfo_get_hex(text, len, stub_keys[i].key, &h);
	return !vmcoreinfo_get_dec(text, len, stub_keys[i].key, &d);
}

/* init_uts_ns where the stub will look for it: the release it holds. */
static void check_uts(const struct vmcoreinfo *vi, vmci_read_phys rd,
		      void *ctx, struct vmci_result *r)
{
	struct kdump_new_utsname u;
	uint64_t pa;

	if (vmcoreinfo_kimage_pa(vi, vi->sym_init_uts_ns + vi->off_uts_name,
				 &pa)) {
		fail(r, "%s=%" PRIx64 " is not in the kernel image with "
		     "phys_base %" PRId64 ": the stub cannot read the "
		     "utsname", VMCI_INIT_UTS_NS, vi->sym_init_uts_ns,
		     vi->phys_base);
		return;
	}
	if (!rd || rd(ctx, pa, &u, sizeof(u)))
		return;		/* not verified; the keys are there */
	u.sysname[sizeof(u.sysname) - 1] = 0;
	u.release[sizeof(u.release) - 1] = 0;
	if (strcmp(u.sysname, "Linux") || strcmp(u.release, vi->osrelease)) {
		fail(r, "init_uts_ns at physical 0x%" PRIx64 " (from %s and "
		     "%s) holds no utsname of %s: phys_base is wrong, the "
		     "dump's header would send crash to wrong addresses", pa,
		     VMCI_INIT_UTS_NS, VMCI_PHYS_BASE, vi->osrelease);
		return;
	}
	r->uts_verified = 1;
}

void vmci_check_text(const char *text, size_t len,
		     const char *running_release, vmci_read_phys rd,
		     void *ctx, struct vmci_result *r)
{
	struct vmcoreinfo vi;
	unsigned int i;
	int err;

	memset(r, 0, sizeof(*r));
	r->state = VMCI_CHECKED;
	r->total = NR_STUB_KEYS;
	for (i = 0; i < NR_STUB_KEYS; i++) {
		if (key_present(text, len, i))
			r->present++;
		else if (stub_keys[i].needed && r->state == VMCI_CHECKED)
			fail(r, "VMCOREINFO has no valid %s, which the stub "
			     "needs", stub_keys[i].key);
	}
	/* The stub's own verdict, with its own message. */
	err = vmcoreinfo_parse(text, len, &vi);
	if (err) {
		if (r->state == VMCI_CHECKED)
			fail(r, "%s", stub_strerror(err));
		return;
	}
	bm_strlcpy(r->release, vi.osrelease, sizeof(r->release));
	if (r->state != VMCI_CHECKED)
		return;
	if (running_release && strcmp(vi.osrelease, running_release)) {
		fail(r, "VMCOREINFO says OSRELEASE=%s, the running kernel is "
		     "%s", vi.osrelease, running_release);
		return;
	}
	if (vi.has_uts)
		check_uts(&vi, rd, ctx, r);
}

/* /proc/kcore: an ELF core file of the running kernel. */
struct kcore {
	int fd;
	Elf64_Phdr *ph;
	unsigned int nr;
};

static int kcore_open(struct kcore *k, char *why, size_t size)
{
	char path[PATH_MAX];
	Elf64_Ehdr eh;
	size_t n;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/proc/kcore", sysroot());
	k->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (k->fd < 0) {
		snprintf(why, size, "cannot open /proc/kcore: %s%s",
			 strerror(errno), errno == EPERM ? " (lockdown "
			 "confidentiality?)" : "");
		return -1;
	}
	if (pread(k->fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || !eh.e_phnum ||
	    eh.e_phnum == PN_XNUM)
		goto bad;
	k->nr = eh.e_phnum;
	n = k->nr * sizeof(*k->ph);
	k->ph = malloc(n);
	if (k->ph && pread(k->fd, k->ph, n, (off_t)eh.e_phoff) == (ssize_t)n)
		return 0;
bad:
	snprintf(why, size, "/proc/kcore is not a 64-bit ELF core file");
	free(k->ph);
	close(k->fd);
	k->fd = -1;
	return -1;
}

static void kcore_close(struct kcore *k)
{
	free(k->ph);
	if (k->fd >= 0)
		close(k->fd);
}

/* RAM segments carry their physical address (fs/proc/kcore.c). */
static int kcore_read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
	struct kcore *k = ctx;
	unsigned int i;

	for (i = 0; i < k->nr; i++) {
		const Elf64_Phdr *p = &k->ph[i];

		if (p->p_type != PT_LOAD || p->p_paddr == UINT64_MAX ||
		    pa < p->p_paddr || pa - p->p_paddr > p->p_filesz ||
		    len > p->p_filesz - (pa - p->p_paddr))
			continue;
		return pread(k->fd, buf, len, (off_t)(p->p_offset + pa -
			     p->p_paddr)) == (ssize_t)len ? 0 : -1;
	}
	return -1;
}

/* The VMCOREINFO note's text in a list of ELF notes; its length or -1. */
static ssize_t note_text(const uint8_t *p, size_t len, const char **text)
{
	const uint8_t *end = p + len;

	while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t nlen, dlen;

		memcpy(&nh, p, sizeof(nh));
		nlen = (nh.n_namesz + 3ull) & ~3ull;
		dlen = (nh.n_descsz + 3ull) & ~3ull;
		p += sizeof(nh);
		if (nlen > (uint64_t)(end - p) ||
		    dlen > (uint64_t)(end - p) - nlen)
			return -1;
		if (nh.n_namesz == sizeof(NOTE_NAME) &&
		    !memcmp(p, NOTE_NAME, sizeof(NOTE_NAME))) {
			*text = (const char *)p + nlen;
			return nh.n_descsz;
		}
		if (!nh.n_namesz && !nh.n_descsz)
			break;
		p += nlen + dlen;
	}
	return -1;
}

/* Where kexec points the stub: the address /sys/kernel/vmcoreinfo gives. */
static uint8_t *note_at_sysfs_address(struct kcore *k, size_t *len)
{
	char path[PATH_MAX], text[128], *end;
	unsigned long long pa, size;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/sys/kernel/vmcoreinfo", sysroot());
	if (read_text_file(path, text, sizeof(text)))
		return NULL;
	pa = strtoull(text, &end, 16);
	size = strtoull(end, &end, 16);
	if (!size || size > KCORE_MAX_NOTES)
		return NULL;
	buf = malloc(size);
	if (buf && kcore_read_phys(k, pa, buf, size)) {
		free(buf);
		return NULL;
	}
	*len = size;
	return buf;
}

/* The copy /proc/kcore carries among its own notes (Linux 4.19+). */
static uint8_t *note_in_kcore(struct kcore *k, size_t *len)
{
	unsigned int i;
	uint8_t *buf;

	for (i = 0; i < k->nr; i++) {
		const Elf64_Phdr *p = &k->ph[i];

		if (p->p_type != PT_NOTE || !p->p_filesz ||
		    p->p_filesz > KCORE_MAX_NOTES)
			continue;
		buf = malloc(p->p_filesz);
		if (buf && pread(k->fd, buf, p->p_filesz, (off_t)p->p_offset) ==
		    (ssize_t)p->p_filesz) {
			*len = p->p_filesz;
			return buf;
		}
		free(buf);
	}
	return NULL;
}

void vmci_check_running(const char *running_release, struct vmci_result *r)
{
	struct kcore k;
	const char *text = NULL;
	ssize_t tlen = -1;
	uint8_t *notes;
	size_t len = 0;
	char why[BM_ERR_LEN];

	memset(r, 0, sizeof(*r));
	if (kcore_open(&k, why, sizeof(why))) {
		bm_strlcpy(r->msg, why, sizeof(r->msg));
		return;
	}
	notes = note_at_sysfs_address(&k, &len);
	if (notes)
		tlen = note_text(notes, len, &text);
	if (tlen < 0) {
		free(notes);
		notes = note_in_kcore(&k, &len);
		if (notes)
			tlen = note_text(notes, len, &text);
	}
	if (tlen < 0)
		snprintf(r->msg, sizeof(r->msg), "no VMCOREINFO note at the "
			 "address in /sys/kernel/vmcoreinfo nor in /proc/kcore");
	else
		vmci_check_text(text, (size_t)tlen, running_release,
				kcore_read_phys, &k, r);
	free(notes);
	kcore_close(&k);
}

const char *vmci_describe(const struct vmci_result *r, char *buf,
			  size_t size)
{
	if (r->state == VMCI_CHECKED)
		snprintf(buf, size, "checked for %s (%u of %u keys the stub "
			 "reads present%s)", r->release, r->present, r->total,
			 r->uts_verified ? ", init_uts_ns found through "
			 "phys_base" : "");
	else if (r->state == VMCI_FAILED)
		snprintf(buf, size, "FAILED for %s: %s", r->release[0] ?
			 r->release : "the running kernel", r->msg);
	else
		snprintf(buf, size, "not checked%s%s", r->msg[0] ? ": " : "",
			 r->msg);
	return buf;
}

const char *vmci_state_name(int state)
{
	return state == VMCI_CHECKED ? "checked" :
	       state == VMCI_FAILED ? "failed" : "unchecked";
}

int vmci_state_parse(const char *s)
{
	return !strcmp(s, "checked") ? VMCI_CHECKED :
	       !strcmp(s, "failed") ? VMCI_FAILED : VMCI_UNCHECKED;
}
