# SPDX-License-Identifier: GPL-2.0
"""Judges of a dump file, all independent of bmdump: makedumpfile, crash and
drgn/libkdumpfile under Debian's /usr/bin/python3."""

import os
import re
import subprocess

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


def crash_osrelease(path):
    p = subprocess.run(["crash", "--osrelease", path], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, "crash --osrelease failed:\n%s%s" % (
        p.stdout, p.stderr)
    return p.stdout.strip()


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
