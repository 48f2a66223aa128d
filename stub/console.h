/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_CONSOLE_H
#define STUB_CONSOLE_H

#include "bmdump/types.h"

#define CONSOLE_LOG_BYTES	(64u << 10)

/* COM1, 115200 8N1; output is dropped if no UART answers. */
void console_init(void);

/* One line: "bmdump: " + the message + newline, to serial and the log. */
void bmlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Everything logged so far (for the dump area's log region). */
const char *console_log(size_t *len);

/* The same, as the physical address of the page-aligned buffer. */
uint64_t console_log_pa(size_t *len);

#endif /* STUB_CONSOLE_H */
