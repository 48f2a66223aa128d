// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bmdump.h"

int bm_seterr(struct bm_err *e, int code, const char *fmt, ...)
{
	char buf[BM_ERR_LEN];
	va_list ap;

	/* Into a copy: callers may pass e->msg itself as an argument. */
	if (e) {
		va_start(ap, fmt);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		va_end(ap);
		e->code = code;
		memcpy(e->msg, buf, sizeof(buf));
	}
	return code;
}

int bm_exit_code(int code)
{
	switch (code) {
	case 0:
		return EXIT_OK;
	case BM_E_CORRUPT:
	case BM_E_NOAREA:
		return EXIT_CORRUPT;
	case BM_E_USAGE:
		return EXIT_USAGE;
	}
	return EXIT_FAIL;
}

int bm_read(const struct bm_src *s, void *buf, size_t len, uint64_t off,
	    struct bm_err *e, const char *what)
{
	int r;

	if (off > s->size || len > s->size - off)
		return bm_seterr(e, BM_E_CORRUPT,
				 "%s at offset %llu (+%zu) lies past the end "
				 "(%llu bytes): truncated or corrupt", what,
				 (unsigned long long)off, len,
				 (unsigned long long)s->size);
	r = s->read(s->ctx, buf, len, off);
	if (r)
		return bm_seterr(e, r, "cannot read %s at offset %llu: %s",
				 what, (unsigned long long)off,
				 r == BM_E_IO ? strerror(errno) : "read error");
	return 0;
}

static int fd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct bm_fdsrc *f = ctx;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)(f->base + off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return BM_E_IO;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

void bm_src_fd(struct bm_src *s, struct bm_fdsrc *f, int fd, uint64_t base,
	       uint64_t size)
{
	f->fd = fd;
	f->base = base;
	s->read = fd_read;
	s->ctx = f;
	s->size = size;
}

static int mem_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct bm_memsrc *m = ctx;

	memcpy(buf, m->data + off, len);
	return 0;
}

void bm_src_mem(struct bm_src *s, struct bm_memsrc *m, const void *data,
		uint64_t size)
{
	m->data = data;
	s->read = mem_read;
	s->ctx = m;
	s->size = size;
}

static int win_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	struct bm_winsrc *w = ctx;

	if (off + len > w->parent->size - w->off)
		return BM_E_CORRUPT;
	return w->parent->read(w->parent->ctx, buf, len, w->off + off);
}

void bm_src_window(struct bm_src *s, struct bm_winsrc *w,
		   const struct bm_src *parent, uint64_t off, uint64_t size)
{
	if (off > parent->size)
		off = parent->size;
	if (size > parent->size - off)
		size = parent->size - off;
	w->parent = parent;
	w->off = off;
	s->read = win_read;
	s->ctx = w;
	s->size = size;
}

static int fd_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct bm_fdsink *f = ctx;
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(f->fd, p, len, (off_t)(f->base + off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return errno == ENOSPC ? BM_E_NOSPACE : BM_E_IO;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int fd_sync(void *ctx)
{
	struct bm_fdsink *f = ctx;

	return fsync(f->fd) ? BM_E_IO : 0;
}

void bm_sink_fd(struct bm_sink *s, struct bm_fdsink *f, int fd, uint64_t base)
{
	f->fd = fd;
	f->base = base;
	s->write = fd_write;
	s->sync = fd_sync;
	s->ctx = f;
}

static int mem_write(void *ctx, const void *buf, size_t len, uint64_t off)
{
	struct bm_memsink *m = ctx;
	uint64_t end = off + len;

	if (end < off || end > m->limit)
		return BM_E_NOSPACE;
	if (end > m->cap) {
		uint64_t cap = m->cap ? m->cap : 65536;
		uint8_t *p;

		while (cap < end)
			cap *= 2;
		if (cap > m->limit)
			cap = m->limit;
		p = realloc(m->data, cap);
		if (!p)
			return BM_E_NOMEM;
		memset(p + m->cap, 0, cap - m->cap);
		m->data = p;
		m->cap = cap;
	}
	memcpy(m->data + off, buf, len);
	if (end > m->len)
		m->len = end;
	return 0;
}

void bm_sink_mem(struct bm_sink *s, struct bm_memsink *m, uint64_t limit)
{
	memset(m, 0, sizeof(*m));
	m->limit = limit;
	s->write = mem_write;
	s->sync = NULL;
	s->ctx = m;
}

void bm_memsink_free(struct bm_memsink *m)
{
	free(m->data);
	m->data = NULL;
	m->len = m->cap = 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == ' ')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t v, mul = 1;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 0:
		break;
	case 'k': case 'K':
		mul = 1ull << 10; end++;
		break;
	case 'm': case 'M':
		mul = 1ull << 20; end++;
		break;
	case 'g': case 'G':
		mul = 1ull << 30; end++;
		break;
	case 't': case 'T':
		mul = 1ull << 40; end++;
		break;
	default:
		return -1;
	}
	/* Accept "16M", "16MB", "16MiB". */
	if (mul > 1 && (!strcmp(end, "iB") || !strcmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -1;
	if (v && mul > UINT64_MAX / v)
		return -1;
	*out = v * mul;
	return 0;
}

void bm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

void format_bytes(uint64_t n, char *out, size_t size)
{
	if (n >= (10ull << 30))
		snprintf(out, size, "%.1f GiB", n / (double)(1ull << 30));
	else if (n >= (10ull << 20))
		snprintf(out, size, "%.1f MiB", n / (double)(1ull << 20));
	else if (n >= (10ull << 10))
		snprintf(out, size, "%.1f KiB", n / 1024.0);
	else
		snprintf(out, size, "%llu bytes", (unsigned long long)n);
}

void format_time(int64_t t, char *out, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0 || !localtime_r(&tt, &tm) ||
	    !strftime(out, size, "%Y-%m-%d %H:%M:%S %z", &tm))
		bm_strlcpy(out, t ? "(invalid)" : "(unknown)", size);
}

/* Reads up to size - 1 bytes of fd as a string and closes fd. */
ssize_t read_fd_text(int fd, char *buf, size_t size)
{
	ssize_t n = read(fd, buf, size - 1);

	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* Reads a small text file, strips the trailing newline; -1 if absent. */
int read_text_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read_fd_text(fd, buf, size);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

int write_text_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	if (close(fd) || n != (ssize_t)len)
		return -1;
	return 0;
}

int path_join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s%s%s", a,
			 (*a && a[strlen(a) - 1] != '/' && *b != '/') ? "/" :
			 "", b);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int is_all_zero(const void *buf, size_t len)
{
	const uint64_t *w = buf;
	const uint8_t *p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return 0;
	p = (const uint8_t *)buf + (len & ~(size_t)7);
	for (i = 0; i < (len & 7); i++)
		if (p[i])
			return 0;
	return 1;
}

int is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}
