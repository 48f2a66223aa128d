# SPDX-License-Identifier: GPL-2.0
"""Issue 10: the dump lands when the crashed kernel left the IOMMU on.

One boot per IOMMU configuration (the QEMU machine differs), each ending
in a dump that the shared dump check (test_dump.check_dump) accepts.  The
guest first proves that its kernel really turned the IOMMU on, the stub's
log must say which units it found and what it changed."""

import re

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
dmesg | grep -E "DMAR|AMD-Vi|iommu" |
    sed 's/^\[[^]]*\] *//; s/^/RIG: iommu-dmesg /'
'''

# Writes and reads on another partition of the dump disk (32 MiB, so in a
# loop) while the machine crashes; the guest says how many sectors the
# disk wrote in the last second.
IO_STORM = r'''
p1=/dev/nvme0n1p1
(while :; do dd if=/dev/zero of=$p1 bs=256k oflag=direct 2>/dev/null; done) &
(while :; do dd if=$p1 of=/dev/null bs=64k iflag=direct 2>/dev/null; done) &
sleep 1
w0=$(awk '$3 == "nvme0n1" {print $10}' /proc/diskstats)
sleep 1
w1=$(awk '$3 == "nvme0n1" {print $10}' /proc/diskstats)
echo "RIG: storm-sectors=$((w1 - w0))"
'''


# The NVMe disk's DMA goes through the IOMMU.
NVME_GROUPED = r"0000:00:01.0: Adding to iommu group"


def dump_with_iommu(name, extra_args, append, guest_proof, stub_proof,
                    before_crash=""):
    """Crash a guest whose kernel runs the IOMMU; the dump must land."""
    disk = new_disk(name)
    seed, marker = 1010, "bmdump-marker-%s" % name
    scen = IOMMU_REPORT + test_dump.scenario(AREA_UUID, seed, marker,
                                             before_crash=before_crash)
    # The storm writes partition 1 on purpose; every other byte outside
    # the area must stay as it was.
    also = [disk.parts[0]] if before_crash else []
    outside = disk.digest_outside_area(also)
    _, res = test_dump.run(name, disk, scen, extra_args=extra_args,
                           append=append)
    dmesg = "\n".join(res.rig_lines("iommu-dmesg"))
    for proof in guest_proof:
        assert re.search(proof, dmesg), \
            "the guest kernel did not run the IOMMU as asked (%r):\n%s" % (
                proof, dmesg[-3000:])
    check_dump(name, disk, res, seed, marker, outside=outside,
               outside_also=also)
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
                    [r"DMAR: IOMMU enabled", NVME_GROUPED,
                     r"Default domain type: Translated",
                     r"invalidation policy: lazy mode"],
                    r"iommu: dmar unit 0 .*translation off")


def test_iommu_vtd_strict_io_storm():
    """VT-d strict, and two dd's hammering another partition of the dump
    disk when the machine crashes."""
    res = dump_with_iommu("iommu-vtd-strict", VTD,
                          "intel_iommu=on iommu.strict=1",
                          [r"DMAR: IOMMU enabled", NVME_GROUPED,
                           r"invalidation policy: strict mode"],
                          r"iommu: dmar unit 0 .*translation off",
                          before_crash=IO_STORM)
    assert int(res.facts()["storm-sectors"]) > 0, "no I/O at the crash"


def test_iommu_vtd_passthrough():
    """VT-d on with iommu=pt: identity domains, translation still on."""
    dump_with_iommu("iommu-vtd-pt", VTD, "intel_iommu=on iommu=pt",
                    [r"DMAR: IOMMU enabled", NVME_GROUPED,
                     r"Default domain type: Passthrough"],
                    r"iommu: dmar unit 0 .*translation off")


def test_iommu_amdvi():
    """AMD-Vi on (QEMU's amd-iommu on q35)."""
    dump_with_iommu("iommu-amdvi", AMDVI, "",
                    [r"AMD-Vi: ", NVME_GROUPED,
                     r"Default domain type: Translated"],
                    r"iommu: ivhd unit 0 .*IommuEn off")


def test_iommu_vtd_present_but_off():
    """VT-d hardware present, the kernel told intel_iommu=off: translation
    stays off, but Linux still turns interrupt remapping on."""
    dump_with_iommu("iommu-vtd-off", VTD, "intel_iommu=off",
                    [r"DMAR: IOMMU disabled", r"DMAR-IR: Enabled IRQ"],
                    r"iommu: dmar unit 0 .*translation already off, "
                    r"interrupt remapping off")
