# SPDX-License-Identifier: GPL-2.0
"""Issue 17, SMP: the stub starts the other CPUs (stub/smp.c, INIT-SIPI-
SIPI from the MADT) and spreads its own page scan over them.  The same
guest memory size on 1, 2 and 4 vCPUs: each dump's page set equals
makedumpfile -d 31's on that memory pfn for pfn, and its pages equal RAM
(the trampoline page below 1 MiB was given its bytes back), as
test_dump.stub_scan_case() checks; the log shows every CPU's share."""

import re

import oracle
import test_dump

SHARE_RE = (r"bmdump: bitmap: scan share of cpu (\d+) \(apic (\d+)\): "
            r"(\d+) chunks in pfns (0x[0-9a-f]+)-(0x[0-9a-f]+), (\d+) pages "
            r"classified, (\d+) kept, in (\d+) us")
RUNNING_RE = r"bmdump: smp: (\d+) of (\d+) CPUs running"
SCAN_EXCLUDED_RE = (r"bmdump: bitmap: scan excluded (\d+) free, (\d+) cache, "
                    r"(\d+) cache private, (\d+) user")


def shares(res):
    """[(cpu, apic, chunks, first pfn, end pfn, classified, kept, us)]"""
    out = []
    for line in res.stub_lines():
        m = re.search(SHARE_RE, line)
        if m:
            g = m.groups()
            out.append((int(g[0]), int(g[1]), int(g[2]), int(g[3], 16),
                        int(g[4], 16), int(g[5]), int(g[6]), int(g[7])))
    return out


TRAMPOLINE_RE = (r"bmdump: smp: \d+ of \d+ CPUs running \(trampoline page "
                 r"(0x[0-9a-f]+)")
# the trampoline's first bytes (cli; cld; mov ax, cs) and its 64-bit code
# descriptor at TP_GDT + 8 (boot/entry64.asm, stub/smp.h)
TRAMPOLINE_HEAD = bytes([0xfa, 0xfc, 0x8c, 0xc8])
TRAMPOLINE_GDT = (0xf88, bytes.fromhex("ffff0000009aaf00"))


def trampoline_restored(res):
    """The page below 1 MiB the other CPUs started in holds its bytes
    again at the stub's reset: no trace of the trampoline, and with
    kexec_load the bytes of the purgatory's backup copy of it (low
    memory as the crash left it, which the dump holds)."""
    m = res.find(TRAMPOLINE_RE)[1]
    assert m, res.tail()
    page = int(m.group(1), 16)
    ram = oracle.RamImage(res.memdump)
    try:
        now = ram.read(page, 4096)
        assert now is not None, "trampoline page 0x%x not in RAM" % page
        off, gdt = TRAMPOLINE_GDT
        assert not (now.startswith(TRAMPOLINE_HEAD) and
                    now[off:off + 8] == gdt), (
            "the trampoline is still in page 0x%x" % page)
        hdr = oracle.elfcorehdr_addr(oracle.stub_cmdline(res))
        for pa, src, size in oracle.source_map(ram, hdr):
            if src != pa and pa <= page < pa + size:
                assert now == ram.read(src + page - pa, 4096), (
                    "page 0x%x differs from its backup copy" % page)
                print("    trampoline page 0x%x equals its backup copy at "
                      "0x%x" % (page, src + page - pa))
    finally:
        ram.close()


def smp_case(ncpu, seed, loader="kexec_load", cpu=0):
    """The stub scan at 2 GiB on ncpu vCPUs, crashing on cpu: on an AP,
    the boot CPU is left out (INIT would send it to the firmware)."""
    name = "dump-smp-%d%s" % (ncpu, "-cpu%d" % cpu if cpu else "")
    res = test_dump.stub_scan_case(
        name, seed, r"bmdump: bitmap: the stub scans, as bmdump.scan=stub "
        r"asks", mem_mib=2048, smp=ncpu, append="bmdump.scan=stub",
        loader=loader, cpu=cpu,
        ram_check=trampoline_restored if ncpu > 1 else None)
    m = res.find(RUNNING_RE)[1]
    running = ncpu - 1 if cpu else ncpu
    assert m and m.groups() == (str(running), str(ncpu)), res.tail()
    if cpu:
        assert res.find(r"bmdump: smp: cpu apic 0 left out: the stub runs "
                        r"on an application processor")[1], res.tail()
    ncpu = running
    sh = shares(res)
    print("    %d vCPUs: %s" % (ncpu, "; ".join(
        "cpu %d apic %d: %d chunks in pfns 0x%x-0x%x, %d classified, "
        "%d kept, %d us" % s for s in sh)))
    # a line per CPU, each its own APIC
    assert [s[0] for s in sh] == list(range(ncpu)), sh
    assert len({s[1] for s in sh}) == ncpu, sh
    # each CPU did a part (chunk i is CPU i's first: 2 GiB holds 16
    # sections), and the parts add up to the whole
    assert all(s[2] > 0 and s[5] > 0 for s in sh), sh
    scan = res.find(test_dump.benchlib.STUB_SCAN_RE)[1]
    assert sum(s[6] for s in sh) == int(scan.group(2)), (sh, scan.group(0))
    assert max(s[4] for s in sh) == int(scan.group(3)), (sh, scan.group(0))
    return res


def test_stub_scan_smp_1():
    smp_case(1, 91)


def test_stub_scan_smp_2():
    smp_case(2, 92)


def test_stub_scan_smp_4():
    """kexec_file: the low-memory PT_LOAD is low memory itself, not
    kexec_load's backup copy, so the oracle reads the dump's low pages
    from RAM as the stub left it."""
    smp_case(4, 94, loader="kexec_file")


def test_stub_scan_smp_4_crash_on_ap():
    """The crash on CPU 2: the stub starts CPUs 1 and 3 from an AP."""
    smp_case(4, 95, cpu=2)
