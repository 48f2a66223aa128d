#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""`make bench`: bmdump against kdump + makedumpfile, side by side, one run.

The same emulated machine (QEMU TCG, OVMF, q35, 2 vCPUs, one disk with a
GPT: a small ext4 and a bmdump dump area) crashes again and again, at 1, 4
and 8 GiB, alternating the two capture paths on NVMe:

  kdump   Debian's kernel as capture kernel (kexec -p with an initramfs);
          its /init runs `makedumpfile -F -l -d 31 --message-level 31
          /proc/vmcore | dd of=/dev/nvme0n1p2 bs=1M seek=1 conv=fsync`:
          the flattened stream, raw, into the dump area partition at the
          offset where the stub's image starts (no file system);
  bmdump  bmdump.ko (dump level 31) + the stub, into the dump area.

The first kernel is the same for both: bmdump.ko loaded and armed, the
crash image loaded at boot (a load failure ends the run before the fill),
then memory filled as the kdump baseline did (research/kdump-baseline.md):
25 % of RAM as tmpfs page cache (copies of one 64 MiB urandom chunk),
12.5 % anonymous memory held by a process, plus slab (empty tmpfs files:
inodes and dentries, SLAB_FILES_PER_GIB per GiB), then sysrq-c.

The same disk image is also attached as virtio-blk and as an AHCI (SATA)
disk (--transports): there the bmdump path alone runs, and the first
kernel's `dd oflag=direct` goes through Linux's virtio_blk or ahci driver
to the same region, so each transport's column has the stub's write
against Linux's own driver on the same device.

Every figure comes from the host's timestamps on serial lines or from what
the guest printed; benchlib.py parses them.  Raw runs go to
build/bench/bench-<time>.json (and build/bench/latest.json), the table to
stdout and build/bench/table.md.

Usage: bench.py [--sizes 1024,4096,8192] [--runs 3] [--no-sweep]
                [--sweep-sizes ...] [--keep-disks] [--paths bmdump,kdump]
                [--transports nvme,virtio,ahci] [--cpus 1,2]
                [--bitmap-only | --no-bitmap] [--next-init | --next-init-only]
                [--dir build/bench]

The bitmap-ready runs (tests/bench/README.md) crash the same machine on
NVMe once more per size, run and vCPU count (--cpus) on each path: the
bmdump path with bmdump.scan=stub gives bmdump.ko's fill and the stub's
scan of the same crash, the kdump path makedumpfile's exclusion steps;
then (issue 17) a normal bmdump crash and one whose first kernel has no
bmdump.ko, so the stub scans the struct pages itself on all its CPUs.

The next-init runs (issue 21) run on into the next boot: kdump (capture
kernel, reboot, firmware, the kernel again), bmdump with a reset, bmdump
with bmdump.final=boot (the staged kernel without the firmware), up to the
next boot's init.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Run as a script: the shared test modules (tests/lib) as run.py has them.
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import benchlib  # noqa: E402
import disks  # noqa: E402
import dumpcheck  # noqa: E402
import rig  # noqa: E402
import toolsrig  # noqa: E402  (the bmdump command in a guest)

BENCH_DIR = os.path.join(rig.BUILD, "bench")
AREA_UUID = "b3c4d5e6-0718-4293-a4b5-c6d7e8f90a1b"
HOOK_KO = os.path.join(rig.BUILD, "bmdump.ko")
HELPER = os.path.join(rig.BUILD, "hooktest", "bmdump-hooktest")
COREUTILS_DD = "/usr/bin/dd"
MAKEDUMPFILE = "/usr/bin/makedumpfile"

TIMED_CRASHKERNEL = "192M"	# the baseline's size, for both paths
SLAB_FILES_PER_GIB = 24000	# empty tmpfs files: ~1 KiB of slab each
# The image starts 1 MiB into the area: the area header, then the stub's
# log (1 MiB - 4 KiB), then the dump; makedumpfile's stream goes there too.
LOG_BYTES = (1 << 20) - 4096
DUMP_SEEK_MIB = 1
PREWRITE_MIB = 1024		# host writes this much of the region first
TIMEOUT = {1024: 300, 4096: 450, 8192: 600}
SMP = 2				# vCPUs of every run but the bitmap-ready ones
# The area's bitmap_source for the stub's two bitmaps (BMDUMP_SOURCE_*)
AREA_SOURCE = {"bmdump.ko": "1", "stub scan": "3"}
# Per transport: the guest's name of the dump area partition and the
# modules the first kernel needs for it (nvme is in every rig initramfs).
GUEST_PART = {"nvme": "nvme0n1p2", "virtio": "vda2", "ahci": "sda2"}
MODULES = {"nvme": [], "virtio": ["virtio_pci", "virtio_blk"],
           "ahci": ["ahci", "sd_mod"]}

# The baseline's fill (research/kdump-baseline.md), the same in every
# first kernel, then the UART drains before the crash.
FILL = r"""
cache=$(arg bench.cache)
mkdir -p /fill && mount -t tmpfs -o size=$((cache + 64))m fill /fill
head -c 64m /dev/urandom > /fill/r0
n=64; k=1
while [ $n -lt $cache ]; do
    cp /fill/r0 /fill/r$k; n=$((n + 64)); k=$((k + 1))
done
echo "RIG: cache-mib=$n"
bmdump-hooktest slab /tmp/slab $(arg bench.slab)
bmdump-hooktest hog $(arg bench.anon) > /tmp/hog.log &
i=0
until grep -q hog-ready /tmp/hog.log; do
    sleep 1; i=$((i+1)); [ $i -gt 600 ] && break
done
cat /tmp/hog.log
grep -E "^(MemTotal|MemFree|Cached|Shmem|AnonPages|Slab|SReclaimable|\
SUnreclaim):" /proc/meminfo | sed 's/^/RIG: meminfo /'
echo "RIG: crashing=1"
# let the UART drain: output still queued at the crash is lost
sleep 1
"""

FIRST_SCENARIO = r"""
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
path=$(arg bench.path)
s=/sys/kernel/bmdump
if [ "$(arg bench.hook)" = 0 ]; then
    # issue 17: no bmdump.ko, the stub scans (bmdump.scan=auto)
    [ -e $s ] && { echo "RIG: bench-error=bmdump.ko loaded"; exit 1; }
    echo "RIG: hook=none"
    descarg=
else
    [ -e $s/descriptor ] || {
        echo "RIG: bench-error=bmdump.ko not loaded"; exit 1; }
    echo 31 > $s/dump_level
    echo "RIG: dump-level=$(cat $s/dump_level)"
    desc=$(cat $s/descriptor)
    descarg=" bmdump.desc=$desc"
fi
grep -E ": (System RAM|Crash kernel)$" /proc/iomem | sed 's/^/RIG: iomem /'
dev=/dev/$(arg bench.dev)
i=0
while [ ! -b $dev ] && [ $i -lt 600 ]; do
    usleep 100000; i=$((i+1))
done
[ -b $dev ] || { echo "RIG: bench-error=no $dev"; exit 1; }
# Loaded at boot, as a real system does it.
if [ "$path" = bmdump ]; then
    scan=$(arg bench.scan)
    kexec -p /boot/bmdump.bzImage --append="bmdump.area=$(arg bench.area)\
$descarg${scan:+ bmdump.scan=$scan}"
else
    kexec -p /boot/vmlinuz --initrd=/capture.img \
        --append="console=ttyS0,115200 maxcpus=1 reset_devices quiet \
panic=-1 rig.hostname=capture bench.desc=$desc bench.seek=$(arg bench.seek)"
fi
rc=$?
echo "RIG: kexec-rc=$rc"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
[ $rc = 0 ] || exit 0
# Linux's own driver (nvme, virtio_blk, ahci) on the region the dumps go
# to, same size as the stub's last image (before the fill: no page cache is
# involved anyway).
ddmib=$(arg bench.ddmib)
if [ "${ddmib:-0}" -gt 0 ]; then
    for k in 1 2; do
        /usr/bin/dd if=/dev/zero of=$dev bs=1M \
            seek=$(arg bench.seek) count=$ddmib oflag=direct 2>&1 |
            tail -n 1 | sed 's/^/RIG: dd /'
    done
fi""" + FILL + r"""# bench.crashcpu: the CPU that crashes (the stub starts every
# other CPU, but leaves the boot CPU out when it runs on another one)
cpu=$(arg bench.crashcpu)
if [ -n "$cpu" ]; then
    taskset -c $cpu sh -c 'echo c > /proc/sysrq-trigger'
else
    echo c > /proc/sysrq-trigger
fi
sleep 30
echo "RIG: still-alive=1"
"""

# Issue 21 (--next-init), bmdump's two rows: the bmdump command as a user
# runs it (prepare with a boot slot, load with FINAL_ACTION= reset or boot,
# bmdump.ko loaded), the same fill, the crash.  A boot that finds the area
# made is the next one (after the firmware reset, the rig's -kernel
# -initrd boot runs this again): it only says so.
NEXT_SCENARIO = r"""
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
AD=$(disk bmdump0)
if [ -b ${AD}p1 ]; then
    echo "RIG: next-boot=1"
    sleep 600
    exit 0
fi
bmdump prepare --create $AD --size $(arg bench.areamib)M --boot-slot 192M \
    > /tmp/prep.txt 2>&1
echo "RIG: prepare=$? $(tr '\n' ' ' < /tmp/prep.txt)"
AREA=$(sed -n 's/^AREA=//p' /tmp/prep.txt)
if [ "$(arg bench.final)" = boot ]; then
    conf "AREA=$AREA" "STUB=%(stub)s" "DUMP_LEVEL=31" "FINAL_ACTION=boot" \
        "BOOT_KERNEL=/boot/vmlinuz-next" "BOOT_INITRD=/boot/initrd-next.img" \
        "BOOT_CMDLINE=\"%(cmdline)s\""
else
    conf "AREA=$AREA" "STUB=%(stub)s" "DUMP_LEVEL=31" "FINAL_ACTION=reset"
fi
bmdump load > /tmp/load.txt 2>&1
rc=$?
echo "RIG: load=$rc $(tr '\n' ' ' < /tmp/load.txt)"
echo "RIG: crash-loaded=$(cat /sys/kernel/kexec_crash_loaded)"
[ $rc = 0 ] || exit 0
""" + FILL + r"""echo c > /proc/sysrq-trigger
sleep 30
echo "RIG: still-alive=1"
"""

# What bmdump.final=boot starts: the rig's /init (modules, `RIG:
# init-ready`), then nothing.
NEXT_BOOTED_SCENARIO = r"""
echo "RIG: next-boot=1"
sleep 600
"""

CAPTURE_SCENARIO = r"""
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
echo "RIG: capture-up uptime=$(cut -d' ' -f1 /proc/uptime)"
i=0
while [ ! -b /dev/nvme0n1p2 ] && [ $i -lt 3000 ]; do
    usleep 10000; i=$((i+1))
done
{
    makedumpfile -F -l -d 31 --message-level 31 /proc/vmcore 2> /tmp/mdf.err
    echo $? > /tmp/mdf.rc
} | /usr/bin/dd of=/dev/nvme0n1p2 bs=1M seek=$(arg bench.seek) conv=fsync \
    2> /tmp/dd.err
ddrc=$?
echo "RIG: mdf-done"
# From here on the bench reports; bench.py takes this time out.
echo "RIG: mdf-rc=$(cat /tmp/mdf.rc)"
echo "RIG: dd-rc=$ddrc"
tail -n 1 /tmp/dd.err | sed 's/^/RIG: ddpipe /'
tr '\r' '\n' < /tmp/mdf.err | sed 's/^.*STEP \[/STEP [/' |
    grep -v '^Copying data\|^Excluding \|^Checking for\|^$'
: > /tmp/hook.bin
bmdump-hooktest vmread /proc/vmcore "$(arg bench.desc)" /tmp/hook.bin \
    > /tmp/vmread.out
echo "RIG: hookread-rc=$?"
dd if=/tmp/hook.bin of=/dev/nvme0n1p1 bs=4096 conv=fsync 2> /dev/null
echo "RIG: hookcopy-rc=$?"
grep '^RIG: load ' /tmp/vmread.out
echo "RIG: hookdesc=$(od -A n -v -t x1 -N 256 /tmp/hook.bin | tr -d ' \n')"
echo "RIG: extras-done"
reboot -f
"""


def log(msg):
    print(msg, flush=True)


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def need_built():
    for p in (rig.stub_path(), HOOK_KO, HELPER, disks.AREATOOL):
        if not os.path.exists(p):
            sys.exit("bench: %s missing: run make first" % p)


def build_initrds(transports, nohook=False):
    """{transport: first kernel's initramfs}, and the capture initramfs's
    size.  Each first kernel loads only its transport's driver; the kdump
    path (capture kernel and all) exists on NVMe only.  nohook: also
    "nvme-nohook", the NVMe one without bmdump.ko (the rig's /init loads
    every module under lib/modules/extra)."""
    cap_dir = os.path.join(BENCH_DIR, "capture")
    os.makedirs(cap_dir, exist_ok=True)
    capture = rig.Initramfs(
        binaries=[MAKEDUMPFILE, COREUTILS_DD],
        files={"usr/bin/bmdump-hooktest": HELPER},
        scenario=CAPTURE_SCENARIO).build(cap_dir)
    firsts = {}
    for t in transports + (["nvme-nohook"] if nohook else []):
        first_dir = os.path.join(BENCH_DIR,
                                 "first" if t == "nvme" else "first-" + t)
        os.makedirs(first_dir, exist_ok=True)
        files = {"usr/bin/bmdump-hooktest": HELPER,
                 "boot/bmdump.bzImage": rig.stub_path(),
                 "boot/vmlinuz": rig.VMLINUZ}
        if t != "nvme-nohook":
            files["lib/modules/extra/bmdump.ko"] = HOOK_KO
        if t.startswith("nvme"):
            files["capture.img"] = capture
        t_mod = t.split("-")[0]
        firsts[t] = rig.Initramfs(
            modules=MODULES[t_mod], binaries=[COREUTILS_DD], files=files,
            scenario=FIRST_SCENARIO).build(first_dir)
    return firsts, os.path.getsize(capture)


class BenchDisk:
    """One disk per memory size, used by every run at that size.

    The area holds a full dump of all RAM (the worst case), so the stub
    never takes its too-small planning pass.  The first PREWRITE_MIB of
    the region the dumps go to are written on the host first: both paths
    and dd then rewrite allocated blocks of the image file (a first write
    into a sparse file is slower, research/kdump-baseline.md)."""

    def __init__(self, mem_mib):
        self.area_mib = mem_mib + mem_mib // 128 + 64
        d = os.path.join(BENCH_DIR, "disk-%d" % mem_mib)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "disk.img")
        if os.path.exists(path):
            os.unlink(path)
        self.gpt = disks.GptDisk(path, AREA_UUID, ext4_mib=16,
                                 area_mib=self.area_mib,
                                 files={"bench.txt": b"bmdump bench\n"})
        self.path = path
        self.off = self.gpt.area_off
        self.len = self.gpt.area_len
        n = min(PREWRITE_MIB, (self.len >> 20) - DUMP_SEEK_MIB)
        zero = bytes(1 << 20)
        with open(path, "r+b") as f:
            f.seek(self.off + (DUMP_SEEK_MIB << 20))
            for _ in range(n):
                f.write(zero)
            os.fsync(f.fileno())
        self.reset_area()

    def attached(self, transport):
        """The same image as a disk on the given transport."""
        return rig.Disk(self.path, iface=transport, create=False)

    def reset_area(self):
        sh(disks.AREATOOL, "init", self.path, str(self.off), str(self.len),
           AREA_UUID, str(LOG_BYTES))

    def area(self):
        return self.gpt.area()

    def read(self, off, n):
        with open(self.path, "rb") as f:
            f.seek(self.off + off)
            return f.read(n)


def check_bmdump_disk(disk, fig, source="bmdump.ko"):
    """The area says what the stub said (bitmap from source), and holds a
    whole kdump image whose 2nd bitmap has as many bits as the stub says
    it dumped."""
    a = disk.area()
    problems, extra = [], {}
    if a.get("state") != "3":
        problems.append("area state %s, not COMPLETE" % a.get("state"))
    if int(a.get("flags", "0")) & 1:
        problems.append("area flagged INCOMPLETE")
    if a.get("bitmap_source") != AREA_SOURCE[source]:
        problems.append("bitmap source %s" % a.get("bitmap_source"))
    if int(a.get("pages_dumped", -1)) != fig["pages_dumped"]:
        problems.append("area pages_dumped %s, stub said %d"
                        % (a.get("pages_dumped"), fig["pages_dumped"]))
    if int(a.get("dump_bytes", -1)) != fig["bytes"]:
        problems.append("area dump_bytes %s, stub said %d"
                        % (a.get("dump_bytes"), fig["bytes"]))
    base = int(a.get("dump_offset", 0))
    try:
        kd = dumpcheck.kdump_bitmaps(lambda o, n: disk.read(base + o, n))
    except ValueError as e:
        return problems + ["dump image: %s" % e], extra
    if kd["status"] & 0x8:
        problems.append("kdump header says INCOMPLETE")
    extra["disk_ram_pages"] = kd["ram"].bit_count()
    extra["disk_dumped_pages"] = kd["dumped"].bit_count()
    try:
        extra["disk_bytes"] = dumpcheck.kdump_desc_bytes(
            lambda o, n: disk.read(base + o, n), kd)
        if extra["disk_bytes"] != fig["bytes"]:
            problems.append("descriptors count %d bytes, stub said %d"
                            % (extra["disk_bytes"], fig["bytes"]))
    except ValueError as e:
        problems.append("page descriptors: %s" % e)
    if extra["disk_dumped_pages"] != fig["pages_dumped"]:
        problems.append("2nd bitmap has %d bits, stub said %d pages"
                        % (extra["disk_dumped_pages"], fig["pages_dumped"]))
    return problems, extra


def check_kdump_disk(disk, fig):
    """Reassemble makedumpfile's flattened stream from the partition
    (makedumpfile -R stops at the stream's end marker), count its bitmaps,
    and hold its 2nd bitmap against the hook's bitmap of the same crash,
    which the capture kernel copied to partition 1."""
    out = os.path.join(BENCH_DIR, "kdump-check.img")
    problems, extra = [], {}
    if os.path.exists(out):
        os.unlink(out)
    with open(disk.path, "rb") as f:
        f.seek(disk.off + (DUMP_SEEK_MIB << 20))
        p = subprocess.run([MAKEDUMPFILE, "-R", out], stdin=f,
                           capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        problems.append("makedumpfile -R failed: %s" %
                        (p.stdout + p.stderr).strip()[-300:])
    else:
        try:
            with open(out, "rb") as f:
                def rd(o, n):
                    f.seek(o)
                    return f.read(n)
                kd = dumpcheck.kdump_bitmaps(rd)
        except ValueError as e:
            kd = None
            problems.append("makedumpfile's dump: %s" % e)
        if kd is not None:
            if kd["status"] & 0x8:
                problems.append("makedumpfile's dump says INCOMPLETE")
            extra["disk_ram_pages"] = kd["ram"].bit_count()
            extra["disk_dumped_pages"] = kd["dumped"].bit_count()
            if fig.get("hookcopy_rc") == "0":
                p1_off = disk.gpt.parts[0][0]
                with open(disk.path, "rb") as f:
                    f.seek(p1_off)
                    raw = f.read(disk.gpt.parts[0][1])
                try:
                    _, bits = benchlib.hook_bitmap(raw)
                    extra["same_crash"] = benchlib.compare_same_crash(
                        bits, kd, fig.get("mdf_zero"))
                except ValueError as e:
                    problems.append("hook bitmap copy: %s" % e)
    if os.path.exists(out):
        os.unlink(out)
    return problems, extra


def judge(res, timeout, path, source, transport, disk, hook=True):
    """The figures of one crash (res: the rig's Result), ok False with the
    first reason found when the run does not count.  hook False: the
    first kernel ran without bmdump.ko."""
    facts = res.facts()
    if path == "bmdump":
        fig = benchlib.parse_bmdump(res.lines, res.end, source, hook)
    else:
        fig = benchlib.parse_kdump(res.lines, res.end)
    if res.timed_out:
        fig["ok"] = False
        fig["why"] = "timed out after %d s (%s)" % (timeout, fig.get("why"))
    if facts.get("kexec-rc", "0") != "0":
        fig["ok"] = False
        fig["why"] = "kexec -p failed (rc %s)" % facts["kexec-rc"]
    if "still-alive" in facts:
        fig["ok"] = False
        fig["why"] = "the guest did not crash"
    if (fig["ok"] and path == "bmdump" and
            fig.get("area_transport") != transport):
        fig["ok"] = False
        fig["why"] = "the stub wrote through %s, not %s" % (
            fig.get("area_dev"), transport)
    if fig["ok"] and not hook and facts.get("hook") != "none":
        fig["ok"] = False
        fig["why"] = "bmdump.ko was loaded: %s" % facts.get("bench-error")
    if fig["ok"]:
        problems, extra = (check_bmdump_disk(disk, fig, source)
                           if path == "bmdump"
                           else check_kdump_disk(disk, fig))
        fig.update(extra)
        if problems:
            fig["ok"] = False
            fig["why"] = "; ".join(problems)
    return fig


class Bench:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.runs = []
        self.sweep = {}
        self.sweep_why = []
        self.disks = {}
        self.last_stub_bytes = {}
        self.initrd = None
        self.next_sizes = {}

    def elapsed(self):
        s = int(time.monotonic() - self.t0)
        return "%d:%02d" % (s // 60, s % 60)

    def fill(self, mem):
        return dict(cache=mem // 4, anon=mem // 8,
                    slab=SLAB_FILES_PER_GIB * mem // 1024)

    def run(self, mem, path, crashkernel, timed, label, transport="nvme",
            cpus=SMP, bitmap=False, variant=None):
        """One crash.  bitmap: a bitmap-ready run; on the bmdump path
        variant says which (benchlib.bitmap_variant): "scan" (the default:
        bmdump.scan=stub, so bmdump.ko fills and the stub scans too),
        "hook" (the normal path, bmdump.ko's bitmap), "nohook" (a first
        kernel without bmdump.ko: the stub scans, bmdump.scan=auto)."""
        disk = self.disks[mem]
        if bitmap and path == "bmdump":
            variant = variant or "scan"
        else:
            variant = None
        source = ("stub scan" if variant in ("scan", "nohook")
                  else "bmdump.ko")
        hook = variant != "nohook"
        disk.reset_area()
        ddmib = 0
        if timed and mem in self.last_stub_bytes:
            ddmib = (self.last_stub_bytes[mem] + (1 << 20) - 1) >> 20
        f = self.fill(mem)
        append = ("bench.path=%s bench.area=%s bench.seek=%d bench.ddmib=%d "
                  "bench.cache=%d bench.anon=%d bench.slab=%d bench.dev=%s"
                  % (path, AREA_UUID, DUMP_SEEK_MIB, ddmib, f["cache"],
                     f["anon"], f["slab"], GUEST_PART[transport]))
        if variant == "scan":
            append += " bench.scan=stub"
        if bitmap and self.args.crash_cpu is not None:
            append += " bench.crashcpu=%d" % self.args.crash_cpu
        if not hook:
            append += " bench.hook=0"
        name = "bench-%dm-%s%s%s-%s%s" % (
            mem, "" if transport == "nvme" else transport + "-", path,
            "" if variant in (None, "scan") else "-" + variant, label,
            "" if cpus == SMP else "-%dcpu" % cpus)
        timeout = TIMEOUT.get(mem, 600)
        walls = [r["wall_s"] for r in self.runs if r["mem_mib"] == mem and
                 r["path"] == path and r["figures"]["ok"] and
                 benchlib.transport(r) == transport and
                 r.get("bitmap", False) == bitmap and
                 r.get("variant") == variant]
        if not timed and walls:
            # a capture kernel that hangs at a small crashkernel= should
            # not cost the whole timeout
            timeout = min(timeout, int(2 * max(walls)) + 60)
        g = rig.Guest(name, self.initrd[transport if hook
                                        else transport + "-nohook"],
                      disks=[disk.attached(transport)], mem_mib=mem,
                      crashkernel=crashkernel, append=append,
                      timeout=timeout, smp=cpus)
        t_start = time.monotonic()
        res = g.run()
        wall = time.monotonic() - t_start
        fig = judge(res, g.timeout, path, source, transport, disk, hook)
        if path == "bmdump" and fig["ok"] and not bitmap:
            self.last_stub_bytes[mem] = fig["bytes"]
        rec = {"mem_mib": mem, "path": path, "transport": transport,
               "crashkernel": crashkernel, "cpus": cpus, "bitmap": bitmap,
               "variant": variant,
               "timed": timed, "label": label, "log": res.log,
               "wall_s": wall, "qemu_rc": res.rc, "timed_out": res.timed_out,
               "ddmib": ddmib, "dd": benchlib.parse_dd(res.lines),
               "meminfo": res.rig_lines("meminfo"),
               "kexec_error": [t for _, t in res.lines
                               if "Could not find a free area" in t or
                               "kexec_load failed" in t][:3],
               "figures": fig}
        self.runs.append(rec)
        log("[%s] %d GiB %-6s %-6s %-8s ck=%-4s %dcpu %s" % (
            self.elapsed(), mem // 1024, transport,
            path if variant in (None, "scan") else variant, label,
            crashkernel, cpus, self.describe(rec)))
        return rec

    @staticmethod
    def describe(rec):
        f = rec["figures"]
        if not f["ok"]:
            return "FAILED: %s (log %s)" % (f.get("why"), rec["log"])
        parts = ["panic→reset %.3f s" % f["panic_to_reset_s"]]
        if rec["path"] == "kdump":
            parts.append("exclusion %.3f s" % f["mdf_exclude_s"])
            parts.append("%d pages %d bytes" % (f["disk_dumped_pages"],
                                                f["mdf_write_bytes"]))
            sc = f.get("same_crash")
            if sc:
                parts.append("same crash: hook-only %d (mdf zero %s), "
                             "mdf-only %d" % (sc["hook_only"],
                                              sc["mdf_zero"],
                                              sc["mdf_only"]))
            if "hook_fill_us" in f:
                parts.append("hook fill %.2f ms, bitmap %d pages" %
                             (f["hook_fill_us"] / 1000, f["hook_pages_set"]))
        else:
            if "hook_fill_us" in f:
                parts.append("fill %.2f ms" % (f["hook_fill_us"] / 1000))
            if "scan_us" in f:
                parts.append("stub scan %.2f ms on %s of %s CPUs, %d pages" % (
                    f["scan_us"] / 1000, f.get("scan_cpus"),
                    f.get("smp_cpus"), f["scan_pages_set"]))
            parts.append("%d pages (%d zero) %d bytes %.0f MB/s" % (
                f["pages_dumped"], f["zero_pages"], f["bytes"],
                f["stub_mb_s_exact"]))
        for b, s in rec["dd"]:
            parts.append("dd %.0f MB/s" % (b / s / 1e6))
        parts.append("wall %.0f s" % rec["wall_s"])
        return ", ".join(parts)

    def timed(self):
        ts = self.args.transports
        for mem in self.args.sizes:
            # Not counted: learns the size of the stub's image, which every
            # timed run then writes with dd (both paths and every transport:
            # the first kernels stay alike), and warms the host up for this
            # memory size.
            self.run(mem, "bmdump", TIMED_CRASHKERNEL, False, "warmup",
                     ts[0])
            # transports and paths alternate in each round, so a busy
            # stretch of the host falls on all of them
            for i in range(self.args.runs):
                for t in ts:
                    for path in self.args.paths:
                        if path == "kdump" and t != "nvme":
                            continue
                        self.run(mem, path, TIMED_CRASHKERNEL, True,
                                 "t%d" % (i + 1), t)

    def bitmap(self):
        """The bitmap-ready runs on NVMe: per size and vCPU count, a
        bmdump crash with bmdump.scan=stub (bmdump.ko's fill and the
        stub's scan of the same crash) and a kdump crash (makedumpfile's
        exclusion), then (issue 17) a normal bmdump crash (bmdump.ko's
        bitmap) and one whose first kernel has no bmdump.ko (the stub
        scans), alternating.  No dd in the first kernel."""
        for mem in self.args.sizes:
            for i in range(self.args.runs):
                for cpus in self.args.cpus:
                    for path in self.args.paths:
                        self.run(mem, path, TIMED_CRASHKERNEL, False,
                                 "b%d" % (i + 1), cpus=cpus, bitmap=True)
                    if "bmdump" not in self.args.paths:
                        continue
                    for variant in ("hook", "nohook"):
                        self.run(mem, "bmdump", TIMED_CRASHKERNEL, False,
                                 "b%d" % (i + 1), cpus=cpus, bitmap=True,
                                 variant=variant)

    def next_initrd(self, mem, kind, cmdline):
        """The first kernel of bmdump's --next-init rows (NEXT_SCENARIO).
        Both rows carry the staged kernel and its initramfs, so the
        firmware reset's rerun of this initramfs unpacks the same bytes
        in both; cmdline: the staged kernel's, the rig's own."""
        d = os.path.join(BENCH_DIR, "next-%s" % kind)
        os.makedirs(os.path.join(d, "booted"), exist_ok=True)
        booted = rig.Initramfs(scenario=NEXT_BOOTED_SCENARIO).build(
            os.path.join(d, "booted"))
        files = {"usr/bin/bmdump-hooktest": HELPER,
                 "boot/vmlinuz-next": rig.VMLINUZ,
                 "boot/initrd-next.img": booted}
        scen = NEXT_SCENARIO.replace("%(stub)s", toolsrig.GUEST_STUB) \
            .replace("%(cmdline)s", cmdline)
        img = toolsrig.initramfs(scen, with_module=True,
                                 extra_files=files).build(d)
        self.next_sizes[kind] = (os.path.getsize(img),
                                 os.path.getsize(booted))
        return img

    def run_next(self, mem, kind, label):
        """One crash of issue 21's rows, run on into the next kernel's
        init: kind "kdump" (the kdump path, then QEMU really reboots:
        OVMF, the rig's -kernel -initrd again), "reset" (bmdump,
        FINAL_ACTION=reset, the same reboot), "boot" (bmdump.final=boot:
        the stub starts the staged kernel; -no-reboot, so a reset would
        end QEMU and the run).  QEMU is stopped at the next boot's `RIG:
        init-ready` (the 3rd for kdump: its capture kernel's is the
        2nd)."""
        name = "bench-%dm-next-%s-%s" % (mem, kind, label)
        f = self.fill(mem)
        fill = "bench.cache=%d bench.anon=%d bench.slab=%d" % (
            f["cache"], f["anon"], f["slab"])
        timeout = 2 * TIMEOUT.get(mem, 600)
        if kind == "kdump":
            disk = self.disks[mem]
            disk.reset_area()
            append = ("bench.path=kdump bench.area=%s bench.seek=%d "
                      "bench.ddmib=0 bench.dev=%s %s"
                      % (AREA_UUID, DUMP_SEEK_MIB, GUEST_PART["nvme"], fill))
            g = rig.Guest(name, self.initrd["nvme"],
                          disks=[disk.attached("nvme")], mem_mib=mem,
                          crashkernel=TIMED_CRASHKERNEL, append=append,
                          timeout=timeout, smp=SMP, reboot=True)
            count = 3
        else:
            area_mib = mem + mem // 128 + 64
            disk = rig.Disk(os.path.join(BENCH_DIR, "next-%d" % mem,
                                         "disk.img"),
                            size_mib=area_mib + 192 + 128)
            append = "bench.final=%s bench.areamib=%d %s" % (
                kind, area_mib, fill)
            g = rig.Guest(name, None, disks=[disk], mem_mib=mem,
                          crashkernel=TIMED_CRASHKERNEL, append=append,
                          timeout=timeout, smp=SMP,
                          reboot=(kind == "reset"))
            g.initrd = self.next_initrd(mem, kind, g.cmdline())
            count = 2
        t_start = time.monotonic()
        res = g.run(stop_on=benchlib.NEXT_INIT_READY_RE, stop_count=count,
                    grace=0)
        wall = time.monotonic() - t_start
        fig = benchlib.parse_next_init(res.lines, kind)
        facts = res.facts()
        why = None
        if res.timed_out:
            why = "timed out after %d s" % timeout
        elif "still-alive" in facts:
            why = "the guest did not crash"
        elif kind == "kdump":
            kd = benchlib.parse_kdump(res.lines)
            if not kd["ok"]:
                why = "kdump: %s" % kd["why"]
        else:
            for k in ("prepare", "load"):
                if not facts.get(k, "").startswith("0 "):
                    why = "bmdump %s: %s" % (k, facts.get(k))
        if why and fig["ok"]:
            fig.update(ok=False, why=why)
        elif why:
            fig["why"] = "%s (%s)" % (why, fig["why"])
        if not self.args.keep_disks and kind != "kdump":
            os.unlink(disk.path)
        rec = {"mem_mib": mem, "path": "kdump" if kind == "kdump"
               else "bmdump", "next_kind": kind, "transport": "nvme",
               "crashkernel": TIMED_CRASHKERNEL, "cpus": SMP,
               "timed": False, "label": label, "log": res.log,
               "wall_s": wall, "qemu_rc": res.rc,
               "timed_out": res.timed_out, "stopped": res.stopped,
               "figures": fig}
        self.runs.append(rec)
        if fig["ok"]:
            desc = ("panic→init-ready %.2f s, panic→Run /init %.2f s, "
                    "panic→reset %.3f s, reset→EFI stub %s, reset→Linux "
                    "%.2f s, wall %.0f s" % (
                        fig["panic_to_next_init_s"],
                        fig["panic_to_run_init_s"], fig["panic_to_reset_s"],
                        "%.2f s" % fig["reset_to_efi_stub_s"]
                        if "reset_to_efi_stub_s" in fig else "-",
                        fig["reset_to_linux_s"], wall))
        else:
            desc = "FAILED: %s (log %s)" % (fig["why"], res.log)
        log("[%s] %d GiB next-init %-6s %-4s %s" % (
            self.elapsed(), mem // 1024, kind, label, desc))
        return rec

    def next_init(self):
        """Issue 21: per size and run, the three ways from the panic to
        the next kernel's init, alternating."""
        for mem in self.args.sizes:
            for i in range(self.args.runs):
                for kind, _ in benchlib.NEXT_KINDS:
                    self.run_next(mem, kind, "n%d" % (i + 1))

    def do_sweep(self):
        if "nvme" not in self.args.transports:
            return
        for mem in self.args.sweep_sizes:
            self.sweep[mem] = {}
            for path in benchlib.PATHS:
                res = {}
                timed = [r for r in self.runs if r["mem_mib"] == mem and
                         r["path"] == path and r["timed"] and
                         benchlib.transport(r) == "nvme"]
                if timed:	# the timed runs already tried this size
                    res[TIMED_CRASHKERNEL] = all(r["figures"]["ok"]
                                                 for r in timed)
                while True:
                    ck = benchlib.sweep_next(res)
                    if ck is None:
                        break
                    rec = self.run(mem, path, ck, False, "ck" + ck)
                    res[ck] = rec["figures"]["ok"]
                    if not res[ck]:
                        why = rec["figures"].get("why")
                        if rec["kexec_error"]:
                            why += ": " + rec["kexec_error"][0].strip()
                        self.sweep_why.append(
                            "%d GiB %s crashkernel=%s: %s (%s)"
                            % (mem // 1024, path, ck, why, rec["log"]))
                self.sweep[mem][path] = res
                smallest, failed = benchlib.sweep_verdict(res)
                log("[%s] %d GiB %s: smallest crashkernel= that worked: %s"
                    "%s" % (self.elapsed(), mem // 1024, path, smallest,
                            ", first failure %s" % failed if failed else ""))

    def meta(self):
        qemu = subprocess.run([rig.QEMU, "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
        mdf = subprocess.run([MAKEDUMPFILE, "-v"], capture_output=True,
                             text=True)
        rev = subprocess.run(["git", "-C", rig.ROOT, "rev-parse", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        return {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                "git": rev, "host": platform.node(),
                "cpus": os.cpu_count(), "loadavg_start": self.load0,
                "loadavg_end": os.getloadavg(), "qemu": qemu,
                "makedumpfile": (mdf.stdout + mdf.stderr).splitlines()[0],
                "kernel": rig.KVER, "smp": SMP, "bitmap_cpus": self.args.cpus,
                "machine": "q35, OVMF, TCG",
                "timed_crashkernel": TIMED_CRASHKERNEL,
                "fill": {m: self.fill(m) for m in self.args.sizes},
                "capture_initrd_bytes": self.capture_bytes,
                "dump_region": "dump area partition + %d MiB" % DUMP_SEEK_MIB,
                "runs_per_case": self.args.runs,
                "transports": self.args.transports,
                "next_init_initrd_bytes": self.next_sizes,
                "duration_s": time.monotonic() - self.t0}

    def main(self):
        need_built()
        os.makedirs(BENCH_DIR, exist_ok=True)
        self.load0 = os.getloadavg()
        log("bench: sizes %s MiB, transports %s, %d runs per case, "
            "sweep at %s, bitmap-ready runs at %s vCPUs; host load %.1f" % (
                ",".join(map(str, self.args.sizes)),
                "nvme (bitmap-ready runs only)" if self.args.bitmap_only else
                "nvme (next-init runs only)" if self.args.next_init_only else
                ",".join(self.args.transports), self.args.runs,
                ",".join(map(str, self.args.sweep_sizes)) or "none",
                "none" if self.args.no_bitmap or self.args.next_init_only
                else
                ",".join(map(str, self.args.cpus)), self.load0[0]))
        alone = self.args.bitmap_only or self.args.next_init_only
        self.initrd, self.capture_bytes = build_initrds(
            ["nvme"] if alone else self.args.transports,
            nohook=not (self.args.no_bitmap or self.args.next_init_only))
        for mem in sorted(set(self.args.sizes) | set(self.args.sweep_sizes)):
            self.disks[mem] = BenchDisk(mem)
        log("[%s] disks and initramfs ready" % self.elapsed())
        try:
            if not alone:
                self.timed()
                self.do_sweep()
            if not (self.args.no_bitmap or self.args.next_init_only):
                self.bitmap()
            if self.args.next_init or self.args.next_init_only:
                self.next_init()
        finally:
            self.report()
            if not self.args.keep_disks:
                for d in self.disks.values():
                    if os.path.exists(d.path):
                        os.unlink(d.path)

    def report(self):
        summary = benchlib.summarize(self.runs)
        tsummary = benchlib.summarize_transports(self.runs)
        bsummary = benchlib.summarize_bitmap(self.runs)
        nsummary = benchlib.summarize_nohook(self.runs)
        xsummary = benchlib.summarize_next(self.runs)
        tbl = "\n\n".join(x for x in (
            benchlib.table(summary, self.sweep) if summary else "",
            benchlib.transport_table(tsummary),
            benchlib.bitmap_table(bsummary),
            benchlib.nohook_table(nsummary),
            benchlib.next_table(xsummary)) if x)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = os.path.join(BENCH_DIR, "bench-%s.json" % stamp)
        doc = {"meta": self.meta(), "runs": self.runs,
               "sweep": {m: {p: r for p, r in v.items()}
                         for m, v in self.sweep.items()},
               "sweep_failures": self.sweep_why,
               "summary": summary, "transport_summary": tsummary,
               "bitmap_summary": bsummary, "nohook_summary": nsummary,
               "next_init_summary": xsummary,
               "table": tbl}
        with open(out, "w") as f:
            json.dump(doc, f, indent=1, default=str)
        latest = os.path.join(BENCH_DIR, "latest.json")
        if os.path.lexists(latest):
            os.unlink(latest)
        os.symlink(os.path.basename(out), latest)
        with open(os.path.join(BENCH_DIR, "table.md"), "w") as f:
            f.write(tbl + "\n")
        log("")
        log(tbl)
        log("")
        for line in self.sweep_why:
            log("crashkernel= sweep stopped at " + line)
        log("raw runs: %s (%d runs, %s)" % (out, len(self.runs),
                                            self.elapsed()))


def sizes(s):
    return [int(x) for x in s.split(",") if x]


def transports(s):
    ts = [x for x in s.split(",") if x]
    bad = [t for t in ts if t not in benchlib.TRANSPORTS]
    if bad or not ts:
        raise argparse.ArgumentTypeError(
            "transports are %s, not %s" % (",".join(benchlib.TRANSPORTS), s))
    return ts


def main():
    global BENCH_DIR
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=sizes, default=[1024, 4096, 8192])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sweep-sizes", type=sizes, default=None)
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--keep-disks", action="store_true")
    ap.add_argument("--paths", type=lambda s: s.split(","),
                    default=["bmdump", "kdump"],
                    help="order of the paths in each timed round")
    ap.add_argument("--transports", type=transports,
                    default=list(benchlib.TRANSPORTS),
                    help="where the area is, in each round's order; kdump "
                    "and the crashkernel= sweep run on nvme only")
    ap.add_argument("--cpus", type=sizes, default=[1, 2],
                    help="vCPU counts of the bitmap-ready runs (the other "
                    "runs have %d)" % SMP)
    ap.add_argument("--crash-cpu", type=int, default=None,
                    help="the CPU that crashes in the bitmap-ready runs "
                    "(default: wherever the shell runs)")
    ap.add_argument("--bitmap-only", action="store_true",
                    help="only the bitmap-ready runs (NVMe, no sweep)")
    ap.add_argument("--no-bitmap", action="store_true",
                    help="no bitmap-ready runs")
    ap.add_argument("--next-init", action="store_true",
                    help="also the panic -> next kernel's init runs "
                    "(issue 21: kdump, bmdump with a reset, bmdump."
                    "final=boot), after the others")
    ap.add_argument("--next-init-only", action="store_true",
                    help="only the next-init runs")
    ap.add_argument("--dir", default=BENCH_DIR,
                    help="where initramfs, disks and results go (two "
                    "benches at once need two)")
    args = ap.parse_args()
    if args.bitmap_only and args.no_bitmap:
        ap.error("--bitmap-only and --no-bitmap exclude each other")
    if args.bitmap_only and args.next_init_only:
        ap.error("--bitmap-only and --next-init-only exclude each other")
    BENCH_DIR = os.path.abspath(args.dir)
    if args.sweep_sizes is None:
        args.sweep_sizes = ([] if args.no_sweep or args.bitmap_only or
                            args.next_init_only else list(args.sizes))
    Bench(args).main()


if __name__ == "__main__":
    main()
