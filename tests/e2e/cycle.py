# SPDX-License-Identifier: GPL-2.0
"""The operator's whole cycle in the rig, two boots on the same disks.

boot 1: bmdump prepare --create, the config, bmdump load, bmdump status
        (must be armed, with the kernel's VMCOREINFO checked by load),
        crash through sysrq; the stub writes the dump into
        the area and resets.
boot 2: bmdump save (no config: it finds the area by its partition type),
        bmdump info, a second save (nothing to save), the config again from
        the area's UUID, bmdump load, bmdump status (armed again).  The
        saved files leave the guest as a tar on a second disk; on the host
        makedumpfile --dump-dmesg, crash --osrelease and drgn open the dump.

Nothing here imitates the stub or the hook: the dump is whatever the real
stub wrote.  run_cycle() returns every check with its outcome, so a run
shows how far the cycle gets (tests/e2e/test_cycle.py asserts all of them).
"""

import json
import os
import re
import subprocess
import sys
import tarfile

if __name__ == "__main__":
    # Run as a script: the shared test modules (tests/lib) as run.py has them.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "lib"))

import oracle  # noqa: E402
import rig  # noqa: E402
import toolsrig as R  # noqa: E402

STUB = R.GUEST_STUB

SCENARIO = r"""
AD=$(disk bmdump0)
OD=$(disk bmdump1)
echo "RIG: disks=$AD $OD"
if [ ! -e ${AD}p1 ]; then
    echo "RIG: boot=1"
    bmdump prepare --create $AD --size 1100M > /tmp/prep.txt 2>&1
    echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
    AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
    conf "AREA=$AREA" "STUB=%(stub)s" "DUMP_LEVEL=31"
    bmdump load > /tmp/load.txt 2>&1
    echo "RIG: load=$? $(tr '\n' ' ' < /tmp/load.txt)"
    st boot1
    echo "RIG: crashing=1"
    sleep 1    # let the console drain before the panic's printk
    echo c > /proc/sysrq-trigger
    echo "RIG: still-alive=1"
else
    echo "RIG: boot=2"
    bmdump info --area --device ${AD}p1 > /tmp/area.txt 2>&1
    echo "RIG: area-info=$?"
    cat /tmp/area.txt
    # No AREA: save finds the area by its partition type.  /var/crash is
    # the initramfs here, smaller than the default MIN_FREE.
    conf "MIN_FREE=32M"
    bmdump save --no-progress > /tmp/save.txt 2>&1
    echo "RIG: save=$? $(tr '\n' ' ' < /tmp/save.txt)"
    ls -l /var/crash/*/
    for f in /var/crash/*/dump.*; do
        bmdump info "$f" > /tmp/info.txt 2>&1
        echo "RIG: info=$?"
        cat /tmp/info.txt
    done
    bmdump save --no-progress > /tmp/save2.txt 2>&1
    echo "RIG: save2=$? $(tr '\n' ' ' < /tmp/save2.txt)"
    AREA=$(bmdump info --area --device ${AD}p1 --json | \
           sed -n 's/.*"uuid": "\([^"]*\)".*/\1/p')
    conf "AREA=$AREA" "STUB=%(stub)s" "MIN_FREE=32M"
    bmdump load > /tmp/load.txt 2>&1
    echo "RIG: load2=$? $(tr '\n' ' ' < /tmp/load.txt)"
    st boot2
    (cd /var/crash && tar cf $OD .)
    echo "RIG: exported=$?"
    sync
fi
""" % {"stub": STUB}


class Checks:
    def __init__(self):
        self.items = []

    def check(self, name, ok, detail=""):
        self.items.append((name, bool(ok), detail))
        return ok

    def failed(self):
        return [(n, d) for n, ok, d in self.items if not ok]

    def table(self):
        return "\n".join("%-4s %-34s %s" % ("ok" if ok else "FAIL", n,
                                             d if not ok else "")
                         for n, ok, d in self.items)


def _rc(v):
    rc, _, rest = (v or "").partition(" ")
    return rc, rest


def run_cycle(name="cycle", kver=None, module=R.MODULE):
    """kver: the guest's kernel (rig.KVER by default), module: the hook
    built for it."""
    kver = kver or rig.KVER
    c = Checks()
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    have_module = os.path.exists(module)
    c.check("kernel hook built (build/bmdump.ko)", have_module,
            "missing: the hook is not merged yet")
    img = R.initramfs(SCENARIO, with_module=have_module, kver=kver,
                      module=module).build(d)
    area_disk = rig.Disk(os.path.join(d, "area.img"), size_mib=1200)
    out_disk = rig.Disk(os.path.join(d, "out.img"), size_mib=512,
                        serial="bmdump1")
    g = rig.Guest(name, img, disks=[area_disk, out_disk], mem_mib=1024,
                  crashkernel="64M", timeout=600, memdump=True,
                  kver=kver)

    r1 = g.run()
    f1 = r1.facts()
    s1 = R.statuses(r1)
    c.check("boot 1 ran", f1.get("boot") == "1", r1.log)
    rc, out = _rc(f1.get("prepare"))
    c.check("prepare --create", rc == "0", out)
    rc, out = _rc(f1.get("load"))
    c.check("load", rc == "0", out)
    st = s1.get("boot1")
    c.check("status armed after load (exit 0)", st and st[0] == 0,
            st and R.codes(st))
    # load read this kernel's VMCOREINFO through /proc/kcore and found
    # every key the stub reads, init_uts_ns where phys_base puts it
    vj = st[1] if st else {}
    c.check("load checked VMCOREINFO for %s" % kver,
            vj.get("vmcoreinfo") == "checked" and
            vj.get("vmcoreinfo_release") == kver and
            vj.get("vmcoreinfo_keys") == 7 and
            "init_uts_ns found" in f1.get("load", ""),
            {k: vj.get(k) for k in ("vmcoreinfo", "vmcoreinfo_release",
                                    "vmcoreinfo_keys",
                                    "vmcoreinfo_message")})
    # The stub's own lines: after the panic (bmdump's lines come before).
    panic = r1.panic_time()
    stub = [l for t, l in r1.lines
            if panic is not None and t >= panic and "bmdump: " in l]
    c.check("crash reached the stub", f1.get("crashing") == "1" and
            "still-alive" not in f1 and
            any(re.search(r"bmdump: bmdump \S+ entered at", l)
                for l in stub), r1.log)
    c.check("stub reset the machine", not r1.timed_out and
            any("bmdump: done, resetting" in l for l in stub), r1.log)
    cl = [l for l in stub if "command line:" in l]
    area_uuid = re.search(r"AREA=(\S+)", f1.get("prepare", ""))
    c.check("stub got bmdump.area= from load", cl and area_uuid and
            "bmdump.area=" + area_uuid.group(1) in cl[0], cl)
    c.check("stub got bmdump.desc= from load", cl and
            re.search(r"bmdump\.desc=0x[0-9a-f]+", cl[0]), cl)
    errs = [l for l in stub if re.search(r"error|warning", l)]
    c.check("stub logged no error", not errs, "; ".join(errs[:5]))

    r2 = g.run()
    f2 = r2.facts()
    s2 = R.statuses(r2)
    c.check("boot 2 ran", f2.get("boot") == "2", r2.log)
    c.check("area info in boot 2", f2.get("area-info") == "0", r2.log)
    rc, out = _rc(f2.get("save"))
    c.check("save", rc == "0" and "saved" in out, out)
    c.check("info of the saved dump", f2.get("info") == "0", r2.log)
    rc, out = _rc(f2.get("save2"))
    c.check("second save: nothing to save", rc == "0" and
            "nothing to save" in out, out)
    rc, out = _rc(f2.get("load2"))
    c.check("load again in boot 2", rc == "0", out)
    st = s2.get("boot2")
    c.check("status armed again (exit 0)", st and st[0] == 0,
            st and R.codes(st))
    c.check("files exported", f2.get("exported") == "0", r2.log)

    files = {}
    outdir = os.path.join(d, "saved")
    if f2.get("exported") == "0":
        subprocess.run(["rm", "-rf", outdir])
        os.makedirs(outdir)
        with tarfile.open(out_disk.path) as t:
            t.extractall(outdir)
        for root, _, names in os.walk(outdir):
            for n in names:
                files[n.split(".")[0]] = os.path.join(root, n)
    dump = files.get("dump")
    c.check("dump.<stamp> saved", dump, sorted(files))
    c.check("dmesg.<stamp> saved", files.get("dmesg"), sorted(files))
    c.check("no dump-incomplete left", "dump-incomplete" not in files,
            sorted(files))
    if dump:
        # makedumpfile refuses to overwrite: a rerun would fail here
        if os.path.exists(os.path.join(d, "host.dmesg")):
            os.unlink(os.path.join(d, "host.dmesg"))
        m = subprocess.run(["makedumpfile", "--dump-dmesg", dump,
                            os.path.join(d, "host.dmesg")],
                           capture_output=True, text=True)
        text = ""
        if m.returncode == 0:
            with open(os.path.join(d, "host.dmesg")) as f:
                text = f.read()
        c.check("makedumpfile --dump-dmesg", m.returncode == 0 and
                "sysrq: Trigger a crash" in text, m.stdout + m.stderr)
        cr = subprocess.run(["crash", "--osrelease", dump],
                            capture_output=True, text=True, timeout=120)
        c.check("crash --osrelease", cr.returncode == 0 and
                cr.stdout.strip() == kver, cr.stdout + cr.stderr)
        dg = subprocess.run(
            ["/usr/bin/python3", "-c",
             "import sys, drgn; p = drgn.Program(); "
             "p.set_core_dump(sys.argv[1]); "
             "print(p['UTS_RELEASE'].string_().decode())", dump],
            capture_output=True, text=True, timeout=300)
        c.check("drgn opens it", dg.returncode == 0 and
                dg.stdout.strip() == kver, dg.stdout + dg.stderr)
        inf = subprocess.run([R.BMDUMP, "info", "--json", dump],
                             capture_output=True, text=True)
        j = {}
        try:
            j = json.loads(inf.stdout)["dump"]
        except (ValueError, KeyError):
            pass
        c.check("bmdump info: release, crashed cpu, complete",
                j.get("release") == kver and "crashed_cpu" in j and
                j.get("incomplete") is False, inf.stdout + inf.stderr)
    c.check("memory oracle: the saved dump equals boot 1's RAM",
            *_oracle(r1, dump, d, 1 if have_module else 2))
    c.files = files
    return c, r1, r2


def _oracle(res, dump, workdir, source):
    """(ok, detail) of the memory oracle on the dump bmdump save wrote."""
    try:
        assert dump, "no saved dump"
        r = oracle.check_memory(res, dump, workdir, source)
        return True, "%d pages" % r["pages"]
    except AssertionError as e:
        return False, str(e)
    finally:
        oracle.drop_memdump(res)


def main():
    """For a demo: the checks, then bmdump info of the saved dump and the
    tail of its dmesg."""
    checks, r1, r2 = run_cycle("cycle-demo")
    print(checks.table())
    dump = checks.files.get("dump")
    if dump:
        subprocess.run([R.BMDUMP, "info", dump])
    if checks.files.get("dmesg"):
        with open(checks.files["dmesg"]) as f:
            print("".join(f.readlines()[-15:]))
    print("serial logs: %s %s" % (r1.log, r2.log))
    return 1 if checks.failed() else 0


if __name__ == "__main__":
    raise SystemExit(main())
