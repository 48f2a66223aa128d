// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootset.h"

#define BOOTSET_IO_CHUNK	(1u << 20)

int area_carve_boot_slot(struct bmdump_area_header *h, uint64_t slot_bytes,
			 struct bm_err *e)
{
	uint64_t tail = bmdump_selftest_offset(h);

	if (slot_bytes % BMDUMP_BOOTSET_ALIGN ||
	    slot_bytes < BMDUMP_BOOTSET_MIN_SLOT)
		return bm_seterr(e, BM_E_USAGE, "the boot slot must be a "
				 "multiple of 4 KiB and at least %llu MiB",
				 (unsigned long long)
				 (BMDUMP_BOOTSET_MIN_SLOT >> 20));
	/* The dump keeps at least the 1 MiB area_layout() insists on. */
	if (!tail || h->dump_offset + h->dump_capacity != tail ||
	    h->dump_capacity < slot_bytes + AREA_ALIGN)
		return bm_seterr(e, BM_E_REFUSED, "partition too small for a "
				 "boot slot of %llu MiB and a dump",
				 (unsigned long long)(slot_bytes >> 20));
	h->dump_capacity -= slot_bytes;
	area_seal(h);
	return 0;
}

/*
 * Words the next kernel must not see.  elfcorehdr= makes a kernel believe
 * it is a kdump capture kernel (is_kdump_kernel(): /proc/vmcore, no
 * crashkernel reservation of its own), which would stop the next crash
 * being captured.  bmdump.* are the stub's words and the marker the stub
 * adds to say "booted after a capture": a set re-staged from a warm-booted
 * kernel must not carry it into every later boot.  crashkernel= stays:
 * the next kernel must reserve it for bmdump load to re-arm.
 */
static int drop_word(const char *w, size_t len)
{
	static const char *const prefixes[] = { "elfcorehdr=", "bmdump." };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t k = strlen(prefixes[i]);

		if (len >= k && !memcmp(w, prefixes[i], k))
			return 1;
	}
	return len == 10 && !memcmp(w, "elfcorehdr", 10);
}

/* Length of the word at p: spaces separate, double quotes group (as the
 * kernel's next_arg() splits). */
static size_t word_len(const char *p)
{
	int quoted = 0;
	size_t n = 0;

	while (p[n] && (quoted || (p[n] != ' ' && p[n] != '\t' &&
				   p[n] != '\n'))) {
		if (p[n] == '"')
			quoted = !quoted;
		n++;
	}
	return n;
}

int bootset_filter_cmdline(const char *in, char *out, size_t size,
			   unsigned int *dropped, struct bm_err *e)
{
	size_t o = 0, limit = size < BMDUMP_BOOTSET_CMDLINE_MAX ? size :
			      BMDUMP_BOOTSET_CMDLINE_MAX;
	int init_args = 0;	/* after "--": init's, not the kernel's */
	uint64_t tail;

	if (dropped)
		*dropped = 0;
	while (*in) {
		size_t len;

		while (*in == ' ' || *in == '\t' || *in == '\n')
			in++;
		len = word_len(in);
		if (!len)
			break;
		if (!init_args && drop_word(in, len)) {
			if (dropped)
				(*dropped)++;
			in += len;
			continue;
		}
		if (len == 2 && !memcmp(in, "--", 2))
			init_args = 1;
		if (o + !!o + len + 1 > limit)
			return bm_seterr(e, BM_E_USAGE, "the next kernel's "
					 "command line is longer than %zu "
					 "bytes: shorten BOOT_CMDLINE",
					 limit - 1);
		if (o)
			out[o++] = ' ';
		memcpy(out + o, in, len);
		o += len;
		in += len;
	}
	out[o] = 0;
	/* The stub adds its words before "--"; an open quote would eat
	 * them. */
	if (bmdump_bootset_cmdline_tail(out, o, &tail))
		return bm_seterr(e, BM_E_USAGE, "the next kernel's command "
				 "line leaves a quote open: fix BOOT_CMDLINE");
	return 0;
}

int bootset_rearms(const char *cmdline)
{
	static const char word[] = "crashkernel=";
	const char *p = cmdline;
	size_t len;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		len = word_len(p);
		if (!len || (len == 2 && !memcmp(p, "--", 2)))
			return 0;
		if (len > sizeof(word) - 1 &&
		    !memcmp(p, word, sizeof(word) - 1))
			return 1;
		p += len;
	}
}

static uint64_t align_up(uint64_t v)
{
	return (v + BMDUMP_BOOTSET_ALIGN - 1) / BMDUMP_BOOTSET_ALIGN *
	       BMDUMP_BOOTSET_ALIGN;
}

static void set_blob(struct bmdump_bootset_blob *b, uint64_t *next,
		     const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	if (!len)
		return;
	b->offset = *next;
	b->bytes = len;
	b->crc = bmdump_crc32c(0, data, len);
	*next = align_up(*next + len);
}

int bootset_layout(struct bmdump_bootset_header *h, const uint8_t uuid[16],
		   uint64_t slot_bytes, const struct bootset_input *in,
		   struct bm_err *e)
{
	size_t clen = strlen(in->cmdline);
	uint64_t need, next = BMDUMP_BOOTSET_HDR_BYTES;

	if (!in->kernel_len)
		return bm_seterr(e, BM_E_USAGE, "the boot kernel is empty");
	if (clen >= BMDUMP_BOOTSET_CMDLINE_MAX)
		return bm_seterr(e, BM_E_USAGE, "the next kernel's command "
				 "line is longer than %u bytes",
				 BMDUMP_BOOTSET_CMDLINE_MAX - 1);
	need = BMDUMP_BOOTSET_HDR_BYTES + align_up(in->kernel_len) +
	       align_up(clen) + align_up(in->initrd_len);
	if (need > slot_bytes)
		return bm_seterr(e, BM_E_NOSPACE, "the boot set needs %llu "
				 "MiB, the boot slot holds %llu MiB: re-run "
				 "bmdump prepare with a larger --boot-slot",
				 (unsigned long long)((need + (1 << 20) - 1) >>
						      20),
				 (unsigned long long)(slot_bytes >> 20));
	memset(h, 0, sizeof(*h));
	h->magic = BMDUMP_BOOTSET_MAGIC;
	h->version = BMDUMP_BOOTSET_VERSION;
	h->header_bytes = BMDUMP_BOOTSET_HDR_SIZE;
	memcpy(h->area_uuid, uuid, 16);
	h->slot_bytes = slot_bytes;
	h->stage_time = in->now;
	set_blob(&h->kernel, &next, in->kernel, in->kernel_len);
	set_blob(&h->cmdline, &next, in->cmdline, clen);
	set_blob(&h->initrd, &next, in->initrd, in->initrd ? in->initrd_len :
		 0);
	bm_strlcpy(h->release, in->release ? in->release : "",
		   sizeof(h->release));
	h->crc = bmdump_bootset_crc(h);
	return 0;
}

static int write_at(const struct bm_sink *part, const void *buf, size_t len,
		    uint64_t off, struct bm_err *e)
{
	int r = len ? part->write(part->ctx, buf, len, off) : 0;

	if (r)
		return bm_seterr(e, r, "cannot write the boot set");
	return 0;
}

static int sync_sink(const struct bm_sink *part, struct bm_err *e)
{
	if (part->sync && part->sync(part->ctx))
		return bm_seterr(e, BM_E_IO, "cannot flush the boot set");
	return 0;
}

int bootset_stage(const struct bm_sink *part,
		  const struct bmdump_area_header *ah,
		  const struct bootset_input *in,
		  struct bmdump_bootset_header *h, struct bm_err *e)
{
	uint8_t block[BMDUMP_BOOTSET_HDR_BYTES];
	uint64_t slot, slot_bytes;
	int r;

	r = bmdump_bootset_slot(ah, &slot, &slot_bytes);
	if (r)
		return bm_seterr(e, BM_E_REFUSED, "%s",
				 bmdump_bootset_strerror(r));
	r = bootset_layout(h, ah->area_uuid, slot_bytes, in, e);
	if (r)
		return r;
	memset(block, 0, sizeof(block));
	r = write_at(part, block, sizeof(block), slot, e);
	if (!r)
		r = sync_sink(part, e);
	if (!r)
		r = write_at(part, in->kernel, in->kernel_len,
			     slot + h->kernel.offset, e);
	if (!r)
		r = write_at(part, in->cmdline, h->cmdline.bytes,
			     slot + h->cmdline.offset, e);
	if (!r)
		r = write_at(part, in->initrd, h->initrd.bytes,
			     slot + h->initrd.offset, e);
	if (!r)
		r = sync_sink(part, e);
	if (r)
		return r;
	memcpy(block, h, sizeof(*h));
	r = write_at(part, block, sizeof(block), slot, e);
	return r ? r : sync_sink(part, e);
}

/* CRC32C of a blob read back in chunks. */
static int blob_verify(const struct bm_src *part, uint64_t slot,
		       const struct bmdump_bootset_blob *b, const char *what,
		       struct bm_err *e)
{
	uint8_t *buf;
	uint64_t done = 0;
	uint32_t crc = 0;
	int r = 0;

	if (!b->bytes)
		return 0;
	buf = malloc(BOOTSET_IO_CHUNK);
	if (!buf)
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	while (!r && done < b->bytes) {
		size_t n = b->bytes - done < BOOTSET_IO_CHUNK ?
			   (size_t)(b->bytes - done) : BOOTSET_IO_CHUNK;

		r = bm_read(part, buf, n, slot + b->offset + done, e, what);
		crc = bmdump_crc32c(crc, buf, n);
		done += n;
	}
	free(buf);
	if (!r && bmdump_bootset_blob_verify(b, crc))
		r = bm_seterr(e, BM_E_CORRUPT, "boot set %s: %s", what,
			      bmdump_bootset_strerror(
				      BMDUMP_BOOTSET_E_BLOB_CRC));
	return r;
}

int bootset_read(const struct bm_src *part,
		 const struct bmdump_area_header *ah,
		 struct bmdump_bootset_header *h, int verify,
		 struct bm_err *e)
{
	uint64_t slot, slot_bytes;
	int r;

	r = bmdump_bootset_slot(ah, &slot, &slot_bytes);
	if (r)
		return bm_seterr(e, BM_E_NOTFOUND, "%s",
				 bmdump_bootset_strerror(r));
	r = bm_read(part, h, sizeof(*h), slot, e, "boot set header");
	if (r)
		return r;
	r = bmdump_bootset_check(h, slot_bytes, ah->area_uuid);
	if (r == BMDUMP_BOOTSET_E_MAGIC)
		return bm_seterr(e, BM_E_NOTFOUND, "%s",
				 bmdump_bootset_strerror(r));
	if (r)
		return bm_seterr(e, BM_E_CORRUPT, "%s",
				 bmdump_bootset_strerror(r));
	if (!verify)
		return 0;
	r = blob_verify(part, slot, &h->kernel, "kernel", e);
	if (!r)
		r = blob_verify(part, slot, &h->cmdline, "command line", e);
	if (!r)
		r = blob_verify(part, slot, &h->initrd, "initrd", e);
	return r;
}

int bootset_read_file(const char *path, size_t max, uint8_t **buf,
		      size_t *len, struct bm_err *e)
{
	struct stat st;
	uint8_t *b;
	size_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return bm_seterr(e, errno == ENOENT ? BM_E_NOTFOUND : BM_E_IO,
				 "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > max) {
		close(fd);
		return bm_seterr(e, BM_E_USAGE, "%s is not a regular file of "
				 "at most %zu MiB", path, max >> 20);
	}
	b = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!b) {
		close(fd);
		return bm_seterr(e, BM_E_NOMEM, "out of memory");
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r <= 0) {
			close(fd);
			free(b);
			return bm_seterr(e, BM_E_IO, "cannot read %s", path);
		}
		n += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
}

int bootset_source(const struct bm_config *c, const char *root,
		   const char *release, struct bootset_source *s,
		   struct bm_err *e)
{
	char raw[BMDUMP_BOOTSET_CMDLINE_MAX * 2], path[CONFIG_PATH_MAX + 64];

	memset(s, 0, sizeof(*s));
	if ((!c->boot_kernel[0] || (!c->boot_initrd[0] &&
				    !c->boot_no_initrd)) && !*release)
		return bm_seterr(e, BM_E_NOTFOUND, "the running kernel's "
				 "release is unknown: set BOOT_KERNEL and "
				 "BOOT_INITRD");
	if (c->boot_kernel[0])
		bm_strlcpy(s->kernel, c->boot_kernel, sizeof(s->kernel));
	else
		snprintf(s->kernel, sizeof(s->kernel), "%s/boot/vmlinuz-%s",
			 root, release);
	if (c->boot_initrd[0])
		bm_strlcpy(s->initrd, c->boot_initrd, sizeof(s->initrd));
	else if (!c->boot_no_initrd) {
		snprintf(path, sizeof(path), "%s/boot/initrd.img-%s", root,
			 release);
		if (!access(path, R_OK))
			bm_strlcpy(s->initrd, path, sizeof(s->initrd));
	}
	if (c->has_boot_cmdline) {
		bm_strlcpy(raw, c->boot_cmdline, sizeof(raw));
	} else {
		snprintf(path, sizeof(path), "%s/proc/cmdline", root);
		if (read_text_file(path, raw, sizeof(raw)))
			return bm_seterr(e, BM_E_IO, "cannot read %s: set "
					 "BOOT_CMDLINE", path);
	}
	return bootset_filter_cmdline(raw, s->cmdline, sizeof(s->cmdline),
				      &s->dropped, e);
}
