# SPDX-License-Identifier: GPL-2.0
"""Issue 4: the stub writes the crashed kernel's pages to NVMe as a
kdump-compressed dump in the dump area; independent readers judge it."""

import os
import random
import re
import shutil
import uuid as uuidlib

import benchlib
import crash
import disks
import dumpcheck
import oracle
import rig
import toolsrig
from dumpcheck import check_dump

AREA_UUID = "5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a40"
TESTMOD = "/lib/modules/extra/bmdump_testmod.ko"


def hook_available():
    return os.path.exists(os.path.join(rig.BUILD, "bmdump.ko"))


def scenario(area_uuid, seed, marker, desc="auto", before_crash="",
             trigger="sysrq", append="", loader="kexec_load", cpu=0):
    """Load the test patterns, arm, leave a marker in the kernel log,
    crash.  desc: "auto" (bmdump.ko's descriptor if loaded), or "none"."""
    return r'''
rmmod bmdump_testmod
insmod {testmod} pattern_seed={seed}
cat /sys/kernel/debug/bmdump_testmod/patterns | sed 's/^/RIG: pattern /'
desc=""
if [ "{desc}" = auto ] && [ -e /sys/kernel/bmdump/descriptor ]; then
    desc="bmdump.desc=$(cat /sys/kernel/bmdump/descriptor)"
fi
echo "RIG: desc=$desc"
'''.format(testmod=TESTMOD, seed=seed, desc=desc) + crash.scenario(
        loader, trigger, cpu,
        append="bmdump.area=%s $desc %s" % (area_uuid, append),
        before_crash='echo "{m}" > /dev/kmsg\n{b}'.format(m=marker,
                                                           b=before_crash))


def run(name, disk, scen, mem_mib=1024, modules=(), timeout=600,
        memdump=True, extra_disks=(), extra_files=None, binaries=(),
        may_time_out=False, **guest_kw):
    """One boot that crashes into the stub; memdump: QEMU pauses at the
    stub's reset and the rig copies guest RAM out for the memory oracle
    (check_dump deletes the copy).  extra_disks: rig.Disks after the
    dump disk; extra_files, binaries: more for the initramfs.
    may_time_out: return a timed-out boot (res.timed_out) instead of
    failing (tests/torture records hangs)."""
    files = {"boot/bmdump.bzImage": rig.stub_path(),
             "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()}
    files.update(extra_files or {})
    if hook_available():
        files["lib/modules/extra/bmdump.ko"] = os.path.join(rig.BUILD,
                                                             "bmdump.ko")
    g = rig.Guest(name, None, disks=[disk.disk] + list(extra_disks),
                  mem_mib=mem_mib,
                  timeout=timeout, memdump=memdump, **guest_kw)
    g.initrd = rig.Initramfs(files=files, scenario=scen, binaries=binaries,
                             modules=list(modules)).build(g.dir)
    res = g.run()
    assert may_time_out or not res.timed_out, "timeout\n" + res.tail()
    return g, res


def new_disk(name, area_mib=512, files=None, area=True, uuid=AREA_UUID,
             iface="nvme"):
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "disk.img")
    if os.path.exists(path):
        os.unlink(path)
    rnd = random.Random(name)
    files = files or {"known-%d.bin" % i: bytes(rnd.getrandbits(8)
                                               for _ in range(20000 + i))
                      for i in range(3)}
    return disks.GptDisk(path, uuid, area_mib=area_mib, files=files,
                         area=area, iface=iface)


def figures(res):
    return [line for line in res.stub_lines()
            if re.search(r"bmdump: (figures|stage|write|dump|bitmap|area)",
                         line)]


def test_dump_nvme_full_cycle():
    """The dump lands, readers open it, nothing outside the area moved."""
    name = "dump-nvme"
    disk = new_disk(name)
    outside = disk.digest_outside_area()
    seed, marker = 4242, "bmdump-marker-%s" % uuidlib.uuid4().hex[:12]
    _, res = run(name, disk, scenario(AREA_UUID, seed, marker))
    crash.check_crash(res, "kexec_load", 0)
    oracle.check_catches_corruption(res, disk.extract(
        os.path.join(rig.E2E_BUILD, name, "dump.kdump")))
    area, _ = check_dump(name, disk, res, seed, marker,
                         expect_source=1 if hook_available() else 2,
                         outside=outside)
    if hook_available():
        # the area records how long bmdump.ko's fill took at the crash
        m = res.find(benchlib.STUB_BITMAP_RE)[1]
        assert m and area["bitmap_us"] == m.group(4), (area, m)
    print("    " + "\n    ".join(figures(res)))


def _refused(name, disk_kw, uuid, expect, prepare=None):
    disk = new_disk(name, area_mib=64, **disk_kw)
    if prepare:
        prepare(disk)
    before = disk.digest_all()
    _, res = run(name, disk, scenario(uuid, 1, "refused-marker"),
                 memdump=False)
    _, m = res.find(expect)
    assert m, "stub did not say why it wrote nothing (%r)\n%s" % (
        expect, res.tail())
    assert res.find(r"bmdump: done, resetting")[0], res.tail()
    assert disk.digest_all() == before, "the disk changed"


def test_dump_wrong_area_uuid_writes_nothing():
    _refused("dump-wronguuid", {}, str(uuidlib.uuid4()),
             r"no dump area with the UUID")


def test_dump_no_area_writes_nothing():
    _refused("dump-noarea", {"area": False}, AREA_UUID,
             r"no dump area with the UUID")


def test_dump_unsaved_area_writes_nothing():
    _refused("dump-unsaved", {}, AREA_UUID, r"holds a dump not saved yet",
             prepare=lambda d: d.set_state(3))


OTHER_UUID = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

# Wait for both NVMe disks' area partitions and the SCSI disk's, then ask
# status about the cloned area and about an area on the SCSI disk.
CLONE_STATUS = r"""
disk bmdump0 > /dev/null; disk bmdump1 > /dev/null
i=0
while [ $i -lt 300 ] && \
      ! [ -e /dev/nvme0n1p2 -a -e /dev/nvme1n1p2 -a -e /dev/sda2 ]; do
    usleep 100000; i=$((i+1))
done
conf "AREA=%s" "STUB=/boot/bmdump.bzImage"
st clone
conf "AREA=%s" "STUB=/boot/bmdump.bzImage"
st scsi
"""


def test_dump_cloned_area_writes_nothing():
    """Issue 14: the area's disk copied to a second NVMe disk (a cloned
    disk), and a third disk on virtio-scsi, which the stub does not drive,
    with another area.  One boot: `bmdump status` refuses the clone naming
    both partitions, and the SCSI area saying why; then a crash, and the
    stub, which scans every disk, writes to neither clone and says why;
    both stay byte-identical."""
    name = "dump-clone"
    disk = new_disk(name, area_mib=64)
    clone_path = os.path.join(rig.E2E_BUILD, name, "clone.img")
    shutil.copyfile(disk.path, clone_path)
    clone = rig.Disk(clone_path, serial="bmdump1", create=False)
    scsi = disks.GptDisk(os.path.join(rig.E2E_BUILD, name, "scsi.img"),
                         OTHER_UUID, area_mib=16, iface="scsi",
                         files={"a": b"a"})
    scsi.disk.serial = "bmdump2"
    before = disk.digest_all()
    scen = CLONE_STATUS % (AREA_UUID, OTHER_UUID) + scenario(
        AREA_UUID, 1, "clone-marker")
    g = rig.Guest(name, None, disks=[disk.disk, clone, scsi.disk])
    img = toolsrig.initramfs(scen, extra_files={
        "boot/bmdump.bzImage": rig.stub_path(),
        "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()})
    img.modules += ["virtio_pci", "virtio_scsi", "sd_mod"]
    g.initrd = img.build(g.dir)
    res = g.run()
    assert not res.timed_out, "timeout\n" + res.tail()
    st = toolsrig.statuses(res)
    rc, j = st["clone"]
    assert rc == 3 and "area-duplicate" in toolsrig.codes(st["clone"]), \
        (rc, j, res.tail())
    msg = [r["message"] for r in j["reasons"]
           if r["code"] == "area-duplicate"][0]
    assert "/dev/nvme0n1p2" in msg and "/dev/nvme1n1p2" in msg, msg
    assert "prepare --force" in msg, msg
    rc, j = st["scsi"]
    assert rc == 3 and "area-transport" in toolsrig.codes(st["scsi"]), \
        (rc, j)
    assert j["area_device"] == "/dev/sda2", j
    msg = [r["message"] for r in j["reasons"]
           if r["code"] == "area-transport"][0]
    assert "sda" in msg and "SCSI" in msg and "1af4:" in msg, msg

    assert res.find(r"bmdump: area: nvme\S+ partition 2 and nvme\S+ "
                    r"partition 2 hold the same area")[0], res.tail()
    assert res.find(r"bmdump: area: two partitions hold the dump area")[0], \
        res.tail()
    assert res.find(r"bmdump: done, resetting")[0], res.tail()
    assert disk.digest_all() == before, "the first disk changed"
    assert disks.digest_file(clone_path) == before, "the clone changed"


def test_dump_corrupt_descriptor_full_dump():
    """The test flips a byte of bmdump.ko's descriptor after arming, in a
    kprobe that runs after bmdump.ko filled and sealed it at the crash (a
    flip before that is repaired by the hook, which rewrites the header
    from its own copy): with bmdump.scan=hook the dump still lands, as a
    full dump, and says why (the default, auto, scans: the stub-scan
    case below)."""
    assert hook_available(), "build/bmdump.ko missing"
    name = "dump-corrupt-desc"
    disk = new_disk(name)
    outside = disk.digest_outside_area()
    seed, marker = 77, "bmdump-marker-corrupt"
    # flip a bit of pages_set (+0x50): only the CRC can tell
    poke = ('echo "$(printf 0x%x $(( $(cat /sys/kernel/bmdump/descriptor) '
            '+ 0x50 ))) 0x40" > /sys/kernel/debug/bmdump_testmod/'
            'corrupt_at_crash')
    _, res = run(name, disk, scenario(AREA_UUID, seed, marker,
                                      before_crash=poke,
                                      append="bmdump.scan=hook"))
    _, m = res.find(r"bmdump: bitmap: bitmap descriptor CRC mismatch.*: "
                    r"dumping all RAM$")
    assert m, res.tail()
    check_dump(name, disk, res, seed, marker, expect_source=2,
               outside=outside)


def stub_scan_case(name, seed, why, level=31, mem_mib=1024, smp=2,
                   ram_check=None, **scen_kw):
    """Issue 17: a crash where the stub classifies the pages itself from
    VMCOREINFO (why: the log line that says why it scans).  The dump's
    page set must equal what makedumpfile -d level keeps on the same
    memory, decided by tests/e2e/pagewalk.py from the struct pages in the
    dump, pfn for pfn, and every dumped page must equal RAM.  smp: the
    guest's vCPUs; ram_check(res): more checks of the RAM copy (before
    check_dump deletes it)."""
    import test_hook
    import test_kernels     # imports this module: not at the top
    disk = new_disk(name)
    outside = disk.digest_outside_area()
    marker = "bmdump-marker-" + name
    _, res = run(name, disk, scenario(AREA_UUID, seed, marker, **scen_kw),
                 mem_mib=mem_mib, smp=smp)
    assert res.find(why)[1], (why, res.tail())
    m = res.find(benchlib.STUB_SCAN_RE)[1]
    assert m and m.group(1) == str(level), res.tail()
    if ram_check:
        try:
            ram_check(res)
        except BaseException:
            oracle.drop_memdump(res)
            raise
    area, img = check_dump(name, disk, res, seed, marker, expect_source=3,
                           outside=outside)
    # the area records how long the scan took (bitmap-ready time)
    assert area["bitmap_us"] == m.group(4) != "0", (area, m.group(0))
    with open(img, "rb") as f:
        kd = dumpcheck.kdump_bitmaps(
            lambda off, n: (f.seek(off), f.read(n))[1])
    ram, dumped = kd["ram"], kd["dumped"]
    ref, classes, _ = test_kernels.reference(img, ram, level)
    stub_only, ref_only = dumped & ~ref, ref & ~dumped
    print("    stub scan: RAM %d pfns, dumped %d, makedumpfile -d %d "
          "(pagewalk) keeps %d; stub-only %d (first %s), reference-only "
          "%d (first %s); reference classes %s" % (
              ram.bit_count(), dumped.bit_count(), level, ref.bit_count(),
              stub_only.bit_count(), test_hook.runs_of(stub_only),
              ref_only.bit_count(), test_hook.runs_of(ref_only),
              " ".join("%s=%d" % kv for kv in sorted(classes.items()))))
    assert dumped & ~ram == 0, "dump bitmap outside RAM"
    assert stub_only == 0 and ref_only == 0, (
        "stub scan and makedumpfile disagree: stub-only %d pfns, "
        "reference-only %d pfns" % (stub_only.bit_count(),
                                    ref_only.bit_count()))
    # each class the level leaves out was seen, none it keeps was
    for bit, cls in ((16, "free"), (2, "cache"), (8, "user")):
        assert (classes.get(cls, 0) > 0) == bool(level & bit), (
            "level %d: %s pages %r" % (level, cls, classes))
    return res


def test_dump_corrupt_descriptor_stub_scan():
    """The corrupt descriptor above, with bmdump.scan=auto."""
    assert hook_available(), "build/bmdump.ko missing"
    poke = ('echo "$(printf 0x%x $(( $(cat /sys/kernel/bmdump/descriptor) '
            '+ 0x50 ))) 0x40" > /sys/kernel/debug/bmdump_testmod/'
            'corrupt_at_crash')
    stub_scan_case("dump-corrupt-desc-scan", 78,
                   r"bmdump: bitmap: the stub scans instead of bmdump.ko "
                   r"\(error -\d+ above\), as bmdump.scan=auto asks",
                   mem_mib=2048, before_crash=poke,
                   append="bmdump.scan=auto")


def no_module_case(name, seed, mem_mib):
    """bmdump.ko unloaded before the crash and no bmdump.desc= (a kernel
    whose module failed to build), with bmdump.scan=auto."""
    res = stub_scan_case(
        name, seed, r"bmdump: bitmap: the stub scans instead of bmdump.ko "
        r"\(error -\d+ above\), as bmdump.scan=auto asks", mem_mib=mem_mib,
        desc="none", append="bmdump.scan=auto",
        before_crash="rmmod bmdump && echo 'RIG: bmdump.ko unloaded'")
    assert res.find(r"RIG: bmdump.ko unloaded")[1], res.tail()


def test_dump_no_descriptor_stub_scan():
    """No module at 2 GiB."""
    no_module_case("dump-nodesc-scan", 79, 2048)


def test_dump_no_module_stub_scan_6g():
    """The same at 6 GiB: RAM above 4 GiB, more memory sections, a
    bitmap of 1.5 M pfns in the crashkernel region."""
    no_module_case("dump-nodesc-scan-6g", 84, 6144)


def test_dump_stub_scan_over_hook():
    """bmdump.ko's valid bitmap is there, bmdump.scan=stub scans anyway:
    the same page set (the hook's equals the reference, test_kernels)."""
    assert hook_available(), "build/bmdump.ko missing"
    stub_scan_case("dump-stub-over-hook", 80,
                   r"bmdump: bitmap: the stub scans, as bmdump.scan=stub "
                   r"asks", append="bmdump.scan=stub")


def test_dump_stub_scan_dump_level():
    """bmdump.level=17 (DUMP_LEVEL=17 through bmdump load): the stub's
    scan leaves out free pages only, and keeps page cache and user pages
    that level 31 drops: equal to makedumpfile -d 17 pfn for pfn."""
    res = stub_scan_case(
        "dump-scan-level", 83, r"bmdump: bitmap: the stub scans, as "
        r"bmdump.scan=stub asks", level=17,
        append="bmdump.scan=stub bmdump.level=17")
    m = res.find(r"bmdump: bitmap: scan excluded \d+ free, (\d+) cache, "
                 r"(\d+) cache private, (\d+) user")
    assert m[1] and m[1].groups() == ("0", "0", "0"), m


def hook_text_case(name, seed, sym, mode):
    """The page of bmdump.ko's text at symbol sym overwritten before a
    sysrq panic (mode: 0 int3, 1 zeros, 2 random bytes; the testmod's
    torture_hook_text): the die notifier must enter the crash image and
    the stub, finding no finished bitmap, scan the struct pages itself
    (bmdump.scan=auto, the default)."""
    assert hook_available(), "build/bmdump.ko missing"
    disk = new_disk(name)
    outside = disk.digest_outside_area()
    marker = "bmdump-marker-%s" % name
    find = ('a=$(grep -w %s /proc/kallsyms | cut -d" " -f1)\n'
            'export T=$a\necho "RIG: hook-text=$a"' % sym)
    _, res = run(name, disk, scenario(
        AREA_UUID, seed, marker, before_crash=find,
        trigger='sh:echo "$T %d" > /sys/kernel/debug/bmdump_testmod/'
                'torture_hook_text; sleep 30' % mode))
    assert res.facts().get("hook-text"), res.tail()
    assert res.find(r"bmdump: bitmap: the kernel hook did not finish the "
                    r"bitmap at the crash: the stub scans")[0], res.tail()
    assert res.find(benchlib.STUB_SCAN_RE)[0], res.tail()
    # The rescue's line may never reach the console (the panic CPU kexecs
    # before it flushes): the crashed kernel's log in the dump holds it.
    check_dump(name, disk, res, seed, marker, expect_source=3,
               outside=outside, crash_text=(
                   "bmdump: fault in the crash hook: entering the crash "
                   "image without a bitmap",))


def test_dump_hook_fault_rescued():
    """A stray write zeroes a page of bmdump.ko's fill code before the
    panic: the hook faults at the crash.  Without a rescue that second
    oops ends in panic() with kexec's lock held and no dump at all (make
    torture's hook_text case); bmdump.ko's die notifier enters the crash
    image instead, and the stub, finding the descriptor still FILLING,
    scans the struct pages itself (a dump without a bitmap before)."""
    hook_text_case("dump-hook-fault", 81, "bmdump_fill", 1)


def test_dump_hook_entry_overwritten_rescued():
    """int3 over the page of the hook's entry (bm_kexec_pre): it faults
    before it records the crash image (make torture's hook_entry case,
    which rebooted without a dump).  The die notifier takes the image
    bmdump.ko looked up at load (kexec_crash_image), as the oops is in
    its own text on the panicking CPU."""
    hook_text_case("dump-hook-entry", 82, "bm_kexec_pre", 0)


def test_dump_area_too_small_incomplete():
    """A full dump (~125 MB here) into a 64 MiB area: the kernel image
    (~40 MB) goes in first, then RAM in pfn order as far as it fits."""
    name = "dump-small"
    disk = new_disk(name, area_mib=64)
    outside = disk.digest_outside_area()
    seed, marker = 99, "bmdump-marker-small"
    _, res = run(name, disk, scenario(AREA_UUID, seed, marker, desc="none",
                                      append="bmdump.scan=hook"))
    area = disk.area()
    assert area["state"] == "3" and int(area["flags"]) & 1, area
    assert disk.digest_outside_area() == outside, \
        "bytes outside the dump area changed"
    img = disk.extract(os.path.join(rig.E2E_BUILD, name, "dump.kdump"))
    oracle.check_memory(res, img, os.path.dirname(img),
                        area["bitmap_source"], area["pages_dumped"],
                        incomplete=True)
    hdr = dumpcheck.kdump_header(img)
    assert hdr["incomplete"], "kdump header does not say INCOMPLETE"
    got = dumpcheck.drgn_read(img, [])
    assert got["uts_release"] == res.facts()["uname-r"]
    dmesg = dumpcheck.dump_dmesg(img, img + ".dmesg")
    assert marker in dmesg


def test_dump_controller_busy_at_crash():
    """A dd is writing to the same NVMe disk when the machine crashes; the
    guest has 5 GiB, so RAM above 4 GiB is dumped and checked too.  The
    dd writes partition 1 on purpose; every other byte outside the area
    must stay."""
    name = "dump-busy"
    disk = new_disk(name)
    ddpart = [disk.parts[0]]
    outside = disk.digest_outside_area(ddpart)
    seed, marker = 5, "bmdump-marker-busy"
    busy = ("dd if=/dev/zero of=/dev/nvme0n1p1 bs=1M count=100000 "
            "oflag=direct 2>/dev/null &\nsleep 1")
    _, res = run(name, disk, scenario(AREA_UUID, seed, marker,
                                      before_crash=busy), mem_mib=5120)
    check_dump(name, disk, res, seed, marker, outside=outside,
               outside_also=ddpart)
    assert res.oracle["last_pfn"] >= (4 << 30) // 4096, \
        "no page above 4 GiB in the dump: %#x" % res.oracle["last_pfn"]
