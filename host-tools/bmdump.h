/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared declarations of the bmdump command: error codes, exit codes, the
 * random-access byte source and sink every parser and writer goes through
 * (a file, a window of a partition, or memory for tests and the fuzzer).
 */
#ifndef BMDUMP_TOOL_H
#define BMDUMP_TOOL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bmdump/version.h>

/* Exit codes (documented in bmdump(8)). */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* failed or refused; the message says why */
#define EXIT_USAGE	2	/* bad command line or configuration */
#define EXIT_NOT_ARMED	3	/* status: a crash would not be captured */
#define EXIT_CORRUPT	4	/* area or dump file corrupt or truncated */

/* Internal error codes; each failure also leaves a message in bm_err. */
#define BM_E_IO		(-1)	/* read/write failed */
#define BM_E_CORRUPT	(-2)	/* malformed or truncated input */
#define BM_E_NOMEM	(-3)
#define BM_E_NOSPACE	(-4)	/* free-space guard or sink full */
#define BM_E_USAGE	(-5)
#define BM_E_REFUSED	(-6)	/* a safety check said no */
#define BM_E_NOTFOUND	(-7)
#define BM_E_EXTERNAL	(-8)	/* a helper program failed */
#define BM_E_NOAREA	(-9)	/* no area header at all */
#define BM_E_NOTDUMP	(-10)	/* another kind of file than a dump */

#define BM_ERR_LEN	512

struct bm_err {
	int code;
	char msg[BM_ERR_LEN];
};

int bm_seterr(struct bm_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int bm_exit_code(int code);

/* Random-access input. read() returns 0 or a negative BM_E_* code. */
struct bm_src {
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	void *ctx;
	uint64_t size;
};

/* Reads [off, off + len) or fails with BM_E_CORRUPT when past src->size. */
int bm_read(const struct bm_src *s, void *buf, size_t len, uint64_t off,
	    struct bm_err *e, const char *what);

struct bm_fdsrc {
	int fd;
	uint64_t base;
};
void bm_src_fd(struct bm_src *s, struct bm_fdsrc *f, int fd, uint64_t base,
	       uint64_t size);

struct bm_memsrc {
	const uint8_t *data;
};
void bm_src_mem(struct bm_src *s, struct bm_memsrc *m, const void *data,
		uint64_t size);

/* A window [off, off + size) of another source. */
struct bm_winsrc {
	const struct bm_src *parent;
	uint64_t off;
};
void bm_src_window(struct bm_src *s, struct bm_winsrc *w,
		   const struct bm_src *parent, uint64_t off, uint64_t size);

/* Random-access output. */
struct bm_sink {
	int (*write)(void *ctx, const void *buf, size_t len, uint64_t off);
	int (*sync)(void *ctx);		/* may be NULL */
	void *ctx;
};

struct bm_fdsink {
	int fd;
	uint64_t base;
};
void bm_sink_fd(struct bm_sink *s, struct bm_fdsink *f, int fd,
		uint64_t base);

/* Growing memory buffer with a cap (tests, fuzzer). */
struct bm_memsink {
	uint8_t *data;
	uint64_t len;
	uint64_t cap;
	uint64_t limit;
};
void bm_sink_mem(struct bm_sink *s, struct bm_memsink *m, uint64_t limit);
void bm_memsink_free(struct bm_memsink *m);

/* util.c */
int parse_size(const char *s, uint64_t *out);	/* 123, 4K, 16M, 1G, 2T */
int parse_u64(const char *s, uint64_t *out);	/* decimal or 0x hex */
void bm_strlcpy(char *dst, const char *src, size_t size);
void format_bytes(uint64_t n, char *out, size_t size);
void format_time(int64_t t, char *out, size_t size);
ssize_t read_fd_text(int fd, char *buf, size_t size);
int read_text_file(const char *path, char *buf, size_t size);
int write_text_file(const char *path, const char *text);
int path_join(char *out, size_t size, const char *a, const char *b);
int is_all_zero(const void *buf, size_t len);
/* A regular file we may execute (KEXEC=, ssh, ...). */
int is_executable_file(const char *path);

#endif /* BMDUMP_TOOL_H */
