// SPDX-License-Identifier: GPL-2.0
/*
 * bmdump-selftest.efi, the stub half (see selftest.h): the stub's own
 * storage path, run on the controllers the firmware let go of.  It parses
 * the options and finds the area as the stub does, then writes a pattern
 * into the area's self-test tail (include/bmdump/area.h), never anywhere
 * else and never while the area holds a dump nobody saved, reads it back
 * through the same driver, and leaves a report (include/bmdump/selftest.h)
 * at the start of that tail.
 */
#include "selftest.h"
#include "acpi.h"
#include "blkdev.h"
#include "bmdump/cmdline.h"
#include "bmdump/selftest.h"
#include "bmdump/version.h"
#include "console.h"
#include "dma.h"
#include "drivers/pci.h"
#include "drivers/storage.h"
#include "dump_area.h"
#include "errors.h"
#include "io.h"
#include "iommu.h"
#include "printf.h"
#include "str.h"
#include "timer.h"

#define MAX_DEVS	16
#define MAX_ERRORS	16
#define WRITE_PASSES	8	/* of the scratch, for a throughput figure */
#define READ_CHUNK	(256u << 10)
#define PATTERN_MUL	0x9e3779b97f4a7c15ull	/* golden ratio, odd */
#define PCI_BASE_CLASS_STORAGE	0x01	/* class code bits 23:16 */

static struct {
	char text[BMDUMP_REPORT_TEXT_MAX];
	size_t len;
	int codes[MAX_ERRORS];
	unsigned int nr_err;
	int judged;		/* the verdict line is in */
} rep;

struct figures {
	uint64_t pci_us, init_us, area_us, write_us, flush_us, read_us;
	uint64_t bytes;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line of the report, also on the serial console and the stub log. */
static void say(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(rep.text + rep.len, sizeof(rep.text) - rep.len - 1,
			 fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	bmlog("selftest: %s", rep.text + rep.len);
	rep.len += (size_t)n < sizeof(rep.text) - rep.len - 2 ?
		   (size_t)n : sizeof(rep.text) - rep.len - 2;
	rep.text[rep.len++] = '\n';
	rep.text[rep.len] = 0;
}

static void fail(int code, const char *stage)
{
	if (rep.nr_err < MAX_ERRORS)
		rep.codes[rep.nr_err++] = code;
	say("error %d in %s: %s", code, stage, stub_strerror(code));
}

int selftest_is_storage(uint16_t vendor, uint16_t device, uint32_t class,
			uint8_t hdr_type)
{
	struct pci_dev d = { .vendor = vendor, .device = device,
			     .class = class, .hdr_type = hdr_type };

	return storage_kind(&d) != STORAGE_NONE;
}

static uint64_t pattern_word(uint64_t seed, uint64_t area_off)
{
	return seed ^ (area_off * PATTERN_MUL);
}

static void fill_pattern(uint64_t *buf, uint64_t len, uint64_t seed,
			 uint64_t off)
{
	uint64_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = pattern_word(seed, off + i * 8);
}

/* Read [off, off + len) back chunk by chunk; the first bad byte or 0. */
static int verify(struct dump_area *a, uint64_t off, const uint8_t *want,
		  uint64_t len, uint64_t rbuf, uint64_t *bad)
{
	struct blkdev *d = a->dev;
	uint32_t chunk = d->max_io_bytes < READ_CHUNK ? d->max_io_bytes :
			 READ_CHUNK;
	uint64_t done, i;
	int err;

	for (done = 0; done < len; done += chunk) {
		uint32_t n = len - done < chunk ? (uint32_t)(len - done) :
			     chunk;
		const uint8_t *got = (const uint8_t *)(uintptr_t)rbuf;

		err = d->read(d, a->part.first_lba + (off + done) /
			      d->block_size, rbuf, n);
		if (err)
			return err;
		if (!memcmp(got, want + done, n))
			continue;
		for (i = 0; i < n && got[i] == want[done + i]; i++)
			;
		*bad = off + done + i;
		return E_ST_VERIFY;
	}
	return 0;
}

/*
 * The scratch test: WRITE_PASSES writes of the whole scratch queued at the
 * stub's in-flight depth, one flush, then a read-back and compare.
 */
static void scratch_test(struct dump_area *a, uint64_t off, uint64_t len,
			 struct figures *f)
{
	uint64_t buf = dma_alloc(len, 4096), rbuf = dma_alloc(READ_CHUNK, 4096);
	uint64_t seed = rdtsc() | 1, t, bad = 0;
	unsigned int p;
	int err = 0;

	if (!buf || !rbuf) {
		fail(E_ST_NO_MEMORY, "scratch");
		return;
	}
	fill_pattern((uint64_t *)(uintptr_t)buf, len, seed, off);
	t = rdtsc();
	for (p = 0; p < WRITE_PASSES && !err; p++)
		err = dump_area_write_buf(a, off, buf, len);
	if (!err)
		err = a->dev->wait_idle(a->dev);
	f->write_us = timer_us_since(t);
	f->bytes = (uint64_t)p * len;
	if (err) {
		fail(err, "write");
		return;
	}
	t = rdtsc();
	err = a->dev->flush(a->dev);
	f->flush_us = timer_us_since(t);
	if (err) {
		fail(err, "flush");
		return;
	}
	t = rdtsc();
	err = verify(a, off, (const uint8_t *)(uintptr_t)buf, len, rbuf, &bad);
	f->read_us = timer_us_since(t);
	if (err == E_ST_VERIFY)
		say("verify: first difference at area offset %llu",
		    (unsigned long long)bad);
	if (err)
		fail(err, "read back");
	else
		say("verify: %llu bytes read back intact",
		    (unsigned long long)len);
}

static void describe_area(const struct dump_area *a)
{
	const struct pci_dev *pd = storage_pdev_of(a->dev);
	char uuid[37], name[16];

	bmdump_uuid_format(a->hdr->area_uuid, uuid);
	say("area: %s on %s partition %u, %llu MiB, state %u, generation %llu",
	    uuid, a->dev->name, a->part.index,
	    (unsigned long long)(a->part_bytes >> 20), a->hdr->state,
	    (unsigned long long)a->hdr->generation);
	if (pd)
		say("controller: pci %s %04x:%04x class %06x, %s, %u-byte "
		    "blocks, %llu blocks, largest i/o %u KiB",
		    pci_name(pd, name), pd->vendor, pd->device, pd->class,
		    a->dev->name, a->dev->block_size,
		    (unsigned long long)a->dev->nr_blocks,
		    a->dev->max_io_bytes >> 10);
}

/* The report block at the start of the tail: struct, then the text. */
static int write_report(struct dump_area *a, uint64_t tail,
			const struct selftest_fw *fw, const struct figures *f)
{
	uint64_t pa = dma_alloc(BMDUMP_SELFTEST_REPORT_BYTES, 4096);
	struct bmdump_selftest_report *r = (void *)(uintptr_t)pa;
	int err;

	if (!pa)
		return E_ST_NO_MEMORY;
	r->magic = BMDUMP_REPORT_MAGIC;
	r->version = BMDUMP_REPORT_VERSION;
	r->header_bytes = sizeof(*r);
	memcpy(r->area_uuid, a->hdr->area_uuid, 16);
	r->verdict = rep.nr_err ? BMDUMP_VERDICT_FAIL : BMDUMP_VERDICT_PASS;
	r->error = rep.nr_err ? rep.codes[0] : 0;
	r->generation = a->hdr->generation;
	r->write_bytes = f->bytes;
	r->write_kbps = f->write_us ? f->bytes * 1000000 / 1024 / f->write_us
				    : 0;
	r->run_time = fw->now;
	r->text_bytes = (uint32_t)rep.len;
	memcpy((uint8_t *)r + BMDUMP_REPORT_TEXT_OFF, rep.text, rep.len);
	bmdump_report_seal(r);
	err = dump_area_write_buf(a, tail, pa, BMDUMP_SELFTEST_REPORT_BYTES);
	return err ? err : a->dev->flush(a->dev);
}

static void say_figures(const struct figures *f)
{
	say("figures: pci %llu us, storage init %llu us, area %llu us, "
	    "write %llu bytes in %llu us (%llu MB/s, %u passes), flush %llu "
	    "us, read back %llu us",
	    (unsigned long long)f->pci_us, (unsigned long long)f->init_us,
	    (unsigned long long)f->area_us, (unsigned long long)f->bytes,
	    (unsigned long long)f->write_us,
	    (unsigned long long)(f->write_us ? f->bytes / f->write_us : 0),
	    WRITE_PASSES, (unsigned long long)f->flush_us,
	    (unsigned long long)f->read_us);
}

static void say_verdict(void)
{
	unsigned int i;

	rep.judged = 1;
	if (!rep.nr_err) {
		say("verdict: pass");
		return;
	}
	say("verdict: FAIL (%u errors, first %d: %s)", rep.nr_err,
	    rep.codes[0], stub_strerror(rep.codes[0]));
	for (i = 0; i < rep.nr_err; i++)
		say("error %d: %s", rep.codes[i], stub_strerror(rep.codes[i]));
}

/*
 * Mass-storage functions the stub has no driver for (virtio-scsi, RAID
 * HBAs, ...): an area behind one is invisible to the stub, and the
 * operator needs the controller named, not just "area not found".
 */
static void say_undrivable(void)
{
	unsigned int i, n;
	struct pci_dev *d = pci_devices(&n);
	char name[16];

	for (i = 0; d && i < n; i++) {
		if (d[i].class >> 16 != PCI_BASE_CLASS_STORAGE ||
		    storage_kind(&d[i]) != STORAGE_NONE)
			continue;
		say("no driver: pci %s %04x:%04x class %06x, a storage "
		    "controller the stub cannot drive: a dump area behind it "
		    "cannot be used", pci_name(&d[i], name), d[i].vendor,
		    d[i].device, d[i].class);
	}
}

/* PCI, the IOMMU stage, the controllers, the area: as the stub does. */
static int find_area(const struct selftest_fw *fw,
		     const struct stub_options *o, struct dump_area *a,
		     struct figures *f)
{
	static struct blkdev devs[MAX_DEVS];
	static struct acpi_info ai;
	unsigned int n;
	uint64_t t;
	int err;

	if (acpi_init(&ai, 0, 0, fw->systab) == 0) {
		acpi_parse_fadt(&ai);
		if (timer_calibrate(ai.pm_tmr_port, ai.pm_tmr_32bit) == 0)
			say("timer: tsc %llu kHz",
			    (unsigned long long)timer_tsc_khz());
	}
	err = storage_scan(&ai);
	say_undrivable();
	if (err)
		return err;
	iommu_quiesce(ai.sdt ? &ai : NULL);
	err = storage_probe_scanned(devs, MAX_DEVS, &n);
	storage_times(&f->pci_us, &f->init_us);
	if (err)
		return err;
	t = rdtsc();
	err = dump_area_find(devs, n, o, a);
	f->area_us = timer_us_since(t);
	storage_quiesce_except(err ? NULL : a->dev);
	return err;
}

static void test_area(const struct selftest_fw *fw,
		      const struct stub_options *o, struct figures *f)
{
	static struct dump_area a;
	uint64_t tail;
	int err;

	err = find_area(fw, o, &a, f);
	if (err) {
		fail(err, "area");
		return;
	}
	describe_area(&a);
	tail = bmdump_selftest_offset(a.hdr);
	if (!tail) {
		fail(E_ST_NO_TAIL, "area");
		return;
	}
	say("scratch: area offset %llu, %u KiB (report block first)",
	    (unsigned long long)tail, BMDUMP_SELFTEST_BYTES >> 10);
	scratch_test(&a, tail + BMDUMP_SELFTEST_REPORT_BYTES,
		     BMDUMP_SELFTEST_BYTES - BMDUMP_SELFTEST_REPORT_BYTES, f);
	say_figures(f);
	say_verdict();
	err = write_report(&a, tail, fw, f);
	if (err) {
		/* Too late for the block itself: the console says it. */
		say("error %d writing the report: %s", err,
		    stub_strerror(err));
		return;
	}
	bmlog("selftest: report written at area offset %llu",
	      (unsigned long long)tail);
	err = a.dev->shutdown(a.dev);
	if (err)
		bmlog("warning: %s", stub_strerror(err));
}

static void say_header(const struct selftest_fw *fw)
{
	say("bmdump-selftest " BMDUMP_VERSION " report");
	say("machine: %s", fw->machine);
	say("firmware: %s rev 0x%08x, secure boot %s", fw->vendor,
	    fw->revision, fw->secure_boot < 0 ? "unknown" :
	    fw->secure_boot ? "on" : "off");
	say("options: %s", fw->options);
	say("controllers released by the firmware: %u", fw->released);
}

void selftest_run(const struct selftest_fw *fw, struct selftest_out *out)
{
	static struct stub_options o;
	struct figures f = { 0 };
	const char *v;
	size_t len;
	int err;

	timer_init(rdtsc());
	console_init();
	say_header(fw);
	err = stub_options_parse(fw->options, &o);
	if (err && err != E_CMD_NO_ELFCOREHDR)
		fail(err, "options");
	out->reset = cmdline_find(fw->options, "bmdump.selftest_final", &v,
				  &len) && len == 5 && !memcmp(v, "reset", 5);
	/* Never over an unsaved dump, whatever the options say. */
	o.overwrite = 0;
	if (fw->release_err)
		fail(E_ST_RELEASE, "takeover");
	else if (!o.has_area)
		fail(E_ST_NO_UUID, "options");
	else
		test_area(fw, &o, &f);
	if (!rep.judged)
		say_verdict();
	out->text = rep.text;
	out->verdict = rep.nr_err ? BMDUMP_VERDICT_FAIL : BMDUMP_VERDICT_PASS;
}
