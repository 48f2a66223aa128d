# SPDX-License-Identifier: GPL-2.0
"""Independent readers judge `bmdump save`: a real raw kdump image of
Debian's kernel (vmcore_fixture: a capture kernel's makedumpfile -d 31,
cached under build/fixtures) is put into a prepared area in a disk image as
the stub leaves it, saved with every compression, and opened with
makedumpfile --dump-dmesg, crash --osrelease and drgn; drgn's view of
physical memory must match the raw image's page for page, and bmdump's own
kernel-log reader must print what makedumpfile prints.  Known answer for
the layout: bmdump's reader counts the pages and max_mapnr makedumpfile's
bitmaps hold, and every saved file keeps both bitmaps bit for bit."""

import os
import re
import subprocess

import dumpcheck
import toolsenv as T
import vmcore_fixture

DRGN_COMPARE = r"""
import sys, drgn, kdumpfile
raw, out, kver = sys.argv[1], sys.argv[2], sys.argv[3]
NoData = kdumpfile.exceptions.NoDataException
MACH = kdumpfile.KDUMP_MACHPHYSADDR
def kread(k, pfn):
    try:
        return bytes(k.read(MACH, pfn << 12, 4096))
    except NoData:
        return None
# The input through libkdumpfile, the output through drgn.  Which pages
# the output holds comes from libkdumpfile too: drgn 0.0.22 segfaults
# after some ten thousand FaultErrors, so drgn reads present pages only.
a = kdumpfile.kdumpfile(raw)
kb = kdumpfile.kdumpfile(out)
b = drgn.Program()
b.set_core_dump(out)
rel = b["UTS_RELEASE"].string_().decode()
assert rel == kver, (rel, kver)
compared = absent = 0
# Every 7th page up to 1 GiB, each read from both files.
for pfn in range(0, 262144, 7):
    want = kread(a, pfn)
    present = kread(kb, pfn) is not None
    if want is None:
        absent += 1
        if present:
            raise SystemExit("pfn %d present in output, absent in input"
                             % pfn)
        continue
    if not present:
        raise SystemExit("pfn %d absent in output" % pfn)
    if b.read(pfn << 12, 4096, True) != want:
        raise SystemExit("pfn %d differs" % pfn)
    compared += 1
print("compared=%d absent=%d" % (compared, absent))
"""


def _raw_dmesg(raw, d):
    path = os.path.join(d, "raw.dmesg")
    if not os.path.exists(path):
        subprocess.run(["makedumpfile", "--dump-dmesg", raw, path],
                       capture_output=True, check=True)
    with open(path) as f:
        return f.read()


def _bitmaps(path):
    with open(path, "rb") as f:
        def rd(o, n):
            f.seek(o)
            return f.read(n)
        return dumpcheck.kdump_bitmaps(rd)


def test_tools_save_readers():
    raw = vmcore_fixture.ensure()
    meta = vmcore_fixture.meta()
    d = T.workdir("readers")
    img, uuid = T.make_disk(d, size_mib=256, area_mib=200)
    T.testarea("inject", img, 0, raw, "complete")
    want_dmesg = _raw_dmesg(raw, d)
    assert meta["marker"] in want_dmesg
    # Known answer: the layout makedumpfile wrote, as our reader sees it.
    mdf = _bitmaps(raw)
    j = T.info_json([raw])["dump"]
    assert (j["pages"], j["max_mapnr"]) == (mdf["dumped"].bit_count(),
                                            mdf["max_mapnr"]), j
    sizes = {}
    for comp in ("zlib", "lzo", "zstd", "snappy", "none"):
        out = os.path.join(d, "crash-" + comp)
        p = T.run(["save", "--from", img, "--read-only", "--dir", out,
                   "--compress", comp], check=0)
        dirs = T.dump_dirs(out)
        assert len(dirs) == 1, dirs
        stamp = dirs[0]
        dump = os.path.join(out, stamp, "dump." + stamp)
        sizes[comp] = os.path.getsize(dump)
        # our writer keeps makedumpfile's bitmaps bit for bit
        kd = _bitmaps(dump)
        for k in ("max_mapnr", "ram", "dumped"):
            assert kd[k] == mdf[k], (comp, k)
        # crash without a vmlinux: parses header, VMCOREINFO, page tables.
        c = subprocess.run(["crash", "--osrelease", dump],
                           capture_output=True, text=True, timeout=120)
        assert c.returncode == 0 and c.stdout.strip() == meta["kver"], \
            (comp, c.returncode, c.stdout, c.stderr)
        # drgn (libkdumpfile): same bytes as the raw image.
        g = subprocess.run(["/usr/bin/python3", "-c", DRGN_COMPARE, raw,
                            dump, meta["kver"]], capture_output=True,
                           text=True, timeout=600)
        assert g.returncode == 0, (comp, g.stdout, g.stderr)
        m = re.search(r"compared=(\d+) absent=(\d+)", g.stdout)
        assert int(m.group(1)) > 1000, g.stdout
        # makedumpfile reads zlib, lzo and raw pages (Debian's build).
        dmesg = os.path.join(out, stamp, "dmesg." + stamp)
        if comp in ("zlib", "lzo", "none"):
            with open(dmesg) as f:
                assert f.read() == want_dmesg, comp
            again = os.path.join(d, "dmesg-" + comp)
            subprocess.run(["makedumpfile", "--dump-dmesg", dump, again],
                           capture_output=True, check=True)
            with open(again) as f:
                assert f.read() == want_dmesg, comp
        else:
            # makedumpfile cannot read these: bmdump reads the log itself.
            assert "makedumpfile cannot read %s dumps" % comp in p.stderr, \
                p.stderr
            with open(dmesg) as f:
                assert f.read() == want_dmesg, comp
        # bmdump's own reader of the printk ring buffer: the same text,
        # byte for byte, as makedumpfile gives for the raw image.
        q = T.run(["info", "--dmesg", dump], check=0)
        assert q.stdout == want_dmesg, comp
        j = T.info_json([dump])
        assert j["dump"]["release"] == meta["kver"]
        assert j["dump"]["compression"] == comp
        assert j["dump"]["incomplete"] is False
    for comp in ("zlib", "lzo", "zstd", "snappy"):
        assert sizes[comp] < sizes["none"] * 0.8, sizes
    print("sizes: " + ", ".join("%s %d KiB" % (k, v >> 10)
                                for k, v in sizes.items()))
