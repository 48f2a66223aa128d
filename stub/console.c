// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include "console.h"
#include "io.h"
#include "printf.h"
#include "str.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (DLAB 0) */
#define UART_DLL	0	/* divisor low (DLAB 1) */
#define UART_IER	1
#define UART_DLM	1
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_SCR	7
#define UART_LCR_DLAB	0x80
#define UART_LCR_8N1	0x03
#define UART_FCR_ENABLE_CLEAR	0x07
#define UART_MCR_DTR_RTS	0x03
#define UART_LSR_THRE	0x20
#define UART_DIVISOR_115200	1
/* A byte at 115200 baud takes 87 us; give up on a stuck UART long after. */
#define UART_TX_SPINS	200000

static int serial_ok;
static int serial_dead;
/* Page aligned: it is written to the dump area straight from here. */
static char log_buf[CONSOLE_LOG_BYTES] __attribute__((aligned(4096)));
static size_t log_len;

void console_init(void)
{
	/* The scratch register holds what we write if a UART is there. */
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, UART_LCR_DLAB);
	outb(COM1 + UART_DLL, UART_DIVISOR_115200);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, UART_LCR_8N1);
	outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
	serial_ok = 1;
}

static void serial_putc(char c)
{
	unsigned int spins = 0;

	if (!serial_ok || serial_dead)
		return;
	while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE)) {
		if (++spins > UART_TX_SPINS) {
			serial_dead = 1;	/* never hang on a console */
			return;
		}
		cpu_relax();
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void emit(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
		if (log_len < sizeof(log_buf))
			log_buf[log_len++] = s[i];
	}
}

void bmlog(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	emit("bmdump: ", 8);
	emit(line, (size_t)n);
	emit("\n", 1);
}

const char *console_log(size_t *len)
{
	*len = log_len;
	return log_buf;
}

uint64_t console_log_pa(size_t *len)
{
	*len = log_len;
	return (uint64_t)(uintptr_t)log_buf;
}
