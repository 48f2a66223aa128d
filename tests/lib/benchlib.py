# SPDX-License-Identifier: GPL-2.0
"""What `make bench` reads out of a run and how it sums runs up.

Functions over serial lines [(host seconds, text)], read as the rig's
Result reads them, so the unit tests (tests/unit/test_bench.py) can feed
them lines and check every figure; bmdump.ko's descriptor is read by
desctool, the C contract's reader.  The QEMU side lives in
tests/bench/bench.py.
"""

import json
import re
import statistics
import subprocess
import tempfile

import dumpcheck  # the readers of makedumpfile's output
import oracle  # desctool, the descriptor's reader
import rig

# The crashkernel= sizes the issue asks for, largest first.
CRASHKERNEL_LIST = ["256M", "192M", "128M", "96M", "64M", "32M", "16M", "8M"]

PATHS = ("kdump", "bmdump")

# The transports the stub drives, in the order of the bench's columns, and
# the prefix of the stub's name for a device of each (nvme0n1, virtio0,
# ahci0p0).  The kdump comparison runs on NVMe only; records without a
# transport (older runs) are NVMe.
TRANSPORTS = ("nvme", "virtio", "ahci")
TRANSPORT_NAMES = {"nvme": "NVMe", "virtio": "virtio-blk", "ahci": "AHCI"}


def transport(rec):
    return rec.get("transport", "nvme")


def transport_of_dev(name):
    """The transport of a device by the stub's name for it, or None."""
    for t in TRANSPORTS:
        if name and name.startswith(t):
            return t
    return None


def serial(lines):
    """Serial lines [(host seconds, text)] as the rig's Result reads them:
    one parser of the rig's output (find, find_all, facts, panic_time)."""
    return rig.Result(lines, None, False, 0.0, None, None)


# --- bmdump path: what the stub printed ------------------------------------

STUB_ENTRY_RE = r"bmdump: bmdump \S+ entered at"
STUB_BITMAP_RE = (r"bmdump: bitmap: bmdump\.ko's, dump level (\d+), (\d+) of "
                  r"(\d+) pages kept, filled in (\d+) us at the crash")
STUB_FIG1_RE = (r"bmdump: figures: (\d+) pages dumped \((\d+) zero, (\d+) "
                r"raw\) of (\d+) RAM pages, (\d+) bytes, source (.+?)"
                r"(, INCOMPLETE)?$")
# bmdump.scan=stub (or auto without a usable bitmap from bmdump.ko)
STUB_SCAN_RE = (r"bmdump: bitmap: the stub's scan of the crashed kernel's "
                r"struct pages, dump level (\d+), (\d+) of (\d+) pages kept "
                r"in (\d+) us")
# the stub's own CPUs (stub/smp.c) and how the scan's time splits
STUB_SMP_RE = r"bmdump: smp: (\d+) of (\d+) CPUs running"
STUB_CRASHED_CPU_RE = r"bmdump: kernel .*, crashed cpu (\d+) rip"
STUB_SCAN_CPUS_RE = (r"bmdump: bitmap: scan on (\d+) CPUs: (\d+) us to "
                     r"classify, (\d+) us before")
STUB_SCAN_SHARE_RE = (r"bmdump: bitmap: scan share of cpu (\d+) \(apic "
                      r"\d+\): (\d+) chunks in pfns \S+, (\d+) pages "
                      r"classified, (\d+) kept, in (\d+) us")
STUB_FIG2_RE = (r"bmdump: figures: stage entry (\d+) us, pci (\d+) us, "
                r"storage init (\d+) us, write (\d+) us, flush (\d+) us, shutdown "
                r"(\d+) us, (\d+) MB/s")
STUB_DETAIL_RE = (r"bmdump: dump: plan (\d+) us; write: area header, kdump "
                  r"headers and bitmaps (\d+) us, pages (\d+) us; (\d+) us "
                  r"of the write in the block sink")
STUB_DONE_RE = r"bmdump: done, resetting"
# the lines around the page write, for a host-clock figure next to the
# stub's own: quiesce is the last line before it, the dump summary the first
# after it
STUB_QUIESCE_RE = r"bmdump: quiesce: "
STUB_DUMPED_RE = r"bmdump: dump: \d+ pages \(\d+ zero\) in (\d+) bytes"
STUB_ERROR_RE = r"bmdump: (error .*|nothing written: .*|area: .*)$"
# the area the stub chose, and the other areas it passed over: no errors
STUB_AREA_RE = r"bmdump: area: (\S+) partition (\d+): area "
STUB_AREA_INFO_RE = r"area: \S+ partition \d+(: area | is area )"


def parse_bmdump(lines, qemu_end=None, source="bmdump.ko", hook=True):
    """Figures of one bmdump-path crash.  ok is False with a reason when
    the stub did not write a whole dump from the bitmap source the run
    asked for: "bmdump.ko", or "stub scan" (bmdump.scan=stub: bmdump.ko
    still fills first, then the stub scans, so both times are there).
    hook False: a first kernel without bmdump.ko, so no fill line (one
    there fails the run) and the stub's scan is the bitmap."""
    out = {"ok": False, "why": None}
    res = serial(lines)
    t0 = res.panic_time()
    out["t_panic"] = t0
    if t0 is None:
        out["why"] = "no panic"
        return out
    t_entry, _ = res.find(STUB_ENTRY_RE, t0)
    t_done, _ = res.find(STUB_DONE_RE, t0)
    out["panic_to_entry_s"] = None if t_entry is None else t_entry - t0
    if t_done is not None:
        out["panic_to_reset_s"] = t_done - t0
    if qemu_end is not None:
        out["panic_to_qemu_exit_s"] = qemu_end - t0
    _, m = res.find(STUB_BITMAP_RE, t0)
    if m:
        out.update(dump_level=int(m.group(1)), hook_pages_set=int(m.group(2)),
                   max_pfn=int(m.group(3)), hook_fill_us=int(m.group(4)))
    _, m = res.find(STUB_SCAN_RE, t0)
    if m:
        out.update(scan_level=int(m.group(1)), scan_pages_set=int(m.group(2)),
                   scan_max_pfn=int(m.group(3)), scan_us=int(m.group(4)))
    _, m = res.find(STUB_CRASHED_CPU_RE, t0)
    if m:
        out["crashed_cpu"] = int(m.group(1))
    _, m = res.find(STUB_SMP_RE, t0)
    if m:
        out.update(smp_up=int(m.group(1)), smp_cpus=int(m.group(2)))
    _, m = res.find(STUB_SCAN_CPUS_RE, t0)
    if m:
        out.update(scan_cpus=int(m.group(1)), scan_classify_us=int(m.group(2)),
                   scan_before_us=int(m.group(3)))
    shares = [{"cpu": int(m.group(1)), "chunks": int(m.group(2)),
               "pages": int(m.group(3)), "kept": int(m.group(4)),
               "us": int(m.group(5))}
              for t, m in res.find_all(STUB_SCAN_SHARE_RE) if t >= t0]
    if shares:
        out["scan_shares"] = shares
    _, m = res.find(STUB_FIG1_RE, t0)
    if m:
        out.update(pages_dumped=int(m.group(1)), zero_pages=int(m.group(2)),
                   raw_pages=int(m.group(3)), ram_pages=int(m.group(4)),
                   bytes=int(m.group(5)), source=m.group(6),
                   incomplete=bool(m.group(7)))
    _, m = res.find(STUB_FIG2_RE, t0)
    if m:
        keys = ("entry", "pci", "storage_init", "write", "flush",
                "shutdown")
        out["stages_us"] = {k: int(m.group(i + 1)) for i, k in
                            enumerate(keys)}
        out["stub_mb_s"] = int(m.group(7))
        if out.get("bytes") and out["stages_us"]["write"]:
            out["stub_mb_s_exact"] = (out["bytes"] /
                                      out["stages_us"]["write"])
    t_q, _ = res.find(STUB_QUIESCE_RE, t0)
    t_d, m = res.find(STUB_DUMPED_RE, t0)
    if t_q is not None and t_d is not None and t_d > t_q:
        # host serial timestamps: TCG's serial output lags by a few ms,
        # so this is a lower bound, but not the stub's own clock
        out["host_write_s"] = t_d - t_q
        out["host_mb_s"] = int(m.group(1)) / (t_d - t_q) / 1e6
    _, m = res.find(STUB_DETAIL_RE, t0)
    if m:
        out["write_detail_us"] = {"plan": int(m.group(1)),
                                  "meta": int(m.group(2)),
                                  "pages": int(m.group(3)),
                                  "sink": int(m.group(4))}
    _, m = res.find(STUB_AREA_RE, t0)
    if m:
        out["area_dev"] = m.group(1)
        out["area_transport"] = transport_of_dev(m.group(1))
    errors = [m.group(1) for _, m in res.find_all(STUB_ERROR_RE)
              if not re.match(STUB_AREA_INFO_RE, m.group(1))]
    if errors:
        out["stub_errors"] = errors
    if t_entry is None:
        out["why"] = "stub never entered"
    elif t_done is None:
        out["why"] = "stub did not reset"
    elif hook and "hook_fill_us" not in out:
        out["why"] = "no bitmap from bmdump.ko"
    elif not hook and "hook_fill_us" in out:
        out["why"] = "a bitmap from bmdump.ko, which was not loaded"
    elif "pages_dumped" not in out or "stages_us" not in out:
        out["why"] = "no figures: " + "; ".join(errors or ["?"])
    elif source == "stub scan" and "scan_us" not in out:
        out["why"] = "no stub scan line: " + "; ".join(errors or ["?"])
    elif out["source"] != source:
        out["why"] = "source %s, not %s" % (out["source"], source)
    elif out["incomplete"]:
        out["why"] = "dump INCOMPLETE"
    else:
        out["ok"] = True
    return out


def disk_mb_s(fig):
    """The stub's write throughput judged from outside: the image's bytes
    counted from its page descriptors on disk (disk_bytes, set by the bench
    after the run) over the host's serial timestamps around the write
    stage (host_write_s).  None when either is missing."""
    if not fig.get("disk_bytes") or not fig.get("host_write_s"):
        return None
    return fig["disk_bytes"] / fig["host_write_s"] / 1e6


# --- kdump path: the capture kernel and makedumpfile ------------------------

def read_desc(raw, table_only=False):
    """bmdump.ko's descriptor read by desctool (tests/e2e/desctool.c), that
    is by include/bmdump/desc.h itself, as a dict (desctool's JSON).  raw:
    the descriptor page, then each chunk's bitmap padded to 4 KiB; with
    table_only the descriptor's first bytes alone (the rest of the page
    reads as zeros).  ValueError when desctool refuses it or the magic is
    wrong."""
    with tempfile.NamedTemporaryFile(prefix="bench-desc-") as f:
        f.write(raw.ljust(4096, b"\0") if table_only else raw)
        f.flush()
        p = subprocess.run([oracle.DESCTOOL] +
                           (["--table"] if table_only else []) + [f.name],
                           capture_output=True, text=True, timeout=60)
    if p.returncode:
        raise ValueError("desctool: %s" % p.stderr.strip())
    d = json.loads(p.stdout)
    if len(raw) < d["hdr_size"]:
        raise ValueError("descriptor shorter than its header")
    if d["magic"] != d["magic_expected"]:
        raise ValueError("no descriptor magic")
    return d


def hook_bitmap(raw):
    """bmdump.ko's bitmap as the capture kernel copied it (bmdump-hooktest
    vmread): the descriptor page, then each chunk padded to 4 KiB.
    Returns (descriptor dict, bitmap as an int, bit n = pfn n)."""
    d = read_desc(raw)
    bits = 0
    for c in d["chunks"]:
        off, n = c["file_offset"], c["nr_pfns"] // 8
        bits |= int.from_bytes(raw[off:off + n], "little") << c["first_pfn"]
    return d, bits


def compare_same_crash(hook_bits, kd, mdf_zero=None):
    """The hook's bitmap against makedumpfile's 2nd bitmap of the same
    vmcore.  At -d 31 makedumpfile leaves zero pages out of its bitmap, the
    hook (which never reads page contents) keeps them, so inside RAM
    hook ⊇ makedumpfile and the difference should be the zero pages."""
    ram, mdf = kd["ram"], kd["dumped"]
    hook_in = hook_bits & ram
    return {"ram_pages": ram.bit_count(),
            "mdf_pages": mdf.bit_count(),
            "hook_pages_in_ram": hook_in.bit_count(),
            "hook_outside_ram": (hook_bits & ~ram).bit_count(),
            "mdf_only": (mdf & ~hook_in).bit_count(),
            "hook_only": (hook_in & ~mdf).bit_count(),
            "mdf_zero": mdf_zero}


def parse_kdump(lines, qemu_end=None):
    """Figures of one kdump-path crash.

    Reset point: the capture kernel's "reboot:" line, less the time the
    bench spent after makedumpfile and dd returned on its own reporting
    (printing the report, reading the hook's descriptor), which a real
    kdump would not do."""
    out = {"ok": False, "why": None}
    res = serial(lines)
    f = res.facts()
    t0 = res.panic_time()
    out["t_panic"] = t0
    if t0 is None:
        out["why"] = "no panic: kexec-rc=%s" % f.get("kexec-rc")
        return out
    t_up, _ = res.find(r"RIG: capture-up", t0)
    t_done, _ = res.find(r"RIG: mdf-done", t0)
    t_extra, _ = res.find(r"RIG: extras-done", t0)
    t_reboot, _ = res.find(r"reboot: (Restarting system|Power down)", t0)
    out["panic_to_capture_init_s"] = None if t_up is None else t_up - t0
    if t_done is not None:
        out["panic_to_mdf_done_s"] = t_done - t0
        if t_extra is not None:
            end = t_reboot if t_reboot is not None else qemu_end
            if end is not None:
                out["bench_extras_s"] = t_extra - t_done
                out["panic_to_reset_s"] = (t_done - t0) + (end - t_extra)
    if qemu_end is not None:
        out["panic_to_qemu_exit_s"] = qemu_end - t0
    out.update(dumpcheck.mdf_report([(t, s) for t, s in lines if t >= t0]))
    for k in ("mdf-rc", "dd-rc", "hookread-rc", "hookcopy-rc"):
        if k in f:
            out[k.replace("-", "_")] = f[k]
    m = re.match(r"([0-9a-f]+)$", f.get("hookdesc", ""))
    try:
        d = read_desc(bytes.fromhex(m.group(1)), True) if m else None
    except ValueError:
        d = None
    if d:
        if d["state"] == d["state_done"]:
            out["hook_pages_set"] = d["pages_set"]
            out["max_pfn"] = d["max_pfn"]
            out["hook_counts"] = d["counts"]
            if d["tsc_khz"]:
                out["hook_fill_us"] = d["fill_cycles"] * 1000 // d["tsc_khz"]
    _, m = res.find(r"RIG: ddpipe (\d+) bytes .* copied, ([0-9.e-]+) s")
    if m:
        out["ddpipe_bytes"] = int(m.group(1))
    if t_up is None:
        out["why"] = "capture kernel never ran its init"
        # the capture kernel's own panic is the last one: the first
        # kernel's "sysrq triggered crash" line comes after t0 as well
        for pat in (r"Initramfs unpacking failed: .*",
                    r"Kernel panic - not syncing: .*", r"Out of memory.*"):
            after = [m for t, m in res.find_all(pat) if t > t0]
            if after:
                m = after[-1] if pat.startswith("Kernel panic") else after[0]
                out["why"] += ": " + m.group(0)
                break
    elif t_done is None:
        out["why"] = "makedumpfile did not finish"
    elif out.get("mdf_rc") != "0":
        out["why"] = "makedumpfile rc %s" % out.get("mdf_rc")
    elif out.get("dd_rc") != "0":
        out["why"] = "dd rc %s" % out.get("dd_rc")
    elif "mdf_remaining" not in out or "mdf_exclude_s" not in out:
        out["why"] = "no makedumpfile report"
    elif "panic_to_reset_s" not in out:
        out["why"] = "no reset seen"
    else:
        out["ok"] = True
    return out


DD_RE = r"RIG: dd (\d+) bytes .* copied, ([0-9.e-]+) s"


def parse_dd(lines):
    """Every `dd ... oflag=direct` the first kernel ran: (bytes, seconds)."""
    return [(int(m.group(1)), float(m.group(2)))
            for _, m in serial(lines).find_all(DD_RE)]


# --- the crashkernel= sweep --------------------------------------------------

def sweep_next(results):
    """results: {size: True/False} tried so far for one path at one memory
    size.  Returns the next size to try (down the list, stopping at the
    first failure), or None when done."""
    for size in CRASHKERNEL_LIST:
        if size not in results:
            return size
        if not results[size]:
            return None
    return None


def sweep_verdict(results):
    """(smallest size that worked, first size that failed or None)."""
    smallest, failed = None, None
    for size in CRASHKERNEL_LIST:
        if size not in results:
            break
        if results[size]:
            smallest = size
        else:
            failed = size
            break
    return smallest, failed


# --- summary ----------------------------------------------------------------

def stat(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "n": len(vals)}


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def dd_rates(runs):
    """MB/s of every `dd oflag=direct` the first kernels of runs ran."""
    return [b / s / 1e6 for r in runs for b, s in r.get("dd", []) if s > 0]


def write_stats(tb, dd):
    """The stub's write figures over the bmdump runs' figures tb, and
    Linux's dd over dd (MB/s): what the transport table and the NVMe
    table share."""
    s = {"stub_mb_s": stat([f.get("stub_mb_s_exact") for f in tb]),
         "host_mb_s": stat([f.get("host_mb_s") for f in tb]),
         "disk_mb_s": stat([disk_mb_s(f) for f in tb]),
         "dd_mb_s": stat(dd)}
    for st in ("entry", "pci", "storage_init", "write", "flush",
               "shutdown"):
        s["stage_%s_ms" % st] = stat([f["stages_us"][st] / 1000
                                      for f in tb if "stages_us" in f])
    return s


def summarize(runs):
    """runs: [{"mem_mib", "path", "timed", "figures": {...}, "dd": [...]}]
    -> {mem_mib: {name: stat or value}}: the kdump comparison, on NVMe
    (runs on other transports are left out; summarize_transports), without
    the bitmap-ready runs (summarize_bitmap)."""
    out = {}
    runs = [r for r in runs if transport(r) == "nvme" and
            not r.get("bitmap") and not r.get("next_kind")]
    sizes = sorted({r["mem_mib"] for r in runs})
    for mem in sizes:
        tk = [r["figures"] for r in runs if r["mem_mib"] == mem and
              r["path"] == "kdump" and r["timed"] and r["figures"]["ok"]]
        tb = [r["figures"] for r in runs if r["mem_mib"] == mem and
              r["path"] == "bmdump" and r["timed"] and r["figures"]["ok"]]
        dd = dd_rates([r for r in runs if r["mem_mib"] == mem])
        s = write_stats(tb, dd)
        s["n_kdump"] = len(tk)
        s["n_bmdump"] = len(tb)
        s["n_failed"] = len([r for r in runs if r["mem_mib"] == mem and
                             r["timed"] and not r["figures"]["ok"]])
        s["kdump_reset_s"] = stat([f.get("panic_to_reset_s") for f in tk])
        s["bmdump_reset_s"] = stat([f.get("panic_to_reset_s") for f in tb])
        s["kdump_capture_init_s"] = stat([f.get("panic_to_capture_init_s")
                                          for f in tk])
        s["kdump_qemu_exit_s"] = stat([f.get("panic_to_qemu_exit_s")
                                       for f in tk])
        s["bmdump_qemu_exit_s"] = stat([f.get("panic_to_qemu_exit_s")
                                        for f in tb])
        s["mdf_exclude_ms"] = stat([f.get("mdf_exclude_s", 0) * 1000
                                    for f in tk if "mdf_exclude_s" in f])
        s["mdf_copy_s"] = stat([f.get("mdf_copy_s") for f in tk])
        s["hook_fill_ms"] = stat([f["hook_fill_us"] / 1000 for f in tb
                                  if "hook_fill_us" in f])
        s["hook_fill_kdump_ms"] = stat([f["hook_fill_us"] / 1000 for f in tk
                                        if "hook_fill_us" in f])
        # same-crash exclusion/fill ratio (kdump runs carry both)
        s["fill_ratio_same_crash"] = stat([
            f["mdf_exclude_s"] * 1e6 / f["hook_fill_us"] for f in tk
            if f.get("hook_fill_us") and "mdf_exclude_s" in f])
        # pages: bits of each dump's 2nd bitmap.  Both write a zero page as
        # a descriptor pointing at one shared zero page, so zero pages are
        # in both bitmaps and counted by both.
        s["mdf_pages"] = stat([f.get("disk_dumped_pages") for f in tk])
        s["mdf_remaining_report"] = stat([f.get("mdf_remaining")
                                          for f in tk])
        s["mdf_zero"] = stat([f.get("mdf_zero") for f in tk])
        s["mdf_bytes"] = stat([f.get("mdf_write_bytes") for f in tk])
        s["stub_pages"] = stat([f.get("pages_dumped") for f in tb])
        s["stub_zero_pages"] = stat([f.get("zero_pages") for f in tb])
        s["stub_bytes"] = stat([f.get("bytes") for f in tb])
        s["ram_pages_kdump"] = stat([f.get("disk_ram_pages") for f in tk])
        s["ram_pages_bmdump"] = stat([f.get("disk_ram_pages") for f in tb])
        # same crash: the hook's bitmap vs makedumpfile's 2nd bitmap
        sc = [f["same_crash"] for f in tk if f.get("same_crash")]
        s["same_differing"] = stat([c["mdf_only"] + c["hook_only"] +
                                    c["hook_outside_ram"] for c in sc])
        s["same_page_diff_pct"] = stat([
            100.0 * (c["hook_pages_in_ram"] - c["mdf_pages"]) /
            c["mdf_pages"] for c in sc if c["mdf_pages"]])
        for part in ("plan", "meta", "pages", "sink"):
            s["write_%s_ms" % part] = stat([
                f["write_detail_us"][part] / 1000 for f in tb
                if "write_detail_us" in f])
        s["panic_to_stub_entry_ms"] = stat([
            f["panic_to_entry_s"] * 1000 for f in tb
            if f.get("panic_to_entry_s") is not None])
        out[mem] = s
    return out


def summarize_transports(runs):
    """The stub against Linux's own driver on each transport: {mem_mib:
    {transport: {name: stat or value}}} over the timed bmdump runs and the
    dd runs of every first kernel on that transport (on NVMe the kdump
    path's first kernels ran dd too)."""
    out = {}
    runs = [r for r in runs if not r.get("bitmap") and
            not r.get("next_kind")]
    for mem in sorted({r["mem_mib"] for r in runs}):
        out[mem] = {}
        for t in TRANSPORTS:
            rs = [r for r in runs if r["mem_mib"] == mem and
                  transport(r) == t]
            if not rs:
                continue
            tb = [r["figures"] for r in rs if r["path"] == "bmdump" and
                  r["timed"] and r["figures"]["ok"]]
            s = write_stats(tb, dd_rates(rs))
            s["n_bmdump"] = len(tb)
            s["n_failed"] = len([r for r in rs if r["path"] == "bmdump" and
                                 r["timed"] and not r["figures"]["ok"]])
            s["bmdump_reset_s"] = stat([f.get("panic_to_reset_s")
                                        for f in tb])
            s["stub_bytes"] = stat([f.get("bytes") for f in tb])
            out[mem][t] = s
    return out


def transport_table(tsummary):
    """One markdown table per memory size: a column per transport, the
    stub's write throughput against dd oflag=direct through Linux's driver
    of the same device in the same first kernel."""
    out = []
    for mem in sorted(tsummary):
        ts = [t for t in TRANSPORTS if t in tsummary[mem]]
        if not ts:
            continue
        rows = ["| %d GiB, stub vs Linux's driver: median (min) | %s |"
                % (mem // 1024, " | ".join(TRANSPORT_NAMES[t] for t in ts)),
                "|---|" + "---|" * len(ts)]

        def row(name, fn):
            rows.append("| %s | %s |" % (name, " | ".join(
                fn(tsummary[mem][t]) for t in ts)))

        row("runs bmdump (failed)", lambda s: "%d (%d)" % (
            s["n_bmdump"], s["n_failed"]))
        row("stub write, MB/s", lambda s: cell(s["stub_mb_s"]))
        row("stub write, MB/s by the host's serial clock",
            lambda s: cell(s["host_mb_s"]))
        row("stub write, MB/s: bytes from the descriptors on disk by the "
            "host's serial clock", lambda s: cell(s["disk_mb_s"]))
        row("Linux dd oflag=direct bs=1M, same device, MB/s",
            lambda s: cell(s["dd_mb_s"]))
        row("ratio stub / dd", lambda s: rcell(s["stub_mb_s"],
                                               s["dd_mb_s"]))
        row("bytes, stub (uncompressed)", lambda s: cell(s["stub_bytes"]))
        row("bmdump panic → reset, s", lambda s: cell(s["bmdump_reset_s"]))
        for st, name in (("storage_init", "storage init"),
                         ("write", "write"), ("flush", "flush")):
            row("stub stage: %s, ms" % name,
                lambda s, st=st: cell(s["stage_%s_ms" % st]))
        out.append("\n".join(rows))
    return "\n\n".join(out)


# --- bitmap ready: bmdump.ko's fill, the stub's scan, makedumpfile ---------

# (key in the summary, kind (bitmap_ready), variant of the runs that
# carry it (bitmap_variant), row label)
BITMAP_KINDS = (
    ("hook", "hook", "scan", "bmdump.ko's fill at the crash"),
    ("scan", "scan", "scan", "the stub's scan of the struct pages"),
    ("mdf", "mdf", "kdump", "makedumpfile's exclusion steps (kdump)"),
    ("nohook", "scan", "nohook",
     "the stub's scan, first kernel without bmdump.ko"))


def bitmap_variant(rec):
    """Which crash of the bitmap-ready runs rec is: "kdump"; "scan"
    (bmdump.scan=stub, runs without a variant are these); "hook" (the
    normal path: bmdump.ko's bitmap); "nohook" (no bmdump.ko in the first
    kernel: the stub scans, bmdump.scan=auto)."""
    if rec["path"] == "kdump":
        return "kdump"
    return rec.get("variant") or "scan"


def bitmap_ready(fig, kind):
    """(ms until the page bitmap is ready, pages it keeps) of one run's
    figures, or None.  makedumpfile: the sum of its exclusion STEPs (in
    cyclic mode one per cycle), pages: bits of its dump's 2nd bitmap."""
    if kind == "hook" and "hook_fill_us" in fig:
        return fig["hook_fill_us"] / 1000, fig.get("hook_pages_set")
    if kind == "scan" and "scan_us" in fig:
        return fig["scan_us"] / 1000, fig.get("scan_pages_set")
    if kind == "mdf" and "mdf_exclude_s" in fig:
        s = fig["mdf_exclude_s"] + fig.get("mdf_exclude_free_s", 0)
        return s * 1000, fig.get("disk_dumped_pages")
    return None


def bitmap_stats(rs, kind, mem):
    """Stats of one kind over the runs rs of one memory size."""
    got = [bitmap_ready(r["figures"], kind) for r in rs
           if r["figures"]["ok"]]
    got = [g for g in got if g is not None]
    gib = mem / 1024
    return {"n": len(got),
            "n_failed": len([r for r in rs if not r["figures"]["ok"]]),
            "ms": stat([g[0] for g in got]),
            "ms_per_gib": stat([g[0] / gib for g in got]),
            "pages": stat([g[1] for g in got])}


def summarize_bitmap(runs):
    """The bitmap-ready runs (rec["bitmap"]): {mem_mib: {cpus: {kind:
    stats}}}, kinds as in BITMAP_KINDS."""
    runs = [r for r in runs if r.get("bitmap")]
    out = {}
    for mem, cpus in sorted({(r["mem_mib"], r["cpus"]) for r in runs}):
        for key, kind, variant, _ in BITMAP_KINDS:
            rs = [r for r in runs if r["mem_mib"] == mem and
                  r["cpus"] == cpus and bitmap_variant(r) == variant]
            if rs or variant != "nohook":
                out.setdefault(mem, {}).setdefault(cpus, {})[key] = \
                    bitmap_stats(rs, kind, mem)
    return out


def bitmap_table(bsummary):
    """The markdown table of bitmap-ready times: a row per memory size,
    vCPU count and way of making the bitmap."""
    rows = ["| bitmap ready: median (min) | RAM | vCPUs | runs (failed) "
            "| ms | ms per GiB | pages kept |", "|---|---|---|---|---|---|---|"]
    for mem in sorted(bsummary):
        for cpus in sorted(bsummary[mem]):
            for key, _, _, name in BITMAP_KINDS:
                s = bsummary[mem][cpus].get(key)
                if s is None:
                    continue
                rows.append("| %s | %d GiB | %d | %d (%d) | %s | %s | %s |" % (
                    name, mem // 1024, cpus, s["n"], s["n_failed"],
                    cell(s["ms"]), cell(s["ms_per_gib"]), cell(s["pages"])))
    return "\n".join(rows) if len(rows) > 2 else ""


def summarize_nohook(runs):
    """Issue 17: panic -> reset of the normal path (bmdump.ko's bitmap)
    against a first kernel without bmdump.ko (the stub scans on all its
    CPUs), over the bitmap-ready runs: {mem_mib: {cpus: {name: stat}}}."""
    out = {}
    runs = [r for r in runs if r.get("bitmap")]
    for mem, cpus in sorted({(r["mem_mib"], r["cpus"]) for r in runs}):
        rs = [r for r in runs if r["mem_mib"] == mem and r["cpus"] == cpus]
        hook = [r for r in rs if bitmap_variant(r) == "hook"]
        nohook = [r for r in rs if bitmap_variant(r) == "nohook"]
        if not hook and not nohook:
            continue
        fh = [r["figures"] for r in hook if r["figures"]["ok"]]
        fn = [r["figures"] for r in nohook if r["figures"]["ok"]]
        shares = [[c["us"] / 1000 for c in f["scan_shares"]] for f in fn
                  if f.get("scan_shares")]
        out.setdefault(mem, {})[cpus] = {
            "n_hook": len(fh), "n_nohook": len(fn),
            "n_failed": len(hook) + len(nohook) - len(fh) - len(fn),
            "reset_hook_s": stat([f.get("panic_to_reset_s") for f in fh]),
            "reset_nohook_s": stat([f.get("panic_to_reset_s") for f in fn]),
            "entry_hook_ms": stat([f["panic_to_entry_s"] * 1000 for f in fh
                                   if f.get("panic_to_entry_s")]),
            "entry_nohook_ms": stat([f["panic_to_entry_s"] * 1000
                                     for f in fn
                                     if f.get("panic_to_entry_s")]),
            "fill_ms": stat([f["hook_fill_us"] / 1000 for f in fh
                             if "hook_fill_us" in f]),
            "scan_ms": stat([f["scan_us"] / 1000 for f in fn
                             if "scan_us" in f]),
            "classify_ms": stat([f["scan_classify_us"] / 1000 for f in fn
                                 if "scan_classify_us" in f]),
            "before_ms": stat([f["scan_before_us"] / 1000 for f in fn
                               if "scan_before_us" in f]),
            "scan_cpus": stat([f.get("scan_cpus") for f in fn]),
            "crashed_cpus": [f.get("crashed_cpu") for f in fn],
            "scan_cpus_all": [f.get("scan_cpus") for f in fn],
            "smp_cpus": stat([f.get("smp_cpus") for f in fn]),
            "share_max_ms": stat([max(x) for x in shares]),
            "share_min_ms": stat([min(x) for x in shares]),
            "pages_hook": stat([f.get("pages_dumped") for f in fh]),
            "pages_nohook": stat([f.get("pages_dumped") for f in fn])}
    return out


def nohook_table(nsummary):
    """Issue 17's row: a column per memory size and vCPU count."""
    keys = [(m, c) for m in sorted(nsummary) for c in sorted(nsummary[m])]
    if not keys:
        return ""
    rows = ["| panic → reset without bmdump.ko: median (min) | %s |" %
            " | ".join("%d GiB, %d vCPU" % (m // 1024, c) for m, c in keys),
            "|---|" + "---|" * len(keys)]

    def row(name, fn):
        rows.append("| %s | %s |" % (name, " | ".join(
            fn(nsummary[m][c]) for m, c in keys)))

    row("runs with / without bmdump.ko (failed)", lambda s: "%d / %d (%d)"
        % (s["n_hook"], s["n_nohook"], s["n_failed"]))
    row("panic → reset with bmdump.ko (its bitmap), s",
        lambda s: cell(s["reset_hook_s"]))
    row("panic → reset without it (the stub's scan), s",
        lambda s: cell(s["reset_nohook_s"]))
    row("ratio without / with (target ≤ 1.2x)",
        lambda s: rcell(s["reset_nohook_s"], s["reset_hook_s"]))
    row("bmdump.ko's fill at the crash (with), ms",
        lambda s: cell(s["fill_ms"]))
    row("the stub's scan (without), ms", lambda s: cell(s["scan_ms"]))
    row("ratio scan / fill (target ≤ 1.0x)",
        lambda s: rcell(s["scan_ms"], s["fill_ms"]))
    row("scan: classifying / before it (layout, CPUs started), ms",
        lambda s: "%s / %s" % (cell(s["classify_ms"]),
                               cell(s["before_ms"])))
    row("scan: CPUs scanning / CPUs the stub found",
        lambda s: "%s / %s" % (fmt(_med(s["scan_cpus"])),
                               fmt(_med(s["smp_cpus"]))))
    row("scan: CPUs scanning per run (crashed CPU)",
        lambda s: ", ".join("%s (cpu %s)" % (
            "?" if n is None else n, "?" if c is None else c)
            for n, c in zip(s["scan_cpus_all"], s["crashed_cpus"])) or "-")
    row("scan: slowest / fastest CPU's share, ms",
        lambda s: "%s / %s" % (cell(s["share_max_ms"]),
                               cell(s["share_min_ms"])))
    row("panic → stub entry with / without, ms",
        lambda s: "%s / %s" % (cell(s["entry_hook_ms"]),
                               cell(s["entry_nohook_ms"])))
    row("pages dumped with / without (different crashes)",
        lambda s: "%s / %s" % (cell(s["pages_hook"]),
                               cell(s["pages_nohook"])))
    return "\n".join(rows)


# --- issue 21: panic -> the next kernel's init -------------------------------

# (kind, column label): kdump (capture kernel, makedumpfile, reboot,
# firmware, the production kernel again), bmdump with a reset, bmdump
# booting the staged kernel itself (bmdump.final=boot, no firmware)
NEXT_KINDS = (("kdump", "kdump (reboot, firmware)"),
              ("reset", "bmdump, FINAL_ACTION=reset (firmware)"),
              ("boot", "bmdump, bmdump.final=boot (no firmware)"))
# where each path leaves the crashed machine: the reset, or the stub's
# jump into the staged kernel
NEXT_RESET_RE = {"kdump": r"reboot: Restarting system",
                 "reset": STUB_DONE_RE,
                 "boot": r"bmdump: done, entering the staged kernel"}
# the next kernel's first serial line: its EFI stub's (OVMF's console
# escapes come on the same line), which a warm boot has none of; and its
# first printk
NEXT_EFI_RE = r"EFI stub: "
NEXT_LINUX_RE = r"\] Linux version "
NEXT_RUN_INIT_RE = r"\] Run /init as init process"
NEXT_INIT_READY_RE = r"RIG: init-ready"


def parse_next_init(lines, kind):
    """Figures of one crash that runs on into the next boot (kind as in
    NEXT_KINDS).  Times from the first panic line by host serial
    timestamps: to the reset (or the hand-off), to the next kernel's first
    serial line and "Linux version", to its "Run /init" and to the rig's
    "RIG: init-ready" (its /init, after the modules).  kdump: the time
    the bench's capture scenario spent after makedumpfile and dd on its
    own checks is taken out (extras_s), as in parse_kdump."""
    out = {"ok": False, "why": None, "kind": kind}
    res = serial(lines)
    t0 = res.panic_time()
    if t0 is None:
        out["why"] = "no panic"
        return out
    t_reset, _ = res.find(NEXT_RESET_RE[kind], t0)
    if t_reset is None:
        out["why"] = "no %r after the panic" % NEXT_RESET_RE[kind]
        return out
    extras = 0.0
    if kind == "kdump":
        t_done, _ = res.find(r"RIG: mdf-done", t0)
        t_extra, _ = res.find(r"RIG: extras-done", t0)
        if t_done is not None and t_extra is not None:
            extras = t_extra - t_done
    out["extras_s"] = extras
    after = [(t, x) for t, x in lines if t > t_reset]
    nxt = serial(after)
    t_first = after[0][0] if after else None
    t_efi, _ = nxt.find(NEXT_EFI_RE)
    t_linux, _ = nxt.find(NEXT_LINUX_RE)
    t_run, _ = nxt.find(NEXT_RUN_INIT_RE)
    t_ready, _ = nxt.find(NEXT_INIT_READY_RE)
    out["panic_to_reset_s"] = t_reset - t0 - extras
    if t_linux is not None:
        out["reset_to_linux_s"] = t_linux - t_reset
        out["linux_to_init_ready_s"] = (None if t_ready is None
                                        else t_ready - t_linux)
    if t_first is not None:
        out["reset_to_first_line_s"] = t_first - t_reset
    if t_efi is not None:
        out["reset_to_efi_stub_s"] = t_efi - t_reset
    if t_run is not None:
        out["panic_to_run_init_s"] = t_run - t0 - extras
    if t_ready is not None:
        out["panic_to_next_init_s"] = t_ready - t0 - extras
    if kind != "kdump":
        _, m = res.find(STUB_FIG1_RE, t0)
        if not m:
            out["why"] = "no stub figures"
            return out
        if m.group(6) != "bmdump.ko" or m.group(7):
            out["why"] = "dump from %s%s" % (m.group(6), m.group(7) or "")
            return out
        out["pages_dumped"] = int(m.group(1))
    if kind == "boot" and t_efi is not None:
        out["why"] = "the warm boot went through the firmware"
    elif kind == "boot" and res.find(STUB_DONE_RE, t0)[0] is not None:
        out["why"] = "the stub reset instead of booting"
    elif t_linux is None:
        out["why"] = "no next kernel"
    elif t_ready is None:
        out["why"] = "the next kernel's init never ran"
    else:
        out["ok"] = True
    return out


def summarize_next(runs):
    """{mem_mib: {kind: {name: stat}}} over the --next-init runs."""
    out = {}
    runs = [r for r in runs if r.get("next_kind")]
    for mem in sorted({r["mem_mib"] for r in runs}):
        for kind, _ in NEXT_KINDS:
            rs = [r for r in runs if r["mem_mib"] == mem and
                  r["next_kind"] == kind]
            if not rs:
                continue
            fs = [r["figures"] for r in rs if r["figures"]["ok"]]
            s = {"n": len(fs), "n_failed": len(rs) - len(fs)}
            for k in ("panic_to_next_init_s", "panic_to_run_init_s",
                      "panic_to_reset_s", "reset_to_first_line_s",
                      "reset_to_efi_stub_s", "reset_to_linux_s",
                      "linux_to_init_ready_s"):
                s[k] = stat([f.get(k) for f in fs])
            out.setdefault(mem, {})[kind] = s
    return out


def next_table(nsummary):
    """Issue 21's rows: a column per path, one table per memory size."""
    out = []
    for mem in sorted(nsummary):
        kinds = [(k, n) for k, n in NEXT_KINDS if k in nsummary[mem]]
        rows = ["| %d GiB, panic → next kernel's init: median (min) | %s |"
                % (mem // 1024, " | ".join(n for _, n in kinds)),
                "|---|" + "---|" * len(kinds)]
        ref = nsummary[mem].get("kdump")

        def row(name, fn):
            rows.append("| %s | %s |" % (name, " | ".join(
                fn(nsummary[mem][k], k) for k, _ in kinds)))

        row("runs (failed)", lambda s, k: "%d (%d)" % (s["n"],
                                                       s["n_failed"]))
        row("panic → next kernel's `RIG: init-ready`, s",
            lambda s, k: cell(s["panic_to_next_init_s"]))
        row("panic → next kernel's `Run /init`, s",
            lambda s, k: cell(s["panic_to_run_init_s"]))
        row("ratio kdump / this (init-ready)",
            lambda s, k: rcell(ref and ref["panic_to_next_init_s"],
                               s["panic_to_next_init_s"]))
        row("panic → reset (bmdump.final=boot: → jump to the kernel), s",
            lambda s, k: cell(s["panic_to_reset_s"]))
        row("firmware: reset → next kernel's first line (EFI stub), s",
            lambda s, k: cell(s["reset_to_efi_stub_s"]))
        row("reset → next kernel's `Linux version`, s",
            lambda s, k: cell(s["reset_to_linux_s"]))
        row("next kernel: `Linux version` → `RIG: init-ready`, s",
            lambda s, k: cell(s["linux_to_init_ready_s"]))
        out.append("\n".join(rows))
    return "\n\n".join(out)


def spread_pct(s):
    """(max - min) / median of a stat, in percent."""
    if s is None or not s["median"]:
        return None
    return 100.0 * (s["max"] - s["min"]) / s["median"]


def _med(s):
    return None if s is None else s["median"]


def _min(s):
    return None if s is None else s["min"]


def fmt(v, digits=3):
    if v is None:
        return "-"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and
                              abs(v) >= 1000):
        return "%d" % v
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.*g" % (digits, v)


def cell(s, digits=3, unit=""):
    if s is None:
        return "-"
    return "%s%s (%s%s)" % (fmt(s["median"], digits), unit,
                            fmt(s["min"], digits), unit)


def rcell(num, den, invert=False):
    """Ratio of medians (ratio of mins)."""
    a = ratio(_med(num), _med(den))
    b = ratio(_min(num), _min(den))
    if invert:
        a = ratio(_med(den), _med(num))
        b = ratio(_min(den), _min(num))
    if a is None:
        return "-"
    return "%sx (%sx)" % (fmt(a), fmt(b))


def pct_cell(num, den):
    """(num/den - 1) in percent, medians."""
    r = ratio(_med(num), _med(den))
    if r is None:
        return "-"
    return "%+.2f %%" % (100.0 * (r - 1))


def table(summary, sweep=None):
    """The markdown table `make bench` prints."""
    sizes = sorted(summary)
    head = "| figure: median (min) | " + " | ".join(
        "%d GiB" % (m // 1024) for m in sizes) + " |"
    rows = [head, "|---|" + "---|" * len(sizes)]

    def row(name, fn):
        rows.append("| %s | %s |" % (name, " | ".join(
            fn(summary[m], m) for m in sizes)))

    row("runs kdump / bmdump (failed)", lambda s, m: "%d / %d (%d)" % (
        s["n_kdump"], s["n_bmdump"], s["n_failed"]))
    row("(1) kdump panic → reset, s", lambda s, m: cell(s["kdump_reset_s"]))
    row("(1) bmdump panic → reset, s",
        lambda s, m: cell(s["bmdump_reset_s"]))
    row("(1) ratio kdump / bmdump (target ≥ 30x)",
        lambda s, m: rcell(s["kdump_reset_s"], s["bmdump_reset_s"]))
    row("kdump panic → capture /init, s",
        lambda s, m: cell(s["kdump_capture_init_s"]))
    row("panic → QEMU exit kdump / bmdump, s", lambda s, m: "%s / %s" % (
        cell(s["kdump_qemu_exit_s"]), cell(s["bmdump_qemu_exit_s"])))
    row("(2) makedumpfile exclusion step, ms",
        lambda s, m: cell(s["mdf_exclude_ms"]))
    row("(2) hook fill at the crash, ms",
        lambda s, m: cell(s["hook_fill_ms"]))
    row("(2) ratio exclusion / fill (target ≥ 50x)",
        lambda s, m: rcell(s["mdf_exclude_ms"], s["hook_fill_ms"]))
    row("(2) same crash (kdump runs): exclusion / fill",
        lambda s, m: cell(s["fill_ratio_same_crash"], unit="x"))
    row("RAM pages in the dump's 1st bitmap, kdump / bmdump",
        lambda s, m: "%s / %s" % (fmt(_med(s["ram_pages_kdump"])),
                                  fmt(_med(s["ram_pages_bmdump"]))))
    row("(3) pages dumped, makedumpfile (2nd bitmap)",
        lambda s, m: cell(s["mdf_pages"]))
    row("(3) pages dumped, stub (2nd bitmap)",
        lambda s, m: cell(s["stub_pages"]))
    row("(3) stub / makedumpfile pages, different crashes",
        lambda s, m: pct_cell(s["stub_pages"], s["mdf_pages"]))
    row("(3) run-to-run spread of pages, kdump / bmdump (max−min)/median",
        lambda s, m: "%s %% / %s %%" % (fmt(spread_pct(s["mdf_pages"])),
                                        fmt(spread_pct(s["stub_pages"]))))
    row("(3) same crash: hook bitmap vs makedumpfile's, pfns differing",
        lambda s, m: cell(s["same_differing"]))
    row("(3) same crash: hook / makedumpfile pages (target ±0.1 %)",
        lambda s, m: cell(s["same_page_diff_pct"], unit=" %"))
    row("(3) of which zero pages, makedumpfile / stub",
        lambda s, m: "%s / %s" % (cell(s["mdf_zero"]),
                                  cell(s["stub_zero_pages"])))
    row("makedumpfile's \"Remaining pages\" (kernel text counted twice)",
        lambda s, m: cell(s["mdf_remaining_report"]))
    row("(3) bytes, makedumpfile -l (lzo)", lambda s, m: cell(s["mdf_bytes"]))
    row("(3) bytes, stub (uncompressed)", lambda s, m: cell(s["stub_bytes"]))
    row("(3) ratio stub / makedumpfile bytes",
        lambda s, m: rcell(s["stub_bytes"], s["mdf_bytes"]))
    row("(4) stub write, MB/s", lambda s, m: cell(s["stub_mb_s"]))
    row("(4) stub write, MB/s by the host's serial clock",
        lambda s, m: cell(s["host_mb_s"]))
    row("(4) stub write, MB/s: bytes from the descriptors on disk by the "
        "host's serial clock", lambda s, m: cell(s["disk_mb_s"]))
    row("(4) Linux dd oflag=direct bs=1M, MB/s",
        lambda s, m: cell(s["dd_mb_s"]))
    row("(4) ratio stub / dd (target ≥ 1.0x)",
        lambda s, m: rcell(s["stub_mb_s"], s["dd_mb_s"]))
    if sweep:
        for path in PATHS:
            row("(5) smallest crashkernel=, %s" % path,
                lambda s, m, p=path: sweep_cell(sweep.get(m, {}).get(p)))
    row("panic → stub entry, ms",
        lambda s, m: cell(s["panic_to_stub_entry_ms"]))
    for st, name in (("entry", "entry → capture"), ("pci", "PCI"),
                     ("storage_init", "storage init"), ("write", "write"),
                     ("flush", "flush"), ("shutdown", "shutdown")):
        row("stub stage: %s, ms" % name,
            lambda s, m, st=st: cell(s["stage_%s_ms" % st]))
    for part, name in (("plan", "planning (before the write)"),
                       ("meta", "write: area/kdump headers, bitmaps"),
                       ("pages", "write: descriptors and pages"),
                       ("sink", "write: time inside the block sink")):
        row("stub %s, ms" % name,
            lambda s, m, p=part: cell(s["write_%s_ms" % p]))
    return "\n".join(rows)


def sweep_cell(res):
    if not res:
        return "not run"
    smallest, failed = sweep_verdict(res)
    tried = [k for k in CRASHKERNEL_LIST if k in res]
    if smallest is None:
        return "none of %s" % ",".join(tried)
    if failed:
        return "%s (%s fails)" % (smallest, failed)
    if smallest == CRASHKERNEL_LIST[-1]:
        return "%s (smallest listed)" % smallest
    return "%s (stopped)" % smallest
