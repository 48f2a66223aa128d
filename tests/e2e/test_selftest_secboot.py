# SPDX-License-Identifier: GPL-2.0
"""Issue 15: bmdump-selftest.efi under Secure Boot, signed like the stub.

OVMF's Secure Boot build (SMM, as Debian ships it) boots with Debian's
enrolled test variable store whose db holds, instead of the snakeoil
certificate, one this test made (efivars.vars_secure_boot), so the
firmware enforces that db on every image it loads from a disk.  `make sign KEY= CERT=` signs the app with that key.
The unsigned app is refused by the firmware (it never prints a line, the
disk is unchanged to the byte); the signed one runs and passes."""

import os
import subprocess

import efivars
import rig
import test_selftest as S
from signkeys import make_key
from test_dump import new_disk

OVMF_CODE_SECBOOT = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
# The app's first line; OVMF's BDS reports a refused image on the console
# and moves on to the next boot option (here the UEFI shell in its flash).
APP_STARTED = r"bmdump-selftest: "
REFUSED = r"Access Denied|Security Violation|Shell> "


class SecureEfiGuest(S.EfiGuest):
    """EfiGuest on the Secure Boot firmware: it needs SMM and a flash that
    only SMM code may write, or it stops before the boot manager."""

    def qemu_cmd(self, vars_path, qmp_path=None):
        cmd = super().qemu_cmd(vars_path, qmp_path)
        cmd[cmd.index("q35,accel=tcg")] = "q35,accel=tcg,smm=on"
        code = [i for i, a in enumerate(cmd) if a.endswith(rig.OVMF_CODE)]
        cmd[code[0]] = cmd[code[0]].replace(rig.OVMF_CODE,
                                            OVMF_CODE_SECBOOT)
        return cmd + ["-global",
                      "driver=cfi.pflash01,property=secure,value=on"]


def make_sign(d, key, crt):
    """`make sign` with this test's key; returns the signed app's path
    (kept out of build/ so the test leaves the operator's files alone)."""
    app = os.path.join(d, "bmdump-selftest.signed.efi")
    if os.path.exists(app):
        os.unlink(app)
    p = subprocess.run(["make", "-s", "-C", rig.ROOT, "sign", "KEY=" + key,
                        "CERT=" + crt,
                        "SIGNED=" + os.path.join(d, "bmdump.signed.bzImage"),
                        "SIGNED_APP=" + app],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert os.path.exists(app), "make sign did not sign the app\n" + \
        p.stdout + p.stderr
    v = subprocess.run(["sbverify", "--cert", crt, app],
                       capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr
    return app


def esp_with(name, app):
    esp = S.make_esp(name, "bmdump.area=" + S.AREA_UUID)
    with open(app, "rb") as f, open(os.path.join(esp, "EFI", "BOOT",
                                                 "BOOTX64.EFI"), "wb") as g:
        g.write(f.read())
    return esp


def test_selftest_secure_boot_signed_only():
    name = "selftest-secboot"
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    key, crt = make_key(d, "bmdump e2e selftest")
    vars_fd = os.path.join(d, "OVMF_VARS.secboot.fd")
    efivars.vars_secure_boot(vars_fd, crt)
    signed = make_sign(d, key, crt)
    disk = new_disk(name, area_mib=16)
    scratch = S.tail_range(disk)
    before = disk.digest_all()

    # The unsigned app: the firmware refuses it, the boot moves on.
    g = SecureEfiGuest(name, esp_with(name, S.APP), disks=[disk.disk])
    g.ovmf_vars = vars_fd
    res = g.run(label="unsigned", stop_on=REFUSED + "|" + APP_STARTED,
                grace=1.0)
    assert not res.timed_out, "no verdict from the firmware\n" + res.tail()
    assert res.find(APP_STARTED)[0] is None, \
        "the firmware ran the unsigned app\n" + res.tail()
    assert res.find(REFUSED)[0] is not None, res.tail()
    assert disk.digest_all() == before, "the disk changed"

    # The app `make sign` signed: it runs and passes.
    outside = disk.digest_except([scratch])
    g.esp_dir = esp_with(name, signed)
    res = g.run(label="signed", stop_on=S.DONE + "|" + S.CPU_FAULT,
                grace=1.0)
    assert not res.timed_out, "the signed app did not finish\n" + res.tail()
    assert res.find(S.DONE)[0] is not None, res.tail()
    text = res.text()
    assert "verdict: pass" in text, "no pass verdict\n" + res.tail(60)
    assert "secure boot on" in text, "the firmware says Secure Boot off"
    assert disk.digest_except([scratch]) == outside, \
        "the app wrote outside its self-test region"
    r = S.report(disk)
    assert r.returncode == 0 and "verdict: pass" in r.stdout, \
        r.stdout + r.stderr
