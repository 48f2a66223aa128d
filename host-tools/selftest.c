// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "selftest.h"

int selftest_report_read(const struct bm_src *part,
			 const struct bmdump_area_header *h,
			 struct bmdump_selftest_report *r, char **text,
			 struct bm_err *e)
{
	uint64_t tail = bmdump_selftest_offset(h);
	uint8_t *block;
	uint32_t i;
	int rc;

	*text = NULL;
	if (!tail)
		return bm_seterr(e, BM_E_NOTFOUND, "the area has no self-test "
				 "region (prepared by an older bmdump): never "
				 "qualified; re-run bmdump prepare");
	block = malloc(BMDUMP_SELFTEST_REPORT_BYTES + 1);
	if (!block)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	rc = bm_read(part, block, BMDUMP_SELFTEST_REPORT_BYTES, tail, e,
		     "self-test report");
	if (rc)
		goto out;
	switch (bmdump_report_check(block)) {
	case 0:
		break;
	case BMDUMP_REPORT_E_MAGIC:
		rc = bm_seterr(e, BM_E_NOTFOUND, "no self-test report: this "
			       "area was never qualified (run bmdump "
			       "selftest)");
		goto out;
	default:
		rc = bm_seterr(e, BM_E_CORRUPT, "the self-test report is "
			       "torn or corrupt (CRC): run bmdump selftest "
			       "again");
		goto out;
	}
	memcpy(r, block, sizeof(*r));
	*text = (char *)block;
	memmove(block, block + BMDUMP_REPORT_TEXT_OFF, r->text_bytes);
	block[r->text_bytes] = 0;
	for (i = 0; i < r->text_bytes; i++)
		if ((block[i] < 32 && block[i] != '\n') || block[i] >= 127)
			block[i] = '?';
	return 0;
out:
	free(block);
	return rc;
}

const char *selftest_status_warning(const struct bm_src *part,
				    const struct bmdump_area_header *h)
{
	struct bmdump_selftest_report r;
	struct bm_err e = { 0 };
	char *text;
	int rc = selftest_report_read(part, h, &r, &text, &e);

	if (rc == BM_E_NOTFOUND)
		return "the dump path was never qualified on this machine: "
		       "run bmdump selftest";
	if (rc)
		return "the last self-test report is unreadable: run bmdump "
		       "selftest again";
	free(text);
	if (memcmp(r.area_uuid, h->area_uuid, 16))
		return "the self-test report is of another area: run bmdump "
		       "selftest";
	if (r.verdict != BMDUMP_VERDICT_PASS)
		return "the last self-test FAILED: see bmdump selftest "
		       "--report";
	return NULL;
}

void selftest_print(FILE *out, const struct bm_src *part,
		    const struct bmdump_area_header *h)
{
	struct bmdump_selftest_report r;
	struct bm_err e = { 0 };
	char *text, *line, *next;

	if (selftest_report_read(part, h, &r, &text, &e)) {
		fprintf(out, "self-test: %s\n", e.msg);
		return;
	}
	fprintf(out, "self-test: last report of bmdump-selftest.efi, "
		"verdict %s", r.verdict == BMDUMP_VERDICT_PASS ? "pass" :
		"FAIL");
	if (r.generation != h->generation)
		fprintf(out, " (the area wrote %llu dumps since)",
			(unsigned long long)(h->generation - r.generation));
	fputs(":\n", out);
	for (line = next = text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		fprintf(out, "  %.*s", (int)(next - line), line);
	}
	if (next > text && next[-1] != '\n')
		fputc('\n', out);
	free(text);
}

/* Does [s, end) hold needle, ignoring case? */
static int span_has(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; (size_t)(end - s) >= n; s++)
		if (!strncasecmp(s, needle, n))
			return 1;
	return 0;
}

/* "Boot####" then '*' (active) or ' ', then ' ': the entry's number. */
static int boot_line_number(const char *l, const char *end, uint16_t *num)
{
	unsigned int v = 0;
	int i;

	if (end - l < 10 || strncmp(l, "Boot", 4))
		return -1;
	for (i = 4; i < 8; i++) {
		if (!isxdigit((unsigned char)l[i]))
			return -1;
		v = v * 16 + (unsigned int)(isdigit((unsigned char)l[i]) ?
			l[i] - '0' : (tolower((unsigned char)l[i]) - 'a' + 10));
	}
	if ((l[8] != '*' && l[8] != ' ') || l[9] != ' ')
		return -1;
	*num = (uint16_t)v;
	return 0;
}

/* One line [l, end): is it our entry? */
static int is_our_entry(const char *l, const char *end, uint16_t *num)
{
	static const char label[] = SELFTEST_BOOT_LABEL;
	const size_t ll = sizeof(label) - 1;

	if (boot_line_number(l, end, num))
		return 0;
	l += 10;
	/* The label exactly: then the tab before the device path. */
	if ((size_t)(end - l) < ll + 1 || memcmp(l, label, ll) ||
	    l[ll] != '\t')
		return 0;
	return span_has(l + ll + 1, end, "/File(" SELFTEST_BOOT_LOADER ")");
}

unsigned int selftest_boot_entries(const char *out, uint16_t *num,
				   unsigned int max)
{
	unsigned int nr = 0;
	const char *l, *end;
	uint16_t n;

	for (l = out; *l; l = *end ? end + 1 : end) {
		end = strchr(l, '\n');
		if (!end)
			end = l + strlen(l);
		if (!is_our_entry(l, end, &n))
			continue;
		if (nr < max)
			num[nr] = n;
		nr++;
	}
	return nr;
}
