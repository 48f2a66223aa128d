// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <bmdump/kdump.h>

#include "bmdump.h"
#include "estimate.h"

/* One "key value" line at p; the value is all digits. */
static int dry_line(const char *p, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	char num[24];
	size_t i;

	if (strncmp(p, key, n) || p[n] != ' ')
		return 0;
	p += n + 1;
	for (i = 0; i + 1 < sizeof(num) && p[i] >= '0' && p[i] <= '9'; i++)
		num[i] = p[i];
	num[i] = 0;
	if (!i || (p[i] && p[i] != '\n') || parse_u64(num, v))
		return -1;
	return 1;
}

int dry_run_parse(const char *text, struct dry_run *d)
{
	const char *p = text;
	uint64_t v;

	memset(d, 0, sizeof(*d));
	while (p && *p) {
		if (dry_line(p, "pages_set", &d->pages_set) == 1)
			d->seen |= DRY_PAGES;
		else if (dry_line(p, "max_pfn", &d->max_pfn) == 1)
			d->seen |= DRY_MAX_PFN;
		else if (dry_line(p, "dump_level", &v) == 1 && v <= 31) {
			d->dump_level = (unsigned int)v;
			d->seen |= DRY_LEVEL;
		} else {
			dry_line(p, "hole", &d->holes);
			dry_line(p, "fill_us", &d->fill_us);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if ((d->seen & DRY_NEEDED) != DRY_NEEDED ||
	    d->pages_set > d->max_pfn || d->holes > d->max_pfn)
		return -1;
	return 0;
}

uint64_t estimate_image_bytes(uint64_t max_pfn, uint64_t pages)
{
	struct kdump_layout l;

	if (kdump_layout_compute(&l, 4096, max_pfn, ESTIMATE_NOTE_BYTES,
				 pages, pages))
		return 0;
	return l.total_bytes;
}
