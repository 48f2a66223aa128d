/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub's Authenticode signature as the file tells it: whether the PE
 * certificate table holds one, and the subject of the certificate it
 * carries.  Only for the operator's information (status, load's
 * messages): the kernel checks the signature itself at kexec_file_load,
 * nothing here is trusted.  Every offset is bounds-checked.
 */
#ifndef BMDUMP_SIGN_H
#define BMDUMP_SIGN_H

#include <stddef.h>
#include <stdint.h>

enum stub_sig_state {
	STUB_SIG_UNREADABLE,	/* the file could not be read */
	STUB_SIG_NOT_PE,	/* no PE32+ header: an old, unsignable stub */
	STUB_SIG_UNSIGNED,	/* PE, empty certificate table */
	STUB_SIG_SIGNED,	/* a certificate table entry is there */
};

/* Whether the kernel holds a key named like the signer (/proc/keys). */
enum stub_sig_key {
	STUB_KEY_UNKNOWN,	/* not signed, no name, or /proc/keys unread */
	STUB_KEY_ABSENT,
	STUB_KEY_PRESENT,
};

struct stub_sig {
	int state;			/* STUB_SIG_* */
	char signer[128];		/* CN (or O) of the signing cert, or "" */
	int key;			/* STUB_KEY_* */
};

int stub_sig_parse(const uint8_t *img, size_t len, struct stub_sig *s);
/* path: the stub; fills s, including s->key from $BMDUMP_SYSROOT/proc/keys */
void stub_sig_probe(const char *path, struct stub_sig *s);
const char *stub_sig_describe(const struct stub_sig *s, char *buf,
			      size_t size);

struct bm_err;
/* Under lockdown, before kexec_file_load: refuses (BM_E_REFUSED, telling
 * how to sign and enroll) a stub that carries no signature. */
int lockdown_check_stub(const char *stub, int lockdown, struct bm_err *e);
/* After the kernel refused the stub under lockdown: why, and what to do. */
void lockdown_refusal(const char *stub, int lockdown, int rc,
		      const char *kexec_out, struct bm_err *e);

#endif /* BMDUMP_SIGN_H */
