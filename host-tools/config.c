// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bmdump/area.h>
#include <bmdump/cmdline.h>

#include "compress.h"
#include "config.h"

#define CONFIG_MAX_BYTES	(1u << 20)

void config_defaults(struct bm_config *c)
{
	memset(c, 0, sizeof(*c));
	c->dump_level = 31;
	c->final_action = FINAL_ACTION_RESET;
	c->scan_mode = SCAN_MODE_AUTO;
	c->kexec_mode = KEXEC_MODE_AUTO;
	c->compress = BM_COMP_DEFAULT;
	c->keep = 0;
	c->min_free = 1ull << 30;
	bm_strlcpy(c->stub, BMDUMP_STUB_PATH, sizeof(c->stub));
	bm_strlcpy(c->coredir, "/var/crash", sizeof(c->coredir));
	bm_strlcpy(c->module, "bmdump", sizeof(c->module));
	bm_strlcpy(c->kexec, "/sbin/kexec", sizeof(c->kexec));
	bm_strlcpy(c->makedumpfile, "/usr/bin/makedumpfile",
		   sizeof(c->makedumpfile));
	bm_strlcpy(c->ssh_path, "/var/crash", sizeof(c->ssh_path));
	c->keep_local = 1;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int set_path(char *dst, size_t size, const char *v)
{
	if (!*v || strlen(v) >= size)
		return -1;
	bm_strlcpy(dst, v, size);
	return 0;
}

/* Root runs these: a relative path would depend on the cwd of whoever
 * started bmdump. */
static int set_abs_path(char *dst, size_t size, const char *v)
{
	return *v != '/' ? -1 : set_path(dst, size, v);
}

/* Words handed to ssh/scp/mount as arguments: no option injection (a
 * leading '-'), no spaces, quotes or shell metacharacters for the remote
 * shell ssh runs the mv in. */
static int set_word(char *dst, size_t size, const char *v, const char *extra)
{
	const char *p;

	if (*v == '-' || strlen(v) >= size)
		return -1;
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-/", *p) &&
		    !strchr(extra, *p))
			return -1;
	bm_strlcpy(dst, v, size);
	return 0;
}

/* SSH=, SSH_KEY=, SSH_PATH=, SSH_PORT=, NFS=, KEEP_LOCAL=; 1: not one. */
static int set_offbox_key(struct bm_config *c, const char *k, const char *v,
			  const char **why)
{
	uint64_t n;

	if (!strcmp(k, "SSH")) {
		if (set_word(c->ssh, sizeof(c->ssh), v, "@") ||
		    (*v && !strchr(v, '@'))) {
			*why = "must be user@host";
			return -1;
		}
	} else if (!strcmp(k, "SSH_KEY")) {
		if (*v && set_abs_path(c->ssh_key, sizeof(c->ssh_key), v)) {
			*why = "must be an absolute path";
			return -1;
		}
	} else if (!strcmp(k, "SSH_PATH")) {
		if (*v != '/' || set_word(c->ssh_path, sizeof(c->ssh_path), v,
					  "")) {
			*why = "must be an absolute path of letters, digits "
			       "and ._-/";
			return -1;
		}
	} else if (!strcmp(k, "SSH_PORT")) {
		if (parse_u64(v, &n) || !n || n > 65535) {
			*why = "must be a port number";
			return -1;
		}
		c->ssh_port = (unsigned int)n;
	} else if (!strcmp(k, "NFS")) {
		if (set_word(c->nfs, sizeof(c->nfs), v, ":[]") ||
		    (*v && !strstr(v, ":/"))) {
			*why = "must be server:/export";
			return -1;
		}
	} else if (!strcmp(k, "KEEP_LOCAL")) {
		if (parse_bool(v, &c->keep_local)) {
			*why = "must be yes or no";
			return -1;
		}
	} else {
		return 1;
	}
	return 0;
}

/* BOOT_KERNEL=, BOOT_INITRD=, BOOT_CMDLINE=; 1: not one. */
static int set_boot_key(struct bm_config *c, const char *k, const char *v,
			const char **why)
{
	if (!strcmp(k, "BOOT_KERNEL")) {
		c->boot_kernel[0] = 0;
		if (*v && set_abs_path(c->boot_kernel, sizeof(c->boot_kernel),
				       v)) {
			*why = "must be an absolute path (empty: the running "
			       "kernel's)";
			return -1;
		}
	} else if (!strcmp(k, "BOOT_INITRD")) {
		c->boot_initrd[0] = 0;
		c->boot_no_initrd = !strcmp(v, "none");
		if (*v && !c->boot_no_initrd &&
		    set_abs_path(c->boot_initrd, sizeof(c->boot_initrd), v)) {
			*why = "must be an absolute path or none (empty: the "
			       "running kernel's)";
			return -1;
		}
	} else if (!strcmp(k, "BOOT_CMDLINE")) {
		if (strlen(v) >= sizeof(c->boot_cmdline) || strchr(v, '\n') ||
		    strchr(v, '\t')) {
			*why = "must be one line shorter than 1024 bytes";
			return -1;
		}
		/* Empty: the default, as for the other BOOT_* keys; a
		 * kernel with no command line has no root= either. */
		bm_strlcpy(c->boot_cmdline, v, sizeof(c->boot_cmdline));
		c->has_boot_cmdline = !!*v;
	} else {
		return set_offbox_key(c, k, v, why);
	}
	return 0;
}

/* One key; returns 0, 1 for an unknown key, or -1 with *why set. */
static int set_key(struct bm_config *c, const char *k, const char *v,
		   const char **why)
{
	uint64_t n;
	int b;

	if (!strcmp(k, "AREA")) {
		if (!*v) {
			c->has_area = 0;
			return 0;
		}
		if (bmdump_uuid_parse(v, strlen(v), c->area)) {
			*why = "must be the area UUID bmdump prepare printed "
			       "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)";
			return -1;
		}
		c->has_area = 1;
	} else if (!strcmp(k, "DUMP_LEVEL")) {
		if (parse_u64(v, &n) || n > 31) {
			*why = "must be a number from 0 to 31 (makedumpfile -d "
			       "bits)";
			return -1;
		}
		c->dump_level = (int)n;
	} else if (!strcmp(k, "FINAL_ACTION")) {
		if (!strcmp(v, "reset") || !strcmp(v, "reboot"))
			c->final_action = FINAL_ACTION_RESET;
		else if (!strcmp(v, "halt"))
			c->final_action = FINAL_ACTION_HALT;
		else if (!strcmp(v, "boot"))
			c->final_action = FINAL_ACTION_BOOT;
		else {
			*why = "must be reset, halt or boot";
			return -1;
		}
	} else if (!strcmp(k, "KEXEC_FILE_LOAD")) {
		if (!strcmp(v, "auto"))
			c->kexec_mode = KEXEC_MODE_AUTO;
		else if (!parse_bool(v, &b))
			c->kexec_mode = b ? KEXEC_MODE_FILE : KEXEC_MODE_LOAD;
		else {
			*why = "must be auto, yes or no";
			return -1;
		}
	} else if (!strcmp(k, "SCAN")) {
		/* bmdump.scan= (include/bmdump/cmdline.h's values) */
		if (!strcmp(v, "hook"))
			c->scan_mode = SCAN_MODE_HOOK;
		else if (!strcmp(v, "auto"))
			c->scan_mode = SCAN_MODE_AUTO;
		else if (!strcmp(v, "stub"))
			c->scan_mode = SCAN_MODE_STUB;
		else {
			*why = "must be hook, auto or stub";
			return -1;
		}
	} else if (!strcmp(k, "OVERWRITE")) {
		if (parse_bool(v, &c->overwrite)) {
			*why = "must be yes or no";
			return -1;
		}
	} else if (!strcmp(k, "COMPRESS")) {
		int kind = comp_parse(v);

		if (kind < 0) {
			*why = "must be zlib, lzo, zstd, snappy or none";
			return -1;
		}
		c->compress = kind;
	} else if (!strcmp(k, "KEEP")) {
		if (parse_u64(v, &n) || n > 100000) {
			*why = "must be a number of dumps (0 keeps all)";
			return -1;
		}
		c->keep = (unsigned int)n;
	} else if (!strcmp(k, "MIN_FREE")) {
		if (parse_size(v, &c->min_free)) {
			*why = "must be a size such as 512M or 2G";
			return -1;
		}
	} else if (!strcmp(k, "STUB")) {
		if (set_abs_path(c->stub, sizeof(c->stub), v)) {
			*why = "must be an absolute path";
			return -1;
		}
	} else if (!strcmp(k, "COREDIR")) {
		if (set_abs_path(c->coredir, sizeof(c->coredir), v)) {
			*why = "must be an absolute directory path";
			return -1;
		}
	} else if (!strcmp(k, "MODULE")) {
		if (set_path(c->module, sizeof(c->module), v) ||
		    strchr(v, '/') || strchr(v, ' ')) {
			*why = "must be a module name";
			return -1;
		}
	} else if (!strcmp(k, "KEXEC")) {
		if (set_abs_path(c->kexec, sizeof(c->kexec), v)) {
			*why = "must be an absolute path (e.g. /sbin/kexec)";
			return -1;
		}
	} else if (!strcmp(k, "MAKEDUMPFILE")) {
		if (strlen(v) >= sizeof(c->makedumpfile)) {
			*why = "is too long";
			return -1;
		}
		bm_strlcpy(c->makedumpfile, v, sizeof(c->makedumpfile));
	} else if (!strcmp(k, "APPEND")) {
		if (strlen(v) >= sizeof(c->append)) {
			*why = "is too long";
			return -1;
		}
		bm_strlcpy(c->append, v, sizeof(c->append));
	} else {
		return set_boot_key(c, k, v, why);
	}
	return 0;
}

static void add_warning(struct bm_config *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_warning(struct bm_config *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nr_warnings >= CONFIG_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(c->warnings[c->nr_warnings++], sizeof(c->warnings[0]), fmt,
		  ap);
	va_end(ap);
}

/*
 * Parse the value part of a line (after '='): unquoted text up to a '#'
 * that follows a blank or the end; '...' literally; "..." with \" \\ \$ \`
 * escapes.  No expansion: a '$' or '`' outside single quotes is refused
 * rather than silently taken literally.
 */
static int parse_value(const char *p, char *out, size_t size,
		       const char **why)
{
	size_t o = 0;

	while (*p) {
		char ch = *p;

		if (ch == ' ' || ch == '\t') {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != '#') {
				*why = "value has a space outside quotes; "
				       "quote it";
				return -1;
			}
			break;
		}
		if (ch == '#' && o == 0) {
			break;
		} else if (ch == '\'') {
			const char *q = strchr(p + 1, '\'');

			if (!q) {
				*why = "unterminated ' quote";
				return -1;
			}
			if (o + (size_t)(q - p - 1) >= size) {
				*why = "value too long";
				return -1;
			}
			memcpy(out + o, p + 1, (size_t)(q - p - 1));
			o += (size_t)(q - p - 1);
			p = q + 1;
			continue;
		} else if (ch == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1] &&
				    strchr("\"\\$`", p[1]))
					p++;
				else if (*p == '$' || *p == '`') {
					*why = "variables and commands are "
					       "not expanded; remove $ or `";
					return -1;
				}
				if (o + 1 >= size) {
					*why = "value too long";
					return -1;
				}
				out[o++] = *p++;
			}
			if (*p != '"') {
				*why = "unterminated \" quote";
				return -1;
			}
			p++;
			continue;
		} else if (ch == '$' || ch == '`' || ch == ';' || ch == '|' ||
			   ch == '&' || ch == '<' || ch == '>' || ch == '(' ||
			   ch == ')') {
			*why = "shell syntax is not supported in values; quote "
			       "the value";
			return -1;
		} else if (ch == '\\') {
			*why = "backslash outside quotes";
			return -1;
		}
		if (o + 1 >= size) {
			*why = "value too long";
			return -1;
		}
		out[o++] = ch;
		p++;
	}
	out[o] = 0;
	return 0;
}

int config_parse(struct bm_config *c, const char *text, const char *name,
		 struct bm_err *e)
{
	const char *line = text;
	char buf[CONFIG_APPEND_MAX + 64], val[CONFIG_APPEND_MAX + 64];
	int lineno = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *why = NULL;
		char *p, *key, *eq;
		int r;

		lineno++;
		if (len >= sizeof(buf))
			return bm_seterr(e, BM_E_USAGE, "%s:%d: line too long",
					 name, lineno);
		memcpy(buf, line, len);
		buf[len] = 0;
		line = nl ? nl + 1 : line + len;
		if (len && buf[len - 1] == '\r')
			buf[--len] = 0;
		p = buf;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "export ", 7))
			p += 7;
		key = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		eq = p;
		if (eq == key || *eq != '=')
			return bm_seterr(e, BM_E_USAGE, "%s:%d: expected "
					 "KEY=value (no spaces around =)",
					 name, lineno);
		*eq = 0;
		if (parse_value(eq + 1, val, sizeof(val), &why))
			return bm_seterr(e, BM_E_USAGE, "%s:%d: %s: %s", name,
					 lineno, key, why);
		r = set_key(c, key, val, &why);
		if (r < 0)
			return bm_seterr(e, BM_E_USAGE, "%s:%d: %s %s", name,
					 lineno, key, why);
		if (r > 0)
			add_warning(c, "%s:%d: unknown key %s ignored", name,
				    lineno, key);
	}
	return 0;
}

int config_load(struct bm_config *c, const char *path, int *found,
		struct bm_err *e)
{
	FILE *f;
	char *text;
	size_t n;
	int r;

	config_defaults(c);
	*found = 0;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return bm_seterr(e, BM_E_IO, "cannot read %s: %s", path,
				 strerror(errno));
	}
	text = malloc(CONFIG_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	}
	n = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	fclose(f);
	if (n > CONFIG_MAX_BYTES) {
		free(text);
		return bm_seterr(e, BM_E_USAGE, "%s is larger than 1 MiB",
				 path);
	}
	text[n] = 0;
	if (strlen(text) != n) {
		free(text);
		return bm_seterr(e, BM_E_USAGE, "%s contains a NUL byte", path);
	}
	*found = 1;
	r = config_parse(c, text, path, e);
	free(text);
	return r;
}
