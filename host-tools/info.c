// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bmdump/errors.h"
#include "areaio.h"
#include "info.h"
#include "status.h"

int info_log_crashed_cpu(const char *log, int *cpu, uint64_t *rip)
{
	const char *p = log;

	while (log && (p = strstr(p, "crashed cpu ")) != NULL) {
		int c;
		unsigned long long r;

		p += strlen("crashed cpu ");
		if (sscanf(p, "%d rip %llx", &c, &r) == 2 && c >= 0) {
			*cpu = c;
			*rip = r;
			return 0;
		}
	}
	return -1;
}

/*
 * Strings out of an area or a dump come from a crashed, maybe hostile
 * kernel: no terminal escapes or carriage returns reach the operator's
 * terminal (newlines and tabs only where the text is a log).
 */
static char clean_char(char c, int log)
{
	unsigned char u = (unsigned char)c;

	if ((u < 32 && !(log && (c == '\n' || c == '\t'))) || u == 127)
		return '?';
	return c;
}

static void clean_text(char *s, int log)
{
	for (; *s; s++)
		*s = clean_char(*s, log);
}

/* A VMCOREINFO value, cleaned for the terminal; 0 when found. */
static int vmci_clean(const struct kd_image *im, const char *key, char *v,
		      size_t size)
{
	if (kd_vmcoreinfo(im, key, v, size))
		return -1;
	clean_text(v, 0);
	return 0;
}

static void uts_field(char *out, const char *in)
{
	memcpy(out, in, KDUMP_UTSNAME_LEN);
	out[KDUMP_UTSNAME_LEN - 1] = 0;
	clean_text(out, 0);
}

static void compression_text(uint32_t status, char *out, size_t size)
{
	const char *c = "none";

	if (status & DUMP_DH_COMPRESSED_ZLIB)
		c = "zlib";
	else if (status & DUMP_DH_COMPRESSED_LZO)
		c = "lzo";
	else if (status & DUMP_DH_COMPRESSED_SNAPPY)
		c = "snappy";
	else if (status & DUMP_DH_COMPRESSED_ZSTD)
		c = "zstd";
	bm_strlcpy(out, c, size);
}

void info_print_area(FILE *out, const struct bmdump_area_header *h,
		     const char *device)
{
	char uuid[37], t[64], a[32], b[32];

	bmdump_uuid_format(h->area_uuid, uuid);
	fprintf(out, "area %s on %s\n", uuid, device);
	fprintf(out, "  state:          %s%s%s\n", area_state_name(h->state),
		h->flags & BMDUMP_AREA_F_INCOMPLETE ? ", INCOMPLETE (the dump "
		"did not fit)" : "",
		h->flags & BMDUMP_AREA_F_OVERWROTE ? ", overwrote an unsaved "
		"dump" : "");
	format_bytes(h->area_bytes, a, sizeof(a));
	format_bytes(h->dump_capacity, b, sizeof(b));
	fprintf(out, "  size:           %s, dump capacity %s\n", a, b);
	format_time(h->prepare_time, t, sizeof(t));
	fprintf(out, "  prepared:       %s\n", t);
	fprintf(out, "  dumps written:  %llu\n",
		(unsigned long long)h->generation);
	if (h->state == BMDUMP_AREA_EMPTY && !h->generation)
		return;
	format_time(h->crash_time, t, sizeof(t));
	fprintf(out, "  crash time:     %s\n", t);
	if (h->osrelease[0] || h->nodename[0]) {
		char rel[66], node[66];

		bm_strlcpy(rel, h->osrelease, sizeof(rel));
		bm_strlcpy(node, h->nodename, sizeof(node));
		clean_text(rel, 0);
		clean_text(node, 0);
		fprintf(out, "  kernel:         %s on %s\n", rel, node);
	}
	format_bytes(h->dump_bytes, a, sizeof(a));
	fprintf(out, "  image:          %s\n", a);
	fprintf(out, "  pages:          %llu dumped (%llu zero) of %llu\n",
		(unsigned long long)h->pages_dumped,
		(unsigned long long)h->zero_pages,
		(unsigned long long)h->pages_planned);
	fprintf(out, "  bitmap source:  %s", area_source_name(h->bitmap_source));
	if (h->bitmap_error)
		fprintf(out, " (hook bitmap not used: error %d: %s)",
			h->bitmap_error, stub_strerror(h->bitmap_error));
	fputc('\n', out);
	if (h->bitmap_us)
		fprintf(out, "  bitmap ready:   %u us (%s)\n", h->bitmap_us,
			h->bitmap_source == BMDUMP_SOURCE_STUB ?
			"the stub's scan" : "bmdump.ko's fill at the crash");
	if (h->stub_error)
		fprintf(out, "  stub error:     %d: %s\n", h->stub_error,
			stub_strerror(h->stub_error));
	if (h->write_ms)
		fprintf(out, "  stub write:     %llu ms\n",
			(unsigned long long)h->write_ms);
	if (h->save_time) {
		format_time(h->save_time, t, sizeof(t));
		fprintf(out, "  saved:          %s\n", t);
	}
}

void info_print_dump(FILE *out, const struct kd_image *im, const char *path,
		     int crashed_cpu, uint64_t file_bytes)
{
	char f[KDUMP_UTSNAME_LEN], g[KDUMP_UTSNAME_LEN], t[64], v[128];
	char sz[32];
	unsigned int i;

	/* The stub records a crashed CPU other than 0 in current_cpu. */
	if (crashed_cpu < 0 && im->hdr.current_cpu > 0)
		crashed_cpu = (int)im->hdr.current_cpu;
	fprintf(out, "dump %s\n", path);
	uts_field(f, im->hdr.utsname.release);
	uts_field(g, im->hdr.utsname.machine);
	fprintf(out, "  kernel:         %s (%s)\n", f, g);
	uts_field(f, im->hdr.utsname.nodename);
	fprintf(out, "  node:           %s\n", f);
	format_time(im->hdr.timestamp.tv_sec, t, sizeof(t));
	fprintf(out, "  crash time:     %s\n", t);
	compression_text(im->hdr.status, f, sizeof(f));
	format_bytes(file_bytes, sz, sizeof(sz));
	fprintf(out, "  format:         kdump-compressed v%d, %s pages, "
		"block %llu, %s\n", im->hdr.header_version, f,
		(unsigned long long)im->bs, sz);
	fprintf(out, "  complete:       %s\n", im->incomplete ?
		"NO: INCOMPLETE (pages are missing)" : "yes");
	fprintf(out, "  dump level:     %d\n", im->sub.dump_level);
	fprintf(out, "  pages:          %llu dumped of %llu RAM pages "
		"(max pfn %llu)\n", (unsigned long long)im->nr_dumpable,
		(unsigned long long)im->nr_ram,
		(unsigned long long)im->max_mapnr);
	fprintf(out, "  cpus:           %u\n", im->nr_cpus);
	if (crashed_cpu >= 0 && (unsigned int)crashed_cpu < im->nr_cpus)
		fprintf(out, "  crashed cpu:    %d, rip %016" PRIx64 "\n",
			crashed_cpu, im->cpus[crashed_cpu].rip);
	else
		fprintf(out, "  crashed cpu:    unknown (no stub log)\n");
	for (i = 0; i < im->nr_cpus && i < 64; i++)
		fprintf(out, "    cpu %u: pid %u rip %016" PRIx64 " rsp %016"
			PRIx64 "\n", i, im->cpus[i].pid, im->cpus[i].rip,
			im->cpus[i].rsp);
	if (!vmci_clean(im, "OSRELEASE", v, sizeof(v)))
		fprintf(out, "  vmcoreinfo:     OSRELEASE=%s", v);
	else
		fprintf(out, "  vmcoreinfo:     missing");
	if (!vmci_clean(im, "KERNELOFFSET", v, sizeof(v)))
		fprintf(out, " KERNELOFFSET=%s", v);
	if (!vmci_clean(im, "CRASHTIME", v, sizeof(v)))
		fprintf(out, " CRASHTIME=%s", v);
	fputc('\n', out);
	if (im->warning[0])
		fprintf(out, "  warning:        %s\n", im->warning);
}

void info_print_log(FILE *out, const char *log, unsigned int tail_lines)
{
	const char *p = log + strlen(log);
	unsigned int n = 0;

	if (!*log) {
		fprintf(out, "stub log: (empty)\n");
		return;
	}
	while (p > log && n <= tail_lines) {
		p--;
		if (*p == '\n' && p[1])
			n++;
	}
	if (n > tail_lines)
		p++;
	fprintf(out, "stub log%s:\n", p > log ? " (tail)" : "");
	for (; *p; p++)
		fputc(clean_char(*p, 1), out);
	if (log[strlen(log) - 1] != '\n')
		fputc('\n', out);
}

void info_print_json(FILE *out, const struct bmdump_area_header *h,
		     const struct kd_image *im, int crashed_cpu,
		     const char *log)
{
	char f[KDUMP_UTSNAME_LEN], uuid[37];

	fprintf(out, "{");
	if (h) {
		bmdump_uuid_format(h->area_uuid, uuid);
		fprintf(out, "\"area\": {\"uuid\": \"%s\", \"state\": \"%s\", "
			"\"incomplete\": %s, \"generation\": %llu, "
			"\"crash_time\": %lld, \"dump_bytes\": %llu, "
			"\"pages_dumped\": %llu, \"zero_pages\": %llu, "
			"\"bitmap_source\": \"%s\", \"bitmap_error\": %d, "
			"\"bitmap_us\": %u, \"stub_error\": %d}",
			uuid, area_state_name(h->state),
			h->flags & BMDUMP_AREA_F_INCOMPLETE ? "true" : "false",
			(unsigned long long)h->generation,
			(long long)h->crash_time,
			(unsigned long long)h->dump_bytes,
			(unsigned long long)h->pages_dumped,
			(unsigned long long)h->zero_pages,
			area_source_name(h->bitmap_source), h->bitmap_error,
			h->bitmap_us, h->stub_error);
	}
	if (im) {
		if (crashed_cpu < 0 && im->hdr.current_cpu > 0)
			crashed_cpu = (int)im->hdr.current_cpu;
		fprintf(out, "%s\"dump\": {\"release\": ", h ? ", " : "");
		uts_field(f, im->hdr.utsname.release);
		json_string(out, f);
		fprintf(out, ", \"node\": ");
		uts_field(f, im->hdr.utsname.nodename);
		json_string(out, f);
		compression_text(im->hdr.status, f, sizeof(f));
		fprintf(out, ", \"crash_time\": %lld, \"compression\": \"%s\", "
			"\"incomplete\": %s, \"dump_level\": %d, "
			"\"pages\": %llu, \"max_mapnr\": %llu, \"cpus\": %u",
			(long long)im->hdr.timestamp.tv_sec, f,
			im->incomplete ? "true" : "false", im->sub.dump_level,
			(unsigned long long)im->nr_dumpable,
			(unsigned long long)im->max_mapnr, im->nr_cpus);
		if (crashed_cpu >= 0 && (unsigned int)crashed_cpu < im->nr_cpus)
			fprintf(out, ", \"crashed_cpu\": %d, \"rip\": "
				"\"%016" PRIx64 "\"", crashed_cpu,
				im->cpus[crashed_cpu].rip);
		fputc('}', out);
	}
	if (log) {
		fprintf(out, "%s\"log\": ", h || im ? ", " : "");
		json_string(out, log);
	}
	fprintf(out, "}\n");
}
