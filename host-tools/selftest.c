// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bmdump/errors.h"

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

void selftest_summarize(const struct bm_src *part,
			const struct bmdump_area_header *h,
			struct selftest_summary *s)
{
	struct bmdump_selftest_report r;
	struct bm_err e = { 0 };
	char *text;
	int rc = selftest_report_read(part, h, &r, &text, &e);

	memset(s, 0, sizeof(*s));
	if (rc) {
		s->state = rc == BM_E_NOTFOUND ? SELFTEST_NEVER :
			   SELFTEST_UNREADABLE;
		return;
	}
	free(text);
	s->error = r.error;
	s->run_time = r.run_time;
	s->write_kbps = r.write_kbps;
	if (memcmp(r.area_uuid, h->area_uuid, 16))
		s->state = SELFTEST_OTHER_AREA;
	else
		s->state = r.verdict == BMDUMP_VERDICT_PASS ? SELFTEST_PASS :
			   SELFTEST_FAIL;
}

const char *selftest_state_name(int state)
{
	switch (state) {
	case SELFTEST_NEVER:
		return "never";
	case SELFTEST_PASS:
		return "pass";
	case SELFTEST_FAIL:
		return "fail";
	case SELFTEST_UNREADABLE:
		return "unreadable";
	case SELFTEST_OTHER_AREA:
		return "other-area";
	}
	return "";
}

/* The firmware clock's reading as the app stored it, shown as UTC. */
static void format_run_time(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, size, "an unknown date");
}

void selftest_summary_line(const struct selftest_summary *s, char *buf,
			   size_t size)
{
	char when[64];
	/* KiB/s to MB/s (10^6), as the app's own report counts. */
	unsigned long long mbps10 = s->write_kbps * 1024 / 100000;

	format_run_time(s->run_time, when, sizeof(when));
	switch (s->state) {
	case SELFTEST_PASS:
		snprintf(buf, size, "pass on %s (%llu.%llu MB/s), "
			 "bmdump-selftest.efi", when, mbps10 / 10,
			 mbps10 % 10);
		break;
	case SELFTEST_FAIL:
		snprintf(buf, size, "FAIL (error %d: %s) on %s, "
			 "bmdump-selftest.efi", s->error,
			 stub_strerror(s->error), when);
		break;
	case SELFTEST_NEVER:
		snprintf(buf, size, "never run");
		break;
	case SELFTEST_OTHER_AREA:
		snprintf(buf, size, "the last report is of another area");
		break;
	default:
		snprintf(buf, size, "the last report is unreadable");
	}
}

const char *selftest_summary_warning(const struct selftest_summary *s)
{
	switch (s->state) {
	case SELFTEST_PASS:
	case SELFTEST_UNKNOWN:
		return NULL;
	case SELFTEST_NEVER:
		return "the dump path was never qualified on this machine: "
		       "run bmdump selftest";
	case SELFTEST_OTHER_AREA:
		return "the self-test report is of another area: run bmdump "
		       "selftest";
	case SELFTEST_FAIL:
		return "the last self-test FAILED: see bmdump selftest "
		       "--report";
	}
	return "the last self-test report is unreadable: run bmdump "
	       "selftest again";
}

const char *selftest_status_warning(const struct bm_src *part,
				    const struct bmdump_area_header *h)
{
	struct selftest_summary s;

	selftest_summarize(part, h, &s);
	return selftest_summary_warning(&s);
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
