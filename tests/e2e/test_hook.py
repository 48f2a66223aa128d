# SPDX-License-Identifier: GPL-2.0
"""The kernel hook (bmdump.ko) judged by an independent oracle.

Each crash case boots Debian's kernel with bmdump.ko loaded, fills memory
(page cache on tmpfs and on an ext4 file system on NVMe, dirty ext4 pages
with buffer heads, anonymous memory, hugetlb pages, slab), loads Debian's
own kernel as capture kernel with `kexec -p` and crashes (sysrq or an oops
with oops=panic).  In the capture kernel, bmdump-hooktest copies the
descriptor and the bitmap out of /proc/vmcore (through its ELF program
headers) to one raw disk, and `makedumpfile -d 30` writes a
kdump-compressed file to another.  Here, on the host, we check the
descriptor (magic, version, state DONE, both CRC32Cs with our own CRC
code, counts) and compare the hook's bitmap pfn by pfn with makedumpfile's
2nd bitmap inside the vmcore's RAM (its 1st bitmap).

Differences inherent to the approach, named and bounded:
  * hook bits outside the vmcore's RAM: none expected; the hook takes
    System RAM from the resource tree minus the crash kernel region, which
    is what kexec-tools puts in the elfcorehdr;
  * inside the vmcore's RAM both read the same frozen struct pages with the
    same rules, so none either: pages on per-CPU free lists are not buddy
    pages to either of them, and the hook's own descriptor and bitmap pages
    are kernel pages to both (the test checks that both keep them).
So the bound is 0 pages for each; every mismatch fails the test and is
listed by pfn.

Figures (fill time per GiB from the descriptor's TSC cycles, makedumpfile's
"Excluding unnecessary pages" step, agreement) go to stdout and to
build/e2e/hook-results.txt.
"""

import json
import os
import re
import shutil
import subprocess

import dumpcheck
import rig

HOOK_KO = os.path.join(rig.BUILD, "bmdump.ko")
HELPER = os.path.join(rig.BUILD, "hooktest", "bmdump-hooktest")
RESULTS = os.path.join(rig.E2E_BUILD, "hook-results.txt")
CRASHKERNEL = "192M"

DESCTOOL = os.path.join(rig.BUILD, "e2e-tools", "desctool")
# "BMDPDESC", as the magic reads through the test module's peek file
DESC_MAGIC = int.from_bytes(b"BMDPDESC", "little")
CLASSES = ["hole", "free", "cache", "cache_private", "user", "hwpoison",
           "offline", "kernel", "unknown", "excluded_kept"]
# the classes makedumpfile's report counts (mdf_<name> in its report)
MDF_CLASSES = ["cache", "cache_private", "user", "free", "hwpoison",
               "offline"]

# Memory filled before each crash: MiB, files or counts.
FILL = {
    1024: dict(ext4_files=6, ext4_write=16, tmpfs=160, hog=128, huge=16,
               slab=20000),
    4096: dict(ext4_files=16, ext4_write=32, tmpfs=768, hog=512, huge=64,
               slab=50000),
}
EXT4_FILE_MIB = 16
EXT4_FILES = 16

TRIGGER = {
    "sysrq": "echo c > /proc/sysrq-trigger",
    "oops": "echo 1 > /sys/kernel/debug/bmdump_testmod/oops",
}


# --- guest scripts -------------------------------------------------------------

SH_PRELUDE = rig.SH_NVME_DISK + r"""
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
"""

CAPTURE_SCENARIO = SH_PRELUDE + r"""
echo "RIG: capture-up uptime=$(cut -d' ' -f1 /proc/uptime)"
grep -q elfcorehdr= /proc/cmdline || { echo "RIG: capture-error=no-elfcorehdr"; exit 1; }
out=$(disk hookout) || exit 1
dump=$(disk mdfout) || exit 1
bmdump-hooktest vmread /proc/vmcore "$(arg hooktest.desc)" "$out"
echo "RIG: vmread-rc=$?"
# separate files: stdout is buffered, stderr not; mixed they interleave
makedumpfile -f -l -d 30 --message-level 31 /proc/vmcore "$dump" > /tmp/mdf.out 2> /tmp/mdf.err
rc=$?
# progress lines end in CR: keep the report and the STEP times
for f in /tmp/mdf.err /tmp/mdf.out; do
    tr '\r' '\n' < $f | grep -v '^Copying data\|^Excluding \|^Checking for\|^$'
done
echo "RIG: makedumpfile-rc=$rc"
sync
"""

# Fills memory with every class (needs SH_PRELUDE and an ext4 disk with
# serial hookext4); {name}s come from FILL.  Shared with test_kernels.py.
FILL_SCRIPT = r"""
echo {huge} > /proc/sys/vm/nr_hugepages
echo "RIG: hugepages=$(cat /proc/sys/vm/nr_hugepages)"
dev=$(disk hookext4) && mkdir -p /mnt && mount -t ext4 "$dev" /mnt && echo "RIG: ext4-mounted=1"
n=0
for f in /mnt/data/*; do
    [ $n -lt {ext4_files} ] || break
    cat "$f" > /dev/null; n=$((n+1))
done
echo "RIG: ext4-read-files=$n"
# dirty page cache with buffer heads (PG_private); left unsynced
dd if=/dev/urandom of=/mnt/written bs=1M count={ext4_write} 2>/dev/null
mkdir -p /fill && mount -t tmpfs -o size={tmpfs_size}m fill /fill
dd if=/dev/zero of=/fill/zero bs=1M count={tmpfs} 2>/dev/null
bmdump-hooktest slab /tmp/slab {slab}
bmdump-hooktest hog {hog} > /tmp/hog.log &
i=0
until grep -q hog-ready /tmp/hog.log; do
    sleep 1; i=$((i+1)); [ $i -gt 300 ] && break
done
cat /tmp/hog.log
grep -E '^(MemTotal|MemFree|Cached|Shmem|AnonPages|AnonHugePages|Slab|HugePages_Total|Dirty):' /proc/meminfo | sed 's/^/RIG: meminfo /'
sed 's/^/RIG: dry /' /sys/kernel/bmdump/dry_run
"""

FIRST_SCENARIO = SH_PRELUDE + r"""
echo "RIG: state-at-boot=$(cat /sys/kernel/bmdump/state)"
""" + FILL_SCRIPT + r"""
desc=$(cat /sys/kernel/bmdump/descriptor)
echo "RIG: desc=$desc"
echo "RIG: bitmap_bytes=$(cat /sys/kernel/bmdump/bitmap_bytes)"
kexec -p /boot/vmlinuz --initrd=/capture.img --append="console=ttyS0,115200 maxcpus=1 reset_devices panic=-1 rig.hostname=capture hooktest.desc=$desc" && echo "RIG: kexec-loaded=1"
echo "RIG: state-before-crash=$(cat /sys/kernel/bmdump/state)"
echo "RIG: crashing={how}"
# let the UART drain: output still queued at the crash is lost
sleep 1
{trigger}
sleep 60
echo "RIG: still-alive=1"
"""


# --- building blocks -------------------------------------------------------------

def fill_in(script, mem_mib, **more):
    """script with FILL[mem_mib]'s {name}s (and more's) filled in."""
    fill = dict(FILL[mem_mib], **more)
    fill["tmpfs_size"] = fill["tmpfs"] + 16
    for k, v in fill.items():
        script = script.replace("{%s}" % k, str(v))
    return script


_capture_initrd = None


def capture_initrd():
    """Initramfs of the capture kernel: makedumpfile + the helper."""
    global _capture_initrd
    if _capture_initrd is None:
        d = os.path.join(rig.E2E_BUILD, "hook-capture")
        os.makedirs(d, exist_ok=True)
        _capture_initrd = rig.Initramfs(
            binaries=["/usr/bin/makedumpfile"],
            files={"usr/bin/bmdump-hooktest": HELPER},
            scenario=CAPTURE_SCENARIO).build(d)
    return _capture_initrd


def ext4_image(path):
    """A fresh ext4 image holding EXT4_FILES files of random data."""
    src = os.path.join(rig.E2E_BUILD, "hook-ext4-src")
    data = os.path.join(src, "data")
    os.makedirs(data, exist_ok=True)
    for i in range(EXT4_FILES):
        f = os.path.join(data, "f%02d" % i)
        if os.path.exists(f) and os.path.getsize(f) == EXT4_FILE_MIB << 20:
            continue
        with open(f, "wb") as out:
            out.write(os.urandom(EXT4_FILE_MIB << 20))
    if os.path.exists(path):
        os.unlink(path)
    size = EXT4_FILES * EXT4_FILE_MIB + 128
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", src, path,
                    "%dM" % size], check=True, stdout=subprocess.DEVNULL)
    return path


def first_initrd(outdir, scenario):
    return rig.Initramfs(
        files={"lib/modules/extra/bmdump.ko": HOOK_KO,
               "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path(),
               "usr/bin/bmdump-hooktest": HELPER,
               "boot/vmlinuz": rig.VMLINUZ,
               "capture.img": capture_initrd()},
        scenario=scenario).build(outdir)


def need(cond, msg, res=None):
    if not cond:
        if res is not None:
            msg += "\n--- serial log: %s\n%s" % (res.log, res.tail(60))
        raise AssertionError(msg)


def record(line):
    print("    " + line, flush=True)
    os.makedirs(rig.E2E_BUILD, exist_ok=True)
    with open(RESULTS, "a") as f:
        f.write(line + "\n")


def bits_of(x, limit=20):
    """The first `limit` set bit numbers of x."""
    out = []
    while x and len(out) < limit:
        low = x & -x
        out.append(low.bit_length() - 1)
        x ^= low
    return out


def runs_of(x, limit=12):
    """First runs of set bits as "start-end" pfn strings (hex)."""
    out = []
    pfns = bits_of(x, 4096)
    for p in pfns:
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return ["%#x-%#x" % (a, b) for a, b in out[:limit]]


# --- parsing what the capture side left on the disks --------------------------

def read_hook_disk(path):
    """The descriptor and bitmap hooktest copied out of the vmcore, checked
    by desctool, i.e. by include/bmdump/desc.h and crc32c.h themselves."""
    out = subprocess.run([DESCTOOL, path], capture_output=True, text=True)
    need(out.returncode == 0, "desctool failed: %s" % out.stderr)
    d = json.loads(out.stdout)
    chunks = []
    with open(path, "rb") as f:
        for c in d["chunks"]:
            f.seek(c["file_offset"])
            chunks.append((c["first_pfn"], c["nr_pfns"],
                           f.read(c["nr_pfns"] // 8)))
    return d, chunks


# --- one crash case ----------------------------------------------------------

def crash_case(how, mem_mib):
    name = "hook-%s-%dm" % (how, mem_mib)
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    fill = FILL[mem_mib]
    scenario = fill_in(FIRST_SCENARIO, mem_mib, how=how,
                       trigger=TRIGGER[how])
    disks = [
        rig.Disk(ext4_image(os.path.join(d, "ext4.img")), create=False,
                 serial="hookext4"),
        rig.Disk(os.path.join(d, "hookout.img"), 16, serial="hookout"),
        rig.Disk(os.path.join(d, "mdfout.img"), 2048, serial="mdfout"),
    ]
    g = rig.Guest(name, first_initrd(d, scenario), disks=disks,
                  mem_mib=mem_mib, crashkernel=CRASHKERNEL, timeout=900)
    res = g.run()
    facts = res.facts()
    need(not res.timed_out, "guest timed out", res)
    need(facts.get("kexec-loaded") == "1", "kexec -p failed", res)
    need(facts.get("state-before-crash") == "armed",
         "hook not armed before the crash", res)
    need("still-alive" not in facts, "the crash did not happen", res)
    need(facts.get("vmread-rc") == "0", "vmread failed in the capture "
         "kernel", res)
    need(facts.get("makedumpfile-rc") == "0", "makedumpfile failed", res)
    for k in ("hugepages", "ext4-mounted", "ext4-read-files"):
        need(k in facts, "fill step %s missing" % k, res)
    need(int(facts["hugepages"]) == fill["huge"], "hugepages not reserved",
         res)
    need(int(facts["ext4-read-files"]) == fill["ext4_files"],
         "ext4 files not read", res)
    need(res.find(r"RIG: hog-ready")[0] is not None, "anon hog not ready",
         res)

    # -- the descriptor, checked by the contract's own definition --
    desc, chunks = read_hook_disk(disks[1].path)
    need(desc["magic"] == desc["magic_expected"], "descriptor magic %#x"
         % desc["magic"], res)
    need(desc["version"] == desc["version_expected"], "descriptor version",
         res)
    need(desc["state"] == desc["state_done"], "descriptor state %#x, not "
         "DONE" % desc["state"], res)
    need(desc["desc_size"] == desc["hdr_size"] + 24 * desc["nr_chunks"],
         "desc_size %d" % desc["desc_size"])
    need(desc["desc_crc_ok"], "descriptor CRC mismatch")
    need(desc["bitmap_crc_ok"], "bitmap CRC mismatch")
    need(desc["flags"] & desc["flag_crash_fill"], "not a crash fill")
    need(desc["fill_count"] == 1, "fill_count %d" % desc["fill_count"])
    need(desc["dump_level"] == 31, "dump level %d" % desc["dump_level"])
    need(desc["tsc_khz"] > 0 and desc["fill_cycles"] > 0, "no fill time")
    need(int(facts["desc"], 16) % 4096 == 0, "descriptor not page aligned")

    hook = 0
    covered = 0
    cmax = desc["chunk_max_pfns"]
    need(chunks and len(chunks) == desc["nr_chunks"], "no bitmap chunk "
         "read (%d of %d)" % (len(chunks), desc["nr_chunks"]))
    for i, (first, nr, data) in enumerate(chunks):
        phys = desc["chunks"][i]["phys"]
        need(first == i * cmax and nr % 8 == 0 and
             nr <= cmax and phys % 4096 == 0,
             "chunk %d layout: first %#x nr %d phys %#x"
             % (i, first, nr, phys))
        hook |= int.from_bytes(data, "little") << first
        covered = first + nr
    need(covered >= desc["max_pfn"], "chunks cover %d of %d pfns"
         % (covered, desc["max_pfn"]))
    need(int(facts["bitmap_bytes"]) == sum(nr // 8 for _, nr, _ in chunks),
         "sysfs bitmap_bytes disagrees with the chunk table")
    need(hook >> desc["max_pfn"] == 0, "bits set at or above max_pfn")
    need(hook.bit_count() == desc["pages_set"], "pages_set %d, bitmap has %d"
         % (desc["pages_set"], hook.bit_count()))
    counts = dict(zip(CLASSES, desc["counts"]))
    need(sum(desc["counts"]) == desc["max_pfn"],
         "class counts add up to %d, max_pfn %d"
         % (sum(desc["counts"]), desc["max_pfn"]))
    need(desc["pages_set"] == counts["kernel"] + counts["unknown"] +
         counts["excluded_kept"], "kept classes do not add up to pages_set")
    need(counts["hwpoison"] == 0 and counts["offline"] == 0,
         "hwpoison/offline pages in a healthy guest: %r" % counts)
    for cls in ("free", "cache", "cache_private", "user", "kernel"):
        need(counts[cls] > 0, "no %s pages classified: %r" % (cls, counts))

    # -- makedumpfile's view of the same vmcore --
    with open(disks[2].path, "rb") as f:
        kd = dumpcheck.kdump_bitmaps(
            lambda off, n: (f.seek(off), f.read(n))[1])
    need(kd["level"] == 30, "makedumpfile dump level %d" % kd["level"])
    need(kd["status"] & 0x8 == 0, "makedumpfile output is incomplete")
    ram = kd["ram"]
    mdf = kd["dumped"]
    need(mdf & ~ram == 0, "makedumpfile 2nd bitmap outside its 1st")
    # the 1st bitmap is the vmcore's RAM: check it against the PT_LOADs
    loads = [(int(m.group(1), 16), int(m.group(2), 16))
             for _, m in res.find_all(r"RIG: load (0x[0-9a-f]+) "
                                      r"(0x[0-9a-f]+)")]
    need(loads, "no PT_LOADs listed", res)
    pt = 0
    for paddr, size in loads:
        a, b = paddr >> 12, (paddr + size) >> 12
        pt |= ((1 << (b - a)) - 1) << a
    pt &= (1 << kd["max_mapnr"]) - 1
    need(pt == ram, "makedumpfile's 1st bitmap is not the PT_LOAD ranges")
    need(desc["max_pfn"] >= ram.bit_length(),
         "hook max_pfn %d below the vmcore's highest RAM pfn %d"
         % (desc["max_pfn"], ram.bit_length()))

    # -- the comparison --
    hook_in = hook & ram
    hook_only = hook_in & ~mdf
    mdf_only = mdf & ~hook_in
    outside = hook & ~ram
    n_ram = ram.bit_count()
    agree = n_ram - hook_only.bit_count() - mdf_only.bit_count()
    # the hook's own pages: both must keep them (kernel pages)
    own = [int(facts["desc"], 16) >> 12]
    for c in desc["chunks"]:
        own += [(c["phys"] >> 12) + i
                for i in range((c["nr_pfns"] // 8 + 4095) // 4096)]
    own_kept_hook = sum(1 for p in own if hook >> p & 1)
    own_kept_mdf = sum(1 for p in own if mdf >> p & 1)

    report = dumpcheck.mdf_report(res.lines)
    mdf_counts = {name: report["mdf_" + name] for name in MDF_CLASSES
                  if "mdf_" + name in report}
    exclude_s = report.get("mdf_exclude_s", 0.0)
    fill_ms = desc["fill_cycles"] / desc["tsc_khz"]
    gib = mem_mib / 1024
    record("%-6s %4d MiB: fill %.2f ms at crash (%.2f ms/GiB, %d cycles @ "
           "%d kHz), dry run at load %s us; makedumpfile Excluding "
           "unnecessary pages %.6f s in %d steps (%.1f ms/GiB)"
           % (how, mem_mib, fill_ms, fill_ms / gib, desc["fill_cycles"],
              desc["tsc_khz"],
              (res.rig_lines("dry fill_us") or ["?"])[0],
              exclude_s, report.get("mdf_exclude_s_steps", 0),
              exclude_s * 1000 / gib))
    record("%-6s %4d MiB: vmcore RAM %d pfns; agree %d (%.4f%%); hook-only "
           "%d, makedumpfile-only %d; hook bits outside vmcore RAM %d; "
           "hook pages set %d, makedumpfile kept %d; own pages kept by "
           "hook %d/%d, by makedumpfile %d/%d"
           % (how, mem_mib, n_ram, agree, 100.0 * agree / n_ram,
              hook_only.bit_count(), mdf_only.bit_count(),
              outside.bit_count(), hook.bit_count(), mdf.bit_count(),
              own_kept_hook, len(own), own_kept_mdf, len(own)))
    record("%-6s %4d MiB: hook classes %s; makedumpfile %s"
           % (how, mem_mib,
              " ".join("%s=%d" % kv for kv in counts.items()),
              " ".join("%s=%d" % kv for kv in mdf_counts.items())))

    need("mdf_exclude_s" in report, "makedumpfile printed no exclusion step",
         res)
    need(hook_only == 0 and mdf_only == 0,
         "hook and makedumpfile disagree inside RAM: hook-only %d pfns "
         "(first %s), makedumpfile-only %d pfns (first %s)"
         % (hook_only.bit_count(), runs_of(hook_only),
            mdf_only.bit_count(), runs_of(mdf_only)))
    need(outside == 0, "hook set %d pfns outside the vmcore's RAM: %s"
         % (outside.bit_count(), runs_of(outside)))
    need(own_kept_hook == len(own) and own_kept_mdf == len(own),
         "descriptor/bitmap pages not kept by both")
    for cls, n in mdf_counts.items():
        need(counts[cls] == n, "class %s: hook %d, makedumpfile %d"
             % (cls, counts[cls], n))
    need(len(mdf_counts) == len(MDF_CLASSES), "makedumpfile report "
         "incomplete: %r" % mdf_counts, res)

    # dry run at load: a layout mismatch would show here
    dry = dict(l.split(None, 1) for l in res.rig_lines("dry"))
    dry = {k: int(v) for k, v in dry.items()}
    need(sum(dry[c] for c in CLASSES) == dry["max_pfn"] == desc["max_pfn"],
         "dry run counts do not add up: %r" % dry)
    need(abs(dry["free"] - dry["kernel_free_pages"]) <=
         dry["kernel_free_pages"] // 10 + 1024,
         "dry run free %d vs NR_FREE_PAGES %d"
         % (dry["free"], dry["kernel_free_pages"]))
    # passed: drop the large images, keep logs and the hook's output
    for disk in (disks[0], disks[2]):
        os.unlink(disk.path)


def test_hook_oracle_sysrq_1g():
    crash_case("sysrq", 1024)


def test_hook_oracle_oops_1g():
    crash_case("oops", 1024)


def test_hook_oracle_sysrq_4g():
    crash_case("sysrq", 4096)


def test_hook_oracle_oops_4g():
    crash_case("oops", 4096)


# --- bad input, unload, load twice --------------------------------------------

BAD_INPUT_SCENARIO = r"""
s=/sys/kernel/bmdump
peek=/sys/kernel/debug/bmdump_testmod/peek
echo "RIG: state0=$(cat $s/state)"
echo "RIG: level0=$(cat $s/dump_level)"
echo "RIG: param0=$(cat /sys/module/bmdump/parameters/dump_level)"
try() {
    if echo "$2" > $s/dump_level 2>/dev/null; then r=accepted; else r=rejected; fi
    echo "RIG: set_$1=$r,$(cat $s/dump_level)"
}
try 32 32
try minus1 -1
try word abc
try empty ""
try huge 4294967327
try 24 24
sed 's/^/RIG: dry24 /' $s/dry_run
try 31 31
sed 's/^/RIG: dry31 /' $s/dry_run
desc=$(cat $s/descriptor)
echo "RIG: desc1=$desc"
echo "$desc" > $peek && echo "RIG: peek1=$(cat $peek)"
insmod /lib/modules/extra/bmdump.ko; echo "RIG: insmod_twice_rc=$?"
echo "RIG: state_after_twice=$(cat $s/state)"
echo "RIG: desc_after_twice=$(cat $s/descriptor)"
rmmod bmdump; echo "RIG: rmmod_rc=$?"
echo "RIG: peek_after_rmmod=$(cat $peek)"
[ -e $s ] && echo "RIG: sysfs_after_rmmod=present" || echo "RIG: sysfs_after_rmmod=gone"
insmod /lib/modules/extra/bmdump.ko dump_level=32; echo "RIG: insmod_level32_rc=$?"
insmod /lib/modules/extra/bmdump.ko dump_level=7; echo "RIG: insmod_again_rc=$?"
echo "RIG: state2=$(cat $s/state)"
echo "RIG: level2=$(cat $s/dump_level)"
desc=$(cat $s/descriptor)
echo "RIG: desc2=$desc"
echo "$desc" > $peek && echo "RIG: peek2=$(cat $peek)"
dmesg | grep 'bmdump' | sed 's/^/RIG: dmesg /'
"""


def test_hook_bad_input():
    name = "hook-bad-input"
    d = os.path.join(rig.E2E_BUILD, name)
    os.makedirs(d, exist_ok=True)
    initrd = rig.Initramfs(
        files={"lib/modules/extra/bmdump.ko": HOOK_KO,
               "lib/modules/extra/bmdump_testmod.ko": rig.testmod_path()},
        scenario=BAD_INPUT_SCENARIO).build(d)
    res = rig.Guest(name, initrd, mem_mib=1024, timeout=300).run()
    f = res.facts()
    need(not res.timed_out and res.find(r"RIG: scenario-ended rc=0")[0],
         "guest did not finish", res)
    need(f.get("state0") == "armed", "not armed at boot", res)
    need(f.get("level0") == "31" and f.get("param0") == "31",
         "default dump level is not 31", res)
    for k in ("32", "minus1", "word", "empty", "huge"):
        need(f.get("set_" + k) == "rejected,31",
             "dump_level input %s: %s" % (k, f.get("set_" + k)), res)
    need(f.get("set_24") == "accepted,24", "dump_level 24 refused", res)
    need(f.get("set_31") == "accepted,31", "dump_level 31 refused", res)
    dry24 = dict(l.split(None, 1) for l in res.rig_lines("dry24"))
    dry31 = dict(l.split(None, 1) for l in res.rig_lines("dry31"))
    need(dry24.get("dump_level") == "24" and dry31.get("dump_level") == "31",
         "dry run does not follow the dump level", res)
    # level 24 keeps page cache: no cache class, more pages set
    need(int(dry24["cache"]) == 0 and int(dry24["cache_private"]) == 0 and
         int(dry24["excluded_kept"]) > 0 and int(dry31["cache"]) > 0,
         "dry run classes at level 24: %r" % dry24, res)
    need(int(dry24["pages_set"]) > int(dry31["pages_set"]),
         "level 24 does not keep more pages than 31", res)
    magic = "0x%016x" % DESC_MAGIC
    need(f.get("peek1") == magic, "descriptor magic not in RAM: %s"
         % f.get("peek1"), res)
    need(f.get("insmod_twice_rc") not in (None, "0"),
         "second insmod succeeded", res)
    need(f.get("state_after_twice") == "armed" and
         f.get("desc_after_twice") == f.get("desc1"),
         "second insmod disturbed the loaded hook", res)
    need(f.get("rmmod_rc") == "0", "rmmod failed", res)
    need(re.match(r"0x[0-9a-f]{16}$", f.get("peek_after_rmmod", "")) and
         f.get("peek_after_rmmod") != magic,
         "descriptor magic still there after unload: %s"
         % f.get("peek_after_rmmod"), res)
    need(f.get("sysfs_after_rmmod") == "gone", "sysfs left behind", res)
    need(f.get("insmod_level32_rc") not in (None, "0"),
         "insmod dump_level=32 succeeded", res)
    need(res.find(r"bmdump: dump_level=32: use 0-31")[0] is not None,
         "no message for dump_level=32", res)
    need(f.get("insmod_again_rc") == "0" and f.get("state2") == "armed" and
         f.get("level2") == "7", "reload after unload failed", res)
    need(f.get("peek2") == magic, "reloaded descriptor has no magic", res)
    need(len(res.find_all(r"^\[\s*[0-9.]+\] bmdump: armed: descriptor")) == 2,
         "expected two 'armed' lines (boot and reload)", res)
    need(res.find(r"bmdump: unloaded, descriptor wiped")[0] is not None,
         "no unload message", res)


# --- packaging: dkms builds the module from the shipped tree ----------------

def hook_contracts():
    """The contracts the hook includes: kernel-hook.mk's HOOK_CONTRACTS, the
    list the build and make install use, so this tree cannot miss one."""
    mk = open(os.path.join(rig.ROOT, "kernel-hook", "kernel-hook.mk")).read()
    m = re.search(r"^HOOK_CONTRACTS\s*:=((?:.*\\\n)*.*)$", mk, re.M)
    need(m is not None, "no HOOK_CONTRACTS in kernel-hook.mk")
    files = m.group(1).replace("\\\n", " ").split()
    need(files and all(f.startswith("include/bmdump/") for f in files),
         "HOOK_CONTRACTS: %r" % files)
    return files


def dkms_build(kver):
    """dkms.conf + sources + contracts, laid out as /usr/src/bmdump-0.1,
    built by dkms for kver in a private tree.  Returns the module's path."""
    root = os.path.join(rig.E2E_BUILD, "hook-dkms", kver)
    shutil.rmtree(root, ignore_errors=True)
    # The version, as make install-dkms puts it into dkms.conf.
    vh = open(os.path.join(rig.ROOT, "include", "bmdump", "version.h")).read()
    version = re.search(r'#define BMDUMP_VERSION\s+"([^"]+)"', vh).group(1)
    src = os.path.join(root, "src", "bmdump-" + version)
    os.makedirs(os.path.join(src, "include", "bmdump"))
    hook_dir = os.path.join(rig.ROOT, "kernel-hook")
    for f in os.listdir(hook_dir):
        if f.endswith((".c", ".h")) or f == "Kbuild":
            shutil.copy(os.path.join(hook_dir, f), src)
    conf = open(os.path.join(hook_dir, "dkms.conf")).read()
    with open(os.path.join(src, "dkms.conf"), "w") as f:
        f.write(conf.replace("@VERSION@", version))
    for f in hook_contracts():
        shutil.copy(os.path.join(rig.ROOT, f),
                    os.path.join(src, "include", "bmdump"))
    tree = os.path.join(root, "tree")
    os.makedirs(tree)
    p = subprocess.run(["dkms", "build", "-m", "bmdump", "-v", version,
                        "-k", kver, "--sourcetree",
                        os.path.join(root, "src"), "--dkmstree", tree],
                       capture_output=True, text=True, timeout=600)
    need(p.returncode == 0, "dkms build for %s failed:\n" % kver +
         p.stdout[-3000:] + p.stderr[-3000:])
    ko = os.path.join(tree, "bmdump", version, kver, "x86_64", "module",
                      "bmdump.ko")
    if os.path.exists(ko + ".xz"):     # kernels that compress modules
        subprocess.run(["xz", "-dkf", ko + ".xz"], check=True)
    need(os.path.exists(ko), "dkms built no %s" % ko)
    info = subprocess.run(["modinfo", "-F", "vermagic", ko],
                          capture_output=True, text=True).stdout
    need(info.split()[0] == kver, "dkms module vermagic %r" % info)
    return ko


def test_hook_dkms_build():
    dkms_build(rig.KVER)
