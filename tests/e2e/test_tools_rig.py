# SPDX-License-Identifier: GPL-2.0
"""bmdump on a real kernel in the rig: prepare on NVMe (and its refusal of
ext4), load/unload with real kexec, and `bmdump status` exit 3 with each
"not armed" reason the rig can produce without the kernel hook: no config,
no AREA, no crashkernel, module missing, stub file missing, stub not
loaded, a crash kernel loaded by someone else, area missing, corrupt or
unsaved, a stale load, lockdown, kexec disabled.  (Armed, exit 0, needs
bmdump.ko: tests/e2e/test_cycle.py.)"""

import os

import rig
import toolsrig as R

SCENARIO_MAIN = r"""
st noconfig
bmdump prepare --create /dev/nvme0n1 --size 64M > /tmp/prep.txt 2>&1
echo "RIG: prepare=$?"
cat /tmp/prep.txt
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
echo "RIG: area=$AREA"
# A second partition with ext4 on it must be refused.
echo 'size=16MiB, type=linux' | sfdisk --quiet --append /dev/nvme0n1
sleep 1
mkfs.ext4 -q /dev/nvme0n1p2
bmdump prepare /dev/nvme0n1p2 > /tmp/ext4.txt 2>&1
echo "RIG: prepare-ext4=$? $(tr '\n' ' ' < /tmp/ext4.txt)"
# The ext4 superblock magic (0xef53 at byte 1080) is still there.
[ "$(dd if=/dev/nvme0n1p2 bs=1 skip=1080 count=2 2>/dev/null | od -An -tx1 | tr -d ' ')" = 53ef ] && \
    echo "RIG: ext4-intact=1"
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage" \
     "MAKEDUMPFILE="
st prepared
bmdump load --dry-run > /tmp/dry.txt 2>&1
echo "RIG: dry-run=$? $(tr '\n' ' ' < /tmp/dry.txt)"
bmdump load > /tmp/load.txt 2>&1
echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
st loaded
bmdump-testarea set-state /dev/nvme0n1p1 0 complete
st unsaved
bmdump load > /tmp/load2.txt 2>&1
echo "RIG: load-unsaved=$? $(tr '\n' ' ' < /tmp/load2.txt)"
bmdump save > /tmp/save.txt 2>&1
echo "RIG: save-unreadable=$? $(tr '\n' ' ' < /tmp/save.txt)"
bmdump-testarea set-state /dev/nvme0n1p1 0 saved
st saved
conf "AREA=0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0" \
     "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
st otherarea
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
# Break the header's CRC: one byte of the generation field.
printf '\377' | dd of=/dev/nvme0n1p1 bs=1 seek=96 conv=notrunc 2>/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches
st corrupt
bmdump unload; echo "RIG: unload=$?"
echo "RIG: crash-loaded-after=$(cat /sys/kernel/kexec_crash_loaded)"
st unloaded
conf "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
st noarea
conf "AREA=$AREA" "STUB=/nonexistent/bmdump.bzImage"
st nostub
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
# A crash image loaded behind bmdump's back (as kdump-tools would).
kexec -p /usr/local/lib/bmdump/bmdump.bzImage --append="foreign"
st foreign
kexec -p -u
echo 1 > /proc/sys/kernel/kexec_load_disabled
st disabled
"""

SCENARIO_LOCKDOWN = r"""
mount -t securityfs securityfs /sys/kernel/security
echo "RIG: lockdown=$(cat /sys/kernel/security/lockdown)"
bmdump prepare --create /dev/nvme0n1 --size 32M > /tmp/prep.txt 2>&1
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
st lockdown-auto
bmdump load > /tmp/load.txt 2>&1
echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage" \
     "KEXEC_FILE_LOAD=no"
st lockdown-no
umount /sys/kernel/security
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
bmdump load > /tmp/load.txt 2>&1
echo "RIG: load-nosecfs=$? $(tr '\n' ' ' < /tmp/load.txt)"
"""

SCENARIO_NOCRASH = r"""
bmdump prepare --create /dev/nvme0n1 --size 32M > /tmp/prep.txt 2>&1
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
conf "AREA=$AREA" "STUB=/usr/local/lib/bmdump/bmdump.bzImage"
st nocrash
bmdump load > /tmp/load.txt 2>&1
echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
"""


def _boot(name, scenario, **kw):
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    img = R.initramfs(scenario, testarea=True).build(d)
    disk = rig.Disk(os.path.join(d, "disk.img"), size_mib=128)
    g = rig.Guest(name, img, disks=[disk], **kw)
    res = g.run()
    assert not res.timed_out, res.log
    assert res.find(r"RIG: scenario-ended")[0] is not None, res.log
    return res


def test_tools_rig_status_reasons():
    res = _boot("tools-status", SCENARIO_MAIN)
    f = res.facts()
    s = R.statuses(res)
    log = res.log

    assert s["noconfig"][0] == 3 and R.codes(s["noconfig"])[0] == "config", \
        (s["noconfig"], log)
    assert f["prepare"] == "0", log
    area = f["area"]
    assert len(area) == 36
    rc, _, msg = f["prepare-ext4"].partition(" ")
    assert rc == "1" and "ext4" in msg and "--force" in msg, msg
    assert f.get("ext4-intact") == "1", log

    assert s["prepared"][0] == 3
    assert R.codes(s["prepared"]) == ["module-missing", "not-loaded"], \
        s["prepared"]
    assert s["prepared"][1]["area_state"] == "empty"
    assert s["prepared"][1]["area_device"] == "/dev/nvme0n1p1"

    rc, _, dry = f["dry-run"].partition(" ")
    assert rc == "0", dry
    assert ("-p /usr/local/lib/bmdump/bmdump.bzImage --append=bmdump.area=%s "
            "bmdump.final=reset" % area) in dry, dry
    # Without the module: the stub is loaded (full dump), load says so.
    rc, _, out = f["load"].partition(" ")
    assert rc == "1" and "not loaded" in out and "stub loaded" in out, out
    assert f["crash-loaded"] == "1"
    assert R.codes(s["loaded"]) == ["module-missing"], s["loaded"]
    assert s["loaded"][1]["stub_loaded"] is True

    assert R.codes(s["unsaved"]) == ["module-missing", "area-unsaved"], \
        s["unsaved"]
    rc, _, out = f["load-unsaved"].partition(" ")
    assert rc == "1" and "bmdump save" in out, out
    # The area says complete but holds no image: a clear error, exit 4.
    rc, _, out = f["save-unreadable"].partition(" ")
    assert rc == "4" and "unreadable" in out, out

    assert R.codes(s["saved"]) == ["module-missing"], s["saved"]
    assert R.codes(s["otherarea"]) == ["module-missing", "stale-load",
                                       "area-missing"], s["otherarea"]
    assert R.codes(s["corrupt"]) == ["module-missing", "area-corrupt"], \
        s["corrupt"]
    assert f["unload"] == "0" and f["crash-loaded-after"] == "0"
    assert R.codes(s["unloaded"]) == ["module-missing", "not-loaded",
                                      "area-corrupt"], s["unloaded"]
    assert R.codes(s["noarea"]) == ["no-area-configured", "module-missing",
                                    "not-loaded"], s["noarea"]
    assert R.codes(s["nostub"]) == ["module-missing", "stub-missing",
                                    "not-loaded", "area-corrupt"], s["nostub"]
    assert R.codes(s["foreign"]) == ["module-missing",
                                     "foreign-crash-kernel",
                                     "area-corrupt"], s["foreign"]
    assert "kexec-disabled" in R.codes(s["disabled"]), s["disabled"]
    for name, (rc, j) in s.items():
        assert rc == 3 and j["armed"] is False, name


def test_tools_rig_lockdown():
    res = _boot("tools-lockdown", SCENARIO_LOCKDOWN,
                append="lockdown=integrity")
    f = res.facts()
    s = R.statuses(res)
    assert "[integrity]" in f["lockdown"], f
    auto = s["lockdown-auto"]
    assert auto[0] == 3 and auto[1]["lockdown"] == "integrity"
    assert "lockdown" in R.codes(auto), auto
    rc, _, out = f["load"].partition(" ")
    assert rc == "1" and "lockdown" in out and "signed" in out, out
    msgs = {r["code"]: r["message"] for r in s["lockdown-no"][1]["reasons"]}
    assert "refuses kexec_load" in msgs["lockdown"], msgs
    # Without securityfs the lockdown is invisible: load still gets past
    # kexec_load's refusal to kexec_file_load, which wants a signature.
    rc, _, out = f["load-nosecfs"].partition(" ")
    assert rc == "1" and "trying kexec_file_load" in out, out
    assert "signed" in out, out


def test_tools_rig_no_crashkernel():
    res = _boot("tools-nocrash", SCENARIO_NOCRASH, crashkernel="")
    f = res.facts()
    s = R.statuses(res)
    assert R.codes(s["nocrash"]) == ["no-crashkernel", "module-missing"], \
        s["nocrash"]
    rc, _, out = f["load"].partition(" ")
    assert rc == "1" and "crashkernel" in out, out
