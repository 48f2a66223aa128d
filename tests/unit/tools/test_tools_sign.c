// SPDX-License-Identifier: GPL-2.0
/*
 * The stub's signature as host-tools/sign.c reads it: a synthetic PE32+
 * image with a WIN_CERTIFICATE holding a hand-built PKCS#7 SignedData, then
 * every truncation and every corrupted byte of it (under ASan/UBSan: no
 * read outside the buffer, whatever the bytes say).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sign.h"

#define IMG_SIZE	0x400
#define PE_AT		0x40
#define OPT_AT		(PE_AT + 24)
#define CERT_DIR_AT	(OPT_AT + 112 + 8 * 4)
#define CERT_AT		0x200

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof(o->b));
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

/* DER TLV around inner (short or one-byte long form is all we need). */
static void tlv(struct buf *o, uint8_t tag, const struct buf *inner)
{
	uint8_t h[3] = { tag };

	if (inner->n < 0x80) {
		h[1] = (uint8_t)inner->n;
		put(o, h, 2);
	} else {
		assert_true(inner->n < 0x100);
		h[1] = 0x81;
		h[2] = (uint8_t)inner->n;
		put(o, h, 3);
	}
	put(o, inner->b, inner->n);
}

static void raw_tlv(struct buf *o, uint8_t tag, const void *p, size_t n)
{
	struct buf in = { .n = 0 };

	put(&in, p, n);
	tlv(o, tag, &in);
}

static void name(struct buf *o, const uint8_t *oid, const char *value)
{
	struct buf atv = { .n = 0 }, seq = { .n = 0 }, set = { .n = 0 };

	raw_tlv(&atv, 0x06, oid, 3);
	raw_tlv(&atv, 0x0c, value, strlen(value));
	tlv(&seq, 0x30, &atv);
	tlv(&set, 0x31, &seq);
	tlv(o, 0x30, &set);
}

static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 };
static const uint8_t oid_o[] = { 0x55, 0x04, 0x0a };

/* ContentInfo { signedData, [0] { SignedData { 1, {}, {}, [0] { cert } } } }
 * with cert = { tbs { [0] v3, serial, alg, issuer, validity, subject } } */
static void pkcs7(struct buf *o, const uint8_t *oid, const char *subject)
{
	static const uint8_t signed_data[] = {
		0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
	static const uint8_t v3[] = { 0x02, 0x01, 0x02 }, one = 1;
	struct buf tbs = { .n = 0 }, cert = { .n = 0 }, certs = { .n = 0 };
	struct buf sd = { .n = 0 }, sdseq = { .n = 0 }, ex = { .n = 0 };
	struct buf ci = { .n = 0 }, empty = { .n = 0 };

	raw_tlv(&tbs, 0xa0, v3, sizeof(v3));
	raw_tlv(&tbs, 0x02, &one, 1);
	tlv(&tbs, 0x30, &empty);
	name(&tbs, oid_cn, "issuer");
	tlv(&tbs, 0x30, &empty);
	name(&tbs, oid, subject);
	tlv(&cert, 0x30, &tbs);
	tlv(&certs, 0x30, &cert);
	raw_tlv(&sd, 0x02, &one, 1);
	tlv(&sd, 0x31, &empty);
	tlv(&sd, 0x30, &empty);
	tlv(&sd, 0xa0, &certs);
	tlv(&sdseq, 0x30, &sd);
	tlv(&ex, 0xa0, &sdseq);
	raw_tlv(&ci, 0x06, signed_data, sizeof(signed_data));
	put(&ci, ex.b, ex.n);
	tlv(o, 0x30, &ci);
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* MZ, PE32+ with 6 data directories; signed: a certificate at CERT_AT. */
static size_t image(uint8_t *img, int signed_, const uint8_t *oid,
		    const char *subject)
{
	struct buf p = { .n = 0 };
	size_t wlen;

	memset(img, 0, IMG_SIZE);
	img[0] = 'M';
	img[1] = 'Z';
	le32(img + 0x3c, PE_AT);
	memcpy(img + PE_AT, "PE\0\0", 4);
	img[OPT_AT] = 0x0b;
	img[OPT_AT + 1] = 0x02;
	le32(img + OPT_AT + 108, 6);
	if (!signed_)
		return CERT_AT;
	pkcs7(&p, oid, subject);
	wlen = 8 + p.n;
	assert_true(CERT_AT + wlen <= IMG_SIZE);
	le32(img + CERT_AT, (uint32_t)wlen);
	img[CERT_AT + 5] = 0x02;		/* revision 2.0 */
	img[CERT_AT + 6] = 0x02;		/* PKCS_SIGNED_DATA */
	memcpy(img + CERT_AT + 8, p.b, p.n);
	wlen = (wlen + 7) & ~(size_t)7;
	le32(img + CERT_DIR_AT, CERT_AT);
	le32(img + CERT_DIR_AT + 4, (uint32_t)wlen);
	return CERT_AT + wlen;
}

static void test_signed_names_cn_then_o(void **state)
{
	uint8_t img[IMG_SIZE];
	struct stub_sig s;
	size_t n = image(img, 1, oid_cn, "db key 2026");

	assert_int_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_SIGNED);
	assert_string_equal(s.signer, "db key 2026");
	n = image(img, 1, oid_o, "Example Org");
	assert_int_equal(stub_sig_parse(img, n, &s), 0);
	assert_string_equal(s.signer, "Example Org");
	/* Control characters never reach a terminal or the JSON. */
	n = image(img, 1, oid_cn, "a\033[2Jb");
	assert_int_equal(stub_sig_parse(img, n, &s), 0);
	assert_string_equal(s.signer, "a?[2Jb");
}

static void test_unsigned_and_not_pe(void **state)
{
	uint8_t img[IMG_SIZE];
	struct stub_sig s;
	size_t n = image(img, 0, NULL, NULL);

	assert_int_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_UNSIGNED);
	img[OPT_AT] = 0x0b;
	img[OPT_AT + 1] = 0x01;			/* PE32, not PE32+ */
	assert_int_not_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_NOT_PE);
	img[0] = 0;
	assert_int_not_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_NOT_PE);
}

static void test_cert_table_out_of_bounds(void **state)
{
	uint8_t img[IMG_SIZE];
	struct stub_sig s;
	size_t n = image(img, 1, oid_cn, "x");

	le32(img + CERT_DIR_AT, 0xfffffff0);
	assert_int_not_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_SIGNED);
	assert_string_equal(s.signer, "");
	le32(img + 0x3c, 0xfffffff0);		/* e_lfanew past the end */
	assert_int_not_equal(stub_sig_parse(img, n, &s), 0);
	assert_int_equal(s.state, STUB_SIG_NOT_PE);
}

/* Each prefix, in a buffer of exactly that size so ASan sees any overrun. */
static void test_every_truncation(void **state)
{
	uint8_t img[IMG_SIZE], *cut;
	struct stub_sig s;
	size_t n = image(img, 1, oid_cn, "signer"), len;

	for (len = 0; len < n; len++) {
		cut = malloc(len ? len : 1);
		assert_non_null(cut);
		memcpy(cut, img, len);
		stub_sig_parse(cut, len, &s);
		assert_true(s.state != STUB_SIG_SIGNED || len >= CERT_DIR_AT);
		assert_true(strlen(s.signer) < sizeof(s.signer));
		free(cut);
	}
}

static void test_every_corrupted_byte(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x7f, 0x80, 0x81, 0x84, 0x85,
					0xff };
	uint8_t img[IMG_SIZE], *copy;
	struct stub_sig s;
	size_t n = image(img, 1, oid_cn, "signer"), i, v;

	copy = malloc(n);
	assert_non_null(copy);
	for (i = 0; i < n; i++) {
		for (v = 0; v < sizeof(vals); v++) {
			memcpy(copy, img, n);
			copy[i] = vals[v];
			stub_sig_parse(copy, n, &s);
			assert_true(strlen(s.signer) < sizeof(s.signer));
		}
	}
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_names_cn_then_o),
		cmocka_unit_test(test_unsigned_and_not_pe),
		cmocka_unit_test(test_cert_table_out_of_bounds),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_corrupted_byte),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
