// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include <bmdump/area.h>
#include <bmdump/cmdline.h>

#include "loadcmd.h"

int lockdown_parse(const char *text)
{
	const char *b = strchr(text, '['), *e;

	if (!b || !(e = strchr(b, ']')))
		return LOCKDOWN_UNKNOWN;
	b++;
	if ((size_t)(e - b) == 4 && !memcmp(b, "none", 4))
		return LOCKDOWN_NONE;
	if ((size_t)(e - b) == 9 && !memcmp(b, "integrity", 9))
		return LOCKDOWN_INTEGRITY;
	if ((size_t)(e - b) == 15 && !memcmp(b, "confidentiality", 15))
		return LOCKDOWN_CONFIDENTIALITY;
	return LOCKDOWN_UNKNOWN;
}

const char *lockdown_name(int level)
{
	switch (level) {
	case LOCKDOWN_NONE:
		return "none";
	case LOCKDOWN_INTEGRITY:
		return "integrity";
	case LOCKDOWN_CONFIDENTIALITY:
		return "confidentiality";
	}
	return "unknown";
}

int kexec_choose_mode(int cfg_mode, int lockdown)
{
	if (cfg_mode == KEXEC_MODE_FILE)
		return KEXEC_MODE_FILE;
	if (cfg_mode == KEXEC_MODE_LOAD)
		return KEXEC_MODE_LOAD;
	/* kexec_load is refused under any lockdown; file load may pass. */
	if (lockdown == LOCKDOWN_INTEGRITY ||
	    lockdown == LOCKDOWN_CONFIDENTIALITY)
		return KEXEC_MODE_FILE;
	return KEXEC_MODE_LOAD;
}

static int reserved_token(const char *tok, size_t len)
{
	static const char *const keys[] = {
		"bmdump.desc=", "bmdump.area=", "bmdump.final=",
		"bmdump.overwrite=", "bmdump.scan=", "bmdump.level=",
		"bmdump.bsp=", "elfcorehdr=",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t k = strlen(keys[i]);

		if (len >= k && !memcmp(tok, keys[i], k))
			return 1;
	}
	return 0;
}

/* FINAL_ACTION= as the stub's bmdump.final= word and value. */
static const char *final_word(int action)
{
	switch (action) {
	case FINAL_ACTION_HALT:
		return "halt";
	case FINAL_ACTION_BOOT:
		return "boot";
	}
	return "reset";
}

static int final_stub_value(int action)
{
	switch (action) {
	case FINAL_ACTION_HALT:
		return FINAL_HALT;
	case FINAL_ACTION_BOOT:
		return FINAL_BOOT;
	}
	return FINAL_RESET;
}

/*
 * The command line as the stub will see it (kexec_load appends
 * elfcorehdr=, kexec_file_load prepends it), read by the stub's own
 * parser: it must parse and give back what bmdump set.  An unbalanced
 * quote in APPEND would otherwise swallow elfcorehdr= at crash time.
 */
static int check_with_stub_parser(const struct bm_config *c, int have_desc,
				  uint64_t desc, int64_t bsp,
				  const char *cmdline, struct bm_err *e)
{
	char cl[STUB_CMDLINE_MAX + CMDLINE_LOADER_RESERVE];
	struct stub_options o;
	int i, err;

	for (i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(cl, sizeof(cl), "%s elfcorehdr=16384K",
				 cmdline);
		else
			snprintf(cl, sizeof(cl), "elfcorehdr=0x1000000 %s",
				 cmdline);
		err = stub_options_parse(cl, &o);
		if (err)
			return bm_seterr(e, BM_E_USAGE, "with this APPEND the "
					 "stub would stop at a crash with error "
					 "%d (%s): check APPEND for an "
					 "unbalanced quote", err,
					 stub_strerror(err));
		if (!o.has_area || memcmp(o.area_uuid, c->area, 16) ||
		    o.has_desc != have_desc ||
		    (have_desc && o.desc_addr != desc) ||
		    o.overwrite != !!c->overwrite ||
		    o.scan_mode != c->scan_mode || o.has_bsp != (bsp >= 0) ||
		    (bsp >= 0 && o.bsp_apic_id != (uint64_t)bsp) ||
		    o.final_action != final_stub_value(c->final_action))
			return bm_seterr(e, BM_E_USAGE, "APPEND changes what "
					 "the stub reads for bmdump.area, .desc, "
					 ".final, .overwrite, .scan or .bsp: "
					 "check "
					 "APPEND for an unbalanced quote");
	}
	return 0;
}

int build_stub_cmdline(const struct bm_config *c, int have_desc,
		       uint64_t desc, int64_t bsp, char *out, size_t size,
		       struct bm_err *e)
{
	char uuid[37];
	const char *p = c->append;
	size_t n;
	int w;

	if (!c->has_area)
		return bm_seterr(e, BM_E_USAGE, "no AREA in the configuration: "
				 "run bmdump prepare and put the UUID it "
				 "prints into AREA=");
	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len && reserved_token(p, len))
			return bm_seterr(e, BM_E_USAGE, "APPEND must not set "
					 "%.*s: bmdump sets it",
					 (int)strcspn(p, "="), p);
		if ((memchr(p, '\n', len) || memchr(p, '\t', len)))
			return bm_seterr(e, BM_E_USAGE, "APPEND must not "
					 "contain tabs or newlines");
		p += len;
	}
	bmdump_uuid_format(c->area, uuid);
	if (have_desc)
		w = snprintf(out, size, "bmdump.desc=0x%llx bmdump.area=%s "
			     "bmdump.final=%s", (unsigned long long)desc, uuid,
			     final_word(c->final_action));
	else
		w = snprintf(out, size, "bmdump.area=%s bmdump.final=%s", uuid,
			     final_word(c->final_action));
	if (w < 0 || (size_t)w >= size)
		goto too_long;
	n = (size_t)w;
	if (c->overwrite) {
		w = snprintf(out + n, size - n, " bmdump.overwrite=1");
		if (w < 0 || (size_t)w >= size - n)
			goto too_long;
		n += (size_t)w;
	}
	/* auto is the stub's own default */
	if (c->scan_mode != SCAN_MODE_AUTO) {
		w = snprintf(out + n, size - n, " bmdump.scan=%s",
			     c->scan_mode == SCAN_MODE_STUB ? "stub" : "hook");
		if (w < 0 || (size_t)w >= size - n)
			goto too_long;
		n += (size_t)w;
	}
	/* DUMP_LEVEL for the stub's own scan (bmdump.ko gets it through
	 * sysfs); the stub's default is the config's. */
	if (c->scan_mode != SCAN_MODE_HOOK && c->dump_level != BMDUMP_DL_MAX) {
		w = snprintf(out + n, size - n, " bmdump.level=%d",
			     c->dump_level);
		if (w < 0 || (size_t)w >= size - n)
			goto too_long;
		n += (size_t)w;
	}
	/* the crashed kernel's CPU 0 (the stub's fallback: the MADT's first) */
	if (bsp >= 0) {
		w = snprintf(out + n, size - n, " bmdump.bsp=%lld",
			     (long long)bsp);
		if (w < 0 || (size_t)w >= size - n)
			goto too_long;
		n += (size_t)w;
	}
	p = c->append;
	while (*p == ' ')
		p++;
	if (*p) {
		size_t len = strlen(p);

		while (len && p[len - 1] == ' ')
			len--;
		w = snprintf(out + n, size - n, " %.*s", (int)len, p);
		if (w < 0 || (size_t)w >= size - n)
			goto too_long;
	}
	return check_with_stub_parser(c, have_desc, desc, bsp, out, e);
too_long:
	return bm_seterr(e, BM_E_USAGE, "the stub's command line would be "
			 "longer than %zu bytes: shorten APPEND", size - 1);
}

void build_kexec_load_argv(struct kexec_argv *a, const struct bm_config *c,
			   int mode, const char *cmdline)
{
	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = (char *)c->kexec;
	if (mode == KEXEC_MODE_FILE)
		a->argv[a->argc++] = (char *)"-s";
	a->argv[a->argc++] = (char *)"-p";
	a->argv[a->argc++] = (char *)c->stub;
	snprintf(a->append, sizeof(a->append), "--append=%s", cmdline);
	a->argv[a->argc++] = a->append;
	a->argv[a->argc] = NULL;
}

void build_kexec_unload_argv(struct kexec_argv *a, const struct bm_config *c)
{
	memset(a, 0, sizeof(*a));
	a->argv[a->argc++] = (char *)c->kexec;
	a->argv[a->argc++] = (char *)"-p";
	a->argv[a->argc++] = (char *)"-u";
	a->argv[a->argc] = NULL;
}

int stub_cmdline_size(const uint8_t *img, size_t len, uint32_t *size,
		      struct bm_err *e)
{
	uint16_t version;

	if (len < 0x240 || memcmp(img + 0x202, "HdrS", 4))
		return bm_seterr(e, BM_E_CORRUPT, "the stub is not a bzImage "
				 "(no HdrS setup header): reinstall bmdump");
	memcpy(&version, img + 0x206, 2);
	if (version < 0x206) {
		*size = 255;	/* boot protocol before 2.06 */
		return 0;
	}
	memcpy(size, img + 0x238, 4);
	return 0;
}

int cmdline_fits(size_t len, uint32_t cmdline_size, struct bm_err *e)
{
	uint64_t limit = cmdline_size < STUB_CMDLINE_MAX ? cmdline_size :
			 STUB_CMDLINE_MAX;

	if (len + CMDLINE_LOADER_RESERVE > limit)
		return bm_seterr(e, BM_E_USAGE, "the stub's command line (%zu "
				 "bytes) leaves no room for what kexec adds: "
				 "the stub takes %llu bytes; shorten APPEND",
				 len, (unsigned long long)limit);
	return 0;
}

/* "key<tabs>: value" of one /proc/cpuinfo line: 1 and both, trimmed. */
static int cpuinfo_field(const char *line, size_t len, const char **key,
			 size_t *klen, const char **val, size_t *vlen)
{
	const char *colon = memchr(line, ':', len);

	if (!colon)
		return 0;
	*key = line;
	*klen = (size_t)(colon - line);
	while (*klen && (line[*klen - 1] == ' ' || line[*klen - 1] == '\t'))
		(*klen)--;
	*val = colon + 1;
	*vlen = len - (size_t)(*val - line);
	while (*vlen && (**val == ' ' || **val == '\t'))
		(*val)++, (*vlen)--;
	while (*vlen && ((*val)[*vlen - 1] == ' ' ||
			 (*val)[*vlen - 1] == '\t' ||
			 (*val)[*vlen - 1] == '\r'))
		(*vlen)--;
	return 1;
}

static int field_is(const char *k, size_t klen, const char *name)
{
	return klen == strlen(name) && !memcmp(k, name, klen);
}

/* A whole decimal number below 2^32. */
static int cpuinfo_u32(const char *v, size_t len, uint32_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (!len || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x > UINT32_MAX)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

int cpuinfo_bsp_apicid(const char *text, uint32_t *id)
{
	const char *p = text;
	int in_cpu0 = 0;

	while (*p) {
		size_t len = strcspn(p, "\n"), klen, vlen;
		const char *k, *v;
		uint32_t n;

		if (cpuinfo_field(p, len, &k, &klen, &v, &vlen)) {
			if (field_is(k, klen, "processor"))
				in_cpu0 = !cpuinfo_u32(v, vlen, &n) && n == 0;
			else if (in_cpu0 && field_is(k, klen, "apicid"))
				return cpuinfo_u32(v, vlen, id);
		} else if (!len) {
			/* a blank line ends a CPU's block */
			in_cpu0 = 0;
		}
		p += len;
		if (*p)
			p++;
	}
	return -1;
}
