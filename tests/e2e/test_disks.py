# SPDX-License-Identifier: GPL-2.0
"""Issue 14: areas on any disk of a many-disk machine.

One boot covers two rows of the issue: the area is on the SECOND of two
NVMe controllers, whose namespace has 4096-byte logical blocks (4Kn), while
a dd keeps the FIRST controller busy at the crash.  The guest makes the
area itself with `bmdump prepare --create` on the 4Kn namespace, so
prepare's partitioning (sfdisk counts size= in the disk's own blocks) is
part of the test.  The dump must pass the shared dump check: readers and
the memory oracle, page for page against the guest's RAM."""

import os

import disks
import rig
import test_dump
import toolsrig
from test_dump import check_dump, new_disk

AREA_MIB = 256

# The area disk by serial, prepared in the guest; its UUID goes on the
# stub's command line through $AREA (the scenario's --append is quoted).
PREPARE = toolsrig.SHELL_HELPERS + r'''
a=$(disk area4k)
echo "RIG: area-lbs=$(cat /sys/block/${a#/dev/}/queue/logical_block_size)"
bmdump prepare --create $a --size AREA_MIBM > /tmp/prep.txt 2>&1
echo "RIG: prepare=$?"
sed 's/^/RIG: prepare-out /' /tmp/prep.txt
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
p=${a#/dev/}p1
echo "RIG: area-part=$(cat /sys/class/block/$p/start) $(cat /sys/class/block/$p/size)"
'''.replace("AREA_MIB", str(AREA_MIB))

# dd on the first controller's partition 1 until the crash; the guest says
# how many sectors that disk wrote in a second.
BUSY = r'''
b=$(disk busy0)
(while :; do dd if=/dev/zero of=${b}p1 bs=256k oflag=direct 2>/dev/null; done) &
sleep 1
w0=$(awk -v d=${b#/dev/} '$3 == d {print $10}' /proc/diskstats)
sleep 1
w1=$(awk -v d=${b#/dev/} '$3 == d {print $10}' /proc/diskstats)
echo "RIG: busy-sectors=$((w1 - w0))"
'''


def test_dump_4kn_second_controller_first_busy():
    name = "dump-disks"
    busy = new_disk(name, area=False)
    busy.disk.serial = "busy0"
    ddpart = [busy.parts[0]]
    outside = busy.digest_outside_area(ddpart)
    path = os.path.join(rig.E2E_BUILD, name, "area4k.img")
    area_disk = rig.Disk(path, AREA_MIB + 64, serial="area4k",
                         block_size=4096)
    seed, marker = 1404, "bmdump-marker-4kn"
    scen = PREPARE + test_dump.scenario("$AREA", seed, marker,
                                        before_crash=BUSY)
    _, res = test_dump.run(name, busy, scen, extra_disks=[area_disk],
                           extra_files=toolsrig.tool_files(),
                           binaries=toolsrig.HELPERS)
    facts = res.facts()
    assert facts.get("area-lbs") == "4096", "not a 4Kn namespace\n" + \
        res.tail()
    assert facts.get("prepare") == "0", "prepare --create failed:\n" + \
        "\n".join(res.rig_lines("prepare-out"))
    # The kernel counts partitions in 512-byte units: the partition holds
    # exactly --size, at a 4 KiB boundary.
    start, size = (int(x) for x in facts["area-part"].split())
    assert size * 512 == AREA_MIB << 20, facts["area-part"]
    assert start * 512 % 4096 == 0, facts["area-part"]
    assert int(facts["busy-sectors"]) > 0, "no I/O at the crash"

    # PCI order: the busy disk is the stub's nvme0, the area disk nvme1.
    _, m = res.find(r"bmdump: nvme0: was CC \S+ CSTS \S+ \(([^)]*)\)")
    assert m and m.group(1) == "enabled, ready", \
        "the first controller was not live at the crash\n" + res.tail()
    _, m = res.find(r"bmdump: nvme1n1: \d+ blocks of (\d+) bytes")
    assert m and m.group(1) == "4096", res.tail()
    _, m = res.find(r"bmdump: area: (\S+) partition \d+: area ")
    assert m and m.group(1) == "nvme1n1", \
        "the area was not found on the second controller\n" + res.tail()

    area = disks.AreaImage.from_gpt(path, area_disk, sector=4096)
    assert area.area_len == AREA_MIB << 20
    check_dump(name, area, res, seed, marker)
    assert busy.digest_outside_area(ddpart) == outside, \
        "the busy disk changed outside the partition dd wrote"
    print("    " + "\n    ".join(test_dump.figures(res) +
                                 [l for l in res.stub_lines()
                                  if "nvme" in l]))
