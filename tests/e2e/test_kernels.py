# SPDX-License-Identifier: GPL-2.0
"""The kernel matrix: bmdump on the installed kernels other than the one
the suite runs on (rig.other_kernels(); Debian 12: 6.12 next to 6.1).

For each such kernel: dkms builds the hook from the shipped tree, and one
guest boot per crash path (sysrq, oops) fills memory with every page class
(test_hook.FILL_SCRIPT), arms the hook, crashes into the stub, which writes
the dump from the hook's bitmap; on the host the shared check_dump() has
crash, drgn and makedumpfile open it, and the hook's page set (the dump's
2nd bitmap) is compared pfn for pfn with a reference.

The reference: Debian 12's makedumpfile 1.7.2 predates 6.12's page types
(it takes every free page for slab and keeps it), so it cannot judge the
hook there.  tests/e2e/pagewalk.py classifies every RAM pfn from the struct
pages inside the same dump, with upstream makedumpfile's rules chosen by
the dump's own VMCOREINFO, reading through drgn and libkdumpfile: nothing
of bmdump's.  The bound is 0 pfns either way, as for the 6.1 oracle
against makedumpfile (test_hook.py).

The VMCOREINFO in the dump must also hold, for every key the classifier's
unit test reads, the value captured in tests/unit/vmcoreinfo/<kver>: the
unit test's images of each kernel cannot go stale unnoticed.

test_kernels_cycle: the operator's two-boot cycle (cycle.py: prepare,
load, crash; save, info, load again) on each such kernel, one boot pair.
"""

import json
import os
import subprocess
import uuid as uuidlib

import crash
import cycle
import dumpcheck
import rig
import test_dump
import test_hook

MEM_MIB = 1024
VMCOREINFO_DIR = os.path.join(rig.ROOT, "tests", "unit", "vmcoreinfo")
PAGEWALK = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "pagewalk.py")
# classes both the hook's descriptor and the reference count
COMPARED = ["free", "cache", "cache_private", "user", "hwpoison", "offline"]

_built = {}


def matrix():
    kernels = rig.other_kernels()
    assert kernels, ("no kernel besides %s has image and headers installed: "
                     "run tests/install-deps.sh" % rig.KVER)
    return kernels


def modules_for(kver):
    """(bmdump.ko by dkms, bmdump_testmod.ko by kbuild) for kver, once."""
    if kver not in _built:
        hook = test_hook.dkms_build(kver)
        d = os.path.join(rig.E2E_BUILD, "kernels", kver, "testmod")
        os.makedirs(d, exist_ok=True)
        src = os.path.join(rig.ROOT, "tests", "e2e", "testmod")
        for f in ("Kbuild", "bmdump_testmod.c"):
            with open(os.path.join(src, f), "rb") as a, \
                    open(os.path.join(d, f), "wb") as b:
                b.write(a.read())
        p = subprocess.run(["make", "-s", "-C", "/lib/modules/%s/build" % kver,
                            "M=" + d, "modules"], capture_output=True,
                           text=True, timeout=600)
        assert p.returncode == 0, "testmod for %s:\n%s" % (kver, p.stderr)
        _built[kver] = (hook, os.path.join(d, "bmdump_testmod.ko"))
    return _built[kver]


def boot_and_crash(kver, how):
    """One boot of kver: fill, arm, crash into the stub.  (disk, res,
    seed, marker, digest outside the area from before the boot)"""
    name = "kernels-%s-%s" % (kver.split("+")[0], how)
    hook, testmod = modules_for(kver)
    disk = test_dump.new_disk(name)
    d = os.path.join(rig.E2E_BUILD, name)
    ext4 = rig.Disk(test_hook.ext4_image(os.path.join(d, "ext4.img")),
                    create=False, serial="hookext4")
    seed, marker = 1900 + len(how), "bmdump-marker-%s" % uuidlib.uuid4().hex
    fill = test_hook.fill_in(test_hook.SH_PRELUDE + test_hook.FILL_SCRIPT,
                             MEM_MIB)
    scen = test_dump.scenario(test_dump.AREA_UUID, seed, marker,
                              trigger=how, before_crash=fill)
    g = rig.Guest(name, None, disks=[disk.disk, ext4], mem_mib=MEM_MIB,
                  timeout=900, kver=kver, memdump=True)
    g.initrd = rig.Initramfs(
        files={"boot/bmdump.bzImage": rig.stub_path(),
               "lib/modules/extra/bmdump.ko": hook,
               "lib/modules/extra/bmdump_testmod.ko": testmod,
               "usr/bin/bmdump-hooktest": test_hook.HELPER},
        scenario=scen, kver=kver).build(g.dir)
    outside = disk.digest_outside_area()
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    facts = res.facts()
    assert facts.get("uname-r") == kver, facts.get("uname-r")
    assert int(facts.get("hugepages", 0)) > 0, res.tail()
    os.unlink(ext4.path)
    return disk, res, seed, marker, outside


def reference(img, ram, level=31):
    """pagewalk.py over the dump at makedumpfile -d level: (kept pfns as
    int, classes, vmcoreinfo)."""
    p = subprocess.run([dumpcheck.DEBIAN_PYTHON, PAGEWALK, img, str(level)],
                       input="%x" % ram,
                       capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, "pagewalk failed:\n%s%s" % (p.stdout[-3000:],
                                                         p.stderr[-3000:])
    out = json.loads(p.stdout)
    return int(out["keep"], 16), out["classes"], out["vmcoreinfo"]


# VMCOREINFO lines that differ from boot to boot (KASLR, time, build)
VOLATILE = ("SYMBOL(", "KERNELOFFSET=", "CRASHTIME=", "NUMBER(phys_base)=",
            "NUMBER(VMALLOC_START)=", "NUMBER(VMEMMAP_START)=")


def stable_vmcoreinfo(raw):
    """The lines of a VMCOREINFO that describe the kernel, not the boot."""
    return "".join(l + "\n" for l in raw.splitlines()
                   if "=" in l and not l.startswith(VOLATILE))


# What the classifier's unit test reads of an image (and pagewalk.py of
# the dump): a later release of the same line must agree on these.
LAYOUT_KEYS = ("NUMBER(PG_", "NUMBER(PAGE_", "NUMBER(HUGETLB_PAGE_DTOR)",
               "LENGTH(zone.free_area)", "SIZE(page)", "OFFSET(page.")


def captured_image(kver):
    """The unit test's image of kver: its own, else the newest of its line
    (Debian moves 6.12.x on; the layout within a line holds, and this
    test says when it does not)."""
    own = os.path.join(VMCOREINFO_DIR, kver)
    if os.path.exists(own):
        return own, False
    line = ".".join(kver.split(".")[:2]) + "."
    same = sorted((f for f in os.listdir(VMCOREINFO_DIR)
                   if f.startswith(line)), key=rig.version_key)
    assert same, ("no image of the %sx line for the unit test: copy "
                  "build/e2e/kernels-*/vmcoreinfo to %s/%s (and add the "
                  "line to bmdump_compat.h)" % (line, VMCOREINFO_DIR, kver))
    return os.path.join(VMCOREINFO_DIR, same[-1]), True


def check_captured_vmcoreinfo(kver, raw, name):
    """The unit test's image of kver is this dump's VMCOREINFO (only its
    layout keys when the image is of another release of the line)."""
    got = stable_vmcoreinfo(raw)
    with open(os.path.join(rig.E2E_BUILD, name, "vmcoreinfo"), "w") as f:
        f.write(got)
    path, other = captured_image(kver)
    with open(path) as f:
        want = f.read()
    got, want = set(got.splitlines()), set(want.splitlines())
    if other:
        got = {l for l in got if l.startswith(LAYOUT_KEYS)}
        want = {l for l in want if l.startswith(LAYOUT_KEYS)}
    assert got == want, "VMCOREINFO of %s differs from %s:\n%s" % (
        kver, path, "\n".join(sorted(got ^ want)))


def record(kver, how, line):
    test_hook.record("kernels %s %-5s %s" % (kver, how, line))


def oracle_case(how):
    for kver in matrix():
        disk, res, seed, marker, outside = boot_and_crash(kver, how)
        name = "kernels-%s-%s" % (kver.split("+")[0], how)
        crash.check_crash(res, "kexec_load", 0)
        _, img = test_dump.check_dump(name, disk, res, seed, marker,
                                      expect_source=1, outside=outside)
        with open(img, "rb") as f:
            kd = dumpcheck.kdump_bitmaps(
                lambda off, n: (f.seek(off), f.read(n))[1])
        ram, hook = kd["ram"], kd["dumped"]
        ref, classes, raw = reference(img, ram)
        hook_only = hook & ~ref
        ref_only = ref & ~hook
        n_ram = ram.bit_count()
        agree = n_ram - hook_only.bit_count() - ref_only.bit_count()
        record(kver, how, "RAM %d pfns; agree %d (%.4f%%); hook-only %d, "
               "reference-only %d; kept: hook %d, reference %d"
               % (n_ram, agree, 100.0 * agree / n_ram,
                  hook_only.bit_count(), ref_only.bit_count(),
                  hook.bit_count(), ref.bit_count()))
        record(kver, how, "reference classes %s" % " ".join(
            "%s=%d" % kv for kv in sorted(classes.items())))
        assert hook & ~ram == 0, "dump bitmap outside RAM"
        assert hook_only == 0 and ref_only == 0, (
            "hook and reference disagree on %s: hook-only %d pfns (first "
            "%s), reference-only %d pfns (first %s)"
            % (kver, hook_only.bit_count(), test_hook.runs_of(hook_only),
               ref_only.bit_count(), test_hook.runs_of(ref_only)))
        # not a vacuous agreement: every class the fill makes was seen
        for cls in ("free", "cache", "cache_private", "user"):
            assert classes[cls] > 0, "reference saw no %s pages: %r" % (
                cls, classes)
        assert classes["hugetlb_heads"] > 0, "no hugetlb page seen"
        check_captured_vmcoreinfo(kver, raw, name)


def test_kernels_dkms_build():
    for kver in matrix():
        modules_for(kver)


def test_kernels_hook_oracle_sysrq():
    oracle_case("sysrq")


def test_kernels_hook_oracle_oops():
    oracle_case("oops")


def test_kernels_cycle():
    for kver in matrix():
        hook, _ = modules_for(kver)
        checks, r1, r2 = cycle.run_cycle(
            "kernels-%s-cycle" % kver.split("+")[0], kver=kver, module=hook)
        bad = checks.failed()
        assert not bad, "%s: %d of %d cycle checks failed:\n%s\nlogs: " \
            "%s %s" % (kver, len(bad), len(checks.items), checks.table(),
                       r1.log, r2.log)
