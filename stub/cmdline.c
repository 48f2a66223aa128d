// SPDX-License-Identifier: GPL-2.0
#include "cmdline.h"
#include "errors.h"
#include "str.h"
#include "bmdump/area.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_find(const char *cl, const char *key, const char **val,
		 size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = cl;
	int found = 0;

	while (*p) {
		const char *word, *end, *v;
		int quoted = 0;

		while (is_space(*p))
			p++;
		if (!*p)
			break;
		word = p;
		while (*p && (quoted || !is_space(*p))) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		end = p;
		if ((size_t)(end - word) < klen || memcmp(word, key, klen))
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

int parse_u64(const char *s, size_t len, uint64_t *out)
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

int parse_memsize(const char *s, size_t len, uint64_t *out)
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
	err = parse_u64(s, len, &v);
	if (err)
		return err;
	if (shift && v > (UINT64_MAX >> shift))
		return E_CMD_NUMBER;
	*out = v << shift;
	return 0;
}

int parse_elfcorehdr(const char *cl, uint64_t *addr, uint64_t *size)
{
	const char *v, *at;
	size_t len;

	if (!cmdline_find(cl, "elfcorehdr", &v, &len))
		return E_CMD_NO_ELFCOREHDR;
	if (!len)
		return E_CMD_ELFCOREHDR;
	*size = 0;
	at = memchr(v, '@', len);
	if (at) {
		if (parse_memsize(v, (size_t)(at - v), size))
			return E_CMD_ELFCOREHDR;
		len -= (size_t)(at + 1 - v);
		v = at + 1;
	}
	if (parse_memsize(v, len, addr) || !*addr)
		return E_CMD_ELFCOREHDR;
	return 0;
}

/*
 * Parses every option even after a bad one, so that one typo costs only
 * that option (which keeps its safe default); returns the first error.
 */
int stub_options_parse(const char *cl, struct stub_options *o)
{
	const char *v;
	size_t len;
	int err = 0, e;

	memset(o, 0, sizeof(*o));
	o->final_action = FINAL_RESET;
	if (strnlen(cl, CMDLINE_MAX + 1) > CMDLINE_MAX)
		return E_CMD_TOO_LONG;
	e = parse_elfcorehdr(cl, &o->elfcorehdr_addr, &o->elfcorehdr_size);
	if (e)
		err = e;
	if (cmdline_find(cl, "acpi_rsdp", &v, &len) &&
	    parse_u64(v, len, &o->acpi_rsdp)) {
		o->acpi_rsdp = 0;
		err = err ? err : E_CMD_NUMBER;
	}
	if (cmdline_find(cl, "bmdump.final", &v, &len)) {
		if (len == 5 && !memcmp(v, "reset", 5))
			o->final_action = FINAL_RESET;
		else if (len == 4 && !memcmp(v, "halt", 4))
			o->final_action = FINAL_HALT;
		else
			err = err ? err : E_CMD_FINAL;
	}
	if (cmdline_find(cl, "bmdump.desc", &v, &len)) {
		if (parse_u64(v, len, &o->desc_addr) == 0)
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
	if (cmdline_find(cl, "bmdump.overwrite", &v, &len)) {
		if (len == 1 && (v[0] == '0' || v[0] == '1'))
			o->overwrite = v[0] == '1';
		else
			err = err ? err : E_CMD_OVERWRITE;
	}
	return err;
}
