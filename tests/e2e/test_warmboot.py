# SPDX-License-Identifier: GPL-2.0
"""Issue 21, bmdump.final=boot: after the dump the stub starts the staged
kernel itself, without a reset.

One QEMU boot: the guest prepares an area with a boot slot, stages a boot
set (the rig's own kernel, an initramfs whose scenario saves the dump, a
command line) with FINAL_ACTION=boot, and crashes.  The stub dumps, reads
the set back through its own driver, checks it and enters the kernel.
QEMU must see no reset (its QMP events), the new kernel must find
bmdump.warmboot=1 on its command line, and `bmdump save` there must save
a dump that equals the guest's RAM at the crash (the memory oracle, with
RAM copied while the stub runs, before it places the kernel).  A boot set
corrupted on the disk after load falls back to the reset, logged.

The new kernel keeps EFI runtime services: the crashed kernel writes a
UEFI variable with a fresh value through efivarfs, and the new kernel
reads the same value back through efivarfs (GetVariable, a runtime
service call at the firmware's runtime mapping the stub handed on).
"""

import os
import re
import subprocess
import tarfile

import disks
import oracle
import rig
import toolsrig as R

# The stub's first line: from here to its placement of the next kernel
# the crashed kernel's RAM does not change, so a copy taken here is the
# RAM at the crash as far as the dump goes.
STUB_ENTRY = r"bmdump: bmdump \S+ entered at"
WARM_WORD = "bmdump.warmboot=1"
BOOT_CMDLINE = "console=ttyS0,115200 panic=-1 oops=panic loglevel=7"
# The test variable (efivarfs: Name-GUID; 4 bytes of attributes, then the
# data): non-volatile, boot and runtime access.
EFIVARS = "/sys/firmware/efi/efivars"
EFIVAR = EFIVARS + "/BmdumpWarmTest-5b0e4c7a-2f1d-4e8b-9c3a-6d7e8f901a2b"
EFIVAR_ATTRS = r"\007\000\000\000"

SCENARIO = r"""
AD=$(disk bmdump0)
OD=$(disk bmdump1)
if grep -q '%(word)s' /proc/cmdline; then
    echo "RIG: warm=1"
    echo "RIG: warm-cmdline=$(cat /proc/cmdline)"
    echo "RIG: warm-iommu=$(ls /sys/class/iommu 2>/dev/null | tr '\n' ' ')"
    echo "RIG: warm-cpus=$(grep -c ^processor /proc/cpuinfo)"
    echo "RIG: warm-efi-dir=$(test -d /sys/firmware/efi && echo yes)"
    mount -t efivarfs efivarfs %(efivars)s > /tmp/efimount.txt 2>&1
    echo "RIG: warm-efivarfs=$? $(cat /tmp/efimount.txt)"
    echo "RIG: warm-efivar=$(tail -c +5 %(efivar)s 2>&1)"
    bmdump info --area --device ${AD}p1 > /tmp/area.txt 2>&1
    echo "RIG: area-info=$?"
    conf "MIN_FREE=32M"
    bmdump save --no-progress > /tmp/save.txt 2>&1
    echo "RIG: save=$? $(tr '\n' ' ' < /tmp/save.txt)"
    (cd /var/crash && tar cf $OD .)
    echo "RIG: exported=$?"
    sync
else
    echo "RIG: boot=1"
    bmdump prepare --create $AD --size 1100M --boot-slot 192M \
        > /tmp/prep.txt 2>&1
    echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
    AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
    conf "AREA=$AREA" "STUB=%(stub)s" "DUMP_LEVEL=31" "FINAL_ACTION=boot" \
        "BOOT_KERNEL=/boot/vmlinuz-warm" "BOOT_INITRD=/boot/initrd-warm.img" \
        "BOOT_CMDLINE=\"%(cmdline)s\""
    bmdump load > /tmp/load.txt 2>&1
    rc=$?
    echo "RIG: load=$rc $(tr '\n' ' ' < /tmp/load.txt)"
    [ $rc = 0 ] || poweroff -f
    mount -t efivarfs efivarfs %(efivars)s
    V=$(cat /proc/sys/kernel/random/uuid)
    printf '%(attrs)s%%s' "$V" > %(efivar)s
    echo "RIG: efivar-set=$? $(tail -c +5 %(efivar)s)"
    %(corrupt)s
    echo "RIG: crashing=1"
    sleep 1    # let the console drain before the panic's printk
    taskset -c %(cpu)d sh -c 'echo c > /proc/sysrq-trigger'
    echo "RIG: still-alive=1"
fi
"""

CORRUPT = r"""sync
    bmdump-testarea bootset-flip ${AD}p1 0 > /tmp/flip.txt 2>&1
    echo "RIG: flip=$? $(cat /tmp/flip.txt)"
    sync; echo 3 > /proc/sys/vm/drop_caches"""


def scenario(corrupt, append="", cpu=0):
    return SCENARIO % {"word": WARM_WORD, "stub": R.GUEST_STUB,
                       "cmdline": (BOOT_CMDLINE + " " + append).strip(),
                       "corrupt": CORRUPT if corrupt else "", "cpu": cpu,
                       "efivars": EFIVARS, "efivar": EFIVAR,
                       "attrs": EFIVAR_ATTRS}


def boot(name, corrupt=False, extra_args=(), append="", cpu=0,
         firmware="ovmf"):
    """The crash with a staged boot set; (result, area disk, out disk).
    extra_args: more QEMU arguments; append: words for both kernels'
    command lines; cpu: the CPU that crashes; firmware: rig.Guest's."""
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(os.path.join(d, "warm"), exist_ok=True)
    have_module = os.path.exists(R.MODULE)
    # What the warm-booted kernel runs: the same scenario, whose other
    # branch it takes (bmdump.warmboot=1).
    warm = R.initramfs(scenario(corrupt, append, cpu),
                       modules=["efivarfs"]).build(os.path.join(d, "warm"))
    files = {"boot/vmlinuz-warm": rig.VMLINUZ,
             "boot/initrd-warm.img": warm}
    img = R.initramfs(scenario(corrupt, append, cpu),
                      with_module=have_module,
                      testarea=corrupt, extra_files=files,
                      modules=["efivarfs"]).build(d)
    area_disk = rig.Disk(os.path.join(d, "area.img"), size_mib=1400)
    out_disk = rig.Disk(os.path.join(d, "out.img"), size_mib=512,
                        serial="bmdump1")
    g = rig.Guest(name, img, disks=[area_disk, out_disk], mem_mib=1024,
                  crashkernel="64M", timeout=900, append=append,
                  extra_args=extra_args, memdump=corrupt,
                  firmware=firmware,
                  memdump_on=None if corrupt else STUB_ENTRY)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    f = res.facts()
    assert f.get("boot") == "1" and f.get("prepare", "").startswith("0 "), \
        res.tail()
    assert f.get("load", "").startswith("0 ") and \
        "boot set staged" in f["load"], f.get("load")
    # BOOT_CMDLINE has no crashkernel=: load says the next kernel
    # cannot re-arm
    assert "has no crashkernel=" in f["load"], f["load"]
    assert "still-alive" not in f, res.tail()
    return res, area_disk, out_disk


def stub_lines(res):
    panic = res.panic_time()
    return [l for t, l in res.lines
            if panic is not None and t >= panic and "bmdump: " in l]


def test_warmboot_boots_staged_kernel():
    """Crash, dump, the staged kernel starts without a reset and saves
    a dump equal to the RAM at the crash."""
    name = "warmboot"
    res, area_disk, out_disk = boot(name)
    check_warm(name, res, area_disk, out_disk)
    # crashed on the BSP: the new kernel brings the other CPU up
    assert res.facts().get("warm-cpus") == "2", res.facts()


def test_warmboot_iommu_vtd_from_ap():
    """The crashed kernel ran VT-d and crashed on CPU 1; the stub turned
    remapping off for its own DMA, and the staged kernel takes the unit
    over as at a firmware boot (its NVMe DMA goes through the IOMMU
    again).  It boots on CPU 1 and must not INIT the BSP, which would
    restart the firmware there (disable_cpu_apicid=, as kdump)."""
    name = "warmboot-vtd"
    res, area_disk, out_disk = boot(
        name, extra_args=["-machine", "kernel-irqchip=split", "-device",
                          "intel-iommu,intremap=on"],
        append="intel_iommu=on", cpu=1)
    check_warm(name, res, area_disk, out_disk)
    f = res.facts()
    assert "dmar" in f.get("warm-iommu", ""), f
    assert "disable_cpu_apicid=0" in f.get("warm-cmdline", ""), f
    assert f.get("warm-cpus") == "1", f


def test_warmboot_seabios():
    """The same warm boot under legacy BIOS (SeaBIOS, no EFI at all):
    the stub finds ACPI and the map without EFI, and the staged kernel
    starts without a reset and saves the dump."""
    name = "warmboot-seabios"
    res, area_disk, out_disk = boot(name, firmware="seabios")
    assert "EFI stub" not in res.text(), "booted through EFI"
    check_warm(name, res, area_disk, out_disk, efi=False)


def e820_holes(res):
    """Parts of the crashkernel region(s) the stub logged that the
    warm-booted kernel's e820 does not give as usable RAM: the region is
    the stub's and kexec's (elfcorehdr, backup), none of it needed once
    the new kernel runs."""
    t_enter, _ = res.find(r"bmdump: done, entering the staged kernel")
    assert t_enter is not None, res.tail()
    regions = [(int(m.group(1), 16), int(m.group(2), 16) + 1)
               for t, m in res.find_all(r"bmdump: crashkernel region "
                                        r"([0-9a-f]+)-([0-9a-f]+)")
               if t < t_enter]
    usable = [(int(m.group(1), 16), int(m.group(2), 16) + 1)
              for t, m in res.find_all(r"BIOS-e820: \[mem 0x([0-9a-f]+)-"
                                       r"0x([0-9a-f]+)\] usable")
              if t > t_enter]
    assert regions and usable, res.tail()
    holes = []
    for a, b in regions:
        while a < b:
            u = [e for s, e in usable if s <= a < e]
            if u:
                a = u[0]
                continue
            nxt = min([s for s, _ in usable if a < s < b] + [b])
            holes.append("%#x-%#x" % (a, nxt - 1))
            a = nxt
    return holes


def check_warm(name, res, area_disk, out_disk, efi=True):
    """What a warm boot must show: no reset, the word, the saved dump
    equal to RAM at the crash; with efi, EFI runtime services in the new
    kernel, without it (a BIOS boot) the stub saying it had none."""
    try:
        stub = stub_lines(res)
        text = "\n".join(stub)
        assert any("bmdump: dump:" in l for l in stub), res.tail(80)
        assert "final action: boot" in text, text[-3000:]
        assert "done, resetting" not in text, text[-3000:]
        # QEMU's side: the guest never reset; it powered off at the end
        # of the new kernel's scenario
        ev = res.qmp_events
        assert ("RESET", None) not in ev and \
            not any(r == "guest-reset" for _, r in ev), ev
        assert res.shutdown_reason == "guest-shutdown", (
            res.shutdown_reason, ev)
        # the RAM copy was taken before the stub placed the kernel
        t_place, _ = res.find(r"bmdump: warm boot: kernel ")
        assert res.memdump_cont is not None and t_place is not None and \
            t_place > res.memdump_cont, (res.memdump_cont, t_place)
        f = res.facts()
        assert f.get("warm") == "1", res.tail(80)
        assert WARM_WORD in f.get("warm-cmdline", ""), f.get("warm-cmdline")
        # the crashkernel region is RAM again, kexec's segments included
        assert not e820_holes(res), e820_holes(res)
        assert f.get("save", "").startswith("0 ") and "saved" in f["save"], \
            f.get("save")
        assert f.get("exported") == "0", res.tail()
        if efi:
            check_efi(res, f)
        else:
            assert "warm boot: no EFI from the loader" in text, text[-3000:]
        files = saved_at(out_disk, os.path.join(rig.E2E_BUILD, name), 1)
        assert files.get("dump"), sorted(files)
        area = disks.AreaImage.from_gpt(area_disk.path, area_disk)
        log = area.log()
        assert "final action: boot" in log and "warm boot: times:" in log, \
            log[-2000:]
        r = oracle.check_memory(res, files["dump"],
                                os.path.join(rig.E2E_BUILD, name),
                                1 if os.path.exists(R.MODULE) else 2)
        print("    oracle: %d pages equal RAM at the crash" % r["pages"])
        for l in stub:
            if "warm boot" in l or "final action" in l:
                print("    " + l)
    finally:
        oracle.drop_memdump(res)


def check_efi(res, f):
    """The new kernel runs with EFI: the firmware's tables found, runtime
    services on, and the variable the crashed kernel wrote read back
    through them."""
    t_place, _ = res.find(r"bmdump: warm boot: kernel ")
    warm = "\n".join(l for t, l in res.lines if t > t_place)
    assert re.search(r"efi: EFI v\d+\.\d+ by ", warm), warm[:6000]
    for bad in ("noefi", "EFI runtime services are disabled",
                "efi: Failed", "efi: Unable to"):
        assert bad not in warm, bad
    set_rc, _, value = f.get("efivar-set", "").partition(" ")
    assert set_rc == "0" and len(value) == 36, f.get("efivar-set")
    assert f.get("warm-efi-dir") == "yes", f
    assert f.get("warm-efivarfs", "").startswith("0"), f
    assert f.get("warm-efivar") == value, (f.get("warm-efivar"), value)
    for l in res.lines:
        if re.search(r"bmdump: .*EFI", l[1]):
            print("    " + l[1])


def test_warmboot_corrupt_set_resets():
    """A kernel byte flipped on the disk after load: its CRC fails, the
    stub logs why and resets (QEMU sees the reset)."""
    name = "warmboot-corrupt"
    res, area_disk, _ = boot(name, corrupt=True)
    try:
        f = res.facts()
        assert f.get("flip", "").startswith("0 flipped="), f.get("flip")
        stub = stub_lines(res)
        text = "\n".join(stub)
        assert any("bmdump: dump:" in l for l in stub), res.tail(80)
        assert re.search(r"warm boot: error -1050: .*CRC32C", text), \
            text[-3000:]
        assert "final action: reset (bmdump.final=boot failed: error " \
            "-1050)" in text, text[-3000:]
        assert "done, resetting" in text, text[-3000:]
        assert res.shutdown_reason == "guest-reset", res.shutdown_reason
        assert "warm" not in f, res.tail()
        log = disks.AreaImage.from_gpt(area_disk.path, area_disk).log()
        assert "error -1050" in log and "final action: reset" in log, \
            log[-2000:]
        for l in stub:
            if "warm boot" in l or "final action" in l:
                print("    " + l)
    finally:
        oracle.drop_memdump(res)


# --- a second crash in the warm-booted kernel ---------------------------------

# Three kernels in one QEMU run: generation 1 (firmware boot) stages
# generation 2 and crashes; 2 (warm-booted) saves dump 1, re-arms with
# `bmdump load` as bmdump-load.service would, stages 3 and crashes; 3
# (warm-booted again) saves dump 2.  Each generation's command line says
# which it is (rig.gen=); crashkernel= must be in the staged one, or the
# warm-booted kernel could not re-arm.
AGAIN = r"""
AD=$(disk bmdump0)
OD=$(disk bmdump1)
GEN=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^rig\.gen=//p' | tail -n 1)
[ -n "$GEN" ] || GEN=1
echo "RIG: gen$GEN=1"
NEXT=$((GEN + 1))
stage() {
    conf "AREA=$1" "STUB=%(stub)s" "DUMP_LEVEL=31" "FINAL_ACTION=boot" \
        "BOOT_KERNEL=/boot/vmlinuz-warm" "BOOT_INITRD=/boot/initrd-warm.img" \
        "BOOT_CMDLINE=\"%(cmdline)s rig.gen=$NEXT\""
}
save() {
    conf "MIN_FREE=32M"
    bmdump save --no-progress > /tmp/save.txt 2>&1
    echo "RIG: save$GEN=$? $(tr '\n' ' ' < /tmp/save.txt)"
    # dump N at (N - 1) * 256 MiB of the out disk, as a tar
    (cd /var/crash && tar cf - .) | \
        dd of=$OD bs=1M seek=$(( (GEN - 2) * 256 )) conv=notrunc 2>/dev/null
    echo "RIG: exported$GEN=$?"
    sync
}
crash() {
    bmdump load > /tmp/load.txt 2>&1
    rc=$?
    echo "RIG: load$GEN=$rc $(tr '\n' ' ' < /tmp/load.txt)"
    st armed$GEN
    [ $rc = 0 ] || poweroff -f
    echo "RIG: crashing$GEN=1"
    sleep 1    # let the console drain before the panic's printk
    echo c > /proc/sysrq-trigger
    echo "RIG: still-alive$GEN=1"
}
if [ $GEN = 1 ]; then
    bmdump prepare --create $AD --size 1100M --boot-slot 192M \
        > /tmp/prep.txt 2>&1
    echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
    stage $(sed -n 's/^AREA=//p' /tmp/prep.txt)
    crash
fi
AREA=$(bmdump info --area --device ${AD}p1 2>/dev/null | \
    sed -n 's/.*area \([0-9a-f-]\{36\}\).*/\1/p' | head -n 1)
echo "RIG: area$GEN=$AREA"
stage "$AREA"
st saved-before$GEN
save
if [ $GEN = 2 ]; then
    stage "$AREA"
    crash
fi
"""


def again_initrds(d, have_module):
    """Generation 3's initramfs inside 2's inside 1's: each stages the
    next (the kernel is the rig's own)."""
    script = AGAIN % {"stub": R.GUEST_STUB, "cmdline":
                      BOOT_CMDLINE + " crashkernel=64M"}
    inner = None
    for gen in (3, 2, 1):
        sub = os.path.join(d, "gen%d" % gen)
        os.makedirs(sub, exist_ok=True)
        files = {}
        if gen < 3:
            files = {"boot/vmlinuz-warm": rig.VMLINUZ,
                     "boot/initrd-warm.img": inner}
        inner = R.initramfs(script, with_module=have_module and gen < 3,
                            extra_files=files).build(sub)
    return inner


def crash_view(res, n):
    """A Result of crash n (0 first): the serial lines from its RIG:
    crashing line on, and its RAM copy, for oracle.check_memory."""
    starts = [res.find(r"RIG: crashing%d=1" % gen)[0] for gen in (1, 2)]
    assert starts[n] is not None, res.tail()
    end = starts[1] if n == 0 and starts[1] is not None else res.end + 1
    v = rig.Result([(t, l) for t, l in res.lines if starts[n] <= t < end],
                   res.rc, res.timed_out, 0.0, res.end, res.log)
    v.memdump = res.memdumps[n] if len(res.memdumps) > n else None
    v.memdump_cont = (res.memdump_conts[n] if len(res.memdump_conts) > n
                      else None)
    return v


def saved_at(out_disk, d, n):
    """The files of dump n (1 first), exported as a tar at (n - 1) * 256
    MiB of the out disk."""
    outdir = os.path.join(d, "saved%d" % n)
    subprocess.run(["rm", "-rf", outdir])
    os.makedirs(outdir)
    with open(out_disk.path, "rb") as f:
        f.seek((n - 1) << 28)
        with tarfile.open(fileobj=f) as t:
            t.extractall(outdir)
    files = {}
    for root, _, names in os.walk(outdir):
        for n_ in names:
            files[n_.split(".")[0]] = os.path.join(root, n_)
    return files


def test_warmboot_second_crash_captured():
    """The warm-booted kernel saves dump 1, re-arms (`bmdump status`
    says armed) and crashes; the stub captures that crash too and warm
    boots again (FINAL_ACTION=boot once more: one QEMU run, and a boot
    set re-staged from a warm-booted kernel is exercised), and the third
    kernel saves dump 2.  Both dumps equal guest RAM at their crash, and
    QEMU never resets."""
    name = "warmboot-again"
    d = os.path.join(rig.E2E_BUILD, name)
    have_module = os.path.exists(R.MODULE)
    img = again_initrds(d, have_module)
    area_disk = rig.Disk(os.path.join(d, "area.img"), size_mib=1400)
    out_disk = rig.Disk(os.path.join(d, "out.img"), size_mib=600,
                        serial="bmdump1")
    g = rig.Guest(name, img, disks=[area_disk, out_disk], mem_mib=1024,
                  crashkernel="64M", timeout=900, memdump_on=STUB_ENTRY,
                  memdump_count=2)
    res = g.run()
    try:
        assert not res.timed_out, "timeout\n" + res.tail()
        f = res.facts()
        print("    facts: " + ", ".join("%s=%s" % (k, f[k][:60]) for k in
                                        sorted(f) if not
                                        k.startswith("status-")))
        assert f.get("prepare", "").startswith("0 "), res.tail()
        for gen in (1, 2):
            assert f.get("load%d" % gen, "").startswith("0 ") and \
                "boot set staged" in f["load%d" % gen], (gen, res.tail(60))
            assert "has no crashkernel=" not in f["load%d" % gen], f
            st = R.statuses(res)["armed%d" % gen]
            assert st[0] == 0 and st[1]["armed"] is True, (gen, st)
            assert "still-alive%d" % gen not in f, res.tail()
        for gen in (2, 3):
            assert f.get("gen%d" % gen) == "1", (gen, res.tail(80))
            assert f.get("save%d" % gen, "").startswith("0 ") and \
                "saved" in f["save%d" % gen], (gen, f.get("save%d" % gen))
            assert f.get("exported%d" % gen) == "0", res.tail()
        # no reset anywhere: the guest powered off at generation 3's end
        ev = res.qmp_events
        assert ("RESET", None) not in ev and \
            not any(r == "guest-reset" for _, r in ev), ev
        assert res.shutdown_reason == "guest-shutdown", (
            res.shutdown_reason, ev)
        assert len(res.memdumps) == 2, (res.memdumps, res.tail())
        for n in (0, 1):
            v = crash_view(res, n)
            text = "\n".join(v.stub_lines())
            assert "bmdump: dump:" in text and \
                "final action: boot" in text, text[-3000:]
            t_place, _ = v.find(r"bmdump: warm boot: kernel ")
            assert v.memdump_cont is not None and t_place is not None \
                and t_place > v.memdump_cont, (v.memdump_cont, t_place)
            files = saved_at(out_disk, d, n + 1)
            assert files.get("dump"), sorted(files)
            r = oracle.check_memory(v, files["dump"], d,
                                    1 if have_module else 2)
            print("    crash %d: oracle: %d pages equal RAM at the crash"
                  % (n + 1, r["pages"]))
    finally:
        for p in res.memdumps:
            if os.path.exists(p):
                os.unlink(p)
