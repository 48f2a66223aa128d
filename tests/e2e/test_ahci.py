# SPDX-License-Identifier: GPL-2.0
"""Issue 14: the dump area on a SATA disk behind QEMU's ich9-ahci (the q35
machine's built-in HBA at 00:1f.2), driven by Linux's ahci driver until the
crash.  In the same boot, bmdump load and bmdump status must accept the area
on /dev/sda; then the crash, and the stub's AHCI driver must write a dump
that the readers open and that equals the guest's memory page for page,
with nothing outside the area changed."""

import re
import uuid as uuidlib

import rig
import test_dump
import toolsrig as R
from dumpcheck import check_dump

PRE = r"""
i=0
while [ ! -b /dev/sda2 ] && [ $i -lt 300 ]; do usleep 100000; i=$((i+1)); done
echo "RIG: sata=$(ls -d /sys/block/sd* 2>/dev/null | tr '\n' ' ')"
drv=$(readlink /sys/bus/pci/devices/0000:00:1f.2/driver)
echo "RIG: sata-driver=${drv##*/}"
bmdump prepare /dev/sda2 > /tmp/prep.txt 2>&1
echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
conf "AREA=$AREA" "STUB=%(stub)s"
bmdump load > /tmp/load.txt 2>&1
echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
st ahci
"""


def test_dump_ahci():
    name = "dump-ahci"
    disk = test_dump.new_disk(name, iface="ahci")
    outside = disk.digest_outside_area()
    seed, marker = 4343, "bmdump-marker-%s" % uuidlib.uuid4().hex[:12]
    # The stub is armed with the UUID bmdump prepare gave the area.
    scen = PRE % {"stub": R.GUEST_STUB} + \
        test_dump.scenario("$AREA", seed, marker)
    extra = {"boot/bmdump.bzImage": rig.stub_path(),
             "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()}
    img = R.initramfs(scen, with_module=test_dump.hook_available(),
                      extra_files=extra)
    img.modules += ["ahci", "sd_mod"]
    g = rig.Guest(name, None, disks=[disk.disk], mem_mib=1024,
                  timeout=600, memdump=True)
    g.initrd = img.build(g.dir)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    facts = res.facts()

    # Linux drove the HBA; the host tools took the area on /dev/sda.
    assert facts.get("sata-driver") == "ahci", facts
    assert facts.get("sata", "").startswith("/sys/block/sda"), facts
    assert facts.get("prepare", "").startswith("0"), facts.get("prepare")
    uuid = re.search(r"AREA=(\S+)", facts["prepare"]).group(1)
    assert uuid != test_dump.AREA_UUID
    assert facts.get("load", "").startswith("0"), facts.get("load")
    st = R.statuses(res).get("ahci")
    assert st and st[0] == 0, "bmdump status on the AHCI area: %s" % (
        st and R.codes(st),)

    # The stub took the HBA over and wrote through it.
    stub = "\n".join(res.stub_lines())
    assert re.search(r"bmdump: ahci0p0: .* NCQ, \d+ slots", stub), stub
    assert "no driver yet" not in stub, stub
    assert "area: ahci0p0 partition 2: area %s" % uuid in stub, stub
    check_dump(name, disk, res, seed, marker,
               expect_source=1 if test_dump.hook_available() else 2,
               outside=outside)
    print("    " + "\n    ".join(l for l in test_dump.figures(res)))
