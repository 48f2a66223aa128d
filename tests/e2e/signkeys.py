# SPDX-License-Identifier: GPL-2.0
"""Throwaway signing keys for the Secure Boot tests (tests/unit/test_sign.py,
tests/e2e/test_secboot.py): an openssl self-signed certificate, sbsign, and
pesign with an NSS database, and the kernel's sign-file for modules."""

import os
import subprocess


def make_key(d, cn):
    """(key, cert) PEM files in d for a new RSA key with subject CN=cn."""
    base = os.path.join(d, cn.replace(" ", "_"))
    key, crt = base + ".key", base + ".crt"
    subprocess.run(["openssl", "req", "-new", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-sha256", "-days", "2", "-subj", "/CN=" + cn,
                    "-keyout", key, "-out", crt],
                   check=True, capture_output=True)
    return key, crt


def sbsign(key, crt, src, dst):
    subprocess.run(["sbsign", "--key", key, "--cert", crt, "--output", dst,
                    src], check=True, capture_output=True)
    return dst


def pesign(key, crt, src, dst):
    """pesign's signature of src: key and cert go through PKCS#12 into a
    new NSS database beside dst, then pesign signs with that nickname."""
    db = dst + ".nssdb"
    nick = os.path.basename(crt)
    p12 = db + ".p12"
    os.makedirs(db)
    for cmd in (["certutil", "-N", "--empty-password", "-d", db],
                ["openssl", "pkcs12", "-export", "-inkey", key, "-in", crt,
                 "-name", nick, "-out", p12, "-passout", "pass:"],
                ["pk12util", "-i", p12, "-d", db, "-W", ""],
                ["pesign", "-n", db, "-c", nick, "-s", "-i", src,
                 "-o", dst]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, (cmd, r.stdout + r.stderr)
    return dst


def sign_module(key, crt, src, dst, moddir):
    """A copy of module src signed as the kernel's sign-file does."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read())
    sign_file = os.path.join(moddir, "build", "scripts", "sign-file")
    subprocess.run([sign_file, "sha256", key, crt, dst], check=True,
                   capture_output=True)
    return dst
