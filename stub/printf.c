// SPDX-License-Identifier: GPL-2.0
#include "printf.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_number(struct out *o, uint64_t v, int neg, unsigned base,
			int upper, int width, int prec, int left, int zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	while (n < prec && n < (int)sizeof(tmp))
		tmp[n++] = '0';
	len = n + neg;
	if (!left && !zero)
		pad(o, ' ', width - len);
	if (neg)
		put(o, '-');
	if (!left && zero)
		pad(o, '0', width - len);
	while (n)
		put(o, tmp[--n]);
	if (left)
		pad(o, ' ', width - len);
}

/* One conversion's flags, width, precision and length modifier. */
struct spec {
	int left, zero, width, prec, lng;
};

static int parse_decimal(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

/* Reads "%-0*.*ll" up to the conversion letter, which *fmt points at. */
static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; (*fmt)++) {
		if (**fmt == '-')
			sp->left = 1;
		else if (**fmt == '0')
			sp->zero = 1;
		else
			break;
	}
	if (**fmt == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = 1;
			sp->width = -sp->width;
		}
		(*fmt)++;
	} else {
		sp->width = parse_decimal(fmt);
	}
	if (**fmt == '.') {
		(*fmt)++;
		if (**fmt == '*') {
			sp->prec = va_arg(*ap, int);
			(*fmt)++;
		} else {
			sp->prec = parse_decimal(fmt);
		}
	}
	for (;; (*fmt)++) {
		if (**fmt == 'l')
			sp->lng++;
		else if (**fmt == 'z')
			sp->lng = 2;
		else if (**fmt == 'h')
			sp->lng--;
		else
			break;
	}
}

static void emit_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	int64_t s;
	uint64_t u;

	if (sp->lng >= 1)
		s = sp->lng >= 2 ? va_arg(*ap, long long) : va_arg(*ap, long);
	else
		s = va_arg(*ap, int);
	if (sp->lng == -1)
		s = (short)s;
	else if (sp->lng <= -2)
		s = (signed char)s;
	u = s < 0 ? -(uint64_t)s : (uint64_t)s;
	emit_number(o, u, s < 0, 10, 0, sp->width, sp->prec, sp->left,
		    sp->zero);
}

static void emit_unsigned(struct out *o, const struct spec *sp, char conv,
			  va_list *ap)
{
	uint64_t u;

	if (sp->lng >= 1)
		u = sp->lng >= 2 ? va_arg(*ap, unsigned long long) :
				   va_arg(*ap, unsigned long);
	else
		u = va_arg(*ap, unsigned int);
	if (sp->lng == -1)
		u = (unsigned short)u;
	else if (sp->lng <= -2)
		u = (unsigned char)u;
	emit_number(o, u, 0, conv == 'u' ? 10 : 16, conv == 'X', sp->width,
		    sp->prec, sp->left, sp->zero);
}

static void emit_string(struct out *o, const struct spec *sp, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	/* The precision bounds the read: no NUL is needed. */
	while ((sp->prec < 0 || n < sp->prec) && str[n])
		n++;
	if (!sp->left)
		pad(o, ' ', sp->width - n);
	for (int i = 0; i < n; i++)
		put(o, str[i]);
	if (sp->left)
		pad(o, ' ', sp->width - n);
}

int bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list aq;

	/* A copy whose address the helpers can take on every ABI. */
	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		parse_spec(&fmt, &aq, &sp);
		switch (*fmt) {
		case 'd':
		case 'i':
			emit_signed(&o, &sp, &aq);
			break;
		case 'u':
		case 'x':
		case 'X':
			emit_unsigned(&o, &sp, *fmt, &aq);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			emit_number(&o, (uintptr_t)va_arg(aq, void *), 0, 16, 0,
				    sp.width, sp.prec, sp.left, sp.zero);
			break;
		case 'c':
			pad(&o, ' ', sp.left ? 0 : sp.width - 1);
			put(&o, (char)va_arg(aq, int));
			pad(&o, ' ', sp.left ? sp.width - 1 : 0);
			break;
		case 's':
			emit_string(&o, &sp, va_arg(aq, const char *));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int bm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = bm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
