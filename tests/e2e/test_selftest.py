# SPDX-License-Identifier: GPL-2.0
"""Issue 15: bmdump-selftest.efi qualifies the dump path under OVMF.

OVMF boots the app from a FAT ESP (QEMU's vvfat view of a directory the
test fills: the app as \\EFI\\BOOT\\BOOTX64.EFI, the area UUID in
\\EFI\\bmdump\\selftest.conf) on a virtio disk; the NVMe disk holds an ext4
partition and a prepared area.  The app takes the NVMe controller from the
firmware, writes and reads back its scratch region at the area's end,
leaves its report there and returns to the firmware.  Every byte outside
the self-test region must be unchanged; the host reads the report back
with `bmdump selftest --report --from`."""

import os
import re
import shutil
import subprocess

import disks
import rig
from test_dump import AREA_UUID, new_disk

APP = os.path.join(rig.BUILD, "bmdump-selftest.efi")
BMDUMP = os.path.join(rig.BUILD, "bmdump")
DONE = r"bmdump-selftest: (returning to the firmware|resetting)"
CPU_FAULT = r"X64 Exception Type"


class EfiGuest(rig.Guest):
    """The rig's QEMU and OVMF, booting an ESP instead of a kernel."""

    def __init__(self, name, esp_dir, disks=()):
        super().__init__(name, None, disks=disks, timeout=240)
        self.esp_dir = esp_dir

    def qemu_cmd(self, vars_path, qmp_path=None):
        cmd = super().qemu_cmd(vars_path, qmp_path)
        i = cmd.index("-kernel")
        del cmd[i:i + 6]            # -kernel, -initrd, -append
        return cmd + ["-drive", "file=fat:%s,format=raw,if=none,id=esp,"
                      "readonly=on" % self.esp_dir,
                      "-device", "virtio-blk-pci,drive=esp"]


def make_esp(name, options):
    esp = os.path.join(rig.E2E_BUILD, name, "esp")
    shutil.rmtree(esp, ignore_errors=True)
    os.makedirs(os.path.join(esp, "EFI", "BOOT"))
    shutil.copyfile(APP, os.path.join(esp, "EFI", "BOOT", "BOOTX64.EFI"))
    if options is not None:
        os.makedirs(os.path.join(esp, "EFI", "bmdump"))
        with open(os.path.join(esp, "EFI", "bmdump", "selftest.conf"),
                  "w") as f:
            f.write(options + "\n")
    return esp


def run_app(name, disk, options="bmdump.area=" + AREA_UUID):
    g = EfiGuest(name, make_esp(name, options), disks=[disk.disk])
    res = g.run(stop_on=DONE + "|" + CPU_FAULT, grace=1.0)
    assert res.find(CPU_FAULT)[0] is None, "CPU exception\n" + res.tail()
    assert not res.timed_out, "the app hung\n" + res.tail()
    assert res.find(DONE)[0] is not None, \
        "the app did not finish\n" + res.tail()
    return res


def tail_range(disk):
    """(offset, length) in the disk image of the area's self-test tail."""
    off = int(disk.area()["selftest_offset"])
    assert off > 0, "the area has no self-test tail"
    return disk.area_off + off, (disk.area_len & ~4095) - off


def report(disk, *extra):
    return subprocess.run([BMDUMP, "selftest", "--report", "--from",
                           disk.path] + list(extra),
                          capture_output=True, text=True)


def check_pass(iface):
    """The pass case with the area on an `iface` disk (rig.Disk): the ESP
    is a read-only virtio-blk disk in every case, so on virtio-blk the app
    must pick the area's device by UUID among two of the same kind."""
    name = "selftest-" + iface
    disk = new_disk(name, area_mib=16, iface=iface)
    scratch = tail_range(disk)
    outside = disk.digest_except([scratch])
    before = disk.digest_all()
    res = run_app(name, disk)
    text = res.text()
    assert "verdict: pass" in text, "no pass verdict\n" + res.tail(60)
    assert "controller: pci" in text, text
    # OVMF under QEMU publishes only the SMBIOS 2.x entry point.
    machine = re.search(r"machine: .*", text)
    assert machine and machine.group(0).startswith("machine: QEMU "), \
        "SMBIOS type 1 not read: %s" % (machine and machine.group(0))
    assert re.search(r"area: \S+ on %s\S* partition" % iface, text), text
    assert disk.digest_except([scratch]) == outside, \
        "the app wrote outside its self-test region"
    assert disk.digest_all() != before, "nothing was written"
    r = report(disk)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "verdict: pass" in r.stdout, r.stdout
    assert "figures: pci" in r.stdout, r.stdout
    print("    " + "\n    ".join(r.stdout.splitlines()))
    i = subprocess.run([BMDUMP, "info", "--area", "--from", disk.path],
                       capture_output=True, text=True)
    assert i.returncode == 0, i.stdout + i.stderr
    assert "self-test: last report of bmdump-selftest.efi, verdict pass:" \
        in i.stdout and "  verdict: pass" in i.stdout, i.stdout


def test_selftest_nvme_pass():
    check_pass("nvme")


def test_selftest_virtio_pass():
    check_pass("virtio")


def test_selftest_ahci_pass():
    check_pass("ahci")


def test_selftest_unsaved_dump_untouched():
    name = "selftest-unsaved"
    disk = new_disk(name, area_mib=16)
    disk.set_state(3)       # COMPLETE: a dump nobody saved
    before = disk.digest_all()
    res = run_app(name, disk)
    text = res.text()
    assert "verdict: FAIL" in text, res.tail(60)
    assert "error -313" in text, "the verdict does not say why\n" + text
    assert disk.digest_all() == before, "the app wrote to the disk"
    r = report(disk)
    assert r.returncode != 0 and "never" in (r.stdout + r.stderr), \
        r.stdout + r.stderr


def test_selftest_no_area():
    name = "selftest-noarea"
    disk = new_disk(name, area=False)
    before = disk.digest_all()
    res = run_app(name, disk)
    text = res.text()
    assert "verdict: FAIL" in text and "error -311" in text, res.tail(60)
    assert disk.digest_all() == before, "the app wrote to the disk"


def test_selftest_undrivable_controller():
    """The area on virtio-scsi, which the stub has no driver for: a FAIL
    verdict with its code, the controller named, no hang, the disk
    intact."""
    name = "selftest-scsi"
    disk = new_disk(name, area_mib=16, iface="scsi")
    before = disk.digest_all()
    res = run_app(name, disk)
    text = res.text()
    assert "verdict: FAIL" in text, res.tail(60)
    assert re.search(r"error -3(60|11)", text), \
        "the verdict has no error code\n" + text
    assert re.search(r"no driver: pci \S+ 1af4:10(04|48) ", text), \
        "the report does not name the controller\n" + text
    assert disk.digest_all() == before, "the app wrote to the disk"
