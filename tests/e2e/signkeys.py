# SPDX-License-Identifier: GPL-2.0
"""Throwaway signing keys for the Secure Boot tests (tests/unit/test_sign.py,
tests/e2e/test_secboot.py): an openssl self-signed certificate, sbsign, and
the kernel's sign-file for modules."""

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


def sign_module(key, crt, src, dst, moddir):
    """A copy of module src signed as the kernel's sign-file does."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        g.write(f.read())
    sign_file = os.path.join(moddir, "build", "scripts", "sign-file")
    subprocess.run([sign_file, "sha256", key, crt, dst], check=True,
                   capture_output=True)
    return dst
