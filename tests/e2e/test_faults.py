# SPDX-License-Identifier: GPL-2.0
"""Issue 12 fault matrix: crashes the stub must survive.  This file holds
the cases that need their own guest; see also test_dump.py."""

import os

import rig
import test_dump as td


def test_faults_watchdog_armed_by_crashed_kernel():
    """The crashed kernel's i6300esb driver has the watchdog open with a
    1 s heartbeat (a reset 2 s later): the stub must stop it and finish
    the dump (QEMU powers off on expiry, so a cut dump shows)."""
    name = "faults-watchdog"
    disk = td.new_disk(name)
    seed, marker = 9, "bmdump-marker-watchdog"
    arm = ("rmmod i6300esb 2>/dev/null; modprobe i6300esb heartbeat=1 "
           "nowayout=0 && exec 3>/dev/watchdog && "
           "echo \"RIG: watchdog-open yes\"")
    scen = td.scenario(td.AREA_UUID, seed, marker, before_crash=arm)
    files = {"boot/bmdump.bzImage": rig.stub_path(),
             "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()}
    if td.hook_available():
        files["lib/modules/extra/bmdump.ko"] = os.path.join(rig.BUILD,
                                                             "bmdump.ko")
    g = rig.Guest(name, None, disks=[disk.disk], timeout=600,
                  extra_args=["-device", "i6300esb",
                              "-action", "watchdog=poweroff"])
    g.initrd = rig.Initramfs(files=files, scenario=scen,
                             modules=["i6300esb"]).build(g.dir)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    assert res.rig_lines("watchdog-open") == ["yes"], res.tail()
    assert any("watchdog: i6300esb armed by the crashed kernel: stopped"
               in line for line in res.stub_lines()), res.tail()
    td.check_dump(name, disk, res, seed, marker)
