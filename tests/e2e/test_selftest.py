# SPDX-License-Identifier: GPL-2.0
"""Issue 15: bmdump-selftest.efi qualifies the dump path under OVMF.

OVMF boots the app from a FAT ESP (QEMU's vvfat view of a directory the
test fills: the app as \\EFI\\BOOT\\BOOTX64.EFI, the area UUID in
\\EFI\\bmdump\\selftest.conf) on a virtio disk; the NVMe disk holds an ext4
partition and a prepared area.  The app takes the NVMe controller from the
firmware, writes and reads back its scratch region at the area's end,
leaves its report there and returns to the firmware.  Every byte outside
the self-test region must be unchanged; the host reads the report back
with `bmdump selftest --report --from`.

test_selftest_bootnext_loop runs the operator's whole loop on one machine
(one variable store, the same disks) over two boots: Linux runs `bmdump
selftest` (the app onto a real GPT ESP, a boot entry and BootNext through
efibootmgr and efivarfs); at the next power-on OVMF alone runs the app
from BootNext, the app returns, the firmware boots on into the OS's own
entry, and there `bmdump selftest --report` and `bmdump status` show the
pass."""

import json
import os
import re
import shutil
import subprocess

import disks
import rig
import toolsrig
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


# --- the operator's loop: bmdump selftest, reboot, the firmware runs the
# app from BootNext and boots on, bmdump selftest --report -------------------

LOOP_MODULES = ["virtio_pci", "virtio_blk", "vfat", "nls_cp437", "nls_ascii",
                "efivarfs"]
# The "installed OS" on the ESP: the rig's kernel (its EFI stub) and
# initramfs, booted by a Boot#### entry efibootmgr makes in the first boot.
OS_DIR = "\\EFI\\rig"
# OVMF's boot manager says on the console which Boot#### it loads and starts
# (OvmfPkg's PlatformBootManagerLib status code handler).
BDS_START = r'BdsDxe: starting (Boot[0-9A-F]{4}) "([^"]*)"'
# Where EFI_SUCCESS from a boot option leaves the firmware (UEFI 3.1.1): the
# front page of UiApp, OVMF's boot manager menu, waiting for a key.
FW_MENU = r'BdsDxe: starting Boot[0-9A-F]{4} "UiApp"'
# The firmware's screen drawing, cut out of the serial lines shown on failure
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]| {3,}")

# What `bmdump status` says of the app's pass, on the firmware's clock.
STATUS_PASS = (r"^  self-test:     pass on \d{4}-\d\d-\d\d \d\d:\d\d UTC "
               r"\(\d+\.\d MB/s\), bmdump-selftest\.efi$")

LOOP_SCENARIO = r"""
vdisk() {   # the virtio disk with serial $1
    for b in /sys/block/vd*; do
        [ "$(cat "$b/serial" 2>/dev/null)" = "$1" ] && {
            echo "/dev/${b##*/}"; return 0; }
    done
    return 1
}
lines() { sed "s/^/RIG: $1 /" "$2"; }
mount -t efivarfs efivarfs /sys/firmware/efi/efivars
ESP=$(vdisk esp0)
mkdir -p /boot/efi && mount -t vfat "${ESP}1" /boot/efi
conf "AREA=%(uuid)s"
if grep -q rig.phase=report /proc/cmdline; then
    bmdump selftest --report > /tmp/r.txt 2>&1
    echo "RIG: report=$?"
    lines report-line /tmp/r.txt
    bmdump status > /tmp/s.txt 2>&1
    lines status-after /tmp/s.txt
    efibootmgr > /tmp/e.txt 2>&1
    lines efi-after /tmp/e.txt
else
    # The installed OS: its boot entry, first in BootOrder (efibootmgr -c).
    efibootmgr -c -d "$ESP" -p 1 -L rig-os -l '%(os_dir)s\vmlinuz.efi' \
        -u '%(cmdline)s' > /tmp/e.txt 2>&1
    echo "RIG: os-entry=$?"
    bmdump status > /tmp/s.txt 2>&1
    lines status-before /tmp/s.txt
    bmdump selftest > /tmp/t.txt 2>&1
    echo "RIG: selftest=$?"
    lines selftest-line /tmp/t.txt
    # An operator who runs it again (before rebooting) reuses the entry,
    # and drops the one an older bmdump left on each run.
    efibootmgr -C -d "$ESP" -p 1 -L 'bmdump selftest' \
        -l '\EFI\bmdump\bmdump-selftest.efi' > /tmp/e.txt 2>&1
    bmdump selftest > /tmp/t.txt 2>&1
    echo "RIG: selftest2=$?"
    lines selftest2-line /tmp/t.txt
    efibootmgr -v > /tmp/e.txt 2>&1
    lines efi-before /tmp/e.txt
fi
umount /boot/efi
"""


class Machine(rig.Guest):
    """One machine over several boots: one variable store (nvram) and the
    same disks; a boot either from -kernel (the rig's way) or by the
    firmware alone, from its boot variables (firmware_boot)."""

    firmware_boot = False

    def qemu_cmd(self, vars_path, qmp_path=None):
        cmd = super().qemu_cmd(vars_path, qmp_path)
        if self.firmware_boot:
            i = cmd.index("-kernel")
            del cmd[i:i + 6]        # -kernel, -initrd, -append
        return cmd


def esp_disk(d, files, size_mib=96):
    """A virtio disk: GPT, one EFI system partition (FAT) holding files
    {path on the ESP: host file}."""
    path = os.path.join(d, "esp.img")
    disk = rig.Disk(path, size_mib, iface="virtio", serial="esp0")
    disks.sh("sgdisk", "-o", "-n", "1:2048:0", "-t", "1:EF00", "-c",
             "1:ESP", path)
    part = json.loads(disks.sh("sfdisk", "--json", path))["partitiontable"][
        "partitions"][0]
    disks.sh("mkfs.vfat", "-n", "ESP", "--offset", str(part["start"]),
             path, str(part["size"] // 2))     # sectors; KiB
    img = "%s@@%d" % (path, part["start"] * 512)
    for dest, src in files.items():
        parts = dest.split("/")
        for i in range(1, len(parts)):
            subprocess.run(["mmd", "-D", "s", "-i", img,
                            "::/" + "/".join(parts[:i])],
                           capture_output=True)
        disks.sh("mcopy", "-i", img, src, "::/" + dest)
    return disk


def plain(res, n=40):
    """The last n serial lines without the firmware's escape sequences."""
    return "\n".join(ANSI.sub(" ", line)[:240] for _, line in res.lines[-n:])


def test_selftest_bootnext_loop():
    """`bmdump selftest` in a booted Linux (real efibootmgr on efivarfs)
    makes the app the firmware's BootNext; at the next power-on OVMF runs
    it from the ESP, the app returns and the firmware boots on into the
    OS's own entry, where `bmdump selftest --report` and `bmdump status`
    show the pass."""
    name = "selftest-loop"
    d = os.path.join(rig.E2E_BUILD, name)
    disk = new_disk(name, area_mib=16)
    scratch = tail_range(disk)
    outside = disk.digest_except([scratch])
    nvram = os.path.join(d, "OVMF_VARS.machine.fd")
    if os.path.exists(nvram):
        os.unlink(nvram)
    g = Machine(name, None, disks=[disk.disk], timeout=300, nvram=nvram)
    cmdline = "initrd=%s\\initrd.img %s rig.phase=report" % (
        OS_DIR, g.cmdline())
    img = toolsrig.initramfs(
        LOOP_SCENARIO % {"uuid": AREA_UUID, "os_dir": OS_DIR,
                         "cmdline": cmdline},
        modules=LOOP_MODULES, binaries=["/usr/bin/efibootmgr"],
        extra_files={"usr/local/lib/bmdump/bmdump-selftest.efi": APP})
    g.initrd = img.build(d)
    g.disks.append(esp_disk(d, {"EFI/rig/vmlinuz.efi": g.vmlinuz,
                                "EFI/rig/initrd.img": g.initrd}))

    # Boot 1: Linux (-kernel); the operator runs bmdump selftest.
    res = g.run(label="install")
    f = res.facts()
    assert f.get("os-entry") == "0", plain(res, 60)
    before = "\n".join(res.rig_lines("status-before"))
    assert "never qualified" in before, plain(res, 60)
    assert re.search(r"^  self-test:     never run$", before, re.M), before
    assert f.get("selftest") == "0", plain(res, 60)
    assert f.get("selftest2") == "0", plain(res, 60)
    efi = "\n".join(res.rig_lines("efi-before"))
    m = re.search(r"BootNext set to (Boot[0-9A-F]{4})",
                  "\n".join(res.rig_lines("selftest-line")))
    assert m, plain(res, 60)
    app_entry = m.group(1)
    # Run twice, still one firmware entry (NVRAM is small): the second run
    # reused the first one's.
    assert len(re.findall(r"^Boot[0-9A-F]{4}\*? bmdump selftest\s", efi,
                          re.M)) == 1, efi
    assert re.search(r"BootNext set to %s" % app_entry, "\n".join(
        res.rig_lines("selftest2-line"))), plain(res, 60)
    assert re.search(r"^BootNext: %s$" % app_entry[4:], efi, re.M), efi
    assert re.search(r"^%s\* bmdump selftest\s+HD\(1,GPT,.*/File\("
                     r"\\EFI\\bmdump\\bmdump-selftest\.efi\)" % app_entry,
                     efi, re.M), efi
    os_entry = re.search(r"^(Boot[0-9A-F]{4})\* rig-os", efi, re.M).group(1)
    assert re.search(r"^BootOrder: %s," % os_entry[4:], efi, re.M), efi
    assert app_entry[4:] not in re.search(r"^BootOrder: (.*)$", efi,
                                          re.M).group(1), efi
    print("    boot 1: " + "\n    boot 1: ".join(
        res.rig_lines("selftest-line") + res.rig_lines("selftest2-line") +
        res.rig_lines("efi-before")))

    # Boot 2: power on, the firmware alone (no -kernel): BootNext runs the
    # app, the app returns, the firmware boots on into the OS's entry.
    g.firmware_boot = True
    res = g.run(label="firmware", stop_on=FW_MENU + "|" + CPU_FAULT,
                grace=1.0)
    assert res.find(CPU_FAULT)[0] is None, "CPU exception\n" + plain(res)
    starts = [(t, m.group(1), m.group(2)) for t, m in res.find_all(BDS_START)]
    assert res.find(FW_MENU)[0] is None, \
        "the firmware stopped in its boot manager menu (UiApp) instead of " \
        "booting on: %r\n%s" % (starts, plain(res))
    assert starts and starts[0][1:] == (app_entry, "bmdump selftest"), \
        "BootNext did not run the app first: %r\n%s" % (starts, plain(res))
    done, _ = res.find(DONE)
    assert done is not None, "the app did not finish\n" + plain(res)
    assert res.find(r"^verdict: pass")[0] is not None, plain(res, 60)
    after = [s for s in starts if s[0] >= done]
    assert after and after[0][1:] == (os_entry, "rig-os"), \
        "the firmware did not boot on into the next BootOrder entry " \
        "(%s) after the app: %r\n%s" % (os_entry, after, plain(res))
    assert not res.timed_out, plain(res, 60)
    print("    boot 2: " + "\n    boot 2: ".join(
        ANSI.sub("", line) for _, line in res.lines
        if re.search(r"BdsDxe|^bmdump-selftest|^verdict", line)))

    # ... and the OS it booted sees the verdict.
    f = res.facts()
    text = "\n".join(res.rig_lines("report-line"))
    assert f.get("report") == "0" and "verdict: pass" in text, plain(res, 60)
    status = "\n".join(res.rig_lines("status-after"))
    assert "area:" in status and "warning:       " not in status, status
    assert re.search(STATUS_PASS, status, re.M), status
    efi = "\n".join(res.rig_lines("efi-after"))
    assert "BootNext" not in efi, "BootNext is still set\n" + efi
    assert re.search(r"^BootCurrent: %s$" % os_entry[4:], efi, re.M), efi
    assert disk.digest_except([scratch]) == outside, \
        "something outside the area's self-test region changed"
    print("    boot 2 (OS): " + "\n    boot 2 (OS): ".join(
        res.rig_lines("report-line") + res.rig_lines("status-after") +
        res.rig_lines("efi-after")))
