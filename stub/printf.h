/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STUB_PRINTF_H
#define STUB_PRINTF_H

#include <stdarg.h>
#include "bmdump/types.h"

/*
 * A small vsnprintf: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width
 * and a precision (also '*'), length modifiers hh h l ll z.  Always
 * NUL-terminates when size > 0; returns the length it would have written.
 */
int bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int bm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* STUB_PRINTF_H */
