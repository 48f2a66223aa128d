// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the stub's PE certificate table (Microsoft PE format: optional
 * header data directory 4, WIN_CERTIFICATE) and the first certificate of
 * the PKCS#7 SignedData inside it (RFC 2315, X.509 RFC 5280), as far as
 * needed to name the signer.  A minimal DER walker, bounds-checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bmdump.h"
#include "loadcmd.h"
#include "locate.h"
#include "sign.h"

#define MZ_MAGIC		0x5a4d
#define MZ_PEADDR		0x3c
#define MZ_HDR_SIZE		64
#define PE_MAGIC		0x00004550
#define PE_HDR_SIZE		24
#define PE_OPT_MAGIC_PE32PLUS	0x020b
#define PE64_OPT_DATA_DIRS	108	/* NumberOfRvaAndSizes */
#define PE64_OPT_SIZE		112	/* up to the data directories */
#define PE_DIR_CERTS		4
#define WIN_CERT_HDR_SIZE	8
#define WIN_CERT_REVISION_2_0	0x0200
#define WIN_CERT_TYPE_PKCS_SIGNED_DATA 0x0002
#define STUB_MAX_SIZE		(64u << 20)

#define DER_INTEGER		0x02
#define DER_OID			0x06
#define DER_SEQUENCE		0x30
#define DER_SET			0x31
#define DER_CONTEXT_0		0xa0
#define DER_MAX_LEN_BYTES	4

static const uint8_t oid_signed_data[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const uint8_t oid_common_name[] = { 0x55, 0x04, 0x03 };
static const uint8_t oid_organization[] = { 0x55, 0x04, 0x0a };

struct der {
	const uint8_t *p;
	size_t n;
};

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Takes one TLV off *in; *val is its contents.  -1 when malformed. */
static int der_take(struct der *in, uint8_t *tag, struct der *val)
{
	size_t len, nb, i = 2;

	if (in->n < 2)
		return -1;
	*tag = in->p[0];
	len = in->p[1];
	if (len & 0x80) {
		/* Indefinite length (0x80) is not DER: refuse it too. */
		nb = len & 0x7f;
		if (!nb || nb > DER_MAX_LEN_BYTES || in->n < 2 + nb)
			return -1;
		for (len = 0; nb; nb--)
			len = len << 8 | in->p[i++];
	}
	if (len > in->n - i)
		return -1;
	val->p = in->p + i;
	val->n = len;
	in->p += i + len;
	in->n -= i + len;
	return 0;
}

static int der_expect(struct der *in, uint8_t want, struct der *val)
{
	uint8_t tag;

	return der_take(in, &tag, val) || tag != want ? -1 : 0;
}

static int der_is(const struct der *d, const uint8_t *oid, size_t n)
{
	return d->n == n && !memcmp(d->p, oid, n);
}

static void copy_printable(char *out, size_t size, const struct der *s)
{
	size_t i;

	for (i = 0; i < s->n && i + 1 < size; i++)
		out[i] = s->p[i] >= 0x20 && s->p[i] < 0x7f ? (char)s->p[i] :
			'?';
	out[i] = '\0';
}

/* The CN of an X.501 Name, else its O; Linux names x509 keys the same. */
static int name_of(struct der name, char *out, size_t size)
{
	struct der rdn, atv, oid, str;
	uint8_t tag;
	int found = 0;

	while (name.n) {
		if (der_expect(&name, DER_SET, &rdn))
			return -1;
		while (rdn.n) {
			if (der_expect(&rdn, DER_SEQUENCE, &atv) ||
			    der_expect(&atv, DER_OID, &oid) ||
			    der_take(&atv, &tag, &str))
				return -1;
			if (der_is(&oid, oid_common_name,
				   sizeof(oid_common_name))) {
				copy_printable(out, size, &str);
				return 0;
			}
			if (!found && der_is(&oid, oid_organization,
					     sizeof(oid_organization))) {
				copy_printable(out, size, &str);
				found = 1;
			}
		}
	}
	return found ? 0 : -1;
}

/* ContentInfo { signedData, [0] SignedData { version, digestAlgorithms,
 * contentInfo, [0] certificates { Certificate { tbsCertificate { [0]
 * version, serial, signature, issuer, validity, subject ... */
static int pkcs7_signer(struct der in, char *out, size_t size)
{
	struct der ci, x, sd, certs, cert, tbs, skip;
	int i;

	if (der_expect(&in, DER_SEQUENCE, &ci) ||
	    der_expect(&ci, DER_OID, &x) ||
	    !der_is(&x, oid_signed_data, sizeof(oid_signed_data)) ||
	    der_expect(&ci, DER_CONTEXT_0, &x) ||
	    der_expect(&x, DER_SEQUENCE, &sd) ||
	    der_expect(&sd, DER_INTEGER, &skip) ||
	    der_expect(&sd, DER_SET, &skip) ||
	    der_expect(&sd, DER_SEQUENCE, &skip) ||
	    der_expect(&sd, DER_CONTEXT_0, &certs) ||
	    der_expect(&certs, DER_SEQUENCE, &cert) ||
	    der_expect(&cert, DER_SEQUENCE, &tbs))
		return -1;
	if (tbs.n && tbs.p[0] == DER_CONTEXT_0 &&
	    der_expect(&tbs, DER_CONTEXT_0, &skip))
		return -1;
	if (der_expect(&tbs, DER_INTEGER, &skip))
		return -1;
	for (i = 0; i < 3; i++)		/* signature, issuer, validity */
		if (der_expect(&tbs, DER_SEQUENCE, &skip))
			return -1;
	if (der_expect(&tbs, DER_SEQUENCE, &x))
		return -1;
	return name_of(x, out, size);
}

int stub_sig_parse(const uint8_t *img, size_t len, struct stub_sig *s)
{
	size_t pe, opt, dir;
	uint32_t ndirs, off, size, wlen;

	memset(s, 0, sizeof(*s));
	s->state = STUB_SIG_NOT_PE;
	if (len < MZ_HDR_SIZE || le16(img) != MZ_MAGIC)
		return -1;
	pe = le32(img + MZ_PEADDR);
	if (len < MZ_HDR_SIZE + PE_HDR_SIZE + PE64_OPT_SIZE ||
	    pe < MZ_HDR_SIZE || pe > len - PE_HDR_SIZE - PE64_OPT_SIZE ||
	    le32(img + pe) != PE_MAGIC)
		return -1;
	opt = pe + PE_HDR_SIZE;
	if (le16(img + opt) != PE_OPT_MAGIC_PE32PLUS)
		return -1;
	s->state = STUB_SIG_UNSIGNED;
	ndirs = le32(img + opt + PE64_OPT_DATA_DIRS);
	dir = opt + PE64_OPT_SIZE + 8 * PE_DIR_CERTS;
	if (ndirs <= PE_DIR_CERTS || dir > len - 8)
		return 0;
	off = le32(img + dir);
	size = le32(img + dir + 4);
	if (!off || !size)
		return 0;
	s->state = STUB_SIG_SIGNED;
	if (off > len || size > len - off || size < WIN_CERT_HDR_SIZE)
		return -1;
	wlen = le32(img + off);
	if (wlen < WIN_CERT_HDR_SIZE || wlen > size ||
	    le16(img + off + 4) != WIN_CERT_REVISION_2_0 ||
	    le16(img + off + 6) != WIN_CERT_TYPE_PKCS_SIGNED_DATA)
		return -1;
	return pkcs7_signer((struct der){ img + off + WIN_CERT_HDR_SIZE,
					  wlen - WIN_CERT_HDR_SIZE },
			    s->signer, sizeof(s->signer));
}

/* /proc/keys: "... asymmetri <name>: <key id>: X509..." for each x509 key
 * the kernel loaded (builtin, secondary, machine, platform keyrings). */
static int key_named(const char *name)
{
	char path[4096], *line = NULL, *p;
	size_t cap = 0, n = strlen(name);
	int found = STUB_KEY_ABSENT;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/keys", sysroot());
	f = fopen(path, "re");
	if (!f)
		return STUB_KEY_UNKNOWN;
	while (getline(&line, &cap, f) > 0) {
		p = strstr(line, " asymmetri ");
		if (p && !strncmp(p + 11, name, n) && p[11 + n] == ':') {
			found = STUB_KEY_PRESENT;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

void stub_sig_probe(const char *path, struct stub_sig *s)
{
	uint8_t *img;
	struct stat st;
	FILE *f;
	size_t n;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "rbe");
	if (!f)
		return;
	if (fstat(fileno(f), &st) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > STUB_MAX_SIZE) {
		fclose(f);
		return;
	}
	img = malloc((size_t)st.st_size);
	n = img ? fread(img, 1, (size_t)st.st_size, f) : 0;
	fclose(f);
	if (img && n == (size_t)st.st_size) {
		stub_sig_parse(img, n, s);
		if (s->state == STUB_SIG_SIGNED && s->signer[0])
			s->key = key_named(s->signer);
	}
	free(img);
}

const char *stub_sig_describe(const struct stub_sig *s, char *buf,
			      size_t size)
{
	switch (s->state) {
	case STUB_SIG_NOT_PE:
		snprintf(buf, size, "not signable (no PE header: an old "
			 "stub)");
		break;
	case STUB_SIG_UNSIGNED:
		snprintf(buf, size, "not signed");
		break;
	case STUB_SIG_SIGNED:
		snprintf(buf, size, "signed by \"%s\"%s", s->signer[0] ?
			 s->signer : "(unreadable signature)",
			 s->key == STUB_KEY_PRESENT ?
			 ", a kernel key has that name" :
			 s->key == STUB_KEY_ABSENT ?
			 ", NO kernel key has that name" : "");
		break;
	default:
		snprintf(buf, size, "unreadable");
	}
	return buf;
}

#define ENROLL_HOWTO "enroll its certificate: mokutil --import cert.der, " \
	"reboot and confirm in MokManager (or add it to the UEFI db), " \
	"then bmdump load"

int lockdown_check_stub(const char *stub, int lockdown, struct bm_err *e)
{
	struct stub_sig s;
	char what[200];

	if (lockdown != LOCKDOWN_INTEGRITY &&
	    lockdown != LOCKDOWN_CONFIDENTIALITY)
		return 0;
	stub_sig_probe(stub, &s);
	if (s.state == STUB_SIG_SIGNED)
		return 0;
	return bm_seterr(e, BM_E_REFUSED, "under kernel lockdown (%s), "
			 "kexec_file_load would refuse the stub %s, which is "
			 "%s. Sign it (make sign KEY=db.key CERT=db.crt, or "
			 "sbsign --key db.key --cert db.crt) and "
			 ENROLL_HOWTO, lockdown_name(lockdown), stub,
			 stub_sig_describe(&s, what, sizeof(what)));
}

void lockdown_refusal(const char *stub, int lockdown, int rc,
		      const char *kexec_out, struct bm_err *e)
{
	struct stub_sig s;
	char what[200];

	stub_sig_probe(stub, &s);
	if (s.state == STUB_SIG_SIGNED && s.signer[0])
		bm_seterr(e, BM_E_EXTERNAL, "under kernel lockdown (%s), "
			  "kexec refused the stub %s (exit %d), %s: the "
			  "kernel must trust the key \"%s\"; %s. kexec said: "
			  "%s", lockdown_name(lockdown), stub, rc,
			  stub_sig_describe(&s, what, sizeof(what)),
			  s.signer, ENROLL_HOWTO, kexec_out);
	else
		bm_seterr(e, BM_E_EXTERNAL, "kexec failed (exit %d) under "
			  "kernel lockdown (%s): the stub %s is %s; it must be "
			  "signed with a key the kernel trusts (make sign), "
			  "and " ENROLL_HOWTO ". kexec said: %s", rc,
			  lockdown_name(lockdown), stub,
			  stub_sig_describe(&s, what, sizeof(what)),
			  kexec_out);
}
