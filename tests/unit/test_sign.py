# SPDX-License-Identifier: GPL-2.0
"""The stub image is a PE/COFF file as well as a bzImage64, and `make sign`
signs it so that sbverify and the kernel's kexec_file_load check accept it;
so does pesign's signature.

The PE checks follow the kernel's own reader (crypto/asymmetric_keys/
verify_pefile.c: pefile_parse_binary, pefile_digest_pe_contents), not a
PE library: the digest computed here the kernel's way must equal the one
sbsign put into the PKCS#7 signature.  The boot protocol checks are the
fields kexec-tools and arch/x86/kernel/kexec-bzimage64.c read."""

import hashlib
import os
import struct
import subprocess
import sys

import toolsenv as T

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from signkeys import make_key, pesign  # noqa: E402

STUB = os.path.join(T.BUILD, "bmdump.bzImage")

MZ_MAGIC = 0x5a4d
PE_MAGIC = 0x00004550
PE32PLUS = 0x20b
MZ_HDR_SIZE = 64            # struct mz_hdr
PE_HDR_SIZE = 24            # struct pe_hdr
PE64_OPT_SIZE = 112         # struct pe32plus_opt_hdr without data dirs
SEC_SIZE = 40
DIR_CERTS = 4
DIR_BASERELOC = 5
SETUP_HDR = 0x1f1
WIN_CERT_REVISION_2_0 = 0x0200
WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002
# DigestInfo { AlgorithmIdentifier { sha256, NULL }, OCTET STRING[32] }
SHA256_DIGESTINFO = bytes.fromhex("300d060960864801650304020105000420")


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def parse_pe(img):
    """The fields pefile_parse_binary() reads, with its bounds checks."""
    assert len(img) > MZ_HDR_SIZE and u16(img, 0) == MZ_MAGIC, "no MZ"
    pe = u32(img, 0x3c)
    assert MZ_HDR_SIZE <= pe <= len(img) - PE_HDR_SIZE, hex(pe)
    assert u32(img, pe) == PE_MAGIC, "no PE signature"
    nsec, opt_size = u16(img, pe + 6), u16(img, pe + 20)
    opt = pe + PE_HDR_SIZE
    assert u16(img, opt) == PE32PLUS, "not PE32+"
    hdr_size = u32(img, opt + 60)
    ndirs = u32(img, opt + 108)
    cursor = opt + PE64_OPT_SIZE
    assert cursor < hdr_size < len(img)
    assert DIR_BASERELOC < ndirs <= (hdr_size - cursor) // 8
    assert opt_size == PE64_OPT_SIZE + 8 * ndirs, "SizeOfOptionalHeader"
    secs_at = cursor + 8 * ndirs
    assert nsec <= (hdr_size - secs_at) // SEC_SIZE
    dirs = [struct.unpack_from("<II", img, cursor + 8 * i)
            for i in range(ndirs)]
    secs = []
    for i in range(nsec):
        o = secs_at + SEC_SIZE * i
        name = img[o:o + 8].rstrip(b"\0").decode()
        vsize, va, raw, ptr = struct.unpack_from("<IIII", img, o + 8)
        secs.append(dict(name=name, vsize=vsize, va=va, raw=raw, ptr=ptr))
    return dict(pe=pe, opt=opt, hdr_size=hdr_size, dirs=dirs, secs=secs,
                csum_at=opt + 64, cert_dir_at=cursor + 8 * DIR_CERTS,
                secs_end=secs_at + SEC_SIZE * nsec,
                falign=u32(img, opt + 36), salign=u32(img, opt + 32),
                size_of_image=u32(img, opt + 56), entry=u32(img, opt + 16))


def kernel_digest(img, p):
    """pefile_digest_pe_contents(): header without checksum and cert
    dirent, sections in file order, then what follows up to the cert
    table."""
    h = hashlib.sha256()
    h.update(img[:p["csum_at"]])
    h.update(img[p["csum_at"] + 4:p["cert_dir_at"]])
    h.update(img[p["cert_dir_at"] + 8:p["hdr_size"]])
    hashed = p["hdr_size"]
    for s in sorted(p["secs"], key=lambda s: (s["ptr"], s["va"])):
        if s["raw"]:
            h.update(img[s["ptr"]:s["ptr"] + s["raw"]])
            hashed += s["raw"]
    certs_size = p["dirs"][DIR_CERTS][1]
    if len(img) > hashed:
        h.update(img[hashed:len(img) - certs_size])
    return h.digest()


def check_bzimage(img, loaded_len):
    """The setup header kexec reads, and room in init_size for all the
    bytes the loaders copy (the whole file after the setup sectors: with
    a signature, more than syssize says, as with Linux's own bzImage)."""
    setup = (img[SETUP_HDR] + 1) * 512
    assert img[0x202:0x206] == b"HdrS" and u16(img, 0x1fe) == 0xaa55
    assert img[0x201] >= 0x6a, "kexec-tools would drop init_size"
    assert u16(img, 0x206) >= 0x20c and img[0x236] & 1, "not bzImage64"
    assert u32(img, 0x1f4) * 16 >= min(len(img), loaded_len) - setup
    assert u32(img, 0x260) >= loaded_len - setup, "init_size too small"
    return setup


def test_sign_stub_is_pe_and_bzimage():
    img = open(STUB, "rb").read()
    p = parse_pe(img)
    setup = check_bzimage(img, len(img))
    assert u32(img, 0x1f4) * 16 == len(img) - setup, "syssize"
    assert p["secs_end"] <= SETUP_HDR, "PE headers overlap the setup header"
    assert p["falign"] == p["salign"] and p["hdr_size"] % p["falign"] == 0
    # Sections: file offset == RVA, aligned, contiguous from the end of the
    # headers to the end of the file (Authenticode hashes nothing twice).
    at = p["hdr_size"]
    for s in sorted(p["secs"], key=lambda s: s["ptr"]):
        assert s["ptr"] == at == s["va"], s
        assert s["raw"] % p["falign"] == 0 and s["vsize"] >= s["raw"], s
        at += s["raw"]
    assert at == len(img), "sections do not cover the image"
    top = max(s["va"] + s["vsize"] for s in p["secs"])
    assert p["size_of_image"] == top and top % p["salign"] == 0
    names = {s["name"]: s for s in p["secs"]}
    text, reloc = names[".text"], names[".reloc"]
    assert text["va"] == setup and text["vsize"] == u32(img, 0x260)
    rva, size = p["dirs"][DIR_BASERELOC]
    assert reloc["va"] <= rva and rva + size <= reloc["va"] + reloc["raw"]
    assert u32(img, rva + 4) == size >= 8, "base relocation block"
    assert any(s["va"] <= p["entry"] < s["va"] + s["raw"]
               for s in p["secs"]), "entry point outside the sections"
    assert p["dirs"][DIR_CERTS] == (0, 0), "unsigned stub has a cert table"


def sbverify(crt, path):
    return subprocess.run(["sbverify", "--cert", crt, path],
                          capture_output=True, text=True)


def check_signed(out, crt, other):
    """A signed copy of STUB: sbverify accepts it with crt and refuses it
    with other, the digest the kernel computes is the one in the PKCS#7,
    and kexec still reads the same setup header."""
    ok = sbverify(crt, out)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = sbverify(other, out)
    assert bad.returncode != 0, bad.stdout + bad.stderr

    unsigned = open(STUB, "rb").read()
    img = open(out, "rb").read()
    p = parse_pe(img)
    # Only the checksum and the cert dirent change; the table is appended.
    skip = set(range(p["csum_at"], p["csum_at"] + 4)) | \
        set(range(p["cert_dir_at"], p["cert_dir_at"] + 8))
    diff = [i for i in range(len(unsigned)) if img[i] != unsigned[i]]
    assert set(diff) <= skip, diff[:8]
    at, size = p["dirs"][DIR_CERTS]
    assert at == len(unsigned) and at + size == len(img)
    wlen, rev, typ = struct.unpack_from("<IHH", img, at)
    assert (wlen + 7) & ~7 == size, "pefile_strip_sig_wrapper: length"
    assert (rev, typ) == (WIN_CERT_REVISION_2_0,
                          WIN_CERT_TYPE_PKCS_SIGNED_DATA)
    pkcs7 = img[at + 8:at + wlen]
    i = pkcs7.find(SHA256_DIGESTINFO)
    assert i > 0, "no SpcIndirectDataContent sha256 digest"
    signed_digest = pkcs7[i + len(SHA256_DIGESTINFO):][:32]
    assert kernel_digest(img, p) == signed_digest, "kernel digest differs"
    end = 0x202 + unsigned[0x201]       # the setup header's own length
    assert img[SETUP_HDR:end] == unsigned[SETUP_HDR:end], "setup header"
    # What kexec loads: every byte after the setup sectors, signature too.
    check_bzimage(unsigned, len(img))


def test_sign_make_sign_sbverify_and_kernel_digest():
    d = T.workdir("sign")
    key, crt = make_key(d, "bmdump test good")
    _, other = make_key(d, "bmdump test other")
    out = os.path.join(d, "bmdump.signed.bzImage")
    app = os.path.join(d, "bmdump-selftest.signed.efi")
    r = subprocess.run(["make", "-s", "-C", T.ROOT, "BUILD=" + T.BUILD,
                        "sign", "KEY=" + key, "CERT=" + crt,
                        "SIGNED=" + out, "SIGNED_APP=" + app],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "bmdump test good" in r.stdout, r.stdout
    # The self-test app, signed by the same key for the firmware.
    assert os.path.exists(app), "make sign did not sign the app"
    for cert, rc in ((crt, 0), (other, 1)):
        v = subprocess.run(["sbverify", "--cert", cert, app],
                           capture_output=True, text=True)
        assert v.returncode == rc, (cert, v.stdout + v.stderr)

    check_signed(out, crt, other)


def test_sign_pesign_sbverify_and_kernel_digest():
    d = T.workdir("sign-pesign")
    key, crt = make_key(d, "bmdump test pesign")
    _, other = make_key(d, "bmdump test other")
    out = pesign(key, crt, STUB, os.path.join(d, "bmdump.pesign.bzImage"))
    check_signed(out, crt, other)
