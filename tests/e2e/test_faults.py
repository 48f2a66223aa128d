# SPDX-License-Identifier: GPL-2.0
"""Issue 12 fault matrix: crashes the stub must survive.  This file holds
the cases that need their own guest; see also test_dump.py."""

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
    outside = disk.digest_outside_area()
    _, res = td.run(name, disk, scen, modules=["i6300esb"],
                    extra_args=["-device", "i6300esb",
                                "-action", "watchdog=poweroff"])
    assert res.rig_lines("watchdog-open") == ["yes"], res.tail()
    assert any("watchdog: i6300esb armed by the crashed kernel: stopped"
               in line for line in res.stub_lines()), res.tail()
    td.check_dump(name, disk, res, seed, marker, outside=outside)
