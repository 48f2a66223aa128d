# SPDX-License-Identifier: GPL-2.0
"""Issue 10: the dump lands when the crashed kernel left the IOMMU on.

One boot per IOMMU configuration (the QEMU machine differs), each ending
in a dump that the shared dump check (test_dump.check_dump) accepts.  The
guest first proves that its kernel really turned the IOMMU on, the stub's
log must say which units it found and what it changed."""

import os
import re

import rig
import test_dump
from test_dump import AREA_UUID, check_dump, new_disk

VTD = ["-machine", "kernel-irqchip=split",
       "-device", "intel-iommu,intremap=on"]
AMDVI = ["-device", "amd-iommu"]

# What the first kernel made of the IOMMU, before the crash.
IOMMU_REPORT = r'''
for u in /sys/class/iommu/*; do
    [ -e "$u" ] && echo "RIG: iommu-unit $(basename $u)"
done
dmesg | grep -E "DMAR|AMD-Vi|iommu" | sed 's/^\[[^]]*\] *//; s/^/RIG: iommu-dmesg /'
'''

# Writes to another partition of the dump disk while the machine crashes.
IO_STORM = ("dd if=/dev/zero of=/dev/nvme0n1p1 bs=1M count=100000 "
            "oflag=direct 2>/dev/null &\n"
            "dd if=/dev/nvme0n1p1 of=/dev/null bs=64k iflag=direct "
            "2>/dev/null &\nsleep 1")


def run(name, disk, scen, extra_args, append):
    files = {"boot/bmdump.bzImage": rig.stub_path(),
             "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()}
    if test_dump.hook_available():
        files["lib/modules/extra/bmdump.ko"] = os.path.join(rig.BUILD, "bmdump.ko")
    g = rig.Guest(name, None, disks=[disk.disk], mem_mib=1024, timeout=600,
                  extra_args=extra_args, append=append)
    g.initrd = rig.Initramfs(files=files, scenario=scen).build(g.dir)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    return res


def dump_with_iommu(name, extra_args, append, guest_proof, stub_proof,
                    before_crash=""):
    """Crash a guest whose kernel runs the IOMMU; the dump must land."""
    disk = new_disk(name)
    seed, marker = 1010, "bmdump-marker-%s" % name
    scen = IOMMU_REPORT + test_dump.scenario(AREA_UUID, seed, marker,
                                             before_crash=before_crash)
    res = run(name, disk, scen, extra_args, append)
    dmesg = "\n".join(res.rig_lines("iommu-dmesg"))
    assert re.search(guest_proof, dmesg), \
        "the guest kernel did not turn the IOMMU on (%r):\n%s" % (
            guest_proof, dmesg[-3000:])
    assert res.rig_lines("iommu-unit"), "no /sys/class/iommu unit"
    check_dump(name, disk, res, seed, marker)
    log = disk.log()
    assert re.search(stub_proof, log), \
        "the stub's log in the area does not say what it did to the " \
        "IOMMU (%r):\n%s" % (stub_proof, log[-3000:])
    _, m = res.find(r"bmdump: iommu: .* in (\d+) us")
    assert m, res.tail()
    print("    " + "\n    ".join(l for l in res.stub_lines()
                                  if "iommu" in l))
    return res


def test_iommu_vtd_lazy():
    """VT-d on, the kernel's default lazy DMA mode."""
    dump_with_iommu("iommu-vtd", VTD, "intel_iommu=on",
                    r"DMAR: IOMMU enabled|DMAR-IR: Enabled IRQ remapping",
                    r"iommu: dmar unit 0 .*translation off")


def test_iommu_vtd_strict_io_storm():
    """VT-d strict, and two dd's hammering another partition of the dump
    disk when the machine crashes."""
    dump_with_iommu("iommu-vtd-strict", VTD,
                    "intel_iommu=on iommu.strict=1",
                    r"DMAR: IOMMU enabled", r"iommu: dmar unit 0 .*"
                    r"translation off", before_crash=IO_STORM)


def test_iommu_vtd_passthrough():
    """VT-d on with iommu=pt: identity domains, translation still on."""
    dump_with_iommu("iommu-vtd-pt", VTD, "intel_iommu=on iommu=pt",
                    r"DMAR: IOMMU enabled", r"iommu: dmar unit 0 ")


def test_iommu_amdvi():
    """AMD-Vi on (QEMU's amd-iommu on q35)."""
    dump_with_iommu("iommu-amdvi", AMDVI, "",
                    r"AMD-Vi: ", r"iommu: ivhd unit 0 .*IommuEn off")
