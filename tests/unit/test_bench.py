# SPDX-License-Identifier: GPL-2.0
"""tests/lib/benchlib.py: what `make bench` reads out of serial lines and
dump images, and how it sums runs up.  Lines below are shaped after real
runs of the rig (the stub's figures, makedumpfile 1.7.2's report)."""

import os
import struct
import subprocess
import tempfile

import benchlib
import dumpcheck
import oracle


def lines(*pairs):
    return [(float(t), s) for t, s in pairs]


BMDUMP_RUN = lines(
    (10.0, "RIG: kexec-rc=0"),
    (20.000, "[   27.606615] Kernel panic - not syncing: sysrq triggered "
             "crash"),
    (20.071, "bmdump: bmdump 0.1 entered at 0x79e00000, boot_params "
             "0x79f52000"),
    (20.094, "bmdump: bitmap: bmdump.ko's, dump level 31, 128194 of "
             "2621440 pages kept, filled in 29152 us at the crash"),
    (20.107, "bmdump: area: nvme0n1 partition 2: area b3c4, 8320 MiB, "
             "state 1"),
    (20.150, "bmdump: quiesce: 0 other controllers disabled, bus mastering "
             "off on 0 functions, kept on 0 bridges above 00:01.0"),
    (20.490, "bmdump: dump: 128194 pages (28158 zero) in 413499392 bytes, "
             "area complete"),
    (20.493, "bmdump: dump: plan 3297 us; write: area header, kdump "
             "headers and bitmaps 8869 us, pages 209103 us; 137289 us of "
             "the write in the block sink"),
    (20.494, "bmdump: figures: 128194 pages dumped (28158 zero, 100036 raw)"
             " of 2046341 RAM pages, 413499392 bytes, source bmdump.ko"),
    (20.496, "bmdump: figures: stage entry 22310 us, pci 2043 us, storage init"
             " 6414 us, write 324448 us, flush 1974 us, shutdown 2110 us, "
             "1274 MB/s"),
    (20.498, "bmdump: done, resetting"),
)


def test_bench_parse_bmdump():
    f = benchlib.parse_bmdump(BMDUMP_RUN, qemu_end=20.6)
    assert f["ok"], f
    assert abs(f["panic_to_reset_s"] - 0.498) < 1e-9
    assert abs(f["panic_to_entry_s"] - 0.071) < 1e-9
    assert abs(f["panic_to_qemu_exit_s"] - 0.6) < 1e-9
    assert f["hook_fill_us"] == 29152 and f["hook_pages_set"] == 128194
    assert f["pages_dumped"] == 128194 and f["zero_pages"] == 28158
    assert f["raw_pages"] == 100036 and f["bytes"] == 413499392
    assert f["stages_us"] == {"entry": 22310, "pci": 2043,
                              "storage_init": 6414, "write": 324448,
                              "flush": 1974, "shutdown": 2110}
    assert abs(f["stub_mb_s_exact"] - 413499392 / 324448) < 1e-6
    assert abs(f["host_write_s"] - 0.34) < 1e-9
    assert abs(f["host_mb_s"] - 413499392 / 0.34 / 1e6) < 1e-6
    assert f["write_detail_us"] == {"plan": 3297, "meta": 8869,
                                    "pages": 209103, "sink": 137289}
    assert "stub_errors" not in f


def test_bench_parse_bmdump_failures():
    no_reset = [x for x in BMDUMP_RUN if "done, resetting" not in x[1]]
    f = benchlib.parse_bmdump(no_reset)
    assert not f["ok"] and f["why"] == "stub did not reset"
    full = [(t, s.replace("source bmdump.ko", "source full"))
            for t, s in BMDUMP_RUN]
    f = benchlib.parse_bmdump(full)
    assert not f["ok"] and "not bmdump.ko" in f["why"]
    cut = [(t, s.replace("bytes, source bmdump.ko",
                         "bytes, source bmdump.ko, INCOMPLETE"))
           for t, s in BMDUMP_RUN]
    f = benchlib.parse_bmdump(cut)
    assert not f["ok"] and f["why"] == "dump INCOMPLETE"
    err = [x for x in BMDUMP_RUN if "figures" not in x[1]] + [
        (20.3, "bmdump: error -301 in stage write: out of memory")]
    f = benchlib.parse_bmdump(sorted(err))
    assert not f["ok"] and "out of memory" in f["why"], f
    f = benchlib.parse_bmdump(BMDUMP_RUN[:1])
    assert not f["ok"] and f["why"] == "no panic"


def make_desc(*fields):
    """A descriptor page written by desctool --write (the C contract), DONE,
    level 31, 64 pfns in one chunk, a fill of 9140000 cycles at 2 GHz."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "desc.bin")
        p = subprocess.run([oracle.DESCTOOL, "--write", path, "dump_level=31",
                            "max_pfn=64", "flags=1", "tsc_khz=2000000",
                            "fill_cycles=9140000", "fill_count=1",
                            "pages_set=5", "chunk=0x1000000:0:64"] +
                           list(fields), capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        with open(path, "rb") as f:
            return f.read()

MDF_REPORT = [
    "Excluding unnecessary pages        : [100.0 %] |  STEP [Excluding "
    "unnecessary pages] : 0.042782 seconds",
    "STEP [Checking for memory holes  ] : 0.008846 seconds",
    "STEP [Copying data               ] : 1.550815 seconds",
    "STEP [Copying data               ] : 0.002251 seconds",
    "Original pages  : 0x0000000000036db5",
    "  Excluded pages   : 0x000000000002d8fb",
    "    Pages filled with zero  : 0x0000000000001a77",
    "    Non-private cache pages : 0x00000000000117c8",
    "    Private cache pages     : 0x0000000000000000",
    "    User process data pages : 0x000000000000802d",
    "    Free pages              : 0x000000000001268f",
    "  Remaining pages  : 0x00000000000094ba",
    "Memory Hole     : 0x0000000000009137",
    "Total pages     : 0x000000000003feec",
    "Write bytes     : 33338922",
]


def kdump_run(extras=0.2):
    ls = [(5.0, "RIG: kexec-rc=0"),
          (10.0, "[   22.059081] Kernel panic - not syncing: sysrq "
                 "triggered crash"),
          (19.5, "RIG: init-ready uptime=4.95"),
          (19.6, "RIG: capture-up uptime=4.98"),
          (23.0, "RIG: mdf-done"),
          (23.01, "RIG: mdf-rc=0"),
          (23.01, "RIG: dd-rc=0")]
    ls += [(23.02, s) for s in MDF_REPORT]
    ls += [(23.05, "RIG: hookread-rc=0"),
           (23.05, "RIG: hookcopy-rc=0"),
           (23.05, "RIG: hookdesc=" + make_desc()[:256].hex()),
           (23.0 + extras, "RIG: extras-done"),
           (23.0 + extras + 0.05, "[    8.592861] reboot: Restarting "
                                  "system")]
    return ls


def test_bench_parse_kdump():
    f = benchlib.parse_kdump(kdump_run(0.2), qemu_end=23.4)
    assert f["ok"], f
    # the bench's own 0.2 s after makedumpfile are taken out
    assert abs(f["panic_to_reset_s"] - 13.05) < 1e-9, f["panic_to_reset_s"]
    assert abs(f["bench_extras_s"] - 0.2) < 1e-9
    assert abs(f["panic_to_capture_init_s"] - 9.6) < 1e-9
    assert abs(f["mdf_exclude_s"] - 0.042782) < 1e-12
    assert f["mdf_exclude_s_steps"] == 1
    assert abs(f["mdf_copy_s"] - 1.553066) < 1e-9
    assert f["mdf_remaining"] == 0x94ba and f["mdf_zero"] == 0x1a77
    assert f["mdf_write_bytes"] == 33338922
    assert f["hook_pages_set"] == 5 and f["hook_fill_us"] == 4570
    f2 = benchlib.parse_kdump(kdump_run(1.0), qemu_end=24.2)
    assert abs(f2["panic_to_reset_s"] - f["panic_to_reset_s"]) < 1e-9


def test_bench_parse_kdump_failures():
    run = [x for x in kdump_run() if "mdf-rc" not in x[1]] + [
        (23.01, "RIG: mdf-rc=1")]
    f = benchlib.parse_kdump(sorted(run))
    assert not f["ok"] and f["why"] == "makedumpfile rc 1"
    run = [x for x in kdump_run() if "STEP" not in x[1]]
    f = benchlib.parse_kdump(run)
    assert not f["ok"] and f["why"] == "no makedumpfile report"
    run = [x for x in kdump_run() if x[0] < 19]
    f = benchlib.parse_kdump(run)
    assert not f["ok"] and f["why"] == "capture kernel never ran its init"
    run += [(14.0, "[    1.467981] Initramfs unpacking failed: Out of "
                   "memory while allocating workspace"),
            (14.2, "[    1.705679] Kernel panic - not syncing: System is "
                   "deadlocked on memory")]
    f = benchlib.parse_kdump(run)
    assert f["why"].endswith("init: Initramfs unpacking failed: Out of "
                             "memory while allocating workspace"), f["why"]
    run = [x for x in run if "Initramfs" not in x[1]]
    # a real log starts at the sysrq line, before the first kernel's
    # own panic line: that panic is not the capture kernel's
    run = sorted(run + [(9.99, "[   22.058870] sysrq: Trigger a crash")])
    f = benchlib.parse_kdump(run)
    assert f["why"].endswith("init: Kernel panic - not syncing: System is "
                             "deadlocked on memory"), f["why"]
    f = benchlib.parse_kdump([(5.0, "RIG: kexec-rc=255")])
    assert not f["ok"] and "255" in f["why"]


def test_bench_parse_dd():
    ls = lines((1, "RIG: dd 120586240 bytes (121 MB, 115 MiB) copied, "
                   "0.222637 s, 542 MB/s"),
               (2, "RIG: dd 120586240 bytes (121 MB, 115 MiB) copied, "
                   "0.177678 s, 679 MB/s"))
    assert benchlib.parse_dd(ls) == [(120586240, 0.222637),
                                    (120586240, 0.177678)]


def test_bench_sweep():
    res = {}
    assert benchlib.sweep_next(res) == "256M"
    res["256M"] = True
    res["192M"] = True
    assert benchlib.sweep_next(res) == "128M"
    res.update({"128M": True, "96M": True, "64M": False})
    assert benchlib.sweep_next(res) is None
    assert benchlib.sweep_verdict(res) == ("96M", "64M")
    every = {k: True for k in benchlib.CRASHKERNEL_LIST}
    assert benchlib.sweep_next(every) is None
    assert benchlib.sweep_verdict(every) == ("8M", None)
    assert benchlib.sweep_verdict({"256M": False}) == (None, "256M")
    assert benchlib.sweep_cell({"256M": False}).startswith("none")
    assert benchlib.sweep_cell(every) == "8M (smallest listed)"


def kdump_image(ram, dumped, max_mapnr, status=0):
    """A kdump-compressed image with just header, sub-header, bitmaps."""
    bs = 4096
    nbytes = (max_mapnr + 7) // 8
    half_blocks = (nbytes + bs - 1) // bs
    img = bytearray(bs * (2 + 2 * half_blocks))
    img[0:8] = b"KDUMP   "
    struct.pack_into("<Iiii", img, 424, status, bs, 1, 2 * half_blocks)
    struct.pack_into("<i", img, bs + 8, 31)
    struct.pack_into("<Q", img, bs + 96, max_mapnr)
    half = half_blocks * bs
    img[2 * bs:2 * bs + half] = ram.to_bytes(half, "little")
    img[2 * bs + half:2 * bs + 2 * half] = dumped.to_bytes(half, "little")
    return bytes(img)


def test_bench_bitmaps_same_crash():
    ram = (1 << 40) - 1 - 0xff00          # pfns 8..15 are a hole
    mdf = 0b1011 << 20 | 1 << 3
    # beyond max_mapnr: masked away
    img = kdump_image(ram | 1 << 45, mdf | 1 << 45, 40)
    kd = dumpcheck.kdump_bitmaps(lambda o, n: img[o:o + n])
    assert kd["ram"] == ram and kd["dumped"] == mdf and kd["level"] == 31
    hook_raw = bytearray(make_desc())
    hook_raw[4096:4096 + 8] = (mdf | 1 << 9).to_bytes(8, "little")
    d, bits = benchlib.hook_bitmap(bytes(hook_raw))
    assert d["pages_set"] == 5 and bits == mdf | 1 << 9
    c = benchlib.compare_same_crash(bits, kd, 0)
    assert c["mdf_only"] == 0 and c["hook_only"] == 0, c
    assert c["hook_outside_ram"] == 1          # pfn 9 is in the hole
    assert c["mdf_pages"] == 4 and c["ram_pages"] == 40 - 8
    c = benchlib.compare_same_crash(bits & ~(1 << 21), kd)
    assert c["mdf_only"] == 1
    bad = bytearray(img)
    bad[0] = 0
    try:
        dumpcheck.kdump_bitmaps(lambda o, n: bytes(bad[o:o + n]))
    except ValueError:
        pass
    else:
        raise AssertionError("a bad signature went through")


def test_bench_bytes_from_descriptors():
    """disk_bytes counts the headers in front of the first stored page and
    each stored page once; with the serial clock it gives the throughput
    next to the stub's own."""
    bs = 4096
    img = bytearray(kdump_image(0b1111, 0b1101, 4))
    kd = dumpcheck.kdump_bitmaps(lambda o, n: bytes(img[o:o + n]))
    desc_end = kd["desc_offset"] + 3 * 24
    data = (desc_end + bs - 1) // bs * bs
    img += bytes(data + bs + 100 - len(img))
    # pfn 0: the shared zero page, pfn 2: compressed 100 bytes, pfn 3:
    # the zero page again
    for i, (off, size) in enumerate(((data, bs), (data + bs, 100),
                                     (data, bs))):
        struct.pack_into("<qIIQ", img, kd["desc_offset"] + 24 * i, off,
                         size, 0, 0)
    rd = lambda o, n: bytes(img[o:o + n])  # noqa: E731
    assert dumpcheck.kdump_desc_bytes(rd, kd) == data + bs + 100
    f = {"disk_bytes": data + bs + 100, "host_write_s": 0.5}
    assert abs(benchlib.disk_mb_s(f) - (data + bs + 100) / 0.5e6) < 1e-9
    assert benchlib.disk_mb_s({"disk_bytes": 5}) is None
    struct.pack_into("<q", img, kd["desc_offset"] + 24, 0)
    try:
        dumpcheck.kdump_desc_bytes(rd, kd)
    except ValueError:
        pass
    else:
        raise AssertionError("an unwritten descriptor was counted")


def run(mem, path, ok=True, **fig):
    f = {"ok": ok}
    f.update(fig)
    return {"mem_mib": mem, "path": path, "timed": True, "figures": f,
            "dd": fig.pop("dd", [])}


def test_bench_summary_and_table():
    runs = [
        run(1024, "kdump", panic_to_reset_s=10.0, mdf_exclude_s=0.05,
            hook_fill_us=5000, disk_dumped_pages=1000, mdf_write_bytes=10,
            dd=[(100e6, 0.5), (100e6, 0.25)]),
        run(1024, "kdump", panic_to_reset_s=8.0, mdf_exclude_s=0.03,
            disk_dumped_pages=1002, mdf_write_bytes=12),
        run(1024, "kdump", ok=False, panic_to_reset_s=1.0),
        run(1024, "bmdump", panic_to_reset_s=0.2, hook_fill_us=1000,
            pages_dumped=1001, zero_pages=5, bytes=40,
            stub_mb_s_exact=800.0, disk_bytes=4e8, host_write_s=0.5,
            stages_us={"entry": 1000, "pci": 1, "storage_init": 2,
                       "write": 3, "flush": 4, "shutdown": 5}),
        run(1024, "bmdump", panic_to_reset_s=0.4, hook_fill_us=3000,
            pages_dumped=1003, zero_pages=7, bytes=44,
            stub_mb_s_exact=600.0, disk_bytes=4e8, host_write_s=1.0),
    ]
    s = benchlib.summarize(runs)[1024]
    assert s["n_kdump"] == 2 and s["n_bmdump"] == 2 and s["n_failed"] == 1
    assert s["kdump_reset_s"]["median"] == 9.0
    assert s["kdump_reset_s"]["min"] == 8.0
    assert abs(s["bmdump_reset_s"]["median"] - 0.3) < 1e-12
    assert abs(s["mdf_exclude_ms"]["median"] - 40) < 1e-9
    assert s["hook_fill_ms"]["median"] == 2.0
    assert s["fill_ratio_same_crash"]["median"] == 10.0
    assert s["dd_mb_s"]["median"] == 300.0 and s["dd_mb_s"]["min"] == 200.0
    assert s["stage_entry_ms"]["median"] == 1.0
    assert s["disk_mb_s"]["median"] == 600.0 and s["disk_mb_s"]["min"] == 400
    assert abs(benchlib.spread_pct(s["mdf_pages"]) - 2 / 1001 * 100) < 1e-9
    t = benchlib.table(benchlib.summarize(runs),
                       {1024: {"kdump": {"256M": True, "192M": True,
                                         "128M": False}}})
    assert "| (1) ratio kdump / bmdump (target ≥ 30x) | 30.0x (40.0x) |" \
        in t, t
    assert "| (2) ratio exclusion / fill (target ≥ 50x) | 20.0x (30.0x) |" \
        in t
    assert "| (4) ratio stub / dd (target ≥ 1.0x) | 2.33x (3x) |" in t
    assert "| (4) stub write, MB/s: bytes from the descriptors on disk by " \
        "the host's serial clock | 600 (400) |" in t, t
    assert "| (3) stub / makedumpfile pages, different crashes | +0.10 % |" \
        in t
    assert "| (5) smallest crashkernel=, kdump | 192M (128M fails) |" in t
    assert "| (5) smallest crashkernel=, bmdump | not run |" in t


def on(dev, run_lines=BMDUMP_RUN):
    """A bmdump run whose stub found the area on device dev."""
    return [(t, s.replace("area: nvme0n1 partition 2:",
                          "area: %s partition 2:" % dev))
            for t, s in run_lines]


def test_bench_parse_bmdump_transport():
    """The device the stub wrote through names the transport; the area
    line and an area passed over are no errors on any transport."""
    for dev, t in (("nvme0n1", "nvme"), ("virtio0", "virtio"),
                   ("ahci0p0", "ahci")):
        run_lines = sorted(on(dev) + [
            (20.105, "bmdump: area: %s partition 3 is area 1234, not "
                     "b3c4" % dev)])
        f = benchlib.parse_bmdump(run_lines)
        assert f["ok"], f
        assert f["area_dev"] == dev and f["area_transport"] == t, f
        assert "stub_errors" not in f, f
    err = sorted(on("virtio0") + [
        (20.106, "bmdump: area: virtio0: GPT header CRC mismatch")])
    f = benchlib.parse_bmdump(err)
    assert f["stub_errors"] == ["area: virtio0: GPT header CRC mismatch"]
    assert benchlib.transport_of_dev("sda") is None


def test_bench_transport_table():
    """virtio-blk and AHCI runs get their own columns next to NVMe's and
    stay out of the kdump comparison; dd counts on its own transport."""
    st = {"entry": 1000, "pci": 1000, "storage_init": 2000,
          "write": 100000, "flush": 500, "shutdown": 5}
    runs = [
        run(1024, "kdump", panic_to_reset_s=10.0, dd=[(300e6, 1.0)]),
        run(1024, "bmdump", panic_to_reset_s=0.2, bytes=100e6,
            stub_mb_s_exact=1000.0, stages_us=st, dd=[(300e6, 0.5)]),
        run(1024, "bmdump", panic_to_reset_s=0.5, bytes=100e6,
            stub_mb_s_exact=400.0, stages_us=st, dd=[(100e6, 0.5)]),
        run(1024, "bmdump", ok=False, dd=[(100e6, 1.0)]),
        run(1024, "bmdump", panic_to_reset_s=0.9, bytes=100e6,
            stub_mb_s_exact=150.0, stages_us=st, dd=[(100e6, 2.0)]),
    ]
    for r, t in zip(runs, ("nvme", "nvme", "virtio", "virtio", "ahci")):
        r["transport"] = t
    s = benchlib.summarize(runs)[1024]
    assert s["n_bmdump"] == 1 and s["n_failed"] == 0, s
    assert s["stub_mb_s"]["median"] == 1000.0
    assert s["dd_mb_s"]["median"] == 450.0        # 300 and 600, NVMe only
    ts = benchlib.summarize_transports(runs)[1024]
    assert sorted(ts) == ["ahci", "nvme", "virtio"]
    assert ts["virtio"]["n_bmdump"] == 1 and ts["virtio"]["n_failed"] == 1
    assert ts["virtio"]["dd_mb_s"]["median"] == 150.0   # 200 and 100
    assert ts["ahci"]["dd_mb_s"]["median"] == 50.0
    t = benchlib.transport_table(benchlib.summarize_transports(runs))
    assert "| 1 GiB, stub vs Linux's driver: median (min) | NVMe | " \
        "virtio-blk | AHCI |" in t, t
    assert "| runs bmdump (failed) | 1 (0) | 1 (1) | 1 (0) |" in t, t
    assert "| stub write, MB/s | 1000 (1000) | 400 (400) | 150 (150) |" \
        in t, t
    assert "| ratio stub / dd | 2.22x (3.33x) | 2.67x (4x) | 3x (3x) |" \
        in t, t
    assert "| stub stage: storage init, ms | 2 (2) | 2 (2) | 2 (2) |" in t
    # one transport alone: one column
    only = benchlib.summarize_transports([r for r in runs
                                          if r["transport"] == "ahci"])
    assert "| AHCI |\n|---|---|\n" in benchlib.transport_table(only)


SCAN_LINES = [
    (20.090, "bmdump: bitmap: the stub scans, as bmdump.scan=stub asks"),
    (20.091, "bmdump: bitmap: the stub's scan of the crashed kernel's "
             "struct pages, dump level 31, 35932 of 2621440 pages kept in "
             "62440 us"),
]


def scan_run():
    """BMDUMP_RUN with bmdump.scan=stub: bmdump.ko's line, then the
    stub's scan, and the stub's bitmap as the dump's source."""
    return sorted([(t, s.replace("source bmdump.ko", "source stub scan"))
                   for t, s in BMDUMP_RUN] + SCAN_LINES)


def test_bench_parse_stub_scan():
    """One crash with bmdump.scan=stub gives both bitmap times; a run that
    asked for the scan and did not get it fails."""
    f = benchlib.parse_bmdump(scan_run(), source="stub scan")
    assert f["ok"], f
    assert f["source"] == "stub scan"
    assert f["hook_fill_us"] == 29152 and f["hook_pages_set"] == 128194
    assert f["scan_us"] == 62440 and f["scan_pages_set"] == 35932
    assert f["scan_level"] == 31 and f["scan_max_pfn"] == 2621440
    f = benchlib.parse_bmdump(scan_run())
    assert not f["ok"] and f["why"] == "source stub scan, not bmdump.ko", f
    f = benchlib.parse_bmdump(BMDUMP_RUN, source="stub scan")
    assert not f["ok"] and f["why"].startswith("no stub scan line"), f


def test_bench_mdf_exclusion_steps():
    """Both of makedumpfile's exclusion STEPs are read (the free-list one
    runs outside cyclic mode)."""
    ls = [(1.0, "STEP [Excluding free pages               ] : 0.012500 "
                "seconds")] + [(1.0, s) for s in MDF_REPORT]
    r = dumpcheck.mdf_report(ls)
    assert abs(r["mdf_exclude_free_s"] - 0.0125) < 1e-12
    assert abs(r["mdf_exclude_s"] - 0.042782) < 1e-12
    ms, pages = benchlib.bitmap_ready(dict(r, disk_dumped_pages=7), "mdf")
    assert abs(ms - 55.282) < 1e-9 and pages == 7


def brun(mem, path, cpus, ok=True, **fig):
    r = run(mem, path, ok, **fig)
    r.update(timed=False, bitmap=True, cpus=cpus)
    return r


def test_bench_bitmap_table():
    """A row per size, vCPU count and way of making the bitmap; ms per GiB
    from the guest's RAM; the other tables leave these runs out."""
    runs = [
        brun(1024, "bmdump", 1, hook_fill_us=2000, hook_pages_set=100,
             scan_us=30000, scan_pages_set=101),
        brun(1024, "bmdump", 1, hook_fill_us=4000, hook_pages_set=102,
             scan_us=40000, scan_pages_set=103),
        brun(1024, "kdump", 1, mdf_exclude_s=0.05, disk_dumped_pages=90),
        brun(4096, "bmdump", 2, hook_fill_us=8000, hook_pages_set=400,
             scan_us=120000, scan_pages_set=401),
        brun(4096, "kdump", 2, ok=False),
        run(1024, "bmdump", hook_fill_us=9000),
    ]
    b = benchlib.summarize_bitmap(runs)
    assert sorted(b) == [1024, 4096] and list(b[1024]) == [1]
    assert b[1024][1]["hook"]["ms"]["median"] == 3.0
    assert b[1024][1]["hook"]["ms"]["min"] == 2.0
    assert b[4096][2]["scan"]["ms_per_gib"]["median"] == 30.0
    assert b[4096][2]["mdf"]["n"] == 0 and b[4096][2]["mdf"]["n_failed"] == 1
    t = benchlib.bitmap_table(b)
    assert "| bmdump.ko's fill at the crash | 1 GiB | 1 | 2 (0) | 3 (2) | " \
        "3 (2) | 101 (100) |" in t, t
    assert "| the stub's scan of the struct pages | 4 GiB | 2 | 1 (0) | " \
        "120 (120) | 30.0 (30.0) | 401 (401) |" in t, t
    assert "| makedumpfile's exclusion steps (kdump) | 1 GiB | 1 | 1 (0) | " \
        "50.0 (50.0) | 50.0 (50.0) | 90 (90) |" in t, t
    assert "| makedumpfile's exclusion steps (kdump) | 4 GiB | 2 | 0 (1) | " \
        "- | - | - |" in t, t
    assert benchlib.summarize(runs)[1024]["n_bmdump"] == 1
    assert benchlib.summarize(runs[:-1]) == {}
    assert benchlib.summarize_transports(runs[:-1]) == {}
    assert benchlib.bitmap_table(benchlib.summarize_bitmap(runs[-1:])) == ""


NOHOOK_LINES = [
    (20.080, "bmdump: bitmap: no bmdump.ko descriptor (bmdump.desc= "
             "missing): the stub scans the struct pages itself"),
    (20.075, "bmdump: kernel 6.1.0-57-amd64 node rig, 2 cpus, crashed cpu "
             "0 rip ffffffff9d9741ba, 8 ram ranges 1000 MiB"),
    (20.082, "bmdump: smp: 2 of 2 CPUs running (trampoline page 0x9f000, "
             "xAPIC, 4120 us)"),
    (20.089, "bmdump: bitmap: scan share of cpu 0 (apic 0): 9 chunks in "
             "pfns 0x0-0x20000, 131000 pages classified, 18000 kept, in "
             "20100 us"),
    (20.089, "bmdump: bitmap: scan share of cpu 1 (apic 1): 7 chunks in "
             "pfns 0x1000-0x40000, 131072 pages classified, 17932 kept, in "
             "19800 us"),
    (20.090, "bmdump: bitmap: scan on 2 CPUs: 20500 us to classify, 4500 "
             "us before (layout, starting the CPUs)"),
    (20.090, "bmdump: bitmap: the stub scans instead of bmdump.ko (error "
             "-201 above), as bmdump.scan=auto asks"),
    (20.091, "bmdump: bitmap: the stub's scan of the crashed kernel's "
             "struct pages, dump level 31, 35932 of 262144 pages kept in "
             "25000 us"),
]


def nohook_run():
    """BMDUMP_RUN of a first kernel without bmdump.ko: no fill line, the
    stub's scan on two CPUs is the dump's source."""
    return sorted([(t, s.replace("source bmdump.ko", "source stub scan"))
                   for t, s in BMDUMP_RUN if "bmdump.ko's" not in s] +
                  NOHOOK_LINES)


def test_bench_parse_nohook():
    """Without bmdump.ko: the scan's CPUs, its split and each CPU's share
    are read; a fill line there (the module was loaded) fails the run."""
    f = benchlib.parse_bmdump(nohook_run(), source="stub scan", hook=False)
    assert f["ok"], f
    assert "hook_fill_us" not in f and f["scan_us"] == 25000
    assert f["smp_up"] == 2 and f["smp_cpus"] == 2
    assert f["scan_cpus"] == 2 and f["scan_classify_us"] == 20500
    assert f["scan_before_us"] == 4500
    assert f["crashed_cpu"] == 0
    assert [c["us"] for c in f["scan_shares"]] == [20100, 19800]
    assert [c["pages"] for c in f["scan_shares"]] == [131000, 131072]
    f = benchlib.parse_bmdump(sorted(nohook_run() + BMDUMP_RUN[3:4]),
                              source="stub scan", hook=False)
    assert not f["ok"] and "not loaded" in f["why"], f
    # the normal path still needs bmdump.ko's line
    f = benchlib.parse_bmdump(nohook_run(), source="stub scan")
    assert not f["ok"] and f["why"] == "no bitmap from bmdump.ko", f


def test_bench_nohook_table():
    """Issue 17's row: panic -> reset of the normal crash (bmdump.ko's
    bitmap, not bmdump.scan=stub) against the crash without bmdump.ko,
    and the scan against the fill, per size and vCPU count."""
    def vrun(variant, cpus, ok=True, **fig):
        r = brun(1024, "bmdump", cpus, ok, **fig)
        r["variant"] = variant
        return r
    runs = [
        # bmdump.scan=stub: fill and scan, longer; not in the ratio
        vrun("scan", 2, panic_to_reset_s=9.0, hook_fill_us=2000,
             scan_us=30000),
        vrun("hook", 2, panic_to_reset_s=0.2, hook_fill_us=4000,
             panic_to_entry_s=0.05, pages_dumped=100),
        vrun("hook", 2, panic_to_reset_s=0.4, hook_fill_us=6000,
             panic_to_entry_s=0.07, pages_dumped=102),
        vrun("nohook", 2, panic_to_reset_s=0.25, scan_us=10000,
             scan_classify_us=8000, scan_before_us=2000, scan_cpus=2,
             smp_cpus=2, scan_shares=[{"us": 8000}, {"us": 7000}],
             pages_dumped=101),
        vrun("nohook", 2, ok=False),
        vrun("nohook", 1, panic_to_reset_s=0.5, scan_us=20000),
        brun(1024, "kdump", 2, mdf_exclude_s=0.05),
    ]
    n = benchlib.summarize_nohook(runs)
    assert sorted(n) == [1024] and sorted(n[1024]) == [1, 2]
    s = n[1024][2]
    assert s["n_hook"] == 2 and s["n_nohook"] == 1 and s["n_failed"] == 1
    assert abs(s["reset_hook_s"]["median"] - 0.3) < 1e-12
    assert s["fill_ms"]["median"] == 5.0 and s["scan_ms"]["median"] == 10.0
    t = benchlib.nohook_table(n)
    assert "| 1 GiB, 1 vCPU | 1 GiB, 2 vCPU |" in t, t
    assert "| ratio without / with (target ≤ 1.2x) | - | 0.833x (1.25x) |" \
        in t, t
    assert "| ratio scan / fill (target ≤ 1.0x) | - | 2x (2.5x) |" in t, t
    assert "| scan: CPUs scanning per run (crashed CPU) | ? (cpu ?) | " \
        "2 (cpu ?) |" in t, t
    assert "| scan: slowest / fastest CPU's share, ms | - / - | " \
        "8 (8) / 7 (7) |" in t, t
    # the bitmap table gets a row for the scan without bmdump.ko
    b = benchlib.bitmap_table(benchlib.summarize_bitmap(runs))
    assert "| the stub's scan, first kernel without bmdump.ko | 1 GiB | 2 " \
        "| 1 (1) | 10.0 (10.0) |" in b, b
    assert benchlib.nohook_table(benchlib.summarize_nohook(runs[:1])) == ""


def next_run(kind):
    """Serial lines of a crash run on into the next boot."""
    ls = [(5.0, "RIG: init-ready uptime=2.1"),
          (10.0, "[   22.059081] Kernel panic - not syncing: sysrq "
                 "triggered crash")]
    if kind == "kdump":
        ls += [(12.0, "[    0.000000] Linux version 6.1.0 (capture)"),
               (14.0, "RIG: init-ready uptime=1.9"),
               (18.0, "RIG: mdf-done"),
               (18.5, "RIG: extras-done"),
               (18.6, "[    8.592861] reboot: Restarting system")]
        reset = 18.6
    elif kind == "reset":
        ls += [(10.2, "bmdump: figures: 10 pages dumped (1 zero, 9 raw) of "
                      "99 RAM pages, 40960 bytes, source bmdump.ko"),
               (10.3, "bmdump: done, resetting")]
        reset = 10.3
    else:
        ls += [(10.2, "bmdump: figures: 10 pages dumped (1 zero, 9 raw) of "
                      "99 RAM pages, 40960 bytes, source bmdump.ko"),
               (10.3, "bmdump: final action: boot (the staged kernel, no "
                      "reset)"),
               (10.4, "bmdump: done, entering the staged kernel at "
                      "0x1000000")]
        reset = 10.4
    if kind != "boot":
        ls.append((reset + 7.0, "\x1b[2J\x1b[01;01HEFI stub: Loaded initrd "
                                "from LINUX_EFI_INITRD_MEDIA_GUID"))
    ls += [(reset + 7.5, "[    0.000000] Linux version 6.1.0 (next)"),
           (reset + 9.5, "[    2.1] Run /init as init process"),
           (reset + 10.0, "RIG: init-ready uptime=2.9")]
    return lines(*ls)


def test_bench_parse_next_init():
    """Issue 21: from the first panic to the next boot's init-ready and
    Run /init, through the reset (kdump less its bench extras) and the
    firmware; a warm boot has no EFI stub line, and one that has went
    through the firmware."""
    f = benchlib.parse_next_init(next_run("kdump"), "kdump")
    assert f["ok"], f
    assert abs(f["extras_s"] - 0.5) < 1e-9
    assert abs(f["panic_to_reset_s"] - 8.1) < 1e-9
    assert abs(f["panic_to_next_init_s"] - 18.1) < 1e-9
    assert abs(f["panic_to_run_init_s"] - 17.6) < 1e-9
    assert abs(f["reset_to_efi_stub_s"] - 7.0) < 1e-9
    assert abs(f["reset_to_linux_s"] - 7.5) < 1e-9
    assert abs(f["linux_to_init_ready_s"] - 2.5) < 1e-9
    f = benchlib.parse_next_init(next_run("reset"), "reset")
    assert f["ok"] and abs(f["panic_to_next_init_s"] - 10.3) < 1e-9, f
    f = benchlib.parse_next_init(next_run("boot"), "boot")
    assert f["ok"] and abs(f["panic_to_next_init_s"] - 10.4) < 1e-9, f
    assert "reset_to_efi_stub_s" not in f
    assert abs(f["reset_to_linux_s"] - 7.5) < 1e-9
    # a warm boot that fell back to the reset and the firmware
    bad = next_run("reset")
    f = benchlib.parse_next_init(bad, "boot")
    assert not f["ok"], f
    f = benchlib.parse_next_init(next_run("reset")[:4], "reset")
    assert not f["ok"] and f["why"] == "no next kernel", f
    runs = [{"mem_mib": 1024, "next_kind": k, "path": "bmdump",
             "timed": False, "figures": benchlib.parse_next_init(
                 next_run(k), k)} for k in ("kdump", "reset", "boot")]
    # the other tables leave these runs out
    assert benchlib.summarize(runs) == {}
    assert benchlib.summarize_transports(runs) == {}
    t = benchlib.next_table(benchlib.summarize_next(runs))
    assert "| ratio kdump / this (init-ready) | 1x (1x) | 1.76x (1.76x) | " \
        "1.74x (1.74x) |" in t, t
    assert "| firmware: reset → next kernel's first line (EFI stub), s | " \
        "7 (7) | 7 (7) | - |" in t, t
