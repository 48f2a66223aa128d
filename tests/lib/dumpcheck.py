# SPDX-License-Identifier: GPL-2.0
"""Judges of a dump file, all independent of bmdump: makedumpfile, crash and
drgn/libkdumpfile under Debian's /usr/bin/python3."""

import os
import re
import struct
import subprocess

import oracle

DEBIAN_PYTHON = "/usr/bin/python3"


def dump_dmesg(path, out):
    """makedumpfile --dump-dmesg; returns the text."""
    if os.path.exists(out):
        os.unlink(out)
    p = subprocess.run(["makedumpfile", "--dump-dmesg", path, out],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, "makedumpfile --dump-dmesg failed:\n%s%s" % (
        p.stdout, p.stderr)
    with open(out, errors="replace") as f:
        return f.read()


def kernel_log(img, vmlinux):
    """The dump's kernel log: makedumpfile --dump-dmesg; crash's `log`
    instead when makedumpfile refuses a kernel whose mem_section the test
    broke on purpose (it validates mem_section before reading anything)
    and a debug vmlinux is there.  The pages themselves are the memory
    oracle's to judge, so this is no weaker a check of the dump."""
    try:
        return dump_dmesg(img, img + ".dmesg")
    except AssertionError as e:
        if not vmlinux or "mem_section" not in str(e):
            raise
    return crash_session(img, vmlinux, ("log",))["log"]


def crash_osrelease(path):
    p = subprocess.run(["crash", "--osrelease", path], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, "crash --osrelease failed:\n%s%s" % (
        p.stdout, p.stderr)
    return p.stdout.strip()


# crash's own view of the crash: the system, every CPU's backtrace, the
# kernel log.  (Not compared with crash on QEMU's RAM copy: that file's
# notes hold the CPUs at the reset, in the stub, and with 1 vCPU crash then
# reads the kernel through the stub's page tables: no tasks, no log.  The
# memory oracle judges the pages; this judges what crash makes of them.)
CRASH_CMDS = ("sys", "bt -a", "log")


def debug_vmlinux(kver):
    """Debian's linux-image-<kver>-dbg vmlinux, which crash needs for any
    command past --osrelease; None when the package is not installed."""
    path = "/usr/lib/debug/boot/vmlinux-%s" % kver
    return path if os.path.exists(path) else None


def crash_session(path, vmlinux, cmds=CRASH_CMDS):
    """{command: output} of one crash session on path."""
    script = "".join("echo ==bmdump-cmd %d==\n%s\n" % (i, c)
                     for i, c in enumerate(cmds)) + "quit\n"
    p = subprocess.run(["crash", "-s", vmlinux, path], input=script,
                       capture_output=True, text=True, timeout=600)
    parts = re.split(r"^==bmdump-cmd (\d+)==\n", p.stdout, flags=re.M)
    out = {cmds[int(i)]: text for i, text in zip(parts[1::2], parts[2::2])}
    assert len(out) == len(cmds), "crash did not run every command " \
        "(exit %d):\n%s%s" % (p.returncode, p.stdout[-2000:],
                              p.stderr[-2000:])
    return out


def kexec_from_oops_end(bt):
    """Does a backtrace in crash's `bt -a` go crash_kexec <- oops_end
    (frames listed innermost first)?"""
    frames = re.findall(r"^ *#\d+ \[\w+\] (\w+) at ", bt, flags=re.M)
    return any(a == "crash_kexec" and b == "oops_end"
               for a, b in zip(frames, frames[1:]))


def crash_reads_dump(img, vmlinux, facts, marker, crash_text):
    """crash's `sys` names this machine and a panic, `bt -a` unwinds the
    crashing CPU into the kernel's crash path, `log` holds the test's
    marker and the crash's own words.  Returns the PANIC line."""
    got = crash_session(img, vmlinux)
    sys_ = dict(re.findall(r"^ *([A-Z ]+): (.*)$", got["sys"], flags=re.M))
    for key, want in (("RELEASE", facts["uname-r"]),
                      ("NODENAME", facts["uname-n"]),
                      ("CPUS", facts["nproc"])):
        assert sys_.get(key, "").split()[:1] == [want], \
            "crash `sys` %s: %r, the guest said %r\n%s" % (
                key, sys_.get(key), want, got["sys"])
    assert re.search(r"^ *#\d+ \[\w+\] (machine_kexec|__crash_kexec|"
                     r"crash_kexec) at ", got["bt -a"], flags=re.M), \
        "crash `bt -a` does not reach the crash path:\n" + \
        got["bt -a"][:3000]
    panic = sys_.get("PANIC", "")
    if panic in ('""', "") and kexec_from_oops_end(got["bt -a"]):
        # oops_end() called crash_kexec() before any panic(): the log
        # has an oops banner crash may not know (a double fault's
        # "kernel stack overflow"), and no panic message.
        panic = "(none: crash_kexec from oops_end, before panic())"
    assert panic not in ('""', ""), "crash `sys` shows no panic:\n" + \
        got["sys"]
    assert marker in got["log"], "the marker is not in crash's `log`"
    assert any(t in got["log"] for t in crash_text), \
        "none of %r in crash's `log`" % (crash_text,)
    return panic


DRGN_SCRIPT = r'''
import json, sys
import drgn
path, reads = sys.argv[1], json.loads(sys.argv[2])
prog = drgn.Program()
prog.set_core_dump(path)
out = {"release": None, "reads": {}}
try:
    out["release"] = prog["UTS_RELEASE"].string_().decode()
except Exception:
    pass
for addr, n in reads:
    out["reads"][str(addr)] = prog.read(addr, n, True).hex()
import kdumpfile
k = kdumpfile.kdumpfile(path)
k.attr["addrxlat.ostype"] = "linux"
out["format"] = str(k.attr["file.format"])
out["uts_release"] = str(k.attr["linux.uts.release"])
regs = {}
cpus = int(k.attr["cpu.number"])
for c in range(cpus):
    try:
        regs[c] = int(k.attr["cpu.%d.reg.rip" % c])
    except Exception as e:
        regs[c] = "error: %s" % e
out["cpus"] = cpus
out["rip"] = regs
print(json.dumps(out))
'''


def drgn_read(path, reads):
    """Open with drgn (libkdumpfile underneath); read physical ranges and
    every CPU's RIP from the notes.  Returns a dict."""
    import json
    p = subprocess.run([DEBIAN_PYTHON, "-c", DRGN_SCRIPT, path,
                        json.dumps(reads)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, "drgn/libkdumpfile failed:\n%s%s" % (
        p.stdout, p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])


def pattern(seed, i, n=4096):
    """The bytes bmdump_testmod fills buffer i with (see its header)."""
    x = (seed * 2654435761 + i) & 0xffffffff
    out = bytearray(n)
    for j in range(n):
        out[j] = x & 0xff
        x = (x * 1103515245 + 12345) & 0xffffffff
    return bytes(out)


def kdump_header(path):
    """The dump's header as `bmdump info --json` reads it (the one parser
    of contract 3 on the host; it refuses a bad signature or version)."""
    import json
    bmdump = os.path.join(os.path.dirname(__file__), "..", "..", "build",
                          "bmdump")
    p = subprocess.run([bmdump, "info", "--json", path], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, "bmdump info failed:\n%s%s" % (p.stdout,
                                                            p.stderr)
    return json.loads(p.stdout)["dump"]


def stub_figures(res):
    """The stub's figure lines, as a dict of name -> text."""
    d = {}
    for _, m in res.find_all(r"bmdump: (stage \S+|write|dump|bitmap|area): "
                             r"(.*)$"):
        d.setdefault(m.group(1), []).append(m.group(2))
    return d


# --- makedumpfile's own output, the oracle of the hook and bench tests --------

def _all(lines, pattern):
    r = re.compile(pattern)
    return [m for _, text in lines for m in [r.search(text)] if m]


def _first(lines, pattern):
    found = _all(lines, pattern)
    return found[0] if found else None


MDF_FIELDS = {
    "Original pages": "mdf_original",
    "Excluded pages": "mdf_excluded",
    "Pages filled with zero": "mdf_zero",
    "Non-private cache pages": "mdf_cache",
    "Private cache pages": "mdf_cache_private",
    "User process data pages": "mdf_user",
    "Free pages": "mdf_free",
    "Hwpoison pages": "mdf_hwpoison",
    "Offline pages": "mdf_offline",
    "Remaining pages": "mdf_remaining",
    "Memory Hole": "mdf_hole",
    "Total pages": "mdf_total",
}


def mdf_report(lines):
    """makedumpfile's --message-level 31 report and STEP times, from
    serial lines [(host seconds, text)]: counts as mdf_<name>, each STEP
    as its summed seconds and how many times it ran."""
    out = {}
    for key, name in MDF_FIELDS.items():
        m = _first(lines, r"^\s*%s\s*: 0x([0-9a-f]+)\s*$" % re.escape(key))
        if m:
            out[name] = int(m.group(1), 16)
    m = _first(lines, r"Write bytes\s*: (\d+)")
    if m:
        out["mdf_write_bytes"] = int(m.group(1))
    for step, name in (("Excluding unnecessary pages", "mdf_exclude_s"),
                       ("Excluding free pages", "mdf_exclude_free_s"),
                       ("Copying data", "mdf_copy_s"),
                       ("Checking for memory holes", "mdf_holes_s")):
        found = [float(m.group(1)) for m in _all(
            lines, r"STEP \[%s\s*\] : ([0-9.]+) seconds" % re.escape(step))]
        if found:
            out[name] = sum(found)
            out[name + "_steps"] = len(found)
    return out


def kdump_bitmaps(read):
    """The two bitmaps of a kdump-compressed image; read(off, n) -> bytes.
    Returns dict(version, status, max_mapnr, level, ram=int, dumped=int,
    desc_offset: where the page descriptors start)."""
    h = read(0, 464)
    if h[:8] != b"KDUMP   ":
        raise ValueError("no KDUMP signature: %r" % h[:8])
    version, = struct.unpack_from("<i", h, 8)
    status, block_size, sub_hdr_size, bitmap_blocks = \
        struct.unpack_from("<Iiii", h, 424)
    if block_size <= 0 or sub_hdr_size < 0 or bitmap_blocks <= 0:
        raise ValueError("kdump header fields out of range")
    sub = read(block_size, 104)
    level, = struct.unpack_from("<i", sub, 8)
    max_mapnr, = struct.unpack_from("<Q", sub, 96)
    half = bitmap_blocks * block_size // 2
    base = block_size * (1 + sub_hdr_size)
    mask = (1 << max_mapnr) - 1
    ram = int.from_bytes(read(base, half), "little") & mask
    dumped = int.from_bytes(read(base + half, half), "little") & mask
    return dict(version=version, status=status, max_mapnr=max_mapnr,
                level=level, ram=ram, dumped=dumped,
                desc_offset=base + 2 * half)


PAGE_DESC = struct.Struct("<qIIQ")     # offset, size, flags, page_flags


def kdump_desc_bytes(read, kd):
    """Bytes of a kdump-compressed image counted from its page
    descriptors: everything in front of the first stored page (headers,
    bitmaps, descriptor table) plus each stored page once (zero pages
    share one).  kd: kdump_bitmaps(read)."""
    n = kd["dumped"].bit_count()
    raw = read(kd["desc_offset"], n * PAGE_DESC.size)
    if not n or len(raw) != n * PAGE_DESC.size:
        raise ValueError("page descriptors missing or cut short")
    stored = {}
    for off, size, _, _ in PAGE_DESC.iter_unpack(raw):
        if off < kd["desc_offset"] + len(raw) or not size:
            raise ValueError("page descriptor %d/%d unwritten or inside "
                             "the headers" % (off, size))
        stored[off] = size
    return min(stored) + sum(stored.values())


# --- the one check of a dump every e2e test runs ---------------------------

def _check_dump(name, disk, res, seed, marker, expect_source, incomplete,
                hold, crash_text, vmlinux):
    import crash    # the rig's modules, not needed by dumpcheck's readers
    import rig
    facts = res.facts()
    area = disk.area()
    assert area["check"] == "0", area
    assert area["state"] == "3", "area not COMPLETE: %s\n%s" % (
        area, res.tail())
    assert area["osrelease"] == facts["uname-r"]
    assert area["nodename"] == facts["uname-n"]
    if expect_source is not None:
        assert area["bitmap_source"] == str(expect_source), area
    assert (int(area["flags"]) & 1) == (1 if incomplete else 0), area
    workdir = os.path.join(rig.E2E_BUILD, name)
    img = disk.extract(os.path.join(workdir, "dump.kdump"))
    oracle.check_memory(res, img, workdir, area["bitmap_source"],
                        area["pages_dumped"], incomplete, hold)
    if vmlinux:
        res.crash_panic = crash_reads_dump(img, vmlinux, facts, marker,
                                           crash_text)
    hdr = kdump_header(img)
    assert hdr["incomplete"] == incomplete, hdr
    assert hdr["release"] == facts["uname-r"]
    assert hdr["cpus"] == int(facts["nproc"]), hdr
    assert hdr["pages"] == int(area["pages_dumped"]), (hdr, area)

    log = disk.log()
    assert "bmdump: dump:" in log, "stub log not in the area:\n" + log[-2000:]

    dmesg = kernel_log(img, vmlinux)
    assert marker in dmesg, "marker missing from the dump's kernel log"
    if not incomplete:
        assert any(t in dmesg for t in crash_text), \
            "none of %r in the dump's kernel log" % (crash_text,)

    assert crash_osrelease(img) == facts["uname-r"]

    patterns = [tuple(int(x, 0) for x in p.split()[1:])
                for p in res.rig_lines("pattern")]
    assert len(patterns) == 4, res.rig_lines("pattern")
    got = drgn_read(img, [(pa, n) for pa, n in patterns])
    assert got["uts_release"] == facts["uname-r"], got
    for i, (pa, n) in enumerate(patterns):
        data = bytes.fromhex(got["reads"][str(pa)])
        assert data == pattern(seed, i, n), \
            "pattern %d at 0x%x differs in the dump" % (i, pa)
    s = crash.parse_summary(res)
    rip = got["rip"].get(str(s["cpu"])) if isinstance(got["rip"], dict) \
        else None
    assert got["cpus"] == s["cpus"], got
    assert rip == s["rip"], "crashed CPU's RIP from the notes %r, stub " \
        "said %x" % (rip, s["rip"])
    return area, img


def check_dump(name, disk, res, seed, marker, expect_source=None,
               incomplete=False, outside=None, outside_also=(), hold=(),
               crash_text=("sysrq triggered crash", "Oops"), vmlinux=None):
    """Everything the readers must confirm about one dump, and the memory
    oracle: every dumped page equals the crashed machine's RAM (the boot
    must run with rig.Guest(memdump=True)), the page set is bmdump.ko's
    bitmap or all RAM.  The one check every e2e test producing a dump
    calls.  outside: disk.digest_outside_area(outside_also) from before
    the crash, which must not have changed.  hold: pfn ranges the dump
    must contain (oracle.check_memory).  crash_text: one of these must
    be in the dump's kernel log (the crash's own message).  vmlinux: a
    debug vmlinux; then crash's `sys`, `bt -a` and `log` must read the
    crash out of the dump (crash_reads_dump; its PANIC line in
    res.crash_panic).  The RAM copy is deleted whatever the outcome."""
    try:
        if outside is not None:
            assert disk.digest_outside_area(outside_also) == outside, \
                "bytes outside the dump area changed"
        return _check_dump(name, disk, res, seed, marker, expect_source,
                           incomplete, hold, crash_text, vmlinux)
    finally:
        oracle.drop_memdump(res)
