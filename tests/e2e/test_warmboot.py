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


def boot(name, corrupt=False, extra_args=(), append="", cpu=0):
    """The crash with a staged boot set; (result, area disk, out disk).
    extra_args: more QEMU arguments; append: words for both kernels'
    command lines; cpu: the CPU that crashes."""
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
                  memdump_on=None if corrupt else STUB_ENTRY)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    f = res.facts()
    assert f.get("boot") == "1" and f.get("prepare", "").startswith("0 "), \
        res.tail()
    assert f.get("load", "").startswith("0 ") and \
        "boot set staged" in f["load"], f.get("load")
    assert "still-alive" not in f, res.tail()
    return res, area_disk, out_disk


def stub_lines(res):
    panic = res.panic_time()
    return [l for t, l in res.lines
            if panic is not None and t >= panic and "bmdump: " in l]


def saved_files(out_disk, d):
    outdir = os.path.join(d, "saved")
    subprocess.run(["rm", "-rf", outdir])
    os.makedirs(outdir)
    with tarfile.open(out_disk.path) as t:
        t.extractall(outdir)
    files = {}
    for root, _, names in os.walk(outdir):
        for n in names:
            files[n.split(".")[0]] = os.path.join(root, n)
    return files


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


def check_warm(name, res, area_disk, out_disk):
    """What a warm boot must show: no reset, the word, the saved dump
    equal to RAM at the crash."""
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
        assert f.get("save", "").startswith("0 ") and "saved" in f["save"], \
            f.get("save")
        assert f.get("exported") == "0", res.tail()
        check_efi(res, f)
        files = saved_files(out_disk, os.path.join(rig.E2E_BUILD, name))
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
