/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BMDUMP_CMDLINE_H
#define BMDUMP_CMDLINE_H

#include "types.h"
#include "uuid.h"
#include "errors.h"
#include "classify.h"

#define CMDLINE_MAX	4096
/* The whole capture's deadline unless bmdump.deadline= says otherwise. */
#define BMDUMP_DEADLINE_DEFAULT_S	300u
/*
 * bmdump.smp=: the stub's scan on every CPU the MADT lists (stub/smp.c)
 * or (0) on the one it runs on.
 * bmdump.bsp=: the APIC ID of the crashed kernel's CPU 0, the boot CPU
 * (bmdump load reads it from /proc/cpuinfo, as kexec-tools does for
 * disable_cpu_apicid=): never sent INIT, and Linux's CPU number 0.
 */
#define BMDUMP_SMP_DEFAULT	1

/*
 * Where the page bitmap comes from (bmdump.scan=).  auto by default: the
 * stub's own scan (stub/scan.c) equals makedumpfile's page set pfn for
 * pfn in the end-to-end tests (1, 2 and 6 GiB, 6.1 and 6.12), and beats
 * dumping every RAM page when bmdump.ko is missing or broken.
 */
enum stub_scan_mode {
	SCAN_MODE_HOOK = 0,	/* bmdump.ko's bitmap, else every RAM page */
	SCAN_MODE_AUTO,		/* bmdump.ko's bitmap, else the stub's scan */
	SCAN_MODE_STUB,		/* the stub's scan, else bmdump.ko's bitmap */
};

enum stub_final_action {
	FINAL_RESET = 0,
	FINAL_HALT,
	FINAL_BOOT,	/* start the staged boot set (bootset.h) */
};
struct stub_options {
	uint64_t elfcorehdr_addr;
	uint64_t elfcorehdr_size;	/* 0: not given */
	uint64_t acpi_rsdp;		/* 0: not given */
	int final_action;
	int has_desc;
	uint64_t desc_addr;
	int has_area;
	uint8_t area_uuid[16];
	int overwrite;
	uint64_t deadline_ms;		/* whole capture; 0: none */
	int scan_mode;			/* enum stub_scan_mode */
	unsigned int dump_level;	/* the stub scan's, bmdump.level= */
	int smp;			/* bmdump.smp=: scan on every CPU */
	int has_bsp;			/* bmdump.bsp= given */
	uint32_t bsp_apic_id;		/* the crashed kernel's CPU 0 */
};

/*
 * The parser the stub runs on its command line, shared with `bmdump load`
 * so that APPEND is checked at load time by the very code that will read
 * it at crash time.  Freestanding: no libc, no stub headers.
 */
static inline size_t cmdline_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static inline size_t cmdline_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

static inline int cmdline_memcmp(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
	return 0;
}

static inline const char *cmdline_memchr(const char *s, char c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == c)
			return s + i;
	return NULL;
}

static inline int cmdline_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Find the last "key=value" (or bare "key") word of a kernel command line.
 * Words are separated by spaces; double quotes group, as the kernel's
 * next_arg() does.  Returns 1 and the value (quotes stripped) if found.
 */
static inline int cmdline_find(const char *cl, const char *key, const char **val,
		 size_t *vlen)
{
	size_t klen = cmdline_strlen(key);
	const char *p = cl;
	int found = 0;

	while (*p) {
		const char *word, *end, *v;
		int quoted = 0;

		while (cmdline_is_space(*p))
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && (quoted || !cmdline_is_space(*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		end = p;
		if ((size_t)(end - word) < klen || cmdline_memcmp(word, key, klen))
			continue;
		v = word + klen;
		if (v == end) {
			*val = v;
			*vlen = 0;
			found = 1;
			continue;
		}
		if (*v != '=')
			continue;
		v++;
		if (v < end && *v == '"') {
			v++;
			if (end > v && end[-1] == '"')
				end--;
		}
		*val = v;
		*vlen = (size_t)(end - v);
		found = 1;
	}
	return found;
}

/* Whole-string unsigned number: decimal, or hex with 0x.  0 or -E_CMD_*. */
static inline int cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len)
		return E_CMD_NUMBER;
	for (; i < len; i++) {
		int d = bmdump_hexval(s[i]);

		if (d < 0 || (unsigned)d >= base)
			return E_CMD_NUMBER;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return E_CMD_NUMBER;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

/* Like the kernel's memparse(): a number with an optional K/M/G/T suffix. */
static inline int cmdline_parse_memsize(const char *s, size_t len, uint64_t *out)
{
	unsigned shift = 0;
	uint64_t v;
	int err;

	if (len) {
		switch (s[len - 1]) {
		case 'T': case 't':
			shift = 40;
			break;
		case 'G': case 'g':
			shift = 30;
			break;
		case 'M': case 'm':
			shift = 20;
			break;
		case 'K': case 'k':
			shift = 10;
			break;
		}
		/* "0x...K" is fine; but a bare hex digit is not a suffix. */
		if (shift && len >= 2 && s[0] == '0' &&
		    (s[1] == 'x' || s[1] == 'X') &&
		    bmdump_hexval(s[len - 1]) >= 0)
			shift = 0;
		if (shift)
			len--;
	}
	err = cmdline_parse_u64(s, len, &v);
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return E_CMD_NUMBER;
	*out = v << shift;
	return 0;
}

/* elfcorehdr=[size@]addr: both "NNNK" (kexec_load), "0x..." (kexec_file). */
static inline int parse_elfcorehdr(const char *cl, uint64_t *addr, uint64_t *size)
{
	const char *v, *at;
	size_t len;

	if (!cmdline_find(cl, "elfcorehdr", &v, &len))
		return E_CMD_NO_ELFCOREHDR;
	if (!len)
		return E_CMD_ELFCOREHDR;
	*size = 0;
	at = cmdline_memchr(v, '@', len);
	if (at) {
		if (cmdline_parse_memsize(v, (size_t)(at - v), size))
			return E_CMD_ELFCOREHDR;
		len -= (size_t)(at + 1 - v);
		v = at + 1;
	}
	if (cmdline_parse_memsize(v, len, addr) || !*addr)
		return E_CMD_ELFCOREHDR;
	return 0;
}

/*
 * Everything the stub takes from its command line.
 * Parses every option even after a bad one, so that one typo costs only
 * that option (which keeps its safe default); returns the first error.
 */
static inline int stub_options_parse(const char *cl, struct stub_options *o)
{
	const char *v;
	size_t len;
	int err = 0, e;

	*o = (struct stub_options){ 0 };
	o->final_action = FINAL_RESET;
	o->deadline_ms = BMDUMP_DEADLINE_DEFAULT_S * 1000ull;
	o->dump_level = BMDUMP_DL_MAX;
	o->scan_mode = SCAN_MODE_AUTO;
	o->smp = BMDUMP_SMP_DEFAULT;
	if (cmdline_strnlen(cl, CMDLINE_MAX + 1) > CMDLINE_MAX)
		return E_CMD_TOO_LONG;
	e = parse_elfcorehdr(cl, &o->elfcorehdr_addr, &o->elfcorehdr_size);
	if (e)
		err = e;
	if (cmdline_find(cl, "acpi_rsdp", &v, &len) &&
	    cmdline_parse_u64(v, len, &o->acpi_rsdp)) {
		o->acpi_rsdp = 0;
		err = err ? err : E_CMD_NUMBER;
	}
	if (cmdline_find(cl, "bmdump.final", &v, &len)) {
		if (len == 5 && !cmdline_memcmp(v, "reset", 5))
			o->final_action = FINAL_RESET;
		else if (len == 4 && !cmdline_memcmp(v, "halt", 4))
			o->final_action = FINAL_HALT;
		else if (len == 4 && !cmdline_memcmp(v, "boot", 4))
			o->final_action = FINAL_BOOT;
		else
			err = err ? err : E_CMD_FINAL;
	}
	if (cmdline_find(cl, "bmdump.desc", &v, &len)) {
		if (cmdline_parse_u64(v, len, &o->desc_addr) == 0)
			o->has_desc = 1;
		else
			err = err ? err : E_CMD_NUMBER;
	}
	if (cmdline_find(cl, "bmdump.area", &v, &len)) {
		if (bmdump_uuid_parse(v, len, o->area_uuid) == 0)
			o->has_area = 1;
		else
			err = err ? err : E_CMD_UUID;
	}
	if (cmdline_find(cl, "bmdump.deadline", &v, &len)) {
		uint64_t s;

		if (cmdline_parse_u64(v, len, &s) == 0 && s <= 86400)
			o->deadline_ms = s * 1000;
		else
			err = err ? err : E_CMD_DEADLINE;
	}
	if (cmdline_find(cl, "bmdump.overwrite", &v, &len)) {
		if (len == 1 && (v[0] == '0' || v[0] == '1'))
			o->overwrite = v[0] == '1';
		else
			err = err ? err : E_CMD_OVERWRITE;
	}
	if (cmdline_find(cl, "bmdump.scan", &v, &len)) {
		if (len == 4 && !cmdline_memcmp(v, "stub", 4))
			o->scan_mode = SCAN_MODE_STUB;
		else if (len == 4 && !cmdline_memcmp(v, "hook", 4))
			o->scan_mode = SCAN_MODE_HOOK;
		else if (len == 4 && !cmdline_memcmp(v, "auto", 4))
			o->scan_mode = SCAN_MODE_AUTO;
		else
			err = err ? err : E_SCAN_OPTION;
	}
	if (cmdline_find(cl, "bmdump.smp", &v, &len)) {
		if (len == 1 && (v[0] == '0' || v[0] == '1'))
			o->smp = v[0] == '1';
		else
			err = err ? err : E_SMP_OPTION;
	}
	if (cmdline_find(cl, "bmdump.bsp", &v, &len)) {
		uint64_t id;

		if (cmdline_parse_u64(v, len, &id) == 0 && id <= UINT32_MAX) {
			o->has_bsp = 1;
			o->bsp_apic_id = (uint32_t)id;
		} else {
			err = err ? err : E_SMP_BSP_OPTION;
		}
	}
	if (cmdline_find(cl, "bmdump.level", &v, &len)) {
		uint64_t l;

		/* DUMP_LEVEL: the hook's level travels in its descriptor */
		if (cmdline_parse_u64(v, len, &l) == 0 && l <= BMDUMP_DL_MAX)
			o->dump_level = (unsigned int)l;
		else
			err = err ? err : E_SCAN_LEVEL;
	}
	return err;
}

#endif /* BMDUMP_CMDLINE_H */
