# SPDX-License-Identifier: GPL-2.0
"""Issue 13: bmdump under kernel lockdown with a signed stub.

One guest, booted with lockdown=integrity, whose UEFI db holds a
certificate this test made (written into its copy of the OVMF variable
store: efivars.py); Debian's kernel loads db into its platform keyring,
which kexec_file_load trusts, and with Debian's patch module loading too,
so the test module and bmdump.ko are signed with the same key.  In that
guest `bmdump load` refuses the unsigned stub and the stub signed by
another key (non-zero exit, a reason naming the key, nothing armed),
arms with the signed one through kexec_file_load, and the crash's dump
lands and passes the memory oracle."""

import json
import os
import uuid as uuidlib

import crash
import efivars
import rig
import test_dump
from signkeys import make_key, sbsign, sign_module
import toolsrig as R
from dumpcheck import check_dump

GUEST_DIR = "/usr/local/lib/bmdump/"

SCENARIO = crash.REPORT + r"""
mount -t securityfs securityfs /sys/kernel/security
echo "RIG: lockdown=$(cat /sys/kernel/security/lockdown)"
grep -c 'asymmetri bmdump e2e good:' /proc/keys | sed 's/^/RIG: key-loaded=/'
# The rig's init loaded both (signed) modules already; the test module
# again with this test's seed.
rmmod bmdump_testmod
insmod /lib/modules/extra/bmdump_testmod.ko pattern_seed={seed}
echo "RIG: insmod-testmod=$?"
cat /sys/kernel/debug/bmdump_testmod/patterns | sed 's/^/RIG: pattern /'
echo "RIG: bmdump-ko=$(cat /sys/kernel/bmdump/state)"
# try NAME FILE: bmdump load with STUB=FILE, then status
try() {{
    conf "AREA={area}" "STUB={dir}$2"
    bmdump load > /tmp/load.txt 2>&1
    rc=$?
    echo "RIG: load-$1=$rc $(tr '\n' ' ' < /tmp/load.txt)"
    echo "RIG: crash-loaded-$1=$(cat /sys/kernel/kexec_crash_loaded)"
    st $1
}}
try unsigned bmdump.bzImage
try other other.bzImage
try good good.bzImage
echo "RIG: kexec-rc=$rc"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
bmdump status | sed 's/^/STATUS: /'
echo "{marker}" > /dev/kmsg
echo "RIG: crash-cpu=0"
taskset -c 0 sh -c 'echo c > /proc/sysrq-trigger'
echo "RIG: still-alive"
"""


def refused(facts, statuses, name, signer_text):
    rc, _, out = facts["load-" + name].partition(" ")
    assert rc != "0", (name, out)
    assert "lockdown (integrity)" in out and signer_text in out, out
    assert "mokutil --import" in out, out
    assert facts["crash-loaded-" + name] == "0", "armed anyway: " + name
    src, st = statuses[name]
    assert src == 3 and not st["armed"], st
    assert "lockdown" in [r["code"] for r in st["reasons"]], st
    return st


def test_secboot_lockdown_signed_stub():
    name = "secboot-lockdown"
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    key, crt = make_key(d, "bmdump e2e good")
    okey, ocrt = make_key(d, "bmdump e2e other")
    vars_fd = os.path.join(d, "OVMF_VARS.db.fd")
    efivars.vars_with_db(rig.OVMF_VARS, vars_fd, crt)
    stub = rig.stub_path()
    files = {
        GUEST_DIR[1:] + "good.bzImage":
            sbsign(key, crt, stub, os.path.join(d, "good.bzImage")),
        GUEST_DIR[1:] + "other.bzImage":
            sbsign(okey, ocrt, stub, os.path.join(d, "other.bzImage")),
        "lib/modules/extra/bmdump_testmod.ko":
            sign_module(key, crt, rig.testmod_path(),
                        os.path.join(d, "bmdump_testmod.ko"), rig.MODDIR),
        "lib/modules/extra/bmdump.ko":
            sign_module(key, crt, R.MODULE, os.path.join(d, "bmdump.ko"),
                        rig.MODDIR),
    }
    disk = test_dump.new_disk(name)
    outside = disk.digest_outside_area()
    seed, marker = 1313, "bmdump-marker-%s" % uuidlib.uuid4().hex[:12]
    scen = SCENARIO.format(seed=seed, area=test_dump.AREA_UUID,
                           dir=GUEST_DIR, marker=marker)
    g = rig.Guest(name, None, disks=[disk.disk], append="lockdown=integrity",
                  ovmf_vars=vars_fd, memdump=True, timeout=600)
    g.initrd = R.initramfs(scen, extra_files=files).build(g.dir)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    f, s = res.facts(), R.statuses(res)
    assert "[integrity]" in f["lockdown"], f
    assert f["key-loaded"] == "1", "test cert not in the kernel keyrings"
    assert f["insmod-testmod"] == "0" and f["bmdump-ko"] == "armed", f

    st = refused(f, s, "unsigned", "which is not signed")
    assert not st["stub_signed"], st
    st = refused(f, s, "other", '"bmdump e2e other"')
    assert st["stub_signed"] and st["stub_signer"] == "bmdump e2e other"
    assert st["signer_key_loaded"] is False, st

    rc, _, out = f["load-good"].partition(" ")
    assert rc == "0" and "kexec_file_load" in out, out
    rc, st = s["good"]
    assert rc == 0 and st["armed"], json.dumps(st)
    assert st["stub_signer"] == "bmdump e2e good" and \
        st["signer_key_loaded"] is True, st
    print("    bmdump status of the armed lockdown guest:\n    " +
          "\n    ".join(t[len("STATUS: "):] for _, t in res.lines
                        if t.startswith("STATUS: ")))

    crash.check_crash(res, "kexec_file", 0)
    check_dump(name, disk, res, seed, marker, expect_source=1,
               outside=outside)
