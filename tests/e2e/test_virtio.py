# SPDX-License-Identifier: GPL-2.0
"""Issue 14: the dump lands in an area on a virtio-blk disk.

One boot: the guest kernel drives QEMU's virtio-blk-pci (transitional by
default; the stub uses its modern interface) with writes in flight on
another partition when the machine crashes; the stub takes the device
over, writes the dump, and the shared dump check (readers + the memory
oracle, page for page against the guest's RAM) accepts it."""

import test_dump
from test_dump import AREA_UUID, check_dump, new_disk

MODULES = ["virtio_pci", "virtio_blk"]

# Writes and reads on partition 1 of the dump disk while the machine
# crashes; the guest says how many sectors the disk wrote in a second.
IO_STORM = r'''
p1=/dev/vda1
echo "RIG: vda-size=$(cat /sys/block/vda/size)"
(while :; do dd if=/dev/zero of=$p1 bs=256k oflag=direct 2>/dev/null; done) &
(while :; do dd if=$p1 of=/dev/null bs=64k iflag=direct 2>/dev/null; done) &
sleep 1
w0=$(awk '$3 == "vda" {print $10}' /proc/diskstats)
sleep 1
w1=$(awk '$3 == "vda" {print $10}' /proc/diskstats)
echo "RIG: storm-sectors=$((w1 - w0))"
'''


def test_dump_virtio_blk_busy():
    name = "dump-virtio"
    disk = new_disk(name, iface="virtio")
    storm = [disk.parts[0]]
    outside = disk.digest_outside_area(storm)
    seed, marker = 1414, "bmdump-marker-virtio"
    _, res = test_dump.run(name, disk, test_dump.scenario(
        AREA_UUID, seed, marker, before_crash=IO_STORM), modules=MODULES)
    facts = res.facts()
    assert int(facts.get("vda-size", 0)) > 0, \
        "the guest kernel did not drive the virtio disk\n" + res.tail()
    assert int(facts["storm-sectors"]) > 0, "no I/O at the crash"
    _, m = res.find(r"bmdump: virtio0: \S+ 1af4:(1001|1042) status was "
                    r"0x([0-9a-f]+)")
    assert m, "the stub did not take the virtio disk over\n" + res.tail()
    # QEMU drops DRIVER_OK when bus mastering goes off (the stub's PCI
    # fence); FEATURES_OK says the crashed kernel had set the device up.
    assert int(m.group(2), 16) & 0x08, \
        "the device was not live at the crash: %s" % m.group(0)
    check_dump(name, disk, res, seed, marker, outside=outside,
               outside_also=storm)
    assert "virtio0:" in disk.log(), "the area's log lacks the driver"
    print("    " + "\n    ".join(test_dump.figures(res) +
                                 [l for l in res.stub_lines()
                                  if "virtio" in l]))
